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

-- Attribution (issue 10).  Touches: the fixture leads' events get
-- channels (fx-big's 3,000 cycle over three channels, a loop), and five won
-- leads carry journeys that attribution(), lead_attribution() and
-- channel_attribution read: milestones between the touches (w_shaped,
-- full_path), touches after the win (left out), 3,000 touches in a loop,
-- 300 distinct channels, a 1 MB channel (out of line, twice: a loop), ''
-- and names that read as numbers.  (Every report view is read after each
-- accepted write of the trigger cases, so these stay moderate; the
-- attribution cases add compressed 1 MB channels and more in their own
-- transactions.)
UPDATE leadqual.event e SET channel = CASE WHEN e.event_type LIKE 'email%' THEN 'email' ELSE 'web' END
  FROM leadqual.lead l
 WHERE l.lead_id = e.lead_id AND l.external_id LIKE 'fx-%' AND l.external_id <> 'fx-big';
UPDATE leadqual.event e SET channel = (ARRAY['email', 'web', 'ads'])[1 + (extract(epoch FROM e.occurred_at)::bigint / 60) % 3]
  FROM leadqual.lead l WHERE l.lead_id = e.lead_id AND l.external_id = 'fx-big';

INSERT INTO leadqual.lead (external_id, created_at, email, company, job_title, company_size, source_channel)
SELECT 'ax-' || s, now() - interval '60 days', s || '@example.com', 'Won ' || s, 'engineer', 120, 'ads'
  FROM unnest('{mix,loop,many,wide,late}'::text[]) s;
-- ax-mix: touches around the milestones (mql -40 d, opportunity -10 d, won -5 d)
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, channel)
SELECT l.lead_id, 'ad_click', now() - (d || ' days')::interval, c
  FROM leadqual.lead l,
       (VALUES (50, 'ads'), (45, 'web'), (40, 'email'), (30, 'web'), (12, 'partner'), (10, 'partner'),
               (7, 'ads'), (6, 'email'), (2, 'web'), (1, 'late_only')) v(d, c)
 WHERE l.external_id = 'ax-mix';
-- ax-loop: 3,000 touches A>B>A>B… then C, before the milestones
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, channel)
SELECT l.lead_id, 'ad_click', now() - interval '55 days' + (i || ' minutes')::interval,
       CASE WHEN i = 3000 THEN 'C' WHEN i % 2 = 0 THEN 'A' ELSE 'B' END
  FROM leadqual.lead l, generate_series(1, 3000) i WHERE l.external_id = 'ax-loop';
-- ax-many: 300 distinct channels
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, channel)
SELECT l.lead_id, 'ad_click', now() - interval '55 days' + (i || ' minutes')::interval, 'ch' || i
  FROM leadqual.lead l, generate_series(1, 300) i WHERE l.external_id = 'ax-many';
-- ax-wide: a 1 MB channel (md5 text: stored out of line, uncompressed)
-- twice, '', 'NaN', 'Infinity', a control character and non-ASCII
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, channel)
SELECT l.lead_id, 'ad_click', now() - ((20 - i) || ' days')::interval, c
  FROM leadqual.lead l,
       (SELECT row_number() OVER () AS i, c FROM unnest(ARRAY[
            'ads', (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 31250) i),
            '', 'NaN', 'Infinity', '-Infinity', 'ünïcödé ☃ ' || chr(1),
            (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 31250) i), 'web']) c) v
 WHERE l.external_id = 'ax-wide';
-- ax-late: every touch after the win (a converting lead left with none)
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, channel)
SELECT l.lead_id, 'ad_click', now() - interval '1 hour', 'web' FROM leadqual.lead l WHERE l.external_id = 'ax-late';
SELECT leadqual.transition(lead_id, 'mql', 'marketing', at => now() - interval '40 days'),
       leadqual.accept(lead_id, 'alice', now() - interval '30 days'),
       leadqual.qualify(lead_id, now() - interval '20 days'),
       leadqual.close_opportunity(leadqual.open_opportunity(lead_id, 1000 + lead_id, now() - interval '10 days'),
                                  true, NULL, NULL, now() - interval '5 days')
  FROM leadqual.lead WHERE external_id LIKE 'ax-%' AND external_id <> 'ax-late';
SELECT leadqual.transition(lead_id, 'mql', 'marketing', at => now() - interval '3 hours'),
       leadqual.accept(lead_id, 'alice', now() - interval '3 hours'),
       leadqual.qualify(lead_id, now() - interval '3 hours'),
       leadqual.close_opportunity(leadqual.open_opportunity(lead_id, 5, now() - interval '3 hours'),
                                  true, NULL, NULL, now() - interval '2 hours')
  FROM leadqual.lead WHERE external_id = 'ax-late';

