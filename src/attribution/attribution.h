/*-------------------------------------------------------------------------
 *
 * attribution.h
 *	  What the attribution concern (SPEC §6) shares between its files:
 *
 *	  path_counts.c	the leadqual.path_counts state type (an expanded
 *					object while an aggregate runs, a compact varlena
 *					everywhere else) and the aggregates over it;
 *	  heuristics.c	the one definition of every per-journey weight rule
 *					(first_touch … full_path, shapley);
 *	  markov.c		the exact solve of the absorbing Markov chain and its
 *					removal effects.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LQ_ATTRIBUTION_H
#define LQ_ATTRIBUTION_H

#include "leadqual.h"

#include "utils/expandeddatum.h"

/* The methods of SPEC §6, in the order README lists them. */
typedef enum PcMethod
{
	PC_FIRST_TOUCH = 1,
	PC_LAST_TOUCH,
	PC_LINEAR,
	PC_TIME_DECAY,
	PC_POSITION_BASED,
	PC_W_SHAPED,
	PC_FULL_PATH,
	PC_MARKOV,
	PC_SHAPLEY
} PcMethod;

#define PC_METHOD_MAX PC_SHAPLEY

/* Highest Markov order served (a state is a window of this many channels). */
#define PC_MAX_ORDER 8

/*
 * A float sum kept with its rounding error (Neumaier's compensated sum), so
 * that adding the same numbers in another order, or combining partial sums
 * computed per partition, gives the same total in all but pathological
 * cases.  The value is s + c.
 */
typedef struct PcSum
{
	double		s;
	double		c;
} PcSum;

static inline void
pc_sum_add(PcSum *a, double x)
{
	double		t = a->s + x;

	if (fabs(a->s) >= fabs(x))
		a->c += (a->s - t) + x;
	else
		a->c += (x - t) + a->s;
	a->s = t;
}

static inline void
pc_sum_merge(PcSum *a, const PcSum *b)
{
	pc_sum_add(a, b->s);
	a->c += b->c;
}

static inline double
pc_sum_value(const PcSum *a)
{
	return a->s + a->c;
}

/* A Markov state: a window of len (1..order) channel ids, unused ids -1. */
typedef struct PcStateKey
{
	int32		len;
	int32		ch[PC_MAX_ORDER];
} PcStateKey;

/* Per-state transition counts (by state id). */
typedef struct PcStateCounts
{
	PcSum		start;			/* journeys that begin in this state */
	PcSum		conv;			/* conversions that end in it */
	PcSum		rev;			/* their value */
	PcSum		null;			/* non-converting journeys that end in it */
} PcStateCounts;

/* A transition between two states, with its count. */
typedef struct PcEdge
{
	int32		from;
	int32		to;
	PcSum		w;
} PcEdge;

struct pc_chan_hash;
struct pc_state_hash;
struct pc_edge_hash;

/*
 * The expanded form of leadqual.path_counts.  Channels and states are
 * numbered in order of first sight; the final functions sort them by name,
 * so the result does not depend on that order.
 */
typedef struct PathCounts
{
	ExpandedObjectHeader hdr;

	int			method;			/* PcMethod */
	int			order;			/* Markov order; 0 for the other methods */

	int32		nchannels;
	int32		chan_cap;
	char	  **chan_name;		/* not NUL-terminated; chan_len bytes */
	int32	   *chan_len;
	PcSum	   *credit_conv;	/* heuristic credit per channel */
	PcSum	   *credit_rev;
	struct pc_chan_hash *chan_hash;
	const char *probe_name;		/* the channel name being looked up */
	int32		probe_len;

	PcSum		total_conv;		/* conversions of the journeys added */
	PcSum		total_rev;		/* their value */
	PcSum		total_null;		/* non-converting journeys */

	int32		nstates;		/* Markov only */
	int32		state_cap;
	PcStateKey *state_key;
	PcStateCounts *state;
	struct pc_state_hash *state_hash;
	PcStateKey	probe;			/* the key being looked up */

	int32		nedges;
	struct pc_edge_hash *edge_hash;

	/* flat image cached between get_flat_size and flatten_into */
	char	   *flat;
	Size		flat_size;
} PathCounts;

/* The result of one journey's heuristic: weights per touch. */
typedef struct PcMilestones
{
	bool		has_mql;
	bool		has_opportunity;
	bool		has_won;
	TimestampTz mql_at;
	TimestampTz opportunity_at;
	TimestampTz won_at;
} PcMilestones;

/* heuristics.c */
extern PcMethod pc_method_from_name(const char *name);
extern const char *pc_method_name(PcMethod m);
extern bool pc_method_needs_times(PcMethod m);
extern void pc_journey_weights(PcMethod m, int n, const int32 *chan,
							   const TimestampTz *at, TimestampTz conversion_at,
							   double half_life_usecs, const PcMilestones *ms,
							   double *w);

/* markov.c */
typedef struct PcMarkovResult
{
	double		p_conv;			/* P(conversion) of the base chain */
	double		v_conv;			/* expected value of the base chain */
	double	   *re;				/* removal effect per channel (by id) */
	double	   *vre;			/* value removal effect per channel */
} PcMarkovResult;

extern void pc_markov_solve(const PathCounts *pc, PcMarkovResult *res);

/* path_counts.c */
extern int32 pc_channel_id(PathCounts *pc, const char *name, int32 len);
extern int64 pc_edges_export(const PathCounts *pc, int32 *from, int32 *to, double *w);

#endif							/* LQ_ATTRIBUTION_H */
