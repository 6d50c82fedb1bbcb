/*-------------------------------------------------------------------------
 *
 * rules_cache.c
 *	  Compiles scoring models and their rules into a backend-local cache,
 *	  validates rules when they are written, and drops the cache when the
 *	  rule tables change.
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
#include "regex/regex.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "leadqual.h"

#define LQ_MAX_MIN_COUNT 1000

static MemoryContext lq_cache_cxt = NULL;
static bool lq_cache_valid = false;
static bool lq_callback_registered = false;
static bool lq_cache_snapshot_bound = false;
static int	lq_nmodels = 0;
static LqModel **lq_models = NULL;
static LqModel *lq_last_model = NULL;
static Oid	lq_rule_tables[3] = {InvalidOid, InvalidOid, InvalidOid};

static const char *const lq_field_names[LQ_NUM_COLUMN_FIELDS] = {
	"email", "company", "job_title", "industry", "country",
	"company_size", "source_channel"
};

#define LQ_ATTR_PREFIX "attributes."

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
 * lq_scalar_from_jsonb
 *		Digest a JSON scalar (string, number, boolean) for eq / in matching.
 *		Returns false for null, arrays and objects.
 */
static bool
lq_scalar_from_jsonb(JsonbValue *v, LqScalar *out)
{
	switch (v->type)
	{
		case jbvString:
			out->kind = LQ_SCALAR_TEXT;
			out->text = str_tolower(v->val.string.val, v->val.string.len,
									DEFAULT_COLLATION_OID);
			return true;
		case jbvNumeric:
			out->kind = LQ_SCALAR_NUMBER;
			out->number = DatumGetFloat8(DirectFunctionCall1(numeric_float8,
															 NumericGetDatum(v->val.numeric)));
			out->text = DatumGetCString(DirectFunctionCall1(numeric_out,
															NumericGetDatum(v->val.numeric)));
			return true;
		case jbvBool:
			out->kind = LQ_SCALAR_BOOL;
			out->boolean = v->val.boolean;
			out->text = pstrdup(v->val.boolean ? "true" : "false");
			return true;
		default:
			return false;
	}
}

/*
 * lq_jsonb_scalar
 *		If a jsonb document is a bare scalar, return it.
 */
static bool
lq_jsonb_scalar(Jsonb *jb, JsonbValue *out)
{
	return JsonbExtractScalar(&jb->root, out);
}

/*
 * lq_bad_value
 *		Report a fit rule operand that does not suit its operator.
 */
static void
lq_bad_value(const char *op, const char *detail, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for fit rule operator %s", op),
			 errdetail("%s", detail),
			 errhint("%s", hint)));
}

/*
 * lq_compile_fit_rule
 *		Check one fit rule and compile it into *rule, allocating in the current
 *		memory context.  Every way a rule can be wrong is reported here, so the
 *		validation trigger and the cache loader agree.
 */
