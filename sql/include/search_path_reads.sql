-- sql/include/search_path_reads.sql — security_search_path's read-only calls, \i'd once per search_path (:v names it).
--
-- Every public function and aggregate of leadqual on leads 1-4 (those the
-- writes add are left out), at a fixed time, each result kept as jsonb in public.sp_got under the variant :v.  Nothing
-- here uses an operator or an unqualified function of its own.  First the
-- rules are edited, so the next statement reloads them (rules_cache's SPI)
-- under this search_path.
UPDATE leadqual.scoring_model SET description = :'v' WHERE name OPERATOR(pg_catalog.=) 'sp';
INSERT INTO public.sp_got SELECT :'v', 'score 1', pg_catalog.to_jsonb(s) FROM leadqual.score(1, '2025-03-01') s;
INSERT INTO public.sp_got SELECT :'v', 'score 2', pg_catalog.to_jsonb(s) FROM leadqual.score(2, '2025-03-01') s;
INSERT INTO public.sp_got SELECT :'v', 'score 3 default', pg_catalog.to_jsonb(s) FROM leadqual.score(3, '2025-03-01', 'default') s;
INSERT INTO public.sp_got SELECT :'v', 'score 4 now', pg_catalog.to_jsonb(s.fit_score) FROM leadqual.score(4) s;
INSERT INTO public.sp_got SELECT :'v', 'explain_score 1', pg_catalog.jsonb_agg(x ORDER BY x.kind, x.rule_id)
  FROM leadqual.explain_score(1, '2025-03-01') x;
INSERT INTO public.sp_got SELECT :'v', 'explain_score 2 default', pg_catalog.jsonb_agg(x ORDER BY x.kind, x.rule_id)
  FROM leadqual.explain_score(2, '2025-03-01', 'default') x;
INSERT INTO public.sp_got SELECT :'v', 'explain_score 3 now', pg_catalog.jsonb_agg(x.rule_id ORDER BY x.kind, x.rule_id)
  FROM leadqual.explain_score(3) x;
INSERT INTO public.sp_got SELECT :'v', 'fit_score', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(l.lead_id,
           leadqual.fit_score(l), leadqual.fit_score(l, 'default')) ORDER BY l.lead_id)
  FROM leadqual.lead l WHERE l.lead_id OPERATOR(pg_catalog.<=) 4;
INSERT INTO public.sp_got SELECT :'v', 'grade', pg_catalog.to_jsonb(ARRAY[leadqual.grade('sp', 30, 10),
           leadqual.grade('sp', 80, 80), leadqual.grade('default', 0, 0)]);
INSERT INTO public.sp_got SELECT :'v', 'aggregates', pg_catalog.jsonb_agg(x ORDER BY x.lead_id)
  FROM (SELECT e.lead_id,
               leadqual.engagement_score('sp', e.event_type, e.properties, e.occurred_at, '2025-03-01') AS eng,
               leadqual.engagement_detail('sp', e.event_type, e.properties, e.occurred_at, '2025-03-01') AS detail,
               leadqual.mql_crossing('sp', 45, e.event_type, e.properties, e.occurred_at) AS crossing,
               leadqual.mql_peak('sp', 45, e.event_type, e.properties, e.occurred_at) AS peak,
               leadqual.engagement_score('default', e.event_type, e.properties, e.occurred_at, '2025-03-01') AS eng_default
          FROM leadqual.event e WHERE e.lead_id OPERATOR(pg_catalog.<=) 4 GROUP BY e.lead_id) x;
INSERT INTO public.sp_got SELECT :'v', 'score_by_lead', pg_catalog.jsonb_agg(x ORDER BY x.lead_id)
  FROM leadqual.score_by_lead('sp', '2025-03-01') x WHERE x.lead_id OPERATOR(pg_catalog.<=) 4;
