SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;

-- robust_numbers: silent wrong numbers (issue 8, defect 6).  Every case here
-- once returned a wrong number (or accepted what later broke) without an
-- error; each must now be exact or a clear 22003 / 22008 error.
--
-- Model num_t: no fit rules, threshold 5, min_fit_grade D, no hand-raise
-- types.  Engagement rules (rule_id: event type, points, half_life, cap,
-- min_count, within):
--   9101 hl:    100, '120985590 mons' (3.136e20 us, beyond int64), no cap
--   9102 fq:    7, no decay, min_count 5, within '427007965 days' (3.7e19 us)
--   9103 unc:   3, '14 days', no cap
--   9104 tiny:  5, '1 microsecond', no cap
--   9105 w300:  1, min_count 1, within '300000 years' (9.3312e18 us, > int64)
--   9106 w305:  1, min_count 1, within '305000 years' (9.48672e18 us)
--   9107 w290:  1, min_count 1, within '290000 years' (9.02016e18 us, fits)
--   9108 day:   1, min_count 1, within '1 day'
--   9109 flat:  2, no decay, no cap
SET timezone = 'UTC';
\i sql/include/try.sql
-- try_code: SQLSTATE and message only, for errors whose detail shows now()
CREATE FUNCTION pg_temp.try_code(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text;
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    RETURN st || ': ' || msg;
END
$$;

INSERT INTO leadqual.scoring_model (name, mql_threshold, min_fit_grade, hand_raise_types)
VALUES ('num_t', 5, 'D', '{}');
-- one statement per rule, so that (before the fix) a rule refused for a
-- wrapped interval does not take the others with it
INSERT INTO leadqual.engagement_rule (rule_id, model, event_type, points, half_life, max_points, min_count, within)
VALUES (9101, 'num_t', 'hl', 100, '120985590 mons', NULL, 1, NULL);
INSERT INTO leadqual.engagement_rule (rule_id, model, event_type, points, half_life, max_points, min_count, within)
VALUES (9102, 'num_t', 'fq', 7, NULL, NULL, 5, '427007965 days');
INSERT INTO leadqual.engagement_rule (rule_id, model, event_type, points, half_life, max_points, min_count, within)
VALUES (9103, 'num_t', 'unc', 3, '14 days', NULL, 1, NULL);
INSERT INTO leadqual.engagement_rule (rule_id, model, event_type, points, half_life, max_points, min_count, within)
VALUES (9104, 'num_t', 'tiny', 5, '1 microsecond', NULL, 1, NULL);
INSERT INTO leadqual.engagement_rule (rule_id, model, event_type, points, half_life, max_points, min_count, within)
VALUES (9105, 'num_t', 'w300', 1, NULL, NULL, 1, '300000 years');
INSERT INTO leadqual.engagement_rule (rule_id, model, event_type, points, half_life, max_points, min_count, within)
VALUES (9106, 'num_t', 'w305', 1, NULL, NULL, 1, '305000 years');
INSERT INTO leadqual.engagement_rule (rule_id, model, event_type, points, half_life, max_points, min_count, within)
VALUES (9107, 'num_t', 'w290', 1, NULL, NULL, 1, '290000 years');
INSERT INTO leadqual.engagement_rule (rule_id, model, event_type, points, half_life, max_points, min_count, within)
VALUES (9108, 'num_t', 'day', 1, NULL, NULL, 1, '1 day');
INSERT INTO leadqual.engagement_rule (rule_id, model, event_type, points, half_life, max_points, min_count, within)
VALUES (9109, 'num_t', 'flat', 2, NULL, NULL, 1, NULL);

-- ---------------------------------------------------------------------
-- 1. Half-lives and windows beyond int64 microseconds
-- ---------------------------------------------------------------------

-- A 100-point event one day old under a half-life of 120985590 months
-- (30-day months: 3,629,567,700 days): 100 * 2^(-1/3629567700)
-- = 99.99999998090276... (Python decimal, 40 digits), so 99.999999981 to 9
-- places.  The half-life in microseconds once wrapped around int64 to
-- 26,937,622,528 us (7.5 hours) and gave 10.83.
SELECT round(leadqual.engagement_score('num_t', 'hl', NULL, '2026-06-01', '2026-06-02')::numeric, 9) AS hl_one_day;

-- The frequency rule: five events 1 to 5 days old, window 427007965 days
-- (3.69e19 us, wrapped to 28,580,896,768 us = 7.9 hours before): all five are
-- inside, so the rule scores its 7 points.
SELECT leadqual.engagement_score('num_t', 'fq', NULL, t, '2026-06-10') AS fq_five_events
  FROM (VALUES (timestamptz '2026-06-05'), ('2026-06-06'), ('2026-06-07'),
               ('2026-06-08'), ('2026-06-09')) v(t);
-- four are not enough: 0
SELECT leadqual.engagement_score('num_t', 'fq', NULL, t, '2026-06-10') AS fq_four_events
  FROM (VALUES (timestamptz '2026-06-06'), ('2026-06-07'), ('2026-06-08'), ('2026-06-09')) v(t);

-- The window stays (as_of - within, as_of]: an event exactly 1 day old is
-- out, one 1 microsecond younger is in.
SELECT leadqual.engagement_score('num_t', 'day', NULL, '2026-06-09', '2026-06-10') AS day_exactly_1_day,
       leadqual.engagement_score('num_t', 'day', NULL, '2026-06-09 00:00:00.000001', '2026-06-10') AS day_1_day_minus_1us;

-- A negative interval whose microseconds wrapped to a positive number
-- (-178956970 years = -2147483640 months: -5.6e21 us, which int64 arithmetic
-- made +4.6e18) was accepted as a half-life; now its sign is exact.
SELECT pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, points, half_life) VALUES ('num_t', 'x', 1, '-178956970 years')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, points, within) VALUES ('num_t', 'x', 1, '-178956970 years')$$);
-- and the longest interval there is is a valid (if slow) half-life
SELECT pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, points, half_life) VALUES ('num_t', 'x', 1, '178956970 years 7 mons 2147483647 days 2562047788 hours')$$);
DELETE FROM leadqual.engagement_rule WHERE model = 'num_t' AND event_type = 'x';