static void
lq_compile_fit_rule(LqFitRule *rule, int64 rule_id, const char *field,
					const char *op, Jsonb *value, double points,
					const char *description)
{
	int			i;

	memset(rule, 0, sizeof(*rule));
	rule->rule_id = rule_id;
	rule->description = description ? pstrdup(description) : NULL;
	rule->memo_cxt = CurrentMemoryContext;

	/* field */
	rule->field = LQ_FIELD_ATTRIBUTE;
	for (i = 0; i < LQ_NUM_COLUMN_FIELDS; i++)
		if (strcmp(field, lq_field_names[i]) == 0)
			rule->field = (LqFitField) i;
	if (rule->field == LQ_FIELD_ATTRIBUTE)
	{
		size_t		plen = strlen(LQ_ATTR_PREFIX);

		if (strncmp(field, LQ_ATTR_PREFIX, plen) != 0 || field[plen] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("unknown fit rule field \"%s\"", field),
					 errhint("Use email, company, job_title, industry, country, company_size, source_channel, or attributes.<key> for a key of lead.attributes.")));
		rule->attr_key = pstrdup(field + plen);
	}

	/* points */
	if (isnan(points) || isinf(points))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("fit rule points must be a finite number"),
				 errhint("Use a finite number of points; negative points are allowed.")));
	rule->points = points;

	/* op and its value */
	if (strcmp(op, "eq") == 0)
	{
		JsonbValue	v;

		rule->op = LQ_OP_EQ;
		rule->nscalars = 1;
		rule->scalars = palloc(sizeof(LqScalar));
		if (value == NULL || !lq_jsonb_scalar(value, &v) ||
			!lq_scalar_from_jsonb(&v, &rule->scalars[0]))
			lq_bad_value(op, "Operator eq compares with one JSON string, number or boolean.",
						 "Write the value as JSON, e.g. '\"CEO\"' or '500'.");
	}
	else if (strcmp(op, "in") == 0)
	{
		JsonbIterator *it;
		JsonbValue	v;
		JsonbIteratorToken tok;
		int			n;

		rule->op = LQ_OP_IN;
		if (value == NULL || !JB_ROOT_IS_ARRAY(value) || JB_ROOT_IS_SCALAR(value) ||
			JB_ROOT_COUNT(value) == 0)
			lq_bad_value(op, "Operator in needs a non-empty JSON array of strings, numbers or booleans.",
						 "Write the value as a JSON array, e.g. '[\"DE\", \"FR\"]'.");
		n = JB_ROOT_COUNT(value);
		rule->scalars = palloc(sizeof(LqScalar) * n);
		it = JsonbIteratorInit(&value->root);
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			if (tok != WJB_ELEM)
				continue;
			if (!lq_scalar_from_jsonb(&v, &rule->scalars[rule->nscalars]))
				lq_bad_value(op, "Every element of the array must be a string, number or boolean.",
							 "Remove nulls, arrays and objects from the list.");
			rule->nscalars++;
		}
	}
	else if (strcmp(op, "regex") == 0)
	{
		JsonbValue	v;

		rule->op = LQ_OP_REGEX;
		if (value == NULL || !lq_jsonb_scalar(value, &v) || v.type != jbvString)
			lq_bad_value(op, "Operator regex needs a JSON string holding a POSIX regular expression.",
						 "Write the pattern as a JSON string, e.g. '\"(chief|vp|head)\"'.");
		rule->regex = cstring_to_text_with_len(v.val.string.val, v.val.string.len);
		/* compiling reports a bad pattern with SQLSTATE 2201B */
		(void) RE_compile_and_cache(rule->regex, REG_ADVANCED | REG_ICASE,
									DEFAULT_COLLATION_OID);
		lq_regex_literals(rule, v.val.string.val, v.val.string.len);
	}
	else if (strcmp(op, "range") == 0)
	{
		JsonbValue *lo = NULL;
		JsonbValue *hi = NULL;

		rule->op = LQ_OP_RANGE;
		if (value != NULL && JB_ROOT_IS_ARRAY(value) && !JB_ROOT_IS_SCALAR(value) &&
			JB_ROOT_COUNT(value) == 2)
		{
			lo = getIthJsonbValueFromContainer(&value->root, 0);
			hi = getIthJsonbValueFromContainer(&value->root, 1);
		}
		if (lo == NULL || hi == NULL ||
			(lo->type != jbvNull && lo->type != jbvNumeric) ||
			(hi->type != jbvNull && hi->type != jbvNumeric) ||
			(lo->type == jbvNull && hi->type == jbvNull))
			lq_bad_value(op, "Operator range needs a JSON array [min, max] of numbers; one of them may be null for an open end.",
						 "Write the value as e.g. '[200, 999]' or '[1000, null]'.");
		if (lo->type == jbvNumeric)
		{
			rule->has_lo = true;
			rule->lo = DatumGetFloat8(DirectFunctionCall1(numeric_float8,
														  NumericGetDatum(lo->val.numeric)));
		}
		if (hi->type == jbvNumeric)
		{
			rule->has_hi = true;
			rule->hi = DatumGetFloat8(DirectFunctionCall1(numeric_float8,
														  NumericGetDatum(hi->val.numeric)));
		}
		if (rule->has_lo && rule->has_hi && rule->lo > rule->hi)
			lq_bad_value(op, "The minimum of the range is greater than its maximum.",
						 "Write the range as [min, max] with min <= max.");
	}
	else if (strcmp(op, "exists") == 0)
	{
		JsonbValue	v;

		rule->op = LQ_OP_EXISTS;
		if (value != NULL &&
			!(lq_jsonb_scalar(value, &v) &&
			  (v.type == jbvNull || (v.type == jbvBool && v.val.boolean))))
			lq_bad_value(op, "Operator exists takes no value.",
						 "Leave value NULL.");
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown fit rule operator \"%s\"", op),
				 errhint("Use eq, in, regex, range or exists.")));
}

