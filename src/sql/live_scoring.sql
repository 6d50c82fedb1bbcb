
/*
 * src/sql/live_scoring.sql — automatic moves and live scoring (SPEC §4)
 *
 * The functions that run once per statement on the leads it touched are
 * SET jit = off: compiling their plans would cost more than running them.
 *
 * Rights.  lead_score_state is written only with the extension owner's
 * rights: no role may insert, update or delete its rows (a state written by
 * hand, e.g. one of another model, would leave a wrong stored score), so the
 * code that writes it is SECURITY DEFINER, and computes every state it
 * writes from the lead's own events, never from a caller's value:
 *   event_inserted    trigger (its one statement merges the new events into
 *                     the states and stores the scores; splitting it would
 *                     add statements to the hot path); its only input is
 *                     the statement's own new rows;
 *   event_truncated   trigger (only a role allowed to TRUNCATE event fires
 *                     it);
 *   rebuild_score_state, add_missing_score_states   states from events;
 *   forget_score_states   deletes states (a missing state is rebuilt from
 *                     the events when needed, so this cannot make a score
 *                     wrong);
 *   lock_score_states     rescore()'s lock on the table.
 * Everything else (the other triggers, rescore_leads, apply_automatic_moves,
 * rescore) runs with the caller's rights: the lead and stage_history writes
 * are checked against the role that inserted the events or runs rescore().
 * Every SECURITY DEFINER function pins search_path = pg_catalog, pg_temp and
 * names leadqual's objects with @extschema@.  Grants: src/sql/roles.sql.
 */

/*
 * Per-lead engagement state kept for live scoring: the forward-decayed sums
 * and frequency-window times of every engagement rule over all of the lead's
 * events, so a new event is merged in without reading the lead's history.
 */
CREATE TABLE @extschema@.lead_score_state (
    lead_id bigint PRIMARY KEY REFERENCES @extschema@.lead (lead_id) ON DELETE CASCADE,
    state   bytea
) WITH (fillfactor = 50);
COMMENT ON TABLE @extschema@.lead_score_state IS
    'internal: per-lead engagement state for live scoring, derived from the events (not dumped); a missing row is rebuilt from the lead''s events when needed';
COMMENT ON COLUMN @extschema@.lead_score_state.lead_id IS 'lead the state belongs to';
COMMENT ON COLUMN @extschema@.lead_score_state.state IS 'serialized engagement state (model, rules fingerprint, decayed sums, window times); empty: no events; NULL: stale, to be rebuilt';
/*
 * Not dumped: states are derived from the events, and a restored state would
 * count the restored events twice.  After a restore, missing states are
 * rebuilt by rescore() or by each lead's next event.
 */

/*
 * lead_table: on Citus, where a group of leads' rows of one of leadqual's
 * tables are on this node (citus/placement.c).  Triggers fire on a shard
 * there, and touch only the colocated shards of their leads.
 */
CREATE FUNCTION @extschema@.lead_table(tbl pg_catalog.regclass, lead_ids bigint[])
    RETURNS pg_catalog.regclass
    AS 'MODULE_PATHNAME', 'lq_lead_table'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lead_table(pg_catalog.regclass, bigint[]) IS
    'internal: the relation holding these leads'' rows of a leadqual table on this node: tbl, or on Citus the one local shard they all fall into';

/*
 * colocated_table: on Citus, the shard of tbl in the shard group of shard
 * rel (a TRUNCATE trigger on a shard has no rows to find its leads by).
 */
CREATE FUNCTION @extschema@.colocated_table(rel pg_catalog.regclass, tbl pg_catalog.regclass)
    RETURNS pg_catalog.regclass
    AS 'MODULE_PATHNAME', 'lq_colocated_table'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.colocated_table(pg_catalog.regclass, pg_catalog.regclass) IS
    'internal: tbl, or on Citus its shard in the shard group of the shard rel';

/*
 * is_distributed: whether tbl is a Citus table (rescore() runs once per
 * shard group then; citus/placement.c).
 */
