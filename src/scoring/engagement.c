/*-------------------------------------------------------------------------
 *
 * engagement.c
 *	  Engagement scoring: what the lead did.  The engagement state (see
 *	  scoring/scoring.h): adding events, merging two states, its value at a
 *	  time, and its portable byte stream (stored by live scoring, the text
 *	  and binary form of engagement_state).  The aggregates over it are in
 *	  engagement_agg.c.
 *
 * Semantics (SPEC §3), at the as-of time T, over events with occurred_at <= T:
 *	- plain rule: Σ points · 2^(−(T − occurred_at) / half_life) (factor 1
 *	  without half_life);
 *	- frequency rule: points if at least min_count events fall in
 *	  (T − within, T], else 0;
 *	- cap: sign · min(|contribution|, max_points).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "nodes/primnodes.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "scoring/scoring.h"

/*
 * Rebase the landmark before an exponent (t − landmark) / half_life grows
 * past this, so forward-decayed sums stay far from double overflow (2^1024).
 */
#define LQ_MAX_EXPONENT 512.0

#define LQ_STATE_VERSION 1

/*
 * lq_decay_exponent
 *		Half-lives in dt microseconds for a decaying rule: one division by
 *		the half-life in microseconds (exact for whole seconds), so an event
 *		exactly one half-life old gets exactly 2^-1.  dt comes from
 *		lq_time_diff(), so ages across the whole timestamp range (more than
 *		int64 microseconds) do not wrap around.
 */
static inline double
lq_decay_exponent(const LqEngRule *rule, double dt)
{
	return dt / rule->half_life_us;
}

/*
 * lq_in_window
 *		Does an event at t fall in the window (at - within, at] of a frequency
 *		rule, i.e. is at - t < within?  Neither at - within nor at - t may
 *		be computed in int64: both overflow at the ends of the timestamp
 *		range, and a window may be longer than int64 microseconds.  Exact
 *		whenever the age fits int64; beyond that (ages of more than 292,277
 *		years) the comparison is made in double.
 */
static inline bool
lq_in_window(const LqEngRule *rule, TimestampTz at, TimestampTz t)
{
	int64		age;

	if (!pg_sub_s64_overflow(at, t, &age))
		return rule->within_huge || age < rule->within;
	return rule->within_huge && (double) at - (double) t < rule->within_us;
}

/*
 * lq_eng_state_size
 *		Bytes a state of the model takes: the header and its arrays.
 */
Size
lq_eng_state_size(LqModel *model)
{
	return MAXALIGN(sizeof(LqEngState)) +
		MAXALIGN(sizeof(double) * Max(model->neng, 1)) +
		MAXALIGN(sizeof(int64) * Max(model->neng, 1)) +
		sizeof(TimestampTz) * Max(model->nrecent, 1);
}

/*
 * lq_eng_state_point
 *		Point s's arrays into buf, laid out as lq_eng_state_init lays out a
 *		state of the model (the header first, then sum, count, recent).  s
 *		may be another struct than the one at buf (a view of a flat state,
 *		engagement_agg.c).
 */
void
lq_eng_state_point(LqEngState *s, void *buf, LqModel *model)
{
	char	   *p = (char *) buf + MAXALIGN(sizeof(LqEngState));

	s->sum = (double *) p;
	p += MAXALIGN(sizeof(double) * Max(model->neng, 1));
	s->count = (int64 *) p;
	p += MAXALIGN(sizeof(int64) * Max(model->neng, 1));
	s->recent = (TimestampTz *) p;
}

/*
 * lq_eng_state_init
 *		Lay out an empty state for a model in buf (lq_eng_state_size bytes,
 *		MAXALIGNed).  as_of may be DT_NOEND for a state that counts
 *		every event (replays, live scoring); then the landmark follows the
 *		events.
 */
LqEngState *
lq_eng_state_init(LqModel *model, TimestampTz as_of, void *buf)
{
	LqEngState *s = (LqEngState *) buf;
	int			i;

	memset(buf, 0, lq_eng_state_size(model));
	lq_eng_state_point(s, buf, model);
	s->model = model;
	s->as_of = as_of;
	s->landmark = TIMESTAMP_IS_NOEND(as_of) ? DT_NOBEGIN : as_of;
	s->max_t = DT_NOBEGIN;
	s->last_hand_raise = DT_NOBEGIN;
	s->neng = model->neng;
	s->nrecent = model->nrecent;
	for (i = 0; i < s->nrecent; i++)
		s->recent[i] = DT_NOBEGIN;
	return s;
}

