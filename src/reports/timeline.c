/*-------------------------------------------------------------------------
 *
 * timeline.c
 *	  The aggregate
 *
 *	  lead_timeline(from_stage, to_stage, changed_at, actor, reason, history_id)
 *	      → leadqual.timeline
 *
 *	  Over one lead's stage_history rows (GROUP BY lead_id), the facts every
 *	  report needs, in one pass: when the lead first reached each waterfall
 *	  stage (skipped stages filled in, SPEC §4), its entries into stages
 *	  (with the skipped ones) and when it left each, its MQL cycles and what
 *	  sales did with each, and its rejections.  The report views
 *	  (src/sql/reports.sql) read stage_history once, through this aggregate,
 *	  and derive their counts from its result; the rules that turn a
 *	  history into those facts live here and nowhere else:
 *
 *	  - rows are taken in order of (changed_at, history_id), whatever the
 *	    input order (ties broken on every other column, so the result is a
 *	    function of the multiset of rows);
 *	  - waterfall ranks inquiry 0, mql 1, sal 2, sql 3, opportunity 4,
 *	    won 5; the side stages (lost, nurture, disqualified) and a NULL
 *	    from_stage rank 0 for the skip rule;
 *	  - reached: a lead reached waterfall stage s at the first row into a
 *	    waterfall stage of rank >= rank(s);
 *	  - entries: each row enters its to_stage; a row into waterfall stage t
 *	    also enters, at the same moment, every waterfall stage s with
 *	    rank(from_stage) < rank(s) < rank(t) (skipped, left at once); a
 *	    real entry is left at the next row (NULL: not yet);
 *	  - MQL cycles: each entry into mql, real or skipped.  A real one ends
 *	    at the next row, a skipped one at its own row.  The exit is a sales
 *	    action when its actor is sales; the cycle is accepted (sales into a
 *	    waterfall stage above mql), recycled (sales into nurture),
 *	    disqualified (sales into disqualified) or none of these;
 *	    later_won: recycled or disqualified, and the lead entered won after
 *	    the exit;
 *	  - rejections (SPEC §4): rows by sales from mql, sal or sql into
 *	    nurture or disqualified, each with its reason and the start of the
 *	    latest MQL cycle at or before it (NULL: none).
 *
 * Rows with a NULL to_stage or changed_at, or an infinite changed_at, are
 * skipped.  The state is internal (the rows, 32 bytes each plus the reason
 * of a rejection); combine, serialize and deserialize make the aggregate
 * parallel safe.  The final function sorts the rows in place and builds
 * the composite result.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "lifecycle/lifecycle.h"
#include "reports/reports.h"

#define TL_STATE_VERSION 1

/* the stages, in the enum's declaration order (schema.sql) */
enum
{
	TL_INQUIRY, TL_MQL, TL_SAL, TL_SQL, TL_OPPORTUNITY, TL_WON,
	TL_LOST, TL_NURTURE, TL_DISQUALIFIED, TL_NSTAGES
};
static const char *const tl_stage_labels[TL_NSTAGES] = {
	"inquiry", "mql", "sal", "sql", "opportunity", "won",
	"lost", "nurture", "disqualified"
};

#define TL_IS_WATERFALL(s) ((s) >= TL_INQUIRY && (s) <= TL_WON)
/* rank for the skip rule: waterfall stages their own, others (and NULL) 0 */
#define TL_RANK(s) (TL_IS_WATERFALL(s) ? (s) : 0)

/* actors */
enum
{
	TL_SYSTEM, TL_MARKETING, TL_SALES, TL_OTHER_ACTOR
};

/* from_stage NULL */
#define TL_NO_STAGE (-1)

/* the result's attributes, in the order of the type leadqual.timeline */
enum
{
	TLA_MQL_AT, TLA_SAL_AT, TLA_SQL_AT, TLA_OPPORTUNITY_AT, TLA_WON_AT,
	TLA_LOST_AT, TLA_FIRST_MOVE_AT, TLA_MOVES,
	TLA_ENTRY_STAGE, TLA_ENTRY_AT, TLA_ENTRY_LEFT_AT, TLA_ENTRY_SKIPPED,
	TLA_MQL_START_AT, TLA_MQL_EXIT_AT, TLA_MQL_SALES_ACTION, TLA_MQL_OUTCOME,
	TLA_MQL_LATER_WON,
	TLA_REJECTION_AT, TLA_REJECTION_REASON, TLA_REJECTION_MQL_AT,
	TLA_NATTS
};

