"""test/citus/live.py — live scoring on Citus.

1. The same writes on a plain node and on the cluster, each in its own
   transaction, with live scoring on: events inserted in one statement over
   every shard, hand-raises that move leads into mql, two statements for
   one lead in one transaction, events corrected (UPDATE) and erased
   (DELETE), a lead's fit columns changed, new leads and their first
   events.  After each write, on both: every stored score equals a fresh
   score() at the time it was stored (1e-9 relative).  At the end, the two
   agree on every lead's stage, grade and fit, on engagement to the decay
   between the two runs (1e-4 relative), and on the moves (stage_history
   without times and ids).
2. Two sessions writing events of the same ten leads at once on the
   cluster, 150 transactions each; none may fail, and afterwards (and after
   one more event per lead) every stored score equals a fresh one.

    python3 test/citus/live.py PLAIN_DSN CLUSTER_DSN

The event times are fixed in this script, the same on both, so later checks
that compare the two at a fixed as_of still agree.
"""
import datetime
import os
import random
import sys
import threading

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import answer, close  # noqa: E402

T0 = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
T = f"'{T0.isoformat()}'::timestamptz"

WRITES = [
    ("events for 300 leads in one statement (every shard)",
     "INSERT INTO leadqual.event (lead_id, event_type, occurred_at, channel, properties)"
     " SELECT g, (ARRAY['page_view', 'email_open', 'content_download', 'webinar_attended'])[1 + g % 4],"
     f"        {T} - (g % 50) * interval '1 hour', 'organic',"
     "        CASE WHEN g % 3 = 0 THEN '{\"page\": \"pricing\"}'::jsonb ELSE '{}'::jsonb END"
     "   FROM generate_series(1, 1500, 5) g"),
    ("hand-raises for 40 leads (automatic moves into mql)",
     "INSERT INTO leadqual.event (lead_id, event_type, occurred_at, channel)"
     f" SELECT g, 'demo_request', {T} - interval '10 minutes', 'paid_search'"
     "   FROM generate_series(3, 1500, 37) g"),
    ("two statements for one lead in one transaction",
     "INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES"
     f" (7, 'webinar_attended', {T} - interval '2 hours');"
     "INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties) VALUES"
     f" (7, 'page_view', {T} - interval '1 hour', '{{\"page\": \"pricing\"}}')"),
    ("repeat visits: 6 page views in a week for 20 leads",
     "INSERT INTO leadqual.event (lead_id, event_type, occurred_at)"
     f" SELECT l, 'page_view', {T} - d * interval '1 day'"
     "   FROM generate_series(11, 1500, 75) l, generate_series(0, 5) d"),
    ("events corrected (UPDATE)",
     "UPDATE leadqual.event SET properties = '{\"page\": \"pricing\"}'"
     " WHERE event_type = 'page_view' AND lead_id % 11 = 0 AND lead_id <= 600"),
    ("events erased (DELETE)",
     "DELETE FROM leadqual.event WHERE lead_id % 13 = 0 AND event_type = 'email_open'"),
    ("fit columns changed",
     "UPDATE leadqual.lead SET job_title = 'VP Marketing', company_size = 800 WHERE lead_id % 17 = 0"),
    ("new leads",
     "INSERT INTO leadqual.lead (lead_id, email, company, job_title, industry, country, company_size, created_at)"
     f" SELECT 100000 + g, 'new' || g || '@acme.example', 'Acme ' || g, 'CTO', 'software', 'DE', 250,"
     f"        {T} - interval '3 days'"
     "   FROM generate_series(1, 12) g"),
    ("first events of the new leads",
     "INSERT INTO leadqual.event (lead_id, event_type, occurred_at)"
     f" SELECT 100000 + g, 'contact_request', {T} - interval '1 day' FROM generate_series(1, 12, 2) g"),
    ("an event dated after the time it is scored at",
     "INSERT INTO leadqual.event (lead_id, event_type, occurred_at)"
     f" VALUES (21, 'content_download', {T} + interval '30 days')"),
]

STORED_VS_FRESH = (
    "SELECT l.lead_id, l.fit_score, l.engagement_score, l.score, l.grade, s.fit_score, s.engagement_score,"
    "       s.score, s.grade"
    "  FROM leadqual.lead l, LATERAL leadqual.score(l.lead_id, l.scored_at) s"
    " WHERE l.scored_at >= %s {where}"
    " ORDER BY l.lead_id")

LEADS = ("SELECT l.lead_id, l.stage::text, l.grade, l.fit_score, l.engagement_score"
         "  FROM leadqual.lead l ORDER BY l.lead_id")
MOVES = ("SELECT h.lead_id, h.from_stage::text, h.to_stage::text, h.actor, h.reason"
         "  FROM leadqual.stage_history h ORDER BY 1, 2, 3, 4, 5")


def stale(conn, since, where=""):
    """Leads scored since since whose stored score is not what score() gives at its scored_at."""
    rows, err = answer(conn, STORED_VS_FRESH.format(where=where).replace("%s", f"'{since}'::timestamptz"))
    if err:
        return None, err
    bad = [r for r in rows if not close(tuple(r[1:5]), tuple(r[5:9]))]
    return bad, len(rows)


