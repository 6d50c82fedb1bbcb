/*-------------------------------------------------------------------------
 *
 * window_funnel.c
 *	  The aggregate
 *
 *	  window_funnel(window interval, occurred_at timestamptz, steps boolean[])
 *
 *	  (SPEC §5, ClickHouse's windowFunnel): over one group's rows, the
 *	  largest k such that distinct rows r1..rk exist with rj satisfying
 *	  steps[j], occurred_at non-decreasing from r1 to rk, and
 *	  rk.occurred_at - r1.occurred_at <= window (inclusive, compared as
 *	  PostgreSQL compares intervals: a month is 30 days, a day 24 hours);
 *	  0 when no row satisfies steps[1], and 0 over no rows.
 *
 * Rows with a NULL occurred_at or NULL steps, or an infinite occurred_at
 * (not a point in time any window can hold), are skipped; a NULL element of
 * steps is false.  Every row keeps only its time and the bitmask of the
 * steps it satisfies (rows satisfying none are dropped), 16 bytes a row
 * whatever the number of steps; the final function sorts them by time and
 * runs one pass (wf_compute), so the result cannot depend on input order.
 *
 * The state is internal; combine, serialize and deserialize make the
 * aggregate parallel safe.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int128.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/arrayaccess.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "reports/reports.h"

#define WF_STATE_VERSION 1

/* all the bits of an n-step funnel (1 <= n <= WF_MAX_STEPS) */
#define WF_ALL_STEPS(n) ((n) == 32 ? PG_UINT32_MAX : ((uint32) 1 << (n)) - 1)

/* bytes of one row in a serialized state: time and mask */
#define WF_ROW_BYTES 12

/* one row that satisfies at least one step: its time and its steps */
typedef struct WfRow
{
	TimestampTz t;				/* finite */
	uint32		mask;			/* bit j-1: satisfies steps[j]; never 0 */
} WfRow;

typedef struct WfState
{
	uint64		window;			/* the window in microseconds (saturated) */
	int			nsteps;			/* steps' length; 0 until a row had steps */
	int64		nrows;			/* rows kept */
	int64		maxrows;		/* rows allocated */
	WfRow	   *rows;			/* in aggcontext, in input order until sorted */
} WfState;

/* the rows sorted by time (then mask, for a total order): wf_sort_rows */
#define ST_SORT wf_sort_rows
#define ST_ELEMENT_TYPE WfRow
#define ST_COMPARE(a, b) \
	((a)->t < (b)->t ? -1 : (a)->t > (b)->t ? 1 : \
	 (a)->mask < (b)->mask ? -1 : (a)->mask > (b)->mask ? 1 : 0)
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"

PG_FUNCTION_INFO_V1(lq_window_funnel_trans);
PG_FUNCTION_INFO_V1(lq_window_funnel_final);
PG_FUNCTION_INFO_V1(lq_window_funnel_combine);
PG_FUNCTION_INFO_V1(lq_window_funnel_serial);
PG_FUNCTION_INFO_V1(lq_window_funnel_deserial);

/*
 * wf_check_state
 *		Assert the state's invariants (in assert-enabled builds).
 */
static inline void
wf_check_state(const WfState *s)
{
	Assert(s != NULL);
	Assert(s->nsteps >= 0 && s->nsteps <= WF_MAX_STEPS);
	Assert(s->nrows >= 0 && s->nrows <= s->maxrows);
	Assert(s->nsteps > 0 || s->nrows == 0);
#ifdef USE_ASSERT_CHECKING
	for (int64 i = 0; i < s->nrows; i++)
	{
		Assert(s->rows[i].mask != 0);
		Assert((s->rows[i].mask & ~WF_ALL_STEPS(s->nsteps)) == 0);
		Assert(!TIMESTAMP_NOT_FINITE(s->rows[i].t));
	}
#endif
}

/*
 * wf_window_usecs
 *		The window in microseconds, from the exact 128-bit value of the
 *		interval (months of 30 days, days of 24 hours, as interval
 *		comparison counts them), saturated at PG_UINT64_MAX: no two finite
 *		timestamps are further apart than that.  NULL is 22004, a negative
 *		window 22023.
 */