CREATE FUNCTION @extschema@.is_distributed(tbl pg_catalog.regclass)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'lq_is_distributed_sql'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.is_distributed(pg_catalog.regclass) IS
    'internal: whether tbl is a Citus table';

/*
 * rescore_lead_table: lead_rel itself when it is leadqual.lead or, on
 * Citus, one of its shards on this node; otherwise 22023.  For the
 * functions of rescore() that take the relation to work on.
 */
CREATE FUNCTION @extschema@.rescore_lead_table(lead_rel pg_catalog.regclass)
    RETURNS pg_catalog.regclass
    AS 'MODULE_PATHNAME', 'lq_rescore_lead_table'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rescore_lead_table(pg_catalog.regclass) IS
    'internal: lead_rel when it is leadqual.lead or one of its Citus shards on this node, else 22023';

CREATE FUNCTION @extschema@.auto_scoring_enabled()
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'lq_auto_scoring_enabled'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.auto_scoring_enabled() IS
    'whether live scoring is on (GUC leadqual.auto_scoring)';

CREATE FUNCTION @extschema@.score_state_trans(@extschema@.engagement_state, text, text, jsonb, timestamptz)
    RETURNS @extschema@.engagement_state
    AS 'MODULE_PATHNAME', 'lq_score_state_trans'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.score_state_final(@extschema@.engagement_state)
    RETURNS bytea
    AS 'MODULE_PATHNAME', 'lq_score_state_final'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.score_state(model text, event_type text, properties jsonb, occurred_at timestamptz) (
    SFUNC = @extschema@.score_state_trans,
    STYPE = @extschema@.engagement_state,
    FINALFUNC = @extschema@.score_state_final,
    COMBINEFUNC = @extschema@.engagement_score_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.score_state(text, text, jsonb, timestamptz) IS
    'internal: engagement state of a group of events (one lead), every event counted, for live scoring';

CREATE FUNCTION @extschema@.state_add_events(stored bytea, event_types text[],
                                             properties jsonb[], occurred_at timestamptz[])
    RETURNS bytea
    AS 'MODULE_PATHNAME', 'lq_state_add_events'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.state_add_events(bytea, text[], jsonb[], timestamptz[]) IS
    'internal: a stored state with more events counted, under the model it names; NULL if it is stale or empty (to be rebuilt)';

CREATE FUNCTION @extschema@.state_read(state bytea, at timestamptz)
    RETURNS @extschema@.engagement_detail
    AS 'MODULE_PATHNAME', 'lq_state_read'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.state_read(bytea, timestamptz) IS
    'internal: engagement at a time and the latest hand-raise from a stored state; NULL if stale, engagement NULL if it counts events after that time';

/*
 * automatic_move_reason: the one definition of the system's moves into mql
 * (SPEC §4), in C (lifecycle/automatic_moves.c on scoring's MQL rule): for
 * a lead in stage, entered at stage_entered_at, with this score and grade
 * and latest hand-raise at as_of, 'hand_raise' or 'score_threshold' if the
 * system would move it into mql, else NULL.
 *   inquiry → mql: a hand-raise at or before as_of, or score >= threshold
 *                  with a fit letter at least min_fit_grade;
 *   nurture → mql: a hand-raise after the lead entered nurture, or the score
 *                  rule once recycle_after has passed since it did;
 *   never before the lead entered its stage.
 */
CREATE FUNCTION @extschema@.automatic_move_reason(model text, stage @extschema@.stage,
                                                  stage_entered_at timestamptz, score float8,
                                                  grade text, last_hand_raise timestamptz,
                                                  as_of timestamptz)
    RETURNS text
    AS 'MODULE_PATHNAME', 'lq_automatic_move_reason'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.automatic_move_reason(text, @extschema@.stage, timestamptz, float8, text, timestamptz, timestamptz) IS
    'internal: hand_raise or score_threshold if the system would move the lead into mql at as_of, else NULL';

/*
 * next_history_id: the history_id of a stage_history row written by an
 * automatic move (citus/node_sequence.c): the identity sequence's next
 * value, and on Citus a range of 2^48 per node, since the workers write
 * moves too and each node has its own copy of the sequence.
 */
CREATE FUNCTION @extschema@.next_history_id()
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'lq_next_history_id'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.next_history_id() IS
    'internal: the history_id of a move written on this node (on Citus: a range per node)';
CREATE FUNCTION @extschema@.next_opportunity_id()
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'lq_next_opportunity_id'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.next_opportunity_id() IS
    'internal: the opportunity_id of a deal opened on this node (on Citus: a range per node)';
CREATE FUNCTION @extschema@.next_event_id()
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'lq_next_event_id'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.next_event_id() IS
    'internal: the event_id of an event written on this node, as generate_demo does on a Citus shard (on Citus: a range per node)';

/*
 * Live scoring's statements are C (lifecycle/live_scoring.c), each written
 * once over leadqual's tables: on one node they read and write the tables,
 * on Citus, where the triggers fire on a shard, the colocated shards of the
 * statement's leads (citus/lead_plans.c).
 *
 * apply_automatic_moves: the system's moves into mql for the given leads, at
 * as_of, as automatic_move_reason decides on each lead's locked row.
 * last_hand_raise[i] is the latest hand-raise event of lead_ids[i] known to
 * the caller (NULL: none).  The move is made only if leadqual.transition
 * lets 'system' make it.  Each move sends its hand-off notification
 * (notify_move, src/sql/lifecycle.sql).
 */
CREATE FUNCTION @extschema@.apply_automatic_moves(as_of timestamptz, lead_ids bigint[],
                                                  last_hand_raise timestamptz[])
    RETURNS SETOF bigint
    AS 'MODULE_PATHNAME', 'lq_apply_automatic_moves'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp
    SET plan_cache_mode = force_generic_plan
    SET jit = off;
COMMENT ON FUNCTION @extschema@.apply_automatic_moves(timestamptz, bigint[], timestamptz[]) IS
    'internal: makes the system''s moves into mql (threshold, hand-raise, recycle) for the given leads; returns the leads moved';

/*
 * Live scoring of inserted events (SECURITY DEFINER, see the top): add the
 * new events to each lead's stored state (an UPDATE: concurrent inserts for one lead serialize on the state
 * row and none is lost), store the score at clock_timestamp(), make the
 * automatic moves.  Leads without a state row get an empty one (INSERT … ON
 * CONFLICT: concurrent first events of a lead serialize on its key) and,
 * like leads whose state is stale, are rebuilt from their events.  With
 * leadqual.auto_scoring off, only forget the affected leads' states:
 * rescore() catches up, and the next live event rebuilds them.
 */
CREATE FUNCTION @extschema@.event_inserted() RETURNS trigger
    AS 'MODULE_PATHNAME', 'lq_event_inserted'
    LANGUAGE C
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET plan_cache_mode = force_generic_plan
    SET jit = off;
COMMENT ON FUNCTION @extschema@.event_inserted() IS
    'trigger: live scoring of inserted events';

/*
 * Deleted or updated events: the affected leads' states are rebuilt from
 * their remaining events (exact; erasures and corrections are rare), and
 * their scores stored.  Lowering a score never moves a lead back.  Runs as
 * the role that changed the events; the state writes go through
 * rebuild_score_state and forget_score_states.
 */
CREATE FUNCTION @extschema@.event_changed() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET plan_cache_mode = force_generic_plan
    SET jit = off
AS $$
DECLARE
    leads bigint[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT o.lead_id) INTO leads FROM old_events o;
    ELSE
        SELECT array_agg(DISTINCT x.lead_id) INTO leads
          FROM (SELECT o.lead_id FROM old_events o UNION SELECT n.lead_id FROM new_events n) x;
    END IF;
    IF leads IS NULL THEN
        RETURN NULL;
    END IF;
    IF NOT @extschema@.auto_scoring_enabled() THEN
        PERFORM @extschema@.forget_score_states(leads);
        RETURN NULL;
    END IF;
    -- a deletion only lowers scores and never moves a lead back; an update
    -- may add a hand-raise or points, so it may move one forward
    PERFORM @extschema@.rescore_leads(leads, clock_timestamp(), TG_OP = 'UPDATE');
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.event_changed() IS
    'trigger: live scoring of deleted or updated events';

/*
 * TRUNCATE of event: every state goes; with auto scoring, rescore now.
 * SECURITY DEFINER: it deletes every state, and only a role that may
 * TRUNCATE event (and so erase every event) fires it.
 */
CREATE FUNCTION @extschema@.event_truncated() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- the coordinator's copy of a Citus table: the shards' triggers do it
    IF @extschema@.is_distributed(TG_RELID) THEN
        RETURN NULL;
    END IF;
    -- on a Citus shard of event: the states and leads of its shard group
    EXECUTE pg_catalog.format('DELETE FROM %s',
                              @extschema@.colocated_table(TG_RELID, '@extschema@.lead_score_state'));
    IF @extschema@.auto_scoring_enabled() THEN
        PERFORM @extschema@.rescore_group(@extschema@.colocated_table(TG_RELID, '@extschema@.lead'),
                                          clock_timestamp(), NULL);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.event_truncated() IS
    'trigger: forgets live states when event is truncated and rescores';

/*
 * rebuild_score_state: recompute the stored states of some leads from all
 * their events, locking the state rows in lead_id order first (so events
 * that commit meanwhile are either seen or merged after us).  SECURITY
 * DEFINER: the caller names leads only; their states come from their own
 * events under their own model.
 */
CREATE FUNCTION @extschema@.rebuild_score_state(lead_ids bigint[])
    RETURNS void
    AS 'MODULE_PATHNAME', 'lq_rebuild_score_state'
    LANGUAGE C VOLATILE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET plan_cache_mode = force_generic_plan
    SET jit = off;
COMMENT ON FUNCTION @extschema@.rebuild_score_state(bigint[]) IS
    'internal: rebuilds the live-scoring states of the given leads from their events';

/*
 * forget_score_states: delete the stored states of some leads (live scoring
 * off: their next event or rescore() rebuilds them from the events).
 * SECURITY DEFINER, for event_changed running as the events' writer; a
 * missing state is never a wrong one.
 */
CREATE FUNCTION @extschema@.forget_score_states(lead_ids bigint[])
    RETURNS void
    AS 'MODULE_PATHNAME', 'lq_forget_score_states'
    LANGUAGE C VOLATILE STRICT
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.forget_score_states(bigint[]) IS
    'internal: deletes the live-scoring states of the given leads (they are rebuilt from the events when needed)';

/*
 * add_missing_score_states: give every lead of a model that has no
 * live-scoring state one, computed from its events (bulk loads: the next
 * event is then added instead of re-reading the lead's history).  rescore()
 * calls it for every model after its pass.  SECURITY DEFINER: the caller
 * names a model only; leads that have a state keep it.  Returns the number
 * of states added.
 */
CREATE FUNCTION @extschema@.add_missing_score_states(model text, lead_rel pg_catalog.regclass)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE STRICT
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    added bigint;
BEGIN
    EXECUTE pg_catalog.format($q$
    INSERT INTO %1$s (lead_id, state)
    SELECT l.lead_id, COALESCE(st.state, '\x'::pg_catalog.bytea)
      FROM %2$s l
      LEFT JOIN (SELECT e.lead_id,
                        @extschema@.score_state($1, e.event_type, e.properties, e.occurred_at) AS state
                   FROM %3$s e
                  WHERE e.lead_id IN (SELECT l2.lead_id FROM %2$s l2
                                       WHERE l2.model OPERATOR(pg_catalog.=) $1
                                         AND NOT EXISTS (SELECT FROM %1$s s
                                                          WHERE s.lead_id OPERATOR(pg_catalog.=) l2.lead_id))
                  GROUP BY e.lead_id) st ON st.lead_id OPERATOR(pg_catalog.=) l.lead_id
     WHERE l.model OPERATOR(pg_catalog.=) $1
       AND NOT EXISTS (SELECT FROM %1$s s WHERE s.lead_id OPERATOR(pg_catalog.=) l.lead_id)
     ORDER BY l.lead_id
    ON CONFLICT (lead_id) DO NOTHING$q$,
        @extschema@.colocated_table(lead_rel, '@extschema@.lead_score_state'),
        @extschema@.rescore_lead_table(lead_rel),
        @extschema@.colocated_table(lead_rel, '@extschema@.event'))
      USING model;
    GET DIAGNOSTICS added = ROW_COUNT;
    RETURN added;
END
$$;
COMMENT ON FUNCTION @extschema@.add_missing_score_states(text, pg_catalog.regclass) IS
    'internal: gives the model''s leads without a live-scoring state one, from their events (in lead_rel: lead or, on Citus, one of its shards); returns how many';

/*
 * lock_score_states: rescore()'s lock on lead_score_state (SHARE ROW
 * EXCLUSIVE: live scoring waits, readers go on), which the caller, who may
 * not write the table, could not take itself.  Held to the end of the
 * caller's transaction.  SECURITY DEFINER.
 */
CREATE FUNCTION @extschema@.lock_score_states(lead_rel pg_catalog.regclass)
    RETURNS void
    LANGUAGE plpgsql VOLATILE STRICT
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE',
                              @extschema@.colocated_table(@extschema@.rescore_lead_table(lead_rel),
                                                          '@extschema@.lead_score_state'));
