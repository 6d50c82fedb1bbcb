
/* src/sql/roles.sql — roles and privileges (SPEC §7) */

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'leadqual_reader') THEN
        CREATE ROLE leadqual_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'leadqual_writer') THEN
        CREATE ROLE leadqual_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'leadqual_admin') THEN
        CREATE ROLE leadqual_admin NOLOGIN;
    END IF;
END
$$;
COMMENT ON ROLE leadqual_reader IS 'leadqual: reads the report views and scores';
COMMENT ON ROLE leadqual_writer IS 'leadqual: loads leads and events, calls the lifecycle actions';
COMMENT ON ROLE leadqual_admin IS 'leadqual: edits scoring models, rules, reasons and transitions';

GRANT leadqual_reader TO leadqual_writer;
GRANT leadqual_writer TO leadqual_admin;

GRANT USAGE ON SCHEMA @extschema@ TO leadqual_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA @extschema@ TO leadqual_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.lead, @extschema@.event,
    @extschema@.stage_history, @extschema@.opportunity TO leadqual_writer;
-- live scoring runs as the writer of the events
GRANT INSERT, UPDATE, DELETE ON @extschema@.lead_score_state TO leadqual_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA @extschema@ TO leadqual_writer;
GRANT INSERT, UPDATE, DELETE, TRUNCATE ON @extschema@.scoring_model, @extschema@.fit_rule,
    @extschema@.engagement_rule, @extschema@.rejection_reason, @extschema@.transition TO leadqual_admin;
