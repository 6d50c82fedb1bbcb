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
 *	  The replay itself (the state, its transition, combine, serial and
 *	  deserial functions, and the sweep lq_replay) is shared: the mql_peak
 *	  aggregate of reports/threshold_analysis.c uses the same support
 *	  functions with its own final function, so backtests over many
 *	  thresholds replay exactly as mql_crossing does.
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

/* one lead's events, as the replay aggregates collect them (scoring.h) */
struct LqReplay
{
	LqModel    *model;
	double		fit;
	int			n;
	int			cap;
	LqEntry    *entries;
};

PG_FUNCTION_INFO_V1(lq_crossing_trans);
PG_FUNCTION_INFO_V1(lq_crossing_final);
PG_FUNCTION_INFO_V1(lq_crossing_combine);
PG_FUNCTION_INFO_V1(lq_crossing_serial);
PG_FUNCTION_INFO_V1(lq_crossing_deserial);

/*
 * lq_crossing_new
 *		An empty state in the aggregate context.
 */
static LqReplay *
lq_crossing_new(LqModel *model, double fit, int cap, MemoryContext cxt)
{
	LqReplay   *s = MemoryContextAllocZero(cxt, sizeof(LqReplay));

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
lq_crossing_push(LqReplay *s, TimestampTz t, int32 code)
{
	if (s->n == s->cap)
	{
		if ((Size) s->cap * 2 * sizeof(LqEntry) > MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many events in one group of mql_crossing or mql_peak"),
					 errhint("mql_crossing and mql_peak replay one lead at a time: group by lead.")));
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
	LqReplay   *s = PG_ARGISNULL(0) ? NULL : (LqReplay *) PG_GETARG_POINTER(0);
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
				 errhint("mql_crossing and mql_peak replay one lead at a time: group by lead.")));

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
 * lq_replay
 *		Sort the entries and sweep once: at each event instant, after
 *		counting every event of that instant, call visit with the instant,
 *		the score then (fit + engagement) and whether a hand-raise event has
 *		occurred at or before it.  Stops when visit returns true; returns
 *		whether it stopped.  Sorts the state in place (the final functions
 *		are FINALFUNC_MODIFY = READ_WRITE).
 */
bool
lq_replay(LqReplay *s, LqReplayVisit visit, void *arg)
{
	LqEngState *eng;
	bool		hand_raise = false;
	int			i;

	qsort(s->entries, s->n, sizeof(LqEntry), lq_entry_cmp);
	eng = lq_eng_state_new(s->model, DT_NOEND, CurrentMemoryContext);

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
			if (visit(arg, e->t, score, hand_raise))
				return true;
		}
	}
	return false;
}

/*
 * lq_replay_model
 *		The model a replay state scores under.
 */
LqModel *
lq_replay_model(LqReplay *s)
{
	return s->model;
}

/*
 * lq_replay_fit
 *		The fit score a replay state adds to engagement.
 */
double
lq_replay_fit(LqReplay *s)
{
	return s->fit;
}

/* what mql_crossing's visitor needs and finds */
typedef struct LqCrossingVisit
{
	LqModel    *model;
	char		fit_letter;
	TimestampTz crossed_at;
} LqCrossingVisit;

/*
 * lq_crossing_visit
 *		Stop at the first instant at which the MQL rule qualifies the lead.
 */
static bool
lq_crossing_visit(void *arg, TimestampTz t, double score, bool hand_raise)
{
	LqCrossingVisit *v = arg;

	if (lq_mql_reason(v->model, hand_raise, true, score, v->fit_letter) == LQ_MQL_NONE)
		return false;
	v->crossed_at = t;
	return true;
}

/*
 * lq_crossing_final
 *		The first instant of the replay at which the lead qualifies, or NULL.
 */
Datum
lq_crossing_final(PG_FUNCTION_ARGS)
{
	LqReplay   *s;
	LqCrossingVisit v;

	(void) lq_agg_context(fcinfo, "lq_crossing_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (LqReplay *) PG_GETARG_POINTER(0);
	v.model = s->model;
	v.fit_letter = lq_fit_letter(s->model, s->fit);
	if (lq_replay(s, lq_crossing_visit, &v))
		PG_RETURN_TIMESTAMPTZ(v.crossed_at);
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
	LqReplay   *a = PG_ARGISNULL(0) ? NULL : (LqReplay *) PG_GETARG_POINTER(0);
	LqReplay   *b = PG_ARGISNULL(1) ? NULL : (LqReplay *) PG_GETARG_POINTER(1);
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
				 errhint("mql_crossing and mql_peak replay one lead at a time: group by lead.")));
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
	LqReplay   *s = (LqReplay *) PG_GETARG_POINTER(0);
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
	LqReplay   *s;
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
