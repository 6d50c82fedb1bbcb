/*-------------------------------------------------------------------------
 *
 * placement.c
 *	  Finding this node's copy of a leadqual table on Citus.
 *
 *	  A Citus reference table has one shard, placed on every node that
 *	  holds reference tables (the workers, and the coordinator once it is
 *	  in the metadata).  Queries on the table itself are Citus queries;
 *	  inside a query that already runs on a shard Citus refuses them
 *	  ("cannot execute a distributed query from a query on a shard").  The
 *	  placement is a plain table of this node with the same rows, written
 *	  in the same distributed transaction as every other placement, so
 *	  reading it gives what the table gives.
 *
 *	  A distributed table (by lead_id) has a shard per hash range; the rows
 *	  of a group of leads that all fall into one shard placed on this node
 *	  are read and written there directly by leadqual's triggers, which run
 *	  on a shard and must touch only the colocated shards of its leads.
 *
 *	  The lookups read Citus's catalogs (pg_dist_partition, pg_dist_shard,
 *	  pg_dist_placement, pg_dist_local_group) and names the shard with
 *	  Citus's shard_name(): leadqual never builds a shard's name itself.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "citus/citus.h"

/*
 * lq_citus_present
 *		Is Citus installed in this database?  A server that has not loaded
 *		Citus's library (no citus.* setting) has no Citus tables, and is
 *		answered without a catalog lookup.
 */
bool
lq_citus_present(void)
{
	if (GetConfigOption("citus.enable_unsafe_triggers", true, false) == NULL)
		return false;
	return OidIsValid(get_extension_oid("citus", true));
}

/*
 * lq_local_placements
 *		The placements on this node of relid, a Citus table of partmethod
 *		('n' reference, 'h' hash-distributed), in shard order, at most limit
 *		of them (0: all); inside the caller's SPI connection.  Returns how
 *		many and their oids (palloc'd in the SPI procedure context; an oid
 *		is invalid where the shard's relation is not there).
 */
static uint64
lq_local_placements(Oid relid, char partmethod, long limit, Oid **oids)
{
	static const char *const sql =
		"SELECT pg_catalog.to_regclass(pg_catalog.shard_name(s.logicalrelid, s.shardid))::pg_catalog.oid"
		"  FROM pg_catalog.pg_dist_partition d"
		"  JOIN pg_catalog.pg_dist_shard s ON s.logicalrelid OPERATOR(pg_catalog.=) d.logicalrelid"
		"  JOIN pg_catalog.pg_dist_placement p ON p.shardid OPERATOR(pg_catalog.=) s.shardid"
		" WHERE d.logicalrelid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass"
		"   AND d.partmethod OPERATOR(pg_catalog.=) $2"
		"   AND p.groupid OPERATOR(pg_catalog.=) (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g)"
		" ORDER BY s.shardid";
	Oid			argtypes[2] = {OIDOID, CHAROID};
	Datum		args[2] = {ObjectIdGetDatum(relid), CharGetDatum(partmethod)};
	uint64		n;
	int			ret;

	ret = SPI_execute_with_args(sql, 2, argtypes, args, NULL, true, limit);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read Citus's placements of \"%s\": %s",
			 get_rel_name(relid), SPI_result_code_string(ret));
	n = SPI_processed;
	*oids = palloc0(sizeof(Oid) * (n + 1));
	for (uint64 i = 0; i < n; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);

		(*oids)[i] = isnull ? InvalidOid : DatumGetObjectId(d);
	}
	return n;
}

/*
 * lq_local_copy
 *		relid, or the placement on this node of relid when it is a Citus
 *		reference table placed here.
 */
Oid
lq_local_copy(Oid relid)
{
	Oid		   *oids;
	Oid			local = relid;
	int			ret;

	if (!lq_citus_present())
		return relid;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	if (lq_local_placements(relid, 'n', 2, &oids) == 1 && OidIsValid(oids[0]))
		local = oids[0];
	SPI_finish();
	return local;
}

/*
 * lq_local_shard_lead
 *		The lead_id of the row of relid (a distributed table with a lead_id
 *		column) whose column idcol is value, from relid's shards placed on
 *		this node: one probe per shard, each by the caller's rights (the
 *		shards have relid's grants and policies).
 */
bool
lq_local_shard_lead(Oid relid, const char *idcol, int64 value, int64 *lead_id)
{
	Oid		   *shards;
	uint64		nshards;
	bool		found = false;
	int			ret;

	if (!lq_citus_present())
		return false;
	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	nshards = lq_local_placements(relid, 'h', 0, &shards);
	for (uint64 i = 0; i < nshards && !found; i++)
	{
		Oid			probetypes[1] = {INT8OID};
		Datum		probe[1] = {Int64GetDatum(value)};
		char	   *q;

		if (!OidIsValid(shards[i]))
			continue;
		q = psprintf("SELECT o.lead_id FROM %s o WHERE o.%s OPERATOR(pg_catalog.=) $1",
					 lq_qualified_name(shards[i]), quote_identifier(idcol));
		ret = SPI_execute_with_args(q, 1, probetypes, probe, NULL, true, 1);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "could not read shard \"%s\": %s",
				 get_rel_name(shards[i]), SPI_result_code_string(ret));
		if (SPI_processed == 1)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			Assert(!isnull);	/* lead_id is NOT NULL */
			*lead_id = DatumGetInt64(d);
			found = true;
		}
	}
	SPI_finish();
	return found;
}

