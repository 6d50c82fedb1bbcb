/*-------------------------------------------------------------------------
 *
 * threshold_analysis.c
 *	  The MQL threshold backtest (SPEC §5):
 *
 *	  mql_peak(model, fit, event_type, properties, occurred_at)
 *		→ mql_peak_result (max_score, qualifying_score, hand_raise)
 *
 *	  an aggregate over one lead's events that runs mql_crossing's replay
 *	  (scoring/mql_crossing.c: the same state and support functions, only
 *	  the final function differs) to its end and keeps what decides the MQL
 *	  rule under every threshold at once: the running maximum of the
 *	  replayed score and whether a hand-raise event occurred; and
 *
 *	  threshold_analysis(model, thresholds)
 *		→ (threshold, mqls, won, precision, recall)
 *
 *	  which runs mql_peak once per lead of the model (one replay of the
 *	  events), sorts the peaks once, and counts every threshold by binary
 *	  search.
 *
 * Why a peak is enough: mql_crossing(...) under threshold t is not NULL iff
 * at some event instant lq_mql_reason_at(model, t, hand_raise so far, true,
 * score then, fit letter) qualifies.  A hand-raise qualifies under every t;
 * otherwise the fit letter is fixed for the lead and the score part is
 * "score >= t", so the lead qualifies iff its fit letter passes
 * min_fit_grade and t <= the highest score of the replay.  qualifying_score
 * is that highest score when the fit letter passes (the largest threshold
 * under which the score alone qualifies the lead), NULL when it does not.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"

#include "reports/reports.h"
#include "scoring/scoring.h"

PG_FUNCTION_INFO_V1(lq_peak_final);
PG_FUNCTION_INFO_V1(lq_threshold_analysis);

/* what mql_peak's visitor keeps over the sweep */
typedef struct LqPeakVisit
{
	bool		seen;			/* at least one event instant */
	double		max_score;		/* highest score at an instant */
	bool		hand_raise;		/* a hand-raise event occurred */
} LqPeakVisit;

/*
 * lq_peak_visit
 *		Keep the running maximum and the hand-raise flag; never stop.
 */
static bool
lq_peak_visit(void *arg, TimestampTz t, double score, bool hand_raise)
{
	LqPeakVisit *v = arg;

	if (!v->seen || score > v->max_score)
		v->max_score = score;
	v->seen = true;
	v->hand_raise = hand_raise;
	return false;
}

/*
 * lq_peak_final
 *		mql_peak's final function: (max_score, qualifying_score, hand_raise)
 *		of the replay; max_score and qualifying_score are NULL when the group
 *		had no event (a lead without events, through a LEFT JOIN), which
 *		mql_crossing also treats as never an MQL.  NULL over no rows.
 */
