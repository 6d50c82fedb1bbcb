/*-------------------------------------------------------------------------
 *
 * predictive.h
 *	  Predictive scoring (SPEC §8): the state of logistic_regression (the
 *	  rows of one group, logit_rows.c) and the Newton solver over it
 *	  (logit_fit.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LQ_PREDICTIVE_H
#define LQ_PREDICTIVE_H

#include "postgres.h"

#include "utils/expandeddatum.h"

/* Most features of one fit (the Hessian is (features + 1)^2 doubles). */
#define LQ_LOGIT_MAX_FEATURES 1000

/* GUC leadqual.fit_memory_limit, in kB: the largest group of rows one fit keeps. */
extern int	lq_fit_memory_limit;

/*
 * LogitRows: the rows of one group, as an expanded object while an
 * aggregate runs.  A row is (features + 1) doubles: y (0 or 1), then x.
 * Rows live in blocks of rows_per_block rows (no repalloc of one huge
 * array, no slack beyond one block), in the order they arrived; the
 * solver sorts them (logit_rows_sort) so that its sums, and so the fit, do
 * not depend on the order rows arrived in (serial, parallel, combined).
 */
typedef struct LogitRows
{
	ExpandedObjectHeader hdr;
	int32		nfeatures;		/* length of x; -1 until the first row */
	double		l2;				/* ridge penalty of the group */
	int64		nrows;
	int32		rows_per_block;
	int32		first_cap;		/* rows blocks[0] has room for (it grows) */
	int32		nblocks;
	int32		blocks_cap;
	double	  **blocks;
	bool		sorted;
} LogitRows;

static inline double *
logit_row(const LogitRows *lr, int64 i)
{
	Assert(i >= 0 && i < lr->nrows);
	return lr->blocks[i / lr->rows_per_block] +
		(Size) (i % lr->rows_per_block) * (lr->nfeatures + 1);
}

extern LogitRows *logit_rows_from_datum(Datum d, MemoryContext cxt);
extern void logit_rows_sort(LogitRows *lr);

#endif							/* LQ_PREDICTIVE_H */