/*
 * lq_flatten_properties
 *		If a rule's properties are an object of scalars (the usual
 *		{"page": "pricing"}), keep its pairs so that matching is a key lookup
 *		per pair.  Nested values keep the general jsonb containment.
 */
static void
lq_flatten_properties(LqEngRule *rule)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			n = JB_ROOT_COUNT(rule->properties);
	int			i = 0;

	rule->nflat = -1;
	rule->flat_keys = palloc(sizeof(JsonbValue) * Max(n, 1));
	rule->flat_values = palloc(sizeof(JsonbValue) * Max(n, 1));
	it = JsonbIteratorInit(&rule->properties->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			rule->flat_keys[i] = v;
		else if (tok == WJB_VALUE)
		{
			if (v.type != jbvString && v.type != jbvNumeric &&
				v.type != jbvBool && v.type != jbvNull)
				return;			/* nested: not flat */
			rule->flat_values[i++] = v;
		}
	}
	rule->nflat = i;
}

/*
 * lq_compile_eng_rule
 *		Check one engagement rule and compile it into *rule.
 */
static void
lq_compile_eng_rule(LqEngRule *rule, int64 rule_id, const char *event_type,
					Jsonb *properties, double points, Interval *half_life,
					bool has_cap, double max_points, int min_count,
					Interval *within, const char *description)
{
	memset(rule, 0, sizeof(*rule));
	rule->rule_id = rule_id;
	rule->description = description ? pstrdup(description) : NULL;

	if (event_type[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("engagement rule event_type must not be empty"),
				 errhint("Name the event type the rule scores, e.g. 'webinar_attended'.")));
	rule->event_type = pstrdup(event_type);
	rule->event_type_len = strlen(event_type);

	if (properties != NULL)
	{
		if (!JB_ROOT_IS_OBJECT(properties))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("engagement rule properties must be a JSON object"),
					 errdetail("An event matches when its properties contain this object (@>)."),
					 errhint("Write e.g. '{\"page\": \"pricing\"}', or NULL to match every event of the type.")));
		rule->properties = palloc(VARSIZE(properties));
		memcpy(rule->properties, properties, VARSIZE(properties));
		lq_flatten_properties(rule);
	}

	if (isnan(points) || isinf(points))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("engagement rule points must be a finite number"),
				 errhint("Use a finite number of points; negative points are allowed.")));
	rule->points = points;

	if (has_cap && (isnan(max_points) || isinf(max_points) || max_points < 0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("engagement rule max_points must be a finite number >= 0"),
				 errdetail("The cap limits the absolute value of the rule's contribution."),
				 errhint("Use a non-negative cap, or NULL for none.")));
	rule->has_cap = has_cap;
	rule->max_points = max_points;

	if (min_count < 1 || min_count > LQ_MAX_MIN_COUNT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("engagement rule min_count must be between 1 and %d", LQ_MAX_MIN_COUNT),
				 errhint("Set min_count to the number of events needed inside the window.")));
	rule->min_count = min_count;

	if (half_life != NULL)
	{
		if (lq_interval_usecs(half_life) <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("engagement rule half_life must be positive"),
					 errhint("Use an interval such as '14 days', or NULL for no decay.")));
		rule->half_life_us = (double) lq_interval_usecs(half_life);
	}

	if (within != NULL)
	{
		if (lq_interval_usecs(within) <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("engagement rule within must be positive"),
					 errhint("Use an interval such as '7 days'.")));
		if (half_life != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a frequency rule cannot have a half_life"),
					 errdetail("A rule with within set scores points once when min_count events fall inside the window; it does not decay."),
					 errhint("Set half_life to NULL, or within to NULL for a plain decaying rule.")));
		rule->is_frequency = true;
		rule->within = lq_interval_usecs(within);
	}
	else if (min_count != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a frequency rule needs within"),
				 errdetail("min_count = %d counts events inside a window, and the rule has none.", min_count),
				 errhint("Set within (e.g. '7 days'), or min_count to 1 for a plain rule.")));
}

