/*-------------------------------------------------------------------------
 *
 * rules_compile.c
 *	  Compiles scoring models and their rules: each row of scoring_model,
 *	  fit_rule and engagement_rule into its digested form, with a clear
 *	  error for what cannot be scored.  The rules cache (rules_cache.c) and
 *	  the validation trigger (rules_validate.c) are its two callers, so a
 *	  rule is refused when written for exactly the reasons it could not be
 *	  compiled later.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_collation.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "regex/regex.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "scoring/rules.h"

#define LQ_MAX_MIN_COUNT 1000

/*
 * Event types by name, for models with more than LQ_TYPE_HASH_MIN types
 * (lq_find_event_type).  The key points into the type's own name.
 */
typedef struct LqTypeKey
{
	const char *name;
	int			len;
} LqTypeKey;

typedef struct LqTypeEntry
{
	LqTypeKey	key;
	uint32		hash;
	char		status;			/* simplehash's */
	int			index;			/* into model->types */
} LqTypeEntry;

#define SH_PREFIX lq_typehash
#define SH_ELEMENT_TYPE LqTypeEntry
#define SH_KEY_TYPE LqTypeKey
#define SH_KEY key
#define SH_HASH_KEY(tb, k) hash_bytes((const unsigned char *) (k).name, (k).len)
#define SH_EQUAL(tb, a, b) ((a).len == (b).len && memcmp((a).name, (b).name, (a).len) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, e) ((e)->hash)
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/*
 * lq_limit_exceeded
 *		Report a user-controlled size beyond its limit (SQLSTATE 54000).
 */
static void
lq_limit_exceeded(const char *what, long long n, int limit, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s has too many elements", what),
			 errdetail("It has %lld; the limit is %d.", n, limit),
			 errhint("%s", hint)));
}

/*
 * lq_check_name
 *		An event type, hand-raise type or rule group name: not empty, and at
 *		most LQ_MAX_NAME_LEN bytes (SQLSTATE 54000 beyond, 22023 if empty).
 *		example is a good name of the kind, for the hint.
 */
static void
lq_check_name(const char *what, const char *name, int len, const char *example)
{
	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", what),
				 errhint("Use a short identifier such as '%s'.", example)));
	if (len > LQ_MAX_NAME_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s is too long", what),
				 errdetail("It has %d bytes; the limit is %d.", len, LQ_MAX_NAME_LEN),
				 errhint("Use a short identifier such as '%s'.", example)));
}

static const char *const lq_field_names[LQ_NUM_COLUMN_FIELDS] = {
	"email", "company", "job_title", "industry", "country",
	"company_size", "source_channel"
};

#define LQ_ATTR_PREFIX "attributes."

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
void
lq_compile_fit_rule(LqFitRule *rule, int64 rule_id, const char *field,
					const char *op, Jsonb *value, double points,
					const char *rule_group, const char *description)
{
	int			i;

	memset(rule, 0, sizeof(*rule));
	rule->rule_id = rule_id;
	rule->description = description ? pstrdup(description) : NULL;
	rule->memo_cxt = CurrentMemoryContext;
	rule->group = -1;

	/* rule_group: NULL for none, else a name (indexed by lq_index_fit_groups) */
	if (rule_group != NULL)
	{
		lq_check_name("fit rule rule_group", rule_group, strlen(rule_group), "seniority");
		rule->group_name = pstrdup(rule_group);
	}

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
	lq_check_points(points, "fit rule points");
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
		if (n > LQ_MAX_IN_VALUES)
			lq_limit_exceeded("the value list of fit rule operator in", n, LQ_MAX_IN_VALUES,
							  "Split the list over several rules in one rule_group, or match with a regex rule.");
		rule->scalars = palloc(sizeof(LqScalar) * n);
		it = JsonbIteratorInit(&value->root);
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			CHECK_FOR_INTERRUPTS();
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
		if (v.val.string.len > LQ_MAX_REGEX_LEN)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("fit rule regex is too long"),
					 errdetail("It has %d bytes; the limit is %d.", v.val.string.len, LQ_MAX_REGEX_LEN),
					 errhint("Split the alternatives over several rules in one rule_group.")));
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
 * lq_check_properties_shape
 *		An engagement rule's properties filter is tested against every event
 *		of its type, by containment, which recurses once per level of
 *		nesting: at most LQ_MAX_PROPERTIES_DEPTH levels and
 *		LQ_MAX_PROPERTIES_SIZE bytes (SQLSTATE 54000), so that a rule
 *		accepted today cannot exhaust the stack or the time of tomorrow's
 *		scoring.
 */
