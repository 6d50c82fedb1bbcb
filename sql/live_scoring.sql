-- live_scoring: inserting, updating or deleting events rescores the leads
-- concerned in the same transaction and makes the automatic moves; the
-- stored score always equals a fresh score() at scored_at.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;
\i sql/include/try.sql

-- A model with undecayed points, so every value is exact whatever the clock:
-- fit 20 for a VP; 5 per visit, 1 per demo; MQL at 30 (or a demo).
INSERT INTO leadqual.scoring_model (name, mql_threshold, min_fit_grade, hand_raise_types, sla, recycle_after)
VALUES ('live', 30, 'D', '{demo}', '1 day', '10 days');
INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('live', 'job_title', 'eq', '"vp"', 20);
INSERT INTO leadqual.engagement_rule (model, event_type, points) VALUES ('live', 'visit', 5), ('live', 'demo', 1);

-- stored score vs a fresh score() at the stored as-of time
CREATE FUNCTION stale_scores() RETURNS TABLE (lead_id bigint, stored float8, fresh float8)
LANGUAGE sql AS $$
    SELECT l.lead_id, l.score, (leadqual.score(l.lead_id, l.scored_at)).score
      FROM leadqual.lead l
     WHERE l.score IS DISTINCT FROM (leadqual.score(l.lead_id, l.scored_at)).score
$$;

-- New leads are scored at once: fit only.  Lead 3 and 4 are backfilled in
-- nurture (entered 5 days and 1 day ago), lead 5 entered nurture long ago.
INSERT INTO leadqual.lead (lead_id, external_id, created_at, job_title, model) VALUES
    (1, 'L1', '2025-01-01', 'VP', 'live'),
    (2, 'L2', '2025-01-01', 'intern', 'live');
INSERT INTO leadqual.lead (lead_id, external_id, created_at, job_title, model, stage, stage_entered_at) VALUES
    (3, 'L3', '2025-01-01', 'intern', 'live', 'nurture', now() - interval '5 days'),
    (4, 'L4', '2025-01-01', 'intern', 'live', 'nurture', now() - interval '1 day'),
    (5, 'L5', '2025-01-01', 'intern', 'live', 'nurture', '2025-01-01');
-- 1: fit 20 (D, below the C band 25), engagement 0 → D4, score 20
SELECT lead_id, stage, fit_score, engagement_score, score, grade, scored_at IS NOT NULL AS scored
  FROM leadqual.lead ORDER BY lead_id;
-- a new lead starts in inquiry at created_at
SELECT stage_entered_at FROM leadqual.lead WHERE lead_id = 1;

-- one visit: 20 + 5 = 25 < 30, still inquiry
INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (1, 'visit', '2025-01-02');
SELECT lead_id, stage, engagement_score, score FROM leadqual.lead WHERE lead_id = 1;

-- two more visits in one statement: 20 + 15 = 35 >= 30 → mql by threshold,
-- with the SLA (1 day) running from the move
INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES
    (1, 'visit', '2025-01-03'), (1, 'visit', '2025-01-04');
SELECT lead_id, stage, engagement_score, score, sla_due_at - stage_entered_at AS sla,
       stage_entered_at > '2026-01-01' AS entered_now
  FROM leadqual.lead WHERE lead_id = 1;

-- hand-raise fast track: lead 2 (score 0 + 1) requests a demo → mql
INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (2, 'demo', '2025-01-05');
SELECT lead_id, stage, score FROM leadqual.lead WHERE lead_id = 2;

-- nurture: lead 3 reaches 10 visits = 50 >= 30, but entered nurture 5 days
-- ago and recycle_after is 10 days → stays in nurture
INSERT INTO leadqual.event (lead_id, event_type, occurred_at)
SELECT 3, 'visit', '2025-02-01'::timestamptz + i * interval '1 hour' FROM generate_series(1, 10) i;
SELECT lead_id, stage, score FROM leadqual.lead WHERE lead_id = 3;

-- lead 5 entered nurture long ago: 6 visits = 30 → back to mql
INSERT INTO leadqual.event (lead_id, event_type, occurred_at)
SELECT 5, 'visit', '2025-02-01'::timestamptz + i * interval '1 hour' FROM generate_series(1, 6) i;
SELECT lead_id, stage, score FROM leadqual.lead WHERE lead_id = 5;

-- lead 4: a demo that happened before it entered nurture does not count …
INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (4, 'demo', now() - interval '2 days');
SELECT lead_id, stage, score FROM leadqual.lead WHERE lead_id = 4;
-- … one after it does, at once (no recycle_after wait)
INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (4, 'demo', now());
SELECT lead_id, stage, score FROM leadqual.lead WHERE lead_id = 4;

