-- lifecycle: the lead state machine and the sales actions (SPEC §4).
-- Five leads walk through the lifecycle with fixed timestamps; every
-- refused move sits next to the happy path it guards, with its SQLSTATE.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;

-- This file tests the state machine alone: live scoring is off, and the
-- stored scores are set by hand to check that history records them.
SET leadqual.auto_scoring = off;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
\pset null '(null)'

\i sql/include/try.sql

-- a second model with a short SLA, to see that sla_due_at follows the lead's model
INSERT INTO leadqual.scoring_model (name, sla) VALUES ('fast', '4 hours');

INSERT INTO leadqual.lead (external_id, created_at, email, owner, model) VALUES
    ('ann', '2025-03-03 09:00+00', 'ann@example.com', NULL, 'default'),
    ('bob', '2025-03-03 09:00+00', 'bob@example.com', NULL, 'default'),
    ('cat', '2025-03-03 09:00+00', 'cat@example.com', NULL, 'default'),
    ('dan', '2025-03-03 09:00+00', 'dan@example.com', NULL, 'fast'),
    ('eve', '2025-03-03 09:00+00', 'eve@example.com', 'sam', 'default');

-- every lead starts in inquiry, entered at its creation, no SLA, never recycled
SELECT lead_id, external_id, stage, stage_entered_at, sla_due_at, recycle_count
  FROM leadqual.lead ORDER BY lead_id;

-- ---------------------------------------------------------------------
-- can_transition: the transition table, per actor (NULL actor: anyone)
-- ---------------------------------------------------------------------
SELECT f::leadqual.stage AS from_stage, t::leadqual.stage AS to_stage, a AS actor,
       leadqual.can_transition(f::leadqual.stage, t::leadqual.stage, a) AS allowed
  FROM (VALUES ('inquiry', 'mql', NULL), ('inquiry', 'mql', 'system'),
               ('inquiry', 'mql', 'sales'), ('inquiry', 'sal', 'sales'),
               ('mql', 'sal', 'sales'), ('mql', 'sal', 'marketing'),
               ('mql', 'nurture', 'marketing'), ('sal', 'nurture', 'marketing'),
               ('mql', 'mql', NULL), ('inquiry', 'won', NULL),
               ('opportunity', 'won', 'sales'), ('won', 'lost', NULL),
               ('lost', 'nurture', 'system'), ('disqualified', 'nurture', 'system')) v(f, t, a);
-- a NULL stage gives NULL; an unknown actor is an error, not false
SELECT leadqual.can_transition(NULL, 'sal') AS null_from,
       leadqual.can_transition('mql', NULL, 'sales') AS null_to;
\pset tuples_only on
\pset format unaligned
SELECT pg_temp.try($$ SELECT leadqual.can_transition('mql', 'sal', 'robot') $$);
\pset format aligned
\pset tuples_only off

-- ---------------------------------------------------------------------
-- ann: the full journey inquiry → mql → sal → sql → opportunity → won
-- ---------------------------------------------------------------------
-- the system makes her an MQL when her score crosses the threshold; the SLA
-- is 48 hours under the default model: due 2025-03-06 10:00
UPDATE leadqual.lead SET score = 55 WHERE lead_id = 1;
SELECT leadqual.transition(1, 'mql', actor => 'system', reason => 'score_threshold',
                           at => '2025-03-04 10:00+00');
SELECT stage, stage_entered_at, sla_due_at FROM leadqual.lead WHERE lead_id = 1;

-- sales accepts her 5½ hours later and takes her: the SLA is met, cleared
UPDATE leadqual.lead SET score = 61.5 WHERE lead_id = 1;
SELECT leadqual.accept(1, owner => 'alice', at => '2025-03-04 15:30+00');
SELECT stage, stage_entered_at, owner, sla_due_at FROM leadqual.lead WHERE lead_id = 1;

SELECT leadqual.qualify(1, at => '2025-03-06 11:00+00');
SELECT leadqual.open_opportunity(1, 25000, at => '2025-03-10 14:00+00') AS opportunity_id;
SELECT opportunity_id, lead_id, created_at, closed_at, status, amount
  FROM leadqual.opportunity WHERE lead_id = 1;

-- the deal closes won, for a little more than opened
SELECT leadqual.close_opportunity(1, won => true, amount => 27500.50, at => '2025-04-01 16:00+00');
SELECT opportunity_id, lead_id, created_at, closed_at, status, amount
  FROM leadqual.opportunity WHERE lead_id = 1;

-- the history, one row per move, each with the score stored at that moment
SELECT history_id, from_stage, to_stage, changed_at, actor, reason, note, score
  FROM leadqual.stage_history WHERE lead_id = 1 ORDER BY history_id;