/* one stage_history row */
typedef struct TlRow
{
	TimestampTz at;				/* changed_at, finite */
	int64		hid;			/* history_id (0 when NULL, see hid_null) */
	bool		hid_null;
	int8		from;			/* stage ordinal or TL_NO_STAGE */
	int8		to;				/* stage ordinal */
	int8		actor;			/* TL_SYSTEM .. TL_OTHER_ACTOR */
	char	   *reason;			/* kept for rejections only; NULL otherwise */
} TlRow;

typedef struct TlState
{
	int64		nrows;
	int64		maxrows;
	TlRow	   *rows;			/* in aggcontext */
} TlState;

/* the stage enum's values, looked up once per call site */
typedef struct TlStages
{
	Oid			stagetype;
	Oid			oids[TL_NSTAGES];
	TupleDesc	tupdesc;		/* final function only: the result's */
	int16		stage_len;		/* final function only: the stage type's */
	bool		stage_byval;
	char		stage_align;
} TlStages;

/*
 * tl_row_cmp
 *		Order of rows: changed_at, history_id (NULL first), then every other
 *		column, so that equal keys cannot make the result depend on input
 *		order.
 */
static int
tl_row_cmp(const TlRow *a, const TlRow *b)
{
	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	if (a->hid_null != b->hid_null)
		return a->hid_null ? -1 : 1;
	if (a->hid != b->hid)
		return a->hid < b->hid ? -1 : 1;
	if (a->to != b->to)
		return a->to < b->to ? -1 : 1;
	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	if (a->actor != b->actor)
		return a->actor < b->actor ? -1 : 1;
	if ((a->reason == NULL) != (b->reason == NULL))
		return a->reason == NULL ? -1 : 1;
	if (a->reason != NULL)
		return strcmp(a->reason, b->reason);
	return 0;
}

#define ST_SORT tl_sort_rows
#define ST_ELEMENT_TYPE TlRow
#define ST_COMPARE(a, b) tl_row_cmp(a, b)
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"

PG_FUNCTION_INFO_V1(lq_lead_timeline_trans);
PG_FUNCTION_INFO_V1(lq_lead_timeline_final);
PG_FUNCTION_INFO_V1(lq_lead_timeline_combine);
PG_FUNCTION_INFO_V1(lq_lead_timeline_serial);
PG_FUNCTION_INFO_V1(lq_lead_timeline_deserial);

/*
 * tl_check_state
 *		Assert the state's invariants (in assert-enabled builds).
 */
static inline void
tl_check_state(const TlState *s)
{
	Assert(s != NULL);
	Assert(s->nrows >= 0 && s->nrows <= s->maxrows);
#ifdef USE_ASSERT_CHECKING
	for (int64 i = 0; i < s->nrows; i++)
	{
		const TlRow *r = &s->rows[i];

		Assert(!TIMESTAMP_NOT_FINITE(r->at));
		Assert(r->to >= 0 && r->to < TL_NSTAGES);
		Assert(r->from >= TL_NO_STAGE && r->from < TL_NSTAGES);
		Assert(r->actor >= TL_SYSTEM && r->actor <= TL_OTHER_ACTOR);
		Assert(!r->hid_null || r->hid == 0);
	}
#endif
}

/*
 * tl_state_new
 *		An empty state in cxt with room for maxrows rows.
 */
static TlState *
tl_state_new(MemoryContext cxt, int64 maxrows)
{
	TlState    *s = MemoryContextAllocZero(cxt, sizeof(TlState));

	s->maxrows = Max(maxrows, 8);
	s->rows = MemoryContextAllocHuge(cxt, (Size) s->maxrows * sizeof(TlRow));
	return s;
}

/*
 * tl_reserve
 *		Room for extra more rows, doubling the array.
 */
