SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;

-- scoring_errors: bad input gets a clear error with a documented SQLSTATE
-- (SPEC §3, §7), never a crash or a silent wrong number.  Each case is one
-- statement, run by pg_temp.try(), which catches the error and shows its
-- SQLSTATE, message and hint.  The codes:
--   42703 undefined_column             unknown fit rule field
--   22023 invalid_parameter_value      unknown op; a value that does not suit
--                                      its op; half_life/within <= 0;
--                                      min_count outside 1..1000; frequency
--                                      rule without within or with half_life;
--                                      properties not an object; bad bands,
--                                      min_fit_grade, sla, recycle_after;
--                                      rows of one aggregate group disagree
--   2201B invalid_regular_expression   regex does not compile
--   22003 numeric_value_out_of_range   non-finite points, threshold, bands,
--                                      fit; max_points negative or non-finite
--   22004 null_value_not_allowed       NULL as_of, lead_id, model, fit, band
--                                      or hand-raise type
--   22008 datetime_field_overflow      infinite as_of or occurred_at
--   42704 undefined_object             unknown scoring model
--   P0002 no_data_found                unknown lead
--   23502 / 23503                      NOT NULL / foreign key of the rule tables
SET timezone = 'UTC';

CREATE FUNCTION pg_temp.try(statement text, OUT code text, OUT message text, OUT hint text)
    LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    code := 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            hint = PG_EXCEPTION_HINT;
END
$$;

-- A valid model with one rule of each kind, and a lead with an event.
INSERT INTO leadqual.scoring_model (name) VALUES ('err_t');
INSERT INTO leadqual.fit_rule (rule_id, model, field, op, value, points)
VALUES (601, 'err_t', 'job_title', 'eq', '"CEO"', 10);
INSERT INTO leadqual.engagement_rule (rule_id, model, event_type, points, half_life)
VALUES (611, 'err_t', 'webinar', 8, '1 day');
INSERT INTO leadqual.lead (external_id, created_at, model, job_title)
VALUES ('err-1', '2025-01-01', 'err_t', 'CEO');
INSERT INTO leadqual.event (lead_id, event_type, occurred_at)
SELECT lead_id, 'webinar', '2025-02-28' FROM leadqual.lead WHERE external_id = 'err-1';

\x on

-- ---------------------------------------------------------------------
-- Invalid fit rules are refused when written (BEFORE INSERT OR UPDATE
-- trigger), with a clear error.
-- ---------------------------------------------------------------------

-- unknown field (not a lead column, no attributes. prefix)
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'title', 'eq', '"CEO"', 10)$$);

-- attributes. needs a key
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'attributes.', 'exists', NULL, 10)$$);

-- unknown op
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'job_title', 'like', '"%CEO%"', 10)$$);

-- eq needs one scalar: not an array
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'job_title', 'eq', '["CEO"]', 10)$$);

-- eq needs one scalar: not an object
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'job_title', 'eq', '{"a": 1}', 10)$$);

-- eq needs one scalar: not NULL
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'job_title', 'eq', NULL, 10)$$);

-- in needs an array: not a scalar
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'country', 'in', '"DE"', 10)$$);

-- in needs a non-empty array
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'country', 'in', '[]', 10)$$);

-- in takes scalars only: no null element
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'country', 'in', '["DE", null]', 10)$$);

-- regex needs a string
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'job_title', 'regex', '42', 10)$$);

-- regex must compile
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'job_title', 'regex', '"(chief"', 10)$$);

-- range needs [min, max]: not one element
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'company_size', 'range', '[10]', 10)$$);

-- range needs numbers
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'company_size', 'range', '["a", 10]', 10)$$);

-- range needs at least one bound
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'company_size', 'range', '[null, null]', 10)$$);

-- range needs min <= max
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'company_size', 'range', '[10, 1]', 10)$$);

-- range needs a value
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'company_size', 'range', NULL, 10)$$);

-- exists takes no value
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'email', 'exists', '"yes"', 10)$$);

-- points must be finite: NaN
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'email', 'exists', NULL, 'NaN')$$);

-- points must be finite: Infinity
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'email', 'exists', NULL, 'Infinity')$$);

