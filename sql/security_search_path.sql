-- security_search_path: no object on the caller's search_path changes what
-- leadqual does (CVE-2018-1058).  Hostile operators, functions, aggregates,
-- types and relations are planted in schema evil and in pg_temp, each
-- raising 'hijacked: <name>' when used (sql/include/search_path_plant.sql);
-- then, under three search_paths that put evil before pg_catalog, every
-- public function, aggregate and action of leadqual is called, the report
-- views are read, leads and
-- events are inserted, updated and deleted (the live-scoring triggers),
-- rescore() and generate_demo() run and event is truncated.  No statement
-- may fail, and every result must equal the one under a clean search_path.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
DROP SCHEMA IF EXISTS evil CASCADE;
DROP TABLE IF EXISTS public.sp_got, public.sp_leads, public.sp_stale;
CREATE EXTENSION leadqual;
RESET client_min_messages;
SET timezone = 'UTC';
-- every move below also builds and sends its hand-off notification
-- (nobody listens)
SET leadqual.notify_channel = 'sp_handoff';

-- Model sp uses every kind of rule.  Fit: vp (regex) 20, industry in a list
-- 10, a corporate e-mail (regex) 5, 100+ employees (range) 5, a tier
-- attribute (exists) 5.  Engagement: 5 per visit and 10 more per pricing
-- visit (capped at 20), 1 per demo (a hand-raise), 10 per webinar halving
-- every 7 days, 10 for 3 visits within 7 days.  MQL at 60, any fit grade.
INSERT INTO leadqual.scoring_model (name, mql_threshold, min_fit_grade, hand_raise_types)
VALUES ('sp', 60, 'D', '{demo}');
INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES
    ('sp', 'job_title', 'regex', '"(^|[^a-z])vp([^a-z]|$)"', 20),
    ('sp', 'industry', 'in', '["software", "saas"]', 10),
    ('sp', 'email', 'regex', '"@corp\\."', 5),
    ('sp', 'company_size', 'range', '[100, null]', 5),
    ('sp', 'attributes.tier', 'exists', NULL, 5);
INSERT INTO leadqual.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within) VALUES
    ('sp', 'visit', NULL, 5, NULL, NULL, 1, NULL),
    ('sp', 'visit', '{"page": "pricing"}', 10, NULL, 20, 1, NULL),
    ('sp', 'demo', NULL, 1, NULL, NULL, 1, NULL),
    ('sp', 'webinar', NULL, 10, '7 days', NULL, 1, NULL),
    ('sp', 'visit', NULL, 10, NULL, NULL, 3, '7 days');

-- leads 1-4 for the read-only calls (lead 2 under the default model)
INSERT INTO leadqual.lead (lead_id, external_id, created_at, email, job_title, industry, company_size, attributes, model) VALUES
    (1, 'r1', '2025-01-01', 'x@corp.example', 'VP Marketing', 'software', 1200, '{"tier": "x"}', 'sp'),
    (2, 'r2', '2025-01-01', 'y@gmail.com', 'Founder', 'saas', 40, '{}', 'default'),
    (3, 'r3', '2025-01-01', NULL, 'Head of Sales', NULL, 150, '{}', 'sp'),
    (4, 'r4', '2025-01-01', 'z@corp.example', 'intern', 'retail', NULL, '{}', 'sp');
-- the channels make leads 1, 2 and 4 journeys for attribution
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties, channel) VALUES
    (1, 'visit', '2025-02-23', '{}', 'email'), (1, 'visit', '2025-02-24', '{"page": "pricing"}', 'paid_search'),
    (1, 'visit', '2025-02-25', '{}', NULL), (1, 'visit', '2025-02-26', '{"page": "pricing"}', 'email'),
    (1, 'webinar', '2025-02-22', '{}', 'webinar'), (1, 'demo', '2025-02-27', '{}', NULL),
    (2, 'demo_request', '2025-02-20', '{}', 'paid_search'), (2, 'page_view', '2025-02-21', '{"page": "pricing"}', NULL),
    (4, 'unsubscribe', '2025-02-01', '{}', 'email'), (4, 'visit', '2025-04-01', '{}', NULL);

