/*-------------------------------------------------------------------------
 *
 * demo_lifecycle.c
 *	  Phase 3 of generate_demo(): how sales and marketing move demo lead
 *	  number idx through the lifecycle.
 *
 * The lifecycle starts where the scoring rules say: the MQL moment is given
 * by the mql_crossing aggregate over the inserted events.  Sales (one of
 * twelve reps, by territory, each with a habit of speed and of ignoring
 * MQLs) accepts or rejects with a reason, qualifies, opens and closes
 * opportunities; rejected and lost leads go to nurture and come back by the
 * model's automatic rules (a hand-raise after entering nurture, or the score
 * rule once recycle_after has passed).  Moves are those of the default
 * transition table, never after start_at + days, at an odd number of
 * seconds after start_at.  Draws come from the lead's own stream
 * (DEMO_STREAM_LIFECYCLE).
 *
 * The defaults tell the story the field's surveys tell (issue 9): sales
 * lets about half of the MQLs pass their SLA untouched (some for good, some
 * until marketing takes them back into nurture weeks later, most until a
 * late look) and accepts about one in six of marketing's MQLs, hardly any
 * from the low-quality channels; what it accepts is good, so the revenue
 * comes from a few high-intent channels.  Sales-sourced outbound leads skip
 * mql.  The constants below are tuned for that; test/demo.sql and
 * sql/demo.sql check the shares.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "demo/demo.h"

/* where a reason is given */
typedef enum DemoReasonContext
{
	RC_MQL, RC_SAL, RC_SQL, RC_LOST, RC_JUNK,
	RC_STALE					/* marketing takes back an MQL sales never touched */
} DemoReasonContext;

/*
 * demo_score_at
 *		The lead's score at time t (fit + engagement of the events up to t),
 *		as score() would compute it.  Calls come in non-decreasing t.
 */
static double
demo_score_at(DemoSim *sim, TimestampTz t)
{
	DemoEvents *ev = sim->events;

	while (sim->swept < ev->n && ev->ev[sim->swept].t <= t)
	{
		DemoEvent  *e = &ev->ev[sim->swept++];
		LqEventType *type = sim->types[e->kind];
		int			matched[64];
		int		   *m = matched;
		int			n;
		int			i;

		if (type == NULL || type->nrules == 0)
			continue;
		if (type->nrules > (int) lengthof(matched))
			m = palloc(sizeof(int) * type->nrules);
		n = lq_eng_match(sim->model, type,
						 e->prop < 0 ? ev->cache->empty_object : ev->cache->prop[e->prop],
						 false, m);
		for (i = 0; i < n; i++)
			lq_eng_state_add_match(sim->eng, m[i], e->t);
	}
	return sim->fit + lq_eng_value(sim->eng, t);
}

/*
 * demo_odd
 *		t moved to an odd number of seconds after start, after `after`
 *		(action times).
 */
static TimestampTz
demo_odd(const DemoArgs *a, TimestampTz t, TimestampTz after)
{
	int64		off = t - a->start;

	if (off < 0)
		off = 0;
	t = a->start + (off / (2 * DEMO_SEC)) * 2 * DEMO_SEC + DEMO_SEC;
	while (t <= after)
		t += 2 * DEMO_SEC;
	return t;
}

/*
 * demo_move
 *		Record a move at time at (the caller made sure at <= end).
 */
static DemoMove *
demo_move(DemoSim *sim, DemoStage to, TimestampTz at, const char *actor, const char *reason)
{
	DemoMove   *m;

	if (sim->nmoves >= DEMO_MAX_MOVES)
		elog(ERROR, "demo lead %lld makes too many moves", (long long) sim->lead->idx);
	if (to == ST_NURTURE)
		sim->recycles++;
	m = &sim->moves[sim->nmoves++];
	memset(m, 0, sizeof(DemoMove));
	m->from = sim->stage;
	m->to = to;
	m->at = at;
	m->actor = actor;
	m->reason = reason;
	m->score = demo_score_at(sim, at);
	m->recycle_count = sim->recycles;
	sim->stage = to;
	sim->since = at;
	return m;
}