/*
 * lq_qualified_name
 *		A relation's schema-qualified, quoted name.
 */
char *
lq_qualified_name(Oid relid)
{
	char	   *nsp = get_namespace_name(get_rel_namespace(relid));
	char	   *rel = get_rel_name(relid);

	if (nsp == NULL || rel == NULL)
		elog(ERROR, "relation %u of leadqual is missing", relid);
	return quote_qualified_identifier(nsp, rel);
}

/*
 * lq_lead_relation
 *		lead_table() for one lead, from C: relid, or on Citus the shard of
 *		relid that holds lead_id when it is placed on this node.
 */
Oid
lq_lead_relation(Oid relid, int64 lead_id)
{
	Datum		elem = Int64GetDatum(lead_id);
	ArrayType  *leads;

	if (!lq_citus_present())
		return relid;
	leads = construct_array(&elem, 1, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	return DatumGetObjectId(DirectFunctionCall2(lq_lead_table, ObjectIdGetDatum(relid),
												PointerGetDatum(leads)));
}

PG_FUNCTION_INFO_V1(lq_lead_table);

/*
 * lq_lead_table
 *		lead_table(tbl regclass, lead_ids bigint[]) → regclass: the relation
 *		holding the rows of these leads of leadqual table tbl on this node:
 *		on Citus, the shard of a distributed tbl when all the leads fall
 *		into that one shard and it is placed here (a trigger on a shard
 *		sees only such leads), or the placement of a reference table;
 *		otherwise tbl itself.  STRICT.
 */
Datum
lq_lead_table(PG_FUNCTION_ARGS)
{
	static const char *const sql =
		"SELECT d.partmethod::pg_catalog.text,"
		"       (SELECT pg_catalog.to_regclass(pg_catalog.shard_name(s.logicalrelid, s.shardid))::pg_catalog.oid"
		"          FROM pg_catalog.pg_dist_shard s"
		"          JOIN pg_catalog.pg_dist_placement p ON p.shardid OPERATOR(pg_catalog.=) s.shardid"
		"         WHERE s.shardid OPERATOR(pg_catalog.=) pg_catalog.get_shard_id_for_distribution_column($1, $2[1])"
		"           AND p.groupid OPERATOR(pg_catalog.=) (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g)"
		"           AND NOT EXISTS (SELECT FROM pg_catalog.unnest($2) AS u(lead_id)"
		"                            WHERE pg_catalog.get_shard_id_for_distribution_column($1, u.lead_id)"
		"                                  OPERATOR(pg_catalog.<>) s.shardid))"
		"  FROM pg_catalog.pg_dist_partition d"
		" WHERE d.logicalrelid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass";
	Oid			relid = PG_GETARG_OID(0);
	ArrayType  *leads = PG_GETARG_ARRAYTYPE_P(1);
	Oid			argtypes[2] = {OIDOID, INT8ARRAYOID};
	Datum		args[2] = {ObjectIdGetDatum(relid), PointerGetDatum(leads)};
	Oid			local = relid;
	bool		reference = false;
	int			ret;

	if (!lq_citus_present() ||
		ArrayGetNItems(ARR_NDIM(leads), ARR_DIMS(leads)) == 0)
		PG_RETURN_OID(relid);

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	ret = SPI_execute_with_args(sql, 2, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read Citus's shards of \"%s\": %s",
			 get_rel_name(relid), SPI_result_code_string(ret));
	if (SPI_processed == 1)
	{
		bool		isnull;
		char	   *method = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);

		if (method != NULL && strcmp(method, "h") == 0 && !isnull)
			local = DatumGetObjectId(d);
		reference = method != NULL && strcmp(method, "n") == 0;
	}
	SPI_finish();
	/* only a reference table has a placement to look up; not a shard that is elsewhere */
	if (reference)
		local = lq_local_copy(relid);
	PG_RETURN_OID(local);
}

/*
 * lq_is_distributed
 *		Is relid a Citus table (distributed or reference)?
 */
bool
lq_is_distributed(Oid relid)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1] = {ObjectIdGetDatum(relid)};
	bool		citus_table;
	int			ret;

	if (!lq_citus_present())
		return false;
	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	ret = SPI_execute_with_args("SELECT FROM pg_catalog.pg_dist_partition d"
								" WHERE d.logicalrelid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
								1, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read pg_dist_partition: %s", SPI_result_code_string(ret));
	citus_table = SPI_processed > 0;
	SPI_finish();
	return citus_table;
}

/*
 * lq_refuse_distributed
 *		For code that reads a table directly (a heap scan) and would see
 *		only the coordinator's empty local copy of a Citus table: refuse
 *		with 0A000 instead of answering from nothing.
 */
