/*-------------------------------------------------------------------------
 *
 * markov.c
 *	  The exact solve of the absorbing Markov chain of a path_counts state
 *	  (SPEC §6), no simulation.
 *
 *	  From every transient state s the chain moves to state t with
 *	  probability w(s,t)/out(s), converts with conv(s)/out(s) and ends
 *	  without conversion with null(s)/out(s), out(s) being the sum of the
 *	  three.  x(s), the probability of converting from s, and v(s), the
 *	  expected value from s (each state's conversion carries the mean value
 *	  of the conversions ending in it, so its term is rev(s)/out(s)), solve
 *
 *	      x(s) = conv(s)/out(s) + Σ_t w(s,t)/out(s) · x(t)
 *	      v(s) = rev(s)/out(s)  + Σ_t w(s,t)/out(s) · v(t)
 *
 *	  and P = Σ_s start(s) x(s) / Σ_s start(s), likewise V.  Removing
 *	  channel c sends every state that contains c to null: x(s) = v(s) = 0
 *	  there, and RE_c = 1 − P_c/P, VRE_c = 1 − V_c/V.
 *
 *	  How: the strongly connected components of the transition graph
 *	  (Tarjan) are solved in reverse topological order, so each component
 *	  only needs the final values of the ones after it.  A component of one
 *	  state (most of them: consecutive identical states are collapsed, so
 *	  there are no self-loops) is one formula; a larger one (loops in the
 *	  journeys) is solved by Gauss–Seidel sweeps until the values stop
 *	  changing, and by LU decomposition with partial pivoting when the
 *	  sweeps converge too slowly (a loop that is rarely left) and it is
 *	  small enough.  Each channel's removal re-solves only the components
 *	  that contain one of its states or lead to one whose value changed,
 *	  starting the sweeps from the base values.
 *
 *	  Checks that raise an error instead of returning a wrong number: the
 *	  counts must describe journeys (what flows into each state flows out,
 *	  so P·Σstart equals the conversions: checked before and after the
 *	  solve), and every solve's residual times the expected number of
 *	  steps to absorption (a bound of the error) must be below 1e-10 of
 *	  the result.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "attribution/attribution.h"

/* Largest component the LU fallback takes (a dense k × k matrix). */
#define MK_DENSE_MAX 2000

/*
 * Gauss–Seidel stops when no value moves by more than this, relatively;
 * mk_check then bounds the error for real.
 */
#define MK_SWEEP_TOL 1e-14

/* Channels whose removals are solved together, in one pass over the rows. */
#define MK_BLOCK 8

/* Sweeps over one component before the LU fallback (or the error). */
#define MK_MAX_SWEEPS 5000

/* Work counters for the DEBUG1 line of pc_markov_solve. */
static int64 mk_sweeps;
static int64 mk_dense_solves;

/* The chain in compressed sparse rows, by state id. */
typedef struct MkChain
{
	int32		n;				/* states */
	int64	   *row;			/* row[s] .. row[s+1]-1: transitions of s */
	int32	   *col;
	double	   *p;				/* their probabilities */
	double	   *b;				/* conv(s)/out(s) */
	double	   *bv;				/* rev(s)/out(s) */
	double	   *start;			/* journeys starting in s */
	double		total_start;
	int32	   *comp_order;		/* states, component by component, in solve order */
	int32	   *comp_begin;		/* component k: comp_order[comp_begin[k] .. comp_begin[k+1]-1] */
	int32	   *comp_of;		/* component of each state */
	int32	   *comp_pos;		/* position of each state in comp_order */
	int32		ncomp;
	double	   *steps;			/* expected steps to absorption (error bound) */
	double		max_steps;
} MkChain;

/* canonical state order: by length, then channel names (via rank) */
static const PathCounts *cmp_pc;
static const int32 *cmp_rank;

static int
cmp_states(const void *a, const void *b)
{
	const PcStateKey *ka = &cmp_pc->state_key[*(const int32 *) a];
	const PcStateKey *kb = &cmp_pc->state_key[*(const int32 *) b];

	if (ka->len != kb->len)
		return ka->len < kb->len ? -1 : 1;
	for (int j = 0; j < ka->len; j++)
		if (ka->ch[j] != kb->ch[j])
			return cmp_rank[ka->ch[j]] < cmp_rank[kb->ch[j]] ? -1 : 1;
	return 0;
}

static int
cmp_channel_ids(const void *a, const void *b)
{
	int32		ia = *(const int32 *) a;
	int32		ib = *(const int32 *) b;
	int32		la = cmp_pc->chan_len[ia];
	int32		lb = cmp_pc->chan_len[ib];
	int			c = memcmp(cmp_pc->chan_name[ia], cmp_pc->chan_name[ib], Min(la, lb));

	if (c != 0)
		return c;
	return (la > lb) - (la < lb);
}

