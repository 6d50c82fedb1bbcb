"""test/bench/citus.py — leadqual on a 3-node Citus cluster against one node
holding the same data (test/bench/citus.sh sets both up).  All nodes share one
machine, so this measures Citus's overhead, not a speed-up.

For each query: the median of BENCH_RUNS runs after a warm-up, on the plain
database and on the cluster's coordinator, and their ratio.  Then the bytes
the workers send the coordinator for the attribution merge (the text of each
shard's result, summed over the shards), at two sizes: attribute_paths
over every journey (shard partials: grows with the distinct Markov states; the
same path_counts state of Markov counts that attribution()'s attribute_journeys
sends per shard since it aggregates over the journeys' query directly) and the
journeys as rows, which is what attribution() merged on the coordinator before
(grows with the journeys).

    python3 test/bench/citus.py PLAIN_DSN CLUSTER_DSN
"""
import os
import statistics
import sys
import time

import psycopg2

RUNS = int(os.environ.get("BENCH_RUNS", "3"))

QUERIES = [
    # the sum, not count(*): the planner drops an unread STABLE call
    ("score() of 20,000 leads", "SELECT pg_catalog.sum((leadqual.score(l.lead_id, '2026-07-01')).score)"
     " FROM leadqual.lead l WHERE l.lead_id <= 20000"),
    ("score_by_lead()", "SELECT pg_catalog.sum(s.score) FROM leadqual.score_by_lead('default', '2026-07-01') s"),
    # writes: each run in a transaction of its own, rolled back
    ("rescore()", "SELECT leadqual.rescore('2026-07-01')"),
    ("lead_status", "SELECT v.* FROM leadqual.lead_status v"),
    ("funnel", "SELECT v.* FROM leadqual.funnel v"),
    ("funnel_by_cohort", "SELECT v.* FROM leadqual.funnel_by_cohort v"),
    ("funnel_by_period", "SELECT v.* FROM leadqual.funnel_by_period v"),
    ("stage_velocity", "SELECT v.* FROM leadqual.stage_velocity v"),
    ("mql_acceptance", "SELECT v.* FROM leadqual.mql_acceptance v"),
    ("rejection_reasons", "SELECT v.* FROM leadqual.rejection_reasons v"),
    ("sla_breaches", "SELECT v.* FROM leadqual.sla_breaches v"),
    ("score_calibration", "SELECT v.* FROM leadqual.score_calibration v"),
    ("account_status", "SELECT v.* FROM leadqual.account_status v"),
    ("threshold_analysis, 20 thresholds", "SELECT count(*) FROM leadqual.threshold_analysis('default', NULL)"),
    ("attribution('markov')", "SELECT count(*) FROM leadqual.attribution('markov')"),
    ("attribution('linear')", "SELECT count(*) FROM leadqual.attribution('linear')"),
]

# every journey's touches, grouped by lead: the attribution merge as a shard's
# partial state, as Citus sends it (worker_partial_agg: the state's text form)
PARTIAL = ("SELECT pg_catalog.worker_partial_agg('leadqual.attribute_paths(text,text[],double precision,double precision)'"
           "::pg_catalog.regprocedure, ROW('markov'::text, j.channels, CASE WHEN j.won THEN 1 ELSE 0 END::float8, 0::float8))"
           "  FROM (SELECT e.lead_id, pg_catalog.array_agg(e.channel ORDER BY e.occurred_at, e.event_id) AS channels,"
           "               pg_catalog.bool_or(e.event_type = 'demo_request') AS won"
           "          FROM %%s e WHERE e.channel IS NOT NULL AND e.lead_id <= %d GROUP BY e.lead_id) j")
# the same journeys as rows, as attribution() receives them (its journeys are
# merged on the coordinator)
ROWS = ("SELECT e.lead_id, pg_catalog.array_agg(e.channel ORDER BY e.occurred_at, e.event_id)"
        "  FROM %%s e WHERE e.channel IS NOT NULL AND e.lead_id <= %d GROUP BY e.lead_id")
JOURNEYS = "SELECT count(DISTINCT e.lead_id) FROM leadqual.event e WHERE e.channel IS NOT NULL AND e.lead_id <= %d"


def median_time(conn, sql):
    """The median of RUNS runs after a warm-up, each rolled back (rescore()
    then writes the same rows every time)."""
    times = []
    with conn.cursor() as cur:
        for run in range(RUNS + 1):
            t = time.perf_counter()
            cur.execute(sql)
            cur.fetchall()
            if run:
                times.append(time.perf_counter() - t)
            conn.rollback()
    return statistics.median(times)


def shard_bytes(conn, sql):
    """What the shards send the coordinator for sql's result: the text of
    its rows, summed over every shard of event (Citus's run_command_on_shards
    puts each shard's name for %s)."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_catalog.sum(s.result::bigint), pg_catalog.bool_and(s.success)"
                    "  FROM pg_catalog.run_command_on_shards('leadqual.event', %s) s",
                    ("SELECT coalesce(pg_catalog.sum(pg_catalog.length(q::text)), 0) FROM (" + sql + ") q",))
        total, ok = cur.fetchone()
    conn.rollback()
    if not ok:
        sys.exit("citus.py: a shard failed: " + sql)
    return int(total)


def main():
    plain = psycopg2.connect(sys.argv[1])
    cluster = psycopg2.connect(sys.argv[2])
    print(f"{'query':40} {'one node s':>11} {'cluster s':>10} {'ratio':>6}")
    for name, sql in QUERIES:
        a = median_time(plain, sql)
        b = median_time(cluster, sql)
        print(f"{name:40} {a:11.3f} {b:10.3f} {b / a:6.2f}")
    with cluster.cursor() as cur:
        cur.execute("SELECT max(lead_id) FROM leadqual.lead")
        n = cur.fetchone()[0]
    cluster.rollback()
    print()
    print(f"{'bytes the coordinator receives':40} {'journeys':>10} {'partials':>16} {'journey rows':>14}")
    for limit in (n // 4, n):
        with cluster.cursor() as cur:
            cur.execute(JOURNEYS % limit)
            journeys = cur.fetchone()[0]
        cluster.rollback()
        paths = shard_bytes(cluster, PARTIAL % limit)
        attr = shard_bytes(cluster, ROWS % limit)
        print(f"{'leads up to ' + str(limit):40} {journeys:10d} {paths:16d} {attr:14d}")


if __name__ == "__main__":
    main()
