
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

/*
 * lead_timeline(from_stage, to_stage, changed_at, actor, reason, history_id):
 * one lead's stage_history (GROUP BY lead_id) as the facts every report
 * view needs (src/reports/timeline.c has the rules).  The result type:
 */
CREATE TYPE @extschema@.timeline AS (
    mql_at             timestamptz,
    sal_at             timestamptz,
    sql_at             timestamptz,
    opportunity_at     timestamptz,
    won_at             timestamptz,
    lost_at            timestamptz,
    first_move_at      timestamptz,
    moves              integer,
    entry_stage        @extschema@.stage[],
    entry_at           timestamptz[],
    entry_left_at      timestamptz[],
    entry_skipped      boolean[],
    mql_start_at       timestamptz[],
    mql_exit_at        timestamptz[],
    mql_sales_action   boolean[],
    mql_outcome        text[],
    mql_later_won      boolean[],
    rejection_at       timestamptz[],
    rejection_reason   text[],
    rejection_mql_at   timestamptz[]
);
COMMENT ON TYPE @extschema@.timeline IS
    'one lead''s stage history as the reports read it (result of the lead_timeline aggregate)';
COMMENT ON COLUMN @extschema@.timeline.mql_at IS 'first time the lead reached mql (a skipped mql counts as reached at the later entry)';
COMMENT ON COLUMN @extschema@.timeline.sal_at IS 'first time the lead reached sal or a later waterfall stage';
COMMENT ON COLUMN @extschema@.timeline.sql_at IS 'first time the lead reached sql or a later waterfall stage';
COMMENT ON COLUMN @extschema@.timeline.opportunity_at IS 'first time the lead reached opportunity or won';
COMMENT ON COLUMN @extschema@.timeline.won_at IS 'first time the lead entered won';
COMMENT ON COLUMN @extschema@.timeline.lost_at IS 'first time the lead entered lost';
COMMENT ON COLUMN @extschema@.timeline.first_move_at IS 'time of the first stage move (the end of the inquiry stay)';
COMMENT ON COLUMN @extschema@.timeline.moves IS 'number of stage_history rows';
COMMENT ON COLUMN @extschema@.timeline.entry_stage IS 'the stages the lead entered, in time order, skipped waterfall stages included';
COMMENT ON COLUMN @extschema@.timeline.entry_at IS 'when each entry happened (parallel to entry_stage)';
COMMENT ON COLUMN @extschema@.timeline.entry_left_at IS 'when the lead left each entered stage (the next move; a skipped stage is left at once; NULL: still there)';
COMMENT ON COLUMN @extschema@.timeline.entry_skipped IS 'whether each entry is a skipped waterfall stage, counted as reached at the later entry';
COMMENT ON COLUMN @extschema@.timeline.mql_start_at IS 'start of each MQL cycle: each entry into mql, real or skipped';
COMMENT ON COLUMN @extschema@.timeline.mql_exit_at IS 'when each MQL cycle ended: the next move (a skipped mql ends at once; NULL: still in mql)';
COMMENT ON COLUMN @extschema@.timeline.mql_sales_action IS 'whether each MQL cycle ended by a sales action';
COMMENT ON COLUMN @extschema@.timeline.mql_outcome IS 'accepted, recycled or disqualified (by sales), or NULL, for each MQL cycle';
COMMENT ON COLUMN @extschema@.timeline.mql_later_won IS 'whether each MQL cycle was rejected (recycled or disqualified) and the lead entered won later';
COMMENT ON COLUMN @extschema@.timeline.rejection_at IS 'when each rejection (a sales move from mql, sal or sql into nurture or disqualified) happened';
COMMENT ON COLUMN @extschema@.timeline.rejection_reason IS 'the reason code of each rejection';
COMMENT ON COLUMN @extschema@.timeline.rejection_mql_at IS 'start of the MQL cycle each rejection belongs to (the latest at or before it; NULL: none)';

/*
 * The support functions depend on their arguments only (IMMUTABLE); the
 * stage values are looked up by label in the enum, which is the
 * extension's own.  Not strict: rows without a stage or time are skipped.
 */
