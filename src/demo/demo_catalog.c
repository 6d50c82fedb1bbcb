/*-------------------------------------------------------------------------
 *
 * demo_catalog.c
 *	  The demo world of generate_demo(): acquisition channels and their
 *	  campaigns, job titles, industries, countries, names, company names,
 *	  free-mail providers and sales reps; the event types and property
 *	  values the events use; lookups of campaigns; and the backend-local
 *	  cache of the datums the demo functions return.
 *
 * The tables are constant.  Their order matters: leads draw indexes into
 * them, so reordering or resizing a table changes the generated data.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/memutils.h"

#include "demo/demo.h"

/* ----------------------------------------------------------------
 * The demo world: channels, campaigns, people, companies, reps
 * ---------------------------------------------------------------- */

/*					   content form demo contact webinar show reply partner */
const DemoChannel lq_demo_channels[NUM_CHANNELS] = {
	{"organic_search", 15, 0.50, {55, 37, 4, 4, 0, 0, 0, 0}, 35},
	{"paid_search", 13, 0.42, {55, 28, 10, 7, 0, 0, 0, 0}, 10},
	{"paid_social", 10, 0.14, {80, 20, 0, 0, 0, 0, 0, 0}, 7},
	{"linkedin", 8, 0.55, {75, 17, 5, 3, 0, 0, 0, 0}, 8},
	{"webinar", 7, 0.52, {0, 0, 0, 0, 100, 0, 0, 0}, 0},
	{"content_syndication", 10, 0.20, {100, 0, 0, 0, 0, 0, 0, 0}, 0},
	{"trade_show", 5, 0.58, {0, 0, 0, 0, 0, 100, 0, 0}, 0},
	{"partner_referral", 5, 0.85, {0, 0, 20, 25, 0, 0, 0, 55}, 0},
	{"email", 6, 0.32, {40, 55, 0, 5, 0, 0, 0, 0}, 0},
	{"direct", 7, 0.68, {0, 65, 20, 15, 0, 0, 0, 0}, 35},
	{"review_sites", 4, 0.72, {65, 0, 25, 10, 0, 0, 0, 0}, 5},
	{"outbound", 7, 0.48, {0, 0, 0, 0, 0, 0, 100, 0}, 0},
};

