/*-------------------------------------------------------------------------
 *
 * path_counts.c
 *	  The state type leadqual.path_counts and the aggregates over it
 *	  (SPEC §6):
 *
 *	  attribute_paths(method, path, conversions, revenue [, nulls
 *	      [, markov_order]]) → channel_credit[]
 *	      over an analyst's path table (one row per distinct path);
 *	  attribute_journeys(method, channels, touched_at, converted,
 *	      conversion_at, value, mql_at, opportunity_at, won_at, half_life,
 *	      markov_order) → channel_credit[]
 *	      over one row per lead (attribution() builds them), every method.
 *
 *	  A state holds what the final credit needs and nothing per journey:
 *	  the channels seen; for the per-journey rules (heuristics.c) each
 *	  channel's credit so far; for markov the transition counts of the
 *	  order-k chain (per state: journeys starting there, conversions, their
 *	  value and non-converting journeys ending there; per transition its
 *	  count).  Two states combine by adding, so partial states computed per
 *	  partition, per parallel worker or per Citus shard merge into the
 *	  state of one pass; every sum is compensated (PcSum) so the merge
 *	  order does not show in the result.
 *
 *	  While an aggregate runs the state is an expanded object in the
 *	  aggregate's memory context, updated in place; wherever a datum must
 *	  be stored or shipped (parallel workers, Citus, text and binary I/O)
 *	  it is flattened to a varlena whose payload is a portable byte stream
 *	  (network byte order).  Every reader of that stream validates it
 *	  completely, so a forged value is an error, never a wrong number.
 *
 *	  Text form: the byte stream in base64 (exact, and compact enough to
 *	  ship).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/base64.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "port/pg_bswap.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "attribution/attribution.h"

PG_FUNCTION_INFO_V1(lq_path_counts_in);
PG_FUNCTION_INFO_V1(lq_path_counts_out);
PG_FUNCTION_INFO_V1(lq_path_counts_recv);
PG_FUNCTION_INFO_V1(lq_path_counts_send);
PG_FUNCTION_INFO_V1(lq_attribute_paths_trans);
PG_FUNCTION_INFO_V1(lq_attribute_journeys_trans);
PG_FUNCTION_INFO_V1(lq_path_counts_combine);
PG_FUNCTION_INFO_V1(lq_path_counts_final);
PG_FUNCTION_INFO_V1(lq_journey_credit);
PG_FUNCTION_INFO_V1(lq_attribution_options);

#define PC_MAGIC	0x4C515043	/* "LQPC" */
#define PC_VERSION	1

/* ----------------------------------------------------------------
 * Hash tables (simplehash): channels by name, states by key, transitions
 * by (from, to).  Channel and state slots hold only an id; the id -1 is
 * the key being looked up (PathCounts.probe_name / probe).
 * ---------------------------------------------------------------- */

typedef struct PcIdSlot
{
	int32		id;
	uint32		hash;
	char		status;
} PcIdSlot;

typedef struct PcEdgeSlot
{
	uint64		key;			/* from << 32 | to */
	PcSum		w;
	char		status;
} PcEdgeSlot;

static inline uint32
chan_hash_key(PathCounts *pc, int32 id)
{
	if (id < 0)
		return hash_bytes((const unsigned char *) pc->probe_name, pc->probe_len);
	return hash_bytes((const unsigned char *) pc->chan_name[id], pc->chan_len[id]);
}

static inline bool
chan_equal(PathCounts *pc, int32 a, int32 b)
{
	const char *na = a < 0 ? pc->probe_name : pc->chan_name[a];
	const char *nb = b < 0 ? pc->probe_name : pc->chan_name[b];
	int32		la = a < 0 ? pc->probe_len : pc->chan_len[a];
	int32		lb = b < 0 ? pc->probe_len : pc->chan_len[b];

	return la == lb && memcmp(na, nb, la) == 0;
}

static inline const PcStateKey *
state_key_of(PathCounts *pc, int32 id)
{
	return id < 0 ? &pc->probe : &pc->state_key[id];
}

static inline uint32
state_hash_key(PathCounts *pc, int32 id)
{
	const PcStateKey *k = state_key_of(pc, id);

	return hash_bytes((const unsigned char *) k, sizeof(int32) * (1 + k->len));
}

static inline bool
state_equal(PathCounts *pc, int32 a, int32 b)
{
	const PcStateKey *ka = state_key_of(pc, a);
	const PcStateKey *kb = state_key_of(pc, b);

	return ka->len == kb->len &&
		memcmp(ka->ch, kb->ch, sizeof(int32) * ka->len) == 0;
}

#define SH_PREFIX pc_chan
#define SH_ELEMENT_TYPE PcIdSlot
#define SH_KEY_TYPE int32
#define SH_KEY id
#define SH_HASH_KEY(tb, key) chan_hash_key((PathCounts *) (tb)->private_data, key)
#define SH_EQUAL(tb, a, b) chan_equal((PathCounts *) (tb)->private_data, a, b)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

#define SH_PREFIX pc_state
#define SH_ELEMENT_TYPE PcIdSlot
#define SH_KEY_TYPE int32
#define SH_KEY id
#define SH_HASH_KEY(tb, key) state_hash_key((PathCounts *) (tb)->private_data, key)
#define SH_EQUAL(tb, a, b) state_equal((PathCounts *) (tb)->private_data, a, b)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

#define SH_PREFIX pc_edge
#define SH_ELEMENT_TYPE PcEdgeSlot
#define SH_KEY_TYPE uint64
#define SH_KEY key
#define SH_HASH_KEY(tb, key) hash_combine(murmurhash32((uint32) ((key) >> 32)), murmurhash32((uint32) (key)))
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* ----------------------------------------------------------------
 * The expanded object
 * ---------------------------------------------------------------- */

static Size pc_get_flat_size(ExpandedObjectHeader *eohptr);
static void pc_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods pc_methods = {
	pc_get_flat_size,
	pc_flatten_into
};

/*
 * pc_grow
 *		Make room for n elements of size elsize in *arr (capacity *cap,
 *		doubled as needed) in cxt; an error naming the limit when one
 *		allocation cannot hold them.
 */
