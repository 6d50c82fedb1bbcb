/*-------------------------------------------------------------------------
 *
 * fit.c
 *	  Fit scoring: who the lead is.  fit = Σ points of the fit rules of the
 *	  model that match the lead's columns and attributes (each rule once),
 *	  where the matching rules of one rule_group are alternatives: only the
 *	  one with the most points counts.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "executor/tuptable.h"
#include "catalog/pg_collation.h"
#include "funcapi.h"
#include "regex/regex.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "scoring/scoring.h"

/* lead columns read by fit rules, in LqFitField order, then attributes, model */
static const char *const lq_lead_columns[LQ_NUM_LEAD_COLUMNS] = {
	"email", "company", "job_title", "industry", "country",
	"company_size", "source_channel", "attributes", "model"
};

/* A lead's value for one rule's field, digested for comparison. */
typedef struct LqValue
{
	bool		is_number;
	bool		is_bool;
	bool		boolean;
	double		number;
	const char *str;
	int			len;
	char		buf[32];
} LqValue;

/*
 * lq_lead_attnums
 *		Find the columns fit rules read in a row descriptor, by name:
 *		attnums[i] is the attribute number of lq_lead_columns[i], 0 if the
 *		row has no such column.  Returns the highest attribute number found
 *		(how far a row must be deformed).
 */
int
lq_lead_attnums(TupleDesc desc, int *attnums)
{
	int			maxattno = 0;
	int			i;

	for (i = 0; i < LQ_NUM_LEAD_COLUMNS; i++)
	{
		int			attno;

		attnums[i] = 0;
		for (attno = 1; attno <= desc->natts; attno++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, attno - 1);

			if (!att->attisdropped &&
				strcmp(NameStr(att->attname), lq_lead_columns[i]) == 0)
			{
				attnums[i] = attno;
				maxattno = Max(maxattno, attno);
				break;
			}
		}
	}
	return maxattno;
}

/*
 * lq_lead_fields_from_slot
 *		Fill fields from a slot deformed at least as far as the columns in
 *		attnums (see lq_lead_attnums).  attributes is detoasted only when a
 *		rule reads it.
 */
void
lq_lead_fields_from_slot(TupleTableSlot *slot, const int *attnums, LqLeadFields *fields)
{
	int			i;

	memset(fields, 0, sizeof(*fields));
	for (i = 0; i < LQ_NUM_LEAD_COLUMNS; i++)
	{
		int			a = attnums[i];
		bool		isnull = a == 0 || slot->tts_isnull[a - 1];
		Datum		d = a == 0 ? (Datum) 0 : slot->tts_values[a - 1];

		if (i < LQ_NUM_COLUMN_FIELDS)
		{
			fields->isnull[i] = isnull;
			fields->values[i] = d;
		}
		else if (i == LQ_NUM_COLUMN_FIELDS)
		{
			fields->attributes_isnull = isnull;
			fields->attributes_datum = d;
		}
		else
			fields->model = isnull ? NULL : DatumGetTextPP(d);
	}
}

/*
 * lq_lead_fields
 *		Pull the columns fit rules read out of a lead row (any row type with
 *		those column names; missing columns count as NULL).
 */
