-- Scoring benchmark (issue 2), run by test/bench/run.sh on a demo database.
-- Times in one session, best of :runs rounds (each round runs (a), (b), (p)
-- and (c) in turn):
--   (a) floor: count(*) of the events grouped by lead;
--   (b) the engagement_score aggregate over all events grouped by lead;
--   (p) score_by_lead(): fit, engagement and grade of every lead in C, from one
--       scan of lead and one of event (the pass rescore() runs on);
--   (c) rescore() (each run at a later as_of, so every decayed score changes);
--   (d) the same engagement scores in plain SQL, as an analyst would write
--       them without leadqual (join to the rules, power(0.5, age/half_life),
--       frequency windows and caps in SQL),
-- checks that (b) and (d) agree within 1e-9 relative, and prints ratios.
\set ON_ERROR_STOP 1
\pset footer off
SET max_parallel_workers_per_gather = 0;   -- one process: ratios, not parallelism
SET work_mem = '512MB';                    -- both sides hash 200k groups in memory
SET jit = off;

CREATE TEMP TABLE bench (name text PRIMARY KEY, seconds float8);

-- Runs the queries in rounds, each round one run of every query in turn,
-- and keeps each query's best time: the machine's speed drifts over minutes,
-- and the ratios must compare runs made under the same conditions.
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
            EXECUTE replace(queries[q], '$run', i::text) INTO n;
            t := extract(epoch FROM clock_timestamp() - t0);
            INSERT INTO bench VALUES (names[q], t)
            ON CONFLICT (name) DO UPDATE SET seconds = least(bench.seconds, excluded.seconds);
        END LOOP;
    END LOOP;
END
$$;

SELECT count(*) AS leads, (SELECT count(*) FROM leadqual.event) AS events FROM leadqual.lead;

-- every query sums what it computes, so the planner cannot drop the work
\set q_floor 'SELECT sum(n) FROM (SELECT lead_id, count(*) AS n FROM leadqual.event GROUP BY lead_id) s'
\set q_agg 'SELECT sum(e) FROM (SELECT lead_id, leadqual.engagement_score(''default'', event_type, properties, occurred_at, ''' :as_of '''::timestamptz) AS e FROM leadqual.event GROUP BY lead_id) s'
\set q_pass 'SELECT sum(score) FROM leadqual.score_by_lead(''default'', ''' :as_of '''::timestamptz)'
\set q_rescore 'SELECT leadqual.rescore(''' :as_of '''::timestamptz + $run * interval ''1 hour'')'

-- the analyst's plain SQL (also used for the agreement check below)
CREATE TEMP VIEW plain_engagement AS
WITH m AS (
    SELECT e.lead_id, r.rule_id, r.points, r.half_life, r.max_points, r.min_count, r.within, e.occurred_at
      FROM leadqual.event e
      JOIN leadqual.engagement_rule r
        ON r.model = 'default' AND r.event_type = e.event_type
       AND (r.properties IS NULL OR e.properties @> r.properties)
     WHERE e.occurred_at <= :'as_of'
), per_rule AS (
    SELECT lead_id, rule_id, max(max_points) AS cap,
           CASE WHEN min(within) IS NULL THEN
                    sum(points * CASE WHEN half_life IS NULL THEN 1
                                      ELSE power(0.5, extract(epoch FROM :'as_of'::timestamptz - occurred_at)
                                                      / extract(epoch FROM half_life)) END)
                WHEN count(*) FILTER (WHERE occurred_at > :'as_of'::timestamptz - within) >= min(min_count)
                    THEN min(points)
                ELSE 0 END AS c
      FROM m GROUP BY lead_id, rule_id
)
SELECT lead_id,
       sum(CASE WHEN cap IS NOT NULL AND abs(c) > cap THEN sign(c) * cap ELSE c END) AS engagement
  FROM per_rule GROUP BY lead_id;
\set q_plain 'SELECT sum(engagement) FROM plain_engagement'

SELECT pg_temp.timed(ARRAY['a_floor', 'b_aggregate', 'p_pass', 'c_rescore'],
                     ARRAY[:'q_floor', :'q_agg', :'q_pass', :'q_rescore'], :runs);
\if :plain
SELECT pg_temp.timed(ARRAY['d_plain_sql'], ARRAY[:'q_plain'], :runs);
\endif
SELECT name AS query, round(seconds::numeric, 3) AS best_s FROM bench ORDER BY name;

\if :plain
-- (b) and (d) agree: leads without matching events are 0 on both sides
SELECT count(*) AS leads_compared,
       max(abs(coalesce(a.e, 0) - coalesce(p.engagement, 0))
           / greatest(abs(coalesce(p.engagement, 0)), 1)) AS max_rel_diff,
       max(abs(coalesce(a.e, 0) - coalesce(p.engagement, 0))
           / greatest(abs(coalesce(p.engagement, 0)), 1)) <= 1e-9 AS agree
  FROM (SELECT lead_id, leadqual.engagement_score('default', event_type, properties, occurred_at, :'as_of') AS e
          FROM leadqual.event GROUP BY lead_id) a
  FULL JOIN plain_engagement p USING (lead_id);
\endif

SELECT ((SELECT seconds FROM bench WHERE name = 'b_aggregate')
           / (SELECT seconds FROM bench WHERE name = 'a_floor'))::numeric(6,2) AS "(b)/(a) target <= 2",
       ((SELECT seconds FROM bench WHERE name = 'd_plain_sql')
           / (SELECT seconds FROM bench WHERE name = 'b_aggregate'))::numeric(6,2) AS "(d)/(b) target >= 3",
       ((SELECT seconds FROM bench WHERE name = 'p_pass')
           / (SELECT seconds FROM bench WHERE name = 'a_floor'))::numeric(6,2) AS "(p)/(a)",
       ((SELECT seconds FROM bench WHERE name = 'c_rescore')
           / (SELECT seconds FROM bench WHERE name = 'a_floor'))::numeric(6,2) AS "(c)/(a) target <= 3.5";