/*
 * lq_eng_state_new
 *		A new empty state for a model, in the given memory context.
 */
LqEngState *
lq_eng_state_new(LqModel *model, TimestampTz as_of, MemoryContext cxt)
{
	return lq_eng_state_init(model, as_of,
							 MemoryContextAlloc(cxt, lq_eng_state_size(model)));
}

/*
 * lq_eng_state_rebase
 *		Move the forward-decay landmark to a later time, scaling the sums.
 */
static void
lq_eng_state_rebase(LqEngState *s, TimestampTz landmark)
{
	int			r;

	if (TIMESTAMP_IS_NOBEGIN(s->landmark))
	{
		s->landmark = landmark;
		return;
	}
	for (r = 0; r < s->neng; r++)
	{
		LqEngRule  *rule = &s->model->eng[r];

		if (rule->half_life_us > 0 && s->sum[r] != 0)
			s->sum[r] *= exp2(lq_decay_exponent(rule, lq_time_diff(s->landmark, landmark)));
	}
	s->landmark = landmark;
}

/*
 * lq_recent_insert
 *		Keep the k most recent times of a frequency rule, in descending order.
 */
static inline void
lq_recent_insert(TimestampTz *slots, int k, TimestampTz t)
{
	int			i;

	if (t <= slots[k - 1])
		return;
	for (i = k - 1; i > 0 && slots[i - 1] < t; i--)
		slots[i] = slots[i - 1];
	slots[i] = t;
}

/*
 * lq_eng_state_add_match
 *		Count one event at time t for rule r (the event is known to match).
 */
void
lq_eng_state_add_match(LqEngState *s, int r, TimestampTz t)
{
	LqEngRule  *rule = &s->model->eng[r];

	s->count[r]++;
	if (t > s->max_t)
		s->max_t = t;
	if (rule->is_frequency)
	{
		if (!TIMESTAMP_IS_NOBEGIN(t))
			lq_recent_insert(s->recent + rule->recent_offset, rule->min_count, t);
	}
	else if (rule->half_life_us > 0)
	{
		double		e;

		if (TIMESTAMP_IS_NOBEGIN(t))
			return;				/* infinitely old: decayed to nothing */
		if (TIMESTAMP_IS_NOBEGIN(s->landmark))
			s->landmark = t;
		e = lq_decay_exponent(rule, lq_time_diff(t, s->landmark));
		if (e > LQ_MAX_EXPONENT)
		{
			lq_eng_state_rebase(s, t);
			e = 0;
		}
		s->sum[r] += rule->points * exp2(e);
	}
	else
		s->sum[r] += rule->points;
}

/*
 * lq_copy_short
 *		memcpy for the few dozen bytes of a short value, in words: gcc
 *		expands a memcpy of unknown length inline as "rep movsq", whose
 *		start-up cost was most of the time spent matching an event.
 */
static inline void
lq_copy_short(char *dst, const char *src, Size len)
{
	Size		i = 0;

	for (; i + sizeof(uint64) <= len; i += sizeof(uint64))
	{
		uint64		w;

		memcpy(&w, src + i, sizeof(w));
		memcpy(dst + i, &w, sizeof(w));
	}
	for (; i < len; i++)
		dst[i] = src[i];
}

/*
 * lq_aligned_jsonb
 *		The event's properties as a Jsonb that can be read in place.  A short
 *		inline value (1-byte header, the common case for small properties)
 *		is copied into a reusable aligned buffer instead of a fresh palloc.
 *		Anything else (4-byte header, compressed, or an external TOAST
 *		pointer, whose 1-byte tag also looks "short") is detoasted in full;
 *		*copied then says the caller should pfree the result.
 */
static Jsonb *
lq_aligned_jsonb(Datum d, bool *copied)
{
	static char *buf = NULL;
	static Size bufsize = 0;
	struct varlena *v = (struct varlena *) DatumGetPointer(d);
	Size		len;

	*copied = false;
	if (VARATT_IS_EXTERNAL(v) || !VARATT_IS_SHORT(v))
	{
		Jsonb	   *j = DatumGetJsonbP(d);

		*copied = (Pointer) j != (Pointer) v;
		return j;
	}

	len = VARSIZE_SHORT(v) - VARHDRSZ_SHORT;
	if (bufsize < len + VARHDRSZ)
	{
		bufsize = Max(len + VARHDRSZ, 256);
		buf = MemoryContextAlloc(TopMemoryContext, bufsize);
	}
	SET_VARSIZE(buf, len + VARHDRSZ);
	lq_copy_short(buf + VARHDRSZ, VARDATA_SHORT(v), len);
	return (Jsonb *) buf;
}

