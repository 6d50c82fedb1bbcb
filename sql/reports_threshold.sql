SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;

-- reports_threshold: the MQL threshold backtest (SPEC §5).
--   mql_peak(model, fit, event_type, properties, occurred_at) runs
--   mql_crossing's replay of one lead's events to the end:
--   (max_score, qualifying_score, hand_raise); the lead would have become an
--   MQL under threshold t iff hand_raise or qualifying_score >= t.
--   threshold_analysis(model, thresholds) → (threshold, mqls, won,
--   precision, recall): one mql_peak per lead of the model, every threshold
--   counted from the sorted peaks.  won = the lead has a stage_history row
--   into won; precision = won / mqls; recall = won / all won leads of the
--   model; numeric, 4 decimals, NULL when the denominator is 0.
--
-- Model thr: min_fit_grade C, fit_bands {30,20,10} (fit >= 10 is C, below
-- is D), hand-raise type demo_request; its own mql_threshold (50) plays no
-- part.  Fit: director 10, software 5, country de 3.  Engagement: webinar
-- 20 (half-life 1 day), download 10 (no decay); page_view has no rule but
-- its time is an instant of the replay.  Events at whole days: exact
-- powers of two.
--
--   lead  owner fit        events (score after each instant)        won  peak (max, qualifying, hand_raise)
--   1     ann   0 (D)      download Mar 1 (10), demo_request Mar 2  no   (10, NULL, t)   hand-raise: always
--   2     ann   10 (C)     webinar Mar 1 (30), page_view Mar 3      yes  (30, 30, f)     decays: 10 + 20/4 = 15
--                          at the last event; the running max, 30, counts
--   3     bob   8 (D)      4 downloads Mar 1 (48)                   no   (48, NULL, f)   fit gate: never
--   4     bob   15 (C)     download Mar 1 (25), download Mar 2 (35) no   (35, 35, f)
--   5     ann   10 (C)     none                                     yes  (NULL, NULL, f) no events: never
--   6     bob   10 (C)     page_view Mar 1 (10)                     yes  (10, 10, f)
--   7     ann   (model default, a demo request: not a lead of thr)
--
-- Leads without events never become MQLs: mql_crossing, whose replay this
-- is, tests the rule at event times only and returns NULL for them (SPEC
-- §3: "scores are evaluated at each event's time"); lead 5 is such a lead,
-- and it is won: recall stays below 1 at every threshold.
SET timezone = 'UTC';
SET leadqual.auto_scoring = off;   -- no automatic moves: stage_history holds only the rows below

INSERT INTO leadqual.scoring_model (name, mql_threshold, min_fit_grade, fit_bands, hand_raise_types)
VALUES ('thr', 50, 'C', '{30,20,10}', '{demo_request}');
INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES
    ('thr', 'job_title', 'eq', '"director"', 10),
    ('thr', 'industry', 'eq', '"software"', 5),
    ('thr', 'country', 'eq', '"de"', 3);
INSERT INTO leadqual.engagement_rule (model, event_type, points, half_life) VALUES
    ('thr', 'webinar', 20, '1 day'),
    ('thr', 'download', 10, NULL);

INSERT INTO leadqual.lead (lead_id, external_id, created_at, job_title, industry, country, owner, model) VALUES
    (1, 't1', '2025-01-01', NULL, NULL, NULL, 'lq_th_ann', 'thr'),
    (2, 't2', '2025-01-01', 'director', NULL, NULL, 'lq_th_ann', 'thr'),
    (3, 't3', '2025-01-01', NULL, 'software', 'de', 'lq_th_bob', 'thr'),
    (4, 't4', '2025-01-01', 'director', 'software', NULL, 'lq_th_bob', 'thr'),
    (5, 't5', '2025-01-01', 'director', NULL, NULL, 'lq_th_ann', 'thr'),
    (6, 't6', '2025-01-01', 'director', NULL, NULL, 'lq_th_bob', 'thr'),
    (7, 't7', '2025-01-01', NULL, NULL, NULL, 'lq_th_ann', 'default');
INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES
    (1, 'download', '2025-03-01'), (1, 'demo_request', '2025-03-02'),
    (2, 'webinar', '2025-03-01'), (2, 'page_view', '2025-03-03'),
    (3, 'download', '2025-03-01'), (3, 'download', '2025-03-01'),
    (3, 'download', '2025-03-01'), (3, 'download', '2025-03-01'),
    (4, 'download', '2025-03-01'), (4, 'download', '2025-03-02'),
    (6, 'page_view', '2025-03-01'),
    (7, 'demo_request', '2025-03-01');
-- won: leads 2, 5 and 6 (rows written directly, as a CRM import would);
-- lead 4 reached opportunity and was lost, which is not won
INSERT INTO leadqual.stage_history (lead_id, from_stage, to_stage, changed_at, actor) VALUES
    (2, 'opportunity', 'won', '2025-04-01', 'sales'),
    (5, 'opportunity', 'won', '2025-04-01', 'sales'),
    (6, 'opportunity', 'won', '2025-04-01', 'sales'),
    (4, 'sql', 'opportunity', '2025-04-01', 'sales'),
    (4, 'opportunity', 'lost', '2025-04-02', 'sales');

-- the peaks, as in the table above
SELECT l.lead_id, (p).max_score, (p).qualifying_score, (p).hand_raise
  FROM (SELECT l.lead_id,
               leadqual.mql_peak('thr', leadqual.fit_score(l, 'thr'), e.event_type, e.properties, e.occurred_at) AS p
          FROM leadqual.lead l LEFT JOIN leadqual.event e USING (lead_id)
         WHERE l.model = 'thr' GROUP BY l.lead_id) l
 ORDER BY l.lead_id;
-- over no rows: NULL
SELECT leadqual.mql_peak('thr', 0, event_type, properties, occurred_at) IS NULL AS no_rows
  FROM leadqual.event WHERE false;

