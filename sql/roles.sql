-- roles: leadqual_reader reads, leadqual_writer loads leads and events (live
-- scoring included) and calls the actions, leadqual_admin edits the rules.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
DROP ROLE IF EXISTS lq_test_reader, lq_test_writer, lq_test_admin, lq_test_nobody;
CREATE ROLE lq_test_reader IN ROLE leadqual_reader;
CREATE ROLE lq_test_writer IN ROLE leadqual_writer;
CREATE ROLE lq_test_admin IN ROLE leadqual_admin;
-- a role with none of leadqual's roles: what PUBLIC may do (USAGE on the
-- schema, so that EXECUTE is what refuses it)
CREATE ROLE lq_test_nobody;
GRANT USAGE ON SCHEMA leadqual TO lq_test_nobody;
RESET client_min_messages;

\i sql/include/try.sql
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;

-- the writer loads a lead and its events; live scoring scores them for it:
-- a demo request makes the lead an MQL at once
SET ROLE lq_test_writer;
INSERT INTO leadqual.lead (lead_id, external_id, created_at, job_title)
VALUES (1, 'r1', '2025-01-01', 'VP Sales');
INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (1, 'demo_request', now());
SELECT stage, fit_score, round(engagement_score) AS engagement FROM leadqual.lead;
-- … accepts it, and may run the nightly rescore
SELECT leadqual.accept(1, 'maria');
SELECT leadqual.rescore() >= 0 AS rescored;
-- but may not edit the rules (42501)
SELECT pg_temp.try($$UPDATE leadqual.fit_rule SET points = 1 WHERE rule_id = 1$$);
RESET ROLE;

-- the reader reads, and writes nothing (42501)
SET ROLE lq_test_reader;
SELECT lead_id, stage, owner FROM leadqual.lead;
SELECT count(*) FROM leadqual.stage_history;
-- … and the accounts: lead 1 has no e-mail, so no account yet
SELECT count(*) AS accounts FROM leadqual.account_status;
SELECT leadqual.account_key('x@Acme.com', NULL) AS account_key;
SELECT pg_temp.try($$INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (1, 'page_view', now())$$);
SELECT pg_temp.try($$SELECT leadqual.reject(1, 'no_budget')$$);
RESET ROLE;

-- the admin edits the rules
SET ROLE lq_test_admin;
SELECT pg_temp.try($$UPDATE leadqual.scoring_model SET mql_threshold = 80 WHERE name = 'default'$$);
SELECT pg_temp.try($$INSERT INTO leadqual.rejection_reason (code, label) VALUES ('test_reason', 'Test')$$);
RESET ROLE;
SELECT name, mql_threshold, builtin FROM leadqual.scoring_model;

-- ---------------------------------------------------------------------
-- who may execute what: every function and aggregate of leadqual, with
-- EXECUTE for PUBLIC, the reader and the writer, and whether it runs with
-- the owner's rights (SECURITY DEFINER; then with search_path pinned).
-- Public: the scoring functions and aggregates, can_transition and the
-- actions.  Writer: rescore(), generate_demo() and the internals that
-- rescore() and the triggers running as the writer call.  Reader:
-- report_html's helpers (report_html, public, calls them with the
-- caller's rights, and only a reader may read the views).  Nobody: the
-- aggregates' support functions (EXECUTE is checked for the aggregate's
-- owner), the trigger functions (a trigger does not check EXECUTE), and
-- the helpers only the SECURITY DEFINER functions call.  A new function
-- shows up here: decide its grants.
-- ---------------------------------------------------------------------
SELECT p.proname AS function, p.prokind AS kind,
       p.proacl IS NULL OR EXISTS (SELECT FROM aclexplode(p.proacl) a
                                    WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE') AS public,
       has_function_privilege('leadqual_reader', p.oid, 'EXECUTE') AS reader,
       has_function_privilege('leadqual_writer', p.oid, 'EXECUTE') AS writer,
       p.prosecdef AS definer,
       coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false) AS pinned
  FROM pg_proc p
 WHERE p.pronamespace = 'leadqual'::regnamespace
 ORDER BY p.prokind, public DESC, writer DESC, p.proname;
