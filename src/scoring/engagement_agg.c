/*-------------------------------------------------------------------------
 *
 * engagement_agg.c
 *	  The engagement aggregates and their state type (SPEC §3, §7):
 *
 *	  engagement_score(model, event_type, properties, occurred_at, as_of)
 *	  engagement_detail(...)    the same and the latest hand-raise
 *	  score_state(model, event_type, properties, occurred_at)
 *	                            the state itself, for live scoring
 *
 *	  and the stored states of live scoring (state_add_events, state_read).
 *
 *	  The state type leadqual.engagement_state is a varlena of its own, so
 *	  that partial states can be shipped between nodes (Citus computes them
 *	  on the shards and combines them on the coordinator through the text
 *	  form) as well as between parallel workers.  While an aggregate runs,
 *	  the state is flat: a header (model name and rules fingerprint, the
 *	  engagement state's scalars) and the state's arrays, in one palloc'd
 *	  chunk that the transition and combine functions update in place
 *	  (nodeAgg keeps a pass-by-reference state that a support function
 *	  returns unchanged, and copies it once when it is new).  The flat form
 *	  holds no pointers that are used: every call builds an LqEngState view
 *	  of it, pointing into its arrays, with the model found by name.
 *
 *	  The flat form is this build's own (host byte order, C layout, tagged
 *	  with a magic number); the text and binary forms are the portable byte
 *	  stream of engagement.c, the one lead_score_state stores, validated
 *	  when read.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

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

/* "LQE" and the flat layout's version: change it with LqEngFlat */
#define LQ_ENG_FLAT_MAGIC 0x4C514501

/*
 * The flat state.  After the header: the arrays of `state`, laid out by
 * lq_eng_state_point from &state (lq_eng_state_size bytes from there), then
 * the model's name (namelen bytes).  state's pointers are set on every
 * use of a state the caller owns (lq_eng_flat_own) and otherwise ignored
 * (views copy the scalars): a stored value means nothing, except that the
 * transition function skips the name check of a state whose model pointer
 * is already the one of the row (fingerprint and size are always checked).
 */
typedef struct LqEngFlat
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint32		magic;			/* LQ_ENG_FLAT_MAGIC */
	uint32		fingerprint;	/* of the model's rules when it was built */
	int32		namelen;		/* length of the model name at the end */
	LqEngState	state;			/* the scalars; the arrays follow */
} LqEngFlat;

#define LQ_ENG_FLAT_HDRSZ offsetof(LqEngFlat, state)

static inline Size
lq_eng_flat_size(LqModel *model)
{
	return LQ_ENG_FLAT_HDRSZ + lq_eng_state_size(model) + model->namelen;
}

static inline char *
lq_eng_flat_name(LqEngFlat *f, LqModel *model)
{
	return (char *) &f->state + lq_eng_state_size(model);
}

/*
 * lq_eng_flat_new
 *		An empty flat state for the model, in the current memory context.
 */
static LqEngFlat *
lq_eng_flat_new(LqModel *model, TimestampTz as_of)
{
	Size		size = lq_eng_flat_size(model);
	LqEngFlat  *f = palloc0(size);

	SET_VARSIZE(f, size);
	f->magic = LQ_ENG_FLAT_MAGIC;
	f->fingerprint = model->fingerprint;
	f->namelen = model->namelen;
	(void) lq_eng_state_init(model, as_of, &f->state);
	f->state.model = NULL;
	f->state.sum = NULL;
	f->state.count = NULL;
	f->state.recent = NULL;
	memcpy(lq_eng_flat_name(f, model), model->name, model->namelen);
	return f;
}

/*
 * lq_eng_flat_check
 *		Is f a state of the model's rules, of the size they give?  (The
 *		model was found by f's name and fingerprint; only a value this
 *		build did not write can fail.)
 */