INSERT INTO public.sp_got SELECT :'v', 'score_by_lead default', pg_catalog.jsonb_agg(x ORDER BY x.lead_id)
  FROM leadqual.score_by_lead('default', '2025-03-01') x WHERE x.lead_id OPERATOR(pg_catalog.<=) 4;
-- its pass over one relation, and what routes it on Citus (one node: the
-- table itself, no shard groups)
INSERT INTO public.sp_got SELECT :'v', 'score_by_lead_group', pg_catalog.jsonb_agg(x ORDER BY x.lead_id)
  FROM leadqual.score_by_lead_group('leadqual.lead', 'sp', '2025-03-01') x WHERE x.lead_id OPERATOR(pg_catalog.<=) 4;
INSERT INTO public.sp_got SELECT :'v', 'lead_table', pg_catalog.to_jsonb(ARRAY[
           leadqual.lead_table('leadqual.event', '{1,2}')::pg_catalog.text,
           (SELECT pg_catalog.count(*) FROM leadqual.shard_group_leads())::pg_catalog.text]);
INSERT INTO public.sp_got SELECT :'v', 'can_transition', pg_catalog.to_jsonb(ARRAY[
           leadqual.can_transition('inquiry', 'mql', 'system'), leadqual.can_transition('won', 'lost'),
           leadqual.can_transition('mql', 'sal', 'marketing'), leadqual.can_transition('mql', 'sal')]);
INSERT INTO public.sp_got SELECT :'v', 'window_funnel', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(x.lead_id, x.level) ORDER BY x.lead_id)
  FROM (SELECT e.lead_id,
               leadqual.window_funnel('7 days'::pg_catalog.interval, e.occurred_at,
                   ARRAY[e.event_type OPERATOR(pg_catalog.=) 'visit',
                         e.properties OPERATOR(pg_catalog.@>) '{"page": "pricing"}'::pg_catalog.jsonb,
                         e.event_type OPERATOR(pg_catalog.=) 'demo']) AS level
          FROM leadqual.event e WHERE e.lead_id OPERATOR(pg_catalog.<=) 4 GROUP BY e.lead_id) x;
-- attribution: every method over a path table with a loop (attribute_paths,
-- markov at orders 1 and 2), a state's text round trip, and attribution()
-- and lead_attribution() with goal mql (leads 1 and 2 became MQLs after
-- all their touches; 4 is a non-converting journey) and the
-- channel_attribution view: the demo leads the writes add change these, so
-- each is compared with the same call made, in the same statement, by a
-- function whose own search_path is clean (public.sp_clean_attr), and the
-- credit of leads 1 and 2 must be among lead_attribution's rows
INSERT INTO public.sp_got SELECT :'v', 'attribute_paths', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(m.m, m.credit) ORDER BY m.m)
  FROM (SELECT v.m, leadqual.attribute_paths(v.m, p.path, p.conv, p.rev, p.nulls, v.k) AS credit
          FROM (VALUES ('{A,B,A,C}'::pg_catalog.text[], 2::pg_catalog.float8, 30::pg_catalog.float8, 1::pg_catalog.float8),
                       ('{B}', 1, 5, 2), ('{C,A}', 0, 0, 3)) AS p(path, conv, rev, nulls),
               (VALUES ('first_touch', 1), ('last_touch', 1), ('linear', 1), ('position_based', 1),
                       ('shapley', 1), ('markov', 1), ('markov', 2)) AS v(m, k)
         GROUP BY v.m, v.k) m;
INSERT INTO public.sp_got SELECT :'v', 'path_counts text', pg_catalog.to_jsonb(ARRAY[
           leadqual.path_counts_final(leadqual.path_counts_in(leadqual.path_counts_out(s.st)))::pg_catalog.text,
           leadqual.path_counts_final(s.st)::pg_catalog.text])
  FROM (SELECT leadqual.attribute_paths_trans(NULL, 'markov', '{A,B,A}', 1, 2, 1, 1) AS st) s;
