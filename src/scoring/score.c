/*-------------------------------------------------------------------------
 *
 * score.c
 *	  Scoring one lead from leadqual's tables: score() and explain_score().
 *	  Both read the lead row and its events with SPI and run the same fit and
 *	  engagement code as the aggregates, so the ledger of explain_score adds
 *	  up to score().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "citus/citus.h"
#include "scoring/scoring.h"

/* One lead's score, with what explain_score needs. */
typedef struct LqLeadScore
{
	LqModel    *model;
	TimestampTz as_of;
	double		fit;
	double		engagement;
	bool	   *fit_counted;	/* [model->nfit] rules that counted */
	LqEngState *eng;
} LqLeadScore;

static SPIPlanPtr lq_lead_plan = NULL;
static SPIPlanPtr lq_events_plan = NULL;

/*
 * lq_prepare
 *		Prepare and keep a read-only SPI plan once per backend.
 */
static SPIPlanPtr
lq_prepare(const char *query, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan = SPI_prepare(query, nargs, argtypes);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	return plan;
}

/*
 * lq_score_relations
 *		On Citus, the shards of lead and event holding the lead when they
 *		are placed on this node; InvalidOid (read the tables) otherwise.
 */
static void
lq_score_relations(int64 lead_id, Oid *lead_rel, Oid *event_rel)
{
	Oid			nsp;
	Oid			lead;
	Oid			event;

	*lead_rel = *event_rel = InvalidOid;
	if (!lq_citus_present())
		return;
	nsp = get_namespace_oid("leadqual", false);
	lead = get_relname_relid("lead", nsp);
	event = get_relname_relid("event", nsp);
	if (!OidIsValid(lead) || !OidIsValid(event))
		elog(ERROR, "the tables of leadqual are missing");
	*lead_rel = lq_lead_relation(lead, lead_id);
	*event_rel = lq_lead_relation(event, lead_id);
	if (*lead_rel == lead)
		*lead_rel = InvalidOid;
	if (*event_rel == event)
		*event_rel = InvalidOid;
}

/*
 * lq_score_lead
 *		Score one lead at as_of under a model (NULL model: the lead's own).
 *		Results are allocated in the caller's memory context.
 */
static void
lq_score_lead(int64 lead_id, TimestampTz as_of, text *model_name, LqLeadScore *out)
{
	MemoryContext callercxt = CurrentMemoryContext;
	Datum		args[2];
	LqLeadFields fields;
	bool		isnull;
	HeapTupleHeader lead;
	uint64		i;
	int			ret;
	Oid			lead_rel;
	Oid			event_rel;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));

	if (lq_lead_plan == NULL)
	{
		Oid			types[1] = {INT8OID};

		lq_lead_plan = lq_prepare("SELECT l FROM leadqual.lead l"
								  " WHERE l.lead_id OPERATOR(pg_catalog.=) $1",
								  1, types);
	}
	if (lq_events_plan == NULL)
	{
		Oid			types[2] = {INT8OID, TIMESTAMPTZOID};

		lq_events_plan = lq_prepare("SELECT event_type, properties, occurred_at"
									" FROM leadqual.event"
									" WHERE lead_id OPERATOR(pg_catalog.=) $1"
									" AND occurred_at OPERATOR(pg_catalog.<=) $2",
									2, types);
	}

	args[0] = Int64GetDatum(lead_id);
	args[1] = TimestampTzGetDatum(as_of);

	/*
	 * On Citus, when the lead's shards are on this node (score() pushed
	 * down to a shard), read them directly: a query on the tables would be
	 * a distributed query inside a shard's query, which Citus refuses.
	 */
	lq_score_relations(lead_id, &lead_rel, &event_rel);
	if (OidIsValid(lead_rel))
	{
		Oid			types[2] = {INT8OID, TIMESTAMPTZOID};

		ret = SPI_execute_with_args(psprintf("SELECT ROW(l.*)::leadqual.lead FROM %s l"
											 " WHERE l.lead_id OPERATOR(pg_catalog.=) $1",
											 lq_qualified_name(lead_rel)),
									1, types, args, NULL, true, 1);
	}
	else
		ret = SPI_execute_plan(lq_lead_plan, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read leadqual.lead: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("lead %lld does not exist", (long long) lead_id),
				 errhint("Use a lead_id from leadqual.lead.")));
	lead = DatumGetHeapTupleHeader(SPI_getbinval(SPI_tuptable->vals[0],
												 SPI_tuptable->tupdesc, 1, &isnull));
	lq_lead_fields(lead, &fields);

	out->model = lq_get_model_text(model_name ? model_name : fields.model);
	out->as_of = as_of;
	out->fit_counted = MemoryContextAllocZero(callercxt,
											  sizeof(bool) * Max(out->model->nfit, 1));
	out->fit = lq_fit(out->model, &fields, out->fit_counted);

	out->eng = lq_eng_state_new(out->model, as_of, callercxt);
	if (OidIsValid(event_rel))
	{
		Oid			types[2] = {INT8OID, TIMESTAMPTZOID};

		ret = SPI_execute_with_args(psprintf("SELECT event_type, properties, occurred_at FROM %s"
											 " WHERE lead_id OPERATOR(pg_catalog.=) $1"
											 " AND occurred_at OPERATOR(pg_catalog.<=) $2",
											 lq_qualified_name(event_rel)),
									2, types, args, NULL, true, 0);
	}
	else
		ret = SPI_execute_plan(lq_events_plan, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read leadqual.event: %s", SPI_result_code_string(ret));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		tnull,
					pnull,
					onull;
		Datum		type = SPI_getbinval(tup, desc, 1, &tnull);
		Datum		props = SPI_getbinval(tup, desc, 2, &pnull);
		Datum		at = SPI_getbinval(tup, desc, 3, &onull);

		CHECK_FOR_INTERRUPTS();
		lq_eng_state_add_event(out->eng, DatumGetTextPP(type), props, pnull,
							   DatumGetTimestampTz(at));
	}
	out->engagement = lq_eng_value(out->eng, as_of);

	SPI_finish();
}