static void
tl_reserve(TlState *s, int64 extra)
{
	int64		need;
	int64		newmax;
	const int64 limit = (int64) (MaxAllocHugeSize / sizeof(TlRow));

	if (pg_add_s64_overflow(s->nrows, extra, &need) || need > limit)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many stage moves in one lead_timeline group"),
				 errdetail("A group may hold at most %lld rows.", (long long) limit),
				 errhint("Group by lead_id.")));
	if (need <= s->maxrows)
		return;
	newmax = s->maxrows;
	while (newmax < need)
		newmax = Min(newmax * 2, limit);
	s->rows = repalloc_huge(s->rows, (Size) newmax * sizeof(TlRow));
	s->maxrows = newmax;
}

/*
 * tl_stages
 *		The stage enum's values for stagetype, cached in the call site's
 *		fn_extra (they change only when the extension is created again,
 *		which makes a new type and new plans).
 */
static TlStages *
tl_stages(FunctionCallInfo fcinfo, Oid stagetype)
{
	TlStages   *st = (TlStages *) fcinfo->flinfo->fn_extra;

	if (st != NULL && st->stagetype == stagetype)
		return st;
	if (get_typtype(stagetype) != TYPTYPE_ENUM)
		elog(ERROR, "lead_timeline: type %u is not the stage enum", stagetype);
	st = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(TlStages));
	st->stagetype = stagetype;
	for (int i = 0; i < TL_NSTAGES; i++)
		st->oids[i] = DatumGetObjectId(lq_stage_value(stagetype, tl_stage_labels[i]));
	fcinfo->flinfo->fn_extra = st;
	return st;
}

/*
 * tl_stage_ordinal
 *		The ordinal of a stage value.  The enum is leadqual's; a value added
 *		to it by ALTER TYPE is not one the reports know (22023).
 */
static int8
tl_stage_ordinal(const TlStages *st, Datum stage)
{
	Oid			v = DatumGetObjectId(stage);

	for (int i = 0; i < TL_NSTAGES; i++)
		if (st->oids[i] == v)
			return (int8) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("stage \"%s\" is not one of leadqual's stages",
					DatumGetCString(DirectFunctionCall1(enum_out, stage))),
			 errdetail("The reports know the stages inquiry, mql, sal, sql, opportunity, won, lost, nurture and disqualified."),
			 errhint("Do not add values to the type leadqual.stage.")));
	return 0;					/* not reached */
}

/*
 * tl_actor_code
 *		system, marketing, sales, or anything else (which is never sales).
 */
static int8
tl_actor_code(text *actor)
{
	const char *p = VARDATA_ANY(actor);
	int			len = VARSIZE_ANY_EXHDR(actor);

	if (len == 5 && memcmp(p, "sales", 5) == 0)
		return TL_SALES;
	if (len == 6 && memcmp(p, "system", 6) == 0)
		return TL_SYSTEM;
	if (len == 9 && memcmp(p, "marketing", 9) == 0)
		return TL_MARKETING;
	return TL_OTHER_ACTOR;
}

/*
 * tl_is_rejection
 *		A move by sales from mql, sal or sql into nurture or disqualified
 *		(SPEC §4).
 */
static inline bool
tl_is_rejection(const TlRow *r)
{
	return r->actor == TL_SALES &&
		(r->from == TL_MQL || r->from == TL_SAL || r->from == TL_SQL) &&
		(r->to == TL_NURTURE || r->to == TL_DISQUALIFIED);
}

/*
 * lq_lead_timeline_trans
 *		Transition function (not strict): keep the row if it has a stage and
 *		a finite time.  Arguments: state, from_stage, to_stage, changed_at,
 *		actor, reason, history_id.
 */
