SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;
\i sql/include/try.sql
SET timezone = 'UTC';

-- scoring_fit_groups: fit rule_group (SPEC §3, issue 8 defect 7).  Rules of
-- a model sharing a rule_group are alternatives: of a group's matching rules
-- only the one with the most points counts (ties: the lowest rule_id).
-- Ungrouped rules each count when they match.  explain_score lists the rule
-- that counted, so its fit contributions add up to fit_score and score().
--
-- Model grp_t, and the value each case expects (hand-computed below):
--   group title   201 'founder' 35, 202 'director' 25, 203 'lead' 15
--   group rev     261 'x' 5, 262 'y' 9 (the better rule has the higher id)
--   group tie     211 attributes.a exists 10, 212 attributes.b exists 10,
--                 213 attributes.c exists 4
--   group neg     221 email '@gmail\.' -20, 222 email '\.test$' -5
--   group mix     231 attributes.plan eq "enterprise" 30,
--                 232 company_size range [1000, null] 20,
--                 233 attributes.tier in ["gold"] 40
--   no group      241 country eq "DE" 1, 242 job_title 'student' -30
INSERT INTO leadqual.scoring_model (name) VALUES ('grp_t'), ('grp_u');
INSERT INTO leadqual.fit_rule (rule_id, model, field, op, value, points, rule_group, description) VALUES
    (201, 'grp_t', 'job_title', 'regex', '"founder"', 35, 'title', 'founder'),
    (202, 'grp_t', 'job_title', 'regex', '"director"', 25, 'title', 'director'),
    (203, 'grp_t', 'job_title', 'regex', '"lead"', 15, 'title', 'lead'),
    (211, 'grp_t', 'attributes.a', 'exists', NULL, 10, 'tie', 'has a'),
    (212, 'grp_t', 'attributes.b', 'exists', NULL, 10, 'tie', 'has b'),
    (213, 'grp_t', 'attributes.c', 'exists', NULL, 4, 'tie', 'has c'),
    (221, 'grp_t', 'email', 'regex', '"@gmail\\."', -20, 'neg', 'gmail'),
    (222, 'grp_t', 'email', 'regex', '"\\.test$"', -5, 'neg', 'test domain'),
    (231, 'grp_t', 'attributes.plan', 'eq', '"enterprise"', 30, 'mix', 'enterprise plan'),
    (232, 'grp_t', 'company_size', 'range', '[1000, null]', 20, 'mix', '1000+ employees'),
    (233, 'grp_t', 'attributes.tier', 'in', '["gold"]', 40, 'mix', 'gold tier'),
    (241, 'grp_t', 'country', 'eq', '"DE"', 1, NULL, 'Germany'),
    (242, 'grp_t', 'job_title', 'regex', '"student"', -30, NULL, 'student'),
    (261, 'grp_t', 'job_title', 'regex', '"x"', 5, 'rev', 'x'),
    (262, 'grp_t', 'job_title', 'regex', '"y"', 9, 'rev', 'y'),
    -- grp_u has a group named title too: groups belong to their model
    (271, 'grp_u', 'job_title', 'regex', '"founder"', 100, 'title', 'other model: founder'),
    (272, 'grp_u', 'job_title', 'regex', '"lead"', 1, NULL, 'other model: lead');

-- fit, the fit rules explain_score lists, and whether their contributions
-- add up to fit_score and to score()'s fit
CREATE VIEW grp_check AS
SELECT l.external_id,
       leadqual.fit_score(l) AS fit,
       (SELECT array_agg(x.rule_id ORDER BY x.rule_id)
          FROM leadqual.explain_score(l.lead_id, '2025-03-01') x
         WHERE x.kind = 'fit') AS counted,
       (SELECT coalesce(sum(x.contribution), 0)
          FROM leadqual.explain_score(l.lead_id, '2025-03-01') x
         WHERE x.kind = 'fit') = leadqual.fit_score(l)
       AND leadqual.fit_score(l) = (leadqual.score(l.lead_id, '2025-03-01')).fit_score AS adds_up
  FROM leadqual.lead l;

