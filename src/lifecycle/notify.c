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
#include "commands/async.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/float.h"
#include "utils/json.h"

#include "leadqual.h"
#include "lifecycle/lifecycle.h"

PG_FUNCTION_INFO_V1(lq_notify_move_sql);

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
 * lq_notify_append_text
 *		Append t->s (t->len bytes, not necessarily NUL-terminated, possibly
 *		ending in an incomplete character when it was read as a slice; t->full
 *		false when it is only the start of the value) as a JSON string, or
 *		null when t->s is NULL.  The string is cut at a character
 *		boundary so that its escaped content stays within
 *		LQ_NOTIFY_FIELD_MAX bytes (counting 6 bytes for every ASCII control
 *		character, as \u00XX, which bounds every escape escape_json writes);
 *		*truncated is set when anything was cut.  The escaping itself is
 *		escape_json's.
 */
static void
lq_notify_append_text(StringInfo buf, const LqNoticeText *t, bool *truncated)
{
	const char *s = t->s;
	size_t		len = t->len;
	size_t		used = 0;
	size_t		i = 0;
	char	   *prefix;

	if (s == NULL)
	{
		appendStringInfoString(buf, "null");
		return;
	}
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
	prefix = pnstrdup(s, i);
	escape_json(buf, prefix);
	pfree(prefix);
}

/*
 * lq_notify_move
 *		Send the hand-off notification of one stage move on
 *		leadqual.notify_channel and return its payload (palloc'd in the
 *		current memory context), or return NULL at once when the setting is
 *		empty.  The notification is queued by Async_Notify, which delivers
 *		it at commit and forgets it at rollback.
 */
char *
lq_notify_move(const LqMoveNotice *n)
{
	StringInfoData buf;
	bool		truncated = false;

	if (lq_notify_channel == NULL || lq_notify_channel[0] == '\0')
		return NULL;

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

	Async_Notify(lq_notify_channel, buf.data);
	return buf.data;
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
