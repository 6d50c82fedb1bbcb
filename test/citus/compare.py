"""test/citus/compare.py — the same question asked of a plain node and of a
Citus cluster holding the same data; the answers must be equal (exactly,
floats to 1e-9 relative).

Each check is (name, sql, expect).  expect "same": both answer and the rows
are equal.  expect "fails": a known gap of leadqual on Citus (README,
"Running on Citus"), listed so that the run shows it: the check passes while
the cluster still refuses the query or answers differently, and fails when
the gap closes, so that the list is kept true.  Rows are compared in the
query's ORDER BY, which every check has.

    python3 test/citus/compare.py PLAIN_DSN CLUSTER_DSN

LQ_COMPARE_ONLY="NAME|NAME..." runs those checks only; LQ_COMPARE_ACTIONS=1
runs the lifecycle actions on both first, LQ_COMPARE_RESCORE=1 rescore(),
LQ_COMPARE_PREDICTIVE=1 trains the default predictive model, LQ_COMPARE_NOTIFY=1
compares the hand-off notifications of some moves; LQ_COMPARE_BEFORE=SQL asks the
cluster every check once, then runs SQL there (a rule edit), then compares:
the backends that answered first, on every node, must see the edit.
LQ_COMPARE_DEMO="LEADS SEED START" runs generate_demo(LEADS, SEED, START) on
the cluster, in a transaction that first deletes the demo leads copied in
and is rolled back at the end, and compares its data, by external_id (the
ids are the cluster's own), with the plain node's demo of the same
arguments.
"""
import decimal
import math
import os
import sys

import psycopg2

AS_OF = "'2026-07-01 00:00+00'::timestamptz"

