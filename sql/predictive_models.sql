-- predictive_models: lead-table predictive models (SPEC §8).  A hand-built
-- CRM history of 13 leads whose snapshots, features, labels, hold-out,
-- fit and metrics are worked out by hand in the comments; predict and
-- explain_prediction; the validation of predictive_model and every error
-- with its SQLSTATE; the shipped default model and lead_status /
-- score_calibration.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;
-- the stages come from stage_history rows written here, not from actions:
-- live scoring (automatic moves) is off
SET leadqual.auto_scoring = off;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET extra_float_digits = 0;
\pset null '(null)'

\i sql/include/try.sql

-- scoring model pm: undecayed points, so engagement is exact: 5 per visit,
-- 40 per demo; fit 20 for a vp
INSERT INTO leadqual.scoring_model (name, mql_threshold, hand_raise_types) VALUES ('pm', 1000, '{demo}');
INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('pm', 'job_title', 'regex', '"(^|[^a-z])vp([^a-z]|$)"', 20);
INSERT INTO leadqual.engagement_rule (model, event_type, points) VALUES ('pm', 'visit', 5), ('pm', 'demo', 40);

-- leads 1-5 channel a, 6-9 channel b, 10-11 no channel; 12 (a) reached mql
-- recently, 13 never
INSERT INTO leadqual.lead (lead_id, external_id, created_at, email, job_title, company_size, source_channel, attributes, model) VALUES
    (1, 'p1', '2025-01-01', 'x@Corp.EXAMPLE', 'VP Sales', 1200, 'a', '{"seats": 12, "plan": "pro"}', 'pm'),
    (2, 'p2', '2025-01-01', 'y@gmail.com', 'Marketing Intern', 5, 'a', '{"seats": 3, "plan": "free"}', 'pm'),
    (3, 'p3', '2025-01-01', 'z@gmail.com', 'Co-Founder & CEO', 49, 'a', '{"seats": true}', 'pm'),
    (4, 'p4', '2025-01-01', NULL, 'Team Lead', 50, 'a', '{"plan": "pro", "seats": null}', 'pm'),
    (5, 'p5', '2025-01-01', NULL, 'Analyst', 999, 'a', '{}', 'pm'),
    (6, 'p6', '2025-01-01', NULL, 'vp', 1000, 'b', '{}', 'pm'),
    (7, 'p7', '2025-01-01', NULL, NULL, NULL, 'b', '{}', 'pm'),
    (8, 'p8', '2025-01-01', NULL, NULL, NULL, 'b', '{}', 'pm'),
    (9, 'p9', '2025-01-01', NULL, NULL, NULL, 'b', '{}', 'pm'),
    (10, 'p10', '2025-01-01', NULL, NULL, NULL, NULL, '{}', 'pm'),
    (11, 'p11', '2025-01-01', NULL, NULL, NULL, NULL, '{}', 'pm'),
    (12, 'p12', '2025-01-01', NULL, NULL, NULL, 'a', '{}', 'pm'),
    (13, 'p13', '2025-01-01', NULL, NULL, NULL, NULL, '{}', 'pm');