typedef struct MkEdge
{
	int32		from;
	int32		to;
	double		w;
} MkEdge;

static int
cmp_edges(const void *a, const void *b)
{
	const MkEdge *ea = a;
	const MkEdge *eb = b;

	if (ea->from != eb->from)
		return ea->from < eb->from ? -1 : 1;
	return (ea->to > eb->to) - (ea->to < eb->to);
}

static void
not_journeys(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid leadqual.path_counts value"),
			 errdetail("Its Markov counts do not describe journeys: what enters a state does not leave it."),
			 errhint("A path_counts value can only be one leadqual wrote (an attribution aggregate's state).")));
}

/*
 * mk_build
 *		The chain of pc in canonical state order (sorted by channel names,
 *		so the result does not depend on the order rows arrived in), with
 *		the flow check.  *state_map receives canonical id → pc state id.
 */
static void
mk_build(const PathCounts *pc, MkChain *ch, int32 **state_map)
{
	int32		n = pc->nstates;
	int32	   *chan_sorted = palloc(sizeof(int32) * Max(pc->nchannels, 1));
	int32	   *rank = palloc(sizeof(int32) * Max(pc->nchannels, 1));
	int32	   *canon = palloc(sizeof(int32) * n);	/* canonical → pc id */
	int32	   *to_canon = palloc(sizeof(int32) * n);
	MkEdge	   *edges;
	int64		ne = 0;
	double	   *out = palloc0(sizeof(double) * n);
	double	   *in = palloc0(sizeof(double) * n);

	for (int32 c = 0; c < pc->nchannels; c++)
		chan_sorted[c] = c;
	cmp_pc = pc;
	qsort(chan_sorted, pc->nchannels, sizeof(int32), cmp_channel_ids);
	for (int32 i = 0; i < pc->nchannels; i++)
		rank[chan_sorted[i]] = i;
	cmp_rank = rank;
	for (int32 s = 0; s < n; s++)
		canon[s] = s;
	qsort(canon, n, sizeof(int32), cmp_states);
	for (int32 i = 0; i < n; i++)
		to_canon[canon[i]] = i;

	edges = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(MkEdge) * Max(pc->nedges, 1));
	{
		/* the transitions, from the state's hash table, in canonical ids */
		int32	   *f = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int32) * Max(pc->nedges, 1));
		int32	   *t = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int32) * Max(pc->nedges, 1));
		double	   *w = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(pc->nedges, 1));

		ne = pc_edges_export(pc, f, t, w);
		for (int64 e = 0; e < ne; e++)
		{
			edges[e].from = to_canon[f[e]];
			edges[e].to = to_canon[t[e]];
			edges[e].w = w[e];
		}
		pfree(f);
		pfree(t);
		pfree(w);
	}
	qsort(edges, ne, sizeof(MkEdge), cmp_edges);

	ch->n = n;
	ch->row = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int64) * (n + 1));
	ch->col = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int32) * Max(ne, 1));
	ch->p = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(ne, 1));
	ch->b = palloc(sizeof(double) * n);
	ch->bv = palloc(sizeof(double) * n);
	ch->start = palloc(sizeof(double) * n);
	ch->total_start = 0.0;

	for (int32 i = 0; i < n; i++)
	{
		const PcStateCounts *sc = &pc->state[canon[i]];

		ch->start[i] = pc_sum_value(&sc->start);
		ch->b[i] = pc_sum_value(&sc->conv);
		ch->bv[i] = pc_sum_value(&sc->rev);
		out[i] = ch->b[i] + pc_sum_value(&sc->null);
		in[i] = ch->start[i];
		ch->total_start += ch->start[i];
	}
	for (int64 e = 0; e < ne; e++)
	{
		out[edges[e].from] += edges[e].w;
		in[edges[e].to] += edges[e].w;
	}
	{
		int64		e = 0;

		for (int32 i = 0; i < n; i++)
		{
			double		scale = Max(in[i], out[i]);

			if (!isfinite(in[i]) || !isfinite(out[i]))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("markov attribution: the journeys through a state add up past float8"),
						 errdetail("A state's journeys, counted each time they pass it, exceed what float8 can hold."),
						 errhint("Scale the conversions and nulls down.")));
			if (!(out[i] > 0.0) || fabs(in[i] - out[i]) > 1e-9 * scale)
				not_journeys();
			ch->row[i] = e;
			for (; e < ne && edges[e].from == i; e++)
			{
				ch->col[e] = edges[e].to;
				ch->p[e] = edges[e].w / out[i];
			}
			ch->b[i] /= out[i];
			ch->bv[i] /= out[i];
			if (!isfinite(ch->bv[i]))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("markov attribution: the revenue per journey of a state is not finite"),
						 errdetail("Revenue %g ends in a state that %g journeys pass.", pc_sum_value(&pc->state[canon[i]].rev), out[i]),
						 errhint("Scale the revenue down.")));
		}
		ch->row[n] = e;
	}
	{
		/* every state of journeys is reached from a start */
		bool	   *seen = palloc0(sizeof(bool) * Max(n, 1));
		int32	   *queue = palloc(sizeof(int32) * Max(n, 1));
		int32		head = 0,
					tail = 0;

		for (int32 i = 0; i < n; i++)
			if (ch->start[i] > 0.0)
			{
				seen[i] = true;
				queue[tail++] = i;
			}
		while (head < tail)
		{
			int32		s = queue[head++];

			for (int64 f = ch->row[s]; f < ch->row[s + 1]; f++)
				if (!seen[ch->col[f]])
				{
					seen[ch->col[f]] = true;
					queue[tail++] = ch->col[f];
				}
		}
		if (tail != n)
			not_journeys();
		pfree(seen);
		pfree(queue);
	}
	pfree(edges);
	pfree(out);
	pfree(in);
	pfree(to_canon);
	pfree(chan_sorted);
	pfree(rank);
	*state_map = canon;
}

