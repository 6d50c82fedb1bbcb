/*-------------------------------------------------------------------------
 *
 * demo.h
 *	  Shared declarations of the demo-data generator behind generate_demo()
 *	  (SPEC §4, demo data): the pseudo-random streams, the arguments, the
 *	  demo world's catalog and its datum cache, and a lead, its events and
 *	  its lifecycle simulation.
 *
 * demo.c describes the generator and maps its files.
 *
 * The pseudo-random numbers are small and hot, so they are static inline
 * functions here.  Shared symbols carry the lq_demo_ prefix, like every
 * other global symbol of the library.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DEMO_H
#define DEMO_H

#include <math.h>

#include "utils/timestamp.h"

#include "scoring/scoring.h"

/* pseudo-random streams, one per phase */
#define DEMO_STREAM_LEAD 1
#define DEMO_STREAM_EVENTS 2
#define DEMO_STREAM_LIFECYCLE 3

#define DEMO_SEC ((int64) USECS_PER_SEC)
#define DEMO_HOUR ((int64) USECS_PER_HOUR)
#define DEMO_DAY ((int64) USECS_PER_DAY)

/* most moves one lead makes (each nurture round trip takes weeks) */
#define DEMO_MAX_MOVES 64

/* ----------------------------------------------------------------
 * Pseudo-random numbers: splitmix64
 * ---------------------------------------------------------------- */

typedef struct DemoRng
{
	uint64		state;
} DemoRng;

/*
 * demo_mix64
 *		The splitmix64 output function: a bijective 64-bit mixer.
 */
