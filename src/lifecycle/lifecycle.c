/*-------------------------------------------------------------------------
 *
 * lifecycle.c
 *	  The lead state machine (SPEC §4): transition(), the sales actions
 *	  accept(), reject(), qualify(), open_opportunity(), close_opportunity(),
 *	  and can_transition().
 *
 *	  Every action fills in an LqMove and hands it to lq_move(), the one
 *	  routine that checks the arguments, locks the lead row, re-reads its
 *	  stage under the lock, validates the move against leadqual.transition,
 *	  the actor and the reason, writes the opportunity row when the action
 *	  has one, appends to leadqual.stage_history and updates the lead.
 *	  The SPI plans are prepared on first use and kept for the backend
 *	  (citus/lead_plans.c: on Citus, for each shard group they run on).
 *
 *	  Rules decided here (README documents them):
 *	  - reasons: a move into nurture, disqualified or lost takes a code of
 *	    leadqual.rejection_reason (and into nurture only a recyclable one);
 *	    a move into mql takes score_threshold or hand_raise; any other move
 *	    takes free text.  reason_required of the transition row decides
 *	    whether a reason must be given.
 *	  - sla_due_at: entering mql sets it to at + the lead's model's sla;
 *	    every other move clears it (which covers "any sales action clears
 *	    it" and "leaving mql clears it").
 *	  - recycle_count: each entry into nurture adds one.
 *	  - won is terminal whatever leadqual.transition says.
 *	  - the lead row is locked FOR NO KEY UPDATE: actions and scoring
 *	    updates of one lead serialize, while inserts of events or history
 *	    rows (whose foreign keys take KEY SHARE) are not blocked.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "leadqual.h"
#include "citus/citus.h"
#include "lifecycle/lifecycle.h"

PG_FUNCTION_INFO_V1(lq_transition);
PG_FUNCTION_INFO_V1(lq_accept);
PG_FUNCTION_INFO_V1(lq_reject);
PG_FUNCTION_INFO_V1(lq_qualify);
PG_FUNCTION_INFO_V1(lq_open_opportunity);
PG_FUNCTION_INFO_V1(lq_close_opportunity);
PG_FUNCTION_INFO_V1(lq_can_transition);

/* ----------------------------------------------------------------
 * SPI plans, prepared once per backend
 * ---------------------------------------------------------------- */

typedef enum LqPlanId
{
	LQ_PLAN_PEEK_LEAD,
	LQ_PLAN_LOCK_LEAD,
	LQ_PLAN_TRANSITION,
	LQ_PLAN_REASON,
	LQ_PLAN_INSERT_HISTORY,
	LQ_PLAN_UPDATE_LEAD,
	LQ_PLAN_INSERT_OPP,
	LQ_PLAN_FIND_OPP,
	LQ_PLAN_LOCK_OPP,
	LQ_PLAN_CLOSE_OPP,
	LQ_PLAN_MOVES_FROM,
	LQ_PLAN_REASON_LIST,
	LQ_NUM_PLANS
} LqPlanId;

/*
 * Every name is schema-qualified and every operator is pg_catalog's, so a
 * caller's search_path cannot change what these statements do.  Stages
 * travel as text and are cast to leadqual.stage in the statements.
 * leadqual's tables are named by token (citus/lead_plans.c): the tables on
 * one node; on Citus, when the action runs on the shard that holds the lead
 * (called in a query Citus pushes down), that shard group's shards and this
 * node's copies of the reference tables.  The ids of new rows come from
 * next_history_id() and next_opportunity_id() (a shard has no identity
 * default; on Citus each node has ids of its own).
 */
