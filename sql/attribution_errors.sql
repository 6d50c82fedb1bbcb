-- attribution_errors: bad input to attribute_paths (all three overloads),
-- attribution() and lead_attribution() gets a clear error with a
-- documented SQLSTATE (SPEC §6, the attribution contract), never a crash,
-- a NaN or a silent wrong number.  Each case is one statement run by
-- pg_temp.try(), which catches the error and shows its SQLSTATE, whether
-- the message is lowercase without a final period, and whether it has a
-- hint.  The codes:
--   22004 null_value_not_allowed        NULL method, path, path element,
--                                       conversions, revenue, nulls or
--                                       markov_order
--   22023 invalid_parameter_value       unknown method; a method that needs
--                                       times (time_decay, w_shaped,
--                                       full_path) in attribute_paths; empty
--                                       path; markov_order outside 1..8;
--                                       method or markov_order differing
--                                       inside one group; goal not one of
--                                       mql, sal, sql, opportunity, won;
--                                       lookback <= 0; half_life <= 0 or
--                                       NULL for time_decay
--   2202E array_subscript_error         multi-dimensional path
--   22003 numeric_value_out_of_range    negative, NaN or infinite
--                                       conversions, revenue or nulls
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET leadqual.auto_scoring = off;
\pset null '(null)'

CREATE FUNCTION pg_temp.try(statement text, OUT code text, OUT msg_ok boolean,
                            OUT has_hint boolean, OUT hint text)
    LANGUAGE plpgsql AS $$
DECLARE
    message text;
BEGIN
    EXECUTE statement;
    code := 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            hint = PG_EXCEPTION_HINT;
    msg_ok := message ~ '^[a-z]' AND message !~ '\.$';
    has_hint := coalesce(hint, '') <> '';
END
$$;

-- One converting lead with a touch, so that attribution() has something
-- to read: the errors below do not come from an empty table.
INSERT INTO leadqual.lead (lead_id, external_id, created_at) VALUES (1, 'err-1', '2025-01-01');
INSERT INTO leadqual.stage_history (lead_id, from_stage, to_stage, changed_at, actor) VALUES
    (1, 'inquiry', 'mql', '2025-01-02', 'system'),
    (1, 'mql', 'sal', '2025-01-03', 'sales'),
    (1, 'sal', 'sql', '2025-01-04', 'sales'),
    (1, 'sql', 'opportunity', '2025-01-05', 'sales'),
    (1, 'opportunity', 'won', '2025-01-06', 'sales');
INSERT INTO leadqual.opportunity (lead_id, created_at, closed_at, status, amount)
VALUES (1, '2025-01-05', '2025-01-06', 'won', 10);
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, channel) VALUES (1, 'ad_click', '2025-01-02', 'ads');

