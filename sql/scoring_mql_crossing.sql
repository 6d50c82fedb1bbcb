SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;

-- scoring_mql_crossing: the aggregate mql_crossing(model, fit, event_type,
-- properties, occurred_at) replays one lead's events and returns the first
-- event time at which the lead would have become an MQL (SPEC §3):
--   score = fit + engagement at that instant >= mql_threshold, with the fit
--   letter at least min_fit_grade; or a hand-raise event (whatever the score
--   and fit).  NULL if never.  Scores are evaluated at each event's time,
--   after counting every event of that instant.
--
-- Model mql_t: threshold 20, min_fit_grade C, fit_bands {30,20,10} (so fit 10
-- is C and fit 9 is D), hand-raise type demo_request.  Engagement rules:
-- webinar 8 (half-life 1 day), download 4 (no decay), complaint −16
-- (half-life 1 day).  Events at whole days: exact powers of two.
SET timezone = 'UTC';

INSERT INTO leadqual.scoring_model (name, mql_threshold, min_fit_grade, fit_bands, hand_raise_types)
VALUES ('mql_t', 20, 'C', '{30,20,10}', '{demo_request}');
INSERT INTO leadqual.engagement_rule (rule_id, model, event_type, points, half_life) VALUES
    (501, 'mql_t', 'webinar', 8, '1 day'),
    (502, 'mql_t', 'download', 4, NULL),
    (503, 'mql_t', 'complaint', -16, '1 day');
INSERT INTO leadqual.fit_rule (rule_id, model, field, op, value, points) VALUES
    (511, 'mql_t', 'job_title', 'regex', '"director"', 10);

-- The aggregate runs on any table of events; here, journeys written out.
CREATE TEMP TABLE journey (name text, fit float8, event_type text, properties jsonb, occurred_at timestamptz);
INSERT INTO journey VALUES
    -- j1: webinar Mar 1: 10 + 8 = 18; webinar Mar 3: 10 + 8/4 + 8 = 20 >= 20
    -- (the threshold is inclusive) → Mar 3; the later webinar does not matter
    ('j1-threshold', 10, 'webinar', '{}', '2025-03-01 00:00'),
    ('j1-threshold', 10, 'webinar', '{}', '2025-03-03 00:00'),
    ('j1-threshold', 10, 'webinar', '{}', '2025-03-04 00:00'),
    -- j2: webinar Mar 1: 18; webinar Mar 4: 10 + 8/8 + 8 = 19 < 20 → never, NULL
    ('j2-never', 10, 'webinar', '{}', '2025-03-01 00:00'),
    ('j2-never', 10, 'webinar', '{}', '2025-03-04 00:00'),
    -- j3: fit −50 (D): a download gives −46; the demo request of Mar 6 is a
    -- hand-raise → Mar 6
    ('j3-hand-raise', -50, 'download', '{}', '2025-03-01 00:00'),
    ('j3-hand-raise', -50, 'demo_request', '{}', '2025-03-06 00:00'),
    ('j3-hand-raise', -50, 'download', '{}', '2025-03-07 00:00'),
    -- j4: fit 9 is grade D, below min_fit_grade C: five downloads make
    -- 9 + 20 = 29 >= 20, but the gate holds → NULL
    ('j4-fit-gate', 9, 'download', '{}', '2025-03-01 00:00'),
    ('j4-fit-gate', 9, 'download', '{}', '2025-03-01 00:00'),
    ('j4-fit-gate', 9, 'download', '{}', '2025-03-01 00:00'),
    ('j4-fit-gate', 9, 'download', '{}', '2025-03-01 00:00'),
    ('j4-fit-gate', 9, 'download', '{}', '2025-03-01 00:00'),
    -- j5: the same, then a demo request Mar 2: a hand-raise passes the gate → Mar 2
    ('j5-gate-hand-raise', 9, 'download', '{}', '2025-03-01 00:00'),
    ('j5-gate-hand-raise', 9, 'download', '{}', '2025-03-01 00:00'),
    ('j5-gate-hand-raise', 9, 'download', '{}', '2025-03-01 00:00'),
    ('j5-gate-hand-raise', 9, 'download', '{}', '2025-03-01 00:00'),
    ('j5-gate-hand-raise', 9, 'download', '{}', '2025-03-01 00:00'),
    ('j5-gate-hand-raise', 9, 'demo_request', '{}', '2025-03-02 00:00'),
    -- j6: three downloads at one instant count together: 10 + 12 = 22 → Mar 1 12:00
    ('j6-same-instant', 10, 'download', '{}', '2025-03-01 12:00'),
    ('j6-same-instant', 10, 'download', '{}', '2025-03-01 12:00'),
    ('j6-same-instant', 10, 'download', '{}', '2025-03-01 12:00'),
    -- j7: a decaying negative rule lets the score rise between events.
    -- Mar 1: complaint + 3 downloads: 10 + 12 − 16 = 6; then page views
    -- (no rule, but every event time is a candidate instant):
    -- Mar 2: 10 + 12 − 8 = 14; Mar 3: 10 + 12 − 4 = 18; Mar 4: 10 + 12 − 2 = 20 → Mar 4
    ('j7-negative-decay', 10, 'complaint', '{}', '2025-03-01 00:00'),
    ('j7-negative-decay', 10, 'download', '{}', '2025-03-01 00:00'),
    ('j7-negative-decay', 10, 'download', '{}', '2025-03-01 00:00'),
    ('j7-negative-decay', 10, 'download', '{}', '2025-03-01 00:00'),
    ('j7-negative-decay', 10, 'page_view', '{}', '2025-03-02 00:00'),
    ('j7-negative-decay', 10, 'page_view', '{}', '2025-03-03 00:00'),
    ('j7-negative-decay', 10, 'page_view', '{}', '2025-03-04 00:00'),
    ('j7-negative-decay', 10, 'page_view', '{}', '2025-03-05 00:00'),
    -- j8: fit 30 qualifies on its own, but only event times are candidates:
    -- the first event, Mar 5 → Mar 5
    ('j8-fit-alone', 30, 'page_view', '{}', '2025-03-05 00:00'),
    -- j9: only a row with NULL event columns (a lead without events, through
    -- a LEFT JOIN): no event time → NULL, even with fit 30
    ('j9-no-events', 30, NULL, NULL, NULL);

