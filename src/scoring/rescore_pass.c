/*-------------------------------------------------------------------------
 *
 * rescore_pass.c
 *	  The from-scratch pass of rescore(): every lead of a model scored at
 *	  as_of, from one sequential scan of lead and one of event, handed lead
 *	  by lead to a callback (lq_pass_run): score_by_lead() returns them,
 *	  rescore_changes() (lifecycle/rescore_store.c) hands out those rescore()
 *	  writes.
 *
 *	  score_by_lead(model, as_of)
 *		→ TABLE (lead_id, fit_score, engagement_score, score, grade,
 *				 last_hand_raise, stage, stage_entered_at)
 *
 *	  It computes what fit_score(l), the engagement_detail aggregate over
 *	  the lead's events and grade() compute, without the executor's
 *	  per-row work (whole-row values, expression evaluation, hash probes
 *	  through minimal tuples, function calls): fit is read from the lead
 *	  scan's slot, the engagement states sit in a hash table keyed by
 *	  lead_id, and events of one lead that follow each other on disk reuse
 *	  the last probe.  A state takes lq_eng_state_size() bytes; when the
 *	  leads of the model need more than the memory allowed, they are split
 *	  by a hash of their id and the tables scanned once per part.
 *
 *	  The scans read with the statement's snapshot, after the privilege
 *	  checks a query would make; tables under row-level security for the
 *	  caller are refused rather than read past their policies.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"

#include "citus/citus.h"
#include "scoring/rescore.h"

/*
 * Leads are kept in blocks in the order the lead scan met them, and handed
 * out in that order, so that writes to lead visit its pages in order.  A
 * lead's engagement state lies right after it.
 */
#define LQ_PASS_STATE(lead) \
	((LqEngState *) ((char *) (lead) + MAXALIGN(sizeof(LqPassLead))))

/* The hash table's entry: a lead_id and its lead. */
typedef struct LqPassEntry
{
	int64		lead_id;		/* hash key */
	LqPassLead *lead;
	char		status;			/* simplehash's slot status */
} LqPassEntry;

#define SH_PREFIX lqpass
#define SH_ELEMENT_TYPE LqPassEntry
#define SH_KEY_TYPE int64
#define SH_KEY lead_id
#define SH_HASH_KEY(tb, key) murmurhash32((uint32) ((uint64) (key) ^ ((uint64) (key) >> 32)))
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/*
 * Bytes a lead costs besides its state: its hash slot at simplehash's
 * fill factor, and room for the table to double.
 */
#define LQ_PASS_SLOT_BYTES (2 * sizeof(LqPassEntry) + 16)

/* Leads are carved out of blocks of this many. */
#define LQ_PASS_STATES_PER_BLOCK 1024

/* The tables the pass reads, their columns, and the part being scanned. */
typedef struct LqPass
{
	LqModel    *model;
	TimestampTz as_of;
	Relation	lead;
	Relation	event;
	AttrNumber	lead_id_att;	/* lead.lead_id */
	AttrNumber	stage_att;		/* lead.stage */
	AttrNumber	entered_att;	/* lead.stage_entered_at */
	AttrNumber	fit_att;		/* lead.fit_score */
	AttrNumber	eng_att;		/* lead.engagement_score */
	AttrNumber	grade_att;		/* lead.grade */
	int			lead_atts[LQ_NUM_LEAD_COLUMNS];	/* what fit reads, model */
	AttrNumber	lead_maxatt;	/* how far to deform a lead */
	AttrNumber	ev_lead_att;	/* event.lead_id */
	AttrNumber	ev_type_att;	/* event.event_type */
	AttrNumber	ev_props_att;	/* event.properties */
	AttrNumber	ev_time_att;	/* event.occurred_at */
	Size		lead_size;		/* LqPassLead and its state, MAXALIGNed */
	Size		entry_size;		/* what one lead costs */
	List	   *blocks;			/* blocks of leads, in scan order … */
	char	   *block;			/* … the last one … */
	int			block_left;		/* … and how many more it holds */
	MemoryContext cxt;			/* where states and the table live */
	int			nparts;			/* leads are split into this many parts */
	int			part;			/* the part this scan collects */
} LqPass;

/*
 * lq_rescore_relid
 *		One of the extension's tables, in the schema of the function being
 *		called.
 */
