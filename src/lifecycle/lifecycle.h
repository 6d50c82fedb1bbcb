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

/* ----------------------------------------------------------------
 * Hand-off notifications (notify.c)
 * ---------------------------------------------------------------- */

/*
 * Longest JSON string content of external_id, actor, reason and owner in a
 * notification payload, in bytes: NOTIFY limits the whole payload to
 * 7,999 bytes (8 kB pages).
 */
#define LQ_NOTIFY_FIELD_MAX 1000

/* A text field of a notification: s[0..len), all of the value if full. */
typedef struct LqNoticeText
{
	const char *s;				/* NULL: SQL NULL */
	size_t		len;
	bool		full;			/* false: s is only the value's start */
} LqNoticeText;

/* One stage move, as a notification tells it. */
typedef struct LqMoveNotice
{
	bool		history_id_null;
	int64		history_id;
	bool		lead_id_null;
	int64		lead_id;
	LqNoticeText external_id;
	const char *from_stage;		/* NULL: none */
	const char *to_stage;
	bool		changed_at_null;
	TimestampTz changed_at;
	LqNoticeText actor;
	LqNoticeText reason;
	bool		score_null;
	double		score;
	LqNoticeText owner;
	bool		truncated;		/* a field was cut before (a relayed move) */
} LqMoveNotice;

/* a NUL-terminated C string (or NULL) as a notification's text field */
static inline LqNoticeText
lq_notice_text(const char *s)
{
	LqNoticeText t;

	t.s = s;
	t.len = s ? strlen(s) : 0;
	t.full = true;
	return t;
}

extern char *lq_notify_move(const LqMoveNotice *n);

#endif							/* LEADQUAL_LIFECYCLE_H */
