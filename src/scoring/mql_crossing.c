/*-------------------------------------------------------------------------
 *
 * mql_crossing.c
 *	  The aggregate
 *
 *	  mql_crossing(model, fit, event_type, properties, occurred_at) → timestamptz
 *
 *	  replays one lead's events in time order and returns the first event time
 *	  at which the lead would have become an MQL under the model: a hand-raise
 *	  event, or score (fit + engagement at that instant) >= mql_threshold with
 *	  a fit letter at least min_fit_grade.  NULL if never.
 *
 * Every event time is a candidate instant, not only times of scoring events:
 * a decaying negative rule can let the score rise between events.  Between
 * event times nothing is checked: backtests ask when an event made the lead
 * qualify.  The transition function records, per event, its time and the
 * rules it matches; the final function sorts them and sweeps once, keeping
 * an engagement state with an open as-of time (forward-decayed sums), so the
 * replay costs O(events · rules) rather than rescoring from scratch at each
 * event.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "scoring/scoring.h"

#define LQ_CROSSING_VERSION 1

/* entry codes besides rule indexes (>= 0) */
#define LQ_ENTRY_INSTANT   (-2)	/* an event happened: check the score */
#define LQ_ENTRY_HANDRAISE (-1)	/* a hand-raise event */

typedef struct LqEntry
{
	TimestampTz t;
	int32		code;
} LqEntry;

typedef struct LqCrossingState
{
	LqModel    *model;
	double		fit;
	int			n;
	int			cap;
	LqEntry    *entries;
} LqCrossingState;

PG_FUNCTION_INFO_V1(lq_crossing_trans);
PG_FUNCTION_INFO_V1(lq_crossing_final);
PG_FUNCTION_INFO_V1(lq_crossing_combine);
PG_FUNCTION_INFO_V1(lq_crossing_serial);
PG_FUNCTION_INFO_V1(lq_crossing_deserial);

/*
 * lq_crossing_new
 *		An empty state in the aggregate context.
 */
static LqCrossingState *
lq_crossing_new(LqModel *model, double fit, int cap, MemoryContext cxt)
{
	LqCrossingState *s = MemoryContextAllocZero(cxt, sizeof(LqCrossingState));

	s->model = model;
	s->fit = fit;
	s->cap = Max(cap, 16);
	s->entries = MemoryContextAlloc(cxt, sizeof(LqEntry) * s->cap);
	return s;
}

/*
 * lq_crossing_push
 *		Append an entry, growing the array in its own memory context.
 */
static inline void
lq_crossing_push(LqCrossingState *s, TimestampTz t, int32 code)
{
	if (s->n == s->cap)
	{
		if ((Size) s->cap * 2 * sizeof(LqEntry) > MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many events for mql_crossing in one group"),
					 errhint("mql_crossing replays one lead at a time: group by lead.")));
		s->cap *= 2;
		s->entries = repalloc(s->entries, sizeof(LqEntry) * s->cap);
	}
	s->entries[s->n].t = t;
	s->entries[s->n].code = code;
	s->n++;
}

/*
 * lq_crossing_trans
 *		Transition: (state, model, fit, event_type, properties, occurred_at).
 */
Datum
lq_crossing_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	LqCrossingState *s = PG_ARGISNULL(0) ? NULL : (LqCrossingState *) PG_GETARG_POINTER(0);
	text	   *model;
	double		fit;
	TimestampTz t;
	LqEventType *type;

	aggcontext = lq_agg_context(fcinfo, "lq_crossing_trans");
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model must not be null"),
				 errhint("Pass a model name such as 'default'.")));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("fit must not be null"),
				 errhint("Pass the lead's fit score, e.g. leadqual.fit_score(lead).")));
	model = PG_GETARG_TEXT_PP(1);
	fit = PG_GETARG_FLOAT8(2);
	lq_check_finite(fit, "fit");

	if (s == NULL)
		s = lq_crossing_new(lq_get_model_text(model), fit, 16, aggcontext);
	else if (s->fit != fit || !lq_model_named(s->model, model))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model and fit must be the same for every row of a group"),
				 errhint("mql_crossing replays one lead at a time: group by lead.")));

	if (PG_ARGISNULL(3) || PG_ARGISNULL(5))
		PG_RETURN_POINTER(s);
	t = PG_GETARG_TIMESTAMPTZ(5);
	if (TIMESTAMP_NOT_FINITE(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("occurred_at must be a finite timestamp"),
				 errhint("Leave out events at infinity.")));

	lq_crossing_push(s, t, LQ_ENTRY_INSTANT);
	type = lq_find_event_type(s->model, VARDATA_ANY(PG_GETARG_TEXT_PP(3)),
							  VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(3)));
	if (type != NULL)
	{
		int			matched[64];
		int		   *m = type->nrules > lengthof(matched) ? palloc(sizeof(int) * type->nrules) : matched;
		int			n = lq_eng_match(s->model, type, PG_GETARG_DATUM(4), PG_ARGISNULL(4), m);
		int			i;

		if (type->hand_raise)
			lq_crossing_push(s, t, LQ_ENTRY_HANDRAISE);
		for (i = 0; i < n; i++)
			lq_crossing_push(s, t, m[i]);
		if (m != matched)
			pfree(m);
	}
	PG_RETURN_POINTER(s);
}