END
$$;
COMMENT ON FUNCTION @extschema@.lock_score_states(pg_catalog.regclass) IS
    'internal: locks lead_score_state (on Citus: the shard that goes with the lead shard lead_rel) against live scoring for rescore(), to the end of the transaction';

/*
 * rescore_leads: rebuild the live-scoring states of some leads from their
 * events, store their scores at as_of (fit computed afresh: their columns
 * may have changed) and, if asked, make their automatic moves.  The slow,
 * exact path of live scoring: new or stale states, deleted or updated
 * events, changed leads.  A state that counts events after as_of (events
 * dated in the future) is recounted at as_of from the events.
 */
CREATE FUNCTION @extschema@.rescore_leads(lead_ids bigint[], as_of timestamptz, moves boolean)
    RETURNS void
    AS 'MODULE_PATHNAME', 'lq_rescore_leads'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp
    SET plan_cache_mode = force_generic_plan
    SET jit = off;
COMMENT ON FUNCTION @extschema@.rescore_leads(bigint[], timestamptz, boolean) IS
    'internal: rebuilds the live-scoring states of the given leads, stores their scores at as_of, optionally makes their automatic moves';

CREATE TRIGGER live_scoring_insert AFTER INSERT ON @extschema@.event
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.event_inserted();
CREATE TRIGGER live_scoring_delete AFTER DELETE ON @extschema@.event
    REFERENCING OLD TABLE AS old_events
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.event_changed();
CREATE TRIGGER live_scoring_update AFTER UPDATE ON @extschema@.event
    REFERENCING OLD TABLE AS old_events NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.event_changed();