CHECKS = [
    # the data loaded into both
    ("lead rows", "SELECT l.* FROM leadqual.lead l ORDER BY l.lead_id", "same"),
    ("event rows", "SELECT e.* FROM leadqual.event e ORDER BY e.lead_id, e.event_id", "same"),
    ("stage_history rows", "SELECT h.* FROM leadqual.stage_history h ORDER BY h.lead_id, h.history_id", "same"),
    ("opportunity rows", "SELECT o.* FROM leadqual.opportunity o ORDER BY o.lead_id, o.opportunity_id", "same"),
    # moves and deals without their ids: on Citus each node hands out ids of its own
    ("opportunities", "SELECT o.lead_id, o.created_at, o.closed_at, o.status, o.amount"
     " FROM leadqual.opportunity o ORDER BY 1, 2, 3, 4, 5", "same"),
    ("stage moves", "SELECT h.lead_id, h.from_stage, h.to_stage, h.changed_at, h.actor, h.reason, h.note, h.score"
     " FROM leadqual.stage_history h ORDER BY 1, 4, 2, 3, 5, 6, 7, 8", "same"),
    ("rules", "SELECT r.rule_id, r.model, r.field, r.op, r.value, r.points FROM leadqual.fit_rule r ORDER BY r.rule_id", "same"),
    # the state machine, read on the shards (this node's copy of transition)
    ("can_transition() of every lead, pushed down",
     "SELECT l.lead_id, leadqual.can_transition(l.stage, 'sal', 'sales'), leadqual.can_transition(l.stage, 'disqualified'),"
     " leadqual.can_transition(l.stage, 'nurture', 'marketing') FROM leadqual.lead l ORDER BY l.lead_id", "same"),
    # scoring: on the coordinator, and pushed down to the shards
    ("score() of one lead", f"SELECT (leadqual.score(17, {AS_OF})).*", "same"),
    ("explain_score() of one lead",
     f"SELECT e.* FROM leadqual.explain_score(17, {AS_OF}) e ORDER BY e.kind, e.rule_id", "same"),
    ("score() of every lead, pushed down",
     f"SELECT l.lead_id, (leadqual.score(l.lead_id, {AS_OF})).* FROM leadqual.lead l ORDER BY l.lead_id", "same"),
    ("grade() of the stored scores",
     "SELECT l.lead_id, leadqual.grade(l.model, l.fit_score, l.engagement_score) FROM leadqual.lead l ORDER BY l.lead_id",
     "same"),
    ("engagement_score per lead",
     f"SELECT e.lead_id, leadqual.engagement_score('default', e.event_type, e.properties, e.occurred_at, {AS_OF})"
     " FROM leadqual.event e GROUP BY e.lead_id ORDER BY e.lead_id", "same"),
    ("fit_score(l) of a shard's rows",
     "SELECT l.lead_id, leadqual.fit_score(l) FROM leadqual.lead l ORDER BY l.lead_id", "same"),
    ("engagement_score over all leads",
     f"SELECT leadqual.engagement_score('default', e.event_type, e.properties, e.occurred_at, {AS_OF})"
     " FROM leadqual.event e ORDER BY 1", "same"),
    ("score_by_lead()",
     f"SELECT s.* FROM leadqual.score_by_lead('default', {AS_OF}) s ORDER BY s.lead_id", "same"),
    ("window_funnel per lead",
     "SELECT e.lead_id, leadqual.window_funnel('7 days', e.occurred_at,"
     " ARRAY[e.event_type = 'page_view', e.event_type = 'pricing_view', e.event_type = 'demo_request'])"
     " FROM leadqual.event e GROUP BY e.lead_id ORDER BY e.lead_id", "same"),
    ("logistic_regression",
     "SELECT (f).coefficients FROM (SELECT leadqual.logistic_regression(l.stage = 'won',"
     " ARRAY[coalesce(l.fit_score, 0), coalesce(l.engagement_score, 0)]) AS f FROM leadqual.lead l) s ORDER BY 1",
     "same"),
    # reports
    # days_in_stage counts to now(), read a moment apart on the two: it is
    # compared through stage_entered_at (its definition is tested on one node)
    ("lead_status", "SELECT s.lead_id, s.external_id, s.owner, s.stage, s.stage_entered_at, s.score, s.fit_score,"
     " s.engagement_score, s.grade, s.sla_due_at, s.sla_breached, s.recycle_count, s.win_probability"
     " FROM leadqual.lead_status s ORDER BY s.lead_id", "same"),
    ("funnel", "SELECT f.* FROM leadqual.funnel f ORDER BY f.stage", "same"),
    ("funnel_by_cohort", "SELECT f.* FROM leadqual.funnel_by_cohort f ORDER BY 1, 2, 3", "same"),
    ("funnel_by_period", "SELECT f.* FROM leadqual.funnel_by_period f ORDER BY 1, 2, 3", "same"),
    ("stage_velocity", "SELECT v.* FROM leadqual.stage_velocity v ORDER BY 1, 2", "same"),
    ("mql_acceptance", "SELECT a.* FROM leadqual.mql_acceptance a ORDER BY 1", "same"),
    ("rejection_reasons", "SELECT r.* FROM leadqual.rejection_reasons r ORDER BY 1, 2, 3", "same"),
    # hours_overdue counts to now(): compared through due_at (as days_in_stage above)
    ("sla_breaches", "SELECT b.lead_id, b.owner, b.stage, b.entered_at, b.due_at"
     " FROM leadqual.sla_breaches b ORDER BY b.lead_id", "same"),
    ("score_calibration", "SELECT c.* FROM leadqual.score_calibration c ORDER BY 1, 2", "same"),
    ("threshold_analysis",
     "SELECT t.* FROM leadqual.threshold_analysis('default', ARRAY[30, 50, 70]::float8[]) t ORDER BY 1", "same"),
    ("account_status", "SELECT a.* FROM leadqual.account_status a ORDER BY a.account", "same"),
    # attribution
    ("attribution markov", "SELECT a.* FROM leadqual.attribution('markov') a ORDER BY a.channel", "same"),
    ("attribution last_touch", "SELECT a.* FROM leadqual.attribution('last_touch') a ORDER BY a.channel", "same"),
    ("attribution markov order 3",
     "SELECT a.* FROM leadqual.attribution('markov', markov_order => 3) a ORDER BY a.channel", "same"),
    ("attribution time_decay to mql",
     "SELECT a.* FROM leadqual.attribution('time_decay', 'mql') a ORDER BY a.channel", "same"),
    ("lead_attribution",
     "SELECT a.* FROM leadqual.lead_attribution('position_based') a ORDER BY a.lead_id, a.channel", "same"),
    ("attribute_paths over all leads",
     "SELECT c.* FROM (SELECT leadqual.attribute_paths('markov', j.channels,"
     "                        CASE WHEN j.converted THEN 1 ELSE 0 END,"
     "                        CASE WHEN j.converted THEN j.value ELSE 0 END) AS r"
     " FROM (SELECT e.lead_id, pg_catalog.array_agg(e.channel ORDER BY e.occurred_at, e.event_id) AS channels,"
     "              l.stage = 'won' AS converted, 100::float8 AS value"
     "         FROM leadqual.event e JOIN leadqual.lead l USING (lead_id)"
     "        WHERE e.channel IS NOT NULL GROUP BY e.lead_id, l.stage) j) s, pg_catalog.unnest(s.r) c"
     " ORDER BY c.channel", "same"),
    ("channel_attribution", "SELECT c.* FROM leadqual.channel_attribution c ORDER BY c.channel", "same"),
    # the whole page, but for the time it was generated and the SLA table's
    # hours overdue (to now(), read a moment apart on the two)
    ("report_html",
     "SELECT pg_catalog.md5(pg_catalog.split_part(p, '<h2 id=\"sla\"', 1)"
     " || pg_catalog.regexp_replace(pg_catalog.split_part(pg_catalog.split_part(p, '<h2 id=\"sla\"', 2),"
     "                                                    '<h2 id=\"calibration\"', 1),"
     "                              '<td class=\"n\">[0-9,.]+</td>(\\s*</tr>)', '\\1', 'g')"
     " || pg_catalog.split_part(p, '<h2 id=\"calibration\"', 2))"
     " FROM (SELECT pg_catalog.regexp_replace(leadqual.report_html(), '<p>Generated [^.]*[.]', '') AS p) s", "same"),
]

