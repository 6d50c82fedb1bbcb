/*-------------------------------------------------------------------------
 *
 * rescore_store.c
 *	  rescore()'s writing half: store the scores of the pass
 *	  (rescore_pass.c) in lead, from C, lead by lead as the pass hands
 *	  them out.
 *
 *	  store_scores(model, as_of)
 *		→ (leads, updated, candidates, hand_raises, unchanged)
 *
 *	  Written as an UPDATE of lead would write them (UPDATE lead SET
 *	  fit_score, engagement_score, score, grade, scored_at ... WHERE the
 *	  stored values differ), with what the executor does for an UPDATE:
 *	  UPDATE privilege on those columns, statement and row triggers with
 *	  their transition tables, CHECK and NOT NULL constraints, stored
 *	  generated columns, index entries when the update is not HOT.  What it
 *	  saves is the rest of such a statement: handing 200,000 rows out of a
 *	  set-returning function, joining them back to lead, and fetching each
 *	  row through an index or a hash table: the pass knows where each lead
 *	  lies (the scan's tuple id).
 *
 *	  rescore() holds SHARE ROW EXCLUSIVE on lead, so nothing else changes
 *	  a lead between the pass's read and the write.  Called on its own, a
 *	  lead changed by a transaction that committed after the statement's
 *	  snapshot is a serialization failure (40001), as under REPEATABLE READ.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/nodeModifyTable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"

#include "scoring/rescore.h"
#include "lifecycle/lifecycle.h"

/* A candidate for an automatic move into MQL. */
typedef struct LqStoreCandidate
{
	int64		lead_id;
	TimestampTz last_hand_raise;	/* DT_NOBEGIN if none */
	bool		written;		/* its row was written */
} LqStoreCandidate;

/* What store_scores writes through, and what it reports. */
typedef struct LqStore
{
	LqModel    *model;
	TimestampTz as_of;
	EState	   *estate;
	ResultRelInfo *rri;
	EPQState	epqstate;
	TransitionCaptureState *capture;
	TupleTableSlot *oldslot;	/* the row as it is */
	TupleTableSlot *newslot;	/* the row as it will be */
	MemoryContext rowcxt;

	AttrNumber	fit_att;
	AttrNumber	eng_att;
	AttrNumber	score_att;
	AttrNumber	grade_att;
	AttrNumber	scored_att;
	Oid			inquiry;		/* stage enum values */
	Oid			nurture;

	int64		leads;			/* leads of the model */
	int64		updated;		/* rows written */
	int			ncand;			/* move candidates */
	int			maxcand;
	LqStoreCandidate *cand;
} LqStore;

/*
 * lq_store_is_candidate
 *		Might the lead move into MQL on its own?  A lead in inquiry or
 *		nurture with a hand-raise (in nurture: one after it got there), or
 *		over the model's threshold with a fit grade at least the model's
 *		minimum.  apply_automatic_moves() checks the rest.
 */
static bool
lq_store_is_candidate(LqStore *store, LqPassLead *lead)
{
	Oid			stage = DatumGetObjectId(lead->stage);
	bool		hand_raise = !TIMESTAMP_IS_NOBEGIN(lead->last_hand_raise);

	if (lead->stage_isnull || (stage != store->inquiry && stage != store->nurture))
		return false;
	if (hand_raise &&
		(stage == store->inquiry ||
		 (!lead->entered_isnull && lead->last_hand_raise > lead->stage_entered_at)))
		return true;
	return lead->fit + lead->engagement >= store->model->mql_threshold &&
		lead->grade[0] <= store->model->min_fit_grade;
}

/*
 * lq_store_update
 *		Write the lead's new score columns into its row, as ExecUpdate
 *		would: BEFORE ROW triggers, generated columns, constraints, the
 *		heap update, index entries, AFTER ROW triggers and transition
 *		tables.  Returns false if a BEFORE ROW trigger skipped the row.
 */