static void
pc_grow(void **arr, int32 *cap, int64 n, Size elsize, MemoryContext cxt)
{
	int64		newcap;

	if (n <= *cap)
		return;
	newcap = Max((int64) 8, (int64) *cap * 2);
	while (newcap < n)
		newcap *= 2;
	if (newcap > PG_INT32_MAX || (Size) newcap > MaxAllocHugeSize / elsize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("attribution state too large"),
				 errdetail("More than %d channels or Markov states, or more than one allocation can hold, were seen in one group.",
						   PG_INT32_MAX / 2),
				 errhint("Attribute fewer paths per group, or use a lower markov_order.")));
	if (*arr == NULL)
		*arr = MemoryContextAllocHuge(cxt, (Size) newcap * elsize);
	else
		*arr = repalloc_huge(*arr, (Size) newcap * elsize);
	*cap = (int32) newcap;
}

/*
 * pc_new
 *		An empty state for method and order, as an expanded object in its
 *		own memory context under parent.
 */
static PathCounts *
pc_new(MemoryContext parent, int method, int order)
{
	/*
	 * Small to begin with: a GROUP BY may hold many states at once (hash
	 * aggregation counts this context in its memory limit and spills).
	 */
	MemoryContext cxt = AllocSetContextCreate(parent, "leadqual path_counts",
											  ALLOCSET_SMALL_SIZES);
	PathCounts *pc = MemoryContextAllocZero(cxt, sizeof(PathCounts));

	EOH_init_header(&pc->hdr, &pc_methods, cxt);
	pc->method = method;
	pc->order = order;
	pc->chan_hash = pc_chan_create(cxt, 8, pc);
	if (method == PC_MARKOV)
	{
		pc->state_hash = pc_state_create(cxt, 16, pc);
		pc->edge_hash = pc_edge_create(cxt, 16, NULL);
	}
	return pc;
}

/*
 * pc_channel_id
 *		The id of the channel called name (len bytes), added if new.
 */
int32
pc_channel_id(PathCounts *pc, const char *name, int32 len)
{
	PcIdSlot   *slot;
	bool		found;
	MemoryContext cxt = pc->hdr.eoh_context;
	int32		id;

	pc->probe_name = name;
	pc->probe_len = len;
	slot = pc_chan_insert(pc->chan_hash, -1, &found);
	if (found)
		return slot->id;

	id = pc->nchannels;
	{
		int32		cap = pc->chan_cap;

		pc_grow((void **) &pc->chan_name, &cap, id + 1, sizeof(char *), cxt);
		cap = pc->chan_cap;
		pc_grow((void **) &pc->chan_len, &cap, id + 1, sizeof(int32), cxt);
		cap = pc->chan_cap;
		pc_grow((void **) &pc->credit_conv, &cap, id + 1, sizeof(PcSum), cxt);
		cap = pc->chan_cap;
		pc_grow((void **) &pc->credit_rev, &cap, id + 1, sizeof(PcSum), cxt);
		pc->chan_cap = cap;
	}
	pc->chan_name[id] = MemoryContextAllocHuge(cxt, Max(len, 1));
	memcpy(pc->chan_name[id], name, len);
	pc->chan_len[id] = len;
	memset(&pc->credit_conv[id], 0, sizeof(PcSum));
	memset(&pc->credit_rev[id], 0, sizeof(PcSum));
	pc->nchannels = id + 1;
	slot->id = id;				/* the slot was inserted under the probe id */
	return id;
}

/*
 * pc_state_id
 *		The id of the Markov state pc->probe, added if new.
 */
static int32
pc_state_id(PathCounts *pc)
{
	PcIdSlot   *slot;
	bool		found;
	int32		id;
	int32		cap;

	slot = pc_state_insert(pc->state_hash, -1, &found);
	if (found)
		return slot->id;
	id = pc->nstates;
	cap = pc->state_cap;
	pc_grow((void **) &pc->state_key, &cap, id + 1, sizeof(PcStateKey), pc->hdr.eoh_context);
	cap = pc->state_cap;
	pc_grow((void **) &pc->state, &cap, id + 1, sizeof(PcStateCounts), pc->hdr.eoh_context);
	pc->state_cap = cap;
	pc->state_key[id] = pc->probe;
	memset(&pc->state[id], 0, sizeof(PcStateCounts));
	pc->nstates = id + 1;
	slot->id = id;
	return id;
}

/*
 * pc_edge_add
 *		Add w to the transition from → to.
 */
static void
pc_edge_add(PathCounts *pc, int32 from, int32 to, double w, double wc)
{
	bool		found;
	PcEdgeSlot *slot = pc_edge_insert(pc->edge_hash,
									  ((uint64) (uint32) from << 32) | (uint32) to,
									  &found);

	if (!found)
	{
		memset(&slot->w, 0, sizeof(PcSum));
		pc->nedges++;
	}
	pc_sum_add(&slot->w, w);
	slot->w.c += wc;
}

/*
 * pc_edges_export
 *		The transitions of a markov state into from[], to[], w[] (room for
 *		pc->nedges); returns how many.
 */
int64
pc_edges_export(const PathCounts *pc, int32 *from, int32 *to, double *w)
{
	pc_edge_iterator it;
	PcEdgeSlot *e;
	int64		n = 0;

	if (pc->method != PC_MARKOV)
		return 0;
	pc_edge_start_iterate(pc->edge_hash, &it);
	while ((e = pc_edge_iterate(pc->edge_hash, &it)) != NULL)
	{
		Assert(n < pc->nedges);
		from[n] = (int32) (e->key >> 32);
		to[n] = (int32) (uint32) e->key;
		w[n] = pc_sum_value(&e->w);
		n++;
	}
	return n;
}

/*
 * pc_modified
 *		Forget the cached flat image (the state changed).
 */
static inline void
pc_modified(PathCounts *pc)
{
	if (pc->flat)
	{
		pfree(pc->flat);
		pc->flat = NULL;
	}
}

/*
 * pc_add_markov
 *		Add one path (n channel ids) with its conversions, their value and
 *		its non-converting journeys to the order-k chain: windows of k
 *		channels (the whole path when shorter), consecutive identical
 *		windows collapsed, start → states → conversion / null.
 */
