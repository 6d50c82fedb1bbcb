/*-------------------------------------------------------------------------
 *
 * live_scoring.c
 *	  Live scoring's statements (SPEC §4; src/sql/live_scoring.sql says
 *	  who calls what and with whose rights): the trigger on inserted
 *	  events, and the routines the other triggers call, rescore_leads(),
 *	  apply_automatic_moves(), rebuild_score_state() and
 *	  forget_score_states().
 *
 *	  Each statement is written once over leadqual's tables by token
 *	  (citus/lead_plans.c): on one node it reads and writes the tables; on
 *	  Citus, where the triggers fire on a shard, it reads and writes only
 *	  the colocated shards of the statement's leads and this node's
 *	  placements of the reference tables.  Plans are kept per backend.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/timestamp.h"

#include "leadqual.h"
#include "citus/citus.h"
#include "lifecycle/lifecycle.h"

PG_FUNCTION_INFO_V1(lq_event_inserted);
PG_FUNCTION_INFO_V1(lq_rescore_leads);
PG_FUNCTION_INFO_V1(lq_apply_automatic_moves);
PG_FUNCTION_INFO_V1(lq_rebuild_score_state);
PG_FUNCTION_INFO_V1(lq_forget_score_states);

/*
 * The new events of one statement merged into their leads' stored states
 * (an UPDATE: concurrent inserts for one lead serialize on the state row
 * and none is lost), the scores stored at $1, and the leads read back for
 * the automatic moves.  delta: the new events of each lead, in lead_id
 * order (the state rows are then updated in that order, so concurrent
 * batches lock alike).  merged: the states with the new events counted
 * (the state names its model: no probe of lead needed).  added:
 * placeholders for leads without a state row (INSERT … ON CONFLICT:
 * concurrent first events of a lead serialize on its key).  stored: the
 * scores the states give (fit does not change with events: the stored one
 * is kept).  Returns the leads to rebuild (new or stale states), and the
 * leads that may move with their latest hand-raise.
 */
static const LqLeadStatement lq_events_merge = {
	"merge new events",
	"WITH delta AS ("
	"    SELECT n.lead_id, pg_catalog.array_agg(n.event_type) AS types,"
	"           pg_catalog.array_agg(n.properties) AS props,"
	"           pg_catalog.array_agg(n.occurred_at) AS times"
	"      FROM new_events n"
	"     GROUP BY n.lead_id"
	"     ORDER BY n.lead_id"
	"), merged AS ("
	"    UPDATE {lead_score_state} s"
	"       SET state = leadqual.state_add_events(s.state, d.types, d.props, d.times)"
	"      FROM delta d"
	"     WHERE s.lead_id OPERATOR(pg_catalog.=) d.lead_id"
	"    RETURNING s.lead_id, s.state"
	"), added AS ("
	"    INSERT INTO {lead_score_state} AS s (lead_id, state)"
	"    SELECT d.lead_id, NULL FROM delta d"
	"     WHERE NOT EXISTS (SELECT FROM merged m WHERE m.lead_id OPERATOR(pg_catalog.=) d.lead_id)"
	"     ORDER BY d.lead_id"
	"    ON CONFLICT (lead_id) DO UPDATE SET state = NULL"
	"    RETURNING s.lead_id"
	"), stored AS ("
	"    UPDATE {lead} l"
	"       SET (fit_score, engagement_score, score, grade, scored_at) ="
	"           (SELECT x.fit, x.eng, x.fit OPERATOR(pg_catalog.+) x.eng,"
	"                   leadqual.grade(l.model, x.fit, x.eng), $1"
	"              FROM (SELECT COALESCE(l.fit_score, leadqual.fit_score(l)) AS fit,"
	"                           COALESCE(r.engagement,"
	"                                    (SELECT leadqual.engagement_score(l.model, e.event_type, e.properties,"
	"                                                                      e.occurred_at, $1)"
	"                                       FROM {event} e"
	"                                      WHERE e.lead_id OPERATOR(pg_catalog.=) l.lead_id)) AS eng) x)"
	"      FROM merged m"
	"     CROSS JOIN LATERAL leadqual.state_read(m.state, $1) r"
	"     WHERE l.lead_id OPERATOR(pg_catalog.=) m.lead_id AND m.state IS NOT NULL"
	"    RETURNING l.lead_id, l.stage, l.stage_entered_at, l.score, l.grade, l.model, r.last_hand_raise"
	")"
	" SELECT (SELECT pg_catalog.array_agg(x.lead_id ORDER BY x.lead_id)"
	"           FROM (SELECT a.lead_id FROM added a"
	"                 UNION ALL SELECT m.lead_id FROM merged m WHERE m.state IS NULL) x),"
	"        pg_catalog.array_agg(st.lead_id ORDER BY st.lead_id),"
	"        pg_catalog.array_agg(st.last_hand_raise ORDER BY st.lead_id)"
	"   FROM stored st"
	"  WHERE leadqual.automatic_move_reason(st.model, st.stage, st.stage_entered_at, st.score,"
	"                                       st.grade, st.last_hand_raise, $1) IS NOT NULL",
	1, {TIMESTAMPTZOID}
};