SELECT stage, stage_entered_at, owner, sla_due_at, recycle_count
  FROM leadqual.lead WHERE lead_id = 1;

-- won is terminal; a closed opportunity cannot be closed again
\pset tuples_only on
\pset format unaligned
SELECT pg_temp.try($$ SELECT leadqual.transition(1, 'nurture', 'system') $$);
SELECT pg_temp.try($$ SELECT leadqual.reject(1, 'no_budget') $$);
SELECT pg_temp.try($$ SELECT leadqual.close_opportunity(1, true) $$);
SELECT pg_temp.try($$ SELECT leadqual.close_opportunity(1, false, reason => 'competitor') $$);
\pset format aligned
\pset tuples_only off
-- even a transition row out of won, added by an admin, does not reopen it
INSERT INTO leadqual.transition (from_stage, to_stage, actors) VALUES ('won', 'nurture', '{marketing}');
SELECT leadqual.can_transition('won', 'nurture') AS won_to_nurture;
\pset tuples_only on
\pset format unaligned
SELECT pg_temp.try($$ SELECT leadqual.transition(1, 'nurture') $$);
\pset format aligned
\pset tuples_only off
DELETE FROM leadqual.transition WHERE from_stage = 'won';

-- ---------------------------------------------------------------------
-- bob: rejected to nurture, re-qualified by a hand-raise, disqualified
-- ---------------------------------------------------------------------
-- marketing makes him an MQL by hand (the default actor, no reason needed)
SELECT leadqual.transition(2, 'mql', at => '2025-03-05 08:00+00');
SELECT stage, sla_due_at FROM leadqual.lead WHERE lead_id = 2;

-- a reject needs a known reason; a non-recyclable one cannot go to nurture
\pset tuples_only on
\pset format unaligned
SELECT pg_temp.try($$ SELECT leadqual.reject(2, 'too_expensive') $$);
SELECT pg_temp.try($$ SELECT leadqual.reject(2, 'competitor') $$);
\pset format aligned
\pset tuples_only off

-- sales rejects him for no budget: back to nurture, recycled once, SLA cleared
SELECT leadqual.reject(2, 'no_budget', note => 'call back in Q3', at => '2025-03-05 17:00+00');
SELECT stage, stage_entered_at, sla_due_at, recycle_count FROM leadqual.lead WHERE lead_id = 2;

-- a demo request re-qualifies him at once: the move live scoring makes
SELECT leadqual.transition(2, 'mql', actor => 'system', reason => 'hand_raise',
                           at => '2025-04-10 09:00+00');
SELECT stage, stage_entered_at, sla_due_at, recycle_count FROM leadqual.lead WHERE lead_id = 2;

-- this time sales finds out he works for a competitor: disqualified, and
-- recycle_count stays 1 (only entries into nurture count)
SELECT leadqual.reject(2, 'competitor', recycle => false, at => '2025-04-11 09:00+00');
SELECT stage, stage_entered_at, sla_due_at, recycle_count FROM leadqual.lead WHERE lead_id = 2;
SELECT history_id, from_stage, to_stage, changed_at, actor, reason, note, score
  FROM leadqual.stage_history WHERE lead_id = 2 ORDER BY history_id;

-- ---------------------------------------------------------------------
-- cat: a sales-sourced lead, straight to sal; the deal is lost
-- ---------------------------------------------------------------------
-- only sales may move inquiry → sal; no MQL, so no SLA
\pset tuples_only on
\pset format unaligned
SELECT pg_temp.try($$ SELECT leadqual.transition(3, 'sal', 'marketing') $$);
\pset format aligned
\pset tuples_only off
SELECT leadqual.transition(3, 'sal', actor => 'sales', note => 'met at trade show',
                           at => '2025-03-07 10:00+00');
SELECT stage, sla_due_at FROM leadqual.lead WHERE lead_id = 3;

-- at may equal the time the lead entered its stage, but not precede it
\pset tuples_only on
\pset format unaligned
SELECT pg_temp.try($$ SELECT leadqual.qualify(3, at => '2025-03-07 09:59:59+00') $$);
\pset format aligned
\pset tuples_only off
SELECT leadqual.qualify(3, at => '2025-03-07 10:00+00');

-- amounts must be finite and not negative (checked before anything else)
\pset tuples_only on
\pset format unaligned
SELECT pg_temp.try($$ SELECT leadqual.open_opportunity(3, -1) $$);
SELECT pg_temp.try($$ SELECT leadqual.open_opportunity(3, 'NaN') $$);
SELECT pg_temp.try($$ SELECT leadqual.open_opportunity(3, 'Infinity') $$);
\pset format aligned
\pset tuples_only off
SELECT leadqual.open_opportunity(3, 8000, at => '2025-03-12 10:00+00') AS opportunity_id;

