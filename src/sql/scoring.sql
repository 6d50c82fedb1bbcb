
/* src/sql/scoring.sql — scoring functions and aggregates (SPEC §3) */

CREATE FUNCTION @extschema@.fit_score(lead @extschema@.lead, model text DEFAULT NULL)
    RETURNS float8
    AS 'MODULE_PATHNAME', 'lq_fit_score'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.fit_score(@extschema@.lead, text) IS
    'fit score of a lead row: sum of the points of the matching fit rules of the model (NULL model: the lead''s own)';
/*
 * The same for a row of another type with lead's columns (read by name; a
 * missing one counts as NULL): on Citus a query on lead runs on its shards,
 * whose rows are of the shard's own row type (lead_102008), so fit_score(l)
 * pushed down to a shard calls this one.  The same C function.
 */
CREATE FUNCTION @extschema@.fit_score(lead record, model text DEFAULT NULL)
    RETURNS float8
    AS 'MODULE_PATHNAME', 'lq_fit_score'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.fit_score(record, text) IS
    'fit score of a row with lead''s columns (on Citus: a shard''s rows of lead), as fit_score(leadqual.lead, text)';

CREATE FUNCTION @extschema@.grade(model text, fit float8, engagement float8)
    RETURNS text
    AS 'MODULE_PATHNAME', 'lq_grade'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.grade(text, float8, float8) IS
    'grade A1..D4: fit letter by the model''s fit_bands, engagement digit by its engagement_bands';

/*
 * engagement_state: the state of the engagement aggregates, a varlena of
 * leadqual's own (per rule its forward-decayed sum and count, the recent
 * event times of frequency rules), so that partial states can be shipped
 * between nodes (Citus uses the text form) and combined.  Text form: base64
 * of the byte stream live scoring stores in lead_score_state.
 */
CREATE TYPE @extschema@.engagement_state;
CREATE FUNCTION @extschema@.engagement_state_in(cstring) RETURNS @extschema@.engagement_state
    AS 'MODULE_PATHNAME', 'lq_engagement_state_in' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.engagement_state_out(@extschema@.engagement_state) RETURNS cstring
    AS 'MODULE_PATHNAME', 'lq_engagement_state_out' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.engagement_state_recv(internal) RETURNS @extschema@.engagement_state
    AS 'MODULE_PATHNAME', 'lq_engagement_state_recv' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.engagement_state_send(@extschema@.engagement_state) RETURNS bytea
    AS 'MODULE_PATHNAME', 'lq_engagement_state_send' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.engagement_state_in(cstring) IS 'engagement_state text input (base64), validated against its model''s rules';