const DemoCampaign lq_demo_campaigns[] = {
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

StaticAssertDecl(lengthof(lq_demo_campaigns) == NUM_CAMPAIGNS,
				 "NUM_CAMPAIGNS must match lq_demo_campaigns");

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

const DemoTitles lq_demo_titles[NUM_SENIORITY] = {
	{demo_titles_c, lengthof(demo_titles_c)},
	{demo_titles_vp, lengthof(demo_titles_vp)},
	{demo_titles_manager, lengthof(demo_titles_manager)},
	{demo_titles_individual, lengthof(demo_titles_individual)},
	{demo_titles_student, lengthof(demo_titles_student)},
};

const DemoIndustry lq_demo_industries[] = {
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

StaticAssertDecl(lengthof(lq_demo_industries) == NUM_INDUSTRIES,
				 "NUM_INDUSTRIES must match lq_demo_industries");

const DemoCountry lq_demo_countries[] = {
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

StaticAssertDecl(lengthof(lq_demo_countries) == NUM_COUNTRIES,
				 "NUM_COUNTRIES must match lq_demo_countries");

const char *const lq_demo_first_names[] = {
	"james", "mary", "robert", "patricia", "john", "jennifer", "michael",
	"linda", "david", "elizabeth", "william", "barbara", "richard", "susan",
	"joseph", "jessica", "thomas", "sarah", "carlos", "maria", "ahmed",
	"fatima", "wei", "mei", "hiroshi", "yuki", "lukas", "anna", "pierre",
	"sophie", "lars", "ingrid", "raj", "priya", "olu", "amara", "diego",
	"lucia", "noah", "emma"
};
const char *const lq_demo_last_names[] = {
	"smith", "johnson", "williams", "brown", "jones", "garcia", "miller",
	"davis", "rodriguez", "martinez", "hernandez", "lopez", "wilson",
	"anderson", "taylor", "thomas", "moore", "jackson", "martin", "lee",
	"mueller", "schmidt", "dubois", "laurent", "jansen", "devries",
	"andersson", "nilsson", "sharma", "patel", "tanaka", "sato", "silva",
	"santos", "okafor", "adeyemi", "kowalski", "rossi", "chen", "wang"
};
const char *const lq_demo_company_prefixes[] = {
	"Acme", "Apex", "Blue", "Bright", "Cedar", "Cobalt", "Crest", "Delta",
	"Ever", "Falcon", "Granite", "Harbor", "Helix", "Iron", "Juniper",
	"Keystone", "Lumen", "Maple", "Meridian", "Nimbus", "North", "Nova",
	"Orbit", "Pioneer", "Quantum", "Redwood", "Silver", "Summit", "Terra",
	"Vertex", "Willow", "Zenith"
};
const char *const lq_demo_universities[] = {
	"State University", "Institute of Technology", "Business School",
	"Polytechnic University", "City College"
};

StaticAssertDecl(lengthof(lq_demo_first_names) == NUM_FIRST_NAMES,
				 "NUM_FIRST_NAMES must match lq_demo_first_names");
StaticAssertDecl(lengthof(lq_demo_last_names) == NUM_LAST_NAMES,
				 "NUM_LAST_NAMES must match lq_demo_last_names");
StaticAssertDecl(lengthof(lq_demo_company_prefixes) == NUM_COMPANY_PREFIXES,
				 "NUM_COMPANY_PREFIXES must match lq_demo_company_prefixes");

/* free-mail providers (all matched by the default model's free-mail rule) */
const char *const lq_demo_free_domains[] = {
	"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com",
	"gmx.de", "web.de", "aol.com", "live.com", "mail.com"
};
const double lq_demo_free_weights[] = {50, 12, 10, 10, 6, 4, 3, 2, 2, 1};

StaticAssertDecl(lengthof(lq_demo_free_domains) == NUM_FREE_DOMAINS,
				 "NUM_FREE_DOMAINS must match lq_demo_free_domains");
StaticAssertDecl(lengthof(lq_demo_free_weights) == NUM_FREE_DOMAINS,
				 "NUM_FREE_DOMAINS must match lq_demo_free_weights");

/* sales reps: territory and habits */
const DemoRep lq_demo_reps[] = {
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

StaticAssertDecl(lengthof(lq_demo_reps) == NUM_REPS,
				 "NUM_REPS must match lq_demo_reps");

/* ----------------------------------------------------------------
 * Event types and properties
 * ---------------------------------------------------------------- */

const char *const lq_demo_kind_names[NUM_KINDS] = {
	"page_view", "email_open", "email_click", "content_download",
	"webinar_registered", "webinar_attended", "demo_request",
	"contact_request", "unsubscribe", "form_submit", "trade_show_visit",
	"email_reply", "chat_started", "video_played"
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

StaticAssertDecl(lengthof(demo_assets) == NUM_ASSETS,
				 "NUM_ASSETS must match demo_assets");
StaticAssertDecl(lengthof(demo_webinars) == NUM_WEBINARS,
				 "NUM_WEBINARS must match demo_webinars");
StaticAssertDecl(lengthof(demo_topics) == NUM_TOPICS,
				 "NUM_TOPICS must match demo_topics");
StaticAssertDecl(lengthof(demo_videos) == NUM_VIDEOS,
				 "NUM_VIDEOS must match demo_videos");

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

/* ----------------------------------------------------------------
 * Campaign lookups
 * ---------------------------------------------------------------- */

/*
 * lq_demo_campaign_of
 *		An acquisition campaign of a channel.
 */
int
lq_demo_campaign_of(DemoRng *rng, int channel, bool acquisition)
{
	int			ids[8];
	int			n = 0;
	int			i;

	for (i = 0; i < NUM_CAMPAIGNS && n < (int) lengthof(ids); i++)
		if (lq_demo_campaigns[i].channel == channel &&
			lq_demo_campaigns[i].acquisition == acquisition)
			ids[n++] = i;
	if (n == 0)
		return -1;
	return ids[demo_below(rng, n)];
}

/*
 * lq_demo_first_campaign
 *		Index of a channel's first campaign in lq_demo_campaigns.
 */
int
lq_demo_first_campaign(int channel)
{
	int			i;

	for (i = 0; i < NUM_CAMPAIGNS; i++)
		if (lq_demo_campaigns[i].channel == channel)
			return i;
	elog(ERROR, "demo channel %d has no campaign", channel);
	return -1;					/* keep compiler quiet */
}

/*
 * lq_demo_mail_campaign
 *		The campaign of a nurture e-mail.
 */
int
lq_demo_mail_campaign(int mail)
{
	static const char *const names[NUM_MAILS] = {
		"email_newsletter", "email_product_update", "email_nurture_sequence",
		"email_event_invite"
	};
	int			i;

	for (i = 0; i < NUM_CAMPAIGNS; i++)
		if (strcmp(lq_demo_campaigns[i].name, names[mail]) == 0)
			return i;
	elog(ERROR, "demo campaign %s missing", names[mail]);
	return -1;					/* keep compiler quiet */
}

/* ----------------------------------------------------------------
 * The datum cache
 * ---------------------------------------------------------------- */

static DemoCache *demo_cache = NULL;

/*
 * lq_demo_get_cache
 *		The datum cache, built on first use in a backend-lifetime context.
 */
DemoCache *
lq_demo_get_cache(void)
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
		c->kind[i] = CStringGetTextDatum(lq_demo_kind_names[i]);
	for (i = 0; i < NUM_CHANNELS; i++)
		c->channel[i] = CStringGetTextDatum(lq_demo_channels[i].name);
	for (i = 0; i < NUM_CAMPAIGNS; i++)
		c->campaign[i] = CStringGetTextDatum(lq_demo_campaigns[i].name);
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
