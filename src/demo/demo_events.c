/*-------------------------------------------------------------------------
 *
 * demo_events.c
 *	  Phase 2 of generate_demo(): what demo lead number idx did.
 *
 * After its acquisition touch a lead reads marketing e-mails, visits the
 * web site in sessions that come from various channels (the first page
 * view of a session is a touch), downloads content, attends webinars,
 * sometimes raises its hand (demo or contact request), sometimes comes back
 * months later, and sometimes unsubscribes.  About 25 events per lead,
 * heavy-tailed, drawn from the lead's own stream (DEMO_STREAM_EVENTS).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "demo/demo.h"

/*
 * demo_add
 *		Record an event at time t (moved to an even second); events after
 *		the end of the period are dropped.  Returns the time used.
 */
static TimestampTz
demo_add(DemoEvents *out, TimestampTz t, DemoKind kind, DemoPropGroup group, int value,
		 int channel, int campaign)
{
	DemoEvent  *e;

	t = demo_even(out->args, t);
	if (t > out->args->end)
		return t;
	if (out->n == out->cap)
	{
		out->cap *= 2;
		out->ev = repalloc(out->ev, sizeof(DemoEvent) * out->cap);
	}
	e = &out->ev[out->n];
	e->t = t;
	e->seq = out->n;
	e->kind = kind;
	e->prop = value < 0 ? -1 : out->cache->prop_base[group] + value;
	e->channel = channel;
	e->campaign = campaign;
	out->n++;
	return t;
}

/*
 * demo_event_cmp
 *		Order events by time, then generation order.
 */
