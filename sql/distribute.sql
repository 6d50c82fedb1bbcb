-- leadqual.distribute() on one node without Citus (the cluster test,
-- test/citus/run.sh, covers a real coordinator and workers): it refuses
-- with 0A000 and says how to get Citus, and changes nothing.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;
\set VERBOSITY default
SELECT leadqual.distribute();
SELECT leadqual.distribute(8);
-- lead.external_id is still unique on one node
INSERT INTO leadqual.lead (external_id, created_at) VALUES ('crm-1', '2026-01-01');
INSERT INTO leadqual.lead (external_id, created_at) VALUES ('crm-1', '2026-01-02');
-- lead_table(), colocated_table() and rescore_lead_table() name the tables
-- themselves on one node; is_distributed() says no
SELECT leadqual.lead_table('leadqual.event', '{1,2,3}'), leadqual.lead_table('leadqual.fit_rule', '{}'),
       leadqual.colocated_table('leadqual.event', 'leadqual.lead_score_state'),
       leadqual.colocated_table('leadqual.lead', 'leadqual.scoring_model'),
       leadqual.rescore_lead_table('leadqual.lead'), leadqual.is_distributed('leadqual.lead');
-- rescore()'s pass and writes work on lead or one of its shards only
SELECT leadqual.rescore_lead_table('leadqual.event');
SELECT * FROM leadqual.rescore_changes('default', now(), 'leadqual.lead_score_state');
SELECT leadqual.rescore_group(NULL, now(), NULL);
-- generate_demo()'s part per shard group: on lead or one of its shards
-- only, and with lead_ids exactly when on a shard (on one node, without);
-- nothing written by a refused call
SELECT leadqual.demo_group(NULL, NULL, NULL, 10, 1, '2025-01-01', 30, '{no_budget}', '{t}');
SELECT leadqual.demo_group('leadqual.event', NULL, NULL, 10, 1, '2025-01-01', 30, '{no_budget}', '{t}');
SELECT leadqual.demo_group('leadqual.lead', '{1}', '{1}', 10, 1, '2025-01-01', 30, '{no_budget}', '{t}');
SELECT count(*) AS leads FROM leadqual.lead;
-- only the extension's owner may distribute it
SELECT pg_catalog.has_function_privilege('leadqual_admin', 'leadqual.distribute(integer)', 'EXECUTE') AS admin_may,
       pg_catalog.has_function_privilege('leadqual_writer', 'leadqual.distribute(integer)', 'EXECUTE') AS writer_may;
SET client_min_messages = warning;
DROP EXTENSION leadqual CASCADE;
