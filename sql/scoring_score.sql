SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;

-- scoring_score: grades, score(), explain_score() and rescore() (SPEC §3).
--   score = fit + engagement;
--   grade = letter by fit against fit_bands (A >= bands[1], B >= bands[2],
--           C >= bands[3], else D), then digit by engagement against
--           engagement_bands (1, 2, 3, else 4);
--   explain_score's contributions add up to score();
--   rescore() stores what score() computes.
-- Live scoring is off here, so that only rescore() writes the stored scores
-- and its return value (leads changed) is known in advance.  The models have
-- a threshold out of reach and no hand-raise types: no lead changes stage.
SET timezone = 'UTC';
SET leadqual.auto_scoring = off;

-- ---------------------------------------------------------------------
-- Grades.  Model grade_t: fit_bands {40,20,10}, engagement_bands {4,2,1}.
-- A lead gets fit v from a rule "attributes.fit eq v" worth v points, and
-- engagement x from one event 'eng' with properties {"v": x} matched by a
-- rule worth x points (no decay).
-- ---------------------------------------------------------------------
INSERT INTO leadqual.scoring_model (name, mql_threshold, hand_raise_types, fit_bands, engagement_bands)
VALUES ('grade_t', 1000, '{}', '{40,20,10}', '{4,2,1}');
INSERT INTO leadqual.fit_rule (rule_id, model, field, op, value, points)
SELECT 300 + n, 'grade_t', 'attributes.fit', 'eq', to_jsonb(v), v
  FROM unnest('{40,39,20,19,10,9,-5}'::float8[]) WITH ORDINALITY AS u(v, n);
INSERT INTO leadqual.engagement_rule (rule_id, model, event_type, properties, points)
SELECT 310 + n, 'grade_t', 'eng', jsonb_build_object('v', x), x
  FROM unnest('{4,3,2,1.5,1,0.5,-1}'::float8[]) WITH ORDINALITY AS u(x, n);

INSERT INTO leadqual.lead (external_id, created_at, model, attributes)
SELECT ext, '2025-01-01', 'grade_t', jsonb_build_object('fit', fit)
  FROM (VALUES ('g01', 40), ('g02', 39), ('g03', 20), ('g04', 19), ('g05', 10),
               ('g06', 9), ('g07', -5), ('g08', 40), ('g09', 9)) AS v(ext, fit);
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties)
SELECT l.lead_id, 'eng', '2025-02-01', jsonb_build_object('v', x)
  FROM (VALUES ('g01', 4), ('g02', 3), ('g03', 2), ('g04', 1.5), ('g05', 1),
               ('g06', 0.5), ('g08', -1), ('g09', 4)) AS v(ext, x)
  JOIN leadqual.lead l ON l.external_id = v.ext;

-- lead  fit  engagement  score  grade
-- g01    40     4          44    A1   both exactly on the first band
-- g02    39     3          42    B2   just below the first bands
-- g03    20     2          22    B2   exactly on the second band
-- g04    19     1.5        20.5  C3
-- g05    10     1          11    C3   exactly on the third band
-- g06     9     0.5         9.5  D4   below every band
-- g07    −5     0 (none)   −5    D4   negative fit, no events
-- g08    40    −1          39    A4   negative engagement
-- g09     9     4          13    D1
SELECT l.external_id, s.*
  FROM leadqual.lead l, leadqual.score(l.lead_id, '2025-03-01') s
 WHERE l.model = 'grade_t'
 ORDER BY 1;

-- ---------------------------------------------------------------------
-- score() and explain_score() on a lead that uses every kind of rule.
-- Model mix_t, T = 2025-03-01 00:00.
-- ---------------------------------------------------------------------
INSERT INTO leadqual.scoring_model (name, mql_threshold, hand_raise_types) VALUES ('mix_t', 1000, '{}');
INSERT INTO leadqual.fit_rule (rule_id, model, field, op, value, points, description) VALUES
    (401, 'mix_t', 'job_title', 'regex', '"director"', 20, 'director'),
    (402, 'mix_t', 'company_size', 'range', '[50, null]', 10, '50+ employees'),
    (403, 'mix_t', 'email', 'regex', '"@gmail\\."', -15, 'free e-mail'),
    (404, 'mix_t', 'industry', 'eq', '"retail"', 7, 'retail');