CREATE TRIGGER live_scoring_truncate AFTER TRUNCATE ON @extschema@.event
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.event_truncated();

/*
 * A new lead starts in its stage (inquiry by default) at created_at, so
 * histories can be backfilled.  Its times must be finite and it cannot enter
 * its stage before it was created: a lead that entered at infinity could never
 * move again (no move may precede stage_entered_at).  The same function checks
 * updates of those columns, from an AFTER trigger whose WHEN clause lets only
 * a bad row call it (no BEFORE UPDATE row trigger, which would run for every
 * row rescore() writes).
 */
CREATE FUNCTION @extschema@.lead_before_insert() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT pg_catalog.isfinite(NEW.created_at) THEN
        RAISE EXCEPTION 'lead created_at must be a finite timestamp'
            USING ERRCODE = '22008',
                  DETAIL = pg_catalog.format('Lead %s has created_at %s.', NEW.lead_id, NEW.created_at),
                  HINT = 'Pass the time the lead was created.';
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN
        NEW.stage_entered_at := coalesce(NEW.stage_entered_at, NEW.created_at);
    END IF;
    IF NOT pg_catalog.isfinite(NEW.stage_entered_at) THEN
        RAISE EXCEPTION 'lead stage_entered_at must be a finite timestamp'
            USING ERRCODE = '22008',
                  DETAIL = pg_catalog.format('Lead %s has stage_entered_at %s; a lead that entered its stage at infinity could never move.',
                                             NEW.lead_id, NEW.stage_entered_at),
                  HINT = 'Pass the time the lead entered its stage, or NULL for created_at.';
    END IF;
    IF NEW.stage_entered_at OPERATOR(pg_catalog.<) NEW.created_at THEN
        RAISE EXCEPTION 'lead stage_entered_at must not precede created_at'
            USING ERRCODE = '22008',
                  DETAIL = pg_catalog.format('Lead %s was created at %s and would enter its stage at %s.',
                                             NEW.lead_id, NEW.created_at, NEW.stage_entered_at),
                  HINT = 'Pass a stage_entered_at at or after created_at, or NULL for created_at.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.lead_before_insert() IS
    'trigger: a new lead enters its stage at created_at unless told otherwise; created_at and stage_entered_at are finite and in order';