Oid
lq_rescore_relid(FunctionCallInfo fcinfo, const char *relname)
{
	Oid			relid = get_relname_relid(relname, get_func_namespace(fcinfo->flinfo->fn_oid));

	if (!OidIsValid(relid))
		elog(ERROR, "table \"%s\" of leadqual is missing", relname);
	return relid;
}

/*
 * lq_rescore_attnum
 *		A column of one of the extension's tables, by name.
 */
AttrNumber
lq_rescore_attnum(Oid relid, const char *colname)
{
	AttrNumber	att = get_attnum(relid, colname);

	if (att == InvalidAttrNumber)
		elog(ERROR, "column \"%s\" of table \"%s\" is missing",
			 colname, get_rel_name(relid));
	return att;
}

/*
 * lq_pass_open
 *		Open one of the extension's tables for reading, after the checks a
 *		SELECT would make.
 */
static Relation
lq_pass_open(Oid relid, const char *caller)
{
	AclResult	aclresult;

	aclresult = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_TABLE, get_rel_name(relid));
	if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s cannot read table \"%s\" under row-level security",
						caller, get_rel_name(relid)),
				 errhint("Run it as a role that bypasses row-level security; score() and the scoring aggregates score the rows you may see.")));
	return table_open(relid, AccessShareLock);
}

/* A column of a table the pass reads. */
#define lq_pass_attnum(rel, colname) lq_rescore_attnum(RelationGetRelid(rel), (colname))

/*
 * lq_pass_in_part
 *		Does the lead belong to the part being collected?
 */
static inline bool
lq_pass_in_part(LqPass *pass, int64 lead_id)
{
	return pass->nparts == 1 ||
		hash_bytes_uint32((uint32) (lead_id ^ (lead_id >> 32))) % pass->nparts == pass->part;
}

/*
 * lq_pass_new_lead
 *		Lay out a lead of the model, read from its lead row, with an empty
 *		engagement state, in the current block (a new one when it is full).
 */
static LqPassLead *
lq_pass_new_lead(LqPass *pass, TupleTableSlot *slot, int64 lead_id, double fit)
{
	LqPassLead *lead;

	if (pass->block_left == 0)
	{
		MemoryContext old = MemoryContextSwitchTo(pass->cxt);

		pass->block = palloc(pass->lead_size * LQ_PASS_STATES_PER_BLOCK);
		pass->blocks = lappend(pass->blocks, pass->block);
		pass->block_left = LQ_PASS_STATES_PER_BLOCK;
		MemoryContextSwitchTo(old);
	}
	lead = (LqPassLead *) pass->block;
	pass->block += pass->lead_size;
	pass->block_left--;

	lead->lead_id = lead_id;
	lead->tid = slot->tts_tid;
	lead->fit = fit;
	lead->stage = slot->tts_values[pass->stage_att - 1];
	lead->stage_isnull = slot->tts_isnull[pass->stage_att - 1];
	lead->stage_entered_at = DatumGetTimestampTz(slot->tts_values[pass->entered_att - 1]);
	lead->entered_isnull = slot->tts_isnull[pass->entered_att - 1];
	lead->stored_fit_isnull = slot->tts_isnull[pass->fit_att - 1];
	lead->stored_fit = lead->stored_fit_isnull ? 0 :
		DatumGetFloat8(slot->tts_values[pass->fit_att - 1]);
	lead->stored_eng_isnull = slot->tts_isnull[pass->eng_att - 1];
	lead->stored_eng = lead->stored_eng_isnull ? 0 :
		DatumGetFloat8(slot->tts_values[pass->eng_att - 1]);
	if (slot->tts_isnull[pass->grade_att - 1])
		lead->stored_grade_len = -1;
	else
	{
		text	   *grade = DatumGetTextPP(slot->tts_values[pass->grade_att - 1]);
		int			len = VARSIZE_ANY_EXHDR(grade);

		lead->stored_grade_len = len == 2 ? 2 : 3;
		memcpy(lead->stored_grade, VARDATA_ANY(grade), Min(len, 2));
	}
	(void) lq_eng_state_init(pass->model, pass->as_of, LQ_PASS_STATE(lead));
	return lead;
}

