-- reports_views: the report views lead_status and sla_breaches (SPEC §5).
-- Both depend on now(), so every case below runs in ONE transaction, where
-- now() is the transaction's start time: the leads enter their stages at
-- now() minus a chosen interval, and the days and hours the views compute
-- are those intervals, worked out by hand in the comments.  Then
-- row-level security on lead: a rep sees only own leads in both views.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
DROP ROLE IF EXISTS lq_rv_ann, lq_rv_bob, lq_rv_cat, lq_rv_nobody;
CREATE EXTENSION leadqual;
-- reps: readers; cat owns no lead; nobody has none of leadqual's roles
CREATE ROLE lq_rv_ann IN ROLE leadqual_reader;
CREATE ROLE lq_rv_bob IN ROLE leadqual_reader;
CREATE ROLE lq_rv_cat IN ROLE leadqual_reader;
CREATE ROLE lq_rv_nobody;
GRANT USAGE ON SCHEMA leadqual TO lq_rv_nobody;
RESET client_min_messages;
\pset null '(null)'

\i sql/include/try.sql
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;

-- the columns of SPEC §5, in its order; days and hours are numeric
SELECT c.relname AS view, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
 WHERE c.oid IN ('leadqual.lead_status'::regclass, 'leadqual.sla_breaches'::regclass)
 ORDER BY c.relname, a.attnum;