static inline void
lq_eng_flat_check(LqEngFlat *f, LqModel *model)
{
	if (VARSIZE(f) != lq_eng_flat_size(model) || f->fingerprint != model->fingerprint ||
		f->namelen != model->namelen || f->state.neng != model->neng ||
		f->state.nrecent != model->nrecent)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid engagement state"),
				 errdetail("The state's size or rule counts are not those of model \"%s\".", model->name),
				 errhint("Cast its text form (engagement_state::text::leadqual.engagement_state), or aggregate the events again.")));
}

/*
 * lq_eng_flat_view
 *		A read-only LqEngState for the flat state f of the model: its
 *		scalars copied, its arrays those of f.
 */
static void
lq_eng_flat_view(LqEngFlat *f, LqModel *model, LqEngState *view)
{
	lq_eng_flat_check(f, model);
	*view = f->state;
	view->model = model;
	lq_eng_state_point(view, &f->state, model);
}

/*
 * lq_eng_flat_own
 *		The state inside a flat state the caller may write (its own: an
 *		aggregate's transition value, or a copy), with its pointers set for
 *		this call: the model, and the arrays that follow it.  Cheaper than a
 *		view per row; f must have been checked against the model.
 */
static inline LqEngState *
lq_eng_flat_own(LqEngFlat *f, LqModel *model)
{
	LqEngState *s = &f->state;

	Assert(f->magic == LQ_ENG_FLAT_MAGIC && f->fingerprint == model->fingerprint);
	Assert(VARSIZE(f) == lq_eng_flat_size(model) && s->neng == model->neng &&
		   s->nrecent == model->nrecent);
	s->model = model;
	lq_eng_state_point(s, s, model);
	return s;
}

/*
 * lq_eng_flat_from_state
 *		A flat copy of a state (one read from the byte stream).
 */
static LqEngFlat *
lq_eng_flat_from_state(LqEngState *s)
{
	LqEngFlat  *f = lq_eng_flat_new(s->model, s->as_of);
	LqEngState *d = lq_eng_flat_own(f, s->model);

	memcpy(d->sum, s->sum, sizeof(double) * s->neng);
	memcpy(d->count, s->count, sizeof(int64) * s->neng);
	memcpy(d->recent, s->recent, sizeof(TimestampTz) * s->nrecent);
	d->landmark = s->landmark;
	d->max_t = s->max_t;
	d->last_hand_raise = s->last_hand_raise;
	return f;
}

/*
 * lq_eng_flat_arg
 *		The flat state of argument argno: the datum itself when it is a
 *		plain, aligned value (always so for a state an aggregate holds),
 *		else a copy.  Only this build's flat states get through; the text
 *		and binary input functions make them from anything else.
 */
static LqEngFlat *
lq_eng_flat_arg(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *v = (struct varlena *) PG_GETARG_POINTER(argno);
	LqEngFlat  *f;

	if (VARATT_IS_EXTENDED(v) || (uintptr_t) v != MAXALIGN((uintptr_t) v))
	{
		struct varlena *d = pg_detoast_datum_packed(v);
		Size		len = VARSIZE_ANY_EXHDR(d);

		v = palloc(VARHDRSZ + len);
		SET_VARSIZE(v, VARHDRSZ + len);
		memcpy(VARDATA(v), VARDATA_ANY(d), len);
	}
	f = (LqEngFlat *) v;
	if (VARSIZE(v) < LQ_ENG_FLAT_HDRSZ + MAXALIGN(sizeof(LqEngState)) || f->magic != LQ_ENG_FLAT_MAGIC ||
		f->namelen < 0 || (Size) f->namelen > VARSIZE(v) - LQ_ENG_FLAT_HDRSZ - MAXALIGN(sizeof(LqEngState)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid engagement state"),
				 errdetail("The value is not an engagement_state of this build of leadqual."),
				 errhint("Cast its text form (engagement_state::text::leadqual.engagement_state), or aggregate the events again.")));
	return f;
}

/*
 * What a state's model lookup remembers across calls: the model the last
 * state named.
 */
typedef struct LqFlatModelCache
{
	LqModel    *model;
} LqFlatModelCache;

