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
 * The story of a lead:
 *	- it arrives through one of twelve acquisition channels (and one of the
 *	  channel's campaigns) with a latent quality that depends on the channel;
 *	  quality drives who the lead is (title, company size, industry, country,
 *	  free-mail address), so channel quality shows in the fit score;
 *	- it then reads marketing e-mails, visits the web site in sessions that
 *	  come from various channels (the first page view of a session is a
 *	  touch), downloads content, attends webinars, sometimes raises its hand
 *	  (demo or contact request), sometimes comes back months later, and
 *	  sometimes unsubscribes.  About 25 events per lead, heavy-tailed;
 *	- the lifecycle starts where the scoring rules say: the MQL moment is
 *	  given by the mql_crossing aggregate over the inserted events.  Sales
 *	  (one of twelve reps, by territory, each with a habit of speed and of
 *	  ignoring MQLs) accepts or rejects with a reason, qualifies, opens and
 *	  closes opportunities; rejected and lost leads go to nurture and come
 *	  back by the model's automatic rules (a hand-raise after entering
 *	  nurture, or the score rule once recycle_after has passed).  Moves are
 *	  those of the default transition table, never after start_at + days.
 *
 * Event times are an even number of seconds after start_at and the times of
 * sales and marketing actions an odd number, so an action never shares its
 * instant with an event (a hand-raise is "after" a rejection or not, never
 * both).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "leadqual.h"

/* limits of the arguments */
#define DEMO_MAX_LEADS 10000000
#define DEMO_MAX_DAYS 3660

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
static void
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
static double
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
static int
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
 * The demo world: channels, campaigns, people, companies, reps
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

/*					   content form demo contact webinar show reply partner */
static const DemoChannel demo_channels[NUM_CHANNELS] = {
	{"organic_search", 15, 0.50, {55, 37, 4, 4, 0, 0, 0, 0}, 35},
	{"paid_search", 13, 0.42, {55, 28, 10, 7, 0, 0, 0, 0}, 10},
	{"paid_social", 10, 0.14, {80, 20, 0, 0, 0, 0, 0, 0}, 7},
	{"linkedin", 8, 0.55, {75, 17, 5, 3, 0, 0, 0, 0}, 8},
	{"webinar", 7, 0.60, {0, 0, 0, 0, 100, 0, 0, 0}, 0},
	{"content_syndication", 10, 0.20, {100, 0, 0, 0, 0, 0, 0, 0}, 0},
	{"trade_show", 5, 0.58, {0, 0, 0, 0, 0, 100, 0, 0}, 0},
	{"partner_referral", 4, 0.85, {0, 0, 20, 25, 0, 0, 0, 55}, 0},
	{"email", 6, 0.32, {40, 55, 0, 5, 0, 0, 0, 0}, 0},
	{"direct", 7, 0.68, {0, 65, 20, 15, 0, 0, 0, 0}, 35},
	{"review_sites", 4, 0.72, {65, 0, 25, 10, 0, 0, 0, 0}, 5},
	{"outbound", 7, 0.48, {0, 0, 0, 0, 0, 0, 100, 0}, 0},
};

typedef struct DemoCampaign
{
	int			channel;
	const char *name;
	double		delta;			/* quality offset from the channel's */
	bool		acquisition;	/* brings new leads (else: nurture touches) */
} DemoCampaign;

