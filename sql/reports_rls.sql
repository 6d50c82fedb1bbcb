-- reports_rls: row-level security on lead (a rep sees only own leads) holds
-- in every report view.  Only lead has a policy; stage_history and
-- opportunity have none, so a view counts only the visible leads' history
-- and revenue if, and only if, it joins lead.  Two reps with leads in the
-- same month, channel and campaign (so another rep's rows would land in
-- the same groups and change the numbers), plus a lead nobody owns (only
-- the superuser, to whom no policy applies, sees it).  Every number is
-- worked out by hand in the comment before its query.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
DROP ROLE IF EXISTS lq_rls_a, lq_rls_b;
CREATE EXTENSION leadqual;
CREATE ROLE lq_rls_a IN ROLE leadqual_reader;
CREATE ROLE lq_rls_b IN ROLE leadqual_reader;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET leadqual.auto_scoring = off;
\pset null '(null)'

-- model rr: SLA 48 hours, nothing moves by itself
INSERT INTO leadqual.scoring_model (name, mql_threshold, hand_raise_types) VALUES ('rr', 1000, '{}');
-- All leads web/c1, created in March 2025 (times UTC):
--   rep a: 1 A1 mql, sal, sql, opportunity, won (800)
--          2 B2 mql, rejected to nurture by sales (bad_timing) 12 h later
--          3 B2 no history (inquiry)
--          8 B2 mql on 13 Mar, no sales action: breached (due 15 Mar)
--   rep b: 4 A1 mql, disqualified by sales (duplicate) 24 h later
--          5 B2 mql on 9 Mar, no sales action: breached (due 11 Mar)
--          6 A1 sales-sourced: inquiry -> sal by sales, sql, opportunity, won (500)
--   nobody: 7 A1 mql, accepted 12 h later
INSERT INTO leadqual.lead (lead_id, external_id, created_at, source_channel, source_campaign, owner, model,
                           stage, stage_entered_at, sla_due_at, recycle_count, grade) VALUES
    (1, 'r1', '2025-03-03 00:00+00', 'web', 'c1', 'lq_rls_a', 'rr', 'won', '2025-03-20 00:00+00', NULL, 0, 'A1'),
    (2, 'r2', '2025-03-05 00:00+00', 'web', 'c1', 'lq_rls_a', 'rr', 'nurture', '2025-03-06 12:00+00', NULL, 1, 'B2'),
    (3, 'r3', '2025-03-10 00:00+00', 'web', 'c1', 'lq_rls_a', 'rr', 'inquiry', NULL, NULL, 0, 'B2'),
    (4, 'r4', '2025-03-02 00:00+00', 'web', 'c1', 'lq_rls_b', 'rr', 'disqualified', '2025-03-04 00:00+00', NULL, 0, 'A1'),
    (5, 'r5', '2025-03-08 00:00+00', 'web', 'c1', 'lq_rls_b', 'rr', 'mql', '2025-03-09 00:00+00', '2025-03-11 00:00+00', 0, 'B2'),
    (6, 'r6', '2025-03-01 00:00+00', 'web', 'c1', 'lq_rls_b', 'rr', 'won', '2025-03-16 00:00+00', NULL, 0, 'A1'),
    (7, 'r7', '2025-03-04 00:00+00', 'web', 'c1', NULL, 'rr', 'sal', '2025-03-05 12:00+00', NULL, 0, 'A1'),
    (8, 'r8', '2025-03-12 00:00+00', 'web', 'c1', 'lq_rls_a', 'rr', 'mql', '2025-03-13 00:00+00', '2025-03-15 00:00+00', 0, 'B2');
INSERT INTO leadqual.stage_history (lead_id, from_stage, to_stage, changed_at, actor, reason) VALUES
    (1, 'inquiry', 'mql', '2025-03-04 00:00+00', 'system', 'score_threshold'),
    (1, 'mql', 'sal', '2025-03-05 00:00+00', 'sales', NULL),
    (1, 'sal', 'sql', '2025-03-07 00:00+00', 'sales', NULL),
    (1, 'sql', 'opportunity', '2025-03-10 00:00+00', 'sales', NULL),
    (1, 'opportunity', 'won', '2025-03-20 00:00+00', 'sales', NULL),
    (2, 'inquiry', 'mql', '2025-03-06 00:00+00', 'system', 'score_threshold'),
    (2, 'mql', 'nurture', '2025-03-06 12:00+00', 'sales', 'bad_timing'),
    (8, 'inquiry', 'mql', '2025-03-13 00:00+00', 'system', 'score_threshold'),
    (4, 'inquiry', 'mql', '2025-03-03 00:00+00', 'marketing', NULL),
    (4, 'mql', 'disqualified', '2025-03-04 00:00+00', 'sales', 'duplicate'),
    (5, 'inquiry', 'mql', '2025-03-09 00:00+00', 'system', 'score_threshold'),
    (6, 'inquiry', 'sal', '2025-03-02 00:00+00', 'sales', NULL),
    (6, 'sal', 'sql', '2025-03-04 00:00+00', 'sales', NULL),
    (6, 'sql', 'opportunity', '2025-03-06 00:00+00', 'sales', NULL),
    (6, 'opportunity', 'won', '2025-03-16 00:00+00', 'sales', NULL),
    (7, 'inquiry', 'mql', '2025-03-05 00:00+00', 'system', 'score_threshold'),
    (7, 'mql', 'sal', '2025-03-05 12:00+00', 'sales', NULL);
