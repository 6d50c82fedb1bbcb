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

#include "fmgr.h"
#include "utils/timestamp.h"

/* GUC leadqual.auto_scoring */
extern bool lq_auto_scoring;

/* ----------------------------------------------------------------
 * Helpers (leadqual.c)
 * ---------------------------------------------------------------- */

extern void lq_check_as_of(TimestampTz as_of, bool isnull, const char *argname);
extern double lq_interval_seconds(const Interval *iv);
extern int64 lq_interval_usecs(const Interval *iv);
extern void lq_check_finite(double v, const char *what);

#endif							/* LEADQUAL_H */