static const DemoCampaign demo_campaigns[] = {
	{CH_ORGANIC, "seo_blog", -0.05, true},
	{CH_ORGANIC, "seo_product_pages", 0.08, true},
	{CH_ORGANIC, "seo_comparison_pages", 0.04, true},
	{CH_PAID_SEARCH, "sem_brand", 0.15, true},
	{CH_PAID_SEARCH, "sem_generic", -0.10, true},
	{CH_PAID_SEARCH, "sem_competitor", 0.00, true},
	{CH_PAID_SOCIAL, "social_lookalike", 0.02, true},
	{CH_PAID_SOCIAL, "social_ebook_promo", -0.03, true},
	{CH_PAID_SOCIAL, "social_video_awareness", -0.05, true},
	{CH_LINKEDIN, "li_abm_enterprise", 0.12, true},
	{CH_LINKEDIN, "li_lead_gen_forms", -0.08, true},
	{CH_LINKEDIN, "li_retargeting", 0.02, true},
	{CH_WEBINAR, "webinar_scoring_101", -0.04, true},
	{CH_WEBINAR, "webinar_revops_panel", 0.02, true},
	{CH_WEBINAR, "webinar_product_tour", 0.10, true},
	{CH_WEBINAR, "webinar_customer_story", 0.00, true},
	{CH_SYNDICATION, "synd_state_of_revops", 0.02, true},
	{CH_SYNDICATION, "synd_buyers_guide", -0.02, true},
	{CH_TRADE_SHOW, "show_saas_summit", 0.04, true},
	{CH_TRADE_SHOW, "show_martech_expo", -0.04, true},
	{CH_TRADE_SHOW, "show_cloud_world", 0.00, true},
	{CH_PARTNER, "partner_integrators", 0.03, true},
	{CH_PARTNER, "partner_agencies", -0.03, true},
	{CH_EMAIL, "email_co_marketing", 0.03, true},
	{CH_EMAIL, "email_list_rental", -0.12, true},
	{CH_EMAIL, "email_newsletter_signup", 0.05, true},
	{CH_EMAIL, "email_newsletter", 0, false},
	{CH_EMAIL, "email_product_update", 0, false},
	{CH_EMAIL, "email_nurture_sequence", 0, false},
	{CH_EMAIL, "email_event_invite", 0, false},
	{CH_DIRECT, "direct_homepage", 0.00, true},
	{CH_DIRECT, "direct_word_of_mouth", 0.05, true},
	{CH_REVIEW, "review_profile", 0.00, true},
	{CH_REVIEW, "review_comparison", 0.04, true},
	{CH_REVIEW, "review_ppc", -0.06, true},
	{CH_OUTBOUND, "sdr_enterprise", 0.10, true},
	{CH_OUTBOUND, "sdr_midmarket", 0.00, true},
	{CH_OUTBOUND, "sdr_reactivation", -0.08, true},
};

#define NUM_CAMPAIGNS ((int) lengthof(demo_campaigns))

/* the nurture e-mails, in the order of demo_campaigns */
enum
{
	MAIL_NEWSLETTER, MAIL_PRODUCT_UPDATE, MAIL_NURTURE, MAIL_EVENT_INVITE, NUM_MAILS
};

/* seniority levels and their titles */
enum
{
	SEN_C_LEVEL, SEN_VP, SEN_MANAGER, SEN_INDIVIDUAL, SEN_STUDENT, NUM_SENIORITY
};

static const char *const demo_titles_c[] = {
	"CEO", "Founder", "Co-Founder & CEO", "Chief Marketing Officer",
	"Chief Revenue Officer", "CTO", "CFO", "COO", "President", "Owner", "CIO"
};
static const char *const demo_titles_vp[] = {
	"VP Marketing", "VP of Sales", "VP, Revenue Operations", "SVP Sales",
	"Head of Growth", "Head of Demand Generation", "Head of IT",
	"Director of Marketing", "Sales Director", "Director, Marketing Operations",
	"Director of Engineering"
};
static const char *const demo_titles_manager[] = {
	"Marketing Manager", "Demand Generation Manager", "Sales Manager",
	"Marketing Operations Manager", "Product Marketing Manager", "IT Manager",
	"RevOps Lead", "Growth Lead", "Team Lead, Sales Development",
	"Account Manager", "Digital Marketing Manager"
};
static const char *const demo_titles_individual[] = {
	"Marketing Specialist", "Sales Development Representative",
	"Account Executive", "Data Analyst", "Software Engineer",
	"Marketing Coordinator", "Content Writer", "Business Analyst",
	"Consultant", "Graphic Designer", "Operations Analyst", "Developer"
};
static const char *const demo_titles_student[] = {
	"Student", "MBA Student", "Marketing Intern", "Graduate Trainee",
	"PhD Student", "Sales Intern"
};

typedef struct DemoTitles
{
	const char *const *titles;
	int			n;
} DemoTitles;

static const DemoTitles demo_titles[NUM_SENIORITY] = {
	{demo_titles_c, lengthof(demo_titles_c)},
	{demo_titles_vp, lengthof(demo_titles_vp)},
	{demo_titles_manager, lengthof(demo_titles_manager)},
	{demo_titles_individual, lengthof(demo_titles_individual)},
	{demo_titles_student, lengthof(demo_titles_student)},
};

/* industries: the first six are the default model's targets */
typedef struct DemoIndustry
{
	const char *name;
	double		weight;
	const char *suffix[3];		/* company name endings */
} DemoIndustry;

#define NUM_TARGET_INDUSTRIES 6
#define IND_EDUCATION 6