# The lifecycle actions, the same on both (LQ_COMPARE_ACTIONS=1: run before
# the checks, their answers compared like the checks').  Called on leads
# picked by a subquery, as an analyst would, so each call runs on the
# coordinator; then called over lead directly, so that Citus pushes the
# calls down to the shards, where they read and write their lead's shards.
ACTIONS = [
    ("accept", "SELECT l.lead_id, leadqual.accept(l.lead_id, 'rep-x', '2026-11-01') FROM"
     " (SELECT lead_id FROM leadqual.lead WHERE stage = 'mql' ORDER BY lead_id LIMIT 5) l ORDER BY 1", "same"),
    ("reject", "SELECT l.lead_id, leadqual.reject(l.lead_id, 'no_budget', true, 'too small', '2026-11-02') FROM"
     " (SELECT lead_id FROM leadqual.lead WHERE stage = 'mql' ORDER BY lead_id LIMIT 5) l ORDER BY 1", "same"),
    ("qualify", "SELECT l.lead_id, leadqual.qualify(l.lead_id, '2026-11-03') FROM"
     " (SELECT lead_id FROM leadqual.lead WHERE stage = 'sal' ORDER BY lead_id LIMIT 3) l ORDER BY 1", "same"),
    ("open_opportunity", "SELECT l.lead_id, leadqual.open_opportunity(l.lead_id, 1000 + l.lead_id, '2026-11-04') FROM"
     " (SELECT lead_id FROM leadqual.lead WHERE stage = 'sql' ORDER BY lead_id LIMIT 2) l ORDER BY 1", "same"),
    ("close_opportunity", "SELECT leadqual.close_opportunity(o.opportunity_id, true, NULL, NULL, '2026-11-05') FROM"
     " (SELECT opportunity_id FROM leadqual.opportunity WHERE status = 'open' ORDER BY opportunity_id DESC LIMIT 1) o",
     "same"),
    ("transition", "SELECT l.lead_id, leadqual.transition(l.lead_id, 'disqualified', 'sales', 'no_budget', NULL,"
     " '2026-11-06') FROM (SELECT lead_id FROM leadqual.lead WHERE stage = 'inquiry' ORDER BY lead_id LIMIT 2) l"
     " ORDER BY 1", "same"),
    ("accept pushed down to the shards", "SELECT l.lead_id, leadqual.accept(l.lead_id, 'rep-y', '2026-11-07')"
     " FROM leadqual.lead l WHERE l.stage = 'mql' AND l.lead_id < 400 ORDER BY 1", "same"),
    # (the new deal's id is of the worker's range there: compared as opened)
    ("open_opportunity pushed down to the shards", "SELECT l.lead_id,"
     " leadqual.open_opportunity(l.lead_id, 500, '2026-11-08') IS NOT NULL FROM leadqual.lead l"
     " WHERE l.stage = 'sql' ORDER BY 1", "same"),
    # (each call finds its deal in the shard of opportunity it runs on)
    ("close_opportunity pushed down to the shards", "SELECT o.lead_id,"
     " leadqual.close_opportunity(o.opportunity_id, false, NULL, 'competitor', '2026-11-09')"
     " FROM leadqual.opportunity o WHERE o.status = 'open' ORDER BY 1", "same"),
]