void
lq_refuse_distributed(Oid relid, const char *what)
{
	if (lq_is_distributed(relid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s() does not run on Citus yet", what),
				 errdetail("Table \"%s\" is a Citus table; %s() reads the table on this node directly, where it has no rows.",
						   get_rel_name(relid), what),
				 errhint("Score leads with leadqual.score(lead_id), which runs on the shards.")));
}

PG_FUNCTION_INFO_V1(lq_is_distributed_sql);

/*
 * lq_is_distributed_sql
 *		is_distributed(tbl regclass) → boolean, for SQL callers (rescore()).
 *		STRICT.
 */
Datum
lq_is_distributed_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(lq_is_distributed(PG_GETARG_OID(0)));
}

/*
 * lq_colocated
 *		The relation holding tbl's rows that go with the rows of rel on this
 *		node: when rel is a Citus shard of one of leadqual's distributed
 *		tables placed here, the shard of a distributed tbl in its shard
 *		group, or the local placement of a reference tbl; otherwise tbl (a
 *		TRUNCATE trigger or rescore()'s pass on a shard have no lead to find
 *		the group by).
 */
Oid
lq_colocated(Oid rel, Oid tbl)
{
	static const char *const sql =
		"SELECT d.partmethod::pg_catalog.text,"
		"       (SELECT pg_catalog.to_regclass(pg_catalog.shard_name(t.logicalrelid, t.shardid))::pg_catalog.oid"
		"          FROM pg_catalog.pg_dist_shard t"
		"         WHERE t.logicalrelid OPERATOR(pg_catalog.=) e.logicalrelid"
		"           AND t.shardminvalue OPERATOR(pg_catalog.=) s.shardminvalue)"
		"  FROM pg_catalog.pg_dist_shard s"
		"  JOIN pg_catalog.pg_dist_partition d ON d.logicalrelid OPERATOR(pg_catalog.=) s.logicalrelid"
		"  LEFT JOIN pg_catalog.pg_dist_partition e"
		"         ON e.logicalrelid OPERATOR(pg_catalog.=) $2::pg_catalog.regclass"
		"        AND e.colocationid OPERATOR(pg_catalog.=) d.colocationid"
		" WHERE d.partmethod OPERATOR(pg_catalog.=) 'h'"
		"   AND pg_catalog.to_regclass(pg_catalog.shard_name(s.logicalrelid, s.shardid))"
		"       OPERATOR(pg_catalog.=) $1::pg_catalog.regclass";
	Oid			argtypes[2] = {OIDOID, OIDOID};
	Datum		args[2] = {ObjectIdGetDatum(rel), ObjectIdGetDatum(tbl)};
	Oid			result = tbl;
	bool		shard = false;
	int			ret;

	if (!lq_citus_present())
		return tbl;
	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	ret = SPI_execute_with_args(sql, 2, argtypes, args, NULL, true, 2);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read Citus's shards: %s", SPI_result_code_string(ret));
	if (SPI_processed == 1)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);

		shard = true;
		if (!isnull)
			result = DatumGetObjectId(d);
	}
	SPI_finish();
	/* a reference table goes with every shard: its copy on this node */
	if (shard && result == tbl)
		result = lq_local_copy(tbl);
	return result;
}

PG_FUNCTION_INFO_V1(lq_colocated_table);

/*
 * lq_colocated_table
 *		colocated_table(rel regclass, tbl regclass) → regclass: lq_colocated
 *		for SQL callers.  STRICT.
 */
Datum
lq_colocated_table(PG_FUNCTION_ARGS)
{
	PG_RETURN_OID(lq_colocated(PG_GETARG_OID(0), PG_GETARG_OID(1)));
}

/*
 * lq_check_lead_table
 *		rel, checked to be lead (leadqual.lead) or, on Citus, one of its
 *		shards on this node: rescore()'s pass and writes work on one of
 *		those.  22023 otherwise.
 */
Oid
lq_check_lead_table(Oid rel, Oid lead)
{
	if (lq_colocated(rel, lead) != rel)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relation \"%s\" is neither leadqual.lead nor one of its Citus shards on this node",
						get_rel_name(rel) ? get_rel_name(rel) : psprintf("%u", rel)),
				 errhint("Pass 'leadqual.lead'::regclass.")));
	return rel;
}

PG_FUNCTION_INFO_V1(lq_rescore_lead_table);

/*
 * lq_rescore_lead_table
 *		rescore_lead_table(lead_rel regclass) → regclass: lead_rel, checked
 *		by lq_check_lead_table.  STRICT.
 */
Datum
lq_rescore_lead_table(PG_FUNCTION_ARGS)
{
	Oid			lead = get_relname_relid("lead", get_namespace_oid("leadqual", false));

	if (!OidIsValid(lead))
		elog(ERROR, "table leadqual.lead is missing");
	PG_RETURN_OID(lq_check_lead_table(PG_GETARG_OID(0), lead));
}