static uint64
wf_window_usecs(FunctionCallInfo fcinfo, int argno)
{
	Interval   *iv;
	INT128		v;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("window must not be NULL"),
				 errdetail("window_funnel needs the longest time from a funnel's first step to its last."),
				 errhint("Give an interval such as interval '7 days'.")));
	iv = PG_GETARG_INTERVAL_P(argno);
	v = int64_to_int128(iv->time);
	int128_add_int64_mul_int64(&v, (int64) iv->month * DAYS_PER_MONTH + iv->day, USECS_PER_DAY);
	if (int128_compare(v, int64_to_int128(0)) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window must not be negative"),
				 errdetail("The window is the longest time from a funnel's first step to its last."),
				 errhint("Give an interval of zero or more, such as interval '7 days'.")));
	if (int128_compare(v, int64_to_int128(PG_INT64_MAX)) <= 0)
		return (uint64) int128_to_int64(v);
	int128_add_int64(&v, -PG_INT64_MAX);
	if (int128_compare(v, int64_to_int128(PG_INT64_MAX)) > 0)
		return PG_UINT64_MAX;
	return (uint64) PG_INT64_MAX + (uint64) int128_to_int64(v);
}

/*
 * wf_state_new
 *		An empty state in cxt.
 */
static WfState *
wf_state_new(MemoryContext cxt, uint64 window, int nsteps, int64 maxrows)
{
	WfState    *s = MemoryContextAllocZero(cxt, sizeof(WfState));

	s->window = window;
	s->nsteps = nsteps;
	s->maxrows = Max(maxrows, 16);
	s->rows = MemoryContextAllocHuge(cxt, (Size) s->maxrows * sizeof(WfRow));
	return s;
}

/*
 * wf_reserve
 *		Room for extra more rows, doubling the array (huge allocations, so a
 *		group may hold more than 1 GB of rows if memory allows).
 */
static void
wf_reserve(WfState *s, int64 extra)
{
	int64		need;
	int64		newmax;

	if (pg_add_s64_overflow(s->nrows, extra, &need) ||
		need > (int64) (MaxAllocHugeSize / sizeof(WfRow)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many rows in one window_funnel group"),
				 errdetail("A group may hold at most %lld rows that satisfy a step.",
						   (long long) (MaxAllocHugeSize / sizeof(WfRow))),
				 errhint("Group by something finer, such as the lead.")));
	if (need <= s->maxrows)
		return;
	newmax = s->maxrows;
	while (newmax < need)
		newmax = Min(newmax * 2, (int64) (MaxAllocHugeSize / sizeof(WfRow)));
	s->rows = repalloc_huge(s->rows, (Size) newmax * sizeof(WfRow));
	s->maxrows = newmax;
}

/*
 * wf_check_same
 *		Two parts of one group (a row and the state, or two states) must
 *		have the same window and, once known, the same number of steps.
 */
static void
wf_check_same(WfState *s, uint64 window, int nsteps)
{
	if (window != s->window)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window must be the same for every row of a group"),
				 errdetail("A funnel has one window; this group's rows give different ones."),
				 errhint("Pass a constant window, such as interval '7 days'.")));
	if (nsteps != 0 && s->nsteps != 0 && nsteps != s->nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("steps must have the same length for every row of a group"),
				 errdetail("One row has %d steps, another %d.", s->nsteps, nsteps),
				 errhint("Build steps with one ARRAY[...] expression of fixed length.")));
	if (s->nsteps == 0)
		s->nsteps = nsteps;
}

/*
 * wf_steps_mask
 *		The bitmask of the steps a row satisfies (bit j-1 for steps[j], a
 *		NULL element false), after checking the array: one-dimensional, 1 to
 *		WF_MAX_STEPS elements (the mask's width: ClickHouse's windowFunnel
 *		has the same limit, and the exact matching of rows at equal times
 *		costs O(steps^5) at worst per time).  *nsteps gets its length.
 */
static uint32
wf_steps_mask(ArrayType *a, int *nsteps)
{
	int			n;
	uint32		mask = 0;
	array_iter	it;

	Assert(ARR_ELEMTYPE(a) == BOOLOID);
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("steps must be a one-dimensional array"),
				 errdetail("steps has %d dimensions.", ARR_NDIM(a)),
				 errhint("Give one boolean per step, such as ARRAY[event_type = 'page_view', event_type = 'demo_request'].")));
	n = ARR_NDIM(a) == 0 ? 0 : ARR_DIMS(a)[0];
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("steps must not be empty"),
				 errdetail("A funnel has at least one step."),
				 errhint("Give one boolean per step, such as ARRAY[event_type = 'page_view', event_type = 'demo_request'].")));
	if (n > WF_MAX_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("window_funnel takes at most %d steps", WF_MAX_STEPS),
				 errdetail("steps has %d elements; each row keeps its steps as a %d-bit mask.", n, WF_MAX_STEPS),
				 errhint("Split the funnel into funnels of at most %d steps.", WF_MAX_STEPS)));
	array_iter_setup(&it, (AnyArrayType *) a);
	for (int i = 0; i < n; i++)
	{
		bool		isnull;
		Datum		d = array_iter_next(&it, &isnull, i, 1, true, TYPALIGN_CHAR);

		if (!isnull && DatumGetBool(d))
			mask |= (uint32) 1 << i;
	}
	*nsteps = n;
	return mask;
}