/*
 * demo_reason_weight
 *		How likely a reason code is in a context, for this lead.  Codes the
 *		demo does not know (added by users) are rare but possible.
 */
static double
demo_reason_weight(const DemoSim *sim, const char *code, DemoReasonContext ctx)
{
	const DemoLead *l = sim->lead;
	bool		student = l->seniority == SEN_STUDENT;
	bool		junior = l->seniority == SEN_INDIVIDUAL || l->title == NULL;
	bool		tiny = l->company_size >= 0 && l->company_size < 10;

	if (ctx == RC_STALE)
	{
		if (strcmp(code, "unresponsive") == 0)
			return 1;
		if (strcmp(code, "bad_timing") == 0)
			return 0.3;
		return 0;
	}
	if (ctx == RC_JUNK)
	{
		if (strcmp(code, "student") == 0)
			return student ? 1 : 0;
		if (strcmp(code, "bad_contact_data") == 0)
			return student ? 0 : 1;
		return 0;
	}
	if (strcmp(code, "student") == 0)
		return ctx == RC_MQL && student ? 3.0 : 0;
	if (strcmp(code, "bad_contact_data") == 0)
		return ctx == RC_MQL ? (l->free_mail ? 0.5 : 0.05) + (l->has_company ? 0 : 0.5) : 0;
	if (strcmp(code, "no_authority") == 0)
		return ctx == RC_LOST ? 0.05 : (junior ? 0.9 : 0.1);
	if (strcmp(code, "no_budget") == 0)
		return (tiny ? 0.8 : 0.25) + (ctx == RC_LOST ? 0.2 : 0);
	if (strcmp(code, "no_need") == 0)
		return 0.35 * (1.2 - l->quality) + (ctx == RC_LOST ? 0.05 : 0);
	if (strcmp(code, "bad_timing") == 0)
		return ctx == RC_MQL ? 0.25 : 0.35;
	if (strcmp(code, "unresponsive") == 0)
		return ctx == RC_MQL ? 0.5 : 0.2;
	if (strcmp(code, "competitor") == 0)
		return ctx == RC_LOST ? 0.6 : 0.04;
	if (strcmp(code, "existing_customer") == 0)
		return ctx == RC_MQL ? 0.05 : 0;
	if (strcmp(code, "duplicate") == 0)
		return ctx == RC_MQL ? 0.06 : 0;
	return 0.02;
}

/*
 * demo_pick_reason
 *		A reason code from the rejection_reason table for a context; sets
 *		*recyclable.  NULL if no code fits (only for junk inquiries, where
 *		no reason is needed).
 */
static const char *
demo_pick_reason(DemoSim *sim, DemoReasonContext ctx, bool *recyclable)
{
	double		w[256];
	double		total = 0;
	int			n = Min(sim->nreasons, (int) lengthof(w));
	int			i;

	for (i = 0; i < n; i++)
		total += (w[i] = demo_reason_weight(sim, sim->reasons[i], ctx));
	if (total <= 0)
	{
		if (ctx == RC_JUNK || ctx == RC_STALE || n == 0)
			return NULL;
		for (i = 0; i < n; i++)
			w[i] = 1;
	}
	i = demo_weighted(&sim->rng, w, n);
	*recyclable = sim->recyclable[i];
	return sim->reasons[i];
}

/*
 * demo_reject
 *		Sales rejects the lead (from mql, sal or sql) at time at: into
 *		nurture with a recyclable reason, else disqualified.
 */
static void
demo_reject(DemoSim *sim, DemoReasonContext ctx, TimestampTz at)
{
	bool		recyclable = false;
	const char *reason = demo_pick_reason(sim, ctx, &recyclable);

	demo_move(sim, recyclable ? ST_NURTURE : ST_DISQUALIFIED, at, "sales", reason);
}

