/*-------------------------------------------------------------------------
 *
 * rules_cache.c
 *	  The backend-local cache of compiled scoring models (compiled by
 *	  rules_compile.c), and its invalidation when the rule tables change.
 *
 * The cache holds every model at once: they are few and small.  It is built
 * with SPI on first use and kept in its own memory context.  A statement
 * trigger on the rule tables sends a relcache invalidation for the table; our
 * relcache callback marks the cache stale, so the next statement of every
 * session (and the next statement of the writing transaction, at its command
 * counter increment) compiles the rules again.
 *
 * Aggregate states hold pointers into the cache for the length of a query.
 * A stale generation is therefore not freed at once but handed to the
 * current transaction's memory context, which frees it at transaction end.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "regex/regex.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "citus/citus.h"
#include "scoring/rules.h"

static MemoryContext lq_cache_cxt = NULL;
static bool lq_cache_valid = false;
static bool lq_callback_registered = false;
static bool lq_cache_snapshot_bound = false;
static int	lq_nmodels = 0;
static LqModel **lq_models = NULL;
static LqModel *lq_last_model = NULL;
/*
 * The rule tables (scoring_model, fit_rule, engagement_rule), then the
 * relations the cache read them from: the same tables on one node, their
 * placements on this node on Citus (citus/citus.h).
 */
static Oid	lq_rule_tables[6];


/*
 * lq_rules_invalidate
 *		Relcache callback: a rule table changed (or all relcache entries were
 *		reset), so the compiled rules are stale.
 */
static void
lq_rules_invalidate(Datum arg, Oid relid)
{
	int			i;

	if (relid == InvalidOid)
	{
		lq_cache_valid = false;
		return;
	}
	for (i = 0; i < lengthof(lq_rule_tables); i++)
		if (lq_rule_tables[i] == relid)
			lq_cache_valid = false;
}

/*
 * lq_rules_xact_end
 *		Transaction callback: rules compiled under a REPEATABLE READ or
 *		SERIALIZABLE transaction's snapshot are what that snapshot saw, which
 *		may predate a change whose invalidation this backend has already
 *		consumed; they must not outlive the transaction.
 */
static void
lq_rules_xact_end(XactEvent event, void *arg)
{
	if (lq_cache_snapshot_bound &&
		(event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		 event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
		 event == XACT_EVENT_PREPARE))
	{
		lq_cache_valid = false;
		lq_cache_snapshot_bound = false;
	}
}

/*
 * lq_model_index
 *		Index of a compiled model in the array being built, -1 if absent.
 */
static int
lq_model_index(LqModel **models, int n, const char *name)
{
	int			i;

	for (i = 0; i < n; i++)
		if (strcmp(models[i]->name, name) == 0)
			return i;
	return -1;
}

/*
 * lq_getdatum
 *		Column of an SPI result row, with its null flag.
 */
static inline Datum
lq_getdatum(HeapTuple tup, TupleDesc desc, int col, bool *isnull)
{
	return SPI_getbinval(tup, desc, col, isnull);
}

/*
 * lq_load_rules
 *		Compile every model and rule into a new cache generation.
 */
