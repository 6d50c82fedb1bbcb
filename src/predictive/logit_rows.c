/*-------------------------------------------------------------------------
 *
 * logit_rows.c
 *	  leadqual.logit_rows, the state of the logistic_regression aggregate:
 *	  the rows of one group (y and x), kept so that Newton's method can
 *	  pass over them as often as it needs (logit_fit.c).  No sufficient
 *	  statistics make a logistic fit exact, so the state is the rows
 *	  themselves, compactly (8 bytes per number) and bounded by the GUC
 *	  leadqual.fit_memory_limit.
 *
 *	  While an aggregate runs the state is an expanded object in its own
 *	  memory context under the aggregate's, appended to in place.  Stored
 *	  or shipped (parallel workers, Citus) it is a varlena whose payload
 *	  is a portable byte stream (network byte order):
 *
 *		int32 magic, int32 version, int32 features, int32 zero,
 *		float8 l2, int64 rows, then per row float8 y (0 or 1) and x.
 *
 *	  Its text form is base64 of that stream.  Every reader checks it
 *	  completely (22P03).  Combining two states concatenates their rows.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/base64.h"
#include "libpq/pqformat.h"
#include "port/pg_bswap.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "leadqual.h"
#include "predictive/predictive.h"

PG_FUNCTION_INFO_V1(lq_logit_rows_in);
PG_FUNCTION_INFO_V1(lq_logit_rows_out);
PG_FUNCTION_INFO_V1(lq_logit_rows_recv);
PG_FUNCTION_INFO_V1(lq_logit_rows_send);
PG_FUNCTION_INFO_V1(lq_logistic_regression_trans);
PG_FUNCTION_INFO_V1(lq_logit_rows_combine);

#define LR_MAGIC		0x4c514c52	/* "LQLR" */
#define LR_VERSION		1
#define LR_HEADER_SIZE	32			/* bytes of the stream before the rows */

/* rows of one block are about this many bytes (the first block grows to it) */
#define LR_BLOCK_BYTES	65536

int			lq_fit_memory_limit = 512 * 1024;

static Size lr_get_flat_size(ExpandedObjectHeader *eohptr);
static void lr_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods lr_methods = {
	lr_get_flat_size,
	lr_flatten_into
};

/*
 * lr_new
 *		An empty state with the given ridge penalty, as an expanded object
 *		in its own (small, since a GROUP BY may hold many) memory context.
 */
static LogitRows *
lr_new(MemoryContext parent, double l2)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "leadqual logit_rows",
											  ALLOCSET_SMALL_SIZES);
	LogitRows  *lr = MemoryContextAllocZero(cxt, sizeof(LogitRows));

	EOH_init_header(&lr->hdr, &lr_methods, cxt);
	lr->nfeatures = -1;
	lr->l2 = l2;
	return lr;
}

/*
 * lr_set_features
 *		Fix the number of features of an empty state.
 */
static void
lr_set_features(LogitRows *lr, int32 nfeatures)
{
	Assert(lr->nfeatures < 0 && lr->nrows == 0);
	lr->nfeatures = nfeatures;
	lr->rows_per_block = Max(1, LR_BLOCK_BYTES / ((nfeatures + 1) * (int32) sizeof(double)));
}

/*
 * lr_limit_bytes
 *		The most bytes of rows a state may hold: the GUC, and below what one
 *		varlena can carry when the state is shipped.
 */
static Size
lr_limit_bytes(void)
{
	Size		guc = (Size) lq_fit_memory_limit * 1024;
	Size		hard = MaxAllocSize - VARHDRSZ - LR_HEADER_SIZE;

	return Min(guc, hard);
}

/*
 * lr_check_room
 *		Refuse, naming the setting, a state that would hold more than the
 *		limit after adding more rows.
 */
static void
lr_check_room(const LogitRows *lr, int64 more)
{
	Size		rowsize = (Size) (lr->nfeatures + 1) * sizeof(double);
	Size		limit = lr_limit_bytes();

	if (more > (int64) (limit / rowsize) || lr->nrows > (int64) (limit / rowsize) - more)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("logistic_regression group too large"),
				 errdetail("A fit keeps its rows in memory (%zu bytes per row of %d features); %lld rows do not fit in leadqual.fit_memory_limit (%d kB%s).",
						   rowsize, lr->nfeatures, (long long) (lr->nrows + more),
						   lq_fit_memory_limit,
						   limit < (Size) lq_fit_memory_limit * 1024 ? ", capped at 1 GB, the largest value one state can be" : ""),
				 errhint("Raise leadqual.fit_memory_limit, fit on a sample (TABLESAMPLE), or split the rows with GROUP BY.")));
}

