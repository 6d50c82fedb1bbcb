"""test/bench/citus.py — leadqual on a 3-node Citus cluster against one node
holding the same data (test/bench/citus.sh sets both up).  All nodes share one
machine, so this measures Citus's overhead, not a speed-up.

For each query: the median of BENCH_RUNS runs after a warm-up, on the plain
database and on the cluster's coordinator, and their ratio.  Then the bytes
the coordinator receives from the workers (EXPLAIN ANALYZE's "Tuple data
received from nodes") for the attribution merge, at two sizes: attribute_paths
over every journey (shard partials: grows with the distinct Markov states) and
the journeys as rows, which is what attribution() merges on the coordinator
today (grows with the journeys).

    python3 test/bench/citus.py PLAIN_DSN CLUSTER_DSN
"""
import os
import re
import statistics
import sys
import time

import psycopg2

RUNS = int(os.environ.get("BENCH_RUNS", "3"))

QUERIES = [
    ("score() of every lead", "SELECT count(*) FROM (SELECT leadqual.score(l.lead_id, '2026-07-01') FROM leadqual.lead l) s"),
    ("lead_status", "SELECT count(*) FROM leadqual.lead_status"),
    ("funnel", "SELECT count(*) FROM leadqual.funnel"),
    ("funnel_by_cohort", "SELECT count(*) FROM leadqual.funnel_by_cohort"),
    ("funnel_by_period", "SELECT count(*) FROM leadqual.funnel_by_period"),
    ("stage_velocity", "SELECT count(*) FROM leadqual.stage_velocity"),
    ("mql_acceptance", "SELECT count(*) FROM leadqual.mql_acceptance"),
    ("rejection_reasons", "SELECT count(*) FROM leadqual.rejection_reasons"),
    ("sla_breaches", "SELECT count(*) FROM leadqual.sla_breaches"),
    ("score_calibration", "SELECT count(*) FROM leadqual.score_calibration"),
    ("account_status", "SELECT count(*) FROM leadqual.account_status"),
    ("threshold_analysis, 20 thresholds", "SELECT count(*) FROM leadqual.threshold_analysis('default', NULL)"),
    ("attribution('markov')", "SELECT count(*) FROM leadqual.attribution('markov')"),
    ("attribution('linear')", "SELECT count(*) FROM leadqual.attribution('linear')"),
]

# every journey's touches, grouped by lead: the attribution merge as shard partials
PATHS = ("SELECT leadqual.attribute_paths('markov', j.channels, CASE WHEN j.won THEN 1 ELSE 0 END, 0)"
         "  FROM (SELECT e.lead_id, pg_catalog.array_agg(e.channel ORDER BY e.occurred_at, e.event_id) AS channels,"
         "               pg_catalog.bool_or(e.event_type = 'demo_request') AS won"
         "          FROM leadqual.event e WHERE e.channel IS NOT NULL AND e.lead_id <= %d GROUP BY e.lead_id) j")
# the same journeys as rows, as attribution() receives them (its journeys are
# merged on the coordinator)
ROWS = ("SELECT e.lead_id, pg_catalog.array_agg(e.channel ORDER BY e.occurred_at, e.event_id)"
        "  FROM leadqual.event e WHERE e.channel IS NOT NULL AND e.lead_id <= %d GROUP BY e.lead_id")
JOURNEYS = "SELECT count(DISTINCT e.lead_id) FROM leadqual.event e WHERE e.channel IS NOT NULL AND e.lead_id <= %d"


def median_time(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        cur.fetchall()
        times = []
        for _ in range(RUNS):
            t = time.perf_counter()
            cur.execute(sql)
            cur.fetchall()
            times.append(time.perf_counter() - t)
    conn.rollback()
    return statistics.median(times)


def received_bytes(conn, sql):
    with conn.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF) " + sql)
        plan = "\n".join(r[0] for r in cur.fetchall())
    conn.rollback()
    m = re.findall(r"Tuple data received from nodes: (\d+) bytes", plan)
    return sum(int(x) for x in m) if m else None


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
        paths = received_bytes(cluster, PATHS % limit)
        attr = received_bytes(cluster, ROWS % limit)
        print(f"{'leads up to ' + str(limit):40} {journeys:10d} {paths:16d} {attr:14d}")


if __name__ == "__main__":
    main()
