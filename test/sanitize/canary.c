/*
 * test/sanitize/canary.c: the sanitizer run's positive control.  A C
 * function built with the same flags as leadqual that reads one byte past
 * a malloc'd block (AddressSanitizer must report a heap-buffer-overflow)
 * or shifts an int by more than its width (UBSan must report it; signed
 * overflow is defined under the server's -fwrapv).  If the server log
 * shows no report for the canary, the run proves nothing and fails.
 */
#include "postgres.h"
#include "fmgr.h"

#include <stdlib.h>

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(lq_canary);

/*
 * lq_canary
 *		canary(kind int) → int: 1 reads past a heap block, 2 shifts by 40 bits.
 */
Datum
lq_canary(PG_FUNCTION_ARGS)
{
	int32		kind = PG_GETARG_INT32(0);
	volatile int32 one = 1;

	if (kind == 1)
	{
		volatile char *p = malloc(8);
		int32		c = p[8];

		free((void *) p);
		PG_RETURN_INT32(c);
	}
	PG_RETURN_INT32(one << (kind * 20));
}