static const LqLeadStatement lq_plan_defs[LQ_NUM_PLANS] = {
	[LQ_PLAN_PEEK_LEAD] = {
		"peek lead",
		"SELECT l.stage::pg_catalog.text"
		" FROM {lead} l"
		" WHERE l.lead_id OPERATOR(pg_catalog.=) $1",
		1, {INT8OID}
	},
	[LQ_PLAN_LOCK_LEAD] = {
		"lock lead",
		"SELECT l.stage::pg_catalog.text,"
		" COALESCE(l.stage_entered_at, l.created_at), l.score"
		" FROM {lead} l"
		" WHERE l.lead_id OPERATOR(pg_catalog.=) $1"
		" FOR NO KEY UPDATE",
		1, {INT8OID}
	},
	[LQ_PLAN_TRANSITION] = {
		"transition",
		"SELECT t.reason_required,"
		" $3 OPERATOR(pg_catalog.=) ANY (t.actors),"
		" pg_catalog.array_to_string(t.actors, ', ')"
		" FROM {transition} t"
		" WHERE t.from_stage OPERATOR(pg_catalog.=) $1::leadqual.stage"
		" AND t.to_stage OPERATOR(pg_catalog.=) $2::leadqual.stage",
		3, {TEXTOID, TEXTOID, TEXTOID}
	},
	[LQ_PLAN_REASON] = {
		"reason",
		"SELECT r.recyclable FROM {rejection_reason} r"
		" WHERE r.code OPERATOR(pg_catalog.=) $1",
		1, {TEXTOID}
	},
	[LQ_PLAN_INSERT_HISTORY] = {
		"insert history",
		"INSERT INTO {stage_history}"
		" (history_id, lead_id, from_stage, to_stage, changed_at, actor, reason, note, score)"
		" VALUES (leadqual.next_history_id(), $1, $2::leadqual.stage, $3::leadqual.stage, $4, $5, $6, $7, $8)"
		" RETURNING history_id",
		8, {INT8OID, TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID, TEXTOID, TEXTOID, FLOAT8OID}
	},
	[LQ_PLAN_UPDATE_LEAD] = {
		"update lead",
		"UPDATE {lead} l SET"
		" stage = $2::leadqual.stage,"
		" stage_entered_at = $3,"
		" sla_due_at = CASE WHEN $2 OPERATOR(pg_catalog.=) 'mql'"
		"   THEN $3 OPERATOR(pg_catalog.+) (SELECT m.sla FROM {scoring_model} m"
		"     WHERE m.name OPERATOR(pg_catalog.=) l.model) END,"
		" recycle_count = l.recycle_count OPERATOR(pg_catalog.+)"
		"   CASE WHEN $2 OPERATOR(pg_catalog.=) 'nurture' THEN 1 ELSE 0 END,"
		" owner = COALESCE($4, l.owner)"
		" WHERE l.lead_id OPERATOR(pg_catalog.=) $1"
		" RETURNING l.external_id, l.owner",
		4, {INT8OID, TEXTOID, TIMESTAMPTZOID, TEXTOID}
	},
	[LQ_PLAN_INSERT_OPP] = {
		"insert opp",
		"INSERT INTO {opportunity} (opportunity_id, lead_id, created_at, status, amount)"
		" VALUES (leadqual.next_opportunity_id(), $1, $2, 'open', $3) RETURNING opportunity_id",
		3, {INT8OID, TIMESTAMPTZOID, NUMERICOID}
	},
	[LQ_PLAN_FIND_OPP] = {
		"find opp",
		"SELECT o.lead_id FROM {opportunity} o"
		" WHERE o.opportunity_id OPERATOR(pg_catalog.=) $1",
		1, {INT8OID}
	},
	[LQ_PLAN_LOCK_OPP] = {
		"lock opp",
		"SELECT o.status, o.closed_at FROM {opportunity} o"
		" WHERE o.lead_id OPERATOR(pg_catalog.=) $1"
		" AND o.opportunity_id OPERATOR(pg_catalog.=) $2"
		" FOR UPDATE",
		2, {INT8OID, INT8OID}
	},
	[LQ_PLAN_CLOSE_OPP] = {
		"close opp",
		"UPDATE {opportunity} o"
		" SET status = $3, closed_at = $4, amount = COALESCE($5, o.amount)"
		" WHERE o.lead_id OPERATOR(pg_catalog.=) $1"
		" AND o.opportunity_id OPERATOR(pg_catalog.=) $2",
		5, {INT8OID, INT8OID, TEXTOID, TIMESTAMPTZOID, NUMERICOID}
	},
	/* the rest only build error hints */
	[LQ_PLAN_MOVES_FROM] = {
		"moves from",
		"SELECT pg_catalog.string_agg(pg_catalog.format('%s (%s)', t.to_stage,"
		" pg_catalog.array_to_string(t.actors, ', ')), ', ' ORDER BY t.to_stage)"
		" FROM {transition} t"
		" WHERE t.from_stage OPERATOR(pg_catalog.=) $1::leadqual.stage",
		1, {TEXTOID}
	},
	[LQ_PLAN_REASON_LIST] = {
		"reason list",
		"SELECT pg_catalog.string_agg(r.code, ', ' ORDER BY r.code)"
		" FROM {rejection_reason} r WHERE r.recyclable OR NOT $1",
		1, {BOOLOID}
	},
};

/* the relations of the lead being moved (lq_move), or of no lead */
static LqLeadRels lq_rels;

/*
 * lq_exec
 *		Run a statement over lq_rels (its plan kept for the backend) and check
 *		that it returned what was expected.  nulls follows SPI's convention
 *		(' ' not null, 'n' null; NULL: none).
 */
static uint64
lq_exec(LqPlanId id, Datum *values, const char *nulls, int expect)
{
	return lq_rels_exec(&lq_plan_defs[id], &lq_rels, values, nulls, false, expect);
}

/*
 * lq_first_text
 *		Column col of the first row of the last result as a C string, or
 *		NULL when there is no row or the value is NULL.
 */
static char *
lq_first_text(int col)
{
	if (SPI_processed == 0)
		return NULL;
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col);
}

/* ----------------------------------------------------------------
 * The move
 * ---------------------------------------------------------------- */

