-- The lead_timeline aggregate (src/reports/timeline.c): one lead's
-- stage_history as the facts the report views read.  Histories are given
-- as VALUES, so every rule is checked on its own, by hand.
SET TimeZone = 'UTC';
CREATE EXTENSION leadqual;
SET search_path = leadqual, public;

CREATE TEMP TABLE h (lead_id int, history_id bigint, from_stage stage, to_stage stage,
                     changed_at timestamptz, actor text, reason text);
INSERT INTO h VALUES
-- lead 1: inquiry → mql (system) 1 Feb, rejected to nurture by sales 3 Feb
-- (no_budget), back to mql 10 Mar, accepted 10 Mar 12:00, qualified,
-- opportunity, won 1 Apr
 (1, 1, 'inquiry', 'mql', '2025-02-01', 'system', 'score_threshold'),
 (1, 2, 'mql', 'nurture', '2025-02-03', 'sales', 'no_budget'),
 (1, 3, 'nurture', 'mql', '2025-03-10', 'system', 'score_threshold'),
 (1, 4, 'mql', 'sal', '2025-03-10 12:00', 'sales', NULL),
 (1, 5, 'sal', 'sql', '2025-03-12', 'sales', NULL),
 (1, 6, 'sql', 'opportunity', '2025-03-15', 'sales', NULL),
 (1, 7, 'opportunity', 'won', '2025-04-01', 'sales', NULL),
-- lead 2: sales-sourced, inquiry → sql directly (skips mql and sal), then
-- rejected from sql to disqualified (bad_fit)
 (2, 10, 'inquiry', 'sql', '2025-05-01', 'sales', NULL),
 (2, 11, 'sql', 'disqualified', '2025-05-02', 'sales', 'bad_fit'),
-- lead 3: mql by marketing, still there; a row with a NULL time and one at
-- infinity are skipped
 (3, 20, 'inquiry', 'mql', '2025-06-01', 'marketing', NULL),
 (3, 21, 'mql', 'sal', NULL, 'sales', NULL),
 (3, 22, 'mql', 'sal', 'infinity', 'sales', NULL),
-- lead 4: two moves at the same instant, ordered by history_id; an opportunity
-- lost; marketing's move mql → nurture is no rejection
 (4, 31, 'mql', 'nurture', '2025-07-01', 'marketing', 'no_need'),
 (4, 30, 'inquiry', 'mql', '2025-07-01', 'system', 'hand_raise'),
-- lead 5: opportunity → lost, lost → nurture
 (5, 40, 'inquiry', 'opportunity', '2025-08-01', 'sales', NULL),
 (5, 41, 'opportunity', 'lost', '2025-08-20', 'sales', 'competitor'),
 (5, 42, 'lost', 'nurture', '2025-09-01', 'marketing', NULL);

-- reached: lead 1 mql 2/1, sal 3/10 12:00, sql 3/12, opp 3/15, won 4/1;
-- lead 2 reached mql, sal and sql at 5/1 (skipped counted as reached);
-- lead 3 mql only (the other two rows skipped: moves = 1); lead 4 mql at
-- 7/1; lead 5 mql … opportunity at 8/1, lost 8/20
SELECT lead_id, (t).mql_at, (t).sal_at, (t).sql_at, (t).opportunity_at, (t).won_at,
       (t).lost_at, (t).first_move_at, (t).moves
  FROM (SELECT lead_id, lead_timeline(from_stage, to_stage, changed_at, actor, reason, history_id) t
          FROM h GROUP BY lead_id) x ORDER BY lead_id;

-- entries: lead 2 enters mql and sal (skipped, left at once) then sql
-- (left 5/2 at the rejection), then disqualified (open); lead 4: mql
-- (history_id 30 first) left at the same instant, then nurture
SELECT lead_id, u.*
  FROM (SELECT lead_id, lead_timeline(from_stage, to_stage, changed_at, actor, reason, history_id) t
          FROM h GROUP BY lead_id) x,
       ROWS FROM (unnest((t).entry_stage), unnest((t).entry_at), unnest((t).entry_left_at),
                  unnest((t).entry_skipped)) WITH ORDINALITY u(stage, entered_at, left_at, skipped, n)
 ORDER BY lead_id, n;

-- MQL cycles: lead 1 two (recycled by sales after 2 days, later won 4/1
-- > 2/3: later_won; then accepted after 12 h); lead 2 one, skipped
-- (accepted at once by sales); lead 3 one, open; lead 4 one, left by
-- marketing (no sales action, no outcome); lead 5 one skipped, accepted
SELECT lead_id, u.*
  FROM (SELECT lead_id, lead_timeline(from_stage, to_stage, changed_at, actor, reason, history_id) t
          FROM h GROUP BY lead_id) x,
       ROWS FROM (unnest((t).mql_start_at), unnest((t).mql_exit_at), unnest((t).mql_sales_action),
                  unnest((t).mql_outcome), unnest((t).mql_later_won)) WITH ORDINALITY
           u(start_at, exit_at, sales_action, outcome, later_won, n)
 ORDER BY lead_id, n;

-- rejections: lead 1 no_budget 2/3 (cycle of 2/1); lead 2 bad_fit from sql
-- 5/2 (cycle of the skipped mql 5/1); marketing's (lead 4) and lost (lead
-- 5, from opportunity) are not rejections
SELECT lead_id, u.*
  FROM (SELECT lead_id, lead_timeline(from_stage, to_stage, changed_at, actor, reason, history_id) t
          FROM h GROUP BY lead_id) x,
       ROWS FROM (unnest((t).rejection_at), unnest((t).rejection_reason), unnest((t).rejection_mql_at))
           WITH ORDINALITY u(rejected_at, reason, mql_at, n)
 ORDER BY lead_id, n;

