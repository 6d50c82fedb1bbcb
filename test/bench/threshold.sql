-- Threshold backtest benchmark (issue 9), run by test/bench/run.sh on a demo
-- database.  Times in one session, best of :runs rounds (each round runs
-- every query in turn):
--   (f)  floor: the tables threshold_analysis reads, bare: the leads of the
--        model left-joined to their events, counted per lead, and the won
--        rows of stage_history;
--   (t1) threshold_analysis('default', ARRAY[mql_threshold]): one threshold (the
--        default model's mql_threshold);
--   (t20) threshold_analysis('default'): the 20 default thresholds.
-- One replay of the events serves every threshold, so (t20)/(t1) should be
-- about 1 (target <= 1.5).  Also checks, untimed, that at threshold 100 the
-- backtest counts the leads for which mql_crossing under the default model
-- (mql_threshold 100) is not NULL.
\set ON_ERROR_STOP 1
\pset footer off
SET max_parallel_workers_per_gather = 0;   -- one process: ratios, not parallelism
SET work_mem = '512MB';
SET jit = off;

CREATE TEMP TABLE bench (name text PRIMARY KEY, seconds float8);

-- rounds of every query in turn, keeping each query's best time
CREATE FUNCTION pg_temp.timed(names text[], queries text[], runs integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    t float8;
    n numeric;
BEGIN
    FOR i IN 1..runs LOOP
        FOR q IN 1..cardinality(queries) LOOP
            t0 := clock_timestamp();
            EXECUTE queries[q] INTO n;
            t := extract(epoch FROM clock_timestamp() - t0);
            INSERT INTO bench VALUES (names[q], t)
            ON CONFLICT (name) DO UPDATE SET seconds = least(bench.seconds, excluded.seconds);
        END LOOP;
    END LOOP;
END
$$;

SELECT (SELECT mql_threshold FROM leadqual.scoring_model WHERE name = 'default') AS default_threshold,
       count(*) AS leads, (SELECT count(*) FROM leadqual.event) AS events FROM leadqual.lead;

\set q_floor 'SELECT sum(n) + (SELECT count(*) FROM leadqual.stage_history WHERE to_stage = ''won'') FROM (SELECT l.lead_id, count(e.event_id) AS n FROM leadqual.lead l LEFT JOIN leadqual.event e ON e.lead_id = l.lead_id WHERE l.model = ''default'' GROUP BY l.lead_id) s'
\set q_t1 'SELECT sum(mqls) FROM leadqual.threshold_analysis(''default'', ARRAY[(SELECT mql_threshold FROM leadqual.scoring_model WHERE name = ''default'')])'
\set q_t20 'SELECT sum(mqls) FROM leadqual.threshold_analysis(''default'')'

SELECT pg_temp.timed(ARRAY['f_floor', 't1_threshold', 't20_thresholds'],
                     ARRAY[:'q_floor', :'q_t1', :'q_t20'], :runs);
SELECT name AS query, round(seconds::numeric, 3) AS best_s FROM bench ORDER BY name;

-- the 20 default thresholds on the demo data
SELECT * FROM leadqual.threshold_analysis('default');

-- agreement with mql_crossing at the default model's own threshold
SELECT t.mqls AS backtest_mqls, c.crossed AS mql_crossing_leads, t.mqls = c.crossed AS agree
  FROM leadqual.threshold_analysis('default', ARRAY[(SELECT mql_threshold FROM leadqual.scoring_model WHERE name = 'default')]) t,
       (SELECT count(*) FILTER (WHERE x IS NOT NULL) AS crossed
          FROM (SELECT leadqual.mql_crossing('default', l.fit, e.event_type, e.properties, e.occurred_at) AS x
                  FROM (SELECT l.lead_id, leadqual.fit_score(l, 'default') AS fit
                          FROM leadqual.lead l WHERE l.model = 'default' OFFSET 0) l
                  LEFT JOIN leadqual.event e ON e.lead_id = l.lead_id
                 GROUP BY l.lead_id) s) c;

SELECT ((SELECT seconds FROM bench WHERE name = 't20_thresholds')
           / (SELECT seconds FROM bench WHERE name = 't1_threshold'))::numeric(6,2) AS "(t20)/(t1) target <= 1.5",
       ((SELECT seconds FROM bench WHERE name = 't1_threshold')
           / (SELECT seconds FROM bench WHERE name = 'f_floor'))::numeric(6,2) AS "(t1)/(f)";