/*
 * lq_check_bands
 *		Grade bands are three finite thresholds in descending order.
 */
static void
lq_check_bands(ArrayType *arr, const char *column, double *out)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	if (ARR_NDIM(arr) > 1)
		n = -1;
	else
		deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
						  TYPALIGN_DOUBLE, &elems, &nulls, &n);
	if (n != 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must have exactly 3 elements", column),
				 errdetail("The bands are the lower bounds of grades A, B, C (or 1, 2, 3)."),
				 errhint("Write e.g. '{75,50,25}'.")));
	for (i = 0; i < 3; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain nulls", column),
					 errhint("Write e.g. '{75,50,25}'.")));
		out[i] = DatumGetFloat8(elems[i]);
		lq_check_finite(out[i], column);
		if (i > 0 && out[i] > out[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be in descending order", column),
					 errhint("Write e.g. '{75,50,25}'.")));
	}
}

/*
 * lq_compile_model_row
 *		Check a scoring_model row's settings and copy them into *m.
 */
static void
lq_compile_model_row(LqModel *m, const char *name, double threshold,
					 const char *min_fit_grade, ArrayType *hand_raise,
					 Interval *sla, Interval *recycle_after,
					 ArrayType *fit_bands, ArrayType *eng_bands)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	m->name = pstrdup(name);
	m->namelen = strlen(name);

	lq_check_finite(threshold, "mql_threshold");
	m->mql_threshold = threshold;

	if (strlen(min_fit_grade) != 1 || min_fit_grade[0] < 'A' || min_fit_grade[0] > 'D')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("min_fit_grade must be one of A, B, C, D"),
				 errhint("A is the best fit letter; D lets every fit become an MQL by score.")));
	m->min_fit_grade = min_fit_grade[0];

	deconstruct_array(hand_raise, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	m->nhand_raise = n;
	m->hand_raise = palloc(sizeof(char *) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("hand_raise_types must not contain nulls"),
					 errhint("List event types, e.g. '{demo_request,contact_request}'.")));
		m->hand_raise[i] = TextDatumGetCString(elems[i]);
	}

	if (lq_interval_usecs(sla) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sla must be positive"),
				 errhint("Use an interval such as '48 hours'.")));
	m->sla = *sla;
	if (lq_interval_usecs(recycle_after) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("recycle_after must not be negative"),
				 errhint("Use an interval such as '30 days'.")));
	m->recycle_after = *recycle_after;

	lq_check_bands(fit_bands, "fit_bands", m->fit_bands);
	lq_check_bands(eng_bands, "engagement_bands", m->eng_bands);
}

/*
 * lq_index_event_types
 *		Group a model's engagement rules by event type (and mark hand-raise
 *		types), and lay out the timestamp slots of frequency rules.
 */
