SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;

-- lifecycle_automatic_moves: the one definition of the system's moves into
-- mql (issue 8, defect 8), automatic_move_reason(), which live scoring,
-- apply_automatic_moves(), rescore's pass and (by score) mql_crossing and
-- the demo all decide with.  SPEC §4:
--   inquiry → mql: a hand-raise at or before as_of, or score >= threshold
--                  with a fit letter at least min_fit_grade;
--   nurture → mql: a hand-raise after entering nurture, or the score rule
--                  once recycle_after has passed since entering it;
--   never dated before the lead entered its stage.
-- Model mv: threshold 50, min_fit_grade B, recycle_after 30 days.  as_of is
-- 2025-06-01 00:00 UTC throughout.
SET timezone = 'UTC';
\i sql/include/try.sql
INSERT INTO leadqual.scoring_model (name, mql_threshold, min_fit_grade, recycle_after)
VALUES ('mv', 50, 'B', '30 days');

SELECT n, stage, entered, score, grade, last_hr, expected,
       leadqual.automatic_move_reason('mv', stage::leadqual.stage, entered, score, grade, last_hr,
                                      '2025-06-01') AS reason,
       leadqual.automatic_move_reason('mv', stage::leadqual.stage, entered, score, grade, last_hr,
                                      '2025-06-01') IS NOT DISTINCT FROM expected AS ok
  FROM (VALUES
    -- score rule in inquiry: the threshold itself qualifies; B is the minimum
    ( 1, 'inquiry', '2025-05-01'::timestamptz, 50::float8, 'B4', NULL::timestamptz, 'score_threshold'),
    ( 2, 'inquiry', '2025-05-01', 49.999, 'A1', NULL, NULL),
    ( 3, 'inquiry', '2025-05-01', 80, 'C1', NULL, NULL),
    -- hand-raise in inquiry: any time at or before as_of, even before entry
    ( 4, 'inquiry', '2025-05-01', 0, 'D4', '2025-04-01', 'hand_raise'),
    ( 5, 'inquiry', '2025-05-01', 0, 'D4', '2025-06-01', 'hand_raise'),
    ( 6, 'inquiry', '2025-05-01', 0, 'D4', '2025-06-01 00:00:00.000001', NULL),
    -- a hand-raise wins over the score rule's reason
    ( 7, 'inquiry', '2025-05-01', 90, 'A1', '2025-05-02', 'hand_raise'),
    -- never before the lead entered its stage
    ( 8, 'inquiry', '2025-06-01 00:00:00.000001', 90, 'A1', '2025-05-02', NULL),
    ( 9, 'inquiry', '2025-06-01', 90, 'A1', NULL, 'score_threshold'),
    -- nurture: by score once 30 days have passed (05-02 + 30 days = 06-01)
    (10, 'nurture', '2025-05-01', 60, 'A1', NULL, 'score_threshold'),
    (11, 'nurture', '2025-05-02', 60, 'A1', NULL, 'score_threshold'),
    (12, 'nurture', '2025-05-02 00:00:00.000001', 60, 'A1', NULL, NULL),
    -- nurture: a hand-raise after entering it, at once; at or before the
    -- entry it does not count
    (13, 'nurture', '2025-05-20', 0, 'D4', '2025-05-25', 'hand_raise'),
    (14, 'nurture', '2025-05-20', 0, 'D4', '2025-05-20', NULL),
    (15, 'nurture', '2025-05-20', 90, 'A1', '2025-05-10', NULL),
    -- other stages never move automatically
    (16, 'mql', '2025-05-01', 90, 'A1', '2025-05-25', NULL),
    (17, 'sal', '2025-05-01', 90, 'A1', '2025-05-25', NULL),
    (18, 'lost', '2025-05-01', 90, 'A1', '2025-05-25', NULL),
    (19, 'disqualified', '2025-05-01', 90, 'A1', '2025-05-25', NULL),
    -- no entry time: never; no stored score or grade: by hand-raise only
    (20, 'inquiry', NULL, 90, 'A1', '2025-05-25', NULL),
    (21, 'inquiry', '2025-05-01', NULL, NULL, NULL, NULL),
    (22, 'inquiry', '2025-05-01', NULL, NULL, '2025-05-25', 'hand_raise'),
    (23, 'inquiry', '2025-05-01', 90, NULL, NULL, NULL),
    (24, 'inquiry', '2025-05-01', 90, 'X9', NULL, NULL),
    (25, 'inquiry', '2025-05-01', 90, 'A', NULL, NULL),
    -- a non-finite score qualifies by nothing
    (26, 'inquiry', '2025-05-01', 'NaN', 'A1', NULL, NULL),
    (27, 'inquiry', '2025-05-01', 'Infinity', 'A1', NULL, NULL)
  ) AS c(n, stage, entered, score, grade, last_hr, expected)
 ORDER BY n;