/* What one action asks lq_move() to do. */
typedef struct LqMove
{
	const char *action;			/* SQL function name, for messages */
	const char *what;			/* "accept lead" etc., for messages */
	int64		lead_id;
	const char *to_stage;
	const char *actor;
	char	   *reason;			/* NULL: none */
	char	   *note;			/* NULL: none */
	TimestampTz at;
	char	   *owner;			/* NULL: keep the lead's owner */

	/* the named actions only act from some stages; nfrom = 0: any stage */
	int			nfrom;
	const char *from[3];
	const char *from_detail;	/* full sentence saying what the action does */

	bool		reject;			/* called by reject(): hints name recycle */

	/* open_opportunity() */
	bool		open_opp;
	Datum		open_amount;
	int64		opened_id;		/* result */

	/* close_opportunity() */
	int64		close_opp;		/* 0: none */
	const char *close_status;
	Datum		close_amount;
	bool		close_amount_null;
} LqMove;

/*
 * lq_check_actor
 *		Refuse an actor that is not one of the three the model knows.
 */
static void
lq_check_actor(const char *actor)
{
	if (strcmp(actor, "system") != 0 &&
		strcmp(actor, "marketing") != 0 &&
		strcmp(actor, "sales") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown actor \"%s\"", actor),
				 errdetail("The actors of the lead lifecycle are system, marketing and sales."),
				 errhint("Pass actor => 'marketing', 'sales' or 'system'.")));
}

/*
 * How far in the future (after the transaction's now()) an action's at may
 * lie: room for the clock skew between the caller's clock and the server's.
 * A move dated later would be recorded before it happened, and the lead
 * could not move again until then (no move may precede stage_entered_at).
 */
#define LQ_AT_MAX_AHEAD_USECS USECS_PER_HOUR

/*
 * lq_check_at
 *		Refuse an infinite move time (a move happens at an instant) and one
 *		more than LQ_AT_MAX_AHEAD_USECS after now(): moves are recorded when
 *		they happen, or backfilled, not booked for the future.
 */
static void
lq_check_at(TimestampTz at)
{
	TimestampTz now = GetCurrentTransactionStartTimestamp();

	if (TIMESTAMP_NOT_FINITE(at))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("at must be a finite timestamp"),
				 errdetail("A stage move happens at an instant, and infinity is not one."),
				 errhint("Pass a finite timestamp, or omit at to use now().")));
	if (at > now + LQ_AT_MAX_AHEAD_USECS)
	{
		char	   *at_s = pstrdup(timestamptz_to_str(at));

		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("at must not be more than 1 hour after now()"),
				 errdetail("The move is dated %s and the transaction started at %s; a move is recorded when it happens.",
						   at_s, timestamptz_to_str(now)),
				 errhint("Pass the time the move happened, or omit at to use now().")));
	}
}

/*
 * lq_check_amount
 *		Refuse a NaN, infinite or negative deal amount.
 */
static void
lq_check_amount(Datum amount)
{
	Numeric		num = DatumGetNumeric(amount);
	bool		nonfinite = numeric_is_nan(num);

#if PG_VERSION_NUM >= 140000
	nonfinite = nonfinite || numeric_is_inf(num);
#endif
	if (nonfinite)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("amount must be a finite number"),
				 errdetail("The amount given is %s.",
						   DatumGetCString(DirectFunctionCall1(numeric_out, amount))),
				 errhint("Pass the deal amount, or 0 when it is not known yet.")));
	if (DatumGetBool(DirectFunctionCall2(numeric_lt, amount,
										 DirectFunctionCall1(int4_numeric, Int32GetDatum(0)))))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("amount must not be negative"),
				 errdetail("The amount given is %s.",
						   DatumGetCString(DirectFunctionCall1(numeric_out, amount))),
				 errhint("Pass the deal amount, or 0 when it is not known yet.")));
}

/*
 * lq_null_arg
 *		Refuse a NULL argument that has no meaning as NULL.
 */
static void
lq_null_arg(const char *action, const char *arg)
{
	const char *hint;

	if (strcmp(arg, "lead_id") == 0)
		hint = "Pass a lead_id from leadqual.lead.";
	else if (strcmp(arg, "opportunity_id") == 0)
		hint = "Pass an opportunity_id from leadqual.opportunity.";
	else if (strcmp(arg, "to_stage") == 0)
		hint = "Pass a stage, e.g. 'sal'.";
	else if (strcmp(arg, "actor") == 0)
		hint = "Pass actor => 'marketing', 'sales' or 'system'.";
	else if (strcmp(arg, "reason") == 0)
		hint = "Pass a reason code from leadqual.rejection_reason, e.g. 'no_budget'.";
	else if (strcmp(arg, "recycle") == 0)
		hint = "Pass recycle => true to send the lead to nurture, or false to disqualify it.";
	else if (strcmp(arg, "amount") == 0)
		hint = "Pass the deal amount, or 0 when it is not known yet.";
	else if (strcmp(arg, "won") == 0)
		hint = "Pass won => true for a won deal, or false for a lost one.";
	else
		hint = "Pass a timestamp, or omit at to use now().";

	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s must not be null", arg),
			 errdetail("leadqual.%s() needs a value for %s.", action, arg),
			 errhint("%s", hint)));
}

