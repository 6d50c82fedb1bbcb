/*-------------------------------------------------------------------------
 *
 * notify.c
 *	  Hand-off notifications (SPEC §9): when leadqual.notify_channel is set,
 *	  every stage move sends pg_notify(channel, payload) with a JSON object
 *
 *	    {"lead_id": …, "external_id": …, "from_stage": …, "to_stage": …,
 *	     "changed_at": …, "actor": …, "reason": …, "score": …, "owner": …,
 *	     "history_id": …, "truncated": …}
 *
 *	  lq_notify_move() is the one routine that builds and sends it: the
 *	  actions call it from lq_move() (lifecycle.c), and the system's moves
 *	  (apply_automatic_moves, used by live scoring and rescore()) through
 *	  the internal SQL function notify_move(), once per moved row.
 *
 *	  Rules decided here (README documents them):
 *	  - PostgreSQL queues the notification and delivers it when the
 *	    transaction commits; a rolled-back move sends nothing.
 *	  - PostgreSQL drops a notification whose channel and payload equal
 *	    one already queued in the same transaction.  history_id (the
 *	    stage_history row of the move) makes every move's payload unique,
 *	    so two moves in one transaction are never folded into one.
 *	  - NOTIFY payloads are limited to BLCKSZ - NAMEDATALEN - 128 bytes
 *	    (7,999 with 8 kB pages).  external_id, actor, reason and owner are
 *	    each cut (at a character boundary) to at most LQ_NOTIFY_FIELD_MAX
 *	    bytes of JSON string content, and "truncated" says whether any was:
 *	    a move never fails because its notification would be too long.
 *	  - changed_at is written as to_json writes a timestamptz (ISO 8601 in
 *	    the session's TimeZone); score as float8 prints it, null when the
 *	    lead has none (or it is not finite).
 *	  - With the setting empty, nothing is built: the routine returns at
 *	    once.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/detoast.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/float.h"
#include "utils/json.h"
#include "utils/lsyscache.h"

#include "citus/citus.h"
#include "leadqual.h"
#include "lifecycle/lifecycle.h"

PG_FUNCTION_INFO_V1(lq_notify_move_sql);
PG_FUNCTION_INFO_V1(lq_relay_handoffs);

/* async.c's limit: a payload must be shorter than this many bytes */
#define LQ_NOTIFY_PAYLOAD_LIMIT (BLCKSZ - NAMEDATALEN - 128)

/*
 * Four fields of at most LQ_NOTIFY_FIELD_MAX bytes each (plus quotes),
 * two stage labels of at most NAMEDATALEN - 1 bytes, a timestamp, three
 * numbers and the keys stay well below the limit.
 */
StaticAssertDecl(4 * (LQ_NOTIFY_FIELD_MAX + 2) + 2 * (NAMEDATALEN + 2) + 1024
				 < LQ_NOTIFY_PAYLOAD_LIMIT,
				 "notification payload fields do not fit NOTIFY's limit");

/*
 * lq_notice_cut
 *		The start of t->s (t->len bytes, not necessarily NUL-terminated,
 *		possibly ending in an incomplete character when it was read as a
 *		slice; t->full false when it is only the start of the value) that a
 *		payload keeps, NUL-terminated and palloc'd: cut at a character
 *		boundary so that its escaped content stays within
 *		LQ_NOTIFY_FIELD_MAX bytes (counting 6 bytes for every ASCII control
 *		character, as \u00XX, which bounds every escape escape_json writes);
 *		*truncated is set when anything was cut.  NULL for SQL NULL.
 */
static char *
lq_notice_cut(const LqNoticeText *t, bool *truncated)
{
	const char *s = t->s;
	size_t		len = t->len;
	size_t		used = 0;
	size_t		i = 0;

	if (s == NULL)
		return NULL;
	while (i < len)
	{
		unsigned char c = (unsigned char) s[i];
		size_t		clen;
		size_t		width;

		if (IS_HIGHBIT_SET(c))
		{
			clen = pg_mblen(s + i);
			width = clen;
		}
		else
		{
			clen = 1;
			width = c < 0x20 ? 6 : (c == '"' || c == '\\') ? 2 : 1;
		}
		if (i + clen > len || used + width > LQ_NOTIFY_FIELD_MAX)
			break;
		used += width;
		i += clen;
	}
	if (i < len || !t->full)
		*truncated = true;
	return pnstrdup(s, i);
}