/*
 * demo_take_back
 *		Marketing takes an MQL that sales never touched back into nurture
 *		at time at (an SLA sweep), with a recyclable reason; if the reasons
 *		table has none that fits, it stays an MQL.  Returns whether it moved.
 */
static bool
demo_take_back(DemoSim *sim, TimestampTz at)
{
	bool		recyclable = false;
	const char *reason = demo_pick_reason(sim, RC_STALE, &recyclable);

	if (reason == NULL || !recyclable)
		return false;
	demo_move(sim, ST_NURTURE, at, "marketing", reason);
	return true;
}

/*
 * demo_hand_raise_at
 *		Whether an event at exactly time t is a hand-raise of the model.
 */
static bool
demo_hand_raise_at(DemoSim *sim, TimestampTz t)
{
	DemoEvents *ev = sim->events;
	int			i;

	for (i = 0; i < ev->n && ev->ev[i].t <= t; i++)
	{
		LqEventType *type = sim->types[ev->ev[i].kind];

		if (ev->ev[i].t == t && type != NULL && type->hand_raise)
			return true;
	}
	return false;
}

/*
 * demo_meets_rule
 *		Whether the lead meets the model's score rule at time t (the MQL
 *		rule of mql_rule.c, by score).
 */
static bool
demo_meets_rule(DemoSim *sim, TimestampTz t)
{
	return lq_mql_reason(sim->model, false, true, demo_score_at(sim, t),
						 sim->fit_letter) == LQ_MQL_SCORE;
}

/*
 * demo_requalify
 *		When a lead that entered nurture at `since` becomes an MQL again, as
 *		live scoring and rescore() would see it: at a hand-raise event after
 *		it entered nurture, or, once recycle_after has passed, at the first
 *		of the next nightly rescore (02:00 by start_at's clock), a later
 *		event, or rescore() at the end of the period, at which it meets the
 *		score rule.  DT_NOBEGIN if not by the end.
 *
 * Between events a score only decays, so after the first nightly run past
 * the gate only event times (and the end, for rules that rise with time)
 * need checking.
 */
static TimestampTz
demo_requalify(DemoSim *sim, bool *by_hand_raise)
{
	const DemoArgs *a = sim->args;
	DemoEvents *ev = sim->events;
	TimestampTz gate = sim->since + sim->recycle_after;
	TimestampTz nightly = a->start + 2 * DEMO_HOUR;
	bool		nightly_due = true;
	int			i;

	*by_hand_raise = false;
	if (gate > nightly)
		nightly += ((gate - nightly + DEMO_DAY - 1) / DEMO_DAY) * DEMO_DAY;

	for (i = 0; i < ev->n; i++)
	{
		DemoEvent  *e = &ev->ev[i];
		LqEventType *type = sim->types[e->kind];

		if (e->t <= sim->since)
			continue;
		if (nightly_due && nightly <= e->t)
		{
			nightly_due = false;
			if (nightly < e->t && demo_meets_rule(sim, nightly))
				return nightly;
		}
		if (type != NULL && type->hand_raise)
		{
			*by_hand_raise = true;
			return e->t;
		}
		if (e->t >= gate && demo_meets_rule(sim, e->t))
			return e->t;
	}
	if (nightly_due && nightly <= a->end && demo_meets_rule(sim, nightly))
		return nightly;
	if (gate <= a->end && demo_meets_rule(sim, a->end))
		return a->end;
	return DT_NOBEGIN;
}

/*
 * demo_amount
 *		Deal size: by company size and the lead's quality (good leads buy
 *		more), log-normal, in whole hundreds.
 */
static int64
demo_amount(DemoSim *sim)
{
	int			size = sim->lead->company_size;
	double		base = size < 0 ? 15000 : size < 50 ? 8000 : size < 200 ? 20000 :
		size < 1000 ? 45000 : 120000;
	double		amount = demo_lognormal(&sim->rng, base, 0.45) * exp(2 * (sim->lead->quality - 0.6));

	return Max((int64) 1000, (int64) (amount / 100) * 100);
}

