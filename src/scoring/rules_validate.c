/*-------------------------------------------------------------------------
 *
 * rules_validate.c
 *	  The BEFORE ROW trigger on scoring_model, fit_rule and engagement_rule:
 *	  a row is compiled as the rules cache would compile it, so what could
 *	  not be scored is refused when it is written.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "executor/spi.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "scoring/rules.h"

/* ----------------------------------------------------------------
 * Triggers on the rule tables
 * ---------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(lq_validate_rule);

/*
 * lq_attr
 *		Column of a trigger tuple by name.
 */
static Datum
lq_attr(HeapTuple tup, TupleDesc desc, const char *name, bool *isnull)
{
	int			attno = SPI_fnumber(desc, name);

	if (attno <= 0)
		elog(ERROR, "column \"%s\" not found", name);
	return heap_getattr(tup, attno, desc, isnull);
}

/*
 * lq_any_null
 *		Is any of the named columns of a trigger tuple NULL?
 */
static bool
lq_any_null(HeapTuple tup, TupleDesc desc, const char *const *names)
{
	bool		isnull;

	for (; *names != NULL; names++)
	{
		(void) lq_attr(tup, desc, *names, &isnull);
		if (isnull)
			return true;
	}
	return false;
}

static const char *const lq_fit_required[] = {"field", "op", "points", NULL};
static const char *const lq_eng_required[] = {"event_type", "points", "min_count", NULL};
static const char *const lq_model_required[] = {
	"name", "mql_threshold", "min_fit_grade", "hand_raise_types", "sla",
	"recycle_after", "fit_bands", "engagement_bands", NULL
};

/*
 * lq_check_model_size
 *		A model has at most LQ_MAX_RULES fit rules and LQ_MAX_RULES
 *		engagement rules, and its frequency rules keep at most
 *		LQ_MAX_RECENT_SLOTS event times per lead (the sum of their
 *		min_count): every session compiles every model, and every engagement
 *		state of a lead holds those slots.  Counts the model's other rules
 *		with the new row.  Concurrent transactions do not see each other's
 *		rows, so together they may pass the limit by what they add; it is a
 *		guard against runaway rule sets, not an exact quota.
 */
static void
lq_check_model_size(Relation rel, bool fit, Datum model, Datum new_id, Datum old_id,
					int new_slots)
{
	static const char *const fit_sql =
		"SELECT pg_catalog.count(*), 0::pg_catalog.int8 FROM %s"
		" WHERE model OPERATOR(pg_catalog.=) $1"
		" AND rule_id OPERATOR(pg_catalog.<>) $2 AND rule_id OPERATOR(pg_catalog.<>) $3";
	static const char *const eng_sql =
		"SELECT pg_catalog.count(*),"
		" COALESCE(pg_catalog.sum(min_count) FILTER (WHERE within IS NOT NULL), 0)"
		" FROM %s"
		" WHERE model OPERATOR(pg_catalog.=) $1"
		" AND rule_id OPERATOR(pg_catalog.<>) $2 AND rule_id OPERATOR(pg_catalog.<>) $3";
	Oid			types[3] = {TEXTOID, INT8OID, INT8OID};
	Datum		args[3] = {model, new_id, old_id};
	bool		n;
	int64		nrules;
	int64		slots;
	int			ret;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	/* the rules in the trigger's relation: the table, or on Citus its placement */
	ret = SPI_execute_with_args(psprintf(fit ? fit_sql : eng_sql,
										 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
																	RelationGetRelationName(rel))),
								3, types, args, NULL, false, 1);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not count the rules of a model: %s", SPI_result_code_string(ret));
	nrules = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &n)) + 1;
	slots = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &n)) + new_slots;
	SPI_finish();

	if (nrules > LQ_MAX_RULES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("scoring model \"%s\" has too many %s rules",
						TextDatumGetCString(model), fit ? "fit" : "engagement"),
				 errdetail("With this row it would have %lld; the limit is %d.",
						   (long long) nrules, LQ_MAX_RULES),
				 errhint(fit ? "Combine rules: an in list or a regex alternation matches many values in one rule." :
						 "Combine rules: a rule without properties matches every event of its type.")));
	if (slots > LQ_MAX_RECENT_SLOTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("frequency rules of scoring model \"%s\" need too many event times",
						TextDatumGetCString(model)),
				 errdetail("Their min_count values add up to %lld with this row; the limit is %d.",
						   (long long) slots, LQ_MAX_RECENT_SLOTS),
				 errhint("Each lead's engagement state keeps min_count event times per frequency rule: use fewer or smaller frequency rules.")));
}

/*
 * lq_check_rule_count
 *		lq_check_model_size for a new fit or engagement rule row (not when
 *		its model or rule_id is NULL: the table's constraints refuse it).
 */