# rescore() on both (LQ_COMPARE_RESCORE=1: run before the checks), then the
# leads that have a live-scoring state (rescore() gives every lead one)
RESCORE = [
    ("rescore() of one model", f"SELECT leadqual.rescore({AS_OF}, 'default')", "same"),
    ("rescore() a day later", f"SELECT leadqual.rescore({AS_OF} + interval '1 day')", "same"),
    ("leads with a live-scoring state", "SELECT s.lead_id FROM leadqual.lead_score_state s ORDER BY 1", "same"),
]


# predictive scoring on both (LQ_COMPARE_PREDICTIVE=1: run before the
# checks): train the default model as of AS_OF, then what it predicts (at
# AS_OF: lead_status' win_probability and score_calibration predict as of
# now(), read a moment apart on the two, so they are not compared here)
PREDICTIVE = [
    ("train_predictive('default')",
     f"SELECT t.metric, t.value FROM leadqual.train_predictive('default', {AS_OF}) t ORDER BY 1", "same"),
    ("the trained model", "SELECT p.name, p.outcome, p.horizon, p.features, p.l2, (p.fit).*, p.feature_names"
     " FROM leadqual.predictive_model p ORDER BY p.name", "same"),
    ("predict() of one lead", f"SELECT leadqual.predict(17, 'default', {AS_OF})", "same"),
    ("explain_prediction() of one lead",
     f"SELECT e.* FROM leadqual.explain_prediction(17, 'default', {AS_OF}) e ORDER BY e.feature", "same"),
    ("predictions()", f"SELECT p.* FROM leadqual.predictions('default', {AS_OF}) p ORDER BY p.lead_id", "same"),
    # lead_status predicts as of now(): a lead's snapshot is its first mql
    # entry, or now() for one not yet in mql (then it differs by the moment
    # each side reads); the leads whose snapshot was before AS_OF
    ("lead_status.win_probability of the leads with a past snapshot",
     "SELECT s.lead_id, s.win_probability FROM leadqual.lead_status s"
     f" WHERE s.lead_id IN (SELECT p.lead_id FROM leadqual.predictions('default', {AS_OF}) p"
     f"                      WHERE p.snapshot_at < {AS_OF}) ORDER BY 1", "same"),
]

