/*-------------------------------------------------------------------------
 *
 * leadqual.c
 *	  Module entry point: PG_MODULE_MAGIC, the GUCs and argument checks that
 *	  every part of leadqual shares.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/guc.h"

#include "leadqual.h"

PG_MODULE_MAGIC;

bool		lq_auto_scoring = true;

void		_PG_init(void);

/*
 * _PG_init
 *		Define leadqual's GUCs when the library is loaded.
 */
void
_PG_init(void)
{
	DefineCustomBoolVariable("leadqual.auto_scoring",
							 "Rescore leads and make automatic stage moves when events change.",
							 "Turn off for bulk loads, then run leadqual.rescore() to catch up.",
							 &lq_auto_scoring,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("leadqual");
#else
	EmitWarningsOnPlaceholders("leadqual");
#endif
}

/*
 * lq_check_as_of
 *		Refuse a NULL or infinite as-of time: scores are defined at an instant.
 */
void
lq_check_as_of(TimestampTz as_of, bool isnull, const char *argname)
{
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", argname),
				 errhint("Pass a timestamp, e.g. now().")));
	if (TIMESTAMP_NOT_FINITE(as_of))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be a finite timestamp", argname),
				 errdetail("Scores are computed at an instant; infinity has no score."),
				 errhint("Pass a finite timestamp, e.g. now().")));
}

/*
 * lq_interval_usecs
 *		Length of an interval in microseconds, with months as 30 days and days
 *		as 24 hours (the convention of interval comparison in PostgreSQL).
 */
int64
lq_interval_usecs(const Interval *iv)
{
	return iv->time + (int64) iv->day * USECS_PER_DAY +
		(int64) iv->month * DAYS_PER_MONTH * USECS_PER_DAY;
}

/*
 * lq_interval_seconds
 *		The same in seconds, as a double.
 */
double
lq_interval_seconds(const Interval *iv)
{
	return (double) lq_interval_usecs(iv) / (double) USECS_PER_SEC;
}

/*
 * lq_check_finite
 *		Refuse NaN and infinities where a number takes part in a score.
 */
void
lq_check_finite(double v, const char *what)
{
	if (isnan(v) || isinf(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be a finite number", what),
				 errhint("Use a finite value; NaN and infinity cannot be added to a score.")));
}

PG_FUNCTION_INFO_V1(lq_auto_scoring_enabled);

/*
 * lq_auto_scoring_enabled
 *		auto_scoring_enabled() → boolean: the GUC, read from C so that the
 *		library (which defines the GUC) is loaded first.
 */
Datum
lq_auto_scoring_enabled(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(lq_auto_scoring);
}
