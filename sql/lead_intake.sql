-- lead_intake and claim_external_ids on one node: leads loaded through the
-- view get lead's defaults and end up in lead exactly as a direct INSERT or
-- COPY would put them; lead's UNIQUE (external_id) refuses a duplicate with
-- the same error; claim_external_ids checks its arguments and writes no
-- claim (lead_key stays empty: on one node the constraint holds the rule).
-- test/citus/run.sh covers the claims on a real Citus cluster.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;
\set VERBOSITY default

-- lead's defaults (lead_id from its sequence, attributes, model, stage,
-- recycle_count); RETURNING answers the rows as inserted
INSERT INTO leadqual.lead_intake (external_id, created_at, email)
VALUES ('crm-1', '2026-01-01 00:00+00', 'ann@example.com'), (NULL, '2026-01-02 00:00+00', NULL)
RETURNING lead_id, external_id, attributes, model, stage, recycle_count;
-- in lead, scored on the way like any new lead (live scoring's insert trigger)
SELECT lead_id, external_id, email, stage, stage_entered_at, model, fit_score IS NOT NULL AS scored
  FROM leadqual.lead ORDER BY lead_id;
-- a given lead_id is kept; the next default one follows the sequence
INSERT INTO leadqual.lead_intake (lead_id, external_id, created_at) VALUES (100, 'crm-100', '2026-01-03 00:00+00');
INSERT INTO leadqual.lead_intake (external_id, created_at) VALUES ('crm-3', '2026-01-03 00:00+00') RETURNING lead_id;

-- refused as lead refuses them, with lead's messages
INSERT INTO leadqual.lead_intake (external_id, created_at) VALUES ('crm-1', '2026-01-04 00:00+00');
INSERT INTO leadqual.lead_intake (external_id, created_at) VALUES ('crm-4', '2026-01-04'), ('crm-4', '2026-01-04');
INSERT INTO leadqual.lead_intake (external_id, created_at) VALUES ('crm-5', NULL);
INSERT INTO leadqual.lead_intake (external_id, created_at, company_size) VALUES ('crm-5', '2026-01-04', -1);
INSERT INTO leadqual.lead_intake (lead_id, created_at) VALUES (100, '2026-01-04');
-- nothing of a refused statement is left behind: the next one inserts only its own row
INSERT INTO leadqual.lead_intake (external_id, created_at) VALUES ('crm-5', '2026-01-04 00:00+00');
SELECT count(*) AS leads, count(*) FILTER (WHERE external_id = 'crm-5') AS crm_5 FROM leadqual.lead;

-- COPY into the view, two statements in one transaction, an error undoing its statement only
\copy leadqual.lead_intake (external_id, created_at, source_channel) FROM stdin
crm-10	2026-02-01 00:00+00	webinar
crm-11	2026-02-02 00:00+00	paid_search
\N	2026-02-03 00:00+00	\N
\.
BEGIN;
INSERT INTO leadqual.lead_intake (external_id, created_at) VALUES ('crm-20', '2026-03-01');
SAVEPOINT s;
INSERT INTO leadqual.lead_intake (external_id, created_at) VALUES ('crm-20', '2026-03-01');
ROLLBACK TO s;
INSERT INTO leadqual.lead_intake (external_id, created_at) VALUES ('crm-21', '2026-03-01');
COMMIT;
SELECT external_id, source_channel FROM leadqual.lead WHERE created_at >= '2026-02-01 00:00+00' ORDER BY lead_id;

-- UPDATE and DELETE pass through to lead
UPDATE leadqual.lead_intake SET owner = 'bob' WHERE external_id = 'crm-10';
DELETE FROM leadqual.lead_intake WHERE external_id = 'crm-11';
SELECT external_id, owner FROM leadqual.lead WHERE external_id IN ('crm-10', 'crm-11');

-- claim_external_ids: its arguments are checked on one node too ...
SELECT leadqual.claim_external_ids(NULL, '{1}');
SELECT leadqual.claim_external_ids('{a}', NULL);
SELECT leadqual.claim_external_ids('{a,b}', '{1}');
SELECT leadqual.claim_external_ids('{a,NULL}', '{1,NULL}');
SELECT leadqual.claim_external_ids('{a,b}', '{1,NULL}');
SELECT leadqual.claim_external_ids('{a,b,a}', '{1,2,3}');
-- ... and nothing is claimed: 0 claims written, lead_key empty, no
-- foreign key from lead to it
SELECT leadqual.claim_external_ids('{a,b}', '{1,2}') AS written, leadqual.claim_external_ids('{}', '{}') AS none,
       (SELECT count(*) FROM leadqual.lead_key) AS claims, leadqual.external_ids_claimed() AS claimed;

-- row-level security on lead applies to lead_intake (security_invoker):
-- a rep may load only own leads
CREATE ROLE lq_li_rep;
GRANT leadqual_writer TO lq_li_rep;
ALTER TABLE leadqual.lead ENABLE ROW LEVEL SECURITY;
CREATE POLICY lq_li_own ON leadqual.lead USING (owner = current_user) WITH CHECK (owner = current_user);
SET ROLE lq_li_rep;
INSERT INTO leadqual.lead_intake (external_id, created_at, owner) VALUES ('crm-30', '2026-04-01', 'lq_li_rep');
INSERT INTO leadqual.lead_intake (external_id, created_at, owner) VALUES ('crm-31', '2026-04-01', 'someone_else');
SELECT external_id, owner FROM leadqual.lead_intake ORDER BY lead_id;
RESET ROLE;
-- PUBLIC may not load leads
CREATE ROLE lq_li_nobody;
SET ROLE lq_li_nobody;
INSERT INTO leadqual.lead_intake (external_id, created_at) VALUES ('crm-40', '2026-04-01');
RESET ROLE;
DROP POLICY lq_li_own ON leadqual.lead;
ALTER TABLE leadqual.lead DISABLE ROW LEVEL SECURITY;

SET client_min_messages = warning;
DROP EXTENSION leadqual CASCADE;
DROP ROLE lq_li_rep;
DROP ROLE lq_li_nobody;