-- The default thresholds: lo = 10 and hi = 48 are the least and greatest
-- max_score (leads 1, 6 and 3); thresholds 10 + (48 - 10) * i / 19 =
-- 10 + 2i for i = 0..19, i.e. 10, 12, …, 48.  Three won leads (2, 5, 6).
-- Qualifying scores without a hand-raise: 30 (lead 2, won), 35 (lead 4),
-- 10 (lead 6, won); lead 1 counts at every threshold.
--   t = 10:       1 + {2, 4, 6} = 4 mqls, won {2, 6} = 2: precision 2/4 = 0.5000, recall 2/3 = 0.6667
--   t = 12 .. 30: 1 + {2, 4}    = 3 mqls, won {2} = 1:    precision 1/3 = 0.3333, recall 1/3 = 0.3333
--   t = 32, 34:   1 + {4}       = 2 mqls, won 0:          precision 0.0000,       recall 0.0000
--   t = 36 .. 48: 1             = 1 mql,  won 0:          precision 0.0000,       recall 0.0000
-- (lead 3's 48 does not count at t = 48: its fit grade D is below C)
SELECT * FROM leadqual.threshold_analysis('thr');

-- Thresholds out of order and repeated: one row per distinct value,
-- ascending (-0 and 0 are one value, shown as 0).  Every threshold is
-- inclusive (score >= t):
--   0, 10: 4 mqls, 2 won (as t = 10 above; lead 6's 10 counts at 10)
--   30:    3 mqls, 1 won (lead 2's 30 counts at 30)
--   30.5:  lead 1 and lead 4 (35): 2 mqls, 0 won
--   35:    the same 2 (lead 4's 35 counts at 35)
--   1e6:   lead 1 alone
SELECT * FROM leadqual.threshold_analysis('thr', ARRAY[35, 10, 30.5, 35, '-0'::float8, 1e6, 30, 10]);
-- the default model: only lead 7 is its lead, a hand-raise without a won row
SELECT * FROM leadqual.threshold_analysis(thresholds => ARRAY[0]);

-- Cross-check against mql_crossing: for each default threshold t, a copy of
-- thr with mql_threshold = t (same grade gate, hand-raise types and rules);
-- mqls must equal the leads of thr for which mql_crossing under the copy is
-- not NULL, and won those of them with a won row.
INSERT INTO leadqual.scoring_model (name, mql_threshold, min_fit_grade, fit_bands, hand_raise_types)
SELECT 'thr_at_' || t.threshold, t.threshold, m.min_fit_grade, m.fit_bands, m.hand_raise_types
  FROM leadqual.threshold_analysis('thr') t, leadqual.scoring_model m WHERE m.name = 'thr';
INSERT INTO leadqual.fit_rule (model, field, op, value, points)
SELECT c.name, r.field, r.op, r.value, r.points
  FROM leadqual.fit_rule r, leadqual.scoring_model c WHERE r.model = 'thr' AND c.name LIKE 'thr\_at\_%';
INSERT INTO leadqual.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within)
SELECT c.name, r.event_type, r.properties, r.points, r.half_life, r.max_points, r.min_count, r.within
  FROM leadqual.engagement_rule r, leadqual.scoring_model c WHERE r.model = 'thr' AND c.name LIKE 'thr\_at\_%';
WITH crossing AS (
    SELECT m.mql_threshold AS threshold,
           count(*) FILTER (WHERE s.crossed IS NOT NULL) AS mqls,
           count(*) FILTER (WHERE s.crossed IS NOT NULL
                              AND EXISTS (SELECT FROM leadqual.stage_history h
                                           WHERE h.lead_id = s.lead_id AND h.to_stage = 'won')) AS won
      FROM leadqual.scoring_model m,
           LATERAL (SELECT l.lead_id,
                           leadqual.mql_crossing(m.name, leadqual.fit_score(l, m.name),
                                                 e.event_type, e.properties, e.occurred_at) AS crossed
                      FROM leadqual.lead l LEFT JOIN leadqual.event e USING (lead_id)
                     WHERE l.model = 'thr' GROUP BY l.lead_id) s
     WHERE m.name LIKE 'thr\_at\_%'
     GROUP BY m.mql_threshold
)
SELECT count(*) AS thresholds,
       count(*) FILTER (WHERE t.mqls = c.mqls AND t.won = c.won) AS agree
  FROM leadqual.threshold_analysis('thr') t JOIN crossing c USING (threshold);
DELETE FROM leadqual.scoring_model WHERE name LIKE 'thr\_at\_%';

-- Parallel plans.  threshold_analysis gives the same rows with parallel
-- plans allowed (its own query may use one).  mql_peak, like mql_crossing,
-- has combine, serial and deserial functions (the same ones): a forced
-- Partial/Finalize plan over 20,000 events of 50 leads, each lead's events
-- spread over the whole table (so every worker holds a partial state of
-- most leads), gives the serial peaks.  Fit lead_id % 20: grade D below 10,
-- C from 10.  Every 997th event is a demo request.
CREATE TEMP TABLE serial_result AS SELECT * FROM leadqual.threshold_analysis('thr');
CREATE TABLE thr_pev AS   -- not temporary: parallel workers cannot read temporary tables
SELECT n % 50 AS lead_id, (n % 50) % 20 AS fit,
       CASE WHEN n % 997 = 0 THEN 'demo_request'
            WHEN n % 3 = 0 THEN 'webinar' WHEN n % 3 = 1 THEN 'download' ELSE 'page_view' END AS event_type,
       '{}'::jsonb AS properties,
       '2025-01-01'::timestamptz + (n * 7919 % 20000) * interval '1 hour' AS occurred_at
  FROM generate_series(1, 20000) n;
ANALYZE thr_pev;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_peaks AS
SELECT lead_id, leadqual.mql_peak('thr', fit, event_type, properties, occurred_at) AS p
  FROM thr_pev GROUP BY lead_id;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SELECT count(*) AS differ FROM (
    (SELECT * FROM leadqual.threshold_analysis('thr') EXCEPT ALL SELECT * FROM serial_result)
    UNION ALL
    (SELECT * FROM serial_result EXCEPT ALL SELECT * FROM leadqual.threshold_analysis('thr'))) d;
EXPLAIN (COSTS OFF)
SELECT lead_id, leadqual.mql_peak('thr', fit, event_type, properties, occurred_at) AS p
  FROM thr_pev GROUP BY lead_id;
SELECT count(*) AS leads,
       count(*) FILTER (WHERE par.p IS NOT DISTINCT FROM s.p) AS same,
       count(*) FILTER (WHERE (s.p).hand_raise) AS hand_raised,
       count(*) FILTER (WHERE (s.p).qualifying_score IS NULL) AS grade_d
  FROM (SELECT lead_id, leadqual.mql_peak('thr', fit, event_type, properties, occurred_at) AS p
          FROM thr_pev GROUP BY lead_id) par
  FULL JOIN serial_peaks s USING (lead_id);
-- (20 demo requests, n = 997k for k = 1..20, of leads 47k % 50: 20
-- distinct leads; grade D: lead_id % 20 < 10, 30 of the 50 leads)
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
DROP TABLE thr_pev;

-- All peaks equal: model thr_flat, two leads with fit 10 and one page view
-- each (max_score 10 both): lo = hi = 10, the default thresholds are one
-- value, 10: one row, 2 mqls, no won lead (recall NULL).
INSERT INTO leadqual.scoring_model (name, min_fit_grade, fit_bands) VALUES ('thr_flat', 'C', '{30,20,10}');
INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('thr_flat', 'job_title', 'eq', '"director"', 10);
INSERT INTO leadqual.lead (lead_id, external_id, created_at, job_title, model) VALUES
    (11, 'f1', '2025-01-01', 'director', 'thr_flat'), (12, 'f2', '2025-01-01', 'director', 'thr_flat');
INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES
    (11, 'page_view', '2025-03-01'), (12, 'page_view', '2025-03-05');
SELECT * FROM leadqual.threshold_analysis('thr_flat');

-- A model without leads: no replayed score, so no default threshold (no
-- row); given thresholds, rows of zeros with NULL rates.
INSERT INTO leadqual.scoring_model (name) VALUES ('thr_empty');
SELECT count(*) AS default_rows FROM leadqual.threshold_analysis('thr_empty');
SELECT * FROM leadqual.threshold_analysis('thr_empty', '{50,10}');
-- A model whose one lead has no events but is won: still no default
-- threshold; given one, 0 mqls (precision NULL) and recall 0/1 = 0.0000.
INSERT INTO leadqual.scoring_model (name) VALUES ('thr_quiet');
INSERT INTO leadqual.lead (lead_id, external_id, created_at, model) VALUES (21, 'q1', '2025-01-01', 'thr_quiet');
INSERT INTO leadqual.stage_history (lead_id, from_stage, to_stage, changed_at, actor) VALUES
    (21, 'opportunity', 'won', '2025-04-01', 'sales');
SELECT count(*) AS default_rows FROM leadqual.threshold_analysis('thr_quiet');
SELECT * FROM leadqual.threshold_analysis('thr_quiet', '{10}');

-- Row-level security on lead: threshold_analysis reads as the caller, so a
-- rep counts only own leads (won leads too: recall's denominator).
--   ann sees 1 (hand-raise), 2 (30, won), 5 (no events, won): 2 won leads.
--     t = 10, 30: 1 + {2} = 2 mqls, 1 won: precision 0.5000, recall 1/2 = 0.5000
--     t = 31:     lead 1 alone: 1 mql, 0 won
--   bob sees 3 (fit gate), 4 (35), 6 (10, won): 1 won lead.
--     t = 10: {4, 6} = 2 mqls, 1 won: precision 0.5000, recall 1.0000
--     t = 30, 31: {4}: 1 mql, 0 won
--   cat sees no lead: zeros, NULL rates.
CREATE ROLE lq_th_ann IN ROLE leadqual_reader;
CREATE ROLE lq_th_bob IN ROLE leadqual_reader;
CREATE ROLE lq_th_cat IN ROLE leadqual_reader;
BEGIN;
ALTER TABLE leadqual.lead ENABLE ROW LEVEL SECURITY;
CREATE POLICY rep_sees_own ON leadqual.lead FOR SELECT USING (owner = current_user);
SET LOCAL ROLE lq_th_ann;
SELECT * FROM leadqual.threshold_analysis('thr', '{10,30,31}');
RESET ROLE;
SET LOCAL ROLE lq_th_bob;
SELECT * FROM leadqual.threshold_analysis('thr', '{10,30,31}');
RESET ROLE;
SET LOCAL ROLE lq_th_cat;
SELECT * FROM leadqual.threshold_analysis('thr', '{10}');
SELECT count(*) AS default_rows FROM leadqual.threshold_analysis('thr');
RESET ROLE;
ROLLBACK;
DROP ROLE lq_th_ann, lq_th_bob, lq_th_cat;

-- Errors: each with its SQLSTATE, message and hint (pg_temp.try catches).
--   42704 undefined_object            unknown model (as score() reports it)
--   22004 null_value_not_allowed      NULL model; a NULL element of thresholds
--   22003 numeric_value_out_of_range  NaN, Infinity, -Infinity in thresholds
--   22023 invalid_parameter_value     empty or multi-dimensional thresholds
--   54000 program_limit_exceeded      more than 1000 thresholds
CREATE FUNCTION pg_temp.try(statement text, OUT code text, OUT message text, OUT detail text, OUT hint text)
    LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    code := 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END
$$;
\x on
SELECT * FROM pg_temp.try($$SELECT * FROM leadqual.threshold_analysis('no_such_model')$$);
SELECT * FROM pg_temp.try($$SELECT * FROM leadqual.threshold_analysis(NULL)$$);
SELECT * FROM pg_temp.try($$SELECT * FROM leadqual.threshold_analysis('thr', '{10,NULL}')$$);
SELECT * FROM pg_temp.try($$SELECT * FROM leadqual.threshold_analysis('thr', '{10,NaN}')$$);
SELECT * FROM pg_temp.try($$SELECT * FROM leadqual.threshold_analysis('thr', '{Infinity}')$$);
SELECT * FROM pg_temp.try($$SELECT * FROM leadqual.threshold_analysis('thr', '{1,-Infinity}')$$);
SELECT * FROM pg_temp.try($$SELECT * FROM leadqual.threshold_analysis('thr', '{}')$$);
SELECT * FROM pg_temp.try($$SELECT * FROM leadqual.threshold_analysis('thr', '{{1,2},{3,4}}')$$);
SELECT * FROM pg_temp.try($$SELECT * FROM leadqual.threshold_analysis('thr', array_fill(1::float8, ARRAY[1001]))$$);
\x off
-- 1000 thresholds are accepted (1000 distinct values, 1000 rows); 1001
-- equal values are refused (the limit counts elements, before repeats go)
SELECT count(*) AS rows FROM leadqual.threshold_analysis('thr', (SELECT array_agg(i::float8) FROM generate_series(1, 1000) i));
-- an unknown model is refused even when it would have no lead
SELECT * FROM pg_temp.try($$SELECT * FROM leadqual.threshold_analysis('no_such_model', '{1}')$$);
-- a non-default lower bound is just an array
SELECT * FROM leadqual.threshold_analysis('thr', '[5:6]={31,30}');

SET client_min_messages = warning;
DROP EXTENSION leadqual CASCADE;
