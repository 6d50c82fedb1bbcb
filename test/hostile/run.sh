#!/usr/bin/env bash
# Hostile-input suite: every public function, aggregate, trigger path and
# rule table of leadqual called with hostile values (test/hostile/cases.py
# generates the cases from the catalog; attribution.py adds forged
# path_counts states, paths, loops, parallel and partitionwise plans and
# attribution over tables), on a throwaway cluster, then attribution read
# while another session writes.  Fails on a crash (also found in the
# server log: "terminated by signal"), an XX000, a timeout (57014), a
# non-finite result, an attribution result that does not add up, an
# outcome other than the one a case expects, or a row that is accepted and
# then makes scoring fail.  Prints the figures and one repro line per
# failing case.
#   bash test/hostile/run.sh [--only SUBSTRING] [--show OUTCOME]    (leadqual installed first)
set -euo pipefail
cd "$(dirname "$0")/../.."
PGVER=${PGVER:-15}
export HOSTILE_ARGS="$*"

pg_virtualenv -t -v "$PGVER" -o "log_line_prefix=%m [%p] %e %a " -o log_min_messages=warning \
    -o restart_after_crash=on -o max_parallel_workers=4 bash -s <<'SCRIPT'
set -euo pipefail
log="$(dirname "$PG_CLUSTER_CONF_ROOT")/log/postgresql-$PGVERSION-regress.log"
createdb hostile
psql -X -q -v ON_ERROR_STOP=1 -d hostile -f test/hostile/fixture.sql >/dev/null
# positive control: a backend killed by a signal is seen by the driver and
# by the log check below, or the run proves nothing
PGDATABASE=hostile /usr/bin/python3 test/hostile/hostile.py --self-test
for i in $(seq 1 20); do grep -q "terminated by signal" "$log" && break; sleep 0.5; done
if [ "$(grep -c "terminated by signal" "$log")" -ne 1 ]; then
    echo "hostile: self-test: the server log does not show the crash"; cat "$log"; exit 1
fi
lines_before=$(wc -l < "$log")
status=0
PGDATABASE=hostile /usr/bin/python3 test/hostile/hostile.py $HOSTILE_ARGS || status=1
# the server's own account: a backend killed by a signal is a crash even
# if the driver missed it (e.g. a parallel worker); the postmaster may log
# it just after the driver's reconnection
sleep 1
crashes=$(tail -n +"$lines_before" "$log" | grep -c "terminated by signal" || true)
echo "hostile: server log: $crashes backend(s) terminated by signal"
if [ "$crashes" -gt 0 ]; then
    tail -n +"$lines_before" "$log" | grep -A2 "terminated by signal" | head -40
    status=1
fi
exit $status
SCRIPT
