-- logistic_parallel: logistic_regression is PARALLEL SAFE and combinable
-- (SPEC §8, issue 11 "a regression test forcing a parallel plan whose
-- result equals the serial one").  Its state is the group's rows; the
-- combine function concatenates them and the final function sorts them
-- into one canonical order (by y, then x, as numbers) before the Newton
-- solve, so every sum it takes runs over the same rows in the same order
-- whatever plan delivered them.  The contract checked here is therefore
-- stronger than "close": the fit of a parallel plan, of a partitionwise
-- plan, of a table stored in another order, and of partial states shipped
-- through their text form and merged by hand is bit-identical to the
-- serial fit.  Bit-identical is checked twice: the whole logit_fit IS NOT
-- DISTINCT FROM the serial one (float8 equality of every coefficient,
-- standard error and the log-likelihood, and equal iterations, converged
-- and rows), and their text forms are equal (float8 output is the shortest
-- string that reads back to the same bits, so equal text is equal bits,
-- even between -0 and 0).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;

-- 100,000 rows, 5 features: a count 0..6, a tenth-step value 0..10, a
-- square in [0, 1), a company-size-like column up to 99,999 and a binary
-- one; y drawn from a logistic model by a hash of the row number
-- (deterministic on every platform: hashint4 and exp of exact inputs).
-- About 1,400 pages, so the planner gives a parallel scan both workers.
CREATE TABLE lp (id int, g int, y boolean, x float8[]);
INSERT INTO lp
SELECT i, i % 3,
       (hashint4(i) & 65535) / 65536.0 <
           1 / (1 + exp(-(-1 + 0.3 * (i % 7) - 0.2 * ((i * 37) % 101) / 10.0
                          + 0.5 * ((i % 1000) / 1000.0) ^ 2 + 1e-5 * ((i * 7919) % 100000)
                          + 0.8 * (i % 3 = 0)::int))),
       ARRAY[i % 7, ((i * 37) % 101) / 10.0, ((i % 1000) / 1000.0) ^ 2, (i * 7919) % 100000,
             (i % 3 = 0)::int]::float8[]
  FROM generate_series(1, 100000) i;
-- the same rows stored in another order (descending hash)
CREATE TABLE lp_shuffled AS SELECT * FROM lp ORDER BY hashint4(id * 31) DESC;
-- and partitioned four ways by id
CREATE TABLE lp_part (LIKE lp) PARTITION BY HASH (id);
CREATE TABLE lp_part0 PARTITION OF lp_part FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE lp_part1 PARTITION OF lp_part FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE lp_part2 PARTITION OF lp_part FOR VALUES WITH (MODULUS 4, REMAINDER 2);
CREATE TABLE lp_part3 PARTITION OF lp_part FOR VALUES WITH (MODULUS 4, REMAINDER 3);
INSERT INTO lp_part SELECT * FROM lp;
ANALYZE lp, lp_shuffled, lp_part;

-- plan_count(query, pattern): how many lines of the query's plan match;
-- launched(query): the workers the query actually ran with (EXPLAIN
-- ANALYZE's "Workers Launched", summed over its Gather nodes)
CREATE FUNCTION pg_temp.plan_count(query text, pattern text) RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    line text;
    n integer := 0;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        IF line ~ pattern THEN
            n := n + 1;
        END IF;
    END LOOP;
    RETURN n;
END
$$;
CREATE FUNCTION pg_temp.launched(query text) RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    line text;
    n integer := 0;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || query LOOP
        IF line ~ 'Workers Launched: ' THEN
            n := n + substring(line FROM 'Workers Launched: (\d+)')::int;
        END IF;
    END LOOP;
    RETURN n;
END
$$;

-- The serial fits, no parallel plan: whole table, l2 = 0 and l2 = 1, and
-- per group g.  100,000 rows, every fit converges (the data are drawn from
-- a logistic model with moderate weights, not separable).
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial AS
SELECT 'l2 = 0' AS fit, NULL::int AS g, leadqual.logistic_regression(y, x) AS f FROM lp
UNION ALL
SELECT 'l2 = 1', NULL, leadqual.logistic_regression(y, x, 1) FROM lp
UNION ALL
SELECT 'grouped', g, leadqual.logistic_regression(y, x, 0.5) FROM lp GROUP BY g;
-- rows = 100,000 and 33,334 + 33,333 + 33,333 by g = 1, 2, 0
SELECT fit, g, (f).rows, (f).converged, cardinality((f).coefficients) AS coefficients,
       cardinality((f).std_errors) AS std_errors
  FROM serial ORDER BY fit, g;

-- The parallel plans
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
-- the plan is a Gather of Partial Aggregates finished by a Finalize
-- Aggregate (the combine function merges the workers' states)
SELECT pg_temp.plan_count('SELECT leadqual.logistic_regression(y, x) FROM lp', '^Finalize Aggregate') AS finalize,
       pg_temp.plan_count('SELECT leadqual.logistic_regression(y, x) FROM lp', '^ +-> +Gather') AS gather,
       pg_temp.plan_count('SELECT leadqual.logistic_regression(y, x) FROM lp', 'Partial Aggregate') AS partial,
       pg_temp.plan_count('SELECT leadqual.logistic_regression(y, x) FROM lp', 'Parallel Seq Scan on lp') AS parallel_scan;
-- and workers really run it (two of them; the leader takes part too)
SELECT pg_temp.launched('SELECT leadqual.logistic_regression(y, x) FROM lp') AS workers;

-- bit-identical to the serial fits
SELECT s.fit, p.f IS NOT DISTINCT FROM s.f AS same, p.f::text = s.f::text AS same_text
  FROM serial s,
       LATERAL (SELECT leadqual.logistic_regression(y, x, CASE WHEN s.fit = 'l2 = 1' THEN 1 ELSE 0 END) AS f FROM lp) p
 WHERE s.g IS NULL ORDER BY s.fit;
-- the two-argument form in the parallel plan too
SELECT (SELECT leadqual.logistic_regression(y, x) FROM lp) IS NOT DISTINCT FROM
       (SELECT f FROM serial WHERE fit = 'l2 = 0') AS same;

-- GROUP BY: a Partial HashAggregate or GroupAggregate per worker, one
-- state per group in each, combined per group
SELECT pg_temp.plan_count('SELECT g, leadqual.logistic_regression(y, x, 0.5) FROM lp GROUP BY g',
                          'Partial (Hash|Group)Aggregate') AS partial,
       pg_temp.plan_count('SELECT g, leadqual.logistic_regression(y, x, 0.5) FROM lp GROUP BY g',
                          'Gather') AS gather;
SELECT pg_temp.launched('SELECT g, leadqual.logistic_regression(y, x, 0.5) FROM lp GROUP BY g') AS workers;
SELECT s.g, p.f IS NOT DISTINCT FROM s.f AS same, p.f::text = s.f::text AS same_text
  FROM serial s
  JOIN (SELECT g, leadqual.logistic_regression(y, x, 0.5) AS f FROM lp GROUP BY g) p USING (g)
 ORDER BY s.g;
-- with sorted groups instead of a hash table
SET enable_hashagg = off;
SELECT pg_temp.plan_count('SELECT g, leadqual.logistic_regression(y, x, 0.5) FROM lp GROUP BY g',
                          'Partial GroupAggregate') AS partial_sorted;
SELECT s.g, p.f IS NOT DISTINCT FROM s.f AS same
  FROM serial s
  JOIN (SELECT g, leadqual.logistic_regression(y, x, 0.5) AS f FROM lp GROUP BY g) p USING (g)
 ORDER BY s.g;
RESET enable_hashagg;

-- The same rows in another physical order, in a parallel plan: the same bits
SELECT (SELECT leadqual.logistic_regression(y, x, 1) FROM lp_shuffled) IS NOT DISTINCT FROM
       (SELECT f FROM serial WHERE fit = 'l2 = 1') AS same_shuffled;

-- Partitionwise: a Partial Aggregate per partition, combined
SET enable_partitionwise_aggregate = on;
SELECT pg_temp.plan_count('SELECT leadqual.logistic_regression(y, x, 1) FROM lp_part', 'Partial Aggregate') AS partials,
       pg_temp.plan_count('SELECT leadqual.logistic_regression(y, x, 1) FROM lp_part', 'Finalize Aggregate') AS finalize;
SELECT (SELECT leadqual.logistic_regression(y, x, 1) FROM lp_part) IS NOT DISTINCT FROM
       (SELECT f FROM serial WHERE fit = 'l2 = 1') AS same_partitionwise_parallel;
-- partitionwise without workers: four partial states combined by the leader
SET max_parallel_workers_per_gather = 0;
SELECT pg_temp.plan_count('SELECT leadqual.logistic_regression(y, x, 1) FROM lp_part', 'Partial Aggregate') AS partials;
SELECT (SELECT leadqual.logistic_regression(y, x, 1) FROM lp_part) IS NOT DISTINCT FROM
       (SELECT f FROM serial WHERE fit = 'l2 = 1') AS same_partitionwise;
-- grouped by a column that is not the partition key: each group's state
-- is built in all four partitions and combined per group
SELECT s.g, p.f IS NOT DISTINCT FROM s.f AS same
  FROM serial s
  JOIN (SELECT g, leadqual.logistic_regression(y, x, 0.5) AS f FROM lp_part GROUP BY g) p USING (g)
 ORDER BY s.g;
RESET enable_partitionwise_aggregate;

-- Partial states shipped as text and merged by hand, as a distributed
-- engine (Citus) does with its shards' partials: an aggregate that keeps
-- the state (the transition function without the final one), one state per
-- id % 4, each through logit_rows' text form, merged by an aggregate of
-- the combine function finished by the final function
CREATE AGGREGATE pg_temp.lr_state(boolean, float8[], float8) (
    SFUNC = leadqual.logistic_regression_trans, STYPE = leadqual.logit_rows);
CREATE AGGREGATE pg_temp.lr_merge(leadqual.logit_rows) (
    SFUNC = leadqual.logit_rows_combine, STYPE = leadqual.logit_rows,
    FINALFUNC = leadqual.logistic_regression_final);
SELECT pg_temp.lr_merge(s::text::leadqual.logit_rows) IS NOT DISTINCT FROM
       (SELECT f FROM serial WHERE fit = 'l2 = 1') AS same_merged
  FROM (SELECT pg_temp.lr_state(y, x, 1) AS s FROM lp GROUP BY id % 4) p;
-- one of the shipped states empty (a shard without rows): NULL, skipped
SELECT pg_temp.lr_merge(s) IS NOT DISTINCT FROM (SELECT f FROM serial WHERE fit = 'l2 = 1') AS same_with_empty
  FROM (SELECT pg_temp.lr_state(y, x, 1) AS s FROM lp GROUP BY id % 4
        UNION ALL SELECT pg_temp.lr_state(y, x, 1) FROM lp WHERE false) p;
-- shipped states of different l2 do not merge (22023)
DO $$
BEGIN
    PERFORM pg_temp.lr_merge(s)
      FROM (SELECT pg_temp.lr_state(y, x, 1) AS s FROM lp WHERE id % 2 = 0
            UNION ALL SELECT pg_temp.lr_state(y, x, 2) FROM lp WHERE id % 2 = 1) p;
EXCEPTION WHEN invalid_parameter_value THEN
    RAISE NOTICE 'different l2: %', SQLERRM;
END
$$;