INSERT INTO leadqual.opportunity (lead_id, created_at, closed_at, status, amount) VALUES
    (1, '2025-03-10 00:00+00', '2025-03-20 00:00+00', 'won', 800),
    (6, '2025-03-06 00:00+00', '2025-03-16 00:00+00', 'won', 500);

ALTER TABLE leadqual.lead ENABLE ROW LEVEL SECURITY;
CREATE POLICY rep_sees_own ON leadqual.lead FOR SELECT USING (owner = current_user);

-- The superuser (no policy applies) sees all 8 leads: the control.
-- funnel: reached inquiry 8; mql 1, 2, 4, 5, 6 (skipped), 7, 8 = 7; sal 1,
-- 6, 7 = 3; sql 1, 6 = 2; opportunity 2; won 2.  converted 7, 3, 2, 2, 2.
-- rates 7/8 = 0.8750; 3/7 = 0.4285… = 0.4286; 2/3 = 0.6667; 2/2 = 1.0000;
-- 2/2 = 1.0000.  medians: inquiry -> mql all 1 day (1: 3 -> 4, 2: 5 -> 6,
-- 4: 2 -> 3, 5: 8 -> 9, 6: 1 -> 2, 7: 4 -> 5, 8: 12 -> 13 Mar) = 1.00;
-- mql -> sal 1: 1, 6: 0, 7: 0.5, sorted 0, 0.5, 1 -> 0.50; sal -> sql 1:
-- 5 -> 7 = 2, 6: 2 -> 4 = 2 -> 2.00; sql -> opportunity 1: 7 -> 10 = 3,
-- 6: 4 -> 6 = 2 -> (2 + 3) / 2 = 2.50; opportunity -> won 1: 10 -> 20 =
-- 10, 6: 6 -> 16 = 10 -> 10.00
SELECT stage, reached, converted, conversion_rate, median_days_to_next FROM leadqual.funnel ORDER BY stage;
-- mql_acceptance: one row per owner.  a and b as below; the unowned lead
-- 7: 1 cycle (5 Mar) accepted after 12 h: 1.0000, 0.0000, 12.00
SELECT mql_month, channel, campaign, owner, mqls, accepted, rejected, recycled, disqualified,
       ignored, pending, acceptance_rate, rejection_rate, median_hours_to_action, rejected_later_won
  FROM leadqual.mql_acceptance ORDER BY mql_month, channel, campaign, owner;
-- rejection_reasons: 2's bad_timing and 4's duplicate, 1/2 = 0.5000 each
SELECT mql_month, channel, reason, rejections, share
  FROM leadqual.rejection_reasons ORDER BY mql_month, channel, reason;

-- Rep a: leads 1, 2, 3, 8.
SET ROLE lq_rls_a;
-- the premise: a rep sees 4 leads but every history row (5 + 2 + 1 of
-- a's leads, 2 + 1 + 4 of b's, 2 of lead 7 = 17) and both opportunities
SELECT (SELECT count(*) FROM leadqual.lead) AS leads,
       (SELECT count(*) FROM leadqual.stage_history) AS history_rows,
       (SELECT count(*) FROM leadqual.opportunity) AS opportunities;
-- lead_status: 1 won since 20 Mar; 2 nurture since 6 Mar 12:00, recycled
-- once; 3 inquiry since created_at; 8 mql, due 15 Mar: breached
SELECT lead_id, owner, stage, stage_entered_at, sla_due_at, sla_breached, recycle_count
  FROM leadqual.lead_status ORDER BY lead_id;