void
lq_lead_fields(HeapTupleHeader lead, LqLeadFields *fields)
{
	static Oid	cached_type = InvalidOid;
	static int32 cached_typmod = -1;
	static uint64 cached_ident = 0;
	static int	cached_natts = -1;
	static int	attnums[LQ_NUM_LEAD_COLUMNS];
	static int	maxattno = 0;
	static TupleTableSlot *slot = NULL;
	TupleDesc	desc;
	HeapTupleData tuple;
	uint64		ident = 0;

	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(lead),
								  HeapTupleHeaderGetTypMod(lead));
	/* a named row type's descriptor changes identifier on ALTER TABLE */
	if (desc->tdtypeid != RECORDOID)
		ident = lookup_type_cache(desc->tdtypeid, TYPECACHE_TUPDESC)->tupDesc_identifier;

	/*
	 * Find the columns by name once per row type, and keep a slot (over a
	 * copy of the descriptor) that deforms a row only as far as the last
	 * column we read.
	 */
	if (cached_type != desc->tdtypeid || cached_typmod != desc->tdtypmod ||
		cached_ident != ident || cached_natts != desc->natts || slot == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		if (slot != NULL)
		{
			TupleDesc	olddesc = slot->tts_tupleDescriptor;

			ExecDropSingleTupleTableSlot(slot);
			FreeTupleDesc(olddesc);
			slot = NULL;
		}
		maxattno = lq_lead_attnums(desc, attnums);
		slot = MakeSingleTupleTableSlot(CreateTupleDescCopy(desc), &TTSOpsHeapTuple);
		MemoryContextSwitchTo(old);
		cached_type = desc->tdtypeid;
		cached_typmod = desc->tdtypmod;
		cached_ident = ident;
		cached_natts = desc->natts;
	}
	ReleaseTupleDesc(desc);

	tuple.t_len = HeapTupleHeaderGetDatumLength(lead);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = lead;
	ExecStoreHeapTuple(&tuple, slot, false);
	slot_getsomeattrs(slot, maxattno);
	lq_lead_fields_from_slot(slot, attnums, fields);
	ExecClearTuple(slot);
}

/*
 * lq_field_value
 *		The lead's value for a rule's field; false when it is NULL or absent.
 *		*present is set when an attribute key exists with a non-scalar value.
 */
static bool
lq_field_value(LqFitRule *rule, LqLeadFields *f, LqValue *v, bool *present)
{
	memset(v, 0, offsetof(LqValue, buf));
	*present = false;

	if (rule->field == LQ_FIELD_ATTRIBUTE)
	{
		JsonbValue *jv;

		if (f->attributes == NULL && !f->attributes_isnull)
			f->attributes = DatumGetJsonbP(f->attributes_datum);
		if (f->attributes == NULL || !JB_ROOT_IS_OBJECT(f->attributes))
			return false;
		jv = getKeyJsonValueFromContainer(&f->attributes->root, rule->attr_key,
										  strlen(rule->attr_key), NULL);
		if (jv == NULL || jv->type == jbvNull)
			return false;
		*present = true;
		switch (jv->type)
		{
			case jbvString:
				v->str = jv->val.string.val;
				v->len = jv->val.string.len;
				return true;
			case jbvNumeric:

				/*
				 * A JSON number beyond double range (1e400) is +/-Infinity
				 * here, which keeps its order against every finite rule
				 * operand, instead of an error that would make this lead
				 * fail every rescore once a rule reads the key.
				 */
				v->is_number = true;
				v->number = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
															   NumericGetDatum(jv->val.numeric)));
				v->str = DatumGetCString(DirectFunctionCall1(numeric_out,
															 NumericGetDatum(jv->val.numeric)));
				v->len = strlen(v->str);
				return true;
			case jbvBool:
				v->is_bool = true;
				v->boolean = jv->val.boolean;
				v->str = jv->val.boolean ? "true" : "false";
				v->len = strlen(v->str);
				return true;
			default:
				return false;	/* object or array: exists only */
		}
	}

	if (f->isnull[rule->field])
		return false;
	*present = true;
	if (rule->field == LQ_FIELD_COMPANY_SIZE)
	{
		int32		n = DatumGetInt32(f->values[rule->field]);

		v->is_number = true;
		v->number = n;
		/* spelled out only if a rule compares it as text (lq_value_text) */
	}
	else
	{
		text	   *t = DatumGetTextPP(f->values[rule->field]);

		v->str = VARDATA_ANY(t);
		v->len = VARSIZE_ANY_EXHDR(t);
	}
	return true;
}

/*
 * lq_lower
 *		Lower-case a value for case-insensitive comparison; plain ASCII (the
 *		usual case) without the multibyte machinery of str_tolower.
 */