-- NULL model, stage or as_of: NULL; unknown model, infinite as_of: errors
SELECT leadqual.automatic_move_reason(NULL, 'inquiry', '2025-05-01', 90, 'A1', NULL, '2025-06-01') IS NULL AS null_model,
       leadqual.automatic_move_reason('mv', NULL, '2025-05-01', 90, 'A1', NULL, '2025-06-01') IS NULL AS null_stage,
       leadqual.automatic_move_reason('mv', 'inquiry', '2025-05-01', 90, 'A1', NULL, NULL) IS NULL AS null_as_of;
SELECT pg_temp.try($$SELECT leadqual.automatic_move_reason('nope', 'inquiry', '2025-05-01', 90, 'A1', NULL, '2025-06-01')$$);
SELECT pg_temp.try($$SELECT leadqual.automatic_move_reason('mv', 'inquiry', '2025-05-01', 90, 'A1', NULL, 'infinity')$$);

-- the same rule through every path that moves leads: a lead in nurture
-- whose score qualifies, entered 2025-05-02 (history backfilled), is moved
-- by rescore() on 06-01 (30 days: ready) but not on 05-31; a lead in
-- inquiry with a hand-raise is moved by live scoring as its event arrives.
-- Rules: a visit is worth 60 points without decay; demo_request is a
-- hand-raise (the default hand_raise_types).  No fit rules: fit 0 is a D,
-- so the minimum fit grade becomes D here.
UPDATE leadqual.scoring_model SET min_fit_grade = 'D' WHERE name = 'mv';
SET leadqual.auto_scoring = off;
INSERT INTO leadqual.engagement_rule (model, event_type, points) VALUES ('mv', 'visit', 60);
INSERT INTO leadqual.lead (lead_id, created_at, model, stage, stage_entered_at)
VALUES (1, '2025-01-01', 'mv', 'nurture', '2025-05-02'), (2, '2025-01-01', 'mv', 'inquiry', '2025-01-01');
INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (1, 'visit', '2025-04-01');
SELECT leadqual.rescore('2025-05-31') AS changed;     -- lead 1 scored (60), lead 2 scored (0): 2
SELECT lead_id, stage, score FROM leadqual.lead ORDER BY lead_id;
SELECT leadqual.rescore('2025-06-01') AS changed;     -- lead 1 moves: 1
SELECT lead_id, stage, stage_entered_at, score FROM leadqual.lead ORDER BY lead_id;
RESET leadqual.auto_scoring;
INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (2, 'demo_request', '2025-06-01');
-- (live scoring dates its move at the trigger's clock, as scored_at)
SELECT h.lead_id, h.from_stage, h.to_stage,
       CASE WHEN h.lead_id = 2 THEN h.changed_at = l.scored_at END AS at_scored_at,
       CASE WHEN h.lead_id = 1 THEN h.changed_at END AS changed_at, h.actor, h.reason
  FROM leadqual.stage_history h JOIN leadqual.lead l USING (lead_id)
 ORDER BY h.lead_id, h.changed_at;
-- mql_crossing agrees on lead 2 (fit 0): its hand-raise is the crossing
SELECT leadqual.mql_crossing('mv', 0, e.event_type, e.properties, e.occurred_at)
  FROM leadqual.event e WHERE e.lead_id = 2;
