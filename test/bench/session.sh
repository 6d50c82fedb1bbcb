#!/usr/bin/env bash
# The benchmark session, run by test/bench/run.sh inside pg_virtualenv.
set -euo pipefail
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }
as_of='2026-01-01'        # end of generate_demo's default year
# before each timed phase: clean up what the last one left (autovacuum is off)
settle() { psql -c "VACUUM ANALYZE" -c "CHECKPOINT"; }
# BENCH_PHASES: all, or a comma- or space-separated list of views, scoring,
# threshold, live, pgbench, attribution, logit
phase() { [ "$BENCH_PHASES" = all ] || [[ " ${BENCH_PHASES//,/ } " == *" $1 "* ]]; }

# the attribution phase brings its own data (in a database of its own); the
# others run on generate_demo's
if phase views || phase scoring || phase threshold || phase live || phase pgbench; then
echo "== generate_demo($BENCH_LEADS)"
psql -c "CREATE EXTENSION leadqual"
t0=$(now)
psql -c "SELECT leadqual.generate_demo($BENCH_LEADS) AS leads"
t1=$(now)
psql -At -c "SELECT 'events: ' || count(*) FROM leadqual.event"
printf 'generate_demo: %.1f s\n' "$(echo "$t1 - $t0" | bc)"
settle
fi

# phase views (test/bench/views.sql): each report view against a bare scan of its tables
if phase views; then
    echo "== report views (median of $BENCH_VIEW_RUNS after a warm-up)"
    psql -v runs="$BENCH_VIEW_RUNS" -f test/bench/views.sql
    settle
fi

if phase scoring; then
    echo "== scoring (best of $BENCH_RUNS)"
    psql -v as_of="$as_of" -v runs="$BENCH_RUNS" -v plain="$BENCH_PLAIN" -f test/bench/scoring.sql
fi

if phase threshold; then
    echo "== threshold_analysis: 20 thresholds vs 1 (best of $BENCH_RUNS)"
    psql -v runs="$BENCH_RUNS" -f test/bench/threshold.sql
fi

if phase live; then
echo "== live scoring: $BENCH_EVENTS events in batches of $BENCH_BATCH"
batches=$((BENCH_EVENTS / BENCH_BATCH))
# batch b inserts events b*batch+1 .. (b+1)*batch of a deterministic stream
batch_sql() {
    local first=$1 count=$2
    cat <<SQL
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, channel, properties)
SELECT 1 + (hashint8(i) & 2147483647) % $BENCH_LEADS,
       (ARRAY['page_view','page_view','page_view','email_open','email_click',
              'content_download','webinar_attended','other'])[1 + (hashint8(i * 7) & 2147483647) % 8],
       '$as_of'::timestamptz + i * interval '1 second',
       CASE WHEN i % 3 = 0 THEN 'organic_search' END,
       CASE WHEN i % 5 = 0 THEN '{"page": "pricing"}'::jsonb ELSE '{"page": "blog"}' END
  FROM generate_series($first, $first + $count - 1) i;
SQL
}
load() {   # load <first event number> <auto_scoring on|off>
    local start=$1 mode=$2 b f
    f=$(mktemp)
    echo "SET leadqual.auto_scoring = $mode;" > "$f"
    for ((b = 0; b < batches; b++)); do
        batch_sql $((start + b * BENCH_BATCH)) "$BENCH_BATCH" >> "$f"
    done
    local t0 t1
    settle
    t0=$(now); psql -f "$f"; t1=$(now)
    rm -f "$f"
    echo "$t1 - $t0" | bc
}
off=$(load 1 off)
psql -c "SELECT leadqual.rescore() AS caught_up" >/dev/null   # untimed: states for the leads touched
on=$(load $((BENCH_EVENTS + 1)) on)
printf 'load, live scoring off: %.2f s\nload, live scoring on:  %.2f s\n' "$off" "$on"
printf 'on/off ratio: %.2f (target <= 2)\n' "$(echo "$on / $off" | bc -l)"
psql -At -c "SELECT 'stored = fresh for ' || count(*) FILTER (WHERE abs(l.score - (leadqual.score(l.lead_id, l.scored_at)).score) < 1e-6) || ' of ' || count(*) || ' sampled leads'
               FROM leadqual.lead l TABLESAMPLE SYSTEM (1) REPEATABLE (1)"

fi

# phase attribution (test/bench/attribution_load.sql, attribution.sql): its own
# database, BENCH_JOURNEYS generated journeys loaded as a path table and as
# leadqual events; the floor, attribute_paths and attribution() timed, the peak
# memory of markov order 4
if phase attribution; then
    echo "== attribution: $BENCH_JOURNEYS journeys over 50 channels"
    db=leadqual_attribution
    psql -c "CREATE DATABASE $db"
    psql -d "$db" -c "CREATE EXTENSION leadqual"
    t0=$(now)
    psql -d "$db" -v journeys="$BENCH_JOURNEYS" -f test/bench/attribution_load.sql
    t1=$(now)
    printf 'generate and load: %.1f s\n' "$(echo "$t1 - $t0" | bc)"
    psql -d "$db" -c "VACUUM ANALYZE" -c "CHECKPOINT"
    # PGOPTIONS: every connection of the script (it reconnects for the
    # memory figures) runs with the same settings
    PGOPTIONS="-c max_parallel_workers_per_gather=0 -c jit=off -c work_mem=$BENCH_ATTR_WORK_MEM" \
        psql -d "$db" -v runs="$BENCH_RUNS" -f test/bench/attribution.sql
