/*-------------------------------------------------------------------------
 *
 * citus.h
 *	  Scale-out on Citus (SPEC §7): how leadqual's C code finds the rows of
 *	  its tables on the node it runs on (placement.c).  leadqual does not
 *	  link against Citus: it reads Citus's catalogs and calls its SQL
 *	  functions, and only when the citus extension is installed.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LQ_CITUS_H
#define LQ_CITUS_H

#include "leadqual.h"

/*
 * The relation to read for this node's copy of one of leadqual's tables:
 * the table itself on one node, and on Citus, for a reference table, its
 * placement on this node when there is one.  Reading the placement keeps a
 * query that runs on a shard (a pushed-down score(), a trigger on a shard)
 * from starting a distributed query of its own, which Citus refuses.
 */
extern Oid	lq_local_copy(Oid relid);

/*
 * The relation holding a lead's rows of one of leadqual's tables on this
 * node: the table itself, or on Citus the shard that holds the lead when it
 * is placed here (so that code running on a shard reads the colocated
 * shards directly).
 */
extern Oid	lq_lead_relation(Oid relid, int64 lead_id);
extern Datum lq_lead_table(PG_FUNCTION_ARGS);

/*
 * Refuse (0A000) when relid is a Citus table: for code that scans a table
 * directly and would read only this node's empty local copy.
 */
extern void lq_refuse_distributed(Oid relid, const char *what);

/* "schema"."name" of a relation, quoted as needed (palloc'd). */
extern char *lq_qualified_name(Oid relid);

#endif							/* LQ_CITUS_H */