-- points must be finite: -Infinity
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', 'email', 'exists', NULL, '-Infinity')$$);

-- field is required (NOT NULL)
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('err_t', NULL, 'exists', NULL, 10)$$);

-- the model must exist (foreign key)
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('nope', 'email', 'exists', NULL, 10)$$);

-- an UPDATE that breaks a rule is refused too
SELECT * FROM pg_temp.try($$UPDATE leadqual.fit_rule SET op = 'like' WHERE rule_id = 601$$);

-- ---------------------------------------------------------------------
-- Invalid engagement rules.
-- ---------------------------------------------------------------------

-- half_life must be positive: 0
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within) VALUES ('err_t', 'webinar', NULL, 8, '0', NULL, 1, NULL)$$);

-- half_life must be positive: negative
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within) VALUES ('err_t', 'webinar', NULL, 8, '-1 day', NULL, 1, NULL)$$);

-- min_count must be at least 1
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within) VALUES ('err_t', 'visit', NULL, 10, NULL, NULL, 0, '7 days')$$);

-- min_count must be at most 1000
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within) VALUES ('err_t', 'visit', NULL, 10, NULL, NULL, 1001, '7 days')$$);

-- a frequency rule (min_count > 1) needs within
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within) VALUES ('err_t', 'visit', NULL, 10, NULL, NULL, 3, NULL)$$);

-- a frequency rule cannot decay
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within) VALUES ('err_t', 'visit', NULL, 10, '1 day', NULL, 3, '7 days')$$);

-- within must be positive
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within) VALUES ('err_t', 'visit', NULL, 10, NULL, NULL, 3, '0')$$);

-- points must be finite: NaN
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within) VALUES ('err_t', 'webinar', NULL, 'NaN', NULL, NULL, 1, NULL)$$);

-- points must be finite: -Infinity
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within) VALUES ('err_t', 'webinar', NULL, '-Infinity', NULL, NULL, 1, NULL)$$);

-- max_points must not be negative
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within) VALUES ('err_t', 'webinar', NULL, 8, NULL, -1, 1, NULL)$$);

-- max_points must be finite
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within) VALUES ('err_t', 'webinar', NULL, 8, NULL, 'Infinity', 1, NULL)$$);

-- properties must be a JSON object
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within) VALUES ('err_t', 'page_view', '["pricing"]', 1, NULL, NULL, 1, NULL)$$);

-- event_type must not be empty
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within) VALUES ('err_t', '', NULL, 1, NULL, NULL, 1, NULL)$$);

-- event_type is required (NOT NULL)
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within) VALUES ('err_t', NULL, NULL, 1, NULL, NULL, 1, NULL)$$);

-- an UPDATE that breaks a rule is refused too
SELECT * FROM pg_temp.try($$UPDATE leadqual.engagement_rule SET half_life = '0' WHERE rule_id = 611$$);

-- ---------------------------------------------------------------------
-- Invalid models: grade bands, min_fit_grade and the other settings.
-- ---------------------------------------------------------------------

-- fit_bands needs 3 elements
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.scoring_model (name, fit_bands) VALUES ('bad', '{75,50}')$$);

-- fit_bands must descend
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.scoring_model (name, fit_bands) VALUES ('bad', '{25,50,75}')$$);

-- fit_bands without NULLs
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.scoring_model (name, fit_bands) VALUES ('bad', '{75,NULL,25}')$$);

-- fit_bands must be finite
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.scoring_model (name, fit_bands) VALUES ('bad', '{NaN,50,25}')$$);

-- engagement_bands must be one-dimensional
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.scoring_model (name, engagement_bands) VALUES ('bad', '{{75,50,25}}')$$);

-- engagement_bands must descend
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.scoring_model (name, engagement_bands) VALUES ('bad', '{75,80,25}')$$);

-- min_fit_grade is one of A..D: E
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.scoring_model (name, min_fit_grade) VALUES ('bad', 'E')$$);

-- min_fit_grade is one of A..D: lower case
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.scoring_model (name, min_fit_grade) VALUES ('bad', 'a')$$);

-- mql_threshold must be finite
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.scoring_model (name, mql_threshold) VALUES ('bad', 'NaN')$$);