/*
 * lq_pass_collect_leads
 *		Scan lead and, for every lead of the model in the current part,
 *		compute its fit and make an empty engagement state.  Stops making
 *		states once they would take more than limit bytes (at once for 0:
 *		a count), but goes on counting; returns how many leads of the model
 *		the part has.
 */
static int64
lq_pass_collect_leads(LqPass *pass, lqpass_hash *states, Size limit)
{
	TableScanDesc scan;
	TupleTableSlot *slot = table_slot_create(pass->lead, NULL);
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext,
												 "leadqual score_by_lead lead",
												 ALLOCSET_SMALL_SIZES);
	int64		nleads = 0;

	scan = table_beginscan(pass->lead, GetActiveSnapshot(), 0, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		int64		lead_id;
		LqLeadFields fields;
		MemoryContext old;
		bool		take;
		double		fit = 0;

		CHECK_FOR_INTERRUPTS();
		slot_getsomeattrs(slot, pass->lead_maxatt);
		if (slot->tts_isnull[pass->lead_id_att - 1])
			continue;
		lead_id = DatumGetInt64(slot->tts_values[pass->lead_id_att - 1]);
		if (!lq_pass_in_part(pass, lead_id))
			continue;

		/* a lead of the model: counted; fit only if it gets a state */
		old = MemoryContextSwitchTo(rowcxt);
		lq_lead_fields_from_slot(slot, pass->lead_atts, &fields);
		if (fields.model != NULL && lq_model_named(pass->model, fields.model))
			nleads++;
		else
		{
			MemoryContextSwitchTo(old);
			MemoryContextReset(rowcxt);
			continue;
		}
		take = (Size) nleads * pass->entry_size <= limit;	/* else only count */
		if (take)
			fit = lq_fit(pass->model, &fields, NULL);
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);

		if (take)
		{
			bool		found;
			LqPassEntry *e = lqpass_insert(states, lead_id, &found);

			if (!found)
				e->lead = lq_pass_new_lead(pass, slot, lead_id, fit);
		}
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	MemoryContextDelete(rowcxt);
	return nleads;
}

/*
 * lq_pass_count_events
 *		Scan event and count each event into its lead's state, if the lead
 *		is one of the collected ones.
 */
static void
lq_pass_count_events(LqPass *pass, lqpass_hash *states)
{
	TableScanDesc scan;
	TupleTableSlot *slot = table_slot_create(pass->event, NULL);
	AttrNumber	maxatt = Max(Max(pass->ev_lead_att, pass->ev_type_att), pass->ev_time_att);
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext,
												 "leadqual score_by_lead row",
												 ALLOCSET_SMALL_SIZES);
	MemoryContext old;
	int64		last_lead = 0;
	LqPassLead *last = NULL;
	bool		have_last = false;
	uint32		n = 0;

	scan = table_beginscan(pass->event, GetActiveSnapshot(), 0, NULL);
	old = MemoryContextSwitchTo(rowcxt);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		int64		lead_id;
		Datum	   *v;
		bool	   *isnull;
		TimestampTz occurred_at;
		text	   *type_name;
		LqEventType *type;

		if ((++n & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		slot_getsomeattrs(slot, maxatt);
		v = slot->tts_values;
		isnull = slot->tts_isnull;
		if (isnull[pass->ev_lead_att - 1])
			continue;
		lead_id = DatumGetInt64(v[pass->ev_lead_att - 1]);
		if (!have_last || lead_id != last_lead)
		{
			LqPassEntry *e = lqpass_lookup(states, lead_id);

			last = e ? e->lead : NULL;
			last_lead = lead_id;
			have_last = true;
		}
		if (last == NULL || isnull[pass->ev_type_att - 1] || isnull[pass->ev_time_att - 1])
			continue;
		occurred_at = DatumGetTimestampTz(v[pass->ev_time_att - 1]);
		if (occurred_at > pass->as_of)
			continue;
		type_name = DatumGetTextPP(v[pass->ev_type_att - 1]);
		type = lq_find_event_type(pass->model, VARDATA_ANY(type_name),
								  VARSIZE_ANY_EXHDR(type_name));
		if (type == NULL)
			continue;
		/* the properties (the widest column) only for rules that read them */
		if (type->any_properties)
			slot_getsomeattrs(slot, pass->ev_props_att);
		lq_eng_state_add_typed(LQ_PASS_STATE(last), type,
							   type->any_properties ? v[pass->ev_props_att - 1] : (Datum) 0,
							   type->any_properties ? isnull[pass->ev_props_att - 1] : true,
							   occurred_at);
		MemoryContextReset(rowcxt);
	}
	MemoryContextSwitchTo(old);
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	MemoryContextDelete(rowcxt);
}

