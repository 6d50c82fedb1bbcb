
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
 * refuse_distributed: 0A000 when tbl is a Citus table, for what scans it
 * directly (rescore()'s pass; citus/placement.c).
 */
CREATE FUNCTION @extschema@.refuse_distributed(tbl pg_catalog.regclass, what text)
    RETURNS void
    AS 'MODULE_PATHNAME', 'lq_refuse_distributed_sql'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.refuse_distributed(pg_catalog.regclass, text) IS
    'internal: refuses (0A000) when tbl is a Citus table, for code that reads it directly';

/*
 * Live scoring does not run on Citus yet (its statements join the trigger's
 * transition table with leadqual's tables, which a trigger on a shard
 * cannot do): a trigger that fires on a shard with live scoring on refuses
 * with this error rather than with Citus's planner error.
 */
CREATE FUNCTION @extschema@.refuse_live_scoring_on_shard(shard pg_catalog.regclass)
    RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'live scoring does not run on Citus yet'
        USING ERRCODE = '0A000',
              DETAIL = pg_catalog.format('A live-scoring trigger fired on shard %s with leadqual.auto_scoring on.', shard),
              HINT = 'Write with leadqual.auto_scoring off on every node (BEGIN; SET LOCAL citus.propagate_set_commands = ''local''; SET LOCAL leadqual.auto_scoring = off; ...), and read scores with leadqual.score().';
END
$$;
COMMENT ON FUNCTION @extschema@.refuse_live_scoring_on_shard(pg_catalog.regclass) IS
    'internal: the error of a live-scoring trigger that fires on a Citus shard';

CREATE FUNCTION @extschema@.auto_scoring_enabled()
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'lq_auto_scoring_enabled'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.auto_scoring_enabled() IS
    'whether live scoring is on (GUC leadqual.auto_scoring)';

CREATE FUNCTION @extschema@.score_state_trans(internal, text, text, jsonb, timestamptz)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'lq_score_state_trans'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.score_state_final(internal)
    RETURNS bytea
    AS 'MODULE_PATHNAME', 'lq_score_state_final'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.score_state(model text, event_type text, properties jsonb, occurred_at timestamptz) (
    SFUNC = @extschema@.score_state_trans,
    STYPE = internal,
    SSPACE = 512,
    FINALFUNC = @extschema@.score_state_final,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.engagement_score_combine,
    SERIALFUNC = @extschema@.engagement_score_serial,
    DESERIALFUNC = @extschema@.engagement_score_deserial,
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
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    SET plan_cache_mode = force_generic_plan
    SET jit = off
AS $$
BEGIN
    RETURN QUERY
    WITH c AS (
        SELECT * FROM unnest(lead_ids, last_hand_raise) AS c(lead_id, last_hr)
    ), cand AS (
        -- one index probe per lead given: the fence (OFFSET 0) keeps the
        -- planner from driving the join from lead, which stale statistics
        -- after a bulk load can make look tiny
        SELECT l.lead_id, l.stage AS from_stage, l.score, m.sla,
               @extschema@.automatic_move_reason(l.model, l.stage, l.stage_entered_at, l.score,
                                                 l.grade, c.last_hr, as_of) AS reason
          FROM c
          CROSS JOIN LATERAL (SELECT l.* FROM @extschema@.lead l
                               WHERE l.lead_id OPERATOR(pg_catalog.=) c.lead_id OFFSET 0) l
          JOIN @extschema@.scoring_model m ON m.name OPERATOR(pg_catalog.=) l.model
         WHERE EXISTS (SELECT FROM @extschema@.transition t
                        WHERE t.from_stage OPERATOR(pg_catalog.=) l.stage
                          AND t.to_stage OPERATOR(pg_catalog.=) 'mql'
                          AND 'system' OPERATOR(pg_catalog.=) ANY (t.actors))
    ), moved AS (
        UPDATE @extschema@.lead l
           SET stage = 'mql', stage_entered_at = as_of,
               sla_due_at = as_of OPERATOR(pg_catalog.+) q.sla
          FROM cand q
         WHERE l.lead_id OPERATOR(pg_catalog.=) q.lead_id
           AND q.reason IS NOT NULL
           -- rechecked on the newest row if a concurrent action moved the
           -- lead while we waited for it: then the move is not ours to make
           AND l.stage OPERATOR(pg_catalog.=) q.from_stage
        RETURNING l.lead_id, q.from_stage, q.reason, l.score, l.external_id, l.owner
    ), logged AS (
        INSERT INTO @extschema@.stage_history (lead_id, from_stage, to_stage, changed_at, actor, reason, score)
        SELECT mv.lead_id, mv.from_stage, 'mql', as_of, 'system', mv.reason, mv.score
          FROM moved mv
         ORDER BY mv.lead_id
        RETURNING history_id, lead_id, from_stage, to_stage, changed_at, actor, reason, score
    )
    -- the hand-off notification of each move (notify_move returns at once
    -- when leadqual.notify_channel is empty).  It is VOLATILE, so the
    -- subquery is neither flattened nor stripped of the unused column, and
    -- it is evaluated after the sort: one call per move, in history order.
    SELECT n.lead_id
      FROM (SELECT lg.lead_id,
                   @extschema@.notify_move(lg.history_id, lg.lead_id, mv.external_id, lg.from_stage,
                                           lg.to_stage, lg.changed_at, lg.actor, lg.reason,
                                           lg.score, mv.owner) AS payload
              FROM logged lg
              JOIN moved mv ON mv.lead_id OPERATOR(pg_catalog.=) lg.lead_id
             ORDER BY lg.history_id) n;
END
$$;
COMMENT ON FUNCTION @extschema@.apply_automatic_moves(timestamptz, bigint[], timestamptz[]) IS
    'internal: makes the system''s moves into mql (threshold, hand-raise, recycle) for the given leads; returns the leads moved';

/*
 * Live scoring of inserted events (SECURITY DEFINER, see the top): add the new events to each lead's stored
 * state (an UPDATE: concurrent inserts for one lead serialize on the state
 * row and none is lost), store the score at clock_timestamp(), make the
 * automatic moves.  Leads without a state row get an empty one (INSERT … ON
 * CONFLICT: concurrent first events of a lead serialize on its key) and,
 * like leads whose state is stale, are rebuilt from their events.  With
 * leadqual.auto_scoring off, only forget the affected leads' states:
 * rescore() catches up, and the next live event rebuilds them.
 */
CREATE FUNCTION @extschema@.event_inserted() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET plan_cache_mode = force_generic_plan
    SET jit = off
AS $$
DECLARE
    as_of timestamptz := clock_timestamp();
    rebuild bigint[];
    leads bigint[];
    hand_raises timestamptz[];
BEGIN
    IF NOT @extschema@.auto_scoring_enabled() THEN
        SELECT array_agg(DISTINCT n.lead_id) INTO leads FROM new_events n;
        PERFORM @extschema@.forget_score_states(leads);
        RETURN NULL;
    END IF;
    IF TG_RELID OPERATOR(pg_catalog.<>) '@extschema@.event'::pg_catalog.regclass THEN
        PERFORM @extschema@.refuse_live_scoring_on_shard(TG_RELID);
    END IF;

    /*
     * One statement.  delta: the new events of each lead, in lead_id order
     * (the state rows are then updated in that order, so concurrent batches
     * lock alike).  merged: the states with the new events counted (the
     * state names its model: no probe of lead needed).  added: placeholders
     * for leads without a state row.  stored: the scores the states give
     * (fit does not change with events: the stored one is kept), read back
     * for the candidate moves.
     */
    WITH delta AS (
        SELECT n.lead_id, array_agg(n.event_type) AS types, array_agg(n.properties) AS props,
               array_agg(n.occurred_at) AS times
          FROM new_events n
         GROUP BY n.lead_id
         ORDER BY n.lead_id
    ), merged AS (
        UPDATE @extschema@.lead_score_state s
           SET state = @extschema@.state_add_events(s.state, d.types, d.props, d.times)
          FROM delta d
         WHERE s.lead_id = d.lead_id
        RETURNING s.lead_id, s.state
    ), added AS (
        INSERT INTO @extschema@.lead_score_state AS s (lead_id, state)
        SELECT d.lead_id, NULL FROM delta d
         WHERE NOT EXISTS (SELECT FROM merged m WHERE m.lead_id = d.lead_id)
         ORDER BY d.lead_id
        ON CONFLICT (lead_id) DO UPDATE SET state = NULL
        RETURNING s.lead_id
    ), stored AS (
        UPDATE @extschema@.lead l
           SET (fit_score, engagement_score, score, grade, scored_at) =
               (SELECT x.fit, x.eng, x.fit + x.eng, @extschema@.grade(l.model, x.fit, x.eng), as_of
                  FROM (SELECT coalesce(l.fit_score, @extschema@.fit_score(l)) AS fit,
                               coalesce(r.engagement,
                                        (SELECT @extschema@.engagement_score(l.model, e.event_type, e.properties,
                                                                          e.occurred_at, as_of)
                                           FROM @extschema@.event e WHERE e.lead_id = l.lead_id)) AS eng) x)
          FROM merged m
          CROSS JOIN LATERAL @extschema@.state_read(m.state, as_of) r
         WHERE l.lead_id = m.lead_id AND m.state IS NOT NULL
        RETURNING l.lead_id, l.stage, l.stage_entered_at, l.score, l.grade, l.model, r.last_hand_raise
    )
    SELECT (SELECT array_agg(x.lead_id ORDER BY x.lead_id)
              FROM (SELECT a.lead_id FROM added a
                    UNION ALL SELECT m.lead_id FROM merged m WHERE m.state IS NULL) x),
           array_agg(st.lead_id ORDER BY st.lead_id),
           array_agg(st.last_hand_raise ORDER BY st.lead_id)
      INTO rebuild, leads, hand_raises
      FROM stored st
     WHERE @extschema@.automatic_move_reason(st.model, st.stage, st.stage_entered_at, st.score,
                                             st.grade, st.last_hand_raise, as_of) IS NOT NULL;

    IF leads IS NOT NULL THEN
        PERFORM @extschema@.apply_automatic_moves(as_of, leads, hand_raises);
    END IF;
    IF rebuild IS NOT NULL THEN
        PERFORM @extschema@.rescore_leads(rebuild, as_of, true);
    END IF;
    RETURN NULL;
END
$$;
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
    IF TG_RELID OPERATOR(pg_catalog.<>) '@extschema@.event'::pg_catalog.regclass THEN
        PERFORM @extschema@.refuse_live_scoring_on_shard(TG_RELID);
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
    DELETE FROM @extschema@.lead_score_state;
    IF @extschema@.auto_scoring_enabled() THEN
        PERFORM @extschema@.rescore(clock_timestamp());
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
    LANGUAGE plpgsql VOLATILE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET plan_cache_mode = force_generic_plan
    SET jit = off
AS $$
BEGIN
    PERFORM 1 FROM @extschema@.lead_score_state s
      WHERE s.lead_id = ANY (lead_ids) ORDER BY s.lead_id FOR UPDATE;

    INSERT INTO @extschema@.lead_score_state AS s (lead_id, state)
    SELECT l.lead_id,
           coalesce(@extschema@.score_state(l.model, e.event_type, e.properties, e.occurred_at),
                    '\x'::bytea)
      FROM @extschema@.lead l
      LEFT JOIN @extschema@.event e ON e.lead_id = l.lead_id
     WHERE l.lead_id = ANY (lead_ids)
     GROUP BY l.lead_id, l.model
     ORDER BY l.lead_id
    ON CONFLICT (lead_id) DO UPDATE SET state = excluded.state;
END
$$;
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
    LANGUAGE plpgsql VOLATILE STRICT
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- on a Citus shard (a trigger there): the leads' colocated shard
    EXECUTE pg_catalog.format('DELETE FROM %s s WHERE s.lead_id OPERATOR(pg_catalog.=) ANY ($1)',
                              @extschema@.lead_table('@extschema@.lead_score_state', lead_ids))
      USING lead_ids;
END
$$;
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
CREATE FUNCTION @extschema@.add_missing_score_states(model text)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE STRICT
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    added bigint;
BEGIN
    INSERT INTO @extschema@.lead_score_state (lead_id, state)
    SELECT l.lead_id, coalesce(st.state, '\x'::bytea)
      FROM @extschema@.lead l
      LEFT JOIN (SELECT e.lead_id,
                        @extschema@.score_state(add_missing_score_states.model, e.event_type,
                                                e.properties, e.occurred_at) AS state
                   FROM @extschema@.event e
                  WHERE e.lead_id IN (SELECT l2.lead_id FROM @extschema@.lead l2
                                       WHERE l2.model = add_missing_score_states.model
                                         AND NOT EXISTS (SELECT FROM @extschema@.lead_score_state s
                                                          WHERE s.lead_id = l2.lead_id))
                  GROUP BY e.lead_id) st ON st.lead_id = l.lead_id
     WHERE l.model = add_missing_score_states.model
       AND NOT EXISTS (SELECT FROM @extschema@.lead_score_state s
                        WHERE s.lead_id = l.lead_id)
     ORDER BY l.lead_id
    ON CONFLICT (lead_id) DO NOTHING;
    GET DIAGNOSTICS added = ROW_COUNT;
    RETURN added;
END
$$;
COMMENT ON FUNCTION @extschema@.add_missing_score_states(text) IS
    'internal: gives the model''s leads without a live-scoring state one, from their events; returns how many';

/*
 * lock_score_states: rescore()'s lock on lead_score_state (SHARE ROW
 * EXCLUSIVE: live scoring waits, readers go on), which the caller, who may
 * not write the table, could not take itself.  Held to the end of the
 * caller's transaction.  SECURITY DEFINER.
 */
CREATE FUNCTION @extschema@.lock_score_states()
    RETURNS void
    LANGUAGE plpgsql VOLATILE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    LOCK TABLE @extschema@.lead_score_state IN SHARE ROW EXCLUSIVE MODE;
END
$$;
COMMENT ON FUNCTION @extschema@.lock_score_states() IS
    'internal: locks lead_score_state against live scoring for rescore(), to the end of the transaction';

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
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    SET plan_cache_mode = force_generic_plan
    SET jit = off
AS $$
DECLARE
    hand_raises timestamptz[];
BEGIN
    PERFORM @extschema@.rebuild_score_state(lead_ids);

    WITH fresh AS (
        SELECT l.lead_id, l.model,
               @extschema@.fit_score(l) AS fit,
               coalesce(r.engagement,
                        (SELECT @extschema@.engagement_score(l.model, e.event_type, e.properties,
                                                             e.occurred_at, as_of)
                           FROM @extschema@.event e WHERE e.lead_id = l.lead_id), 0) AS engagement,
               r.last_hand_raise
          FROM @extschema@.lead l
          LEFT JOIN @extschema@.lead_score_state s ON s.lead_id = l.lead_id
          LEFT JOIN LATERAL @extschema@.state_read(s.state, as_of) r ON true
         WHERE l.lead_id = ANY (lead_ids)
    ), stored AS (
        UPDATE @extschema@.lead l
           SET fit_score = f.fit,
               engagement_score = f.engagement,
               score = f.fit + f.engagement,
               grade = @extschema@.grade(f.model, f.fit, f.engagement),
               scored_at = as_of
          FROM fresh f
         WHERE l.lead_id = f.lead_id
        RETURNING l.lead_id, f.last_hand_raise
    )
    SELECT array_agg(st.last_hand_raise ORDER BY u.i) INTO hand_raises
      FROM unnest(lead_ids) WITH ORDINALITY AS u(lead_id, i)
      LEFT JOIN stored st ON st.lead_id = u.lead_id;

    IF moves THEN
        PERFORM @extschema@.apply_automatic_moves(as_of, lead_ids, hand_raises);
    END IF;
END
$$;
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
        IF TG_RELID OPERATOR(pg_catalog.<>) '@extschema@.lead'::pg_catalog.regclass THEN
            PERFORM @extschema@.refuse_live_scoring_on_shard(TG_RELID);
        END IF;
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
    IF TG_RELID OPERATOR(pg_catalog.<>) '@extschema@.lead'::pg_catalog.regclass THEN
        PERFORM @extschema@.refuse_live_scoring_on_shard(TG_RELID);
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