/*
 * lq_window_funnel_trans
 *		Transition function: check the row's window and steps, keep its time
 *		and mask if it counts.  The state exists from the first row on (even
 *		a skipped one), so every row's window is checked against the first.
 */
Datum
lq_window_funnel_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = lq_agg_context(fcinfo, "lq_window_funnel_trans");
	WfState   *s = PG_ARGISNULL(0) ? NULL : (WfState *) PG_GETARG_POINTER(0);
	uint64		window = wf_window_usecs(fcinfo, 1);
	int			nsteps = 0;
	uint32		mask = 0;
	TimestampTz t;

	if (!PG_ARGISNULL(3))
		mask = wf_steps_mask(PG_GETARG_ARRAYTYPE_P(3), &nsteps);
	if (s == NULL)
		s = wf_state_new(aggcontext, window, nsteps, 16);
	else
		wf_check_same(s, window, nsteps);
	if (PG_ARGISNULL(2) || PG_ARGISNULL(3) || mask == 0)
		PG_RETURN_POINTER(s);
	t = PG_GETARG_TIMESTAMPTZ(2);
	if (TIMESTAMP_NOT_FINITE(t))
		PG_RETURN_POINTER(s);
	wf_reserve(s, 1);
	s->rows[s->nrows].t = t;
	s->rows[s->nrows].mask = mask;
	s->nrows++;
	PG_RETURN_POINTER(s);
}

/*
 * lq_window_funnel_combine
 *		Combine function (non-strict): either state may be NULL; the result
 *		lives in aggcontext (state 2 is copied when state 1 is NULL).
 */
Datum
lq_window_funnel_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = lq_agg_context(fcinfo, "lq_window_funnel_combine");
	WfState   *a = PG_ARGISNULL(0) ? NULL : (WfState *) PG_GETARG_POINTER(0);
	WfState   *b = PG_ARGISNULL(1) ? NULL : (WfState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	wf_check_state(b);
	if (a == NULL)
	{
		a = wf_state_new(aggcontext, b->window, b->nsteps, b->nrows);
	}
	else
	{
		wf_check_state(a);
		wf_check_same(a, b->window, b->nsteps);
	}
	wf_reserve(a, b->nrows);
	memcpy(a->rows + a->nrows, b->rows, (Size) b->nrows * sizeof(WfRow));
	a->nrows += b->nrows;
	wf_check_state(a);
	PG_RETURN_POINTER(a);
}

/*
 * wf_augment
 *		Kuhn's augmenting path for the matching of steps to the rows of one
 *		time (kmask[0..nk-1]): can step be matched, re-matching others?
 *		match[r] is the step row r serves, or -1.  Depth at most WF_MAX_STEPS.
 */
static bool
wf_augment(int step, const uint32 *kmask, int nk, int *match, bool *visited)
{
	for (int r = 0; r < nk; r++)
	{
		if (!(kmask[r] & ((uint32) 1 << step)) || visited[r])
			continue;
		visited[r] = true;
		if (match[r] < 0 || wf_augment(match[r], kmask, nk, match, visited))
		{
			match[r] = step;
			return true;
		}
	}
	return false;
}

/*
 * wf_advance
 *		How many steps after the first `level` ones the rows of one time can
 *		take, distinct rows each: the largest m such that steps level+1 ..
 *		level+m (bits level .. level+m-1) all match distinct rows.  Steps
 *		are added one at a time with an augmenting path each; the first that
 *		finds none ends the run, since a maximum matching of a prefix that
 *		misses one step proves no matching holds the whole prefix.
 */
static int
wf_advance(int level, int nsteps, const uint32 *kmask, int nk, uint32 any,
		   int *match, bool *visited)
{
	int			adv = 0;

	for (int r = 0; r < nk; r++)
		match[r] = -1;
	for (int step = level; step < nsteps; step++)
	{
		if (!(any & ((uint32) 1 << step)))
			break;
		memset(visited, 0, nk * sizeof(bool));
		if (!wf_augment(step, kmask, nk, match, visited))
			break;
		adv++;
	}
	return adv;
}