/*
 * lq_pass_emit
 *		Hand every collected lead to the caller, in the order the lead scan
 *		met them, with its engagement, grade and latest hand-raise.
 */
static int64
lq_pass_emit(LqPass *pass, LqPassEmit emit, void *arg)
{
	int64		n = 0;
	ListCell   *lc;

	foreach(lc, pass->blocks)
	{
		char	   *block = lfirst(lc);
		int			count = lnext(pass->blocks, lc) ? LQ_PASS_STATES_PER_BLOCK
			: LQ_PASS_STATES_PER_BLOCK - pass->block_left;
		int			i;

		for (i = 0; i < count; i++)
		{
			LqPassLead *lead = (LqPassLead *) (block + i * pass->lead_size);
			LqEngState *state = LQ_PASS_STATE(lead);

			if ((n & 1023) == 0)
				CHECK_FOR_INTERRUPTS();
			lead->engagement = lq_eng_value(state, pass->as_of);
			lq_check_finite(lead->engagement, "engagement");
			lead->grade[0] = lq_fit_letter(pass->model, lead->fit);
			lead->grade[1] = lq_eng_digit(pass->model, lead->engagement);
			lead->grade[2] = '\0';
			lead->last_hand_raise = state->last_hand_raise;
			emit(lead, arg);
			n++;
		}
	}
	return n;
}

/*
 * lq_pass_parts
 *		How many parts nleads leads need: with a quarter of headroom for an
 *		uneven split (a part may overshoot a little rather than be split
 *		again).
 */
static int
lq_pass_parts(LqPass *pass, int64 nleads, Size limit)
{
	Size		need = (Size) nleads * pass->entry_size;

	if (need <= limit)
		return 1;
	return (int) Min((need + need / 4) / limit + 1, (Size) 1024);
}

/*
 * lq_pass_table_size
 *		Initial size of a part's hash table: lead's row estimate split into
 *		the parts, so the table need not grow step by step.
 */
static uint32
lq_pass_table_size(LqPass *pass, Size limit)
{
	double		n = pass->lead->rd_rel->reltuples;

	if (n < 1024)
		n = 1024;
	n = Min(n, (double) (limit / pass->entry_size)) / pass->nparts;
	return (uint32) Max(n, 1024);
}

/*
 * lq_pass_run
 *		Score every lead of the model at as_of and hand each one to emit, in
 *		the order of lead's pages (within each part).  The states may take
 *		maintenance_work_mem (or work_mem × hash_mem_multiplier, if larger);
 *		beyond that the leads are split into parts, one pair of scans each.
 *		caller names the SQL function in errors.  lead_relid is the table
 *		lead, read with event, or a Citus shard of it on this node, read
 *		with its colocated shard of event.  Returns how many leads were
 *		handed out.
 */