static char *
lq_lower(const char *str, int len)
{
	char	   *out;
	int			i;

	for (i = 0; i < len; i++)
		if (IS_HIGHBIT_SET(str[i]))
			return str_tolower(str, len, DEFAULT_COLLATION_OID);
	out = palloc(len + 1);
	for (i = 0; i < len; i++)
		out[i] = pg_ascii_tolower((unsigned char) str[i]);
	out[len] = '\0';
	return out;
}

/*
 * lq_regex_literal_char
 *		The literal character at pattern[*i] (advancing *i past it), or -1 if
 *		it is not a plain literal: an ASCII character outside ARE's special
 *		ones, or a backslash before a punctuation character.
 */
static int
lq_regex_literal_char(const char *pattern, int len, int *i)
{
	unsigned char c = pattern[*i];

	if (c == '\\')
	{
		unsigned char e;

		if (*i + 1 >= len)
			return -1;
		e = pattern[*i + 1];
		if (e < 0x21 || e > 0x7e || isalnum(e))
			return -1;			/* \d, \m, \y …: classes and constraints */
		*i += 2;
		return e;
	}
	if (c < 0x20 || c > 0x7e || strchr(".[](){}|*+?^$", c) != NULL)
		return -1;
	(*i)++;
	return pg_ascii_tolower(c);
}

/*
 * lq_regex_literals
 *		Called when a regex rule is compiled: if the pattern is literals only,
 *		prefix(alt|alt|…)suffix, a plain literal, or alt|alt|…, keep its
 *		alternatives spelled out (prefix + alternative + suffix, lower-case),
 *		so that ASCII values are matched by a substring search instead of the
 *		regex engine (free e-mail domains, the usual case, are such a
 *		pattern).  Anything else (classes, anchors, quantifiers, nested
 *		groups, options) leaves nlits at 0.
 */
void
lq_regex_literals(LqFitRule *rule, const char *pattern, int len)
{
	StringInfoData prefix;
	StringInfoData suffix;
	List	   *alts = NIL;
	StringInfo	cur;
	bool		in_group = false;
	bool		had_group = false;
	bool		top_alt = false;
	int			i = 0;
	int			n;
	ListCell   *lc;

	rule->nlits = 0;
	if (len >= 3 && strncmp(pattern, "***", 3) == 0)
		return;					/* a director: ***= or ***: */
	initStringInfo(&prefix);
	initStringInfo(&suffix);
	cur = &prefix;
	while (i < len)
	{
		char		c = pattern[i];
		int			lit;

		if (c == '(' && !in_group && !had_group && !top_alt)
		{
			i += (i + 2 < len && pattern[i + 1] == '?' && pattern[i + 2] == ':') ? 3 : 1;
			if (i < len && pattern[i] == '?')
				return;			/* other (?…) forms: options, lookahead */
			in_group = had_group = true;
			cur = makeStringInfo();
			alts = lappend(alts, cur);
			continue;
		}
		if (c == '|' && in_group)
		{
			i++;
			cur = makeStringInfo();
			alts = lappend(alts, cur);
			continue;
		}
		if (c == ')' && in_group)
		{
			i++;
			in_group = false;
			cur = &suffix;
			continue;
		}
		if (c == '|' && !had_group)
		{
			/* top-level alternation of literals: each is an alternative */
			top_alt = true;
			if (alts == NIL)
			{
				StringInfo	first = makeStringInfo();

				appendBinaryStringInfo(first, prefix.data, prefix.len);
				resetStringInfo(&prefix);
				alts = lappend(alts, first);
			}
			i++;
			cur = makeStringInfo();
			alts = lappend(alts, cur);
			continue;
		}
		lit = lq_regex_literal_char(pattern, len, &i);
		if (lit < 0)
			return;
		/* a quantifier after the last literal would apply to it alone */
		if (i < len && strchr("*+?{", pattern[i]) != NULL)
			return;
		appendStringInfoChar(cur, (char) lit);
	}
	if (in_group)
		return;
	if (alts == NIL)
	{
		cur = makeStringInfo();
		alts = lappend(alts, cur);
	}
	foreach(lc, alts)
		if (((StringInfo) lfirst(lc))->len == 0 && list_length(alts) > 1)
			return;				/* an empty alternative: leave it to the engine */

	n = list_length(alts);
	rule->lits = palloc(sizeof(char *) * n);
	rule->lit_lens = palloc(sizeof(int) * n);
	i = 0;
	foreach(lc, alts)
	{
		StringInfo	alt = lfirst(lc);
		StringInfoData full;

		initStringInfo(&full);
		appendBinaryStringInfo(&full, prefix.data, prefix.len);
		appendBinaryStringInfo(&full, alt->data, alt->len);
		appendBinaryStringInfo(&full, suffix.data, suffix.len);
		rule->lits[i] = full.data;
		rule->lit_lens[i] = full.len;
		i++;
	}
	rule->nlits = n;
}