-- ---------------------------------------------------------------------
-- attribute_paths(method, path, conversions, revenue): 4 arguments
-- ---------------------------------------------------------------------
SELECT c.n, c.name, t.code, t.msg_ok, t.has_hint
  FROM (VALUES
    (1, 'valid linear', $$SELECT leadqual.attribute_paths('linear', '{A,B}', 1, 10)$$),
    (2, 'valid markov', $$SELECT leadqual.attribute_paths('markov', '{A,B}', 1, 10)$$),
    (3, 'NULL method', $$SELECT leadqual.attribute_paths(NULL, '{A}', 1, 10)$$),
    (4, 'NULL path', $$SELECT leadqual.attribute_paths('linear', NULL, 1, 10)$$),
    (5, 'NULL element', $$SELECT leadqual.attribute_paths('linear', '{A,NULL}', 1, 10)$$),
    (6, 'NULL conversions', $$SELECT leadqual.attribute_paths('linear', '{A}', NULL, 10)$$),
    (7, 'NULL revenue', $$SELECT leadqual.attribute_paths('linear', '{A}', 1, NULL)$$),
    (8, 'unknown method', $$SELECT leadqual.attribute_paths('last_click', '{A}', 1, 10)$$),
    (9, 'time_decay', $$SELECT leadqual.attribute_paths('time_decay', '{A}', 1, 10)$$),
    (10, 'w_shaped', $$SELECT leadqual.attribute_paths('w_shaped', '{A}', 1, 10)$$),
    (11, 'full_path', $$SELECT leadqual.attribute_paths('full_path', '{A}', 1, 10)$$),
    (12, 'empty path', $$SELECT leadqual.attribute_paths('linear', '{}', 1, 10)$$),
    (13, 'two-dimensional path', $$SELECT leadqual.attribute_paths('linear', '{{A,B},{C,D}}', 1, 10)$$),
    (14, 'negative conversions', $$SELECT leadqual.attribute_paths('linear', '{A}', -1, 10)$$),
    (15, 'negative revenue', $$SELECT leadqual.attribute_paths('linear', '{A}', 1, -0.01)$$),
    (16, 'NaN conversions', $$SELECT leadqual.attribute_paths('linear', '{A}', 'NaN', 10)$$),
    (17, 'Infinity conversions', $$SELECT leadqual.attribute_paths('linear', '{A}', 'Infinity', 10)$$),
    (18, 'NaN revenue', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, 'NaN')$$),
    (19, 'Infinity revenue', $$SELECT leadqual.attribute_paths('linear', '{A}', 1, 'Infinity')$$),
    (20, '-Infinity revenue', $$SELECT leadqual.attribute_paths('shapley', '{A}', 1, '-Infinity')$$),
    (21, 'NULL element in a later row',
         $$SELECT leadqual.attribute_paths('linear', p, 1, 10) FROM (VALUES ('{A}'::text[]), ('{B,NULL}')) v(p)$$),
    (22, 'two methods in one group',
         $$SELECT leadqual.attribute_paths(m, '{A}', 1, 10) FROM (VALUES ('linear'), ('first_touch')) v(m)$$),
    (23, 'two methods, each group one',
         $$SELECT m, leadqual.attribute_paths(m, '{A}', 1, 10) FROM (VALUES ('linear'), ('first_touch')) v(m) GROUP BY m$$)
  ) c(n, name, statement), LATERAL pg_temp.try(c.statement) t
 ORDER BY c.n;

-- ---------------------------------------------------------------------
-- attribute_paths(method, path, conversions, revenue, nulls): 5 arguments
-- ---------------------------------------------------------------------
SELECT c.n, c.name, t.code, t.msg_ok, t.has_hint
  FROM (VALUES
    (1, 'valid markov', $$SELECT leadqual.attribute_paths('markov', '{A,B}', 1, 10, 2)$$),
    (2, 'NULL method', $$SELECT leadqual.attribute_paths(NULL, '{A}', 1, 10, 0)$$),
    (3, 'NULL path', $$SELECT leadqual.attribute_paths('markov', NULL, 1, 10, 0)$$),
    (4, 'NULL element', $$SELECT leadqual.attribute_paths('markov', '{NULL}', 1, 10, 0)$$),
    (5, 'NULL conversions', $$SELECT leadqual.attribute_paths('markov', '{A}', NULL, 10, 0)$$),
    (6, 'NULL revenue', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, NULL, 0)$$),
    (7, 'NULL nulls', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, 10, NULL)$$),
    (8, 'unknown method', $$SELECT leadqual.attribute_paths('Markov', '{A}', 1, 10, 0)$$),
    (9, 'time_decay', $$SELECT leadqual.attribute_paths('time_decay', '{A}', 1, 10, 0)$$),
    (10, 'w_shaped', $$SELECT leadqual.attribute_paths('w_shaped', '{A}', 1, 10, 0)$$),
    (11, 'full_path', $$SELECT leadqual.attribute_paths('full_path', '{A}', 1, 10, 0)$$),
    (12, 'empty path', $$SELECT leadqual.attribute_paths('markov', '{}', 1, 10, 0)$$),
    (13, 'two-dimensional path', $$SELECT leadqual.attribute_paths('markov', '{{A},{B}}', 1, 10, 0)$$),
    (14, 'negative conversions', $$SELECT leadqual.attribute_paths('markov', '{A}', -0.5, 10, 0)$$),
    (15, 'negative revenue', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, -10, 0)$$),
    (16, 'negative nulls', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, 10, -1)$$),
    (17, 'NaN nulls', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, 10, 'NaN')$$),
    (18, 'Infinity nulls', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, 10, 'Infinity')$$),
    (19, '-Infinity conversions', $$SELECT leadqual.attribute_paths('markov', '{A}', '-Infinity', 10, 0)$$),
    (20, 'Infinity revenue', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, 'Infinity', 0)$$),
    (21, 'negative nulls, heuristic', $$SELECT leadqual.attribute_paths('linear', '{A}', 1, 10, -1)$$),
    (22, 'two methods in one group',
         $$SELECT leadqual.attribute_paths(m, '{A}', 1, 10, 0) FROM (VALUES ('markov'), ('shapley')) v(m)$$)
  ) c(n, name, statement), LATERAL pg_temp.try(c.statement) t
 ORDER BY c.n;