-- a lost deal needs a reason, and a known one
\pset tuples_only on
\pset format unaligned
SELECT pg_temp.try($$ SELECT leadqual.close_opportunity(2, won => false, at => '2025-03-20 10:00+00') $$);
SELECT pg_temp.try($$ SELECT leadqual.close_opportunity(2, won => false, reason => 'price', at => '2025-03-20 10:00+00') $$);
SELECT pg_temp.try($$ SELECT leadqual.close_opportunity(2, won => false, amount => -5, reason => 'competitor') $$);
\pset format aligned
\pset tuples_only off
-- no amount given: the opportunity keeps the amount it was opened with
SELECT leadqual.close_opportunity(2, won => false, reason => 'competitor', at => '2025-03-20 10:00+00');
SELECT opportunity_id, lead_id, created_at, closed_at, status, amount
  FROM leadqual.opportunity WHERE lead_id = 3;

-- marketing takes the lost lead back into nurture (no reason needed)
SELECT leadqual.transition(3, 'nurture', at => '2025-03-21 10:00+00');
SELECT history_id, from_stage, to_stage, changed_at, actor, reason, note, score
  FROM leadqual.stage_history WHERE lead_id = 3 ORDER BY history_id;
SELECT stage, stage_entered_at, sla_due_at, recycle_count FROM leadqual.lead WHERE lead_id = 3;

-- ---------------------------------------------------------------------
-- dan: model 'fast' (SLA 4 hours); marketing parks him in nurture
-- ---------------------------------------------------------------------
SELECT leadqual.transition(4, 'mql', at => '2025-03-05 08:00+00');
SELECT stage, sla_due_at FROM leadqual.lead WHERE lead_id = 4;
-- leaving mql clears the SLA even when marketing, not sales, moves the lead
SELECT leadqual.transition(4, 'nurture', reason => 'bad_timing', at => '2025-03-05 09:00+00');
SELECT stage, sla_due_at, recycle_count FROM leadqual.lead WHERE lead_id = 4;
-- a move into mql takes only the automatic-move reasons
\pset tuples_only on
\pset format unaligned
SELECT pg_temp.try($$ SELECT leadqual.transition(4, 'mql', 'system', reason => 'no_budget') $$);
\pset format aligned
\pset tuples_only off
-- at defaults to now(), the transaction's start (tried, then rolled back)
BEGIN;
SELECT leadqual.transition(4, 'disqualified', reason => 'unresponsive');
SELECT stage, stage_entered_at = now() AS entered_now FROM leadqual.lead WHERE lead_id = 4;
SELECT changed_at = now() AS changed_now FROM leadqual.stage_history
 WHERE lead_id = 4 AND to_stage = 'disqualified';
ROLLBACK;
-- nurture → disqualified may be made by anyone, with a reason
SELECT leadqual.transition(4, 'disqualified', 'system', reason => 'unresponsive',
                           at => '2025-05-05 09:00+00');
SELECT stage, stage_entered_at, sla_due_at, recycle_count FROM leadqual.lead WHERE lead_id = 4;
-- (history_id 17 went with the rolled-back move)
SELECT history_id, from_stage, to_stage, changed_at, actor, reason, note, score
  FROM leadqual.stage_history WHERE lead_id = 4 ORDER BY history_id;