CREATE TRIGGER lead_stage_entered BEFORE INSERT ON @extschema@.lead
    FOR EACH ROW EXECUTE FUNCTION @extschema@.lead_before_insert();
CREATE TRIGGER lead_stage_entered_update AFTER UPDATE OF created_at, stage_entered_at ON @extschema@.lead
    FOR EACH ROW
    WHEN (NOT pg_catalog.isfinite(NEW.stage_entered_at)
          OR NEW.stage_entered_at OPERATOR(pg_catalog.<) NEW.created_at)
    EXECUTE FUNCTION @extschema@.lead_before_insert();

/*
 * New leads get their fit score (and engagement 0) at once, and an
 * automatic move if fit alone qualifies them.
 */
CREATE FUNCTION @extschema@.lead_inserted() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    as_of timestamptz := clock_timestamp();
    leads bigint[];
BEGIN
    IF NOT @extschema@.auto_scoring_enabled() THEN
        RETURN NULL;
    END IF;
    -- a lead inserted with its score (a restore, a migration) keeps it
    SELECT array_agg(n.lead_id ORDER BY n.lead_id) INTO leads
      FROM new_leads n WHERE n.scored_at IS NULL;
    IF leads IS NOT NULL THEN
        PERFORM @extschema@.rescore_leads(leads, as_of, true);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.lead_inserted() IS
    'trigger: live scoring of new leads';
