SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;

-- scoring_fit: fit rules (SPEC §3).  fit = Σ points of the fit rules of the
-- model that match the lead, each rule once.  A rule reads a lead column
-- (email, company, job_title, industry, country, company_size,
-- source_channel) or attributes.<key>, with op eq / in / regex / range /
-- exists.  A NULL (or absent) field matches no op.
--
-- The model fit_t below has one section of rules per field.  Each lead sets
-- only the fields of the section it tests and leaves every other field NULL,
-- so its fit is the sum of the points of its own section's rules that match;
-- within a section the points are distinct powers of two, so the sum names
-- exactly which rules matched.

INSERT INTO leadqual.scoring_model (name) VALUES ('fit_t'), ('fit_other');

INSERT INTO leadqual.fit_rule (rule_id, model, field, op, value, points, description) VALUES
    -- job_title: eq on text, regex
    (101, 'fit_t', 'job_title', 'eq', '"CEO"', 1, 'title is CEO'),
    (102, 'fit_t', 'job_title', 'regex', '"vp|director"', 2, 'VP or director'),
    (103, 'fit_t', 'job_title', 'regex', '"^chief .* officer$"', 4, 'chief ... officer'),
    -- company_size: eq on a number, in on numbers, ranges (inclusive, open ends)
    (111, 'fit_t', 'company_size', 'eq', '500.0', 1, 'exactly 500 employees'),
    (112, 'fit_t', 'company_size', 'in', '[10, 20]', 2, '10 or 20 employees'),
    (113, 'fit_t', 'company_size', 'range', '[100, 200]', 4, '100-200 employees'),
    (114, 'fit_t', 'company_size', 'range', '[null, 10]', 8, 'at most 10 employees'),
    (115, 'fit_t', 'company_size', 'range', '[1000, null]', 16, '1000+ employees'),
    -- email: exists, and a negative regex (free-mail penalty)
    (121, 'fit_t', 'email', 'exists', NULL, 10, 'has an e-mail address'),
    (122, 'fit_t', 'email', 'regex', '"@(gmail|yahoo)\\."', -30, 'free e-mail'),
    -- the other columns
    (131, 'fit_t', 'country', 'in', '["DE", "fr", "de"]', 1, 'DACH/FR (DE listed twice)'),
    (132, 'fit_t', 'industry', 'eq', '"SaaS"', 2, 'SaaS'),
    (133, 'fit_t', 'company', 'regex', '"^acme"', 4, 'an ACME company'),
    (134, 'fit_t', 'source_channel', 'in', '["webinar", "Paid Search"]', 8, 'good channel'),
    -- attributes.<key>: every op
    (141, 'fit_t', 'attributes.plan', 'eq', '"Enterprise"', 1, 'plan enterprise'),
    (142, 'fit_t', 'attributes.seats', 'eq', '25', 2, '25 seats'),
    (143, 'fit_t', 'attributes.is_customer', 'eq', 'true', 4, 'customer'),
    (144, 'fit_t', 'attributes.region', 'in', '["EMEA", "apac"]', 8, 'EMEA or APAC'),
    (145, 'fit_t', 'attributes.role', 'regex', '"^(owner|admin)$"', 16, 'owner or admin'),
    (146, 'fit_t', 'attributes.arr', 'range', '[2.5, 10]', 32, 'ARR 2.5-10 M'),
    (147, 'fit_t', 'attributes.linkedin', 'exists', NULL, 64, 'has a LinkedIn profile'),
    -- another model, for fit_score(lead, model)
    (151, 'fit_other', 'job_title', 'regex', '"ceo"', 1000, 'other model: CEO');