INSERT INTO leadqual.stage_history (lead_id, from_stage, to_stage, changed_at, actor) VALUES
    -- 1, 2: won 19 and 24 days after the first mql entry
    (1, 'inquiry', 'mql', '2025-02-01', 'system'), (1, 'mql', 'sal', '2025-02-03', 'sales'),
    (1, 'sal', 'sql', '2025-02-05', 'sales'), (1, 'sql', 'opportunity', '2025-02-10', 'sales'),
    (1, 'opportunity', 'won', '2025-02-20', 'sales'),
    (2, 'inquiry', 'mql', '2025-02-01', 'system'), (2, 'mql', 'opportunity', '2025-02-10', 'sales'),
    (2, 'opportunity', 'won', '2025-02-25', 'sales'),
    -- 3: sal and sql skipped on the way to won (19 days)
    (3, 'inquiry', 'mql', '2025-03-01', 'system'), (3, 'mql', 'opportunity', '2025-03-10', 'sales'),
    (3, 'opportunity', 'won', '2025-03-20', 'sales'),
    -- 4: disqualified
    (4, 'inquiry', 'mql', '2025-03-01', 'system'), (4, 'mql', 'sal', '2025-03-02', 'sales'),
    (4, 'sal', 'disqualified', '2025-03-03', 'sales'),
    -- 5: won 61 days after its first mql entry, past the 30-day horizon
    (5, 'inquiry', 'mql', '2025-04-01', 'system'), (5, 'mql', 'opportunity', '2025-04-20', 'sales'),
    (5, 'opportunity', 'won', '2025-06-01', 'sales'),
    -- 6: won in 9 days
    (6, 'inquiry', 'mql', '2025-04-01', 'system'), (6, 'mql', 'sal', '2025-04-02', 'sales'),
    (6, 'sal', 'sql', '2025-04-03', 'sales'), (6, 'sql', 'opportunity', '2025-04-04', 'sales'),
    (6, 'opportunity', 'won', '2025-04-10', 'sales'),
    -- 7: recycled
    (7, 'inquiry', 'mql', '2025-04-01', 'system'), (7, 'mql', 'nurture', '2025-04-05', 'sales'),
    -- 8: recycled, mql again on 06-01 and won on 06-10: the snapshot is the
    -- first entry (05-01), 40 days before the win: negative
    (8, 'inquiry', 'mql', '2025-05-01', 'system'), (8, 'mql', 'nurture', '2025-05-03', 'sales'),
    (8, 'nurture', 'mql', '2025-06-01', 'system'), (8, 'mql', 'opportunity', '2025-06-02', 'sales'),
    (8, 'opportunity', 'won', '2025-06-10', 'sales'),
    -- 9: sales-sourced, entered at sal (mql skipped: reached then), lost
    (9, 'inquiry', 'sal', '2025-05-01', 'sales'), (9, 'sal', 'sql', '2025-05-02', 'sales'),
    (9, 'sql', 'opportunity', '2025-05-03', 'sales'), (9, 'opportunity', 'lost', '2025-05-20', 'sales'),
    -- 10: won in 14 days; 11: still in mql
    (10, 'inquiry', 'mql', '2025-06-01', 'system'), (10, 'mql', 'opportunity', '2025-06-04', 'sales'),
    (10, 'opportunity', 'won', '2025-06-15', 'sales'),
    (11, 'inquiry', 'mql', '2025-06-01', 'system'),
    -- 12: mql on 12-15, less than the horizon before as_of 12-31
    (12, 'inquiry', 'mql', '2025-12-15', 'system');
INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES
    -- lead 1: visits before, at and after its snapshot (02-01), a demo after
    (1, 'visit', '2025-01-20'), (1, 'visit', '2025-02-01'), (1, 'visit', '2025-02-02'), (1, 'demo', '2025-03-01'),
    (2, 'visit', '2025-01-10'),
    (12, 'visit', '2025-12-10'), (12, 'visit', '2025-12-20'),
    -- lead 13 has no snapshot: at as_of 12-31 two visits count, the 2026 one not
    (13, 'visit', '2025-06-01'), (13, 'visit', '2025-12-30'), (13, 'visit', '2026-01-05');

