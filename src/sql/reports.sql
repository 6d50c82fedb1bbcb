
/* src/sql/reports.sql — reports for analysts' own tables (SPEC §5) */

/*
 * window_funnel(window, occurred_at, steps): ClickHouse's windowFunnel.  The
 * support functions depend on nothing but their arguments (IMMUTABLE); the
 * transition, combine and final functions are not strict (a NULL row is
 * skipped, NULL states are combined, no rows give 0).
 */
CREATE FUNCTION @extschema@.window_funnel_trans(internal, interval, timestamptz, boolean[])
    RETURNS internal
    AS 'MODULE_PATHNAME', 'lq_window_funnel_trans'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.window_funnel_final(internal)
    RETURNS integer
    AS 'MODULE_PATHNAME', 'lq_window_funnel_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.window_funnel_combine(internal, internal)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'lq_window_funnel_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.window_funnel_serial(internal)
    RETURNS bytea
    AS 'MODULE_PATHNAME', 'lq_window_funnel_serial'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.window_funnel_deserial(bytea, internal)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'lq_window_funnel_deserial'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

/*
 * The final function sorts the state's rows in place but leaves the same
 * multiset of rows (window_funnel.c): READ_ONLY, so window_funnel also
 * works as a window function (a running funnel level).
 */
CREATE AGGREGATE @extschema@.window_funnel("window" interval, occurred_at timestamptz, steps boolean[]) (
    SFUNC = @extschema@.window_funnel_trans,
    STYPE = internal,
    SSPACE = 256,
    FINALFUNC = @extschema@.window_funnel_final,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.window_funnel_combine,
    SERIALFUNC = @extschema@.window_funnel_serial,
    DESERIALFUNC = @extschema@.window_funnel_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.window_funnel(interval, timestamptz, boolean[]) IS
    'funnel level of a group of events (ClickHouse''s windowFunnel): the largest k such that distinct rows r1..rk satisfy steps[1..k] in time order with rk.occurred_at - r1.occurred_at <= window; 0 if no row satisfies steps[1]; rows with NULL or infinite occurred_at or NULL steps are skipped';