/* depth-first finish order of the states, for cmp_finish */
static int32 *finish;

static int
cmp_finish(const void *a, const void *b)
{
	int32		fa = finish[*(const int32 *) a];
	int32		fb = finish[*(const int32 *) b];

	return (fa > fb) - (fa < fb);
}

/*
 * mk_components
 *		Tarjan's strongly connected components, iteratively (no recursion
 *		however long the chains).  Components come out sinks first, which
 *		is the order they are solved in.
 */
static void
mk_components(MkChain *ch)
{
	int32		n = ch->n;
	int32	   *index = palloc(sizeof(int32) * n);
	int32	   *low = palloc(sizeof(int32) * n);
	bool	   *on_stack = palloc0(sizeof(bool) * n);
	int32	   *stack = palloc(sizeof(int32) * n);
	int32	   *call_state = palloc(sizeof(int32) * n);
	int64	   *call_edge = palloc(sizeof(int64) * n);
	int32		sp = 0,
				cp = 0,
				next_index = 0,
				next_finish = 0,
				out_pos = 0;

	finish = palloc(sizeof(int32) * n);

	ch->comp_order = palloc(sizeof(int32) * n);
	ch->comp_begin = palloc(sizeof(int32) * (n + 1));
	ch->comp_of = palloc(sizeof(int32) * n);
	ch->comp_pos = palloc(sizeof(int32) * n);
	ch->ncomp = 0;
	for (int32 i = 0; i < n; i++)
		index[i] = -1;

	for (int32 root = 0; root < n; root++)
	{
		if (index[root] >= 0)
			continue;
		call_state[cp] = root;
		call_edge[cp] = ch->row[root];
		cp++;
		index[root] = low[root] = next_index++;
		stack[sp++] = root;
		on_stack[root] = true;

		while (cp > 0)
		{
			int32		v = call_state[cp - 1];

			CHECK_FOR_INTERRUPTS();
			if (call_edge[cp - 1] < ch->row[v + 1])
			{
				int32		w = ch->col[call_edge[cp - 1]++];

				if (index[w] < 0)
				{
					index[w] = low[w] = next_index++;
					stack[sp++] = w;
					on_stack[w] = true;
					call_state[cp] = w;
					call_edge[cp] = ch->row[w];
					cp++;
				}
				else if (on_stack[w] && index[w] < low[v])
					low[v] = index[w];
				continue;
			}
			/* v is done */
			finish[v] = next_finish++;
			if (low[v] == index[v])
			{
				int32		w;

				ch->comp_begin[ch->ncomp] = out_pos;
				do
				{
					w = stack[--sp];
					on_stack[w] = false;
					ch->comp_pos[w] = out_pos;
					ch->comp_order[out_pos++] = w;
					ch->comp_of[w] = ch->ncomp;
				} while (w != v);
				ch->ncomp++;
			}
			cp--;
			if (cp > 0)
			{
				int32		u = call_state[cp - 1];

				if (low[v] < low[u])
					low[u] = low[v];
			}
		}
	}
	ch->comp_begin[ch->ncomp] = out_pos;
	Assert(out_pos == n);

	/*
	 * Within a component, solve the states in the order the depth-first
	 * search finished them: every transition of the search tree, and every
	 * forward or cross transition, then leads to a state solved before, so
	 * a Gauss-Seidel sweep uses its fresh value; only the search's back
	 * transitions (the loops) read a value of the previous sweep.
	 */
	for (int32 k = 0; k < ch->ncomp; k++)
	{
		int32		first = ch->comp_begin[k];
		int32		m = ch->comp_begin[k + 1] - first;

		if (m > 1)
			qsort(&ch->comp_order[first], m, sizeof(int32), cmp_finish);
		for (int32 i = first; i < first + m; i++)
			ch->comp_pos[ch->comp_order[i]] = i;
	}
	pfree(finish);
	finish = NULL;
	pfree(index);
	pfree(low);
	pfree(on_stack);
	pfree(stack);
	pfree(call_state);
	pfree(call_edge);
}


