/*-------------------------------------------------------------------------
 *
 * lead_plans.c
 *	  Kept SPI plans over the relations that hold a group of leads on this
 *	  node.
 *
 *	  A statement is written once, as a template that names leadqual's
 *	  tables by token ({lead}, {event}, {lead_score_state},
 *	  {stage_history}, {opportunity}, {scoring_model}, {transition},
 *	  {rejection_reason}).  On one node the
 *	  tokens name the tables; on Citus, inside a trigger or a query that
 *	  runs on a shard, they name the colocated shards of the leads and this
 *	  node's placements of the reference tables (a query on the tables
 *	  themselves would be a distributed query inside a shard's query, which
 *	  Citus refuses).  Each (template, relations) pair is prepared once per
 *	  backend and kept, so the one-node path costs what a PL/pgSQL
 *	  function's cached plan costs.
 *
 *	  The relations are found with one query on Citus's catalogs
 *	  (pg_dist_partition, pg_dist_shard, pg_dist_placement,
 *	  pg_dist_local_group; shards named by Citus's shard_name()), and none
 *	  on one node.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"

#include "citus/citus.h"

/* token and table name of each LqTable, in its order */
static const char *const lq_table_names[LQ_NUM_TABLES] = {
	[LQ_LEAD] = "lead",
	[LQ_EVENT] = "event",
	[LQ_SCORE_STATE] = "lead_score_state",
	[LQ_STAGE_HISTORY] = "stage_history",
	[LQ_SCORING_MODEL] = "scoring_model",
	[LQ_TRANSITION] = "transition",
	[LQ_OPPORTUNITY] = "opportunity",
	[LQ_REJECTION_REASON] = "rejection_reason",
};

typedef struct LqPlanKey
{
	const LqLeadStatement *stmt;
	LqLeadRels	rels;
} LqPlanKey;

typedef struct LqPlanEntry
{
	LqPlanKey	key;
	SPIPlanPtr	plan;			/* the plan cache may keep a generic plan */
	SPIPlanPtr	bulk_plan;		/* custom plans only, for large batches */
} LqPlanEntry;

/*
 * From this many elements in an array argument, a statement is run with a
 * plan made for that call (its values and the tables' current sizes):
 * a generic plan, made once the plan cache prefers it, is made for sizes
 * of its own (a table that was tiny then, ten array elements), and a
 * join or membership test it chose for those can cost the square of a
 * large batch (a 50,000-lead load after a few single ones took 441 s
 * instead of 2 s).  Below it, even such a plan costs little, and the kept
 * plan spares a single event its planning.
 */
#define LQ_BULK_ELEMENTS 1000

static HTAB *lq_plan_cache = NULL;
static SPIPlanPtr lq_placements_plan = NULL;

/* leadqual's tables, looked up again after a relcache invalidation of any */
static LqLeadRels lq_logical;
static bool lq_logical_valid = false;
static bool lq_logical_callback = false;

static void
lq_logical_inval(Datum arg, Oid relid)
{
	int			i;

	for (i = 0; i < LQ_NUM_TABLES; i++)
		if (!OidIsValid(relid) || relid == lq_logical.rel[i])
			lq_logical_valid = false;
}

/*
 * lq_logical_rels
 *		leadqual's tables themselves.
 */
static void
lq_logical_rels(LqLeadRels *rels)
{
	if (!lq_logical_valid)
	{
		Oid			nsp = get_namespace_oid("leadqual", false);
		int			i;

		if (!lq_logical_callback)
		{
			CacheRegisterRelcacheCallback(lq_logical_inval, (Datum) 0);
			lq_logical_callback = true;
		}
		for (i = 0; i < LQ_NUM_TABLES; i++)
		{
			lq_logical.rel[i] = get_relname_relid(lq_table_names[i], nsp);
			if (!OidIsValid(lq_logical.rel[i]))
				elog(ERROR, "table leadqual.%s is missing", lq_table_names[i]);
		}
		lq_logical_valid = true;
	}
	*rels = lq_logical;
}

/*
 * lq_lead_rels
 *		The relations holding lead_ids' rows on this node: the tables, or on
 *		Citus, when all the leads fall into one shard group placed here, its
 *		shards and the local placements of the reference tables.  A table
 *		whose rows are not here is named itself (Citus then plans the
 *		statement as a distributed one).  Runs inside an SPI connection.
 *		lead_ids NULL or empty: the distributed tables themselves, and the
 *		reference tables' copies on this node.
 */