-- funnel: reached inquiry 4; mql 1, 2, 8 = 3; sal, sql, opportunity, won
-- 1 each (lead 1).  converted 3, 1, 1, 1, 1, NULL.  rates 3/4 = 0.7500,
-- 1/3 = 0.3333, 1/1 = 1.0000 three times, NULL.  medians: inquiry -> mql
-- 1 (3 -> 4 Mar), 1 (5 -> 6), 1 (12 -> 13) -> 1.00; mql -> sal 4 -> 5 Mar
-- = 1.00; sal -> sql 5 -> 7 = 2.00; sql -> opportunity 7 -> 10 = 3.00;
-- opportunity -> won 10 -> 20 = 10.00
SELECT stage, reached, converted, conversion_rate, median_days_to_next FROM leadqual.funnel ORDER BY stage;
-- funnel_by_cohort, March web: 4, 3, 1, 1, 1, 1, lost 0, revenue 800.00;
-- 3/4 = 0.7500, 1/3 = 0.3333, 1.0000, 1.0000, 1.0000, 1/4 = 0.2500
SELECT cohort_month, channel, inquiries, mqls, sals, sqls, opportunities, won, lost, revenue,
       inquiry_to_mql, mql_to_sal, sal_to_sql, sql_to_opportunity, opportunity_to_won, inquiry_to_won
  FROM leadqual.funnel_by_cohort ORDER BY cohort_month, channel;
-- funnel_by_period, March web (everything happened in March): entries
-- 4, 3, 1, 1, 1, 1; 3/4 = 0.7500, 1/3 = 0.3333, 1.0000, 1.0000, 1.0000,
-- NULL
SELECT period_month, channel, stage, entries, conversion_rate
  FROM leadqual.funnel_by_period ORDER BY period_month, channel, stage;
-- stage_velocity: stays 1: inquiry 1, mql 1, sal 2, sql 3, opportunity
-- 10, won open; 2: inquiry 1, mql 0.5, nurture open; 3: inquiry open;
-- 8: inquiry 1, mql open.
--   inquiry 4 stays, closed 1, 1, 1: 1.00, 1.00
--   mql 3 stays, closed 0.5, 1: median position 0.5 -> 0.75; p90 position
--     0.9 -> 0.5 + 0.9 * 0.5 = 0.95
--   sal 1: 2.00, 2.00; sql 1: 3.00, 3.00; opportunity 1: 10.00, 10.00;
--   won 1 (open), lost 0, nurture 1 (open), disqualified 0: NULL, NULL
SELECT stage, entries, median_days, p90_days FROM leadqual.stage_velocity ORDER BY stage;
-- mql_acceptance, March web c1 lq_rls_a: cycles 1 (accepted after 24 h),
-- 2 (recycled after 12 h), 8 (no exit, due 15 Mar: ignored).  mqls 3;
-- accepted 1; rejected 1 = recycled 1; disqualified 0; ignored 1; pending
-- 0; 1/3 = 0.3333; 1/3 = 0.3333; median of {12, 24} = 18.00; lead 2 never
-- won: rejected_later_won 0
SELECT mql_month, channel, campaign, owner, mqls, accepted, rejected, recycled, disqualified,
       ignored, pending, acceptance_rate, rejection_rate, median_hours_to_action, rejected_later_won
  FROM leadqual.mql_acceptance ORDER BY mql_month, channel, campaign, owner;
-- rejection_reasons: 2's bad_timing only: 1, 1/1 = 1.0000
SELECT mql_month, channel, reason, rejections, share
  FROM leadqual.rejection_reasons ORDER BY mql_month, channel, reason;
-- sla_breaches: lead 8 only (mql since 13 Mar, due 15 Mar)
SELECT lead_id, owner, stage, entered_at, due_at, hours_overdue > 0 AS overdue
  FROM leadqual.sla_breaches ORDER BY lead_id;
-- score_calibration: rr A1 = 1: 1 lead, mql, sql, won 1/1 = 1.0000,
-- revenue 800.00; rr B2 = 2, 3, 8: 3 leads, mql 2, 8 = 2/3 = 0.6667, sql
-- 0.0000, won 0.0000, revenue 0.00
SELECT model, grade, leads, mql_rate, sql_rate, win_rate, revenue
  FROM leadqual.score_calibration ORDER BY model, grade;
RESET ROLE;

-- Rep b: leads 4, 5, 6.
SET ROLE lq_rls_b;
-- lead_status: 4 disqualified since 4 Mar; 5 mql, due 11 Mar: breached;
-- 6 won since 16 Mar
SELECT lead_id, owner, stage, stage_entered_at, sla_due_at, sla_breached, recycle_count
  FROM leadqual.lead_status ORDER BY lead_id;
