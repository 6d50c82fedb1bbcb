-- scoring_rescore_pass: engagement_by_lead, rescore()'s pass over the events
-- in C, gives every lead of a model the engagement_detail of its events;
-- it splits the leads into parts when their states outgrow the memory
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

-- visit 5 (kept), open 8 halving daily, click 10 for 2 within a day,
-- pricing page view 3 capped at 6; a demo is a hand-raise
INSERT INTO leadqual.scoring_model (name, mql_threshold, hand_raise_types)
VALUES ('pass', 50, '{demo}');
INSERT INTO leadqual.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within)
VALUES ('pass', 'visit', NULL, 5, NULL, NULL, 1, NULL),
       ('pass', 'open', NULL, 8, '1 day', NULL, 1, NULL),
       ('pass', 'click', NULL, 10, NULL, NULL, 2, '1 day'),
       ('pass', 'page_view', '{"page": "pricing"}', 3, NULL, 6, 1, NULL);

INSERT INTO leadqual.lead (lead_id, created_at, model) VALUES
    (1, '2025-01-01', 'pass'), (2, '2025-01-01', 'pass'), (3, '2025-01-01', 'default'),
    (4, '2025-01-01', 'pass'), (5, '2025-01-01', 'pass');
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
-- lead 2 has no events: 0, no hand-raise
SELECT lead_id, engagement, last_hand_raise
  FROM leadqual.engagement_by_lead('pass', '2025-06-01 12:00') ORDER BY lead_id;

-- the same as the aggregate, for every lead of the model
CREATE FUNCTION pass_vs_aggregate(as_of timestamptz)
RETURNS TABLE (lead_id bigint, pass float8, aggregate float8, pass_hr timestamptz, aggregate_hr timestamptz)
LANGUAGE sql AS $$
    SELECT coalesce(p.lead_id, a.lead_id), p.engagement, (a.d).engagement,
           p.last_hand_raise, (a.d).last_hand_raise
      FROM leadqual.engagement_by_lead('pass', as_of) p
      FULL JOIN (SELECT l.lead_id,
                        leadqual.engagement_detail(l.model, e.event_type, e.properties, e.occurred_at, as_of) AS d
                   FROM leadqual.lead l LEFT JOIN leadqual.event e ON e.lead_id = l.lead_id
                  WHERE l.model = 'pass'
                  GROUP BY l.lead_id) a ON a.lead_id = p.lead_id
     WHERE p.lead_id IS NULL OR a.lead_id IS NULL
        OR abs(p.engagement - (a.d).engagement) > 1e-9 * greatest(abs((a.d).engagement), 1)
        OR p.last_hand_raise IS DISTINCT FROM (a.d).last_hand_raise
$$;
-- expect no rows
SELECT * FROM pass_vs_aggregate('2025-06-01 12:00');

-- 10,000 more leads with 1 to 7 events each; with 1 MB allowed their
-- states need more than one part
INSERT INTO leadqual.lead (lead_id, created_at, model)
SELECT 100 + i, '2025-01-01', 'pass' FROM generate_series(1, 10000) i;
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
-- 10,004 leads × 216 bytes (state 72 + 4 rules × 16 + 2 click times × 8,
-- hash slot 64) = 2.2 MB, with a quarter of headroom 2.7 MB: 3 parts
SELECT count(*) AS leads FROM leadqual.engagement_by_lead('pass', '2025-06-01 12:00');
RESET client_min_messages;
-- expect no rows: the parts together are the aggregate
SELECT * FROM pass_vs_aggregate('2025-06-01 12:00');
RESET maintenance_work_mem;
RESET work_mem;
RESET hash_mem_multiplier;

-- rescore() stores the same engagement
SELECT leadqual.rescore('2025-06-01 12:00', 'pass') > 0 AS rescored;
SELECT count(*) AS differing
  FROM leadqual.lead l JOIN leadqual.engagement_by_lead('pass', '2025-06-01 12:00') p USING (lead_id)
 WHERE l.engagement_score <> p.engagement;

-- errors
SELECT pg_temp.try($$SELECT * FROM leadqual.engagement_by_lead('nope', now())$$);
SELECT pg_temp.try($$SELECT * FROM leadqual.engagement_by_lead('pass', 'infinity')$$);
SELECT count(*) AS no_rows FROM leadqual.engagement_by_lead(NULL, now());

-- it reads lead and event as the caller: without SELECT on event, 42501
CREATE ROLE lq_test_noevents;
GRANT USAGE ON SCHEMA leadqual TO lq_test_noevents;
GRANT SELECT ON leadqual.lead, leadqual.scoring_model, leadqual.fit_rule,
                leadqual.engagement_rule TO lq_test_noevents;
SET ROLE lq_test_noevents;
SELECT pg_temp.try($$SELECT * FROM leadqual.engagement_by_lead('pass', now())$$);
RESET ROLE;

-- under row-level security it refuses rather than read past the policies
CREATE ROLE lq_test_rls;
GRANT USAGE ON SCHEMA leadqual TO lq_test_rls;
GRANT SELECT ON ALL TABLES IN SCHEMA leadqual TO lq_test_rls;
ALTER TABLE leadqual.event ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_visits ON leadqual.event FOR SELECT USING (event_type = 'visit');
SET ROLE lq_test_rls;
SELECT pg_temp.try($$SELECT * FROM leadqual.engagement_by_lead('pass', now())$$);
RESET ROLE;
DROP POLICY only_visits ON leadqual.event;
ALTER TABLE leadqual.event DISABLE ROW LEVEL SECURITY;

SET client_min_messages = warning;
DROP OWNED BY lq_test_noevents, lq_test_rls;
DROP ROLE lq_test_noevents, lq_test_rls;
DROP EXTENSION leadqual CASCADE;
