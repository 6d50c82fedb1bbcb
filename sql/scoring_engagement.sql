SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;

-- scoring_engagement: engagement rules (SPEC §3).  At the as-of time T,
-- counting only events with occurred_at <= T, a rule contributes
--   plain rule:      Σ points · 2^(−(T − occurred_at) / half_life)
--                    (factor 1 without half_life)
--   frequency rule:  points if at least min_count matching events have
--                    T − within < occurred_at <= T, else 0 (no decay)
--   cap:             sign · min(|contribution|, max_points)
-- and engagement = Σ contributions.  An event matches a rule when its
-- event_type equals the rule's and, if the rule has properties,
-- event.properties @> rule.properties.
--
-- Every case below is one lead of model eng_t, scored at
-- T = 2025-03-01 00:00 UTC.  Half-lives of one day and events at whole days
-- make every decay factor a power of two, so the values are exact.
SET timezone = 'UTC';

INSERT INTO leadqual.scoring_model (name) VALUES ('eng_t');
INSERT INTO leadqual.engagement_rule
       (rule_id, model, event_type, properties, points, half_life, max_points, min_count, within, description) VALUES
    (201, 'eng_t', 'webinar',     NULL,                 8, '1 day', NULL, 1, NULL,     'decays: half-life 1 day'),
    (202, 'eng_t', 'download',    NULL,                 5, NULL,    NULL, 1, NULL,     'no decay'),
    (203, 'eng_t', 'click',       NULL,                 4, '1 day', 6,    1, NULL,     'decays, capped at 6'),
    (204, 'eng_t', 'unsubscribe', NULL,               -10, NULL,    15,   1, NULL,     'negative, capped at 15'),
    (205, 'eng_t', 'visit',       NULL,                10, NULL,    NULL, 3, '7 days', '3+ visits within 7 days'),
    (206, 'eng_t', 'page_view',   '{"page": "pricing"}', 6, NULL,   NULL, 1, NULL,     'pricing page'),
    (207, 'eng_t', 'page_view',   NULL,                 1, NULL,    NULL, 1, NULL,     'any page'),
    (208, 'eng_t', 'complaint',   NULL,                -8, '1 day', NULL, 1, NULL,     'negative, decays'),
    (209, 'eng_t', 'trial',       NULL,                12, NULL,    NULL, 1, '2 days', 'a trial within 2 days');

INSERT INTO leadqual.lead (external_id, created_at, model)
SELECT x, '2025-01-01', 'eng_t'
  FROM unnest(ARRAY['e01-decay', 'e02-half-life', 'e03-half-of-half-life', 'e04-no-decay',
                    'e05-cap', 'e06-under-cap', 'e07-negative-cap', 'e08-negative',
                    'e09-negative-decay', 'e10-frequency', 'e11-frequency-edge',
                    'e12-frequency-too-few', 'e13-window-min-1', 'e14-window-min-1-edge',
                    'e15-properties', 'e16-future', 'e17-other-types', 'e18-empty']) AS x;

INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties)
SELECT l.lead_id, v.event_type, v.occurred_at::timestamptz, v.properties::jsonb
  FROM (VALUES
    -- e01: webinars 0, 1, 2, 3 days old: 8 + 4 + 2 + 1 = 15
    ('e01-decay', 'webinar', '2025-03-01 00:00', '{}'),
    ('e01-decay', 'webinar', '2025-02-28 00:00', '{}'),
    ('e01-decay', 'webinar', '2025-02-27 00:00', '{}'),
    ('e01-decay', 'webinar', '2025-02-26 00:00', '{}'),
    -- e02: a webinar exactly one half-life old counts half: 8 / 2 = 4
    ('e02-half-life', 'webinar', '2025-02-28 00:00', '{}'),
    -- e03: 12 hours old, half a half-life: 8 · 2^−½ = 4√2 = 5.656854249…
    ('e03-half-of-half-life', 'webinar', '2025-02-28 12:00', '{}'),
    -- e04: no half_life, no decay: a year-old download counts in full: 5 + 5 = 10
    ('e04-no-decay', 'download', '2024-03-01 00:00', '{}'),
    ('e04-no-decay', 'download', '2025-03-01 00:00', '{}'),
    -- e05: three clicks now: 3 · 4 = 12, capped at 6
    ('e05-cap', 'click', '2025-03-01 00:00', '{}'),
    ('e05-cap', 'click', '2025-03-01 00:00', '{}'),
    ('e05-cap', 'click', '2025-03-01 00:00', '{}'),
    -- e06: clicks 1 and 2 days old: 2 + 1 = 3, under the cap
    ('e06-under-cap', 'click', '2025-02-28 00:00', '{}'),
    ('e06-under-cap', 'click', '2025-02-27 00:00', '{}'),
    -- e07: two unsubscribes: −20, capped at −15 (sign · min(20, 15))
    ('e07-negative-cap', 'unsubscribe', '2025-02-01 00:00', '{}'),
    ('e07-negative-cap', 'unsubscribe', '2025-02-15 00:00', '{}'),
    -- e08: one unsubscribe: −10, under the cap
    ('e08-negative', 'unsubscribe', '2025-02-15 00:00', '{}'),
    -- e09: a complaint 2 days old: −8 / 4 = −2
    ('e09-negative-decay', 'complaint', '2025-02-27 00:00', '{}'),
    -- e10: 3 visits in (Feb 22 00:00, Mar 1 00:00], the oldest one second
    -- inside the window: min_count 3 reached → 10
    ('e10-frequency', 'visit', '2025-03-01 00:00', '{}'),
    ('e10-frequency', 'visit', '2025-02-26 00:00', '{}'),
    ('e10-frequency', 'visit', '2025-02-22 00:00:01', '{}'),
    -- e11: the same, but the oldest visit is exactly 7 days old: outside the
    -- window (lower bound exclusive), 2 visits inside → 0
    ('e11-frequency-edge', 'visit', '2025-03-01 00:00', '{}'),
    ('e11-frequency-edge', 'visit', '2025-02-26 00:00', '{}'),
    ('e11-frequency-edge', 'visit', '2025-02-22 00:00', '{}'),
    -- e12: 2 visits inside; the third is one second after T and does not
    -- count → 0
    ('e12-frequency-too-few', 'visit', '2025-02-28 00:00', '{}'),
    ('e12-frequency-too-few', 'visit', '2025-02-27 00:00', '{}'),
    ('e12-frequency-too-few', 'visit', '2025-03-01 00:00:01', '{}'),
    -- e13: a trial 1 day old, inside the 2-day window (min_count 1) → 12
    ('e13-window-min-1', 'trial', '2025-02-28 00:00', '{}'),
    -- e14: a trial exactly 2 days old: outside → 0
    ('e14-window-min-1-edge', 'trial', '2025-02-27 00:00', '{}'),
    -- e15: page views: rule 206 needs properties @> {"page": "pricing"},
    -- rule 207 takes any page view.  pricing + utm: 6 + 1; home: 1;
    -- "Pricing" (containment is exact, case-sensitive): 1; no properties: 1
    -- → 7 + 1 + 1 + 1 = 10
    ('e15-properties', 'page_view', '2025-02-20 00:00', '{"page": "pricing", "utm": "ads"}'),
    ('e15-properties', 'page_view', '2025-02-20 00:00', '{"page": "home"}'),
    ('e15-properties', 'page_view', '2025-02-20 00:00', '{"page": "Pricing"}'),
    ('e15-properties', 'page_view', '2025-02-20 00:00', '{}'),
    -- e16: a webinar at T counts 8; one a second after T is ignored → 8
    ('e16-future', 'webinar', '2025-03-01 00:00', '{}'),
    ('e16-future', 'webinar', '2025-03-01 00:00:01', '{}'),
    -- e17: event types no rule names (types compare exactly) → 0
    ('e17-other-types', 'tweet', '2025-03-01 00:00', '{}'),
    ('e17-other-types', 'WEBINAR', '2025-03-01 00:00', '{}')
    -- e18: no events at all → 0
  ) AS v(external_id, event_type, occurred_at, properties)
  JOIN leadqual.lead l USING (external_id);

-- The aggregate, grouped by lead, and score() for each lead agree with the
-- values above.  The LEFT JOIN gives the lead without events (e18) one row
-- with NULL event columns, which the aggregate skips: engagement 0.
-- (Rounded to 9 decimals for e03; every other value is exact.)
-- expected: e01 15, e02 4, e03 5.656854249, e04 10, e05 6, e06 3, e07 −15,
-- e08 −10, e09 −2, e10 10, e11 0, e12 0, e13 12, e14 0, e15 10, e16 8,
-- e17 0, e18 0
SELECT l.external_id,
       round(leadqual.engagement_score('eng_t', e.event_type, e.properties, e.occurred_at,
                                       '2025-03-01 00:00')::numeric, 9)::float8 AS aggregate,
       round((leadqual.score(l.lead_id, '2025-03-01 00:00')).engagement_score::numeric, 9)::float8
           AS score_fn
  FROM leadqual.lead l LEFT JOIN leadqual.event e USING (lead_id)
 GROUP BY l.lead_id, l.external_id
 ORDER BY l.external_id;

