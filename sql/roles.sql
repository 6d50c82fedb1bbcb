-- roles: leadqual_reader reads, leadqual_writer loads leads and events (live
-- scoring included) and calls the actions, leadqual_admin edits the rules.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
DROP ROLE IF EXISTS lq_test_reader, lq_test_writer, lq_test_admin;
CREATE ROLE lq_test_reader IN ROLE leadqual_reader;
CREATE ROLE lq_test_writer IN ROLE leadqual_writer;
CREATE ROLE lq_test_admin IN ROLE leadqual_admin;
RESET client_min_messages;

\i sql/include/try.sql
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;

-- the writer loads a lead and its events; live scoring runs as the writer:
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
SELECT pg_temp.try($$INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (1, 'page_view', now())$$);
SELECT pg_temp.try($$SELECT leadqual.reject(1, 'no_budget')$$);
RESET ROLE;

-- the admin edits the rules
SET ROLE lq_test_admin;
SELECT pg_temp.try($$UPDATE leadqual.scoring_model SET mql_threshold = 80 WHERE name = 'default'$$);
SELECT pg_temp.try($$INSERT INTO leadqual.rejection_reason (code, label) VALUES ('test_reason', 'Test')$$);
RESET ROLE;
SELECT name, mql_threshold, builtin FROM leadqual.scoring_model;

SET client_min_messages = warning;
DROP EXTENSION leadqual CASCADE;
DROP ROLE lq_test_reader, lq_test_writer, lq_test_admin;
