#!/usr/bin/env bash
# sqlsmith against leadqual: random queries for about two minutes
# (SQLSMITH_SECONDS) as a non-superuser role with leadqual first on its
# search_path, in a database with demo data, steered to leadqual's
# routines (test/sqlsmith/steer.sql says how).  Fails on a crash or an
# XX000 in the server log; prints queries, errors by SQLSTATE, crashes,
# XX000 and how many queries touched leadqual (test/sqlsmith/report.py).
#   bash test/sqlsmith/run.sh          (leadqual installed first)
set -euo pipefail
cd "$(dirname "$0")/../.."
PGVER=${PGVER:-15}
export SQLSMITH_SECONDS=${SQLSMITH_SECONDS:-120} SQLSMITH_SEED=${SQLSMITH_SEED:-8}

pg_virtualenv -t -v "$PGVER" -o "log_line_prefix=%m [%p] %e %a " -o restart_after_crash=on bash -s <<'SCRIPT'
set -euo pipefail
log="$(dirname "$PG_CLUSTER_CONF_ROOT")/log/postgresql-$PGVERSION-regress.log"
out=$(mktemp -d)
createdb smith
psql -X -q -v ON_ERROR_STOP=1 -d smith -f test/sqlsmith/steer.sql
echo "== sqlsmith for $SQLSMITH_SECONDS s (seed $SQLSMITH_SEED)"
# SIGINT: sqlsmith prints its own statistics (--verbose) and exits
timeout -s INT "$SQLSMITH_SECONDS" sqlsmith --verbose --exclude-catalog --dump-all-queries --seed="$SQLSMITH_SEED" \
    --target="host=$PGHOST port=$PGPORT dbname=smith user=smith password=smith" \
    > "$out/queries.sql" 2> "$out/sqlsmith.err" || true
grep -E "^(queries|error rate)" "$out/sqlsmith.err" | tail -2 | sed 's/^/sqlsmith (own count): /' || true
status=0
/usr/bin/python3 test/sqlsmith/report.py "$out/queries.sql" "$log" || status=1
if [ $status -ne 0 ] && [ -n "${SQLSMITH_KEEP:-}" ]; then cp "$out/queries.sql" "$log" "$SQLSMITH_KEEP/"; fi
rm -rf "$out"
exit $status
SCRIPT
