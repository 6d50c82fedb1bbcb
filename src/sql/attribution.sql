/*
 * Attribution (SPEC §6): which channels bring conversions and revenue.
 * The engines are C (src/attribution/): the per-journey rules
 * (heuristics.c), the exact Markov solve (markov.c) and the state type
 * path_counts with the aggregates over it (path_counts.c).  This file
 * declares them and builds, once, the journeys of leadqual's leads that
 * attribution(), lead_attribution() and the channel_attribution view read.
 */

/*
 * path_counts: the aggregates' state, a varlena of leadqual's own (per
 * channel its credit; for markov the transition counts of the chain), so
 * that partial states can be stored, shipped between nodes (Citus uses the
 * text form) and combined.  Text form: base64 of the portable byte stream.
 */
CREATE TYPE @extschema@.path_counts;
CREATE FUNCTION @extschema@.path_counts_in(cstring) RETURNS @extschema@.path_counts
    AS 'MODULE_PATHNAME', 'lq_path_counts_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.path_counts_out(@extschema@.path_counts) RETURNS cstring
    AS 'MODULE_PATHNAME', 'lq_path_counts_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.path_counts_recv(internal) RETURNS @extschema@.path_counts
    AS 'MODULE_PATHNAME', 'lq_path_counts_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.path_counts_send(@extschema@.path_counts) RETURNS bytea
    AS 'MODULE_PATHNAME', 'lq_path_counts_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.path_counts_in(cstring) IS 'path_counts text input (base64), validated';
COMMENT ON FUNCTION @extschema@.path_counts_out(@extschema@.path_counts) IS 'path_counts text output (base64 of the byte stream)';
COMMENT ON FUNCTION @extschema@.path_counts_recv(internal) IS 'path_counts binary input, validated';
COMMENT ON FUNCTION @extschema@.path_counts_send(@extschema@.path_counts) IS 'path_counts binary output (the byte stream)';
CREATE TYPE @extschema@.path_counts (
    INPUT = @extschema@.path_counts_in,
    OUTPUT = @extschema@.path_counts_out,
    RECEIVE = @extschema@.path_counts_recv,
    SEND = @extschema@.path_counts_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = int4,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.path_counts IS
    'state of the attribution aggregates: channels with their credit, or the transition counts of a Markov chain; combinable';

CREATE TYPE @extschema@.channel_credit AS (
    channel        text,
    conversions    float8,
    revenue        float8,
    removal_effect float8
);
COMMENT ON TYPE @extschema@.channel_credit IS 'one channel''s attribution credit';
COMMENT ON COLUMN @extschema@.channel_credit.channel IS 'marketing channel';
COMMENT ON COLUMN @extschema@.channel_credit.conversions IS 'conversions credited to the channel';
COMMENT ON COLUMN @extschema@.channel_credit.revenue IS 'revenue credited to the channel';
COMMENT ON COLUMN @extschema@.channel_credit.removal_effect IS 'markov: share of conversions lost when the channel is removed (1 - P(conversion without it) / P(conversion)); NULL for the other methods';

/* Support functions (not strict: they refuse NULLs with their own errors). */
CREATE FUNCTION @extschema@.attribute_paths_trans(@extschema@.path_counts, text, text[], float8, float8)
    RETURNS @extschema@.path_counts
    AS 'MODULE_PATHNAME', 'lq_attribute_paths_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.attribute_paths_trans(@extschema@.path_counts, text, text[], float8, float8, float8)
    RETURNS @extschema@.path_counts
    AS 'MODULE_PATHNAME', 'lq_attribute_paths_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.attribute_paths_trans(@extschema@.path_counts, text, text[], float8, float8, float8, integer)
    RETURNS @extschema@.path_counts
    AS 'MODULE_PATHNAME', 'lq_attribute_paths_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.attribute_journeys_trans(@extschema@.path_counts, text, text[], timestamptz[],
                                                     boolean, timestamptz, float8, timestamptz,
                                                     timestamptz, timestamptz, interval, integer)
    RETURNS @extschema@.path_counts
    AS 'MODULE_PATHNAME', 'lq_attribute_journeys_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.path_counts_combine(@extschema@.path_counts, @extschema@.path_counts)
    RETURNS @extschema@.path_counts
    AS 'MODULE_PATHNAME', 'lq_path_counts_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.path_counts_final(@extschema@.path_counts)
    RETURNS @extschema@.channel_credit[]
    AS 'MODULE_PATHNAME', 'lq_path_counts_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