-- ---------------------------------------------------------------------
-- Snapshots and features (no leakage)
-- ---------------------------------------------------------------------
-- snapshot = first entry into mql or a later waterfall stage; lead 8's is
-- its first mql entry (05-01), lead 9's its entry at sal (05-01), lead 13
-- has none (as_of), lead 12's is 12-15 (as_of is later).  Lead 1 at 02-01:
-- 2 visits (01-20, and 02-01 itself), not the 02-02 visit nor the demo:
-- engagement 2 x 5 = 10, as score() at the snapshot says; fit 20 (vp);
-- seniority vp_director (VP), 1200 employees: band 1000+, company_size
-- 1200; attributes.seats 12 (a number), plan 'pro'; e-mail domain
-- lower-cased.  Lead 3: seats true is a number 1 (and category 'true'),
-- 'Co-Founder & CEO' is c_level, 49 is 10-49.  Lead 13 at 12-31: 2 visits,
-- engagement 10, no title, size, attributes or e-mail.
SELECT o.lead_id, o.mql_at, o.snapshot_at, o.feature, o.num, o.cat
  FROM leadqual.predictive_observations('{events.visit,events.demo,engagement_score,fit_score,seniority,company_size,company_size_band,attributes.seats,attributes.plan,email_domain}',
                                        '2025-12-31') o
 WHERE o.lead_id IN (1, 3, 13)
 ORDER BY o.lead_id, o.feature;
SELECT (leadqual.score(1, '2025-02-01')).engagement_score AS score_at_snapshot_1,
       (leadqual.score(13, '2025-12-31')).engagement_score AS score_at_as_of_13;
-- every lead's snapshot
SELECT o.lead_id, o.mql_at, o.snapshot_at
  FROM leadqual.predictive_observations('{fit_score}', '2025-12-31') o ORDER BY 1;
-- seniority from the title (whole words, case-insensitive, student first),
-- and the company-size bands at their edges
SELECT t.title, o.cat AS seniority
  FROM (VALUES (1, 'VP Sales'), (2, 'Marketing Intern'), (3, 'Co-Founder & CEO'), (4, 'Team Lead'),
               (5, 'Analyst'), (6, 'vp'), (7, NULL)) t(lead_id, title)
  JOIN leadqual.predictive_observations('{seniority}', '2025-12-31') o USING (lead_id)
 ORDER BY t.lead_id;
SELECT l.company_size, o.cat AS band
  FROM leadqual.lead l JOIN leadqual.predictive_observations('{company_size_band}', '2025-12-31') o USING (lead_id)
 WHERE l.lead_id <= 7 ORDER BY l.lead_id;

-- ---------------------------------------------------------------------
-- A model whose fit is known in closed form
-- ---------------------------------------------------------------------
-- model hand: source_channel alone, won within 30 days, no penalty.  With
-- as_of 12-31 the training leads are those with a snapshot on or before
-- 12-01: 1-11 (12 is too recent, 13 has none).  Labels (won within 30
-- days of the snapshot): a = {1 yes, 2 yes, 3 yes, 4 no, 5 no (61 days)},
-- b = {6 yes, 7 no, 8 no (40 days after its first entry), 9 no (lost)},
-- none = {10 yes, 11 no}.  The one-hot columns source_channel=a (5 leads)
-- and =b (4) with the intercept make a saturated model, whose maximum
-- likelihood fits each group's rate: intercept = logit(1/2) = 0,
-- a: logit(3/5) - 0 = ln(3/2) = 0.4054651081, b: logit(1/4) = -ln 3 =
-- -1.0986122887.  holdout 0: no metrics.
INSERT INTO leadqual.predictive_model (name, outcome, horizon, features, l2)
VALUES ('hand', 'won', '30 days', '{source_channel}', 0);
SELECT metric, round(value::numeric, 10) AS value FROM leadqual.train_predictive('hand', '2025-12-31', 0);
SELECT feature_names, (fit).converged, (fit).rows,
       ARRAY(SELECT round(c::numeric, 10) FROM unnest((fit).coefficients) c) AS coefficients,
       metrics->'rows' AS rows, metrics->'positives' AS positives, metrics->'min_support' AS min_support,
       trained_at IS NOT NULL AS trained, builtin
  FROM leadqual.predictive_model WHERE name = 'hand';
-- predict: a lead of channel a 3/5, b 1/4, none 1/2, whatever its
-- snapshot (12: recent; 13: none)
SELECT l.lead_id, l.source_channel, round(leadqual.predict(l.lead_id, 'hand', '2025-12-31')::numeric, 10) AS p
  FROM leadqual.lead l WHERE l.lead_id IN (1, 6, 10, 12, 13) ORDER BY 1;
