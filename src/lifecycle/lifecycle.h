/*-------------------------------------------------------------------------
 *
 * lifecycle.h
 *	  The lifecycle concern's interface to its own files: stage values.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LEADQUAL_LIFECYCLE_H
#define LEADQUAL_LIFECYCLE_H

#include "leadqual.h"

extern Datum lq_stage_value(Oid stagetype, const char *label);

#endif							/* LEADQUAL_LIFECYCLE_H */