static bool
lq_store_update(LqStore *store, LqPassLead *lead)
{
	EState	   *estate = store->estate;
	ResultRelInfo *rri = store->rri;
	Relation	rel = rri->ri_RelationDesc;
	TupleTableSlot *oldslot = store->oldslot;
	TupleTableSlot *newslot = store->newslot;
	int			natts = RelationGetDescr(rel)->natts;
	ItemPointerData tid = lead->tid;
	TM_FailureData tmfd;
	TM_FailureData trig_tmfd;
	TM_Result	result;
	LockTupleMode lockmode;
	bool		update_indexes;
	List	   *recheck = NIL;

	if (!table_tuple_fetch_row_version(rel, &tid, estate->es_snapshot, oldslot))
		elog(ERROR, "lead %lld is gone from where the scan read it",
			 (long long) lead->lead_id);
	slot_getallattrs(oldslot);

	ExecClearTuple(newslot);
	memcpy(newslot->tts_values, oldslot->tts_values, natts * sizeof(Datum));
	memcpy(newslot->tts_isnull, oldslot->tts_isnull, natts * sizeof(bool));
	newslot->tts_values[store->fit_att - 1] = Float8GetDatum(lead->fit);
	newslot->tts_isnull[store->fit_att - 1] = false;
	newslot->tts_values[store->eng_att - 1] = Float8GetDatum(lead->engagement);
	newslot->tts_isnull[store->eng_att - 1] = false;
	newslot->tts_values[store->score_att - 1] = Float8GetDatum(lead->fit + lead->engagement);
	newslot->tts_isnull[store->score_att - 1] = false;
	newslot->tts_values[store->grade_att - 1] = CStringGetTextDatum(lead->grade);
	newslot->tts_isnull[store->grade_att - 1] = false;
	newslot->tts_values[store->scored_att - 1] = TimestampTzGetDatum(store->as_of);
	newslot->tts_isnull[store->scored_att - 1] = false;
	ExecStoreVirtualTuple(newslot);

	if (rri->ri_TrigDesc && rri->ri_TrigDesc->trig_update_before_row &&
		!ExecBRUpdateTriggers(estate, &store->epqstate, rri, &tid, NULL, newslot, &trig_tmfd))
		return false;

	if (rel->rd_att->constr && rel->rd_att->constr->has_generated_stored)
		ExecComputeStoredGenerated(rri, estate, newslot, CMD_UPDATE);
	if (rel->rd_att->constr)
		ExecConstraints(rri, newslot, estate);

	result = table_tuple_update(rel, &tid, newslot, estate->es_output_cid,
								estate->es_snapshot, InvalidSnapshot,
								true, &tmfd, &lockmode, &update_indexes);
	switch (result)
	{
		case TM_Ok:
			break;
		case TM_SelfModified:
			ereport(ERROR,
					(errcode(ERRCODE_TRIGGERED_DATA_CHANGE_VIOLATION),
					 errmsg("lead %lld was already modified by an operation triggered by rescore",
							(long long) lead->lead_id),
					 errhint("Triggers on lead must not update leads while rescore() writes them: set values in a BEFORE ROW trigger's NEW row, or update other leads from an AFTER trigger.")));
			break;
		case TM_Updated:
		case TM_Deleted:
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent update of lead %lld",
							(long long) lead->lead_id),
					 errhint("Run rescore(), which locks lead first, or retry the transaction.")));
			break;
		default:
			elog(ERROR, "unexpected result %d updating lead %lld",
				 (int) result, (long long) lead->lead_id);
	}

	if (rri->ri_NumIndices > 0 && update_indexes)
		recheck = ExecInsertIndexTuples(rri, newslot, estate, true, false, NULL, NIL);
	if (rri->ri_TrigDesc)
		ExecARUpdateTriggers(estate, rri, NULL, NULL, &tid, NULL, newslot,
							 recheck, store->capture, false);
	list_free(recheck);
	return true;
}

/*
 * lq_store_lead
 *		The pass's callback: write the lead if its stored values differ,
 *		and note it if it is a candidate for an automatic move.
 */
