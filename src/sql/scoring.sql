
/* src/sql/scoring.sql — scoring functions and aggregates (SPEC §3) */

CREATE FUNCTION @extschema@.fit_score(lead @extschema@.lead, model text DEFAULT NULL)
    RETURNS float8
    AS 'MODULE_PATHNAME', 'lq_fit_score'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.fit_score(@extschema@.lead, text) IS
    'fit score of a lead row: sum of the points of the matching fit rules of the model (NULL model: the lead''s own)';

CREATE FUNCTION @extschema@.grade(model text, fit float8, engagement float8)
    RETURNS text
    AS 'MODULE_PATHNAME', 'lq_grade'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.grade(text, float8, float8) IS
    'grade A1..D4: fit letter by the model''s fit_bands, engagement digit by its engagement_bands';

/* engagement_score aggregate */
CREATE FUNCTION @extschema@.engagement_score_trans(internal, text, text, jsonb, timestamptz, timestamptz)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'lq_engagement_trans'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.engagement_score_final(internal)
    RETURNS float8
    AS 'MODULE_PATHNAME', 'lq_engagement_final'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.engagement_score_combine(internal, internal)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'lq_engagement_combine'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.engagement_score_serial(internal)
    RETURNS bytea
    AS 'MODULE_PATHNAME', 'lq_engagement_serial'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.engagement_score_deserial(bytea, internal)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'lq_engagement_deserial'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE @extschema@.engagement_score(model text, event_type text, properties jsonb,
                                             occurred_at timestamptz, as_of timestamptz) (
    SFUNC = @extschema@.engagement_score_trans,
    STYPE = internal,
    SSPACE = 512,
    FINALFUNC = @extschema@.engagement_score_final,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.engagement_score_combine,
    SERIALFUNC = @extschema@.engagement_score_serial,
    DESERIALFUNC = @extschema@.engagement_score_deserial,
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
CREATE FUNCTION @extschema@.engagement_detail_final(internal)
    RETURNS @extschema@.engagement_detail
    AS 'MODULE_PATHNAME', 'lq_engagement_detail_final'
    LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE @extschema@.engagement_detail(model text, event_type text, properties jsonb,
                                              occurred_at timestamptz, as_of timestamptz) (
    SFUNC = @extschema@.engagement_score_trans,
    STYPE = internal,
    SSPACE = 512,
    FINALFUNC = @extschema@.engagement_detail_final,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.engagement_score_combine,
    SERIALFUNC = @extschema@.engagement_score_serial,
    DESERIALFUNC = @extschema@.engagement_score_deserial,
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

CREATE FUNCTION @extschema@.score(lead_id bigint, as_of timestamptz DEFAULT now(), model text DEFAULT NULL,
                                  OUT fit_score float8, OUT engagement_score float8,
                                  OUT score float8, OUT grade text)
    RETURNS record
    AS 'MODULE_PATHNAME', 'lq_score'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.score(bigint, timestamptz, text) IS
    'score of one lead at as_of under a model (NULL: the lead''s own), from its row and events; does not write';

CREATE FUNCTION @extschema@.explain_score(lead_id bigint, as_of timestamptz DEFAULT now(), model text DEFAULT NULL)
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
CREATE FUNCTION @extschema@.score_by_lead(model text, as_of timestamptz DEFAULT now())
    RETURNS TABLE (lead_id bigint, fit_score float8, engagement_score float8, score float8,
                   grade text, last_hand_raise timestamptz, stage @extschema@.stage,
                   stage_entered_at timestamptz)
    AS 'MODULE_PATHNAME', 'lq_score_by_lead'
    LANGUAGE C STABLE STRICT PARALLEL RESTRICTED ROWS 100000;
COMMENT ON FUNCTION @extschema@.score_by_lead(text, timestamptz) IS
    'every lead of the model scored at as_of, with its latest hand-raise at or before as_of and its stage, in one pass over lead and event; does not write';

/*
 * store_scores: rescore()'s pass and writes, in C: every lead of the model
 * scored at as_of (as score_by_lead scores it), and its fit_score,
 * engagement_score, score, grade and scored_at written where the stored
 * fit, engagement or grade differ, with UPDATE's privileges, triggers and
 * constraints.  Returns the model's lead count, the rows written, and the
 * candidates for an automatic move (with their latest hand-raises, and those
 * not written).  Internal: rescore() locks lead first and makes the moves.
 */
CREATE FUNCTION @extschema@.store_scores(model text, as_of timestamptz,
                                         OUT leads bigint, OUT updated bigint,
                                         OUT candidates bigint[], OUT hand_raises timestamptz[],
                                         OUT unchanged bigint[])
    AS 'MODULE_PATHNAME', 'lq_store_scores'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.store_scores(text, timestamptz) IS
    'internal: rescore()''s pass over lead and event, writing changed scores to lead; returns counts and move candidates';

/*
 * rescore: recompute and store every lead's score, one model at a time
 * (store_scores: score_by_lead's pass, writing as it goes), then make the
 * automatic stage moves.  Only rows whose stored values change are written.
 * Leads without a live-scoring state get one.  It locks lead_score_state and
 * lead against concurrent writers (SHARE ROW EXCLUSIVE; readers go on), so
 * actions and live scoring wait for it instead of deadlocking with it.
 */
CREATE FUNCTION @extschema@.rescore(as_of timestamptz DEFAULT now(), model text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m record;
    written record;             -- what store_scores did for one model
    nchanged bigint := 0;       -- leads whose stored score or stage changed
    nleads bigint := 0;         -- leads of the models rescored
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

    -- state table first: a live-scoring writer takes the state row, then lead
    LOCK TABLE @extschema@.lead_score_state, @extschema@.lead IN SHARE ROW EXCLUSIVE MODE;

    FOR m IN SELECT sm.name FROM @extschema@.scoring_model sm
              WHERE (rescore.model IS NULL OR sm.name = rescore.model)
                AND EXISTS (SELECT FROM @extschema@.lead l WHERE l.model = sm.name)
              ORDER BY sm.name LOOP
        -- the pass and the writes of changed rows, in C; then the automatic
        -- moves of the candidates (those whose stored values did not change
        -- count as changed only if they move)
        SELECT * INTO written FROM @extschema@.store_scores(m.name, as_of);
        nleads := nleads + written.leads;
        nchanged := nchanged + written.updated;
        IF cardinality(written.candidates) > 0 THEN
            nchanged := nchanged +
                (SELECT count(*)
                   FROM @extschema@.apply_automatic_moves(as_of, written.candidates, written.hand_raises) AS mv(lead_id)
                  WHERE mv.lead_id = ANY (written.unchanged));
        END IF;
    END LOOP;

    -- leads without a live-scoring state (bulk loads) get one, so their next
    -- event is added instead of re-reading their history; every state
    -- belongs to a lead (foreign key), so equal counts mean none is missing
    IF rescore.model IS NOT NULL THEN
        nleads := (SELECT count(*) FROM @extschema@.lead);
    END IF;
    IF (SELECT count(*) FROM @extschema@.lead_score_state) < nleads THEN
        FOR m IN SELECT sm.name FROM @extschema@.scoring_model sm ORDER BY sm.name LOOP
            INSERT INTO @extschema@.lead_score_state (lead_id, state)
            SELECT l.lead_id, coalesce(st.state, '\x'::bytea)
              FROM @extschema@.lead l
              LEFT JOIN (SELECT e.lead_id,
                                @extschema@.score_state(m.name, e.event_type, e.properties, e.occurred_at) AS state
                           FROM @extschema@.event e
                          WHERE e.lead_id IN (SELECT l2.lead_id FROM @extschema@.lead l2
                                               WHERE l2.model = m.name
                                                 AND NOT EXISTS (SELECT FROM @extschema@.lead_score_state s
                                                                  WHERE s.lead_id = l2.lead_id))
                          GROUP BY e.lead_id) st ON st.lead_id = l.lead_id
             WHERE l.model = m.name
               AND NOT EXISTS (SELECT FROM @extschema@.lead_score_state s WHERE s.lead_id = l.lead_id)
             ORDER BY l.lead_id
            ON CONFLICT (lead_id) DO NOTHING;
        END LOOP;
    END IF;
    RETURN nchanged;
END
$$;
COMMENT ON FUNCTION @extschema@.rescore(timestamptz, text) IS
    'recompute and store the score of every lead (of one model), make the automatic stage moves; returns how many leads changed';