static const DemoIndustry demo_industries[] = {
	{"software", 30, {"Software", "Labs", "Systems"}},
	{"saas", 20, {"Cloud", "Software", "Labs"}},
	{"technology", 15, {"Systems", "Networks", "Robotics"}},
	{"financial services", 15, {"Bank", "Capital", "Insurance"}},
	{"manufacturing", 10, {"Industries", "Motors", "Works"}},
	{"healthcare", 10, {"Health", "Biotech", "Medical"}},
	{"education", 10, {"Academy", "Learning", "Institute"}},
	{"retail", 14, {"Retail", "Foods", "Goods"}},
	{"government", 5, {"Agency", "Services", "Authority"}},
	{"non-profit", 6, {"Foundation", "Trust", "Alliance"}},
	{"media", 9, {"Media", "Studios", "Publishing"}},
	{"consulting", 14, {"Consulting", "Partners", "Advisors"}},
	{"real estate", 7, {"Properties", "Realty", "Estates"}},
	{"hospitality", 6, {"Hotels", "Hospitality", "Travel"}},
	{"logistics", 8, {"Logistics", "Freight", "Transport"}},
	{"telecommunications", 6, {"Telecom", "Networks", "Mobile"}},
	{"marketing agency", 10, {"Creative", "Digital", "Agency"}},
};

#define NUM_INDUSTRIES ((int) lengthof(demo_industries))

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

#define NUM_TARGET_COUNTRIES 8

static const DemoCountry demo_countries[] = {
	{"US", 40, TER_NA, "com", "Inc."},
	{"CA", 8, TER_NA, "ca", "Inc."},
	{"GB", 12, TER_EMEA, "co.uk", "Ltd"},
	{"DE", 12, TER_EMEA, "de", "GmbH"},
	{"FR", 8, TER_EMEA, "fr", "SAS"},
	{"NL", 6, TER_EMEA, "nl", "B.V."},
	{"SE", 7, TER_EMEA, "se", "AB"},
	{"AU", 7, TER_APAC, "com.au", "Pty Ltd"},
	{"IN", 30, TER_APAC, "in", "Pvt Ltd"},
	{"BR", 15, TER_LATAM, "com.br", "Ltda"},
	{"MX", 8, TER_LATAM, "mx", NULL},
	{"ES", 10, TER_EMEA, "es", "S.L."},
	{"IT", 10, TER_EMEA, "it", "S.r.l."},
	{"PL", 7, TER_EMEA, "pl", NULL},
	{"SG", 6, TER_APAC, "sg", "Pte Ltd"},
	{"ZA", 5, TER_EMEA, "co.za", NULL},
	{"PH", 5, TER_APAC, "ph", NULL},
	{"NG", 4, TER_EMEA, "ng", NULL},
	{"JP", 4, TER_APAC, "jp", NULL},
	{"AR", 4, TER_LATAM, "com.ar", NULL},
};

#define NUM_COUNTRIES ((int) lengthof(demo_countries))

static const char *const demo_first_names[] = {
	"james", "mary", "robert", "patricia", "john", "jennifer", "michael",
	"linda", "david", "elizabeth", "william", "barbara", "richard", "susan",
	"joseph", "jessica", "thomas", "sarah", "carlos", "maria", "ahmed",
	"fatima", "wei", "mei", "hiroshi", "yuki", "lukas", "anna", "pierre",
	"sophie", "lars", "ingrid", "raj", "priya", "olu", "amara", "diego",
	"lucia", "noah", "emma"
};
static const char *const demo_last_names[] = {
	"smith", "johnson", "williams", "brown", "jones", "garcia", "miller",
	"davis", "rodriguez", "martinez", "hernandez", "lopez", "wilson",
	"anderson", "taylor", "thomas", "moore", "jackson", "martin", "lee",
	"mueller", "schmidt", "dubois", "laurent", "jansen", "devries",
	"andersson", "nilsson", "sharma", "patel", "tanaka", "sato", "silva",
	"santos", "okafor", "adeyemi", "kowalski", "rossi", "chen", "wang"
};
static const char *const demo_company_prefixes[] = {
	"Acme", "Apex", "Blue", "Bright", "Cedar", "Cobalt", "Crest", "Delta",
	"Ever", "Falcon", "Granite", "Harbor", "Helix", "Iron", "Juniper",
	"Keystone", "Lumen", "Maple", "Meridian", "Nimbus", "North", "Nova",
	"Orbit", "Pioneer", "Quantum", "Redwood", "Silver", "Summit", "Terra",
	"Vertex", "Willow", "Zenith"
};
static const char *const demo_universities[] = {
	"State University", "Institute of Technology", "Business School",
	"Polytechnic University", "City College"
};

