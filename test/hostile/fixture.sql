-- test/hostile/fixture.sql: the database the hostile suite runs in.
-- Every case runs in a transaction that is rolled back, so these rows are
-- the same for every case.  The driver finds the fixture leads by
-- external_id (hostile.fixture maps names to ids).

CREATE EXTENSION leadqual;
CREATE SCHEMA hostile;

-- one lead in each stage an action starts from, plus leads with a long
-- regex subject, many events and out-of-line event properties
INSERT INTO leadqual.lead (external_id, created_at, email, company, job_title, industry,
                           country, company_size, attributes, source_channel)
SELECT 'fx-' || s, now() - interval '60 days', s || '@example.com', 'Acme ' || s, 'engineer',
       'software', 'US', 120, '{"tier": "gold", "seats": 12}', 'organic'
  FROM unnest('{inquiry,mql,sal,sql,opportunity,nurture,disqualified,regex,big,toast}'::text[]) s;
UPDATE leadqual.lead SET job_title = repeat('a', 64) || '!', email = repeat('a', 64) || '@x'
 WHERE external_id = 'fx-regex';

INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties)
SELECT l.lead_id, t, now() - (i || ' hours')::interval,
       CASE WHEN t = 'page_view' THEN '{"page": "pricing"}' ELSE '{}' END::jsonb
  FROM leadqual.lead l,
       unnest('{page_view,email_click,email_click,email_open}'::text[]) WITH ORDINALITY u(t, i)
 WHERE l.external_id LIKE 'fx-%';  -- fit 35 + engagement 17: below the threshold (100)
-- enough events for a parallel plan of the aggregates (see cases.py)
INSERT INTO leadqual.event (lead_id, event_type, occurred_at)
SELECT l.lead_id, 'email_open', now() - (i || ' minutes')::interval
  FROM leadqual.lead l, generate_series(1, 3000) i
 WHERE l.external_id = 'fx-big';

SELECT leadqual.transition(lead_id, 'mql', 'marketing') FROM leadqual.lead
 WHERE external_id IN ('fx-mql', 'fx-sal', 'fx-sql', 'fx-opportunity', 'fx-nurture');
SELECT leadqual.accept(lead_id, 'alice') FROM leadqual.lead
 WHERE external_id IN ('fx-sal', 'fx-sql', 'fx-opportunity');
SELECT leadqual.qualify(lead_id) FROM leadqual.lead WHERE external_id IN ('fx-sql', 'fx-opportunity');
SELECT leadqual.open_opportunity(lead_id, 1000) FROM leadqual.lead WHERE external_id = 'fx-opportunity';
SELECT leadqual.reject(lead_id, 'no_budget', true) FROM leadqual.lead WHERE external_id = 'fx-nurture';
SELECT leadqual.transition(lead_id, 'disqualified', 'sales', 'duplicate') FROM leadqual.lead
 WHERE external_id = 'fx-disqualified';

-- Stored hostile values.  A value read from a table column reaches a
-- function as stored: out of line (external TOAST pointer) in hostile.ext,
-- whose columns are STORAGE EXTERNAL (never compressed), and compressed
-- (inline or out of line) in hostile.cmp (default EXTENDED storage).
CREATE TABLE hostile.ext (k text PRIMARY KEY, j jsonb, t text, ta text[], ja jsonb[]);
ALTER TABLE hostile.ext ALTER j SET STORAGE EXTERNAL, ALTER t SET STORAGE EXTERNAL,
    ALTER ta SET STORAGE EXTERNAL, ALTER ja SET STORAGE EXTERNAL;
CREATE TABLE hostile.cmp (LIKE hostile.ext);
ALTER TABLE hostile.cmp ALTER j SET STORAGE EXTENDED, ALTER t SET STORAGE EXTENDED,
    ALTER ta SET STORAGE EXTENDED, ALTER ja SET STORAGE EXTENDED;

INSERT INTO hostile.ext VALUES
    ('wide',   -- the object of issue 8, defect 1: 100 keys, about 7 kB
     (SELECT jsonb_object_agg(md5(i::text), md5((i * 7)::text)) FROM generate_series(1, 100) i),
     (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 200) i),
     (SELECT array_agg(md5(i::text)) FROM generate_series(1, 200) i),
     (SELECT array_agg(jsonb_build_object('page', md5(i::text))) FROM generate_series(1, 200) i)),
    ('mb',     -- 1 MB, out of line
     jsonb_build_object('page', repeat('p', 1000000)), repeat('t', 1000000),
     ARRAY[repeat('e', 1000000)], ARRAY[jsonb_build_object('page', repeat('p', 1000000))]);
INSERT INTO hostile.cmp VALUES
    ('rep',    -- 100 kB that compresses to a few hundred bytes: compressed inline
     jsonb_build_object('page', repeat('pricing', 15000)), repeat('pricing', 15000),
     array_fill('pricing'::text, ARRAY[15000]), array_fill('{"page": "pricing"}'::jsonb, ARRAY[5000])),
    ('mb',     -- 1 MB of md5 text: compressed (or not) and out of line
     (SELECT jsonb_object_agg(md5(i::text), i) FROM generate_series(1, 30000) i),
     (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 31250) i),
     (SELECT array_agg(md5(i::text)) FROM generate_series(1, 100000) i),
     (SELECT array_agg(jsonb_build_object('page', i)) FROM generate_series(1, 100000) i)),
    ('deep',   -- 10,000 levels of nesting
     (repeat('{"a": ', 10000) || '1' || repeat('}', 10000))::jsonb, NULL, NULL, NULL);

-- the claims above, checked: the stored forms are what the names say
DO $$
BEGIN
    IF (SELECT count(*) FROM hostile.cmp WHERE pg_column_compression(j) IS NOT NULL) < 2
       OR (SELECT pg_column_size(j) FROM hostile.cmp WHERE k = 'rep') > 10000
       OR (SELECT pg_column_compression(j) FROM hostile.ext WHERE k = 'wide') IS NOT NULL
       OR (SELECT pg_column_size(j) < octet_length(j::text) / 2 FROM hostile.ext WHERE k = 'wide') THEN
        RAISE EXCEPTION 'hostile fixture: stored values are not in the intended forms';
    END IF;
END
$$;

-- events carrying the stored values, so that score(), explain_score,
-- score_by_lead and rescore() read them from the event table
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties)
SELECT l.lead_id, 'page_view', now() - interval '1 day', v.j
  FROM leadqual.lead l, (SELECT j FROM hostile.ext UNION ALL SELECT j FROM hostile.cmp) v
 WHERE l.external_id = 'fx-toast';

SELECT leadqual.rescore();
ANALYZE;