-- an engagement state through its text form (the demo request
-- of the default model: 40 points at as_of)
INSERT INTO public.sp_got SELECT :'v', 'engagement_state text', pg_catalog.to_jsonb(ARRAY[
           leadqual.engagement_score_final(leadqual.engagement_state_in(leadqual.engagement_state_out(s.st)))::pg_catalog.text,
           leadqual.engagement_score_final(s.st)::pg_catalog.text])
  FROM (SELECT leadqual.engagement_score_trans(NULL, 'default', 'demo_request', NULL, '2025-03-01', '2025-03-01') AS st) s;
-- logistic_regression: the 2x2 table of sql/logistic_regression.sql, with
-- and without l2; logit_predict; a state through text I/O (x = 2: 1 of 2,
-- x = -1: 1 of 2, so the fit is 0, 0)
INSERT INTO public.sp_got SELECT :'v', 'logistic_regression', pg_catalog.to_jsonb(ARRAY[
           (SELECT leadqual.logistic_regression(d.y, ARRAY[d.x]) FROM public.sp_logit d)::pg_catalog.text,
           (SELECT leadqual.logistic_regression(d.y, ARRAY[d.x], 1) FROM public.sp_logit d)::pg_catalog.text,
           leadqual.logit_predict(ROW('{0,1}', NULL, NULL, 1, true, 1)::leadqual.logit_fit, '{0.5}')::pg_catalog.text,
           leadqual.logistic_regression_final(leadqual.logit_rows_in(leadqual.logit_rows_out(
               leadqual.logit_rows_in('TFFMUgAAAAEAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAQ/8AAAAAAAAEAAAAAAAAAAAAAAAAAAAAC/8AAAAAAAAD/wAAAAAAAAv/AAAAAAAAAAAAAAAAAAAEAAAAAAAAAA'))))::pg_catalog.text]);
INSERT INTO public.sp_got SELECT :'v', 'attribution', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(v.m,
           public.sp_attr('attribution', v.m) OPERATOR(pg_catalog.=) public.sp_clean_attr('attribution', v.m),
           public.sp_attr('lead_attribution', v.m) OPERATOR(pg_catalog.=) public.sp_clean_attr('lead_attribution', v.m),
           public.sp_attr('lead_attribution', v.m) OPERATOR(pg_catalog.@>) public.sp_attr('leads 1 2', v.m))
           ORDER BY v.m)
  FROM (VALUES ('first_touch'), ('last_touch'), ('linear'), ('time_decay'), ('position_based'),
               ('w_shaped'), ('full_path'), ('markov'), ('shapley')) AS v(m);
INSERT INTO public.sp_got SELECT :'v', 'channel_attribution', pg_catalog.to_jsonb(ARRAY[
           (SELECT pg_catalog.jsonb_agg(c) FROM leadqual.channel_attribution c)
           OPERATOR(pg_catalog.=) public.sp_clean_attr('channel_attribution', NULL)]);
-- the report views (stored parsed, so the path cannot reach them; read
-- anyway).  lead_status: each lead's stage, sla_breached, recycle_count,
-- whether its other columns are lead's own (the stored scores change when
-- a path's writes run rescore(), and leads 1 and 2 entered mql when their
-- events were inserted), and whether days_in_stage is the days from
-- stage_entered_at to this statement's now() (which differs between the
-- paths' statements), rounded to 2 decimals.  sla_breaches: lead 3, with
-- whether hours_overdue is its hours past due, rounded likewise.
INSERT INTO public.sp_got SELECT :'v', 'lead_status', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(
           s.lead_id, s.stage, s.sla_breached, s.recycle_count,
           pg_catalog.jsonb_build_array(s.external_id, s.owner, s.stage_entered_at, s.score, s.fit_score,
                                        s.engagement_score, s.grade, s.sla_due_at)
           OPERATOR(pg_catalog.=)
           pg_catalog.jsonb_build_array(l.external_id, l.owner, l.stage_entered_at, l.score, l.fit_score,
                                        l.engagement_score, l.grade, l.sla_due_at),
           s.days_in_stage OPERATOR(pg_catalog.=) pg_catalog.round((pg_catalog.extract('epoch', pg_catalog.now())
               OPERATOR(pg_catalog.-) pg_catalog.extract('epoch', s.stage_entered_at))
               OPERATOR(pg_catalog./) 86400::pg_catalog.numeric, 2)) ORDER BY s.lead_id)
  FROM leadqual.lead_status s JOIN leadqual.lead l ON l.lead_id OPERATOR(pg_catalog.=) s.lead_id
 WHERE s.lead_id OPERATOR(pg_catalog.<=) 4;