/*
 * lq_check_reason
 *		Check a given reason against the stage the lead moves into: codes of
 *		leadqual.rejection_reason into nurture, disqualified and lost (only
 *		recyclable ones into nurture), the automatic-move codes into mql,
 *		free text elsewhere.  Whether a reason is required is decided later,
 *		by the transition row.  Runs inside the SPI connection.
 */
static void
lq_check_reason(LqMove *m)
{
	const char *to = m->to_stage;

	if (m->reason == NULL)
		return;

	if (strcmp(to, "mql") == 0)
	{
		if (strcmp(m->reason, "score_threshold") != 0 &&
			strcmp(m->reason, "hand_raise") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid reason \"%s\" for a move into mql", m->reason),
					 errdetail("A move into mql takes the reason score_threshold or hand_raise, or none."),
					 errhint("Pass reason => 'score_threshold' or 'hand_raise', or leave reason NULL and put free text in note.")));
		return;
	}

	if (strcmp(to, "nurture") == 0 ||
		strcmp(to, "disqualified") == 0 ||
		strcmp(to, "lost") == 0)
	{
		Datum		args[1];
		bool		isnull;
		bool		recyclable;

		args[0] = CStringGetTextDatum(m->reason);
		if (lq_exec(LQ_PLAN_REASON, args, NULL, SPI_OK_SELECT) == 0)
		{
			char	   *codes;
			Datum		largs[1];

			largs[0] = BoolGetDatum(strcmp(to, "nurture") == 0);
			lq_exec(LQ_PLAN_REASON_LIST, largs, NULL, SPI_OK_SELECT);
			codes = lq_first_text(1);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown rejection reason \"%s\"", m->reason),
					 errdetail("A move into %s takes a reason code from leadqual.rejection_reason.", to),
					 codes ? errhint("Use one of: %s.", codes) :
					 errhint("Add the reason to leadqual.rejection_reason first.")));
		}
		recyclable = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
												SPI_tuptable->tupdesc, 1, &isnull));
		if (strcmp(to, "nurture") == 0 && !recyclable)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("rejection reason \"%s\" is not recyclable", m->reason),
					 errdetail("A lead rejected for reason %s may not go to nurture (rejection_reason.recyclable is false).",
							   m->reason),
					 m->reject ?
					 errhint("Pass recycle => false to disqualify the lead.") :
					 errhint("Move the lead to disqualified instead, or give a recyclable reason.")));
	}
}

/*
 * lq_reason_hint
 *		The hint of a missing reason: what a move into to_stage takes.
 */
static int
lq_reason_hint(const char *to_stage)
{
	if (strcmp(to_stage, "mql") == 0)
		return errhint("Pass reason => 'score_threshold' or 'hand_raise'.");
	if (strcmp(to_stage, "nurture") == 0 ||
		strcmp(to_stage, "disqualified") == 0 ||
		strcmp(to_stage, "lost") == 0)
		return errhint("Pass a reason code from leadqual.rejection_reason, e.g. reason => 'no_budget'.");
	return errhint("Pass a reason: free text saying why the lead moves.");
}

/*
 * lq_refuse_illegal
 *		Report that leadqual.transition has no move from the lead's stage to
 *		the target, and list the moves it has from there.
 */
static void
lq_refuse_illegal(LqMove *m, const char *from)
{
	Datum		args[1];
	char	   *moves;

	args[0] = CStringGetTextDatum(from);
	lq_exec(LQ_PLAN_MOVES_FROM, args, NULL, SPI_OK_SELECT);
	moves = lq_first_text(1);
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("cannot move lead %lld from %s to %s",
					(long long) m->lead_id, from, m->to_stage),
			 errdetail("leadqual.transition has no move from %s to %s.", from, m->to_stage),
			 moves ? errhint("Moves from %s (and who may make them): %s.", from, moves) :
			 errhint("leadqual.transition has no move from %s at all; an admin can add one.",
					 from)));
}

/*
 * lq_lock_opportunity
 *		Under the lead's lock, lock the opportunity being closed and check
 *		that it is still open.
 */
static void
lq_lock_opportunity(LqMove *m)
{
	Datum		args[2];
	char	   *status;

	args[0] = Int64GetDatum(m->lead_id);
	args[1] = Int64GetDatum(m->close_opp);
	if (lq_exec(LQ_PLAN_LOCK_OPP, args, NULL, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("opportunity %lld does not exist", (long long) m->close_opp),
				 errdetail("It was deleted or moved to another lead while this call waited."),
				 errhint("Use an opportunity_id from leadqual.opportunity.")));
	status = lq_first_text(1);
	if (strcmp(status, "open") != 0)
	{
		bool		isnull;
		Datum		closed = SPI_getbinval(SPI_tuptable->vals[0],
										   SPI_tuptable->tupdesc, 2, &isnull);

		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("opportunity %lld is already closed", (long long) m->close_opp),
				 errdetail("It was closed as %s at %s.", status,
						   isnull ? "an unknown time" :
						   timestamptz_to_str(DatumGetTimestampTz(closed))),
				 errhint("Only an open opportunity can be closed; open a new one for a new deal.")));
	}
}