static inline uint64
demo_mix64(uint64 z)
{
	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/*
 * demo_rng_init
 *		Seed the stream of one lead and one phase.
 */
static inline void
demo_rng_init(DemoRng *rng, int32 seed, int64 idx, int stream)
{
	uint64		s = demo_mix64((uint64) (uint32) seed + UINT64CONST(0x9E3779B97F4A7C15));

	s = demo_mix64(s ^ ((uint64) idx * UINT64CONST(0xD1B54A32D192ED03)));
	rng->state = demo_mix64(s + (uint64) stream * UINT64CONST(0x8CB92BA72F3D8DD7));
}

/*
 * demo_next
 *		Next 64 random bits.
 */
static inline uint64
demo_next(DemoRng *rng)
{
	rng->state += UINT64CONST(0x9E3779B97F4A7C15);
	return demo_mix64(rng->state);
}

/*
 * demo_uniform
 *		Uniform double in [0, 1).
 */
static inline double
demo_uniform(DemoRng *rng)
{
	return (double) (demo_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

/*
 * demo_chance
 *		True with probability p.
 */
static inline bool
demo_chance(DemoRng *rng, double p)
{
	return demo_uniform(rng) < p;
}

/*
 * demo_below
 *		Uniform integer in [0, n).
 */
static inline int
demo_below(DemoRng *rng, int n)
{
	return (int) (demo_uniform(rng) * n);
}

/*
 * demo_between
 *		Uniform double in [lo, hi).
 */
static inline double
demo_between(DemoRng *rng, double lo, double hi)
{
	return lo + (hi - lo) * demo_uniform(rng);
}

/*
 * demo_normal
 *		Standard normal deviate (Box-Muller, one of the pair).
 */
static inline double
demo_normal(DemoRng *rng)
{
	double		u1 = 1.0 - demo_uniform(rng);	/* (0, 1] */
	double		u2 = demo_uniform(rng);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/*
 * demo_exponential
 *		Exponential deviate with the given mean.
 */
static inline double
demo_exponential(DemoRng *rng, double mean)
{
	return -mean * log(1.0 - demo_uniform(rng));
}

/*
 * demo_lognormal
 *		Log-normal deviate with the given median and log-scale sigma.
 */
static inline double
demo_lognormal(DemoRng *rng, double median, double sigma)
{
	return median * exp(sigma * demo_normal(rng));
}

/*
 * demo_weighted
 *		Index drawn with probability proportional to w[i].
 */
static inline int
demo_weighted(DemoRng *rng, const double *w, int n)
{
	double		total = 0;
	double		x;
	int			i;

	for (i = 0; i < n; i++)
		total += w[i];
	x = demo_uniform(rng) * total;
	for (i = 0; i < n - 1; i++)
	{
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

/*
 * demo_clamp
 *		x limited to [lo, hi].
 */
static inline double
demo_clamp(double x, double lo, double hi)
{
	return x < lo ? lo : (x > hi ? hi : x);
}

/* ----------------------------------------------------------------
 * Arguments
 * ---------------------------------------------------------------- */

typedef struct DemoArgs
{
	int32		seed;
	int32		days;
	TimestampTz start;
	TimestampTz end;			/* start + days × 24 hours */
} DemoArgs;

/*
 * demo_even
 *		t moved down to an even number of seconds after start (event times).
 *
 * Event times are even and the times of sales and marketing actions odd
 * (demo_odd in demo_lifecycle.c), so an action never shares its instant
 * with an event.
 */
static inline TimestampTz
demo_even(const DemoArgs *a, TimestampTz t)
{
	int64		off = t - a->start;

	if (off < 0)
		off = 0;
	return a->start + (off / (2 * DEMO_SEC)) * 2 * DEMO_SEC;
}

/* ----------------------------------------------------------------
 * The demo world (demo_catalog.c)
 *
 * The sizes of the tables used outside demo_catalog.c are given here;
 * demo_catalog.c checks them against the tables at compile time.
 * ---------------------------------------------------------------- */

/* how a channel's leads first show up */
typedef enum DemoAcq
{
	ACQ_CONTENT,				/* gated content download */
	ACQ_FORM,					/* newsletter or similar form */
	ACQ_DEMO,					/* demo request */
	ACQ_CONTACT,				/* contact request */
	ACQ_WEBINAR,				/* webinar registration */
	ACQ_SHOW,					/* badge scan at a trade show */
	ACQ_REPLY,					/* reply to a sales e-mail */
	ACQ_PARTNER,				/* partner referral form */
	NUM_ACQ
} DemoAcq;

typedef struct DemoChannel
{
	const char *name;
	double		volume;			/* share of new leads (relative) */
	double		quality;		/* mean latent lead quality, 0..1 */
	double		acq[NUM_ACQ];	/* how its leads arrive (relative) */
	double		web_source;		/* weight as the source of a later web visit */
} DemoChannel;

enum
{
	CH_ORGANIC, CH_PAID_SEARCH, CH_PAID_SOCIAL, CH_LINKEDIN, CH_WEBINAR,
	CH_SYNDICATION, CH_TRADE_SHOW, CH_PARTNER, CH_EMAIL, CH_DIRECT,
	CH_REVIEW, CH_OUTBOUND, NUM_CHANNELS
};

extern const DemoChannel lq_demo_channels[NUM_CHANNELS];

typedef struct DemoCampaign
{
	int			channel;
	const char *name;
	double		delta;			/* quality offset from the channel's */
	bool		acquisition;	/* brings new leads (else: nurture touches) */
} DemoCampaign;

#define NUM_CAMPAIGNS 38

extern const DemoCampaign lq_demo_campaigns[];

/* the nurture e-mails, in the order of lq_demo_campaigns */
enum
{
	MAIL_NEWSLETTER, MAIL_PRODUCT_UPDATE, MAIL_NURTURE, MAIL_EVENT_INVITE, NUM_MAILS
};

/* seniority levels and their titles */
enum
{
	SEN_C_LEVEL, SEN_VP, SEN_MANAGER, SEN_INDIVIDUAL, SEN_STUDENT, NUM_SENIORITY
};

typedef struct DemoTitles
{
	const char *const *titles;
	int			n;
} DemoTitles;

extern const DemoTitles lq_demo_titles[NUM_SENIORITY];

/* industries: the first six are the default model's targets */
typedef struct DemoIndustry
{
	const char *name;
	double		weight;
	const char *suffix[3];		/* company name endings */
} DemoIndustry;

#define NUM_INDUSTRIES 17
#define NUM_TARGET_INDUSTRIES 6
#define IND_EDUCATION 6

extern const DemoIndustry lq_demo_industries[];

/* countries: the first eight are the default model's targets */
enum
{
	TER_NA, TER_EMEA, TER_APAC, TER_LATAM
};

typedef struct DemoCountry
{
	const char *code;
	double		weight;
	int			territory;
	const char *tld;
	const char *legal;			/* company form, NULL: none */
} DemoCountry;

#define NUM_COUNTRIES 20
#define NUM_TARGET_COUNTRIES 8

extern const DemoCountry lq_demo_countries[];

/* people and companies */
#define NUM_FIRST_NAMES 40
#define NUM_LAST_NAMES 40
#define NUM_COMPANY_PREFIXES 32

extern const char *const lq_demo_first_names[];
extern const char *const lq_demo_last_names[];
extern const char *const lq_demo_company_prefixes[];
extern const char *const lq_demo_universities[];

/* free-mail providers (all matched by the default model's free-mail rule) */
#define NUM_FREE_DOMAINS 10

extern const char *const lq_demo_free_domains[];
extern const double lq_demo_free_weights[];

/* sales reps: territory and habits */
typedef struct DemoRep
{
	const char *name;
	int			territory;
	double		ignore;			/* habit of letting MQLs pass their SLA (0.11: typical) */
	double		hours;			/* median hours to act on an MQL */
	double		accept_bias;	/* added to the acceptance chance */
	double		win_bias;		/* added to the win chance */
} DemoRep;

#define NUM_REPS 12

extern const DemoRep lq_demo_reps[];

/* ----------------------------------------------------------------
 * Event types and properties (demo_catalog.c)
 * ---------------------------------------------------------------- */

typedef enum DemoKind
{
	EV_PAGE_VIEW,
	EV_EMAIL_OPEN,
	EV_EMAIL_CLICK,
	EV_CONTENT_DOWNLOAD,
	EV_WEBINAR_REGISTERED,
	EV_WEBINAR_ATTENDED,
	EV_DEMO_REQUEST,
	EV_CONTACT_REQUEST,
	EV_UNSUBSCRIBE,
	EV_FORM_SUBMIT,				/* no default rule scores the rest */
	EV_TRADE_SHOW_VISIT,
	EV_EMAIL_REPLY,
	EV_CHAT_STARTED,
	EV_VIDEO_PLAYED,
	NUM_KINDS
} DemoKind;

extern const char *const lq_demo_kind_names[NUM_KINDS];

/* properties: groups of {"key": "value"} objects */
typedef enum DemoPropGroup
{
	PG_PAGE, PG_EMAIL, PG_ASSET, PG_WEBINAR, PG_FORM, PG_LIST, PG_SHOW,
	PG_SEQUENCE, PG_TOPIC, PG_VIDEO, NUM_PROP_GROUPS
} DemoPropGroup;

enum
{
	PAGE_HOME, PAGE_PRICING, PAGE_PRODUCT, PAGE_BLOG, PAGE_DOCS,
	PAGE_INTEGRATIONS, PAGE_CASE_STUDIES, PAGE_SECURITY, PAGE_CAREERS,
	PAGE_ABOUT, PAGE_COMPARISON, NUM_PAGES
};
enum
{
	FORM_DEMO, FORM_CONTACT, FORM_QUOTE, FORM_NEWSLETTER, FORM_PARTNER, NUM_FORMS
};

/* sizes of the property value lists that the events draw from */
#define NUM_ASSETS 5
#define NUM_WEBINARS 4
#define NUM_TOPICS 3
#define NUM_VIDEOS 2

/*
 * Datums built once per backend: event type, channel and campaign names as
 * text, and every property object as jsonb.
 */
typedef struct DemoCache
{
	Datum		kind[NUM_KINDS];
	Datum		channel[NUM_CHANNELS];
	Datum		campaign[NUM_CAMPAIGNS];
	int			prop_base[NUM_PROP_GROUPS];
	int			nprops;
	Datum	   *prop;
	Datum		empty_object;
} DemoCache;

extern DemoCache *lq_demo_get_cache(void);
extern int	lq_demo_campaign_of(DemoRng *rng, int channel, bool acquisition);
extern int	lq_demo_first_campaign(int channel);
extern int	lq_demo_mail_campaign(int mail);

/* ----------------------------------------------------------------
 * Phase 1: the lead (demo_leads.c)
 * ---------------------------------------------------------------- */

typedef struct DemoLead
{
	int64		idx;
	int			channel;
	int			campaign;
	double		quality;		/* latent lead quality, 0..1 */
	double		activity;		/* propensity to engage, 0..1 */
	TimestampTz created;
	int			seniority;
	const char *title;			/* NULL: unknown */
	int			company_size;	/* -1: unknown */
	int			industry;		/* -1: unknown */
	int			country;
	int			first_name;
	int			last_name;
	bool		has_company;
	int			company_prefix;
	int			company_suffix;
	bool		company_legal;
	bool		student_university;
	bool		free_mail;
	int			free_domain;
	int			mail_number;	/* digits after a free-mail name, -1: none */
	int			owner;
} DemoLead;

extern void lq_demo_make_lead(const DemoArgs *a, int64 idx, DemoLead *lead);
extern char *lq_demo_company_name(const DemoLead *lead);
extern char *lq_demo_email(const DemoLead *lead);

/* ----------------------------------------------------------------
 * Phase 2: the events (demo_events.c)
 * ---------------------------------------------------------------- */

typedef struct DemoEvent
{
	TimestampTz t;
	int32		seq;			/* generation order, breaks ties */
	int16		kind;
	int16		prop;			/* index into the cache's properties, -1: {} */
	int16		channel;		/* -1: not a touch */
	int16		campaign;		/* -1: none */
} DemoEvent;

typedef struct DemoEvents
{
	const DemoArgs *args;
	DemoCache  *cache;
	int			n;
	int			cap;
	DemoEvent  *ev;
} DemoEvents;

extern void lq_demo_make_events(const DemoArgs *a, const DemoLead *lead, DemoEvents *out);

/* ----------------------------------------------------------------
 * Phase 3: the lifecycle (demo_lifecycle.c)
 * ---------------------------------------------------------------- */

/* the stages, in the order of demo_stage_names (demo.c) */
typedef enum DemoStage
{
	ST_INQUIRY, ST_MQL, ST_SAL, ST_SQL, ST_OPPORTUNITY, ST_WON, ST_LOST,
	ST_NURTURE, ST_DISQUALIFIED
} DemoStage;

typedef struct DemoMove
{
	DemoStage	from;
	DemoStage	to;
	TimestampTz at;
	const char *actor;
	const char *reason;			/* NULL: none */
	double		score;
	int			recycle_count;	/* entries into nurture so far */
	/* for a move into opportunity: what becomes of it */
	int64		amount;
	TimestampTz closed_at;		/* DT_NOBEGIN while open */
	const char *status;
} DemoMove;

typedef struct DemoSim
{
	const DemoArgs *args;
	const DemoLead *lead;
	DemoEvents *events;
	LqModel    *model;
	double		fit;
	char		fit_letter;		/* the letter of its fit grade */
	DemoRng		rng;
	LqEventType *types[NUM_KINDS];
	int64		recycle_after;	/* microseconds */
	int64		sla;

	/* reasons: the rejection_reason table */
	int			nreasons;
	char	  **reasons;
	bool	   *recyclable;

	/* scoring sweep over the events in time order */
	LqEngState *eng;
	int			swept;

	/* the lead's state and its moves */
	DemoStage	stage;
	TimestampTz since;
	int			recycles;
	int			nmoves;
	DemoMove	moves[DEMO_MAX_MOVES];
} DemoSim;

extern void lq_demo_simulate(DemoSim *sim, TimestampTz mql_at);

#endif							/* DEMO_H */
