/*-------------------------------------------------------------------------
 *
 * rescore_store.c
 *	  What rescore() writes: the rows of the pass (scoring/rescore_pass.c)
 *	  that need writing, for one SQL UPDATE.
 *
 *	  rescore_changes(model, as_of)
 *		→ SETOF (row_id tid, lead_id, fit_score, engagement_score, score,
 *		         grade, changed, move_candidate, last_hand_raise)
 *
 *	  One row per lead of the model whose stored fit, engagement or grade
 *	  differ from what the pass computed at as_of (changed), or that the
 *	  system would move into mql at as_of (move_candidate, decided by
 *	  lq_automatic_move), with the tuple id the pass's scan read it at.
 *	  rescore() joins these rows to lead on that tuple id (a TID scan per
 *	  row: neither a hash of 200,000 rows nor a second scan of lead) in a
 *	  plain UPDATE, so PostgreSQL's executor does the writing: privileges,
 *	  row-level security, rewrite rules, triggers with their transition
 *	  tables, constraints, generated columns, indexes, and the rechecks of
 *	  rows that concurrent transactions changed.
 *
 *	  The tuple ids are those of the statement's snapshot.  rescore() holds
 *	  SHARE ROW EXCLUSIVE on lead, so no other transaction can move a row
 *	  between the pass and the UPDATE; under REPEATABLE READ, a row changed
 *	  after the transaction's snapshot makes the UPDATE fail with 40001, as
 *	  any UPDATE would.  Internal: call it through rescore().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "scoring/rescore.h"
#include "citus/citus.h"
#include "lifecycle/lifecycle.h"

/* What the callback needs. */
typedef struct LqChanges
{
	ReturnSetInfo *rsinfo;
	LqModel    *model;
	TimestampTz as_of;
	LqStageKinds kinds;
} LqChanges;

/*
 * lq_changes_row
 *		The pass's callback: a result row for a lead that changed or may
 *		move, none for the others.
 */
static void
lq_changes_row(LqPassLead *lead, void *arg)
{
	LqChanges  *c = (LqChanges *) arg;
	bool		changed = lq_pass_lead_changed(lead);
	LqMqlReason move = LQ_MQL_NONE;
	Datum		values[9];
	bool		nulls[9] = {false, false, false, false, false, false, false, false, false};

	if (!lead->stage_isnull)
		move = lq_automatic_move(c->model, &c->kinds, lead->stage,
								 lead->entered_isnull, lead->stage_entered_at,
								 false, lead->fit + lead->engagement, lead->grade[0],
								 TIMESTAMP_IS_NOBEGIN(lead->last_hand_raise),
								 lead->last_hand_raise, c->as_of);
	if (!changed && move == LQ_MQL_NONE)
		return;

	values[0] = PointerGetDatum(&lead->tid);	/* tid: by reference */
	values[1] = Int64GetDatum(lead->lead_id);
	values[2] = Float8GetDatum(lead->fit);
	values[3] = Float8GetDatum(lead->engagement);
	values[4] = Float8GetDatum(lead->fit + lead->engagement);
	values[5] = CStringGetTextDatum(lead->grade);
	values[6] = BoolGetDatum(changed);
	values[7] = BoolGetDatum(move != LQ_MQL_NONE);
	values[8] = TimestampTzGetDatum(lead->last_hand_raise);
	nulls[8] = TIMESTAMP_IS_NOBEGIN(lead->last_hand_raise);
	tuplestore_putvalues(c->rsinfo->setResult, c->rsinfo->setDesc, values, nulls);
}

PG_FUNCTION_INFO_V1(lq_rescore_changes);

/*
 * lq_rescore_changes
 *		rescore_changes(model text, as_of timestamptz, lead_rel regclass):
 *		see the file header.  lead_rel is leadqual.lead, or on Citus a shard
 *		of it on this node (rescore() runs once per shard group there).
 */
Datum
lq_rescore_changes(PG_FUNCTION_ARGS)
{
	LqChanges	c;
	Oid			lead_rel;
	Oid			lead_shard = PG_GETARG_OID(2);

	lq_check_as_of(PG_GETARG_TIMESTAMPTZ(1), false, "as_of");
	c.model = lq_get_model_text(PG_GETARG_TEXT_PP(0));
	c.as_of = PG_GETARG_TIMESTAMPTZ(1);
	lead_rel = lq_rescore_relid(fcinfo, "lead");
	(void) lq_check_lead_table(lead_shard, lead_rel);
	lq_stage_kinds(get_atttype(lead_rel, lq_rescore_attnum(lead_rel, "stage")), &c.kinds);

	InitMaterializedSRF(fcinfo, 0);
	c.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	(void) lq_pass_run(fcinfo, "rescore", c.model, c.as_of, lead_shard, lq_changes_row, &c);
	return (Datum) 0;
}