/*
 * lq_scalar_equal
 *		Equality of two JSON scalars, as jsonb containment compares them.
 */
static bool
lq_scalar_equal(JsonbValue *a, JsonbValue *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type)
	{
		case jbvString:
			return a->val.string.len == b->val.string.len &&
				memcmp(a->val.string.val, b->val.string.val, a->val.string.len) == 0;
		case jbvNumeric:
			return DatumGetBool(DirectFunctionCall2(numeric_eq,
													NumericGetDatum(a->val.numeric),
													NumericGetDatum(b->val.numeric)));
		case jbvBool:
			return a->val.boolean == b->val.boolean;
		case jbvNull:
			return true;
		default:
			return false;
	}
}

/*
 * lq_properties_match
 *		event.properties @> rule.properties.
 */
static bool
lq_properties_match(LqEngRule *rule, Jsonb *props)
{
	int			i;

	if (rule->nflat < 0)
		return DatumGetBool(DirectFunctionCall2(jsonb_contains,
												PointerGetDatum(props),
												PointerGetDatum(rule->properties)));
	if (!JB_ROOT_IS_OBJECT(props))
		return false;
	for (i = 0; i < rule->nflat; i++)
	{
		JsonbValue	v;

		if (getKeyJsonValueFromContainer(&props->root, rule->flat_keys[i].val.string.val,
										 rule->flat_keys[i].val.string.len, &v) == NULL ||
			!lq_scalar_equal(&v, &rule->flat_values[i]))
			return false;
	}
	return true;
}

/*
 * lq_eng_match
 *		Which rules of an event type match an event: tests the property
 *		filters, reading the properties only if some rule needs them.
 *		Writes rule indexes to matched[] (room for type->nrules) and returns
 *		how many.
 */
int
lq_eng_match(LqModel *model, LqEventType *type, Datum properties, bool props_null,
			 int *matched)
{
	Jsonb	   *props = NULL;
	bool		copied = false;
	int			n = 0;
	int			i;

	if (type->any_properties && !props_null)
		props = lq_aligned_jsonb(properties, &copied);

	for (i = 0; i < type->nrules; i++)
	{
		int			r = type->rules[i];
		LqEngRule  *rule = &model->eng[r];

		if (rule->properties != NULL &&
			(props == NULL || !lq_properties_match(rule, props)))
			continue;
		matched[n++] = r;
	}
	if (copied)
		pfree(props);
	return n;
}

/*
 * lq_eng_state_add_typed
 *		Feed one event whose type the caller has looked up (type may be NULL:
 *		a type no rule or hand-raise knows).  Events after as_of (and at
 *		+infinity, in a state without as-of limit) are ignored.
 *		properties is read only if a rule of the type filters on them.
 */
void
lq_eng_state_add_typed(LqEngState *s, LqEventType *type, Datum properties,
					   bool props_null, TimestampTz occurred_at)
{
	int			matched[64];
	int		   *m = matched;
	int			n;
	int			i;

	/* an event at +infinity comes after every finite time: it never counts */
	if (type == NULL || occurred_at > s->as_of || TIMESTAMP_IS_NOEND(occurred_at))
		return;
	if (type->hand_raise && occurred_at > s->last_hand_raise)
		s->last_hand_raise = occurred_at;
	if (type->nrules == 0)
		return;
	if (type->nrules > lengthof(matched))
		m = palloc(sizeof(int) * type->nrules);
	n = lq_eng_match(s->model, type, properties, props_null, m);
	for (i = 0; i < n; i++)
		lq_eng_state_add_match(s, m[i], occurred_at);
	if (m != matched)
		pfree(m);
}

/*
 * lq_eng_state_add_event
 *		Feed one event: count it for every rule of its type that matches.
 *		Events after as_of are ignored.
 */