/* free-mail providers (all matched by the default model's free-mail rule) */
static const char *const demo_free_domains[] = {
	"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com",
	"gmx.de", "web.de", "aol.com", "live.com", "mail.com"
};
static const double demo_free_weights[] = {50, 12, 10, 10, 6, 4, 3, 2, 2, 1};

/* sales reps: territory and habits */
typedef struct DemoRep
{
	const char *name;
	int			territory;
	double		ignore;			/* chance to let an MQL pass its SLA */
	double		hours;			/* median hours to act on an MQL */
	double		accept_bias;	/* added to the acceptance chance */
	double		win_bias;		/* added to the win chance */
} DemoRep;

static const DemoRep demo_reps[] = {
	{"ava.thompson", TER_NA, 0.04, 3, 0.05, 0.03},
	{"ben.carter", TER_NA, 0.12, 10, 0.00, 0.00},
	{"chloe.nguyen", TER_NA, 0.06, 5, 0.02, 0.05},
	{"jack.obrien", TER_NA, 0.25, 30, -0.10, -0.04},
	{"diego.ramirez", TER_LATAM, 0.20, 22, -0.05, -0.02},
	{"emma.schulz", TER_EMEA, 0.05, 4, 0.00, 0.02},
	{"felix.wagner", TER_EMEA, 0.15, 14, -0.08, 0.00},
	{"hugo.martin", TER_EMEA, 0.10, 8, 0.00, -0.03},
	{"isabel.garcia", TER_EMEA, 0.07, 6, 0.04, 0.02},
	{"lena.larsson", TER_EMEA, 0.05, 4, 0.02, 0.03},
	{"grace.liu", TER_APAC, 0.08, 6, 0.03, 0.00},
	{"kiran.patel", TER_APAC, 0.12, 12, 0.00, 0.00},
};

#define NUM_REPS ((int) lengthof(demo_reps))

/* ----------------------------------------------------------------
 * Event types and properties
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

static const char *const demo_kind_names[NUM_KINDS] = {
	"page_view", "email_open", "email_click", "content_download",
	"webinar_registered", "webinar_attended", "demo_request",
	"contact_request", "unsubscribe", "form_submit", "trade_show_visit",
	"email_reply", "chat_started", "video_played"
};

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

static const char *const demo_pages[] = {
	"home", "pricing", "product", "blog", "docs", "integrations",
	"case_studies", "security", "careers", "about", "comparison"
};
static const char *const demo_mails[] = {
	"newsletter", "product_update", "nurture_sequence", "event_invite"
};
static const char *const demo_assets[] = {
	"ebook_lead_scoring", "whitepaper_revops", "benchmark_report",
	"roi_calculator", "buyers_guide"
};
static const char *const demo_webinars[] = {
	"scoring_101", "revops_panel", "product_tour", "customer_story"
};
static const char *const demo_forms[] = {
	"demo", "contact_sales", "pricing_quote", "newsletter_signup",
	"partner_referral"
};
static const char *const demo_lists[] = {"newsletter", "all"};
static const char *const demo_shows[] = {"badge_scan"};
static const char *const demo_sequences[] = {"sdr_outreach"};
static const char *const demo_topics[] = {"pricing", "product", "support"};
static const char *const demo_videos[] = {"product_overview", "customer_story"};

typedef struct DemoPropDef
{
	const char *key;
	const char *const *values;
	int			n;
} DemoPropDef;

static const DemoPropDef demo_prop_defs[NUM_PROP_GROUPS] = {
	{"page", demo_pages, lengthof(demo_pages)},
	{"email", demo_mails, lengthof(demo_mails)},
	{"asset", demo_assets, lengthof(demo_assets)},
	{"webinar", demo_webinars, lengthof(demo_webinars)},
	{"form", demo_forms, lengthof(demo_forms)},
	{"list", demo_lists, lengthof(demo_lists)},
	{"source", demo_shows, lengthof(demo_shows)},
	{"sequence", demo_sequences, lengthof(demo_sequences)},
	{"topic", demo_topics, lengthof(demo_topics)},
	{"video", demo_videos, lengthof(demo_videos)},
};

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

static DemoCache *demo_cache = NULL;

/*
 * demo_get_cache
 *		The datum cache, built on first use in a backend-lifetime context.
 */