static int
demo_event_cmp(const void *a, const void *b)
{
	const DemoEvent *x = a;
	const DemoEvent *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/*
 * demo_page
 *		A page to view: landing pages differ from pages deeper in a visit;
 *		intent raises the share of pricing.
 */
static int
demo_page(DemoRng *rng, bool landing, double intent)
{
	double		w[NUM_PAGES];

	if (landing)
	{
		w[PAGE_HOME] = 20;
		w[PAGE_PRICING] = 4 + 10 * intent;
		w[PAGE_PRODUCT] = 18;
		w[PAGE_BLOG] = 35;
		w[PAGE_DOCS] = 8;
		w[PAGE_INTEGRATIONS] = 3;
		w[PAGE_CASE_STUDIES] = 5;
		w[PAGE_SECURITY] = 1;
		w[PAGE_CAREERS] = 2;
		w[PAGE_ABOUT] = 2;
		w[PAGE_COMPARISON] = 5;
	}
	else
	{
		w[PAGE_HOME] = 6;
		w[PAGE_PRICING] = 6 + 22 * intent;
		w[PAGE_PRODUCT] = 25;
		w[PAGE_BLOG] = 14;
		w[PAGE_DOCS] = 10;
		w[PAGE_INTEGRATIONS] = 8;
		w[PAGE_CASE_STUDIES] = 8;
		w[PAGE_SECURITY] = 4;
		w[PAGE_CAREERS] = 2;
		w[PAGE_ABOUT] = 4;
		w[PAGE_COMPARISON] = 4;
	}
	return demo_weighted(rng, w, NUM_PAGES);
}

/*
 * demo_web_source
 *		The channel a later web visit comes from (the lead's own channel
 *		often, for retargeting), and its campaign (organic and direct visits
 *		carry none).
 */
static void
demo_web_source(DemoRng *rng, const DemoLead *lead, int *channel, int *campaign)
{
	double		w[NUM_CHANNELS];
	int			i;

	if (lq_demo_channels[lead->channel].web_source > 0 && demo_chance(rng, 0.3))
		*channel = lead->channel;
	else
	{
		for (i = 0; i < NUM_CHANNELS; i++)
			w[i] = lq_demo_channels[i].web_source;
		*channel = demo_weighted(rng, w, NUM_CHANNELS);
	}
	if (*channel == CH_ORGANIC || *channel == CH_DIRECT)
		*campaign = -1;
	else if (*channel == lead->channel)
		*campaign = lead->campaign;
	else
		*campaign = lq_demo_campaign_of(rng, *channel, true);
}

/*
 * demo_session
 *		A web visit at time t: a landing page view (a touch if channel >= 0),
 *		more page views, maybe a download, a video or a chat, and, when
 *		hand_raise is not NUM_KINDS, a pricing view and that hand-raise at the
 *		end.  Returns the time of the last event.
 */
static TimestampTz
demo_session(DemoRng *rng, DemoEvents *out, TimestampTz t, int channel, int campaign,
			 double intent, double depth, DemoKind hand_raise)
{
	int			pages;
	int			i;

	demo_add(out, t, EV_PAGE_VIEW, PG_PAGE, demo_page(rng, channel >= 0, intent),
			 channel, campaign);
	pages = 0;
	while (pages < 30 && demo_chance(rng, depth))
		pages++;
	for (i = 0; i < pages; i++)
	{
		t += (int64) demo_between(rng, 15, 240) * DEMO_SEC;
		demo_add(out, t, EV_PAGE_VIEW, PG_PAGE, demo_page(rng, false, intent), -1, -1);
	}
	if (demo_chance(rng, 0.06))
	{
		t += (int64) demo_between(rng, 30, 300) * DEMO_SEC;
		demo_add(out, t, EV_CONTENT_DOWNLOAD, PG_ASSET,
				 demo_below(rng, NUM_ASSETS), -1, -1);
	}
	if (demo_chance(rng, 0.05))
	{
		t += (int64) demo_between(rng, 20, 200) * DEMO_SEC;
		demo_add(out, t, EV_VIDEO_PLAYED, PG_VIDEO, demo_below(rng, NUM_VIDEOS), -1, -1);
	}
	if (demo_chance(rng, 0.01 + 0.04 * intent))
	{
		t += (int64) demo_between(rng, 20, 200) * DEMO_SEC;
		demo_add(out, t, EV_CHAT_STARTED, PG_TOPIC, demo_below(rng, NUM_TOPICS), -1, -1);
	}
	if (hand_raise != NUM_KINDS)
	{
		t += (int64) demo_between(rng, 20, 180) * DEMO_SEC;
		demo_add(out, t, EV_PAGE_VIEW, PG_PAGE, PAGE_PRICING, -1, -1);
		t += (int64) demo_between(rng, 30, 400) * DEMO_SEC;
		if (hand_raise == EV_DEMO_REQUEST)
			demo_add(out, t, EV_DEMO_REQUEST, PG_FORM, FORM_DEMO, -1, -1);
		else
			demo_add(out, t, EV_CONTACT_REQUEST, PG_FORM,
					 demo_chance(rng, 0.7) ? FORM_CONTACT : FORM_QUOTE, -1, -1);
	}
	return t;
}

/*
 * lq_demo_make_events
 *		What lead number idx did, sorted by time, ending at the period's end.
 *		A pure function of the lead (and so of seed, idx, start, days).
 */
void
lq_demo_make_events(const DemoArgs *a, const DemoLead *lead, DemoEvents *out)
{
	DemoRng		rng;
	const DemoChannel *ch = &lq_demo_channels[lead->channel];
	double		z = lead->quality;
	double		e = lead->activity;
	double		intent = z * (0.4 + 0.6 * e);
	double		depth = 0.40 + 0.30 * e;
	TimestampTz t0 = lead->created;
	TimestampTz t;
	bool		hand_raised = false;
	int			acq;
	int			sessions;
	double		span;
	int			i;

	demo_rng_init(&rng, a->seed, lead->idx, DEMO_STREAM_EVENTS);
	out->args = a;
	out->cache = lq_demo_get_cache();
	out->n = 0;
	out->cap = 64;
	out->ev = palloc(sizeof(DemoEvent) * out->cap);

	/* 1. how the lead arrived: the acquisition touch */
	acq = demo_weighted(&rng, ch->acq, NUM_ACQ);
	switch (acq)
	{
		case ACQ_CONTENT:
			t = demo_add(out, t0, EV_CONTENT_DOWNLOAD, PG_ASSET,
						 demo_below(&rng, NUM_ASSETS), lead->channel, lead->campaign);
			break;
		case ACQ_FORM:
			t = demo_add(out, t0, EV_FORM_SUBMIT, PG_FORM, FORM_NEWSLETTER,
						 lead->channel, lead->campaign);
			break;
		case ACQ_DEMO:
			t = demo_add(out, t0, EV_DEMO_REQUEST, PG_FORM, FORM_DEMO,
						 lead->channel, lead->campaign);
			hand_raised = true;
			break;
		case ACQ_CONTACT:
			t = demo_add(out, t0, EV_CONTACT_REQUEST, PG_FORM, FORM_CONTACT,
						 lead->channel, lead->campaign);
			hand_raised = true;
			break;
		case ACQ_WEBINAR:
			{
				int			webinar = (lead->campaign - lq_demo_first_campaign(CH_WEBINAR)) %
					NUM_WEBINARS;

				t = demo_add(out, t0, EV_WEBINAR_REGISTERED, PG_WEBINAR, webinar,
							 lead->channel, lead->campaign);
				if (demo_chance(&rng, 0.45 + 0.25 * e))
					demo_add(out, t0 + (int64) demo_between(&rng, 2, 12) * DEMO_DAY,
							 EV_WEBINAR_ATTENDED, PG_WEBINAR, webinar,
							 lead->channel, lead->campaign);
				break;
			}
		case ACQ_SHOW:
			t = demo_add(out, t0, EV_TRADE_SHOW_VISIT, PG_SHOW, 0, lead->channel, lead->campaign);
			break;
		case ACQ_REPLY:
			t = demo_add(out, t0, EV_EMAIL_REPLY, PG_SEQUENCE, 0, lead->channel, lead->campaign);
			break;
		default:
			t = demo_add(out, t0, EV_FORM_SUBMIT, PG_FORM, FORM_PARTNER,
						 lead->channel, lead->campaign);
			break;
	}
	/* a few page views right after a web form */
	if (acq <= ACQ_CONTACT)
	{
		int			n = demo_below(&rng, 4);

		for (i = 0; i < n; i++)
		{
			t += (int64) demo_between(&rng, 15, 200) * DEMO_SEC;
			demo_add(out, t, EV_PAGE_VIEW, PG_PAGE, demo_page(&rng, false, intent), -1, -1);
		}
	}

	/* 2. the e-mail program: a nurture sequence, then every two weeks */
	{
		double		p_open = 0.10 + 0.45 * e;
		double		p_click = 0.12 + 0.25 * e;
		double		p_unsub = 0.002 + 0.010 * (1 - z);
		TimestampTz send = t0 + (int64) (demo_between(&rng, 1, 6) * 24) * DEMO_HOUR;
		int			n;

		for (n = 0; send <= a->end && n < 1000; n++)
		{
			int			mail = n < 4 ? MAIL_NURTURE :
				(n % 4 == 1 ? MAIL_PRODUCT_UPDATE : (n % 4 == 3 ? MAIL_EVENT_INVITE : MAIL_NEWSLETTER));

			if (demo_chance(&rng, p_open))
			{
				TimestampTz open = send + (int64) (demo_exponential(&rng, 8) * 3600) * DEMO_SEC;

				demo_add(out, open, EV_EMAIL_OPEN, PG_EMAIL, mail, -1, -1);
				if (demo_chance(&rng, p_click))
				{
					TimestampTz click = open + (int64) demo_between(&rng, 10, 300) * DEMO_SEC;

					demo_add(out, click, EV_EMAIL_CLICK, PG_EMAIL, mail,
							 CH_EMAIL, lq_demo_mail_campaign(mail));
					if (mail == MAIL_EVENT_INVITE)
					{
						int			webinar = demo_below(&rng, NUM_WEBINARS);

						demo_add(out, click + 60 * DEMO_SEC, EV_WEBINAR_REGISTERED, PG_WEBINAR,
								 webinar, -1, -1);
						if (demo_chance(&rng, 0.35 + 0.35 * e))
							demo_add(out, click + (int64) demo_between(&rng, 2, 10) * DEMO_DAY,
									 EV_WEBINAR_ATTENDED, PG_WEBINAR, webinar, CH_WEBINAR,
									 lq_demo_campaign_of(&rng, CH_WEBINAR, true));
					}
					else
						demo_session(&rng, out, click + 5 * DEMO_SEC, -1, -1, intent, depth,
									 NUM_KINDS);
				}
			}
			if (demo_chance(&rng, p_unsub))
			{
				demo_add(out, send + (int64) (demo_exponential(&rng, 10) * 3600) * DEMO_SEC,
						 EV_UNSUBSCRIBE, PG_LIST, demo_chance(&rng, 0.6) ? 0 : 1, -1, -1);
				break;
			}
			send += (n < 4 ? 5 * DEMO_DAY : 14 * DEMO_DAY) +
				(int64) (demo_between(&rng, -12, 12) * 3600) * DEMO_SEC;
		}
	}

	/*
	 * 3. web visits: a heavy-tailed number of sessions over an activity
	 * span, more of them early on.
	 */
	sessions = (int) floor(demo_lognormal(&rng, 1.2 + 12.0 * e, 0.9) * 0.67);
	sessions = Min(sessions, 400);
	span = (demo_exponential(&rng, 150) * (0.5 + e) + 3) * (double) DEMO_DAY;
	for (i = 0; i < sessions; i++)
	{
		int			channel;
		int			campaign;
		TimestampTz ts = t0 + (int64) (span * pow(demo_uniform(&rng), 1.7));

		demo_web_source(&rng, lead, &channel, &campaign);
		demo_session(&rng, out, ts + DEMO_HOUR, channel, campaign, intent, depth, NUM_KINDS);
	}

	/*
	 * 4. a buying phase: a burst of research visits with pricing in mind,
	 * often ending in a demo or contact request.  Good leads have one more
	 * often; it is what makes most MQLs by score.
	 */
	if (demo_chance(&rng, 0.04 + 0.40 * z * (0.4 + e)))
	{
		TimestampTz ts = t0 + DEMO_HOUR + (int64) (span * pow(demo_uniform(&rng), 1.3));
		int			n = 3 + demo_below(&rng, 6);
		bool		raise = !hand_raised && demo_chance(&rng, 0.40);

		for (i = 0; i < n; i++)
		{
			int			channel;
			int			campaign;

			demo_web_source(&rng, lead, &channel, &campaign);
			demo_session(&rng, out, ts, channel, campaign, 0.7 + 0.3 * z, depth + 0.15,
						 (i == n - 1 && raise) ?
						 (demo_chance(&rng, 0.6) ? EV_DEMO_REQUEST : EV_CONTACT_REQUEST) :
						 NUM_KINDS);
			ts += (int64) (demo_between(&rng, 0.5, 3) * 24) * DEMO_HOUR;
		}
		hand_raised |= raise;
	}
	else if (!hand_raised && demo_chance(&rng, 0.01))
	{
		int			channel;
		int			campaign;
		TimestampTz ts = t0 + DEMO_HOUR + (int64) (span * demo_uniform(&rng));

		demo_web_source(&rng, lead, &channel, &campaign);
		demo_session(&rng, out, ts, channel, campaign, 0.5, depth, EV_CONTACT_REQUEST);
	}

	/* 5. some leads come back months later, often ready to talk */
	if (demo_chance(&rng, 0.03 + 0.10 * z))
	{
		TimestampTz ts = t0 + (int64) (demo_between(&rng, 60, 270) * 24) * DEMO_HOUR;
		int			n = 2 + demo_below(&rng, 3);
		bool		raise = demo_chance(&rng, 0.75);

		for (i = 0; i < n; i++)
		{
			int			channel;
			int			campaign;

			demo_web_source(&rng, lead, &channel, &campaign);
			demo_session(&rng, out, ts, channel, campaign, 0.8, depth,
						 (i == n - 1 && raise) ?
						 (demo_chance(&rng, 0.6) ? EV_DEMO_REQUEST : EV_CONTACT_REQUEST) :
						 NUM_KINDS);
			ts += (int64) (demo_between(&rng, 1, 5) * 24) * DEMO_HOUR;
		}
	}

	qsort(out->ev, out->n, sizeof(DemoEvent), demo_event_cmp);
}
