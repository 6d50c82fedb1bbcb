# test/citus/cluster.sh — sourced by test/citus/run.sh and test/bench: a
# throwaway Citus cluster on localhost, a coordinator and two workers, each
# its own PostgreSQL instance (initdb, pg_ctl) with citus preloaded, plus a
# plain database on the coordinator's instance for one-node comparisons.
#
#   lq_citus_start DIR      start the three instances under DIR, create the
#                           database lq (citus + leadqual, workers added) and
#                           lq_plain (leadqual only); sets LQ_COORD, LQ_PLAIN
#                           (psql connection strings) and LQ_CITUS_PORTS
#   lq_citus_copy_demo N SEED DIR   generate_demo(N, SEED) in lq_plain,
#                           copied into the (distributed) cluster through
#                           files in DIR, identity sequences set after
#   lq_citus_stop           stop them (also on exit)
#
# As root, the instances run as the postgres user (initdb refuses root).

PGBIN=${PGBIN:-$($PG_CONFIG --bindir)}

lq_as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# a free TCP port on localhost, from 30000 up
lq_free_port() {
    local p=$1
    while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
    echo "$p"
}

lq_citus_start() {
    LQ_CITUS_DIR=$1
    local base=30000 i port
    mkdir -p "$LQ_CITUS_DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres "$LQ_CITUS_DIR"
    LQ_CITUS_PORTS=()
    for i in 0 1 2; do
        port=$(lq_free_port $((base + 10 * i + RANDOM % 10)))
        LQ_CITUS_PORTS+=("$port")
        lq_as_pg "$PGBIN/initdb" -D "$LQ_CITUS_DIR/n$i" -A trust -U postgres --no-sync >/dev/null
        cat >> "$LQ_CITUS_DIR/n$i/postgresql.conf" <<EOF
port = $port
listen_addresses = 'localhost'
unix_socket_directories = '$LQ_CITUS_DIR'
shared_preload_libraries = 'citus'
max_connections = 60
shared_buffers = 128MB
fsync = off
max_prepared_transactions = 60
citus.shard_replication_factor = 1
log_min_messages = warning
EOF
        lq_as_pg "$PGBIN/pg_ctl" -D "$LQ_CITUS_DIR/n$i" -l "$LQ_CITUS_DIR/n$i.log" -w start >/dev/null
    done
    trap lq_citus_stop EXIT
    for i in 0 1 2; do
        lq_as_pg "$PGBIN/psql" -X -q -h localhost -p "${LQ_CITUS_PORTS[$i]}" -U postgres -d postgres \
            -v ON_ERROR_STOP=1 -c "CREATE DATABASE lq" -c "\\c lq" -c "CREATE EXTENSION citus"
    done
    LQ_COORD="host=localhost port=${LQ_CITUS_PORTS[0]} user=postgres dbname=lq"
    LQ_PLAIN="host=localhost port=${LQ_CITUS_PORTS[0]} user=postgres dbname=lq_plain"
    PGOPTIONS="-c client_min_messages=warning" "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$LQ_COORD" >/dev/null <<EOF
SELECT pg_catalog.citus_set_coordinator_host('localhost', ${LQ_CITUS_PORTS[0]});
SELECT 1 FROM pg_catalog.citus_add_node('localhost', ${LQ_CITUS_PORTS[1]});
SELECT 1 FROM pg_catalog.citus_add_node('localhost', ${LQ_CITUS_PORTS[2]});
CREATE DATABASE lq_plain;
EOF
    export LQ_COORD LQ_PLAIN
}

lq_citus_stop() {
    local i
    [ -n "${LQ_CITUS_DIR:-}" ] || return 0
    for i in 0 1 2; do
        [ -d "$LQ_CITUS_DIR/n$i" ] && lq_as_pg "$PGBIN/pg_ctl" -D "$LQ_CITUS_DIR/n$i" -m immediate stop >/dev/null 2>&1 || true
    done
    LQ_CITUS_DIR=
}

# The same data in both: the demo generated on the plain node, copied into
# the cluster with live scoring off on every node (Citus carries SET LOCAL
# to the workers with propagate_set_commands = local); then the identity
# sequences, as pg_restore would set them after such a load.
lq_citus_copy_demo() {
    local t target
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$LQ_PLAIN" \
        -c "SELECT leadqual.generate_demo($1, $2, '2025-06-01 00:00+00')" >/dev/null
    chmod 777 "$3"
    for t in lead event stage_history opportunity; do
        "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$LQ_PLAIN" -c "\\copy leadqual.$t TO '$3/$t.copy'"
        # leads go in through lead_intake, which claims their external_ids
        # (a COPY into lead itself fails on its foreign key to lead_key)
        [ "$t" = lead ] && target=lead_intake || target=$t
        "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$LQ_COORD" <<SQL
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL leadqual.auto_scoring = off;
\\copy leadqual.$target FROM '$3/$t.copy'
COMMIT;
SQL
    done
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$LQ_COORD" <<'SQL'
DO $$
DECLARE
    t record;
    m bigint;
BEGIN
    FOR t IN SELECT * FROM (VALUES ('lead', 'lead_id'), ('event', 'event_id'), ('stage_history', 'history_id'),
                                   ('opportunity', 'opportunity_id')) AS v(tbl, col) LOOP
        EXECUTE format('SELECT max(%I) FROM leadqual.%I', t.col, t.tbl) INTO m;
        PERFORM setval(pg_get_serial_sequence('leadqual.' || t.tbl, t.col), m);
    END LOOP;
END
$$;
SQL
}
