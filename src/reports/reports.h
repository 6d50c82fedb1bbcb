/*-------------------------------------------------------------------------
 *
 * reports.h
 *	  What the reports concern offers (SPEC §5): so far the window_funnel
 *	  aggregate (window_funnel.c), whose functions are called by SQL only.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LQ_REPORTS_H
#define LQ_REPORTS_H

#include "leadqual.h"

/*
 * Most steps of one window_funnel: a row keeps the steps it satisfies as a
 * 32-bit mask (ClickHouse's windowFunnel has the same limit).
 */
#define WF_MAX_STEPS 32

#endif							/* LQ_REPORTS_H */
