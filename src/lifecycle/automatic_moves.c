/*-------------------------------------------------------------------------
 *
 * automatic_moves.c
 *	  When the system moves a lead into mql on its own (SPEC §4): which
 *	  stages the MQL rule (scoring/mql_rule.c) applies to, and when.
 *
 *	  inquiry → mql: a hand-raise at or before as_of, or the score rule;
 *	  nurture → mql: a hand-raise after the lead entered nurture (at or
 *	                 before as_of), or the score rule once recycle_after
 *	                 has passed since it entered nurture.
 *	  Never dated before the lead entered its stage.
 *
 *	  Live scoring's trigger, apply_automatic_moves() and rescore's pass
 *	  all decide with lq_automatic_move() (SQL: automatic_move_reason());
 *	  apply_automatic_moves() adds what only a table can say: whether
 *	  leadqual.transition lets 'system' make the move.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "lifecycle/lifecycle.h"

/*
 * lq_stage_kinds
 *		The stage enum values that automatic moves start from, for the stage
 *		type stagetype.  Cached per call site by the caller (the values
 *		change only if the extension is dropped and created again, which
 *		gives the type a new OID).
 */
void
lq_stage_kinds(Oid stagetype, LqStageKinds *kinds)
{
	kinds->stagetype = stagetype;
	kinds->inquiry = DatumGetObjectId(lq_stage_value(stagetype, "inquiry"));
	kinds->nurture = DatumGetObjectId(lq_stage_value(stagetype, "nurture"));
}

/*
 * lq_automatic_move
 *		Would the system move this lead into mql at as_of, and why?  stage
 *		is a value of the stage enum (kinds says which are inquiry and
 *		nurture); entered_at, the time it entered that stage (NULL: never
 *		moves); score and grade, its score and grade at as_of (a NULL score
 *		or a grade that is not one qualifies by hand-raise only);
 *		last_hand_raise, its latest hand-raise event (NULL: none).
 */
LqMqlReason
lq_automatic_move(const LqModel *model, const LqStageKinds *kinds, Datum stage,
				  bool entered_null, TimestampTz entered_at,
				  bool score_null, double score, char fit_letter,
				  bool hand_raise_null, TimestampTz last_hand_raise,
				  TimestampTz as_of)
{
	Oid			s = DatumGetObjectId(stage);
	bool		inquiry = s == kinds->inquiry;
	bool		hand_raise;
	bool		by_score;

	if ((!inquiry && s != kinds->nurture) || entered_null || as_of < entered_at)
		return LQ_MQL_NONE;

	hand_raise = !hand_raise_null && last_hand_raise <= as_of &&
		(inquiry || last_hand_raise > entered_at);

	by_score = !score_null && fit_letter >= 'A' && fit_letter <= 'D';
	if (by_score && !inquiry)
	{
		/* in nurture: by score only once recycle_after has passed */
		TimestampTz ready = DatumGetTimestampTz(
			DirectFunctionCall2(timestamptz_pl_interval,
								TimestampTzGetDatum(entered_at),
								IntervalPGetDatum(&model->recycle_after)));

		by_score = as_of >= ready;
	}
	return lq_mql_reason(model, hand_raise, by_score, score,
						 by_score ? fit_letter : 'D');
}

PG_FUNCTION_INFO_V1(lq_automatic_move_reason);

/*
 * lq_automatic_move_reason
 *		automatic_move_reason(model, stage, stage_entered_at, score, grade,
 *		last_hand_raise, as_of) → text: 'hand_raise' or 'score_threshold' if
 *		the system would move the lead into mql at as_of, else NULL.  NULL
 *		model, stage or as_of: NULL.
 */
Datum
lq_automatic_move_reason(PG_FUNCTION_ARGS)
{
	LqStageKinds *kinds = (LqStageKinds *) fcinfo->flinfo->fn_extra;
	Oid			stagetype;
	LqModel    *model;
	text	   *grade;
	char		fit_letter = 0;
	LqMqlReason reason;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(6))
		PG_RETURN_NULL();
	lq_check_as_of(PG_GETARG_TIMESTAMPTZ(6), false, "as_of");

	stagetype = get_fn_expr_argtype(fcinfo->flinfo, 1);
	if (kinds == NULL || kinds->stagetype != stagetype)
	{
		kinds = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(LqStageKinds));
		lq_stage_kinds(stagetype, kinds);
		fcinfo->flinfo->fn_extra = kinds;
	}
	model = lq_get_model_text(PG_GETARG_TEXT_PP(0));
	if (!PG_ARGISNULL(4))
	{
		grade = PG_GETARG_TEXT_PP(4);
		if (VARSIZE_ANY_EXHDR(grade) == 2)
			fit_letter = VARDATA_ANY(grade)[0];
	}
	reason = lq_automatic_move(model, kinds, PG_GETARG_DATUM(1),
							   PG_ARGISNULL(2), PG_ARGISNULL(2) ? 0 : PG_GETARG_TIMESTAMPTZ(2),
							   PG_ARGISNULL(3), PG_ARGISNULL(3) ? 0 : PG_GETARG_FLOAT8(3),
							   fit_letter,
							   PG_ARGISNULL(5), PG_ARGISNULL(5) ? 0 : PG_GETARG_TIMESTAMPTZ(5),
							   PG_GETARG_TIMESTAMPTZ(6));
	if (reason == LQ_MQL_NONE)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(lq_mql_reason_name(reason)));
}