/*
 * attribute_paths(method, path, conversions, revenue [, nulls [, markov_order]]):
 * the engines over an analyst's own path table, one row per distinct path
 * (ChannelAttribution's input).  Aggregates take no DEFAULTs, hence three.
 */
CREATE AGGREGATE @extschema@.attribute_paths(text, text[], float8, float8) (
    SFUNC = @extschema@.attribute_paths_trans,
    STYPE = @extschema@.path_counts,
    FINALFUNC = @extschema@.path_counts_final,
    COMBINEFUNC = @extschema@.path_counts_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.attribute_paths(text, text[], float8, float8, float8) (
    SFUNC = @extschema@.attribute_paths_trans,
    STYPE = @extschema@.path_counts,
    FINALFUNC = @extschema@.path_counts_final,
    COMBINEFUNC = @extschema@.path_counts_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.attribute_paths(text, text[], float8, float8, float8, integer) (
    SFUNC = @extschema@.attribute_paths_trans,
    STYPE = @extschema@.path_counts,
    FINALFUNC = @extschema@.path_counts_final,
    COMBINEFUNC = @extschema@.path_counts_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.attribute_paths(text, text[], float8, float8) IS
    'channel credit over a path table (one row per distinct path: channels in order, conversions, their revenue); methods first_touch, last_touch, linear, position_based, shapley, markov (order 1)';
COMMENT ON AGGREGATE @extschema@.attribute_paths(text, text[], float8, float8, float8) IS
    'channel credit over a path table with non-converting journeys per path (nulls)';
COMMENT ON AGGREGATE @extschema@.attribute_paths(text, text[], float8, float8, float8, integer) IS
    'channel credit over a path table with non-converting journeys per path and the Markov order';

/*
 * attribute_journeys: the same over one row per lead (its journey with the
 * touch times and milestones); every method.  attribution() feeds it.
 */
CREATE AGGREGATE @extschema@.attribute_journeys(text, text[], timestamptz[], boolean, timestamptz,
                                                float8, timestamptz, timestamptz, timestamptz,
                                                interval, integer) (
    SFUNC = @extschema@.attribute_journeys_trans,
    STYPE = @extschema@.path_counts,
    FINALFUNC = @extschema@.path_counts_final,
    COMBINEFUNC = @extschema@.path_counts_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.attribute_journeys(text, text[], timestamptz[], boolean, timestamptz, float8, timestamptz, timestamptz, timestamptz, interval, integer) IS
    'channel credit over one row per lead: (method, channels, touched_at, converted, conversion_at, value, mql_at, opportunity_at, won_at, half_life, markov_order)';

CREATE FUNCTION @extschema@.journey_credit(method text, channels text[], touched_at timestamptz[],
                                           conversion_at timestamptz, mql_at timestamptz,
                                           opportunity_at timestamptz, won_at timestamptz,
                                           half_life interval)
    RETURNS TABLE (channel text, weight float8)
    AS 'MODULE_PATHNAME', 'lq_journey_credit' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_credit(text, text[], timestamptz[], timestamptz, timestamptz, timestamptz, timestamptz, interval) IS
    'one converting journey''s weight per distinct channel under a per-journey method (internal: lead_attribution)';

CREATE FUNCTION @extschema@.attribution_options(method text, markov_order integer,
                                                half_life interval, lookback interval)
    RETURNS void
    AS 'MODULE_PATHNAME', 'lq_attribution_options' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.attribution_options(text, integer, interval, interval) IS
    'refuses options attribution() cannot serve (internal)';

/*
 * attribution_journeys(goal, since, until, lookback): the journeys of
 * SPEC §6, the one definition attribution(), lead_attribution() and
 * channel_attribution read.  One row per lead that has touches:
 *   - a lead converted when it reached goal (first reach, as lead_timelines
 *     has it: skipped stages count as reached at the later entry) with
 *     since <= that time <= until; its touches are those at or before it;
 *     its value is its won revenue.  A lead that reached goal outside
 *     [since, until] is left out;
 *   - every other lead is a non-converting journey of its touches in
 *     [since, until];
 *   - lookback keeps the touches at or after end - lookback, end being the
 *     conversion (converting) or the journey's last touch (non-converting);
 *   - touches are events with a channel, in order of occurred_at, event_id.
 * Reads lead through lead_timelines, so row-level security on lead decides
 * which leads count.  The caller has checked goal.
 */
CREATE FUNCTION @extschema@.attribution_journeys_sql()
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
/*
 * The journeys' query, with goal, since, until and lookback as $1 to $4
 * (EXECUTE ... USING): the one text attribution_journeys() runs and
 * attribution() aggregates over directly.  Dynamic SQL, not a SQL function:
 * on Citus a SQL function's parameters make the query unplannable, and
 * where the function is inlined into a subquery Citus answered with no rows
 * at all (a first try found channel attribution empty); EXECUTE hands the
 * planner values.  Every column name is qualified.  The touches are grouped
 * by lead first (one pass over event, as an analyst's array_agg would),
 * then joined to the leads' goal times; a journey is cut to its window, and
 * then to its lookback, only when its first or last touch lies outside (the
 * arrays are in time order, so that test is two subscripts).
 */
RETURN $q$SELECT w.lead_id,
       CASE WHEN $4::pg_catalog.interval IS NULL
              OR w.touched_at[1] OPERATOR(pg_catalog.>=) (w.lb_end OPERATOR(pg_catalog.-) $4::pg_catalog.interval)
            THEN w.channels
            ELSE (SELECT pg_catalog.array_agg(u.c ORDER BY u.o)
                    FROM ROWS FROM (pg_catalog.unnest(w.channels), pg_catalog.unnest(w.touched_at)) WITH ORDINALITY AS u(c, t, o)
                   WHERE u.t OPERATOR(pg_catalog.>=) (w.lb_end OPERATOR(pg_catalog.-) $4::pg_catalog.interval)) END,
       CASE WHEN $4::pg_catalog.interval IS NULL
              OR w.touched_at[1] OPERATOR(pg_catalog.>=) (w.lb_end OPERATOR(pg_catalog.-) $4::pg_catalog.interval)
            THEN w.touched_at
            ELSE (SELECT pg_catalog.array_agg(u.t ORDER BY u.o)
                    FROM pg_catalog.unnest(w.touched_at) WITH ORDINALITY AS u(t, o)
                   WHERE u.t OPERATOR(pg_catalog.>=) (w.lb_end OPERATOR(pg_catalog.-) $4::pg_catalog.interval)) END,
       w.goal_at IS NOT NULL,
       w.goal_at,
       CASE WHEN w.goal_at IS NOT NULL THEN w.won_revenue::pg_catalog.float8 ELSE 0 END,
       w.mql_at,
       w.opportunity_at,
       w.won_at
  FROM (SELECT v.*,
               COALESCE(v.goal_at, v.touched_at[pg_catalog.array_upper(v.touched_at, 1)]) AS lb_end
          FROM (SELECT a.lead_id, a.goal_at, a.won_revenue, a.mql_at, a.opportunity_at, a.won_at,
                       CASE WHEN a.touched_at[1] OPERATOR(pg_catalog.<) a.lo
                              OR a.touched_at[pg_catalog.array_upper(a.touched_at, 1)] OPERATOR(pg_catalog.>) a.hi
                            THEN (SELECT pg_catalog.array_agg(u.c ORDER BY u.o)
                                    FROM ROWS FROM (pg_catalog.unnest(a.channels), pg_catalog.unnest(a.touched_at)) WITH ORDINALITY AS u(c, t, o)
                                   WHERE u.t OPERATOR(pg_catalog.>=) a.lo AND u.t OPERATOR(pg_catalog.<=) a.hi)
                            ELSE a.channels END AS channels,
                       CASE WHEN a.touched_at[1] OPERATOR(pg_catalog.<) a.lo
                              OR a.touched_at[pg_catalog.array_upper(a.touched_at, 1)] OPERATOR(pg_catalog.>) a.hi
                            THEN (SELECT pg_catalog.array_agg(u.t ORDER BY u.o)
                                    FROM pg_catalog.unnest(a.touched_at) WITH ORDINALITY AS u(t, o)
                                   WHERE u.t OPERATOR(pg_catalog.>=) a.lo AND u.t OPERATOR(pg_catalog.<=) a.hi)
                            ELSE a.touched_at END AS touched_at
                  FROM (SELECT t.lead_id, t.goal_at, t.won_revenue, t.mql_at, t.opportunity_at, t.won_at,
                               j.channels, j.touched_at,
                               CASE WHEN t.goal_at IS NULL THEN $2::pg_catalog.timestamptz
                                    ELSE '-infinity'::pg_catalog.timestamptz END AS lo,
                               COALESCE(t.goal_at, $3::pg_catalog.timestamptz) AS hi
                          FROM (SELECT e.lead_id,
                                       pg_catalog.array_agg(e.channel ORDER BY e.occurred_at, e.event_id) AS channels,
                                       pg_catalog.array_agg(e.occurred_at ORDER BY e.occurred_at, e.event_id) AS touched_at
                                  FROM @extschema@.event e
                                 WHERE e.channel IS NOT NULL
                                 GROUP BY e.lead_id) j
                          JOIN (SELECT lt.lead_id, lt.won_revenue, lt.mql_at, lt.opportunity_at, lt.won_at,
                                       CASE WHEN $1::@extschema@.stage OPERATOR(pg_catalog.=) 'mql'::@extschema@.stage THEN lt.mql_at
                                            WHEN $1::@extschema@.stage OPERATOR(pg_catalog.=) 'sal'::@extschema@.stage THEN lt.sal_at
                                            WHEN $1::@extschema@.stage OPERATOR(pg_catalog.=) 'sql'::@extschema@.stage THEN lt.sql_at
                                            WHEN $1::@extschema@.stage OPERATOR(pg_catalog.=) 'opportunity'::@extschema@.stage THEN lt.opportunity_at
                                            WHEN $1::@extschema@.stage OPERATOR(pg_catalog.=) 'won'::@extschema@.stage THEN lt.won_at END AS goal_at
                                  FROM @extschema@.lead_timelines lt) t
                            ON t.lead_id OPERATOR(pg_catalog.=) j.lead_id
                         WHERE t.goal_at IS NULL
                            OR t.goal_at OPERATOR(pg_catalog.>=) $2::pg_catalog.timestamptz AND t.goal_at OPERATOR(pg_catalog.<=) $3::pg_catalog.timestamptz) a) v
         WHERE v.channels IS NOT NULL) w$q$;
COMMENT ON FUNCTION @extschema@.attribution_journeys_sql() IS
    'the journeys'' query text, parameters $1 goal, $2 since, $3 until, $4 lookback (internal: attribution_journeys, attribution)';

CREATE FUNCTION @extschema@.attribution_journeys(goal @extschema@.stage, since timestamptz,
                                                 until timestamptz, lookback interval)
    RETURNS TABLE (lead_id bigint, channels text[], touched_at timestamptz[], converted boolean,
                   conversion_at timestamptz, value float8, mql_at timestamptz,
                   opportunity_at timestamptz, won_at timestamptz)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY EXECUTE @extschema@.attribution_journeys_sql() USING goal, since, until, lookback;
END
$$;
COMMENT ON FUNCTION @extschema@.attribution_journeys(@extschema@.stage, timestamptz, timestamptz, interval) IS
    'the journeys attribution reads: one row per lead with touches (internal: lead_attribution)';

/*
 * attribution_check_goal: goal must be a waterfall stage after inquiry
 * (a conversion is reaching it); since, until not NULL, since <= until.
 */
CREATE FUNCTION @extschema@.attribution_check(goal @extschema@.stage, since timestamptz,
                                              until timestamptz)
    RETURNS void
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF goal IS NULL OR since IS NULL OR until IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '22004',
            MESSAGE = 'goal, since and until must not be NULL',
            HINT = 'The defaults are won, -infinity and infinity.';
    END IF;
    IF goal::pg_catalog.text OPERATOR(pg_catalog.<>) ALL ('{mql,sal,sql,opportunity,won}'::pg_catalog.text[]) THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = pg_catalog.format('attribution goal must be mql, sal, sql, opportunity or won, not %s', goal),
            DETAIL = 'A conversion is a lead''s first reach of the goal stage.',
            HINT = 'Use won (the default) to attribute revenue.';
    END IF;
    IF since OPERATOR(pg_catalog.>) until THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = pg_catalog.format('since (%s) is later than until (%s)', since, until),
            HINT = 'since and until bound the conversion time: since <= until.';
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.attribution_check(@extschema@.stage, timestamptz, timestamptz) IS
    'refuses a goal or period attribution() cannot serve (internal)';

/*
 * attribution(method, goal, since, until, lookback, half_life, markov_order):
 * channel credit over leadqual's tables, one row per channel seen in the
 * journeys (also channels of non-converting journeys only: credit 0), in
 * byte order of the channel name.
 */
CREATE FUNCTION @extschema@.attribution(method text DEFAULT 'linear',
                                        goal @extschema@.stage DEFAULT 'won',
                                        since timestamptz DEFAULT '-infinity',
                                        until timestamptz DEFAULT 'infinity',
                                        lookback interval DEFAULT NULL,
                                        half_life interval DEFAULT '7 days',
                                        markov_order integer DEFAULT 1)
    RETURNS TABLE (channel text, conversions float8, revenue float8, share float8,
                   removal_effect float8)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
BEGIN
    PERFORM @extschema@.attribution_options(method, markov_order, half_life, lookback);
    PERFORM @extschema@.attribution_check(goal, since, until);
    -- the aggregate directly over the journeys' query, not over the rows of
    -- attribution_journeys(): on Citus it then runs as shard partials and
    -- one combine (one state per shard crosses the network, not a row per
    -- journey)
    RETURN QUERY EXECUTE pg_catalog.format($f$
    SELECT c.channel, c.conversions, c.revenue,
           CASE WHEN pg_catalog.sum(c.conversions) OVER () OPERATOR(pg_catalog.>) 0
                THEN c.conversions OPERATOR(pg_catalog./) pg_catalog.sum(c.conversions) OVER () END,
           c.removal_effect
      FROM pg_catalog.unnest((SELECT @extschema@.attribute_journeys($5, j.channels, j.touched_at,
                                         j.converted, j.conversion_at, j.value, j.mql_at,
                                         j.opportunity_at, j.won_at, $6, $7)
                                FROM (%s) j(lead_id, channels, touched_at, converted, conversion_at,
                                            value, mql_at, opportunity_at, won_at)
                               WHERE j.channels IS NOT NULL)) c
     ORDER BY c.channel COLLATE "C"$f$, @extschema@.attribution_journeys_sql())
    USING goal, since, until, lookback, method, half_life, markov_order;
END
$$;
COMMENT ON FUNCTION @extschema@.attribution(text, @extschema@.stage, timestamptz, timestamptz, interval, interval, integer) IS
    'channel credit for conversions (first reach of goal in [since, until]) and their won revenue, by method: first_touch, last_touch, linear, time_decay, position_based, w_shaped, full_path, markov (exact, order markov_order), shapley';

/*
 * lead_attribution(...): each converting lead's credit per channel.  The
 * per-journey methods use their rule (journey_credit); markov shares a
 * lead's conversion over its distinct channels by their global removal
 * effects (conversion credit) and its value by their value removal effects
 * (revenue credit), equally when those are 0.
 */
CREATE FUNCTION @extschema@.lead_attribution(method text DEFAULT 'linear',
                                             goal @extschema@.stage DEFAULT 'won',
                                             since timestamptz DEFAULT '-infinity',
                                             until timestamptz DEFAULT 'infinity',
                                             lookback interval DEFAULT NULL,
                                             half_life interval DEFAULT '7 days',
                                             markov_order integer DEFAULT 1)
    RETURNS TABLE (lead_id bigint, channel text, weight float8, revenue float8)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
BEGIN
    PERFORM @extschema@.attribution_options(method, markov_order, half_life, lookback);
    PERFORM @extschema@.attribution_check(goal, since, until);
    IF method OPERATOR(pg_catalog.<>) 'markov' THEN
        RETURN QUERY
        SELECT j.lead_id, c.channel, c.weight, c.weight OPERATOR(pg_catalog.*) j.value
          FROM @extschema@.attribution_journeys(goal, since, until, lookback) j,
               LATERAL @extschema@.journey_credit(method, j.channels, j.touched_at, j.conversion_at,
                                                  j.mql_at, j.opportunity_at, j.won_at, half_life) c
         WHERE j.converted AND j.channels IS NOT NULL
         ORDER BY j.lead_id, c.channel COLLATE "C";
    ELSE
        RETURN QUERY
        WITH m AS (SELECT a.channel, a.conversions, a.revenue
                     FROM @extschema@.attribution('markov', goal, since, until, lookback,
                                                  half_life, markov_order) a),
             d AS (SELECT DISTINCT j.lead_id, j.value, u.c AS channel
                     FROM @extschema@.attribution_journeys(goal, since, until, lookback) j,
                          pg_catalog.unnest(j.channels) AS u(c)
                    WHERE j.converted AND j.channels IS NOT NULL),
             w AS (SELECT d.lead_id, d.channel, d.value, m.conversions, m.revenue,
                          pg_catalog.sum(m.conversions) OVER (PARTITION BY d.lead_id) AS sum_conv,
                          pg_catalog.sum(m.revenue) OVER (PARTITION BY d.lead_id) AS sum_rev,
                          pg_catalog.count(*) OVER (PARTITION BY d.lead_id) AS n
                     FROM d JOIN m ON m.channel OPERATOR(pg_catalog.=) d.channel)
        SELECT w.lead_id, w.channel,
               CASE WHEN w.sum_conv OPERATOR(pg_catalog.>) 0
                    THEN w.conversions OPERATOR(pg_catalog./) w.sum_conv
                    ELSE 1 OPERATOR(pg_catalog./) w.n::pg_catalog.float8 END,
               w.value OPERATOR(pg_catalog.*)
               CASE WHEN w.sum_rev OPERATOR(pg_catalog.>) 0
                    THEN w.revenue OPERATOR(pg_catalog./) w.sum_rev
                    ELSE 1 OPERATOR(pg_catalog./) w.n::pg_catalog.float8 END
          FROM w
         ORDER BY w.lead_id, w.channel COLLATE "C";
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.lead_attribution(text, @extschema@.stage, timestamptz, timestamptz, interval, interval, integer) IS
    'each converting lead''s credit per channel (weights of a lead sum to 1; revenue = weight x the lead''s won revenue); same options as attribution()';

/*
 * channel_attribution_rows: the rows of channel_attribution, from one
 * query over the journeys' query (goal won, every touch): reach per
 * channel, and the credit of all nine methods with the defaults (time_decay
 * half-life 7 days, markov order 1) in one aggregate grouped by method.  On
 * one node the journeys are computed once (MATERIALIZED); on Citus the
 * query is inlined in both parts (NOT MATERIALIZED), so that each runs on
 * the shards as partials with one combine on the coordinator (a journey
 * reaches a channel once per lead and shard, and its credit travels as
 * path_counts states), instead of bringing every journey to the
 * coordinator.  The same query text but for that word.
 */
CREATE FUNCTION @extschema@.channel_attribution_rows()
    RETURNS TABLE (channel text, touches bigint, leads bigint, converted_leads bigint,
                   revenue_first_touch float8, revenue_last_touch float8, revenue_linear float8,
                   revenue_time_decay float8, revenue_position_based float8, revenue_w_shaped float8,
                   revenue_full_path float8, revenue_markov float8, revenue_shapley float8)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY EXECUTE pg_catalog.format($f$
    WITH j AS %s (
        SELECT j.*
          FROM (%s) j(lead_id, channels, touched_at, converted, conversion_at,
                      value, mql_at, opportunity_at, won_at)
         WHERE j.channels IS NOT NULL
    ),
    reach AS (
        -- a journey is one lead's: its touches of a channel, counted per
        -- lead and channel, then summed
        SELECT t.channel,
               pg_catalog.sum(t.n)::bigint AS touches,
               pg_catalog.count(*) AS leads,
               pg_catalog.count(*) FILTER (WHERE t.converted) AS converted_leads
          FROM (SELECT j.lead_id, u.channel, j.converted, pg_catalog.count(*) AS n
                  FROM j, pg_catalog.unnest(j.channels) AS u(channel)
                 GROUP BY j.lead_id, u.channel, j.converted) t
         GROUP BY t.channel
    ),
    credit AS (
        SELECT m.method, c.channel, c.revenue
          FROM (SELECT m.method,
                       @extschema@.attribute_journeys(m.method, j.channels, j.touched_at, j.converted,
                                                      j.conversion_at, j.value, j.mql_at,
                                                      j.opportunity_at, j.won_at, '7 days', 1) AS credits
                  FROM j CROSS JOIN (VALUES ('first_touch'), ('last_touch'), ('linear'), ('time_decay'),
                                            ('position_based'), ('w_shaped'), ('full_path'),
                                            ('markov'), ('shapley')) AS m(method)
                 GROUP BY m.method) m,
               pg_catalog.unnest(m.credits) c
    )
    SELECT r.channel, r.touches, r.leads, r.converted_leads,
           pg_catalog.max(c.revenue) FILTER (WHERE c.method OPERATOR(pg_catalog.=) 'first_touch'),
           pg_catalog.max(c.revenue) FILTER (WHERE c.method OPERATOR(pg_catalog.=) 'last_touch'),
           pg_catalog.max(c.revenue) FILTER (WHERE c.method OPERATOR(pg_catalog.=) 'linear'),
           pg_catalog.max(c.revenue) FILTER (WHERE c.method OPERATOR(pg_catalog.=) 'time_decay'),
           pg_catalog.max(c.revenue) FILTER (WHERE c.method OPERATOR(pg_catalog.=) 'position_based'),
           pg_catalog.max(c.revenue) FILTER (WHERE c.method OPERATOR(pg_catalog.=) 'w_shaped'),
           pg_catalog.max(c.revenue) FILTER (WHERE c.method OPERATOR(pg_catalog.=) 'full_path'),
           pg_catalog.max(c.revenue) FILTER (WHERE c.method OPERATOR(pg_catalog.=) 'markov'),
           pg_catalog.max(c.revenue) FILTER (WHERE c.method OPERATOR(pg_catalog.=) 'shapley')
      FROM reach r
      LEFT JOIN credit c ON c.channel OPERATOR(pg_catalog.=) r.channel
     GROUP BY r.channel, r.touches, r.leads, r.converted_leads
     ORDER BY r.channel COLLATE "C"$f$,
        CASE WHEN @extschema@.is_distributed('@extschema@.lead') THEN 'NOT MATERIALIZED' ELSE 'MATERIALIZED' END,
        @extschema@.attribution_journeys_sql())
    USING 'won'::@extschema@.stage, '-infinity'::timestamptz, 'infinity'::timestamptz, NULL::interval;
END
$$;
COMMENT ON FUNCTION @extschema@.channel_attribution_rows() IS
    'the rows of the channel_attribution view (internal)';

/*
 * channel_attribution: one row per channel of the journeys (goal won, every
 * touch), its reach and its revenue under every method with the defaults
 * (time_decay half-life 7 days, markov order 1); channel_attribution_rows.
 */
CREATE VIEW @extschema@.channel_attribution WITH (security_invoker = true) AS
SELECT c.channel, c.touches, c.leads, c.converted_leads, c.revenue_first_touch, c.revenue_last_touch,
       c.revenue_linear, c.revenue_time_decay, c.revenue_position_based, c.revenue_w_shaped,
       c.revenue_full_path, c.revenue_markov, c.revenue_shapley
  FROM @extschema@.channel_attribution_rows() c
 ORDER BY c.channel COLLATE "C";
COMMENT ON VIEW @extschema@.channel_attribution IS
    'one row per marketing channel: its reach and the won revenue credited to it under every attribution method (goal won, every touch before the win, time_decay half-life 7 days, markov order 1)';
COMMENT ON COLUMN @extschema@.channel_attribution.channel IS 'marketing channel (event.channel)';
COMMENT ON COLUMN @extschema@.channel_attribution.touches IS 'touches of the channel in the journeys (events with this channel; for won leads only those at or before the win)';
COMMENT ON COLUMN @extschema@.channel_attribution.leads IS 'leads whose journey touches the channel';
COMMENT ON COLUMN @extschema@.channel_attribution.converted_leads IS 'of them, leads that were won';
COMMENT ON COLUMN @extschema@.channel_attribution.revenue_first_touch IS 'won revenue credited by first_touch (all to the first touch)';
COMMENT ON COLUMN @extschema@.channel_attribution.revenue_last_touch IS 'won revenue credited by last_touch (all to the last touch before the win)';
COMMENT ON COLUMN @extschema@.channel_attribution.revenue_linear IS 'won revenue credited by linear (equal per touch)';
COMMENT ON COLUMN @extschema@.channel_attribution.revenue_time_decay IS 'won revenue credited by time_decay (weight halves every 7 days before the win)';
COMMENT ON COLUMN @extschema@.channel_attribution.revenue_position_based IS 'won revenue credited by position_based (40 % first, 40 % last, 20 % between)';
COMMENT ON COLUMN @extschema@.channel_attribution.revenue_w_shaped IS 'won revenue credited by w_shaped (30 % each to the first touch and the last touches before mql and opportunity, 10 % to the rest)';
COMMENT ON COLUMN @extschema@.channel_attribution.revenue_full_path IS 'won revenue credited by full_path (22.5 % each to the first touch and the last touches before mql, opportunity and won, 10 % to the rest)';
COMMENT ON COLUMN @extschema@.channel_attribution.revenue_markov IS 'won revenue credited by the exact order-1 Markov chain (value removal effects)';
COMMENT ON COLUMN @extschema@.channel_attribution.revenue_shapley IS 'won revenue credited by the simplified Shapley value (equal per distinct channel of a journey)';