static void
lq_check_rule_count(TriggerData *trigdata, HeapTuple tup, TupleDesc desc, bool fit,
					int new_slots)
{
	bool		mn,
				idn,
				on = true;
	Datum		model = lq_attr(tup, desc, "model", &mn);
	Datum		id = lq_attr(tup, desc, "rule_id", &idn);
	Datum		old_id = id;

	if (mn || idn)
		return;
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		old_id = lq_attr(trigdata->tg_trigtuple, desc, "rule_id", &on);
		if (on)
			old_id = id;
	}
	lq_check_model_size(trigdata->tg_relation, fit, model, id, old_id, new_slots);
}

/*
 * lq_validate_rule
 *		BEFORE INSERT OR UPDATE row trigger on scoring_model, fit_rule and
 *		engagement_rule: compile the new row and let the compiler report what
 *		is wrong with it.
 */
Datum
lq_validate_rule(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	tup;
	TupleDesc	desc;
	const char *relname;
	MemoryContext tmp;
	MemoryContext old;
	bool		n;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "lq_validate_rule must be called as a BEFORE ROW trigger");

	/*
	 * The table is named by the trigger's argument, not by the relation's
	 * name: on Citus the trigger fires on placements (scoring_model_102008).
	 */
	if (trigdata->tg_trigger->tgnargs != 1)
		elog(ERROR, "lq_validate_rule needs the table's name as its argument");
	tup = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	desc = trigdata->tg_relation->rd_att;
	relname = trigdata->tg_trigger->tgargs[0];

	/*
	 * BEFORE triggers run ahead of NOT NULL checks: leave a row with a NULL
	 * in a required column to the table's NOT NULL constraint (SQLSTATE
	 * 23502) instead of reading the NULL.
	 */
	if (lq_any_null(tup, desc,
					strcmp(relname, "fit_rule") == 0 ? lq_fit_required :
					strcmp(relname, "engagement_rule") == 0 ? lq_eng_required :
					lq_model_required))
		return PointerGetDatum(tup);

	tmp = AllocSetContextCreate(CurrentMemoryContext, "leadqual rule check",
								ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(tmp);

	if (strcmp(relname, "fit_rule") == 0)
	{
		LqFitRule	rule;
		bool		vn,
					gn;
		Datum		value = lq_attr(tup, desc, "value", &vn);
		Datum		group = lq_attr(tup, desc, "rule_group", &gn);

		/* vn, not n: n is overwritten by the other arguments' lq_attr calls */
		lq_compile_fit_rule(&rule, 0,
							TextDatumGetCString(lq_attr(tup, desc, "field", &n)),
							TextDatumGetCString(lq_attr(tup, desc, "op", &n)),
							vn ? NULL : DatumGetJsonbP(value),
							DatumGetFloat8(lq_attr(tup, desc, "points", &n)),
							gn ? NULL : TextDatumGetCString(group),
							NULL);
		lq_check_rule_count(trigdata, tup, desc, true, 0);
	}
	else if (strcmp(relname, "engagement_rule") == 0)
	{
		LqEngRule	rule;
		bool		pn,
					hn,
					cn,
					wn;
		Datum		props = lq_attr(tup, desc, "properties", &pn);
		Datum		hl = lq_attr(tup, desc, "half_life", &hn);
		Datum		cap = lq_attr(tup, desc, "max_points", &cn);
		Datum		within = lq_attr(tup, desc, "within", &wn);

		lq_compile_eng_rule(&rule, 0,
							TextDatumGetCString(lq_attr(tup, desc, "event_type", &n)),
							pn ? NULL : DatumGetJsonbP(props),
							DatumGetFloat8(lq_attr(tup, desc, "points", &n)),
							hn ? NULL : DatumGetIntervalP(hl),
							!cn, cn ? 0 : DatumGetFloat8(cap),
							DatumGetInt32(lq_attr(tup, desc, "min_count", &n)),
							wn ? NULL : DatumGetIntervalP(within),
							NULL);
		lq_check_rule_count(trigdata, tup, desc, false,
							rule.is_frequency ? rule.min_count : 0);
	}
	else if (strcmp(relname, "scoring_model") == 0)
	{
		LqModel		m;

		memset(&m, 0, sizeof(m));
		lq_compile_model_row(&m,
							 TextDatumGetCString(lq_attr(tup, desc, "name", &n)),
							 DatumGetFloat8(lq_attr(tup, desc, "mql_threshold", &n)),
							 TextDatumGetCString(lq_attr(tup, desc, "min_fit_grade", &n)),
							 DatumGetArrayTypeP(lq_attr(tup, desc, "hand_raise_types", &n)),
							 DatumGetIntervalP(lq_attr(tup, desc, "sla", &n)),
							 DatumGetIntervalP(lq_attr(tup, desc, "recycle_after", &n)),
							 DatumGetArrayTypeP(lq_attr(tup, desc, "fit_bands", &n)),
							 DatumGetArrayTypeP(lq_attr(tup, desc, "engagement_bands", &n)));
	}
	else
		elog(ERROR, "lq_validate_rule fired on unexpected table \"%s\"", relname);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(tmp);

	return PointerGetDatum(tup);
}