/*
 * wf_compute
 *		The funnel level of the sorted rows, in one pass over the times.
 *
 * best[j] (1 <= j <= top) is the latest start time of the chains of j
 * steps (r1..rj, times non-decreasing, within the window of r1) among the
 * rows seen so far; top is the longest chain found.  A chain of j steps
 * starting at s is worth at least as much for the rows still to come as
 * any chain of j' <= j steps starting at or before s (the later rows that
 * extend the shorter one extend the longer one, in a window that ends no
 * earlier), so keeping best[] loses no answer; a prefix of a chain is a
 * chain, so best[] is non-increasing in j.
 *
 * The rows of one time t extend a chain of j steps starting at s (t - s <=
 * window), or start one (j = 0, s = t), by the most steps j+1, j+2, ...
 * that distinct rows of that time can take (wf_advance, an exact bipartite
 * matching; with one row, its bit j).  Rows at equal times may take steps
 * in any order among themselves, so the input order never matters.  A
 * time's matching needs only, for each step, WF_MAX_STEPS of the rows that
 * satisfy it (any more are never all used: a step with that many candidate
 * rows finds a free one whatever the other steps took), so at most
 * nsteps^2 rows of a time take part in it.
 */
static int
wf_compute(WfState *s)
{
	int			n = s->nsteps;
	int			top = 0;
	TimestampTz best[WF_MAX_STEPS + 1];
	TimestampTz newbest[WF_MAX_STEPS + 1];
	uint32	   *kmask = NULL;
	int		   *match = NULL;
	bool	   *visited = NULL;
	int64		i = 0;

	wf_check_state(s);
	if (s->nrows == 0)
		return 0;
	wf_sort_rows(s->rows, s->nrows);

	while (i < s->nrows)
	{
		TimestampTz t = s->rows[i].t;
		int64		end = i + 1;

		CHECK_FOR_INTERRUPTS();
		while (end < s->nrows && s->rows[end].t == t)
			end++;

		if (end - i == 1)
		{
			/* one row: it takes one step, the one after a chain's last */
			uint32		m = s->rows[i].mask;

			for (int j = Min(top, n - 1); j >= 0; j--)
			{
				TimestampTz start;

				if (!(m & ((uint32) 1 << j)))
					continue;
				if (j == 0)
					start = t;
				else if ((uint64) t - (uint64) best[j] <= s->window)
					start = best[j];
				else
					continue;
				if (j + 1 > top)
				{
					top = j + 1;
					best[top] = start;
				}
				else if (start > best[j + 1])
					best[j + 1] = start;
			}
		}
		else
		{
			int			cnt[WF_MAX_STEPS];
			uint32		full = 0;
			uint32		any = 0;
			int			nk = 0;
			int			newtop = top;

			if (kmask == NULL)
			{
				kmask = palloc(sizeof(uint32) * WF_MAX_STEPS * WF_MAX_STEPS);
				match = palloc(sizeof(int) * WF_MAX_STEPS * WF_MAX_STEPS);
				visited = palloc(sizeof(bool) * WF_MAX_STEPS * WF_MAX_STEPS);
			}
			/* the rows of this time that can matter: at most n per step */
			memset(cnt, 0, sizeof(cnt));
			for (int64 k = i; k < end; k++)
			{
				uint32		m = s->rows[k].mask;

				if ((m & ~full) == 0)
					continue;
				Assert(nk < n * n);
				kmask[nk++] = m;
				any |= m;
				for (uint32 bits = m; bits != 0; bits &= bits - 1)
				{
					int			b = pg_rightmost_one_pos32(bits);

					if (++cnt[b] >= n)
						full |= (uint32) 1 << b;
				}
			}
			memcpy(newbest, best, sizeof(best));
			for (int j = 0; j <= Min(top, n - 1); j++)
			{
				TimestampTz start;
				int			adv;

				CHECK_FOR_INTERRUPTS();
				if (j == 0)
					start = t;
				else if ((uint64) t - (uint64) best[j] > s->window)
					continue;
				else if (j < top && best[j + 1] == best[j])
					continue;	/* the chain of j+1 steps has the same start */
				else
					start = best[j];
				adv = wf_advance(j, n, kmask, nk, any, match, visited);
				for (int l = j + 1; l <= j + adv; l++)
				{
					if (l > newtop)
					{
						newtop = l;
						newbest[l] = start;
					}
					else if (start > newbest[l])
						newbest[l] = start;
				}
			}
			top = newtop;
			memcpy(best, newbest, sizeof(best));
		}
		if (top == n)
			break;
		i = end;
	}
	if (kmask != NULL)
	{
		pfree(kmask);
		pfree(match);
		pfree(visited);
	}
	return top;
}