static void
lq_load_rules(void)
{
	MemoryContext newcxt;
	MemoryContext oldcxt;
	LqModel   **models;
	int			nmodels;
	Oid			nsp;
	uint64		i;
	StringInfoData *fp;
	SPITupleTable *tt;
	int			ret;

	if (!lq_callback_registered)
	{
		CacheRegisterRelcacheCallback(lq_rules_invalidate, (Datum) 0);
		RegisterXactCallback(lq_rules_xact_end, NULL);
		lq_callback_registered = true;
	}

	/* mark valid first: an invalidation that arrives while loading wins */
	lq_cache_valid = true;

	nsp = get_namespace_oid("leadqual", false);
	lq_rule_tables[0] = get_relname_relid("scoring_model", nsp);
	lq_rule_tables[1] = get_relname_relid("fit_rule", nsp);
	lq_rule_tables[2] = get_relname_relid("engagement_rule", nsp);
	for (i = 0; i < 3; i++)
		lq_rule_tables[3 + i] = OidIsValid(lq_rule_tables[i]) ? lq_local_copy(lq_rule_tables[i]) : InvalidOid;
	if (!OidIsValid(lq_rule_tables[3]) || !OidIsValid(lq_rule_tables[4]) || !OidIsValid(lq_rule_tables[5]))
		elog(ERROR, "the rule tables of leadqual are missing");

	newcxt = AllocSetContextCreate(TopMemoryContext, "leadqual rules",
								   ALLOCSET_SMALL_SIZES);

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));

	PG_TRY();
	{
		/* models */
		ret = SPI_execute(psprintf("SELECT name, mql_threshold, min_fit_grade::pg_catalog.text, hand_raise_types,"
								   " sla, recycle_after, fit_bands, engagement_bands"
								   " FROM %s ORDER BY name", lq_qualified_name(lq_rule_tables[3])),
						  true, 0);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "could not read leadqual.scoring_model: %s", SPI_result_code_string(ret));
		tt = SPI_tuptable;
		nmodels = (int) SPI_processed;
		models = MemoryContextAlloc(newcxt, sizeof(LqModel *) * Max(nmodels, 1));
		fp = MemoryContextAlloc(newcxt, sizeof(StringInfoData) * Max(nmodels, 1));
		for (i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tup = tt->vals[i];
			TupleDesc	desc = tt->tupdesc;
			bool		n;
			LqModel    *m;

			CHECK_FOR_INTERRUPTS();
			oldcxt = MemoryContextSwitchTo(newcxt);
			m = palloc0(sizeof(LqModel));
			lq_compile_model_row(m,
								 TextDatumGetCString(lq_getdatum(tup, desc, 1, &n)),
								 DatumGetFloat8(lq_getdatum(tup, desc, 2, &n)),
								 TextDatumGetCString(lq_getdatum(tup, desc, 3, &n)),
								 DatumGetArrayTypeP(lq_getdatum(tup, desc, 4, &n)),
								 DatumGetIntervalP(lq_getdatum(tup, desc, 5, &n)),
								 DatumGetIntervalP(lq_getdatum(tup, desc, 6, &n)),
								 DatumGetArrayTypeP(lq_getdatum(tup, desc, 7, &n)),
								 DatumGetArrayTypeP(lq_getdatum(tup, desc, 8, &n)));
			m->fit = palloc(sizeof(LqFitRule) * 8);
			m->eng = palloc(sizeof(LqEngRule) * 8);
			MemoryContextSwitchTo(oldcxt);
			models[i] = m;
			initStringInfo(&fp[i]);
			appendStringInfo(&fp[i], "%s|", m->name);
		}

		/* fit rules */
		ret = SPI_execute(psprintf("SELECT model, rule_id, field, op, value::pg_catalog.text, points, description,"
								   " rule_group FROM %s ORDER BY model, rule_id",
								   lq_qualified_name(lq_rule_tables[4])),
						  true, 0);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "could not read leadqual.fit_rule: %s", SPI_result_code_string(ret));
		tt = SPI_tuptable;
		for (i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tup = tt->vals[i];
			TupleDesc	desc = tt->tupdesc;
			bool		n;
			char	   *mname = TextDatumGetCString(lq_getdatum(tup, desc, 1, &n));
			int			k = lq_model_index(models, nmodels, mname);
			LqModel    *m = k < 0 ? NULL : models[k];
			int64		rule_id = DatumGetInt64(lq_getdatum(tup, desc, 2, &n));
			char	   *field = TextDatumGetCString(lq_getdatum(tup, desc, 3, &n));
			char	   *op = TextDatumGetCString(lq_getdatum(tup, desc, 4, &n));
			Datum		value = lq_getdatum(tup, desc, 5, &n);
			char	   *valuetext = n ? NULL : TextDatumGetCString(value);
			double		points = DatumGetFloat8(lq_getdatum(tup, desc, 6, &n));
			Datum		descr = lq_getdatum(tup, desc, 7, &n);
			char	   *descrtext = n ? NULL : TextDatumGetCString(descr);
			Datum		group = lq_getdatum(tup, desc, 8, &n);
			char	   *grouptext = n ? NULL : TextDatumGetCString(group);
			Jsonb	   *jvalue = NULL;

			CHECK_FOR_INTERRUPTS();
			if (m == NULL)
				continue;		/* the foreign key makes this impossible */
			if (valuetext)
				jvalue = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(valuetext)));
			oldcxt = MemoryContextSwitchTo(newcxt);
			if ((m->nfit & (m->nfit - 1)) == 0 && m->nfit >= 8)
				m->fit = repalloc(m->fit, sizeof(LqFitRule) * m->nfit * 2);
			lq_compile_fit_rule(&m->fit[m->nfit++], rule_id, field, op, jvalue,
								points, grouptext, descrtext);
			MemoryContextSwitchTo(oldcxt);
			/* a NULL group and a group's name differ: "G" only with a name */
			appendStringInfo(&fp[k], "F%lld|%s|%s|%s|%.17g|%s%s|", (long long) rule_id,
							 field, op, valuetext ? valuetext : "", points,
							 grouptext ? "G" : "", grouptext ? grouptext : "");
		}

		/* engagement rules */
		ret = SPI_execute(psprintf("SELECT model, rule_id, event_type, properties::pg_catalog.text, points,"
								   " half_life, max_points, min_count, within, description"
								   " FROM %s ORDER BY model, rule_id",
								   lq_qualified_name(lq_rule_tables[5])),
						  true, 0);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "could not read leadqual.engagement_rule: %s", SPI_result_code_string(ret));
		tt = SPI_tuptable;
		for (i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tup = tt->vals[i];
			TupleDesc	desc = tt->tupdesc;
			bool		n;
			char	   *mname = TextDatumGetCString(lq_getdatum(tup, desc, 1, &n));
			int			k = lq_model_index(models, nmodels, mname);
			LqModel    *m = k < 0 ? NULL : models[k];
			int64		rule_id = DatumGetInt64(lq_getdatum(tup, desc, 2, &n));
			char	   *etype = TextDatumGetCString(lq_getdatum(tup, desc, 3, &n));
			Datum		props = lq_getdatum(tup, desc, 4, &n);
			char	   *propstext = n ? NULL : TextDatumGetCString(props);
			double		points = DatumGetFloat8(lq_getdatum(tup, desc, 5, &n));
			Datum		hl = lq_getdatum(tup, desc, 6, &n);
			Interval   *half_life = n ? NULL : DatumGetIntervalP(hl);
			Datum		cap = lq_getdatum(tup, desc, 7, &n);
			bool		has_cap = !n;
			double		max_points = n ? 0 : DatumGetFloat8(cap);
			int			min_count = DatumGetInt32(lq_getdatum(tup, desc, 8, &n));
			Datum		w = lq_getdatum(tup, desc, 9, &n);
			Interval   *within = n ? NULL : DatumGetIntervalP(w);
			Datum		descr = lq_getdatum(tup, desc, 10, &n);
			char	   *descrtext = n ? NULL : TextDatumGetCString(descr);
			Jsonb	   *jprops = NULL;

			CHECK_FOR_INTERRUPTS();
			if (m == NULL)
				continue;
			if (propstext)
				jprops = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(propstext)));
			oldcxt = MemoryContextSwitchTo(newcxt);
			if ((m->neng & (m->neng - 1)) == 0 && m->neng >= 8)
				m->eng = repalloc(m->eng, sizeof(LqEngRule) * m->neng * 2);
			lq_compile_eng_rule(&m->eng[m->neng++], rule_id, etype, jprops, points,
								half_life, has_cap, max_points, min_count, within,
								descrtext);
			MemoryContextSwitchTo(oldcxt);
			/* intervals by their fields: no conversion can overflow */
			appendStringInfo(&fp[k], "E%lld|%s|%s|%.17g|%d,%d,%lld|%d|%.17g|%d|%d,%d,%lld|",
							 (long long) rule_id, etype,
							 propstext ? propstext : "", points,
							 half_life ? half_life->month : 0,
							 half_life ? half_life->day : 0,
							 (long long) (half_life ? half_life->time : 0),
							 (int) has_cap, max_points, min_count,
							 within ? within->month : 0,
							 within ? within->day : 0,
							 (long long) (within ? within->time : 0));
		}

		for (i = 0; i < (uint64) nmodels; i++)
		{
			oldcxt = MemoryContextSwitchTo(newcxt);
			lq_index_event_types(models[i]);
			lq_index_fit_groups(models[i]);
			MemoryContextSwitchTo(oldcxt);
			models[i]->fingerprint = hash_bytes((unsigned char *) fp[i].data, fp[i].len);
		}
	}
	PG_CATCH();
	{
		MemoryContextDelete(newcxt);
		lq_cache_valid = false;
		PG_RE_THROW();
	}
	PG_END_TRY();

	SPI_finish();

	/* retire the old generation at the end of this transaction */
	if (lq_cache_cxt != NULL)
		MemoryContextSetParent(lq_cache_cxt, TopTransactionContext);
	lq_cache_cxt = newcxt;
	lq_models = models;
	lq_nmodels = nmodels;
	lq_last_model = NULL;
	lq_cache_snapshot_bound = IsolationUsesXactSnapshot();
}