-- Forged path_counts values reach the type's readers (combine, final, the
-- transition functions) unvalidated through this binary-coercible cast,
-- as a corrupted stored or shipped state would; text input and binary
-- receive (COPY ... FORMAT binary) validate on their own.
CREATE CAST (bytea AS leadqual.path_counts) WITHOUT FUNCTION;
-- the aggregates' states themselves (attribute_paths without its final function)
CREATE AGGREGATE hostile.paths_state(text, text[], float8, float8, float8, integer) (
    SFUNC = leadqual.attribute_paths_trans, STYPE = leadqual.path_counts,
    COMBINEFUNC = leadqual.path_counts_combine, PARALLEL = SAFE);
CREATE AGGREGATE hostile.journeys_state(text, text[], timestamptz[], boolean, timestamptz, float8,
                                        timestamptz, timestamptz, timestamptz, interval, integer) (
    SFUNC = leadqual.attribute_journeys_trans, STYPE = leadqual.path_counts,
    COMBINEFUNC = leadqual.path_counts_combine, PARALLEL = SAFE);

-- path tables: 20,000 rows (enough for a parallel plan), and the same rows
-- partitioned four ways (a partitionwise aggregate: a partial state per
-- partition, combined).  Paths of 1-8 touches over 12 channels, with loops.
CREATE TABLE hostile.paths (id int PRIMARY KEY, path text[] NOT NULL, conversions float8 NOT NULL,
                            revenue float8 NOT NULL, nulls float8 NOT NULL);
INSERT INTO hostile.paths
SELECT i, ARRAY(SELECT 'c' || ((i * 7 + j * j * 3 + (i / 5) * j) % 12) FROM generate_series(1, 1 + i % 8) j),
       (i % 3)::float8 / 2, CASE WHEN i % 3 = 0 THEN 0 ELSE (i % 97) * 10.5 END, (i % 5)::float8
  FROM generate_series(1, 20000) i;
CREATE TABLE hostile.paths_part (LIKE hostile.paths) PARTITION BY HASH (id);
CREATE TABLE hostile.paths_part0 PARTITION OF hostile.paths_part FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE hostile.paths_part1 PARTITION OF hostile.paths_part FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE hostile.paths_part2 PARTITION OF hostile.paths_part FOR VALUES WITH (MODULUS 4, REMAINDER 2);
CREATE TABLE hostile.paths_part3 PARTITION OF hostile.paths_part FOR VALUES WITH (MODULUS 4, REMAINDER 3);
INSERT INTO hostile.paths_part SELECT * FROM hostile.paths;