-- explain_prediction of lead 6 (channel b): intercept 0, a 0 x ln(3/2),
-- b 1 x -ln 3; they sum to logit(1/4) = -ln 3
SELECT feature, value, round(contribution::numeric, 10) AS contribution
  FROM leadqual.explain_prediction(6, 'hand', '2025-12-31');
-- predictions(): every lead in one pass, as predict() gives it
SELECT count(*) AS leads,
       count(*) FILTER (WHERE p.probability IS DISTINCT FROM leadqual.predict(p.lead_id, 'hand', '2025-12-31')) AS differ
  FROM leadqual.predictions('hand', '2025-12-31') p;

-- ---------------------------------------------------------------------
-- The hold-out
-- ---------------------------------------------------------------------
-- key(lead, seed) = ((lead * 2654435761 + seed * 2246822519) mod 2^32) / 2^32.
-- By hand for seed 7 (seed * 2246822519 = 15727757633):
--   lead 1: 2654435761 + 15727757633 = 18382193394 = 4 * 2^32 + 1202324210 -> 0.27993792
--   lead 4: 10617743044 + 15727757633 = 26345500677 = 6 * 2^32 + 575697901 -> 0.13403988
--   lead 9: 23889921849 + 15727757633 = 39617679482 = 9 * 2^32 + 962973818 -> 0.22420981
-- and every other lead of 1-11 is at 0.37 or more: holdout 0.3 keeps 1, 4
-- and 9 aside.
SELECT lead_id, round(leadqual.predictive_holdout_key(lead_id, 7)::numeric, 8) AS key
  FROM generate_series(1, 11) lead_id ORDER BY 1;
-- Trained on the other 8 (a = {2 y, 3 y, 5 n}: 2/3, b = {6 y, 7 n, 8 n}:
-- 1/3, none = {10 y, 11 n}: 1/2; positives 4): intercept 0, a ln 2 =
-- 0.6931471806, b -ln 2.  Held out: 1 (a, won, p 2/3), 4 (a, not, p 2/3),
-- 9 (b, not, p 1/3).  AUC: pairs (1, 4) tie: 1/2, (1, 9): 1; (1/2 + 1)/2
-- = 0.75.  Log loss: (-ln 2/3 - ln 1/3 - ln 2/3)/3 = (2 ln 1.5 + ln 3)/3 =
-- 0.6365141683.  Brier: ((1/3)^2 + (2/3)^2 + (1/3)^2)/3 = 2/9 = 0.2222222222.
SELECT metric, round(value::numeric, 10) AS value FROM leadqual.train_predictive('hand', '2025-12-31', 0.3, 7);
SELECT ARRAY(SELECT round(c::numeric, 10) FROM unnest((fit).coefficients) c) AS coefficients,
       metrics->'holdout_rows' AS holdout_rows, metrics->'seed' AS seed
  FROM leadqual.predictive_model WHERE name = 'hand';
-- the same arguments, the same split and fit
SELECT a.metric, a.value = b.value AS same
  FROM leadqual.train_predictive('hand', '2025-12-31', 0.3, 7) a
  JOIN leadqual.train_predictive('hand', '2025-12-31', 0.3, 7) b USING (metric)
 WHERE a.metric IN ('rows', 'auc', 'log_loss');

-- ---------------------------------------------------------------------
-- Many features: expansion, and explain_prediction adds up
-- ---------------------------------------------------------------------
-- Over the 11 training leads every category seen in at least
-- least(20, ceil(1% of 11)) = 1 lead gets a column, most frequent first
-- (ties by value): seniority vp_director (1, 6), then c_level, individual,
-- manager, student (one each); bands 1000+ (1, 6), then 0-9, 10-49,
-- 200-999, 50-199; plan pro (1, 4), free; e-mail domain gmail.com (2, 3),
-- corp.example.  seats: a number (12, 3, true = 1, null = 0).  attributes.none
-- is 0 for every lead: constant, dropped.
INSERT INTO leadqual.predictive_model (name, outcome, horizon, features, l2)
VALUES ('hand2', 'won', '30 days',
        '{seniority,company_size_band,events.visit,engagement_score,fit_score,attributes.seats,attributes.plan,attributes.none,email_domain}', 1);