/*
 * lq_find_model
 *		The compiled model of that name, compiling the rules first if they
 *		changed; *found is false (and NULL returned) for an unknown name.
 */
LqModel *
lq_find_model(const char *name, int len, bool *found)
{
	int			i;

	if (!lq_cache_valid)
		lq_load_rules();

	*found = true;
	if (lq_last_model && lq_last_model->namelen == len &&
		memcmp(lq_last_model->name, name, len) == 0)
		return lq_last_model;

	for (i = 0; i < lq_nmodels; i++)
	{
		LqModel    *m = lq_models[i];

		if (m->namelen == len && memcmp(m->name, name, len) == 0)
		{
			lq_last_model = m;
			return m;
		}
	}
	*found = false;
	return NULL;
}

/*
 * lq_get_model
 *		lq_find_model, with an error for an unknown name.
 */
LqModel *
lq_get_model(const char *name, int len)
{
	bool		found;
	LqModel    *m = lq_find_model(name, len, &found);

	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("scoring model \"%.*s\" does not exist", len, name),
				 errhint("Use a name from leadqual.scoring_model, or insert the model there first.")));
	return m;
}

/*
 * lq_get_model_text
 *		lq_get_model for a text argument.
 */
LqModel *
lq_get_model_text(text *name)
{
	return lq_get_model(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));
}