static DemoCache *
demo_get_cache(void)
{
	MemoryContext cxt;
	MemoryContext old;
	DemoCache  *c;
	int			g;
	int			i;

	if (demo_cache != NULL)
		return demo_cache;

	cxt = AllocSetContextCreate(TopMemoryContext, "leadqual demo cache",
								ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);
	c = palloc0(sizeof(DemoCache));
	for (i = 0; i < NUM_KINDS; i++)
		c->kind[i] = CStringGetTextDatum(demo_kind_names[i]);
	for (i = 0; i < NUM_CHANNELS; i++)
		c->channel[i] = CStringGetTextDatum(demo_channels[i].name);
	for (i = 0; i < NUM_CAMPAIGNS; i++)
		c->campaign[i] = CStringGetTextDatum(demo_campaigns[i].name);
	for (g = 0; g < NUM_PROP_GROUPS; g++)
	{
		c->prop_base[g] = c->nprops;
		c->nprops += demo_prop_defs[g].n;
	}
	c->prop = palloc(sizeof(Datum) * c->nprops);
	for (g = 0; g < NUM_PROP_GROUPS; g++)
	{
		for (i = 0; i < demo_prop_defs[g].n; i++)
		{
			char	   *json = psprintf("{\"%s\": \"%s\"}", demo_prop_defs[g].key,
										demo_prop_defs[g].values[i]);

			c->prop[c->prop_base[g] + i] =
				DirectFunctionCall1(jsonb_in, CStringGetDatum(json));
		}
	}
	c->empty_object = DirectFunctionCall1(jsonb_in, CStringGetDatum("{}"));
	MemoryContextSwitchTo(old);
	demo_cache = c;
	return c;
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
 * Phase 1: the lead
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

/*
 * demo_campaign_of
 *		An acquisition campaign of a channel.
 */
static int
demo_campaign_of(DemoRng *rng, int channel, bool acquisition)
{
	int			ids[8];
	int			n = 0;
	int			i;

	for (i = 0; i < NUM_CAMPAIGNS && n < (int) lengthof(ids); i++)
		if (demo_campaigns[i].channel == channel &&
			demo_campaigns[i].acquisition == acquisition)
			ids[n++] = i;
	if (n == 0)
		return -1;
	return ids[demo_below(rng, n)];
}

/*
 * demo_first_campaign
 *		Index of a channel's first campaign in demo_campaigns.
 */
static int
demo_first_campaign(int channel)
{
	int			i;

	for (i = 0; i < NUM_CAMPAIGNS; i++)
		if (demo_campaigns[i].channel == channel)
			return i;
	elog(ERROR, "demo channel %d has no campaign", channel);
	return -1;					/* keep compiler quiet */
}

/*
 * demo_mail_campaign
 *		The campaign of a nurture e-mail.
 */
static int
demo_mail_campaign(int mail)
{
	static const char *const names[NUM_MAILS] = {
		"email_newsletter", "email_product_update", "email_nurture_sequence",
		"email_event_invite"
	};
	int			i;

	for (i = 0; i < NUM_CAMPAIGNS; i++)
		if (strcmp(demo_campaigns[i].name, names[mail]) == 0)
			return i;
	elog(ERROR, "demo campaign %s missing", names[mail]);
	return -1;					/* keep compiler quiet */
}

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
 * demo_even
 *		t moved down to an even number of seconds after start (event times).
 */
static inline TimestampTz
demo_even(const DemoArgs *a, TimestampTz t)
{
	int64		off = t - a->start;

	if (off < 0)
		off = 0;
	return a->start + (off / (2 * DEMO_SEC)) * 2 * DEMO_SEC;
}

/*
 * demo_make_lead
 *		Who lead number idx is.  A pure function of (seed, idx, start, days).
 */
static void
demo_make_lead(const DemoArgs *a, int64 idx, DemoLead *lead)
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
		w[i] = demo_channels[i].volume;
	lead->channel = demo_weighted(&rng, w, NUM_CHANNELS);
	lead->campaign = demo_campaign_of(&rng, lead->channel, true);
	z = demo_channels[lead->channel].quality + demo_campaigns[lead->campaign].delta +
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
		int			c = lead->campaign - demo_first_campaign(CH_TRADE_SHOW);

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
		const DemoTitles *t = &demo_titles[lead->seniority];

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
			w[i] = demo_industries[i].weight;
		lead->industry = demo_weighted(&rng, w, NUM_TARGET_INDUSTRIES);
	}
	else
	{
		for (i = NUM_TARGET_INDUSTRIES; i < NUM_INDUSTRIES; i++)
			w[i - NUM_TARGET_INDUSTRIES] = demo_industries[i].weight;
		lead->industry = NUM_TARGET_INDUSTRIES +
			demo_weighted(&rng, w, NUM_INDUSTRIES - NUM_TARGET_INDUSTRIES);
	}

	/* country */
	if (demo_chance(&rng, 0.45 + 0.45 * z))
	{
		for (i = 0; i < NUM_TARGET_COUNTRIES; i++)
			w[i] = demo_countries[i].weight;
		lead->country = demo_weighted(&rng, w, NUM_TARGET_COUNTRIES);
	}
	else
	{
		for (i = NUM_TARGET_COUNTRIES; i < NUM_COUNTRIES; i++)
			w[i - NUM_TARGET_COUNTRIES] = demo_countries[i].weight;
		lead->country = NUM_TARGET_COUNTRIES +
			demo_weighted(&rng, w, NUM_COUNTRIES - NUM_TARGET_COUNTRIES);
	}

	/* name, company, e-mail */
	lead->first_name = demo_below(&rng, lengthof(demo_first_names));
	lead->last_name = demo_below(&rng, lengthof(demo_last_names));
	lead->company_prefix = demo_below(&rng, lengthof(demo_company_prefixes));
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
	lead->free_domain = demo_weighted(&rng, demo_free_weights, lengthof(demo_free_weights));
	lead->mail_number = demo_chance(&rng, 0.6) ? demo_below(&rng, 100) : -1;

	/* owner: a rep of the lead's territory */
	{
		int			ids[NUM_REPS];
		int			n = 0;

		for (i = 0; i < NUM_REPS; i++)
			if (demo_reps[i].territory == demo_countries[lead->country].territory)
				ids[n++] = i;
		lead->owner = ids[demo_below(&rng, n)];
	}
}