/*
 * lq_entry_cmp
 *		Order entries by time; at one instant, the instant marker last.
 */
static int
lq_entry_cmp(const void *a, const void *b)
{
	const LqEntry *x = a;
	const LqEntry *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->code != y->code)
		return x->code > y->code ? -1 : 1;
	return 0;
}

/*
 * lq_crossing_final
 *		Sort and sweep: at each event instant, after counting every event of
 *		that instant, test the MQL rule.
 */
Datum
lq_crossing_final(PG_FUNCTION_ARGS)
{
	LqCrossingState *s;
	LqModel    *m;
	LqEngState *eng;
	char		fit_letter;
	bool		hand_raise = false;
	int			i;

	(void) lq_agg_context(fcinfo, "lq_crossing_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (LqCrossingState *) PG_GETARG_POINTER(0);
	m = s->model;
	fit_letter = lq_fit_letter(m, s->fit);

	qsort(s->entries, s->n, sizeof(LqEntry), lq_entry_cmp);
	eng = lq_eng_state_new(m, DT_NOEND, CurrentMemoryContext);

	for (i = 0; i < s->n; i++)
	{
		LqEntry    *e = &s->entries[i];

		CHECK_FOR_INTERRUPTS();
		if (e->code >= 0)
			lq_eng_state_add_match(eng, e->code, e->t);
		else if (e->code == LQ_ENTRY_HANDRAISE)
			hand_raise = true;
		else
		{
			/* the instant marker sorts last among entries of its time */
			double		score = s->fit + lq_eng_value(eng, e->t);

			lq_check_sum(score, "score");
			if (lq_mql_reason(m, hand_raise, true, score, fit_letter) != LQ_MQL_NONE)
				PG_RETURN_TIMESTAMPTZ(e->t);
		}
	}
	PG_RETURN_NULL();
}

/*
 * lq_crossing_combine
 *		Concatenate two partial event lists (non-strict).
 */
Datum
lq_crossing_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	LqCrossingState *a = PG_ARGISNULL(0) ? NULL : (LqCrossingState *) PG_GETARG_POINTER(0);
	LqCrossingState *b = PG_ARGISNULL(1) ? NULL : (LqCrossingState *) PG_GETARG_POINTER(1);
	int			i;

	aggcontext = lq_agg_context(fcinfo, "lq_crossing_combine");
	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = lq_crossing_new(b->model, b->fit, b->n, aggcontext);
	else if (a->fit != b->fit || a->model->fingerprint != b->model->fingerprint ||
			 strcmp(a->model->name, b->model->name) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model and fit must be the same for every row of a group"),
				 errhint("mql_crossing replays one lead at a time: group by lead.")));
	for (i = 0; i < b->n; i++)
		lq_crossing_push(a, b->entries[i].t, b->entries[i].code);
	PG_RETURN_POINTER(a);
}

/*
 * lq_crossing_serial
 *		State → bytea.
 */
Datum
lq_crossing_serial(PG_FUNCTION_ARGS)
{
	LqCrossingState *s = (LqCrossingState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int			i;

	(void) lq_agg_context(fcinfo, "lq_crossing_serial");
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, LQ_CROSSING_VERSION);
	pq_sendint32(&buf, s->model->namelen);
	pq_sendbytes(&buf, s->model->name, s->model->namelen);
	pq_sendint32(&buf, s->model->fingerprint);
	pq_sendfloat8(&buf, s->fit);
	pq_sendint32(&buf, s->n);
	for (i = 0; i < s->n; i++)
	{
		pq_sendint64(&buf, s->entries[i].t);
		pq_sendint32(&buf, s->entries[i].code);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * lq_crossing_deserial
 *		bytea → state.
 */
Datum
lq_crossing_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	LqModel    *model;
	LqCrossingState *s;
	int			len;
	int			n;
	int			i;

	aggcontext = lq_agg_context(fcinfo, "lq_crossing_deserial");
	buf.data = VARDATA_ANY(b);
	buf.len = VARSIZE_ANY_EXHDR(b);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	if (pq_getmsgbyte(&buf) != LQ_CROSSING_VERSION)
		elog(ERROR, "unsupported mql_crossing state version");
	len = pq_getmsgint(&buf, 4);
	model = lq_get_model(pq_getmsgbytes(&buf, len), len);
	if ((uint32) pq_getmsgint(&buf, 4) != model->fingerprint)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("scoring rules of model \"%s\" changed while the query ran", model->name),
				 errhint("Run the query again.")));
	s = lq_crossing_new(model, pq_getmsgfloat8(&buf), 16, aggcontext);
	n = pq_getmsgint(&buf, 4);
	for (i = 0; i < n; i++)
	{
		TimestampTz t = pq_getmsgint64(&buf);

		lq_crossing_push(s, t, pq_getmsgint(&buf, 4));
	}
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(s);
}