/*
 * lr_append_slot
 *		Room for one more row; returns where to write it.
 */
static double *
lr_append_slot(LogitRows *lr)
{
	MemoryContext cxt = lr->hdr.eoh_context;
	int32		per = lr->rows_per_block;
	Size		rowsize = (Size) (lr->nfeatures + 1) * sizeof(double);
	int64		b = lr->nrows / per;
	int32		in_block = (int32) (lr->nrows % per);

	Assert(lr->nfeatures >= 0);
	lr_check_room(lr, 1);
	if (b == 0)
	{
		int32	   *cap = &lr->first_cap;

		if (lr->nblocks == 0)
		{
			lr->blocks_cap = 8;
			lr->blocks = MemoryContextAlloc(cxt, sizeof(double *) * lr->blocks_cap);
			*cap = Min(per, 4);
			lr->blocks[0] = MemoryContextAlloc(cxt, rowsize * *cap);
			lr->nblocks = 1;
		}
		else if (in_block >= *cap)
		{
			*cap = Min(per, *cap * 2);
			lr->blocks[0] = repalloc(lr->blocks[0], rowsize * *cap);
		}
	}
	else if (b >= lr->nblocks)
	{
		Assert(b == lr->nblocks && in_block == 0);
		if (lr->nblocks >= lr->blocks_cap)
		{
			lr->blocks_cap *= 2;
			lr->blocks = repalloc_huge(lr->blocks, sizeof(double *) * lr->blocks_cap);
		}
		lr->blocks[lr->nblocks++] = MemoryContextAlloc(cxt, rowsize * per);
	}
	lr->nrows++;
	lr->sorted = false;
	return logit_row(lr, lr->nrows - 1);
}

/*
 * lr_merge
 *		Append the rows of src to dst (the combine step).
 */
static void
lr_merge(LogitRows *dst, const LogitRows *src)
{
	Size		rowsize;

	if (src->nfeatures < 0)
		return;
	if (dst->l2 != src->l2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine logistic_regression states of different l2 (%g and %g)",
						dst->l2, src->l2),
				 errhint("Fit one group with one l2.")));
	if (dst->nfeatures < 0)
		lr_set_features(dst, src->nfeatures);
	else if (dst->nfeatures != src->nfeatures)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine logistic_regression states of %d and %d features",
						dst->nfeatures, src->nfeatures),
				 errhint("Every x of one group must have the same length.")));
	lr_check_room(dst, src->nrows);
	rowsize = (Size) (src->nfeatures + 1) * sizeof(double);
	for (int64 i = 0; i < src->nrows; i++)
		memcpy(lr_append_slot(dst), logit_row(src, i), rowsize);
}

/* ----------------------------------------------------------------
 * Flat form
 * ---------------------------------------------------------------- */

static Size
lr_get_flat_size(ExpandedObjectHeader *eohptr)
{
	LogitRows  *lr = (LogitRows *) eohptr;
	int32		k = Max(lr->nfeatures, 0);

	return VARHDRSZ + LR_HEADER_SIZE + (Size) lr->nrows * (k + 1) * sizeof(double);
}

static inline char *
put_u32(char *p, uint32 v)
{
	v = pg_hton32(v);
	memcpy(p, &v, 4);
	return p + 4;
}

static inline char *
put_u64(char *p, uint64 v)
{
	v = pg_hton64(v);
	memcpy(p, &v, 8);
	return p + 8;
}

static inline char *
put_f8(char *p, double d)
{
	uint64		v;

	memcpy(&v, &d, 8);
	return put_u64(p, v);
}

static void
lr_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	LogitRows  *lr = (LogitRows *) eohptr;
	int32		k = Max(lr->nfeatures, 0);
	char	   *p = VARDATA(result);

	Assert(allocated_size == lr_get_flat_size(eohptr));
	SET_VARSIZE(result, allocated_size);
	p = put_u32(p, LR_MAGIC);
	p = put_u32(p, LR_VERSION);
	p = put_u32(p, (uint32) lr->nfeatures);
	p = put_u32(p, 0);
	p = put_f8(p, lr->l2);
	p = put_u64(p, (uint64) lr->nrows);
	for (int64 i = 0; i < lr->nrows; i++)
	{
		const double *row = logit_row(lr, i);

		for (int32 j = 0; j <= k; j++)
			p = put_f8(p, row[j]);
	}
	Assert(p == (char *) result + allocated_size);
}

