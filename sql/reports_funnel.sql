-- reports_funnel: the report views funnel, funnel_by_cohort,
-- funnel_by_period, stage_velocity, mql_acceptance, rejection_reasons and
-- score_calibration (SPEC §5), on a small history built by hand: leads,
-- stage_history and opportunity rows inserted directly, at fixed times.
-- Every number below is worked out by hand from the report contract
-- (README, "How the reports read the history") in the comment before its query; none was
-- copied from what the views print.  Only ignored/pending depend on now():
-- the MQL cycles that are "ignored" were due in 2025, the "pending" one is
-- due in 2125.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
DROP ROLE IF EXISTS lq_rf_reader;
CREATE EXTENSION leadqual;
CREATE ROLE lq_rf_reader IN ROLE leadqual_reader;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
-- the leads below carry their stored grade; no scoring, no automatic moves
SET leadqual.auto_scoring = off;
\pset null '(null)'

-- the columns of SPEC §5, in its order: months are dates, counts bigint,
-- rates, days and hours numeric, money numeric, stages the enum
SELECT c.relname AS view, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
 WHERE c.oid IN ('leadqual.funnel'::regclass, 'leadqual.funnel_by_cohort'::regclass,
                 'leadqual.funnel_by_period'::regclass, 'leadqual.stage_velocity'::regclass,
                 'leadqual.mql_acceptance'::regclass, 'leadqual.rejection_reasons'::regclass,
                 'leadqual.score_calibration'::regclass)
 ORDER BY c.relname, a.attnum;

-- the nine report views: security_invoker, a comment on the view, none
-- of its columns without a comment, readable by leadqual_reader
SELECT v.name AS view,
       coalesce('security_invoker=true' = ANY (c.reloptions), false) AS security_invoker,
       obj_description(c.oid, 'pg_class') IS NOT NULL AS commented,
       (SELECT count(*) FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           AND col_description(c.oid, a.attnum) IS NULL) AS uncommented_columns,
       has_table_privilege('leadqual_reader', c.oid, 'SELECT') AS reader
  FROM unnest('{lead_status,funnel,funnel_by_cohort,funnel_by_period,stage_velocity,mql_acceptance,rejection_reasons,sla_breaches,score_calibration}'::text[]) v(name)
  LEFT JOIN pg_class c ON c.relnamespace = 'leadqual'::regnamespace AND c.relname = v.name
 ORDER BY 1;
-- and so no column of them lacks a comment (zero rows)
SELECT c.relname AS view, a.attname AS column
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace = 'leadqual'::regnamespace
   AND c.relname = ANY ('{lead_status,funnel,funnel_by_cohort,funnel_by_period,stage_velocity,mql_acceptance,rejection_reasons,sla_breaches,score_calibration}')
   AND col_description(c.oid, a.attnum) IS NULL
 ORDER BY 1, 2;

-- Empty tables first: no lead, no history.  funnel has its 6 rows with
-- reached 0, converted 0 (NULL for won, which has no next stage) and NULL
-- rates and medians (denominator 0, no converted lead): no division error.
SELECT stage, reached, converted, conversion_rate, median_days_to_next FROM leadqual.funnel ORDER BY stage;
-- no cohort, no period, no MQL, no rejection, no lead to calibrate: no rows
SELECT cohort_month, channel, inquiries, mqls, sals, sqls, opportunities, won, lost, revenue,
       inquiry_to_mql, mql_to_sal, sal_to_sql, sql_to_opportunity, opportunity_to_won, inquiry_to_won
  FROM leadqual.funnel_by_cohort ORDER BY cohort_month, channel;
SELECT period_month, channel, stage, entries, conversion_rate
  FROM leadqual.funnel_by_period ORDER BY period_month, channel, stage;
-- stage_velocity has its 9 rows, one per stage of the enum: 0 stays, no
-- closed stay so NULL medians
SELECT stage, entries, median_days, p90_days FROM leadqual.stage_velocity ORDER BY stage;
SELECT mql_month, channel, campaign, owner, mqls, accepted, rejected, recycled, disqualified,
       ignored, pending, acceptance_rate, rejection_rate, median_hours_to_action, rejected_later_won
  FROM leadqual.mql_acceptance ORDER BY mql_month, channel, campaign, owner;
SELECT mql_month, channel, reason, rejections, share
  FROM leadqual.rejection_reasons ORDER BY mql_month, channel, reason;
SELECT model, grade, leads, mql_rate, sql_rate, win_rate, revenue
  FROM leadqual.score_calibration ORDER BY model, grade;

-- leadqual_reader may read every report view: a role granted it counts
-- the rows of each (funnel 6 and stage_velocity 9 rows, the others none)
SET ROLE lq_rf_reader;
SELECT (SELECT count(*) FROM leadqual.lead_status) AS lead_status,
       (SELECT count(*) FROM leadqual.funnel) AS funnel,
       (SELECT count(*) FROM leadqual.funnel_by_cohort) AS funnel_by_cohort,
       (SELECT count(*) FROM leadqual.funnel_by_period) AS funnel_by_period,
       (SELECT count(*) FROM leadqual.stage_velocity) AS stage_velocity,
       (SELECT count(*) FROM leadqual.mql_acceptance) AS mql_acceptance,
       (SELECT count(*) FROM leadqual.rejection_reasons) AS rejection_reasons,
       (SELECT count(*) FROM leadqual.sla_breaches) AS sla_breaches,
       (SELECT count(*) FROM leadqual.score_calibration) AS score_calibration;
RESET ROLE;

-- Models: rf, the default SLA of 48 hours; rf_slow, an SLA of 100 years
-- (its MQL is still pending).  Threshold 1000 and no hand-raise types:
-- nothing moves by itself (and auto_scoring is off anyway).
INSERT INTO leadqual.scoring_model (name, mql_threshold, hand_raise_types) VALUES ('rf', 1000, '{}');
INSERT INTO leadqual.scoring_model (name, mql_threshold, hand_raise_types, sla) VALUES ('rf_slow', 1000, '{}', '100 years');

