#!/bin/bash
# TAP suites (t/*.pl, PostgreSQL::Test::Cluster from the server's PGXS):
# crash safety.  Each test starts its own server; as root they run as the
# postgres user (initdb refuses root), in a scratch directory it owns.
#
#   bash test/tap/run.sh [t/001_crash_safety.pl ...]   (leadqual installed first)
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
lq_install_packages libipc-run-perl

pgxs=$(dirname "$(dirname "$("$PG_CONFIG" --pgxs)")")   # …/lib/pgxs/src
bindir=$("$PG_CONFIG" --bindir)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r t "$work/t"
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(t/*.pl)

as_tester() {
    if [ "$(id -u)" -eq 0 ]; then
        chown -R postgres "$work"
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}
cd "$work"
as_tester env TESTDIR="$work" PATH="$bindir:$PATH" PG_REGRESS="$pgxs/test/regress/pg_regress" \
    prove ${LQ_TAP_VERBOSE:+-v} -I "$pgxs/test/perl" "${tests[@]}" || { cat "$work"/tmp_check/log/regress_log_* 2>/dev/null | tail -80; exit 1; }
