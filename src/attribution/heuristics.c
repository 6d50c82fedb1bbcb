/*-------------------------------------------------------------------------
 *
 * heuristics.c
 *	  The one definition of every per-journey rule of SPEC §6: how one
 *	  journey's conversion is split over its touches.  The aggregates
 *	  (path_counts.c) and lead_attribution's per-lead credit use these
 *	  weights and nothing else; markov (markov.c) is not a per-journey rule.
 *
 *	  Every rule returns one weight per touch, the weights summing to 1:
 *
 *	  - first_touch, last_touch: 1 to the first / last touch;
 *	  - linear: 1/n each (a channel touched twice gets two shares);
 *	  - time_decay: ∝ 2^(−(conversion − touch) / half_life);
 *	  - position_based: 1 touch → 1; 2 → ½, ½; n ≥ 3 → 0.4 first, 0.4 last,
 *	    0.2/(n − 2) each in between;
 *	  - w_shaped, full_path: 0.9 split equally over the milestone slots
 *	    present (first touch; last touch at or before the first reach of
 *	    mql; of opportunity; for full_path also of won) — a missing
 *	    milestone's share goes to the present ones, a touch that is several
 *	    milestones sums its slots — and 0.1 equally over the touches that
 *	    are no milestone, or over the distinct milestone touches when every
 *	    touch is one;
 *	  - shapley (simplified): 1/d to the first touch of each of the
 *	    journey's d distinct channels.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "attribution/attribution.h"

static const char *const method_names[] = {
	NULL,
	"first_touch",
	"last_touch",
	"linear",
	"time_decay",
	"position_based",
	"w_shaped",
	"full_path",
	"markov",
	"shapley"
};

/*
 * pc_method_from_name
 *		The method called name, or an error naming the methods there are.
 */
PcMethod
pc_method_from_name(const char *name)
{
	for (int m = 1; m <= PC_METHOD_MAX; m++)
		if (strcmp(name, method_names[m]) == 0)
			return (PcMethod) m;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown attribution method \"%s\"", name),
			 errhint("Use first_touch, last_touch, linear, time_decay, position_based, w_shaped, full_path, markov or shapley.")));
	return PC_LINEAR;			/* keep the compiler quiet */
}

/*
 * pc_method_name
 *		The SQL name of method m.
 */
const char *
pc_method_name(PcMethod m)
{
	Assert(m >= 1 && m <= PC_METHOD_MAX);
	return method_names[m];
}

/*
 * pc_method_needs_times
 *		Whether method m needs the touches' times or the lead's milestones
 *		(so that a path table cannot serve it).
 */
bool
pc_method_needs_times(PcMethod m)
{
	return m == PC_TIME_DECAY || m == PC_W_SHAPED || m == PC_FULL_PATH;
}

/*
 * last_at_or_before
 *		Index of the last of the n touches at or before t, or -1.  The
 *		touches are in journey order (times non-decreasing).
 */
static int
last_at_or_before(int n, const TimestampTz *at, TimestampTz t)
{
	int			i = n - 1;

	while (i >= 0 && at[i] > t)
		i--;
	return i;
}

/*
 * milestone_weights
 *		w_shaped (nslots 3) and full_path (nslots 4), see the file header.
 */
static void
milestone_weights(int n, const TimestampTz *at, const PcMilestones *ms,
				  int nslots, double *w)
{
	int			slot[4];
	int			present = 0;
	int			others = 0;
	int			distinct = 0;
	bool	   *is_ms = palloc0(sizeof(bool) * n);

	slot[0] = 0;
	slot[1] = ms->has_mql ? last_at_or_before(n, at, ms->mql_at) : -1;
	slot[2] = ms->has_opportunity ? last_at_or_before(n, at, ms->opportunity_at) : -1;
	slot[3] = (nslots == 4 && ms->has_won) ? last_at_or_before(n, at, ms->won_at) : -1;

	for (int i = 0; i < n; i++)
		w[i] = 0.0;
	for (int k = 0; k < nslots; k++)
		if (slot[k] >= 0)
			present++;
	Assert(present >= 1);		/* the first touch is always there */
	for (int k = 0; k < nslots; k++)
		if (slot[k] >= 0)
		{
			w[slot[k]] += 0.9 / present;
			if (!is_ms[slot[k]])
				distinct++;
			is_ms[slot[k]] = true;
		}
	for (int i = 0; i < n; i++)
		if (!is_ms[i])
			others++;
	for (int i = 0; i < n; i++)
	{
		if (others > 0 && !is_ms[i])
			w[i] += 0.1 / others;
		else if (others == 0 && is_ms[i])
			w[i] += 0.1 / distinct;
	}
	pfree(is_ms);
}