INSERT INTO leadqual.lead (external_id, created_at, model, job_title, email, country, company_size, attributes) VALUES
    -- title: the best matching member counts, once
    ('g-1', '2025-01-01', 'grp_t', 'Founder, Director and Team Lead', NULL, NULL, NULL, '{}'),  -- 201 → 35
    ('g-2', '2025-01-01', 'grp_t', 'Director and Team Lead', NULL, NULL, NULL, '{}'),           -- 202 → 25
    ('g-3', '2025-01-01', 'grp_t', 'Team Lead', NULL, NULL, NULL, '{}'),                       -- 203 → 15
    ('g-4', '2025-01-01', 'grp_t', 'Engineer', NULL, NULL, NULL, '{}'),                        -- none → 0
    -- an ungrouped penalty applies on top of the group: 35 - 30
    ('g-5', '2025-01-01', 'grp_t', 'Student Founder', NULL, NULL, NULL, '{}'),                 -- 201, 242 → 5
    -- rev: the later rule has more points and replaces the earlier one
    ('g-6', '2025-01-01', 'grp_t', 'xy', NULL, NULL, NULL, '{}'),                              -- 262 → 9
    ('g-7', '2025-01-01', 'grp_t', 'x', NULL, NULL, NULL, '{}'),                               -- 261 → 5
    -- tie: 211 and 212 both 10, the lowest rule_id counts; 213 (4) loses
    ('g-8', '2025-01-01', 'grp_t', NULL, NULL, NULL, NULL, '{"a": 1, "b": 1, "c": 1}'),        -- 211 → 10
    ('g-9', '2025-01-01', 'grp_t', NULL, NULL, NULL, NULL, '{"b": 1, "c": 1}'),                -- 212 → 10
    ('g-10', '2025-01-01', 'grp_t', NULL, NULL, NULL, NULL, '{"c": 1}'),                       -- 213 → 4
    -- neg: only negative rules match, the max (least negative) counts
    ('g-11', '2025-01-01', 'grp_t', NULL, 'x@gmail.test', NULL, NULL, '{}'),                   -- 222 → -5
    ('g-12', '2025-01-01', 'grp_t', NULL, 'x@gmail.com', NULL, NULL, '{}'),                    -- 221 → -20
    -- mix: one group across two attributes.<key> fields and a column
    ('g-13', '2025-01-01', 'grp_t', NULL, NULL, NULL, 5000, '{"plan": "Enterprise", "tier": "gold"}'),  -- 233 → 40
    ('g-14', '2025-01-01', 'grp_t', NULL, NULL, NULL, 5000, '{"plan": "enterprise"}'),         -- 231 → 30
    ('g-15', '2025-01-01', 'grp_t', NULL, NULL, NULL, 5000, '{"tier": "silver"}'),             -- 232 → 20
    -- every group at once, plus the ungrouped country rule:
    -- title 35 + rev 9 + tie 10 + neg -5 + mix 40 + DE 1 = 90
    ('g-16', '2025-01-01', 'grp_t', 'Founder & Lead xy', 'x@gmail.test', 'DE', 5000,
     '{"a": true, "b": true, "plan": "enterprise", "tier": "gold"}'),                          -- 90
    -- the other model: its group title has one rule, 271; 272 is ungrouped
    ('u-1', '2025-01-01', 'grp_u', 'Founder and Team Lead', NULL, NULL, NULL, '{}');           -- 271 + 272 → 101
SELECT * FROM grp_check ORDER BY length(external_id), external_id;

-- the same through the rescore pass (score_by_lead) and the live-scored
-- columns: every path computes fit in lq_fit
SELECT l.external_id, s.fit_score AS by_lead, l.fit_score AS stored
  FROM leadqual.score_by_lead('grp_t', '2025-03-01') s
  JOIN leadqual.lead l USING (lead_id)
 WHERE s.fit_score IS DISTINCT FROM leadqual.fit_score(l)
    OR l.fit_score IS DISTINCT FROM leadqual.fit_score(l);

-- rule_group is read again when it changes: moving 203 out of title makes
-- g-1 score 35 + 15 = 50; NULL again → 35
UPDATE leadqual.fit_rule SET rule_group = NULL WHERE rule_id = 203;
SELECT external_id, fit, counted FROM grp_check WHERE external_id = 'g-1';
UPDATE leadqual.fit_rule SET rule_group = 'title' WHERE rule_id = 203;
SELECT external_id, fit, counted FROM grp_check WHERE external_id = 'g-1';

-- a bad rule_group is refused when written
SELECT pg_temp.try($$INSERT INTO leadqual.fit_rule (model, field, op, value, points, rule_group) VALUES ('grp_t', 'country', 'eq', '"FR"', 1, '')$$);
SELECT pg_temp.try(format($$INSERT INTO leadqual.fit_rule (model, field, op, value, points, rule_group) VALUES ('grp_t', 'country', 'eq', '"FR"', 1, %L)$$, repeat('g', 256)));