static void
lq_store_lead(LqPassLead *lead, void *arg)
{
	LqStore    *store = (LqStore *) arg;
	bool		written = false;

	store->leads++;
	if (lq_pass_lead_changed(lead))
	{
		MemoryContext old = MemoryContextSwitchTo(store->rowcxt);

		written = lq_store_update(store, lead);
		MemoryContextSwitchTo(old);
		ExecClearTuple(store->oldslot);
		ExecClearTuple(store->newslot);
		MemoryContextReset(store->rowcxt);
		ResetPerTupleExprContext(store->estate);
		if (written)
			store->updated++;
	}
	if (lq_store_is_candidate(store, lead))
	{
		LqStoreCandidate *c;

		if (store->ncand == store->maxcand)
		{
			store->maxcand = Max(store->maxcand * 2, 1024);
			store->cand = repalloc_huge(store->cand, store->maxcand * sizeof(LqStoreCandidate));
		}
		c = &store->cand[store->ncand++];
		c->lead_id = lead->lead_id;
		c->last_hand_raise = lead->last_hand_raise;
		c->written = written;
	}
}

/*
 * lq_store_begin
 *		Open lead for the update: lock, privileges, executor state, indexes,
 *		triggers; fire the BEFORE STATEMENT triggers.
 */
static void
lq_store_begin(LqStore *store, FunctionCallInfo fcinfo)
{
	Oid			relid = lq_rescore_relid(fcinfo, "lead");
	RangeTblEntry *rte;
	EState	   *estate;
	Relation	rel;
	AttrNumber	cols[5];
	AttrNumber	stage_att;
	Oid			stage_type;
	int			i;

	store->fit_att = cols[0] = lq_rescore_attnum(relid, "fit_score");
	store->eng_att = cols[1] = lq_rescore_attnum(relid, "engagement_score");
	store->score_att = cols[2] = lq_rescore_attnum(relid, "score");
	store->grade_att = cols[3] = lq_rescore_attnum(relid, "grade");
	store->scored_att = cols[4] = lq_rescore_attnum(relid, "scored_at");
	stage_att = lq_rescore_attnum(relid, "stage");

	/* the privileges of UPDATE lead SET <those five>, checked before locking */
	rte = makeNode(RangeTblEntry);
	rte->rtekind = RTE_RELATION;
	rte->relid = relid;
	rte->relkind = RELKIND_RELATION;
	rte->rellockmode = RowExclusiveLock;
	rte->requiredPerms = ACL_UPDATE;
	for (i = 0; i < 5; i++)
		rte->updatedCols = bms_add_member(rte->updatedCols,
										  cols[i] - FirstLowInvalidHeapAttributeNumber);
	ExecCheckRTPerms(list_make1(rte), true);

	LockRelationOid(relid, RowExclusiveLock);
	if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("rescore cannot write table \"%s\" under row-level security",
						get_rel_name(relid)),
				 errhint("Run it as a role that bypasses row-level security.")));

	estate = CreateExecutorState();
	store->estate = estate;
	ExecInitRangeTable(estate, list_make1(rte));
	store->rri = makeNode(ResultRelInfo);
	ExecInitResultRelation(estate, store->rri, 1);
	rel = store->rri->ri_RelationDesc;
	CheckValidResultRel(store->rri, CMD_UPDATE);
	stage_type = TupleDescAttr(RelationGetDescr(rel), stage_att - 1)->atttypid;
	store->inquiry = DatumGetObjectId(lq_stage_value(stage_type, "inquiry"));
	store->nurture = DatumGetObjectId(lq_stage_value(stage_type, "nurture"));

	estate->es_snapshot = GetActiveSnapshot();
	estate->es_output_cid = GetCurrentCommandId(true);
	ExecOpenIndices(store->rri, false);
	EvalPlanQualInit(&store->epqstate, estate, NULL, NIL, -1);
	store->oldslot = table_slot_create(rel, &estate->es_tupleTable);
	store->newslot = ExecInitExtraTupleSlot(estate, RelationGetDescr(rel), &TTSOpsVirtual);
	store->rowcxt = AllocSetContextCreate(CurrentMemoryContext,
										  "leadqual store_scores row",
										  ALLOCSET_DEFAULT_SIZES);

	AfterTriggerBeginQuery();
	store->capture = MakeTransitionCaptureState(store->rri->ri_TrigDesc, relid, CMD_UPDATE);
	ExecBSUpdateTriggers(estate, store->rri);
}

