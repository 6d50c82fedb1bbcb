"""Accounts and hand-off notifications under the hostile suite (SPEC §9).

account_key and account_status get NULLs, blank and huge (TOASTed, up to
1 MB) e-mails and account values, odd unicode (combining marks, bidi and
zero-width characters, emoji, U+FFFD), a thousand '@' and addresses that
end in '@'.  The notification payload builder (notify_move, and the actions
through lq_move) gets huge external_id, owner and reason values, quotes,
backslashes and control characters: every payload must be JSON that
PostgreSQL's parser takes (the cases below) and that Python's strict parser
takes field by field (notify_check, which LISTENs on a second connection:
one notification per committed move of every kind, live scoring included,
none for a rolled-back one, each field equal to what was written or, when
"truncated" says so, a prefix of it).  relay_handoffs() relays queued
hand-offs (what a Citus worker's move writes) whose every column in turn is
hostile.
"""
import json
import select
import time

from cases import Case, write_cases

# SQL expressions of hostile text values
TEXTS = [
    "NULL", "''", "' '", "E' \\t\\n '", "'@'", "'@@@'", "repeat('@', 1000)", "'a@'", "'@acme.com'",
    "'a@b@c@acme.com'", "repeat('a@', 5000) || 'acme.com'", "'x@' || repeat('gmail.', 20000) || 'com'",
    "'x@GMAIL.COM'", "'x@gmail'", "'x@.com'", "'x@acme.com.'",
    "'zoë@bücher.de'", "'x@e\u0301xample.com'", "'x@\u202eevil.com'", "'x@zero\u200bwidth.com'",
    "'x@\U0001F642.com'", "'x@\ufffd.com'", "'ＸＹ@ＧＭＡＩＬ.com'",
    "repeat('x', 1000000) || '@acme.com'", "'x@' || repeat('acme', 250000) || '.com'",
    "repeat('é', 300000)", "E'\\x01\\x02\\x1f\"\\\\'", "repeat(md5('x'), 200)",
]


def account_cases(cur):
    """account_key with each hostile e-mail and account; account_status over leads that hold them."""
    for e in TEXTS:
        for a in ("NULL", "''", "' CRM-1 '", e):
            yield Case("account_key hostile", f"SELECT leadqual.account_key({e}, {a})", expect="ok")
    for e in TEXTS:
        # the lead is written with live scoring on, then read back through the view
        yield Case("account_status hostile",
                   f"INSERT INTO leadqual.lead (external_id, created_at, email, account) "
                   f"VALUES ('acct-' || md5(({e})::text), now(), {e}, {e}) RETURNING lead_id",
                   followups=["SELECT * FROM leadqual.account_status",
                              "SELECT count(*) FROM leadqual.account_status a, leadqual.lead l"
                              " WHERE l.lead_id = %(ret)s AND a.account = leadqual.account_key(l.email, l.account)"],
                   expect="ok")
        yield Case("account_status hostile",
                   f"UPDATE leadqual.lead SET account = {e} WHERE external_id = 'fx-sql' RETURNING lead_id",
                   followups=["SELECT * FROM leadqual.account_status"], expect="ok")


NOTIFY_TEXTS = [
    "NULL", "''", "'plain'", "E'\"quoted\" \\\\ back\\\\slash'", "E'\\x01\\x02\\x1f\\x7f ctrl \\n\\r\\t'",
    "'zoë Bücher 東京 \U0001F642 \u200b\u202e'", "repeat('é', 3000)", "repeat('x', 1000)", "repeat('x', 1001)",
    "repeat('\"', 5000)", "repeat(E'\\\\', 5000)", "repeat(E'\\x01', 5000)", "repeat(E'ab\"\\\\\\n', 200000)",
]