/*
 * lq_demo_simulate
 *		The lead's moves from inquiry on.  mql_at is when the scoring rules
 *		make it an MQL (the mql_crossing aggregate over its events),
 *		DT_NOBEGIN if never.
 */
void
lq_demo_simulate(DemoSim *sim, TimestampTz mql_at)
{
	const DemoArgs *a = sim->args;
	const DemoLead *l = sim->lead;
	const DemoRep *rep = &lq_demo_reps[l->owner];
	double		z = l->quality;
	bool		hand_raise = false;
	TimestampTz t;
	int			guard;

	sim->stage = ST_INQUIRY;
	sim->since = l->created;

	/* many outbound leads are sales-sourced: straight to sal, skipping mql */
	if (l->channel == CH_OUTBOUND && demo_chance(&sim->rng, 0.35))
	{
		t = demo_odd(a, l->created + (int64) (demo_lognormal(&sim->rng, 20, 0.8) * 3600) * DEMO_SEC,
					 l->created);
		if ((TIMESTAMP_IS_NOBEGIN(mql_at) || t < mql_at) && t <= a->end)
			demo_move(sim, ST_SAL, t, "sales", NULL);
	}
	if (sim->stage == ST_INQUIRY && !TIMESTAMP_IS_NOBEGIN(mql_at))
	{
		hand_raise = demo_hand_raise_at(sim, mql_at);
		demo_move(sim, ST_MQL, mql_at, "system", hand_raise ? "hand_raise" : "score_threshold");
	}
	else if (sim->stage == ST_INQUIRY &&
			 ((l->seniority == SEN_STUDENT && demo_chance(&sim->rng, 0.5)) ||
			  (l->free_mail && !l->has_company && demo_chance(&sim->rng, 0.3))))
	{
		/* marketing weeds out junk that never qualified */
		bool		recyclable;
		const char *reason = demo_pick_reason(sim, RC_JUNK, &recyclable);

		t = demo_odd(a, l->created + (int64) (demo_between(&sim->rng, 1, 14) * 24) * DEMO_HOUR,
					 l->created);
		if (t <= a->end)
			demo_move(sim, ST_DISQUALIFIED, t, "marketing", reason);
	}

	for (guard = 0; guard < DEMO_MAX_MOVES; guard++)
	{
		switch (sim->stage)
		{
			case ST_MQL:
				{
					double		looks;
					double		p_ignore;
					double		p_accept;
					bool		late = false;

					/*
					 * What sales sees (fit) and senses (quality) of the lead,
					 * on a logit scale: 0 for a typical MQL.
					 */
					looks = 1.3 * (sim->fit - 45) / 20 + 3.5 * (z - 0.6);

					/*
					 * Does the rep act within the SLA?  Sales ignores about
					 * half of marketing's MQLs, most of all those that look
					 * poor; a hand-raise gets more attention.
					 */
					p_ignore = 1 / (1 + exp(-(0.45 + 6 * (rep->ignore - 0.11) - 0.8 * looks -
											  (hand_raise ? 0.6 : 0))));
					if (demo_chance(&sim->rng, demo_clamp(p_ignore, 0.05, 0.95)))
					{
						double		u = demo_uniform(&sim->rng);

						if (u < 0.25)
							return;		/* never touched: stays an MQL past its SLA */
						if (u < 0.5)
						{
							/* marketing takes it back into nurture weeks later */
							t = demo_odd(a, sim->since + sim->sla +
										 (int64) (demo_between(&sim->rng, 14, 42) * 24) * DEMO_HOUR,
										 sim->since);
							if (t > a->end || !demo_take_back(sim, t))
								return;
							break;
						}
						late = true;
						t = sim->since + sim->sla +
							(int64) (demo_exponential(&sim->rng, 96) * 3600) * DEMO_SEC;
					}
					else
						t = sim->since +
							(int64) (Min(demo_lognormal(&sim->rng, rep->hours, 0.9), 47.5) * 3600) * DEMO_SEC;
					t = demo_odd(a, t, sim->since);
					if (t > a->end)
						return;

					/*
					 * Sales accepts few MQLs: the good-looking ones, those
					 * that raised their hand or came back from nurture, and
					 * hardly any that went cold waiting.
					 */
					p_accept = -3.1 + looks + (hand_raise ? 0.7 : 0) +
						(sim->recycles > 0 ? 0.6 : 0) - (late ? 0.7 : 0) +
						4 * rep->accept_bias - (l->seniority == SEN_STUDENT ? 2 : 0);
					p_accept = 1 / (1 + exp(-p_accept));
					if (demo_chance(&sim->rng, demo_clamp(p_accept, 0.01, 0.95)))
						demo_move(sim, ST_SAL, t, "sales", NULL);
					else
						demo_reject(sim, RC_MQL, t);
					break;
				}
			case ST_SAL:
				t = demo_odd(a, sim->since +
							 (int64) (demo_lognormal(&sim->rng, 3 * 24, 0.8) * 3600) * DEMO_SEC,
							 sim->since);
				if (t > a->end)
					return;
				if (demo_chance(&sim->rng, demo_clamp(0.30 + 0.50 * z, 0.05, 0.95)))
					demo_move(sim, ST_SQL, t, "sales", NULL);
				else
					demo_reject(sim, RC_SAL, t);
				break;
			case ST_SQL:
				t = demo_odd(a, sim->since +
							 (int64) (demo_lognormal(&sim->rng, 6 * 24, 0.7) * 3600) * DEMO_SEC,
							 sim->since);
				if (t > a->end)
					return;
				if (demo_chance(&sim->rng, demo_clamp(0.40 + 0.35 * z, 0.05, 0.95)))
				{
					DemoMove   *m = demo_move(sim, ST_OPPORTUNITY, t, "sales", NULL);
					TimestampTz close;

					m->amount = demo_amount(sim);
					m->status = "open";
					m->closed_at = DT_NOBEGIN;
					close = demo_odd(a, t + (int64) (demo_lognormal(&sim->rng, 35 * 24, 0.6) * 3600) * DEMO_SEC, t);
					if (close <= a->end)
					{
						bool		won = demo_chance(&sim->rng,
													  demo_clamp(-0.45 + 1.3 * z + rep->win_bias, 0.02, 0.9));

						m->closed_at = close;
						if (won)
						{
							m->status = "won";
							m->amount = Max((int64) 1000,
											(int64) (m->amount * demo_between(&sim->rng, 0.85, 1.05) / 100) * 100);
							demo_move(sim, ST_WON, close, "sales", NULL);
						}
						else
						{
							bool		recyclable;
							const char *reason = demo_pick_reason(sim, RC_LOST, &recyclable);

							m->status = "lost";
							demo_move(sim, ST_LOST, close, "sales", reason);
						}
					}
				}
				else
					demo_reject(sim, RC_SQL, t);
				break;
			case ST_LOST:
				/* marketing puts half the lost deals back into nurture */
				if (!demo_chance(&sim->rng, 0.5))
					return;
				t = demo_odd(a, sim->since + (int64) (demo_between(&sim->rng, 7, 30) * 24) * DEMO_HOUR,
							 sim->since);
				if (t > a->end)
					return;
				demo_move(sim, ST_NURTURE, t, "marketing", NULL);
				break;
			case ST_NURTURE:
				{
					bool		by_hand_raise = false;

					t = demo_requalify(sim, &by_hand_raise);
					if (TIMESTAMP_IS_NOBEGIN(t))
						return;
					hand_raise = by_hand_raise;
					demo_move(sim, ST_MQL, t, "system",
							  by_hand_raise ? "hand_raise" : "score_threshold");
					break;
				}
			default:
				/* inquiry, won, disqualified: nothing more happens */
				return;
		}
	}
}