static void
pc_add_markov(PathCounts *pc, int n, const int32 *ids,
			  double conv, double rev, double nulls)
{
	int			k = pc->order;
	int			nwin = n <= k ? 1 : n - k + 1;
	int			wlen = n <= k ? n : k;
	double		weight = conv + nulls;
	int32		prev = -1;

	if (weight <= 0.0)
		return;
	for (int i = 0; i < nwin; i++)
	{
		int32		s;

		pc->probe.len = wlen;
		for (int j = 0; j < PC_MAX_ORDER; j++)
			pc->probe.ch[j] = j < wlen ? ids[i + j] : -1;
		if (prev >= 0 && state_equal(pc, prev, -1))
			continue;			/* consecutive identical states collapse */
		s = pc_state_id(pc);
		if (prev < 0)
			pc_sum_add(&pc->state[s].start, weight);
		else
			pc_edge_add(pc, prev, s, weight, 0.0);
		prev = s;
	}
	pc_sum_add(&pc->state[prev].conv, conv);
	pc_sum_add(&pc->state[prev].rev, rev);
	pc_sum_add(&pc->state[prev].null, nulls);
}

/*
 * pc_add_journey
 *		Add one journey (n touches: channel ids, and for the methods that
 *		need them times and milestones) with its conversions, value and
 *		non-converting count.
 */
static void
pc_check_totals(const PathCounts *pc)
{
	double		conv = pc_sum_value(&pc->total_conv);
	double		rev = pc_sum_value(&pc->total_rev);
	double		nulls = pc_sum_value(&pc->total_null);

	if (!isfinite(conv) || !isfinite(rev) || !isfinite(nulls) || !isfinite(conv + nulls))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("attribution totals are not finite"),
				 errdetail("The conversions, revenue or journeys of the group add up to more than float8 can hold."),
				 errhint("Scale the counts or the revenue down.")));
}

static void
pc_add_journey(PathCounts *pc, int n, const int32 *ids,
			   const TimestampTz *at, TimestampTz conversion_at,
			   double half_life_usecs, const PcMilestones *ms,
			   double conv, double rev, double nulls)
{
	pc_modified(pc);
	pc_sum_add(&pc->total_conv, conv);
	pc_sum_add(&pc->total_rev, rev);
	pc_sum_add(&pc->total_null, nulls);
	pc_check_totals(pc);
	if (pc->method == PC_MARKOV)
		pc_add_markov(pc, n, ids, conv, rev, nulls);
	else if (conv > 0.0 || rev > 0.0)
	{
		double	   *w = palloc(sizeof(double) * n);

		pc_journey_weights(pc->method, n, ids, at, conversion_at,
						   half_life_usecs, ms, w);
		for (int i = 0; i < n; i++)
		{
			pc_sum_add(&pc->credit_conv[ids[i]], w[i] * conv);
			pc_sum_add(&pc->credit_rev[ids[i]], w[i] * rev);
		}
		pfree(w);
	}
}

/*
 * pc_merge
 *		Add src into dst (same method and order).
 */
static void
pc_merge(PathCounts *dst, const PathCounts *src)
{
	int32	   *chan_map;
	int32	   *state_map = NULL;

	if (dst->method != src->method || dst->order != src->order)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine attribution states of different methods"),
				 errdetail("One state is %s (order %d), the other %s (order %d).",
						   pc_method_name(dst->method), dst->order,
						   pc_method_name(src->method), src->order),
				 errhint("Use one method and one markov_order in each group.")));
	pc_modified(dst);
	pc_sum_merge(&dst->total_conv, &src->total_conv);
	pc_sum_merge(&dst->total_rev, &src->total_rev);
	pc_sum_merge(&dst->total_null, &src->total_null);
	pc_check_totals(dst);

	chan_map = palloc(sizeof(int32) * Max(src->nchannels, 1));
	for (int32 c = 0; c < src->nchannels; c++)
	{
		int32		d = pc_channel_id(dst, src->chan_name[c], src->chan_len[c]);

		chan_map[c] = d;
		pc_sum_merge(&dst->credit_conv[d], &src->credit_conv[c]);
		pc_sum_merge(&dst->credit_rev[d], &src->credit_rev[c]);
	}
	if (src->method == PC_MARKOV)
	{
		pc_edge_iterator it;
		PcEdgeSlot *e;

		state_map = palloc(sizeof(int32) * Max(src->nstates, 1));
		for (int32 s = 0; s < src->nstates; s++)
		{
			const PcStateKey *k = &src->state_key[s];
			PcStateCounts *dc;
			const PcStateCounts *sc = &src->state[s];
			int32		d;

			dst->probe.len = k->len;
			for (int j = 0; j < PC_MAX_ORDER; j++)
				dst->probe.ch[j] = j < k->len ? chan_map[k->ch[j]] : -1;
			d = pc_state_id(dst);
			state_map[s] = d;
			dc = &dst->state[d];
			pc_sum_merge(&dc->start, &sc->start);
			pc_sum_merge(&dc->conv, &sc->conv);
			pc_sum_merge(&dc->rev, &sc->rev);
			pc_sum_merge(&dc->null, &sc->null);
		}
		pc_edge_start_iterate(src->edge_hash, &it);
		while ((e = pc_edge_iterate(src->edge_hash, &it)) != NULL)
			pc_edge_add(dst, state_map[(int32) (e->key >> 32)],
						state_map[(int32) (uint32) e->key], e->w.s, e->w.c);
		pfree(state_map);
	}
	pfree(chan_map);
}

/* ----------------------------------------------------------------
 * The byte stream (flat form)
 * ---------------------------------------------------------------- */

/*
 * pc_serialize
 *		The state as a varlena whose payload is the portable byte stream:
 *		magic, version, method, order; channels (length, bytes); per
 *		channel its credit (4 float8); the totals (6 float8); states
 *		(length, channel ids, 8 float8); transitions (from, to, 2 float8).
 */
