
/* src/sql/threshold.sql — the MQL threshold backtest (SPEC §5): mql_peak and threshold_analysis */

/*
 * mql_peak: mql_crossing's replay (the same state and transition, combine,
 * serial and deserial functions, src/scoring/mql_crossing.c) run to the end
 * of one lead's events, keeping what decides the MQL rule under every
 * threshold at once.  The lead would have become an MQL under threshold t
 * iff hand_raise or qualifying_score >= t.
 */
CREATE TYPE @extschema@.mql_peak_result AS (
    max_score        float8,
    qualifying_score float8,
    hand_raise       boolean
);
COMMENT ON TYPE @extschema@.mql_peak_result IS
    'result of mql_peak: the highest replayed score, the same when the fit grade lets the score qualify, and whether a hand-raise occurred';
COMMENT ON COLUMN @extschema@.mql_peak_result.max_score IS
    'highest score (fit + engagement) at any event time of the group; NULL when the group has no event';
COMMENT ON COLUMN @extschema@.mql_peak_result.qualifying_score IS
    'max_score when the fit grade is at least the model''s min_fit_grade, else NULL: the score alone makes the lead an MQL under every threshold <= this';
COMMENT ON COLUMN @extschema@.mql_peak_result.hand_raise IS
    'a hand-raise event (scoring_model.hand_raise_types) occurred: an MQL under every threshold';

CREATE FUNCTION @extschema@.mql_peak_final(internal)
    RETURNS @extschema@.mql_peak_result
    AS 'MODULE_PATHNAME', 'lq_peak_final'
    LANGUAGE C STABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.mql_peak(model text, fit float8, event_type text,
                                     properties jsonb, occurred_at timestamptz) (
    SFUNC = @extschema@.mql_crossing_trans,
    STYPE = internal,
    SSPACE = 2048,
    FINALFUNC = @extschema@.mql_peak_final,
    FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = @extschema@.mql_crossing_combine,
    SERIALFUNC = @extschema@.mql_crossing_serial,
    DESERIALFUNC = @extschema@.mql_crossing_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mql_peak(text, float8, text, jsonb, timestamptz) IS
    'mql_crossing''s replay of one lead''s events run to the end: (max_score, qualifying_score, hand_raise); the lead would have become an MQL under threshold t iff hand_raise or qualifying_score >= t';

/*
 * threshold_analysis: one mql_peak per lead of the model (one replay of the
 * events), then every threshold counted from the sorted peaks by binary
 * search (src/reports/threshold_analysis.c).
 *
 * It reads lead, event and stage_history with SPI as the caller (SECURITY
 * INVOKER): row-level security on lead applies, a rep counts only the leads
 * it may see.  STABLE: it reads tables and writes nothing.  PARALLEL SAFE:
 * it keeps no state between calls and uses no cursor, temporary table or
 * session state, so a worker may run it (its own query then runs without
 * parallelism of its own); called from the leader, as usual for a function
 * in FROM, its query may use a parallel plan.  Not STRICT: NULL thresholds
 * ask for the default thresholds, a NULL model is an error.
 */
CREATE FUNCTION @extschema@.threshold_analysis(model text DEFAULT 'default', thresholds float8[] DEFAULT NULL)
    RETURNS TABLE (threshold float8, mqls bigint, won bigint, "precision" numeric, recall numeric)
    AS 'MODULE_PATHNAME', 'lq_threshold_analysis'
    LANGUAGE C STABLE PARALLEL SAFE ROWS 20;
COMMENT ON FUNCTION @extschema@.threshold_analysis(text, float8[]) IS
    'MQL threshold backtest: for each candidate threshold t (one row per distinct value, ascending), mqls = leads of the model that mql_crossing''s replay of their events would have made MQLs under t (a hand-raise event, or a score >= t at an event time with fit grade at least min_fit_grade; a lead without events never), won = those of them with a stage_history row into won, precision = won / mqls, recall = won / all leads of the model with a stage_history row into won (numeric, 4 decimals, NULL when the denominator is 0). NULL thresholds: lo + (hi - lo) * i / 19 for i = 0..19, distinct values only, where lo and hi are the least and greatest max_score (mql_peak) of the leads with events; no row when no lead of the model has events. Reads with the caller''s rights (row-level security applies)';
