#!/usr/bin/env bash
# leadqual on a 3-node Citus cluster vs one node (not part of the default
# test run): test/citus/cluster.sh's coordinator and two workers, the same
# generate_demo(BENCH_LEADS) in the cluster (distribute(BENCH_SHARDS)) and in
# a plain database, then test/bench/citus.py.  All nodes share this machine:
# the ratios are Citus's overhead, not a speed-up.
#   BENCH_LEADS=200000 BENCH_SHARDS=32 BENCH_RUNS=3 bash test/bench/citus.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
BENCH_LEADS=${BENCH_LEADS:-200000}
BENCH_SHARDS=${BENCH_SHARDS:-32}
export BENCH_RUNS=${BENCH_RUNS:-3}
if [ ! -f "$($PG_CONFIG --pkglibdir)/citus.so" ]; then
    bash ../shared/citus/build.sh
fi
lq_install_packages python3-psycopg2
lq_build_install
. test/citus/cluster.sh
dir=$(mktemp -d)
lq_citus_start "$dir"
psql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql "$LQ_PLAIN" -c "CREATE EXTENSION leadqual"
psql "$LQ_COORD" -c "CREATE EXTENSION leadqual" -c "SET client_min_messages = warning" \
    -c "SELECT leadqual.distribute($BENCH_SHARDS)" >/dev/null
# generate_demo() itself on both, rolled back (on the cluster once per shard
# group, on the node that holds it)
for db in "$LQ_PLAIN" "$LQ_COORD"; do
    t0=$(date +%s.%N)
    psql "$db" -c "BEGIN" -c "SELECT leadqual.generate_demo($BENCH_LEADS, 1, '2025-06-01 00:00+00')" -c "ROLLBACK" >/dev/null
    t1=$(date +%s.%N)
    if [ "$db" = "$LQ_PLAIN" ]; then gd_plain=$(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }"); else gd_cluster=$(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }"); fi
done
echo "== generate_demo($BENCH_LEADS): one node $gd_plain s, cluster $gd_cluster s (rolled back)"
lq_citus_copy_demo "$BENCH_LEADS" 1 "$dir"
psql "$LQ_PLAIN" -c "VACUUM ANALYZE"
psql "$LQ_COORD" -c "VACUUM ANALYZE"
echo "== $BENCH_LEADS demo leads, $BENCH_SHARDS shards on 2 workers, median of $BENCH_RUNS runs"
/usr/bin/python3 test/bench/citus.py "$LQ_PLAIN" "$LQ_COORD"
lq_citus_stop
rm -rf "$dir"