static bytea *
pc_serialize(const PathCounts *pc, MemoryContext cxt)
{
	StringInfoData buf;
	MemoryContext old = MemoryContextSwitchTo(cxt);

	pq_begintypsend(&buf);
	pq_sendint32(&buf, PC_MAGIC);
	pq_sendint32(&buf, PC_VERSION);
	pq_sendint32(&buf, pc->method);
	pq_sendint32(&buf, pc->order);
	pq_sendint32(&buf, pc->nchannels);
	for (int32 c = 0; c < pc->nchannels; c++)
	{
		pq_sendint32(&buf, pc->chan_len[c]);
		pq_sendbytes(&buf, pc->chan_name[c], pc->chan_len[c]);
	}
	for (int32 c = 0; c < pc->nchannels; c++)
	{
		pq_sendfloat8(&buf, pc->credit_conv[c].s);
		pq_sendfloat8(&buf, pc->credit_conv[c].c);
		pq_sendfloat8(&buf, pc->credit_rev[c].s);
		pq_sendfloat8(&buf, pc->credit_rev[c].c);
	}
	pq_sendfloat8(&buf, pc->total_conv.s);
	pq_sendfloat8(&buf, pc->total_conv.c);
	pq_sendfloat8(&buf, pc->total_rev.s);
	pq_sendfloat8(&buf, pc->total_rev.c);
	pq_sendfloat8(&buf, pc->total_null.s);
	pq_sendfloat8(&buf, pc->total_null.c);
	pq_sendint32(&buf, pc->nstates);
	for (int32 s = 0; s < pc->nstates; s++)
	{
		const PcStateCounts *sc = &pc->state[s];

		pq_sendint32(&buf, pc->state_key[s].len);
		for (int j = 0; j < pc->state_key[s].len; j++)
			pq_sendint32(&buf, pc->state_key[s].ch[j]);
		pq_sendfloat8(&buf, sc->start.s);
		pq_sendfloat8(&buf, sc->start.c);
		pq_sendfloat8(&buf, sc->conv.s);
		pq_sendfloat8(&buf, sc->conv.c);
		pq_sendfloat8(&buf, sc->rev.s);
		pq_sendfloat8(&buf, sc->rev.c);
		pq_sendfloat8(&buf, sc->null.s);
		pq_sendfloat8(&buf, sc->null.c);
	}
	pq_sendint32(&buf, pc->nedges);
	if (pc->method == PC_MARKOV)
	{
		pc_edge_iterator it;
		PcEdgeSlot *e;

		pc_edge_start_iterate(pc->edge_hash, &it);
		while ((e = pc_edge_iterate(pc->edge_hash, &it)) != NULL)
		{
			pq_sendint32(&buf, (int32) (e->key >> 32));
			pq_sendint32(&buf, (int32) (uint32) e->key);
			pq_sendfloat8(&buf, e->w.s);
			pq_sendfloat8(&buf, e->w.c);
		}
	}
	MemoryContextSwitchTo(old);
	return pq_endtypsend(&buf);
}

static Size
pc_get_flat_size(ExpandedObjectHeader *eohptr)
{
	PathCounts *pc = (PathCounts *) eohptr;

	if (pc->flat == NULL)
	{
		bytea	   *b = pc_serialize(pc, pc->hdr.eoh_context);

		pc->flat = (char *) b;
		pc->flat_size = VARSIZE(b);
	}
	return pc->flat_size;
}

static void
pc_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	PathCounts *pc = (PathCounts *) eohptr;

	Assert(pc->flat != NULL && allocated_size == pc->flat_size);
	memcpy(result, pc->flat, allocated_size);
}

/* A reader of the byte stream that reports any defect as 22P03. */
typedef struct PcReader
{
	const char *p;
	Size		left;
} PcReader;

static void
pc_corrupt(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid leadqual.path_counts value"),
			 errdetail("%s", detail),
			 errhint("A path_counts value can only be one leadqual wrote (an attribution aggregate's state).")));
}

static uint32
rd_u32(PcReader *r)
{
	uint32		v;

	if (r->left < 4)
		pc_corrupt("The value is truncated.");
	memcpy(&v, r->p, 4);
	r->p += 4;
	r->left -= 4;
	return pg_ntoh32(v);
}

static PcSum
rd_sum(PcReader *r)
{
	PcSum		v;
	uint64		bits[2];

	if (r->left < 16)
		pc_corrupt("The value is truncated.");
	memcpy(bits, r->p, 16);
	r->p += 16;
	r->left -= 16;
	bits[0] = pg_ntoh64(bits[0]);
	bits[1] = pg_ntoh64(bits[1]);
	memcpy(&v.s, &bits[0], 8);
	memcpy(&v.c, &bits[1], 8);
	if (!isfinite(v.s) || !isfinite(v.c) || !isfinite(v.s + v.c) || v.s + v.c < 0.0)
		pc_corrupt("A count or value is negative or not finite.");
	return v;
}

/*
 * pc_parse
 *		Expand the byte stream (len bytes at data) into a new state under
 *		parent, validating everything: a defect is a 22P03 error.
 */
static PathCounts *
pc_parse(const char *data, Size len, MemoryContext parent)
{
	PcReader	r = {data, len};
	uint32		method,
				order,
				nch,
				nst,
				ned;
	PathCounts *pc;

	if (rd_u32(&r) != PC_MAGIC || rd_u32(&r) != PC_VERSION)
		pc_corrupt("The value does not begin with leadqual's header.");
	method = rd_u32(&r);
	order = rd_u32(&r);
	if (method < 1 || method > PC_METHOD_MAX)
		pc_corrupt("The method is unknown.");
	if (method == PC_MARKOV ? (order < 1 || order > PC_MAX_ORDER) : order != 0)
		pc_corrupt("The Markov order is out of range.");
	pc = pc_new(parent, (int) method, (int) order);
	nch = rd_u32(&r);
	if (nch > r.left / 4)
		pc_corrupt("The channel count exceeds the value's size.");
	for (uint32 c = 0; c < nch; c++)
	{
		uint32		l = rd_u32(&r);

		if (l > r.left)
			pc_corrupt("The value is truncated.");
		if (!pg_verifymbstr(r.p, (int) l, true))
			pc_corrupt("A channel name is not valid text in the database encoding (or holds a NUL byte).");
		if (pc_channel_id(pc, r.p, (int32) l) != (int32) c)
			pc_corrupt("A channel appears twice.");
		r.p += l;
		r.left -= l;
	}
	for (uint32 c = 0; c < nch; c++)
	{
		pc->credit_conv[c] = rd_sum(&r);
		pc->credit_rev[c] = rd_sum(&r);
	}
	pc->total_conv = rd_sum(&r);
	pc->total_rev = rd_sum(&r);
	pc->total_null = rd_sum(&r);
	nst = rd_u32(&r);
	if (method != PC_MARKOV && nst != 0)
		pc_corrupt("A state of a method other than markov has Markov states.");
	if (nst > r.left / 4)
		pc_corrupt("The state count exceeds the value's size.");
	for (uint32 s = 0; s < nst; s++)
	{
		uint32		l = rd_u32(&r);

		if (l < 1 || l > order)
			pc_corrupt("A Markov state is longer than the order or empty.");
		pc->probe.len = (int32) l;
		for (int j = 0; j < PC_MAX_ORDER; j++)
		{
			uint32		ch = j < (int) l ? rd_u32(&r) : (uint32) -1;

			if (j < (int) l && ch >= nch)
				pc_corrupt("A Markov state names a channel that is not there.");
			pc->probe.ch[j] = (int32) ch;
		}
		if (pc_state_id(pc) != (int32) s)
			pc_corrupt("A Markov state appears twice.");
		pc->state[s].start = rd_sum(&r);
		pc->state[s].conv = rd_sum(&r);
		pc->state[s].rev = rd_sum(&r);
		pc->state[s].null = rd_sum(&r);
	}
	ned = rd_u32(&r);
	if (method != PC_MARKOV && ned != 0)
		pc_corrupt("A state of a method other than markov has transitions.");
	if (ned > r.left / 8)
		pc_corrupt("The transition count exceeds the value's size.");
	for (uint32 e = 0; e < ned; e++)
	{
		uint32		from = rd_u32(&r);
		uint32		to = rd_u32(&r);
		PcSum		w = rd_sum(&r);
		int32		before = pc->nedges;

		if (from >= nst || to >= nst || from == to)
			pc_corrupt("A transition names a state that is not there, or loops on one state.");
		if (!(w.s + w.c > 0.0))
			pc_corrupt("A transition has no journeys.");
		pc_edge_add(pc, (int32) from, (int32) to, w.s, w.c);
		if (pc->nedges == before)
			pc_corrupt("A transition appears twice.");
	}
	if (r.left != 0)
		pc_corrupt("The value has trailing bytes.");
	return pc;
}

