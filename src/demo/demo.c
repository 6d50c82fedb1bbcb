/*-------------------------------------------------------------------------
 *
 * demo.c
 *	  Deterministic demo data for generate_demo() (SPEC §4, demo data).
 *
 * Three generators, one per phase of generate_demo (src/sql/demo.sql):
 *
 *	demo_leads(leads, seed, start_at, days)		the leads, one row each
 *	demo_events(idx, seed, start_at, days)		one lead's events
 *	demo_lifecycle(idx, seed, start_at, days, fit, mql_at, reasons, recyclable)
 *												one lead's stage moves
 *
 * Everything about lead number idx (1-based) is a pure function of (seed,
 * idx, start_at, days): each lead draws from its own pseudo-random streams
 * (splitmix64, seeded from seed, idx and the phase), so the same arguments
 * give byte-identical rows whatever the plan, the number of leads or the
 * session's time zone (days are 24 hours; no calendar arithmetic).
 *
 * The phases, one file each, with what they share in demo.h:
 *
 *	demo_leads.c		who a lead is: channel, campaign and latent quality,
 *						and from those its title, company, industry, country,
 *						e-mail address and owner
 *	demo_events.c		what it did: e-mails, web sessions, downloads,
 *						webinars, hand-raises (about 25 events, heavy-tailed)
 *	demo_lifecycle.c	how sales and marketing moved it, from the MQL moment
 *						the scoring rules give (mql_crossing over its events)
 *	demo_catalog.c		the demo world they draw from, and the datum cache
 *
 * This file checks the arguments and holds the SQL-callable functions.
 *
 * Event times are an even number of seconds after start_at and the times of
 * sales and marketing actions an odd number, so an action never shares its
 * instant with an event (a hand-raise is "after" a rejection or not, never
 * both).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "scoring/scoring.h"
#include "demo/demo.h"

/* limits of the arguments */
#define DEMO_MAX_LEADS 10000000
#define DEMO_MAX_DAYS 3660

/* ----------------------------------------------------------------
 * Arguments
 * ---------------------------------------------------------------- */

/*
 * demo_check_common
 *		Validate seed, start_at and days (arguments 1, 2, 3 of every demo
 *		function) and fill DemoArgs.  Errors name the argument and say what
 *		to pass instead.
 */
static void
demo_check_common(FunctionCallInfo fcinfo, DemoArgs *a)
{
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("seed must not be null"),
				 errhint("Pass an integer seed, e.g. 1.")));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("start_at must not be null"),
				 errhint("Pass a timestamp, e.g. '2025-01-01'.")));
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("days must not be null"),
				 errhint("Pass the length of the history in days, e.g. 365.")));

	a->seed = PG_GETARG_INT32(1);
	a->start = PG_GETARG_TIMESTAMPTZ(2);
	a->days = PG_GETARG_INT32(3);

	if (TIMESTAMP_NOT_FINITE(a->start))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("start_at must be a finite timestamp"),
				 errdetail("The demo history starts at an instant; infinity is not one."),
				 errhint("Pass a finite timestamp, e.g. '2025-01-01'.")));
	if (a->days < 1 || a->days > DEMO_MAX_DAYS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("days must be between 1 and %d", DEMO_MAX_DAYS),
				 errdetail("%d was given.", a->days),
				 errhint("Pass the length of the history in days, e.g. 365.")));
	a->end = a->start + (int64) a->days * DEMO_DAY;
	if (!IS_VALID_TIMESTAMP(a->end) || !IS_VALID_TIMESTAMP(a->start))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("start_at plus days is out of range"),
				 errhint("Pass an earlier start_at or fewer days.")));

	/*
	 * The lifecycle adds the model's sla and recycle_after (each at most
	 * LQ_MAX_MODEL_INTERVAL_DAYS) to stage times up to end: keep those sums
	 * inside the timestamp range, so that int64 arithmetic cannot wrap.
	 */
	{
		int64		margin = 2 * (int64) LQ_MAX_MODEL_INTERVAL_DAYS * DEMO_DAY;
		int64		latest;

		if (pg_add_s64_overflow(a->end, margin, &latest) || !IS_VALID_TIMESTAMP(latest))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("start_at plus days is out of range"),
					 errdetail("The demo adds the model's sla and recycle_after (up to %d days each) to times up to start_at plus days.",
							   LQ_MAX_MODEL_INTERVAL_DAYS),
					 errhint("Pass an earlier start_at or fewer days.")));
	}
}