/*
 * lq_notify_append_text
 *		Append a text field as a JSON string (lq_notice_cut's start of it),
 *		or null.  The escaping itself is escape_json's.
 */
static void
lq_notify_append_text(StringInfo buf, const LqNoticeText *t, bool *truncated)
{
	char	   *prefix = lq_notice_cut(t, truncated);

	if (prefix == NULL)
	{
		appendStringInfoString(buf, "null");
		return;
	}
	escape_json(buf, prefix);
	pfree(prefix);
}

/*
 * lq_move_payload
 *		The JSON payload of one stage move (palloc'd in the current memory
 *		context).
 */
static char *
lq_move_payload(const LqMoveNotice *n)
{
	StringInfoData buf;
	bool		truncated = n->truncated;

	initStringInfo(&buf);

	appendStringInfoString(&buf, "{\"lead_id\": ");
	if (n->lead_id_null)
		appendStringInfoString(&buf, "null");
	else
		appendStringInfo(&buf, INT64_FORMAT, n->lead_id);

	appendStringInfoString(&buf, ", \"external_id\": ");
	lq_notify_append_text(&buf, &n->external_id, &truncated);

	appendStringInfoString(&buf, ", \"from_stage\": ");
	if (n->from_stage == NULL)
		appendStringInfoString(&buf, "null");
	else
		escape_json(&buf, n->from_stage);

	appendStringInfoString(&buf, ", \"to_stage\": ");
	if (n->to_stage == NULL)
		appendStringInfoString(&buf, "null");
	else
		escape_json(&buf, n->to_stage);

	appendStringInfoString(&buf, ", \"changed_at\": ");
	if (n->changed_at_null)
		appendStringInfoString(&buf, "null");
	else
	{
		char		ts[MAXDATELEN + 1];

		JsonEncodeDateTime(ts, TimestampTzGetDatum(n->changed_at), TIMESTAMPTZOID, NULL);
		appendStringInfoChar(&buf, '"');
		appendStringInfoString(&buf, ts);
		appendStringInfoChar(&buf, '"');
	}

	appendStringInfoString(&buf, ", \"actor\": ");
	lq_notify_append_text(&buf, &n->actor, &truncated);

	appendStringInfoString(&buf, ", \"reason\": ");
	lq_notify_append_text(&buf, &n->reason, &truncated);

	appendStringInfoString(&buf, ", \"score\": ");
	if (n->score_null || isnan(n->score) || isinf(n->score))
		appendStringInfoString(&buf, "null");
	else
		appendStringInfoString(&buf, float8out_internal(n->score));

	appendStringInfoString(&buf, ", \"owner\": ");
	lq_notify_append_text(&buf, &n->owner, &truncated);

	appendStringInfoString(&buf, ", \"history_id\": ");
	if (n->history_id_null)
		appendStringInfoString(&buf, "null");
	else
		appendStringInfo(&buf, INT64_FORMAT, n->history_id);

	appendStringInfo(&buf, ", \"truncated\": %s}", truncated ? "true" : "false");
	return buf.data;
}

/*
 * lq_queue_relation
 *		Where a move's notification must wait for the coordinator: on Citus,
 *		the shard of handoff_queue that goes with the moved lead, when it is
 *		placed on this node (the move was written on a worker, in a
 *		transaction the coordinator may end with PREPARE TRANSACTION, which
 *		PostgreSQL refuses after NOTIFY).  InvalidOid elsewhere: on one node,
 *		and on the coordinator, which notifies itself.
 */
static Oid
lq_queue_relation(const LqMoveNotice *n)
{
	Oid			queue;
	Oid			rel;

	if (n->lead_id_null || n->history_id_null || !lq_citus_present())
		return InvalidOid;
	queue = get_relname_relid("handoff_queue", get_namespace_oid("leadqual", false));
	if (!OidIsValid(queue))
		return InvalidOid;
	rel = lq_lead_relation(queue, n->lead_id);
	return rel == queue ? InvalidOid : rel;
}

/*
 * lq_queue_move
 *		Keep a move's notification in rel (a shard of handoff_queue) for
 *		relay_handoffs(): its text fields as a payload keeps them, and
 *		whether one was cut.  Written with the mover's rights, in the
 *		mover's transaction: it commits and rolls back with the move.
 */