/* live scoring off: the new events' leads forget their states */
static const LqLeadStatement lq_events_forget = {
	"forget the new events' states",
	"DELETE FROM {lead_score_state} s"
	" WHERE s.lead_id IN (SELECT n.lead_id FROM new_events n)",
	0, {InvalidOid}
};

/*
 * The system's moves into mql for leads $2 at $1, as automatic_move_reason
 * decides on each lead's locked row; $3[i] is the latest hand-raise of
 * $2[i] known to the caller.  A move is made only if leadqual.transition
 * lets 'system' make it; each sends its hand-off notification, in history
 * order.  The fence (OFFSET 0) keeps one index probe per lead given:
 * stale statistics after a bulk load can make lead look tiny.  The move
 * is rechecked on the newest row if a concurrent action moved the lead
 * while we waited for it: then it is not ours to make.  history_id comes
 * from leadqual.next_history_id() (on Citus, a range of its own per node).
 */
static const LqLeadStatement lq_moves = {
	"automatic moves",
	"WITH c AS ("
	"    SELECT * FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3)) AS c(lead_id, last_hr)"
	"), cand AS ("
	"    SELECT l.lead_id, l.stage AS from_stage, l.score, m.sla,"
	"           leadqual.automatic_move_reason(l.model, l.stage, l.stage_entered_at, l.score,"
	"                                          l.grade, c.last_hr, $1) AS reason"
	"      FROM c"
	"     CROSS JOIN LATERAL (SELECT l.* FROM {lead} l"
	"                          WHERE l.lead_id OPERATOR(pg_catalog.=) c.lead_id OFFSET 0) l"
	"      JOIN {scoring_model} m ON m.name OPERATOR(pg_catalog.=) l.model"
	"     WHERE EXISTS (SELECT FROM {transition} t"
	"                    WHERE t.from_stage OPERATOR(pg_catalog.=) l.stage"
	"                      AND t.to_stage OPERATOR(pg_catalog.=) 'mql'"
	"                      AND 'system' OPERATOR(pg_catalog.=) ANY (t.actors))"
	"), moved AS ("
	"    UPDATE {lead} l"
	"       SET stage = 'mql', stage_entered_at = $1,"
	"           sla_due_at = $1 OPERATOR(pg_catalog.+) q.sla"
	"      FROM cand q"
	"     WHERE l.lead_id OPERATOR(pg_catalog.=) q.lead_id"
	"       AND q.reason IS NOT NULL"
	"       AND l.stage OPERATOR(pg_catalog.=) q.from_stage"
	"    RETURNING l.lead_id, q.from_stage, q.reason, l.score, l.external_id, l.owner"
	"), logged AS ("
	"    INSERT INTO {stage_history} (history_id, lead_id, from_stage, to_stage, changed_at, actor, reason, score)"
	"    SELECT leadqual.next_history_id(), o.lead_id, o.from_stage, 'mql', $1, 'system', o.reason, o.score"
	"      FROM (SELECT mv.lead_id, mv.from_stage, mv.reason, mv.score FROM moved mv"
	"             ORDER BY mv.lead_id) o"
	"    RETURNING history_id, lead_id, from_stage, to_stage, changed_at, actor, reason, score"
	")"
	/*
	 * notify_move is VOLATILE, so the subquery is neither flattened nor
	 * stripped of the unused column, and it is evaluated after the sort:
	 * one call per move, in history order.
	 */
	" SELECT n.lead_id"
	"   FROM (SELECT lg.lead_id,"
	"                leadqual.notify_move(lg.history_id, lg.lead_id, mv.external_id, lg.from_stage,"
	"                                     lg.to_stage, lg.changed_at, lg.actor, lg.reason,"
	"                                     lg.score, mv.owner) AS payload"
	"           FROM logged lg"
	"           JOIN moved mv ON mv.lead_id OPERATOR(pg_catalog.=) lg.lead_id"
	"          ORDER BY lg.history_id) n",
	3, {TIMESTAMPTZOID, INT8ARRAYOID, TIMESTAMPTZARRAYOID}
};