/*
 * lq_move
 *		The one routine every action goes through.  Checks the arguments,
 *		locks the lead row, re-reads its stage under the lock (so the second
 *		of two concurrent actions sees the first one's result and fails
 *		cleanly if its move is no longer legal), validates the move, writes
 *		the opportunity row of open/close_opportunity, appends the history
 *		row, updates the lead and sends the hand-off notification
 *		(notify.c) when leadqual.notify_channel is set.
 */
static void
lq_move(LqMove *m)
{
	Datum		args[8];
	char		nulls[8];
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;
	char	   *from;
	char	   *peeked;
	TimestampTz entered;
	double		score = 0;
	bool		score_null;
	int64		history_id;
	bool		reason_required;
	bool		actor_ok;
	char	   *actors;
	int			ret;
	int			i;

	lq_check_actor(m->actor);
	lq_check_at(m->at);

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	{
		Datum		lead = Int64GetDatum(m->lead_id);

		lq_lead_rels(construct_array(&lead, 1, INT8OID, sizeof(int64), FLOAT8PASSBYVAL,
									 TYPALIGN_DOUBLE), &lq_rels);
	}

	lq_check_reason(m);

	/*
	 * The stage the caller decided on: read it without a lock first.  If the
	 * lead moves while we wait for its lock, the action was decided on a
	 * stage that is gone, and it fails as a serialization failure instead of
	 * applying to the new stage (an accept and a reject of one MQL: exactly
	 * one wins).
	 */
	args[0] = Int64GetDatum(m->lead_id);
	lq_exec(LQ_PLAN_PEEK_LEAD, args, NULL, SPI_OK_SELECT);
	peeked = lq_first_text(1);

	/* lock the lead and read its stage as it is now */
	if (lq_exec(LQ_PLAN_LOCK_LEAD, args, NULL, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("lead %lld does not exist", (long long) m->lead_id),
				 errdetail("leadqual.lead has no row with lead_id %lld that you can see.",
						   (long long) m->lead_id),
				 errhint("Use a lead_id from leadqual.lead.")));
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	from = SPI_getvalue(tup, desc, 1);
	if (peeked != NULL && strcmp(peeked, from) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("lead %lld was moved from %s to %s by a concurrent transaction",
						(long long) m->lead_id, peeked, from),
				 errdetail("%s() was called while the lead was in %s; another transaction moved it and committed first.",
						   m->action, peeked),
				 errhint("Look at the lead again and retry if the action still applies.")));
	entered = DatumGetTimestampTz(SPI_getbinval(tup, desc, 2, &isnull));
	if (isnull)
		elog(ERROR, "lead %lld has no created_at", (long long) m->lead_id);
	{
		Datum		d = SPI_getbinval(tup, desc, 3, &score_null);

		if (!score_null)
			score = DatumGetFloat8(d);
	}

	if (m->close_opp != 0)
		lq_lock_opportunity(m);

	if (strcmp(from, "won") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("lead %lld is won, a terminal stage", (long long) m->lead_id),
				 errdetail("A won lead does not move to any other stage."),
				 errhint("Record further business with this contact as a new lead.")));

	if (strcmp(from, m->to_stage) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("lead %lld is already in stage %s", (long long) m->lead_id, from),
				 errdetail("A move must change the lead's stage."),
				 errhint("Check the lead's current stage in leadqual.lead before acting on it.")));

	if (m->nfrom > 0)
	{
		bool		found = false;

		for (i = 0; i < m->nfrom; i++)
			if (strcmp(from, m->from[i]) == 0)
				found = true;
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot %s %lld in stage %s",
							m->what, (long long) m->lead_id, from),
					 errdetail("%s", m->from_detail),
					 errhint("Use leadqual.transition() for other moves; leadqual.can_transition() tells which moves are allowed.")));
	}

	/* the move, its actors and whether it needs a reason */
	args[0] = CStringGetTextDatum(from);
	args[1] = CStringGetTextDatum(m->to_stage);
	args[2] = CStringGetTextDatum(m->actor);
	if (lq_exec(LQ_PLAN_TRANSITION, args, NULL, SPI_OK_SELECT) == 0)
		lq_refuse_illegal(m, from);
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	reason_required = DatumGetBool(SPI_getbinval(tup, desc, 1, &isnull));
	actor_ok = DatumGetBool(SPI_getbinval(tup, desc, 2, &isnull));
	actors = SPI_getvalue(tup, desc, 3);

	if (!actor_ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("actor %s may not move a lead from %s to %s",
						m->actor, from, m->to_stage),
				 errdetail("leadqual.transition lets only these actors move a lead from %s to %s: %s.",
						   from, m->to_stage, actors),
				 errhint("Make the move as one of these actors, or have an admin edit leadqual.transition.")));

	if (reason_required && m->reason == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a reason is required to move a lead from %s to %s",
						from, m->to_stage),
				 errdetail("The move from %s to %s has reason_required set in leadqual.transition.",
						   from, m->to_stage),
				 lq_reason_hint(m->to_stage)));

	if (m->at < entered)
	{
		char	   *at_s = pstrdup(timestamptz_to_str(m->at));
		char	   *entered_s = pstrdup(timestamptz_to_str(entered));

		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("at must not precede the lead's stage_entered_at"),
				 errdetail("Lead %lld entered stage %s at %s, after the requested %s.",
						   (long long) m->lead_id, from, entered_s, at_s),
				 errhint("Pass an at of %s or later.", entered_s)));
	}

	/* the opportunity row of open_opportunity() / close_opportunity() */
	if (m->open_opp)
	{
		args[0] = Int64GetDatum(m->lead_id);
		args[1] = TimestampTzGetDatum(m->at);
		args[2] = m->open_amount;
		lq_exec(LQ_PLAN_INSERT_OPP, args, NULL, SPI_OK_INSERT_RETURNING);
		m->opened_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
												   SPI_tuptable->tupdesc, 1, &isnull));
	}
	if (m->close_opp != 0)
	{
		args[0] = Int64GetDatum(m->lead_id);
		args[1] = Int64GetDatum(m->close_opp);
		args[2] = CStringGetTextDatum(m->close_status);
		args[3] = TimestampTzGetDatum(m->at);
		args[4] = m->close_amount;
		memcpy(nulls, "    n", 5);
		if (!m->close_amount_null)
			nulls[4] = ' ';
		lq_exec(LQ_PLAN_CLOSE_OPP, args, nulls, SPI_OK_UPDATE);
	}

	/* the history row, with the lead's stored score at this moment */
	args[0] = Int64GetDatum(m->lead_id);
	args[1] = CStringGetTextDatum(from);
	args[2] = CStringGetTextDatum(m->to_stage);
	args[3] = TimestampTzGetDatum(m->at);
	args[4] = CStringGetTextDatum(m->actor);
	args[5] = m->reason ? CStringGetTextDatum(m->reason) : (Datum) 0;
	args[6] = m->note ? CStringGetTextDatum(m->note) : (Datum) 0;
	args[7] = Float8GetDatum(score);
	memcpy(nulls, "        ", 8);
	if (m->reason == NULL)
		nulls[5] = 'n';
	if (m->note == NULL)
		nulls[6] = 'n';
	if (score_null)
		nulls[7] = 'n';
	lq_exec(LQ_PLAN_INSERT_HISTORY, args, nulls, SPI_OK_INSERT_RETURNING);
	history_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											 SPI_tuptable->tupdesc, 1, &isnull));

	/* the lead: stage, entry time, SLA, recycle count, owner */
	args[0] = Int64GetDatum(m->lead_id);
	args[1] = CStringGetTextDatum(m->to_stage);
	args[2] = TimestampTzGetDatum(m->at);
	args[3] = m->owner ? CStringGetTextDatum(m->owner) : (Datum) 0;
	memcpy(nulls, "    ", 4);
	if (m->owner == NULL)
		nulls[3] = 'n';
	if (lq_exec(LQ_PLAN_UPDATE_LEAD, args, nulls, SPI_OK_UPDATE_RETURNING) != 1)
		elog(ERROR, "lead %lld vanished while locked", (long long) m->lead_id);

	/* the hand-off notification, sent at commit (nothing when it is off) */
	if (lq_notify_channel != NULL && lq_notify_channel[0] != '\0')
	{
		LqMoveNotice n = {0};

		n.history_id = history_id;
		n.lead_id = m->lead_id;
		n.external_id = lq_notice_text(lq_first_text(1));
		n.from_stage = from;
		n.to_stage = m->to_stage;
		n.changed_at = m->at;
		n.actor = lq_notice_text(m->actor);
		n.reason = lq_notice_text(m->reason);
		n.score_null = score_null;
		n.score = score;
		n.owner = lq_notice_text(lq_first_text(2));
		lq_notify_move(&n);
	}

	SPI_finish();
}