/*
 * pc_from_datum
 *		The state a datum holds.  An expanded object is used as it is; a
 *		flat value is expanded into a new object under cxt.
 */
static PathCounts *
pc_from_datum(Datum d, MemoryContext cxt)
{
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		PathCounts *pc = (PathCounts *) DatumGetEOHP(d);

		Assert(pc->hdr.eoh_methods == &pc_methods);
		return pc;
	}
	else
	{
		struct varlena *v = PG_DETOAST_DATUM(d);

		return pc_parse(VARDATA(v), VARSIZE(v) - VARHDRSZ, cxt);
	}
}

/*
 * pc_for_update
 *		The state of argument 0 of an aggregate support function, ready to
 *		be changed in place: the aggregate's own read-write object, or else
 *		a new object (a copy) under cxt.  NULL when the argument is NULL.
 */
static PathCounts *
pc_for_update(FunctionCallInfo fcinfo, MemoryContext cxt)
{
	Datum		d;

	if (PG_ARGISNULL(0))
		return NULL;
	d = PG_GETARG_DATUM(0);
	if (VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)))
	{
		PathCounts *pc = (PathCounts *) DatumGetEOHP(d);

		if (MemoryContextGetParent(pc->hdr.eoh_context) == cxt)
			return pc;
	}
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		/* someone else's object: copy through its flat form */
		PathCounts *src = (PathCounts *) DatumGetEOHP(d);
		PathCounts *pc = pc_new(cxt, src->method, src->order);

		pc_merge(pc, src);
		return pc;
	}
	return pc_from_datum(d, cxt);
}

/*
 * support_context
 *		Where an aggregate support function keeps its state: the
 *		aggregate's context, or the caller's when called directly.
 */
static MemoryContext
support_context(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext;

	if (AggCheckCallContext(fcinfo, &aggcontext))
		return aggcontext;
	return CurrentMemoryContext;
}

/* ----------------------------------------------------------------
 * I/O functions
 * ---------------------------------------------------------------- */

/*
 * lq_path_counts_in
 *		path_counts from its text form (base64 of the byte stream).
 */
Datum
lq_path_counts_in(PG_FUNCTION_ARGS)
{
	struct varlena *result = lq_state_from_base64(PG_GETARG_CSTRING(0), "path_counts",
												  "an attribution aggregate's state");
	PathCounts *pc = pc_parse(VARDATA(result), VARSIZE(result) - VARHDRSZ, CurrentMemoryContext);

	DeleteExpandedObject(EOHPGetRWDatum(&pc->hdr));
	PG_RETURN_POINTER(result);
}

/*
 * lq_path_counts_out
 *		The text form: base64 of the byte stream.
 */
Datum
lq_path_counts_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(lq_state_to_base64(PG_GETARG_VARLENA_P(0), "path_counts"));
}

/*
 * lq_path_counts_recv
 *		path_counts from its binary form (the byte stream itself).
 */
Datum
lq_path_counts_recv(PG_FUNCTION_ARGS)
{
	bytea	   *result = (bytea *) lq_state_from_recv((StringInfo) PG_GETARG_POINTER(0));
	PathCounts *pc = pc_parse(VARDATA(result), VARSIZE(result) - VARHDRSZ, CurrentMemoryContext);

	DeleteExpandedObject(EOHPGetRWDatum(&pc->hdr));
	PG_RETURN_BYTEA_P(result);
}

/*
 * lq_path_counts_send
 *		The binary form: the byte stream.
 */
Datum
lq_path_counts_send(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_VARLENA_P(0);

	PG_RETURN_BYTEA_P(v);
}

/* ----------------------------------------------------------------
 * Argument checks shared by the transition functions
 * ---------------------------------------------------------------- */

static void
require_arg(FunctionCallInfo fcinfo, int argno, const char *what)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", what),
				 errdetail("A NULL count would be a journey of unknown weight."),
				 errhint("Pass 0 (with coalesce) for a path without conversions, value or non-converting journeys.")));
}

static double
count_arg(FunctionCallInfo fcinfo, int argno, const char *what)
{
	double		v;

	require_arg(fcinfo, argno, what);
	v = PG_GETARG_FLOAT8(argno);
	if (!isfinite(v) || v < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be a finite number >= 0, not %g", what, v),
				 errdetail("Conversions, revenue and nulls are counts and amounts of journeys."),
				 errhint("Count conversions and non-converting journeys, and their value, as non-negative finite numbers.")));
	return v;
}

/*
 * method_arg
 *		The method of argument argno (checked against the state's when
 *		there is one).
 */