/*
 * lq_window_funnel_final
 *		Final function: the funnel level, 0 for no rows.  It sorts the
 *		state's rows in place: the state's value, a multiset of rows, is the
 *		same after it, so more rows may still be added (window use) and two
 *		identical calls may share the state (FINALFUNC_MODIFY = READ_ONLY).
 */
Datum
lq_window_funnel_final(PG_FUNCTION_ARGS)
{
	(void) lq_agg_context(fcinfo, "lq_window_funnel_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_INT32(0);
	PG_RETURN_INT32(wf_compute((WfState *) PG_GETARG_POINTER(0)));
}

/*
 * lq_window_funnel_serial
 *		State → bytea: version, window, nsteps, nrows, then (time, mask)
 *		per row.
 */
Datum
lq_window_funnel_serial(PG_FUNCTION_ARGS)
{
	WfState    *s;
	StringInfoData buf;

	(void) lq_agg_context(fcinfo, "lq_window_funnel_serial");
	s = (WfState *) PG_GETARG_POINTER(0);
	wf_check_state(s);
	if (s->nrows > (int64) ((MaxAllocSize - VARHDRSZ - 64) / WF_ROW_BYTES))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("window_funnel group too large for a parallel plan"),
				 errdetail("A parallel worker's part of one group holds %lld rows; at most %lld can be passed on.",
						   (long long) s->nrows,
						   (long long) ((MaxAllocSize - VARHDRSZ - 64) / WF_ROW_BYTES)),
				 errhint("SET max_parallel_workers_per_gather = 0 for this query, or group by something finer.")));
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, WF_STATE_VERSION);
	pq_sendint64(&buf, (int64) s->window);
	pq_sendint32(&buf, s->nsteps);
	pq_sendint64(&buf, s->nrows);
	for (int64 i = 0; i < s->nrows; i++)
	{
		pq_sendint64(&buf, s->rows[i].t);
		pq_sendint32(&buf, (int32) s->rows[i].mask);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * wf_corrupt
 *		A serialized state that lq_window_funnel_serial did not write.
 */
static void
wf_corrupt(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid window_funnel state"),
			 errdetail("%s", detail),
			 errhint("Such states are written by leadqual's parallel workers only.")));
}

/*
 * lq_window_funnel_deserial
 *		bytea → state in aggcontext, every field checked (22P03 otherwise).
 */
Datum
lq_window_funnel_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = lq_agg_context(fcinfo, "lq_window_funnel_deserial");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	uint64		window;
	int			nsteps;
	int64		nrows;
	WfState    *s;

	buf.data = VARDATA_ANY(b);
	buf.len = VARSIZE_ANY_EXHDR(b);
	buf.maxlen = buf.len;
	buf.cursor = 0;

	if (buf.len < 1 + 8 + 4 + 8)
		wf_corrupt("The state is shorter than its header.");
	if (pq_getmsgbyte(&buf) != WF_STATE_VERSION)
		wf_corrupt("The state's format version is not this leadqual's.");
	window = (uint64) pq_getmsgint64(&buf);
	nsteps = pq_getmsgint(&buf, 4);
	nrows = pq_getmsgint64(&buf);
	if (nsteps < 0 || nsteps > WF_MAX_STEPS)
		wf_corrupt("The state's number of steps is out of range.");
	if (nrows < 0 || nrows > (buf.len - buf.cursor) / WF_ROW_BYTES ||
		nrows * WF_ROW_BYTES != buf.len - buf.cursor)
		wf_corrupt("The state's length is not its row count's.");
	if (nsteps == 0 && nrows > 0)
		wf_corrupt("The state has rows but no steps.");
	s = wf_state_new(aggcontext, window, nsteps, nrows);
	for (int64 i = 0; i < nrows; i++)
	{
		TimestampTz t = pq_getmsgint64(&buf);
		uint32		mask = (uint32) pq_getmsgint(&buf, 4);

		if (TIMESTAMP_NOT_FINITE(t))
			wf_corrupt("The state has a row at an infinite time.");
		if (mask == 0 || (mask & ~WF_ALL_STEPS(nsteps)) != 0)
			wf_corrupt("The state has a row whose steps do not fit its step count.");
		s->rows[i].t = t;
		s->rows[i].mask = mask;
	}
	s->nrows = nrows;
	pq_getmsgend(&buf);
	wf_check_state(s);
	PG_RETURN_POINTER(s);
}