INSERT INTO public.sp_got SELECT :'v', 'sla_breaches', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(
           b.lead_id, b.owner, b.stage, b.entered_at, b.due_at,
           b.hours_overdue OPERATOR(pg_catalog.=) pg_catalog.round((pg_catalog.extract('epoch', pg_catalog.now())
               OPERATOR(pg_catalog.-) pg_catalog.extract('epoch', b.due_at))
               OPERATOR(pg_catalog./) 3600::pg_catalog.numeric, 2)) ORDER BY b.lead_id)
  FROM leadqual.sla_breaches b WHERE b.lead_id OPERATOR(pg_catalog.<=) 4;
-- the timeline behind the other report views: lead_timelines of leads 1-4
-- (whole rows) and the lead_timeline aggregate called directly, with the
-- two report rules
INSERT INTO public.sp_got SELECT :'v', 'lead_timelines', pg_catalog.jsonb_agg(pg_catalog.to_jsonb(t) ORDER BY t.lead_id)
  FROM leadqual.lead_timelines t WHERE t.lead_id OPERATOR(pg_catalog.<=) 4;
INSERT INTO public.sp_got SELECT :'v', 'lead_timeline', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(x.lead_id, x.t) ORDER BY x.lead_id)
  FROM (SELECT h.lead_id, leadqual.lead_timeline(h.from_stage, h.to_stage, h.changed_at, h.actor, h.reason, h.history_id) AS t
          FROM leadqual.stage_history h WHERE h.lead_id OPERATOR(pg_catalog.<=) 4 GROUP BY h.lead_id) x;
INSERT INTO public.sp_got SELECT :'v', 'report rules', pg_catalog.to_jsonb(ARRAY[
           leadqual.report_rate(1, 3), leadqual.report_rate(1, 0),
           leadqual.report_seconds('2025-03-01', '2025-03-02 12:00')::pg_catalog.numeric]);
INSERT INTO public.sp_got SELECT :'v', 'threshold_analysis', pg_catalog.to_jsonb(ARRAY[
           (SELECT pg_catalog.jsonb_agg(x ORDER BY x.threshold) FROM leadqual.threshold_analysis('sp', '{10,45,60,1000}') x)
           OPERATOR(pg_catalog.=) public.sp_clean_threshold('sp'),
           (SELECT pg_catalog.jsonb_agg(x ORDER BY x.threshold) FROM leadqual.threshold_analysis('default', '{10,45,60,1000}') x)
           OPERATOR(pg_catalog.=) public.sp_clean_threshold('default')]);
INSERT INTO public.sp_got SELECT :'v', 'report_month', pg_catalog.to_jsonb(ARRAY[
           leadqual.report_month('2025-03-17 10:00'), leadqual.report_month('4714-11-24 00:00:00+00 BC')]);
