-- test/sqlsmith/steer.sql: the database sqlsmith runs against (as superuser).
--
-- sqlsmith draws its routines and aggregates from an unqualified "pg_proc"
-- (and its tables from information_schema.tables, which shows a role only
-- the tables it has privileges on).  Its role's search_path is
--     leadqual, smith_catalog, pg_catalog
-- so that "pg_proc" resolves to the view smith_catalog.pg_proc: leadqual's
-- routines, the wrappers below and a few catalog functions that make
-- values of leadqual's argument types.  Queries still run with every
-- pg_catalog routine and operator available; only sqlsmith's choice is
-- steered.

CREATE EXTENSION leadqual;
SELECT leadqual.generate_demo(500) AS demo_leads;

CREATE ROLE smith LOGIN PASSWORD 'smith';
GRANT leadqual_admin TO smith;     -- reads, writes data and rules, calls the actions

-- sqlsmith calls only routines that return one value: it leaves out the
-- set-returning ones (explain_score, score_by_lead, the demo generators) and
-- cannot use a record (score, store_scores).  Each of those gets a
-- wrapper with the same arguments that returns its rows as one text.
CREATE SCHEMA smith_wrap;
DO $$
DECLARE
    f record;
BEGIN
    FOR f IN SELECT p.oid, p.proname, p.pronargs,
                    (SELECT string_agg(format_type(t, NULL), ', ' ORDER BY n)
                       FROM unnest(p.proargtypes) WITH ORDINALITY u(t, n)) AS args
               FROM pg_proc p
              WHERE p.pronamespace = 'leadqual'::regnamespace AND p.prokind = 'f'
                AND (p.proretset OR p.prorettype = 'record'::regtype)
                AND p.prorettype <> 'trigger'::regtype LOOP
        EXECUTE format('CREATE FUNCTION smith_wrap.%I(%s) RETURNS text LANGUAGE sql AS %L',
                       f.proname, coalesce(f.args, ''),
                       format('SELECT pg_catalog.string_agg(r::pg_catalog.text, '';'') FROM leadqual.%I(%s) r',
                              f.proname,
                              (SELECT string_agg('$' || i, ', ') FROM generate_series(1, f.pronargs) i)));
    END LOOP;
END
$$;

CREATE SCHEMA smith_catalog;
CREATE VIEW smith_catalog.pg_proc AS
    SELECT * FROM pg_catalog.pg_proc p
     WHERE p.pronamespace IN ('leadqual'::regnamespace, 'smith_wrap'::regnamespace)
        OR (p.pronamespace = 'pg_catalog'::regnamespace
            AND p.proname IN ('now', 'clock_timestamp', 'to_timestamp', 'make_interval', 'repeat',
                              'md5', 'lower', 'upper', 'int8', 'int4', 'float8', 'numeric', 'text',
                              'jsonb_object', 'jsonb_build_object', 'to_jsonb', 'string_to_array',
                              'array_length', 'count', 'sum', 'max', 'min', 'jsonb_agg', 'array_agg',
                              'coalesce', 'nullif', 'isfinite', 'date_trunc', 'random', 'chr'));
-- Attribution (issue 10): tables whose columns have the types and values the
-- attribution routines take, so that sqlsmith's column references reach
-- them with real methods, orders, paths, journeys and path_counts states
-- (its own literals would hardly ever name a method).
CREATE SCHEMA smith_data;
CREATE TABLE smith_data.methods (method text, markov_order integer);
INSERT INTO smith_data.methods
SELECT m, 1 FROM unnest('{first_touch,last_touch,linear,time_decay,position_based,w_shaped,full_path,shapley}'::text[]) m
UNION ALL SELECT 'markov', o FROM unnest('{1,2,3,4,8}'::int[]) o;
CREATE TABLE smith_data.journeys AS
SELECT * FROM leadqual.attribution_journeys('won', '-infinity', 'infinity', NULL) WHERE channels IS NOT NULL;
CREATE TABLE smith_data.paths AS
SELECT channels AS path, count(*) FILTER (WHERE converted)::float8 AS conversions,
       coalesce(sum(value) FILTER (WHERE converted), 0) AS revenue,
       count(*) FILTER (WHERE NOT converted)::float8 AS nulls
  FROM smith_data.journeys GROUP BY channels;
CREATE AGGREGATE smith_data.paths_state(text, text[], float8, float8, float8, integer) (
    SFUNC = leadqual.attribute_paths_trans, STYPE = leadqual.path_counts,
    COMBINEFUNC = leadqual.path_counts_combine);
CREATE TABLE smith_data.states AS
SELECT m.method, m.markov_order,
       (SELECT smith_data.paths_state(m.method, p.path, p.conversions, p.revenue, p.nulls, m.markov_order)
          FROM smith_data.paths p) AS state
  FROM smith_data.methods m WHERE m.method NOT IN ('time_decay', 'w_shaped', 'full_path');
-- Predictive scoring (issue 11): rows of features with real outcomes, the
-- logistic_regression states of a few groups and their fits, so that
-- sqlsmith's column references reach the fit and prediction with arrays of
-- one length per group, valid states and valid fits.
CREATE TABLE smith_data.logit_data AS
SELECT (l.lead_id % 4)::integer AS grp, l.stage = 'won' OR l.stage = 'opportunity' AS y,
       ARRAY[coalesce(l.fit_score, 0), coalesce(l.engagement_score, 0),
             ln(1 + coalesce(l.company_size, 0))]::float8[] AS x,
       (l.lead_id % 3)::float8 AS l2
  FROM leadqual.lead l;
CREATE AGGREGATE smith_data.logit_state(boolean, float8[], float8) (
    SFUNC = leadqual.logistic_regression_trans, STYPE = leadqual.logit_rows,
    COMBINEFUNC = leadqual.logit_rows_combine);
CREATE TABLE smith_data.logit_states AS
SELECT d.grp, d.l2, smith_data.logit_state(d.y, d.x, d.l2) AS state
  FROM smith_data.logit_data d GROUP BY d.grp, d.l2;
CREATE TABLE smith_data.logit_fits AS
SELECT d.grp, leadqual.logistic_regression(d.y, d.x, 1) AS fit
  FROM smith_data.logit_data d GROUP BY d.grp;
GRANT USAGE ON SCHEMA smith_data TO smith;
GRANT SELECT ON ALL TABLES IN SCHEMA smith_data TO smith;

GRANT USAGE ON SCHEMA smith_wrap, smith_catalog TO smith;
GRANT SELECT ON smith_catalog.pg_proc TO smith;
ALTER ROLE smith SET search_path = leadqual, smith_catalog, pg_catalog;

-- what sqlsmith will see (printed by run.sh)
SELECT (SELECT count(*) FROM smith_data.paths) AS paths, (SELECT count(*) FROM smith_data.journeys) AS journeys,
       (SELECT count(*) FROM smith_data.states) AS states,
       (SELECT count(*) FROM smith_data.logit_data) AS logit_rows,
       (SELECT count(*) FROM smith_data.logit_states) AS logit_states,
       (SELECT count(*) FILTER (WHERE (fit).converged) FROM smith_data.logit_fits) AS converged_fits;
SELECT count(*) FILTER (WHERE pronamespace = 'leadqual'::regnamespace) AS leadqual_routines,
       count(*) FILTER (WHERE pronamespace = 'smith_wrap'::regnamespace) AS wrappers,
       count(*) FILTER (WHERE pronamespace = 'pg_catalog'::regnamespace) AS catalog_routines
  FROM smith_catalog.pg_proc;