-- ---------------------------------------------------------------------
-- 2. Ages at the ends of the timestamp range
-- ---------------------------------------------------------------------
-- The first and the last second PostgreSQL can store are 9,435,184,819,199
-- seconds apart (211,813,488 s before 2000-01-01 and 9,223,371,331,199 s
-- after it), 9.435e18 us: more than int64 (9.223e18).

-- The default model's e-mail click (3 points, 14 days, cap 15), 290,000
-- years old: 3 * 2^(-9.435e18 / 1.2096e12) = 3 * 2^(-7.8 million) = 0 in
-- double.  The age wrapped to a negative one and gave 15 (the cap).
SELECT leadqual.engagement_score('default', 'email_click', '{}', '4714-11-24 00:00:00+00 BC', '294276-12-31 23:59:59+00') AS default_click_ancient;
-- an uncapped rule gave Infinity: now 0
SELECT leadqual.engagement_score('num_t', 'unc', NULL, '4714-11-24 00:00:00+00 BC', '294276-12-31 23:59:59+00') AS unc_ancient;
-- a rule without decay counts such an event fully: 2
SELECT leadqual.engagement_score('num_t', 'flat', NULL, '4714-11-24 00:00:00+00 BC', '294276-12-31 23:59:59+00') AS flat_ancient;

-- Windows around that age (9,435,184,819,199,000,000 us): 300,000 years of
-- 360 days (9,331,200,000,000,000,000 us) is shorter, so 0; 305,000 years
-- (9,486,720,000,000,000,000 us) is longer, so 1; 290,000 years (fits
-- int64) is shorter, so 0.  An event 1 day old is inside all three.
SELECT leadqual.engagement_score('num_t', 'w300', NULL, '4714-11-24 00:00:00+00 BC', '294276-12-31 23:59:59+00') AS w300_ancient,
       leadqual.engagement_score('num_t', 'w305', NULL, '4714-11-24 00:00:00+00 BC', '294276-12-31 23:59:59+00') AS w305_ancient,
       leadqual.engagement_score('num_t', 'w290', NULL, '4714-11-24 00:00:00+00 BC', '294276-12-31 23:59:59+00') AS w290_ancient,
       leadqual.engagement_score('num_t', 'w300', NULL, '294276-12-30 23:59:59+00', '294276-12-31 23:59:59+00') AS w300_1_day;