-- funnel: reached inquiry 3; mql 4, 5, 6 (skipped, at its inquiry -> sal)
-- = 3; sal, sql, opportunity, won 1 each (lead 6).  converted 3, 1, 1, 1,
-- 1, NULL.  rates 3/3 = 1.0000, 1/3 = 0.3333, 1.0000 three times, NULL.
-- medians: inquiry -> mql 1 (2 -> 3 Mar), 1 (8 -> 9), 1 (1 -> 2) -> 1.00;
-- mql -> sal 0 (same moment) -> 0.00; sal -> sql 2 -> 4 = 2.00; sql ->
-- opportunity 4 -> 6 = 2.00; opportunity -> won 6 -> 16 = 10.00
SELECT stage, reached, converted, conversion_rate, median_days_to_next FROM leadqual.funnel ORDER BY stage;
-- funnel_by_cohort, March web: 3, 3, 1, 1, 1, 1, lost 0, revenue 500.00;
-- 3/3 = 1.0000, 1/3 = 0.3333, 1.0000, 1.0000, 1.0000, 1/3 = 0.3333
SELECT cohort_month, channel, inquiries, mqls, sals, sqls, opportunities, won, lost, revenue,
       inquiry_to_mql, mql_to_sal, sal_to_sql, sql_to_opportunity, opportunity_to_won, inquiry_to_won
  FROM leadqual.funnel_by_cohort ORDER BY cohort_month, channel;
-- funnel_by_period, March web: entries inquiry 3; mql 4, 5 and 6's
-- skipped mql = 3; sal, sql, opportunity, won 1 each.  3/3 = 1.0000,
-- 1/3 = 0.3333, 1.0000, 1.0000, 1.0000, NULL
SELECT period_month, channel, stage, entries, conversion_rate
  FROM leadqual.funnel_by_period ORDER BY period_month, channel, stage;
-- stage_velocity: stays 4: inquiry 1, mql 1, disqualified open; 5: inquiry
-- 1, mql open; 6: inquiry 1, (mql skipped: no stay) sal 2, sql 2,
-- opportunity 10, won open.
--   inquiry 3, closed 1, 1, 1: 1.00, 1.00; mql 2, closed 1: 1.00, 1.00;
--   sal 1: 2.00, 2.00; sql 1: 2.00, 2.00; opportunity 1: 10.00, 10.00;
--   won 1 (open), lost 0, nurture 0, disqualified 1 (open): NULL, NULL
SELECT stage, entries, median_days, p90_days FROM leadqual.stage_velocity ORDER BY stage;
-- mql_acceptance, March web c1 lq_rls_b: cycles 4 (disqualified after
-- 24 h), 5 (no exit, due 11 Mar: ignored), 6 (skipped mql, accepted at
-- once, 0 h).  mqls 3; accepted 1; rejected 1 = disqualified 1; recycled
-- 0; ignored 1; pending 0; 1/3 = 0.3333; 1/3 = 0.3333; median of {0, 24}
-- = 12.00; rejected_later_won 0
SELECT mql_month, channel, campaign, owner, mqls, accepted, rejected, recycled, disqualified,
       ignored, pending, acceptance_rate, rejection_rate, median_hours_to_action, rejected_later_won
  FROM leadqual.mql_acceptance ORDER BY mql_month, channel, campaign, owner;
-- rejection_reasons: 4's duplicate only: 1, 1/1 = 1.0000
SELECT mql_month, channel, reason, rejections, share
  FROM leadqual.rejection_reasons ORDER BY mql_month, channel, reason;
-- sla_breaches: lead 5 only (mql since 9 Mar, due 11 Mar)
SELECT lead_id, owner, stage, entered_at, due_at, hours_overdue > 0 AS overdue
  FROM leadqual.sla_breaches ORDER BY lead_id;
-- score_calibration: rr A1 = 4, 6: 2 leads, mql 2/2 = 1.0000, sql 6 = 1/2
-- = 0.5000, won 1/2 = 0.5000, revenue 500.00; rr B2 = 5: 1 lead, mql
-- 1.0000, sql 0.0000, won 0.0000, revenue 0.00
SELECT model, grade, leads, mql_rate, sql_rate, win_rate, revenue
  FROM leadqual.score_calibration ORDER BY model, grade;
RESET ROLE;

-- report_html() (another helper is writing it): as each rep, the page
-- must show only that rep's leads.
-- SET ROLE lq_rls_a;
-- SELECT leadqual.report_html() ~ 'lq_rls_b' AS shows_other_rep;   -- f
-- RESET ROLE;
-- SET ROLE lq_rls_b;
-- SELECT leadqual.report_html() ~ 'lq_rls_a' AS shows_other_rep;   -- f
-- RESET ROLE;

SET client_min_messages = warning;
DROP EXTENSION leadqual CASCADE;
DROP ROLE lq_rls_a, lq_rls_b;