fi

# phase logit (test/bench/logit.sql): its own database, BENCH_LOGIT_ROWS rows x
# 20 features; logistic_regression against the floor of a bare scan of the
# same rows, and its peak memory
if phase logit; then
    echo "== logistic_regression: $BENCH_LOGIT_ROWS rows x 20 features (best of $BENCH_RUNS)"
    db=leadqual_logit
    psql -c "CREATE DATABASE $db"
    psql -d "$db" -c "CREATE EXTENSION leadqual"
    PGOPTIONS="-c max_parallel_workers_per_gather=0 -c jit=off" \
        psql -d "$db" -v rows="$BENCH_LOGIT_ROWS" -v runs="$BENCH_RUNS" -f test/bench/logit.sql
fi

# phase leadload: its own database; BENCH_LOAD_LEADS new leads in one
# INSERT ... SELECT with live scoring on, in a fresh session and in one that
# inserted a few single leads first (after five executions PostgreSQL may
# keep a generic plan of live scoring's statements, with the lead ids as a
# parameter: a membership test against a parameter array is not hashed, so
# such a plan must not test it row by row).  Each load is rolled back; best
# of BENCH_RUNS; target: after single inserts <= 1.3 x fresh.
if phase leadload; then
    echo "== bulk lead load with live scoring: $BENCH_LOAD_LEADS leads (best of $BENCH_RUNS)"
    db=leadqual_leadload
    psql -c "CREATE DATABASE $db"
    psql -d "$db" -c "CREATE EXTENSION leadqual"
    load_sql="INSERT INTO leadqual.lead (external_id, created_at, email)
              SELECT 'bulk-' || g, now() - interval '1 day', 'a' || g || '@acme.example'
                FROM generate_series(1, $BENCH_LOAD_LEADS) g;"
    best_fresh=; best_warm=
    for ((r = 0; r < BENCH_RUNS; r++)); do
        for mode in warm fresh; do
            # as new: a rolled-back load leaves its pages behind, and the
            # size PostgreSQL plans for would then hide a bad generic plan
            psql -d "$db" -c "VACUUM leadqual.lead, leadqual.lead_score_state"
            f=$(mktemp)
            echo "BEGIN;" > "$f"
            if [ "$mode" = warm ]; then
                for i in 1 2 3 4 5 6 7 8; do
                    echo "INSERT INTO leadqual.lead (external_id, created_at) VALUES ('single-$i', now());" >> "$f"
                done
            fi
            printf '\\set t0 `date +%%s.%%N`\n%s\n\\set t1 `date +%%s.%%N`\nROLLBACK;\n\\echo :t0 :t1\n' "$load_sql" >> "$f"
            t=$(psql -d "$db" -At -f "$f" | tail -1 | awk '{ printf "%.3f", $2 - $1 }')
            rm -f "$f"
            if [ "$mode" = fresh ]; then
                best_fresh=$(echo "$t $best_fresh" | awk '{ print ($2 == "" || $1 < $2) ? $1 : $2 }')
            else
                best_warm=$(echo "$t $best_warm" | awk '{ print ($2 == "" || $1 < $2) ? $1 : $2 }')
            fi
        done
    done
    echo "fresh session: $best_fresh s; after 8 single-lead inserts: $best_warm s;" \
         "ratio $(awk "BEGIN { printf \"%.2f\", $best_warm / $best_fresh }") (target <= 1.3)"
fi

if ! phase pgbench; then exit 0; fi
echo "== pgbench: one event per transaction, 2 clients, $BENCH_SECONDS s each, best of 2 rounds"
script=$(mktemp)
cat > "$script" <<SQL
\set lead random(1, $BENCH_LEADS)
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, channel, properties) VALUES (:lead, 'page_view', now(), 'organic_search', '{"page": "pricing"}');
SQL
tps() { settle; pgbench -n -c 2 -j 2 -T "$BENCH_SECONDS" -f "$script" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1; }
# two rounds of on, off; the best of each
tps_on=0; tps_off=0
for round in 1 2; do
    t=$(tps); tps_on=$(echo "if ($t > $tps_on) $t else $tps_on" | bc -l)
    t=$(PGOPTIONS='-c leadqual.auto_scoring=off' tps); tps_off=$(echo "if ($t > $tps_off) $t else $tps_off" | bc -l)
done
rm -f "$script"
printf 'tps, live scoring on:  %.0f\ntps, live scoring off: %.0f\n' "$tps_on" "$tps_off"
printf 'on keeps %.0f %% of the tps (target >= 50 %%)\n' "$(echo "100 * $tps_on / $tps_off" | bc -l)"
