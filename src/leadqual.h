/*-------------------------------------------------------------------------
 *
 * leadqual.h
 *	  What every concern of the leadqual extension needs: the GUCs and the
 *	  small checks and conversions of leadqual.c.  Each concern has its own
 *	  header (scoring/scoring.h, lifecycle/..., demo/demo.h).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LEADQUAL_H
#define LEADQUAL_H

#include "postgres.h"

#include "common/int.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/timestamp.h"

/* GUC leadqual.auto_scoring */
extern bool lq_auto_scoring;

/* GUC leadqual.notify_channel: "" = no hand-off notifications */
extern char *lq_notify_channel;

/* ----------------------------------------------------------------
 * Helpers (leadqual.c)
 * ---------------------------------------------------------------- */

extern void lq_check_as_of(TimestampTz as_of, bool isnull, const char *argname);
extern int	lq_interval_sign(const Interval *iv);
extern int64 lq_interval_usecs(const Interval *iv, bool *exact);
extern double lq_interval_usecs_double(const Interval *iv);
extern void lq_check_interval_max(const Interval *iv, int max_days, const char *what);
extern void lq_check_finite(double v, const char *what);
extern MemoryContext lq_agg_context(FunctionCallInfo fcinfo, const char *fname);
extern void lq_check_points(double v, const char *what);
extern void lq_check_sum(double v, const char *what);
extern struct varlena *lq_state_from_recv(StringInfo buf);
extern struct varlena *lq_state_from_base64(const char *str, const char *typname, const char *origin);
extern char *lq_state_to_base64(const struct varlena *v, const char *typname);

/*
 * Largest absolute value of rule points, caps, the MQL threshold and grade
 * bands (lq_check_points says why it keeps every score finite).
 */
#define LQ_MAX_POINTS 1e12

/* Longest sla and recycle_after of a scoring model, in days (100 years). */
#define LQ_MAX_MODEL_INTERVAL_DAYS 36500

/*
 * lq_time_diff
 *		a - b in microseconds, for two timestamps that may be at opposite
 *		ends of the range (4714 BC to 294276 AD span more than int64
 *		microseconds): exact when the difference fits int64, otherwise
 *		computed in double (relative error about 1e-16).  Infinite
 *		timestamps are the caller's business.
 */
static inline double
lq_time_diff(TimestampTz a, TimestampTz b)
{
	int64		d;

	if (!pg_sub_s64_overflow(a, b, &d))
		return (double) d;
	return (double) a - (double) b;
}

#endif							/* LEADQUAL_H */