static void
lr_corrupt(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid leadqual.logit_rows value"),
			 errdetail("%s", detail),
			 errhint("A logit_rows value can only be one leadqual wrote (a logistic_regression state).")));
}

static inline uint32
get_u32(const char *p)
{
	uint32		v;

	memcpy(&v, p, 4);
	return pg_ntoh32(v);
}

static inline uint64
get_u64(const char *p)
{
	uint64		v;

	memcpy(&v, p, 8);
	return pg_ntoh64(v);
}

static inline double
get_f8(const char *p)
{
	uint64		v = get_u64(p);
	double		d;

	memcpy(&d, &v, 8);
	return d;
}

/*
 * lr_parse
 *		A state from its byte stream, checked completely: header, size, y
 *		exactly 0 or 1, every x finite.
 */
static LogitRows *
lr_parse(const char *data, Size len, MemoryContext parent)
{
	int32		k;
	double		l2;
	int64		nrows;
	LogitRows  *lr;
	const char *p;

	if (len < LR_HEADER_SIZE)
		lr_corrupt("The value is shorter than its header.");
	if (get_u32(data) != LR_MAGIC || get_u32(data + 4) != LR_VERSION)
		lr_corrupt("The header is not that of a logit_rows value of this version.");
	k = (int32) get_u32(data + 8);
	if (k < -1 || k > LQ_LOGIT_MAX_FEATURES || get_u32(data + 12) != 0)
		lr_corrupt("The number of features is out of range.");
	l2 = get_f8(data + 16);
	if (!isfinite(l2) || l2 < 0.0)
		lr_corrupt("l2 is not a finite number >= 0.");
	nrows = (int64) get_u64(data + 24);
	if (nrows < 0 || (k < 0 && nrows != 0))
		lr_corrupt("The number of rows is out of range.");
	if (k >= 0 && (Size) nrows > (len - LR_HEADER_SIZE) / ((Size) (k + 1) * sizeof(double)))
		lr_corrupt("The value is shorter than its rows.");
	if (len != LR_HEADER_SIZE + (Size) nrows * (Max(k, 0) + 1) * sizeof(double))
		lr_corrupt("The value is longer than its rows.");

	lr = lr_new(parent, l2);
	if (k < 0)
		return lr;
	lr_set_features(lr, k);
	p = data + LR_HEADER_SIZE;
	for (int64 i = 0; i < nrows; i++)
	{
		double	   *row = lr_append_slot(lr);

		row[0] = get_f8(p);
		p += 8;
		if (row[0] != 0.0 && row[0] != 1.0)
			lr_corrupt("An outcome is not 0 or 1.");
		for (int32 j = 1; j <= k; j++, p += 8)
		{
			row[j] = get_f8(p);
			if (!isfinite(row[j]))
				lr_corrupt("A feature value is not finite.");
			if (row[j] == 0.0)
				row[j] = 0.0;	/* one zero: -0 sorts as +0 */
		}
	}
	return lr;
}

/*
 * logit_rows_from_datum
 *		The state a datum holds: an expanded object as it is, a flat value
 *		expanded into a new object under cxt.
 */
LogitRows *
logit_rows_from_datum(Datum d, MemoryContext cxt)
{
	struct varlena *v;

	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		LogitRows  *lr = (LogitRows *) DatumGetEOHP(d);

		Assert(lr->hdr.eoh_methods == &lr_methods);
		return lr;
	}
	v = PG_DETOAST_DATUM(d);
	return lr_parse(VARDATA(v), VARSIZE(v) - VARHDRSZ, cxt);
}

/*
 * lr_for_update
 *		The state of argument 0, ready to be changed in place: the
 *		aggregate's own read-write object, else a copy under cxt; NULL for
 *		a NULL argument.
 */
static LogitRows *
lr_for_update(FunctionCallInfo fcinfo, MemoryContext cxt)
{
	Datum		d;

	if (PG_ARGISNULL(0))
		return NULL;
	d = PG_GETARG_DATUM(0);
	if (VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)))
	{
		LogitRows  *lr = (LogitRows *) DatumGetEOHP(d);

		if (MemoryContextGetParent(lr->hdr.eoh_context) == cxt)
			return lr;
	}
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		LogitRows  *src = (LogitRows *) DatumGetEOHP(d);
		LogitRows  *lr = lr_new(cxt, src->l2);

		lr_merge(lr, src);
		return lr;
	}
	return logit_rows_from_datum(d, cxt);
}

/* ----------------------------------------------------------------
 * Canonical row order
 * ---------------------------------------------------------------- */