/* ----------------------------------------------------------------
 * SQL-callable functions
 * ---------------------------------------------------------------- */

/*
 * lq_stage_value
 *		A stage label as a value of the stage enum type stagetype.
 */
Datum
lq_stage_value(Oid stagetype, const char *label)
{
	return DirectFunctionCall2(enum_in, CStringGetDatum(label),
							   ObjectIdGetDatum(stagetype));
}

/*
 * lq_stage_datum
 *		A stage label as a value of leadqual.stage, the function's result type.
 */
static Datum
lq_stage_datum(FunctionCallInfo fcinfo, const char *label)
{
	return lq_stage_value(get_func_rettype(fcinfo->flinfo->fn_oid), label);
}

/*
 * lq_stage_label
 *		The label of a leadqual.stage value.
 */
static char *
lq_stage_label(Datum stage)
{
	return DatumGetCString(DirectFunctionCall1(enum_out, stage));
}

/* Read an optional text argument as a C string (NULL for SQL NULL). */
#define LQ_OPT_TEXT(n) (PG_ARGISNULL(n) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(n)))

/*
 * lq_transition
 *		transition(lead_id, to_stage, actor, reason, note, at): any move the
 *		transition table allows the actor to make.
 */
Datum
lq_transition(PG_FUNCTION_ARGS)
{
	LqMove		m = {0};

	m.action = "transition";
	if (PG_ARGISNULL(0))
		lq_null_arg(m.action, "lead_id");
	if (PG_ARGISNULL(1))
		lq_null_arg(m.action, "to_stage");
	if (PG_ARGISNULL(2))
		lq_null_arg(m.action, "actor");
	if (PG_ARGISNULL(5))
		lq_null_arg(m.action, "at");

	m.lead_id = PG_GETARG_INT64(0);
	m.to_stage = lq_stage_label(PG_GETARG_DATUM(1));
	m.actor = text_to_cstring(PG_GETARG_TEXT_PP(2));
	m.reason = LQ_OPT_TEXT(3);
	m.note = LQ_OPT_TEXT(4);
	m.at = PG_GETARG_TIMESTAMPTZ(5);

	lq_move(&m);
	PG_RETURN_DATUM(PG_GETARG_DATUM(1));
}