static void
lq_check_properties_shape(Jsonb *properties)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			depth = 0;

	if (VARSIZE(properties) > LQ_MAX_PROPERTIES_SIZE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("engagement rule properties are too large"),
				 errdetail("They take %u bytes; the limit is %d.",
						   (unsigned int) VARSIZE(properties), LQ_MAX_PROPERTIES_SIZE),
				 errhint("Filter on a few keys, e.g. '{\"page\": \"pricing\"}'.")));
	it = JsonbIteratorInit(&properties->root);
	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok == WJB_BEGIN_OBJECT || tok == WJB_BEGIN_ARRAY)
		{
			if (++depth > LQ_MAX_PROPERTIES_DEPTH)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("engagement rule properties nest too deeply"),
						 errdetail("The limit is %d levels of objects and arrays.",
								   LQ_MAX_PROPERTIES_DEPTH),
						 errhint("Filter on a few keys, e.g. '{\"page\": \"pricing\"}'.")));
		}
		else if (tok == WJB_END_OBJECT || tok == WJB_END_ARRAY)
			depth--;
	}
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
void
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
	lq_check_name("engagement rule event_type", event_type, strlen(event_type),
				  "webinar_attended");
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
		lq_check_properties_shape(properties);
		rule->properties = palloc(VARSIZE(properties));
		memcpy(rule->properties, properties, VARSIZE(properties));
		lq_flatten_properties(rule);
	}

	if (isnan(points) || isinf(points))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("engagement rule points must be a finite number"),
				 errhint("Use a finite number of points; negative points are allowed.")));
	lq_check_points(points, "engagement rule points");
	rule->points = points;

	if (has_cap && (isnan(max_points) || isinf(max_points) || max_points < 0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("engagement rule max_points must be a finite number >= 0"),
				 errdetail("The cap limits the absolute value of the rule's contribution."),
				 errhint("Use a non-negative cap, or NULL for none.")));
	if (has_cap)
		lq_check_points(max_points, "engagement rule max_points");
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
		if (lq_interval_sign(half_life) <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("engagement rule half_life must be positive"),
					 errhint("Use an interval such as '14 days', or NULL for no decay.")));
		/* a double: half-lives beyond int64 microseconds stay exact */
		rule->half_life_us = lq_interval_usecs_double(half_life);
	}

	if (within != NULL)
	{
		bool		exact;

		if (lq_interval_sign(within) <= 0)
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
		/* saturated at PG_INT64_MAX; see lq_in_window() for the rest */
		rule->within = lq_interval_usecs(within, &exact);
		rule->within_huge = !exact;
		rule->within_us = lq_interval_usecs_double(within);
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
		lq_check_points(out[i], column);
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
void
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
	lq_check_points(threshold, "mql_threshold");
	m->mql_threshold = threshold;

	if (strlen(min_fit_grade) != 1 || min_fit_grade[0] < 'A' || min_fit_grade[0] > 'D')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("min_fit_grade must be one of A, B, C, D"),
				 errhint("A is the best fit letter; D lets every fit become an MQL by score.")));
	m->min_fit_grade = min_fit_grade[0];

	/* count before deconstructing: the limit must not cost the whole array */
	n = ArrayGetNItems(ARR_NDIM(hand_raise), ARR_DIMS(hand_raise));
	if (n > LQ_MAX_HAND_RAISE_TYPES)
		lq_limit_exceeded("hand_raise_types", n, LQ_MAX_HAND_RAISE_TYPES,
						  "List the few event types that mean a lead asked for sales, e.g. '{demo_request,contact_request}'.");
	deconstruct_array(hand_raise, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	m->nhand_raise = n;
	m->hand_raise = palloc(sizeof(char *) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("hand_raise_types must not contain nulls"),
					 errhint("List event types, e.g. '{demo_request,contact_request}'.")));
		lq_check_name("a hand_raise_types element", VARDATA_ANY(DatumGetPointer(elems[i])),
					  VARSIZE_ANY_EXHDR(DatumGetPointer(elems[i])), "demo_request");
		m->hand_raise[i] = TextDatumGetCString(elems[i]);
	}

	if (lq_interval_sign(sla) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sla must be positive"),
				 errhint("Use an interval such as '48 hours'.")));
	lq_check_interval_max(sla, LQ_MAX_MODEL_INTERVAL_DAYS, "sla");
	m->sla = *sla;
	if (lq_interval_sign(recycle_after) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("recycle_after must not be negative"),
				 errhint("Use an interval such as '30 days'.")));
	lq_check_interval_max(recycle_after, LQ_MAX_MODEL_INTERVAL_DAYS, "recycle_after");
	m->recycle_after = *recycle_after;

	lq_check_bands(fit_bands, "fit_bands", m->fit_bands);
	lq_check_bands(eng_bands, "engagement_bands", m->eng_bands);
}