Datum
lq_peak_final(PG_FUNCTION_ARGS)
{
	LqReplay   *s;
	LqModel    *m;
	LqPeakVisit v = {false, 0.0, false};
	TupleDesc	desc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	(void) lq_agg_context(fcinfo, "lq_peak_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	desc = BlessTupleDesc(desc);

	s = (LqReplay *) PG_GETARG_POINTER(0);
	m = lq_replay_model(s);
	(void) lq_replay(s, lq_peak_visit, &v);

	if (v.seen)
	{
		char		letter = lq_fit_letter(m, lq_replay_fit(s));

		values[0] = Float8GetDatum(v.max_score);
		/* does the score alone qualify the lead under threshold = its peak? */
		if (lq_mql_reason_at(m, v.max_score, false, true, v.max_score, letter) == LQ_MQL_SCORE)
			values[1] = Float8GetDatum(v.max_score);
		else
			nulls[1] = true;
	}
	else
		nulls[0] = nulls[1] = true;
	values[2] = BoolGetDatum(v.hand_raise);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/* at most this many thresholds in one call */
#define LQ_MAX_THRESHOLDS 1000

/* default thresholds: this many, evenly spaced over the replayed peaks */
#define LQ_DEFAULT_THRESHOLDS 20

/*
 * lq_cmp_double
 *		qsort order of finite doubles, ascending.
 */
static int
lq_cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * lq_sort_unique
 *		Sort n finite doubles ascending and drop repeats (-0 and 0 are one
 *		value, kept as 0); returns the new count.
 */
static int
lq_sort_unique(double *v, int n)
{
	int			i;
	int			k = 0;

	qsort(v, n, sizeof(double), lq_cmp_double);
	for (i = 0; i < n; i++)
		if (k == 0 || v[i] != v[k - 1])
			v[k++] = v[i] + 0.0;	/* -0 + 0 is +0 */
	return k;
}

/*
 * lq_count_at_least
 *		How many of the n ascending values are >= t (binary search).
 */
static int64
lq_count_at_least(const double *v, int64 n, double t)
{
	int64		lo = 0;
	int64		hi = n;

	/* invariant: v[i] < t for i < lo, v[i] >= t for i >= hi */
	while (lo < hi)
	{
		int64		mid = lo + (hi - lo) / 2;

		if (v[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return n - lo;
}

/*
 * lq_thresholds_arg
 *		Check the thresholds argument and return its values, sorted and
 *		without repeats, in *out (palloc'd); returns their count.
 */
static int
lq_thresholds_arg(ArrayType *arr, double **out)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	double	   *v;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("thresholds must be a one-dimensional array"),
				 errdetail("The array has %d dimensions.", ARR_NDIM(arr)),
				 errhint("Give one score per candidate threshold, such as ARRAY[40, 50, 60].")));
	n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("thresholds must not be empty"),
				 errhint("Give at least one threshold, or NULL for %d thresholds spanning the replayed scores.",
						 LQ_DEFAULT_THRESHOLDS)));
	if (n > LQ_MAX_THRESHOLDS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("threshold_analysis takes at most %d thresholds", LQ_MAX_THRESHOLDS),
				 errdetail("The array has %d elements.", n),
				 errhint("Split the thresholds over several calls.")));

	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	v = palloc(sizeof(double) * n);
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("thresholds must not contain NULL"),
					 errdetail("Element %d is NULL.", i + 1),
					 errhint("Remove the NULL elements, or pass NULL instead of the array for %d thresholds spanning the replayed scores.",
							 LQ_DEFAULT_THRESHOLDS)));
		v[i] = DatumGetFloat8(elems[i]);
		if (isnan(v[i]) || isinf(v[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("thresholds must be finite numbers"),
					 errdetail("Element %d is %s.", i + 1,
							   isnan(v[i]) ? "NaN" : (v[i] > 0 ? "Infinity" : "-Infinity")),
					 errhint("Give finite scores, such as ARRAY[40, 50, 60].")));
	}
	*out = v;
	return lq_sort_unique(v, n);
}

/*
 * lq_rate
 *		round(num::numeric / den, 4), the rate of the reports; NULL (in
 *		*isnull) when den is 0.
 */
static Datum
lq_rate(int64 num, int64 den, bool *isnull)
{
	Datum		q;

	*isnull = (den == 0);
	if (den == 0)
		return (Datum) 0;
	q = DirectFunctionCall2(numeric_div,
							NumericGetDatum(int64_to_numeric(num)),
							NumericGetDatum(int64_to_numeric(den)));
	return DirectFunctionCall2(numeric_round, q, Int32GetDatum(4));
}

/*
 * One row per lead of the model that the caller may see: mql_peak over its
 * events (one replay of the events; a LEFT JOIN keeps leads without
 * events), and whether it has a history row into won.  fit_score is
 * computed once per lead: the GROUP BY of the key keeps the subquery from
 * being pulled up, which would evaluate fit_score(l, $1) per event row.
 * Every table is joined on lead_id and grouped by it, so that on Citus the
 * query runs whole on each shard (an OFFSET or an uncorrelated subquery
 * over stage_history would not).
 */
static const char *const lq_peaks_sql =
"SELECT (s.p).max_score, (s.p).qualifying_score, (s.p).hand_raise, s.won"
"  FROM (SELECT l.lead_id, l.won,"
"               leadqual.mql_peak($1, l.fit, e.event_type, e.properties, e.occurred_at) AS p"
"          FROM (SELECT l.lead_id, leadqual.fit_score(l, $1) AS fit,"
"                       EXISTS (SELECT FROM leadqual.stage_history h"
"                                WHERE h.lead_id OPERATOR(pg_catalog.=) l.lead_id"
"                                  AND h.to_stage OPERATOR(pg_catalog.=) 'won'::leadqual.stage) AS won"
"                  FROM leadqual.lead l"
"                 WHERE l.model OPERATOR(pg_catalog.=) $1"
"                 GROUP BY l.lead_id) l"
"          LEFT JOIN leadqual.event e ON e.lead_id OPERATOR(pg_catalog.=) l.lead_id"
"         GROUP BY l.lead_id, l.won) s";