-- the system's moves, in order
SELECT lead_id, from_stage, to_stage, actor, reason, score
  FROM leadqual.stage_history ORDER BY history_id;

-- rescore 11 days ahead: lead 3's recycle_after has passed → mql
SELECT leadqual.rescore(now() + interval '11 days', 'live') > 0 AS changed;
SELECT lead_id, stage, score FROM leadqual.lead WHERE lead_id = 3;
SELECT lead_id, from_stage, to_stage, actor, reason FROM leadqual.stage_history WHERE lead_id = 3;

-- deleting an event (an erasure) lowers the score; the lead stays in mql
DELETE FROM leadqual.event WHERE lead_id = 1 AND occurred_at = '2025-01-04';
SELECT lead_id, stage, engagement_score, score FROM leadqual.lead WHERE lead_id = 1;

-- updating an event's type moves its points: a visit of lead 1 becomes a demo
UPDATE leadqual.event SET event_type = 'demo' WHERE lead_id = 1 AND occurred_at = '2025-01-03';
SELECT lead_id, engagement_score, score FROM leadqual.lead WHERE lead_id = 1;   -- 20 + 5 + 1

-- with leadqual.auto_scoring off a bulk load leaves scores alone …
SET leadqual.auto_scoring = off;
INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (1, 'visit', '2025-01-06');
INSERT INTO leadqual.lead (lead_id, external_id, created_at, job_title, model) VALUES (6, 'L6', '2025-01-01', 'VP', 'live');
SELECT lead_id, engagement_score, score FROM leadqual.lead WHERE lead_id IN (1, 6) ORDER BY lead_id;
RESET leadqual.auto_scoring;
-- … and rescore() catches up: 20 + 5 + 1 + 5 = 31, and lead 6 gets fit 20
SELECT leadqual.rescore(now(), 'live') AS changed;
SELECT lead_id, engagement_score, score FROM leadqual.lead WHERE lead_id IN (1, 6) ORDER BY lead_id;
-- the next live event also rebuilds lead 1's forgotten state: 31 + 5 = 36
INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (1, 'visit', '2025-01-07');
SELECT lead_id, engagement_score, score FROM leadqual.lead WHERE lead_id = 1;

-- a rule change makes stored states stale; the next event rebuilds them
-- under the new rule: visits now 7 → 3 visits × 7 + 1 demo = 22, score 42
UPDATE leadqual.engagement_rule SET points = 7 WHERE model = 'live' AND event_type = 'visit';
INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (1, 'other', '2025-01-08');
SELECT lead_id, engagement_score, score FROM leadqual.lead WHERE lead_id = 1;

-- an event dated in the future does not count yet
INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (2, 'visit', now() + interval '1 day');
SELECT lead_id, engagement_score, score FROM leadqual.lead WHERE lead_id = 2;

-- a change of job title rescores the lead's fit: lead 2 becomes a VP → 20 + 1
UPDATE leadqual.lead SET job_title = 'VP' WHERE lead_id = 2;
SELECT lead_id, fit_score, score FROM leadqual.lead WHERE lead_id = 2;

-- leads without a new event still carry scores under the old rule (3 and 5:
-- 10 and 6 visits, now 70 and 42) until the next rescore()
SELECT * FROM stale_scores() ORDER BY lead_id;
SELECT leadqual.rescore(now(), 'live') > 0 AS changed;
-- every stored score equals a fresh score() at its scored_at: expect no rows
SELECT * FROM stale_scores();

-- state_add_events (internal) counts events into a stored state under the
-- model the state names: two visits (7 each) add 14; an unknown type and an
-- element without a time count nothing
SELECT (leadqual.state_read(leadqual.state_add_events(s.state,
            ARRAY['visit', 'visit', 'nope', 'visit'],
            ARRAY[NULL, '{}', NULL, NULL]::jsonb[],
            ARRAY['2025-01-09', '2025-01-10', '2025-01-10', NULL]::timestamptz[]), now())).engagement
       - (leadqual.state_read(s.state, now())).engagement AS added
  FROM leadqual.lead_score_state s WHERE s.lead_id = 1;
-- an empty state names no model: NULL, to be rebuilt
SELECT leadqual.state_add_events('\x', ARRAY['visit'], ARRAY[NULL]::jsonb[], ARRAY[now()]) IS NULL AS rebuild;
-- the arrays must be parallel
SELECT pg_temp.try($$SELECT leadqual.state_add_events(s.state, ARRAY['visit', 'visit'], ARRAY[NULL]::jsonb[],
                                                      ARRAY[now()]) FROM leadqual.lead_score_state s WHERE s.lead_id = 1$$);

-- TRUNCATE of event: back to fit only
TRUNCATE leadqual.event;
SELECT lead_id, engagement_score, score FROM leadqual.lead ORDER BY lead_id;
SELECT * FROM stale_scores();