/*
 * demo_check_count
 *		Validate argument 0: a number of leads (0 allowed) or, for the
 *		per-lead functions, a lead number (1-based).
 */
static int32
demo_check_count(FunctionCallInfo fcinfo, bool is_index)
{
	const char *name = is_index ? "idx" : "leads";
	int32		v;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name),
				 is_index ? errhint("Pass the number of a demo lead, 1 or more.") :
				 errhint("Pass a number of leads, e.g. 10000.")));
	v = PG_GETARG_INT32(0);
	if (v < (is_index ? 1 : 0) || v > DEMO_MAX_LEADS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be between %d and %d", name, is_index ? 1 : 0, DEMO_MAX_LEADS),
				 errdetail("%d was given.", v),
				 is_index ? errhint("Pass the number of a demo lead, e.g. 1.") :
				 errhint("Pass a number of leads in range, e.g. 10000; 200000 leads make about five million events.")));
	return v;
}

/* ----------------------------------------------------------------
 * SQL-callable functions
 * ---------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(lq_demo_check_args);
PG_FUNCTION_INFO_V1(lq_demo_leads);
PG_FUNCTION_INFO_V1(lq_demo_events);
PG_FUNCTION_INFO_V1(lq_demo_lifecycle);

/*
 * lq_demo_check_args
 *		demo_check_args(leads, seed, start_at, days) → timestamptz: validate
 *		generate_demo's arguments and return the end of the period,
 *		start_at + days × 24 hours.
 */
Datum
lq_demo_check_args(PG_FUNCTION_ARGS)
{
	DemoArgs	a;

	demo_check_count(fcinfo, false);
	demo_check_common(fcinfo, &a);
	PG_RETURN_TIMESTAMPTZ(a.end);
}

/*
 * demo_result_tupdesc
 *		The blessed result row type of an SRF.
 */
static TupleDesc
demo_result_tupdesc(FunctionCallInfo fcinfo)
{
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	return BlessTupleDesc(tupdesc);
}

/*
 * lq_demo_leads
 *		demo_leads(leads, seed, start_at, days) → setof (idx, external_id,
 *		created_at, email, company, job_title, industry, country,
 *		company_size, attributes, source_channel, source_campaign, owner):
 *		leads 1 … leads, in that order.
 */
Datum
lq_demo_leads(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	DemoArgs   *a;
	DemoCache  *cache;
	DemoLead	lead;
	Datum		values[13];
	bool		nulls[13];
	char	   *s;
	HeapTuple	tuple;
	int64		idx;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		int32		leads;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		leads = demo_check_count(fcinfo, false);
		a = palloc(sizeof(DemoArgs));
		demo_check_common(fcinfo, a);
		funcctx->user_fctx = a;
		funcctx->max_calls = leads;
		funcctx->tuple_desc = demo_result_tupdesc(fcinfo);
		(void) lq_demo_get_cache();
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	if (funcctx->call_cntr >= funcctx->max_calls)
		SRF_RETURN_DONE(funcctx);

	a = (DemoArgs *) funcctx->user_fctx;
	cache = lq_demo_get_cache();	/* built by the first call */
	idx = (int64) funcctx->call_cntr + 1;
	lq_demo_make_lead(a, idx, &lead);

	memset(nulls, 0, sizeof(nulls));
	values[0] = Int32GetDatum((int32) idx);
	values[1] = CStringGetTextDatum(psprintf("demo-%06lld", (long long) idx));
	values[2] = TimestampTzGetDatum(lead.created);
	values[3] = CStringGetTextDatum(lq_demo_email(&lead));
	s = lq_demo_company_name(&lead);
	if (s)
		values[4] = CStringGetTextDatum(s);
	else
		nulls[4] = true;
	if (lead.title)
		values[5] = CStringGetTextDatum(lead.title);
	else
		nulls[5] = true;
	if (lead.industry >= 0)
		values[6] = CStringGetTextDatum(lq_demo_industries[lead.industry].name);
	else
		nulls[6] = true;
	values[7] = CStringGetTextDatum(lq_demo_countries[lead.country].code);
	if (lead.company_size >= 0)
		values[8] = Int32GetDatum(lead.company_size);
	else
		nulls[8] = true;
	s = psprintf("{\"first_name\": \"%c%s\", \"last_name\": \"%c%s\"}",
				 pg_toupper((unsigned char) lq_demo_first_names[lead.first_name][0]),
				 lq_demo_first_names[lead.first_name] + 1,
				 pg_toupper((unsigned char) lq_demo_last_names[lead.last_name][0]),
				 lq_demo_last_names[lead.last_name] + 1);
	values[9] = DirectFunctionCall1(jsonb_in, CStringGetDatum(s));
	values[10] = cache->channel[lead.channel];
	values[11] = cache->campaign[lead.campaign];
	values[12] = CStringGetTextDatum(lq_demo_reps[lead.owner].name);

	tuple = heap_form_tuple(funcctx->tuple_desc, values, nulls);
	SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(tuple));
}