-- no name is overloaded but attribute_paths and logistic_regression (an
-- aggregate takes no DEFAULTs, so attribute_paths' optional nulls and
-- markov_order are two more overloads, logistic_regression's l2 one more,
-- and so are their transition functions), and fit_score (a record overload
-- scores a Citus shard's rows of lead)
SELECT p.proname, count(*) FROM pg_proc p
 WHERE p.pronamespace = 'leadqual'::regnamespace GROUP BY 1 HAVING count(*) > 1 ORDER BY 1;

-- PUBLIC and the reader may not call an internal function (42501), nor
-- rescore() or generate_demo() (they write)
CREATE TEMP TABLE internal_calls (stmt text);
INSERT INTO internal_calls VALUES
    ($$SELECT * FROM leadqual.rescore_changes('default', now(), 'leadqual.lead')$$),
    ($$SELECT leadqual.automatic_move_reason('default', 'inquiry', now(), 0, 'D4', NULL, now())$$),
    ($$SELECT leadqual.apply_automatic_moves(now(), '{1}', '{NULL}')$$),
    ($$SELECT leadqual.state_add_events('\x', '{}', '{}', '{}')$$),
    ($$SELECT leadqual.state_read('\x', now())$$),
    ($$SELECT leadqual.score_state('default', 'visit', '{}', now())$$),
    ($$SELECT leadqual.rebuild_score_state('{1}')$$),
    ($$SELECT leadqual.rescore_leads('{1}', now(), true)$$),
    ($$SELECT leadqual.forget_score_states('{1}')$$),
    ($$SELECT leadqual.add_missing_score_states('default', 'leadqual.lead')$$),
    ($$SELECT leadqual.lock_score_states('leadqual.lead')$$),
    ($$SELECT leadqual.auto_scoring_enabled()$$),
    ($$SELECT leadqual.notify_move(1, 1, 'r1', 'mql', 'sal', now(), 'sales', NULL, 1, 'x')$$),
    ($$SELECT leadqual.rescore()$$),
    ($$SELECT leadqual.generate_demo(1)$$),
    ($$SELECT count(*) FROM leadqual.demo_leads(1, 1, now(), 1)$$);
GRANT SELECT ON internal_calls TO PUBLIC;
SET ROLE lq_test_nobody;
SELECT stmt, pg_temp.try(stmt) AS nobody FROM internal_calls;
RESET ROLE;
SET ROLE lq_test_reader;
SELECT stmt, pg_temp.try(stmt) AS reader FROM internal_calls;
-- … while the public functions and aggregates work for it, although their
-- support functions are not executable by PUBLIC: lead 1 has fit 25 and a
-- demo request (40 points, half-life 30 days, so still 40 at 0 minutes old)
SELECT fit_score, round(engagement_score) AS engagement FROM leadqual.score(1);
SELECT round(leadqual.engagement_score('default', e.event_type, e.properties, e.occurred_at, now())) AS engagement,
       (leadqual.engagement_detail('default', e.event_type, e.properties, e.occurred_at, now())).last_hand_raise
           = max(e.occurred_at) AS hand_raise,
       leadqual.mql_crossing('default', 25, e.event_type, e.properties, e.occurred_at)
           = max(e.occurred_at) AS crossing
  FROM leadqual.event e WHERE e.lead_id = 1;
-- … in parallel plans too, where their combine, serial and deserial
-- functions run (the partial states come from the workers only)
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT leadqual.engagement_score('default', e.event_type, e.properties, e.occurred_at, now()),
       leadqual.mql_crossing('default', 25, e.event_type, e.properties, e.occurred_at)
  FROM leadqual.event e;
SELECT round(leadqual.engagement_score('default', e.event_type, e.properties, e.occurred_at, now())) AS engagement,
       leadqual.mql_crossing('default', 25, e.event_type, e.properties, e.occurred_at)
           = max(e.occurred_at) AS crossing
  FROM leadqual.event e;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
RESET ROLE;

-- ---------------------------------------------------------------------
-- the writer may not write lead_score_state, but live scoring works for it
-- ---------------------------------------------------------------------
-- A model with undecayed points, so every value is exact whatever the
-- clock: fit 20 for a vp; 5 per visit, 1 per demo; MQL at 30 or a demo.
INSERT INTO leadqual.scoring_model (name, mql_threshold, min_fit_grade, hand_raise_types)
VALUES ('roles', 30, 'D', '{demo}');
INSERT INTO leadqual.fit_rule (model, field, op, value, points) VALUES ('roles', 'job_title', 'eq', '"vp"', 20);
INSERT INTO leadqual.engagement_rule (model, event_type, points) VALUES ('roles', 'visit', 5), ('roles', 'demo', 1);
-- stored score vs a fresh score() at the stored as-of time: no rows
CREATE FUNCTION pg_temp.stale_scores() RETURNS TABLE (lead_id bigint, stored float8, fresh float8)
LANGUAGE sql AS $$
    SELECT l.lead_id, l.score, (leadqual.score(l.lead_id, l.scored_at)).score
      FROM leadqual.lead l
     WHERE l.score IS DISTINCT FROM (leadqual.score(l.lead_id, l.scored_at)).score
$$;
GRANT EXECUTE ON FUNCTION pg_temp.stale_scores() TO PUBLIC;

SET ROLE lq_test_writer;
-- lead 2 (vp: fit 20) and lead 3 (fit 0) are scored on insert
INSERT INTO leadqual.lead (lead_id, external_id, created_at, job_title, model) VALUES
    (2, 'r2', '2025-01-01', 'vp', 'roles'), (3, 'r3', '2025-01-01', 'intern', 'roles');
-- two visits of lead 2, one per statement: 25, then 30 >= 30 (fit D, the
-- minimum D): an MQL by score; a visit of lead 3: 5
INSERT INTO leadqual.event (event_id, lead_id, event_type, occurred_at) VALUES (21, 2, 'visit', '2025-02-01');
SELECT stage, score FROM leadqual.lead WHERE lead_id = 2;
INSERT INTO leadqual.event (event_id, lead_id, event_type, occurred_at) VALUES (22, 2, 'visit', '2025-02-02');
INSERT INTO leadqual.event (event_id, lead_id, event_type, occurred_at) VALUES (31, 3, 'visit', '2025-02-01');
SELECT lead_id, stage, fit_score, engagement_score, score FROM leadqual.lead WHERE lead_id > 1 ORDER BY lead_id;
SELECT * FROM pg_temp.stale_scores();
-- the states are there, and the writer may read them but not write them:
-- not even copy lead 1's state (of the default model) to lead 2, which would
-- make lead 2's next event scored under the wrong model
SELECT lead_id, state IS NOT NULL AS has_state FROM leadqual.lead_score_state WHERE lead_id > 1 ORDER BY lead_id;
SELECT pg_temp.try($$INSERT INTO leadqual.lead_score_state VALUES (4, '\x')$$);
SELECT pg_temp.try($$UPDATE leadqual.lead_score_state SET state = (SELECT s.state FROM leadqual.lead_score_state s WHERE s.lead_id = 1) WHERE lead_id = 2$$);
SELECT pg_temp.try($$DELETE FROM leadqual.lead_score_state WHERE lead_id = 2$$);
SELECT pg_temp.try($$TRUNCATE leadqual.lead_score_state$$);
-- nor make one to its liking: the state functions are not its to call
SELECT pg_temp.try($$SELECT leadqual.state_add_events(s.state, '{visit}', '{"{}"}', '{2025-02-03}') FROM leadqual.lead_score_state s WHERE s.lead_id = 2$$);
SELECT pg_temp.try($$SELECT leadqual.score_state('default', 'visit', '{}', now())$$);
-- an update of an event: lead 3's visit becomes a demo, a hand-raise: 1
-- point, and an MQL by its hand-raise
UPDATE leadqual.event SET event_type = 'demo' WHERE event_id = 31;
-- a deletion: lead 2 back to 25, still an MQL (a lower score never moves a
-- lead back)
DELETE FROM leadqual.event WHERE event_id = 22;
SELECT lead_id, stage, score FROM leadqual.lead WHERE lead_id > 1 ORDER BY lead_id;
SELECT lead_id, from_stage, to_stage, actor, reason, score FROM leadqual.stage_history
 WHERE lead_id > 1 ORDER BY lead_id, history_id;
SELECT * FROM pg_temp.stale_scores();
-- live scoring off: a deletion only forgets lead 2's state (score kept at
-- 25 until rescore)
SET leadqual.auto_scoring = off;
DELETE FROM leadqual.event WHERE event_id = 21;
RESET leadqual.auto_scoring;
SELECT lead_id, score FROM leadqual.lead WHERE lead_id = 2;
SELECT count(*) AS lead_2_states FROM leadqual.lead_score_state WHERE lead_id = 2;
-- rescore() (the writer's nightly job) stores 20 and gives lead 2 its state
-- back; lead 3 (1) is unchanged: 1 lead changed
SELECT leadqual.rescore(now(), 'roles') AS changed;
SELECT lead_id, score FROM leadqual.lead WHERE lead_id = 2;
SELECT count(*) AS lead_2_states FROM leadqual.lead_score_state WHERE lead_id = 2;
SELECT * FROM pg_temp.stale_scores();
-- a new event of lead 2 is merged into that state: 25
INSERT INTO leadqual.event (event_id, lead_id, event_type, occurred_at) VALUES (23, 2, 'visit', '2025-02-03');
SELECT lead_id, score FROM leadqual.lead WHERE lead_id = 2;
SELECT * FROM pg_temp.stale_scores();
-- and the actions: sales accepts lead 3
SELECT leadqual.accept(3, 'maria');
RESET ROLE;
-- the writer may generate the demo (it writes leads and runs rescore()):
-- 5 leads (numbered past the ones above), each scored as score() scores it
SELECT setval(pg_get_serial_sequence('leadqual.lead', 'lead_id'), 100) > 0 AS renumbered;
SET ROLE lq_test_writer;
SELECT leadqual.generate_demo(5) AS demo_leads;
SELECT count(*) AS demo_states FROM leadqual.lead_score_state s
  JOIN leadqual.lead l USING (lead_id) WHERE l.external_id LIKE 'demo-%';
SELECT * FROM pg_temp.stale_scores();
RESET ROLE;

-- ---------------------------------------------------------------------
-- predictive models: the admin defines them, the writer may retrain them
-- (train_predictive writes only the fit columns), the reader predicts
-- ---------------------------------------------------------------------
SET ROLE lq_test_writer;
SELECT pg_temp.try($$INSERT INTO leadqual.predictive_model (name, features) VALUES ('w', '{fit_score}')$$);
SELECT pg_temp.try($$UPDATE leadqual.predictive_model SET l2 = 2 WHERE name = 'default'$$);
-- past the privilege checks (the row is locked FOR UPDATE), refused for want
-- of a positive: of the leads that reached mql 180 days before now(), one
-- (a demo lead of 2025), none was won
SELECT pg_temp.try($$SELECT * FROM leadqual.train_predictive('default')$$);
RESET ROLE;
SET ROLE lq_test_reader;
SELECT pg_temp.try($$SELECT * FROM leadqual.train_predictive('default')$$);
-- untrained: NULL, and lead_status reads
SELECT leadqual.predict(1) AS win_probability;
SELECT count(*) AS leads, count(win_probability) AS predicted FROM leadqual.lead_status;
RESET ROLE;
SET ROLE lq_test_admin;
SELECT pg_temp.try($$INSERT INTO leadqual.predictive_model (name, features) VALUES ('a', '{fit_score}')$$);
SELECT pg_temp.try($$UPDATE leadqual.predictive_model SET l2 = 2 WHERE name = 'a'$$);
RESET ROLE;

SET client_min_messages = warning;
DROP EXTENSION leadqual CASCADE;
DROP OWNED BY lq_test_nobody;
DROP ROLE lq_test_reader, lq_test_writer, lq_test_admin, lq_test_nobody;