/*
 * lq_threshold_analysis
 *		threshold_analysis(model, thresholds) → (threshold, mqls, won,
 *		precision, recall), one row per distinct threshold, ascending.
 *
 *		For threshold t: mqls = leads that hand-raised, plus leads without a
 *		hand-raise whose qualifying_score >= t; won = those of them with a
 *		history row into won; precision = won / mqls, recall = won / all
 *		won leads of the model (NULL when the denominator is 0), rounded to
 *		4 decimals.  NULL thresholds: lo + (hi - lo) * i / 19 for i = 0 ..
 *		19 (distinct values only), lo and hi the least and greatest
 *		max_score of the leads with events; no row when no lead has events.
 */
Datum
lq_threshold_analysis(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext callercxt = CurrentMemoryContext;
	text	   *model_name;
	double	   *thresholds = NULL;
	int			nthresholds = 0;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	int			ret;
	uint64		nleads;
	uint64		i;
	double	   *q;				/* qualifying scores, no hand-raise */
	double	   *qw;				/* the same, won leads only */
	int64		nq = 0;
	int64		nqw = 0;
	int64		hand_raised = 0;
	int64		hand_raised_won = 0;
	int64		won_total = 0;
	bool		seen = false;
	double		lo = 0.0;
	double		hi = 0.0;
	int			k;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model must not be null"),
				 errhint("Pass a model name such as 'default'.")));
	model_name = PG_GETARG_TEXT_PP(0);
	(void) lq_get_model_text(model_name);	/* unknown model: 42704 */
	if (!PG_ARGISNULL(1))
		nthresholds = lq_thresholds_arg(PG_GETARG_ARRAYTYPE_P(1), &thresholds);

	InitMaterializedSRF(fcinfo, 0);

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	args[0] = PointerGetDatum(model_name);
	ret = SPI_execute_with_args(lq_peaks_sql, 1, argtypes, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not replay the events: %s", SPI_result_code_string(ret));

	nleads = SPI_processed;
	q = MemoryContextAlloc(callercxt, sizeof(double) * Max(nleads, 1));
	qw = MemoryContextAlloc(callercxt, sizeof(double) * Max(nleads, 1));
	for (i = 0; i < nleads; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		max_null,
					q_null,
					hr_null,
					won_null;
		double		max_score = DatumGetFloat8(SPI_getbinval(tup, desc, 1, &max_null));
		double		qualifying = DatumGetFloat8(SPI_getbinval(tup, desc, 2, &q_null));
		bool		hand_raise = DatumGetBool(SPI_getbinval(tup, desc, 3, &hr_null));
		bool		won = DatumGetBool(SPI_getbinval(tup, desc, 4, &won_null));

		CHECK_FOR_INTERRUPTS();
		hand_raise = !hr_null && hand_raise;
		won = !won_null && won;
		if (won)
			won_total++;
		if (!max_null)
		{
			lo = seen ? Min(lo, max_score) : max_score;
			hi = seen ? Max(hi, max_score) : max_score;
			seen = true;
		}
		/* a hand-raise qualifies under every threshold (lq_mql_reason_at) */
		if (hand_raise)
		{
			hand_raised++;
			if (won)
				hand_raised_won++;
		}
		else if (!q_null)
		{
			q[nq++] = qualifying;
			if (won)
				qw[nqw++] = qualifying;
		}
	}
	SPI_finish();

	qsort(q, nq, sizeof(double), lq_cmp_double);
	qsort(qw, nqw, sizeof(double), lq_cmp_double);

	if (thresholds == NULL && seen)
	{
		thresholds = palloc(sizeof(double) * LQ_DEFAULT_THRESHOLDS);
		for (k = 0; k < LQ_DEFAULT_THRESHOLDS; k++)
			thresholds[k] = lo + (hi - lo) * k / (LQ_DEFAULT_THRESHOLDS - 1);
		thresholds[LQ_DEFAULT_THRESHOLDS - 1] = hi;
		nthresholds = lq_sort_unique(thresholds, LQ_DEFAULT_THRESHOLDS);
	}

	for (k = 0; k < nthresholds; k++)
	{
		double		t = thresholds[k];
		int64		mqls = hand_raised + lq_count_at_least(q, nq, t);
		int64		won = hand_raised_won + lq_count_at_least(qw, nqw, t);
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = Float8GetDatum(t);
		values[1] = Int64GetDatum(mqls);
		values[2] = Int64GetDatum(won);
		values[3] = lq_rate(won, mqls, &nulls[3]);
		values[4] = lq_rate(won, won_total, &nulls[4]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