# hand-off notifications (LQ_COMPARE_NOTIFY=1): a listener on each side
# (on the cluster, on the coordinator) and these moves, each committed, then
# relay_handoffs() (on one node it finds nothing to relay); every payload but
# its history_id (the cluster's own) must be the same.  The channel is the
# database's setting, as README says to set it: on Citus the workers make
# moves too (an action pushed down to the shards, live scoring), queue their
# hand-offs in handoff_queue, and the relay sends them from the coordinator.
NOTIFY = [
    ("notifications of actions called on the coordinator", [
        "SELECT leadqual.transition(l.lead_id, 'sal', 'sales', NULL, NULL, '2026-11-10') FROM"
        " (SELECT lead_id FROM leadqual.lead WHERE stage = 'inquiry' AND stage_entered_at < '2026-11-10'"
        "   ORDER BY lead_id LIMIT 3) l",
        "SELECT leadqual.reject(l.lead_id, 'no_budget', true, 'later', '2026-11-11') FROM"
        " (SELECT lead_id FROM leadqual.lead WHERE stage = 'mql' AND stage_entered_at < '2026-11-11'"
        "   ORDER BY lead_id LIMIT 2) l",
    ], (), "same"),
    ("notifications of an action pushed down to the shards", [
        "SELECT leadqual.accept(l.lead_id, 'rep-n', '2026-11-12') FROM leadqual.lead l"
        " WHERE l.stage = 'mql' AND l.stage_entered_at < '2026-11-12' AND l.lead_id >= 400 AND l.lead_id < 700",
    ], (), "same"),
    # a worker's move of a lead whose owner is 150,000 characters of quotes,
    # backslashes and 2-byte letters: queued as the payload keeps it (cut to
    # 1,000 bytes of JSON) and relayed with truncated true
    ("notifications of a pushed-down move of a lead with a huge owner", [
        "UPDATE leadqual.lead SET owner = pg_catalog.repeat(E'\"\\\\é', 50000)"
        " WHERE lead_id = (SELECT pg_catalog.min(lead_id) FROM leadqual.lead"
        "                   WHERE stage = 'inquiry' AND stage_entered_at < '2026-11-13')",
        "SELECT leadqual.transition(l.lead_id, 'mql', 'marketing', NULL, NULL, '2026-11-13')"
        "  FROM leadqual.lead l WHERE l.stage = 'inquiry' AND pg_catalog.length(l.owner) = 150000",
    ], (), "same"),
    # rescore()'s automatic moves, on the shards: hand-raises loaded with
    # live scoring off (as README's bulk load does it on Citus), then
    # rescore() as of a fixed time moves those leads
    ("notifications of rescore()'s moves", [
        ("SET LOCAL citus.propagate_set_commands = 'local'", "SET LOCAL leadqual.auto_scoring = off",
         "INSERT INTO leadqual.event (lead_id, event_type, occurred_at)"
         " SELECT l.lead_id, 'demo_request', '2026-11-27' FROM leadqual.lead l"
         "  WHERE l.stage = 'inquiry' AND l.lead_id >= 300 AND l.lead_id < 420"),
        "SELECT leadqual.rescore('2026-11-28')",
    ], (), "same"),
    # one INSERT whose live scoring moves leads into mql on both workers: a
    # transaction Citus commits with PREPARE TRANSACTION on each, which a
    # NOTIFY there would make fail.  The moves happen at clock_timestamp()
    # and score as of then: changed_at and score differ by the moment, and
    # are left out.
    ("notifications of live scoring on both workers (one INSERT, two-phase commit)", [
        "INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties)"
        " SELECT l.lead_id, t.event_type, '2026-11-25', t.properties"
        "   FROM (SELECT lead_id FROM leadqual.lead WHERE stage = 'inquiry' AND lead_id < 300"
        "          ORDER BY lead_id LIMIT 12) l,"
        "        (VALUES ('demo_request', '{}'::jsonb), ('contact_request', '{}'),"
        "                ('page_view', '{\"page\": \"pricing\"}')) t(event_type, properties)",
    ], ("changed_at", "score"), "same"),
]