-- ---------------------------------------------------------------------
-- attribute_paths(method, path, conversions, revenue, nulls, markov_order): 6 arguments
-- ---------------------------------------------------------------------
SELECT c.n, c.name, t.code, t.msg_ok, t.has_hint
  FROM (VALUES
    (1, 'valid order 1', $$SELECT leadqual.attribute_paths('markov', '{A,B}', 1, 10, 2, 1)$$),
    (2, 'valid order 8', $$SELECT leadqual.attribute_paths('markov', '{A,B}', 1, 10, 2, 8)$$),
    (3, 'NULL method', $$SELECT leadqual.attribute_paths(NULL, '{A}', 1, 10, 0, 1)$$),
    (4, 'NULL path', $$SELECT leadqual.attribute_paths('markov', NULL, 1, 10, 0, 1)$$),
    (5, 'NULL element', $$SELECT leadqual.attribute_paths('markov', '{A,B,NULL}', 1, 10, 0, 2)$$),
    (6, 'NULL conversions', $$SELECT leadqual.attribute_paths('markov', '{A}', NULL, 10, 0, 1)$$),
    (7, 'NULL revenue', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, NULL, 0, 1)$$),
    (8, 'NULL nulls', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, 10, NULL, 1)$$),
    (9, 'NULL markov_order', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, 10, 0, NULL)$$),
    (10, 'markov_order 0', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, 10, 0, 0)$$),
    (11, 'markov_order 9', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, 10, 0, 9)$$),
    (12, 'markov_order -1', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, 10, 0, -1)$$),
    (13, 'unknown method', $$SELECT leadqual.attribute_paths('markov_chain', '{A}', 1, 10, 0, 1)$$),
    (14, 'time_decay', $$SELECT leadqual.attribute_paths('time_decay', '{A}', 1, 10, 0, 1)$$),
    (15, 'w_shaped', $$SELECT leadqual.attribute_paths('w_shaped', '{A}', 1, 10, 0, 1)$$),
    (16, 'full_path', $$SELECT leadqual.attribute_paths('full_path', '{A}', 1, 10, 0, 1)$$),
    (17, 'empty path', $$SELECT leadqual.attribute_paths('markov', '{}', 1, 10, 0, 2)$$),
    (18, 'two-dimensional path', $$SELECT leadqual.attribute_paths('markov', '{{A,B}}', 1, 10, 0, 2)$$),
    (19, 'negative conversions', $$SELECT leadqual.attribute_paths('markov', '{A}', -1, 10, 0, 2)$$),
    (20, 'negative revenue', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, -1, 0, 2)$$),
    (21, 'negative nulls', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, 10, -1, 2)$$),
    (22, 'NaN conversions', $$SELECT leadqual.attribute_paths('markov', '{A}', 'NaN', 10, 0, 3)$$),
    (23, 'NaN revenue', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, 'NaN', 0, 3)$$),
    (24, 'NaN nulls', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, 10, 'NaN', 3)$$),
    (25, 'Infinity nulls', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, 10, 'Infinity', 3)$$),
    (26, '-Infinity revenue', $$SELECT leadqual.attribute_paths('markov', '{A}', 1, '-Infinity', 0, 3)$$),
    (27, 'two orders in one group',
         $$SELECT leadqual.attribute_paths('markov', '{A,B}', 1, 10, 0, o) FROM (VALUES (1), (2)) v(o)$$),
    (28, 'two methods in one group',
         $$SELECT leadqual.attribute_paths(m, '{A}', 1, 10, 0, 1) FROM (VALUES ('markov'), ('linear')) v(m)$$)
  ) c(n, name, statement), LATERAL pg_temp.try(c.statement) t
 ORDER BY c.n;