/*
 * lq_eng_flat_model
 *		The model a flat state was built under: by its name, and its rules
 *		must be those of the state (fingerprint).  Remembered in fn_extra.
 */
static LqModel *
lq_eng_flat_model(FunctionCallInfo fcinfo, LqEngFlat *f)
{
	LqFlatModelCache *c = (LqFlatModelCache *) fcinfo->flinfo->fn_extra;
	const char *name = (const char *) &f->state + (VARSIZE(f) - LQ_ENG_FLAT_HDRSZ - f->namelen);
	LqModel    *model;

	if (c == NULL)
	{
		c = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(LqFlatModelCache));
		fcinfo->flinfo->fn_extra = c;
	}
	model = c->model;
	if (model == NULL || model->fingerprint != f->fingerprint ||
		model->namelen != f->namelen || memcmp(model->name, name, f->namelen) != 0)
	{
		model = lq_get_model(name, f->namelen);
		if (model->fingerprint != f->fingerprint)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("scoring rules of model \"%s\" changed since the engagement state was built", model->name),
					 errhint("Aggregate the events again.")));
		c->model = model;
	}
	return model;
}

/* ----------------------------------------------------------------
 * The type's input and output: the portable byte stream
 * ---------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(lq_engagement_state_in);
PG_FUNCTION_INFO_V1(lq_engagement_state_out);
PG_FUNCTION_INFO_V1(lq_engagement_state_recv);
PG_FUNCTION_INFO_V1(lq_engagement_state_send);

/*
 * lq_engagement_state_in
 *		From the text form: base64 of the byte stream, validated, under the
 *		model it names, whose rules must be those it was built under.
 */
Datum
lq_engagement_state_in(PG_FUNCTION_ARGS)
{
	bytea	   *b = (bytea *) lq_state_from_base64(PG_GETARG_CSTRING(0), "engagement_state",
												   "an engagement aggregate's state");

	PG_RETURN_POINTER(lq_eng_flat_from_state(lq_eng_state_from_bytea(b, CurrentMemoryContext, false)));
}

/*
 * lq_engagement_state_bytes
 *		The byte stream of a flat state argument.
 */
static bytea *
lq_engagement_state_bytes(FunctionCallInfo fcinfo)
{
	LqEngFlat  *f = lq_eng_flat_arg(fcinfo, 0);
	LqEngState	view;

	lq_eng_flat_view(f, lq_eng_flat_model(fcinfo, f), &view);
	return lq_eng_state_to_bytea(&view);
}

/*
 * lq_engagement_state_out
 *		The text form: base64 of the byte stream (the bytes lead_score_state
 *		stores).
 */
Datum
lq_engagement_state_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(lq_state_to_base64((struct varlena *) lq_engagement_state_bytes(fcinfo),
										 "engagement_state"));
}

/*
 * lq_engagement_state_recv
 *		From the binary form: the byte stream itself, validated.
 */
Datum
lq_engagement_state_recv(PG_FUNCTION_ARGS)
{
	bytea	   *b = (bytea *) lq_state_from_recv((StringInfo) PG_GETARG_POINTER(0));

	PG_RETURN_POINTER(lq_eng_flat_from_state(lq_eng_state_from_bytea(b, CurrentMemoryContext, false)));
}

/*
 * lq_engagement_state_send
 *		The binary form: the byte stream.
 */
Datum
lq_engagement_state_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(lq_engagement_state_bytes(fcinfo));
}

/* ----------------------------------------------------------------
 * The aggregates
 * ---------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(lq_engagement_trans);
PG_FUNCTION_INFO_V1(lq_engagement_final);
PG_FUNCTION_INFO_V1(lq_engagement_detail_final);
PG_FUNCTION_INFO_V1(lq_engagement_combine);
PG_FUNCTION_INFO_V1(lq_score_state_trans);
PG_FUNCTION_INFO_V1(lq_score_state_final);

/*
 * What a transition function remembers across rows: whether its model
 * argument is a constant, and the model that constant named last.
 */