-- lead 3 entered mql on 2025-03-01, so it is long past its SLA (due
-- 48 hours later) for the report views
SELECT leadqual.transition(3, 'mql', 'marketing', at => '2025-03-01');

-- the demo and the events inserted without an id are numbered past the
-- ids given here
SELECT setval(pg_get_serial_sequence('leadqual.lead', 'lead_id'), 10000) > 0 AS renumbered,
       setval(pg_get_serial_sequence('leadqual.event', 'event_id'), 10000) > 0 AS renumbered;

-- results of the read-only calls, by search_path
CREATE TABLE public.sp_got (variant text, what text, result jsonb);
CREATE TABLE public.sp_logit (y boolean, x float8);
INSERT INTO public.sp_logit VALUES (true, 0), (true, 0), (true, 0), (false, 0),
                                   (true, 1), (false, 1), (false, 1), (false, 1);
-- threshold_analysis counts every lead of a model, and the writes add
-- leads: each path's result is compared with the same call made, in the
-- same statement, by a function whose own search_path is clean
CREATE FUNCTION public.sp_clean_threshold(m text) RETURNS jsonb LANGUAGE sql STABLE
    SET search_path = pg_catalog
    AS $$ SELECT jsonb_agg(x ORDER BY x.threshold) FROM leadqual.threshold_analysis(m, '{10,45,60,1000}') x $$;
CREATE FUNCTION public.sp_clean_html(m text) RETURNS text LANGUAGE sql STABLE
    SET search_path = pg_catalog
    AS $$ SELECT leadqual.report_html(m) $$;
CREATE FUNCTION public.sp_clean_accounts() RETURNS jsonb LANGUAGE sql STABLE
    SET search_path = pg_catalog
    AS $$ SELECT jsonb_agg(a ORDER BY a.account) FROM leadqual.account_status a $$;
-- attribution (goal mql) under the caller's path and
-- under a clean one; 'leads 1 2' is lead_attribution of leads 1 and 2 only
CREATE FUNCTION public.sp_attr(what text, m text) RETURNS jsonb LANGUAGE sql STABLE
    AS $$ SELECT CASE
        WHEN what OPERATOR(pg_catalog.=) 'attribution' THEN (SELECT pg_catalog.jsonb_agg(a) FROM leadqual.attribution(m, 'mql') a)
        WHEN what OPERATOR(pg_catalog.=) 'lead_attribution' THEN (SELECT pg_catalog.jsonb_agg(a) FROM leadqual.lead_attribution(m, 'mql') a)
        WHEN what OPERATOR(pg_catalog.=) 'leads 1 2' THEN (SELECT pg_catalog.jsonb_agg(a) FROM leadqual.lead_attribution(m, 'mql') a
                                WHERE a.lead_id OPERATOR(pg_catalog.<=) 2)
        WHEN what OPERATOR(pg_catalog.=) 'channel_attribution' THEN (SELECT pg_catalog.jsonb_agg(c) FROM leadqual.channel_attribution c) END $$;
CREATE FUNCTION public.sp_clean_attr(what text, m text) RETURNS jsonb LANGUAGE sql STABLE
    SET search_path = pg_catalog
    AS $$ SELECT public.sp_attr(what, m) $$;
-- predictive models (SPEC §8): spm and default with fits set by hand, so
-- predict, explain_prediction, predictions and lead_status.win_probability
-- of leads 1-4 at a fixed time do not depend on the writes; spt is trained
-- in each path (its training leads change with the writes: compared with
-- the same call under a clean path, in the same statement, error or not)
INSERT INTO leadqual.predictive_model (name, features, horizon) VALUES
    ('spm', '{events.visit,fit_score,engagement_score,seniority,attributes.tier,email_domain}', '1 day'),
    ('spt', '{events.visit,fit_score,engagement_score,seniority,source_channel}', '10000 days');
UPDATE leadqual.predictive_model
   SET fit = ROW('{-1,0.5,0.01,0.02,0.3,0.4,0.2}', NULL, NULL, 1, true, 4)::leadqual.logit_fit,
       feature_names = '{events.visit,fit_score,engagement_score,seniority=vp_director,attributes.tier=x,email_domain=corp.example}'
 WHERE name IN ('spm', 'default');