-- every view of leadqual (a new one shows up here): security_invoker, a
-- comment on the view and on each column (BI tools show them), readable
-- by leadqual_reader and not by PUBLIC, a member of the extension (so
-- pg_dump leaves it to CREATE EXTENSION)
SELECT c.relname AS view,
       coalesce('security_invoker=true' = ANY (c.reloptions), false) AS security_invoker,
       obj_description(c.oid, 'pg_class') IS NOT NULL AS commented,
       (SELECT count(*) FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND col_description(c.oid, a.attnum) IS NULL) AS uncommented_columns,
       has_table_privilege('leadqual_reader', c.oid, 'SELECT') AS reader,
       has_table_privilege('lq_rv_nobody', c.oid, 'SELECT') AS public,
       EXISTS (SELECT FROM pg_depend d
                WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e') AS in_extension
  FROM pg_class c
 WHERE c.relnamespace = 'leadqual'::regnamespace AND c.relkind IN ('v', 'm')
 ORDER BY 1;
-- PUBLIC may not read them (42501)
SET ROLE lq_rv_nobody;
SELECT pg_temp.try($$SELECT * FROM leadqual.lead_status$$);
SELECT pg_temp.try($$SELECT * FROM leadqual.sla_breaches$$);
RESET ROLE;

-- empty tables: no rows, no error
SELECT * FROM leadqual.lead_status;
SELECT * FROM leadqual.sla_breaches;

-- Model rv: fit 30 for a vp, 5 per visit (no decay), no automatic moves
-- (threshold 1000, no hand-raise types), the default SLA of 48 hours.
-- Grades: bands 75/50/25, so fit 30 is C, fit 0 is D; engagement 0 or 5
-- is below 25, digit 4.
INSERT INTO leadqual.scoring_model (name, mql_threshold, hand_raise_types) VALUES ('rv', 1000, '{}');
INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('rv', 'job_title', 'eq', '"vp"', 30);
INSERT INTO leadqual.engagement_rule (model, event_type, points) VALUES ('rv', 'visit', 5);

BEGIN;
-- lead 1 enters inquiry on creation; the others are created 60 days ago
-- and moved below
INSERT INTO leadqual.lead (lead_id, external_id, created_at, job_title, owner, model) VALUES
    (1, 'x1', now() - interval '3 days 6 hours', 'vp', 'lq_rv_ann', 'rv'),
    (2, 'x2', now() - interval '60 days', 'vp', 'lq_rv_ann', 'rv'),
    (3, 'x3', now() - interval '60 days', 'intern', 'lq_rv_bob', 'rv'),
    (4, 'x4', now() - interval '60 days', 'vp', 'lq_rv_bob', 'rv'),
    (5, 'x5', now() - interval '60 days', 'vp', NULL, 'rv'),
    (6, 'x6', now() - interval '60 days', 'vp', 'lq_rv_bob', 'rv'),
    (7, 'x7', now() - interval '60 days', 'vp', 'lq_rv_bob', 'rv'),
    (8, 'x8', now() - interval '60 days', 'vp', 'lq_rv_ann', 'rv');
INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (2, 'visit', now() - interval '59 days');
SELECT l.lead_id, leadqual.transition(l.lead_id, 'mql', 'marketing', at => now() - l.ago) AS stage
  FROM (VALUES (2, interval '53 hours'), (3, interval '3 hours'), (4, interval '4 days'),
               (5, interval '48 hours'), (6, interval '10 days'), (7, interval '60 hours 45 minutes'),
               (8, interval '48 hours 10 seconds')) l(lead_id, ago)
 ORDER BY 1;
SELECT leadqual.accept(4, at => now() - interval '1 day 12 hours');
SELECT leadqual.reject(6, 'no_budget', at => now() - interval '7 days');
-- a stale sla_due_at set by hand on a lead no longer in mql
UPDATE leadqual.lead SET sla_due_at = now() - interval '1 hour' WHERE lead_id = 6;

-- lead_status, with now() - the timestamps shown as intervals.
--   1 inquiry for 3 days 6 hours = 78 h / 24 = 3.25 days; no SLA.
--   2 mql for 53 h / 24 = 2.2083… -> 2.21; due 53 - 48 = 5 h ago: breached.
--     fit 30 + one visit 5 = 35, C4.
--   3 mql for 3 h / 24 = 0.125 -> 0.13 (half rounds away from zero); due
--     in 48 - 3 = 45 h: not breached.  fit 0 (intern), D4.
--   4 accepted (sal) 1 day 12 hours ago = 1.50 days; accepting cleared
--     sla_due_at: not breached.
--   5 mql for exactly 48 h = 2.00 days; due exactly now(): not yet
--     breached (strictly past only).
--   6 rejected to nurture 7 days ago = 7.00 days, recycle_count 1; its
--     sla_due_at of an hour ago (set by hand) is not a breach: not in mql.
--   7 mql for 60 h 45 min = 60.75 h / 24 = 2.53125 -> 2.53; due 12 h 45
--     min ago: breached.
--   8 mql for 48 h 10 s = 172810 s / 86400 = 2.0001… -> 2.00; due 10 s
--     ago: breached.
-- Every lead but 2 has fit 30 (3: 0) and engagement 0.
SELECT lead_id, external_id, owner, stage, now() - stage_entered_at AS in_stage_for, days_in_stage,
       score, fit_score, engagement_score, grade, now() - sla_due_at AS past_due_by, sla_breached, recycle_count
  FROM leadqual.lead_status ORDER BY lead_id;
-- sla_breaches: leads 2, 7 and 8, entered mql 48 h before their due time.
--   2 5 h = 5.00 hours overdue; 7 12 h 45 min = 12.75; 8 10 s = 10 / 3600
--   = 0.0027… -> 0.00 (breached, late by less than 18 s)
SELECT lead_id, owner, stage, now() - entered_at AS entered_ago, due_at - entered_at AS sla,
       now() - due_at AS past_due_by, hours_overdue
  FROM leadqual.sla_breaches ORDER BY lead_id;
-- days_in_stage and hours_overdue agree with an independent computation:
-- the interval's seconds (date_part, float8) over 86400 or 3600, rounded
SELECT count(*) AS leads,
       count(*) FILTER (WHERE s.days_in_stage
                        = round((date_part('epoch', now() - s.stage_entered_at) / 86400)::numeric, 2)) AS days_agree
  FROM leadqual.lead_status s;
SELECT count(*) AS breaches,
       count(*) FILTER (WHERE b.hours_overdue
                        = round((date_part('epoch', now() - b.due_at) / 3600)::numeric, 2)) AS hours_agree
  FROM leadqual.sla_breaches b;

-- row-level security on lead: a rep sees only own leads
ALTER TABLE leadqual.lead ENABLE ROW LEVEL SECURITY;
CREATE POLICY rep_sees_own ON leadqual.lead FOR SELECT USING (owner = current_user);
-- ann owns 1, 2 and 8, of which 2 and 8 are breached
SET LOCAL ROLE lq_rv_ann;
SELECT lead_id, owner, stage, days_in_stage, sla_breached FROM leadqual.lead_status ORDER BY lead_id;
SELECT lead_id, owner, hours_overdue FROM leadqual.sla_breaches ORDER BY lead_id;
RESET ROLE;
-- bob owns 3, 4, 6 and 7, of which 7 is breached
SET LOCAL ROLE lq_rv_bob;
SELECT lead_id, owner, stage, days_in_stage, sla_breached FROM leadqual.lead_status ORDER BY lead_id;
SELECT lead_id, owner, hours_overdue FROM leadqual.sla_breaches ORDER BY lead_id;
RESET ROLE;
-- cat owns none (and nobody sees lead 5, which has no owner)
SET LOCAL ROLE lq_rv_cat;
SELECT count(*) AS leads FROM leadqual.lead_status;
SELECT count(*) AS breaches FROM leadqual.sla_breaches;
RESET ROLE;
-- timestamps the lifecycle never writes but an UPDATE of lead may: a due
-- time of -infinity is past (breached) with hours_overdue NULL, not
-- Infinity; one of infinity is never breached; a NULL stage_entered_at has
-- NULL days (the hostile suite's lead updates found the Infinity)
UPDATE leadqual.lead SET sla_due_at = '-infinity' WHERE lead_id = 5;
UPDATE leadqual.lead SET sla_due_at = 'infinity' WHERE lead_id = 3;
UPDATE leadqual.lead SET stage_entered_at = NULL WHERE lead_id = 1;
SELECT lead_id, stage, stage_entered_at IS NULL AS entered_null, days_in_stage, sla_due_at::text, sla_breached
  FROM leadqual.lead_status WHERE lead_id IN (1, 3, 5) ORDER BY lead_id;
SELECT lead_id, stage, isfinite(due_at) AS finite_due, hours_overdue FROM leadqual.sla_breaches ORDER BY lead_id;
-- the control: without security_invoker lead_status reads lead with its
-- owner's rights (the superuser who created the extension, to whom no
-- policy applies), and ann would see all 8 leads and all 4 breaches
-- (2, 5, 7, 8)
ALTER VIEW leadqual.lead_status SET (security_invoker = false);
SET LOCAL ROLE lq_rv_ann;
SELECT count(*) AS leads FROM leadqual.lead_status;
SELECT count(*) AS breaches FROM leadqual.sla_breaches;
RESET ROLE;
ROLLBACK;

-- the rollback took the leads, the policy and the control's ALTER VIEW
SELECT relrowsecurity FROM pg_class WHERE oid = 'leadqual.lead'::regclass;
SELECT 'security_invoker=true' = ANY (reloptions) AS security_invoker FROM pg_class WHERE oid = 'leadqual.lead_status'::regclass;
SELECT count(*) AS leads FROM leadqual.lead_status;

SET client_min_messages = warning;
DROP EXTENSION leadqual CASCADE;
DROP OWNED BY lq_rv_nobody;
DROP ROLE lq_rv_ann, lq_rv_bob, lq_rv_cat, lq_rv_nobody;