/* the channel ids cmp_by_channel sorts touch indexes by */
static const int32 *sort_chan;

/*
 * cmp_by_channel
 *		qsort comparator of touch indexes: by channel id, then index.
 */
static int
cmp_by_channel(const void *a, const void *b)
{
	int			ia = *(const int *) a;
	int			ib = *(const int *) b;

	if (sort_chan[ia] != sort_chan[ib])
		return sort_chan[ia] < sort_chan[ib] ? -1 : 1;
	return (ia > ib) - (ia < ib);
}

/*
 * pc_journey_weights
 *		The weight of each of the n touches of one journey under method m
 *		(not markov), into w[0..n-1]; they sum to 1.  chan holds the
 *		touches' channel ids; at their times, in journey order (NULL for
 *		the methods that need none); conversion_at, half_life_usecs and ms
 *		serve time_decay, w_shaped and full_path.
 */
void
pc_journey_weights(PcMethod m, int n, const int32 *chan,
				   const TimestampTz *at, TimestampTz conversion_at,
				   double half_life_usecs, const PcMilestones *ms,
				   double *w)
{
	Assert(n >= 1);
	Assert(m != PC_MARKOV);
	Assert(!pc_method_needs_times(m) || at != NULL);

	switch (m)
	{
		case PC_FIRST_TOUCH:
		case PC_LAST_TOUCH:
			for (int i = 0; i < n; i++)
				w[i] = 0.0;
			w[m == PC_FIRST_TOUCH ? 0 : n - 1] = 1.0;
			break;
		case PC_LINEAR:
			for (int i = 0; i < n; i++)
				w[i] = 1.0 / n;
			break;
		case PC_TIME_DECAY:
			{
				/*
				 * 2^(−(conversion − t_i)/h) = 2^(−(conversion − t_last)/h) ×
				 * 2^(−(t_last − t_i)/h): the first factor is common to all
				 * and cancels in the normalisation, so weigh relative to the
				 * last touch (weight 1), which cannot underflow to a zero
				 * sum however long ago the touches were.
				 */
				double		sum = 0.0;

				(void) conversion_at;
				for (int i = 0; i < n; i++)
				{
					w[i] = exp2(-lq_time_diff(at[n - 1], at[i]) / half_life_usecs);
					sum += w[i];
				}
				for (int i = 0; i < n; i++)
					w[i] /= sum;
			}
			break;
		case PC_POSITION_BASED:
			if (n == 1)
				w[0] = 1.0;
			else if (n == 2)
				w[0] = w[1] = 0.5;
			else
			{
				for (int i = 1; i < n - 1; i++)
					w[i] = 0.2 / (n - 2);
				w[0] = w[n - 1] = 0.4;
			}
			break;
		case PC_W_SHAPED:
			milestone_weights(n, at, ms, 3, w);
			break;
		case PC_FULL_PATH:
			milestone_weights(n, at, ms, 4, w);
			break;
		case PC_SHAPLEY:
			{
				/* sort touch indexes by (channel, index): O(n log n) */
				int		   *idx = palloc(sizeof(int) * n);
				int			distinct = 0;

				for (int i = 0; i < n; i++)
				{
					idx[i] = i;
					w[i] = 0.0;
				}
				sort_chan = chan;
				qsort(idx, n, sizeof(int), cmp_by_channel);
				for (int i = 0; i < n; i++)
					if (i == 0 || chan[idx[i]] != chan[idx[i - 1]])
					{
						w[idx[i]] = 1.0;
						distinct++;
					}
				for (int i = 0; i < n; i++)
					w[i] /= distinct;
				pfree(idx);
			}
			break;
		case PC_MARKOV:
			elog(ERROR, "markov has no per-journey weights");
	}
}
