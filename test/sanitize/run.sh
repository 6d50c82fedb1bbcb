#!/usr/bin/env bash
# Sanitizer run: builds leadqual with clang-14 and -fsanitize=undefined
# (UBSan, every report fatal), installs that build, and runs the pg_regress
# and isolation suites against a server running under Valgrind memcheck
# (invalid reads, writes and frees; use of uninitialised values is off:
# the server's own writes of struct padding make it noise).  It fails on
# any UBSan or Valgrind report.  A canary function (canary.c, same flags)
# must be caught by both first, or the run proves nothing.  At the end,
# always, the normal build is made and installed again.
#   make sanitize    or    bash test/sanitize/run.sh
# Why not AddressSanitizer: Debian's server is not instrumented, and with
# clang's ASan runtime preloaded it deadlocks in bindtextdomain() at start
# (glibc's _nl_state_lock), so memory is checked by Valgrind instead.
# Limits: the server's palloc hands out chunks of malloc'd blocks, so
# Valgrind sees accesses outside the blocks (and to freed blocks), not an
# overflow from one palloc chunk into the next of the same block.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
lq_install_packages "${lq_base_packages[@]}" clang-14 libclang-rt-14-dev valgrind
start=$(date +%s)

SAN="-fsanitize=undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# pg_config's CFLAGS are gcc's; these are the ones that matter, for clang
# (-Wno-ignored-attributes: clang does not know the server headers' gnu_printf;
# -gdwarf-4: bookworm's Valgrind cannot read clang 14's default DWARF 5)
CFLAGS_SAN="-O1 -gdwarf-4 $SAN -fno-strict-aliasing -fwrapv -Wall -Wmissing-prototypes -Wpointer-arith -Werror=vla -Wno-ignored-attributes"
UBSAN_RT=$(clang-14 -print-file-name=libclang_rt.ubsan_standalone-x86_64.so)
LDFLAGS_SAN="-shared-libsan -Wl,-rpath,$(dirname "$UBSAN_RT")"
SAN_MAKE=(CC=clang-14 "CFLAGS=$CFLAGS_SAN" "LDFLAGS_SL=$LDFLAGS_SAN" with_llvm=no)
export SAN_DIR=$(mktemp -d /tmp/lq-sanitize.XXXXXX)
chmod 777 "$SAN_DIR"

restore_normal_build() {
    echo "== sanitize: reinstalling the normal build"
    make -s clean
    lq_build_install
}
trap restore_normal_build EXIT

echo "== sanitize: building with clang-14 $SAN"
make -s clean
make -s PG_CONFIG="$PG_CONFIG" "${SAN_MAKE[@]}"
$SUDO make -s PG_CONFIG="$PG_CONFIG" "${SAN_MAKE[@]}" install >/dev/null
ldd "$($PG_CONFIG --pkglibdir)/leadqual.so" | grep libclang_rt.ubsan | grep -vq "not found" || { echo "sanitize: leadqual.so is not linked to the UBSan runtime"; exit 1; }
clang-14 $CFLAGS_SAN $LDFLAGS_SAN -fPIC -shared -I"$($PG_CONFIG --includedir-server)" \
    -o "$SAN_DIR/canary.so" test/sanitize/canary.c

status=0
pg_virtualenv -t -v "$PGVER" -o jit=off -o max_parallel_workers_per_gather=0 bash -s <<'SCRIPT' || status=1
set -euo pipefail
log="$(dirname "$PG_CLUSTER_CONF_ROOT")/log/postgresql-$PGVERSION-regress.log"
data=$(psql -X -At -c "SHOW data_directory"); conf=$(psql -X -At -c "SHOW config_file")
# the postmaster (and so every backend it forks) runs under memcheck
pg_ctlcluster "$PGVERSION" regress stop
runuser -u postgres -- env UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$SAN_DIR/ubsan" \
    valgrind --quiet --trace-children=yes --undef-value-errors=no --leak-check=no \
    --error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END --log-file="$SAN_DIR/valgrind.%p" \
    --suppressions="$PWD/test/sanitize/valgrind.supp" \
    "$($PG_CONFIG --bindir)/postgres" -D "$data" -c config_file="$conf" >> "$log" 2>&1 &
for i in $(seq 1 120); do pg_isready -q && break; sleep 1; done
stop_server() { runuser -u postgres -- "$($PG_CONFIG --bindir)/pg_ctl" -D "$data" stop -m fast -w >/dev/null || true; }
trap stop_server EXIT
reports() { cat "$SAN_DIR"/ubsan.* "$SAN_DIR"/valgrind.* 2>/dev/null | grep -cE "runtime error:|VALGRINDERROR-BEGIN" || true; }

# positive control: both kinds of report must appear for the canary
psql -X -q -c "CREATE FUNCTION canary(int) RETURNS int AS '$SAN_DIR/canary.so', 'lq_canary' LANGUAGE C STRICT"
for k in 1 2; do psql -X -q -c "SELECT canary($k)" >/dev/null 2>&1 || true; done
for i in $(seq 1 60); do pg_isready -q && break; sleep 1; done
caught=$(reports)
if [ "$caught" -lt 2 ]; then
    echo "sanitize: the canary was not caught ($caught of 2 reports): the run would prove nothing"
    cat "$SAN_DIR"/ubsan.* "$SAN_DIR"/valgrind.* 2>/dev/null | head -40; exit 1