CREATE FUNCTION public.sp_train() RETURNS jsonb LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RETURN (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(t.metric, t.value) ORDER BY t.metric)
              FROM leadqual.train_predictive('spt', pg_catalog.now() OPERATOR(pg_catalog.+) '10001 days'::pg_catalog.interval, 0.3) t);
EXCEPTION WHEN OTHERS THEN
    RETURN pg_catalog.to_jsonb(SQLSTATE OPERATOR(pg_catalog.||) ': ' OPERATOR(pg_catalog.||) SQLERRM);
END $$;
CREATE FUNCTION public.sp_pred(what text) RETURNS jsonb LANGUAGE sql VOLATILE
    AS $$ SELECT CASE
        WHEN what OPERATOR(pg_catalog.=) 'train' THEN public.sp_train()
        WHEN what OPERATOR(pg_catalog.=) 'score_calibration' THEN (SELECT pg_catalog.jsonb_agg(c ORDER BY c.model, c.grade) FROM leadqual.score_calibration c) END $$;
CREATE FUNCTION public.sp_clean_pred(what text) RETURNS jsonb LANGUAGE sql VOLATILE
    SET search_path = pg_catalog
    AS $$ SELECT public.sp_pred(what) $$;
-- leads a and b of each path's writes, and the leads whose stored score is
-- not score()'s, after them
CREATE TABLE public.sp_leads AS SELECT ''::text AS variant, l.* FROM leadqual.lead l WITH NO DATA;
CREATE TABLE public.sp_stale (variant text, lead_id bigint);
\set v clean
\i sql/include/search_path_reads.sql

\i sql/include/search_path_plant.sql
-- the plants work: under a hostile path an unqualified operator, function
-- or type name is evil's (or pg_temp's, for types)
SET search_path = evil, pg_catalog, leadqual;
SELECT l.lead_id = l.lead_id FROM leadqual.lead l LIMIT 1;
SELECT now();
SELECT 'x'::text;
SELECT count(*) FROM leadqual.lead;

-- v1: evil, pg_catalog, leadqual
SET search_path = evil, pg_catalog, leadqual;
\set v v1
\i sql/include/search_path_reads.sql
\set l1 101
\set l2 102
\set e1 1001
\set e2 1002
\set e3 1003
\set e4 1004
\i sql/include/search_path_writes.sql

-- v2: evil, leadqual, pg_catalog
SET search_path = evil, leadqual, pg_catalog;
\set v v2
\i sql/include/search_path_reads.sql
\set l1 201
\set l2 202
\set e1 2001
\set e2 2002
\set e3 2003
\set e4 2004
\i sql/include/search_path_writes.sql