CREATE FUNCTION @extschema@.lead_timeline_trans(internal, @extschema@.stage, @extschema@.stage,
                                                timestamptz, text, text, bigint)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'lq_lead_timeline_trans'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.lead_timeline_final(internal)
    RETURNS @extschema@.timeline
    AS 'MODULE_PATHNAME', 'lq_lead_timeline_final'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.lead_timeline_combine(internal, internal)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'lq_lead_timeline_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.lead_timeline_serial(internal)
    RETURNS bytea
    AS 'MODULE_PATHNAME', 'lq_lead_timeline_serial'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.lead_timeline_deserial(bytea, internal)
    RETURNS internal
    AS 'MODULE_PATHNAME', 'lq_lead_timeline_deserial'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE @extschema@.lead_timeline(from_stage @extschema@.stage, to_stage @extschema@.stage,
                                           changed_at timestamptz, actor text, reason text,
                                           history_id bigint) (
    SFUNC = @extschema@.lead_timeline_trans,
    STYPE = internal,
    SSPACE = 128,
    FINALFUNC = @extschema@.lead_timeline_final,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.lead_timeline_combine,
    SERIALFUNC = @extschema@.lead_timeline_serial,
    DESERIALFUNC = @extschema@.lead_timeline_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.lead_timeline(@extschema@.stage, @extschema@.stage, timestamptz, text, text, bigint) IS
    'one lead''s stage_history rows (group by lead_id) as a leadqual.timeline: first reach of each waterfall stage with skipped stages filled in, entries and exits, MQL cycles and their sales outcome, rejections; input order does not matter';

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
 * win_probability: the default predictive model's probability, every
 * lead's in one pass (lead_win_probabilities, src/sql/predictive_models.sql),
 * no pass at all while that model is untrained.  The join is on a subquery
 * grouped by lead_id, so it is provably unique: a query that does not read
 * win_probability (sla_breaches) has the join removed by the planner and
 * computes no prediction.
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
       l.recycle_count,
       w.win_probability
  FROM @extschema@.lead l
  LEFT JOIN (SELECT p.lead_id, pg_catalog.max(p.win_probability) AS win_probability
               FROM @extschema@.lead_win_probabilities() p
              GROUP BY p.lead_id) w ON w.lead_id OPERATOR(pg_catalog.=) l.lead_id;
COMMENT ON VIEW @extschema@.lead_status IS
    'one row per lead: its current stage, how long it has been there, its stored scores and grade, whether sales is past the MQL SLA, and its win probability under the default predictive model';
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
COMMENT ON COLUMN @extschema@.lead_status.win_probability IS 'probability under the default predictive model that the lead is won within its horizon (180 days) of its first mql entry, from its features then (now for a lead not yet in mql); NULL until train_predictive(''default'') has run';

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

/*
 * Three small rules every report shares, as inlinable SQL functions (their
 * bodies are parsed once, at CREATE EXTENSION, so no search_path can
 * change what they call):
 *   report_month(at): the first day of at's month in the session's time
 *       zone, NULL outside ['4714-12-02 BC', '294276-12-01') UTC, where the
 *       month's first day (or its local time) is not a PostgreSQL date or
 *       timestamp (date_trunc would fail there);
 *   report_rate(n, d): a rate as a numeric fraction rounded to 4 decimals
 *       (0.01 %), NULL when d is 0 or NULL, and when either is NaN or
 *       infinite (numeric has both; NaN sorts above Infinity, so the two
 *       range tests leave it out) — never a NaN or infinite rate;
 *   report_seconds(a, b): b - a in seconds as float8 (exact microseconds of
 *       two finite timestamps), NULL when either is NULL or infinite.
 *       STABLE like the extract() it calls: a function marked stricter
 *       than its body is not inlined, and a call per row costs 4x.
 *       Medians and percentiles are taken over these, then rounded to 2
 *       decimals of days or hours.
 */
CREATE FUNCTION @extschema@.report_month("at" timestamptz)
    RETURNS date
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN "at" OPERATOR(pg_catalog.>=) '4714-12-02 00:00:00+00 BC'::pg_catalog.timestamptz
                 AND "at" OPERATOR(pg_catalog.<) '294276-12-01 00:00:00+00'::pg_catalog.timestamptz
                THEN pg_catalog.date_trunc('month', "at")::pg_catalog.date END;
COMMENT ON FUNCTION @extschema@.report_month(timestamptz) IS
    'first day of the month of at in the session time zone (NULL for NULL, before 4714-12-02 BC and from 294276-12-01 on, where that day is not a date): how every report groups by month';
CREATE FUNCTION @extschema@.report_rate(numerator numeric, denominator numeric)
    RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN denominator OPERATOR(pg_catalog.<>) 0
                 AND numerator OPERATOR(pg_catalog.>) '-Infinity'::pg_catalog.numeric
                 AND numerator OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric
                 AND denominator OPERATOR(pg_catalog.>) '-Infinity'::pg_catalog.numeric
                 AND denominator OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric
                THEN pg_catalog.round(numerator OPERATOR(pg_catalog./) denominator, 4) END;
COMMENT ON FUNCTION @extschema@.report_rate(numeric, numeric) IS
    'numerator / denominator rounded to 4 decimals, NULL when the denominator is 0 or either is NULL, NaN or infinite: how every report rate is computed';
CREATE FUNCTION @extschema@.report_seconds(from_at timestamptz, to_at timestamptz)
    RETURNS float8
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN pg_catalog.isfinite(from_at) AND pg_catalog.isfinite(to_at)
                THEN (pg_catalog.extract('epoch', to_at)
                      OPERATOR(pg_catalog.-) pg_catalog.extract('epoch', from_at))::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.report_seconds(timestamptz, timestamptz) IS
    'to_at - from_at in seconds, NULL when either is NULL or infinite: how every report duration is measured';

/*
 * lead_timelines: one row per lead, its acquisition columns and its
 * timeline (one pass over stage_history with lead_timeline).  Every report
 * below reads it; it joins from lead, so row-level security on lead
 * decides which leads (and so which history) a reader's reports count.
 * won_revenue comes from opportunity; a view that does not use it does not
 * read opportunity (the planner removes the join).  The timeline's fields
 * are taken apart in the grouped subquery itself, one field per column:
 * the planner computes the aggregate once per lead (identical aggregate
 * calls share one state and one final value) and replaces the fields a
 * report does not use by NULL before it hashes the timelines for the join
 * (whole composites of 69,000 leads spill a 4 MB work_mem to disk and cost
 * more than the aggregate).  No OFFSET 0 or LIMIT: on Citus the view, its
 * joins and subqueries all on lead_id, runs whole on the shards, and a
 * report's counts and sums over it run there as partials.
 */
CREATE VIEW @extschema@.lead_timelines WITH (security_invoker = true) AS
SELECT l.lead_id,
       l.created_at,
       l.source_channel,
       l.source_campaign,
       l.owner,
       l.model,
       l.grade,
       h.mql_at,
       h.sal_at,
       h.sql_at,
       h.opportunity_at,
       h.won_at,
       h.lost_at,
       h.first_move_at,
       COALESCE(h.moves, 0) AS moves,
       h.entry_stage,
       h.entry_at,
       h.entry_left_at,
       h.entry_skipped,
       h.mql_start_at,
       h.mql_exit_at,
       h.mql_sales_action,
       h.mql_outcome,
       h.mql_later_won,
       h.rejection_at,
       h.rejection_reason,
       h.rejection_mql_at,
       COALESCE(r.revenue, 0.00) AS won_revenue
  FROM @extschema@.lead l
  LEFT JOIN (SELECT sh.lead_id,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).mql_at,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).sal_at,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).sql_at,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).opportunity_at,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).won_at,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).lost_at,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).first_move_at,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).moves,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).entry_stage,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).entry_at,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).entry_left_at,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).entry_skipped,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).mql_start_at,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).mql_exit_at,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).mql_sales_action,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).mql_outcome,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).mql_later_won,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).rejection_at,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).rejection_reason,
                    (@extschema@.lead_timeline(sh.from_stage, sh.to_stage, sh.changed_at, sh.actor, sh.reason, sh.history_id)).rejection_mql_at
               FROM @extschema@.stage_history sh
              GROUP BY sh.lead_id) h ON h.lead_id OPERATOR(pg_catalog.=) l.lead_id
  LEFT JOIN (SELECT o.lead_id, pg_catalog.sum(o.amount) AS revenue
               FROM @extschema@.opportunity o
              WHERE o.status OPERATOR(pg_catalog.=) 'won'
              GROUP BY o.lead_id) r ON r.lead_id OPERATOR(pg_catalog.=) l.lead_id;