typedef struct DemoEventsCtx
{
	DemoEvents	events;
	int			next;
} DemoEventsCtx;

/*
 * lq_demo_events
 *		demo_events(idx, seed, start_at, days) → setof (event_type,
 *		occurred_at, channel, campaign, properties): the events of lead
 *		number idx in time order.
 */
Datum
lq_demo_events(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	DemoEventsCtx *ctx;
	DemoEvent  *e;
	Datum		values[5];
	bool		nulls[5];
	HeapTuple	tuple;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		DemoArgs   *a;
		DemoLead	lead;
		int32		idx;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		idx = demo_check_count(fcinfo, true);
		a = palloc(sizeof(DemoArgs));
		demo_check_common(fcinfo, a);
		lq_demo_make_lead(a, idx, &lead);
		ctx = palloc0(sizeof(DemoEventsCtx));
		lq_demo_make_events(a, &lead, &ctx->events);
		funcctx->user_fctx = ctx;
		funcctx->tuple_desc = demo_result_tupdesc(fcinfo);
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	ctx = (DemoEventsCtx *) funcctx->user_fctx;
	if (ctx->next >= ctx->events.n)
		SRF_RETURN_DONE(funcctx);

	e = &ctx->events.ev[ctx->next++];
	memset(nulls, 0, sizeof(nulls));
	values[0] = ctx->events.cache->kind[e->kind];
	values[1] = TimestampTzGetDatum(e->t);
	if (e->channel >= 0)
		values[2] = ctx->events.cache->channel[e->channel];
	else
		nulls[2] = true;
	if (e->campaign >= 0)
		values[3] = ctx->events.cache->campaign[e->campaign];
	else
		nulls[3] = true;
	values[4] = e->prop >= 0 ? ctx->events.cache->prop[e->prop] : ctx->events.cache->empty_object;

	tuple = heap_form_tuple(funcctx->tuple_desc, values, nulls);
	SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(tuple));
}

typedef struct DemoLifecycleCtx
{
	DemoSim    *sim;
	int			next;
} DemoLifecycleCtx;

/* the stages as SQL spells them, in the order of DemoStage */
static const char *const demo_stage_names[] = {
	"inquiry", "mql", "sal", "sql", "opportunity", "won", "lost", "nurture",
	"disqualified"
};

/*
 * lq_demo_lifecycle
 *		demo_lifecycle(idx, seed, start_at, days, fit, mql_at, reasons,
 *		recyclable) → setof (step, from_stage, to_stage, changed_at, actor,
 *		reason, score, recycle_count, amount, closed_at, status): the stage
 *		moves of lead number idx, whose fit score is fit and who becomes an
 *		MQL by the rules at mql_at (NULL: never).  reasons and recyclable are
 *		the rejection_reason table (code, recyclable), in one order.  A move
 *		into opportunity carries that opportunity's amount, closing time and
 *		status.
 */