INSERT INTO leadqual.engagement_rule
       (rule_id, model, event_type, properties, points, half_life, max_points, min_count, within, description) VALUES
    (411, 'mix_t', 'webinar',     NULL,                  8, '1 day',  NULL, 1, NULL,     'webinar'),
    (412, 'mix_t', 'download',    NULL,                  5, NULL,     12,   1, NULL,     'download, capped'),
    (413, 'mix_t', 'visit',       NULL,                 10, NULL,     NULL, 2, '7 days', '2 visits in a week'),
    (414, 'mix_t', 'visit',       NULL,                 15, NULL,     NULL, 2, '1 day',  '2 visits in a day'),
    (415, 'mix_t', 'unsubscribe', NULL,                -10, '2 days', NULL, 1, NULL,     'unsubscribe'),
    (416, 'mix_t', 'page_view',   '{"page": "pricing"}', 3, '3 days', NULL, 1, NULL,     'pricing page'),
    (417, 'mix_t', 'email_open',  NULL,                  1, NULL,     NULL, 1, NULL,     'e-mail open');

INSERT INTO leadqual.lead (external_id, created_at, model, job_title, company_size, email, industry) VALUES
    ('m01', '2025-01-01', 'mix_t', 'Marketing Director', 120, 'kim@gmail.com', 'software'),
    ('m02', '2025-01-01', 'mix_t', 'Intern', 5, NULL, NULL);
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties)
SELECT l.lead_id, v.t, v.o::timestamptz, v.p::jsonb
  FROM (VALUES ('webinar', '2025-02-28 00:00', '{}'),
               ('webinar', '2025-02-27 12:00', '{}'),
               ('download', '2025-02-10 00:00', '{}'),
               ('download', '2025-02-10 00:00', '{}'),
               ('download', '2025-02-10 00:00', '{}'),
               ('visit', '2025-02-28 00:00', '{}'),
               ('visit', '2025-02-27 00:00', '{}'),
               ('unsubscribe', '2025-02-28 00:00', '{}'),
               ('page_view', '2025-02-28 00:00', '{"page": "pricing"}'),
               ('tweet', '2025-02-28 00:00', '{}')) AS v(t, o, p)
  JOIN leadqual.lead l ON l.external_id = 'm01';

-- m01's ledger, in rule order:
--   fit 401 'Marketing Director' ~* director          20
--   fit 402 120 in [50, ∞)                           10
--   fit 403 kim@gmail.com                           −15   (404: no row, industry is software)
--   411 webinars 1 and 1.5 days old: 8/2 + 8·2^−1.5 = 4 + 2√2   = 6.828427125
--   412 three downloads: 15, capped                                12
--   413 visits Feb 27 and 28 in (Feb 22, Mar 1]: 2 >= 2            10
--   414 window (Feb 28 00:00, Mar 1]: Feb 28 00:00 is exactly one
--       day old, outside; 0 visits inside                           0  (matched 2)
--   415 unsubscribe 1 day old, half-life 2 days: −10·2^−½ = −7.071067812
--   416 pricing page 1 day old, half-life 3 days: 3·2^−⅓   =  2.381101578
--   (417: no e-mail opens, no row; 'tweet' matches no rule)
SELECT x.kind, x.rule_id, x.description, x.matched_events, round(x.contribution::numeric, 9) AS contribution
  FROM leadqual.lead l, leadqual.explain_score(l.lead_id, '2025-03-01') x
 WHERE l.external_id = 'm01'
 ORDER BY x.kind DESC, x.rule_id;

-- score(): fit 20 + 10 − 15 = 15;
-- engagement 6.828427125 + 12 + 10 + 0 − 7.071067812 + 2.381101578 = 24.138460891;
-- score 39.138460891; grade: fit 15 < 25 → D, engagement 24.1 < 25 → 4: D4
SELECT round(s.fit_score::numeric, 9) AS fit_score,
       round(s.engagement_score::numeric, 9) AS engagement_score,
       round(s.score::numeric, 9) AS score, s.grade
  FROM leadqual.lead l, leadqual.score(l.lead_id, '2025-03-01') s
 WHERE l.external_id = 'm01';

-- The ledger adds up to score(): fit rows to fit_score, engagement rows to
-- engagement_score, all rows to score (to 1e-9), for m01 at T and a day
-- later, and for every lead of this file at T (a lead without rows scores 0).
SELECT a.as_of,
       abs(sum(x.contribution) FILTER (WHERE x.kind = 'fit') - s.fit_score) < 1e-9 AS fit_adds_up,
       abs(sum(x.contribution) FILTER (WHERE x.kind = 'engagement') - s.engagement_score) < 1e-9
           AS engagement_adds_up,
       abs(sum(x.contribution) - s.score) < 1e-9 AS score_adds_up
  FROM leadqual.lead l
 CROSS JOIN (VALUES ('2025-03-01'::timestamptz), ('2025-03-02')) AS a(as_of)
 CROSS JOIN LATERAL leadqual.score(l.lead_id, a.as_of) s
 CROSS JOIN LATERAL leadqual.explain_score(l.lead_id, a.as_of) x
 WHERE l.external_id = 'm01'
 GROUP BY a.as_of, s.fit_score, s.engagement_score, s.score
 ORDER BY 1;