/*
 * mk_renumber
 *		Renumber the states in solve order (component by component, as
 *		Tarjan emitted them), so that a component's states, and mostly the
 *		states their transitions lead to, lie next to each other in memory:
 *		the sweeps then read the values they need from cache.  state_map
 *		follows.
 */
static void
mk_renumber(MkChain *ch, int32 **state_map)
{
	int32		n = ch->n;
	int64		ne = ch->row[n];
	int64	   *row = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int64) * (n + 1));
	int32	   *col = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int32) * Max(ne, 1));
	double	   *p = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * Max(ne, 1));
	double	   *b = palloc(sizeof(double) * n);
	double	   *bv = palloc(sizeof(double) * n);
	double	   *start = palloc(sizeof(double) * n);
	int32	   *map = palloc(sizeof(int32) * n);
	int32	   *comp_of = palloc(sizeof(int32) * n);
	int64		e = 0;

	for (int32 i = 0; i < n; i++)
	{
		int32		s = ch->comp_order[i];	/* old id of new state i */

		row[i] = e;
		for (int64 f = ch->row[s]; f < ch->row[s + 1]; f++)
		{
			col[e] = ch->comp_pos[ch->col[f]];
			p[e] = ch->p[f];
			e++;
		}
		b[i] = ch->b[s];
		bv[i] = ch->bv[s];
		start[i] = ch->start[s];
		map[i] = (*state_map)[s];
		comp_of[i] = ch->comp_of[s];
	}
	row[n] = e;
	pfree(ch->row);
	pfree(ch->col);
	pfree(ch->p);
	pfree(ch->b);
	pfree(ch->bv);
	pfree(ch->start);
	pfree(ch->comp_of);
	pfree(*state_map);
	ch->row = row;
	ch->col = col;
	ch->p = p;
	ch->b = b;
	ch->bv = bv;
	ch->start = start;
	ch->comp_of = comp_of;
	*state_map = map;
	for (int32 i = 0; i < n; i++)
	{
		ch->comp_order[i] = i;
		ch->comp_pos[i] = i;
	}
}

/*
 * mk_dense
 *		Solve component k exactly by LU with partial pivoting: for its
 *		states, x − Q x = b + (transitions out of the component), with
 *		removed states fixed at 0.  x and v are solved together.
 *		False when the matrix is singular to working precision.
 */
static bool
mk_dense(const MkChain *ch, int32 k, const bool *removed,
		 const double *b, const double *bv, double *x, double *v)
{
	int32		first = ch->comp_begin[k];
	int32		m = ch->comp_begin[k + 1] - first;
	const int32 *mem = &ch->comp_order[first];
	double	   *a = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * m * m);
	double	   *r1 = palloc(sizeof(double) * m);
	double	   *r2 = palloc(sizeof(double) * m);
	int32	   *pos = palloc(sizeof(int32) * m);
	bool		ok = true;

	/* local index of each member: its position in comp_order */
	memset(a, 0, sizeof(double) * m * m);
	for (int32 i = 0; i < m; i++)
	{
		int32		s = mem[i];

		a[(Size) i * m + i] = 1.0;
		r1[i] = r2[i] = 0.0;
		if (removed && removed[s])
			continue;
		r1[i] = b[s];
		r2[i] = bv[s];
		for (int64 e = ch->row[s]; e < ch->row[s + 1]; e++)
		{
			int32		t = ch->col[e];

			if (ch->comp_of[t] == k)
				a[(Size) i * m + (ch->comp_pos[t] - first)] -= ch->p[e];
			else
			{
				r1[i] += ch->p[e] * x[t];
				r2[i] += ch->p[e] * v[t];
			}
		}
	}
	for (int32 i = 0; i < m; i++)
		pos[i] = i;
	for (int32 c = 0; c < m && ok; c++)
	{
		int32		piv = c;
		double		best = fabs(a[(Size) c * m + c]);

		CHECK_FOR_INTERRUPTS();
		for (int32 i = c + 1; i < m; i++)
			if (fabs(a[(Size) i * m + c]) > best)
			{
				best = fabs(a[(Size) i * m + c]);
				piv = i;
			}
		if (best < 1e-300)
		{
			ok = false;
			break;
		}
		if (piv != c)
		{
			for (int32 j = 0; j < m; j++)
			{
				double		t = a[(Size) c * m + j];

				a[(Size) c * m + j] = a[(Size) piv * m + j];
				a[(Size) piv * m + j] = t;
			}
			{
				double		t = r1[c];

				r1[c] = r1[piv];
				r1[piv] = t;
				t = r2[c];
				r2[c] = r2[piv];
				r2[piv] = t;
			}
		}
		for (int32 i = c + 1; i < m; i++)
		{
			double		f = a[(Size) i * m + c] / a[(Size) c * m + c];

			if (f == 0.0)
				continue;
			for (int32 j = c; j < m; j++)
				a[(Size) i * m + j] -= f * a[(Size) c * m + j];
			r1[i] -= f * r1[c];
			r2[i] -= f * r2[c];
		}
	}
	if (ok)
	{
		for (int32 i = m - 1; i >= 0; i--)
		{
			double		s1 = r1[i],
						s2 = r2[i];

			for (int32 j = i + 1; j < m; j++)
			{
				s1 -= a[(Size) i * m + j] * r1[j];
				s2 -= a[(Size) i * m + j] * r2[j];
			}
			r1[i] = s1 / a[(Size) i * m + i];
			r2[i] = s2 / a[(Size) i * m + i];
		}
		for (int32 i = 0; i < m; i++)
		{
			x[mem[i]] = r1[i];
			v[mem[i]] = r2[i];
		}
	}
	pfree(a);
	pfree(r1);
	pfree(r2);
	pfree(pos);
	return ok;
}