SELECT metric, value FROM leadqual.train_predictive('hand2', '2025-12-31', 0) WHERE metric IN ('rows', 'features');
SELECT unnest(feature_names) AS feature_name FROM leadqual.predictive_model WHERE name = 'hand2';
-- lead 1's vector: vp_director, 1000+, 2 visits, engagement 10, fit 20,
-- 12 seats, pro, corp.example
SELECT e.feature, e.value FROM leadqual.explain_prediction(1, 'hand2', '2025-12-31') e WHERE e.value <> 0;
-- for every lead, the contributions sum to the log-odds ln(p / (1 - p))
-- of predict().  Both ways: the sum turned into a probability is p to
-- 1e-15 (a few units in the last place), and ln(p / (1 - p)) is the sum to
-- 1e-9: lead 1's p is 0.99999927, and 1 - p (7.3e-7) carries the float's
-- absolute error of 1.1e-16, so ln(p / (1 - p)) itself is only good to
-- about 1.5e-10 there
SELECT count(*) AS leads,
       count(*) FILTER (WHERE abs(1 / (1 + exp(-x.total)) - x.p) > 1e-15) AS p_off,
       count(*) FILTER (WHERE abs(x.total - ln(x.p / (1 - x.p))) > 1e-9) AS log_odds_off
  FROM (SELECT l.lead_id, leadqual.predict(l.lead_id, 'hand2', '2025-12-31') AS p,
               (SELECT sum(e.contribution) FROM leadqual.explain_prediction(l.lead_id, 'hand2', '2025-12-31') e) AS total
          FROM leadqual.lead l) x;
-- the readers are PARALLEL SAFE: run in a parallel worker
-- (force_parallel_mode), predictions, predict and explain_prediction give
-- the same bits as in the leader
SELECT string_agg(p.lead_id || ':' || p.probability, ',' ORDER BY p.lead_id) AS serial_predictions,
       string_agg(leadqual.predict(p.lead_id, 'hand2', '2025-12-31')::text, ',' ORDER BY p.lead_id) AS serial_predict
  FROM leadqual.predictions('hand2', '2025-12-31') p \gset
SET force_parallel_mode = on;
SELECT string_agg(p.lead_id || ':' || p.probability, ',' ORDER BY p.lead_id) = :'serial_predictions' AS same_predictions,
       string_agg(leadqual.predict(p.lead_id, 'hand2', '2025-12-31')::text, ',' ORDER BY p.lead_id) = :'serial_predict' AS same_predict,
       (SELECT count(*) FROM leadqual.explain_prediction(1, 'hand2', '2025-12-31')) AS ledger_rows
  FROM leadqual.predictions('hand2', '2025-12-31') p;
RESET force_parallel_mode;
-- the first row is the intercept, value 1
SELECT feature, value FROM leadqual.explain_prediction(13, 'hand2', '2025-12-31') LIMIT 1;