SELECT count(*) AS leads,
       count(*) FILTER (WHERE abs(coalesce(x.total, 0) - s.score) < 1e-9) AS adding_up
  FROM leadqual.lead l
 CROSS JOIN LATERAL leadqual.score(l.lead_id, '2025-03-01') s
 CROSS JOIN LATERAL (SELECT sum(contribution) AS total
                       FROM leadqual.explain_score(l.lead_id, '2025-03-01')) x;

-- m02 matches no fit rule and has no events: an empty ledger, score 0, D4;
-- the default as_of (now()) and model (the lead's own) give the same.
SELECT count(*) AS ledger_rows
  FROM leadqual.lead l, leadqual.explain_score(l.lead_id, '2025-03-01') x
 WHERE l.external_id = 'm02';
SELECT s.* FROM leadqual.lead l, leadqual.score(l.lead_id) s WHERE l.external_id = 'm02';

-- Another model's rules on the same lead: under grade_t, m01 has no
-- attributes.fit (fit 0) and no 'eng' events (engagement 0) → 0, D4; and
-- its ledger is empty.
SELECT s.* FROM leadqual.lead l, leadqual.score(l.lead_id, '2025-03-01', 'grade_t') s
 WHERE l.external_id = 'm01';
SELECT count(*) AS ledger_rows
  FROM leadqual.lead l, leadqual.explain_score(l.lead_id, '2025-03-01', 'grade_t') x
 WHERE l.external_id = 'm01';

-- ---------------------------------------------------------------------
-- rescore(as_of, model) stores what score() computes, and returns how many
-- leads changed.
-- ---------------------------------------------------------------------
-- Nothing is stored yet (live scoring is off): all 11 leads change.
SELECT count(*) AS leads, count(*) FILTER (WHERE score IS NULL) AS unscored FROM leadqual.lead;
SELECT leadqual.rescore('2025-03-01') AS changed;

-- The stored columns equal score() at the as-of time: no lead differs.
SELECT count(*) AS differing
  FROM leadqual.lead l, leadqual.score(l.lead_id, '2025-03-01') s
 WHERE abs(l.fit_score - s.fit_score) >= 1e-9
    OR abs(l.engagement_score - s.engagement_score) >= 1e-9
    OR abs(l.score - s.score) >= 1e-9
    OR l.grade IS DISTINCT FROM s.grade
    OR l.scored_at IS DISTINCT FROM '2025-03-01'::timestamptz;
-- e.g. g04 (19 + 1.5, C3) and m01 (the values above)
SELECT external_id, round(fit_score::numeric, 9) AS fit_score,
       round(engagement_score::numeric, 9) AS engagement_score,
       round(score::numeric, 9) AS score, grade, scored_at, stage
  FROM leadqual.lead WHERE external_id IN ('g04', 'm01') ORDER BY 1;

-- Again at the same time: nothing changes → 0.
SELECT leadqual.rescore('2025-03-01') AS changed;

-- A day later, model mix_t only: m01's decaying rules move, m02 (all zero)
-- does not, and grade_t's leads are not touched → 1.
SELECT leadqual.rescore('2025-03-02', 'mix_t') AS changed;
-- m01 at Mar 2: webinars 8·2^−2 + 8·2^−2.5 = 2 + √2 = 3.414213562;
-- downloads 12; 413: both visits in (Feb 23, Mar 2] → 10; 414: 0;
-- unsubscribe 2 days old, half-life 2 days → −5; pricing page 2 days old,
-- half-life 3 days → 3·2^−⅔ = 1.889881575;
-- engagement 3.414213562 + 12 + 10 − 5 + 1.889881575 = 22.304095137;
-- score 15 + 22.304095137 = 37.304095137, D4.  Only m01 has the new scored_at.
SELECT external_id, round(engagement_score::numeric, 9) AS engagement_score,
       round(score::numeric, 9) AS score, grade, scored_at
  FROM leadqual.lead WHERE external_id IN ('g01', 'm01', 'm02') ORDER BY 1;
SELECT count(*) AS differing
  FROM leadqual.lead l, leadqual.score(l.lead_id, '2025-03-02') s
 WHERE l.model = 'mix_t'
   AND (abs(l.score - s.score) >= 1e-9 OR l.grade IS DISTINCT FROM s.grade);

RESET leadqual.auto_scoring;
RESET timezone;
