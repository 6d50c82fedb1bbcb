SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;

-- scoring_parallel: engagement_score and mql_crossing are PARALLEL SAFE
-- aggregates with combine, serialize and deserialize functions (SPEC §3).
-- Forced parallel plans must be Partial/Finalize aggregates under a Gather,
-- and must give the serial results: every lead's events are spread over the
-- whole table, so each worker holds a partial state of most groups and the
-- leader combines them; one group has only rows the aggregates skip (NULL
-- event_type), so its partial states are empty.
SET timezone = 'UTC';

INSERT INTO leadqual.scoring_model (name, mql_threshold, min_fit_grade, fit_bands, hand_raise_types)
VALUES ('par_t', 60, 'C', '{30,20,10}', '{demo_request}');
INSERT INTO leadqual.engagement_rule
       (rule_id, model, event_type, properties, points, half_life, max_points, min_count, within) VALUES
    (701, 'par_t', 'webinar',     NULL,                  8, '1 day',    NULL, 1, NULL),
    (702, 'par_t', 'download',    NULL,                  5, NULL,       40,   1, NULL),
    (703, 'par_t', 'visit',       NULL,                 10, NULL,       NULL, 3, '2 days'),
    (704, 'par_t', 'unsubscribe', NULL,                -10, '3 days',   25,   1, NULL),
    (705, 'par_t', 'page_view',   '{"page": "pricing"}', 2, '12 hours', NULL, 1, NULL),
    (706, 'par_t', 'page_view',   NULL,                0.5, NULL,       7.5,  1, NULL);

-- 20,000 events, generated deterministically.  Lead n % 300 (0..299), except
-- every 101st row, which belongs to lead 300 and has a NULL event_type.
-- Event type and properties vary with k = n / 300, the lead's k-th event.
-- Times: up to ~41 days before T = 2025-03-01, every 53rd row 2 days later
-- (some of those after T).  A few demo requests (hand-raises).
CREATE TABLE pev (n integer, lead_id integer, fit float8, event_type text,
                  properties jsonb, occurred_at timestamptz);
INSERT INTO pev
SELECT n, lid, (lid % 7) * 5,
       CASE WHEN n % 101 = 0 THEN NULL
            WHEN n % 997 = 0 THEN 'demo_request'
            WHEN t < 30 THEN 'page_view'
            WHEN t < 45 THEN 'visit'
            WHEN t < 60 THEN 'webinar'
            WHEN t < 75 THEN 'download'
            WHEN t < 85 THEN 'tweet'
            ELSE 'unsubscribe' END,
       CASE WHEN (k + n) % 3 = 0 THEN '{"page": "pricing"}'::jsonb
            ELSE jsonb_build_object('page', 'home', 'k', k % 5) END,
       '2025-03-01 00:00'::timestamptz - ((n::bigint * 104729) % 60000) * interval '1 minute'
           + CASE WHEN n % 53 = 0 THEN interval '2 days' ELSE interval '0' END
  FROM generate_series(1, 20000) AS n,
       LATERAL (SELECT CASE WHEN n % 101 = 0 THEN 300 ELSE n % 300 END AS lid,
                       n / 300 AS k,
                       (13 * (n / 300) + 7 * (n % 300)) % 100 AS t) AS x;
ANALYZE pev;

-- ---------------------------------------------------------------------
-- Serial results first.
-- ---------------------------------------------------------------------
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_eng AS
SELECT lead_id, leadqual.engagement_score('par_t', event_type, properties, occurred_at, '2025-03-01') AS e
  FROM pev GROUP BY lead_id;
CREATE TEMP TABLE serial_mql AS
SELECT lead_id, leadqual.mql_crossing('par_t', fit, event_type, properties, occurred_at) AS m
  FROM pev GROUP BY lead_id;
CREATE TEMP TABLE serial_all AS
SELECT leadqual.engagement_score('par_t', event_type, properties, occurred_at, '2025-03-01') AS e
  FROM pev;

-- ---------------------------------------------------------------------
-- Forced parallel plans.  Without the leader taking part, the partial
-- states come from the workers only and the leader only combines them.
-- ---------------------------------------------------------------------
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

-- grouped engagement_score: Finalize over Gather over Partial
EXPLAIN (COSTS OFF)
SELECT lead_id, leadqual.engagement_score('par_t', event_type, properties, occurred_at, '2025-03-01')
  FROM pev GROUP BY lead_id;
-- ungrouped engagement_score (all events as one group)
EXPLAIN (COSTS OFF)
SELECT leadqual.engagement_score('par_t', event_type, properties, occurred_at, '2025-03-01')
  FROM pev;