COMMENT ON VIEW @extschema@.lead_timelines IS
    'one row per lead: acquisition columns and its stage history as the reports read it (first reach of each waterfall stage, entries, MQL cycles, rejections, won revenue)';
COMMENT ON COLUMN @extschema@.lead_timelines.lead_id IS 'lead identifier';
COMMENT ON COLUMN @extschema@.lead_timelines.created_at IS 'when the lead was created: it reached inquiry then';
COMMENT ON COLUMN @extschema@.lead_timelines.source_channel IS 'acquisition channel';
COMMENT ON COLUMN @extschema@.lead_timelines.source_campaign IS 'acquisition campaign';
COMMENT ON COLUMN @extschema@.lead_timelines.owner IS 'sales rep who owns the lead now';
COMMENT ON COLUMN @extschema@.lead_timelines.model IS 'scoring model of the lead';
COMMENT ON COLUMN @extschema@.lead_timelines.grade IS 'stored grade, A1 (best) … D4';
COMMENT ON COLUMN @extschema@.lead_timelines.mql_at IS 'first time the lead reached mql (a skipped mql counts as reached at the later entry); NULL: never';
COMMENT ON COLUMN @extschema@.lead_timelines.sal_at IS 'first time the lead reached sal (or skipped it); NULL: never';
COMMENT ON COLUMN @extschema@.lead_timelines.sql_at IS 'first time the lead reached sql (or skipped it); NULL: never';
COMMENT ON COLUMN @extschema@.lead_timelines.opportunity_at IS 'first time the lead reached opportunity (or skipped it); NULL: never';
COMMENT ON COLUMN @extschema@.lead_timelines.won_at IS 'first time the lead entered won; NULL: never';
COMMENT ON COLUMN @extschema@.lead_timelines.lost_at IS 'first time the lead entered lost; NULL: never';
COMMENT ON COLUMN @extschema@.lead_timelines.first_move_at IS 'time of the first stage move, the end of the inquiry stay; NULL: still in inquiry';
COMMENT ON COLUMN @extschema@.lead_timelines.moves IS 'number of stage_history rows of the lead';
COMMENT ON COLUMN @extschema@.lead_timelines.entry_stage IS 'stages entered, in time order, skipped waterfall stages included (the inquiry at created_at not included)';
COMMENT ON COLUMN @extschema@.lead_timelines.entry_at IS 'when each entry of entry_stage happened';
COMMENT ON COLUMN @extschema@.lead_timelines.entry_left_at IS 'when the lead left each entered stage (NULL: still there; a skipped stage is left at once)';
COMMENT ON COLUMN @extschema@.lead_timelines.entry_skipped IS 'whether each entry is a skipped waterfall stage';
COMMENT ON COLUMN @extschema@.lead_timelines.mql_start_at IS 'start of each MQL cycle (each entry into mql, real or skipped)';
COMMENT ON COLUMN @extschema@.lead_timelines.mql_exit_at IS 'end of each MQL cycle (NULL: still in mql)';
COMMENT ON COLUMN @extschema@.lead_timelines.mql_sales_action IS 'whether each MQL cycle ended by a sales action';
COMMENT ON COLUMN @extschema@.lead_timelines.mql_outcome IS 'accepted, recycled or disqualified by sales, or NULL, for each MQL cycle';
COMMENT ON COLUMN @extschema@.lead_timelines.mql_later_won IS 'whether each MQL cycle was rejected and the lead entered won later';
COMMENT ON COLUMN @extschema@.lead_timelines.rejection_at IS 'when each rejection (sales: mql, sal or sql into nurture or disqualified) happened';
COMMENT ON COLUMN @extschema@.lead_timelines.rejection_reason IS 'reason code of each rejection';
COMMENT ON COLUMN @extschema@.lead_timelines.rejection_mql_at IS 'start of the MQL cycle each rejection belongs to (NULL: none)';
COMMENT ON COLUMN @extschema@.lead_timelines.won_revenue IS 'sum of the amounts of the lead''s won opportunities (0 when none)';