-- The per-rule ledger of a few of them (explain_score): matched_events counts
-- every matching event up to T, contribution is after window and cap.
-- e05: rule 203, 3 clicks, 12 capped → 6
-- e07: rule 204, 2 unsubscribes, −20 capped → −15
-- e11: rule 205, 3 visits matched but only 2 in the window → 0
-- e15: rule 206 matched by 1 event → 6; rule 207 by 4 → 4
SELECT l.external_id, x.rule_id, x.matched_events, x.contribution
  FROM leadqual.lead l, leadqual.explain_score(l.lead_id, '2025-03-01 00:00') x
 WHERE l.external_id IN ('e05-cap', 'e07-negative-cap', 'e11-frequency-edge', 'e15-properties')
 ORDER BY 1, 2;

-- as_of moves the clock.  e01's webinars (Feb 26, 27, 28, Mar 1):
--   at Mar 2:        every term halves: 4 + 2 + 1 + 0.5 = 7.5
--   at Feb 27:       Feb 28 and Mar 1 are in the future; 8 + 4 = 12
--   at Feb 25 23:59: no event yet → 0
SELECT a.as_of,
       leadqual.engagement_score('eng_t', e.event_type, e.properties, e.occurred_at, a.as_of)
  FROM (VALUES ('2025-03-02 00:00'::timestamptz), ('2025-02-27 00:00'), ('2025-02-25 23:59')) a(as_of)
  JOIN leadqual.lead l ON l.external_id = 'e01-decay'
  JOIN leadqual.event e USING (lead_id)
 GROUP BY a.as_of
 ORDER BY a.as_of;

-- The aggregate works on any table of events, e.g. an analyst's own:
--   page_view with NULL properties: rule 206 needs properties → no; 207 → 1
--   webinar 1 day old → 4
--   a row with NULL event_type, and one with NULL occurred_at: skipped
-- → 5
SELECT leadqual.engagement_score('eng_t', t, p::jsonb, o::timestamptz, '2025-03-01 00:00') AS own_table
  FROM (VALUES ('page_view', NULL, '2025-03-01 00:00'),
               ('webinar', '{}', '2025-02-28 00:00'),
               (NULL, '{}', '2025-03-01 00:00'),
               ('download', '{}', NULL)) AS v(t, p, o);

-- No rows at all: engagement 0.
SELECT leadqual.engagement_score('eng_t', event_type, properties, occurred_at, '2025-03-01 00:00') AS no_rows
  FROM leadqual.event WHERE false;

RESET timezone;

-- Property filters of every JSON kind.  Rules whose properties are an object
-- of scalars are matched key by key; nested ones by jsonb containment; both
-- must agree with @>.  Points are powers of two, so the sum says which
-- rules matched: 1 {"n": 2}, 2 {"b": true}, 4 {"x": null},
-- 8 {"tags": ["a"]}, 16 {"o": {"k": "v"}}, 32 {"n": 2, "b": true}.
INSERT INTO leadqual.scoring_model (name) VALUES ('props');
INSERT INTO leadqual.engagement_rule (model, event_type, properties, points) VALUES
    ('props', 'p', '{"n": 2}', 1), ('props', 'p', '{"b": true}', 2),
    ('props', 'p', '{"x": null}', 4), ('props', 'p', '{"tags": ["a"]}', 8),
    ('props', 'p', '{"o": {"k": "v"}}', 16), ('props', 'p', '{"n": 2, "b": true}', 32);
-- expected: n2.0 → 1 (2.0 = 2 as numbers); n"2" → 0 (a string is not a
-- number); b+n → 1+2+32 = 35; x null → 4; tags ["b","a"] → 8; o {k:v,z:1}
-- → 16; o {k:w} → 0; a top-level array → 0; b false → 0
SELECT v.ev,
       leadqual.engagement_score('props', 'p', v.props::jsonb, '2025-01-01', '2025-01-02') AS engagement,
       (SELECT sum(r.points) FROM leadqual.engagement_rule r
         WHERE r.model = 'props' AND v.props::jsonb @> r.properties) AS by_containment
  FROM (VALUES ('e1 n 2.0', '{"n": 2.0}'), ('e2 n "2"', '{"n": "2"}'),
               ('e3 b and n', '{"b": true, "n": 2}'), ('e4 x null', '{"x": null}'),
               ('e5 tags', '{"tags": ["b", "a"]}'), ('e6 o k v', '{"o": {"k": "v", "z": 1}}'),
               ('e7 o k w', '{"o": {"k": "w"}}'), ('e8 array', '[]'),
               ('e9 b false', '{"b": false}')) AS v(ev, props)
 GROUP BY v.ev, v.props ORDER BY v.ev;