def notifications(conn_factory, statements, drop):
    """The payloads (parsed, without history_id and drop) a listener gets for
    statements, each committed (a tuple of them in one transaction), and
    relay_handoffs() after; and what the relay sent."""
    import json
    import select
    listener, writer = conn_factory(), conn_factory()
    listener.autocommit = True
    with listener.cursor() as cur:
        cur.execute("LISTEN lq_compare")
    with writer.cursor() as cur:
        for sql in statements:
            # a tuple of statements is one transaction
            for one in (sql if isinstance(sql, tuple) else (sql,)):
                cur.execute(one)
            writer.commit()
        cur.execute("SELECT leadqual.relay_handoffs()")
        relayed = cur.fetchone()[0]
        writer.commit()
    got = []
    while select.select([listener], [], [], 1.0)[0]:
        listener.poll()
        while listener.notifies:
            n = listener.notifies.pop(0)
            d = json.loads(n.payload)
            for k in ("history_id",) + tuple(drop):
                d.pop(k, None)
            # floats stay floats (compared to 1e-9), the rest as text
            got.append(tuple(sorted((k, v if isinstance(v, float) else str(v)) for k, v in d.items())))
    listener.close()
    writer.close()
    return sorted(got, key=lambda r: [(k, v) for k, v in r if not isinstance(v, float)]), relayed


def notify_channel(dsn, value):
    """The database's leadqual.notify_channel (on Citus the coordinator passes it to the workers)."""
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT pg_catalog.current_database()")
        db = cur.fetchone()[0]
        if value is None:
            cur.execute(f'ALTER DATABASE "{db}" RESET leadqual.notify_channel')
        else:
            cur.execute(f'ALTER DATABASE "{db}" SET leadqual.notify_channel = %s', (value,))
    conn.close()


def notify_compare(plain_dsn, cluster_dsn):
    counts = {"same": 0, "known gap": 0, "failures": 0}
    for dsn in (plain_dsn, cluster_dsn):
        notify_channel(dsn, "lq_compare")
    try:
        for name, statements, drop, expect in NOTIFY:
            (a, relayed_a) = notifications(lambda: psycopg2.connect(plain_dsn), statements, drop)
            (b, relayed_b) = notifications(lambda: psycopg2.connect(cluster_dsn), statements, drop)
            if not a:
                print(f"FAIL  {name}: no notification on one node: the check proves nothing")
                counts["failures"] += 1
                continue
            if relayed_a != 0:
                print(f"FAIL  {name}: relay_handoffs() sent {relayed_a} on one node, where nothing is queued")
                counts["failures"] += 1
                continue
            verdict(name, expect, first_difference(a, b),
                    f"{len(a)} notifications, {relayed_b} of them relayed from the workers", counts)
    finally:
        for dsn in (plain_dsn, cluster_dsn):
            notify_channel(dsn, None)
    print(f"citus compare: notifications: {counts['same']} the same on one node and on the cluster, "
          f"{counts['known gap']} known gaps, {counts['failures']} failures")
    sys.exit(1 if counts["failures"] else 0)