int64
lq_pass_run(FunctionCallInfo fcinfo, const char *caller, LqModel *model,
			TimestampTz as_of, Oid lead_relid, LqPassEmit emit, void *arg)
{
	Oid			event_relid;
	LqPass		pass;
	Size		limit = Max((Size) maintenance_work_mem * 1024, get_hash_memory_limit());
	MemoryContext passcxt;
	int64		nleads;
	int64		emitted = 0;
	bool		counted = false;

	memset(&pass, 0, sizeof(pass));
	pass.model = model;
	pass.as_of = as_of;
	pass.lead_size = MAXALIGN(sizeof(LqPassLead)) + MAXALIGN(lq_eng_state_size(pass.model));
	pass.entry_size = pass.lead_size + LQ_PASS_SLOT_BYTES;

	if (lead_relid == lq_rescore_relid(fcinfo, "lead"))
	{
		/* the tables: on Citus only an empty local copy, refused */
		event_relid = lq_rescore_relid(fcinfo, "event");
		lq_refuse_distributed(lead_relid, caller);
		lq_refuse_distributed(event_relid, caller);
	}
	else
		event_relid = lq_colocated(lead_relid, lq_rescore_relid(fcinfo, "event"));
	pass.lead = lq_pass_open(lead_relid, caller);
	pass.event = lq_pass_open(event_relid, caller);
	pass.lead_id_att = lq_pass_attnum(pass.lead, "lead_id");
	pass.stage_att = lq_pass_attnum(pass.lead, "stage");
	pass.entered_att = lq_pass_attnum(pass.lead, "stage_entered_at");
	pass.fit_att = lq_pass_attnum(pass.lead, "fit_score");
	pass.eng_att = lq_pass_attnum(pass.lead, "engagement_score");
	pass.grade_att = lq_pass_attnum(pass.lead, "grade");
	pass.lead_maxatt = Max(Max(Max(pass.lead_id_att, pass.stage_att),
							   Max(pass.entered_att, pass.fit_att)),
						   Max(Max(pass.eng_att, pass.grade_att),
							   lq_lead_attnums(RelationGetDescr(pass.lead), pass.lead_atts)));
	if (pass.lead_atts[LQ_NUM_LEAD_COLUMNS - 1] == 0)
		elog(ERROR, "column \"model\" of table \"lead\" is missing");
	pass.ev_lead_att = lq_pass_attnum(pass.event, "lead_id");
	pass.ev_type_att = lq_pass_attnum(pass.event, "event_type");
	pass.ev_props_att = lq_pass_attnum(pass.event, "properties");
	pass.ev_time_att = lq_pass_attnum(pass.event, "occurred_at");

	passcxt = AllocSetContextCreate(CurrentMemoryContext,
									"leadqual rescore pass",
									ALLOCSET_DEFAULT_SIZES);
	/*
	 * If lead may hold more leads than fit (by its row count estimate), count
	 * the model's leads first, a scan without fit, instead of finding out
	 * half-way through a part.
	 */
	pass.nparts = 1;
	if (pass.lead->rd_rel->reltuples < 0 ||
		pass.lead->rd_rel->reltuples * pass.entry_size > limit)
	{
		nleads = lq_pass_collect_leads(&pass, NULL, 0);
		pass.nparts = lq_pass_parts(&pass, nleads, limit);
		counted = true;
	}
	for (pass.part = 0; pass.part < pass.nparts; pass.part++)
	{
		lqpass_hash *states;
		bool		first = pass.part == 0 && pass.nparts == 1 && !counted;

		pass.cxt = passcxt;
		pass.blocks = NIL;
		pass.block_left = 0;
		states = lqpass_create(passcxt, lq_pass_table_size(&pass, limit), NULL);
		nleads = lq_pass_collect_leads(&pass, states, first ? limit : SIZE_MAX);
		if (first && (Size) nleads * pass.entry_size > limit)
		{
			/* more leads than the estimate said: split them, start over */
			pass.nparts = lq_pass_parts(&pass, nleads, limit);
			pass.part = -1;
			MemoryContextReset(passcxt);
			continue;
		}
		lq_pass_count_events(&pass, states);
		emitted += lq_pass_emit(&pass, emit, arg);
		MemoryContextReset(passcxt);
	}
	MemoryContextDelete(passcxt);
	elog(DEBUG1, "%s: " INT64_FORMAT " leads of model \"%s\" in %d part%s",
		 caller, emitted, pass.model->name, pass.nparts, pass.nparts == 1 ? "" : "s");

	table_close(pass.event, AccessShareLock);
	table_close(pass.lead, AccessShareLock);
	return emitted;
}

/*
 * lq_score_by_lead_row
 *		score_by_lead's callback: one result row per lead.
 */
static void
lq_score_by_lead_row(LqPassLead *lead, void *arg)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) arg;
	Datum		values[8];
	bool		nulls[8] = {false, false, false, false, false, false, false, false};

	values[0] = Int64GetDatum(lead->lead_id);
	values[1] = Float8GetDatum(lead->fit);
	values[2] = Float8GetDatum(lead->engagement);
	values[3] = Float8GetDatum(lead->fit + lead->engagement);
	values[4] = CStringGetTextDatum(lead->grade);
	values[5] = TimestampTzGetDatum(lead->last_hand_raise);
	nulls[5] = TIMESTAMP_IS_NOBEGIN(lead->last_hand_raise);
	values[6] = lead->stage;
	nulls[6] = lead->stage_isnull;
	values[7] = TimestampTzGetDatum(lead->stage_entered_at);
	nulls[7] = lead->entered_isnull;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * lq_score_by_lead_shards
 *		score_by_lead on Citus: the pass once per shard group, on the node
 *		that holds it, through a query Citus routes there by one of the
 *		group's leads (shard_group_leads()); the rows are gathered here.
 */