/*
 * The stored scores of leads $1 at $2, fit computed afresh (their columns
 * may have changed) and engagement from their just rebuilt states (from
 * the events when a state counts events after $2).  Returns the leads'
 * latest hand-raises, in the order of $1.
 */
static const LqLeadStatement lq_rescore_store = {
	"store rescored leads",
	"WITH fresh AS ("
	"    SELECT l.lead_id, l.model,"
	"           leadqual.fit_score(l) AS fit,"
	"           COALESCE(r.engagement,"
	"                    (SELECT leadqual.engagement_score(l.model, e.event_type, e.properties,"
	"                                                      e.occurred_at, $2)"
	"                       FROM {event} e WHERE e.lead_id OPERATOR(pg_catalog.=) l.lead_id), 0) AS engagement,"
	"           r.last_hand_raise"
	"      FROM {lead} l"
	"      LEFT JOIN {lead_score_state} s ON s.lead_id OPERATOR(pg_catalog.=) l.lead_id"
	"      LEFT JOIN LATERAL leadqual.state_read(s.state, $2) r ON true"
	"     WHERE l.lead_id OPERATOR(pg_catalog.=) ANY (SELECT pg_catalog.unnest($1))"
	"), stored AS ("
	"    UPDATE {lead} l"
	"       SET fit_score = f.fit,"
	"           engagement_score = f.engagement,"
	"           score = f.fit OPERATOR(pg_catalog.+) f.engagement,"
	"           grade = leadqual.grade(f.model, f.fit, f.engagement),"
	"           scored_at = $2"
	"      FROM fresh f"
	"     WHERE l.lead_id OPERATOR(pg_catalog.=) f.lead_id"
	"    RETURNING l.lead_id, f.last_hand_raise"
	")"
	" SELECT pg_catalog.array_agg(st.last_hand_raise ORDER BY u.i)"
	"   FROM pg_catalog.unnest($1) WITH ORDINALITY AS u(lead_id, i)"
	"   LEFT JOIN stored st ON st.lead_id OPERATOR(pg_catalog.=) u.lead_id",
	2, {INT8ARRAYOID, TIMESTAMPTZOID}
};

/* rebuild_score_state(), with the extension owner's rights */
static const LqLeadStatement lq_call_rebuild = {
	"call rebuild_score_state",
	"SELECT leadqual.rebuild_score_state($1)",
	1, {INT8ARRAYOID}
};

/*
 * The state rows of leads $1, locked in lead_id order first (so events
 * that commit meanwhile are either seen or merged after us), then
 * recomputed from all their events under their own model.
 */
static const LqLeadStatement lq_rebuild_lock = {
	"lock states",
	"SELECT FROM {lead_score_state} s"
	" WHERE s.lead_id OPERATOR(pg_catalog.=) ANY (SELECT pg_catalog.unnest($1))"
	" ORDER BY s.lead_id FOR UPDATE",
	1, {INT8ARRAYOID}
};

static const LqLeadStatement lq_rebuild = {
	"rebuild states",
	"INSERT INTO {lead_score_state} AS s (lead_id, state)"
	" SELECT l.lead_id,"
	"        COALESCE(leadqual.score_state(l.model, e.event_type, e.properties, e.occurred_at),"
	"                 '\\x'::pg_catalog.bytea)"
	"   FROM {lead} l"
	"   LEFT JOIN {event} e ON e.lead_id OPERATOR(pg_catalog.=) l.lead_id"
	"  WHERE l.lead_id OPERATOR(pg_catalog.=) ANY (SELECT pg_catalog.unnest($1))"
	"  GROUP BY l.lead_id, l.model"
	"  ORDER BY l.lead_id"
	" ON CONFLICT (lead_id) DO UPDATE SET state = excluded.state",
	1, {INT8ARRAYOID}
};

static const LqLeadStatement lq_forget = {
	"forget states",
	"DELETE FROM {lead_score_state} s WHERE s.lead_id OPERATOR(pg_catalog.=) ANY (SELECT pg_catalog.unnest($1))",
	1, {INT8ARRAYOID}
};