typedef struct LqTransCache
{
	bool		model_const;
	LqModel    *model;
} LqTransCache;

/*
 * lq_eng_row_model
 *		The model the model argument of this row names.  A constant argument
 *		(the usual case) is looked up once per query, not per row.
 */
static LqModel *
lq_eng_row_model(FunctionCallInfo fcinfo)
{
	LqTransCache *c = (LqTransCache *) fcinfo->flinfo->fn_extra;
	text	   *name;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model must not be null"),
				 errhint("Pass a model name such as 'default'.")));
	if (c == NULL)
	{
		Aggref	   *aggref = AggGetAggref(fcinfo);

		c = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(LqTransCache));
		c->model_const = aggref != NULL && aggref->args != NIL &&
			IsA(((TargetEntry *) linitial(aggref->args))->expr, Const);
		fcinfo->flinfo->fn_extra = c;
	}
	if (c->model_const && c->model != NULL)
		return c->model;
	name = DatumGetTextPP(PG_GETARG_DATUM(1));
	if (c->model == NULL || !lq_model_named(c->model, name))
		c->model = lq_get_model_text(name);
	return c->model;
}

/*
 * lq_eng_trans_row
 *		Shared transition step: the first row fixes the model (and as_of) of
 *		the group, later rows must agree.  Rows with a NULL event_type or
 *		occurred_at are skipped.  Arguments from 1: model, event_type,
 *		properties, occurred_at.  The state is updated in place when the
 *		caller is an aggregate (the state is then its own), else copied.
 */
static LqEngFlat *
lq_eng_trans_row(FunctionCallInfo fcinfo, TimestampTz as_of)
{
	LqModel    *model = lq_eng_row_model(fcinfo);
	LqEngFlat  *f;

	if (PG_ARGISNULL(0))
		f = lq_eng_flat_new(model, as_of);
	else
	{
		f = lq_eng_flat_arg(fcinfo, 0);
		if (!AggCheckCallContext(fcinfo, NULL) && (Pointer) f == PG_GETARG_POINTER(0))
			f = (LqEngFlat *) PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0));
		if (f->state.as_of != as_of)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("as_of must be the same for every row of a group"),
					 errhint("Pass one as-of time, e.g. a constant or now().")));
		/*
		 * The state's model: its name is compared only when the state was
		 * last used with another model pointer (the first row of a group,
		 * or a changing model argument); fingerprint and size always.
		 */
		if (f->fingerprint != model->fingerprint || VARSIZE(f) != lq_eng_flat_size(model) ||
			(f->state.model != model &&
			 (f->namelen != model->namelen ||
			  memcmp(lq_eng_flat_name(f, model), model->name, model->namelen) != 0)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("model must be the same for every row of a group"),
					 errhint("Group by lead (and model), or pass one model name.")));
	}

	if (!PG_ARGISNULL(2) && !PG_ARGISNULL(4))
	{
		struct varlena *type = (struct varlena *) PG_GETARG_POINTER(2);

		/* DatumGetTextPP without a call for the usual in-line value */
		if (VARATT_IS_EXTENDED(type) && !VARATT_IS_SHORT(type))
			type = pg_detoast_datum_packed(type);
		lq_eng_state_add_event(lq_eng_flat_own(f, model), (text *) type,
							   PG_GETARG_DATUM(3), PG_ARGISNULL(3),
							   PG_GETARG_TIMESTAMPTZ(4));
	}
	else
		f->state.model = model;
	return f;
}

/*
 * lq_engagement_trans
 *		Transition of engagement_score and engagement_detail: (state, model,
 *		event_type, properties, occurred_at, as_of).
 */