-- Valid states, taken from the aggregates over fixture paths: every
-- method (the ones that need times over the fixture's journeys), markov
-- orders 1-4 and 8, no conversions, counts near float8's limit, 1,000
-- channels (compressed) and a 1 MB channel (out of line).
CREATE TABLE hostile.pc (k text PRIMARY KEY, s leadqual.path_counts NOT NULL);
INSERT INTO hostile.pc
SELECT m || CASE WHEN m = 'markov' THEN o::text ELSE '' END,
       (SELECT hostile.paths_state(m, p.path, p.conversions, p.revenue, p.nulls, o) FROM hostile.paths p WHERE p.id <= 40)
  FROM unnest('{first_touch,last_touch,linear,position_based,shapley}'::text[]) m, (VALUES (1)) o(o)
UNION ALL
SELECT 'markov' || o, (SELECT hostile.paths_state('markov', p.path, p.conversions, p.revenue, p.nulls, o)
                         FROM hostile.paths p WHERE p.id <= 40)
  FROM unnest('{1,2,3,4,8}'::int[]) o
UNION ALL
SELECT m, (SELECT hostile.journeys_state(m, j.channels, j.touched_at, j.converted, j.conversion_at, j.value,
                                         j.mql_at, j.opportunity_at, j.won_at, '7 days', 1)
             FROM leadqual.attribution_journeys('won', '-infinity', 'infinity', NULL) j
            WHERE j.channels IS NOT NULL AND j.lead_id IN (SELECT lead_id FROM leadqual.lead WHERE external_id IN ('ax-mix', 'fx-inquiry')))
  FROM unnest('{time_decay,w_shaped,full_path}'::text[]) m
UNION ALL
SELECT 'markov_loop', hostile.paths_state('markov', p, c, r, n, 1)
  FROM (VALUES ('{a,b,a,b,a,c}'::text[], 1::float8, 10::float8, 0::float8), ('{b,a,b,d}', 0, 0, 3), ('{d}', 0, 0, 2)) v(p, c, r, n)
UNION ALL
SELECT 'markov_noconv', hostile.paths_state('markov', '{a,b,a}', 0, 0, 5, 2)
UNION ALL
SELECT 'linear_huge', hostile.paths_state('linear', '{a,b}', 1e308, 1e308, 0, 1)
UNION ALL
SELECT 'markov_huge', hostile.paths_state('markov', '{a,b}', 1e308, 1e308, 1e307, 1)
UNION ALL
SELECT 'linear_wide', hostile.paths_state('linear', ARRAY(SELECT md5(i::text) FROM generate_series(1, 1000) i), 1, 5, 0, 1)
UNION ALL
SELECT 'markov_mb', hostile.paths_state('markov', ARRAY[(SELECT string_agg(md5(i::text), '') FROM generate_series(1, 31250) i), 'web'], 1, 5, 1, 2);
DO $$
BEGIN
    IF (SELECT count(*) FROM hostile.pc) <> 19
       OR (SELECT pg_column_size(s) > 100000 FROM hostile.pc WHERE k = 'linear_wide')
       OR (SELECT pg_column_compression(channel) IS NOT NULL OR pg_column_size(channel) < 1000000
             FROM leadqual.event WHERE length(channel) > 1000 LIMIT 1)
       OR (SELECT pg_column_size(s) < 1000000 FROM hostile.pc WHERE k = 'markov_mb') THEN
        RAISE EXCEPTION 'hostile fixture: the path_counts states are not what the names say';
    END IF;
END
$$;

-- binary receive: forged and valid streams are COPYed (FORMAT binary) into this
CREATE TABLE hostile.pc_in (s leadqual.path_counts);
-- the fixture's journeys as a table (the small ones 1,500 times), so that
-- attribute_journeys runs in a parallel plan
CREATE TABLE hostile.journeys AS
SELECT j.* FROM leadqual.attribution_journeys('won', '-infinity', 'infinity', NULL) j, generate_series(1, 1500) i
 WHERE j.channels IS NOT NULL AND pg_column_size(j.channels) < 1000
UNION ALL
SELECT j.* FROM leadqual.attribution_journeys('won', '-infinity', 'infinity', NULL) j
 WHERE j.channels IS NOT NULL AND pg_column_size(j.channels) >= 1000;

-- Checks of attribution results (a failing check is an error the driver
-- reports as "accepted, then failed"): credits add up to the conversions
-- and revenue attributed, a parallel or partitionwise result equals the
-- serial one, attribution() and lead_attribution() add up over the
-- fixture's journeys.  Relative tolerance 1e-9.
CREATE FUNCTION hostile.near(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT abs(a - b) <= 1e-9 * greatest(abs(a), abs(b), 1e-300) OR (a = 0 AND b = 0) $$;

-- (conversions are a share of journeys: their sum may be off by 1e-9 of the
-- journeys, converting or not; that covers a P(conversion) that underflows.
-- The check computes in numeric: float8 arithmetic would itself overflow or
-- underflow, with an error of its own, at the values the cases use.)
CREATE FUNCTION hostile.check_credit(r leadqual.channel_credit[], conversions numeric, revenue numeric, nulls numeric)
    RETURNS leadqual.channel_credit[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    c numeric; v numeric; bad text;
BEGIN
    IF r IS NULL OR EXISTS (SELECT FROM unnest(r) x WHERE x.conversions IN ('NaN', 'Infinity', '-Infinity')
                                                         OR x.revenue IN ('NaN', 'Infinity', '-Infinity')
                                                         OR x.removal_effect IN ('NaN', 'Infinity', '-Infinity')) THEN
        RETURN r;           -- the driver reports a non-finite result itself
    END IF;
    SELECT sum(x.conversions::numeric), sum(x.revenue::numeric),
           string_agg(x.channel, ', ') FILTER (WHERE NOT (x.conversions >= 0 AND x.revenue >= 0
                                                         AND coalesce(x.removal_effect BETWEEN 0 AND 1, true)))
      INTO c, v, bad FROM unnest(r) x;
    IF bad IS NOT NULL OR NOT abs(c - conversions) <= 1e-9 * (conversions + nulls) + 1e-300
       OR NOT abs(v - revenue) <= 1e-9 * revenue + 1e-300 THEN
        RAISE EXCEPTION USING ERRCODE = 'HX001',
            MESSAGE = format('credits do not add up: conversions %s of %s, revenue %s of %s, out of range: %s',
                             c::float8, conversions::float8, v::float8, revenue::float8, bad);
    END IF;
    RETURN r;
END $$;

CREATE FUNCTION hostile.same_credit(a leadqual.channel_credit[], b leadqual.channel_credit[])
    RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    d text;
BEGIN
    SELECT string_agg(format('%s: %s / %s', coalesce(x.channel, y.channel), x, y), '; ') INTO d
      FROM unnest(a) WITH ORDINALITY x(channel, conversions, revenue, removal_effect, i)
      FULL JOIN unnest(b) WITH ORDINALITY y(channel, conversions, revenue, removal_effect, i) ON x.i = y.i
     WHERE x.channel IS DISTINCT FROM y.channel OR NOT hostile.near(x.conversions, y.conversions)
        OR NOT hostile.near(x.revenue, y.revenue)
        OR NOT coalesce(hostile.near(x.removal_effect, y.removal_effect), x.removal_effect IS NULL AND y.removal_effect IS NULL);
    IF d IS NOT NULL OR (a IS NULL) <> (b IS NULL) THEN
        RAISE EXCEPTION USING ERRCODE = 'HX002', MESSAGE = 'the plan changed the credits: ' || left(coalesce(d, 'NULL'), 500);
    END IF;
END $$;

CREATE FUNCTION hostile.check_attribution(method text, goal leadqual.stage, since timestamptz, until timestamptz,
                                          lookback interval, half_life interval, markov_order integer)
    RETURNS void LANGUAGE plpgsql STABLE AS $$
DECLARE
    n float8; v float8; c float8; r float8; s float8; bad text;
BEGIN
    SELECT count(*), coalesce(sum(j.value), 0) INTO n, v
      FROM leadqual.attribution_journeys(goal, since, until, lookback) j WHERE j.converted AND j.channels IS NOT NULL;
    SELECT coalesce(sum(a.conversions), 0), coalesce(sum(a.revenue), 0), sum(a.share) INTO c, r, s
      FROM leadqual.attribution(method, goal, since, until, lookback, half_life, markov_order) a;
    IF NOT hostile.near(c, n) OR NOT hostile.near(r, v) OR NOT coalesce(hostile.near(s, 1), n = 0) THEN
        RAISE EXCEPTION USING ERRCODE = 'HX003',
            MESSAGE = format('attribution(%s) does not add up: conversions %s of %s, revenue %s of %s, shares %s',
                             method, c, n, r, v, s);
    END IF;
    SELECT string_agg(format('lead %s: weight %s, revenue %s of %s', x.lead_id, x.w, x.r, x.value), '; ') INTO bad
      FROM (SELECT j.lead_id, j.value, sum(l.weight) AS w, sum(l.revenue) AS r
              FROM leadqual.attribution_journeys(goal, since, until, lookback) j
              LEFT JOIN leadqual.lead_attribution(method, goal, since, until, lookback, half_life, markov_order) l
                ON l.lead_id = j.lead_id
             WHERE j.converted AND j.channels IS NOT NULL
             GROUP BY j.lead_id, j.value) x
     WHERE NOT coalesce(hostile.near(x.w, 1) AND hostile.near(x.r, x.value), false);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'HX003',
            MESSAGE = format('lead_attribution(%s) does not add up: %s', method, left(bad, 500));
    END IF;
END $$;

SELECT leadqual.rescore();
ANALYZE;

-- Predictive models (issue 11): hx uses every kind of feature and is
-- trained, as is the default model (so lead_status.win_probability and
-- score_calibration predict in every report follow-up).  The training
-- leads are those that reached mql: the ax- leads (mql 40 days ago, won 5
-- days ago, and ax-late, won within the hour) are positive, fx-mql,
-- fx-sal, fx-sql, fx-opportunity and fx-nurture (mql at the fixture's
-- now(), not won) negative; as_of lies a horizon ahead so that all count.
INSERT INTO leadqual.predictive_model (name, horizon, features, l2) VALUES
    ('hx', '60 days', '{seniority,company_size_band,source_channel,company_size,email_domain,job_title,attributes.tier,attributes.seats,events.page_view,events.ad_click,fit_score,engagement_score}', 1);
SELECT count(*) FROM leadqual.train_predictive('hx', now() + interval '61 days', 0);
SELECT count(*) FROM leadqual.train_predictive('default', now() + interval '181 days', 0);