-- ---------------------------------------------------------------------
-- The default model: "MQL threshold 100 is above the best possible fit, 85:
-- nobody qualifies on who they are alone" (README).
-- ---------------------------------------------------------------------
SELECT rule_group, rule_id - min(rule_id) OVER () AS nth, field, points, description
  FROM leadqual.fit_rule WHERE model = 'default' ORDER BY rule_id;

-- The company-size ranges cannot match together: on the integer
-- company_size no two of them overlap (expect no rows) ...
SELECT a.description, b.description
  FROM leadqual.fit_rule a
  JOIN leadqual.fit_rule b ON a.rule_id < b.rule_id AND a.model = b.model
 WHERE a.model = 'default' AND a.field = 'company_size' AND b.field = 'company_size'
   AND greatest(coalesce(ceil((a.value->>0)::numeric), 0), coalesce(ceil((b.value->>0)::numeric), 0))
       <= least(coalesce(floor((a.value->>1)::numeric), 2147483647), coalesce(floor((b.value->>1)::numeric), 2147483647));

-- ... and the best possible fit, from the rule rows: per group the most
-- points of a member (if positive), plus every positive ungrouped rule.
-- The groups are seniority (35, 25, 15) and company_size (25, 20, 10, -10);
-- the ungrouped positive rules are industry 15 and country 10:
-- 35 + 25 + 15 + 10 = 85.  The threshold is 100.
SELECT sum(best) AS best_fit,
       (SELECT mql_threshold FROM leadqual.scoring_model WHERE name = 'default') AS threshold
  FROM (SELECT greatest(max(points), 0) AS best FROM leadqual.fit_rule
         WHERE model = 'default' AND rule_group IS NOT NULL GROUP BY rule_group
        UNION ALL
        SELECT points FROM leadqual.fit_rule
         WHERE model = 'default' AND rule_group IS NULL AND points > 0) s;

-- Leads: multi-title strings score once for seniority (35 / 25 / 15), and
-- the best lead of all scores exactly 85 (CEO, 5000 employees, software,
-- US, business e-mail) and stays an inquiry when it is created (live
-- scoring, on by default), as does a founder-director-team-lead with the
-- same company.  Before rule_group, "Founder, Director and Team Lead"
-- scored 35 + 25 + 15 = 75 for seniority and, with the company, 125: an
-- MQL on insert.
INSERT INTO leadqual.lead (external_id, created_at, job_title, company_size, industry, country, email) VALUES
    ('d-1', '2025-01-01', 'Founder, Director and Team Lead', NULL, NULL, NULL, NULL),     -- 35
    ('d-2', '2025-01-01', 'CEO & Founder, VP Sales, Head of Growth', NULL, NULL, NULL, NULL),  -- 35
    ('d-3', '2025-01-01', 'VP Sales and Marketing Manager', NULL, NULL, NULL, NULL),      -- 25
    ('d-4', '2025-01-01', 'Director, Head of Ops, Team Lead', NULL, NULL, NULL, NULL),    -- 25
    ('d-5', '2025-01-01', 'Lead Manager', NULL, NULL, NULL, NULL),                        -- 15
    ('d-6', '2025-01-01', 'Student Founder', NULL, NULL, NULL, NULL),                     -- 35 - 30 = 5
    ('d-7', '2025-01-01', 'CEO', 5000, 'Software', 'US', 'ceo@acme.example'),             -- 35+25+15+10 = 85
    ('d-8', '2025-01-01', 'Founder, Director and Team Lead', 5000, 'software', 'US', 'f@acme.example'),  -- 85
    ('d-9', '2025-01-01', 'CEO', 5, 'software', 'US', 'x@gmail.com');                     -- 35-10+15+10-20 = 30
SELECT l.external_id, l.stage, l.fit_score, leadqual.fit_score(l) AS fit,
       (SELECT array_agg(x.contribution ORDER BY x.rule_id)
          FROM leadqual.explain_score(l.lead_id) x WHERE x.kind = 'fit') AS ledger
  FROM leadqual.lead l WHERE l.model = 'default' ORDER BY l.external_id;
SELECT count(*) AS mql_on_insert
  FROM leadqual.stage_history h JOIN leadqual.lead l USING (lead_id)
 WHERE l.model = 'default' AND h.to_stage = 'mql';
