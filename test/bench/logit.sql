-- logit phase (test/bench/run.sh, BENCH_PHASES=logit): logistic_regression
-- over :rows rows x 20 features next to the floor, a bare scan of the same
-- rows (sum of one element of x), in the same run, best of :runs each; the
-- issue's target is <= 10x the floor for the whole fit.  Serial plans
-- (max_parallel_workers_per_gather = 0, set by run.sh), so that the ratio
-- is that of one backend's work.  Then the peak memory of a fit: VmHWM of a
-- fresh backend (/proc/self/status, read by the backend itself) after the
-- scan and after the fit, against an idle backend; the state holds
-- (20 + 1) x 8 = 168 bytes per row, plus the sort's 4-byte index.
\set QUIET on
\pset footer off
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_logit;
-- 20 features of mixed scales (binary, counts, a company size to 1e5, correlated
-- columns), y from a logistic model; deterministic (hash of the row number)
CREATE TABLE bench_logit AS
SELECT i AS id, (hashint8(i) & 65535) / 65536.0 < 1 / (1 + exp(-(-1 + 0.5 * (i % 2) - 0.2 * (i % 7) + 1e-5 * ((i * 7919) % 100000)
                                                                  + 0.3 * ((hashint8(i * 3) & 1023) / 1024.0))))
         AS y,
       ARRAY[i % 2, (i / 2) % 2, (i % 100 = 0)::int, i % 7, (i * 13) % 40, (i * 7919) % 100000,
             (hashint8(i * 3) & 1023) / 1024.0, (hashint8(i * 3) & 1023) / 1024.0 + (hashint8(i * 5) & 255) / 2048.0,
             ((i * 31) % 1000) / 100.0, ln(1 + (i * 7919) % 100000), (i % 5 = 1)::int, (i % 5 = 2)::int,
             (hashint8(i * 7) & 4095) / 40.96, (i % 11) * 0.01, sqrt(i % 997), (i * 17) % 3, (hashint8(i * 11) & 1) ,
             ((i * 101) % 257) - 128, (i % 13) ^ 2, (hashint8(i * 13) & 65535) / 65536.0]::float8[] AS x
  FROM generate_series(1::bigint, :rows) i;
VACUUM ANALYZE bench_logit;
CHECKPOINT;
\set QUIET off
SELECT count(*) AS rows, pg_size_pretty(pg_table_size('bench_logit')) AS size,
       sum(y::int) AS positives FROM bench_logit;

CREATE TEMP TABLE lb_time (name text, run int, s float8);
CREATE FUNCTION pg_temp.lb_run(name text, q text, runs int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz;
BEGIN
    FOR r IN 1 .. runs LOOP
        t0 := clock_timestamp();
        EXECUTE q;
        INSERT INTO lb_time VALUES (name, r, extract(epoch FROM clock_timestamp() - t0));
    END LOOP;
END $$;
-- warm the cache, then alternate
SELECT count(*) AS warm FROM bench_logit;
\o /dev/null
SELECT pg_temp.lb_run('floor: sum(x[1])', 'SELECT sum(x[1]) FROM bench_logit', 1);
SELECT pg_temp.lb_run('logistic_regression(y, x, 1)', 'SELECT leadqual.logistic_regression(y, x, 1) FROM bench_logit', 1);
SELECT pg_temp.lb_run('floor: sum(x[1])', 'SELECT sum(x[1]) FROM bench_logit', :runs - 1);
SELECT pg_temp.lb_run('logistic_regression(y, x, 1)', 'SELECT leadqual.logistic_regression(y, x, 1) FROM bench_logit', :runs - 1);
SELECT pg_temp.lb_run('count(*)', 'SELECT count(*) FROM bench_logit', :runs);
\o
SELECT (f).iterations, (f).converged, (f).rows, (f).log_likelihood
  FROM (SELECT leadqual.logistic_regression(y, x, 1) AS f FROM bench_logit) s;
SELECT name, round(min(s)::numeric, 3) AS "best s",
       round((min(s) / (SELECT min(s) FROM lb_time WHERE name = 'floor: sum(x[1])'))::numeric, 2) AS "x floor"
  FROM lb_time GROUP BY name ORDER BY min(s);

\echo peak memory (VmHWM of a fresh backend)
\c
SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s+(\d+) kB'))[1]::bigint AS idle_kb \gset
\c
SET max_parallel_workers_per_gather = 0;
SELECT sum(x[1]) AS s FROM bench_logit \gset
SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s+(\d+) kB'))[1]::bigint AS scan_kb \gset
\c
SET max_parallel_workers_per_gather = 0;
SELECT (f).rows AS fit_rows FROM (SELECT leadqual.logistic_regression(y, x, 1) AS f FROM bench_logit) s \gset
SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s+(\d+) kB'))[1]::bigint AS fit_kb \gset
SELECT 'idle backend' AS backend, round(:idle_kb / 1024.0, 1) AS "peak RSS MB", NULL::numeric AS "- idle MB"
UNION ALL SELECT 'scan, sum(x[1])', round(:scan_kb / 1024.0, 1), round((:scan_kb - :idle_kb) / 1024.0, 1)
UNION ALL SELECT 'logistic_regression', round(:fit_kb / 1024.0, 1), round((:fit_kb - :idle_kb) / 1024.0, 1)
UNION ALL SELECT 'rows x 21 x 8 bytes (the state)', round(:rows * 168 / 1048576.0, 1), NULL;