Datum
lq_lead_timeline_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = lq_agg_context(fcinfo, "lq_lead_timeline_trans");
	TlState    *s = PG_ARGISNULL(0) ? NULL : (TlState *) PG_GETARG_POINTER(0);
	TlStages   *st;
	TlRow	   *r;
	TimestampTz at;

	if (s == NULL)
		s = tl_state_new(aggcontext, 8);
	if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_POINTER(s);
	at = PG_GETARG_TIMESTAMPTZ(3);
	if (TIMESTAMP_NOT_FINITE(at))
		PG_RETURN_POINTER(s);

	st = tl_stages(fcinfo, get_fn_expr_argtype(fcinfo->flinfo, 2));
	tl_reserve(s, 1);
	r = &s->rows[s->nrows];
	r->at = at;
	r->hid_null = PG_ARGISNULL(6);
	r->hid = r->hid_null ? 0 : PG_GETARG_INT64(6);
	r->from = PG_ARGISNULL(1) ? TL_NO_STAGE : tl_stage_ordinal(st, PG_GETARG_DATUM(1));
	r->to = tl_stage_ordinal(st, PG_GETARG_DATUM(2));
	r->actor = PG_ARGISNULL(4) ? TL_OTHER_ACTOR : tl_actor_code(PG_GETARG_TEXT_PP(4));
	r->reason = NULL;
	if (tl_is_rejection(r) && !PG_ARGISNULL(5))
		r->reason = MemoryContextStrdup(aggcontext, text_to_cstring(PG_GETARG_TEXT_PP(5)));
	s->nrows++;
	PG_RETURN_POINTER(s);
}

/*
 * lq_lead_timeline_combine
 *		Combine function (not strict): either state may be NULL; the result
 *		lives in aggcontext (reasons are copied there too).
 */
Datum
lq_lead_timeline_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = lq_agg_context(fcinfo, "lq_lead_timeline_combine");
	TlState    *a = PG_ARGISNULL(0) ? NULL : (TlState *) PG_GETARG_POINTER(0);
	TlState    *b = PG_ARGISNULL(1) ? NULL : (TlState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	tl_check_state(b);
	if (a == NULL)
		a = tl_state_new(aggcontext, b->nrows);
	tl_check_state(a);
	tl_reserve(a, b->nrows);
	for (int64 i = 0; i < b->nrows; i++)
	{
		TlRow	   *r = &a->rows[a->nrows++];

		*r = b->rows[i];
		if (r->reason != NULL)
			r->reason = MemoryContextStrdup(aggcontext, r->reason);
	}
	tl_check_state(a);
	PG_RETURN_POINTER(a);
}

/* A growing array of Datums for one array attribute of the result. */
typedef struct TlArray
{
	Datum	   *values;
	bool	   *nulls;
	int			n;
	int			max;
} TlArray;

/*
 * tl_push
 *		Append a value (or a NULL) to an array being built.
 */
static void
tl_push(TlArray *a, Datum v, bool isnull)
{
	if (a->n == a->max)
	{
		a->max = a->max == 0 ? 8 : a->max * 2;
		if (a->values == NULL)
		{
			a->values = palloc(a->max * sizeof(Datum));
			a->nulls = palloc(a->max * sizeof(bool));
		}
		else
		{
			a->values = repalloc(a->values, a->max * sizeof(Datum));
			a->nulls = repalloc(a->nulls, a->max * sizeof(bool));
		}
	}
	a->values[a->n] = v;
	a->nulls[a->n] = isnull;
	a->n++;
}

/*
 * tl_array_datum
 *		The one-dimensional array of a TlArray's values (empty when none),
 *		of an element type whose length, by-value and alignment are given
 *		(looked up once, not per lead).
 */
static Datum
tl_array_datum(TlArray *a, Oid elemtype, int16 typlen, bool typbyval, char typalign)
{
	int			dims[1];
	int			lbs[1] = {1};

	if (a->n == 0)
		return PointerGetDatum(construct_empty_array(elemtype));
	dims[0] = a->n;
	return PointerGetDatum(construct_md_array(a->values, a->nulls, 1, dims, lbs,
											  elemtype, typlen, typbyval, typalign));
}

/* the arrays of the result's built-in element types */
#define TL_TIMES(a) tl_array_datum(a, TIMESTAMPTZOID, sizeof(TimestampTz), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE)
#define TL_BOOLS(a) tl_array_datum(a, BOOLOID, sizeof(bool), true, TYPALIGN_CHAR)
#define TL_TEXTS(a) tl_array_datum(a, TEXTOID, -1, false, TYPALIGN_INT)

/*
 * lq_lead_timeline_final
 *		Final function: sort the rows and derive the timeline (the rules in
 *		the header comment).  Sorting in place leaves the same multiset of
 *		rows, so the state may be shared (FINALFUNC_MODIFY = READ_ONLY).
 */