/*
 * funnel: the cohort waterfall over all leads.  One aggregate row (counts
 * and medians of every stage, one pass), unpivoted into the six stages.
 */
CREATE VIEW @extschema@.funnel WITH (security_invoker = true) AS
WITH a AS (
    SELECT pg_catalog.count(*) AS n0,
           pg_catalog.count(t.mql_at) AS n1,
           pg_catalog.count(t.sal_at) AS n2,
           pg_catalog.count(t.sql_at) AS n3,
           pg_catalog.count(t.opportunity_at) AS n4,
           pg_catalog.count(t.won_at) AS n5,
           pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY @extschema@.report_seconds(t.created_at, t.mql_at)) AS d0,
           pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY @extschema@.report_seconds(t.mql_at, t.sal_at)) AS d1,
           pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY @extschema@.report_seconds(t.sal_at, t.sql_at)) AS d2,
           pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY @extschema@.report_seconds(t.sql_at, t.opportunity_at)) AS d3,
           pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY @extschema@.report_seconds(t.opportunity_at, t.won_at)) AS d4
      FROM @extschema@.lead_timelines t
)
SELECT v.stage,
       v.reached,
       v.converted,
       @extschema@.report_rate(v.converted, v.reached) AS conversion_rate,
       pg_catalog.round((v.seconds OPERATOR(pg_catalog./) 86400)::pg_catalog.numeric, 2) AS median_days_to_next
  FROM a,
       LATERAL (VALUES ('inquiry'::@extschema@.stage, a.n0, a.n1, a.d0),
                       ('mql'::@extschema@.stage, a.n1, a.n2, a.d1),
                       ('sal'::@extschema@.stage, a.n2, a.n3, a.d2),
                       ('sql'::@extschema@.stage, a.n3, a.n4, a.d3),
                       ('opportunity'::@extschema@.stage, a.n4, a.n5, a.d4),
                       ('won'::@extschema@.stage, a.n5, NULL::bigint, NULL::float8))
           AS v(stage, reached, converted, seconds)
 ORDER BY v.stage;
COMMENT ON VIEW @extschema@.funnel IS
    'cohort waterfall over all leads: how many reached each stage inquiry … won (skipped stages count as reached), how many of them reached the next, and how fast';
COMMENT ON COLUMN @extschema@.funnel.stage IS 'waterfall stage (inquiry, mql, sal, sql, opportunity, won)';
COMMENT ON COLUMN @extschema@.funnel.reached IS 'leads that reached the stage at least once';
COMMENT ON COLUMN @extschema@.funnel.converted IS 'of those, leads that reached the next stage (NULL for won)';
COMMENT ON COLUMN @extschema@.funnel.conversion_rate IS 'converted / reached, a fraction in [0, 1] rounded to 4 decimals (NULL when reached is 0, and for won)';
COMMENT ON COLUMN @extschema@.funnel.median_days_to_next IS 'median days from first reaching the stage to first reaching the next, over the converted leads, rounded to 2 decimals (NULL when none)';

/*
 * funnel_by_cohort: the same waterfall per month of created_at and
 * acquisition channel.
 */