-- grouped mql_crossing
EXPLAIN (COSTS OFF)
SELECT lead_id, leadqual.mql_crossing('par_t', fit, event_type, properties, occurred_at)
  FROM pev GROUP BY lead_id;
-- ungrouped mql_crossing: one lead's backtest
EXPLAIN (COSTS OFF)
SELECT leadqual.mql_crossing('par_t', fit, event_type, properties, occurred_at)
  FROM pev WHERE lead_id = 7;

-- The parallel results, stored the same way (the plan of the statement that
-- stores them is parallel too).
EXPLAIN (COSTS OFF)
CREATE TEMP TABLE par_eng AS
SELECT lead_id, leadqual.engagement_score('par_t', event_type, properties, occurred_at, '2025-03-01') AS e
  FROM pev GROUP BY lead_id;
CREATE TEMP TABLE par_eng AS
SELECT lead_id, leadqual.engagement_score('par_t', event_type, properties, occurred_at, '2025-03-01') AS e
  FROM pev GROUP BY lead_id;
CREATE TEMP TABLE par_mql AS
SELECT lead_id, leadqual.mql_crossing('par_t', fit, event_type, properties, occurred_at) AS m
  FROM pev GROUP BY lead_id;
CREATE TEMP TABLE par_all AS
SELECT leadqual.engagement_score('par_t', event_type, properties, occurred_at, '2025-03-01') AS e
  FROM pev;

-- Parallel = serial for all 301 leads (0..300): engagement to 1e-9
-- (relative; the partial sums are added in another order), crossing times
-- exactly.
SELECT count(*) AS leads,
       count(*) FILTER (WHERE abs(p.e - s.e) <= 1e-9 * greatest(1, abs(s.e))) AS same_engagement
  FROM serial_eng s JOIN par_eng p USING (lead_id);
SELECT count(*) AS leads,
       count(*) FILTER (WHERE p.m IS NOT DISTINCT FROM s.m) AS same_crossing
  FROM serial_mql s JOIN par_mql p USING (lead_id);
SELECT abs(p.e - s.e) <= 1e-9 * greatest(1, abs(s.e)) AS same_ungrouped
  FROM serial_all s, par_all p;

-- The comparison is not vacuous: engagement varies over the leads, some
-- leads cross and some never do.
SELECT count(DISTINCT round(e::numeric, 6)) > 100 AS varied FROM par_eng;
SELECT bool_or(m IS NOT NULL) AS some_cross, bool_or(m IS NULL AND lead_id < 300) AS some_never
  FROM par_mql;

-- Lead 300 has only rows with a NULL event_type: engagement 0, no crossing.
SELECT e.lead_id, e.e AS engagement, m.m AS mql_at
  FROM par_eng e JOIN par_mql m USING (lead_id)
 WHERE lead_id = 300;

-- Empty partial states: with no matching row no worker builds a state;
-- ungrouped, the aggregates give 0 and NULL.
SELECT leadqual.engagement_score('par_t', event_type, properties, occurred_at, '2025-03-01') AS engagement,
       leadqual.mql_crossing('par_t', fit, event_type, properties, occurred_at) AS mql_at
  FROM pev WHERE lead_id = -1;
-- A group of NULL rows in one worker only, combined with nothing else.
SELECT leadqual.engagement_score('par_t', event_type, properties, occurred_at, '2025-03-01') AS engagement,
       leadqual.mql_crossing('par_t', fit, event_type, properties, occurred_at) AS mql_at
  FROM pev WHERE n = 101;

-- ---------------------------------------------------------------------
-- Combine without workers: partitionwise aggregation makes one partial
-- state per partition and combines them, deterministically.  The events
-- are split in three partitions by n, so every lead has rows in each.
-- ---------------------------------------------------------------------
SET max_parallel_workers_per_gather = 0;
SET enable_partitionwise_aggregate = on;
CREATE TABLE pev_part (LIKE pev) PARTITION BY RANGE (n);
CREATE TABLE pev_part_1 PARTITION OF pev_part FOR VALUES FROM (MINVALUE) TO (7000);
CREATE TABLE pev_part_2 PARTITION OF pev_part FOR VALUES FROM (7000) TO (14000);
CREATE TABLE pev_part_3 PARTITION OF pev_part FOR VALUES FROM (14000) TO (MAXVALUE);
INSERT INTO pev_part SELECT * FROM pev;
ANALYZE pev_part;
EXPLAIN (COSTS OFF)
SELECT lead_id, leadqual.engagement_score('par_t', event_type, properties, occurred_at, '2025-03-01')
  FROM pev_part GROUP BY lead_id;
