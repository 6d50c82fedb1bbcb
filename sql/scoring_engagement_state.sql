SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;

-- scoring_engagement_state: the state type of the engagement aggregates,
-- leadqual.engagement_state.  Partial states computed apart (as Citus
-- computes them on the shards) combine into the state of one pass; the
-- text and binary forms carry a state exactly and refuse what leadqual did
-- not write.  Values are the default model's rules at as_of 2025-03-31
-- (src/sql/default_model.sql): demo_request 40 points, half-life 30 days,
-- cap 60; contact_request 30 (30 days, cap 45); email_open 1 (7 days, cap
-- 5); page_view 1 (7 days, cap 10) and 10 for 5+ page views within 7 days.
SET timezone = 'UTC';
SET extra_float_digits = 0;
\i sql/include/try.sql

-- partial aggregates: the state without the final function, and the merge
CREATE AGGREGATE pg_temp.eng_state(text, text, jsonb, timestamptz, timestamptz) (
    SFUNC = leadqual.engagement_score_trans, STYPE = leadqual.engagement_state);
CREATE AGGREGATE pg_temp.eng_merge(leadqual.engagement_state) (
    SFUNC = leadqual.engagement_score_combine, STYPE = leadqual.engagement_state,
    FINALFUNC = leadqual.engagement_score_final);

CREATE TEMP TABLE ev (part int, event_type text, occurred_at timestamptz);
INSERT INTO ev VALUES
    -- A: a demo 30 days old (40 / 2 = 20), three page views at as_of
    (1, 'demo_request', '2025-03-01'),
    (1, 'page_view', '2025-03-31'), (1, 'page_view', '2025-03-31'), (1, 'page_view', '2025-03-31'),
    -- B: a contact request at as_of (30), an e-mail open 7 days old (0.5),
    -- two page views at as_of, a demo at as_of (40)
    (2, 'contact_request', '2025-03-31'), (2, 'email_open', '2025-03-24'),
    (2, 'page_view', '2025-03-31'), (2, 'page_view', '2025-03-31'),
    (2, 'demo_request', '2025-03-31');

-- each part alone: A = 20 + 3 = 23 (3 page views: no repeat-visitor
-- bonus); B = 30 + 0.5 + 2 + 40 = 72.5
SELECT e.part, leadqual.engagement_score('default', e.event_type, NULL, e.occurred_at, '2025-03-31') AS engagement
  FROM ev e GROUP BY e.part ORDER BY e.part;
-- both in one pass: demos 20 + 40 = 60 (the cap), contact 30, open 0.5,
-- five page views 5 and the repeat-visitor bonus 10: 105.5
SELECT leadqual.engagement_score('default', e.event_type, NULL, e.occurred_at, '2025-03-31') AS engagement FROM ev e;
-- the two partial states merged, in either order, and through their text
-- form: 105.5 too (the cap and the frequency rule apply to the merge, not
-- to the parts)
CREATE TEMP TABLE parts AS
SELECT e.part, pg_temp.eng_state('default', e.event_type, NULL, e.occurred_at, '2025-03-31') AS s
  FROM ev e GROUP BY e.part;
SELECT (SELECT pg_temp.eng_merge(p.s ORDER BY p.part) FROM parts p) AS a_then_b,
       (SELECT pg_temp.eng_merge(p.s ORDER BY p.part DESC) FROM parts p) AS b_then_a,
       (SELECT pg_temp.eng_merge(p.s::text::leadqual.engagement_state) FROM parts p) AS through_text;
-- a NULL partial (a shard without rows) changes nothing; no partials at all: 0
SELECT pg_temp.eng_merge(x.s) AS with_null FROM (SELECT s FROM parts UNION ALL SELECT NULL) x;
SELECT pg_temp.eng_merge(p.s) AS none FROM parts p WHERE false;
-- the final function reads a stored state; the combine function called
-- outside an aggregate leaves its arguments as they were
SELECT p.part, leadqual.engagement_score_final(p.s) AS engagement FROM parts p ORDER BY p.part;
SELECT leadqual.engagement_score_final(leadqual.engagement_score_combine(a.s, b.s)) AS merged,
       leadqual.engagement_score_final(a.s) AS a_after
  FROM parts a, parts b WHERE a.part = 1 AND b.part = 2;
-- the text form is the byte stream live scoring stores (score_state), in
-- base64: a stored state reads as an engagement_state and back unchanged;
-- it has no as-of time, so the final function refuses it
CREATE TEMP TABLE stored AS
SELECT leadqual.score_state('default', e.event_type, NULL, e.occurred_at) AS b FROM ev e WHERE e.part = 1;
SELECT pg_catalog.translate(pg_catalog.encode(b, 'base64'), E'\n', '')::leadqual.engagement_state::text
       = pg_catalog.translate(pg_catalog.encode(b, 'base64'), E'\n', '') AS same_bytes FROM stored;