CREATE VIEW @extschema@.funnel_by_cohort WITH (security_invoker = true) AS
SELECT c.cohort_month, c.channel, c.inquiries, c.mqls, c.sals, c.sqls, c.opportunities,
       c.won, c.lost, c.revenue,
       @extschema@.report_rate(c.mqls, c.inquiries) AS inquiry_to_mql,
       @extschema@.report_rate(c.sals, c.mqls) AS mql_to_sal,
       @extschema@.report_rate(c.sqls, c.sals) AS sal_to_sql,
       @extschema@.report_rate(c.opportunities, c.sqls) AS sql_to_opportunity,
       @extschema@.report_rate(c.won, c.opportunities) AS opportunity_to_won,
       @extschema@.report_rate(c.won, c.inquiries) AS inquiry_to_won
  FROM (SELECT @extschema@.report_month(t.created_at) AS cohort_month,
               t.source_channel AS channel,
               pg_catalog.count(*) AS inquiries,
               pg_catalog.count(t.mql_at) AS mqls,
               pg_catalog.count(t.sal_at) AS sals,
               pg_catalog.count(t.sql_at) AS sqls,
               pg_catalog.count(t.opportunity_at) AS opportunities,
               pg_catalog.count(t.won_at) AS won,
               pg_catalog.count(*) FILTER (WHERE t.lost_at IS NOT NULL AND t.won_at IS NULL) AS lost,
               pg_catalog.sum(t.won_revenue) AS revenue
          FROM @extschema@.lead_timelines t
         GROUP BY 1, 2) c;
COMMENT ON VIEW @extschema@.funnel_by_cohort IS
    'cohort waterfall per month of lead creation and acquisition channel: each lead counted once per stage it reached, with won revenue and stage-to-stage rates';
COMMENT ON COLUMN @extschema@.funnel_by_cohort.cohort_month IS 'first day of the month the leads were created (session time zone)';
COMMENT ON COLUMN @extschema@.funnel_by_cohort.channel IS 'acquisition channel (lead.source_channel; NULL: unknown)';
COMMENT ON COLUMN @extschema@.funnel_by_cohort.inquiries IS 'leads created in the month';
COMMENT ON COLUMN @extschema@.funnel_by_cohort.mqls IS 'of them, leads that reached mql (at any time)';
COMMENT ON COLUMN @extschema@.funnel_by_cohort.sals IS 'leads that reached sal';
COMMENT ON COLUMN @extschema@.funnel_by_cohort.sqls IS 'leads that reached sql';
COMMENT ON COLUMN @extschema@.funnel_by_cohort.opportunities IS 'leads that reached opportunity';
COMMENT ON COLUMN @extschema@.funnel_by_cohort.won IS 'leads that were won';
COMMENT ON COLUMN @extschema@.funnel_by_cohort.lost IS 'leads that lost an opportunity and were never won';
COMMENT ON COLUMN @extschema@.funnel_by_cohort.revenue IS 'sum of the amounts of these leads'' won opportunities';
COMMENT ON COLUMN @extschema@.funnel_by_cohort.inquiry_to_mql IS 'mqls / inquiries (4 decimals; NULL when 0 inquiries)';
COMMENT ON COLUMN @extschema@.funnel_by_cohort.mql_to_sal IS 'sals / mqls (NULL when 0 mqls)';
COMMENT ON COLUMN @extschema@.funnel_by_cohort.sal_to_sql IS 'sqls / sals (NULL when 0 sals)';
COMMENT ON COLUMN @extschema@.funnel_by_cohort.sql_to_opportunity IS 'opportunities / sqls (NULL when 0 sqls)';
COMMENT ON COLUMN @extschema@.funnel_by_cohort.opportunity_to_won IS 'won / opportunities (NULL when 0 opportunities)';
COMMENT ON COLUMN @extschema@.funnel_by_cohort.inquiry_to_won IS 'won / inquiries (NULL when 0 inquiries)';

/*
 * funnel_by_period: entries per month of the entry, channel and waterfall
 * stage.  Every lead enters inquiry at created_at; every other entry comes
 * from the timeline (skipped stages included, each recycled entry again).
 */
CREATE VIEW @extschema@.funnel_by_period WITH (security_invoker = true) AS
WITH c AS (
    SELECT @extschema@.report_month(e.entered_at) AS period_month,
           t.source_channel AS channel,
           pg_catalog.count(*) FILTER (WHERE e.stage OPERATOR(pg_catalog.=) 'inquiry'::@extschema@.stage) AS n0,
           pg_catalog.count(*) FILTER (WHERE e.stage OPERATOR(pg_catalog.=) 'mql'::@extschema@.stage) AS n1,
           pg_catalog.count(*) FILTER (WHERE e.stage OPERATOR(pg_catalog.=) 'sal'::@extschema@.stage) AS n2,
           pg_catalog.count(*) FILTER (WHERE e.stage OPERATOR(pg_catalog.=) 'sql'::@extschema@.stage) AS n3,
           pg_catalog.count(*) FILTER (WHERE e.stage OPERATOR(pg_catalog.=) 'opportunity'::@extschema@.stage) AS n4,
           pg_catalog.count(*) FILTER (WHERE e.stage OPERATOR(pg_catalog.=) 'won'::@extschema@.stage) AS n5
      FROM @extschema@.lead_timelines t,
           -- the inquiry, then each entry (one function scan, not a
           -- UNION ALL subquery, which Citus cannot push down to the shards)
           ROWS FROM (pg_catalog.unnest(ARRAY['inquiry'::@extschema@.stage] OPERATOR(pg_catalog.||) t.entry_stage),
                      pg_catalog.unnest(ARRAY[t.created_at] OPERATOR(pg_catalog.||) t.entry_at)) AS e(stage, entered_at)
     WHERE e.stage OPERATOR(pg_catalog.<=) 'won'::@extschema@.stage
     GROUP BY 1, 2
)
SELECT c.period_month,
       c.channel,
       v.stage,
       v.entries,
       @extschema@.report_rate(v.next_entries, v.entries) AS conversion_rate
  FROM c,
       LATERAL (VALUES ('inquiry'::@extschema@.stage, c.n0, c.n1),
                       ('mql'::@extschema@.stage, c.n1, c.n2),
                       ('sal'::@extschema@.stage, c.n2, c.n3),
                       ('sql'::@extschema@.stage, c.n3, c.n4),
                       ('opportunity'::@extschema@.stage, c.n4, c.n5),
                       ('won'::@extschema@.stage, c.n5, NULL::bigint))
           AS v(stage, entries, next_entries);