/*
 * lq_fit_letter
 *		Grade letter of a fit score: A >= bands[1], B >= bands[2], C >=
 *		bands[3], else D.
 */
char
lq_fit_letter(LqModel *model, double fit)
{
	if (fit >= model->fit_bands[0])
		return 'A';
	if (fit >= model->fit_bands[1])
		return 'B';
	if (fit >= model->fit_bands[2])
		return 'C';
	return 'D';
}

/*
 * lq_eng_digit
 *		Grade digit of an engagement score: 1 >= bands[1] … else 4.
 */
char
lq_eng_digit(LqModel *model, double engagement)
{
	if (engagement >= model->eng_bands[0])
		return '1';
	if (engagement >= model->eng_bands[1])
		return '2';
	if (engagement >= model->eng_bands[2])
		return '3';
	return '4';
}

/*
 * lq_rules_table
 *		scoring_model, in the schema of the function being called.
 */
static Oid
lq_rules_table(FunctionCallInfo fcinfo)
{
	Oid			relid = get_relname_relid("scoring_model", get_func_namespace(fcinfo->flinfo->fn_oid));

	if (!OidIsValid(relid))
		elog(ERROR, "table \"scoring_model\" of leadqual is missing");
	return relid;
}

PG_FUNCTION_INFO_V1(lq_rules_changed);

/*
 * lq_rules_changed
 *		AFTER statement trigger on the rule tables: tell every backend (and
 *		this one, at the next command) that its compiled rules are stale.
 */
Datum
lq_rules_changed(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "lq_rules_changed must be called as a trigger");

	/*
	 * Invalidate scoring_model itself, not the trigger's relation: on Citus
	 * the trigger fires on this node's placement of the table.  Every node
	 * holding a placement runs the trigger, so each one tells its backends.
	 */
	CacheInvalidateRelcacheByRelid(lq_rules_table(fcinfo));
	lq_cache_valid = false;

	return PointerGetDatum(NULL);
}