-- the methods that need times say where to go: their hint names
-- leadqual.attribution()
SELECT m.method, t.code, t.hint LIKE '%leadqual.attribution(%' AS hint_names_attribution
  FROM unnest('{time_decay,w_shaped,full_path}'::text[]) WITH ORDINALITY m(method, i),
       LATERAL pg_temp.try(format($$SELECT leadqual.attribute_paths(%L, '{A}', 1, 10, 0, 1)$$, m.method)) t
 ORDER BY m.i;

-- ---------------------------------------------------------------------
-- attribution() and lead_attribution(): the same cases for each
-- ---------------------------------------------------------------------
SELECT c.n, c.name, f.fn, t.code, t.msg_ok, t.has_hint
  FROM (VALUES
    (1, 'valid defaults', $$SELECT count(*) FROM leadqual.%s()$$),
    (2, 'valid time_decay', $$SELECT count(*) FROM leadqual.%s('time_decay')$$),
    (3, 'valid w_shaped', $$SELECT count(*) FROM leadqual.%s('w_shaped')$$),
    (4, 'valid full_path', $$SELECT count(*) FROM leadqual.%s('full_path')$$),
    (5, 'valid markov order 8', $$SELECT count(*) FROM leadqual.%s('markov', markov_order => 8)$$),
    (6, 'valid goal sal', $$SELECT count(*) FROM leadqual.%s(goal => 'sal')$$),
    (7, 'valid goal sql', $$SELECT count(*) FROM leadqual.%s(goal => 'sql')$$),
    (8, 'valid lookback NULL', $$SELECT count(*) FROM leadqual.%s(lookback => NULL)$$),
    (9, 'unknown method', $$SELECT count(*) FROM leadqual.%s('u_shaped')$$),
    (10, 'goal inquiry', $$SELECT count(*) FROM leadqual.%s(goal => 'inquiry')$$),
    (11, 'goal nurture', $$SELECT count(*) FROM leadqual.%s(goal => 'nurture')$$),
    (12, 'goal lost', $$SELECT count(*) FROM leadqual.%s(goal => 'lost')$$),
    (13, 'goal disqualified', $$SELECT count(*) FROM leadqual.%s(goal => 'disqualified')$$),
    (14, 'lookback 0', $$SELECT count(*) FROM leadqual.%s(lookback => '0')$$),
    (15, 'lookback -1 day', $$SELECT count(*) FROM leadqual.%s(lookback => '-1 day')$$),
    (16, 'half_life 0', $$SELECT count(*) FROM leadqual.%s('time_decay', half_life => '0')$$),
    (17, 'half_life -1 hour', $$SELECT count(*) FROM leadqual.%s('time_decay', half_life => '-1 hour')$$),
    (18, 'half_life NULL', $$SELECT count(*) FROM leadqual.%s('time_decay', half_life => NULL)$$),
    (19, 'markov_order 0', $$SELECT count(*) FROM leadqual.%s('markov', markov_order => 0)$$),
    (20, 'markov_order 9', $$SELECT count(*) FROM leadqual.%s('markov', markov_order => 9)$$)
  ) c(n, name, statement),
  unnest('{attribution,lead_attribution}'::text[]) WITH ORDINALITY f(fn, i),
  LATERAL pg_temp.try(format(c.statement, f.fn)) t
 ORDER BY c.n, f.i;

SET client_min_messages = warning;
DROP EXTENSION leadqual CASCADE;