static void
lq_index_event_types(LqModel *m)
{
	int			maxtypes = m->neng + m->nhand_raise;
	int			i;

	m->types = palloc0(sizeof(LqEventType) * Max(maxtypes, 1));
	m->ntypes = 0;
	m->nrecent = 0;

	for (i = 0; i < m->neng + m->nhand_raise; i++)
	{
		const char *name = i < m->neng ? m->eng[i].event_type : m->hand_raise[i - m->neng];
		int			len = strlen(name);
		LqEventType *t = lq_find_event_type(m, name, len);

		if (t == NULL)
		{
			t = &m->types[m->ntypes++];
			t->name = pstrdup(name);
			t->len = len;
			t->rules = palloc(sizeof(int) * Max(m->neng, 1));
		}
		if (i < m->neng)
		{
			LqEngRule  *r = &m->eng[i];

			t->rules[t->nrules++] = i;
			if (r->properties)
				t->any_properties = true;
			if (r->is_frequency)
			{
				r->recent_offset = m->nrecent;
				m->nrecent += r->min_count;
			}
		}
		else
			t->hand_raise = true;
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

	newcxt = AllocSetContextCreate(TopMemoryContext, "leadqual rules",
								   ALLOCSET_SMALL_SIZES);

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));

	PG_TRY();
	{
		/* models */
		ret = SPI_execute("SELECT name, mql_threshold, min_fit_grade::text, hand_raise_types,"
						  " sla, recycle_after, fit_bands, engagement_bands"
						  " FROM leadqual.scoring_model ORDER BY name", true, 0);
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
		ret = SPI_execute("SELECT model, rule_id, field, op, value::text, points, description"
						  " FROM leadqual.fit_rule ORDER BY model, rule_id", true, 0);
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
			Jsonb	   *jvalue = NULL;

			if (m == NULL)
				continue;		/* the foreign key makes this impossible */
			if (valuetext)
				jvalue = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(valuetext)));
			oldcxt = MemoryContextSwitchTo(newcxt);
			if ((m->nfit & (m->nfit - 1)) == 0 && m->nfit >= 8)
				m->fit = repalloc(m->fit, sizeof(LqFitRule) * m->nfit * 2);
			lq_compile_fit_rule(&m->fit[m->nfit++], rule_id, field, op, jvalue,
								points, descrtext);
			MemoryContextSwitchTo(oldcxt);
			appendStringInfo(&fp[k], "F%lld|%s|%s|%s|%.17g|", (long long) rule_id,
							 field, op, valuetext ? valuetext : "", points);
		}

		/* engagement rules */
		ret = SPI_execute("SELECT model, rule_id, event_type, properties::text, points,"
						  " half_life, max_points, min_count, within, description"
						  " FROM leadqual.engagement_rule ORDER BY model, rule_id", true, 0);
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
			appendStringInfo(&fp[k], "E%lld|%s|%s|%.17g|%.17g|%d|%.17g|%d|%lld|",
							 (long long) rule_id, etype,
							 propstext ? propstext : "", points,
							 half_life ? lq_interval_seconds(half_life) : 0.0,
							 (int) has_cap, max_points, min_count,
							 (long long) (within ? lq_interval_usecs(within) : 0));
		}

		for (i = 0; i < (uint64) nmodels; i++)
		{
			oldcxt = MemoryContextSwitchTo(newcxt);
			lq_index_event_types(models[i]);
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
 * lq_find_event_type
 *		The engagement rules of one event type, or NULL if none.
 */
LqEventType *
lq_find_event_type(LqModel *model, const char *type, int len)
{
	int			i;

	for (i = 0; i < model->ntypes; i++)
	{
		LqEventType *t = &model->types[i];

		/* the last byte tells most types of one length apart */
		if (t->len == len && len > 0 && t->name[len - 1] == type[len - 1] &&
			memcmp(t->name, type, len) == 0)
			return t;
	}
	return NULL;
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

/* ----------------------------------------------------------------
 * Triggers on the rule tables
 * ---------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(lq_validate_rule);
PG_FUNCTION_INFO_V1(lq_rules_changed);

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

	tup = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	desc = trigdata->tg_relation->rd_att;
	relname = RelationGetRelationName(trigdata->tg_relation);

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
		bool		vn;
		Datum		value = lq_attr(tup, desc, "value", &vn);

		/* vn, not n: n is overwritten by the other arguments' lq_attr calls */
		lq_compile_fit_rule(&rule, 0,
							TextDatumGetCString(lq_attr(tup, desc, "field", &n)),
							TextDatumGetCString(lq_attr(tup, desc, "op", &n)),
							vn ? NULL : DatumGetJsonbP(value),
							DatumGetFloat8(lq_attr(tup, desc, "points", &n)),
							NULL);
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

/*
 * lq_rules_changed
 *		AFTER statement trigger on the rule tables: tell every backend (and
 *		this one, at the next command) that its compiled rules are stale.
 */
Datum
lq_rules_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "lq_rules_changed must be called as a trigger");

	CacheInvalidateRelcache(trigdata->tg_relation);
	lq_cache_valid = false;

	return PointerGetDatum(NULL);
}