-- input order does not matter: every permutation order of lead 1's rows
-- (sorted forwards, backwards, by reason, by random) gives one timeline
SELECT count(DISTINCT t::text) AS distinct_timelines
  FROM (SELECT lead_timeline(from_stage, to_stage, changed_at, actor, reason, history_id ORDER BY history_id) t FROM h WHERE lead_id = 1
        UNION ALL
        SELECT lead_timeline(from_stage, to_stage, changed_at, actor, reason, history_id ORDER BY history_id DESC) FROM h WHERE lead_id = 1
        UNION ALL
        SELECT lead_timeline(from_stage, to_stage, changed_at, actor, reason, history_id ORDER BY reason, to_stage DESC) FROM h WHERE lead_id = 1
        UNION ALL
        SELECT lead_timeline(from_stage, to_stage, changed_at, actor, reason, history_id ORDER BY md5(history_id::text)) FROM h WHERE lead_id = 1) x;

-- no rows, or only skipped rows: NULL
SELECT lead_timeline(from_stage, to_stage, changed_at, actor, reason, history_id) IS NULL AS no_rows
  FROM h WHERE false;
SELECT (lead_timeline(NULL::stage, NULL::stage, NULL::timestamptz, NULL, NULL, NULL)).moves AS only_null_row;

-- a parallel plan (partial aggregates serialized by workers, combined by
-- the leader) gives what a plain one gives, over 20,000 leads
CREATE TABLE ph AS
SELECT (i / 5) AS lead_id, i AS history_id,
       (ARRAY['inquiry','mql','nurture','mql','sal']::stage[])[i % 5 + 1] AS from_stage,
       (ARRAY['mql','nurture','mql','sal','sql']::stage[])[i % 5 + 1] AS to_stage,
       '2025-01-01'::timestamptz + (i || ' hours')::interval AS changed_at,
       (ARRAY['system','sales','system','sales','sales'])[i % 5 + 1] AS actor,
       CASE WHEN i % 5 = 1 THEN 'no_budget' END AS reason
  FROM generate_series(0, 99999) i;
ANALYZE ph;
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT md5(string_agg(x::text, ',' ORDER BY lead_id)) FROM (
SELECT lead_id, lead_timeline(from_stage, to_stage, changed_at, actor, reason, history_id) FROM ph GROUP BY lead_id) x;
CREATE TEMP TABLE par AS SELECT lead_id, lead_timeline(from_stage, to_stage, changed_at, actor, reason, history_id)::text t FROM ph GROUP BY lead_id;
RESET max_parallel_workers_per_gather;
CREATE TEMP TABLE ser AS SELECT lead_id, lead_timeline(from_stage, to_stage, changed_at, actor, reason, history_id)::text t FROM ph GROUP BY lead_id;
SELECT count(*) AS leads, count(*) FILTER (WHERE p.t IS DISTINCT FROM s.t) AS differ
  FROM par p FULL JOIN ser s USING (lead_id);
-- each of those leads: 2 MQL cycles, the first recycled, the second accepted
SELECT t FROM ser WHERE lead_id = 7;

-- the three rules the views share.  report_rate: 1/3 = 0.3333, 2/3 =
-- 0.6667 (rounded half away from zero), 0 and NULL denominators NULL, and
-- NULL (never NaN or an infinity) for numeric's NaN and infinities
SELECT leadqual.report_rate(1, 3) AS third, leadqual.report_rate(2, 3) AS two_thirds,
       leadqual.report_rate(5, 4) AS above_one, leadqual.report_rate(1, 0) AS by_zero,
       leadqual.report_rate(1, NULL) AS by_null, leadqual.report_rate('NaN', 1) AS nan,
       leadqual.report_rate(1, 'NaN') AS by_nan, leadqual.report_rate('Infinity', 1) AS inf,
       leadqual.report_rate(1, '-Infinity') AS by_minus_inf;
-- report_seconds: 1 day 12 hours = 129600 s; -1 s backwards; NULL for an
-- infinity or a NULL; the two ends of the range 294276 AD - 4713 BC apart
-- (about 9.4e12 s, beyond an interval's range) still a number
SELECT leadqual.report_seconds('2025-03-01', '2025-03-02 12:00') AS day_and_half,
       leadqual.report_seconds('2025-03-01 00:00:01', '2025-03-01') AS backwards,
       leadqual.report_seconds('2025-03-01', 'infinity') AS to_infinity,
       leadqual.report_seconds(NULL, '2025-03-01') AS from_null,
       leadqual.report_seconds('4714-11-24 00:00:00+00 BC', '294276-12-31 23:59:59+00') > 9e12 AS whole_range;
-- report_month: 17 March -> 1 March; the first and last weeks of the
-- timestamp range have no month that is a date: NULL, not an error
SELECT leadqual.report_month('2025-03-17 10:00') AS march,
       leadqual.report_month('4714-11-24 00:00:00+00 BC') AS first_week,
       leadqual.report_month('4714-12-02 00:00:00+00 BC') AS first_full_month,
       leadqual.report_month('294276-12-31 23:59:59+00') AS last_month,
       leadqual.report_month(NULL) AS null_month;

-- a value added to the stage enum is not one the reports know (22023)
SET client_min_messages = warning;
DROP TABLE ph;
ALTER TYPE stage ADD VALUE 'escalated';
SELECT lead_timeline(NULL, 'escalated', now(), 'sales', NULL, 1);
DROP EXTENSION leadqual CASCADE;
