-- scoring_rescore_pass: score_by_lead, rescore()'s pass in C, scores every
-- lead of a model as fit_score, the engagement_detail aggregate and grade
-- do; it splits the leads into parts when their states outgrow the memory
-- allowed, and reads only what a SELECT of the caller could read.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
DROP ROLE IF EXISTS lq_test_noevents, lq_test_rls;
RESET client_min_messages;
SET timezone = 'UTC';
SET leadqual.auto_scoring = off;   -- the pass is under test, not live scoring
\i sql/include/try.sql
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;

-- fit: a VP 20, plan "pro" in the attributes 15; bands A 30, B 20, C 10 and
-- 1 25, 2 10, 3 5.  Engagement: visit 5 (kept), open 8 halving daily, click
-- 10 for 2 within a day, pricing page view 3 capped at 6; a demo is a
-- hand-raise.
INSERT INTO leadqual.scoring_model (name, mql_threshold, hand_raise_types, fit_bands, engagement_bands)
VALUES ('pass', 50, '{demo}', '{30,20,10}', '{25,10,5}');
INSERT INTO leadqual.fit_rule (model, field, op, value, points)
VALUES ('pass', 'job_title', 'eq', '"vp"', 20), ('pass', 'attributes.plan', 'eq', '"pro"', 15);
INSERT INTO leadqual.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within)
VALUES ('pass', 'visit', NULL, 5, NULL, NULL, 1, NULL),
       ('pass', 'open', NULL, 8, '1 day', NULL, 1, NULL),
       ('pass', 'click', NULL, 10, NULL, NULL, 2, '1 day'),
       ('pass', 'page_view', '{"page": "pricing"}', 3, NULL, 6, 1, NULL);

INSERT INTO leadqual.lead (lead_id, created_at, model, job_title, attributes) VALUES
    (1, '2025-01-01', 'pass', 'VP', '{}'), (2, '2025-01-01', 'pass', 'Intern', '{}'),
    (3, '2025-01-01', 'default', 'VP', '{}'), (4, '2025-01-01', 'pass', NULL, '{"plan": "pro"}'),
    (5, '2025-01-01', 'pass', 'vp', '{"plan": "free"}');
-- as of T = 2025-06-01 12:00
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties) VALUES
    -- lead 1: visits 2 × 5 = 10; open a day old 8/2 = 4; two clicks within
    -- the day 10; three pricing views 9, capped 6; a blog view 0; a demo at
    -- T − 5 h; a visit after T does not count: 10 + 4 + 10 + 6 = 30
    (1, 'visit', '2025-05-29 12:00', '{}'),
    (1, 'visit', '2025-05-31 12:00', '{}'),
    (1, 'open', '2025-05-31 12:00', '{}'),
    (1, 'click', '2025-06-01 10:00', '{}'),
    (1, 'click', '2025-06-01 11:00', '{}'),
    (1, 'page_view', '2025-06-01 09:00', '{"page": "pricing"}'),
    (1, 'page_view', '2025-06-01 10:00', '{"page": "pricing", "ref": "ad"}'),
    (1, 'page_view', '2025-06-01 11:00', '{"page": "pricing"}'),
    (1, 'page_view', '2025-06-01 11:30', '{"page": "blog"}'),
    (1, 'demo', '2025-06-01 07:00', '{}'),
    (1, 'visit', '2025-06-01 13:00', '{}'),
    -- lead 3 is of another model: not in the result
    (3, 'visit', '2025-05-31 12:00', '{}'),
    -- lead 4: an unknown type, and one click within the day (the other is
    -- 30 h old): 0
    (4, 'nope', '2025-06-01 11:00', '{}'),
    (4, 'click', '2025-05-31 06:00', '{}'),
    (4, 'click', '2025-06-01 11:00', '{}'),
    -- lead 5: an open at T counts in full, 8; a demo after T is no hand-raise yet
    (5, 'open', '2025-06-01 12:00', '{}'),
    (5, 'demo', '2025-06-01 13:00', '{}');
-- lead 1: fit 20 (B), engagement 30 (1): 50, B1, hand-raise at 07:00
-- lead 2: fit 0, no events: 0, D4; lead 4: fit 15 (C), 0: C4;
-- lead 5: fit 20 (B), 8 (3): 28, B3; all in inquiry since they were created
SELECT * FROM leadqual.score_by_lead('pass', '2025-06-01 12:00') ORDER BY lead_id;

-- the same as fit_score, the aggregate and grade, for every lead of the model
CREATE FUNCTION pass_vs_sql(as_of timestamptz)
RETURNS TABLE (lead_id bigint, pass text, sql text)
LANGUAGE sql AS $$
    WITH sql AS (
        SELECT l.lead_id, leadqual.fit_score(l) AS fit_score, (a.d).engagement AS engagement_score,
               leadqual.fit_score(l) + (a.d).engagement AS score,
               leadqual.grade('pass', leadqual.fit_score(l), (a.d).engagement) AS grade,
               (a.d).last_hand_raise
          FROM leadqual.lead l
          JOIN (SELECT l2.lead_id,
                       leadqual.engagement_detail(l2.model, e.event_type, e.properties, e.occurred_at, as_of) AS d
                  FROM leadqual.lead l2 LEFT JOIN leadqual.event e ON e.lead_id = l2.lead_id
                 WHERE l2.model = 'pass'
                 GROUP BY l2.lead_id) a ON a.lead_id = l.lead_id
    ), pass AS (
        SELECT * FROM leadqual.score_by_lead('pass', as_of)
    )
    SELECT coalesce(p.lead_id, q.lead_id), p::text, q::text
      FROM pass p FULL JOIN sql q ON q.lead_id = p.lead_id
     WHERE p.lead_id IS NULL OR q.lead_id IS NULL
        OR p.fit_score <> q.fit_score
        OR abs(p.engagement_score - q.engagement_score) > 1e-9 * greatest(abs(q.engagement_score), 1)
        OR abs(p.score - q.score) > 1e-9 * greatest(abs(q.score), 1)
        OR p.grade <> q.grade
        OR p.last_hand_raise IS DISTINCT FROM q.last_hand_raise