-- expected: j1 Mar 3, j2 NULL, j3 Mar 6, j4 NULL, j5 Mar 2, j6 Mar 1 12:00,
-- j7 Mar 4, j8 Mar 5, j9 NULL
SELECT name, leadqual.mql_crossing('mql_t', fit, event_type, properties, occurred_at) AS mql_at
  FROM journey
 GROUP BY name
 ORDER BY name;

-- Input order does not matter: j1 and j7 fed newest first give Mar 3 and Mar 4.
SELECT name, leadqual.mql_crossing('mql_t', fit, event_type, properties, occurred_at
                                   ORDER BY occurred_at DESC) AS mql_at
  FROM journey
 WHERE name IN ('j1-threshold', 'j7-negative-decay')
 GROUP BY name
 ORDER BY name;

-- No rows at all: NULL.
SELECT leadqual.mql_crossing('mql_t', fit, event_type, properties, occurred_at) IS NULL AS no_rows
  FROM journey WHERE false;

-- A backtest over leadqual's own tables, fit from fit_score():
--   'Sales Director' (fit 10, C) with j1's webinars → Mar 3;
--   'Student' (fit 0, D) with webinars every day: Mar 1 8, Mar 2 4 + 8 = 12,
--   Mar 3 2 + 4 + 8 = 14, … never 20, and the gate holds anyway; then a
--   demo request on Mar 10 → Mar 10;
--   'Director, no events' → NULL.
INSERT INTO leadqual.lead (external_id, created_at, model, job_title) VALUES
    ('director', '2025-01-01', 'mql_t', 'Sales Director'),
    ('student', '2025-01-01', 'mql_t', 'Student'),
    ('silent-director', '2025-01-01', 'mql_t', 'Director');
INSERT INTO leadqual.event (lead_id, event_type, occurred_at)
SELECT l.lead_id, v.t, v.o::timestamptz
  FROM (VALUES ('director', 'webinar', '2025-03-01 00:00'),
               ('director', 'webinar', '2025-03-03 00:00'),
               ('director', 'webinar', '2025-03-04 00:00'),
               ('student', 'webinar', '2025-03-01 00:00'),
               ('student', 'webinar', '2025-03-02 00:00'),
               ('student', 'webinar', '2025-03-03 00:00'),
               ('student', 'webinar', '2025-03-04 00:00'),
               ('student', 'demo_request', '2025-03-10 00:00')) AS v(ext, t, o)
  JOIN leadqual.lead l ON l.external_id = v.ext;
SELECT l.external_id, f.fit,
       leadqual.mql_crossing('mql_t', f.fit, e.event_type, e.properties, e.occurred_at) AS mql_at
  FROM leadqual.lead l
 CROSS JOIN LATERAL (SELECT leadqual.fit_score(l) AS fit) f
  LEFT JOIN leadqual.event e ON e.lead_id = l.lead_id
 WHERE l.model = 'mql_t'
 GROUP BY l.external_id, f.fit
 ORDER BY 1;


-- Long replays: a rule with a half-life of one hour over 100 days is 2400
-- half-lives, and 2^2400 overflows a double: the replay's forward-decayed
-- sums must move their landmark as they go (model mql_long: threshold 20,
-- min C, ping 8 points, half-life 1 hour; fit 10).
--   r1: pings Jan 1, Apr 11, Apr 11: at Apr 11, 10 + 8 + 8 + 8·2^−2400 (= 0
--       in double precision) = 26 → Apr 11 00:00
--   r2: pings Jan 1, Apr 11, Apr 11 01:00: Apr 11 00:00 gives 18; at 01:00,
--       10 + 8/2 + 8 = 22 → Apr 11 01:00
INSERT INTO leadqual.scoring_model (name, mql_threshold, min_fit_grade, fit_bands, hand_raise_types)
VALUES ('mql_long', 20, 'C', '{30,20,10}', '{}');
INSERT INTO leadqual.engagement_rule (rule_id, model, event_type, points, half_life)
VALUES (521, 'mql_long', 'ping', 8, '1 hour');
SELECT name, leadqual.mql_crossing('mql_long', 10, 'ping', '{}', o) AS mql_at
  FROM (VALUES ('r1', '2025-01-01 00:00'::timestamptz), ('r1', '2025-04-11 00:00'), ('r1', '2025-04-11 00:00'),
               ('r2', '2025-01-01 00:00'), ('r2', '2025-04-11 00:00'), ('r2', '2025-04-11 01:00')) AS v(name, o)
 GROUP BY name
 ORDER BY name;
-- r2's engagement at Apr 11 01:00: 8·2^−2401 (= 0) + 4 + 8 = 12
SELECT leadqual.engagement_score('mql_long', 'ping', '{}', o, '2025-04-11 01:00') AS engagement
  FROM (VALUES ('2025-01-01 00:00'::timestamptz), ('2025-04-11 00:00'), ('2025-04-11 01:00')) AS v(o);

RESET timezone;
