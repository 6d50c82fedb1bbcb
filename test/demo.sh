#!/usr/bin/env bash
# The demo: on a throwaway PostgreSQL cluster, CREATE EXTENSION leadqual,
# generate a year of CRM history for 20,000 leads (generate_demo), rescore,
# and print what a marketing-ops user looks at first (test/demo.sql).
# Installs whatever is missing first (as root, or through sudo).
#   DEMO_LEADS=200000 bash test/demo.sh     another number of leads
set -euo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh

lq_install_packages "${lq_base_packages[@]}"
lq_build_install

echo "== demo on a throwaway PostgreSQL $PGVER cluster"
pg_virtualenv -t -v "$PGVER" psql -X -q -v ON_ERROR_STOP=1 -v leads="${DEMO_LEADS:-20000}" -f test/demo.sql
echo "== the page: $(pwd)/report.html (open it in a browser)"