-- hand_raise_types without NULLs
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.scoring_model (name, hand_raise_types) VALUES ('bad', '{demo_request,NULL}')$$);

-- sla must be positive
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.scoring_model (name, sla) VALUES ('bad', '0')$$);

-- recycle_after must not be negative
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.scoring_model (name, recycle_after) VALUES ('bad', '-1 day')$$);

-- fit_bands is required (NOT NULL)
SELECT * FROM pg_temp.try($$INSERT INTO leadqual.scoring_model (name, fit_bands) VALUES ('bad', NULL)$$);

-- an UPDATE that breaks a model is refused too
SELECT * FROM pg_temp.try($$UPDATE leadqual.scoring_model SET fit_bands = '{1,2,3}' WHERE name = 'err_t'$$);

-- ---------------------------------------------------------------------
-- as_of must be a finite timestamp: NULL, infinity and -infinity are
-- refused by score, explain_score, engagement_score and rescore.
-- ---------------------------------------------------------------------

-- score: NULL as_of
SELECT * FROM pg_temp.try($$SELECT leadqual.score((SELECT lead_id FROM leadqual.lead WHERE external_id = 'err-1'), NULL)$$);

-- score: infinity
SELECT * FROM pg_temp.try($$SELECT leadqual.score((SELECT lead_id FROM leadqual.lead WHERE external_id = 'err-1'), 'infinity')$$);

-- score: -infinity
SELECT * FROM pg_temp.try($$SELECT leadqual.score((SELECT lead_id FROM leadqual.lead WHERE external_id = 'err-1'), '-infinity')$$);

-- explain_score: NULL as_of
SELECT * FROM pg_temp.try($$SELECT * FROM leadqual.explain_score((SELECT lead_id FROM leadqual.lead WHERE external_id = 'err-1'), NULL)$$);

-- explain_score: infinity
SELECT * FROM pg_temp.try($$SELECT * FROM leadqual.explain_score((SELECT lead_id FROM leadqual.lead WHERE external_id = 'err-1'), 'infinity')$$);

-- explain_score: -infinity
SELECT * FROM pg_temp.try($$SELECT * FROM leadqual.explain_score((SELECT lead_id FROM leadqual.lead WHERE external_id = 'err-1'), '-infinity')$$);

-- engagement_score: NULL as_of
SELECT * FROM pg_temp.try($$SELECT leadqual.engagement_score('err_t', event_type, properties, occurred_at, NULL) FROM leadqual.event$$);

-- engagement_score: infinity
SELECT * FROM pg_temp.try($$SELECT leadqual.engagement_score('err_t', event_type, properties, occurred_at, 'infinity') FROM leadqual.event$$);

-- engagement_score: -infinity
SELECT * FROM pg_temp.try($$SELECT leadqual.engagement_score('err_t', event_type, properties, occurred_at, '-infinity') FROM leadqual.event$$);

-- rescore: NULL as_of
SELECT * FROM pg_temp.try($$SELECT leadqual.rescore(NULL)$$);

-- rescore: infinity
SELECT * FROM pg_temp.try($$SELECT leadqual.rescore('infinity')$$);

-- rescore: -infinity
SELECT * FROM pg_temp.try($$SELECT leadqual.rescore('-infinity')$$);

-- ---------------------------------------------------------------------
-- Unknown model, for every function that takes one.
-- ---------------------------------------------------------------------

-- score
SELECT * FROM pg_temp.try($$SELECT leadqual.score((SELECT lead_id FROM leadqual.lead WHERE external_id = 'err-1'), '2025-03-01', 'nope')$$);

-- explain_score
SELECT * FROM pg_temp.try($$SELECT * FROM leadqual.explain_score((SELECT lead_id FROM leadqual.lead WHERE external_id = 'err-1'), '2025-03-01', 'nope')$$);

-- fit_score
SELECT * FROM pg_temp.try($$SELECT leadqual.fit_score(l, 'nope') FROM leadqual.lead l$$);

-- engagement_score
SELECT * FROM pg_temp.try($$SELECT leadqual.engagement_score('nope', event_type, properties, occurred_at, '2025-03-01') FROM leadqual.event$$);

