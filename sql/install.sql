-- install: the extension installs into schema leadqual with every table,
-- column and view documented, and every table and sequence registered for
-- pg_dump.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;

-- fixed schema, not relocatable
SELECT extname, extnamespace::regnamespace, extrelocatable, extversion
  FROM pg_extension WHERE extname = 'leadqual';

-- every table and view of the extension, and every column, has a comment:
-- expect no rows
SELECT c.relname, a.attname
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'leadqual'
  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'v')
   AND (obj_description(c.oid, 'pg_class') IS NULL
        OR (a.attname IS NOT NULL AND col_description(c.oid, a.attnum) IS NULL))
 ORDER BY 1, 2;

-- every table and sequence is dumped by pg_dump (extconfig), except the
-- live-scoring states, which are derived from the events, and the Citus
-- workers' hand-offs waiting for their relay (transient): expect no rows
SELECT c.relname
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'leadqual'
 WHERE c.relkind IN ('r', 'S')
   AND c.relname NOT IN ('lead_score_state', 'handoff_queue')
   AND c.oid <> ALL ((SELECT extconfig FROM pg_extension WHERE extname = 'leadqual')::oid[])
 ORDER BY 1;

-- every function of the extension has a comment, except aggregate support
-- and trigger functions: expect no rows
SELECT p.proname
  FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = 'leadqual'
 WHERE obj_description(p.oid, 'pg_proc') IS NULL
   AND p.proname !~ '_(trans|final|combine|serial|deserial)$'
 ORDER BY 1;

-- the roles exist
SELECT rolname FROM pg_roles WHERE rolname LIKE 'leadqual\_%' ORDER BY 1;

-- the default model ships with rules
SELECT name, mql_threshold, min_fit_grade, hand_raise_types, sla, recycle_after,
       fit_bands, engagement_bands
  FROM leadqual.scoring_model;
SELECT count(*) > 5 AS has_fit_rules FROM leadqual.fit_rule WHERE model = 'default';
SELECT count(*) > 5 AS has_engagement_rules FROM leadqual.engagement_rule WHERE model = 'default';

-- the GUC exists once the library is loaded, default on
SHOW leadqual.auto_scoring;