void
lq_eng_state_add_event(LqEngState *s, text *event_type, Datum properties,
					   bool props_null, TimestampTz occurred_at)
{
	if (occurred_at > s->as_of)
		return;
	lq_eng_state_add_typed(s, lq_find_event_type(s->model, VARDATA_ANY(event_type),
												 VARSIZE_ANY_EXHDR(event_type)),
						   properties, props_null, occurred_at);
}

/*
 * lq_eng_state_merge
 *		Add src into dst: both move to the later landmark, sums and counts
 *		add, and the recent-time lists of frequency rules merge.
 */
void
lq_eng_state_merge(LqEngState *dst, LqEngState *src)
{
	int			r;

	if (dst->model != src->model && (dst->model->fingerprint != src->model->fingerprint ||
									 dst->model->namelen != src->model->namelen ||
									 memcmp(dst->model->name, src->model->name, dst->model->namelen) != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model must be the same for every row of a group"),
				 errdetail("Engagement states of models \"%s\" and \"%s\" do not combine.",
						   dst->model->name, src->model->name),
				 errhint("Group by lead (and model), or pass one model name.")));
	Assert(dst->neng == src->neng && dst->nrecent == src->nrecent);
	if (dst->as_of != src->as_of)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("as_of must be the same for every row of a group"),
				 errhint("Pass one as-of time, e.g. a constant or now().")));

	if (src->max_t > dst->max_t)
		dst->max_t = src->max_t;
	if (src->last_hand_raise > dst->last_hand_raise)
		dst->last_hand_raise = src->last_hand_raise;
	if (TIMESTAMP_IS_NOBEGIN(dst->landmark))
		dst->landmark = src->landmark;
	else if (!TIMESTAMP_IS_NOBEGIN(src->landmark) && src->landmark > dst->landmark)
		lq_eng_state_rebase(dst, src->landmark);

	for (r = 0; r < dst->neng; r++)
	{
		LqEngRule  *rule = &dst->model->eng[r];
		double		add = src->sum[r];

		dst->count[r] += src->count[r];
		if (rule->is_frequency)
		{
			int			i;

			for (i = 0; i < rule->min_count; i++)
				if (!TIMESTAMP_IS_NOBEGIN(src->recent[rule->recent_offset + i]))
					lq_recent_insert(dst->recent + rule->recent_offset, rule->min_count,
									 src->recent[rule->recent_offset + i]);
			continue;
		}
		if (rule->half_life_us > 0 && add != 0 && src->landmark != dst->landmark)
			add *= exp2(lq_decay_exponent(rule, lq_time_diff(src->landmark, dst->landmark)));
		dst->sum[r] += add;
	}
}

/*
 * lq_eng_rule_value
 *		Contribution of rule r at time `at` (no earlier than every counted
 *		event), cap applied.
 */
double
lq_eng_rule_value(LqEngState *s, int r, TimestampTz at)
{
	LqEngRule  *rule = &s->model->eng[r];
	double		c;

	if (rule->is_frequency)
	{
		TimestampTz kth = s->recent[rule->recent_offset + rule->min_count - 1];

		c = (!TIMESTAMP_IS_NOBEGIN(kth) && lq_in_window(rule, at, kth)) ? rule->points : 0;
	}
	else if (rule->half_life_us > 0)
		c = s->sum[r] == 0 ? 0 :
			s->sum[r] * exp2(lq_decay_exponent(rule, lq_time_diff(s->landmark, at)));
	else
		c = s->sum[r];

	if (rule->has_cap && fabs(c) > rule->max_points)
		c = c < 0 ? -rule->max_points : rule->max_points;
	return c;
}

/*
 * lq_eng_value
 *		Engagement at time `at`: Σ rule contributions in rule order.
 */
double
lq_eng_value(LqEngState *s, TimestampTz at)
{
	double		e = 0;
	int			r;

	for (r = 0; r < s->neng; r++)
		e += lq_eng_rule_value(s, r, at);
	lq_check_sum(e, "engagement");
	return e;
}

/* ----------------------------------------------------------------
 * The portable byte stream of a state (stored states, text and binary
 * I/O of engagement_state)
 * ---------------------------------------------------------------- */

/*
 * lq_eng_state_to_bytea
 *		State → bytea: version, model name, rules fingerprint, times, arrays.
 */
