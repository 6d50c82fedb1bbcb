/*-------------------------------------------------------------------------
 *
 * mql_rule.c
 *	  The one definition of "qualifies as an MQL" (SPEC §3, §4): a
 *	  hand-raise qualifies at once; otherwise a score of at least the
 *	  model's mql_threshold with a fit letter at least its min_fit_grade.
 *
 *	  Whether a lead's stage lets the rule apply at all (inquiry, or nurture
 *	  once recycle_after has passed, a hand-raise after entering nurture) is
 *	  the lifecycle's business (lifecycle/automatic_moves.c), which calls
 *	  this; so do the mql_crossing replay, the demo generator and (with a
 *	  threshold of its choosing) threshold_analysis.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "scoring/scoring.h"

/*
 * lq_mql_reason_at
 *		Does a lead qualify as an MQL under the model with its MQL threshold
 *		replaced by threshold, and why?  hand_raise: a hand-raise event
 *		counts for it; by_score: its score may qualify it (the caller says no
 *		while a recycled lead waits out recycle_after); score and fit_letter:
 *		its score and the letter of its fit grade.  A non-finite score
 *		qualifies by nothing (scores are finite; see lq_check_finite).
 *
 *		The score part is monotone in threshold: a lead that qualifies by a
 *		score s qualifies under every threshold <= s, which is what lets
 *		threshold_analysis count many thresholds from one replay.
 */
LqMqlReason
lq_mql_reason_at(const LqModel *model, double threshold, bool hand_raise,
				 bool by_score, double score, char fit_letter)
{
	Assert(fit_letter >= 'A' && fit_letter <= 'D');
	Assert(model->min_fit_grade >= 'A' && model->min_fit_grade <= 'D');

	if (hand_raise)
		return LQ_MQL_HAND_RAISE;
	if (by_score && isfinite(score) && score >= threshold &&
		fit_letter <= model->min_fit_grade)
		return LQ_MQL_SCORE;
	return LQ_MQL_NONE;
}

/*
 * lq_mql_reason
 *		The MQL rule under the model's own mql_threshold (see
 *		lq_mql_reason_at).
 */
LqMqlReason
lq_mql_reason(const LqModel *model, bool hand_raise, bool by_score,
			  double score, char fit_letter)
{
	return lq_mql_reason_at(model, model->mql_threshold, hand_raise, by_score,
							score, fit_letter);
}

/*
 * lq_mql_reason_name
 *		The stage_history reason of an automatic move into mql.
 */
const char *
lq_mql_reason_name(LqMqlReason reason)
{
	switch (reason)
	{
		case LQ_MQL_HAND_RAISE:
			return "hand_raise";
		case LQ_MQL_SCORE:
			return "score_threshold";
		case LQ_MQL_NONE:
			break;
	}
	return NULL;
}
