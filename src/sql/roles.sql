
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
COMMENT ON ROLE leadqual_reader IS 'leadqual: reads leadqual''s tables and computes scores';
COMMENT ON ROLE leadqual_writer IS 'leadqual: loads leads and events, calls the lifecycle actions';
COMMENT ON ROLE leadqual_admin IS 'leadqual: edits scoring models, rules, reasons and transitions';

GRANT leadqual_reader TO leadqual_writer;
GRANT leadqual_writer TO leadqual_admin;

GRANT USAGE ON SCHEMA @extschema@ TO leadqual_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA @extschema@ TO leadqual_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.lead, @extschema@.event,
    @extschema@.stage_history, @extschema@.opportunity TO leadqual_writer;
/* a move on a Citus worker queues its hand-off with the mover's rights */
GRANT INSERT ON @extschema@.handoff_queue TO leadqual_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA @extschema@ TO leadqual_writer;
/*
 * lead_intake (src/sql/lead_intake.sql) is lead for loading; on Citus its
 * trigger claims external_ids in lead_key with the writer's rights.
 */
GRANT INSERT, UPDATE, DELETE ON @extschema@.lead_intake TO leadqual_writer;
GRANT INSERT, DELETE ON @extschema@.lead_key TO leadqual_writer;
/*
 * The report views (src/sql/reports.sql, installed before this file) are
 * covered by ALL TABLES above; granted by name too, so this file says who
 * reads the reports.  They are security_invoker: reading one also needs
 * SELECT on the tables it reads (which the reader has), and row-level
 * security on those tables applies to the reader.
 */
GRANT SELECT ON @extschema@.lead_status, @extschema@.sla_breaches, @extschema@.lead_timelines,
    @extschema@.funnel, @extschema@.funnel_by_cohort, @extschema@.funnel_by_period,
    @extschema@.stage_velocity, @extschema@.mql_acceptance, @extschema@.rejection_reasons,
    @extschema@.score_calibration, @extschema@.channel_attribution TO leadqual_reader;
/* accounts (src/sql/accounts.sql), likewise security_invoker */
GRANT SELECT ON @extschema@.account_status TO leadqual_reader;
GRANT INSERT, UPDATE, DELETE, TRUNCATE ON @extschema@.scoring_model, @extschema@.fit_rule,
    @extschema@.engagement_rule, @extschema@.rejection_reason, @extschema@.transition TO leadqual_admin;
/*
 * Predictive models (src/sql/predictive_models.sql): the admin defines
 * them; the writer may retrain them (train_predictive() writes the fit
 * columns with the caller's rights), e.g. nightly next to rescore().
 */
GRANT INSERT, UPDATE, DELETE, TRUNCATE ON @extschema@.predictive_model TO leadqual_admin;
GRANT UPDATE (fit, feature_names, metrics, trained_at) ON @extschema@.predictive_model TO leadqual_writer;

/*
 * lead_score_state is written by leadqual only (src/sql/live_scoring.sql:
 * the SECURITY DEFINER functions there); a state written by hand would leave
 * a wrong stored score.  Readers may read it.
 */
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON @extschema@.lead_score_state FROM PUBLIC;

/*
 * Functions.  The public ones (score, explain_score, fit_score, grade,
 * score_by_lead, threshold_analysis, account_key, free_mail_domains, the engagement_score,
 * engagement_detail, mql_crossing, mql_peak and window_funnel aggregates,
 * can_transition, the actions and claim_external_ids) keep EXECUTE for PUBLIC: they run with
 * the caller's rights, and the table privileges above decide what a caller
 * may read and write.  Every internal function loses it:
 *   - the aggregates' support functions: PostgreSQL checks EXECUTE on them
 *     for the aggregate's owner, not the caller;
 *   - the trigger functions: a trigger calls its function without checking
 *     EXECUTE (only CREATE TRIGGER does);
 *   - but the helpers that public functions call, on Citus or for the
 *     actions, keep it: lead_table, is_distributed, external_ids_claimed
 *     (claim_external_ids, public, calls it), shard_group_leads and
 *     score_by_lead_group read what their public callers read, with the
 *     caller's privileges; next_history_id, next_opportunity_id and next_event_id hand
 *     out the ids of new rows as the identity defaults do for anyone who
 *     may insert one;
 *   - the live-scoring helpers that the writer's triggers (event_changed,
 *     lead_inserted, lead_fit_changed, which run as the role that wrote the
 *     events or leads) and rescore() call are granted to leadqual_writer;
 *     the others (state_add_events, score_state, the SECURITY DEFINER
 *     triggers' own helpers) are called with the owner's rights only.
 * rescore() and generate_demo() write leads, so they are for
 * leadqual_writer (and so leadqual_admin) too.  report_html() keeps
 * EXECUTE for PUBLIC like the other public functions: it reads the views
 * with the caller's rights, so only a role that may read them
 * (leadqual_reader) gets a page.  Its helpers report_html_escape and
 * report_html_bars, which it calls with the caller's rights, are granted
 * to leadqual_reader only.
 */