-- The live-scoring state (no as-of limit, forward-decay landmark following
-- the events), with the same two events in either order, read at the last
-- second: the recent unc event counts 3 * 2^0 = 3, the ancient one 0.
SELECT (leadqual.state_read(leadqual.score_state('num_t', 'unc', NULL, t ORDER BY t DESC), '294276-12-31 23:59:59+00')).engagement AS state_newest_first,
       (leadqual.state_read(leadqual.score_state('num_t', 'unc', NULL, t ORDER BY t), '294276-12-31 23:59:59+00')).engagement AS state_oldest_first
  FROM (VALUES (timestamptz '4714-11-24 00:00:00+00 BC'), ('294276-12-31 23:59:59+00')) v(t);
-- state_add_events moves the landmark the same way: from a state holding the
-- ancient event, add the recent one: 3
SELECT (leadqual.state_read(leadqual.state_add_events(
            (SELECT leadqual.score_state('num_t', 'unc', NULL, '4714-11-24 00:00:00+00 BC')),
            '{unc}', '{null}', '{294276-12-31 23:59:59+00}'),
        '294276-12-31 23:59:59+00')).engagement AS state_added;

-- mql_crossing replays the events in time order: at the ancient event the
-- score is 3 (< 5), at the recent one 3 + 0 = 3 (< 5): never an MQL, NULL.
-- The wrapped age once made the ancient event count 3 * 2^(+huge) = Infinity
-- at the recent instant and returned 294276-12-31.
SELECT leadqual.mql_crossing('num_t', 0, 'unc', NULL, t) AS crossing_ancient
  FROM (VALUES (timestamptz '4714-11-24 00:00:00+00 BC'), ('294276-12-31 23:59:59+00')) v(t);
-- two recent unc events 1 day apart do cross: 3 * 2^(-1/14) + 3 = 5.85 >= 5
SELECT leadqual.mql_crossing('num_t', 0, 'unc', NULL, t) AS crossing_recent
  FROM (VALUES (timestamptz '294276-12-30 23:59:59+00'), ('294276-12-31 23:59:59+00')) v(t);

-- An event at +infinity comes after every finite time, so a state without
-- as-of limit does not count it: (0, no hand-raise) at any finite time.  It
-- once set the state's latest event to infinity, and every read was NULL.
SELECT (leadqual.state_read(leadqual.score_state('num_t', 'flat', NULL, 'infinity'), '2026-06-01')).engagement AS state_infinite_event;

-- A stored state is a bytea, and a forged one can hold an infinite or NaN
-- sum: reading it is now a 22003 error, never Infinity or NaN.  Layout
-- (engagement.c): version 1 byte, name length 4 + 'num_t' 5, fingerprint 4,
-- four times 8 each, rule and slot counts 4 + 4, then per rule its sum and
-- count (8 + 8): rule 9109 (flat) is the 9th, so its sum is at byte
-- 54 + 8 * 16 = 182 (0-based), position 183 for overlay().
SELECT pg_temp.try($$SELECT leadqual.state_read(overlay(leadqual.score_state('num_t', 'flat', NULL, '2026-01-01') placing '\x7ff0000000000000'::bytea from 183 for 8), '2026-06-01')$$);
SELECT pg_temp.try($$SELECT leadqual.state_read(overlay(leadqual.score_state('num_t', 'flat', NULL, '2026-01-01') placing '\x7ff8000000000000'::bytea from 183 for 8), '2026-06-01')$$);
-- unforged, the same state reads 2
SELECT (leadqual.state_read(leadqual.score_state('num_t', 'flat', NULL, '2026-01-01'), '2026-06-01')).engagement AS flat_state;

