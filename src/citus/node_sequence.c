/*-------------------------------------------------------------------------
 *
 * node_sequence.c
 *	  Ids of stage_history, opportunity and event rows that never collide
 *	  between the nodes that write them.
 *
 *	  On one node a move's history_id is the next value of stage_history's
 *	  identity sequence (and a deal's opportunity_id of opportunity's, an
 *	  event's event_id of event's).  On Citus the coordinator writes moves
 *	  (the sales actions, through Citus) and so do the workers (the
 *	  automatic moves of live scoring, and generate_demo's history and
 *	  events, on the shards); each node has its own copy of the
 *	  sequence, all starting at 1.  So a node of Citus group g hands out
 *	  g * 2^48 + its sequence's next value: the coordinator (group 0) the
 *	  plain values, every worker a range of 2^48 of its own.  No setval,
 *	  so concurrent callers cannot hand out one value twice.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "commands/sequence.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/lsyscache.h"

#include "citus/citus.h"

/* values a node's own sequence may reach: 2^48 - 1 */
#define LQ_NODE_RANGE_BITS 48

/*
 * lq_local_group
 *		This node's Citus group (0: the coordinator, or no Citus), read once
 *		per backend.
 */
static int32
lq_local_group(void)
{
	static bool known = false;
	static int32 group = 0;
	int			ret;

	if (known)
		return group;
	if (!lq_citus_present())
		return 0;
	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	ret = SPI_execute("SELECT g.groupid FROM pg_catalog.pg_dist_local_group g", true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read pg_dist_local_group: %s", SPI_result_code_string(ret));
	if (SPI_processed == 1)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		group = isnull ? 0 : DatumGetInt32(d);
	}
	SPI_finish();
	if (group < 0 || group >= (1 << (63 - LQ_NODE_RANGE_BITS)))
		elog(ERROR, "Citus group %d of this node is out of leadqual's range", group);
	known = true;
	return group;
}

/*
 * lq_node_sequence
 *		The identity sequence of column colname of leadqual's table relname,
 *		looked up once per call site (kept in fn_extra for the query: a demo
 *		on Citus asks for millions of event ids in one statement).
 */
static Oid
lq_node_sequence(FunctionCallInfo fcinfo, const char *relname, const char *colname)
{
	Oid		   *cached = (Oid *) fcinfo->flinfo->fn_extra;
	Oid			nsp;
	Oid			rel;
	AttrNumber	attnum;

	if (cached != NULL)
		return *cached;
	nsp = get_namespace_oid("leadqual", false);
	rel = get_relname_relid(relname, nsp);
	if (!OidIsValid(rel) || (attnum = get_attnum(rel, colname)) == InvalidAttrNumber)
		elog(ERROR, "column %s of table leadqual.%s is missing", colname, relname);
	cached = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(Oid));
	*cached = getIdentitySequence(rel, attnum, false);
	fcinfo->flinfo->fn_extra = cached;
	return *cached;
}

/*
 * lq_node_nextval
 *		The next id of column colname of leadqual's table relname written on
 *		this node: its identity sequence's next value, taken without a
 *		privilege check on the sequence, as the column's default does (the
 *		caller's right to insert the row is checked by the INSERT); on
 *		Citus plus 2^48 times this node's group.
 */
static int64
lq_node_nextval(FunctionCallInfo fcinfo, const char *relname, const char *colname)
{
	int64		v = nextval_internal(lq_node_sequence(fcinfo, relname, colname), false);

	if (lq_citus_present())
	{
		int32		group = lq_local_group();

		if (v <= 0 || v >= ((int64) 1 << LQ_NODE_RANGE_BITS))
			ereport(ERROR,
					(errcode(ERRCODE_SEQUENCE_GENERATOR_LIMIT_EXCEEDED),
					 errmsg("%s's sequence on this node is out of its range", relname),
					 errdetail("On Citus each node hands out ids 1 to 2^48 - 1 of its own for leadqual.%s.%s; this one reached %lld.",
							   relname, colname, (long long) v),
					 errhint("The node has handed out all of its ids; move its shards to a new node.")));
		v += (int64) group << LQ_NODE_RANGE_BITS;
	}
	return v;
}

PG_FUNCTION_INFO_V1(lq_next_history_id);
PG_FUNCTION_INFO_V1(lq_next_opportunity_id);
PG_FUNCTION_INFO_V1(lq_next_event_id);

/* next_history_id() → bigint: the history_id of a move written here */
Datum
lq_next_history_id(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(lq_node_nextval(fcinfo, "stage_history", "history_id"));
}

/* next_opportunity_id() → bigint: the opportunity_id of a deal opened here */
Datum
lq_next_opportunity_id(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(lq_node_nextval(fcinfo, "opportunity", "opportunity_id"));
}

/* next_event_id() → bigint: the event_id of an event written here (the demo on a shard) */
Datum
lq_next_event_id(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(lq_node_nextval(fcinfo, "event", "event_id"));
}
