/*-------------------------------------------------------------------------
 *
 * scoring.h
 *	  The scoring concern's interface: the compiled scoring model kept in
 *	  the backend-local rules cache, fit of a lead row, and the engagement
 *	  state that the aggregates, score(), the rescore pass and live scoring
 *	  share.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LEADQUAL_SCORING_H
#define LEADQUAL_SCORING_H

#include "leadqual.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "executor/tuptable.h"
#include "utils/jsonb.h"

/* ----------------------------------------------------------------
 * Compiled rules (rules_cache.c)
 * ---------------------------------------------------------------- */

typedef enum LqFitField
{
	LQ_FIELD_EMAIL,
	LQ_FIELD_COMPANY,
	LQ_FIELD_JOB_TITLE,
	LQ_FIELD_INDUSTRY,
	LQ_FIELD_COUNTRY,
	LQ_FIELD_COMPANY_SIZE,
	LQ_FIELD_SOURCE_CHANNEL,
	LQ_FIELD_ATTRIBUTE			/* a key of lead.attributes */
} LqFitField;

#define LQ_NUM_COLUMN_FIELDS LQ_FIELD_ATTRIBUTE

typedef enum LqFitOp
{
	LQ_OP_EQ,
	LQ_OP_IN,
	LQ_OP_REGEX,
	LQ_OP_RANGE,
	LQ_OP_EXISTS
} LqFitOp;

/* One scalar operand of eq / in, pre-digested for fast comparison. */
typedef struct LqScalar
{
	enum
	{
		LQ_SCALAR_TEXT,
		LQ_SCALAR_NUMBER,
		LQ_SCALAR_BOOL
	}			kind;
	char	   *text;			/* lower-cased text form (all kinds) */
	double		number;			/* for numbers */
	bool		boolean;		/* for booleans */
} LqScalar;

typedef struct LqFitRule
{
	int64		rule_id;
	LqFitField	field;
	char	   *attr_key;		/* for LQ_FIELD_ATTRIBUTE */
	LqFitOp		op;
	int			nscalars;		/* eq: 1, in: array length */
	LqScalar   *scalars;
	text	   *regex;			/* regex pattern (as text, for RE cache) */
	struct HTAB *memo;			/* regex: value → matched, for repeated values */
	MemoryContext memo_cxt;		/* where the memo lives (the rules cache) */
	int			nlits;			/* regex of literals only: its alternatives */
	char	  **lits;			/* (prefix + each + suffix, lower-case), or 0 */
	int		   *lit_lens;
	uint32		memo_probes;	/* lookups in the memo so far … */
	uint32		memo_hits;		/* … and how many found the value */
	bool		memo_off;		/* values hardly repeat: no memo */
	bool		has_lo;
	bool		has_hi;
	double		lo;
	double		hi;
	double		points;
	char	   *group_name;		/* rule_group, NULL for none */
	int			group;			/* its number in the model, -1 for none */
	bool		group_top;		/* no other member of the group beats it */
	char	   *description;
} LqFitRule;

typedef struct LqEngRule
{
	int64		rule_id;
	char	   *event_type;
	int			event_type_len;
	Jsonb	   *properties;		/* NULL: no property filter */
	int			nflat;			/* properties is {key: scalar, …}: its pairs, */
	JsonbValue *flat_keys;		/* matched by key lookup instead of the */
	JsonbValue *flat_values;	/* general containment (-1: not flat) */
	double		points;
	double		half_life_us;	/* microseconds; 0 = no decay */
	bool		has_cap;
	double		max_points;
	int			min_count;
	bool		is_frequency;	/* within is set */
	int64		within;			/* microseconds, saturated at PG_INT64_MAX */
	bool		within_huge;	/* within is longer than PG_INT64_MAX us */
	double		within_us;		/* the same in double, exact or nearly */
	int			recent_offset;	/* frequency rules: first slot in state->recent */
	char	   *description;
} LqEngRule;

/* Engagement rules grouped by event type, for the per-row lookup. */
typedef struct LqEventType
{
	char	   *name;
	int			len;
	int			nrules;
	int		   *rules;			/* indexes into model->eng */
	bool		any_properties; /* some rule needs the event's properties */
	bool		hand_raise;		/* listed in the model's hand_raise_types */
} LqEventType;

typedef struct LqModel
{
	char	   *name;
	int			namelen;
	double		mql_threshold;
	char		min_fit_grade;
	int			nhand_raise;
	char	  **hand_raise;
	Interval	sla;
	Interval	recycle_after;
	double		fit_bands[3];
	double		eng_bands[3];

	int			nfit;
	LqFitRule  *fit;
	int			nfit_groups;	/* distinct rule_group values */
	int		   *fit_best;		/* [nfit_groups] lq_fit's scratch */
	bool	   *fit_counted;	/* [nfit] lq_fit's scratch */
	int			neng;
	LqEngRule  *eng;
	int			ntypes;
	LqEventType *types;
	struct lq_typehash_hash *type_hash; /* types by name, if more than
										 * LQ_TYPE_HASH_MIN */
	int			nrecent;		/* total timestamp slots of frequency rules */

	uint32		fingerprint;	/* hash of the compiled rules */
} LqModel;

/* up to this many event types, lq_find_event_type scans instead of hashing */
#define LQ_TYPE_HASH_MIN 32

extern LqModel *lq_find_model(const char *name, int len, bool *found);
extern LqModel *lq_get_model(const char *name, int len);
extern LqModel *lq_get_model_text(text *name);

