/*-------------------------------------------------------------------------
 *
 * rules.h
 *	  Inside the scoring concern: the rule compiler (rules_compile.c), used
 *	  by the rules cache (rules_cache.c) and by the validation trigger
 *	  (rules_validate.c).  Other files use the compiled models through
 *	  scoring.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LEADQUAL_RULES_H
#define LEADQUAL_RULES_H

#include "scoring/scoring.h"

#include "utils/array.h"

/*
 * Limits on the sizes a user controls, checked when a row is written (the
 * validation trigger compiles it) so that a row beyond them is refused, not
 * loaded by every session.
 *
 * hand_raise_types: a model has a few hand-raise types (two by default);
 * a thousand leaves room for generated names, and keeps a model's type
 * index at a few hundred kilobytes per backend at most.
 * in lists: a lead is compared with every element of the list, in every
 * scoring of the lead; a thousand (every country, a long industry or
 * account list) costs microseconds per lead.  A longer list splits into
 * rules of one rule_group.
 * Names (event_type, hand_raise_types elements, rule_group): identifiers,
 * not prose.
 * Rules per model (fit and engagement, each): every session compiles every
 * model, used or not, so a runaway rule set (20,000 regex rules took 0.37 s
 * to load) would slow every session; a thousand is far more than a
 * scoring model that people can read.
 * Event times of frequency rules (Σ min_count): each lead's engagement
 * state keeps them, 8 bytes each, in every aggregate group and stored
 * state; 10,000 caps a state at about 80 kB.
 */
#define LQ_MAX_HAND_RAISE_TYPES 1000
#define LQ_MAX_IN_VALUES 1000
#define LQ_MAX_NAME_LEN 255
#define LQ_MAX_RULES 1000
#define LQ_MAX_RECENT_SLOTS 10000
#define LQ_MAX_REGEX_LEN 1000		/* bytes of a fit rule's pattern */
#define LQ_MAX_PROPERTIES_DEPTH 32	/* nesting of an engagement rule's properties */
#define LQ_MAX_PROPERTIES_SIZE 65536	/* bytes of an engagement rule's properties */

extern void lq_compile_fit_rule(LqFitRule *rule, int64 rule_id, const char *field,
								const char *op, Jsonb *value, double points,
								const char *rule_group, const char *description);
extern void lq_compile_eng_rule(LqEngRule *rule, int64 rule_id, const char *event_type,
								Jsonb *properties, double points, Interval *half_life,
								bool has_cap, double max_points, int min_count,
								Interval *within, const char *description);
extern void lq_compile_model_row(LqModel *m, const char *name, double threshold,
								 const char *min_fit_grade, ArrayType *hand_raise,
								 Interval *sla, Interval *recycle_after,
								 ArrayType *fit_bands, ArrayType *eng_bands);
extern void lq_index_event_types(LqModel *m);
extern void lq_index_fit_groups(LqModel *m);

#endif							/* LEADQUAL_RULES_H */
