/*-------------------------------------------------------------------------
 *
 * demo_leads.c
 *	  Phase 1 of generate_demo(): who demo lead number idx is.
 *
 * A lead arrives through one of twelve acquisition channels (and one of the
 * channel's campaigns) with a latent quality that depends on the channel;
 * quality drives who the lead is (title, company size, industry, country,
 * free-mail address), so channel quality shows in the fit score.  Its owner
 * is a sales rep of its territory.  Everything is drawn from the lead's own
 * stream (DEMO_STREAM_LEAD), so it is a pure function of (seed, idx,
 * start_at, days).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "demo/demo.h"

/*
 * demo_day_of_week
 *		0 = Monday … 6 = Sunday of a timestamp, in UTC.
 */
static int
demo_day_of_week(TimestampTz t)
{
	int64		day = t / DEMO_DAY;

	if (t < 0 && t % DEMO_DAY != 0)
		day--;
	/* 2000-01-01, day 0, was a Saturday */
	return (int) (((day + 5) % 7 + 7) % 7);
}

/*
 * lq_demo_make_lead
 *		Who lead number idx is.  A pure function of (seed, idx, start, days).
 */
void
lq_demo_make_lead(const DemoArgs *a, int64 idx, DemoLead *lead)
{
	DemoRng		rng;
	double		w[Max(NUM_CHANNELS, Max(NUM_INDUSTRIES, NUM_COUNTRIES))];
	double		z;
	double		x;
	int64		offset;
	int			i;
	int			tries;

	memset(lead, 0, sizeof(DemoLead));
	demo_rng_init(&rng, a->seed, idx, DEMO_STREAM_LEAD);
	lead->idx = idx;

	/* channel, campaign and latent quality */
	for (i = 0; i < NUM_CHANNELS; i++)
		w[i] = lq_demo_channels[i].volume;
	lead->channel = demo_weighted(&rng, w, NUM_CHANNELS);
	lead->campaign = lq_demo_campaign_of(&rng, lead->channel, true);
	z = lq_demo_channels[lead->channel].quality + lq_demo_campaigns[lead->campaign].delta +
		0.22 * demo_normal(&rng);
	lead->quality = z = demo_clamp(z, 0.01, 0.99);
	lead->activity = demo_clamp(0.45 * z + 0.55 * pow(demo_uniform(&rng), 1.4), 0.0, 1.0);

	/*
	 * Creation time: volume grows over the period (density 0.75 → 1.25),
	 * fewer leads at weekends, office hours.  Trade-show leads arrive on
	 * the show's days.
	 */
	if (lead->channel == CH_TRADE_SHOW)
	{
		int			c = lead->campaign - lq_demo_first_campaign(CH_TRADE_SHOW);

		/* three shows, at 20 %, 50 % and 80 % of the period */
		x = 0.2 + 0.3 * (c % 3);
		offset = (int64) (x * a->days) * DEMO_DAY + (int64) demo_below(&rng, 3) * DEMO_DAY;
	}
	else
	{
		for (tries = 0;; tries++)
		{
			double		u = demo_uniform(&rng);

			x = (-0.75 + sqrt(0.5625 + u)) / 0.5;
			offset = (int64) (x * a->days) * DEMO_DAY;
			if (tries >= 3 || demo_day_of_week(a->start + offset) < 5 || demo_chance(&rng, 0.3))
				break;
		}
	}
	offset += (int64) (demo_clamp(13.5 + 3.5 * demo_normal(&rng), 0, 23.99) * 3600.0) * DEMO_SEC;
	if (offset >= (int64) a->days * DEMO_DAY)
		offset = (int64) a->days * DEMO_DAY - DEMO_HOUR;
	lead->created = demo_even(a, a->start + offset);

	/* who: seniority and title */
	w[SEN_C_LEVEL] = 0.02 + 0.12 * z;
	w[SEN_VP] = 0.05 + 0.20 * z;
	w[SEN_MANAGER] = 0.20 + 0.12 * z;
	w[SEN_INDIVIDUAL] = 0.50 - 0.20 * z;
	w[SEN_STUDENT] = 0.22 * (1 - z) * (1 - z);
	lead->seniority = demo_weighted(&rng, w, NUM_SENIORITY);
	if (lead->seniority != SEN_STUDENT && demo_chance(&rng, 0.08 * (1 - z)))
		lead->title = NULL;
	else
	{
		const DemoTitles *t = &lq_demo_titles[lead->seniority];

		lead->title = t->titles[demo_below(&rng, t->n)];
	}

	/* company size: log-normal around a quality-dependent median */
	x = 1.0 + 2.2 * z + 0.7 * demo_normal(&rng);
	if (lead->seniority == SEN_C_LEVEL && demo_chance(&rng, 0.5))
		x -= 0.8;				/* founders of small firms */
	lead->company_size = (int) demo_clamp(floor(pow(10.0, demo_clamp(x, 0, 5.4))), 1, 250000);
	if (demo_chance(&rng, 0.12 * (1 - z)))
		lead->company_size = -1;

	/* industry */
	if (lead->seniority == SEN_STUDENT && demo_chance(&rng, 0.7))
		lead->industry = IND_EDUCATION;
	else if (demo_chance(&rng, 0.05))
		lead->industry = -1;
	else if (demo_chance(&rng, 0.25 + 0.55 * z))
	{
		for (i = 0; i < NUM_TARGET_INDUSTRIES; i++)
			w[i] = lq_demo_industries[i].weight;
		lead->industry = demo_weighted(&rng, w, NUM_TARGET_INDUSTRIES);
	}
	else
	{
		for (i = NUM_TARGET_INDUSTRIES; i < NUM_INDUSTRIES; i++)
			w[i - NUM_TARGET_INDUSTRIES] = lq_demo_industries[i].weight;
		lead->industry = NUM_TARGET_INDUSTRIES +
			demo_weighted(&rng, w, NUM_INDUSTRIES - NUM_TARGET_INDUSTRIES);
	}

	/* country */
	if (demo_chance(&rng, 0.45 + 0.45 * z))
	{
		for (i = 0; i < NUM_TARGET_COUNTRIES; i++)
			w[i] = lq_demo_countries[i].weight;
		lead->country = demo_weighted(&rng, w, NUM_TARGET_COUNTRIES);
	}
	else
	{
		for (i = NUM_TARGET_COUNTRIES; i < NUM_COUNTRIES; i++)
			w[i - NUM_TARGET_COUNTRIES] = lq_demo_countries[i].weight;
		lead->country = NUM_TARGET_COUNTRIES +
			demo_weighted(&rng, w, NUM_COUNTRIES - NUM_TARGET_COUNTRIES);
	}

	/* name, company, e-mail */
	lead->first_name = demo_below(&rng, NUM_FIRST_NAMES);
	lead->last_name = demo_below(&rng, NUM_LAST_NAMES);
	lead->company_prefix = demo_below(&rng, NUM_COMPANY_PREFIXES);
	lead->company_suffix = demo_below(&rng, 3);
	lead->company_legal = demo_chance(&rng, 0.5);
	if (lead->seniority == SEN_STUDENT)
	{
		lead->student_university = demo_chance(&rng, 0.4);
		lead->has_company = lead->student_university;
		if (lead->student_university)
		{
			lead->industry = IND_EDUCATION;
			lead->company_size = 1000 + demo_below(&rng, 40000);
		}
		else
			lead->company_size = -1;
		lead->free_mail = demo_chance(&rng, 0.85);
	}
	else
	{
		lead->has_company = !demo_chance(&rng, 0.06 * (1 - z));
		lead->free_mail = !lead->has_company || demo_chance(&rng, 0.60 - 0.55 * z);
	}
	lead->free_domain = demo_weighted(&rng, lq_demo_free_weights, NUM_FREE_DOMAINS);
	lead->mail_number = demo_chance(&rng, 0.6) ? demo_below(&rng, 100) : -1;

	/* owner: a rep of the lead's territory */
	{
		int			ids[NUM_REPS];
		int			n = 0;

		for (i = 0; i < NUM_REPS; i++)
			if (lq_demo_reps[i].territory == lq_demo_countries[lead->country].territory)
				ids[n++] = i;
		lead->owner = ids[demo_below(&rng, n)];
	}
}

