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

#include "common/base64.h"
#include "common/int128.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "nodes/execnodes.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "leadqual.h"
#include "predictive/predictive.h"

PG_MODULE_MAGIC;

bool		lq_auto_scoring = true;
char	   *lq_notify_channel = NULL;

void		_PG_init(void);

/*
 * lq_check_notify_channel
 *		GUC check hook of leadqual.notify_channel: a channel name is an
 *		identifier of at most NAMEDATALEN - 1 bytes (pg_notify refuses a
 *		longer one), so a setting that could never be used is refused when
 *		it is set rather than at the first stage move, which would then
 *		fail.  The empty string turns notifications off.
 */
static bool
lq_check_notify_channel(char **newval, void **extra, GucSource source)
{
	size_t		len = *newval ? strlen(*newval) : 0;

	if (len >= NAMEDATALEN)
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errmsg("leadqual.notify_channel must be at most %d bytes long",
						 NAMEDATALEN - 1);
		GUC_check_errdetail("The channel name given is %zu bytes long; NOTIFY channel names are identifiers of at most %d bytes.",
							len, NAMEDATALEN - 1);
		GUC_check_errhint("Use a shorter channel name, e.g. leadqual_handoff, or the empty string to turn notifications off.");
		return false;
	}
	return true;
}

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
	DefineCustomIntVariable("leadqual.fit_memory_limit",
							"Largest group of rows one logistic_regression fit keeps in memory.",
							"A fit needs its rows for every Newton step: 8 bytes per number, (features + 1) numbers per row.",
							&lq_fit_memory_limit,
							512 * 1024,
							1024,
							1024 * 1024,
							PGC_USERSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);
	DefineCustomStringVariable("leadqual.notify_channel",
							   "NOTIFY channel that every stage move is sent to, as a JSON payload.",
							   "Empty (the default) sends nothing. Listeners get the payload when the move commits.",
							   &lq_notify_channel,
							   "",
							   PGC_USERSET,
							   0,
							   lq_check_notify_channel, NULL, NULL);
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
 * lq_interval_value
 *		The exact length of an interval in microseconds, with months as 30
 *		days and days as 24 hours (the convention of interval comparison in
 *		PostgreSQL), as a 128-bit integer: an interval of int32 months, int32
 *		days and int64 microseconds can be about 5.6e21 microseconds long,
 *		far beyond int64.
 */
static INT128
lq_interval_value(const Interval *iv)
{
	INT128		span = int64_to_int128(iv->time);

	int128_add_int64_mul_int64(&span,
							   (int64) iv->month * DAYS_PER_MONTH + iv->day,
							   USECS_PER_DAY);
	return span;
}

/*
 * lq_interval_sign
 *		-1, 0 or 1 as the interval is negative, zero or positive, exactly
 *		(no overflow for any interval PostgreSQL can store).
 */
int
lq_interval_sign(const Interval *iv)
{
	return int128_compare(lq_interval_value(iv), int64_to_int128(0));
}

/*
 * lq_interval_usecs
 *		Length of an interval in microseconds, saturated to the int64 range:
 *		an interval longer than PG_INT64_MAX microseconds (292,277 years)
 *		gives PG_INT64_MAX, one more negative gives PG_INT64_MIN.  *exact, if
 *		not NULL, says whether the value is the interval's own.
 */
int64
lq_interval_usecs(const Interval *iv, bool *exact)
{
	INT128		span = lq_interval_value(iv);
	int64		v;

	if (int128_compare(span, int64_to_int128(PG_INT64_MAX)) > 0)
		v = PG_INT64_MAX;
	else if (int128_compare(span, int64_to_int128(PG_INT64_MIN)) < 0)
		v = PG_INT64_MIN;
	else
	{
		/*
		 * In range: the low 64 bits of the sum, in modular (unsigned)
		 * arithmetic, since the terms alone may overflow while the sum does
		 * not (a month count and a negative time, say).
		 */
		v = (int64) ((uint64) iv->time +
					 (uint64) ((int64) iv->month * DAYS_PER_MONTH + iv->day) *
					 (uint64) USECS_PER_DAY);
		if (exact)
			*exact = true;
		return v;
	}
	if (exact)
		*exact = false;
	return v;
}

/*
 * lq_interval_usecs_double
 *		Length of an interval in microseconds as a double: the int64 value
 *		converted when it fits (so whole seconds stay exact), otherwise
 *		computed from the fields in double (relative error about 1e-16).
 *		Decay divides by it, so a half-life of millions of years decays as
 *		slowly as it says instead of wrapping around.
 */
double
lq_interval_usecs_double(const Interval *iv)
{
	bool		exact;
	int64		v = lq_interval_usecs(iv, &exact);

	if (exact)
		return (double) v;
	return (double) iv->time +
		((double) iv->month * DAYS_PER_MONTH + (double) iv->day) * (double) USECS_PER_DAY;
}

