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

#include "executor/spi.h"
#include "utils/array.h"

/* Is the citus extension installed in this database? */
extern bool lq_citus_present(void);

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
 * The relation holding tbl's rows that go with the rows of rel, a shard (or
 * tbl itself when rel is not a shard on this node).
 */
extern Oid	lq_colocated(Oid rel, Oid tbl);

/* rel when it is lead or one of its shards on this node, else 22023 */
extern Oid	lq_check_lead_table(Oid rel, Oid lead);

/*
 * On Citus, the lead_id of the row of distributed table relid whose bigint
 * column idcol is value, looked up in relid's shards on this node only
 * (code inside a query on a shard cannot start a distributed query).
 * False when no shard here has it, or without Citus.
 */
extern bool lq_local_shard_lead(Oid relid, const char *idcol, int64 value, int64 *lead_id);

/* Is relid a Citus table? */
extern bool lq_is_distributed(Oid relid);

/*
 * Refuse (0A000) when relid is a Citus table: for code that scans a table
 * directly and would read only this node's empty local copy.
 */
extern void lq_refuse_distributed(Oid relid, const char *what);

/* "schema"."name" of a relation, quoted as needed (palloc'd). */
extern char *lq_qualified_name(Oid relid);

/* ----------------------------------------------------------------
 * Kept plans over a group of leads' relations (lead_plans.c)
 * ---------------------------------------------------------------- */

/* leadqual's tables a statement may name; the token is the table's name */
typedef enum LqTable
{
	LQ_LEAD,
	LQ_EVENT,
	LQ_SCORE_STATE,
	LQ_STAGE_HISTORY,
	LQ_SCORING_MODEL,
	LQ_TRANSITION,
	LQ_OPPORTUNITY,
	LQ_REJECTION_REASON,
	LQ_NUM_TABLES
} LqTable;

/* the relations that hold a group of leads' rows on this node */
typedef struct LqLeadRels
{
	Oid			rel[LQ_NUM_TABLES];
} LqLeadRels;

/*
 * A statement written once over leadqual's tables, each named by a token
 * ({lead}, {event}, ...); every other name is schema-qualified and every
 * operator pg_catalog's.
 */
typedef struct LqLeadStatement
{
	const char *name;			/* for errors */
	const char *query;
	int			nargs;
	Oid			argtypes[8];
} LqLeadStatement;

extern void lq_lead_rels(ArrayType *lead_ids, LqLeadRels *rels);
extern SPIPlanPtr lq_rels_plan(const LqLeadStatement *stmt, const LqLeadRels *rels);
extern uint64 lq_rels_exec(const LqLeadStatement *stmt, const LqLeadRels *rels,
						   Datum *values, const char *nulls, bool read_only, int expect);

#endif							/* LQ_CITUS_H */