-- fit of each lead of a section, and which rules matched (explain_score lists
-- the matching fit rules of the lead's model, with their points)
CREATE VIEW fit_check AS
SELECT l.external_id,
       leadqual.fit_score(l) AS fit,
       (SELECT array_agg(x.rule_id ORDER BY x.rule_id)
          FROM leadqual.explain_score(l.lead_id, '2025-03-01 00:00+00') x
         WHERE x.kind = 'fit') AS matched
  FROM leadqual.lead l;

-- ---------------------------------------------------------------------
-- job_title: eq is a case-insensitive comparison of the whole value;
-- regex is a case-insensitive POSIX search; a rule counts once even when
-- its pattern matches twice.
-- ---------------------------------------------------------------------
INSERT INTO leadqual.lead (external_id, created_at, model, job_title) VALUES
    ('title-1', '2025-01-01', 'fit_t', 'CEO'),                     -- 101 → 1
    ('title-2', '2025-01-01', 'fit_t', 'ceo'),                     -- 101 (case) → 1
    ('title-3', '2025-01-01', 'fit_t', 'CEO '),                    -- 'ceo ' ≠ 'ceo' → 0
    ('title-4', '2025-01-01', 'fit_t', 'Vice CEO'),                -- eq is the whole value → 0
    ('title-5', '2025-01-01', 'fit_t', 'Senior VP Sales'),         -- 102 ('VP' ~* 'vp') → 2
    ('title-6', '2025-01-01', 'fit_t', 'Director, VP of Sales'),   -- 102 once, though it matches twice → 2
    ('title-7', '2025-01-01', 'fit_t', 'CHIEF MARKETING OFFICER'), -- 103 → 4
    ('title-8', '2025-01-01', 'fit_t', 'Chief Officer'),           -- 103 needs '^chief .* officer$' → 0
    ('title-9', '2025-01-01', 'fit_t', NULL);                      -- NULL matches nothing → 0
SELECT * FROM fit_check WHERE external_id LIKE 'title-%' ORDER BY 1;

-- ---------------------------------------------------------------------
-- company_size (integer): eq 500.0 compares numerically (500 = 500.0);
-- in [10, 20]; ranges are inclusive at both ends and null is an open end.
-- Two rules on one field both count when both match (size 10).
-- ---------------------------------------------------------------------
INSERT INTO leadqual.lead (external_id, created_at, model, company_size) VALUES
    ('size-0000', '2025-01-01', 'fit_t', 0),     -- 114 [null,10] → 8
    ('size-0010', '2025-01-01', 'fit_t', 10),    -- 112 in (2) + 114 upper bound inclusive (8) → 10
    ('size-0011', '2025-01-01', 'fit_t', 11),    -- nothing → 0
    ('size-0020', '2025-01-01', 'fit_t', 20),    -- 112 → 2
    ('size-0099', '2025-01-01', 'fit_t', 99),    -- nothing → 0
    ('size-0100', '2025-01-01', 'fit_t', 100),   -- 113 lower bound inclusive → 4
    ('size-0200', '2025-01-01', 'fit_t', 200),   -- 113 upper bound inclusive → 4
    ('size-0201', '2025-01-01', 'fit_t', 201),   -- nothing → 0
    ('size-0500', '2025-01-01', 'fit_t', 500),   -- 111 (500 = 500.0) → 1
    ('size-0999', '2025-01-01', 'fit_t', 999),   -- nothing → 0
    ('size-1000', '2025-01-01', 'fit_t', 1000),  -- 115 [1000,null] lower bound inclusive → 16
    ('size-null', '2025-01-01', 'fit_t', NULL);  -- NULL: not even the open ranges → 0
SELECT * FROM fit_check WHERE external_id LIKE 'size-%' ORDER BY 1;

-- ---------------------------------------------------------------------
-- email: exists matches any non-empty address (an empty string is no
-- address); the free-mail regex has negative points and is case-insensitive.
-- ---------------------------------------------------------------------
INSERT INTO leadqual.lead (external_id, created_at, model, email) VALUES
    ('email-1', '2025-01-01', 'fit_t', 'ann@acme.com'),    -- 121 → 10
    ('email-2', '2025-01-01', 'fit_t', 'bob@gmail.com'),   -- 121 + 122 → 10 − 30 = −20
    ('email-3', '2025-01-01', 'fit_t', 'CARL@YAHOO.COM'),  -- 121 + 122 (case) → −20
    ('email-4', '2025-01-01', 'fit_t', 'dan@gmailx.com'),  -- 121 only ('gmailx.' is not 'gmail.') → 10
    ('email-5', '2025-01-01', 'fit_t', ''),                -- empty: no rule → 0
    ('email-6', '2025-01-01', 'fit_t', NULL);              -- NULL: no rule → 0
SELECT * FROM fit_check WHERE external_id LIKE 'email-%' ORDER BY 1;

-- ---------------------------------------------------------------------
-- country (in, listed twice: counted once), industry (eq, case-insensitive),
-- company (regex, anchored), source_channel (in, case-insensitive).
-- ---------------------------------------------------------------------
INSERT INTO leadqual.lead (external_id, created_at, model, country, industry, company, source_channel) VALUES
    ('cols-1', '2025-01-01', 'fit_t', 'de', 'saas', 'ACME Corp', 'paid search'),  -- 1 + 2 + 4 + 8 = 15
    ('cols-2', '2025-01-01', 'fit_t', 'FR', NULL, 'Big Acme', 'Webinar'),         -- 131 (1) + 134 (8) = 9; '^acme' does not match 'Big Acme'
    ('cols-3', '2025-01-01', 'fit_t', 'AT', 'SAAS', NULL, 'organic'),             -- 132 → 2
    ('cols-4', '2025-01-01', 'fit_t', NULL, NULL, NULL, NULL);                    -- 0
SELECT * FROM fit_check WHERE external_id LIKE 'cols-%' ORDER BY 1;

-- ---------------------------------------------------------------------
-- attributes.<key>: the same ops on keys of the attributes object.  A key
-- holding JSON null counts as absent; exists matches any other value, even
-- an object.
-- ---------------------------------------------------------------------
INSERT INTO leadqual.lead (external_id, created_at, model, attributes) VALUES
    -- every rule: 1 + 2 + 4 + 8 + 16 + 32 + 64 = 127
    --   plan 'enterprise' eq "Enterprise" (case); seats 25.0 = 25 (number);
    --   is_customer true = true; region 'emea' in list (case); role 'Admin'
    --   ~* '^(owner|admin)$'; arr 2.5 is the inclusive lower bound; linkedin set
    ('attr-1', '2025-01-01', 'fit_t',
     '{"plan": "enterprise", "seats": 25.0, "is_customer": true, "region": "emea",
       "role": "Admin", "arr": 2.5, "linkedin": "https://linkedin.com/in/ann"}'),
    -- each value just misses: 'Enterprise Plus' is not the whole value; 24;
    -- false; AMER; 'administrator' fails the anchors; 10.01 > 10; JSON null
    -- counts as absent → 0
    ('attr-2', '2025-01-01', 'fit_t',
     '{"plan": "Enterprise Plus", "seats": 24, "is_customer": false, "region": "AMER",
       "role": "administrator", "arr": 10.01, "linkedin": null}'),
    -- arr 10 is the inclusive upper bound (32); linkedin is an object: it
    -- exists (64); is_customer "yes" is not true → 96
    ('attr-3', '2025-01-01', 'fit_t',
     '{"arr": 10, "linkedin": {"url": "x"}, "is_customer": "yes"}'),
    -- no keys → 0
    ('attr-4', '2025-01-01', 'fit_t', '{}');
SELECT * FROM fit_check WHERE external_id LIKE 'attr-%' ORDER BY 1;

-- ---------------------------------------------------------------------
-- fit_score(lead, model): NULL model (the default) is the lead's own model;
-- another model's rules can be applied to the same row.
-- title-2 ('ceo'): own model fit_t → 1; fit_other ('ceo' ~* 'ceo') → 1000;
-- title-5 ('Senior VP Sales'): fit_t → 2; fit_other → 0.
-- ---------------------------------------------------------------------
SELECT l.external_id,
       leadqual.fit_score(l) AS own,
       leadqual.fit_score(l, NULL) AS own_explicit,
       leadqual.fit_score(l, 'fit_t') AS fit_t,
       leadqual.fit_score(l, 'fit_other') AS fit_other
  FROM leadqual.lead l
 WHERE l.external_id IN ('title-2', 'title-5')
 ORDER BY 1;

-- A NULL lead has no fit.
SELECT leadqual.fit_score(NULL::leadqual.lead) IS NULL AS null_lead;

-- The shipped default model on a typical lead: C-level title (35),
-- 1000+ employees (25), target industry 'Software' (15), target market 'us'
-- (10), free e-mail (−20); 'Chief Executive Officer' is not a VP or manager
-- title, company size matches only the 1000+ band → 35 + 25 + 15 + 10 − 20 = 65.
INSERT INTO leadqual.lead (external_id, created_at, model, email, company, job_title,
                           industry, country, company_size) VALUES
    ('default-1', '2025-01-01', 'default', 'ceo.jane@gmail.com', 'Initech',
     'Chief Executive Officer', 'Software', 'us', 1500);
SELECT leadqual.fit_score(l) AS default_fit
  FROM leadqual.lead l WHERE l.external_id = 'default-1';

-- ---------------------------------------------------------------------
-- Regex rules whose pattern is literals only (prefix(a|b|…)suffix, a plain
-- literal, a|b) are matched by substring search on ASCII values; every
-- answer must equal the regex engine's (~*), including on mixed case,
-- near misses, non-ASCII values (left to the engine) and patterns that
-- only look literal (classes, anchors, quantifiers: left to the engine).
-- ---------------------------------------------------------------------
CREATE TEMP TABLE lit_patterns (pattern text);
INSERT INTO lit_patterns VALUES
    ('@(gmail|yahoo|hotmail)\.'), ('@(?:gmail|web)\.de'), ('gmail'), ('vp|director'),
    ('Head of'), ('a\+b'), ('(x|y)z'), ('^ceo'), ('ceo$'), ('gm.il'), ('gma+il'),
    ('(gmail|yahoo)+'), ('[gh]mail'), ('\mceo'), ('ceo|(cto)'), ('');
CREATE TEMP TABLE lit_values (v text);
INSERT INTO lit_values VALUES
    ('jane@gmail.com'), ('JANE@GMAIL.COM'), ('jane@gmailcom'), ('jane@mygmail.com'),
    ('x@web.de'), ('x@WEB.DE'), ('x@web.dex'), ('SVP Sales'), ('vice director'), ('HEAD OF IT'),
    ('a+b'), ('aab'), ('xz'), ('yz'), ('zz'), ('CEO Jane'), ('Jane CEO'), ('cto'),
    ('jäne@gmail.com'), ('ﬁnance head of'), ('');
-- one model per pattern, one rule each
INSERT INTO leadqual.scoring_model (name)
SELECT 'lit_' || n FROM generate_series(1, 16) n;
INSERT INTO leadqual.fit_rule (model, field, op, value, points)
SELECT 'lit_' || row_number() OVER (), 'job_title', 'regex', to_jsonb(pattern), 1 FROM lit_patterns;
CREATE TEMP VIEW lit_answers AS
SELECT r.value #>> '{}' AS pattern, v.v AS value,
       leadqual.fit_score(jsonb_populate_record(NULL::leadqual.lead, jsonb_build_object('job_title', v.v)),
                          r.model) = 1 AS fit_matched,
       v.v ~* (r.value #>> '{}') AS engine_matched
  FROM leadqual.fit_rule r CROSS JOIN lit_values v
 WHERE r.model LIKE 'lit\_%';
-- 16 patterns × 21 values, with matches and misses; expect no differences
SELECT count(*) AS answers, count(*) FILTER (WHERE engine_matched) > 0 AS some_match,
       count(*) FILTER (WHERE NOT engine_matched) > 0 AS some_miss
  FROM lit_answers;
SELECT * FROM lit_answers WHERE fit_matched IS DISTINCT FROM engine_matched;

DROP VIEW fit_check;