Datum
lq_engagement_trans(PG_FUNCTION_ARGS)
{
	/* checked once per group: later rows must equal the state's as_of */
	if (PG_ARGISNULL(0) || PG_ARGISNULL(5))
		lq_check_as_of(PG_ARGISNULL(5) ? 0 : PG_GETARG_TIMESTAMPTZ(5), PG_ARGISNULL(5), "as_of");
	PG_RETURN_POINTER(lq_eng_trans_row(fcinfo, PG_GETARG_TIMESTAMPTZ(5)));
}

/*
 * lq_score_state_trans
 *		Transition of score_state: (state, model, event_type, properties,
 *		occurred_at), every event counted.
 */
Datum
lq_score_state_trans(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(lq_eng_trans_row(fcinfo, DT_NOEND));
}

/*
 * lq_engagement_combine
 *		Combine two partial states (not strict: either may be NULL).  The
 *		first is updated in place; a NULL first takes the second as it is
 *		(nodeAgg copies it).
 */
Datum
lq_engagement_combine(PG_FUNCTION_ARGS)
{
	LqEngFlat  *a,
			   *b;
	LqModel    *model;
	LqEngState	vb;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(0))
		PG_RETURN_DATUM(PG_GETARG_DATUM(1));

	a = lq_eng_flat_arg(fcinfo, 0);
	if (!AggCheckCallContext(fcinfo, NULL) && (Pointer) a == PG_GETARG_POINTER(0))
		a = (LqEngFlat *) PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0));
	b = lq_eng_flat_arg(fcinfo, 1);
	model = lq_eng_flat_model(fcinfo, a);
	lq_eng_flat_check(a, model);
	lq_eng_flat_view(b, lq_eng_flat_model(fcinfo, b), &vb);
	lq_eng_state_merge(lq_eng_flat_own(a, model), &vb);
	PG_RETURN_POINTER(a);
}

/*
 * lq_eng_flat_read
 *		The view of a state the final functions read: one with an as-of
 *		time.  score_state's states count every event (as_of infinity);
 *		they are read at a chosen time with state_read().
 */
static void
lq_eng_flat_read(FunctionCallInfo fcinfo, LqEngState *view)
{
	LqEngFlat  *f = lq_eng_flat_arg(fcinfo, 0);

	lq_eng_flat_view(f, lq_eng_flat_model(fcinfo, f), view);
	if (TIMESTAMP_NOT_FINITE(view->as_of))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("engagement state has no as-of time"),
				 errdetail("It counts every event, as live scoring's stored states do."),
				 errhint("Read it at a time with leadqual.state_read(state, at).")));
}

/*
 * lq_engagement_final
 *		Engagement at as_of; 0 for a group without rows.
 */
Datum
lq_engagement_final(PG_FUNCTION_ARGS)
{
	LqEngState	view;

	if (PG_ARGISNULL(0))
		PG_RETURN_FLOAT8(0);
	lq_eng_flat_read(fcinfo, &view);
	PG_RETURN_FLOAT8(lq_eng_value(&view, view.as_of));
}

/*
 * lq_engagement_detail_final
 *		Final function of engagement_detail: (engagement at as_of, latest
 *		hand-raise event at or before as_of), what rescore() needs from one
 *		pass over the events.
 */
