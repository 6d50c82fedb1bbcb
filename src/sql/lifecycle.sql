/* src/sql/lifecycle.sql — the stage machine and the sales actions (SPEC §4) */

/*
 * Every action runs through one C routine (src/lifecycle.c): it locks the
 * lead row, re-reads the stage under the lock, validates the move against
 * leadqual.transition, the actor and the reason, appends to stage_history
 * (with the lead's stored score) and updates the lead.
 *
 * Reasons: a move into nurture, disqualified or lost takes a code of
 * rejection_reason (into nurture only a recyclable one); a move into mql
 * takes score_threshold or hand_raise; other moves take free text.  Entering
 * mql sets sla_due_at = at + the model's sla; every other move clears it.
 * Entering nurture adds one to recycle_count.  won is terminal.
 *
 * The actions are VOLATILE and not STRICT: NULL in an argument that needs a
 * value is an error (22004), NULL in reason, note or owner means "none".
 */

CREATE FUNCTION @extschema@.transition(lead_id bigint, to_stage @extschema@.stage,
                                       actor text DEFAULT 'marketing', reason text DEFAULT NULL,
                                       note text DEFAULT NULL, at timestamptz DEFAULT pg_catalog.now())
    RETURNS @extschema@.stage
    AS 'MODULE_PATHNAME', 'lq_transition'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.transition(bigint, @extschema@.stage, text, text, text, timestamptz) IS
    'move a lead to to_stage as actor (system, marketing, sales) at time at, if leadqual.transition allows it; records the move in stage_history and returns the new stage';

CREATE FUNCTION @extschema@.accept(lead_id bigint, owner text DEFAULT NULL,
                                   at timestamptz DEFAULT pg_catalog.now())
    RETURNS @extschema@.stage
    AS 'MODULE_PATHNAME', 'lq_accept'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.accept(bigint, text, timestamptz) IS
    'sales accepts an MQL: mql -> sal, sets the owner when given, clears sla_due_at; returns the new stage';

CREATE FUNCTION @extschema@.reject(lead_id bigint, reason text, recycle boolean DEFAULT true,
                                   note text DEFAULT NULL, at timestamptz DEFAULT pg_catalog.now())
    RETURNS @extschema@.stage
    AS 'MODULE_PATHNAME', 'lq_reject'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.reject(bigint, text, boolean, text, timestamptz) IS
    'sales rejects a lead in mql, sal or sql with a rejection_reason code: to nurture (recycle, needs a recyclable reason) or disqualified; returns the new stage';

CREATE FUNCTION @extschema@.qualify(lead_id bigint, at timestamptz DEFAULT pg_catalog.now())
    RETURNS @extschema@.stage
    AS 'MODULE_PATHNAME', 'lq_qualify'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.qualify(bigint, timestamptz) IS
    'sales qualifies an accepted lead: sal -> sql; returns the new stage';

CREATE FUNCTION @extschema@.open_opportunity(lead_id bigint, amount numeric,
                                             at timestamptz DEFAULT pg_catalog.now())
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'lq_open_opportunity'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.open_opportunity(bigint, numeric, timestamptz) IS
    'sales opens an opportunity for a lead: sql -> opportunity, inserts an open opportunity row with the amount (0 if not known yet); returns its opportunity_id';

CREATE FUNCTION @extschema@.close_opportunity(opportunity_id bigint, won boolean,
                                              amount numeric DEFAULT NULL, reason text DEFAULT NULL,
                                              at timestamptz DEFAULT pg_catalog.now())
    RETURNS @extschema@.stage
    AS 'MODULE_PATHNAME', 'lq_close_opportunity'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.close_opportunity(bigint, boolean, numeric, text, timestamptz) IS
    'sales closes an open opportunity as won or lost (lost needs a rejection_reason code), updating its amount when given; moves the lead opportunity -> won or lost and returns the new stage';

CREATE FUNCTION @extschema@.can_transition(from_stage @extschema@.stage, to_stage @extschema@.stage,
                                           actor text DEFAULT NULL)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'lq_can_transition'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.can_transition(@extschema@.stage, @extschema@.stage, text) IS
    'whether leadqual.transition allows the move from from_stage to to_stage for actor (NULL actor: for any actor); won is terminal; NULL stages give NULL';