-- A half-life of 1 microsecond, events far apart: 2^x neither overflows nor
-- wrongly underflows.  Aggregate at as_of 10 s + 1 us after the first event:
-- the events at 10 s and 9.999999 s are 1 and 2 us old (5/2 + 5/4 = 3.75),
-- the one at 0 s is 10,000,001 half-lives old (0 in double).
SELECT leadqual.engagement_score('num_t', 'tiny', NULL, t, '2026-06-01 00:00:10.000001') AS tiny_agg
  FROM (VALUES (timestamptz '2026-06-01 00:00:00'), ('2026-06-01 00:00:10'),
               ('2026-06-01 00:00:09.999999')) v(t);
-- the live state, fed in the order 10 s, 0 s, 9.999999 s, 20 s (the landmark
-- moves forward 10 s = 1e7 half-lives at the last one), read at 20.000001 s:
-- only the event at 20 s is left, 5/2 = 2.5; read at 20 s: 5
SELECT (leadqual.state_read(s, '2026-06-01 00:00:20.000001')).engagement AS tiny_state_1us,
       (leadqual.state_read(s, '2026-06-01 00:00:20')).engagement AS tiny_state_0us
  FROM (SELECT leadqual.score_state('num_t', 'tiny', NULL, t ORDER BY k) AS s
          FROM (VALUES (1, timestamptz '2026-06-01 00:00:10'), (2, '2026-06-01 00:00:00'),
                       (3, '2026-06-01 00:00:09.999999'), (4, '2026-06-01 00:00:20')) v(k, t)) x;

-- ---------------------------------------------------------------------
-- 3. Finite points that sum to infinity: refused when written
-- ---------------------------------------------------------------------
-- Points, caps, the MQL threshold and grade bands must lie within +/-1e12
-- (22003), so that no sum of a model's rules can overflow.  Two fit rules of
-- 1e308 points once made fit_score return Infinity while score() failed.
SELECT pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('num_t', 'country', 'eq', '"DE"', 1e308)$$);
SELECT pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('num_t', 'country', 'eq', '"DE"', -1.000001e12)$$);
SELECT pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, points) VALUES ('num_t', 'x', 1e13)$$);
SELECT pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, points, max_points) VALUES ('num_t', 'x', 1, 1e300)$$);
SELECT pg_temp.try($$UPDATE leadqual.scoring_model SET mql_threshold = 1e13 WHERE name = 'num_t'$$);
SELECT pg_temp.try($$UPDATE leadqual.scoring_model SET fit_bands = '{1e200,50,25}' WHERE name = 'num_t'$$);
SELECT pg_temp.try($$UPDATE leadqual.scoring_model SET engagement_bands = '{75,50,-1e13}' WHERE name = 'num_t'$$);
-- the bound itself is allowed, and two such rules add up exactly: 2e12
SELECT pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('num_t', 'country', 'eq', '"DE"', 1e12), ('num_t', 'company_size', 'range', '[1, null]', 1e12)$$);
INSERT INTO leadqual.lead (external_id, created_at, country, company_size, model)
VALUES ('big', '2026-01-01', 'DE', 10, 'num_t');
-- live scoring stores the fit on insert, and 2e12 >= 5 with fit grade A
-- (bands 75, 50, 25) makes the lead an MQL at once
SELECT leadqual.fit_score(l) AS fit_two_rules, l.fit_score AS stored_fit, l.stage
  FROM leadqual.lead l WHERE external_id = 'big';
SELECT fit_score, engagement_score, score
  FROM leadqual.score((SELECT lead_id FROM leadqual.lead WHERE external_id = 'big'), '2026-06-01');
DELETE FROM leadqual.lead WHERE external_id = 'big';
DELETE FROM leadqual.fit_rule WHERE model = 'num_t';