/*
 * demo_company_name
 *		Company name of a lead (palloc'd), NULL if it has none.
 */
static char *
demo_company_name(const DemoLead *lead)
{
	const char *prefix = demo_company_prefixes[lead->company_prefix];
	const DemoCountry *c = &demo_countries[lead->country];

	if (!lead->has_company)
		return NULL;
	if (lead->student_university)
		return psprintf("%s %s", prefix, demo_universities[lead->company_suffix]);
	if (lead->industry < 0)
		return psprintf("%s Group", prefix);
	if (lead->company_legal && c->legal != NULL)
		return psprintf("%s %s %s", prefix,
						demo_industries[lead->industry].suffix[lead->company_suffix], c->legal);
	return psprintf("%s %s", prefix, demo_industries[lead->industry].suffix[lead->company_suffix]);
}

/*
 * demo_email
 *		E-mail address of a lead (palloc'd): first.last at the company's
 *		domain, or at a free-mail provider.
 */
static char *
demo_email(const DemoLead *lead)
{
	const char *first = demo_first_names[lead->first_name];
	const char *last = demo_last_names[lead->last_name];
	StringInfoData domain;
	const char *p;

	if (lead->free_mail)
	{
		if (lead->mail_number >= 0)
			return psprintf("%s.%s%d@%s", first, last, lead->mail_number,
							demo_free_domains[lead->free_domain]);
		return psprintf("%s.%s@%s", first, last, demo_free_domains[lead->free_domain]);
	}

	initStringInfo(&domain);
	for (p = demo_company_prefixes[lead->company_prefix]; *p; p++)
		appendStringInfoChar(&domain, pg_ascii_tolower((unsigned char) *p));
	if (lead->student_university)
		appendStringInfoString(&domain, "-university.edu");
	else
	{
		const char *suffix = lead->industry < 0 ? "group" :
			demo_industries[lead->industry].suffix[lead->company_suffix];

		for (p = suffix; *p; p++)
			appendStringInfoChar(&domain, pg_ascii_tolower((unsigned char) *p));
		appendStringInfo(&domain, ".%s", demo_countries[lead->country].tld);
	}
	return psprintf("%s.%s@%s", first, last, domain.data);
}