/*
 * Hand-off notifications (SPEC §9).  With leadqual.notify_channel set,
 * every stage move sends pg_notify(channel, payload), payload a JSON object
 * {lead_id, external_id, from_stage, to_stage, changed_at, actor, reason,
 * score, owner, history_id, truncated}, built by one C routine
 * (src/lifecycle/notify.c): the actions above call it from C, and
 * apply_automatic_moves (live scoring, rescore()) through notify_move, once
 * per moved row.  PostgreSQL delivers it at commit and drops it at
 * rollback; history_id keeps two moves of one transaction from being folded
 * into one (PostgreSQL drops a payload equal to one already queued).
 * Internal: EXECUTE for leadqual_writer only (src/sql/roles.sql).
 * VOLATILE (it queues a notification) and PARALLEL UNSAFE (a parallel
 * worker may not notify).
 */
CREATE FUNCTION @extschema@.notify_move(history_id bigint, lead_id bigint, external_id text,
                                        from_stage @extschema@.stage, to_stage @extschema@.stage,
                                        changed_at timestamptz, actor text, reason text,
                                        score float8, owner text)
    RETURNS text
    AS 'MODULE_PATHNAME', 'lq_notify_move_sql'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.notify_move(bigint, bigint, text, @extschema@.stage, @extschema@.stage, timestamptz, text, text, float8, text) IS
    'internal: sends the hand-off notification of a stage move on leadqual.notify_channel (at commit); returns the JSON payload, NULL when the setting is empty';

/*
 * On Citus the workers make moves too (live scoring and rescore() run on
 * the shards, and so does an action Citus pushes down), inside a
 * distributed transaction that the coordinator may end with PREPARE
 * TRANSACTION, which PostgreSQL refuses after a NOTIFY.  So a move written
 * on a worker keeps its notification in handoff_queue (distributed by
 * lead_id, colocated with lead: written in the move's own shard group and
 * transaction), and relay_handoffs() on the coordinator sends and deletes
 * them.  On one node the queue stays empty.  Its rows are transient: not
 * dumped.
 */
CREATE TABLE @extschema@.handoff_queue (
    history_id  bigint NOT NULL,
    lead_id     bigint NOT NULL,
    external_id text,
    from_stage  @extschema@.stage,
    to_stage    @extschema@.stage,
    changed_at  timestamptz,
    actor       text,
    reason      text,
    score       float8,
    owner       text,
    truncated   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (lead_id, history_id)
);
COMMENT ON TABLE @extschema@.handoff_queue IS
    'hand-off notifications of the moves made on Citus workers, waiting for relay_handoffs() on the coordinator (empty on one node)';
COMMENT ON COLUMN @extschema@.handoff_queue.history_id IS 'the move''s stage_history row';
COMMENT ON COLUMN @extschema@.handoff_queue.lead_id IS 'the moved lead';
COMMENT ON COLUMN @extschema@.handoff_queue.external_id IS 'the lead''s external_id, as the payload keeps it (at most 1,000 bytes of JSON)';
COMMENT ON COLUMN @extschema@.handoff_queue.from_stage IS 'the stage the lead left';
COMMENT ON COLUMN @extschema@.handoff_queue.to_stage IS 'the stage the lead entered';
COMMENT ON COLUMN @extschema@.handoff_queue.changed_at IS 'when the move took effect';
COMMENT ON COLUMN @extschema@.handoff_queue.actor IS 'who made the move, as the payload keeps it';
COMMENT ON COLUMN @extschema@.handoff_queue.reason IS 'the move''s reason, as the payload keeps it';
COMMENT ON COLUMN @extschema@.handoff_queue.score IS 'the lead''s score at the move';
COMMENT ON COLUMN @extschema@.handoff_queue.owner IS 'the lead''s owner after the move, as the payload keeps it';
COMMENT ON COLUMN @extschema@.handoff_queue.truncated IS 'a text field was cut to fit the payload';

CREATE FUNCTION @extschema@.relay_handoffs()
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'lq_relay_handoffs'
    LANGUAGE C VOLATILE PARALLEL UNSAFE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.relay_handoffs() IS
    'on the Citus coordinator: sends the hand-off notifications of the moves made on the workers on leadqual.notify_channel (at commit) and deletes them from handoff_queue; returns how many';