static void
not_solved(int32 states, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("markov attribution could not solve its chain exactly"),
			 errdetail("A loop of %d states %s.", states, why),
			 errhint("The journeys have a loop that is almost never left; use a different markov_order, or leave out the journeys that repeat it.")));
}

/*
 * mk_solve
 *		x, v for every state (b, bv: the two right-hand sides), with the
 *		states in removed (NULL: none) fixed at 0.  With base (the base
 *		chain's x, v), components that neither hold a removed state nor
 *		lead to a changed value keep the base values, and the sweeps start
 *		from them.
 */
static void
mk_solve(const MkChain *ch, const bool *removed,
		 const double *b, const double *bv,
		 const double *base_x, const double *base_v,
		 double *x, double *v)
{
	bool	   *changed = base_x ? palloc0(sizeof(bool) * ch->n) : NULL;

	for (int32 k = 0; k < ch->ncomp; k++)
	{
		int32		first = ch->comp_begin[k];
		int32		m = ch->comp_begin[k + 1] - first;
		const int32 *mem = &ch->comp_order[first];

		if (base_x)
		{
			bool		affected = false;

			for (int32 i = 0; i < m && !affected; i++)
			{
				int32		s = mem[i];

				if (removed[s])
					affected = true;
				for (int64 e = ch->row[s]; e < ch->row[s + 1] && !affected; e++)
					affected = changed[ch->col[e]];
			}
			if (!affected)
			{
				for (int32 i = 0; i < m; i++)
				{
					x[mem[i]] = base_x[mem[i]];
					v[mem[i]] = base_v[mem[i]];
				}
				continue;
			}
		}

		if (m == 1)
		{
			int32		s = mem[0];
			double		sx = 0.0,
						sv = 0.0;

			if (!removed || !removed[s])
			{
				sx = b[s];
				sv = bv[s];
				for (int64 e = ch->row[s]; e < ch->row[s + 1]; e++)
				{
					sx += ch->p[e] * x[ch->col[e]];
					sv += ch->p[e] * v[ch->col[e]];
				}
			}
			x[s] = sx;
			v[s] = sv;
		}
		else
		{
			int			sweep;
			bool		converged = false;

			for (int32 i = 0; i < m; i++)
			{
				int32		s = mem[i];
				bool		gone = removed && removed[s];

				x[s] = gone ? 0.0 : (base_x ? base_x[s] : 0.0);
				v[s] = gone ? 0.0 : (base_v ? base_v[s] : 0.0);
			}
			for (sweep = 0; sweep < MK_MAX_SWEEPS && !converged; sweep++)
			{
				double		dx = 0.0,
							dv = 0.0,
							mx = 0.0,
							mv = 0.0;

				CHECK_FOR_INTERRUPTS();
				for (int32 i = 0; i < m; i++)
				{
					int32		s = mem[i];
					double		sx,
								sv;

					if (removed && removed[s])
						continue;
					sx = b[s];
					sv = bv[s];
					for (int64 e = ch->row[s]; e < ch->row[s + 1]; e++)
					{
						sx += ch->p[e] * x[ch->col[e]];
						sv += ch->p[e] * v[ch->col[e]];
					}
					dx = Max(dx, fabs(sx - x[s]));
					dv = Max(dv, fabs(sv - v[s]));
					mx = Max(mx, fabs(sx));
					mv = Max(mv, fabs(sv));
					x[s] = sx;
					v[s] = sv;
				}
				converged = dx <= MK_SWEEP_TOL * mx && dv <= MK_SWEEP_TOL * mv;
				mk_sweeps++;
			}
			if (!converged)
			{
				if (m > MK_DENSE_MAX)
					not_solved(m, "converges too slowly and is too large for a direct solve");
				mk_dense_solves++;
				if (!mk_dense(ch, k, removed, b, bv, x, v))
					not_solved(m, "gives a singular system");
			}
		}
		if (changed)
			for (int32 i = 0; i < m; i++)
				changed[mem[i]] = (x[mem[i]] != base_x[mem[i]] || v[mem[i]] != base_v[mem[i]]);
	}
	if (changed)
		pfree(changed);
}


