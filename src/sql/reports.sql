
/* src/sql/reports.sql — reports (SPEC §5): aggregates for analysts' own tables, and the report views */

/* aggregates */

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

/* views */

/*
 * Every report view is WITH (security_invoker = true): it reads the tables
 * with the rights of the role that queries it, so row-level security on
 * lead (a rep sees only own leads) holds in the reports too.  A view
 * without it would read lead with the owner's rights (the extension's
 * owner, to whom no policy applies) and show every lead to every reader.
 *
 * Durations are numeric, rounded to 2 decimals (0.01 day = 14.4 minutes,
 * 0.01 hour = 36 seconds): exact decimal arithmetic on the microseconds
 * of the two timestamps (extract(epoch ...) is numeric), one scale in
 * every row, so BI tools and exports show 3.25 and not 3.2500000000000000
 * or a float's 3.2499999999999996.  Decisions such as "breached" are made
 * on the timestamps, never on a rounded duration.  A duration is NULL when
 * one of its timestamps is NULL or infinite (an infinite duration is not
 * a number a report can add up).
 */

/*
 * lead_status: one row per lead, its current state.  sla_breached: the
 * lead is still in mql and now() is strictly past its sla_due_at (a lead
 * without sla_due_at is never breached; one due exactly now is not yet).
 */
CREATE VIEW @extschema@.lead_status WITH (security_invoker = true) AS
SELECT l.lead_id,
       l.external_id,
       l.owner,
       l.stage,
       l.stage_entered_at,
       CASE WHEN pg_catalog.isfinite(l.stage_entered_at) THEN
           pg_catalog.round((pg_catalog.extract('epoch', pg_catalog.now())
                             OPERATOR(pg_catalog.-) pg_catalog.extract('epoch', l.stage_entered_at))
                            OPERATOR(pg_catalog./) 86400::pg_catalog.numeric, 2)
       END AS days_in_stage,
       l.score,
       l.fit_score,
       l.engagement_score,
       l.grade,
       l.sla_due_at,
       (l.stage OPERATOR(pg_catalog.=) 'mql'::@extschema@.stage
        AND l.sla_due_at IS NOT NULL
        AND l.sla_due_at OPERATOR(pg_catalog.<) pg_catalog.now()) AS sla_breached,
       l.recycle_count
  FROM @extschema@.lead l;
COMMENT ON VIEW @extschema@.lead_status IS
    'one row per lead: its current stage, how long it has been there, its stored scores and grade, and whether sales is past the MQL SLA';
COMMENT ON COLUMN @extschema@.lead_status.lead_id IS 'lead identifier';
COMMENT ON COLUMN @extschema@.lead_status.external_id IS 'CRM identifier';
COMMENT ON COLUMN @extschema@.lead_status.owner IS 'sales rep who owns the lead';
COMMENT ON COLUMN @extschema@.lead_status.stage IS 'current lifecycle stage';
COMMENT ON COLUMN @extschema@.lead_status.stage_entered_at IS 'when the lead entered its current stage';
COMMENT ON COLUMN @extschema@.lead_status.days_in_stage IS 'days from stage_entered_at to now(), rounded to 2 decimals (negative if stage_entered_at is in the future)';
COMMENT ON COLUMN @extschema@.lead_status.score IS 'stored score = fit_score + engagement_score';
COMMENT ON COLUMN @extschema@.lead_status.fit_score IS 'stored fit score (who the lead is)';
COMMENT ON COLUMN @extschema@.lead_status.engagement_score IS 'stored engagement score (what the lead did)';
COMMENT ON COLUMN @extschema@.lead_status.grade IS 'stored grade, A1 (best) … D4: fit letter, engagement digit';
COMMENT ON COLUMN @extschema@.lead_status.sla_due_at IS 'when sales must have acted on the MQL; NULL when no action is due';
COMMENT ON COLUMN @extschema@.lead_status.sla_breached IS 'true when the lead is still in mql and now() is past sla_due_at; false otherwise (also when sla_due_at is NULL)';
COMMENT ON COLUMN @extschema@.lead_status.recycle_count IS 'how many times the lead went back to nurture';

/*
 * sla_breaches: the open MQLs past due, the rows of lead_status with
 * sla_breached (one definition of "breached" for both views).
 */
CREATE VIEW @extschema@.sla_breaches WITH (security_invoker = true) AS
SELECT s.lead_id,
       s.owner,
       s.stage,
       s.stage_entered_at AS entered_at,
       s.sla_due_at AS due_at,
       CASE WHEN pg_catalog.isfinite(s.sla_due_at) THEN
           pg_catalog.round((pg_catalog.extract('epoch', pg_catalog.now())
                             OPERATOR(pg_catalog.-) pg_catalog.extract('epoch', s.sla_due_at))
                            OPERATOR(pg_catalog./) 3600::pg_catalog.numeric, 2)
       END AS hours_overdue
  FROM @extschema@.lead_status s
 WHERE s.sla_breached;
COMMENT ON VIEW @extschema@.sla_breaches IS
    'open MQLs past due: leads still in mql whose sla_due_at has passed, with how many hours sales is late';
COMMENT ON COLUMN @extschema@.sla_breaches.lead_id IS 'lead identifier';
COMMENT ON COLUMN @extschema@.sla_breaches.owner IS 'sales rep who owns the lead (NULL: nobody yet)';
COMMENT ON COLUMN @extschema@.sla_breaches.stage IS 'current lifecycle stage (always mql)';
COMMENT ON COLUMN @extschema@.sla_breaches.entered_at IS 'when the lead entered mql';
COMMENT ON COLUMN @extschema@.sla_breaches.due_at IS 'when sales should have acted (sla_due_at = entered mql + the model''s sla)';
COMMENT ON COLUMN @extschema@.sla_breaches.hours_overdue IS 'hours from due_at to now(), rounded to 2 decimals (always above 0 unless less than 18 seconds late; NULL when due_at is -infinity)';