/* Is the model the one with this name? */
static inline bool
lq_model_named(const LqModel *model, const text *name)
{
	return VARSIZE_ANY_EXHDR(name) == model->namelen &&
		memcmp(VARDATA_ANY(name), model->name, model->namelen) == 0;
}
extern LqEventType *lq_find_event_type(LqModel *model, const char *type, int len);
extern char lq_fit_letter(LqModel *model, double fit);
extern char lq_eng_digit(LqModel *model, double engagement);

/* ----------------------------------------------------------------
 * The MQL rule (mql_rule.c)
 * ---------------------------------------------------------------- */

typedef enum LqMqlReason
{
	LQ_MQL_NONE,				/* does not qualify */
	LQ_MQL_HAND_RAISE,			/* a hand-raise event */
	LQ_MQL_SCORE				/* score over the threshold, fit grade good enough */
} LqMqlReason;

extern LqMqlReason lq_mql_reason(const LqModel *model, bool hand_raise, bool by_score,
								 double score, char fit_letter);
extern LqMqlReason lq_mql_reason_at(const LqModel *model, double threshold, bool hand_raise,
									bool by_score, double score, char fit_letter);
extern const char *lq_mql_reason_name(LqMqlReason reason);

/* ----------------------------------------------------------------
 * The replay of one lead's events (mql_crossing.c): the state of the
 * mql_crossing aggregate, shared with the mql_peak aggregate (reports/),
 * which uses the same support functions with its own final function.
 * ---------------------------------------------------------------- */

typedef struct LqReplay LqReplay;

/*
 * Called at each event instant in time order with the score then and
 * whether a hand-raise event has occurred at or before it; true stops the
 * sweep.
 */
typedef bool (*LqReplayVisit) (void *arg, TimestampTz t, double score, bool hand_raise);

extern bool lq_replay(LqReplay *replay, LqReplayVisit visit, void *arg);
extern LqModel *lq_replay_model(LqReplay *replay);
extern double lq_replay_fit(LqReplay *replay);

/* ----------------------------------------------------------------
 * Fit (fit.c)
 * ---------------------------------------------------------------- */

/* Lead columns a fit rule can read, pulled out of a lead row once. */
typedef struct LqLeadFields
{
	bool		isnull[LQ_NUM_COLUMN_FIELDS];
	Datum		values[LQ_NUM_COLUMN_FIELDS];
	bool		attributes_isnull;	/* lead.attributes is NULL or absent */
	Datum		attributes_datum;	/* lead.attributes, as stored */
	Jsonb	   *attributes;		/* detoasted on first use */
	text	   *model;			/* lead.model, NULL if absent */
} LqLeadFields;

/* the lead columns fit reads: the LqFitField ones, then attributes, model */
#define LQ_NUM_LEAD_COLUMNS (LQ_NUM_COLUMN_FIELDS + 2)

extern void lq_regex_literals(LqFitRule *rule, const char *pattern, int len);
extern int	lq_lead_attnums(TupleDesc desc, int *attnums);
extern void lq_lead_fields_from_slot(TupleTableSlot *slot, const int *attnums,
									 LqLeadFields *fields);
extern void lq_lead_fields(HeapTupleHeader lead, LqLeadFields *fields);
extern bool lq_fit_rule_matches(LqFitRule *rule, LqLeadFields *fields);
extern double lq_fit(LqModel *model, LqLeadFields *fields, bool *counted);

/* ----------------------------------------------------------------
 * Engagement state (engagement.c)
 *
 * Plain rules keep a forward-decayed sum against the landmark time:
 * sum[r] = Σ points · 2^((t − landmark) / half_life), so adding events is
 * order-independent and merging two states is an addition after moving both
 * to the later landmark.  The value at time T is sum[r] · 2^((landmark − T) /
 * half_life).  Frequency rules keep the min_count most recent event times,
 * which is all the window test at T needs.
 * ---------------------------------------------------------------- */

typedef struct LqEngState
{
	LqModel    *model;			/* not serialized */
	TimestampTz as_of;			/* events after this are ignored */
	TimestampTz landmark;		/* forward-decay landmark */
	TimestampTz max_t;			/* latest event counted by a rule */
	TimestampTz last_hand_raise;	/* latest hand-raise event, DT_NOBEGIN if none */
	int			neng;
	int			nrecent;
	double	   *sum;			/* [neng] forward-decayed sums (plain rules) */
	int64	   *count;			/* [neng] matching events counted */
	TimestampTz *recent;		/* [nrecent] most recent times, descending,
								 * DT_NOBEGIN when empty */
} LqEngState;

extern Size lq_eng_state_size(LqModel *model);
extern LqEngState *lq_eng_state_init(LqModel *model, TimestampTz as_of, void *buf);
extern void lq_eng_state_point(LqEngState *s, void *buf, LqModel *model);
extern LqEngState *lq_eng_state_new(LqModel *model, TimestampTz as_of, MemoryContext cxt);
extern int	lq_eng_match(LqModel *model, LqEventType *type, Datum properties,
						 bool props_null, int *matched);
extern void lq_eng_state_add_match(LqEngState *state, int r, TimestampTz t);
extern void lq_eng_state_add_typed(LqEngState *state, LqEventType *type, Datum properties,
								   bool props_null, TimestampTz occurred_at);
extern void lq_eng_state_add_event(LqEngState *state, text *event_type, Datum properties,
								   bool props_null, TimestampTz occurred_at);
extern void lq_eng_state_merge(LqEngState *dst, LqEngState *src);
extern double lq_eng_rule_value(LqEngState *state, int r, TimestampTz at);
extern double lq_eng_value(LqEngState *state, TimestampTz at);
extern bytea *lq_eng_state_to_bytea(LqEngState *state);
extern LqEngState *lq_eng_state_from_bytea(bytea *b, MemoryContext cxt, bool stale_ok);

#endif							/* LEADQUAL_SCORING_H */