static PcMethod
method_arg(FunctionCallInfo fcinfo, int argno, PathCounts *pc)
{
	text	   *t;
	PcMethod	m;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("attribution method must not be NULL"),
				 errdetail("The method decides how a journey's conversion is shared."),
				 errhint("Use first_touch, last_touch, linear, time_decay, position_based, w_shaped, full_path, markov or shapley.")));
	t = PG_GETARG_TEXT_PP(argno);
	if (pc != NULL)
	{
		const char *name = pc_method_name(pc->method);

		if (VARSIZE_ANY_EXHDR(t) == strlen(name) &&
			memcmp(VARDATA_ANY(t), name, VARSIZE_ANY_EXHDR(t)) == 0)
			return pc->method;
	}
	m = pc_method_from_name(text_to_cstring(t));
	if (pc != NULL && m != (PcMethod) pc->method)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("attribution method differs inside one group: %s and %s",
						pc_method_name(pc->method), pc_method_name(m)),
				 errdetail("One aggregate call computes the credit of one method."),
				 errhint("Use one method per group (GROUP BY the method, or one aggregate call per method).")));
	return m;
}

/*
 * order_arg
 *		The Markov order of argument argno (1 when the call has none), 0 for
 *		methods other than markov; checked against the state's.
 */
static int
order_arg(FunctionCallInfo fcinfo, int argno, PcMethod m, PathCounts *pc)
{
	int			order = 1;

	if (PG_NARGS() > argno)
	{
		if (PG_ARGISNULL(argno))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("markov_order must not be NULL"),
					 errdetail("The order is the number of channels in a Markov state."),
					 errhint("Use an order from 1 to %d (1 is the default).", PC_MAX_ORDER)));
		order = PG_GETARG_INT32(argno);
	}
	if (m != PC_MARKOV)
		return 0;
	if (order < 1 || order > PC_MAX_ORDER)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("markov_order %d is out of range", order),
				 errdetail("Orders 1 to %d are served (a state is a window of that many channels).", PC_MAX_ORDER),
				 errhint("Use an order from 1 to %d.", PC_MAX_ORDER)));
	if (pc != NULL && pc->order != order)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("markov_order differs inside one group: %d and %d", pc->order, order),
				 errdetail("One aggregate call builds one chain."),
				 errhint("Use one markov_order per group.")));
	return order;
}

/*
 * path_arg
 *		The channels of the one-dimensional text[] argument argno as ids of
 *		pc (*n of them, palloc'd).  NULL arrays, NULL elements and empty
 *		paths are errors.
 */
static int32 *
path_arg(FunctionCallInfo fcinfo, int argno, PathCounts *pc, int *n,
		 const char *what)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int32	   *ids;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", what),
				 errdetail("A path is the channels of a journey, in order."),
				 errhint("Leave out journeys without touches.")));
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what),
				 errdetail("The array has %d dimensions.", ARR_NDIM(arr)),
				 errhint("Pass the channels of one journey, in order, as text[].")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, n);
	if (*n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", what),
				 errdetail("A journey without touches has no channel to credit."),
				 errhint("Leave out journeys without touches.")));
	ids = palloc(sizeof(int32) * *n);
	for (int i = 0; i < *n; i++)
	{
		text	   *t;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL (element %d)", what, i + 1),
					 errdetail("Every touch of a path has a channel."),
					 errhint("Leave out touches without a channel.")));
		t = DatumGetTextPP(elems[i]);
		ids[i] = pc_channel_id(pc, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	return ids;
}

/* ----------------------------------------------------------------
 * Aggregates
 * ---------------------------------------------------------------- */

/*
 * lq_attribute_paths_trans
 *		attribute_paths' transition: (state, method, path, conversions,
 *		revenue [, nulls [, markov_order]]).
 */
Datum
lq_attribute_paths_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = support_context(fcinfo);
	PathCounts *pc = pc_for_update(fcinfo, cxt);
	PcMethod	m = method_arg(fcinfo, 1, pc);
	int			order = order_arg(fcinfo, 6, m, pc);
	double		conv = count_arg(fcinfo, 3, "conversions");
	double		rev = count_arg(fcinfo, 4, "revenue");
	double		nulls = PG_NARGS() > 5 ? count_arg(fcinfo, 5, "nulls") : 0.0;
	int32	   *ids;
	int			n;

	if (rev > 0.0 && conv == 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("revenue must be 0 on a path without conversions, not %g", rev),
				 errdetail("Revenue is the value of a path's conversions."),
				 errhint("Put the value on the rows that have conversions.")));

	if (pc_method_needs_times(m))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("attribution method %s needs touch times, which a path table does not have",
						pc_method_name(m)),
				 errdetail("time_decay weighs touches by their age; w_shaped and full_path need the lead's milestones."),
				 errhint("Use leadqual.attribution() or leadqual.lead_attribution() over leadqual's tables, or a method without times.")));
	if (pc == NULL)
		pc = pc_new(cxt, m, order);
	ids = path_arg(fcinfo, 2, pc, &n, "path");
	pc_add_journey(pc, n, ids, NULL, 0, 0.0, NULL, conv, rev, nulls);
	PG_RETURN_DATUM(EOHPGetRWDatum(&pc->hdr));
}

/*
 * timestamp_or_null
 *		Argument argno as a milestone: *has is false when NULL.
 */
static TimestampTz
timestamp_or_null(FunctionCallInfo fcinfo, int argno, bool *has)
{
	*has = !PG_ARGISNULL(argno);
	return *has ? PG_GETARG_TIMESTAMPTZ(argno) : 0;
}

/*
 * half_life_arg
 *		Argument argno as time_decay's half-life in microseconds: a
 *		positive interval.
 */
static double
half_life_arg(FunctionCallInfo fcinfo, int argno)
{
	Interval   *iv;

	if (PG_ARGISNULL(argno) ||
		lq_interval_sign(iv = PG_GETARG_INTERVAL_P(argno)) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("half_life must be a positive interval"),
				 errdetail("time_decay halves a touch's weight every half_life before the conversion."),
				 errhint("The default is 7 days.")));
	return lq_interval_usecs_double(iv);
}

/*
 * touch_times_arg
 *		Argument argno as the touch times of a journey of n channels, for a
 *		method that needs them: one per channel, none NULL, in journey
 *		order (palloc'd).
 */