-- v3: evil, pg_catalog (the issue's)
SET search_path = evil, pg_catalog;
\set v v3
\i sql/include/search_path_reads.sql
\set l1 301
\set l2 302
\set e1 3001
\set e2 3002
\set e3 3003
\set e4 3004
\i sql/include/search_path_writes.sql

-- TRUNCATE of event (event_truncated: the states go, rescore() runs)
TRUNCATE leadqual.event;

-- back to a clean search_path, without the pg_temp plants
RESET search_path;
DISCARD TEMP;

-- every read-only call gave under each hostile path what it gave under the
-- clean one: 37 results per path, none differs, none is empty
SELECT variant, count(*) FROM public.sp_got GROUP BY 1 ORDER BY 1;
SELECT g.variant, g.what
  FROM public.sp_got g JOIN public.sp_got c ON c.what = g.what AND c.variant = 'clean'
 WHERE g.variant <> 'clean' AND g.result IS DISTINCT FROM c.result;
SELECT what FROM public.sp_got
 WHERE result IS NULL OR result = 'null' OR result = '[]' OR result = '{}';
SELECT variant, result FROM public.sp_got WHERE what = 'attribution' ORDER BY 1;
-- logistic_regression under the clean path: the 2x2 fit (ln 3 = 1.0986…,
-- -2 ln 3), its ridge fit, logit_predict at intercept 0, slope 1, x = 0.5
-- (1 / (1 + e^-0.5) = 0.6224593312…), and the state's fit (0, 0)
SELECT jsonb_array_elements_text(result) AS logistic FROM public.sp_got
 WHERE variant = 'clean' AND what = 'logistic_regression';
-- the engagement state through text: 40 points both ways
SELECT result FROM public.sp_got WHERE variant = 'clean' AND what = 'engagement_state text';
-- window_funnel visit → pricing page → demo within 7 days: lead 1 visits
-- 2/23, sees pricing 2/24, demos 2/27: 3; lead 2 (demo_request, page_view)
-- has no visit: 0; lead 4 visits once: 1; lead 3 has no events
SELECT result FROM public.sp_got WHERE variant = 'clean' AND what = 'window_funnel';
-- report_html under the clean path: both pages well-formed, no script,
-- five sections
SELECT result FROM public.sp_got WHERE variant = 'clean' AND what = 'report_html';
-- the views' rows (clean path).  lead_status: leads 1 (model sp) and 2
-- (default) became MQLs by their hand-raises (demo, demo_request) when the
-- events were inserted, so are due 48 h after now(): not breached; lead 3
-- (the transition above) is breached; lead 4 is an inquiry; nobody was
-- recycled; every row shows its lead's columns and the right days.
SELECT jsonb_array_elements(g.result) AS "lead_status: id, stage, breached, recycles, as lead, days ok"
  FROM public.sp_got g WHERE g.variant = 'clean' AND g.what = 'lead_status';
-- explain_prediction of lead 1 under spm at 2025-03-01 (lead 1 entered mql
-- later, when its demo was inserted: the snapshot is as_of): 4 visits by
-- then (02-23 to 02-26), fit 45 (vp 20, software 10, corp e-mail 5, 1200
-- employees 5, tier 5), engagement 56 (visits 4 x 5, pricing 2 x 10, the
-- demo 1, the webinar of 02-22 halved once: 5, 3 visits within 7 days: 10),
-- vp_director, tier x, corp.example; -1 + 2 + 0.45 + 1.12 + 0.3 + 0.4 + 0.2
-- = 3.47
SELECT e->>'feature' AS feature, (e->>'value')::float8 AS value, round((e->>'contribution')::numeric, 10) AS contribution
  FROM public.sp_got g, jsonb_array_elements(g.result) e WHERE g.variant = 'clean' AND g.what = 'explain_prediction';
SELECT round(sum((e->>'contribution')::numeric), 10) AS log_odds
  FROM public.sp_got g, jsonb_array_elements(g.result) e WHERE g.variant = 'clean' AND g.what = 'explain_prediction';
-- sla_breaches: lead 3 alone, entered 2025-03-01, due 2025-03-03, with the
-- right hours (timezone UTC)
SELECT jsonb_array_elements(g.result) AS "sla_breaches: id, owner, stage, entered_at, due_at, hours ok"
  FROM public.sp_got g WHERE g.variant = 'clean' AND g.what = 'sla_breaches';

-- the writes, under each path alike.  a: fit 45 on insert; visits 55, then
-- a pricing visit 70 >= 60: mql by score (70); its first visit deleted 65;
-- Director: fit 25, score 45; accepted, qualified, an opportunity of 1000
-- won at 1200 (each move records the stored 45); live scoring off, its
-- pricing visit deleted, rescore(): 25 + 5 = 30, grade C4 (fit 25 >= the C
-- band 25, engagement 5 < the last band 25).  b: fit 0; a visit 5, made a
-- demo: 1, mql by its hand-raise; rejected to nurture (no_budget), then
-- disqualified by marketing (no_need); grade D4 (0 and 1 below every band).
SELECT l.variant, l.external_id, l.stage, l.fit_score, l.engagement_score, l.score, l.grade
  FROM public.sp_leads l ORDER BY 1, 2;
-- no lead's stored score differed from score() after any path's writes
SELECT * FROM public.sp_stale;
SELECT l.external_id, h.from_stage, h.to_stage, h.actor, h.reason, h.note, h.score
  FROM leadqual.stage_history h JOIN leadqual.lead l USING (lead_id)
 WHERE l.external_id ~ '^v1-' ORDER BY h.history_id;
-- v2 and v3 have the same history as v1
SELECT l.external_id, h.from_stage, h.to_stage, h.actor, h.reason, h.note, h.score
  FROM leadqual.stage_history h JOIN leadqual.lead l USING (lead_id)
 WHERE l.external_id ~ '^v[23]-'
EXCEPT
SELECT regexp_replace(l.external_id, '^v1', v), h.from_stage, h.to_stage, h.actor, h.reason, h.note, h.score
  FROM leadqual.stage_history h JOIN leadqual.lead l USING (lead_id), unnest('{v2,v3}'::text[]) v
 WHERE l.external_id ~ '^v1-';
SELECT l.external_id, o.status, o.amount
  FROM leadqual.opportunity o JOIN leadqual.lead l USING (lead_id)
 WHERE l.external_id ~ '^v[123]-' ORDER BY 1;
-- after TRUNCATE event no lead has engagement: a 25 (C4), b 0 (D4)
SELECT l.external_id, l.stage, l.fit_score, l.engagement_score, l.score, l.grade
  FROM leadqual.lead l WHERE l.external_id ~ '^v[123]-' ORDER BY 1;
-- the demo: 3 leads; after TRUNCATE too, stored scores equal score() at
-- scored_at for every lead, and every lead has a live-scoring state again
SELECT count(*) AS demo_leads FROM leadqual.lead WHERE external_id LIKE 'demo-%';
SELECT l.lead_id, l.score, (leadqual.score(l.lead_id, l.scored_at)).score AS fresh
  FROM leadqual.lead l
 WHERE l.score IS DISTINCT FROM (leadqual.score(l.lead_id, l.scored_at)).score;
SELECT (SELECT count(*) FROM leadqual.lead) - (SELECT count(*) FROM leadqual.lead_score_state) AS missing_states;

-- every function PUBLIC may call, and rescore() and generate_demo(), was
-- called above: a new one shows up here until it is added to the calls
SELECT p.proname FROM pg_proc p
 WHERE p.pronamespace = 'leadqual'::regnamespace
   AND (has_function_privilege('public', p.oid, 'EXECUTE') OR p.proname IN ('rescore', 'generate_demo'))
   AND p.proname <> ALL ('{score,explain_score,fit_score,grade,engagement_score,engagement_detail,
                          mql_crossing,mql_peak,threshold_analysis,window_funnel,lead_timeline,attribute_paths,attribution,lead_attribution,attribute_journeys,path_counts_in,path_counts_out,path_counts_recv,path_counts_send,engagement_state_in,engagement_state_out,engagement_state_recv,engagement_state_send,logistic_regression,logit_predict,logit_rows_in,logit_rows_out,logit_rows_recv,logit_rows_send,report_month,report_rate,report_seconds,report_html,score_by_lead,can_transition,accept,qualify,open_opportunity,
                          predict,explain_prediction,predictions,train_predictive,lead_win_probabilities,predictive_lead_vector,
                          predictive_model_row,predictive_observations,predictive_vectors,predictive_split,predictive_feature_kind,
                          predictive_holdout_key,predictive_eta,predictive_feature_list,predictive_bases,
                          close_opportunity,reject,transition,rescore,generate_demo,account_key,free_mail_domains,
                          score_by_lead_group,lead_table,is_distributed,shard_group_leads,next_history_id,next_opportunity_id,next_event_id,
                          claim_external_ids,external_ids_claimed}'::text[])
 ORDER BY 1;

SET client_min_messages = warning;
DROP TABLE public.sp_logit, public.sp_got, public.sp_leads, public.sp_stale;
DROP FUNCTION public.sp_clean_threshold(text), public.sp_clean_html(text), public.sp_clean_accounts(), public.sp_clean_attr(text, text), public.sp_attr(text, text),
    public.sp_clean_pred(text), public.sp_pred(text), public.sp_train();
DROP SCHEMA evil CASCADE;
DROP EXTENSION leadqual CASCADE;