COMMENT ON VIEW @extschema@.funnel_by_period IS
    'period waterfall: entries into each stage per month of the entry and acquisition channel (a recycled lead entering mql twice is two entries; skipped stages count as entered at the later entry)';
COMMENT ON COLUMN @extschema@.funnel_by_period.period_month IS 'first day of the month of the entries (session time zone)';
COMMENT ON COLUMN @extschema@.funnel_by_period.channel IS 'acquisition channel of the leads (NULL: unknown)';
COMMENT ON COLUMN @extschema@.funnel_by_period.stage IS 'waterfall stage; all six appear for every month and channel with any entry';
COMMENT ON COLUMN @extschema@.funnel_by_period.entries IS 'entries into the stage in the month';
COMMENT ON COLUMN @extschema@.funnel_by_period.conversion_rate IS 'entries into the next stage in the same month and channel / entries into this one, 4 decimals (NULL for won or 0 entries); the one report rate that may exceed 1';

/*
 * stage_velocity: how long leads stay in each stage.  The inquiry stay runs
 * from created_at to the first move; every other stay from an entry to the
 * next move.  Skipped stages are not stays.  The stays are grouped by
 * stage first and the nine stages joined to the nine groups after, so no
 * sort of every stay is needed for the join.
 */
CREATE VIEW @extschema@.stage_velocity WITH (security_invoker = true) AS
WITH s AS (
    SELECT e.stage, @extschema@.report_seconds(e.entered_at, e.left_at) AS seconds
      FROM @extschema@.lead_timelines t,
           -- the inquiry, then each entry (one function scan: see funnel_by_period)
           ROWS FROM (pg_catalog.unnest(ARRAY['inquiry'::@extschema@.stage] OPERATOR(pg_catalog.||) t.entry_stage),
                      pg_catalog.unnest(ARRAY[t.created_at] OPERATOR(pg_catalog.||) t.entry_at),
                      pg_catalog.unnest(ARRAY[t.first_move_at] OPERATOR(pg_catalog.||) t.entry_left_at),
                      pg_catalog.unnest(ARRAY[false] OPERATOR(pg_catalog.||) t.entry_skipped))
           AS e(stage, entered_at, left_at, skipped)
     WHERE NOT e.skipped
), g AS (
    SELECT s.stage,
           pg_catalog.count(*) AS entries,
           pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY s.seconds) AS median,
           pg_catalog.percentile_cont(0.9) WITHIN GROUP (ORDER BY s.seconds) AS p90
      FROM s
     GROUP BY s.stage
)
SELECT st.stage,
       COALESCE(g.entries, 0) AS entries,
       pg_catalog.round((g.median OPERATOR(pg_catalog./) 86400)::pg_catalog.numeric, 2) AS median_days,
       pg_catalog.round((g.p90 OPERATOR(pg_catalog./) 86400)::pg_catalog.numeric, 2) AS p90_days
  FROM pg_catalog.unnest(pg_catalog.enum_range(NULL::@extschema@.stage)) AS st(stage)
  LEFT JOIN g ON g.stage OPERATOR(pg_catalog.=) st.stage
 ORDER BY st.stage;
COMMENT ON VIEW @extschema@.stage_velocity IS
    'time in stage: for every stage, how many times leads entered it and the median and 90th percentile days until they left it';
COMMENT ON COLUMN @extschema@.stage_velocity.stage IS 'lifecycle stage (all nine, in enum order)';
COMMENT ON COLUMN @extschema@.stage_velocity.entries IS 'entries into the stage (skipped waterfall stages not counted), left or not';
COMMENT ON COLUMN @extschema@.stage_velocity.median_days IS 'median days from entering the stage to leaving it, over the entries that left (interpolated, 2 decimals; NULL when none left)';
COMMENT ON COLUMN @extschema@.stage_velocity.p90_days IS '90th percentile of the same durations (interpolated, 2 decimals; NULL when none left)';

/*
 * mql_acceptance: the sales-rejection report, one row per month of MQL
 * cycle start, channel, campaign and owner.  A cycle is due at its start
 * plus the sla of the lead's model; it is ignored when the lead was still
 * in it after that (sales acted late or not at all), pending while it is
 * open and not yet due.
 */
