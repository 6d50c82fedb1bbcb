#!/usr/bin/env bash
# leadqual benchmarks (not part of the default test run).
#
#   bash test/bench/run.sh
#
# On a throwaway cluster: generate_demo(BENCH_LEADS), then
#   scoring      test/bench/scoring.sql   floor vs aggregate vs rescore vs plain SQL
#   threshold    test/bench/threshold.sql threshold_analysis, 20 thresholds vs 1
#   live load    BENCH_EVENTS events in batches of BENCH_BATCH, live scoring off vs on
#   pgbench      one event per transaction, live scoring on vs off
#   views        test/bench/views.sql   each report view vs a bare scan of its tables
#   attribution  test/bench/attribution_load.sql + attribution.sql, in a
#                database of its own (no generate_demo): BENCH_JOURNEYS
#                generated journeys as a path table and as leadqual events;
#                attribute_paths markov orders 1-4, shapley, linear and
#                attribution('markov') vs the floor of building the journeys
#                (median of BENCH_RUNS), and the peak memory of order 4
#   logit        test/bench/logit.sql, in a database of its own:
#                logistic_regression(y, x, 1) over BENCH_LOGIT_ROWS rows x 20
#                features against the floor sum(x[1]) over the same rows
#                (best of BENCH_RUNS, serial), and the fit's peak memory
# Every figure is a ratio against a baseline measured in the same run.
# Autovacuum is off: each timed phase starts after an explicit VACUUM ANALYZE
# and CHECKPOINT, so neither side of a ratio pays for cleanup the other left
# behind (a vacuum started by the first load's million events could run
# during the second load or the first pgbench run).
#   BENCH_LEADS=200000 BENCH_EVENTS=1000000 BENCH_BATCH=10000 BENCH_RUNS=3 BENCH_SECONDS=30
#   BENCH_PHASES=all, or a list of phases (views,scoring,threshold,live,pgbench,
#   attribution,logit,leadload): BENCH_PHASES=scoring runs the scoring queries only,
#   BENCH_PHASES=threshold the threshold backtest only, BENCH_PHASES=views the
#   report views only (median of BENCH_VIEW_RUNS=5 runs after a warm-up),
#   BENCH_PHASES=attribution the attribution benchmark only
#   (BENCH_JOURNEYS=1000000, BENCH_ATTR_WORK_MEM=512MB), BENCH_PHASES=logit the
#   logistic regression benchmark only (BENCH_LOGIT_ROWS=1000000), BENCH_PHASES=leadload
#   a bulk lead load with live scoring in a fresh and a used session (BENCH_LOAD_LEADS=50000); BENCH_PLAIN=0 leaves
#   out (d), the plain SQL (about 4 minutes).
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh

lq_install_packages "${lq_base_packages[@]}" bc
lq_build_install

export BENCH_LEADS=${BENCH_LEADS:-200000}
export BENCH_EVENTS=${BENCH_EVENTS:-1000000}
export BENCH_BATCH=${BENCH_BATCH:-10000}
export BENCH_RUNS=${BENCH_RUNS:-3}
export BENCH_SECONDS=${BENCH_SECONDS:-30}
export BENCH_PHASES=${BENCH_PHASES:-all}
export BENCH_PLAIN=${BENCH_PLAIN:-1}
export BENCH_VIEW_RUNS=${BENCH_VIEW_RUNS:-5}
export BENCH_LOAD_LEADS=${BENCH_LOAD_LEADS:-50000}
export BENCH_JOURNEYS=${BENCH_JOURNEYS:-1000000}
export BENCH_ATTR_WORK_MEM=${BENCH_ATTR_WORK_MEM:-512MB}
export BENCH_LOGIT_ROWS=${BENCH_LOGIT_ROWS:-1000000}

pg_virtualenv -t -v "$PGVER" \
    -o shared_buffers=2GB -o max_wal_size=8GB -o checkpoint_timeout=30min -o autovacuum=off \
    bash test/bench/session.sh
