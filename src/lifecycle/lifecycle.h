/*-------------------------------------------------------------------------
 *
 * lifecycle.h
 *	  The lifecycle concern's interface: stage values and the automatic
 *	  moves into mql (automatic_moves.c), on top of scoring's MQL rule.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LEADQUAL_LIFECYCLE_H
#define LEADQUAL_LIFECYCLE_H

#include "scoring/scoring.h"

/* The stage enum values automatic moves start from. */
typedef struct LqStageKinds
{
	Oid			stagetype;		/* the enum type they belong to */
	Oid			inquiry;
	Oid			nurture;
} LqStageKinds;

extern Datum lq_stage_value(Oid stagetype, const char *label);
extern void lq_stage_kinds(Oid stagetype, LqStageKinds *kinds);
extern LqMqlReason lq_automatic_move(const LqModel *model, const LqStageKinds *kinds,
									 Datum stage, bool entered_null, TimestampTz entered_at,
									 bool score_null, double score, char fit_letter,
									 bool hand_raise_null, TimestampTz last_hand_raise,
									 TimestampTz as_of);

#endif							/* LEADQUAL_LIFECYCLE_H */