/*
 * mk_solve_block
 *		The removals of nb (<= MK_BLOCK) channels at once: X holds, per
 *		state s, X[s*W + j] = x with channel j removed and X[s*W + MK_BLOCK
 *		+ j] = v likewise (W = 2 MK_BLOCK); rm[s] has bit j set when s
 *		contains channel j.  Components are solved as in mk_solve, every
 *		channel of the block in the same sweep, so each pass over the
 *		transitions serves them all.  False when the sweeps over some
 *		component do not converge (the caller then solves the block's
 *		channels one by one, with mk_solve's direct fallback).
 */
static bool
mk_solve_block(const MkChain *ch, const uint8 *rm, int nb,
			   const double *base_x, const double *base_v, double *X)
{
	const int	W = 2 * MK_BLOCK;
	bool	   *changed = palloc0(sizeof(bool) * ch->n);
	bool		ok = true;

	for (int32 k = 0; k < ch->ncomp && ok; k++)
	{
		int32		first = ch->comp_begin[k];
		int32		m = ch->comp_begin[k + 1] - first;
		const int32 *mem = &ch->comp_order[first];
		bool		affected = false;
		bool		converged = false;

		for (int32 i = 0; i < m && !affected; i++)
		{
			int32		s = mem[i];

			if (rm[s])
				affected = true;
			for (int64 e = ch->row[s]; e < ch->row[s + 1] && !affected; e++)
				affected = changed[ch->col[e]];
		}
		for (int32 i = 0; i < m; i++)
		{
			int32		s = mem[i];
			double	   *xs = &X[(Size) s * W];

			for (int j = 0; j < MK_BLOCK; j++)
			{
				bool		gone = (rm[s] >> j) & 1;

				xs[j] = gone ? 0.0 : base_x[s];
				xs[MK_BLOCK + j] = gone ? 0.0 : base_v[s];
			}
		}
		if (!affected)
			continue;

		for (int sweep = 0; sweep < (m == 1 ? 1 : MK_MAX_SWEEPS) && !converged; sweep++)
		{
			double		dmax[2 * MK_BLOCK] = {0};
			double		vmax[2 * MK_BLOCK] = {0};

			CHECK_FOR_INTERRUPTS();
			for (int32 i = 0; i < m; i++)
			{
				int32		s = mem[i];
				double		acc[2 * MK_BLOCK];
				double	   *xs = &X[(Size) s * W];

				for (int j = 0; j < MK_BLOCK; j++)
				{
					acc[j] = ch->b[s];
					acc[MK_BLOCK + j] = ch->bv[s];
				}
				for (int64 e = ch->row[s]; e < ch->row[s + 1]; e++)
				{
					const double *xt = &X[(Size) ch->col[e] * W];
					double		p = ch->p[e];

					for (int j = 0; j < 2 * MK_BLOCK; j++)
						acc[j] += p * xt[j];
				}
				for (int j = 0; j < nb; j++)
				{
					if ((rm[s] >> j) & 1)
						continue;
					dmax[j] = Max(dmax[j], fabs(acc[j] - xs[j]));
					dmax[MK_BLOCK + j] = Max(dmax[MK_BLOCK + j], fabs(acc[MK_BLOCK + j] - xs[MK_BLOCK + j]));
					vmax[j] = Max(vmax[j], fabs(acc[j]));
					vmax[MK_BLOCK + j] = Max(vmax[MK_BLOCK + j], fabs(acc[MK_BLOCK + j]));
					xs[j] = acc[j];
					xs[MK_BLOCK + j] = acc[MK_BLOCK + j];
				}
			}
			if (m > 1)
				mk_sweeps++;
			converged = true;
			for (int j = 0; j < nb; j++)
				converged &= dmax[j] <= MK_SWEEP_TOL * vmax[j] &&
					dmax[MK_BLOCK + j] <= MK_SWEEP_TOL * vmax[MK_BLOCK + j];
		}
		if (m == 1)
			converged = true;
		if (!converged)
			ok = false;
		for (int32 i = 0; i < m; i++)
		{
			int32		s = mem[i];
			const double *xs = &X[(Size) s * W];
			bool		diff = false;

			for (int j = 0; j < nb; j++)
				diff |= (xs[j] != base_x[s] || xs[MK_BLOCK + j] != base_v[s]);
			changed[s] = diff;
		}
	}
	pfree(changed);
	return ok;
}