Datum
lq_engagement_detail_final(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	Datum		values[2];
	bool		nulls[2] = {false, true};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	desc = BlessTupleDesc(desc);
	values[0] = Float8GetDatum(0);
	values[1] = (Datum) 0;
	if (!PG_ARGISNULL(0))
	{
		LqEngState	view;

		lq_eng_flat_read(fcinfo, &view);
		values[0] = Float8GetDatum(lq_eng_value(&view, view.as_of));
		if (!TIMESTAMP_IS_NOBEGIN(view.last_hand_raise))
		{
			values[1] = TimestampTzGetDatum(view.last_hand_raise);
			nulls[1] = false;
		}
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/*
 * lq_score_state_final
 *		The state as the byte stream lead_score_state stores; NULL for a
 *		group without rows.
 */
Datum
lq_score_state_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_BYTEA_P(lq_engagement_state_bytes(fcinfo));
}

/* ----------------------------------------------------------------
 * Stored states for live scoring
 *
 * score_state(model, event_type, properties, occurred_at) aggregates a lead's
 * events into a state with no as-of limit, stored as its byte stream;
 * state_add_events counts newly inserted events into a stored state;
 * state_read reads the engagement at a time and the latest hand-raise.  A
 * stale state (rules changed, model gone) adds and reads as NULL, which
 * tells live scoring to rebuild it from the events.
 * ---------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(lq_state_add_events);
PG_FUNCTION_INFO_V1(lq_state_read);

/*
 * lq_state_add_events
 *		state_add_events(stored bytea, event_types text[], properties jsonb[],
 *		occurred_at timestamptz[]) → bytea: the stored state with the given
 *		events counted, under the model the state names.  NULL if the state
 *		is stale or empty (an empty state names no model: rebuild it).
 *		Elements with a NULL event type or time are skipped, as the
 *		aggregates skip such rows.
 */
Datum
lq_state_add_events(PG_FUNCTION_ARGS)
{
	bytea	   *stored = PG_GETARG_BYTEA_PP(0);
	ArrayType  *types = PG_GETARG_ARRAYTYPE_P(1);
	ArrayType  *props = PG_GETARG_ARRAYTYPE_P(2);
	ArrayType  *times = PG_GETARG_ARRAYTYPE_P(3);
	Datum	   *tv,
			   *pv,
			   *ov;
	bool	   *tn,
			   *pn,
			   *on;
	int			nt,
				np,
				no;
	LqEngState *s;
	int			i;

	if (VARSIZE_ANY_EXHDR(stored) == 0)
		PG_RETURN_NULL();
	s = lq_eng_state_from_bytea(stored, CurrentMemoryContext, true);
	if (s == NULL)
		PG_RETURN_NULL();

	deconstruct_array(types, TEXTOID, -1, false, TYPALIGN_INT, &tv, &tn, &nt);
	deconstruct_array(props, JSONBOID, -1, false, TYPALIGN_INT, &pv, &pn, &np);
	deconstruct_array(times, TIMESTAMPTZOID, sizeof(TimestampTz), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &ov, &on, &no);
	if (nt != np || nt != no)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("event arrays must have the same length"),
				 errdetail("event_types has %d elements, properties %d, occurred_at %d.",
						   nt, np, no)));
	for (i = 0; i < nt; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (!tn[i] && !on[i])
			lq_eng_state_add_event(s, DatumGetTextPP(tv[i]), pv[i], pn[i],
								   DatumGetTimestampTz(ov[i]));
	}
	PG_RETURN_BYTEA_P(lq_eng_state_to_bytea(s));
}

/*
 * lq_state_read
 *		state_read(state bytea, at timestamptz) → engagement_detail: the
 *		engagement at `at` and the latest hand-raise event, from one
 *		deserialization.  engagement is NULL if the state counts events after
 *		`at`; the whole result is NULL for a stale state.  The empty state of
 *		a lead without events reads as (0, NULL).
 */
Datum
lq_state_read(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	TimestampTz at = PG_GETARG_TIMESTAMPTZ(1);
	LqEngState *s = NULL;
	TupleDesc	desc;
	Datum		values[2] = {Float8GetDatum(0), (Datum) 0};
	bool		nulls[2] = {false, true};

	lq_check_as_of(at, false, "at");
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	desc = BlessTupleDesc(desc);

	if (VARSIZE_ANY_EXHDR(b) > 0)
	{
		s = lq_eng_state_from_bytea(b, CurrentMemoryContext, true);
		if (s == NULL)
			PG_RETURN_NULL();
		if (s->max_t > at)
			nulls[0] = true;
		else
			values[0] = Float8GetDatum(lq_eng_value(s, at));
		if (!TIMESTAMP_IS_NOBEGIN(s->last_hand_raise))
		{
			values[1] = TimestampTzGetDatum(s->last_hand_raise);
			nulls[1] = false;
		}
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