-- ---------------------------------------------------------------------
-- eve: every refused move; none of them writes anything
-- ---------------------------------------------------------------------
\pset tuples_only on
\pset format unaligned
-- illegal transition (the hint lists the moves from her stage)
SELECT pg_temp.try($$ SELECT leadqual.transition(5, 'sql', 'sales') $$);
-- an action from a stage it does not start from
SELECT pg_temp.try($$ SELECT leadqual.accept(5) $$);
SELECT pg_temp.try($$ SELECT leadqual.reject(5, 'no_need') $$);
-- wrong actor, unknown actor
SELECT pg_temp.try($$ SELECT leadqual.transition(5, 'mql', 'sales') $$);
SELECT pg_temp.try($$ SELECT leadqual.transition(5, 'mql', 'robot') $$);
-- unknown stage: the enum type refuses it
SELECT pg_temp.try($$ SELECT leadqual.transition(5, 'closed') $$);
-- unknown lead, unknown opportunity
SELECT pg_temp.try($$ SELECT leadqual.accept(999) $$);
SELECT pg_temp.try($$ SELECT leadqual.transition(999, 'mql') $$);
SELECT pg_temp.try($$ SELECT leadqual.close_opportunity(999, true) $$);
-- infinite at; at before she entered inquiry
SELECT pg_temp.try($$ SELECT leadqual.transition(5, 'mql', at => 'infinity') $$);
SELECT pg_temp.try($$ SELECT leadqual.transition(5, 'mql', at => '-infinity') $$);
SELECT pg_temp.try($$ SELECT leadqual.transition(5, 'mql', at => '2025-03-01 00:00+00') $$);
-- NULL arguments
SELECT pg_temp.try($$ SELECT leadqual.transition(NULL, 'mql') $$);
SELECT pg_temp.try($$ SELECT leadqual.transition(5, NULL) $$);
SELECT pg_temp.try($$ SELECT leadqual.transition(5, 'mql', NULL) $$);
SELECT pg_temp.try($$ SELECT leadqual.transition(5, 'mql', at => NULL) $$);
SELECT pg_temp.try($$ SELECT leadqual.accept(NULL) $$);
SELECT pg_temp.try($$ SELECT leadqual.reject(5, NULL) $$);
SELECT pg_temp.try($$ SELECT leadqual.reject(5, 'no_need', recycle => NULL) $$);
SELECT pg_temp.try($$ SELECT leadqual.qualify(5, NULL) $$);
SELECT pg_temp.try($$ SELECT leadqual.open_opportunity(5, NULL) $$);
SELECT pg_temp.try($$ SELECT leadqual.close_opportunity(NULL, true) $$);
SELECT pg_temp.try($$ SELECT leadqual.close_opportunity(1, NULL) $$);
\pset format aligned
\pset tuples_only off
SELECT stage, stage_entered_at, owner, sla_due_at, recycle_count FROM leadqual.lead WHERE lead_id = 5;
SELECT count(*) AS history_rows FROM leadqual.stage_history WHERE lead_id = 5;

-- now an MQL; refusals that depend on being in mql
SELECT leadqual.transition(5, 'mql', 'marketing', at => '2025-03-10 09:00+00');
\pset tuples_only on
\pset format unaligned
-- already there
SELECT pg_temp.try($$ SELECT leadqual.transition(5, 'mql', 'system') $$);
-- missing reason
SELECT pg_temp.try($$ SELECT leadqual.transition(5, 'disqualified', 'sales') $$);
-- a non-recyclable reason into nurture through transition()
SELECT pg_temp.try($$ SELECT leadqual.transition(5, 'nurture', 'sales', 'duplicate') $$);
-- qualify and open_opportunity need an accepted lead
SELECT pg_temp.try($$ SELECT leadqual.qualify(5) $$);
SELECT pg_temp.try($$ SELECT leadqual.open_opportunity(5, 100) $$);
-- the accept cannot be dated before she became an MQL
SELECT pg_temp.try($$ SELECT leadqual.accept(5, at => '2025-03-10 08:59+00') $$);
\pset format aligned
\pset tuples_only off

-- accepted without an owner: she keeps the owner she had
SELECT leadqual.accept(5, at => '2025-03-11 09:00+00');
SELECT stage, owner, sla_due_at FROM leadqual.lead WHERE lead_id = 5;
SELECT history_id, from_stage, to_stage, changed_at, actor, reason, note, score
  FROM leadqual.stage_history WHERE lead_id = 5 ORDER BY history_id;

-- ---------------------------------------------------------------------
-- privileges: leadqual_writer may call the actions, leadqual_reader not
-- ---------------------------------------------------------------------
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_lq_rep;
DROP ROLE IF EXISTS regress_lq_viewer;
CREATE ROLE regress_lq_rep;
CREATE ROLE regress_lq_viewer;
RESET client_min_messages;
GRANT leadqual_writer TO regress_lq_rep;
GRANT leadqual_reader TO regress_lq_viewer;
SET ROLE regress_lq_viewer;
\pset tuples_only on
\pset format unaligned
SELECT pg_temp.try($$ SELECT leadqual.qualify(5, at => '2025-03-12 09:00+00') $$);
\pset format aligned
\pset tuples_only off
SELECT leadqual.can_transition('sal', 'sql', 'sales') AS reader_can_ask;
RESET ROLE;
SET ROLE regress_lq_rep;
SELECT leadqual.qualify(5, at => '2025-03-12 09:00+00');
SELECT leadqual.open_opportunity(5, 1200, at => '2025-03-13 09:00+00') AS opportunity_id;
RESET ROLE;
DROP ROLE regress_lq_rep;
DROP ROLE regress_lq_viewer;

-- ---------------------------------------------------------------------
-- the whole picture
-- ---------------------------------------------------------------------
SELECT lead_id, external_id, stage, stage_entered_at, owner, sla_due_at, recycle_count
  FROM leadqual.lead ORDER BY lead_id;
SELECT to_stage, count(*) FROM leadqual.stage_history GROUP BY to_stage ORDER BY to_stage;