static void
lq_score_by_lead_shards(FunctionCallInfo fcinfo, ReturnSetInfo *rsinfo)
{
	Oid			types[3] = {TEXTOID, TIMESTAMPTZOID, INT8OID};
	Datum		args[3] = {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), (Datum) 0};
	SPIPlanPtr	plan;
	SPITupleTable *reps;
	uint64		nreps;
	uint64		r;
	int			ret;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	ret = SPI_execute("SELECT g.lead_id FROM leadqual.shard_group_leads() AS g(lead_id)", true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not list the shard groups of leadqual.lead: %s", SPI_result_code_string(ret));
	reps = SPI_tuptable;
	nreps = SPI_processed;
	plan = SPI_prepare("SELECT s.* FROM leadqual.lead l"
					   " CROSS JOIN LATERAL leadqual.score_by_lead_group("
					   "     leadqual.lead_table('leadqual.lead', ARRAY[l.lead_id]), $1, $2) s"
					   " WHERE l.lead_id OPERATOR(pg_catalog.=) $3", 3, types);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	for (r = 0; r < nreps; r++)
	{
		bool		isnull;
		uint64		i;

		args[2] = SPI_getbinval(reps->vals[r], reps->tupdesc, 1, &isnull);
		Assert(!isnull);
		ret = SPI_execute_plan(plan, args, NULL, true, 0);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "could not score a shard group: %s", SPI_result_code_string(ret));
		for (i = 0; i < SPI_processed; i++)
		{
			Datum		values[8];
			bool		nulls[8];

			heap_deform_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, values, nulls);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_finish();
}

PG_FUNCTION_INFO_V1(lq_score_by_lead);
PG_FUNCTION_INFO_V1(lq_score_by_lead_group);

/*
 * lq_score_by_lead
 *		score_by_lead(model text, as_of timestamptz) → SETOF (lead_id,
 *		fit_score, engagement_score, score, grade, last_hand_raise, stage,
 *		stage_entered_at): every lead whose model is the given one, scored
 *		at as_of as score() would score it, with what its automatic move
 *		depends on: its latest hand-raise at or before as_of and its stage.
 */
Datum
lq_score_by_lead(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	LqModel    *model;

	Oid			lead = lq_rescore_relid(fcinfo, "lead");

	lq_check_as_of(PG_GETARG_TIMESTAMPTZ(1), false, "as_of");
	model = lq_get_model_text(PG_GETARG_TEXT_PP(0));
	InitMaterializedSRF(fcinfo, 0);
	if (lq_is_distributed(lead))
		lq_score_by_lead_shards(fcinfo, rsinfo);
	else
		(void) lq_pass_run(fcinfo, "score_by_lead", model, PG_GETARG_TIMESTAMPTZ(1),
						   lead, lq_score_by_lead_row, rsinfo);
	return (Datum) 0;
}

/*
 * lq_score_by_lead_group
 *		score_by_lead_group(lead_rel regclass, model text, as_of timestamptz):
 *		score_by_lead of the leads in lead_rel, leadqual.lead or on Citus
 *		one of its shards on this node.  STRICT.
 */
Datum
lq_score_by_lead_group(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	LqModel    *model;
	Oid			lead_rel = lq_check_lead_table(PG_GETARG_OID(0), lq_rescore_relid(fcinfo, "lead"));

	lq_check_as_of(PG_GETARG_TIMESTAMPTZ(2), false, "as_of");
	model = lq_get_model_text(PG_GETARG_TEXT_PP(1));
	InitMaterializedSRF(fcinfo, 0);
	(void) lq_pass_run(fcinfo, "score_by_lead", model, PG_GETARG_TIMESTAMPTZ(2),
					   lead_rel, lq_score_by_lead_row, rsinfo);
	return (Datum) 0;
}
