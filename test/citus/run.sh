#!/usr/bin/env bash
# leadqual on a real Citus cluster (SPEC §7): a coordinator and two workers
# on localhost (test/citus/cluster.sh), leadqual.distribute(), its refusals,
# the same demo data in the cluster and in a plain database, and every
# check of test/citus/compare.py run against both (before and after a rule
# edit, so that the workers' rule caches must follow it).
#
# Builds Citus from ../shared/citus when it is not installed; skips itself,
# saying so, when neither is there (a user's machine without the sources).
#   bash test/citus/run.sh            (leadqual installed first)
#   LQ_CITUS_KEEP=FILE bash test/citus/run.sh   leaves the cluster running
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh

if [ ! -f "$($PG_CONFIG --pkglibdir)/citus.so" ]; then
    if [ -f ../shared/citus/build.sh ]; then
        bash ../shared/citus/build.sh
    else
        echo "citus: skipped: Citus is not installed and ../shared/citus/build.sh is not there"
        exit 0
    fi
fi
lq_install_packages python3-psycopg2
. test/citus/cluster.sh

dir=$(mktemp -d)
lq_citus_start "$dir"
psql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
worker="host=localhost port=${LQ_CITUS_PORTS[1]} user=postgres dbname=lq"
status=0

# expect_error DSN SQLSTATE SQL: the statement fails with that SQLSTATE
expect_error() {
    local out
    if out=$("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose "$1" -c "\\set VERBOSITY verbose" -c "$3" 2>&1); then
        echo "FAIL  $3: succeeded, expected SQLSTATE $2"; status=1
    elif grep -q "ERROR:  $2:" <<<"$out"; then
        echo "ok    $3 refused with $2"
    else
        echo "FAIL  $3: expected SQLSTATE $2, got: $out"; status=1
    fi
}

psql "$LQ_COORD" -c "CREATE EXTENSION leadqual"
psql "$LQ_PLAIN" -c "CREATE EXTENSION leadqual"
expect_error "$LQ_PLAIN" 0A000 "SELECT leadqual.distribute()"
expect_error "$worker" 55000 "SELECT leadqual.distribute()"
expect_error "$LQ_COORD" 22023 "SELECT leadqual.distribute(0)"
psql "$LQ_COORD" -c "SET client_min_messages = warning" -c "SELECT leadqual.distribute(8)" >/dev/null
expect_error "$LQ_COORD" 55000 "SELECT leadqual.distribute()"
psql "$LQ_COORD" -At <<'SQL'
SELECT 'citus: distributed: ' || pg_catalog.string_agg(pg_catalog.format('%s (%s)', p.logicalrelid,
         CASE p.partmethod WHEN 'h' THEN 'by lead_id, colocation ' || p.colocationid ELSE 'reference' END),
         ', ' ORDER BY p.logicalrelid::text)
  FROM pg_catalog.pg_dist_partition p;
SQL
# every lead-owned table in one colocation group, every configuration table a reference table
psql "$LQ_COORD" -At <<'SQL' | grep -qx t || { echo "FAIL  distribute(): tables not colocated as expected"; status=1; }
SELECT pg_catalog.count(DISTINCT p.colocationid) FILTER (WHERE p.partmethod = 'h') = 1
   AND pg_catalog.array_agg(p.logicalrelid::text ORDER BY p.logicalrelid::text) FILTER (WHERE p.partmethod = 'h')
       = '{leadqual.event,leadqual.lead,leadqual.lead_score_state,leadqual.opportunity,leadqual.stage_history}'
   AND pg_catalog.count(*) FILTER (WHERE p.partmethod = 'n') = 6
  FROM pg_catalog.pg_dist_partition p
 WHERE p.logicalrelid::text LIKE 'leadqual.%';
SQL

# The same data in both: the demo generated on the plain node, copied into
# the cluster with live scoring off on every node (Citus carries SET LOCAL
# to the workers with propagate_set_commands = local).
psql "$LQ_PLAIN" -c "SELECT leadqual.generate_demo(1500, 42, '2026-07-01 00:00+00')" >/dev/null
chmod 777 "$dir"
for t in lead event stage_history opportunity; do
    psql "$LQ_PLAIN" -c "\\copy leadqual.$t TO '$dir/$t.copy'"
    psql "$LQ_COORD" <<SQL
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL leadqual.auto_scoring = off;
\\copy leadqual.$t FROM '$dir/$t.copy'
COMMIT;
SQL
done

echo "== citus: one node vs the cluster"
/usr/bin/python3 test/citus/compare.py "$LQ_PLAIN" "$LQ_COORD" || status=1

echo "== citus: after a rule edit (the workers' rule caches must follow it)"
edit="UPDATE leadqual.fit_rule SET points = points + 7 WHERE model = 'default' AND field = 'job_title'"
psql "$LQ_PLAIN" -c "$edit"
LQ_COMPARE_ONLY="score() of every lead, pushed down" LQ_COMPARE_BEFORE="$edit" \
    /usr/bin/python3 test/citus/compare.py "$LQ_PLAIN" "$LQ_COORD" || status=1

if [ -n "${LQ_CITUS_KEEP:-}" ]; then
    # for development: leave the cluster running, its connection strings in a file
    trap - EXIT
    printf 'C="%s"\nP="%s"\n' "$LQ_COORD" "$LQ_PLAIN" > "$LQ_CITUS_KEEP"
    echo "citus: cluster kept in $dir, connection strings in $LQ_CITUS_KEEP"
    exit $status
fi
lq_citus_stop
rm -rf "$dir"
exit $status