static TimestampTz *
touch_times_arg(FunctionCallInfo fcinfo, int argno, int n, PcMethod m)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			nt;
	TimestampTz *at;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("touched_at must not be NULL for %s", pc_method_name(m))));
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	deconstruct_array(arr, TIMESTAMPTZOID, sizeof(TimestampTz), true,
					  TYPALIGN_DOUBLE, &elems, &nulls, &nt);
	if (nt != n || ARR_NDIM(arr) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("touched_at must have one element per channel (%d, not %d)", n, nt)));
	at = palloc(sizeof(TimestampTz) * n);
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("touched_at must not contain NULL (element %d)", i + 1)));
		at[i] = DatumGetTimestampTz(elems[i]);
		if (i > 0 && at[i] < at[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("touched_at must be in journey order (element %d is earlier than element %d)", i + 1, i)));
	}
	return at;
}

/*
 * lq_attribute_journeys_trans
 *		attribute_journeys' transition: (state, method, channels,
 *		touched_at, converted, conversion_at, value, mql_at,
 *		opportunity_at, won_at, half_life, markov_order), one row per lead
 *		(attribution() builds them; touched_at in journey order).
 */
Datum
lq_attribute_journeys_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = support_context(fcinfo);
	PathCounts *pc = pc_for_update(fcinfo, cxt);
	PcMethod	m = method_arg(fcinfo, 1, pc);
	int			order = order_arg(fcinfo, 11, m, pc);
	bool		converted;
	double		value = 0.0;
	double		hl = 0.0;
	TimestampTz conversion_at = 0;
	TimestampTz *at = NULL;
	PcMilestones ms;
	int32	   *ids;
	int			n;

	require_arg(fcinfo, 4, "converted");
	converted = PG_GETARG_BOOL(4);
	if (converted)
	{
		value = count_arg(fcinfo, 6, "value");
		require_arg(fcinfo, 5, "conversion_at");
		conversion_at = PG_GETARG_TIMESTAMPTZ(5);
	}
	if (m == PC_TIME_DECAY)
		hl = half_life_arg(fcinfo, 10);
	ms.mql_at = timestamp_or_null(fcinfo, 7, &ms.has_mql);
	ms.opportunity_at = timestamp_or_null(fcinfo, 8, &ms.has_opportunity);
	ms.won_at = timestamp_or_null(fcinfo, 9, &ms.has_won);

	if (pc == NULL)
		pc = pc_new(cxt, m, order);
	ids = path_arg(fcinfo, 2, pc, &n, "channels");
	if (pc_method_needs_times(m))
		at = touch_times_arg(fcinfo, 3, n, m);
	pc_add_journey(pc, n, ids, at, conversion_at, hl, &ms,
				   converted ? 1.0 : 0.0, value, converted ? 0.0 : 1.0);
	PG_RETURN_DATUM(EOHPGetRWDatum(&pc->hdr));
}

/*
 * lq_path_counts_combine
 *		Combine two states (either may be NULL): the sum of their counts.
 */
Datum
lq_path_counts_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = support_context(fcinfo);
	PathCounts *a;
	PathCounts *b;
	MemoryContext tmp;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	tmp = AllocSetContextCreate(CurrentMemoryContext, "leadqual path_counts input",
								ALLOCSET_DEFAULT_SIZES);
	b = pc_from_datum(PG_GETARG_DATUM(1), tmp);
	a = pc_for_update(fcinfo, cxt);
	if (a == NULL)
		a = pc_new(cxt, b->method, b->order);
	pc_merge(a, b);
	MemoryContextDelete(tmp);
	PG_RETURN_DATUM(EOHPGetRWDatum(&a->hdr));
}

/* channel names of the state cmp_channel_names sorts ids by */
static const PathCounts *sort_pc;

static int
cmp_channel_names(const void *a, const void *b)
{
	int32		ia = *(const int32 *) a;
	int32		ib = *(const int32 *) b;
	int32		la = sort_pc->chan_len[ia];
	int32		lb = sort_pc->chan_len[ib];
	int			c = memcmp(sort_pc->chan_name[ia], sort_pc->chan_name[ib], Min(la, lb));

	if (c != 0)
		return c;
	return (la > lb) - (la < lb);
}

/*
 * lq_path_counts_final
 *		channel_credit[] of a state: one element per channel, sorted by
 *		name (byte order).  Per-journey methods give the credit summed;
 *		markov shares the conversions by removal effect and the value by
 *		value removal effect (markov.c).
 */
Datum
lq_path_counts_final(PG_FUNCTION_ARGS)
{
	MemoryContext tmp;
	PathCounts *pc;
	Oid			elemtype;
	TupleDesc	tupdesc;
	Datum	   *elems;
	int32	   *order;
	PcMarkovResult mr = {0};
	double		sum_re = 0.0,
				sum_vre = 0.0;
	double		total_conv,
				total_rev;
	ArrayType  *result;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	/*
	 * The declared result type (channel_credit[]), not the call's: Citus's
	 * coordinator calls the final function of merged shard states without
	 * an expression to read it from.
	 */
	elemtype = get_element_type(get_func_rettype(fcinfo->flinfo->fn_oid));
	if (!OidIsValid(elemtype))
		elog(ERROR, "could not determine the result type of lq_path_counts_final");
	tupdesc = lookup_rowtype_tupdesc_copy(elemtype, -1);
	BlessTupleDesc(tupdesc);

	tmp = AllocSetContextCreate(CurrentMemoryContext, "leadqual path_counts final",
								ALLOCSET_DEFAULT_SIZES);
	pc = pc_from_datum(PG_GETARG_DATUM(0), tmp);
	total_conv = pc_sum_value(&pc->total_conv);
	total_rev = pc_sum_value(&pc->total_rev);
	pc_check_totals(pc);

	order = palloc(sizeof(int32) * Max(pc->nchannels, 1));
	for (int32 c = 0; c < pc->nchannels; c++)
		order[c] = c;
	sort_pc = pc;
	qsort(order, pc->nchannels, sizeof(int32), cmp_channel_names);

	if (pc->method == PC_MARKOV)
	{
		/* summed in name order, so the order rows came in does not show */
		pc_markov_solve(pc, &mr);
		for (int32 i = 0; i < pc->nchannels; i++)
		{
			sum_re += mr.re[order[i]];
			sum_vre += mr.vre[order[i]];
		}
	}

	elems = palloc(sizeof(Datum) * Max(pc->nchannels, 1));
	for (int32 i = 0; i < pc->nchannels; i++)
	{
		int32		c = order[i];
		Datum		values[4];
		bool		isnull[4] = {false, false, false, false};
		double		conv,
					rev;

		values[0] = PointerGetDatum(cstring_to_text_with_len(pc->chan_name[c], pc->chan_len[c]));
		if (pc->method == PC_MARKOV)
		{
			conv = sum_re > 0.0 ? total_conv * (mr.re[c] / sum_re) : 0.0;
			rev = sum_vre > 0.0 ? total_rev * (mr.vre[c] / sum_vre) : 0.0;
			values[3] = Float8GetDatum(mr.re[c]);
		}
		else
		{
			conv = pc_sum_value(&pc->credit_conv[c]);
			rev = pc_sum_value(&pc->credit_rev[c]);
			isnull[3] = true;
		}
		if (!isfinite(conv) || !isfinite(rev))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("attribution credit of channel \"%s\" is not finite",
							text_to_cstring(DatumGetTextPP(values[0]))),
					 errdetail("Its share of the group's conversions or revenue is beyond what float8 can hold."),
					 errhint("Scale the counts or the revenue down.")));
		values[1] = Float8GetDatum(conv);
		values[2] = Float8GetDatum(rev);
		elems[i] = HeapTupleGetDatum(heap_form_tuple(tupdesc, values, isnull));
	}
	result = construct_array(elems, pc->nchannels, elemtype, -1, false, TYPALIGN_DOUBLE);
	MemoryContextDelete(tmp);
	PG_RETURN_ARRAYTYPE_P(result);
}