/*
 * lq_score_args
 *		Check and read the common arguments (lead_id, as_of, model).
 */
static void
lq_score_args(FunctionCallInfo fcinfo, int64 *lead_id, TimestampTz *as_of, text **model)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("lead_id must not be null"),
				 errhint("Pass a lead_id from leadqual.lead.")));
	*lead_id = PG_GETARG_INT64(0);
	lq_check_as_of(PG_ARGISNULL(1) ? 0 : PG_GETARG_TIMESTAMPTZ(1), PG_ARGISNULL(1), "as_of");
	*as_of = PG_GETARG_TIMESTAMPTZ(1);
	*model = PG_ARGISNULL(2) ? NULL : PG_GETARG_TEXT_PP(2);
}

PG_FUNCTION_INFO_V1(lq_score);
PG_FUNCTION_INFO_V1(lq_explain_score);

/*
 * lq_score
 *		score(lead_id, as_of, model) → (fit_score, engagement_score, score,
 *		grade).  Reads, never writes.
 */
Datum
lq_score(PG_FUNCTION_ARGS)
{
	int64		lead_id;
	TimestampTz as_of;
	text	   *model;
	LqLeadScore sc;
	TupleDesc	desc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	char		grade[3];

	lq_score_args(fcinfo, &lead_id, &as_of, &model);
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	desc = BlessTupleDesc(desc);

	lq_score_lead(lead_id, as_of, model, &sc);

	grade[0] = lq_fit_letter(sc.model, sc.fit);
	grade[1] = lq_eng_digit(sc.model, sc.engagement);
	grade[2] = '\0';
	values[0] = Float8GetDatum(sc.fit);
	values[1] = Float8GetDatum(sc.engagement);
	lq_check_sum(sc.fit + sc.engagement, "score");
	values[2] = Float8GetDatum(sc.fit + sc.engagement);
	values[3] = CStringGetTextDatum(grade);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/*
 * lq_explain_score
 *		explain_score(lead_id, as_of, model) → the ledger: one row per fit rule
 *		that counts (of a rule_group's matching rules, the one that counted),
 *		one per engagement rule with a matching event, in rule order.
 *		Contributions add up to score().
 */
Datum
lq_explain_score(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int64		lead_id;
	TimestampTz as_of;
	text	   *model;
	LqLeadScore sc;
	int			i;

	lq_score_args(fcinfo, &lead_id, &as_of, &model);
	InitMaterializedSRF(fcinfo, 0);
	lq_score_lead(lead_id, as_of, model, &sc);

	for (i = 0; i < sc.model->nfit; i++)
	{
		LqFitRule  *r = &sc.model->fit[i];
		Datum		values[5];
		bool		nulls[5] = {false, false, false, true, false};

		if (!sc.fit_counted[i])
			continue;
		values[0] = CStringGetTextDatum("fit");
		values[1] = Int64GetDatum(r->rule_id);
		nulls[2] = r->description == NULL;
		values[2] = r->description ? CStringGetTextDatum(r->description) : (Datum) 0;
		values[4] = Float8GetDatum(r->points);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	for (i = 0; i < sc.model->neng; i++)
	{
		LqEngRule  *r = &sc.model->eng[i];
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		if (sc.eng->count[i] == 0)
			continue;
		values[0] = CStringGetTextDatum("engagement");
		values[1] = Int64GetDatum(r->rule_id);
		nulls[2] = r->description == NULL;
		values[2] = r->description ? CStringGetTextDatum(r->description) : (Datum) 0;
		values[3] = Int64GetDatum(sc.eng->count[i]);
		values[4] = Float8GetDatum(lq_eng_rule_value(sc.eng, i, as_of));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