/*
 * lq_regex_literal_match
 *		Match an ASCII value against a literals-only pattern: does any of its
 *		spelled-out alternatives occur in the value, ignoring ASCII case?
 *		Returns -1 if the value is not plain ASCII (then the regex engine
 *		decides: case folding beyond ASCII is the collation's).
 */
static int
lq_regex_literal_match(LqFitRule *rule, const char *str, int len)
{
	char		buf[256];
	int			i;
	int			a;

	if (len > (int) sizeof(buf))
		return -1;
	for (i = 0; i < len; i++)
	{
		unsigned char c = str[i];

		if (c == 0 || IS_HIGHBIT_SET(c))
			return -1;
		buf[i] = pg_ascii_tolower(c);
	}
	for (a = 0; a < rule->nlits; a++)
	{
		const char *lit = rule->lits[a];
		int			litlen = rule->lit_lens[a];

		for (i = 0; i + litlen <= len; i++)
			if (buf[i] == lit[0] || litlen == 0)
				if (memcmp(buf + i, lit, litlen) == 0)
					return 1;
	}
	return 0;
}

#define LQ_MEMO_KEYLEN 64		/* values up to 63 bytes are memoized */
#define LQ_MEMO_MAX 10000		/* entries per rule before starting over */
#define LQ_MEMO_TRIAL 2000		/* lookups before judging the memo … */
#define LQ_MEMO_MIN_HITS 4		/* … which must find at least 1 in this many */

typedef struct LqMemoEntry
{
	char		key[LQ_MEMO_KEYLEN];
	bool		matched;
} LqMemoEntry;

/*
 * lq_regex_run
 *		Case-insensitive POSIX match of a rule's pattern.
 */
static inline bool
lq_regex_run(LqFitRule *rule, const char *str, int len)
{
	return RE_compile_and_execute(rule->regex, (char *) str, len,
								  REG_ADVANCED | REG_ICASE,
								  DEFAULT_COLLATION_OID, 0, NULL);
}

/*
 * lq_regex_matches
 *		Match a value against a regex rule.  A literals-only pattern matches
 *		ASCII values by substring search (lq_regex_literal_match).  Job
 *		titles, industries and the like repeat across leads, and running the
 *		regex engine costs far more than a hash probe, so short values are
 *		memoized per rule (in the
 *		rules cache, so a rule change forgets them).  Values that hardly
 *		repeat (e-mail addresses) would only fill the memo: after a trial of
 *		LQ_MEMO_TRIAL lookups with fewer than one hit in LQ_MEMO_MIN_HITS the
 *		rule stops memoizing until the rules are loaded again.
 */