/*
 * lq_type_key
 *		The hash key of an event type name.
 */
static inline LqTypeKey
lq_type_key(const char *name, int len)
{
	LqTypeKey	k;

	k.name = name;
	k.len = len;
	return k;
}

/*
 * lq_index_event_types
 *		Group a model's engagement rules by event type (and mark hand-raise
 *		types), and lay out the timestamp slots of frequency rules.  Linear in
 *		the number of rules and hand-raise types: names are found through a
 *		hash table built here (kept for lq_find_event_type when the model has
 *		many types), and each type's rule list is sized by a first count.
 */
void
lq_index_event_types(LqModel *m)
{
	int			maxtypes = m->neng + m->nhand_raise;
	int		   *type_of = palloc(sizeof(int) * Max(maxtypes, 1));
	int			i;

	m->types = palloc0(sizeof(LqEventType) * Max(maxtypes, 1));
	m->ntypes = 0;
	m->nrecent = 0;
	m->type_hash = lq_typehash_create(CurrentMemoryContext, Max(maxtypes, 1), NULL);

	/* the distinct names, in order of first appearance */
	for (i = 0; i < maxtypes; i++)
	{
		const char *name = i < m->neng ? m->eng[i].event_type : m->hand_raise[i - m->neng];
		int			len = strlen(name);
		bool		found;
		LqTypeEntry *e;

		CHECK_FOR_INTERRUPTS();
		e = lq_typehash_insert(m->type_hash, lq_type_key(name, len), &found);
		if (!found)
		{
			LqEventType *t = &m->types[m->ntypes];

			t->name = pstrdup(name);
			t->len = len;
			e->key.name = t->name;
			e->index = m->ntypes++;
		}
		type_of[i] = e->index;
		if (i < m->neng)
			m->types[e->index].nrules++;
		else
			m->types[e->index].hand_raise = true;
	}

	for (i = 0; i < m->ntypes; i++)
	{
		LqEventType *t = &m->types[i];

		t->rules = palloc(sizeof(int) * Max(t->nrules, 1));
		t->nrules = 0;
	}

	for (i = 0; i < m->neng; i++)
	{
		LqEngRule  *r = &m->eng[i];
		LqEventType *t = &m->types[type_of[i]];

		t->rules[t->nrules++] = i;
		if (r->properties)
			t->any_properties = true;
		if (r->is_frequency)
		{
			r->recent_offset = m->nrecent;
			m->nrecent += r->min_count;
		}
	}

	pfree(type_of);
	if (m->ntypes <= LQ_TYPE_HASH_MIN)
	{
		lq_typehash_destroy(m->type_hash);
		m->type_hash = NULL;
	}
}