/*
 * lq_accept
 *		accept(lead_id, owner, at): sales accepts an MQL (mql -> sal) and,
 *		when owner is given, takes it.
 */
Datum
lq_accept(PG_FUNCTION_ARGS)
{
	LqMove		m = {0};

	m.action = "accept";
	m.what = "accept lead";
	if (PG_ARGISNULL(0))
		lq_null_arg(m.action, "lead_id");
	if (PG_ARGISNULL(2))
		lq_null_arg(m.action, "at");

	m.lead_id = PG_GETARG_INT64(0);
	m.to_stage = "sal";
	m.actor = "sales";
	m.owner = LQ_OPT_TEXT(1);
	m.at = PG_GETARG_TIMESTAMPTZ(2);
	m.nfrom = 1;
	m.from[0] = "mql";
	m.from_detail = "accept() moves a lead from mql to sal.";

	lq_move(&m);
	PG_RETURN_DATUM(lq_stage_datum(fcinfo, m.to_stage));
}

/*
 * lq_reject
 *		reject(lead_id, reason, recycle, note, at): sales rejects a lead in
 *		mql, sal or sql, into nurture (recycle) or disqualified.
 */
Datum
lq_reject(PG_FUNCTION_ARGS)
{
	LqMove		m = {0};

	m.action = "reject";
	m.what = "reject lead";
	if (PG_ARGISNULL(0))
		lq_null_arg(m.action, "lead_id");
	if (PG_ARGISNULL(1))
		lq_null_arg(m.action, "reason");
	if (PG_ARGISNULL(2))
		lq_null_arg(m.action, "recycle");
	if (PG_ARGISNULL(4))
		lq_null_arg(m.action, "at");

	m.lead_id = PG_GETARG_INT64(0);
	m.reason = text_to_cstring(PG_GETARG_TEXT_PP(1));
	m.to_stage = PG_GETARG_BOOL(2) ? "nurture" : "disqualified";
	m.actor = "sales";
	m.note = LQ_OPT_TEXT(3);
	m.at = PG_GETARG_TIMESTAMPTZ(4);
	m.nfrom = 3;
	m.from[0] = "mql";
	m.from[1] = "sal";
	m.from[2] = "sql";
	m.from_detail = "reject() moves a lead from mql, sal or sql to nurture or disqualified.";
	m.reject = true;

	lq_move(&m);
	PG_RETURN_DATUM(lq_stage_datum(fcinfo, m.to_stage));
}

/*
 * lq_qualify
 *		qualify(lead_id, at): sales qualifies an accepted lead (sal -> sql).
 */
Datum
lq_qualify(PG_FUNCTION_ARGS)
{
	LqMove		m = {0};

	m.action = "qualify";
	m.what = "qualify lead";
	if (PG_ARGISNULL(0))
		lq_null_arg(m.action, "lead_id");
	if (PG_ARGISNULL(1))
		lq_null_arg(m.action, "at");

	m.lead_id = PG_GETARG_INT64(0);
	m.to_stage = "sql";
	m.actor = "sales";
	m.at = PG_GETARG_TIMESTAMPTZ(1);
	m.nfrom = 1;
	m.from[0] = "sal";
	m.from_detail = "qualify() moves a lead from sal to sql.";

	lq_move(&m);
	PG_RETURN_DATUM(lq_stage_datum(fcinfo, m.to_stage));
}

/*
 * lq_open_opportunity
 *		open_opportunity(lead_id, amount, at): sql -> opportunity, with a new
 *		open opportunity row; returns its id.
 */