/*
 * lq_store_end
 *		Fire the AFTER STATEMENT and queued AFTER ROW triggers and close
 *		what lq_store_begin opened.
 */
static void
lq_store_end(LqStore *store)
{
	EState	   *estate = store->estate;

	ExecASUpdateTriggers(estate, store->rri, store->capture);
	AfterTriggerEndQuery(estate);
	EvalPlanQualEnd(&store->epqstate);
	ExecResetTupleTable(estate->es_tupleTable, false);
	ExecCloseResultRelations(estate);	/* and its indexes */
	ExecCloseRangeTableRelations(estate);
	FreeExecutorState(estate);
	MemoryContextDelete(store->rowcxt);
}

/*
 * lq_store_array
 *		A one-dimensional array of n 8-byte by-value datums of the type
 *		(bigint, timestamptz), NULL elements where nulls says.
 */
static Datum
lq_store_array(Datum *values, bool *nulls, int n, Oid type)
{
	int			dims[1] = {n};
	int			lbs[1] = {1};

	return PointerGetDatum(construct_md_array(values, nulls, 1, dims, lbs, type,
											  sizeof(int64), FLOAT8PASSBYVAL,
											  TYPALIGN_DOUBLE));
}

PG_FUNCTION_INFO_V1(lq_store_scores);

/*
 * lq_store_scores
 *		store_scores(model text, as_of timestamptz) → (leads bigint, updated
 *		bigint, candidates bigint[], hand_raises timestamptz[], unchanged
 *		bigint[]): score every lead of the model at as_of (the pass of
 *		score_by_lead) and write fit_score, engagement_score, score, grade
 *		and scored_at of those whose stored fit, engagement or grade
 *		differ.  Returns how many leads the model has, how many rows were
 *		written, and the candidates for an automatic move into MQL with
 *		their latest hand-raises, and which of them were not written.
 */
Datum
lq_store_scores(PG_FUNCTION_ARGS)
{
	LqStore		store;
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};
	Datum	   *ids;
	Datum	   *hrs;
	bool	   *hr_nulls;
	Datum	   *unchanged;
	int			nunchanged = 0;
	int			i;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "store_scores must return a record");
	lq_check_as_of(PG_GETARG_TIMESTAMPTZ(1), false, "as_of");
	memset(&store, 0, sizeof(store));
	store.maxcand = 1024;
	store.cand = palloc(store.maxcand * sizeof(LqStoreCandidate));
	store.model = lq_get_model_text(PG_GETARG_TEXT_PP(0));
	store.as_of = PG_GETARG_TIMESTAMPTZ(1);

	lq_store_begin(&store, fcinfo);
	(void) lq_pass_run(fcinfo, "rescore", store.model, store.as_of, lq_store_lead, &store);
	lq_store_end(&store);

	ids = palloc(sizeof(Datum) * Max(store.ncand, 1));
	hrs = palloc(sizeof(Datum) * Max(store.ncand, 1));
	hr_nulls = palloc(sizeof(bool) * Max(store.ncand, 1));
	unchanged = palloc(sizeof(Datum) * Max(store.ncand, 1));
	for (i = 0; i < store.ncand; i++)
	{
		LqStoreCandidate *c = &store.cand[i];

		ids[i] = Int64GetDatum(c->lead_id);
		hrs[i] = TimestampTzGetDatum(c->last_hand_raise);
		hr_nulls[i] = TIMESTAMP_IS_NOBEGIN(c->last_hand_raise);
		if (!c->written)
			unchanged[nunchanged++] = Int64GetDatum(c->lead_id);
	}
	values[0] = Int64GetDatum(store.leads);
	values[1] = Int64GetDatum(store.updated);
	values[2] = lq_store_array(ids, NULL, store.ncand, INT8OID);
	values[3] = lq_store_array(hrs, hr_nulls, store.ncand, TIMESTAMPTZOID);
	values[4] = lq_store_array(unchanged, NULL, nunchanged, INT8OID);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