Datum
lq_lead_timeline_final(PG_FUNCTION_ARGS)
{
	TlState    *s;
	TlStages   *st = (TlStages *) fcinfo->flinfo->fn_extra;
	Datum		values[TLA_NATTS];
	bool		nulls[TLA_NATTS];
	TimestampTz reached[TL_WON + 1];
	bool		has_reached[TL_WON + 1];
	TimestampTz last_won = 0;
	bool		has_won = false;
	TimestampTz last_cycle = 0;
	bool		has_cycle = false;
	TlArray		e_stage = {0}, e_at = {0}, e_left = {0}, e_skip = {0};
	TlArray		m_start = {0}, m_exit = {0}, m_sales = {0}, m_outcome = {0}, m_won = {0};
	TlArray		r_at = {0}, r_reason = {0}, r_mql = {0};

	(void) lq_agg_context(fcinfo, "lq_lead_timeline_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (TlState *) PG_GETARG_POINTER(0);
	tl_check_state(s);
	if (s->nrows == 0)
		PG_RETURN_NULL();

	if (st == NULL || st->tupdesc == NULL)
	{
		TupleDesc	tupdesc;
		MemoryContext old;
		Oid			stagetype;

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE ||
			tupdesc->natts != TLA_NATTS)
			elog(ERROR, "lead_timeline_final: result is not leadqual.timeline");
		stagetype = get_element_type(TupleDescAttr(tupdesc, TLA_ENTRY_STAGE)->atttypid);
		st = tl_stages(fcinfo, stagetype);
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		st->tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
		MemoryContextSwitchTo(old);
		get_typlenbyvalalign(stagetype, &st->stage_len, &st->stage_byval, &st->stage_align);
	}

	tl_sort_rows(s->rows, s->nrows);
	for (int k = 0; k <= TL_WON; k++)
		has_reached[k] = false;
	for (int64 i = 0; i < s->nrows; i++)
		if (s->rows[i].to == TL_WON)
		{
			last_won = s->rows[i].at;
			has_won = true;
		}

	memset(nulls, true, sizeof(nulls));
	for (int64 i = 0; i < s->nrows; i++)
	{
		const TlRow *r = &s->rows[i];
		const TlRow *next = i + 1 < s->nrows ? &s->rows[i + 1] : NULL;
		int			to_rank = TL_IS_WATERFALL(r->to) ? r->to : -1;
		int			from_rank = r->from == TL_NO_STAGE ? 0 : TL_RANK(r->from);

		CHECK_FOR_INTERRUPTS();
		/* reached: every waterfall stage up to this one, if not yet */
		for (int k = TL_MQL; k <= to_rank; k++)
			if (!has_reached[k])
			{
				reached[k] = r->at;
				has_reached[k] = true;
			}
		if (r->to == TL_LOST && nulls[TLA_LOST_AT])
		{
			values[TLA_LOST_AT] = TimestampTzGetDatum(r->at);
			nulls[TLA_LOST_AT] = false;
		}

		/* skipped entries, then the real one */
		for (int k = from_rank + 1; k < to_rank; k++)
		{
			tl_push(&e_stage, ObjectIdGetDatum(st->oids[k]), false);
			tl_push(&e_at, TimestampTzGetDatum(r->at), false);
			tl_push(&e_left, TimestampTzGetDatum(r->at), false);
			tl_push(&e_skip, BoolGetDatum(true), false);
			if (k == TL_MQL)
			{
				/* a skipped mql: a cycle that ends at this very row */
				bool		accepted = r->actor == TL_SALES;

				tl_push(&m_start, TimestampTzGetDatum(r->at), false);
				tl_push(&m_exit, TimestampTzGetDatum(r->at), false);
				tl_push(&m_sales, BoolGetDatum(r->actor == TL_SALES), false);
				tl_push(&m_outcome, accepted ? CStringGetTextDatum("accepted") : (Datum) 0,
						!accepted);
				tl_push(&m_won, BoolGetDatum(false), false);
				last_cycle = r->at;
				has_cycle = true;
			}
		}
		tl_push(&e_stage, ObjectIdGetDatum(st->oids[r->to]), false);
		tl_push(&e_at, TimestampTzGetDatum(r->at), false);
		tl_push(&e_left, next ? TimestampTzGetDatum(next->at) : (Datum) 0, next == NULL);
		tl_push(&e_skip, BoolGetDatum(false), false);

		if (r->to == TL_MQL)
		{
			const char *outcome = NULL;
			bool		rejected;

			if (next != NULL && next->actor == TL_SALES)
			{
				if (TL_IS_WATERFALL(next->to) && next->to > TL_MQL)
					outcome = "accepted";
				else if (next->to == TL_NURTURE)
					outcome = "recycled";
				else if (next->to == TL_DISQUALIFIED)
					outcome = "disqualified";
			}
			tl_push(&m_start, TimestampTzGetDatum(r->at), false);
			tl_push(&m_exit, next ? TimestampTzGetDatum(next->at) : (Datum) 0, next == NULL);
			tl_push(&m_sales, BoolGetDatum(next != NULL && next->actor == TL_SALES), false);
			tl_push(&m_outcome, outcome ? CStringGetTextDatum(outcome) : (Datum) 0,
					outcome == NULL);
			/* the lead's last move into won is known (the pass above) */
			rejected = outcome != NULL && strcmp(outcome, "accepted") != 0;
			tl_push(&m_won, BoolGetDatum(rejected && has_won && last_won > next->at), false);
			last_cycle = r->at;
			has_cycle = true;
		}

		if (tl_is_rejection(r))
		{
			tl_push(&r_at, TimestampTzGetDatum(r->at), false);
			tl_push(&r_reason, r->reason ? CStringGetTextDatum(r->reason) : (Datum) 0,
					r->reason == NULL);
			tl_push(&r_mql, TimestampTzGetDatum(last_cycle), !has_cycle);
		}
	}
	Assert(m_start.n <= s->nrows && m_won.n == m_start.n);

	for (int k = TL_MQL; k <= TL_WON; k++)
	{
		values[TLA_MQL_AT + k - TL_MQL] = TimestampTzGetDatum(reached[k]);
		nulls[TLA_MQL_AT + k - TL_MQL] = !has_reached[k];
	}
	values[TLA_FIRST_MOVE_AT] = TimestampTzGetDatum(s->rows[0].at);
	nulls[TLA_FIRST_MOVE_AT] = false;
	values[TLA_MOVES] = Int32GetDatum((int32) Min(s->nrows, (int64) PG_INT32_MAX));
	nulls[TLA_MOVES] = false;
	values[TLA_ENTRY_STAGE] = tl_array_datum(&e_stage, st->stagetype, st->stage_len, st->stage_byval, st->stage_align);
	values[TLA_ENTRY_AT] = TL_TIMES(&e_at);
	values[TLA_ENTRY_LEFT_AT] = TL_TIMES(&e_left);
	values[TLA_ENTRY_SKIPPED] = TL_BOOLS(&e_skip);
	values[TLA_MQL_START_AT] = TL_TIMES(&m_start);
	values[TLA_MQL_EXIT_AT] = TL_TIMES(&m_exit);
	values[TLA_MQL_SALES_ACTION] = TL_BOOLS(&m_sales);
	values[TLA_MQL_OUTCOME] = TL_TEXTS(&m_outcome);
	values[TLA_MQL_LATER_WON] = TL_BOOLS(&m_won);
	values[TLA_REJECTION_AT] = TL_TIMES(&r_at);
	values[TLA_REJECTION_REASON] = TL_TEXTS(&r_reason);
	values[TLA_REJECTION_MQL_AT] = TL_TIMES(&r_mql);
	for (int a = TLA_ENTRY_STAGE; a <= TLA_REJECTION_MQL_AT; a++)
		nulls[a] = false;

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(st->tupdesc, values, nulls)));
}