static void
lq_queue_move(Oid rel, const LqMoveNotice *n)
{
	Oid			argtypes[11] = {INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID,
		TEXTOID, TEXTOID, FLOAT8OID, TEXTOID, BOOLOID};
	Datum		args[11];
	char		nulls[11];
	bool		truncated = n->truncated;
	const LqNoticeText *texts[4] = {&n->external_id, &n->actor, &n->reason, &n->owner};
	int			textargs[4] = {2, 6, 7, 9};
	char	   *sql;
	int			ret;

	memset(nulls, ' ', sizeof(nulls));
	args[0] = Int64GetDatum(n->history_id);
	args[1] = Int64GetDatum(n->lead_id);
	for (int i = 0; i < 4; i++)
	{
		char	   *cut = lq_notice_cut(texts[i], &truncated);

		args[textargs[i]] = cut ? CStringGetTextDatum(cut) : (Datum) 0;
		if (cut == NULL)
			nulls[textargs[i]] = 'n';
	}
	args[3] = n->from_stage ? CStringGetTextDatum(n->from_stage) : (Datum) 0;
	if (n->from_stage == NULL)
		nulls[3] = 'n';
	args[4] = n->to_stage ? CStringGetTextDatum(n->to_stage) : (Datum) 0;
	if (n->to_stage == NULL)
		nulls[4] = 'n';
	args[5] = TimestampTzGetDatum(n->changed_at);
	if (n->changed_at_null)
		nulls[5] = 'n';
	args[8] = Float8GetDatum(n->score);
	if (n->score_null)
		nulls[8] = 'n';
	args[10] = BoolGetDatum(truncated);

	sql = psprintf("INSERT INTO %s (history_id, lead_id, external_id, from_stage, to_stage,"
				   " changed_at, actor, reason, score, owner, truncated)"
				   " VALUES ($1, $2, $3, $4::leadqual.stage, $5::leadqual.stage, $6, $7, $8, $9, $10, $11)",
				   lq_qualified_name(rel));
	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	ret = SPI_execute_with_args(sql, 11, argtypes, args, nulls, false, 0);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "could not queue the hand-off of lead " INT64_FORMAT ": %s",
			 n->lead_id, SPI_result_code_string(ret));
	SPI_finish();
}

/*
 * lq_notify_move
 *		Send the hand-off notification of one stage move on
 *		leadqual.notify_channel and return its payload (palloc'd in the
 *		current memory context), or return NULL at once when the setting is
 *		empty.  The notification is queued by Async_Notify, which delivers
 *		it at commit and forgets it at rollback; on a Citus worker it is kept
 *		in handoff_queue instead, for relay_handoffs() on the coordinator.
 */
char *
lq_notify_move(const LqMoveNotice *n)
{
	char	   *payload;
	Oid			queue;

	if (lq_notify_channel == NULL || lq_notify_channel[0] == '\0')
		return NULL;
	payload = lq_move_payload(n);
	queue = lq_queue_relation(n);
	if (OidIsValid(queue))
		lq_queue_move(queue, n);
	else
		Async_Notify(lq_notify_channel, payload);
	return payload;
}

/*
 * lq_notify_text_arg
 *		Read text argument argno for a payload field: at most
 *		LQ_NOTIFY_FIELD_MAX bytes of it (a slice, so a huge TOASTed value is
 *		not read whole; the field is cut to that length anyway), and whether
 *		that is all of it.  NULL stays NULL.
 */
static void
lq_notify_text_arg(FunctionCallInfo fcinfo, int argno, LqNoticeText *field)
{
	Datum		d;
	text	   *t;

	if (PG_ARGISNULL(argno))
	{
		field->s = NULL;
		field->len = 0;
		field->full = true;
		return;
	}
	d = PG_GETARG_DATUM(argno);
	t = DatumGetTextPSlice(d, 0, LQ_NOTIFY_FIELD_MAX + 1);
	field->s = VARDATA_ANY(t);
	field->len = VARSIZE_ANY_EXHDR(t);
	field->full = toast_raw_datum_size(d) - VARHDRSZ <= field->len;
}

/*
 * lq_notify_move_sql
 *		notify_move(history_id, lead_id, external_id, from_stage, to_stage,
 *		changed_at, actor, reason, score, owner) → text: send the
 *		notification of a move that is already in stage_history; returns
 *		the payload sent, NULL when leadqual.notify_channel is empty (then
 *		at once, before any argument is read).  apply_automatic_moves calls
 *		it once per moved row.  Not strict: a NULL field is JSON null.
 */
