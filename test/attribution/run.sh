#!/usr/bin/env bash
# attribute_paths against an exact reference written apart from the C code:
# test/attribution/markov_ref.py checks itself first (hand-computed cases,
# its sparse solver against a dense one, the chain's flow identities), then
# on a throwaway cluster it generates path sets with loops (A>B>A>C, A>A,
# revisits; decimal counts; channels that need quoting; the contract's edge
# cases: P(conversion) = 0, revenue 0, a channel only in non-converting
# paths, rows of weight 0), loads them into a table, runs
# leadqual.attribute_paths for markov at orders 1-4 (and its 5- and
# 4-argument overloads) and for first_touch, last_touch, linear,
# position_based and shapley, and compares every channel's removal_effect,
# conversions and revenue with the exact fractions: relative error <= 1e-9
# (absolute <= 1e-12 near 0), the same channels in the same (byte) order.
# Exit 1 with the differences on any mismatch; one summary line otherwise.
#   bash test/attribution/run.sh     (leadqual installed first)
set -euo pipefail
cd "$(dirname "$0")/../.."
PGVER=${PGVER:-15}
PY=/usr/bin/python3

$PY test/attribution/markov_ref.py self-test

work=$(mktemp -d /tmp/leadqual-attribution.XXXXXX)
trap 'rm -rf "$work"' EXIT

pg_virtualenv -t -v "$PGVER" bash -s "$work" <<'SCRIPT'
set -euo pipefail
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION leadqual"
/usr/bin/python3 test/attribution/markov_ref.py check --work "$1"
SCRIPT
