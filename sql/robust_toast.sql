SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;

-- robust_toast: event properties stored out of line (issue 8, defect 1).
-- A properties value over ~2 kB is compressed or moved to the TOAST table;
-- its datum is then a compressed inline value or an external TOAST pointer,
-- whose 1-byte tag once passed for a short inline value and was read as
-- jsonb in place: signal 11 in score(), explain_score(), the aggregates,
-- score_by_lead and rescore().  Each value here must be detoasted and
-- matched like a small one.
--
-- Model toast_t: one rule, page_view with {"page": "pricing"}, 10 points, no
-- decay, no cap; so every such event adds exactly 10, and an event without
-- the key adds 0.  No fit rules; threshold 25, no hand-raise types.
SET timezone = 'UTC';
INSERT INTO leadqual.scoring_model (name, mql_threshold, hand_raise_types, fit_bands, engagement_bands)
VALUES ('toast_t', 25, '{}', '{75,50,25}', '{75,50,25}');
INSERT INTO leadqual.engagement_rule (rule_id, model, event_type, properties, points)
VALUES (9001, 'toast_t', 'page_view', '{"page": "pricing"}', 10);

INSERT INTO leadqual.lead (external_id, created_at, model)
SELECT 't' || i, '2026-01-01', 'toast_t' FROM generate_series(1, 4) i;

-- four ways a properties value is stored, one lead each:
--   t1  external, uncompressed (STORAGE EXTERNAL): 30 md5 pairs, ~2.3 kB
--   t2  compressed inline (STORAGE MAIN): the same shape, highly repetitive
--   t3  external and compressed (EXTENDED): 1 MB that compresses to ~12 kB
--   t4  a 10,000-level nested object, plus the page key
ALTER TABLE leadqual.event ALTER COLUMN properties SET STORAGE EXTERNAL;
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties)
SELECT 1, 'page_view', '2026-02-01',
       (SELECT jsonb_object_agg(md5(i::text), md5((i * 7)::text)) FROM generate_series(1, 30) i)
       || '{"page": "pricing"}';
ALTER TABLE leadqual.event ALTER COLUMN properties SET STORAGE MAIN;
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties)
SELECT 2, 'page_view', '2026-02-01',
       jsonb_build_object('page', 'pricing', 'pad', repeat('ab', 5000));
ALTER TABLE leadqual.event ALTER COLUMN properties SET STORAGE EXTENDED;
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties)
SELECT 3, 'page_view', '2026-02-01',
       jsonb_build_object('page', 'pricing',
                          'pad', repeat('ab', 524288));
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties)
SELECT 4, 'page_view', '2026-02-01',
       (repeat('{"a": ', 10000) || '1' || repeat('}', 10000))::jsonb || '{"page": "pricing"}';
-- and one more event per lead whose (large) properties lack the key: 0 points
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties)
SELECT l, 'page_view', '2026-02-02',
       jsonb_build_object('page', 'blog', 'pad', (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 200) i))
  FROM generate_series(1, 4) l;

-- the storage really is what each case claims: t1 is stored without
-- compression and over 2 kB (so out of line), t2 compressed and small
-- enough to stay inline, t3 and t4 compressed and still over 2 kB (out of
-- line); every value's text is over 2 kB
SELECT e.lead_id, pg_column_compression(e.properties) AS compression,
       pg_column_size(e.properties) > 2000 AS stored_over_2kb,
       octet_length(e.properties::text) > 2000 AS text_over_2kb
  FROM leadqual.event e WHERE e.occurred_at = '2026-02-01' ORDER BY e.lead_id;
SELECT count(*) > 0 AS has_toast_rows
  FROM pg_class c, LATERAL (SELECT 1 FROM pg_class t WHERE t.oid = c.reltoastrelid) t
 WHERE c.oid = 'leadqual.event'::regclass;

-- every lead: one matching event (10 points) and one that does not match
SELECT l.lead_id, s.* FROM leadqual.lead l, leadqual.score(l.lead_id, '2026-03-01') s ORDER BY 1;
SELECT kind, rule_id, matched_events, contribution
  FROM leadqual.explain_score(3, '2026-03-01') ORDER BY kind, rule_id;
SELECT e.lead_id,
       leadqual.engagement_score('toast_t', e.event_type, e.properties, e.occurred_at, '2026-03-01')
  FROM leadqual.event e GROUP BY e.lead_id ORDER BY 1;
-- mql_crossing: 10 points never reach 25: NULL for every lead
SELECT e.lead_id, leadqual.mql_crossing('toast_t', 0, e.event_type, e.properties, e.occurred_at)
  FROM leadqual.event e GROUP BY e.lead_id ORDER BY 1;
SELECT lead_id, engagement_score, score FROM leadqual.score_by_lead('toast_t', '2026-03-01') ORDER BY 1;
SELECT leadqual.rescore('2026-03-01');
SELECT lead_id, engagement_score, score FROM leadqual.lead ORDER BY 1;

-- live scoring adds an inserted out-of-line event to the stored state: two
-- more matching events for lead 1 (external) make 30, and cross 25
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties)
SELECT 1, 'page_view', '2026-02-03',
       jsonb_build_object('page', 'pricing', 'pad', (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 100) i))
  FROM generate_series(1, 2);
SELECT lead_id, engagement_score, stage FROM leadqual.lead WHERE lead_id = 1;
SELECT s.engagement_score FROM leadqual.score(1, '2026-03-01') s;