/*
 * lq_lead_timeline_serial
 *		State → bytea: version, nrows, then per row its time, history_id,
 *		flags, stages, actor and reason (length -1 when none).
 */
Datum
lq_lead_timeline_serial(PG_FUNCTION_ARGS)
{
	TlState    *s;
	StringInfoData buf;

	(void) lq_agg_context(fcinfo, "lq_lead_timeline_serial");
	s = (TlState *) PG_GETARG_POINTER(0);
	tl_check_state(s);
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, TL_STATE_VERSION);
	pq_sendint64(&buf, s->nrows);
	for (int64 i = 0; i < s->nrows; i++)
	{
		const TlRow *r = &s->rows[i];

		pq_sendint64(&buf, r->at);
		pq_sendint64(&buf, r->hid);
		pq_sendbyte(&buf, r->hid_null ? 1 : 0);
		pq_sendbyte(&buf, (uint8) (r->from + 1));
		pq_sendbyte(&buf, (uint8) r->to);
		pq_sendbyte(&buf, (uint8) r->actor);
		if (r->reason == NULL)
			pq_sendint32(&buf, -1);
		else
		{
			int			len = strlen(r->reason);

			pq_sendint32(&buf, len);
			pq_sendbytes(&buf, r->reason, len);
		}
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * tl_corrupt
 *		A serialized state that lq_lead_timeline_serial did not write.
 */
static void
tl_corrupt(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid lead_timeline state"),
			 errdetail("%s", detail),
			 errhint("Such states are written by leadqual's parallel workers only.")));
}