# generate_demo() on the cluster (LQ_COMPARE_DEMO): its rows, by external_id
DEMO = [
    ("demo leads", "SELECT l.external_id, l.created_at, l.email, l.company, l.job_title, l.industry, l.country,"
     " l.company_size, l.attributes, l.source_channel, l.source_campaign, l.owner, l.account, l.model, l.stage,"
     " l.stage_entered_at, l.fit_score, l.engagement_score, l.score, l.grade, l.scored_at, l.sla_due_at,"
     " l.recycle_count FROM leadqual.lead l ORDER BY l.external_id", "same"),
    ("demo events", "SELECT l.external_id, e.event_type, e.occurred_at, e.channel, e.campaign, e.properties"
     " FROM leadqual.event e JOIN leadqual.lead l USING (lead_id) ORDER BY l.external_id, e.event_id", "same"),
    ("demo moves", "SELECT l.external_id, h.from_stage, h.to_stage, h.changed_at, h.actor, h.reason, h.note, h.score"
     " FROM leadqual.stage_history h JOIN leadqual.lead l USING (lead_id) ORDER BY l.external_id, h.history_id",
     "same"),
    ("demo opportunities", "SELECT l.external_id, o.created_at, o.closed_at, o.status, o.amount"
     " FROM leadqual.opportunity o JOIN leadqual.lead l USING (lead_id) ORDER BY l.external_id, o.opportunity_id",
     "same"),
    ("demo leads with a live-scoring state", "SELECT l.external_id FROM leadqual.lead_score_state s"
     " JOIN leadqual.lead l USING (lead_id) ORDER BY 1", "same"),
    ("demo funnel", "SELECT f.* FROM leadqual.funnel f ORDER BY f.stage", "same"),
    ("demo mql_acceptance", "SELECT a.* FROM leadqual.mql_acceptance a ORDER BY 1", "same"),
    ("demo rejection_reasons", "SELECT r.* FROM leadqual.rejection_reasons r ORDER BY 1, 2, 3", "same"),
]

# ... and what only the cluster has: the claims, and ids of the workers' ranges
DEMO_CLUSTER = [
    ("every demo lead holds its external_id in lead_key",
     "SELECT pg_catalog.count(*) FROM leadqual.lead l LEFT JOIN leadqual.lead_key k"
     " ON k.external_id = l.external_id AND k.lead_id = l.lead_id WHERE k.lead_id IS NULL", [(0,)]),
    ("the demo's events, moves and deals have ids of the range of the worker that wrote them",
     "SELECT (SELECT pg_catalog.count(*) FROM leadqual.event WHERE event_id < 2::bigint ^ 48)"
     "     + (SELECT pg_catalog.count(*) FROM leadqual.stage_history WHERE history_id < 2::bigint ^ 48)"
     "     + (SELECT pg_catalog.count(*) FROM leadqual.opportunity WHERE opportunity_id < 2::bigint ^ 48)", [(0,)]),
]


def demo_on_cluster(plain, cluster, args):
    """generate_demo(args) on the cluster, rolled back after; its rows compared."""
    counts = {"same": 0, "known gap": 0, "failures": 0}
    failures = 0
    with cluster.cursor() as cur:
        # the copied demo out first (a parallel multi-shard DELETE would keep
        # generate_demo's claims from writing lead_key: one connection per node)
        cur.execute("SET LOCAL citus.multi_shard_modify_mode = 'sequential'")
        cur.execute("DELETE FROM leadqual.lead WHERE external_id LIKE 'demo-%'")
        cur.execute("SELECT leadqual.generate_demo(%s, %s, %s)", args)
        created = cur.fetchone()[0]
        if created != int(args[0]):
            print(f"FAIL  generate_demo on the cluster created {created} leads, not {args[0]}")
            failures += 1
        for name, sql, expect in DEMO:
            a, err_a = answer(plain, sql)
            if err_a or not a:
                print(f"FAIL  {name}: one node: {err_a or 'no rows: the check proves nothing'}")
                failures += 1
                continue
            cur.execute(sql)
            verdict(name, expect, first_difference(a, cur.fetchall()), f"{len(a)} rows", counts)
        for name, sql, want in DEMO_CLUSTER:
            cur.execute(sql)
            got = cur.fetchall()
            if got == want:
                print(f"ok    {name}")
            else:
                print(f"FAIL  {name}: {got!r}")
                failures += 1
    cluster.rollback()
    failures += counts["failures"]
    print(f"citus compare: generate_demo on the cluster: {counts['same']} checks the same as on one node, "
          f"{failures} failures")
    sys.exit(1 if failures else 0)