REVOKE EXECUTE ON FUNCTION
    -- rule tables' triggers
    @extschema@.validate_rule(),
    @extschema@.rules_changed(),
    @extschema@.builtin_row_guard(),
    -- lead_intake's triggers
    @extschema@.lead_intake_begin(),
    @extschema@.lead_intake_row(),
    @extschema@.lead_intake_end(),
    -- aggregates' support functions
    @extschema@.engagement_score_trans(@extschema@.engagement_state, text, text, jsonb, timestamptz, timestamptz),
    @extschema@.engagement_score_final(@extschema@.engagement_state),
    @extschema@.engagement_score_combine(@extschema@.engagement_state, @extschema@.engagement_state),
    @extschema@.engagement_detail_final(@extschema@.engagement_state),
    @extschema@.mql_crossing_trans(internal, text, float8, text, jsonb, timestamptz),
    @extschema@.mql_crossing_final(internal),
    @extschema@.mql_crossing_combine(internal, internal),
    @extschema@.mql_crossing_serial(internal),
    @extschema@.mql_crossing_deserial(bytea, internal),
    @extschema@.mql_peak_final(internal),
    @extschema@.score_state_trans(@extschema@.engagement_state, text, text, jsonb, timestamptz),
    @extschema@.score_state_final(@extschema@.engagement_state),
    @extschema@.window_funnel_trans(internal, interval, timestamptz, boolean[]),
    @extschema@.window_funnel_final(internal),
    @extschema@.window_funnel_combine(internal, internal),
    @extschema@.window_funnel_serial(internal),
    @extschema@.window_funnel_deserial(bytea, internal),
    @extschema@.lead_timeline_trans(internal, @extschema@.stage, @extschema@.stage, timestamptz, text, text, bigint),
    @extschema@.lead_timeline_final(internal),
    @extschema@.lead_timeline_combine(internal, internal),
    @extschema@.lead_timeline_serial(internal),
    @extschema@.lead_timeline_deserial(bytea, internal),
    @extschema@.attribute_paths_trans(@extschema@.path_counts, text, text[], float8, float8),
    @extschema@.attribute_paths_trans(@extschema@.path_counts, text, text[], float8, float8, float8),
    @extschema@.attribute_paths_trans(@extschema@.path_counts, text, text[], float8, float8, float8, integer),
    @extschema@.attribute_journeys_trans(@extschema@.path_counts, text, text[], timestamptz[], boolean, timestamptz, float8, timestamptz, timestamptz, timestamptz, interval, integer),
    @extschema@.path_counts_combine(@extschema@.path_counts, @extschema@.path_counts),
    @extschema@.path_counts_final(@extschema@.path_counts),
    @extschema@.logistic_regression_trans(@extschema@.logit_rows, boolean, float8[]),
    @extschema@.logistic_regression_trans(@extschema@.logit_rows, boolean, float8[], float8),
    @extschema@.logit_rows_combine(@extschema@.logit_rows, @extschema@.logit_rows),
    @extschema@.logistic_regression_final(@extschema@.logit_rows),
    -- attribution's helpers (granted to the reader below)
    @extschema@.journey_credit(text, text[], timestamptz[], timestamptz, timestamptz, timestamptz, timestamptz, interval),
    @extschema@.attribution_options(text, integer, interval, interval),
    @extschema@.attribution_check(@extschema@.stage, timestamptz, timestamptz),
    @extschema@.attribution_journeys(@extschema@.stage, timestamptz, timestamptz, interval),
    @extschema@.attribution_journeys_sql(),
    @extschema@.channel_attribution_rows(),
    -- rescore's writes
    @extschema@.rescore_changes(text, timestamptz, pg_catalog.regclass),
    @extschema@.rescore_group(pg_catalog.regclass, timestamptz, text),
    @extschema@.rescore_lead_table(pg_catalog.regclass),
    @extschema@.automatic_move_reason(text, @extschema@.stage, timestamptz, float8, text, timestamptz, timestamptz),
    @extschema@.rescore(timestamptz, text),
    -- live scoring
    @extschema@.colocated_table(pg_catalog.regclass, pg_catalog.regclass),
    @extschema@.auto_scoring_enabled(),
    @extschema@.score_state(text, text, jsonb, timestamptz),
    @extschema@.state_add_events(bytea, text[], jsonb[], timestamptz[]),
    @extschema@.state_read(bytea, timestamptz),
    @extschema@.apply_automatic_moves(timestamptz, bigint[], timestamptz[]),
    @extschema@.event_inserted(),
    @extschema@.event_changed(),
    @extschema@.event_truncated(),
    @extschema@.rebuild_score_state(bigint[]),
    @extschema@.forget_score_states(bigint[]),
    @extschema@.add_missing_score_states(text, pg_catalog.regclass),
    @extschema@.lock_score_states(pg_catalog.regclass),
    @extschema@.rescore_leads(bigint[], timestamptz, boolean),
    @extschema@.lead_before_insert(),
    @extschema@.lead_inserted(),
    @extschema@.lead_fit_changed(),
    -- the demo
    @extschema@.demo_check_args(integer, integer, timestamptz, integer),
    @extschema@.demo_leads(integer, integer, timestamptz, integer),
    @extschema@.demo_events(integer, integer, timestamptz, integer),
    @extschema@.demo_lifecycle(integer, integer, timestamptz, integer, float8, timestamptz, text[], boolean[]),
    @extschema@.demo_group(pg_catalog.regclass, bigint[], integer[], integer, integer, timestamptz, integer, text[], boolean[]),
    @extschema@.generate_demo(integer, integer, timestamptz, integer),
    -- hand-off notifications
    @extschema@.notify_move(bigint, bigint, text, @extschema@.stage, @extschema@.stage, timestamptz, text, text, float8, text),
    @extschema@.relay_handoffs(),
    -- the HTML report's helpers
    @extschema@.report_html_escape(text),
    @extschema@.report_html_bars(text, text, text[], numeric[], numeric[], numeric[], numeric[], text[], text[], boolean, numeric)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    @extschema@.journey_credit(text, text[], timestamptz[], timestamptz, timestamptz, timestamptz, timestamptz, interval),
    @extschema@.attribution_options(text, integer, interval, interval),
    @extschema@.attribution_check(@extschema@.stage, timestamptz, timestamptz),
    @extschema@.attribution_journeys(@extschema@.stage, timestamptz, timestamptz, interval),
    @extschema@.attribution_journeys_sql(),
    @extschema@.channel_attribution_rows(),
    @extschema@.report_html_escape(text),
    @extschema@.report_html_bars(text, text, text[], numeric[], numeric[], numeric[], numeric[], text[], text[], boolean, numeric)
    TO leadqual_reader;