-- mql_crossing
SELECT * FROM pg_temp.try($$SELECT leadqual.mql_crossing('nope', 0, event_type, properties, occurred_at) FROM leadqual.event$$);

-- rescore
SELECT * FROM pg_temp.try($$SELECT leadqual.rescore('2025-03-01', 'nope')$$);

-- ---------------------------------------------------------------------
-- Unknown lead and NULL lead_id.
-- ---------------------------------------------------------------------

-- score: unknown lead
SELECT * FROM pg_temp.try($$SELECT leadqual.score(-1, '2025-03-01')$$);

-- explain_score: unknown lead
SELECT * FROM pg_temp.try($$SELECT * FROM leadqual.explain_score(-1, '2025-03-01')$$);

-- score: NULL lead_id
SELECT * FROM pg_temp.try($$SELECT leadqual.score(NULL, '2025-03-01')$$);

-- explain_score: NULL lead_id
SELECT * FROM pg_temp.try($$SELECT * FROM leadqual.explain_score(NULL, '2025-03-01')$$);

-- fit_score: a lead row without a model, and no model given
SELECT * FROM pg_temp.try($$SELECT leadqual.fit_score(jsonb_populate_record(NULL::leadqual.lead, '{"lead_id": 1, "job_title": "CEO"}'))$$);

-- ---------------------------------------------------------------------
-- The aggregates score one group under one model at one time: every row
-- of a group must agree.
-- ---------------------------------------------------------------------

-- engagement_score: as_of differs within a group
SELECT * FROM pg_temp.try($$SELECT leadqual.engagement_score('err_t', t, '{}', '2025-03-01', a::timestamptz) FROM (VALUES ('webinar', '2025-03-01'), ('webinar', '2025-03-02')) v(t, a)$$);

-- engagement_score: model differs within a group
SELECT * FROM pg_temp.try($$SELECT leadqual.engagement_score(m, 'webinar', '{}', '2025-03-01', '2025-03-01') FROM (VALUES ('err_t'), ('default')) v(m)$$);

-- engagement_score: NULL model
SELECT * FROM pg_temp.try($$SELECT leadqual.engagement_score(NULL, 'webinar', '{}', '2025-03-01', '2025-03-01')$$);

-- mql_crossing: fit differs within a group
SELECT * FROM pg_temp.try($$SELECT leadqual.mql_crossing('err_t', f, 'webinar', '{}', '2025-03-01') FROM (VALUES (10), (20)) v(f)$$);

-- mql_crossing: model differs within a group
SELECT * FROM pg_temp.try($$SELECT leadqual.mql_crossing(m, 10, 'webinar', '{}', '2025-03-01') FROM (VALUES ('err_t'), ('default')) v(m)$$);

-- mql_crossing: NULL model
SELECT * FROM pg_temp.try($$SELECT leadqual.mql_crossing(NULL, 10, 'webinar', '{}', '2025-03-01')$$);

-- mql_crossing: NULL fit
SELECT * FROM pg_temp.try($$SELECT leadqual.mql_crossing('err_t', NULL, 'webinar', '{}', '2025-03-01')$$);

-- mql_crossing: fit must be finite
SELECT * FROM pg_temp.try($$SELECT leadqual.mql_crossing('err_t', 'NaN', 'webinar', '{}', '2025-03-01')$$);

-- mql_crossing: occurred_at must be finite
SELECT * FROM pg_temp.try($$SELECT leadqual.mql_crossing('err_t', 10, 'webinar', '{}', 'infinity')$$);

\x off

-- Nothing invalid was stored: err_t still has its two rules, no model 'bad'
-- exists, and the lead scores as before (CEO 10 + webinar a day old 8/2 = 14).
SELECT (SELECT count(*) FROM leadqual.fit_rule WHERE model = 'err_t') AS fit_rules,
       (SELECT count(*) FROM leadqual.engagement_rule WHERE model = 'err_t') AS engagement_rules,
       (SELECT count(*) FROM leadqual.scoring_model WHERE name = 'bad') AS bad_models;
SELECT s.* FROM leadqual.lead l, leadqual.score(l.lead_id, '2025-03-01') s WHERE l.external_id = 'err-1';

RESET timezone;