/* ----------------------------------------------------------------
 * Phase 2: the events
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

	if (demo_channels[lead->channel].web_source > 0 && demo_chance(rng, 0.3))
		*channel = lead->channel;
	else
	{
		for (i = 0; i < NUM_CHANNELS; i++)
			w[i] = demo_channels[i].web_source;
		*channel = demo_weighted(rng, w, NUM_CHANNELS);
	}
	if (*channel == CH_ORGANIC || *channel == CH_DIRECT)
		*campaign = -1;
	else if (*channel == lead->channel)
		*campaign = lead->campaign;
	else
		*campaign = demo_campaign_of(rng, *channel, true);
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
				 demo_below(rng, lengthof(demo_assets)), -1, -1);
	}
	if (demo_chance(rng, 0.05))
	{
		t += (int64) demo_between(rng, 20, 200) * DEMO_SEC;
		demo_add(out, t, EV_VIDEO_PLAYED, PG_VIDEO, demo_below(rng, lengthof(demo_videos)), -1, -1);
	}
	if (demo_chance(rng, 0.01 + 0.04 * intent))
	{
		t += (int64) demo_between(rng, 20, 200) * DEMO_SEC;
		demo_add(out, t, EV_CHAT_STARTED, PG_TOPIC, demo_below(rng, lengthof(demo_topics)), -1, -1);
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
 * demo_make_events
 *		What lead number idx did, sorted by time, ending at the period's end.
 *		A pure function of the lead (and so of seed, idx, start, days).
 */