Datum
lq_open_opportunity(PG_FUNCTION_ARGS)
{
	LqMove		m = {0};

	m.action = "open_opportunity";
	m.what = "open an opportunity for lead";
	if (PG_ARGISNULL(0))
		lq_null_arg(m.action, "lead_id");
	if (PG_ARGISNULL(1))
		lq_null_arg(m.action, "amount");
	if (PG_ARGISNULL(2))
		lq_null_arg(m.action, "at");

	m.lead_id = PG_GETARG_INT64(0);
	m.to_stage = "opportunity";
	m.actor = "sales";
	m.at = PG_GETARG_TIMESTAMPTZ(2);
	m.nfrom = 1;
	m.from[0] = "sql";
	m.from_detail = "open_opportunity() moves a lead from sql to opportunity.";
	m.open_opp = true;
	m.open_amount = PG_GETARG_DATUM(1);
	lq_check_amount(m.open_amount);

	lq_move(&m);
	PG_RETURN_INT64(m.opened_id);
}

/*
 * lq_close_opportunity
 *		close_opportunity(opportunity_id, won, amount, reason, at): closes an
 *		open opportunity as won or lost and moves its lead opportunity -> won
 *		or lost.  The opportunity's lead is found first, then locked, then
 *		the opportunity is locked and checked under the lead's lock (always
 *		lead before opportunity, as open_opportunity does, so no deadlock).
 */
Datum
lq_close_opportunity(PG_FUNCTION_ARGS)
{
	LqMove		m = {0};
	Datum		args[1];
	bool		isnull;
	int			ret;

	m.action = "close_opportunity";
	m.what = "close the opportunity of lead";
	if (PG_ARGISNULL(0))
		lq_null_arg(m.action, "opportunity_id");
	if (PG_ARGISNULL(1))
		lq_null_arg(m.action, "won");
	if (PG_ARGISNULL(4))
		lq_null_arg(m.action, "at");

	m.close_opp = PG_GETARG_INT64(0);
	m.to_stage = PG_GETARG_BOOL(1) ? "won" : "lost";
	m.close_status = m.to_stage;
	m.actor = "sales";
	m.close_amount_null = PG_ARGISNULL(2);
	if (!m.close_amount_null)
	{
		m.close_amount = PG_GETARG_DATUM(2);
		lq_check_amount(m.close_amount);
	}
	m.reason = LQ_OPT_TEXT(3);
	m.at = PG_GETARG_TIMESTAMPTZ(4);
	m.nfrom = 1;
	m.from[0] = "opportunity";
	m.from_detail = "close_opportunity() moves a lead from opportunity to won or lost.";

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	args[0] = Int64GetDatum(m.close_opp);
	lq_lead_rels(NULL, &lq_rels);
	/*
	 * On Citus, the deal's shard on this node first: a call Citus pushed
	 * down to a shard of opportunity runs where the deal is, and may not
	 * start the distributed query below
	 */
	if (!lq_local_shard_lead(lq_rels.rel[LQ_OPPORTUNITY], "opportunity_id", m.close_opp, &m.lead_id))
	{
		if (lq_exec(LQ_PLAN_FIND_OPP, args, NULL, SPI_OK_SELECT) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA_FOUND),
					 errmsg("opportunity %lld does not exist", (long long) m.close_opp),
					 errdetail("leadqual.opportunity has no row with opportunity_id %lld that you can see.",
							   (long long) m.close_opp),
					 errhint("Use an opportunity_id from leadqual.opportunity.")));
		m.lead_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
												SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();

	lq_move(&m);
	PG_RETURN_DATUM(lq_stage_datum(fcinfo, m.to_stage));
}

/*
 * lq_can_transition
 *		can_transition(from_stage, to_stage, actor): whether leadqual.transition
 *		allows the move (for the actor; NULL actor: for anyone).  won is
 *		terminal whatever the table says.  NULL stages give NULL.
 */
Datum
lq_can_transition(PG_FUNCTION_ARGS)
{
	char	   *from;
	char	   *to;
	char	   *actor = NULL;
	Datum		args[3];
	char		nulls[3] = {' ', ' ', ' '};
	bool		result = false;
	bool		isnull;
	int			ret;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	from = lq_stage_label(PG_GETARG_DATUM(0));
	to = lq_stage_label(PG_GETARG_DATUM(1));
	if (!PG_ARGISNULL(2))
	{
		actor = text_to_cstring(PG_GETARG_TEXT_PP(2));
		lq_check_actor(actor);
	}
	if (strcmp(from, "won") == 0)
		PG_RETURN_BOOL(false);

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	args[0] = CStringGetTextDatum(from);
	args[1] = CStringGetTextDatum(to);
	args[2] = actor ? CStringGetTextDatum(actor) : (Datum) 0;
	if (actor == NULL)
		nulls[2] = 'n';
	lq_lead_rels(NULL, &lq_rels);
	if (lq_rels_exec(&lq_plan_defs[LQ_PLAN_TRANSITION], &lq_rels, args, nulls, true, SPI_OK_SELECT) > 0)
		result = actor == NULL ||
			DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
									   SPI_tuptable->tupdesc, 2, &isnull));
	SPI_finish();

	PG_RETURN_BOOL(result);
}