COMMENT ON FUNCTION @extschema@.engagement_state_out(@extschema@.engagement_state) IS 'engagement_state text output (base64 of the byte stream)';
COMMENT ON FUNCTION @extschema@.engagement_state_recv(internal) IS 'engagement_state binary input, validated against its model''s rules';
COMMENT ON FUNCTION @extschema@.engagement_state_send(@extschema@.engagement_state) IS 'engagement_state binary output (the byte stream)';
CREATE TYPE @extschema@.engagement_state (
    INPUT = @extschema@.engagement_state_in,
    OUTPUT = @extschema@.engagement_state_out,
    RECEIVE = @extschema@.engagement_state_recv,
    SEND = @extschema@.engagement_state_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.engagement_state IS
    'state of the engagement aggregates: a model''s per-rule sums, counts and recent event times over a group of events; combinable';

/*
 * The support functions read the rule cache (STABLE).  Not strict: the
 * transition skips rows without an event type or time and refuses a NULL
 * model, the combine function takes NULL states.
 */
CREATE FUNCTION @extschema@.engagement_score_trans(@extschema@.engagement_state, text, text, jsonb, timestamptz, timestamptz)
    RETURNS @extschema@.engagement_state
    AS 'MODULE_PATHNAME', 'lq_engagement_trans'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.engagement_score_final(@extschema@.engagement_state)
    RETURNS float8
    AS 'MODULE_PATHNAME', 'lq_engagement_final'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.engagement_score_combine(@extschema@.engagement_state, @extschema@.engagement_state)
    RETURNS @extschema@.engagement_state
    AS 'MODULE_PATHNAME', 'lq_engagement_combine'
    LANGUAGE C STABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.engagement_score(model text, event_type text, properties jsonb,
                                             occurred_at timestamptz, as_of timestamptz) (
    SFUNC = @extschema@.engagement_score_trans,
    STYPE = @extschema@.engagement_state,
    FINALFUNC = @extschema@.engagement_score_final,
    COMBINEFUNC = @extschema@.engagement_score_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.engagement_score(text, text, jsonb, timestamptz, timestamptz) IS
    'engagement score at as_of of a group of events (one lead) under a model; model and as_of must be the same for every row';

/*
 * engagement_detail: engagement_score and the latest hand-raise event in one
 * pass, for rescore().
 */
CREATE TYPE @extschema@.engagement_detail AS (engagement float8, last_hand_raise timestamptz);
COMMENT ON TYPE @extschema@.engagement_detail IS
    'engagement at as_of and the latest hand-raise event at or before it';
CREATE FUNCTION @extschema@.engagement_detail_final(@extschema@.engagement_state)
    RETURNS @extschema@.engagement_detail
    AS 'MODULE_PATHNAME', 'lq_engagement_detail_final'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.engagement_detail(model text, event_type text, properties jsonb,
                                              occurred_at timestamptz, as_of timestamptz) (
    SFUNC = @extschema@.engagement_score_trans,
    STYPE = @extschema@.engagement_state,
    FINALFUNC = @extschema@.engagement_detail_final,
    COMBINEFUNC = @extschema@.engagement_score_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.engagement_detail(text, text, jsonb, timestamptz, timestamptz) IS
    'engagement_score of a group of events (one lead) with the latest hand-raise event at or before as_of';

/* mql_crossing aggregate */
CREATE FUNCTION @extschema@.mql_crossing_trans(internal, text, float8, text, jsonb, timestamptz)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'lq_crossing_trans'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.mql_crossing_final(internal)
    RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'lq_crossing_final'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.mql_crossing_combine(internal, internal)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'lq_crossing_combine'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.mql_crossing_serial(internal)
    RETURNS bytea
    AS 'MODULE_PATHNAME', 'lq_crossing_serial'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.mql_crossing_deserial(bytea, internal)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'lq_crossing_deserial'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE @extschema@.mql_crossing(model text, fit float8, event_type text,
                                         properties jsonb, occurred_at timestamptz) (
    SFUNC = @extschema@.mql_crossing_trans,
    STYPE = internal,
    SSPACE = 2048,
    FINALFUNC = @extschema@.mql_crossing_final,
    FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = @extschema@.mql_crossing_combine,
    SERIALFUNC = @extschema@.mql_crossing_serial,
    DESERIALFUNC = @extschema@.mql_crossing_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mql_crossing(text, float8, text, jsonb, timestamptz) IS
    'first event time at which one lead''s events would have made it an MQL under the model (threshold with minimum fit grade, or a hand-raise); NULL if never';

CREATE FUNCTION @extschema@.score(lead_id bigint, as_of timestamptz DEFAULT pg_catalog.now(), model text DEFAULT NULL,
                                  OUT fit_score float8, OUT engagement_score float8,
                                  OUT score float8, OUT grade text)
    RETURNS record
    AS 'MODULE_PATHNAME', 'lq_score'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.score(bigint, timestamptz, text) IS
    'score of one lead at as_of under a model (NULL: the lead''s own), from its row and events; does not write';

CREATE FUNCTION @extschema@.explain_score(lead_id bigint, as_of timestamptz DEFAULT pg_catalog.now(), model text DEFAULT NULL)
    RETURNS TABLE (kind text, rule_id bigint, description text, matched_events bigint, contribution float8)
    AS 'MODULE_PATHNAME', 'lq_explain_score'
    LANGUAGE C STABLE PARALLEL SAFE ROWS 20;
COMMENT ON FUNCTION @extschema@.explain_score(bigint, timestamptz, text) IS
    'ledger of score(): the fit rules that count (one per rule_group), and engagement rules with matching events, with their contributions';

/*
 * score_by_lead: rescore()'s pass, in C: every lead of a model scored at
 * as_of (as score() scores it) with what its automatic move depends on (its
 * latest hand-raise, its stage), from one scan of lead and one of event
 * (more if the states outgrow maintenance_work_mem).
 */
CREATE FUNCTION @extschema@.score_by_lead(model text, as_of timestamptz DEFAULT pg_catalog.now())
    RETURNS TABLE (lead_id bigint, fit_score float8, engagement_score float8, score float8,
                   grade text, last_hand_raise timestamptz, stage @extschema@.stage,
                   stage_entered_at timestamptz)
    AS 'MODULE_PATHNAME', 'lq_score_by_lead'
    LANGUAGE C STABLE STRICT PARALLEL RESTRICTED ROWS 100000;
COMMENT ON FUNCTION @extschema@.score_by_lead(text, timestamptz) IS
    'every lead of the model scored at as_of, with its latest hand-raise at or before as_of and its stage, in one pass over lead and event; does not write';

/*
 * score_by_lead_group: score_by_lead of the leads in lead_rel
 * (leadqual.lead, or on Citus one of its shards on this node, where
 * score_by_lead runs it once per shard group).
 */
CREATE FUNCTION @extschema@.score_by_lead_group(lead_rel pg_catalog.regclass, model text, as_of timestamptz)
    RETURNS TABLE (lead_id bigint, fit_score float8, engagement_score float8, score float8,
                   grade text, last_hand_raise timestamptz, stage @extschema@.stage,
                   stage_entered_at timestamptz)
    AS 'MODULE_PATHNAME', 'lq_score_by_lead_group'
    LANGUAGE C STABLE STRICT PARALLEL RESTRICTED ROWS 10000;
COMMENT ON FUNCTION @extschema@.score_by_lead_group(pg_catalog.regclass, text, timestamptz) IS
    'internal: score_by_lead of the leads in lead_rel (leadqual.lead, or on Citus one of its shards on this node)';

/*
 * shard_group_leads: on Citus, one lead of every shard group of lead that
 * holds leads (the smallest id), by which a query is routed to the group;
 * rescore() and score_by_lead() run once per group.  PL/pgSQL: Citus's
 * function is looked up only when it runs.
 */
CREATE FUNCTION @extschema@.shard_group_leads()
    RETURNS SETOF bigint
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT @extschema@.is_distributed('@extschema@.lead') THEN
        RETURN;     -- one node: no shard groups
    END IF;
    RETURN QUERY
    SELECT pg_catalog.min(l.lead_id) FROM @extschema@.lead l
     GROUP BY pg_catalog.get_shard_id_for_distribution_column('@extschema@.lead', l.lead_id)
     ORDER BY 1;
END
$$;
COMMENT ON FUNCTION @extschema@.shard_group_leads() IS
    'internal: on Citus, the smallest lead_id of every shard group of lead that holds leads';

/*
 * rescore_changes: rescore()'s pass, in C: the leads of the model whose
 * stored fit, engagement or grade differ from their scores at as_of, or that
 * the system would move into mql at as_of, with the tuple id the pass read
 * each at.  Internal: rescore() locks lead first (the tuple ids must not
 * move) and writes these rows with one UPDATE joined on the tuple id.
 * lead_rel: leadqual.lead, or on Citus one of its shards on this node.
 */
CREATE FUNCTION @extschema@.rescore_changes(model text, as_of timestamptz, lead_rel pg_catalog.regclass)
    RETURNS TABLE (row_id tid, lead_id bigint, fit_score float8, engagement_score float8,
                   score float8, grade text, changed boolean, move_candidate boolean,
                   last_hand_raise timestamptz)
    AS 'MODULE_PATHNAME', 'lq_rescore_changes'
    LANGUAGE C STABLE STRICT PARALLEL RESTRICTED ROWS 1000;
COMMENT ON FUNCTION @extschema@.rescore_changes(text, timestamptz, pg_catalog.regclass) IS
    'internal: rescore()''s pass over lead and event (lead_rel: lead or, on Citus, one of its shards on this node, with its colocated event); the leads whose stored scores change or that may move into mql, with their tuple ids';

/*
 * rescore_group: rescore()'s work on lead_rel, which is leadqual.lead, or
 * on Citus one of its shards, on the node that holds it (with the shards
 * that go with it and this node's copy of the models).  One model at a
 * time: rescore_changes, score_by_lead's pass, hands out the leads to
 * write, and one UPDATE writes them, each fetched by the tuple id the pass
 * read it at (the lock keeps it there), then the automatic moves.  Only
 * rows whose stored values change are written; move candidates are written
 * even if unchanged, so they come back with the others, and count as
 * changed only if they move.  (A loop over UPDATE ... RETURNING, not a WITH
 * query: rewrite rules on lead are not allowed in WITH.)  Leads without a
 * live-scoring state get one.  The state table is locked first (a
 * live-scoring writer takes the state row, then lead), then lead, both
 * SHARE ROW EXCLUSIVE: actions and live scoring wait, readers go on.
 * Returns how many leads changed.
 */
CREATE FUNCTION @extschema@.rescore_group(lead_rel pg_catalog.regclass, as_of timestamptz, model text)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m record;
    w record;                   -- a row the UPDATE wrote
    candidates bigint[];        -- leads that may move into mql …
    hand_raises timestamptz[];  -- … their latest hand-raises …
    unchanged bigint[];         -- … and those whose scores did not change
    nchanged bigint := 0;       -- leads whose stored score or stage changed
    models pg_catalog.regclass;
    missing boolean;
BEGIN
    IF lead_rel IS NULL OR as_of IS NULL THEN
        RAISE EXCEPTION 'lead_rel and as_of must not be null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass ''leadqual.lead''::regclass and a timestamp, e.g. now(); or call rescore().';
    END IF;
    PERFORM @extschema@.rescore_lead_table(lead_rel);
    models := @extschema@.colocated_table(lead_rel, '@extschema@.scoring_model');
    -- the caller may not write lead_score_state: its lock is the owner's
    PERFORM @extschema@.lock_score_states(lead_rel);
    EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', lead_rel);

    FOR m IN EXECUTE pg_catalog.format(
                 'SELECT sm.name FROM %s sm'
                 ' WHERE ($1 IS NULL OR sm.name OPERATOR(pg_catalog.=) $1)'
                 '   AND EXISTS (SELECT FROM %s l WHERE l.model OPERATOR(pg_catalog.=) sm.name)'
                 ' ORDER BY sm.name', models, lead_rel)
             USING model LOOP
        candidates := '{}';
        hand_raises := '{}';
        unchanged := '{}';
        FOR w IN EXECUTE pg_catalog.format(
                     'UPDATE %s l'
                     '   SET fit_score = c.fit_score, engagement_score = c.engagement_score,'
                     '       score = c.score, grade = c.grade, scored_at = $2'
                     '  FROM @extschema@.rescore_changes($1, $2, $3) c'
                     ' WHERE l.ctid OPERATOR(pg_catalog.=) c.row_id'
                     '   AND l.lead_id OPERATOR(pg_catalog.=) c.lead_id'
                     ' RETURNING c.lead_id, c.changed, c.move_candidate, c.last_hand_raise', lead_rel)
                 USING m.name, as_of, lead_rel LOOP
            IF w.changed THEN
                nchanged := nchanged OPERATOR(pg_catalog.+) 1;
            END IF;
            IF w.move_candidate THEN
                candidates := pg_catalog.array_append(candidates, w.lead_id);
                hand_raises := pg_catalog.array_append(hand_raises, w.last_hand_raise);
                IF NOT w.changed THEN
                    unchanged := pg_catalog.array_append(unchanged, w.lead_id);
                END IF;
            END IF;
        END LOOP;
        IF pg_catalog.cardinality(candidates) OPERATOR(pg_catalog.>) 0 THEN
            nchanged := nchanged OPERATOR(pg_catalog.+)
                (SELECT pg_catalog.count(*)
                   FROM @extschema@.apply_automatic_moves(as_of, candidates, hand_raises) AS mv(lead_id)
                  WHERE mv.lead_id OPERATOR(pg_catalog.=) ANY (SELECT pg_catalog.unnest(unchanged)));
        END IF;
    END LOOP;

    -- leads without a live-scoring state (bulk loads) get one, so their next
    -- event is added instead of re-reading their history; every state
    -- belongs to a lead (foreign key), so equal counts mean none is missing
    EXECUTE pg_catalog.format('SELECT (SELECT pg_catalog.count(*) FROM %s)'
                              '       OPERATOR(pg_catalog.<) (SELECT pg_catalog.count(*) FROM %s)',
                              @extschema@.colocated_table(lead_rel, '@extschema@.lead_score_state'), lead_rel)
      INTO missing;
    IF missing THEN
        FOR m IN EXECUTE pg_catalog.format('SELECT sm.name FROM %s sm ORDER BY sm.name', models) LOOP
            PERFORM @extschema@.add_missing_score_states(m.name, lead_rel);
        END LOOP;
    END IF;
    RETURN nchanged;
END
$$;
COMMENT ON FUNCTION @extschema@.rescore_group(pg_catalog.regclass, timestamptz, text) IS
    'internal: rescore() of the leads in lead_rel (leadqual.lead, or on Citus one of its shards on this node); returns how many leads changed';

/*
 * rescore: recompute and store every lead's score (of one model) at as_of
 * and make the automatic stage moves (rescore_group).  On Citus, once per
 * shard group, each on the node that holds it, through a query Citus
 * routes there by one of the group's leads; all in the caller's
 * transaction.
 */
CREATE FUNCTION @extschema@.rescore(as_of timestamptz DEFAULT pg_catalog.now(), model text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rep bigint;                 -- a lead of one shard group
    nchanged bigint := 0;       -- leads whose stored score or stage changed
BEGIN
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'as_of must not be null'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass a timestamp, e.g. now().';
    END IF;
    IF NOT isfinite(as_of) THEN
        RAISE EXCEPTION 'as_of must be a finite timestamp'
            USING ERRCODE = 'datetime_field_overflow',
                  DETAIL = 'Scores are computed at an instant; infinity has no score.',
                  HINT = 'Pass a finite timestamp, e.g. now().';
    END IF;
    IF model IS NOT NULL THEN
        PERFORM @extschema@.grade(model, 0, 0);   -- unknown model: the usual error
    END IF;
    IF NOT @extschema@.is_distributed('@extschema@.lead') THEN
        RETURN @extschema@.rescore_group('@extschema@.lead', as_of, model);
    END IF;
    FOR rep IN SELECT g.lead_id FROM @extschema@.shard_group_leads() AS g(lead_id) LOOP
        SELECT nchanged OPERATOR(pg_catalog.+)
               @extschema@.rescore_group(@extschema@.lead_table('@extschema@.lead', ARRAY[l.lead_id]),
                                         as_of, rescore.model)
          INTO nchanged
          FROM @extschema@.lead l WHERE l.lead_id OPERATOR(pg_catalog.=) rep;
    END LOOP;
    RETURN nchanged;
END
$$;
COMMENT ON FUNCTION @extschema@.rescore(timestamptz, text) IS
    'recompute and store the score of every lead (of one model), make the automatic stage moves; returns how many leads changed';