/*
 * mk_check
 *		The error bound of a solve: the largest residual times the largest
 *		expected number of steps to absorption must stay below 1e-10 of
 *		the scale of the result (x is at most 1; v at most the largest mean
 *		value).
 */
static void
mk_check(const MkChain *ch, const bool *removed, const double *b, const double *bv,
		 const double *x, const double *v, double vscale)
{
	double		rx = 0.0,
				rv = 0.0;

	for (int32 s = 0; s < ch->n; s++)
	{
		double		sx,
					sv;

		if (removed && removed[s])
			continue;
		sx = b[s] - x[s];
		sv = bv[s] - v[s];
		for (int64 e = ch->row[s]; e < ch->row[s + 1]; e++)
		{
			sx += ch->p[e] * x[ch->col[e]];
			sv += ch->p[e] * v[ch->col[e]];
		}
		rx = Max(rx, fabs(sx));
		rv = Max(rv, fabs(sv));
	}
	if (!(rx * ch->max_steps <= 1e-10) || !(rv * ch->max_steps <= 1e-10 * Max(vscale, 1e-300)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("markov attribution could not solve its chain exactly"),
				 errdetail("The residual %g (value %g) times the expected journey length %g exceeds 1e-10.",
						   rx, rv, ch->max_steps),
				 errhint("The journeys have a loop that is almost never left; use a different markov_order, or leave out the journeys that repeat it.")));
}

/*
 * pc_markov_solve
 *		P, V and the removal effects of every channel of a markov state.
 *		res->re and res->vre are palloc'd in the caller's context, one per
 *		channel id.
 */