-- ---------------------------------------------------------------------
-- Errors of train_predictive, predict and explain_prediction
-- ---------------------------------------------------------------------
SELECT pg_temp.try($$SELECT * FROM leadqual.train_predictive('nope')$$);
SELECT pg_temp.try($$SELECT * FROM leadqual.train_predictive(NULL)$$);
SELECT pg_temp.try($$SELECT * FROM leadqual.train_predictive('hand', NULL)$$);
SELECT pg_temp.try($$SELECT * FROM leadqual.train_predictive('hand', 'infinity')$$);
SELECT pg_temp.try($$SELECT * FROM leadqual.train_predictive('hand', '4714-11-24 00:00:00+00 BC')$$);
SELECT pg_temp.try($$SELECT * FROM leadqual.train_predictive('hand', '2025-12-31', 1)$$);
SELECT pg_temp.try($$SELECT * FROM leadqual.train_predictive('hand', '2025-12-31', -0.1)$$);
SELECT pg_temp.try($$SELECT * FROM leadqual.train_predictive('hand', '2025-12-31', 'NaN')$$);
SELECT pg_temp.try($$SELECT * FROM leadqual.train_predictive('hand', '2025-12-31', 0.2, NULL)$$);
-- no lead reached mql 30 days before 2025-02-15
SELECT pg_temp.try($$SELECT * FROM leadqual.train_predictive('hand', '2025-02-15')$$);
-- on 2025-03-05 only leads 1 and 2 (mql 02-01) qualify, both won
SELECT pg_temp.try($$SELECT * FROM leadqual.train_predictive('hand', '2025-03-05', 0)$$);
-- a feature that no training lead has is constant: nothing is left to fit
INSERT INTO leadqual.predictive_model (name, features) VALUES ('flat', '{attributes.none,events.none}');
SELECT pg_temp.try($$SELECT * FROM leadqual.train_predictive('flat', '2025-12-31', 0)$$);
-- a failed training keeps the stored fit
SELECT (metrics->>'seed')::int AS seed FROM leadqual.predictive_model WHERE name = 'hand';
SELECT pg_temp.try($$SELECT leadqual.predict(99, 'hand')$$);
SELECT pg_temp.try($$SELECT leadqual.predict(NULL, 'hand')$$);
SELECT pg_temp.try($$SELECT leadqual.predict(1, 'nope')$$);
SELECT pg_temp.try($$SELECT leadqual.predict(1, 'hand', '-infinity')$$);
SELECT pg_temp.try($$SELECT * FROM leadqual.explain_prediction(99, 'hand')$$);
-- an untrained model: predict() is NULL, explain_prediction() refuses (55000)
INSERT INTO leadqual.predictive_model (name, features) VALUES ('fresh', '{fit_score}');
SELECT leadqual.predict(1, 'fresh') AS untrained;
SELECT count(*) AS predictions FROM leadqual.predictions('fresh');
SELECT pg_temp.try($$SELECT * FROM leadqual.explain_prediction(1, 'fresh')$$);

-- ---------------------------------------------------------------------
-- predictive_model is validated when written
-- ---------------------------------------------------------------------
SELECT pg_temp.try($$INSERT INTO leadqual.predictive_model (name, outcome, features) VALUES ('x', 'mql', '{fit_score}')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.predictive_model (name, outcome, features) VALUES ('x', 'lost', '{fit_score}')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.predictive_model (name, horizon, features) VALUES ('x', '0', '{fit_score}')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.predictive_model (name, horizon, features) VALUES ('x', '-1 day', '{fit_score}')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.predictive_model (name, l2, features) VALUES ('x', -1, '{fit_score}')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.predictive_model (name, l2, features) VALUES ('x', 'NaN', '{fit_score}')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.predictive_model (name, l2, features) VALUES ('x', 'Infinity', '{fit_score}')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.predictive_model (name, features) VALUES ('x', '{}')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.predictive_model (name) VALUES ('x')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.predictive_model (name, features) VALUES ('x', '{owner}')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.predictive_model (name, features) VALUES ('x', '{events.}')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.predictive_model (name, features) VALUES ('x', '{attributes.a=b}')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.predictive_model (name, features) VALUES ('x', '{fit_score,NULL}')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.predictive_model (name, features) VALUES ('x', '{fit_score,fit_score}')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.predictive_model (name, features) VALUES ('x', '{{fit_score},{seniority}}')$$);
SELECT pg_temp.try($$INSERT INTO leadqual.predictive_model (name, features) VALUES ('', '{fit_score}')$$);
-- a hand-written fit must match its feature names
SELECT pg_temp.try($$UPDATE leadqual.predictive_model SET feature_names = '{source_channel=a}' WHERE name = 'hand'$$);
SELECT pg_temp.try($$UPDATE leadqual.predictive_model SET feature_names = '{source_channel,source_channel=b}' WHERE name = 'hand'$$);
SELECT pg_temp.try($$UPDATE leadqual.predictive_model SET feature_names = '{fit_score=1,source_channel=b}' WHERE name = 'hand'$$);
-- event types and attribute keys may hold what names cannot: '=' in a type
INSERT INTO leadqual.predictive_model (name, features) VALUES ('odd', '{events.a=b,attributes.x.y}');
SELECT s.* FROM unnest('{events.a=b,attributes.x.y=z=1,source_channel=a=b,fit_score}'::text[]) n, leadqual.predictive_split(n) s;
-- changing what a model means clears its fit; a description does not
UPDATE leadqual.predictive_model SET description = 'channel only' WHERE name = 'hand';
SELECT name, fit IS NOT NULL AS trained FROM leadqual.predictive_model WHERE name = 'hand';
UPDATE leadqual.predictive_model SET horizon = '60 days' WHERE name = 'hand';
SELECT name, fit IS NULL AND feature_names IS NULL AND metrics IS NULL AND trained_at IS NULL AS cleared
  FROM leadqual.predictive_model WHERE name = 'hand';