SELECT pg_temp.try(pg_catalog.format('SELECT leadqual.engagement_score_final(%L)',
                   pg_catalog.translate(pg_catalog.encode(b, 'base64'), E'\n', ''))) AS final_of_stored
  FROM stored;

-- binary COPY out and in (engagement_state_send, engagement_state_recv);
-- the program runs in the server's data directory
COPY parts TO PROGRAM 'cat > lq_engagement_state.copy' (FORMAT binary);
CREATE TEMP TABLE parts_back (part int, s leadqual.engagement_state);
COPY parts_back FROM PROGRAM 'cat lq_engagement_state.copy' (FORMAT binary);
SELECT pg_temp.eng_merge(p.s) AS after_binary_copy FROM parts_back p;
-- a bytea field has the layout of an engagement_state one: forged bytes
-- through binary COPY are refused as the text input refuses them
COPY (SELECT 1, pg_catalog.substr(leadqual.engagement_state_send(p.s), 1, 20) FROM parts p WHERE p.part = 1)
    TO PROGRAM 'cat > lq_engagement_state.copy' (FORMAT binary);
SELECT pg_temp.try($$COPY parts_back FROM PROGRAM 'cat lq_engagement_state.copy' (FORMAT binary)$$) AS short_binary;
COPY (SELECT 1) TO PROGRAM 'rm -f lq_engagement_state.copy';

-- text input that is not a state leadqual wrote
SELECT pg_temp.try($$SELECT '%%%'::leadqual.engagement_state$$) AS not_base64;
SELECT pg_temp.try($$SELECT 'bm90IGEgc3RhdGU='::leadqual.engagement_state$$) AS not_a_state;
SELECT pg_temp.try(pg_catalog.format('SELECT %L::leadqual.engagement_state',
                   pg_catalog.translate(pg_catalog.encode(pg_catalog.substr(leadqual.engagement_state_send(p.s), 1, 60), 'base64'), E'\n', ''))) AS truncated
  FROM parts p WHERE p.part = 1;
SELECT pg_temp.try(pg_catalog.format('SELECT %L::leadqual.engagement_state',
                   pg_catalog.translate(pg_catalog.encode(leadqual.engagement_state_send(p.s) OPERATOR(pg_catalog.||) '\x00'::bytea, 'base64'), E'\n', ''))) AS one_byte_more
  FROM parts p WHERE p.part = 1;
-- two states of different as-of times do not merge
SELECT pg_temp.try($$SELECT pg_temp.eng_merge(x.s) FROM (
    SELECT pg_temp.eng_state('default', 'demo_request', NULL, '2025-03-01', '2025-03-31') AS s
    UNION ALL SELECT pg_temp.eng_state('default', 'demo_request', NULL, '2025-03-01', '2025-04-30')) x$$) AS two_as_of;

-- a state names its model and its rules: another model's state does not
-- merge, and after a rule edit a state built before it is refused (the
-- fingerprint), in the text input as in the aggregates
INSERT INTO leadqual.scoring_model (name, mql_threshold) VALUES ('other', 50);
INSERT INTO leadqual.engagement_rule (model, event_type, points) VALUES ('other', 'demo_request', 5);
SELECT pg_temp.try($$SELECT pg_temp.eng_merge(x.s) FROM (
    SELECT pg_temp.eng_state('default', 'demo_request', NULL, '2025-03-01', '2025-03-31') AS s
    UNION ALL SELECT pg_temp.eng_state('other', 'demo_request', NULL, '2025-03-01', '2025-03-31')) x$$) AS two_models;
SELECT pg_temp.eng_state('other', 'demo_request', NULL, '2025-03-01', '2025-03-31')::text AS other_text \gset
UPDATE leadqual.engagement_rule SET points = 6 WHERE model = 'other';
SELECT pg_temp.try(pg_catalog.format('SELECT %L::leadqual.engagement_state', :'other_text'::text)) AS rules_changed_text;
CREATE TEMP TABLE other_state AS
SELECT pg_temp.eng_state('other', 'demo_request', NULL, '2025-03-01', '2025-03-31') AS s;
UPDATE leadqual.engagement_rule SET points = 7 WHERE model = 'other';
SELECT pg_temp.try('SELECT leadqual.engagement_score_final(s) FROM other_state') AS rules_changed_final;
DELETE FROM leadqual.engagement_rule WHERE model = 'other';
DELETE FROM leadqual.scoring_model WHERE name = 'other';
SELECT pg_temp.try(pg_catalog.format('SELECT %L::leadqual.engagement_state', :'other_text'::text)) AS model_gone;

-- the plain storage of a flat state in a table, read back as it was
CREATE TEMP TABLE kept (s leadqual.engagement_state);
INSERT INTO kept SELECT s FROM parts;
SELECT pg_temp.eng_merge(k.s) AS kept FROM kept k;