/* ----------------------------------------------------------------
 * The work, over a group of leads' relations, inside an SPI connection
 * ---------------------------------------------------------------- */

/*
 * lq_first_datum
 *		Column col of the only row of the last result, copied into the
 *		caller's (procedure) context; *isnull when NULL or no row.
 */
static Datum
lq_first_datum(int col, bool *isnull)
{
	Datum		d;

	if (SPI_processed == 0)
	{
		*isnull = true;
		return (Datum) 0;
	}
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, isnull);
	return *isnull ? (Datum) 0 : datumCopy(d, false, -1);
}

/*
 * lq_moves_run
 *		The automatic moves of leads at as_of; with out, the leads moved are
 *		put there.
 */
static void
lq_moves_run(const LqLeadRels *rels, Datum as_of, bool as_of_null, Datum leads,
			 bool leads_null, Datum hand_raises, bool hand_raises_null,
			 Tuplestorestate *out, TupleDesc outdesc)
{
	Datum		args[3] = {as_of, leads, hand_raises};
	char		nulls[3] = {as_of_null ? 'n' : ' ', leads_null ? 'n' : ' ',
	hand_raises_null ? 'n' : ' '};
	uint64		n = lq_rels_exec(&lq_moves, rels, args, nulls, false, SPI_OK_SELECT);

	if (out != NULL)
	{
		uint64		i;

		for (i = 0; i < n; i++)
		{
			bool		isnull;
			Datum		v = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);

			tuplestore_putvalues(out, outdesc, &v, &isnull);
		}
	}
}

/*
 * lq_rescore_run
 *		rescore_leads: rebuild the leads' states (with the owner's rights),
 *		store their scores at as_of and, if asked, make their moves.
 */
static void
lq_rescore_run(const LqLeadRels *rels, Datum leads, bool leads_null, Datum as_of,
			   bool as_of_null, bool moves)
{
	Datum		args[2] = {leads, as_of};
	char		nulls[2] = {leads_null ? 'n' : ' ', as_of_null ? 'n' : ' '};
	Datum		hand_raises;
	bool		hr_null;

	lq_rels_exec(&lq_call_rebuild, rels, args, nulls, false, SPI_OK_SELECT);
	lq_rels_exec(&lq_rescore_store, rels, args, nulls, false, SPI_OK_SELECT);
	hand_raises = lq_first_datum(1, &hr_null);
	if (moves)
		lq_moves_run(rels, as_of, as_of_null, leads, leads_null, hand_raises, hr_null,
					 NULL, NULL);
}

static void
lq_spi_connect(void)
{
	int			ret = SPI_connect();

	if (ret != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
}

/* ----------------------------------------------------------------
 * Entry points
 * ---------------------------------------------------------------- */

/*
 * lq_event_inserted
 *		AFTER INSERT … FOR EACH STATEMENT trigger on event (or, on Citus, on
 *		a shard of event), REFERENCING NEW TABLE AS new_events: live
 *		scoring of the inserted events at clock_timestamp().  With
 *		leadqual.auto_scoring off, only forget the leads' states (rescore()
 *		catches up, and the next live event rebuilds them).
 */
Datum
lq_event_inserted(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Datum		as_of = TimestampTzGetDatum(GetCurrentTimestamp());
	LqLeadRels	rels;
	ArrayType  *one_lead = NULL;
	Datum		rebuild,
				leads,
				hand_raises;
	bool		rebuild_null,
				leads_null,
				hr_null;
	int			ret;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) || trigdata->tg_newtable == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("event_inserted() must be an AFTER INSERT statement trigger with a NEW TABLE")));

	lq_spi_connect();
	if ((ret = SPI_register_trigger_data(trigdata)) != SPI_OK_TD_REGISTER)
		elog(ERROR, "SPI_register_trigger_data failed: %s", SPI_result_code_string(ret));

	/*
	 * On Citus the trigger fires on a shard, whose rows all fall into one
	 * shard group: one of its leads finds the group's relations.
	 */
	if (lq_citus_present())
	{
		bool		isnull;
		Datum		lead;

		ret = SPI_execute("SELECT n.lead_id FROM new_events n LIMIT 1", true, 1);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "could not read the new events: %s", SPI_result_code_string(ret));
		if (SPI_processed == 0)
		{
			SPI_finish();
			return PointerGetDatum(NULL);
		}
		lead = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		if (!isnull)
			one_lead = construct_array(&lead, 1, INT8OID, sizeof(int64), FLOAT8PASSBYVAL,
									   TYPALIGN_DOUBLE);
	}
	lq_lead_rels(one_lead, &rels);

	if (!lq_auto_scoring)
	{
		lq_rels_exec(&lq_events_forget, &rels, NULL, NULL, false, SPI_OK_DELETE);
		SPI_finish();
		return PointerGetDatum(NULL);
	}

	lq_rels_exec(&lq_events_merge, &rels, &as_of, NULL, false, SPI_OK_SELECT);
	rebuild = lq_first_datum(1, &rebuild_null);
	leads = lq_first_datum(2, &leads_null);
	hand_raises = lq_first_datum(3, &hr_null);

	if (!leads_null)
		lq_moves_run(&rels, as_of, false, leads, false, hand_raises, hr_null, NULL, NULL);
	if (!rebuild_null)
		lq_rescore_run(&rels, rebuild, false, as_of, false, true);

	SPI_finish();
	return PointerGetDatum(NULL);
}