def verdict(name, expect, diff, what, counts):
    """Print a check's outcome and count it: "same", "known gap" or "failures"."""
    if expect == "same" and not diff:
        print(f"same  {name} ({what})")
        counts["same"] += 1
    elif expect == "same":
        print(f"FAIL  {name}: {diff}")
        counts["failures"] += 1
    elif diff:
        print(f"gap   {name}: {diff[:160]}")
        counts["known gap"] += 1
    else:
        print(f"FAIL  {name}: listed as a known gap but the cluster now answers the same: list it as same")
        counts["failures"] += 1


def close(a, b):
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    if isinstance(a, decimal.Decimal) and isinstance(b, decimal.Decimal):
        return a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    return a == b


def answer(conn, sql, keep=True):
    """The rows of sql and no error, or None and the error; keep=False rolls its writes back."""
    with conn.cursor() as cur:
        try:
            cur.execute(sql)
            rows = cur.fetchall()
            if keep:
                conn.commit()
            else:
                conn.rollback()
            return rows, None
        except psycopg2.Error as e:
            conn.rollback()
            return None, (e.pgcode or "?") + " " + (e.pgerror or str(e)).strip().splitlines()[0]


def first_difference(a, b):
    if len(a) != len(b):
        return f"{len(a)} rows on one node, {len(b)} on the cluster"
    for i, (x, y) in enumerate(zip(a, b)):
        if not close(tuple(x), tuple(y)):
            return f"row {i}: {x!r} vs {y!r}"[:400]
    return None


def main():
    plain = psycopg2.connect(sys.argv[1])
    cluster = psycopg2.connect(sys.argv[2])
    if os.environ.get("LQ_COMPARE_NOTIFY"):
        notify_compare(sys.argv[1], sys.argv[2])
    if os.environ.get("LQ_COMPARE_DEMO"):
        demo_on_cluster(plain, cluster, os.environ["LQ_COMPARE_DEMO"].split(" ", 2))
    failures = 0
    counts = {"same": 0, "known gap": 0, "failures": 0}
    only = os.environ.get("LQ_COMPARE_ONLY")
    checks = [c for c in CHECKS if only is None or c[0] in only.split("|")]
    if os.environ.get("LQ_COMPARE_ACTIONS"):
        checks = [(f"action {n}", q, e) for n, q, e in ACTIONS] + checks
    if os.environ.get("LQ_COMPARE_RESCORE"):
        checks = RESCORE + checks
    if os.environ.get("LQ_COMPARE_PREDICTIVE"):
        checks = PREDICTIVE + checks
    if not checks:
        sys.exit("compare.py: no check named " + os.environ["LQ_COMPARE_ONLY"])
    before = os.environ.get("LQ_COMPARE_BEFORE")
    if before:
        for name, sql, expect in checks:
            answer(cluster, sql)
        with cluster.cursor() as cur:
            cur.execute(before)
        cluster.commit()
    for name, sql, expect in checks:
        # a known gap that writes leaves both databases as they were
        keep = not (name.startswith("action ") and expect == "fails")
        a, err_a = answer(plain, sql, keep)
        if err_a:
            print(f"FAIL  {name}: one node refuses it: {err_a}")
            failures += 1
            continue
        if not a:
            print(f"FAIL  {name}: no rows on one node: the check proves nothing")
            failures += 1
            continue
        b, err_b = answer(cluster, sql, keep)
        verdict(name, expect, err_b or first_difference(a, b), f"{len(a)} rows", counts)
    failures += counts["failures"]
    print(f"citus compare: {counts['same']} checks the same on one node and on the cluster, "
          f"{counts['known gap']} known gaps, {failures} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