$$;
-- expect no rows
SELECT * FROM pass_vs_sql('2025-06-01 12:00');

-- 10,000 more leads with 1 to 7 events each; with 1 MB allowed their
-- states need more than one part
INSERT INTO leadqual.lead (lead_id, created_at, model, job_title, attributes)
SELECT 100 + i, '2025-01-01', 'pass', CASE WHEN i % 3 = 0 THEN 'VP' END,
       CASE WHEN i % 4 = 0 THEN '{"plan": "pro"}' ELSE '{}' END::jsonb
  FROM generate_series(1, 10000) i;
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties)
SELECT 100 + i,
       (ARRAY['visit', 'open', 'click', 'page_view', 'demo', 'nope'])[1 + (i * 7 + k) % 6],
       timestamptz '2025-06-01 12:00' - ((i * 13 + k * 29) % 200) * interval '1 hour',
       CASE WHEN k % 2 = 0 THEN '{"page": "pricing"}' ELSE '{}' END::jsonb
  FROM generate_series(1, 10000) i, generate_series(1, 1 + i % 7) k;
SET maintenance_work_mem = '1MB';
SET work_mem = '64kB';
SET hash_mem_multiplier = 1;
SET client_min_messages = debug1;
-- 10,004 leads × 256 bytes (lead 40, state 72 + 4 rules × 16 + 2 click
-- times × 8, hash slot 64) = 2.6 MB, with a quarter of headroom 3.2 MB: 4 parts
SELECT count(*) AS leads FROM leadqual.score_by_lead('pass', '2025-06-01 12:00');
RESET client_min_messages;
-- expect no rows: the parts together are the aggregate
SELECT * FROM pass_vs_sql('2025-06-01 12:00');

-- rescore() stores the same scores, in 4 parts too: every lead of the model
-- is written once (none had a score): 10,004 (a lead written in one part and
-- met again by a later part's scan would fail as already updated).  In a
-- new session: the catalog caches that CREATE EXTENSION filled (it parses
-- the report views) would otherwise grow past a rehash here, and print a
-- "rehashing catalog cache" DEBUG1 line that depends on the extension's
-- size, not on rescore
\c
SET timezone = 'UTC';
SET leadqual.auto_scoring = off;
\i sql/include/try.sql
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;
SET maintenance_work_mem = '1MB';
SET work_mem = '64kB';
SET hash_mem_multiplier = 1;
SET client_min_messages = debug1;
SELECT leadqual.rescore('2025-06-01 12:00', 'pass') AS changed;
RESET client_min_messages;
RESET maintenance_work_mem;
RESET work_mem;
RESET hash_mem_multiplier;
SELECT count(*) AS differing
  FROM leadqual.lead l JOIN leadqual.score_by_lead('pass', '2025-06-01 12:00') p USING (lead_id)
 WHERE (l.fit_score, l.engagement_score, l.score, l.grade) IS DISTINCT FROM
       (p.fit_score, p.engagement_score, p.score, p.grade);

-- rescore() counts the leads whose stored score or stage changed: at the
-- same as_of again nothing changes; a lead put back in nurture 40 days ago
-- (recycle_after 30 days) with its stored score 50 >= 50 moves to mql
-- without a score change, and counts once
SELECT leadqual.rescore('2025-06-01 12:00', 'pass') AS changed_again;
UPDATE leadqual.lead SET stage = 'nurture', stage_entered_at = '2025-04-22 12:00' WHERE lead_id = 1;
SELECT leadqual.rescore('2025-06-01 12:00', 'pass') AS changed_by_move;
SELECT lead_id, stage, score FROM leadqual.lead WHERE lead_id = 1;

-- errors
SELECT pg_temp.try($$SELECT * FROM leadqual.score_by_lead('nope', now())$$);
SELECT pg_temp.try($$SELECT * FROM leadqual.score_by_lead('pass', 'infinity')$$);
SELECT count(*) AS no_rows FROM leadqual.score_by_lead(NULL, now());

-- it reads lead and event as the caller: without SELECT on event, 42501
CREATE ROLE lq_test_noevents;
GRANT USAGE ON SCHEMA leadqual TO lq_test_noevents;
GRANT SELECT ON leadqual.lead, leadqual.scoring_model, leadqual.fit_rule,
                leadqual.engagement_rule TO lq_test_noevents;
SET ROLE lq_test_noevents;
SELECT pg_temp.try($$SELECT * FROM leadqual.score_by_lead('pass', now())$$);
RESET ROLE;

-- under row-level security it refuses rather than read past the policies
CREATE ROLE lq_test_rls;
GRANT USAGE ON SCHEMA leadqual TO lq_test_rls;
GRANT SELECT ON ALL TABLES IN SCHEMA leadqual TO lq_test_rls;
ALTER TABLE leadqual.event ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_visits ON leadqual.event FOR SELECT USING (event_type = 'visit');
SET ROLE lq_test_rls;
SELECT pg_temp.try($$SELECT * FROM leadqual.score_by_lead('pass', now())$$);
RESET ROLE;
DROP POLICY only_visits ON leadqual.event;
ALTER TABLE leadqual.event DISABLE ROW LEVEL SECURITY;

SET client_min_messages = warning;
DROP OWNED BY lq_test_noevents, lq_test_rls;
DROP ROLE lq_test_noevents, lq_test_rls;
DROP EXTENSION leadqual CASCADE;