bytea *
lq_eng_state_to_bytea(LqEngState *s)
{
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, LQ_STATE_VERSION);
	pq_sendint32(&buf, s->model->namelen);
	pq_sendbytes(&buf, s->model->name, s->model->namelen);
	pq_sendint32(&buf, s->model->fingerprint);
	pq_sendint64(&buf, s->as_of);
	pq_sendint64(&buf, s->landmark);
	pq_sendint64(&buf, s->max_t);
	pq_sendint64(&buf, s->last_hand_raise);
	pq_sendint32(&buf, s->neng);
	pq_sendint32(&buf, s->nrecent);
	for (i = 0; i < s->neng; i++)
	{
		pq_sendfloat8(&buf, s->sum[i]);
		pq_sendint64(&buf, s->count[i]);
	}
	for (i = 0; i < s->nrecent; i++)
		pq_sendint64(&buf, s->recent[i]);
	return pq_endtypsend(&buf);
}

/*
 * lq_state_corrupt
 *		A stored or serialized engagement state that leadqual did not write
 *		as it is: truncated, padded, or with counts its model does not have.
 */
static void
lq_state_corrupt(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid engagement state"),
			 errdetail("%s", detail),
			 errhint("States are written by leadqual only; rebuild it with leadqual.rescore() or the lead's next event.")));
}

/*
 * lq_state_need
 *		Does the rest of the state hold n more bytes?  Checked before each
 *		read, so a short state is our error (22P03) rather than the
 *		protocol reader's.
 */
static inline void
lq_state_need(StringInfo buf, Size n)
{
	if (buf->cursor < 0 || (Size) (buf->len - buf->cursor) < n)
		lq_state_corrupt("The state is shorter than its model's rules need.");
}

/*
 * lq_eng_state_from_bytea
 *		bytea → state in cxt.  A state whose model no longer exists or whose
 *		rules have changed since it was built is stale: NULL if stale_ok,
 *		else an error.
 */
LqEngState *
lq_eng_state_from_bytea(bytea *b, MemoryContext cxt, bool stale_ok)
{
	StringInfoData buf;
	int			len;
	const char *name;
	LqModel    *model;
	LqEngState *s;
	TimestampTz as_of;
	int			i;

	buf.data = VARDATA_ANY(b);
	buf.len = VARSIZE_ANY_EXHDR(b);
	buf.maxlen = buf.len;
	buf.cursor = 0;

	lq_state_need(&buf, 1);
	if (pq_getmsgbyte(&buf) != LQ_STATE_VERSION)
	{
		if (stale_ok)
			return NULL;
		lq_state_corrupt("The state's format version is not this leadqual's.");
	}
	lq_state_need(&buf, 4);
	len = pq_getmsgint(&buf, 4);
	if (len < 0)
		lq_state_corrupt("The state's model name has a negative length.");
	lq_state_need(&buf, len);
	name = pq_getmsgbytes(&buf, len);
	if (stale_ok)
	{
		/* a model that was deleted makes the state stale, not an error */
		bool		found;

		model = lq_find_model(name, len, &found);
		if (!found)
			return NULL;
	}
	else
		model = lq_get_model(name, len);
	lq_state_need(&buf, 4);
	if ((uint32) pq_getmsgint(&buf, 4) != model->fingerprint)
	{
		if (stale_ok)
			return NULL;
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("scoring rules of model \"%s\" changed since the engagement state was built", model->name),
				 errhint("Aggregate the events again.")));
	}
	lq_state_need(&buf, 4 * 8 + 2 * 4);
	as_of = pq_getmsgint64(&buf);
	s = lq_eng_state_new(model, as_of, cxt);
	s->landmark = pq_getmsgint64(&buf);
	s->max_t = pq_getmsgint64(&buf);
	s->last_hand_raise = pq_getmsgint64(&buf);
	if (pq_getmsgint(&buf, 4) != s->neng || pq_getmsgint(&buf, 4) != s->nrecent)
		lq_state_corrupt("The state's rule counts are not its model's.");
	lq_state_need(&buf, (Size) s->neng * 16 + (Size) s->nrecent * 8);
	if (buf.len - buf.cursor != s->neng * 16 + s->nrecent * 8)
		lq_state_corrupt("The state is longer than its model's rules need.");
	for (i = 0; i < s->neng; i++)
	{
		s->sum[i] = pq_getmsgfloat8(&buf);
		s->count[i] = pq_getmsgint64(&buf);
	}
	for (i = 0; i < s->nrecent; i++)
		s->recent[i] = pq_getmsgint64(&buf);
	pq_getmsgend(&buf);
	return s;
}