void
pc_markov_solve(const PathCounts *pc, PcMarkovResult *res)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "leadqual markov solve",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old;
	MkChain		ch;
	int32	   *state_map;
	double	   *x,
			   *v,
			   *xc,
			   *vc,
			   *ones,
			   *zeros;
	bool	   *removed;
	int32	   *chan_first;
	int32	   *chan_states;
	double		total_conv = pc_sum_value(&pc->total_conv);
	double		total_rev = pc_sum_value(&pc->total_rev);
	double		vscale = 0.0;
	int32		nch = pc->nchannels;
	TimestampTz t0;

	res->re = palloc0(sizeof(double) * Max(nch, 1));
	res->vre = palloc0(sizeof(double) * Max(nch, 1));
	res->p_conv = 0.0;
	res->v_conv = 0.0;
	if (pc->nstates == 0)
	{
		MemoryContextDelete(cxt);
		return;
	}

	old = MemoryContextSwitchTo(cxt);
	mk_sweeps = mk_dense_solves = 0;
	t0 = GetCurrentTimestamp();
	mk_build(pc, &ch, &state_map);
	mk_components(&ch);
	mk_renumber(&ch, &state_map);
	{
		int32		largest = 0;

		for (int32 k = 0; k < ch.ncomp; k++)
			largest = Max(largest, ch.comp_begin[k + 1] - ch.comp_begin[k]);
		elog(DEBUG1, "markov order %d: %d states, " INT64_FORMAT " transitions, %d components, largest %d, built in %ld ms",
			 pc->order, ch.n, ch.row[ch.n], ch.ncomp, largest,
			 (long) (TimestampDifferenceMilliseconds(t0, GetCurrentTimestamp())));
	}

	x = MemoryContextAllocHuge(cxt, sizeof(double) * ch.n);
	v = MemoryContextAllocHuge(cxt, sizeof(double) * ch.n);
	xc = MemoryContextAllocHuge(cxt, sizeof(double) * ch.n);
	vc = MemoryContextAllocHuge(cxt, sizeof(double) * ch.n);
	ones = MemoryContextAllocHuge(cxt, sizeof(double) * ch.n);
	zeros = MemoryContextAllocHuge(cxt, sizeof(double) * ch.n);
	removed = MemoryContextAllocHuge(cxt, sizeof(bool) * ch.n);
	for (int32 s = 0; s < ch.n; s++)
	{
		ones[s] = 1.0;
		zeros[s] = 0.0;
		vscale = Max(vscale, ch.b[s] > 0.0 ? ch.bv[s] / ch.b[s] : ch.bv[s]);
	}

	/* expected steps to absorption, for the error bound */
	ch.steps = MemoryContextAllocHuge(cxt, sizeof(double) * ch.n);
	ch.max_steps = 1.0;
	mk_solve(&ch, NULL, ones, zeros, NULL, NULL, ch.steps, xc);
	for (int32 s = 0; s < ch.n; s++)
		ch.max_steps = Max(ch.max_steps, ch.steps[s]);
	ch.max_steps *= 2.0;		/* margin for the steps' own error */

	/* the base chain */
	mk_solve(&ch, NULL, ch.b, ch.bv, NULL, NULL, x, v);
	mk_check(&ch, NULL, ch.b, ch.bv, x, v, vscale);
	for (int32 s = 0; s < ch.n; s++)
	{
		res->p_conv += ch.start[s] * x[s];
		res->v_conv += ch.start[s] * v[s];
	}
	res->p_conv /= ch.total_start;
	res->v_conv /= ch.total_start;
	/* flow conservation: P·Σstart is the number of conversions */
	if (fabs(res->p_conv * ch.total_start - total_conv) > 1e-9 * Max(total_conv, ch.total_start) ||
		fabs(res->v_conv * ch.total_start - total_rev) > 1e-9 * Max(total_rev, 1e-300) + 1e-300)
		not_journeys();

	elog(DEBUG1, "markov base solved at %ld ms", (long) TimestampDifferenceMilliseconds(t0, GetCurrentTimestamp()));
	/* states of each channel (canonical ids), for the removals */
	chan_first = palloc0(sizeof(int32) * (nch + 1));
	for (int32 s = 0; s < ch.n; s++)
	{
		const PcStateKey *k = &pc->state_key[state_map[s]];

		for (int j = 0; j < k->len; j++)
		{
			bool		dup = false;

			for (int i = 0; i < j; i++)
				dup |= (k->ch[i] == k->ch[j]);
			if (!dup)
				chan_first[k->ch[j] + 1]++;
		}
	}
	for (int32 c = 0; c < nch; c++)
		chan_first[c + 1] += chan_first[c];
	chan_states = MemoryContextAllocHuge(cxt, sizeof(int32) * Max(chan_first[nch], 1));
	{
		int32	   *fill = palloc(sizeof(int32) * Max(nch, 1));

		memcpy(fill, chan_first, sizeof(int32) * nch);
		for (int32 s = 0; s < ch.n; s++)
		{
			const PcStateKey *k = &pc->state_key[state_map[s]];

			for (int j = 0; j < k->len; j++)
			{
				bool		dup = false;

				for (int i = 0; i < j; i++)
					dup |= (k->ch[i] == k->ch[j]);
				if (!dup)
					chan_states[fill[k->ch[j]]++] = s;
			}
		}
		pfree(fill);
	}

	memset(removed, 0, sizeof(bool) * ch.n);
	{
		const int	W = 2 * MK_BLOCK;
		uint8	   *rm = MemoryContextAllocHuge(cxt, ch.n);
		double	   *X = MemoryContextAllocHuge(cxt, sizeof(double) * W * ch.n);

		for (int32 c0 = 0; c0 < nch; c0 += MK_BLOCK)
		{
			int			nb = Min(MK_BLOCK, nch - c0);
			bool		block_ok;

			memset(rm, 0, ch.n);
			for (int j = 0; j < nb; j++)
				for (int32 i = chan_first[c0 + j]; i < chan_first[c0 + j + 1]; i++)
					rm[chan_states[i]] |= (uint8) (1 << j);
			block_ok = mk_solve_block(&ch, rm, nb, x, v, X);

			for (int j = 0; j < nb; j++)
			{
				int32		c = c0 + j;
				double		pcv = 0.0,
							vcv = 0.0;

				if (chan_first[c + 1] == chan_first[c])
					continue;	/* in no state: only in zero-weight paths */
				for (int32 i = chan_first[c]; i < chan_first[c + 1]; i++)
					removed[chan_states[i]] = true;
				if (block_ok)
					for (int32 s = 0; s < ch.n; s++)
					{
						xc[s] = X[(Size) s * W + j];
						vc[s] = X[(Size) s * W + MK_BLOCK + j];
					}
				else
					mk_solve(&ch, removed, ch.b, ch.bv, x, v, xc, vc);
				mk_check(&ch, removed, ch.b, ch.bv, xc, vc, vscale);
				for (int32 s = 0; s < ch.n; s++)
				{
					pcv += ch.start[s] * xc[s];
					vcv += ch.start[s] * vc[s];
				}
				pcv /= ch.total_start;
				vcv /= ch.total_start;
				if (res->p_conv > 0.0)
					res->re[c] = Min(1.0, Max(0.0, 1.0 - pcv / res->p_conv));
				if (res->v_conv > 0.0)
					res->vre[c] = Min(1.0, Max(0.0, 1.0 - vcv / res->v_conv));
				for (int32 i = chan_first[c]; i < chan_first[c + 1]; i++)
					removed[chan_states[i]] = false;
			}
		}
	}
	elog(DEBUG1, "markov solve: " INT64_FORMAT " sweeps over loops, " INT64_FORMAT " direct solves, done at %ld ms",
		 mk_sweeps, mk_dense_solves, (long) TimestampDifferenceMilliseconds(t0, GetCurrentTimestamp()));
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}