EXPLAIN (COSTS OFF)
SELECT lead_id, leadqual.mql_crossing('par_t', fit, event_type, properties, occurred_at)
  FROM pev_part GROUP BY lead_id;
-- the same results as serial, for all 301 leads
SELECT count(*) AS leads,
       count(*) FILTER (WHERE abs(p.e - s.e) <= 1e-9 * greatest(1, abs(s.e))) AS same_engagement
  FROM serial_eng s
  JOIN (SELECT lead_id, leadqual.engagement_score('par_t', event_type, properties, occurred_at, '2025-03-01') AS e
          FROM pev_part GROUP BY lead_id) p USING (lead_id);
SELECT count(*) AS leads,
       count(*) FILTER (WHERE p.m IS NOT DISTINCT FROM s.m) AS same_crossing
  FROM serial_mql s
  JOIN (SELECT lead_id, leadqual.mql_crossing('par_t', fit, event_type, properties, occurred_at) AS m
          FROM pev_part GROUP BY lead_id) p USING (lead_id);
DROP TABLE pev_part;
RESET enable_partitionwise_aggregate;

-- ---------------------------------------------------------------------
-- Cross-checks against plain SQL (serial).
-- ---------------------------------------------------------------------

-- engagement the way an analyst would compute it without leadqual: join
-- the rules, SUM(points · 2^(−age / half_life)), frequency windows
-- (T − within, T], caps; every lead agrees with the parallel aggregate.
WITH m AS (
    SELECT e.lead_id, r.rule_id, r.points, r.half_life, r.max_points, r.min_count, r.within, e.occurred_at
      FROM pev e
      JOIN leadqual.engagement_rule r
        ON r.model = 'par_t' AND r.event_type = e.event_type
       AND (r.properties IS NULL OR e.properties @> r.properties)
     WHERE e.occurred_at <= '2025-03-01'
), per_rule AS (
    SELECT lead_id, rule_id, max(max_points) AS cap,
           CASE WHEN max(within) IS NOT NULL THEN
                     CASE WHEN count(*) FILTER (WHERE occurred_at > '2025-03-01'::timestamptz - within)
                               >= max(min_count)
                          THEN max(points) ELSE 0 END
                ELSE sum(points * CASE WHEN half_life IS NULL THEN 1
                                       ELSE power(2, -extract(epoch FROM '2025-03-01'::timestamptz - occurred_at)
                                                      / extract(epoch FROM half_life)) END)
           END AS c
      FROM m GROUP BY lead_id, rule_id
), sql_eng AS (
    SELECT lead_id, sum(CASE WHEN cap IS NOT NULL AND abs(c) > cap THEN sign(c) * cap ELSE c END) AS e
      FROM per_rule GROUP BY lead_id
)
SELECT count(*) AS leads,
       count(*) FILTER (WHERE abs(p.e - coalesce(q.e, 0)) <= 1e-9 * greatest(1, abs(p.e))) AS same_as_sql
  FROM par_eng p LEFT JOIN sql_eng q USING (lead_id);

-- mql_crossing against engagement_score evaluated at every event instant of
-- the first 100 leads: the first instant with a hand-raise so far, or with
-- fit >= 10 (grade C or better) and fit + engagement >= 60.
CREATE INDEX ON pev (lead_id);
WITH inst AS (
    SELECT DISTINCT lead_id, fit, occurred_at AS t FROM pev WHERE event_type IS NOT NULL AND lead_id < 100
), at_instant AS (
    SELECT i.lead_id, i.fit, i.t,
           leadqual.engagement_score('par_t', e.event_type, e.properties, e.occurred_at, i.t) AS eng,
           bool_or(e.event_type = 'demo_request' AND e.occurred_at <= i.t) AS hand_raise
      FROM inst i JOIN pev e ON e.lead_id = i.lead_id
     GROUP BY i.lead_id, i.fit, i.t
), oracle AS (
    SELECT lead_id,
           min(t) FILTER (WHERE hand_raise OR (fit >= 10 AND fit + eng >= 60)) AS m
      FROM at_instant GROUP BY lead_id
)
SELECT count(*) AS leads, count(*) FILTER (WHERE o.m IS NOT DISTINCT FROM p.m) AS same_as_replay
  FROM oracle o JOIN par_mql p USING (lead_id);

DROP TABLE pev;
RESET ALL;