static void
demo_make_events(const DemoArgs *a, const DemoLead *lead, DemoEvents *out)
{
	DemoRng		rng;
	const DemoChannel *ch = &demo_channels[lead->channel];
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
	out->cache = demo_get_cache();
	out->n = 0;
	out->cap = 64;
	out->ev = palloc(sizeof(DemoEvent) * out->cap);

	/* 1. how the lead arrived: the acquisition touch */
	acq = demo_weighted(&rng, ch->acq, NUM_ACQ);
	switch (acq)
	{
		case ACQ_CONTENT:
			t = demo_add(out, t0, EV_CONTENT_DOWNLOAD, PG_ASSET,
						 demo_below(&rng, lengthof(demo_assets)), lead->channel, lead->campaign);
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
				int			webinar = (lead->campaign - demo_first_campaign(CH_WEBINAR)) %
					(int) lengthof(demo_webinars);

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
							 CH_EMAIL, demo_mail_campaign(mail));
					if (mail == MAIL_EVENT_INVITE)
					{
						int			webinar = demo_below(&rng, lengthof(demo_webinars));

						demo_add(out, click + 60 * DEMO_SEC, EV_WEBINAR_REGISTERED, PG_WEBINAR,
								 webinar, -1, -1);
						if (demo_chance(&rng, 0.35 + 0.35 * e))
							demo_add(out, click + (int64) demo_between(&rng, 2, 10) * DEMO_DAY,
									 EV_WEBINAR_ATTENDED, PG_WEBINAR, webinar, CH_WEBINAR,
									 demo_campaign_of(&rng, CH_WEBINAR, true));
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

/* ----------------------------------------------------------------
 * Phase 3: the lifecycle
 * ---------------------------------------------------------------- */

typedef enum DemoStage
{
	ST_INQUIRY, ST_MQL, ST_SAL, ST_SQL, ST_OPPORTUNITY, ST_WON, ST_LOST,
	ST_NURTURE, ST_DISQUALIFIED
} DemoStage;

static const char *const demo_stage_names[] = {
	"inquiry", "mql", "sal", "sql", "opportunity", "won", "lost", "nurture",
	"disqualified"
};

/* where a reason is given */
typedef enum DemoReasonContext
{
	RC_MQL, RC_SAL, RC_SQL, RC_LOST, RC_JUNK
} DemoReasonContext;

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
	bool		fit_ok;			/* fit letter at least min_fit_grade */
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
		if (ctx == RC_JUNK || n == 0)
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
 *		Whether the lead meets the model's score rule at time t: score at
 *		least mql_threshold with a fit letter at least min_fit_grade.
 */
static bool
demo_meets_rule(DemoSim *sim, TimestampTz t)
{
	return sim->fit_ok && demo_score_at(sim, t) >= sim->model->mql_threshold;
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
 *		Deal size: by company size, log-normal, in whole hundreds.
 */
static int64
demo_amount(DemoSim *sim)
{
	int			size = sim->lead->company_size;
	double		base = size < 0 ? 15000 : size < 50 ? 8000 : size < 200 ? 20000 :
		size < 1000 ? 45000 : 120000;
	double		amount = demo_lognormal(&sim->rng, base, 0.45);

	return Max((int64) 1000, (int64) (amount / 100) * 100);
}

/*
 * demo_simulate
 *		The lead's moves from inquiry on.  mql_at is when the scoring rules
 *		make it an MQL (the mql_crossing aggregate over its events),
 *		DT_NOBEGIN if never.
 */
static void
demo_simulate(DemoSim *sim, TimestampTz mql_at)
{
	const DemoArgs *a = sim->args;
	const DemoLead *l = sim->lead;
	const DemoRep *rep = &demo_reps[l->owner];
	double		z = l->quality;
	bool		hand_raise = false;
	TimestampTz t;
	int			guard;

	sim->stage = ST_INQUIRY;
	sim->since = l->created;

	/* outbound leads are mostly sales-sourced: straight to sal */
	if (l->channel == CH_OUTBOUND && demo_chance(&sim->rng, 0.6))
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
					double		p_accept;

					/* does the rep act within the SLA? */
					if (demo_chance(&sim->rng, rep->ignore + 0.06 * (1 - z)))
					{
						if (demo_chance(&sim->rng, 0.55))
							return;		/* ignored: stays an MQL past its SLA */
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
					 * Sales judges what it sees (fit) and senses (quality):
					 * it accepts good leads and rejects most poor ones.
					 */
					p_accept = 0.2 + 1.3 * (sim->fit - 30) / 20 + 3.0 * (z - 0.5) +
						(hand_raise ? 0.3 : 0) + 4 * rep->accept_bias -
						(l->seniority == SEN_STUDENT ? 2 : 0);
					p_accept = 1 / (1 + exp(-p_accept));
					if (demo_chance(&sim->rng, demo_clamp(p_accept, 0.02, 0.98)))
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
													  demo_clamp(0.05 + 0.42 * z + rep->win_bias, 0.02, 0.9));

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
		(void) demo_get_cache();
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	if (funcctx->call_cntr >= funcctx->max_calls)
		SRF_RETURN_DONE(funcctx);

	a = (DemoArgs *) funcctx->user_fctx;
	idx = (int64) funcctx->call_cntr + 1;
	demo_make_lead(a, idx, &lead);

	memset(nulls, 0, sizeof(nulls));
	values[0] = Int32GetDatum((int32) idx);
	values[1] = CStringGetTextDatum(psprintf("demo-%06lld", (long long) idx));
	values[2] = TimestampTzGetDatum(lead.created);
	values[3] = CStringGetTextDatum(demo_email(&lead));
	s = demo_company_name(&lead);
	if (s)
		values[4] = CStringGetTextDatum(s);
	else
		nulls[4] = true;
	if (lead.title)
		values[5] = CStringGetTextDatum(lead.title);
	else
		nulls[5] = true;
	if (lead.industry >= 0)
		values[6] = CStringGetTextDatum(demo_industries[lead.industry].name);
	else
		nulls[6] = true;
	values[7] = CStringGetTextDatum(demo_countries[lead.country].code);
	if (lead.company_size >= 0)
		values[8] = Int32GetDatum(lead.company_size);
	else
		nulls[8] = true;
	s = psprintf("{\"first_name\": \"%c%s\", \"last_name\": \"%c%s\"}",
				 pg_toupper((unsigned char) demo_first_names[lead.first_name][0]),
				 demo_first_names[lead.first_name] + 1,
				 pg_toupper((unsigned char) demo_last_names[lead.last_name][0]),
				 demo_last_names[lead.last_name] + 1);
	values[9] = DirectFunctionCall1(jsonb_in, CStringGetDatum(s));
	values[10] = demo_cache->channel[lead.channel];
	values[11] = demo_cache->campaign[lead.campaign];
	values[12] = CStringGetTextDatum(demo_reps[lead.owner].name);

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
		demo_make_lead(a, idx, &lead);
		ctx = palloc0(sizeof(DemoEventsCtx));
		demo_make_events(a, &lead, &ctx->events);
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
		demo_make_lead(a, idx, lead);
		sim->lead = lead;
		sim->events = palloc(sizeof(DemoEvents));
		demo_make_events(a, lead, sim->events);
		sim->model = lq_get_model("default", 7);
		sim->fit_ok = lq_fit_letter(sim->model, sim->fit) <= sim->model->min_fit_grade;
		sim->sla = lq_interval_usecs(&sim->model->sla);
		sim->recycle_after = lq_interval_usecs(&sim->model->recycle_after);
		for (i = 0; i < NUM_KINDS; i++)
			sim->types[i] = lq_find_event_type(sim->model, demo_kind_names[i],
											   strlen(demo_kind_names[i]));
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
			demo_simulate(sim, mql_at);
		}
		else
			demo_simulate(sim, DT_NOBEGIN);

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
