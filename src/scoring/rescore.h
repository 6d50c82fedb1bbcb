/*-------------------------------------------------------------------------
 *
 * rescore.h
 *	  rescore()'s pass over lead and event (rescore_pass.c), shared by
 *	  score_by_lead(), which returns what it computes, and rescore_changes()
 *	  (lifecycle/rescore_store.c), which hands out what rescore() writes.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LEADQUAL_RESCORE_H
#define LEADQUAL_RESCORE_H

#include "fmgr.h"
#include "storage/itemptr.h"

#include "scoring/scoring.h"

/*
 * One lead of the model as the pass sees it.  What the lead scan read is
 * filled in when the lead is collected; engagement, grade and latest
 * hand-raise when it is handed to the caller.
 */
typedef struct LqPassLead
{
	int64		lead_id;
	ItemPointerData tid;		/* the lead row the scan read */
	double		fit;
	Datum		stage;			/* lead.stage (an enum: by value) */
	bool		stage_isnull;
	bool		entered_isnull;
	TimestampTz stage_entered_at;

	/* the stored score columns of that row */
	bool		stored_fit_isnull;
	bool		stored_eng_isnull;
	int8		stored_grade_len;	/* -1 for NULL, 3 for "not a grade" */
	char		stored_grade[2];
	double		stored_fit;
	double		stored_eng;

	/* computed when the lead is handed out */
	double		engagement;
	char		grade[3];
	TimestampTz last_hand_raise;	/* DT_NOBEGIN if none */
} LqPassLead;

/* What the caller does with each lead. */
typedef void (*LqPassEmit) (LqPassLead *lead, void *arg);

extern Oid	lq_rescore_relid(FunctionCallInfo fcinfo, const char *relname);
extern AttrNumber lq_rescore_attnum(Oid relid, const char *colname);
/*
 * The pass over lead_relid (leadqual.lead, or on Citus one of its shards on
 * this node, read with the colocated shard of event).
 */
extern int64 lq_pass_run(FunctionCallInfo fcinfo, const char *caller,
						 LqModel *model, TimestampTz as_of, Oid lead_relid,
						 LqPassEmit emit, void *arg);

/*
 * Does the lead's row hold other values than the pass computed, as
 * (fit_score, engagement_score, grade) IS DISTINCT FROM (...) says?
 */
static inline bool
lq_pass_lead_changed(const LqPassLead *lead)
{
	return lead->stored_fit_isnull || lead->stored_fit != lead->fit ||
		lead->stored_eng_isnull || lead->stored_eng != lead->engagement ||
		lead->stored_grade_len != 2 ||
		lead->stored_grade[0] != lead->grade[0] ||
		lead->stored_grade[1] != lead->grade[1];
}

#endif							/* LEADQUAL_RESCORE_H */