-- A lead attribute beyond double range (JSON allows 1e400) compares as
-- +/-infinity against a rule's finite operands: 1e400 is in [1000, null]
-- (10 points), -1e400 is not, and neither is equal to 1000.  Converting it
-- once raised 22003, so such a lead broke every scoring of its model once a
-- rule read the key.
INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES
    ('num_t', 'attributes.revenue', 'range', '[1000, null]', 10),
    ('num_t', 'attributes.revenue', 'eq', '1000', 100);
INSERT INTO leadqual.lead (external_id, created_at, attributes, model) VALUES
    ('huge+', '2026-01-01', '{"revenue": 1e400}', 'num_t'),
    ('huge-', '2026-01-01', '{"revenue": -1e400}', 'num_t');
SELECT external_id, leadqual.fit_score(l) AS fit, l.fit_score AS stored_fit
  FROM leadqual.lead l WHERE external_id LIKE 'huge%' ORDER BY external_id;
DELETE FROM leadqual.lead WHERE external_id LIKE 'huge%';
DELETE FROM leadqual.fit_rule WHERE model = 'num_t';

-- grade() and mql_crossing() refuse a NaN or infinite fit (22003); a fit of
-- 1e308 is finite, and 1e308 + 0 >= 5 crosses at the first event
SELECT pg_temp.try($$SELECT leadqual.grade('num_t', 'NaN', 0)$$);
SELECT pg_temp.try($$SELECT leadqual.mql_crossing('num_t', 'Infinity', 'flat', NULL, '2026-06-01')$$);
SELECT leadqual.mql_crossing('num_t', 1e308, 'noise', NULL, '2026-06-01') AS crossing_huge_fit;

-- sla and recycle_after are added to timestamps: at most 36500 days (100
-- years of 365 days; 30-day months), 22008.  A sla of 1000 years was
-- accepted and made every automatic move of the model fail later.
SELECT pg_temp.try($$UPDATE leadqual.scoring_model SET sla = '1000 years' WHERE name = 'num_t'$$);
SELECT pg_temp.try($$UPDATE leadqual.scoring_model SET recycle_after = '36501 days' WHERE name = 'num_t'$$);
SELECT pg_temp.try($$UPDATE leadqual.scoring_model SET sla = '178956970 years' WHERE name = 'num_t'$$);
SELECT pg_temp.try($$UPDATE leadqual.scoring_model SET sla = '36500 days', recycle_after = '100 years' WHERE name = 'num_t'$$);
UPDATE leadqual.scoring_model SET sla = '48 hours', recycle_after = '30 days' WHERE name = 'num_t';
-- generate_demo adds the default model's sla and recycle_after to stage times
-- in int64 arithmetic; with both at their new maximum of 36500 days a history
-- ending within 200 years of 294276 AD could wrap around, so such a history
-- is refused (it was accepted before; with the default 48 hours and 30 days
-- it did not wrap).
SELECT pg_temp.try($$SELECT leadqual.generate_demo(10, 1, '294100-01-01', 365)$$);

-- ---------------------------------------------------------------------
-- 4. Lead and move times
-- ---------------------------------------------------------------------
-- created_at and stage_entered_at are finite, and a lead does not enter its
-- stage before it was created (22008).  stage_entered_at = infinity once
-- gave a lead that could never move.
SELECT pg_temp.try($$INSERT INTO leadqual.lead (lead_id, external_id, created_at, stage_entered_at, model) VALUES (901, 'n1', '2026-01-01', 'infinity', 'num_t')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.lead (lead_id, external_id, created_at, stage_entered_at, model) VALUES (901, 'n1', '2026-01-01', '-infinity', 'num_t')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.lead (lead_id, external_id, created_at, stage_entered_at, model) VALUES (901, 'n1', '2026-01-01', '2025-12-31 23:59:59', 'num_t')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.lead (lead_id, external_id, created_at, model) VALUES (901, 'n1', 'infinity', 'num_t')$$);
-- a stage_entered_at at or after created_at, or none (then created_at)
INSERT INTO leadqual.lead (lead_id, external_id, created_at, stage_entered_at, model)
VALUES (901, 'n1', '2026-01-01', NULL, 'num_t'),
       (902, 'n2', '2026-01-01', '2026-01-01', 'num_t'),
       (903, 'n3', '2026-01-01', '2026-02-01', 'num_t');