fi
echo "sanitize: canary caught by Valgrind (invalid read) and UBSan (shift exponent too large)"
mkdir "$SAN_DIR/canary" && mv "$SAN_DIR"/ubsan.* "$SAN_DIR/canary/" 2>/dev/null || true
grep -l VALGRINDERROR "$SAN_DIR"/valgrind.* | xargs -r mv -t "$SAN_DIR/canary/"
psql -X -q -c "DROP FUNCTION canary(int)"
lines_before=$(wc -l < "$log")

rc=0
# tests that bound their statements' time (robust_rules) give Valgrind's
# slower server more; their checks of results are the same
export LQ_TEST_TIMEOUT=600s LQ_TEST_CANCEL_WITHIN="60 s"
# Valgrind runs one backend per core at best: the pg_regress tests run as two
# streams at once (and the isolation specs next to them, below), each in its own database and output directory (every test
# creates and drops the extension in its database; the roles it creates if
# absent are made once first, so the streams do not race to create them).
# Tests go to the stream with less work so far, by their time under Valgrind
# (seconds, measured; 9 for the others), the slowest first.  The tests whose
# point is a parallel plan are left out: this server runs without parallel
# workers (max_parallel_workers_per_gather = 0, above), so they would only
# repeat their serial halves, which other tests run.
psql -X -q -d postgres -c "CREATE EXTENSION leadqual" -c "DROP EXTENSION leadqual"
weights="scoring_rescore_pass:300 robust_rules:120 demo:76 attribution_demo:74 security_search_path:62
         reports_timeline:46 reports_window_funnel:42 predictive_models:25 reports_threshold:17"
skip="scoring_parallel logistic_parallel"
stream_a=(); stream_b=(); work_a=0; work_b=0
for t in $( (for w in $weights; do echo "${w#*:} ${w%%:*}"; done
             for f in sql/*.sql; do t=$(basename "$f" .sql); echo "9 $t"; done) |
            sort -s -k2,2 -u | sort -k1,1nr -k2,2 | awk '{print $2 ":" $1}'); do
    name=${t%%:*}; cost=${t#*:}
    [ -f "sql/$name.sql" ] || continue
    case " $skip " in *" $name "*) echo "sanitize: $name left out (parallel plans; no workers here)"; continue ;; esac
    if [ "$work_a" -le "$work_b" ]; then stream_a+=("$name"); work_a=$((work_a + cost))
    else stream_b+=("$name"); work_b=$((work_b + cost)); fi
done
echo "sanitize: stream a (about ${work_a} s): ${stream_a[*]}"
echo "sanitize: stream b (about ${work_b} s): ${stream_b[*]}"
rm -rf output_san_a output_san_b
make -s PG_CONFIG="$PG_CONFIG" installcheck TAP_TESTS= ISOLATION= REGRESS="${stream_a[*]}" \
    REGRESS_OPTS="--load-extension=plpgsql --dbname=lq_san_a --outputdir=output_san_a" > output_san_a.log 2>&1 &
pid_a=$!
make -s PG_CONFIG="$PG_CONFIG" installcheck TAP_TESTS= ISOLATION= REGRESS="${stream_b[*]}" \
    REGRESS_OPTS="--load-extension=plpgsql --dbname=lq_san_b --outputdir=output_san_b" > output_san_b.log 2>&1 &
pid_b=$!
# the isolation specs at the same time: they mostly wait for locks, so they
# cost the two streams little (database isolation_regression, output_iso/)
make -s PG_CONFIG="$PG_CONFIG" installcheck TAP_TESTS= REGRESS= > output_san_iso.log 2>&1 &
pid_iso=$!
wait $pid_a || rc=1
wait $pid_b || rc=1
wait $pid_iso || rc=1
cat output_san_a.log output_san_b.log output_san_iso.log
if [ $rc -ne 0 ]; then
    for f in output_san_a/regression.diffs output_san_b/regression.diffs output_iso/regression.diffs; do [ -f "$f" ] && head -200 "$f"; done
fi
rm -rf output_san_a output_san_b output_san_a.log output_san_b.log output_san_iso.log
found=$(reports)
logged=$(tail -n +"$lines_before" "$log" | grep -cE "runtime error:|terminated by signal|exited with exit code" || true)
echo "sanitize: $found UBSan/Valgrind report(s); $logged backend(s) killed or failed in the server log"
if [ "$found" -gt 0 ] || [ "$logged" -gt 0 ]; then
    grep -h -A30 -E "runtime error:|VALGRINDERROR-BEGIN" "$SAN_DIR"/ubsan.* "$SAN_DIR"/valgrind.* 2>/dev/null | head -120
    tail -n +"$lines_before" "$log" | grep -E -A3 "runtime error:|terminated by signal|exited with exit code" | head -40
    rc=1
fi
exit $rc
SCRIPT
echo "sanitize: $(( $(date +%s) - start )) s for build, regression and isolation suites"
[ $status -ne 0 ] || rm -rf "$SAN_DIR"
if [ $status -eq 0 ]; then echo "sanitize: 1 passed, 0 failed"; else echo "sanitize: 0 passed, 1 failed"; fi
exit $status