-- the HTML page (report_html, of every model and of model sp): well-formed,
-- no script, its five sections (its numbers depend on the leads the writes
-- add, so each is compared with the same call made, in the same statement,
-- by a function whose own search_path is clean)
INSERT INTO public.sp_got SELECT :'v', 'report_html', pg_catalog.to_jsonb(ARRAY[
           pg_catalog.xml_is_well_formed_document(p.a), pg_catalog.xml_is_well_formed_document(p.b),
           pg_catalog.strpos(p.a, '<script') OPERATOR(pg_catalog.=) 0,
           (SELECT pg_catalog.count(*) FROM pg_catalog.regexp_matches(p.a, '<h2 ', 'g') m) OPERATOR(pg_catalog.=) 6,
           p.a OPERATOR(pg_catalog.=) public.sp_clean_html(NULL), p.b OPERATOR(pg_catalog.=) public.sp_clean_html('sp')])
  FROM (SELECT leadqual.report_html() AS a, leadqual.report_html('sp') AS b) p;
-- accounts: account_key and free_mail_domains on leads 1-4 (lead 2's gmail
-- address has no account), and the account_status view over them
INSERT INTO public.sp_got SELECT :'v', 'account_key', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(l.lead_id,
           leadqual.account_key(l.email, l.account), leadqual.account_key(l.email, 'CRM-1 ')) ORDER BY l.lead_id)
  FROM leadqual.lead l WHERE l.lead_id OPERATOR(pg_catalog.<=) 4;
INSERT INTO public.sp_got SELECT :'v', 'free_mail_domains', pg_catalog.to_jsonb(leadqual.free_mail_domains());
-- (the writes add leads to corp.example: compared with the same read made
-- in the same statement under a clean path, public.sp_clean_accounts)
INSERT INTO public.sp_got SELECT :'v', 'account_status', pg_catalog.to_jsonb(ARRAY[
           (SELECT pg_catalog.jsonb_agg(a ORDER BY a.account) FROM leadqual.account_status a)
           OPERATOR(pg_catalog.=) public.sp_clean_accounts(),
           (SELECT pg_catalog.count(*) FROM leadqual.account_status a
             WHERE a.account OPERATOR(pg_catalog.=) 'corp.example') OPERATOR(pg_catalog.=) 1]);
-- predictive models (SPEC §8): spm's and default's fits are set by hand,
-- so predict (at a fixed time and at now(): leads 1-3 have their mql
-- snapshot, lead 4 has none and its events are all past), its ledger, the
-- one-pass predictions and lead_status.win_probability do not depend on
-- the writes; score_calibration and a training of spt do, so each is
-- compared with the same call under a clean path in the same statement
INSERT INTO public.sp_got SELECT :'v', 'predict', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(l.lead_id,
           leadqual.predict(l.lead_id, 'spm', '2025-03-01'), leadqual.predict(l.lead_id, 'spm')) ORDER BY l.lead_id)
  FROM leadqual.lead l WHERE l.lead_id OPERATOR(pg_catalog.<=) 4;
INSERT INTO public.sp_got SELECT :'v', 'explain_prediction', pg_catalog.jsonb_agg(e)
  FROM leadqual.explain_prediction(1, 'spm', '2025-03-01') e;
INSERT INTO public.sp_got SELECT :'v', 'predictions', pg_catalog.jsonb_agg(p ORDER BY p.lead_id)
  FROM leadqual.predictions('spm', '2025-03-01') p WHERE p.lead_id OPERATOR(pg_catalog.<=) 4;
INSERT INTO public.sp_got SELECT :'v', 'win_probability', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(s.lead_id,
           s.win_probability) ORDER BY s.lead_id)
  FROM leadqual.lead_status s WHERE s.lead_id OPERATOR(pg_catalog.<=) 4;
INSERT INTO public.sp_got SELECT :'v', 'predictive vs clean', pg_catalog.to_jsonb(ARRAY[
           public.sp_pred('score_calibration') OPERATOR(pg_catalog.=) public.sp_clean_pred('score_calibration'),
           public.sp_pred('train') OPERATOR(pg_catalog.=) public.sp_clean_pred('train')]);