/*
 * lq_find_event_type
 *		The engagement rules of one event type, or NULL if none.  This runs
 *		for every event scored: a model with a handful of types (the usual
 *		case) is scanned, which beats hashing the name; beyond
 *		LQ_TYPE_HASH_MIN types the hash table built by lq_index_event_types
 *		answers.
 */
LqEventType *
lq_find_event_type(LqModel *model, const char *type, int len)
{
	int			i;

	if (model->type_hash != NULL)
	{
		LqTypeEntry *e;

		if (len == 0 || len > LQ_MAX_NAME_LEN)
			return NULL;		/* no rule or hand-raise type has such a name */
		e = lq_typehash_lookup(model->type_hash, lq_type_key(type, len));
		return e ? &model->types[e->index] : NULL;
	}

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

/* One rule_group while a model's fit rules are indexed. */
typedef struct LqGroupEntry
{
	char		name[LQ_MAX_NAME_LEN + 1];	/* key */
	int			index;
} LqGroupEntry;

/*
 * lq_index_fit_groups
 *		Number a model's rule groups 0 … nfit_groups − 1 (rule->group, −1 for
 *		an ungrouped rule), mark in each group the rule no other member can
 *		beat (the most points, the lowest rule_id among equals: lq_fit stops
 *		testing a group once that one matched), and allocate the scratch
 *		arrays lq_fit works in, so that it allocates nothing per lead.
 *		Rules are in rule_id order.
 */
void
lq_index_fit_groups(LqModel *m)
{
	HTAB	   *groups = NULL;
	int		   *top;
	int			i;

	m->nfit_groups = 0;
	for (i = 0; i < m->nfit; i++)
	{
		LqFitRule  *r = &m->fit[i];
		LqGroupEntry *e;
		char		key[LQ_MAX_NAME_LEN + 1];
		bool		found;

		CHECK_FOR_INTERRUPTS();
		r->group = -1;
		r->group_top = false;
		if (r->group_name == NULL)
			continue;
		if (groups == NULL)
		{
			HASHCTL		ctl;

			ctl.keysize = LQ_MAX_NAME_LEN + 1;
			ctl.entrysize = sizeof(LqGroupEntry);
			ctl.hcxt = CurrentMemoryContext;
			groups = hash_create("leadqual fit rule groups", 16, &ctl,
								 HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
		}
		/* names were checked to fit (lq_check_name) */
		memset(key, 0, sizeof(key));
		strlcpy(key, r->group_name, sizeof(key));
		e = hash_search(groups, key, HASH_ENTER, &found);
		if (!found)
			e->index = m->nfit_groups++;
		r->group = e->index;
	}
	if (groups != NULL)
		hash_destroy(groups);

	m->fit_best = palloc(sizeof(int) * Max(m->nfit_groups, 1));
	m->fit_counted = palloc(sizeof(bool) * Max(m->nfit, 1));

	/* the unbeatable member of each group: first of the most points */
	top = palloc(sizeof(int) * Max(m->nfit_groups, 1));
	for (i = 0; i < m->nfit_groups; i++)
		top[i] = -1;
	for (i = 0; i < m->nfit; i++)
	{
		LqFitRule  *r = &m->fit[i];

		if (r->group >= 0 &&
			(top[r->group] < 0 || r->points > m->fit[top[r->group]].points))
			top[r->group] = i;
	}
	for (i = 0; i < m->nfit_groups; i++)
		m->fit[top[i]].group_top = true;
	pfree(top);
}