def main():
    plain = psycopg2.connect(sys.argv[1])
    cluster = psycopg2.connect(sys.argv[2])
    failures = 0
    since = {}
    for conn in (plain, cluster):
        since[conn] = answer(conn, "SELECT pg_catalog.clock_timestamp()")[0][0][0].isoformat()

    print(f"== live scoring: the same writes on both (events at {T0.isoformat()})")
    for name, sql in WRITES:
        for label, conn in (("one node", plain), ("cluster", cluster)):
            with conn.cursor() as cur:
                try:
                    cur.execute(sql)
                    conn.commit()
                except psycopg2.Error as e:
                    conn.rollback()
                    print(f"FAIL  {name} on the {label}: {e.pgcode} {(e.pgerror or '').strip()[:300]}")
                    failures += 1
                    continue
            bad, n = stale(conn, since[conn])
            if bad is None:
                print(f"FAIL  {name}: stored vs fresh on the {label}: {n}")
                failures += 1
            elif bad:
                print(f"FAIL  {name}: {len(bad)} of {n} stored scores differ from fresh on the {label},"
                      f" first {bad[0]!r}"[:400])
                failures += 1
        print(f"ok    {name}: stored scores equal fresh ones on both")

    a, err_a = answer(plain, LEADS)
    b, err_b = answer(cluster, LEADS)
    diff = err_a or err_b
    if not diff:
        if len(a) != len(b):
            diff = f"{len(a)} leads on one node, {len(b)} on the cluster"
        else:
            for x, y in zip(a, b):
                engagement_close = (x[4] is None and y[4] is None) or (
                    x[4] is not None and y[4] is not None and abs(x[4] - y[4]) <= 1e-4 * max(1.0, abs(x[4])))
                if x[:3] != y[:3] or not close(x[3], y[3]) or not engagement_close:
                    diff = f"{x!r} vs {y!r}"
                    break
    if diff:
        print(f"FAIL  leads after the writes: {diff}"[:400])
        failures += 1
    else:
        print(f"same  stage, grade, fit and engagement of every lead after the writes ({len(a)} leads)")
    a, err_a = answer(plain, MOVES)
    b, err_b = answer(cluster, MOVES)
    if err_a or err_b or a != b:
        print(f"FAIL  moves after the writes: {err_a or err_b or (len(a), len(b))}")
        failures += 1
    else:
        print(f"same  stage_history after the writes ({len(a)} moves)")

    print("== live scoring: two sessions writing the same ten leads at once on the cluster")
    leads = [31 + 97 * i for i in range(10)]
    errors = []
    count_events = "SELECT count(*) FROM leadqual.event WHERE lead_id IN (" + ", ".join(map(str, leads)) + ")"
    before = answer(cluster, count_events)[0][0][0]

    def session(seed):
        rnd = random.Random(seed)
        conn = psycopg2.connect(sys.argv[2])
        try:
            for _ in range(150):
                picked = sorted(rnd.sample(leads, rnd.choice((1, 1, 2))))
                with conn.cursor() as cur:
                    for lead in picked:
                        n = rnd.randint(1, 3)
                        cur.execute(
                            "INSERT INTO leadqual.event (lead_id, event_type, occurred_at)"
                            f" SELECT %s, (ARRAY['page_view', 'email_click', 'webinar_attended'])[1 + g %% 3],"
                            f"        {T} - (%s + g) * interval '1 minute' FROM generate_series(1, %s) g",
                            (lead, rnd.randint(0, 5000), n))
                conn.commit()
        except psycopg2.Error as e:
            errors.append(f"{e.pgcode} {(e.pgerror or '').strip()[:200]}")
        finally:
            conn.close()

    threads = [threading.Thread(target=session, args=(s,)) for s in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"FAIL  concurrent sessions: {errors}")
        failures += 1
    where = "AND l.lead_id IN (" + ", ".join(map(str, leads)) + ")"
    for when in ("after the two sessions", "after one more event per lead"):
        if when.startswith("after one"):
            with cluster.cursor() as cur:
                cur.execute("INSERT INTO leadqual.event (lead_id, event_type, occurred_at)"
                            f" SELECT l, 'email_open', {T} FROM unnest(%s) l", (leads,))
            cluster.commit()
        bad, n = stale(cluster, since[cluster], where)
        if bad is None or bad or n != len(leads):
            print(f"FAIL  {when}: stored vs fresh: {bad if bad is None else bad[:2]} of {n}"[:400])
            failures += 1
        else:
            print(f"ok    {when}: the {n} leads' stored scores equal fresh ones")
    after = answer(cluster, count_events)[0][0][0]
    if after - before < 300:
        print(f"FAIL  the two sessions wrote {after - before} events, fewer than 300")
        failures += 1
    else:
        print(f"ok    the two sessions wrote {after - before} events in 300 transactions")

    print(f"citus live scoring: {failures} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