CREATE TRIGGER live_scoring_insert AFTER INSERT ON @extschema@.lead
    REFERENCING NEW TABLE AS new_leads
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.lead_inserted();

/*
 * A change of what fit rules read (or of the model) rescores the lead.
 */
CREATE FUNCTION @extschema@.lead_fit_changed() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    as_of timestamptz := clock_timestamp();
BEGIN
    IF NOT @extschema@.auto_scoring_enabled() THEN
        RETURN NULL;
    END IF;
    PERFORM @extschema@.rescore_leads(ARRAY[NEW.lead_id], as_of, true);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.lead_fit_changed() IS
    'trigger: live scoring of a lead whose fit columns or model changed';
CREATE TRIGGER live_scoring_fit AFTER UPDATE OF email, company, job_title, industry, country,
        company_size, source_channel, attributes, model ON @extschema@.lead
    FOR EACH ROW
    WHEN ((OLD.email, OLD.company, OLD.job_title, OLD.industry, OLD.country, OLD.company_size,
           OLD.source_channel, OLD.attributes, OLD.model)
          IS DISTINCT FROM
          (NEW.email, NEW.company, NEW.job_title, NEW.industry, NEW.country, NEW.company_size,
           NEW.source_channel, NEW.attributes, NEW.model))
    EXECUTE FUNCTION @extschema@.lead_fit_changed();