GRANT EXECUTE ON FUNCTION
    -- rescore() runs with the caller's rights and calls these
    @extschema@.rescore(timestamptz, text),
    @extschema@.rescore_changes(text, timestamptz, pg_catalog.regclass),
    @extschema@.rescore_group(pg_catalog.regclass, timestamptz, text),
    @extschema@.rescore_lead_table(pg_catalog.regclass),
    @extschema@.colocated_table(pg_catalog.regclass, pg_catalog.regclass),
    @extschema@.automatic_move_reason(text, @extschema@.stage, timestamptz, float8, text, timestamptz, timestamptz),
    @extschema@.lock_score_states(pg_catalog.regclass),
    @extschema@.add_missing_score_states(text, pg_catalog.regclass),
    @extschema@.apply_automatic_moves(timestamptz, bigint[], timestamptz[]),
    @extschema@.notify_move(bigint, bigint, text, @extschema@.stage, @extschema@.stage, timestamptz, text, text, float8, text),
    -- the triggers that run as the writer call these
    @extschema@.auto_scoring_enabled(),
    @extschema@.forget_score_states(bigint[]),
    @extschema@.rescore_leads(bigint[], timestamptz, boolean),
    @extschema@.rebuild_score_state(bigint[]),
    @extschema@.state_read(bytea, timestamptz),
    -- the demo
    @extschema@.generate_demo(integer, integer, timestamptz, integer),
    @extschema@.demo_check_args(integer, integer, timestamptz, integer),
    @extschema@.demo_leads(integer, integer, timestamptz, integer),
    @extschema@.demo_events(integer, integer, timestamptz, integer),
    @extschema@.demo_lifecycle(integer, integer, timestamptz, integer, float8, timestamptz, text[], boolean[]),
    @extschema@.demo_group(pg_catalog.regclass, bigint[], integer[], integer, integer, timestamptz, integer, text[], boolean[]),
    -- on Citus: the workers' hand-offs, sent from the coordinator
    @extschema@.relay_handoffs()
    TO leadqual_writer;