def notify_cases(cur):
    """notify_move's payload with hostile fields must be JSON PostgreSQL parses; actions with them succeed."""
    on = {"leadqual.notify_channel": "'hx_payload'"}
    for t in NOTIFY_TEXTS:
        for args in ((t, "'sales'", "NULL", "NULL"), ("'e'", t, "NULL", "NULL"), ("'e'", "'sales'", t, "NULL"),
                     ("'e'", "'sales'", "NULL", t), (t, t, t, t)):
            ext, actor, reason, owner = args
            yield Case("notify payload hostile",
                       f"SELECT (p::json ->> 'lead_id')::bigint FROM leadqual.notify_move(1, 1, {ext}, 'mql', 'sal', "
                       f"now(), {actor}, {reason}, 1.5, {owner}) p", settings=on, expect="ok")
        # an action on a lead that holds them: lq_move builds the payload
        # (external_id and owner are indexed: a B-tree entry holds at most
        # 2,704 bytes, so these two are cut before they are written)
        yield Case("notify action hostile",
                   f"INSERT INTO leadqual.lead (external_id, created_at, owner) "
                   f"VALUES ('nx-' || md5(coalesce({t}, 'null')) || left(coalesce({t}, ''), 500), now() - interval '1 day', "
                   f"left({t}, 2000)) "
                   f"RETURNING lead_id",
                   followups=[f"SELECT leadqual.transition(%(ret)s, 'sal', 'sales', {t}, {t})"],
                   settings=on, expect="ok")


# a queued hand-off (what a Citus worker's move writes), each column in turn
# hostile, then relayed: relay_handoffs() builds the payload from the row
QUEUE_ROW = {"history_id": "1", "lead_id": "1", "external_id": "'e'", "from_stage": "'inquiry'",
             "to_stage": "'mql'", "changed_at": "now()", "actor": "'system'", "reason": "'hand_raise'",
             "score": "1.5", "owner": "NULL", "truncated": "false"}


def relay_cases(cur):
    on = {"leadqual.notify_channel": "'hx_payload'"}
    tables = {"handoff_queue": (QUEUE_ROW, "true", "history_id", ["SELECT leadqual.relay_handoffs()"])}
    yield from write_cases(cur, tables, "relay", [on])


def all_account_cases(cur):
    yield from account_cases(cur)
    yield from notify_cases(cur)
    yield from relay_cases(cur)


def _strict_loads(payload):
    def refuse(c):
        raise ValueError(f"non-JSON constant {c}")
    return json.loads(payload, parse_constant=refuse)


def _check_field(got, want, truncated, name):
    """None if the payload field got stands for the value want, else what is wrong."""
    if want is None:
        return None if got is None else f"{name}: {got[:40]!r} for NULL"
    if got == want:
        return None
    if truncated and got is not None and want.startswith(got) and len(got.encode()) <= 1000:
        return None
    return f"{name}: {str(got)[:40]!r} is not {want[:40]!r}"