CREATE VIEW @extschema@.mql_acceptance WITH (security_invoker = true) AS
WITH c AS (
    SELECT @extschema@.report_month(u.start_at) AS mql_month,
           t.source_channel AS channel,
           t.source_campaign AS campaign,
           t.owner,
           u.start_at, u.exit_at, u.sales_action, u.outcome, u.later_won,
           CASE WHEN u.start_at OPERATOR(pg_catalog.<) '294000-01-01 00:00:00+00'::pg_catalog.timestamptz
                THEN u.start_at OPERATOR(pg_catalog.+) m.sla
                ELSE 'infinity'::pg_catalog.timestamptz END AS due_at
      FROM @extschema@.lead_timelines t
      JOIN @extschema@.scoring_model m ON m.name OPERATOR(pg_catalog.=) t.model,
           LATERAL ROWS FROM (pg_catalog.unnest(t.mql_start_at), pg_catalog.unnest(t.mql_exit_at), pg_catalog.unnest(t.mql_sales_action), pg_catalog.unnest(t.mql_outcome), pg_catalog.unnest(t.mql_later_won))
           AS u(start_at, exit_at, sales_action, outcome, later_won)
)
SELECT a.mql_month, a.channel, a.campaign, a.owner, a.mqls, a.accepted, a.rejected,
       a.recycled, a.disqualified, a.ignored, a.pending,
       @extschema@.report_rate(a.accepted, a.mqls) AS acceptance_rate,
       @extschema@.report_rate(a.rejected, a.mqls) AS rejection_rate,
       pg_catalog.round((a.median_seconds OPERATOR(pg_catalog./) 3600)::pg_catalog.numeric, 2) AS median_hours_to_action,
       a.rejected_later_won
  FROM (SELECT c.mql_month, c.channel, c.campaign, c.owner,
               pg_catalog.count(*) AS mqls,
               pg_catalog.count(*) FILTER (WHERE c.outcome OPERATOR(pg_catalog.=) 'accepted') AS accepted,
               pg_catalog.count(*) FILTER (WHERE c.outcome OPERATOR(pg_catalog.=) ANY ('{recycled,disqualified}'::text[])) AS rejected,
               pg_catalog.count(*) FILTER (WHERE c.outcome OPERATOR(pg_catalog.=) 'recycled') AS recycled,
               pg_catalog.count(*) FILTER (WHERE c.outcome OPERATOR(pg_catalog.=) 'disqualified') AS disqualified,
               pg_catalog.count(*) FILTER (WHERE COALESCE(c.exit_at, pg_catalog.now()) OPERATOR(pg_catalog.>) c.due_at) AS ignored,
               pg_catalog.count(*) FILTER (WHERE c.exit_at IS NULL AND pg_catalog.now() OPERATOR(pg_catalog.<=) c.due_at) AS pending,
               pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY @extschema@.report_seconds(c.start_at, c.exit_at))
                   FILTER (WHERE c.sales_action) AS median_seconds,
               pg_catalog.count(*) FILTER (WHERE c.later_won) AS rejected_later_won
          FROM c
         GROUP BY c.mql_month, c.channel, c.campaign, c.owner) a;
COMMENT ON VIEW @extschema@.mql_acceptance IS
    'the sales-rejection report: what sales did with marketing''s MQLs, per month the MQL started, channel, campaign and owner (each entry into mql is one MQL; a skipped mql is one accepted at once)';
COMMENT ON COLUMN @extschema@.mql_acceptance.mql_month IS 'first day of the month the MQLs started (session time zone)';
COMMENT ON COLUMN @extschema@.mql_acceptance.channel IS 'acquisition channel of the leads';
COMMENT ON COLUMN @extschema@.mql_acceptance.campaign IS 'acquisition campaign of the leads';
COMMENT ON COLUMN @extschema@.mql_acceptance.owner IS 'sales rep who owns the leads now';
COMMENT ON COLUMN @extschema@.mql_acceptance.mqls IS 'MQLs: entries into mql (a lead re-qualified after nurture counts again)';
COMMENT ON COLUMN @extschema@.mql_acceptance.accepted IS 'MQLs sales accepted (moved on to sal or further), in time or late';
COMMENT ON COLUMN @extschema@.mql_acceptance.rejected IS 'MQLs sales rejected from mql (recycled + disqualified)';
COMMENT ON COLUMN @extschema@.mql_acceptance.recycled IS 'MQLs sales sent back to nurture';
COMMENT ON COLUMN @extschema@.mql_acceptance.disqualified IS 'MQLs sales disqualified';
COMMENT ON COLUMN @extschema@.mql_acceptance.ignored IS 'MQLs still in mql after they were due (start + the model''s sla): no sales action in time, whether sales acted late or never';
COMMENT ON COLUMN @extschema@.mql_acceptance.pending IS 'MQLs still in mql and not yet due';
COMMENT ON COLUMN @extschema@.mql_acceptance.acceptance_rate IS 'accepted / mqls, a fraction in [0, 1], 4 decimals';
COMMENT ON COLUMN @extschema@.mql_acceptance.rejection_rate IS 'rejected / mqls, a fraction in [0, 1], 4 decimals';
COMMENT ON COLUMN @extschema@.mql_acceptance.median_hours_to_action IS 'median hours from the MQL''s start to the sales action that ended it, over the MQLs sales acted on (2 decimals; NULL when none)';
COMMENT ON COLUMN @extschema@.mql_acceptance.rejected_later_won IS 'MQLs sales rejected whose lead was won later';