-- The leads (all times UTC, 2025).  Their stage columns agree with the
-- history below; the reports read the history.
--  1 events/expo/bob    A1  sales-sourced: inquiry -> sal by sales (skips mql), sql, opportunity, won (2000)
--  2 ads/spring/ann     A1  mql, rejected to nurture by sales, re-qualified (nurture -> mql), sal, sql, opportunity, won (1000)
--  3 ads/spring/ann     B2  mql, no sales action: ignored
--  4 ads/summer/bob     B2  mql, accepted 72 h later (SLA 48 h): ignored AND accepted
--  5 ads/spring/ann     A1  created 31 Jan 22:00, mql 1 Feb 03:00, sal, then rejected from sal to nurture (3 Mar)
--  6 events/expo/bob    B2  mql, sal, sql, opportunity, lost (opportunity lost, 500)
--  7 (none), rf_slow    C3  mql, not yet due: pending
--  8 (none)             -   no history at all: inquiry, never scored (grade NULL)
--  9 events/expo/bob    C3  mql, disqualified by sales
-- 10 ads/spring/ann     C3  mql, recycled by sales, mql again (same month), disqualified by sales
INSERT INTO leadqual.lead (lead_id, external_id, created_at, source_channel, source_campaign, owner, model,
                           stage, stage_entered_at, sla_due_at, recycle_count, grade) VALUES
    (1, 'f1', '2025-01-10 09:00+00', 'events', 'expo', 'bob', 'rf', 'won', '2025-02-04 09:00+00', NULL, 0, 'A1'),
    (2, 'f2', '2025-01-05 00:00+00', 'ads', 'spring', 'ann', 'rf', 'won', '2025-03-02 00:00+00', NULL, 1, 'A1'),
    (3, 'f3', '2025-01-20 00:00+00', 'ads', 'spring', 'ann', 'rf', 'mql', '2025-01-22 00:00+00', '2025-01-24 00:00+00', 0, 'B2'),
    (4, 'f4', '2025-01-15 00:00+00', 'ads', 'summer', 'bob', 'rf', 'sal', '2025-01-19 00:00+00', NULL, 0, 'B2'),
    (5, 'f5', '2025-01-31 22:00+00', 'ads', 'spring', 'ann', 'rf', 'nurture', '2025-03-03 03:00+00', NULL, 1, 'A1'),
    (6, 'f6', '2025-02-03 00:00+00', 'events', 'expo', 'bob', 'rf', 'lost', '2025-02-25 06:00+00', NULL, 0, 'B2'),
    (7, 'f7', '2025-02-14 00:00+00', NULL, NULL, NULL, 'rf_slow', 'mql', '2025-02-20 00:00+00', '2125-02-20 00:00+00', 0, 'C3'),
    (8, 'f8', '2025-02-27 00:00+00', NULL, NULL, NULL, 'rf', 'inquiry', NULL, NULL, 0, NULL),
    (9, 'f9', '2025-02-01 00:00+00', 'events', 'expo', 'bob', 'rf', 'disqualified', '2025-02-03 12:00+00', NULL, 0, 'C3'),
    (10, 'f10', '2025-02-05 00:00+00', 'ads', 'spring', 'ann', 'rf', 'disqualified', '2025-02-21 00:00+00', NULL, 1, 'C3');
INSERT INTO leadqual.stage_history (lead_id, from_stage, to_stage, changed_at, actor, reason) VALUES
    (1, 'inquiry', 'sal', '2025-01-12 09:00+00', 'sales', NULL),
    (1, 'sal', 'sql', '2025-01-15 09:00+00', 'sales', NULL),
    (1, 'sql', 'opportunity', '2025-01-20 09:00+00', 'sales', NULL),
    (1, 'opportunity', 'won', '2025-02-04 09:00+00', 'sales', NULL),
    (2, 'inquiry', 'mql', '2025-01-06 00:00+00', 'system', 'score_threshold'),
    (2, 'mql', 'nurture', '2025-01-07 12:00+00', 'sales', 'bad_timing'),
    (2, 'nurture', 'mql', '2025-02-10 00:00+00', 'system', 'score_threshold'),
    (2, 'mql', 'sal', '2025-02-11 00:00+00', 'sales', NULL),
    (2, 'sal', 'sql', '2025-02-15 00:00+00', 'sales', NULL),
    (2, 'sql', 'opportunity', '2025-02-20 00:00+00', 'sales', NULL),
    (2, 'opportunity', 'won', '2025-03-02 00:00+00', 'sales', NULL),
    (3, 'inquiry', 'mql', '2025-01-22 00:00+00', 'system', 'score_threshold'),
    (4, 'inquiry', 'mql', '2025-01-16 00:00+00', 'marketing', NULL),
    (4, 'mql', 'sal', '2025-01-19 00:00+00', 'sales', NULL),
    (5, 'inquiry', 'mql', '2025-02-01 03:00+00', 'system', 'score_threshold'),
    (5, 'mql', 'sal', '2025-02-02 03:00+00', 'sales', NULL),
    (5, 'sal', 'nurture', '2025-03-03 03:00+00', 'sales', 'no_budget'),
    (6, 'inquiry', 'mql', '2025-02-04 00:00+00', 'marketing', NULL),
    (6, 'mql', 'sal', '2025-02-05 06:00+00', 'sales', NULL),
    (6, 'sal', 'sql', '2025-02-08 06:00+00', 'sales', NULL),
    (6, 'sql', 'opportunity', '2025-02-10 06:00+00', 'sales', NULL),
    (6, 'opportunity', 'lost', '2025-02-25 06:00+00', 'sales', 'competitor'),
    (7, 'inquiry', 'mql', '2025-02-20 00:00+00', 'marketing', NULL),
    (9, 'inquiry', 'mql', '2025-02-02 00:00+00', 'system', 'score_threshold'),
    (9, 'mql', 'disqualified', '2025-02-03 12:00+00', 'sales', 'duplicate'),
    (10, 'inquiry', 'mql', '2025-02-06 00:00+00', 'system', 'score_threshold'),
    (10, 'mql', 'nurture', '2025-02-06 10:00+00', 'sales', 'bad_timing'),
    (10, 'nurture', 'mql', '2025-02-20 00:00+00', 'system', 'score_threshold'),
    (10, 'mql', 'disqualified', '2025-02-21 00:00+00', 'sales', 'bad_timing');