void
lq_lead_rels(ArrayType *lead_ids, LqLeadRels *rels)
{
	static const char *const sql =
		"SELECT t.i, CASE d.partmethod"
		"   WHEN 'h' THEN CASE WHEN pg_catalog.cardinality($2) OPERATOR(pg_catalog.>) 0 THEN"
		"                 (SELECT pg_catalog.to_regclass(pg_catalog.shard_name(s.logicalrelid, s.shardid))::pg_catalog.oid"
		"                    FROM pg_catalog.pg_dist_shard s"
		"                    JOIN pg_catalog.pg_dist_placement p ON p.shardid OPERATOR(pg_catalog.=) s.shardid"
		"                   WHERE s.shardid OPERATOR(pg_catalog.=)"
		"                         pg_catalog.get_shard_id_for_distribution_column(t.rel::pg_catalog.regclass, $2[1])"
		"                     AND p.groupid OPERATOR(pg_catalog.=) (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g)"
		"                     AND NOT EXISTS (SELECT FROM pg_catalog.unnest($2) AS u(lead_id)"
		"                                      WHERE pg_catalog.get_shard_id_for_distribution_column(t.rel::pg_catalog.regclass, u.lead_id)"
		"                                            OPERATOR(pg_catalog.<>) s.shardid)) END"
		"   WHEN 'n' THEN (SELECT pg_catalog.to_regclass(pg_catalog.shard_name(s.logicalrelid, s.shardid))::pg_catalog.oid"
		"                    FROM pg_catalog.pg_dist_shard s"
		"                    JOIN pg_catalog.pg_dist_placement p ON p.shardid OPERATOR(pg_catalog.=) s.shardid"
		"                   WHERE s.logicalrelid OPERATOR(pg_catalog.=) t.rel::pg_catalog.regclass"
		"                     AND p.groupid OPERATOR(pg_catalog.=) (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g))"
		"   END,"
		"       d.partmethod OPERATOR(pg_catalog.=) 'n',"
		"       (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g) OPERATOR(pg_catalog.>) 0"
		"  FROM pg_catalog.unnest($1) WITH ORDINALITY AS t(rel, i)"
		"  LEFT JOIN pg_catalog.pg_dist_partition d"
		"         ON d.logicalrelid OPERATOR(pg_catalog.=) t.rel::pg_catalog.regclass";
	Datum		tables[LQ_NUM_TABLES];
	Datum		args[2];
	char		nulls[2] = {' ', ' '};
	uint64		r;
	int			i;
	int			ret;
	Oid			lead;
	Oid			copies[LQ_NUM_TABLES] = {InvalidOid};
	bool		worker = false;

	lq_logical_rels(rels);
	lead = rels->rel[LQ_LEAD];
	if (!lq_citus_present())
		return;
	/* no leads (or unusable ones): the reference tables' copies only */
	if (lead_ids == NULL || ARR_NDIM(lead_ids) > 1 || array_contains_nulls(lead_ids))
		lead_ids = construct_empty_array(INT8OID);

	if (lq_placements_plan == NULL)
	{
		Oid			types[2] = {OIDARRAYOID, INT8ARRAYOID};
		SPIPlanPtr	plan = SPI_prepare(sql, 2, types);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		lq_placements_plan = plan;
	}
	for (i = 0; i < LQ_NUM_TABLES; i++)
		tables[i] = ObjectIdGetDatum(rels->rel[i]);
	args[0] = PointerGetDatum(construct_array(tables, LQ_NUM_TABLES, OIDOID,
											  sizeof(Oid), true, TYPALIGN_INT));
	args[1] = PointerGetDatum(lead_ids);
	ret = SPI_execute_plan(lq_placements_plan, args, nulls, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read Citus's placements of leadqual's tables: %s",
			 SPI_result_code_string(ret));
	for (r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tup = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		inull,
					lnull,
					rnull,
					wnull;
		int64		idx = DatumGetInt64(SPI_getbinval(tup, desc, 1, &inull));
		Datum		local = SPI_getbinval(tup, desc, 2, &lnull);
		bool		reference = DatumGetBool(SPI_getbinval(tup, desc, 3, &rnull));

		Assert(!inull && idx >= 1 && idx <= LQ_NUM_TABLES);
		worker = DatumGetBool(SPI_getbinval(tup, desc, 4, &wnull)) && !wnull;
		if (!lnull && OidIsValid(DatumGetObjectId(local)))
		{
			if (!rnull && reference)
				copies[idx - 1] = DatumGetObjectId(local);
			else
				rels->rel[idx - 1] = DatumGetObjectId(local);
		}
	}

	/*
	 * The reference tables' copies on this node go with the leads' shards
	 * (a query on a shard may not start a distributed one), or, with no
	 * leads, with a worker (where a query may run on a shard); with the
	 * distributed tables themselves, the reference tables themselves (one
	 * statement may not mix a Citus table with a placement).
	 */
	if (rels->rel[LQ_LEAD] != lead || (ArrayGetNItems(ARR_NDIM(lead_ids), ARR_DIMS(lead_ids)) == 0 && worker))
	{
		for (i = 0; i < LQ_NUM_TABLES; i++)
			if (OidIsValid(copies[i]))
				rels->rel[i] = copies[i];
	}
}

/*
 * lq_expand
 *		The statement's text with its tokens replaced by the relations'
 *		qualified names.  An unknown token is a bug of the template.
 */