/*
 * rejection_reasons: every rejection (SPEC §4: sales, from mql, sal or sql
 * into nurture or disqualified), by the month of the MQL it belongs to,
 * channel and reason.
 */
CREATE VIEW @extschema@.rejection_reasons WITH (security_invoker = true) AS
SELECT r.mql_month, r.channel, r.reason, r.rejections,
       @extschema@.report_rate(r.rejections,
                               pg_catalog.sum(r.rejections) OVER (PARTITION BY r.mql_month, r.channel)) AS share
  FROM (SELECT @extschema@.report_month(COALESCE(u.mql_at, u.rejected_at)) AS mql_month,
               t.source_channel AS channel,
               u.reason,
               pg_catalog.count(*) AS rejections
          FROM @extschema@.lead_timelines t,
               LATERAL ROWS FROM (pg_catalog.unnest(t.rejection_at), pg_catalog.unnest(t.rejection_reason), pg_catalog.unnest(t.rejection_mql_at))
               AS u(rejected_at, reason, mql_at)
         GROUP BY 1, 2, 3) r;
COMMENT ON VIEW @extschema@.rejection_reasons IS
    'why sales rejects: rejections (sales moves from mql, sal or sql into nurture or disqualified) per month of the MQL they belong to, channel and reason';
COMMENT ON COLUMN @extschema@.rejection_reasons.mql_month IS 'first day of the month of the MQL the rejection belongs to (the latest mql entry at or before it; the rejection''s own month when none)';
COMMENT ON COLUMN @extschema@.rejection_reasons.channel IS 'acquisition channel of the leads';
COMMENT ON COLUMN @extschema@.rejection_reasons.reason IS 'rejection reason code (leadqual.rejection_reason.code)';
COMMENT ON COLUMN @extschema@.rejection_reasons.rejections IS 'rejections with that reason';
COMMENT ON COLUMN @extschema@.rejection_reasons.share IS 'rejections / all rejections of the same month and channel, 4 decimals';

/*
 * score_calibration: do better grades convert better?  By model and stored
 * grade (NULL: not scored yet).  predicted_win_rate: what the default
 * predictive model expects of the grade's leads that reached mql (the
 * leads it is trained on: a win within its horizon of the first mql
 * entry), next to what happened to the same leads (mql_win_rate: won, at
 * any time, of those that reached mql).
 */
CREATE VIEW @extschema@.score_calibration WITH (security_invoker = true) AS
SELECT t.model,
       t.grade,
       pg_catalog.count(*) AS leads,
       @extschema@.report_rate(pg_catalog.count(t.mql_at), pg_catalog.count(*)) AS mql_rate,
       @extschema@.report_rate(pg_catalog.count(t.sql_at), pg_catalog.count(*)) AS sql_rate,
       @extschema@.report_rate(pg_catalog.count(t.won_at), pg_catalog.count(*)) AS win_rate,
       pg_catalog.sum(t.won_revenue) AS revenue,
       pg_catalog.round((pg_catalog.avg(w.win_probability)
                         FILTER (WHERE t.mql_at IS NOT NULL))::pg_catalog.numeric, 4) AS predicted_win_rate,
       @extschema@.report_rate(pg_catalog.count(t.won_at), pg_catalog.count(t.mql_at)) AS mql_win_rate
  FROM @extschema@.lead_timelines t
  LEFT JOIN (SELECT p.lead_id, pg_catalog.max(p.win_probability) AS win_probability
               FROM @extschema@.lead_win_probabilities() p
              GROUP BY p.lead_id) w ON w.lead_id OPERATOR(pg_catalog.=) t.lead_id
 GROUP BY t.model, t.grade;
COMMENT ON VIEW @extschema@.score_calibration IS
    'score calibration: for each model and stored grade, how many leads, and what share of them reached mql, reached sql and were won, with their revenue; and of those that reached mql, the default predictive model''s mean win probability next to the share won';
COMMENT ON COLUMN @extschema@.score_calibration.model IS 'scoring model';
COMMENT ON COLUMN @extschema@.score_calibration.grade IS 'stored grade A1 … D4 (NULL: not scored)';
COMMENT ON COLUMN @extschema@.score_calibration.leads IS 'leads of that model with that grade';
COMMENT ON COLUMN @extschema@.score_calibration.mql_rate IS 'share of them that reached mql (4 decimals)';
COMMENT ON COLUMN @extschema@.score_calibration.sql_rate IS 'share that reached sql (4 decimals)';
COMMENT ON COLUMN @extschema@.score_calibration.win_rate IS 'share that were won (4 decimals)';
COMMENT ON COLUMN @extschema@.score_calibration.revenue IS 'sum of the amounts of their won opportunities';
COMMENT ON COLUMN @extschema@.score_calibration.predicted_win_rate IS 'predicted: mean lead_status.win_probability (default predictive model) of those that reached mql, 4 decimals; NULL until the model is trained';
COMMENT ON COLUMN @extschema@.score_calibration.mql_win_rate IS 'actual, for the same leads: share of those that reached mql that were won (4 decimals), next to predicted_win_rate';
