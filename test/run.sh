#!/usr/bin/env bash
# Runs every leadqual test suite against a real PostgreSQL server:
#   pg_regress (sql/, expected/), isolation specs (test/isolation/),
#   the pg_cron scheduling test (test/cron/), the pg_dump/pg_restore
#   round trip (test/dump/), the HTML report in xmllint and headless
#   Chromium (test/html/), attribute_paths against an exact rational
#   reference (test/attribution/), logistic_regression against numpy and
#   scikit-learn (test/predictive/), leadqual on a three-node Citus cluster
#   compared with one node (test/citus/; builds Citus from ../shared/citus
#   when it is missing, a few minutes), the hostile-input suite (test/hostile/) and
#   sqlsmith (test/sqlsmith/, about two minutes), and last the sanitizer
#   run (test/sanitize/: UBSan build, server under Valgrind, about five
#   minutes; it reinstalls the normal build after).
# Installs what is missing first.  Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh

lq_install_packages "${lq_base_packages[@]}" postgresql-$PGVER-cron python3-psycopg2 python3-numpy python3-sklearn sqlsmith \
    clang-14 libclang-rt-14-dev valgrind libxml2-utils chromium
lq_build_install

start=$(date +%s)
status=0
echo "== pg_regress and isolation suites"
rm -f regression.diffs output_iso/regression.diffs
if ! pg_virtualenv -t -v "$PGVER" make -s PG_CONFIG="$PG_CONFIG" installcheck TAP_TESTS=; then
    status=1
    for f in regression.diffs output_iso/regression.diffs; do
        [ -f "$f" ] && { echo "== $f"; cat "$f"; }
    done
fi

times="pg_regress and isolation $(( $(date +%s) - start )) s"
for t in test/cron/*.sh test/dump/*.sh test/tap/run.sh test/html/run.sh test/attribution/run.sh test/predictive/run.sh test/citus/run.sh test/hostile/run.sh test/sqlsmith/run.sh test/sanitize/run.sh; do
    [ -f "$t" ] || continue
    echo "== $t"
    t0=$(date +%s)
    bash "$t" || status=1
    times="$times, $t $(( $(date +%s) - t0 )) s"
done

echo "== time: $(( $(date +%s) - start )) s in all ($times)"
if [ $status -eq 0 ]; then echo "== all test suites passed"; else echo "== FAILED"; fi
exit $status