SELECT lead_id, created_at, stage_entered_at FROM leadqual.lead WHERE lead_id BETWEEN 901 AND 903 ORDER BY lead_id;

-- updates are checked the same way
SELECT pg_temp.try($$UPDATE leadqual.lead SET stage_entered_at = 'infinity' WHERE lead_id = 901$$);
SELECT pg_temp.try($$UPDATE leadqual.lead SET stage_entered_at = '-infinity' WHERE lead_id = 901$$);
SELECT pg_temp.try($$UPDATE leadqual.lead SET stage_entered_at = '2025-06-01' WHERE lead_id = 901$$);
SELECT pg_temp.try($$UPDATE leadqual.lead SET created_at = '2026-03-01' WHERE lead_id = 903$$);
-- an infinite created_at is refused by the column's CHECK first (23514)
SELECT pg_temp.try_code($$UPDATE leadqual.lead SET created_at = 'infinity' WHERE lead_id = 903$$);
-- allowed: a later stage_entered_at, an earlier created_at, NULL
SELECT pg_temp.try($$UPDATE leadqual.lead SET stage_entered_at = '2026-01-15' WHERE lead_id = 901$$);
SELECT pg_temp.try($$UPDATE leadqual.lead SET created_at = '2025-12-01' WHERE lead_id = 903$$);
SELECT pg_temp.try($$UPDATE leadqual.lead SET stage_entered_at = NULL WHERE lead_id = 902$$);
SELECT lead_id, created_at, stage_entered_at FROM leadqual.lead WHERE lead_id BETWEEN 901 AND 903 ORDER BY lead_id;

-- An action's at may be up to 1 hour after now() (clock skew), not later
-- (22008).  Far-future moves were accepted, and the lead could not move
-- again before then.  The detail shows now(), so only code and message here.
SELECT pg_temp.try_code($$SELECT leadqual.transition(901, 'mql', at => pg_catalog.now() + interval '2 hours')$$);
SELECT pg_temp.try_code($$SELECT leadqual.transition(901, 'mql', at => '294276-12-31 23:59:59+00')$$);
SELECT pg_temp.try_code($$SELECT leadqual.transition(901, 'mql', at => pg_catalog.now() + interval '30 minutes')$$);
SELECT stage, stage_entered_at > now() AS entered_in_the_future FROM leadqual.lead WHERE lead_id = 901;
-- the sales actions go through the same check
SELECT pg_temp.try_code($$SELECT leadqual.accept(901, 'rep', at => pg_catalog.now() + interval '61 minutes')$$);
SELECT pg_temp.try_code($$SELECT leadqual.accept(901, 'rep', at => pg_catalog.now() + interval '59 minutes')$$);
SELECT stage, owner FROM leadqual.lead WHERE lead_id = 901;
SELECT pg_temp.try_code($$SELECT leadqual.qualify(901, at => 'infinity')$$);
SELECT pg_temp.try_code($$SELECT leadqual.qualify(901, at => pg_catalog.now() + interval '1 year')$$);

-- An event at +/-infinity is refused when inserted, by the column's CHECK
-- (23514); a future finite date is allowed (it counts once its time comes).
SELECT pg_temp.try_code($$INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (902, 'flat', 'infinity')$$);
SELECT pg_temp.try_code($$INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (902, 'flat', '-infinity')$$);
SELECT pg_temp.try_code($$INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (902, 'flat', '294276-12-31 23:59:59+00')$$);
-- not yet counted at 2026-06-01; counted (2 points) at its own time
SELECT leadqual.engagement_score(l.model, e.event_type, e.properties, e.occurred_at, '2026-06-01') AS future_event_now,
       leadqual.engagement_score(l.model, e.event_type, e.properties, e.occurred_at, '294276-12-31 23:59:59+00') AS future_event_then
  FROM leadqual.event e JOIN leadqual.lead l USING (lead_id) WHERE e.lead_id = 902;
