-- sql/include/search_path_writes.sql — security_search_path's writes, \i'd once per search_path.
--
-- Variables: :v the variant, :l1 and :l2 two fresh lead ids, :e1 .. :e4
-- fresh event ids.  Model sp has no decay in the rules used here, so every
-- stored value is exact whatever the clock (see security_search_path.sql).
-- Nothing here uses an operator of its own (only OPERATOR(pg_catalog.…)).
\set ext_a :v -a
\set ext_b :v -b
-- new leads, through lead_intake (its triggers, then lead_inserted): a: fit
-- 45 (vp 20, software 10, corp e-mail 5, 500 employees 5, a tier 5); b: fit 0
INSERT INTO leadqual.lead_intake (lead_id, external_id, created_at, email, job_title, industry, company_size, attributes, model)
VALUES (:l1, :'ext_a', '2025-01-01', 'ann@corp.example', 'VP Sales', 'software', 500, '{"tier": "gold"}', 'sp'),
       (:l2, :'ext_b', '2025-01-01', 'bob@mail.example', 'intern', NULL, 5, '{}', 'sp');
-- no claim on one node (external_ids_claimed: lead has no foreign key to lead_key): 0
SELECT leadqual.claim_external_ids(ARRAY[:'ext_a'], ARRAY[:l1]::bigint[]) AS claims;
-- two visits of a in one statement: 45 + 5 + 5 = 55 < 60 (event_inserted)
INSERT INTO leadqual.event (event_id, lead_id, event_type, occurred_at)
VALUES (:e1, :l1, 'visit', '2025-02-01'), (:e2, :l1, 'visit', '2025-02-02');
-- a pricing visit of a: visit 5 + pricing 10: 70 >= 60, an MQL by score
INSERT INTO leadqual.event (event_id, lead_id, event_type, occurred_at, properties)
VALUES (:e3, :l1, 'visit', '2025-02-03', '{"page": "pricing"}');
-- a visit of b: 5; then it becomes a demo (event_changed): 1, an MQL by its
-- hand-raise
INSERT INTO leadqual.event (event_id, lead_id, event_type, occurred_at) VALUES (:e4, :l2, 'visit', '2025-02-04');
UPDATE leadqual.event SET event_type = 'demo' WHERE event_id OPERATOR(pg_catalog.=) :e4;
-- a's first visit deleted: 65, still an MQL
DELETE FROM leadqual.event WHERE event_id OPERATOR(pg_catalog.=) :e1;
-- a's title changes (lead_fit_changed): fit 25, score 45
UPDATE leadqual.lead SET job_title = 'Director' WHERE lead_id OPERATOR(pg_catalog.=) :l1;
-- the actions: a through the funnel to won, b rejected to nurture and
-- disqualified
SELECT leadqual.accept(:l1, 'maria') AS accepted;
SELECT leadqual.qualify(:l1) AS qualified;
SELECT leadqual.open_opportunity(:l1, 1000) AS opp \gset
SELECT leadqual.close_opportunity(:opp, true, 1200) AS closed;
SELECT leadqual.reject(:l2, 'no_budget') AS rejected;
SELECT leadqual.transition(:l2, 'disqualified', 'marketing', 'no_need', 'by hand') AS moved;
-- live scoring off: deleting a's pricing visit only forgets its state;
-- rescore() stores 25 + 5 = 30 and builds the state again
SET leadqual.auto_scoring = off;
DELETE FROM leadqual.event WHERE event_id OPERATOR(pg_catalog.=) :e3;
RESET leadqual.auto_scoring;
SELECT leadqual.rescore(pg_catalog.now(), 'sp') IS NOT NULL AS rescored_sp;
SELECT leadqual.rescore() IS NOT NULL AS rescored;
-- the demo, afresh
DELETE FROM leadqual.lead WHERE external_id OPERATOR(pg_catalog.~~) 'demo-%';
SELECT leadqual.generate_demo(3, 7) AS demo_leads;
-- kept for the checks under a clean path: leads a and b as they are now,
-- and every lead whose stored score is not what score() gives at scored_at
INSERT INTO public.sp_leads SELECT :'v', l.* FROM leadqual.lead l
 WHERE l.lead_id OPERATOR(pg_catalog.=) ANY (ARRAY[:l1, :l2]);
INSERT INTO public.sp_stale SELECT :'v', l.lead_id FROM leadqual.lead l
 WHERE (l.score OPERATOR(pg_catalog.=) (leadqual.score(l.lead_id, l.scored_at)).score) IS NOT TRUE;
-- the ids of new moves, deals and (generate_demo on a Citus shard)
-- events (the actions above call the first two too)
SELECT leadqual.next_history_id() OPERATOR(pg_catalog.>) 0 AS history_id_ok,
       leadqual.next_opportunity_id() OPERATOR(pg_catalog.>) 0 AS opportunity_id_ok,
       leadqual.next_event_id() OPERATOR(pg_catalog.>) 0 AS event_id_ok;