/*
 * lq_demo_company_name
 *		Company name of a lead (palloc'd), NULL if it has none.
 */
char *
lq_demo_company_name(const DemoLead *lead)
{
	const char *prefix = lq_demo_company_prefixes[lead->company_prefix];
	const DemoCountry *c = &lq_demo_countries[lead->country];

	if (!lead->has_company)
		return NULL;
	if (lead->student_university)
		return psprintf("%s %s", prefix, lq_demo_universities[lead->company_suffix]);
	if (lead->industry < 0)
		return psprintf("%s Group", prefix);
	if (lead->company_legal && c->legal != NULL)
		return psprintf("%s %s %s", prefix,
						lq_demo_industries[lead->industry].suffix[lead->company_suffix], c->legal);
	return psprintf("%s %s", prefix, lq_demo_industries[lead->industry].suffix[lead->company_suffix]);
}

/*
 * lq_demo_email
 *		E-mail address of a lead (palloc'd): first.last at the company's
 *		domain, or at a free-mail provider.
 */
char *
lq_demo_email(const DemoLead *lead)
{
	const char *first = lq_demo_first_names[lead->first_name];
	const char *last = lq_demo_last_names[lead->last_name];
	StringInfoData domain;
	const char *p;

	if (lead->free_mail)
	{
		if (lead->mail_number >= 0)
			return psprintf("%s.%s%d@%s", first, last, lead->mail_number,
							lq_demo_free_domains[lead->free_domain]);
		return psprintf("%s.%s@%s", first, last, lq_demo_free_domains[lead->free_domain]);
	}

	initStringInfo(&domain);
	for (p = lq_demo_company_prefixes[lead->company_prefix]; *p; p++)
		appendStringInfoChar(&domain, pg_ascii_tolower((unsigned char) *p));
	if (lead->student_university)
		appendStringInfoString(&domain, "-university.edu");
	else
	{
		const char *suffix = lead->industry < 0 ? "group" :
			lq_demo_industries[lead->industry].suffix[lead->company_suffix];

		for (p = suffix; *p; p++)
			appendStringInfoChar(&domain, pg_ascii_tolower((unsigned char) *p));
		appendStringInfo(&domain, ".%s", lq_demo_countries[lead->country].tld);
	}
	return psprintf("%s.%s@%s", first, last, domain.data);
}