/* bytes of a serialized row without its reason */
#define TL_ROW_BYTES (8 + 8 + 4 + 4)

/*
 * lq_lead_timeline_deserial
 *		bytea → state in aggcontext, every field checked (22P03 otherwise).
 */
Datum
lq_lead_timeline_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = lq_agg_context(fcinfo, "lq_lead_timeline_deserial");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	int64		nrows;
	TlState    *s;

	buf.data = VARDATA_ANY(b);
	buf.len = VARSIZE_ANY_EXHDR(b);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	if (buf.len < 1 + 8)
		tl_corrupt("The state is shorter than its header.");
	if (pq_getmsgbyte(&buf) != TL_STATE_VERSION)
		tl_corrupt("The state's format version is not this leadqual's.");
	nrows = pq_getmsgint64(&buf);
	if (nrows < 0 || nrows > (buf.len - buf.cursor) / TL_ROW_BYTES)
		tl_corrupt("The state's length is not its row count's.");
	s = tl_state_new(aggcontext, nrows);
	for (int64 i = 0; i < nrows; i++)
	{
		TlRow	   *r = &s->rows[i];
		int			hid_null;
		int32		len;

		if (buf.len - buf.cursor < TL_ROW_BYTES)
			tl_corrupt("The state ends inside a row.");
		r->at = pq_getmsgint64(&buf);
		r->hid = pq_getmsgint64(&buf);
		hid_null = pq_getmsgbyte(&buf);
		r->from = (int8) (pq_getmsgbyte(&buf) - 1);
		r->to = (int8) pq_getmsgbyte(&buf);
		r->actor = (int8) pq_getmsgbyte(&buf);
		len = (int32) pq_getmsgint(&buf, 4);
		if (TIMESTAMP_NOT_FINITE(r->at) || hid_null > 1 || (hid_null && r->hid != 0) ||
			r->from < TL_NO_STAGE || r->from >= TL_NSTAGES ||
			r->to < 0 || r->to >= TL_NSTAGES ||
			r->actor < TL_SYSTEM || r->actor > TL_OTHER_ACTOR)
			tl_corrupt("The state has a row with a value out of range.");
		r->hid_null = hid_null == 1;
		r->reason = NULL;
		if (len >= 0)
		{
			if (len > buf.len - buf.cursor || !tl_is_rejection(r))
				tl_corrupt("The state has a reason where none can be.");
			r->reason = MemoryContextAlloc(aggcontext, len + 1);
			memcpy(r->reason, pq_getmsgbytes(&buf, len), len);
			r->reason[len] = '\0';
			if (strlen(r->reason) != (size_t) len)
				tl_corrupt("The state has a reason with a zero byte.");
		}
		else if (len != -1)
			tl_corrupt("The state has a reason of negative length.");
		s->nrows++;
	}
	pq_getmsgend(&buf);
	tl_check_state(s);
	PG_RETURN_POINTER(s);
}