/*
 * lq_args_rels
 *		The relations of the lead_ids argument (argument argno).
 */
static void
lq_args_rels(FunctionCallInfo fcinfo, int argno, LqLeadRels *rels)
{
	lq_lead_rels(PG_ARGISNULL(argno) ? NULL : PG_GETARG_ARRAYTYPE_P(argno), rels);
}

/*
 * lq_rescore_leads
 *		rescore_leads(lead_ids bigint[], as_of timestamptz, moves boolean):
 *		rebuild the leads' states from their events, store their scores at
 *		as_of and, if moves, make their automatic moves.  Not strict: NULLs
 *		go on to the statements as they are (NULL moves: none).
 */
Datum
lq_rescore_leads(PG_FUNCTION_ARGS)
{
	LqLeadRels	rels;

	lq_spi_connect();
	lq_args_rels(fcinfo, 0, &rels);
	lq_rescore_run(&rels, PG_GETARG_DATUM(0), PG_ARGISNULL(0), PG_GETARG_DATUM(1),
				   PG_ARGISNULL(1), !PG_ARGISNULL(2) && PG_GETARG_BOOL(2));
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * lq_apply_automatic_moves
 *		apply_automatic_moves(as_of, lead_ids, last_hand_raise) → SETOF
 *		bigint: the leads moved.  Not strict.
 */
Datum
lq_apply_automatic_moves(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	LqLeadRels	rels;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	lq_spi_connect();
	lq_args_rels(fcinfo, 1, &rels);
	lq_moves_run(&rels, PG_GETARG_DATUM(0), PG_ARGISNULL(0), PG_GETARG_DATUM(1),
				 PG_ARGISNULL(1), PG_GETARG_DATUM(2), PG_ARGISNULL(2),
				 rsinfo->setResult, rsinfo->setDesc);
	SPI_finish();
	return (Datum) 0;
}

/*
 * lq_rebuild_score_state
 *		rebuild_score_state(lead_ids bigint[]): the leads' live-scoring
 *		states recomputed from their events.  Not strict (NULL: none).
 */
Datum
lq_rebuild_score_state(PG_FUNCTION_ARGS)
{
	LqLeadRels	rels;
	Datum		leads = PG_GETARG_DATUM(0);
	char		nulls[1] = {PG_ARGISNULL(0) ? 'n' : ' '};

	lq_spi_connect();
	lq_args_rels(fcinfo, 0, &rels);
	lq_rels_exec(&lq_rebuild_lock, &rels, &leads, nulls, false, SPI_OK_SELECT);
	lq_rels_exec(&lq_rebuild, &rels, &leads, nulls, false, SPI_OK_INSERT);
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * lq_forget_score_states
 *		forget_score_states(lead_ids bigint[]): the leads' states deleted
 *		(rebuilt from the events when needed).  STRICT.
 */
Datum
lq_forget_score_states(PG_FUNCTION_ARGS)
{
	LqLeadRels	rels;
	Datum		leads = PG_GETARG_DATUM(0);

	lq_spi_connect();
	lq_args_rels(fcinfo, 0, &rels);
	lq_rels_exec(&lq_forget, &rels, &leads, NULL, false, SPI_OK_DELETE);
	SPI_finish();
	PG_RETURN_VOID();
}