INSERT INTO leadqual.opportunity (lead_id, created_at, closed_at, status, amount) VALUES
    (1, '2025-01-20 09:00+00', '2025-02-04 09:00+00', 'won', 2000),
    (2, '2025-02-20 00:00+00', '2025-03-02 00:00+00', 'won', 1000),
    (6, '2025-02-10 06:00+00', '2025-02-25 06:00+00', 'lost', 500);

-- funnel.  Reached (earliest row into a waterfall stage of rank >= the
-- stage's; inquiry at created_at):
--   inquiry: all 10 leads
--   mql: 1 (at its inquiry -> sal, 12 Jan 09:00: skipped mql counts as
--        reached then), 2 (6 Jan, its first mql), 3, 4, 5, 6, 7, 9, 10 = 9
--        (not 8)
--   sal: 1, 2, 4, 5, 6 = 5;  sql: 1, 2, 6 = 3;  opportunity: 1, 2, 6 = 3;
--   won: 1, 2 = 2
-- converted = reached the next stage: 9, 5, 3, 3, 2, NULL (won)
-- conversion_rate: 9/10 = 0.9000; 5/9 = 0.5555… = 0.5556; 3/5 = 0.6000;
--   3/3 = 1.0000; 2/3 = 0.6666… = 0.6667; won NULL
-- median_days_to_next (percentile_cont 0.5 over the converted leads):
--   inquiry -> mql: 1: 10 Jan 09:00 -> 12 Jan 09:00 = 2; 2: 5 -> 6 Jan = 1;
--     3: 20 -> 22 Jan = 2; 4: 15 -> 16 Jan = 1; 5: 31 Jan 22:00 -> 1 Feb
--     03:00 = 5 h = 0.2083; 6: 3 -> 4 Feb = 1; 7: 14 -> 20 Feb = 6;
--     9: 1 -> 2 Feb = 1; 10: 5 -> 6 Feb = 1.
--     Sorted 0.2083, 1, 1, 1, 1, 1, 2, 2, 6: position 0.5 * (9 - 1) = 4,
--     the 5th value = 1 -> 1.00
--   mql -> sal: 1: 0 (both at 12 Jan 09:00); 2: 6 Jan -> 11 Feb = 25 + 11
--     = 36; 4: 16 -> 19 Jan = 3; 5: 1 Feb 03:00 -> 2 Feb 03:00 = 1;
--     6: 4 Feb 00:00 -> 5 Feb 06:00 = 1.25.  Sorted 0, 1, 1.25, 3, 36:
--     position 0.5 * 4 = 2, the 3rd value -> 1.25
--   sal -> sql: 1: 12 -> 15 Jan = 3; 2: 11 -> 15 Feb = 4; 6: 5 -> 8 Feb = 3.
--     Sorted 3, 3, 4: position 1 -> 3.00
--   sql -> opportunity: 1: 15 -> 20 Jan = 5; 2: 15 -> 20 Feb = 5; 6: 8 ->
--     10 Feb = 2.  Sorted 2, 5, 5: position 1 -> 5.00
--   opportunity -> won: 1: 20 Jan -> 4 Feb = 11 + 4 = 15; 2: 20 Feb -> 2 Mar
--     = 8 + 2 = 10 (February 2025 has 28 days).  Sorted 10, 15: position
--     0.5 * 1 = 0.5: 10 + 0.5 * (15 - 10) = 12.5 -> 12.50
SELECT stage, reached, converted, conversion_rate, median_days_to_next FROM leadqual.funnel ORDER BY stage;

-- funnel_by_cohort: cohort = month of created_at (lead 5, created 31 Jan,
-- is a January lead although everything else it did was in February and
-- March), channel = source_channel (NULL its own group).  revenue is a
-- sum of amount (numeric(18,2)), 0.00 when there is none.
--   Jan ads = leads 2, 3, 4, 5: inquiries 4; mqls 4 (all); sals 2, 4, 5 = 3;
--     sqls 2 = 1; opportunities 1; won 1; lost 0; revenue 1000.00 (lead 2's
--     won opportunity).  inquiry_to_mql 4/4 = 1.0000; mql_to_sal 3/4 =
--     0.7500; sal_to_sql 1/3 = 0.3333; sql_to_opportunity 1/1 = 1.0000;
--     opportunity_to_won 1/1 = 1.0000; inquiry_to_won 1/4 = 0.2500
--   Jan events = lead 1: 1 in every stage (mql skipped but reached), lost 0,
--     revenue 2000.00; every rate 1/1 = 1.0000
--   Feb ads = lead 10: inquiries 1, mqls 1 (reached once, entered twice),
--     nothing further; revenue 0.00 (no won opportunity).  inquiry_to_mql
--     1/1 = 1.0000; mql_to_sal 0/1 = 0.0000; sal_to_sql, sql_to_opportunity,
--     opportunity_to_won NULL (0 sals, sqls, opportunities);
--     inquiry_to_won 0/1 = 0.0000
--   Feb events = leads 6, 9: inquiries 2; mqls 2; sals 1 (6); sqls 1;
--     opportunities 1; won 0; lost 1 (6 entered lost, never won); revenue
--     0.00 (6's opportunity was lost).  2/2 = 1.0000; 1/2 = 0.5000; 1/1 =
--     1.0000; 1/1 = 1.0000; 0/1 = 0.0000; 0/2 = 0.0000
--   Feb NULL = leads 7, 8: inquiries 2; mqls 1 (7); the rest 0; revenue 0.00.
--     1/2 = 0.5000; 0/1 = 0.0000; NULL; NULL; NULL; 0/2 = 0.0000
SELECT cohort_month, channel, inquiries, mqls, sals, sqls, opportunities, won, lost, revenue,
       inquiry_to_mql, mql_to_sal, sal_to_sql, sql_to_opportunity, opportunity_to_won, inquiry_to_won
  FROM leadqual.funnel_by_cohort ORDER BY cohort_month, channel;

-- funnel_by_period: every entry counts in the month it happened.  Entries
-- into waterfall stages, by lead (inquiry at created_at):
--   1 events: inquiry Jan; inquiry -> sal on 12 Jan is a sal entry AND a
--     (skipped) mql entry, both Jan; sql Jan; opportunity Jan; won 4 Feb
--   2 ads: inquiry Jan; mql 6 Jan; mql again 10 Feb; sal, sql,
--     opportunity Feb; won 2 Mar (nurture is not a waterfall stage)
--   3 ads: inquiry Jan; mql Jan
--   4 ads: inquiry Jan; mql Jan; sal Jan
--   5 ads: inquiry Jan (31 Jan 22:00); mql Feb (1 Feb 03:00); sal Feb
--   6 events: inquiry, mql, sal, sql, opportunity all Feb (lost: side stage)
--   7 NULL: inquiry Feb, mql Feb;   8 NULL: inquiry Feb
--   9 events: inquiry Feb, mql Feb
--  10 ads: inquiry Feb, mql 6 Feb and mql 20 Feb = 2 mql entries in Feb
-- Totals (inquiry, mql, sal, sql, opportunity, won):
--   Jan ads: 4 (2, 3, 4, 5), 3 (2, 3, 4), 1 (4), 0, 0, 0
--   Jan events: 1, 1, 1, 1, 1, 0
--   Feb ads: 1 (10), 4 (2, 5, 10, 10), 2 (2, 5), 1 (2), 1 (2), 0
--   Feb events: 2 (6, 9), 2 (6, 9), 1 (6), 1 (6), 1 (6), 1 (lead 1's won)
--   Feb NULL: 2 (7, 8), 1 (7), 0, 0, 0, 0
--   Mar ads: 0, 0, 0, 0, 0, 1 (lead 2's won); all six stages appear
-- conversion_rate = next stage's entries / this stage's, same month and
-- channel (NULL for won and where entries = 0):
--   Jan ads: 3/4 = 0.7500; 1/3 = 0.3333; 0/1 = 0.0000; NULL; NULL; NULL
--   Jan events: 1/1 = 1.0000 four times; opportunity 0/1 = 0.0000; NULL
--   Feb ads: 4/1 = 4.0000 (more mql entries than inquiries: above 1);
--     2/4 = 0.5000; 1/2 = 0.5000; 1/1 = 1.0000; 0/1 = 0.0000; NULL
--   Feb events: 2/2 = 1.0000; 1/2 = 0.5000; 1/1 = 1.0000; 1/1 = 1.0000;
--     1/1 = 1.0000 (lead 1's won in Feb over lead 6's opportunity); NULL
--   Feb NULL: 1/2 = 0.5000; 0/1 = 0.0000; NULL (0 sal entries); NULL; NULL;
--     NULL
--   Mar ads: NULL (entries 0) for inquiry .. opportunity; won NULL
SELECT period_month, channel, stage, entries, conversion_rate
  FROM leadqual.funnel_by_period ORDER BY period_month, channel, stage;

-- stage_velocity: a stay per non-skipped entry, from its moment to the
-- lead's next history row (inquiry: from created_at to the first row).
-- Stays, in days ("open": no next row):
--   1: inquiry 10 -> 12 Jan 09:00 = 2; (no mql stay: skipped); sal 12 -> 15
--      Jan = 3; sql 15 -> 20 Jan = 5; opportunity 20 Jan -> 4 Feb = 15;
--      won open
--   2: inquiry 5 -> 6 Jan = 1; mql 6 Jan 00:00 -> 7 Jan 12:00 = 1.5;
--      nurture 7 Jan 12:00 -> 10 Feb 00:00 = 31 (to 7 Feb 12:00) + 2.5 =
--      33.5; mql 10 -> 11 Feb = 1; sal 11 -> 15 Feb = 4; sql 15 -> 20 Feb
--      = 5; opportunity 20 Feb -> 2 Mar = 10; won open
--   3: inquiry 20 -> 22 Jan = 2; mql open
--   4: inquiry 15 -> 16 Jan = 1; mql 16 -> 19 Jan = 3; sal open
--   5: inquiry 31 Jan 22:00 -> 1 Feb 03:00 = 5/24 = 0.2083; mql 1 -> 2 Feb
--      = 1; sal 2 Feb 03:00 -> 3 Mar 03:00 = 26 + 3 = 29; nurture open
--   6: inquiry 3 -> 4 Feb = 1; mql 4 Feb 00:00 -> 5 Feb 06:00 = 1.25;
--      sal 5 -> 8 Feb = 3; sql 8 -> 10 Feb = 2; opportunity 10 -> 25 Feb
--      = 15; lost open
--   7: inquiry 14 -> 20 Feb = 6; mql open
--   8: inquiry open
--   9: inquiry 1 -> 2 Feb = 1; mql 2 Feb 00:00 -> 3 Feb 12:00 = 1.5;
--      disqualified open
--  10: inquiry 5 -> 6 Feb = 1; mql 6 Feb 00:00 -> 10:00 = 10/24 = 0.4167;
--      nurture 6 Feb 10:00 -> 20 Feb 00:00 = 13 days 14 h = 13.5833;
--      mql 20 -> 21 Feb = 1; disqualified open
-- percentile_cont(p) over n sorted closed stays: position p * (n - 1),
-- interpolating linearly between the two values around it.
--   inquiry: 10 stays; closed 0.2083, 1, 1, 1, 1, 1, 2, 2, 6 (n = 9).
--     median: position 4 -> 1 -> 1.00.  p90: position 7.2 -> 2 + 0.2 *
--     (6 - 2) = 2.8 -> 2.80
--   mql: 10 stays (2 twice, 3, 4, 5, 6, 7, 9, 10 twice; not 1); closed
--     0.4167, 1, 1, 1, 1.25, 1.5, 1.5, 3 (n = 8).  median: position 3.5 ->
--     1 + 0.5 * (1.25 - 1) = 1.125 -> 1.13 (half rounds away from zero).
--     p90: position 6.3 -> 1.5 + 0.3 * (3 - 1.5) = 1.95 -> 1.95
--   sal: 5 stays (1, 2, 4, 5, 6); closed 3, 3, 4, 29.  median: position 1.5
--     -> 3 + 0.5 * (4 - 3) = 3.5 -> 3.50.  p90: position 2.7 -> 4 + 0.7 *
--     (29 - 4) = 21.5 -> 21.50
--   sql: 3 stays, closed 2, 5, 5.  median: position 1 -> 5.00; p90:
--     position 1.8 -> 5 + 0.8 * 0 = 5.00
--   opportunity: 3 stays, closed 10, 15, 15.  median 15.00; p90 15.00
--   won: 2 stays (1, 2), both open: NULL, NULL
--   lost: 1 stay (6), open: NULL, NULL
--   nurture: 3 stays (2, 5, 10); closed 13.5833 (= 13 + 14/24), 33.5.
--     median: position 0.5 -> (13.5833 + 33.5) / 2 = 47.0833 / 2 =
--     23.5417 -> 23.54.  p90: position 0.9 -> 13.5833 + 0.9 * (33.5 -
--     13.5833) = 13.5833 + 0.9 * 19.9167 = 13.5833 + 17.925 = 31.5083
--     -> 31.51
--   disqualified: 2 stays (9, 10), both open: NULL, NULL
SELECT stage, entries, median_days, p90_days FROM leadqual.stage_velocity ORDER BY stage;

-- mql_acceptance: the MQL cycles (SLA 48 h; rf_slow 100 years):
--   1: skipped mql at 12 Jan 09:00 (inquiry -> sal by sales), exit = that
--      row: accepted, 0 h to action, not ignored (exit at start <= due)
--   2a: 6 Jan 00:00, exit 7 Jan 12:00 by sales into nurture: recycled
--      (rejected), 36 h, not ignored (due 8 Jan 00:00); lead 2 won on 2 Mar,
--      after the rejection: rejected_later_won
--   2b: 10 Feb 00:00, exit 11 Feb by sales into sal: accepted, 24 h
--   3: 22 Jan, no exit, due 24 Jan, now() is later: ignored, not pending
--   4: 16 Jan, exit 19 Jan into sal by sales: accepted, 72 h; due 18 Jan
--      and exit 19 Jan is later: ignored as well
--   5: 1 Feb 03:00, exit 2 Feb 03:00 into sal: accepted, 24 h
--   6: 4 Feb 00:00, exit 5 Feb 06:00 into sal: accepted, 30 h
--   7: 20 Feb, no exit, due 20 Feb 2125: pending, not ignored
--   9: 2 Feb 00:00, exit 3 Feb 12:00 into disqualified: disqualified, 36 h
--  10a: 6 Feb 00:00, exit 6 Feb 10:00 into nurture: recycled, 10 h
--  10b: 20 Feb 00:00, exit 21 Feb 00:00 into disqualified: disqualified, 24 h
-- Groups (month of the cycle start, channel, campaign, owner):
--   Jan ads spring ann = 2a, 3: mqls 2; accepted 0; rejected 1 (recycled 1,
--     disqualified 0); ignored 1 (3); pending 0; acceptance 0/2 = 0.0000;
--     rejection 1/2 = 0.5000; median hours over {36} = 36.00;
--     rejected_later_won 1 (2a)
--   Jan ads summer bob = 4: mqls 1; accepted 1; ignored 1; 1/1 = 1.0000;
--     0/1 = 0.0000; median {72} = 72.00
--   Jan events expo bob = 1: mqls 1; accepted 1; ignored 0; 1.0000;
--     0.0000; median {0} = 0.00
--   Feb ads spring ann = 2b, 5, 10a, 10b: mqls 4; accepted 2 (2b, 5);
--     rejected 2 (recycled 1: 10a, disqualified 1: 10b); ignored 0;
--     pending 0; 2/4 = 0.5000; 2/4 = 0.5000; median of {10, 24, 24, 24}:
--     position 1.5 -> 24 + 0.5 * 0 = 24.00; rejected_later_won 0 (10 never
--     won; 2b was accepted)
--   Feb events expo bob = 6, 9: mqls 2; accepted 1; rejected 1
--     (disqualified); 1/2 = 0.5000; 1/2 = 0.5000; median of {30, 36}:
--     position 0.5 -> 30 + 0.5 * 6 = 33.00
--   Feb NULL NULL NULL = 7: mqls 1; pending 1; ignored 0; 0/1 = 0.0000;
--     0/1 = 0.0000; median NULL (no sales action)
SELECT mql_month, channel, campaign, owner, mqls, accepted, rejected, recycled, disqualified,
       ignored, pending, acceptance_rate, rejection_rate, median_hours_to_action, rejected_later_won
  FROM leadqual.mql_acceptance ORDER BY mql_month, channel, campaign, owner;

-- rejection_reasons: moves by sales from mql/sal/sql into nurture or
-- disqualified, in the month of the latest MQL cycle started at or before
-- them:
--   2 mql -> nurture 7 Jan bad_timing: cycle of 6 Jan -> Jan ads
--   5 sal -> nurture 3 Mar no_budget: cycle of 1 Feb -> Feb ads (not Mar)
--   9 mql -> disqualified 3 Feb duplicate: Feb events
--  10 mql -> nurture 6 Feb bad_timing, mql -> disqualified 21 Feb
--     bad_timing: Feb ads twice
--   (6's opportunity -> lost, competitor, is not a rejection)
-- share of the (month, channel)'s rejections: Jan ads 1/1 = 1.0000;
-- Feb ads: bad_timing 2/3 = 0.6667, no_budget 1/3 = 0.3333; Feb events
-- 1/1 = 1.0000
SELECT mql_month, channel, reason, rejections, share
  FROM leadqual.rejection_reasons ORDER BY mql_month, channel, reason;

-- score_calibration, by model and stored grade:
--   rf A1 = 1, 2, 5: leads 3; mql 3/3 = 1.0000 (1 by the skip); sql 1, 2 =
--     2/3 = 0.6667; won 1, 2 = 2/3 = 0.6667; revenue 2000 + 1000 = 3000.00
--   rf B2 = 3, 4, 6: leads 3; mql 3/3 = 1.0000; sql 6 = 1/3 = 0.3333;
--     won 0/3 = 0.0000; revenue 0.00 (6's opportunity lost)
--   rf C3 = 9, 10: leads 2; mql 2/2 = 1.0000; sql 0.0000; won 0.0000;
--     revenue 0.00
--   rf NULL = 8: leads 1; mql 0/1 = 0.0000; 0.0000; 0.0000; revenue 0.00
--   rf_slow C3 = 7: leads 1; mql 1/1 = 1.0000; 0.0000; 0.0000; revenue 0.00
SELECT model, grade, leads, mql_rate, sql_rate, win_rate, revenue
  FROM leadqual.score_calibration ORDER BY model, grade;

-- the history's input order does not matter: the same history inserted
-- in reverse (new history_ids, descending by time) gives the same reports
CREATE TEMP TABLE snap AS
SELECT 'funnel' AS v, count(*) AS n, md5(string_agg(f::text, '|' ORDER BY f.stage)) AS h FROM leadqual.funnel f
UNION ALL
SELECT 'velocity', count(*), md5(string_agg(s::text, '|' ORDER BY s.stage)) FROM leadqual.stage_velocity s
UNION ALL
SELECT 'acceptance', count(*), md5(string_agg(a::text, '|' ORDER BY a::text)) FROM leadqual.mql_acceptance a
UNION ALL
SELECT 'period', count(*), md5(string_agg(p::text, '|' ORDER BY p::text)) FROM leadqual.funnel_by_period p;
CREATE TEMP TABLE h AS SELECT * FROM leadqual.stage_history;
DELETE FROM leadqual.stage_history;
INSERT INTO leadqual.stage_history (lead_id, from_stage, to_stage, changed_at, actor, reason)
SELECT lead_id, from_stage, to_stage, changed_at, actor, reason FROM h ORDER BY changed_at DESC, history_id DESC;
SELECT s.v, s.n,
       s.h = CASE s.v
               WHEN 'funnel' THEN (SELECT md5(string_agg(f::text, '|' ORDER BY f.stage)) FROM leadqual.funnel f)
               WHEN 'velocity' THEN (SELECT md5(string_agg(x::text, '|' ORDER BY x.stage)) FROM leadqual.stage_velocity x)
               WHEN 'acceptance' THEN (SELECT md5(string_agg(a::text, '|' ORDER BY a::text)) FROM leadqual.mql_acceptance a)
               WHEN 'period' THEN (SELECT md5(string_agg(p::text, '|' ORDER BY p::text)) FROM leadqual.funnel_by_period p)
             END AS same
  FROM snap s ORDER BY s.v;

-- a reader sees the same reports (no row-level security here)
SET ROLE lq_rf_reader;
SELECT (SELECT count(*) FROM leadqual.lead_status) AS lead_status,
       (SELECT count(*) FROM leadqual.funnel) AS funnel,
       (SELECT count(*) FROM leadqual.funnel_by_cohort) AS funnel_by_cohort,
       (SELECT count(*) FROM leadqual.funnel_by_period) AS funnel_by_period,
       (SELECT count(*) FROM leadqual.stage_velocity) AS stage_velocity,
       (SELECT count(*) FROM leadqual.mql_acceptance) AS mql_acceptance,
       (SELECT count(*) FROM leadqual.rejection_reasons) AS rejection_reasons,
       (SELECT count(*) FROM leadqual.sla_breaches) AS sla_breaches,
       (SELECT count(*) FROM leadqual.score_calibration) AS score_calibration;
RESET ROLE;

-- Edge cases, on a new history (channel x, campaign k, owner o, model rf,
-- SLA 48 h): ties in time, a rejection before any MQL, an exit by
-- marketing, an exit exactly at the due time, mql -> sql skipping sal, a
-- sal rejection after a skipped mql, a lead lost and then won (two
-- opportunities).  The rows are inserted in reverse order with explicit
-- history_ids: the reports order by (changed_at, history_id).
DELETE FROM leadqual.opportunity;
DELETE FROM leadqual.stage_history;
DELETE FROM leadqual.lead;
--  21 (1 Apr): mql and sal at the same moment (2 Apr 00:00, ids 1001 then
--     1002), rejected from sal 10 Apr
--  22 (20 Mar): no mql ever; a sales rejection sal -> disqualified 5 Apr
--     (an imported history: the row's from_stage is all there is)
--  23 (2 Apr): mql 3 Apr, moved to nurture by marketing 6 Apr (after the
--     due time 5 Apr, not a sales action), mql 20 Apr, mql -> sql by
--     sales 21 Apr (sal skipped), disqualified from sql by sales 25 Apr
--  24 (3 Apr): mql 4 Apr, disqualified by sales exactly 48 h later
--  25 (28 Mar): inquiry -> sal by sales 30 Mar 12:00, rejected from sal
--     2 Apr 12:00
--  26 (1 Apr): mql, sal, sql, opportunity (300, lost), lost, nurture, mql,
--     sal, sql, opportunity (700, won), won 15 Apr
INSERT INTO leadqual.lead (lead_id, external_id, created_at, source_channel, source_campaign, owner, model,
                           stage, stage_entered_at, recycle_count, grade) VALUES
    (21, 'e21', '2025-04-01 00:00+00', 'x', 'k', 'o', 'rf', 'nurture', '2025-04-10 00:00+00', 1, 'A1'),
    (22, 'e22', '2025-03-20 00:00+00', 'x', 'k', 'o', 'rf', 'disqualified', '2025-04-05 00:00+00', 0, 'D4'),
    (23, 'e23', '2025-04-02 00:00+00', 'x', 'k', 'o', 'rf', 'disqualified', '2025-04-25 00:00+00', 0, 'A1'),
    (24, 'e24', '2025-04-03 00:00+00', 'x', 'k', 'o', 'rf', 'disqualified', '2025-04-06 00:00+00', 0, 'A1'),
    (25, 'e25', '2025-03-28 00:00+00', 'x', 'k', 'o', 'rf', 'nurture', '2025-04-02 12:00+00', 1, 'A1'),
    (26, 'e26', '2025-04-01 00:00+00', 'x', 'k', 'o', 'rf', 'won', '2025-04-15 00:00+00', 0, 'A1');
INSERT INTO leadqual.stage_history (history_id, lead_id, from_stage, to_stage, changed_at, actor, reason) VALUES
    (1024, 26, 'opportunity', 'won', '2025-04-15 00:00+00', 'sales', NULL),
    (1023, 26, 'sql', 'opportunity', '2025-04-11 00:00+00', 'sales', NULL),
    (1022, 26, 'sal', 'sql', '2025-04-10 00:00+00', 'sales', NULL),
    (1021, 26, 'mql', 'sal', '2025-04-09 00:00+00', 'sales', NULL),
    (1020, 26, 'nurture', 'mql', '2025-04-08 00:00+00', 'system', 'score_threshold'),
    (1019, 26, 'lost', 'nurture', '2025-04-06 00:00+00', 'system', NULL),
    (1018, 26, 'opportunity', 'lost', '2025-04-05 00:00+00', 'sales', 'competitor'),
    (1017, 26, 'sql', 'opportunity', '2025-04-04 00:00+00', 'sales', NULL),
    (1016, 26, 'sal', 'sql', '2025-04-03 00:00+00', 'sales', NULL),
    (1015, 26, 'mql', 'sal', '2025-04-02 12:00+00', 'sales', NULL),
    (1014, 26, 'inquiry', 'mql', '2025-04-02 00:00+00', 'system', 'score_threshold'),
    (1013, 25, 'sal', 'nurture', '2025-04-02 12:00+00', 'sales', 'no_budget'),
    (1012, 25, 'inquiry', 'sal', '2025-03-30 12:00+00', 'sales', NULL),
    (1011, 24, 'mql', 'disqualified', '2025-04-06 00:00+00', 'sales', 'duplicate'),
    (1010, 24, 'inquiry', 'mql', '2025-04-04 00:00+00', 'system', 'score_threshold'),
    (1009, 23, 'sql', 'disqualified', '2025-04-25 00:00+00', 'sales', 'no_need'),
    (1008, 23, 'mql', 'sql', '2025-04-21 00:00+00', 'sales', NULL),
    (1007, 23, 'nurture', 'mql', '2025-04-20 00:00+00', 'system', 'score_threshold'),
    (1006, 23, 'mql', 'nurture', '2025-04-06 00:00+00', 'marketing', 'bad_timing'),
    (1005, 23, 'inquiry', 'mql', '2025-04-03 00:00+00', 'system', 'score_threshold'),
    (1004, 22, 'sal', 'disqualified', '2025-04-05 00:00+00', 'sales', 'duplicate'),
    (1003, 21, 'sal', 'nurture', '2025-04-10 00:00+00', 'sales', 'no_budget'),
    (1002, 21, 'mql', 'sal', '2025-04-02 00:00+00', 'sales', NULL),
    (1001, 21, 'inquiry', 'mql', '2025-04-02 00:00+00', 'system', 'score_threshold');
INSERT INTO leadqual.opportunity (lead_id, created_at, closed_at, status, amount) VALUES
    (26, '2025-04-11 00:00+00', '2025-04-15 00:00+00', 'won', 700),
    (26, '2025-04-04 00:00+00', '2025-04-05 00:00+00', 'lost', 300);

-- funnel.  Reached: inquiry 6; mql 21, 23, 24, 25 (skipped), 26 = 5 (22
-- never: its only row goes to disqualified); sal 21, 23 (skipped, at its
-- mql -> sql), 25, 26 = 4; sql 23, 26 = 2; opportunity 26 = 1; won 26 = 1.
-- converted 5, 4, 2, 1, 1, NULL; rates 5/6 = 0.8333, 4/5 = 0.8000,
-- 2/4 = 0.5000, 1/2 = 0.5000, 1/1 = 1.0000, NULL.
-- medians (first reach to first reach):
--   inquiry -> mql: 21 1, 23 1, 24 1, 25 2.5 (28 Mar -> 30 Mar 12:00),
--     26 1: sorted 1, 1, 1, 1, 2.5, position 2 -> 1.00
--   mql -> sal: 21 0 (same moment), 23 18 (3 -> 21 Apr), 25 0, 26 0.5:
--     sorted 0, 0, 0.5, 18, position 1.5 -> 0 + 0.5 * 0.5 = 0.25
--   sal -> sql: 23 0 (both at 21 Apr), 26 0.5 (2 Apr 12:00 -> 3 Apr):
--     position 0.5 -> 0.25
--   sql -> opportunity: 26 3 -> 4 Apr = 1.00
--   opportunity -> won: 26 first reached opportunity 4 Apr, won 15 Apr
--     = 11.00
SELECT stage, reached, converted, conversion_rate, median_days_to_next FROM leadqual.funnel ORDER BY stage;
-- funnel_by_cohort:
--   Mar x = 22, 25: inquiries 2; mqls 1 (25); sals 1 (25); the rest 0;
--     revenue 0.00.  1/2 = 0.5000; 1/1 = 1.0000; 0/1 = 0.0000; NULL; NULL;
--     0/2 = 0.0000
--   Apr x = 21, 23, 24, 26: inquiries 4; mqls 4; sals 3 (21, 23, 26);
--     sqls 2 (23, 26); opportunities 1; won 1; lost 0 (26 entered lost but
--     was won later); revenue 700.00 (26's won opportunity, not its lost
--     one: 300 is not revenue).  4/4 = 1.0000; 3/4 = 0.7500; 2/3 =
--     0.6667; 1/2 = 0.5000; 1/1 = 1.0000; 1/4 = 0.2500
SELECT cohort_month, channel, inquiries, mqls, sals, sqls, opportunities, won, lost, revenue,
       inquiry_to_mql, mql_to_sal, sal_to_sql, sql_to_opportunity, opportunity_to_won, inquiry_to_won
  FROM leadqual.funnel_by_cohort ORDER BY cohort_month, channel;
-- funnel_by_period, entries:
--   Mar x: inquiry 22, 25 = 2; 25's inquiry -> sal: sal 1 and skipped mql
--     1; nothing else.  1/2 = 0.5000; 1/1 = 1.0000; 0/1 = 0.0000; NULL;
--     NULL; NULL
--   Apr x: inquiry 21, 23, 24, 26 = 4; mql 21, 23 twice, 24, 26 twice = 6;
--     sal 21, 23 (skipped by its mql -> sql), 26 twice = 4; sql 23, 26
--     twice = 3; opportunity 26 twice = 2; won 26 = 1.
--     6/4 = 1.5000; 4/6 = 0.6667; 3/4 = 0.7500; 2/3 = 0.6667; 1/2 =
--     0.5000; NULL
SELECT period_month, channel, stage, entries, conversion_rate
  FROM leadqual.funnel_by_period ORDER BY period_month, channel, stage;
-- stage_velocity, stays in days (in (changed_at, history_id) order):
--   21: inquiry 1; mql 0 (ends at row 1002, same moment); sal 2 -> 10 Apr
--       = 8; nurture open
--   22: inquiry 20 Mar -> 5 Apr = 11 + 5 = 16; disqualified open
--   23: inquiry 1; mql 3 -> 6 Apr = 3; nurture 6 -> 20 Apr = 14; mql 1;
--       (sal skipped) sql 21 -> 25 Apr = 4; disqualified open
--   24: inquiry 1; mql 2; disqualified open
--   25: inquiry 2.5; (mql skipped) sal 30 Mar 12:00 -> 2 Apr 12:00 = 3;
--       nurture open
--   26: inquiry 1; mql 0.5; sal 0.5; sql 1; opportunity 1; lost 1;
--       nurture 2; mql 1; sal 1; sql 1; opportunity 4; won open
--   inquiry: 6 closed 1, 1, 1, 1, 2.5, 16: median position 2.5 -> 1.00;
--     p90 position 4.5 -> 2.5 + 0.5 * (16 - 2.5) = 9.25
--   mql: 6 closed 0, 0.5, 1, 1, 2, 3: median position 2.5 -> 1.00;
--     p90 position 4.5 -> 2 + 0.5 * 1 = 2.50
--   sal: 4 closed 0.5, 1, 3, 8: median position 1.5 -> 1 + 0.5 * 2 =
--     2.00; p90 position 2.7 -> 3 + 0.7 * 5 = 6.50
--   sql: 3 closed 1, 1, 4: median 1.00; p90 position 1.8 -> 1 + 0.8 * 3
--     = 3.40
--   opportunity: 2 closed 1, 4: median 2.50; p90 position 0.9 -> 1 + 0.9
--     * 3 = 3.70
--   won: 1 open: NULL, NULL.  lost: 1 closed (1): 1.00, 1.00
--   nurture: 4 stays (21, 23, 25, 26), closed 2, 14: median 8.00; p90
--     position 0.9 -> 2 + 0.9 * 12 = 12.80
--   disqualified: 3 open (22, 23, 24): NULL, NULL
SELECT stage, entries, median_days, p90_days FROM leadqual.stage_velocity ORDER BY stage;
-- mql_acceptance, cycles:
--   25: skipped mql 30 Mar 12:00, accepted at once (0 h) -> Mar
--   21: 2 Apr 00:00, exit row 1002 at the same moment, sales into sal:
--       accepted, 0 h
--   23a: 3 Apr, exit 6 Apr by marketing into nurture: no sales action
--       (neither accepted nor rejected, not in the median), still in the
--       cycle after its due time 5 Apr: ignored; not pending (it exited)
--   23b: 20 Apr, exit 21 Apr by sales into sql: accepted, 24 h
--   24: 4 Apr, exit 6 Apr 00:00 by sales into disqualified: disqualified,
--       48 h, exactly at the due time: not ignored (strictly after only)
--   26a: 2 Apr 00:00, exit 2 Apr 12:00 into sal: accepted, 12 h
--   26b: 8 Apr, exit 9 Apr into sal: accepted, 24 h
--   (22 has no MQL cycle)
--   Mar x k o = 25: mqls 1; accepted 1; 1.0000; 0.0000; median 0.00
--   Apr x k o = 21, 23a, 23b, 24, 26a, 26b: mqls 6; accepted 4; rejected
--     1 (disqualified 1, recycled 0); ignored 1; pending 0; 4/6 = 0.6667;
--     1/6 = 0.1666… = 0.1667; median hours of {0, 24, 48, 12, 24} sorted
--     0, 12, 24, 24, 48: position 2 -> 24.00; rejected_later_won 0
SELECT mql_month, channel, campaign, owner, mqls, accepted, rejected, recycled, disqualified,
       ignored, pending, acceptance_rate, rejection_rate, median_hours_to_action, rejected_later_won
  FROM leadqual.mql_acceptance ORDER BY mql_month, channel, campaign, owner;
-- rejection_reasons:
--   21 sal -> nurture 10 Apr no_budget: cycle 2 Apr -> Apr
--   22 sal -> disqualified 5 Apr duplicate: no MQL cycle at or before it
--      -> the month of the rejection, Apr
--   23 mql -> nurture by marketing: not a rejection; sql -> disqualified
--      25 Apr no_need: cycle 20 Apr -> Apr
--   24 mql -> disqualified 6 Apr duplicate -> Apr
--   25 sal -> nurture 2 Apr no_budget: its skipped cycle of 30 Mar -> Mar
--   (26's opportunity -> lost is not a rejection)
--   Mar x no_budget 1, 1/1 = 1.0000; Apr x duplicate 2, 2/4 = 0.5000;
--   Apr x no_budget 1, 1/4 = 0.2500; Apr x no_need 1, 1/4 = 0.2500
SELECT mql_month, channel, reason, rejections, share
  FROM leadqual.rejection_reasons ORDER BY mql_month, channel, reason;
-- score_calibration: rf A1 = 21, 23, 24, 25, 26: 5 leads; mql 5/5 =
-- 1.0000; sql 23, 26 = 2/5 = 0.4000; won 26 = 1/5 = 0.2000; revenue
-- 700.00.  rf D4 = 22: 1 lead; 0.0000, 0.0000, 0.0000; revenue 0.00
SELECT model, grade, leads, mql_rate, sql_rate, win_rate, revenue
  FROM leadqual.score_calibration ORDER BY model, grade;

SET client_min_messages = warning;
DROP EXTENSION leadqual CASCADE;
DROP ROLE lq_rf_reader;