Datum
lq_notify_move_sql(PG_FUNCTION_ARGS)
{
	LqMoveNotice n = {0};
	char	   *payload;

	if (lq_notify_channel == NULL || lq_notify_channel[0] == '\0')
		PG_RETURN_NULL();

	n.history_id_null = PG_ARGISNULL(0);
	if (!n.history_id_null)
		n.history_id = PG_GETARG_INT64(0);
	n.lead_id_null = PG_ARGISNULL(1);
	if (!n.lead_id_null)
		n.lead_id = PG_GETARG_INT64(1);
	lq_notify_text_arg(fcinfo, 2, &n.external_id);
	if (!PG_ARGISNULL(3))
		n.from_stage = DatumGetCString(DirectFunctionCall1(enum_out, PG_GETARG_DATUM(3)));
	if (!PG_ARGISNULL(4))
		n.to_stage = DatumGetCString(DirectFunctionCall1(enum_out, PG_GETARG_DATUM(4)));
	n.changed_at_null = PG_ARGISNULL(5);
	if (!n.changed_at_null)
		n.changed_at = PG_GETARG_TIMESTAMPTZ(5);
	lq_notify_text_arg(fcinfo, 6, &n.actor);
	lq_notify_text_arg(fcinfo, 7, &n.reason);
	n.score_null = PG_ARGISNULL(8);
	if (!n.score_null)
		n.score = PG_GETARG_FLOAT8(8);
	lq_notify_text_arg(fcinfo, 9, &n.owner);

	payload = lq_notify_move(&n);
	PG_RETURN_TEXT_P(cstring_to_text(payload));
}

/*
 * lq_relay_handoffs
 *		relay_handoffs() → bigint: on the Citus coordinator, send the
 *		notifications of the moves made on the workers (kept in
 *		handoff_queue by lq_notify_move) on this session's
 *		leadqual.notify_channel, in the order of the moves (changed_at, then
 *		history_id), and delete them, in one transaction: they are delivered
 *		when it commits, and stay queued if it rolls back.  Returns how many.
 *		On one node the queue stays empty (every move notifies at once).
 */
Datum
lq_relay_handoffs(PG_FUNCTION_ARGS)
{
	static const char *const sql =
		"WITH d AS (DELETE FROM leadqual.handoff_queue q RETURNING q.*)"
		" SELECT d.history_id, d.lead_id, d.external_id, d.from_stage::pg_catalog.text,"
		"        d.to_stage::pg_catalog.text, d.changed_at, d.actor, d.reason, d.score, d.owner,"
		"        d.truncated"
		"   FROM d ORDER BY d.changed_at, d.history_id";
	int			ret;
	uint64		n;

	if (lq_notify_channel == NULL || lq_notify_channel[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("leadqual.notify_channel is not set"),
				 errdetail("relay_handoffs() sends the queued hand-offs on this session's leadqual.notify_channel."),
				 errhint("Set it to the channel the listeners listen on, as the database setting does on the workers.")));

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	ret = SPI_execute(sql, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read leadqual.handoff_queue: %s", SPI_result_code_string(ret));
	n = SPI_processed;
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		LqMoveNotice m = {0};
		bool		isnull;
		Datum		d;

		d = SPI_getbinval(tup, desc, 1, &m.history_id_null);
		if (!m.history_id_null)
			m.history_id = DatumGetInt64(d);
		d = SPI_getbinval(tup, desc, 2, &m.lead_id_null);
		if (!m.lead_id_null)
			m.lead_id = DatumGetInt64(d);
		m.external_id = lq_notice_text(SPI_getvalue(tup, desc, 3));
		m.from_stage = SPI_getvalue(tup, desc, 4);
		m.to_stage = SPI_getvalue(tup, desc, 5);
		d = SPI_getbinval(tup, desc, 6, &m.changed_at_null);
		if (!m.changed_at_null)
			m.changed_at = DatumGetTimestampTz(d);
		m.actor = lq_notice_text(SPI_getvalue(tup, desc, 7));
		m.reason = lq_notice_text(SPI_getvalue(tup, desc, 8));
		d = SPI_getbinval(tup, desc, 9, &m.score_null);
		if (!m.score_null)
			m.score = DatumGetFloat8(d);
		m.owner = lq_notice_text(SPI_getvalue(tup, desc, 10));
		d = SPI_getbinval(tup, desc, 11, &isnull);
		m.truncated = !isnull && DatumGetBool(d);
		Async_Notify(lq_notify_channel, lq_move_payload(&m));
	}
	SPI_finish();
	PG_RETURN_INT64((int64) n);
}