static bool
lq_regex_matches(LqFitRule *rule, const char *str, int len)
{
	LqMemoEntry *e;
	char		key[LQ_MEMO_KEYLEN];
	bool		found;
	bool		matched;

	if (rule->nlits > 0)
	{
		int			m = lq_regex_literal_match(rule, str, len);

		if (m >= 0)
			return m == 1;
	}
	if (rule->memo_off || len >= LQ_MEMO_KEYLEN || memchr(str, '\0', len) != NULL)
		return lq_regex_run(rule, str, len);

	if (rule->memo_probes == LQ_MEMO_TRIAL &&
		rule->memo_hits < LQ_MEMO_TRIAL / LQ_MEMO_MIN_HITS)
	{
		rule->memo_off = true;
		if (rule->memo != NULL)
			hash_destroy(rule->memo);
		rule->memo = NULL;
		return lq_regex_run(rule, str, len);
	}

	if (rule->memo == NULL || hash_get_num_entries(rule->memo) >= LQ_MEMO_MAX)
	{
		HASHCTL		ctl;

		if (rule->memo != NULL)
			hash_destroy(rule->memo);
		ctl.keysize = LQ_MEMO_KEYLEN;
		ctl.entrysize = sizeof(LqMemoEntry);
		ctl.hcxt = rule->memo_cxt;
		rule->memo = hash_create("leadqual regex memo", 256, &ctl,
								 HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	memset(key, 0, sizeof(key));
	memcpy(key, str, len);
	if (rule->memo_probes < LQ_MEMO_TRIAL)
		rule->memo_probes++;
	e = hash_search(rule->memo, key, HASH_FIND, NULL);
	if (e != NULL)
	{
		if (rule->memo_hits < LQ_MEMO_TRIAL)
			rule->memo_hits++;
		return e->matched;
	}

	/* match first: the regex may throw, and must not leave a half entry */
	matched = lq_regex_run(rule, str, len);
	e = hash_search(rule->memo, key, HASH_ENTER, &found);
	e->matched = matched;
	return matched;
}

/*
 * lq_value_text
 *		Spell out a lead's company_size for a text comparison, once.
 */
static inline void
lq_value_text(LqValue *v)
{
	if (v->str == NULL && v->is_number)
	{
		snprintf(v->buf, sizeof(v->buf), "%.0f", v->number);
		v->str = v->buf;
		v->len = strlen(v->buf);
	}
}

/*
 * lq_scalar_eq
 *		eq semantics: numbers compare as numbers, booleans as booleans,
 *		everything else as case-insensitive text.
 */
static bool
lq_scalar_eq(LqScalar *s, LqValue *v, char **lower)
{
	if (s->kind == LQ_SCALAR_NUMBER && v->is_number)
		return s->number == v->number;
	if (s->kind == LQ_SCALAR_BOOL && v->is_bool)
		return s->boolean == v->boolean;
	if (*lower == NULL)
	{
		lq_value_text(v);
		*lower = lq_lower(v->str, v->len);
	}
	return strcmp(s->text, *lower) == 0;
}

/*
 * lq_value_number
 *		A value as a number for range: numbers, or text that is a number.
 */
static bool
lq_value_number(LqValue *v, double *out)
{
	char	   *s;
	char	   *end;

	if (v->is_number)
	{
		*out = v->number;
		return true;
	}
	if (v->is_bool || v->len == 0)
		return false;
	s = pnstrdup(v->str, v->len);
	errno = 0;
	*out = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || isnan(*out) || isinf(*out))
		return false;
	return true;
}

/*
 * lq_fit_rule_matches
 *		Does one fit rule match the lead?
 */
bool
lq_fit_rule_matches(LqFitRule *rule, LqLeadFields *fields)
{
	LqValue		v;
	bool		present;
	bool		has = lq_field_value(rule, fields, &v, &present);
	char	   *lower = NULL;
	double		num;
	int			i;

	switch (rule->op)
	{
		case LQ_OP_EXISTS:
			return present && (!has || v.is_number || v.is_bool || v.len > 0);
		case LQ_OP_EQ:
			return has && lq_scalar_eq(&rule->scalars[0], &v, &lower);
		case LQ_OP_IN:
			if (!has)
				return false;
			for (i = 0; i < rule->nscalars; i++)
				if (lq_scalar_eq(&rule->scalars[i], &v, &lower))
					return true;
			return false;
		case LQ_OP_REGEX:
			if (!has)
				return false;
			lq_value_text(&v);
			return lq_regex_matches(rule, v.str, v.len);
		case LQ_OP_RANGE:
			if (!has || !lq_value_number(&v, &num))
				return false;
			return (!rule->has_lo || num >= rule->lo) && (!rule->has_hi || num <= rule->hi);
	}
	return false;
}

/*
 * lq_fit
 *		Fit score of a lead under a model: the points of the matching rules,
 *		except that of the matching rules of one rule_group only the one with
 *		the most points counts (the lowest rule_id among equals; SPEC §3).
 *		Points are summed in rule order.  If counted is not NULL, counted[i]
 *		tells whether rule i counted (the ledger of explain_score, which
 *		therefore adds up to this sum).
 *
 *		This is the only place fit is computed.  A model without groups is
 *		one pass over its rules; with groups, a first pass decides what
 *		counts, in the model's scratch arrays (nothing is allocated per
 *		lead), and stops testing a group once its unbeatable member matched.
 */
double
lq_fit(LqModel *model, LqLeadFields *fields, bool *counted)
{
	double		fit = 0;
	int			i;

	if (model->nfit_groups == 0)
	{
		for (i = 0; i < model->nfit; i++)
		{
			bool		m = lq_fit_rule_matches(&model->fit[i], fields);

			if (counted)
				counted[i] = m;
			if (m)
				fit += model->fit[i].points;
		}
		lq_check_sum(fit, "fit");
		return fit;
	}

	if (counted == NULL)
		counted = model->fit_counted;
	for (i = 0; i < model->nfit_groups; i++)
		model->fit_best[i] = -1;	/* no member matched yet */
	for (i = 0; i < model->nfit; i++)
	{
		LqFitRule  *r = &model->fit[i];
		int		   *best = r->group >= 0 ? &model->fit_best[r->group] : NULL;

		counted[i] = false;
		if (best != NULL && *best >= 0 && model->fit[*best].group_top)
			continue;			/* the group's winner is known */
		if (!lq_fit_rule_matches(r, fields))
			continue;
		if (best == NULL)
			counted[i] = true;
		else if (*best < 0 || r->points > model->fit[*best].points)
		{
			/* strictly more points: an earlier (lower rule_id) tie stays */
			if (*best >= 0)
				counted[*best] = false;
			counted[i] = true;
			*best = i;
		}
	}
	for (i = 0; i < model->nfit; i++)
		if (counted[i])
			fit += model->fit[i].points;
	lq_check_sum(fit, "fit");
	return fit;
}

PG_FUNCTION_INFO_V1(lq_fit_score);
PG_FUNCTION_INFO_V1(lq_grade);

/*
 * lq_fit_score
 *		fit_score(lead leadqual.lead, model text DEFAULT NULL) → float8.
 *		A NULL model means the lead's own.
 */
Datum
lq_fit_score(PG_FUNCTION_ARGS)
{
	LqLeadFields fields;
	LqModel    *model;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	lq_lead_fields(PG_GETARG_HEAPTUPLEHEADER(0), &fields);

	if (!PG_ARGISNULL(1))
		model = lq_get_model_text(PG_GETARG_TEXT_PP(1));
	else if (fields.model != NULL)
		model = lq_get_model_text(fields.model);
	else
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("lead has no scoring model"),
				 errhint("Pass a model name, or set lead.model.")));

	PG_RETURN_FLOAT8(lq_fit(model, &fields, NULL));
}

/*
 * lq_grade
 *		grade(model text, fit float8, engagement float8) → text: the letter of
 *		the fit band and the digit of the engagement band, e.g. 'A1'.
 */
Datum
lq_grade(PG_FUNCTION_ARGS)
{
	LqModel    *model = lq_get_model_text(PG_GETARG_TEXT_PP(0));
	double		fit = PG_GETARG_FLOAT8(1);
	double		eng = PG_GETARG_FLOAT8(2);
	char		g[3];

	lq_check_finite(fit, "fit");
	lq_check_finite(eng, "engagement");
	g[0] = lq_fit_letter(model, fit);
	g[1] = lq_eng_digit(model, eng);
	g[2] = '\0';
	PG_RETURN_TEXT_P(cstring_to_text(g));
}
