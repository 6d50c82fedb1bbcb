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

extern void lq_compile_fit_rule(LqFitRule *rule, int64 rule_id, const char *field,
								const char *op, Jsonb *value, double points,
								const char *description);
extern void lq_compile_eng_rule(LqEngRule *rule, int64 rule_id, const char *event_type,
								Jsonb *properties, double points, Interval *half_life,
								bool has_cap, double max_points, int min_count,
								Interval *within, const char *description);
extern void lq_compile_model_row(LqModel *m, const char *name, double threshold,
								 const char *min_fit_grade, ArrayType *hand_raise,
								 Interval *sla, Interval *recycle_after,
								 ArrayType *fit_bands, ArrayType *eng_bands);
extern void lq_index_event_types(LqModel *m);

#endif							/* LEADQUAL_RULES_H */