static int
lr_cmp_rows(const void *a, const void *b, void *arg)
{
	const LogitRows *lr = (const LogitRows *) arg;
	const double *ra = logit_row(lr, *(const int32 *) a);
	const double *rb = logit_row(lr, *(const int32 *) b);

	for (int32 j = 0; j <= lr->nfeatures; j++)
	{
		if (ra[j] < rb[j])
			return -1;
		if (ra[j] > rb[j])
			return 1;
	}
	return 0;
}

/*
 * logit_rows_sort
 *		Put the rows in one canonical order (by y, then x, as numbers), so
 *		that the solver's sums, and the fit to the last bit, are the same
 *		whatever order the rows arrived in (a parallel plan, a combine of
 *		Citus partials).  Sorts an index, then moves the rows along the
 *		permutation's cycles in place (one spare row).
 */
void
logit_rows_sort(LogitRows *lr)
{
	int32	   *idx;
	double	   *spare;
	Size		rowsize;

	if (lr->sorted || lr->nrows < 2)
	{
		lr->sorted = true;
		return;
	}
	/* lr_check_room keeps rows below 1 GB / 8 bytes, well inside int32 */
	Assert(lr->nrows <= PG_INT32_MAX);
	rowsize = (Size) (lr->nfeatures + 1) * sizeof(double);
	idx = palloc_extended(sizeof(int32) * lr->nrows, MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < lr->nrows; i++)
		idx[i] = (int32) i;
	qsort_arg(idx, lr->nrows, sizeof(int32), lr_cmp_rows, lr);

	/* position i must receive row idx[i]; follow each cycle once */
	spare = palloc(rowsize);
	for (int64 i = 0; i < lr->nrows; i++)
	{
		int64		j = i;

		if (idx[i] == i)
			continue;
		memcpy(spare, logit_row(lr, i), rowsize);
		for (;;)
		{
			int64		src = idx[j];

			idx[j] = (int32) j;
			if (src == i)
			{
				memcpy(logit_row(lr, j), spare, rowsize);
				break;
			}
			memcpy(logit_row(lr, j), logit_row(lr, src), rowsize);
			j = src;
		}
	}
	pfree(spare);
	pfree(idx);
	lr->sorted = true;
}

/* ----------------------------------------------------------------
 * I/O functions
 * ---------------------------------------------------------------- */

/*
 * lq_logit_rows_in
 *		logit_rows from its text form (base64 of the byte stream).
 */
Datum
lq_logit_rows_in(PG_FUNCTION_ARGS)
{
	struct varlena *result = lq_state_from_base64(PG_GETARG_CSTRING(0), "logit_rows",
												  "a logistic_regression state");
	LogitRows  *lr = lr_parse(VARDATA(result), VARSIZE(result) - VARHDRSZ, CurrentMemoryContext);

	DeleteExpandedObject(EOHPGetRWDatum(&lr->hdr));
	PG_RETURN_POINTER(result);
}

/*
 * lq_logit_rows_out
 *		The text form: base64 of the byte stream.
 */
Datum
lq_logit_rows_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(lq_state_to_base64(PG_GETARG_VARLENA_P(0), "logit_rows"));
}

/*
 * lq_logit_rows_recv
 *		logit_rows from its binary form (the byte stream itself).
 */
Datum
lq_logit_rows_recv(PG_FUNCTION_ARGS)
{
	bytea	   *result = (bytea *) lq_state_from_recv((StringInfo) PG_GETARG_POINTER(0));
	LogitRows *lr = lr_parse(VARDATA(result), VARSIZE(result) - VARHDRSZ, CurrentMemoryContext);

	DeleteExpandedObject(EOHPGetRWDatum(&lr->hdr));
	PG_RETURN_BYTEA_P(result);
}

/*
 * lq_logit_rows_send
 *		The binary form: the byte stream.
 */
Datum
lq_logit_rows_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(PG_GETARG_VARLENA_P(0));
}

/* ----------------------------------------------------------------
 * Aggregate support
 * ---------------------------------------------------------------- */

/*
 * l2_arg
 *		The ridge penalty of a row: argument 3 when given, else 0.
 */
static double
l2_arg(FunctionCallInfo fcinfo)
{
	double		l2;

	if (PG_NARGS() < 4)
		return 0.0;
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("l2 of logistic_regression must not be NULL"),
				 errhint("Pass 0 for no penalty.")));
	l2 = PG_GETARG_FLOAT8(3);
	if (isnan(l2) || isinf(l2))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("l2 of logistic_regression must be finite, not %g", l2),
				 errhint("Pass a penalty >= 0, e.g. 1.")));
	if (l2 < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("l2 of logistic_regression must be >= 0, not %g", l2),
				 errdetail("l2 is the weight of the ridge penalty (l2 / 2) times the sum of the squared coefficients."),
				 errhint("Pass 0 for no penalty, or a positive value to shrink the coefficients.")));
	return l2;
}