/*
 * lq_check_interval_max
 *		Refuse an interval longer than max_days days (30-day months), for
 *		settings that are added to timestamps: a lead's SLA or recycle time
 *		of a million years cannot be a date, and as_of + it would overflow.
 */
void
lq_check_interval_max(const Interval *iv, int max_days, const char *what)
{
	Interval	max;

	max.month = 0;
	max.day = max_days;
	max.time = 0;
	if (int128_compare(lq_interval_value(iv), lq_interval_value(&max)) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s must not be longer than %d days", what, max_days),
				 errdetail("%s is added to timestamps; an interval this long cannot be.", what),
				 errhint("Use an interval of at most %d days (about %d years).",
						 max_days, max_days / 365)));
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

/*
 * lq_check_points
 *		Refuse a number a scoring model adds or compares with scores (rule
 *		points, caps, the MQL threshold, grade bands) that is NaN, infinite
 *		or beyond LQ_MAX_POINTS.  The bound is what makes every sum finite:
 *		a lead's fit adds at most one term per rule, its engagement at most
 *		one per event and rule (a forward-decayed sum holds each at most
 *		2^512 times over), and 2^63 events of 2^512 * 1e12 points each stay
 *		below 1e186, far from double overflow (1.8e308).
 */
void
lq_check_points(double v, const char *what)
{
	if (isnan(v) || isinf(v) || fabs(v) > LQ_MAX_POINTS)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be between -1e12 and 1e12", what),
				 errdetail("The value given is %.15g.", v),
				 errhint("Keep points, caps, thresholds and bands within +/-1e12, so that every score summed from them stays finite.")));
}

/*
 * lq_check_sum
 *		Runtime guard where scores are added: a sum that is not finite is an
 *		error (22003), never a returned Infinity or NaN.  The write-time
 *		bounds make this unreachable for sums of rules; it still guards what
 *		callers pass in (the fit of mql_crossing, a forged stored state).
 */
void
lq_check_sum(double v, const char *what)
{
	if (isnan(v) || isinf(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s is out of range", what),
				 errdetail("The sum is not a finite number."),
				 errhint("Keep every number that enters a score (rule points, a fit passed in, a stored state) within +/-1e12.")));
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

/*
 * lq_agg_context
 *		The calling aggregate's memory context (where its state lives), or
 *		an error when a support function is called outside an aggregate.
 *		fname names the function in that error.
 */
MemoryContext
lq_agg_context(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "%s called in non-aggregate context", fname);
	return aggcontext;
}

/*
 * lq_state_from_recv
 *		The rest of a binary-input message as a varlena of its bytes (the
 *		byte stream of a leadqual state type, which its recv function then
 *		validates), the message consumed, as bytearecv does.
 */
struct varlena *
lq_state_from_recv(StringInfo buf)
{
	int			len = buf->len - buf->cursor;
	struct varlena *v = palloc(VARHDRSZ + len);

	SET_VARSIZE(v, VARHDRSZ + len);
	pq_copymsgbytes(buf, VARDATA(v), len);
	return v;
}

/*
 * lq_state_from_base64
 *		The bytes of a state type's text form (base64), as a varlena; 22P02
 *		when str is not base64.  typname and origin ("an attribution
 *		aggregate's state") name the type in the error.  The caller
 *		validates the bytes.
 */
struct varlena *
lq_state_from_base64(const char *str, const char *typname, const char *origin)
{
	int			slen = strlen(str);
	int			maxlen = pg_b64_dec_len(slen);
	struct varlena *result = palloc(VARHDRSZ + maxlen);
	int			len = pg_b64_decode(str, slen, VARDATA(result), maxlen);

	if (len < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s", typname),
				 errdetail("The text form of type %s is base64.", typname),
				 errhint("Values of type %s can only be ones leadqual wrote (%s).", typname, origin)));
	SET_VARSIZE(result, VARHDRSZ + len);
	return result;
}

/*
 * lq_state_to_base64
 *		A state type's text form: base64 of its bytes; 54000 when that would
 *		exceed 1 GB.
 */
char *
lq_state_to_base64(const struct varlena *v, const char *typname)
{
	int			len = VARSIZE(v) - VARHDRSZ;
	Size		maxlen = (Size) pg_b64_enc_len(len) + 1;
	char	   *str;
	int			n;

	if (maxlen > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s value too large for its text form", typname),
				 errdetail("%d bytes in base64 exceed 1 GB.", len),
				 errhint("Use the binary form (COPY … BINARY), or fewer rows per group.")));
	str = palloc(maxlen);
	n = pg_b64_encode(VARDATA(v), len, str, maxlen);
	if (n < 0)
		elog(ERROR, "could not encode a %s value", typname);
	str[n] = '\0';
	return str;
}