-- ---------------------------------------------------------------------
-- The default model, lead_status and score_calibration
-- ---------------------------------------------------------------------
SELECT name, outcome, horizon, features, l2, fit IS NULL AS untrained, builtin
  FROM leadqual.predictive_model WHERE name = 'default';
-- untrained: win_probability NULL for every lead, predicted_win_rate NULL
SELECT count(*) AS leads, count(win_probability) AS predicted FROM leadqual.lead_status;
SELECT count(*) AS grades, count(predicted_win_rate) AS predicted FROM leadqual.score_calibration;
-- a query that does not read win_probability computes no prediction (the
-- planner removes the join)
EXPLAIN (COSTS OFF) SELECT lead_id, stage FROM leadqual.lead_status;
-- trained (horizon 60 days: 1-3, 6, 10 and 8, won 40 days after; lead 5
-- no; 1-11 are the training leads with 6 positives): a trained builtin
-- row is a user row, so pg_dump keeps it
UPDATE leadqual.predictive_model SET horizon = '60 days' WHERE name = 'default';
SELECT metric, value FROM leadqual.train_predictive('default', '2025-12-31', 0) WHERE metric IN ('rows', 'positives');
SELECT builtin FROM leadqual.predictive_model WHERE name = 'default';
-- win_probability is predict(lead_id) now, for every lead
SELECT count(*) AS leads, count(win_probability) AS predicted,
       count(*) FILTER (WHERE win_probability IS DISTINCT FROM leadqual.predict(lead_id)) AS differ
  FROM leadqual.lead_status;
-- predicted_win_rate: the mean win_probability of the grade's leads that
-- reached mql (leads 1-12: grade NULL, never scored here), next to the
-- share of them won (mql_win_rate: 1, 2, 3, 5, 6, 8, 10 of 12)
SELECT s.grade, s.leads, s.mql_win_rate,
       s.predicted_win_rate = round((SELECT avg(ls.win_probability) FROM leadqual.lead_status ls
                                      WHERE ls.lead_id <= 12)::numeric, 4) AS predicted_ok
  FROM leadqual.score_calibration s;
SELECT c.column_name, d.description IS NOT NULL AS commented
  FROM information_schema.columns c
  LEFT JOIN pg_description d ON d.objoid = ('leadqual.' || c.table_name)::regclass AND d.objsubid = c.ordinal_position
 WHERE c.table_schema = 'leadqual' AND c.table_name IN ('lead_status', 'score_calibration')
   AND c.column_name IN ('win_probability', 'predicted_win_rate', 'mql_win_rate')
 ORDER BY 1;

SET client_min_messages = warning;
DROP EXTENSION leadqual CASCADE;