Datum
lq_demo_lifecycle(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	DemoLifecycleCtx *ctx;
	DemoMove   *m;
	Datum		values[11];
	bool		nulls[11];
	HeapTuple	tuple;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		DemoArgs   *a;
		DemoLead   *lead;
		DemoSim    *sim;
		int32		idx;
		Datum	   *codes;
		bool	   *code_nulls;
		Datum	   *flags;
		bool	   *flag_nulls;
		int			ncodes;
		int			nflags;
		int			i;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		idx = demo_check_count(fcinfo, true);
		a = palloc(sizeof(DemoArgs));
		demo_check_common(fcinfo, a);
		if (PG_ARGISNULL(4))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("fit must not be null"),
					 errhint("Pass the lead's fit score, e.g. leadqual.fit_score(lead).")));
		if (PG_ARGISNULL(6) || PG_ARGISNULL(7))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("reasons and recyclable must not be null"),
					 errhint("Pass the codes and recyclable flags of leadqual.rejection_reason.")));

		sim = palloc0(sizeof(DemoSim));
		sim->args = a;
		sim->fit = PG_GETARG_FLOAT8(4);
		lq_check_finite(sim->fit, "fit");
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(6), TEXTOID, -1, false, TYPALIGN_INT,
						  &codes, &code_nulls, &ncodes);
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(7), BOOLOID, 1, true, TYPALIGN_CHAR,
						  &flags, &flag_nulls, &nflags);
		if (ncodes != nflags || ncodes == 0)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("reasons and recyclable must be non-empty arrays of one length"),
					 errhint("Pass the codes and recyclable flags of leadqual.rejection_reason.")));
		sim->nreasons = ncodes;
		sim->reasons = palloc(sizeof(char *) * ncodes);
		sim->recyclable = palloc(sizeof(bool) * ncodes);
		for (i = 0; i < ncodes; i++)
		{
			if (code_nulls[i] || flag_nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("reasons and recyclable must not contain nulls"),
						 errhint("Pass the codes and recyclable flags of leadqual.rejection_reason.")));
			sim->reasons[i] = TextDatumGetCString(codes[i]);
			sim->recyclable[i] = DatumGetBool(flags[i]);
		}

		/* the lead, its events and the default model, as phases 1 and 2 */
		lead = palloc(sizeof(DemoLead));
		lq_demo_make_lead(a, idx, lead);
		sim->lead = lead;
		sim->events = palloc(sizeof(DemoEvents));
		lq_demo_make_events(a, lead, sim->events);
		sim->model = lq_get_model("default", 7);
		sim->fit_letter = lq_fit_letter(sim->model, sim->fit);
		sim->sla = lq_interval_usecs(&sim->model->sla, NULL);
		sim->recycle_after = lq_interval_usecs(&sim->model->recycle_after, NULL);
		for (i = 0; i < NUM_KINDS; i++)
			sim->types[i] = lq_find_event_type(sim->model, lq_demo_kind_names[i],
											   strlen(lq_demo_kind_names[i]));
		sim->eng = lq_eng_state_new(sim->model, DT_NOEND, CurrentMemoryContext);
		demo_rng_init(&sim->rng, a->seed, idx, DEMO_STREAM_LIFECYCLE);

		if (!PG_ARGISNULL(5))
		{
			TimestampTz mql_at = PG_GETARG_TIMESTAMPTZ(5);

			if (TIMESTAMP_NOT_FINITE(mql_at) || mql_at < lead->created || mql_at > a->end)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("mql_at must lie between the lead's creation and the end of the period"),
						 errhint("Pass the mql_crossing of the lead's demo events, or NULL.")));
			lq_demo_simulate(sim, mql_at);
		}
		else
			lq_demo_simulate(sim, DT_NOBEGIN);

		ctx = palloc0(sizeof(DemoLifecycleCtx));
		ctx->sim = sim;
		funcctx->user_fctx = ctx;
		funcctx->tuple_desc = demo_result_tupdesc(fcinfo);
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	ctx = (DemoLifecycleCtx *) funcctx->user_fctx;
	if (ctx->next >= ctx->sim->nmoves)
		SRF_RETURN_DONE(funcctx);

	m = &ctx->sim->moves[ctx->next++];
	memset(nulls, 0, sizeof(nulls));
	values[0] = Int32GetDatum(ctx->next);
	values[1] = CStringGetTextDatum(demo_stage_names[m->from]);
	values[2] = CStringGetTextDatum(demo_stage_names[m->to]);
	values[3] = TimestampTzGetDatum(m->at);
	values[4] = CStringGetTextDatum(m->actor);
	if (m->reason)
		values[5] = CStringGetTextDatum(m->reason);
	else
		nulls[5] = true;
	values[6] = Float8GetDatum(m->score);
	values[7] = Int32GetDatum(m->recycle_count);
	if (m->to == ST_OPPORTUNITY)
	{
		values[8] = DirectFunctionCall1(int8_numeric, Int64GetDatum(m->amount));
		if (!TIMESTAMP_IS_NOBEGIN(m->closed_at))
			values[9] = TimestampTzGetDatum(m->closed_at);
		else
			nulls[9] = true;
		values[10] = CStringGetTextDatum(m->status);
	}
	else
		nulls[8] = nulls[9] = nulls[10] = true;

	tuple = heap_form_tuple(funcctx->tuple_desc, values, nulls);
	SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(tuple));
}