def notify_check(connect):
    """A listener receives exactly one notification per committed move (an action, live scoring from
    an event insert, rescore()) and none for a rolled-back one; each payload parses (strictly) and
    gives back the fields.  Returns ([(what, detail)] of failures, moves checked)."""
    listener, writer = connect(), connect()
    lc, wc = listener.cursor(), writer.cursor()
    lc.execute("LISTEN hx_check")
    wc.execute("SET leadqual.notify_channel = 'hx_check'")
    errors, expected = [], []
    values = [None, "", "plain", '"quoted" \\ back\\slash', "\x01\x02\x1f\x7f ctrl \n\r\t",
              "zoë Bücher 東京 \U0001F642 \u200b\u202e", "é" * 3000, "x" * 1000, "x" * 1001,
              '"' * 5000, "\\" * 5000, "\x01" * 5000, 'ab"\\\n' * 20000]
    for i, v in enumerate(values):
        ext = f"nc-{i}-" + (v or "")[:2000]
        wc.execute("INSERT INTO leadqual.lead (external_id, created_at, owner) VALUES (%s, now() - interval '1 day', %s)"
                   " RETURNING lead_id", (ext, v))
        lead = wc.fetchone()[0]
        # an action, committed: inquiry -> sal, with v as the free-text reason
        wc.execute("SELECT leadqual.transition(%s, 'sal', 'sales', %s)", (lead, v))
        expected.append(dict(lead_id=lead, external_id=ext, from_stage="inquiry", to_stage="sal",
                             actor="sales", reason=v, owner=v))
        # the same, rolled back: nothing
        wc.execute("BEGIN")
        wc.execute("SELECT leadqual.qualify(%s)", (lead,))
        wc.execute("ROLLBACK")
    # live scoring: a demo request (a hand-raise of the default model) moves a new lead to mql
    wc.execute("INSERT INTO leadqual.lead (external_id, created_at, owner) VALUES ('nc-live', now() - interval '1 day', 'o\"l')"
               " RETURNING lead_id")
    lead = wc.fetchone()[0]
    wc.execute("BEGIN")
    wc.execute("INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (%s, 'demo_request', now())", (lead,))
    wc.execute("ROLLBACK")
    wc.execute("INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (%s, 'demo_request', now())", (lead,))
    expected.append(dict(lead_id=lead, external_id="nc-live", from_stage="inquiry", to_stage="mql", actor="system",
                         reason="hand_raise", owner='o"l'))
    # rescore(): the same, loaded with live scoring off
    wc.execute("INSERT INTO leadqual.lead (external_id, created_at) VALUES ('nc-rescore', now() - interval '1 day')"
               " RETURNING lead_id")
    lead = wc.fetchone()[0]
    wc.execute("SET leadqual.auto_scoring = off")
    wc.execute("INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES (%s, 'contact_request', now())", (lead,))
    wc.execute("RESET leadqual.auto_scoring")
    wc.execute("BEGIN")
    wc.execute("SELECT leadqual.rescore()")
    wc.execute("ROLLBACK")
    wc.execute("SELECT leadqual.rescore()")
    expected.append(dict(lead_id=lead, external_id="nc-rescore", from_stage="inquiry", to_stage="mql", actor="system",
                         reason="hand_raise", owner=None))

    # collect what arrived (rescore() may move other leads of the fixture too: only ours are counted)
    ours = {e["lead_id"] for e in expected}
    got = []
    deadline = time.time() + 5
    while time.time() < deadline:
        if select.select([listener], [], [], 0.2) != ([], [], []):
            listener.poll()
        while listener.notifies:
            n = listener.notifies.pop(0)
            try:
                p = _strict_loads(n.payload)
            except ValueError as e:
                errors.append(("notify payload", f"not JSON: {e}: {n.payload[:200]!r}"))
                continue
            if len(n.payload.encode()) >= 8000:
                errors.append(("notify payload", f"{len(n.payload.encode())} bytes"))
            if p.get("lead_id") in ours:
                got.append(p)
        if len(got) >= len(expected):
            time.sleep(0.3)     # anything more would be a notification too many
            listener.poll()
            for n in listener.notifies:
                p = _strict_loads(n.payload)
                if p.get("lead_id") in ours:
                    got.append(p)
            break
    if len(got) != len(expected):
        errors.append(("notify delivery", f"{len(got)} notifications for {len(expected)} committed moves"))
    for want in expected:
        mine = [p for p in got if p.get("lead_id") == want["lead_id"]]
        if len(mine) != 1:
            errors.append(("notify delivery", f"lead {want['lead_id']}: {len(mine)} notifications"))
            continue
        p = mine[0]
        keys = ["lead_id", "external_id", "from_stage", "to_stage", "changed_at", "actor", "reason", "score",
                "owner", "history_id", "truncated"]
        if list(p) != keys:
            errors.append(("notify payload", f"keys {list(p)}"))
            continue
        for k in ("external_id", "from_stage", "to_stage", "actor", "reason", "owner"):
            bad = _check_field(p[k], want[k], p["truncated"], k)
            if bad:
                errors.append(("notify payload", f"lead {want['lead_id']}: {bad}"))
        if not isinstance(p["history_id"], int) or not isinstance(p["changed_at"], str):
            errors.append(("notify payload", f"lead {want['lead_id']}: history_id or changed_at of the wrong type"))
    listener.close()
    writer.close()
    return errors, len(expected)