/* touch names cmp_touch_names sorts touch indexes by */
static text **sort_names;

static int
cmp_touch_names(const void *a, const void *b)
{
	int			ia = *(const int *) a;
	int			ib = *(const int *) b;
	int32		la = VARSIZE_ANY_EXHDR(sort_names[ia]);
	int32		lb = VARSIZE_ANY_EXHDR(sort_names[ib]);
	int			c = memcmp(VARDATA_ANY(sort_names[ia]), VARDATA_ANY(sort_names[ib]), Min(la, lb));

	if (c != 0)
		return c;
	if (la != lb)
		return (la > lb) - (la < lb);
	return (ia > ib) - (ia < ib);
}

static inline bool
same_name(const text *a, const text *b)
{
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

/*
 * lq_journey_credit
 *		journey_credit(method, channels, touched_at, conversion_at, mql_at,
 *		opportunity_at, won_at, half_life) → SETOF (channel, weight): one
 *		converting journey's weight per distinct channel (heuristics.c's
 *		rules; not markov), in channel order.
 */
Datum
lq_journey_credit(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PcMethod	m;
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int		   *idx;
	int32	   *ids;
	double	   *w;
	TimestampTz *at = NULL;
	double		hl = 0.0;
	PcMilestones ms;
	TimestampTz conversion_at = 0;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		return (Datum) 0;
	m = pc_method_from_name(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	if (m == PC_MARKOV)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("markov has no per-journey rule"),
				 errdetail("Markov credit comes from the chain of all journeys."),
				 errhint("lead_attribution shares markov credit by the channels' removal effects.")));
	arr = PG_GETARG_ARRAYTYPE_P(1);
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0 || ARR_NDIM(arr) != 1)
		return (Datum) 0;
	sort_names = palloc(sizeof(text *) * n);
	idx = palloc(sizeof(int) * n);
	ids = palloc(sizeof(int32) * n);
	w = palloc(sizeof(double) * n);
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("channels must not contain NULL (element %d)", i + 1)));
		sort_names[i] = DatumGetTextPP(elems[i]);
		idx[i] = i;
	}
	qsort(idx, n, sizeof(int), cmp_touch_names);
	for (int i = 0, id = -1; i < n; i++)
	{
		if (i == 0 || !same_name(sort_names[idx[i - 1]], sort_names[idx[i]]))
			id++;
		ids[idx[i]] = id;
	}
	if (pc_method_needs_times(m))
	{
		if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("touched_at and conversion_at must not be NULL for %s", pc_method_name(m))));
		at = touch_times_arg(fcinfo, 2, n, m);
		conversion_at = PG_GETARG_TIMESTAMPTZ(3);
	}
	if (m == PC_TIME_DECAY)
		hl = half_life_arg(fcinfo, 7);
	ms.mql_at = timestamp_or_null(fcinfo, 4, &ms.has_mql);
	ms.opportunity_at = timestamp_or_null(fcinfo, 5, &ms.has_opportunity);
	ms.won_at = timestamp_or_null(fcinfo, 6, &ms.has_won);
	pc_journey_weights(m, n, ids, at, conversion_at, hl, &ms, w);

	/* one row per distinct channel, in name order (idx is sorted) */
	for (int i = 0; i < n;)
	{
		int			j = i;
		double		sum = 0.0;
		Datum		values[2];
		bool		isnull[2] = {false, false};

		while (j < n && ids[idx[j]] == ids[idx[i]])
			sum += w[idx[j++]];
		values[0] = PointerGetDatum(sort_names[idx[i]]);
		values[1] = Float8GetDatum(sum);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
		i = j;
	}
	return (Datum) 0;
}

/*
 * lq_attribution_options
 *		attribution_options(method, markov_order, half_life, lookback):
 *		the checks attribution() and lead_attribution() make before they
 *		read anything (an empty database must refuse a bad call too), with
 *		the aggregates' own rules and messages.
 */
Datum
lq_attribution_options(PG_FUNCTION_ARGS)
{
	PcMethod	m = method_arg(fcinfo, 0, NULL);

	(void) order_arg(fcinfo, 1, m, NULL);
	if (m == PC_TIME_DECAY &&
		(PG_ARGISNULL(2) || lq_interval_sign(PG_GETARG_INTERVAL_P(2)) <= 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("half_life must be a positive interval"),
				 errdetail("time_decay halves a touch's weight every half_life before the conversion."),
				 errhint("The default is 7 days.")));
	if (!PG_ARGISNULL(3) && lq_interval_sign(PG_GETARG_INTERVAL_P(3)) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lookback must be a positive interval or NULL"),
				 errdetail("lookback keeps the touches that long before the end of a journey."),
				 errhint("NULL (the default) counts every touch before the conversion.")));
	PG_RETURN_VOID();
}