/*
 * lr_context
 *		Where a support function keeps the state it returns: the calling
 *		aggregate's context, else (a direct call from SQL, which the
 *		functions' logit_rows arguments allow) the current one.
 */
static MemoryContext
lr_context(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext;

	if (AggCheckCallContext(fcinfo, &aggcontext))
		return aggcontext;
	return CurrentMemoryContext;
}

/*
 * lq_logistic_regression_trans
 *		Add one row (y, x [, l2]) to the group's state.  Rows with a NULL y
 *		or x are skipped; the first row fixes the number of features.
 */
Datum
lq_logistic_regression_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = lr_context(fcinfo);
	double		l2 = l2_arg(fcinfo);
	LogitRows  *lr = lr_for_update(fcinfo, cxt);
	ArrayType  *x;
	int			n;
	double	   *row;
	const double *xv;

	if (lr != NULL && lr->l2 != l2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("l2 of logistic_regression must be the same for every row of a group"),
				 errdetail("The group began with l2 = %g and a row has %g.", lr->l2, l2),
				 errhint("Pass a constant l2.")));
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (lr == NULL)
			PG_RETURN_NULL();
		PG_RETURN_DATUM(EOHPGetRWDatum(&lr->hdr));
	}
	if (lr == NULL)
		lr = lr_new(cxt, l2);

	x = PG_GETARG_ARRAYTYPE_P(2);
	if (ARR_NDIM(x) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("x of logistic_regression must be one-dimensional"),
				 errdetail("x has %d dimensions.", ARR_NDIM(x)),
				 errhint("Pass one row's features as a float8[] of one dimension.")));
	if (array_contains_nulls(x))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("x of logistic_regression must not contain NULL"),
				 errdetail("A missing feature value has no place in the fit."),
				 errhint("Replace missing values (coalesce, or a 0 plus an indicator feature), or leave the row out.")));
	n = ARR_NDIM(x) == 0 ? 0 : ARR_DIMS(x)[0];
	if (n > LQ_LOGIT_MAX_FEATURES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("logistic_regression takes at most %d features, not %d",
						LQ_LOGIT_MAX_FEATURES, n),
				 errhint("Select fewer features.")));
	if (lr->nfeatures < 0)
		lr_set_features(lr, n);
	else if (lr->nfeatures != n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("x of logistic_regression must have the same length in every row of a group"),
				 errdetail("x had %d elements in the group's first row and has %d in this one.", lr->nfeatures, n),
				 errhint("Build x with the same features, in the same order, for every row.")));

	xv = (const double *) ARR_DATA_PTR(x);
	for (int j = 0; j < n; j++)
		if (isnan(xv[j]) || isinf(xv[j]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("x of logistic_regression must be finite"),
					 errdetail("Feature %d is %g.", j + 1, xv[j]),
					 errhint("Replace NaN and infinite values, or leave the row out.")));

	row = lr_append_slot(lr);
	row[0] = PG_GETARG_BOOL(1) ? 1.0 : 0.0;
	for (int j = 0; j < n; j++)
		row[j + 1] = xv[j] == 0.0 ? 0.0 : xv[j];	/* one zero: -0 sorts as +0 */
	PG_RETURN_DATUM(EOHPGetRWDatum(&lr->hdr));
}

/*
 * lq_logit_rows_combine
 *		Combine two states (either may be NULL): their rows together.
 */
Datum
lq_logit_rows_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = lr_context(fcinfo);
	LogitRows  *a;
	LogitRows  *b;
	MemoryContext tmp;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		a = lr_for_update(fcinfo, cxt);
		PG_RETURN_DATUM(EOHPGetRWDatum(&a->hdr));
	}
	tmp = AllocSetContextCreate(CurrentMemoryContext, "leadqual logit_rows input",
								ALLOCSET_DEFAULT_SIZES);
	b = logit_rows_from_datum(PG_GETARG_DATUM(1), tmp);
	a = lr_for_update(fcinfo, cxt);
	if (a == NULL)
		a = lr_new(cxt, b->l2);
	lr_merge(a, b);
	MemoryContextDelete(tmp);
	PG_RETURN_DATUM(EOHPGetRWDatum(&a->hdr));
}