static char *
lq_expand(const char *tpl, const LqLeadRels *rels)
{
	StringInfoData buf;
	const char *p = tpl;

	initStringInfo(&buf);
	while (*p)
	{
		const char *close;
		int			i;

		if (*p != '{')
		{
			appendStringInfoChar(&buf, *p++);
			continue;
		}
		close = strchr(p, '}');
		if (close == NULL)
			elog(ERROR, "unterminated token in a leadqual statement");
		for (i = 0; i < LQ_NUM_TABLES; i++)
		{
			if (strlen(lq_table_names[i]) == (size_t) (close - p - 1) &&
				strncmp(p + 1, lq_table_names[i], close - p - 1) == 0)
				break;
		}
		if (i == LQ_NUM_TABLES)
			elog(ERROR, "unknown token \"%.*s\" in a leadqual statement",
				 (int) (close - p + 1), p);
		appendStringInfoString(&buf, lq_qualified_name(rels->rel[i]));
		p = close + 1;
	}
	return buf.data;
}

/*
 * lq_rels_entry (lq_rels_plan: its plan)
 *		The kept plan of stmt over rels, prepared the first time this
 *		backend needs it (inside the caller's SPI connection, so a trigger's
 *		transition tables are visible to it).  Kept plans are revalidated
 *		by the plan cache; relations that went away (a shard moved) are
 *		never asked for again, since rels are part of the key.
 */
static LqPlanEntry *
lq_rels_entry(const LqLeadStatement *stmt, const LqLeadRels *rels)
{
	LqPlanKey	key;
	LqPlanEntry *entry;
	bool		found;

	if (lq_plan_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(LqPlanKey);
		ctl.entrysize = sizeof(LqPlanEntry);
		ctl.hcxt = TopMemoryContext;
		lq_plan_cache = hash_create("leadqual lead plans", 64, &ctl,
									HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	memset(&key, 0, sizeof(key));
	key.stmt = stmt;
	key.rels = *rels;
	entry = hash_search(lq_plan_cache, &key, HASH_FIND, NULL);
	if (entry == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(lq_expand(stmt->query, rels), stmt->nargs,
									   (Oid *) stmt->argtypes);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		entry = hash_search(lq_plan_cache, &key, HASH_ENTER, &found);
		Assert(!found);
		entry->plan = plan;
		entry->bulk_plan = NULL;
	}
	return entry;
}

SPIPlanPtr
lq_rels_plan(const LqLeadStatement *stmt, const LqLeadRels *rels)
{
	return lq_rels_entry(stmt, rels)->plan;
}

/*
 * lq_rels_bulk
 *		Does a call carry an array argument of LQ_BULK_ELEMENTS or more?
 */
static bool
lq_rels_bulk(const LqLeadStatement *stmt, Datum *values, const char *nulls)
{
	for (int i = 0; i < stmt->nargs; i++)
	{
		AnyArrayType *a;

		if ((nulls != NULL && nulls[i] == 'n') || !type_is_array(stmt->argtypes[i]))
			continue;
		a = DatumGetAnyArrayP(values[i]);
		if (ArrayGetNItems(AARR_NDIM(a), AARR_DIMS(a)) >= LQ_BULK_ELEMENTS)
			return true;
	}
	return false;
}

/*
 * lq_rels_exec
 *		Run stmt over rels and check that it returned what it should; a
 *		large batch with a plan of its own (LQ_BULK_ELEMENTS).
 */
uint64
lq_rels_exec(const LqLeadStatement *stmt, const LqLeadRels *rels,
			 Datum *values, const char *nulls, bool read_only, int expect)
{
	LqPlanEntry *entry = lq_rels_entry(stmt, rels);
	SPIPlanPtr	plan = entry->plan;
	int			ret;

	if (lq_rels_bulk(stmt, values, nulls))
	{
		/*
		 * The plans this statement sets off are of the same kind: the
		 * foreign-key checks of the rows it writes (PostgreSQL's own, kept
		 * by ri_triggers.c) may hold a generic plan made while lead was
		 * tiny, a sequential scan per checked row.  Marking every cached
		 * plan of this backend invalid, as DISCARD PLANS does, has them
		 * planned again for the tables as they are now; once per large
		 * batch, that costs little.
		 */
		ResetPlanCache();
		if (entry->bulk_plan == NULL)
		{
			SPIPlanPtr	bulk = SPI_prepare_cursor(lq_expand(stmt->query, rels), stmt->nargs,
												  (Oid *) stmt->argtypes, CURSOR_OPT_CUSTOM_PLAN);

			if (bulk == NULL)
				elog(ERROR, "SPI_prepare_cursor failed: %s", SPI_result_code_string(SPI_result));
			SPI_keepplan(bulk);
			entry->bulk_plan = bulk;
		}
		plan = entry->bulk_plan;
	}
	ret = SPI_execute_plan(plan, values, nulls, read_only, 0);

	if (ret != expect)
		elog(ERROR, "leadqual statement \"%s\" failed: %s", stmt->name,
			 SPI_result_code_string(ret));
	return SPI_processed;
}
