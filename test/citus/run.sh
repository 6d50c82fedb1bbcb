#!/usr/bin/env bash
# leadqual on a real Citus cluster (SPEC §7): a coordinator and two workers
# on localhost (test/citus/cluster.sh), leadqual.distribute(), its refusals,
# the same demo data in the cluster and in a plain database, and every
# check of test/citus/compare.py run against both (before and after a rule
# edit, so that the workers' rule caches must follow it).
#
# Builds Citus from ../shared/citus when it is not installed; skips itself,
# saying so, when neither is there (a user's machine without the sources).
#   bash test/citus/run.sh            (leadqual installed first)
#   LQ_CITUS_KEEP=FILE bash test/citus/run.sh   leaves the cluster running
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh

if [ ! -f "$($PG_CONFIG --pkglibdir)/citus.so" ]; then
    if [ -f ../shared/citus/build.sh ]; then
        bash ../shared/citus/build.sh
    else
        echo "citus: skipped: Citus is not installed and ../shared/citus/build.sh is not there"
        exit 0
    fi
fi
lq_install_packages python3-psycopg2
. test/citus/cluster.sh

dir=$(mktemp -d)
lq_citus_start "$dir"
psql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
worker="host=localhost port=${LQ_CITUS_PORTS[1]} user=postgres dbname=lq"
status=0

# expect_error DSN SQLSTATE SQL: the statement fails with that SQLSTATE
expect_error() {
    local out
    if out=$("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose "$1" -c "\\set VERBOSITY verbose" -c "$3" 2>&1); then
        echo "FAIL  $3: succeeded, expected SQLSTATE $2"; status=1
    elif grep -q "ERROR:  $2:" <<<"$out"; then
        echo "ok    $3 refused with $2"
    else
        echo "FAIL  $3: expected SQLSTATE $2, got: $out"; status=1
    fi
}

psql "$LQ_COORD" -c "CREATE EXTENSION leadqual"
psql "$LQ_PLAIN" -c "CREATE EXTENSION leadqual"
expect_error "$LQ_PLAIN" 0A000 "SELECT leadqual.distribute()"
expect_error "$worker" 55000 "SELECT leadqual.distribute()"
expect_error "$LQ_COORD" 22023 "SELECT leadqual.distribute(0)"
psql "$LQ_COORD" -c "SET client_min_messages = warning" -c "SELECT leadqual.distribute(8)" >/dev/null
expect_error "$LQ_COORD" 55000 "SELECT leadqual.distribute()"
psql "$LQ_COORD" -At <<'SQL'
SELECT 'citus: distributed: ' || pg_catalog.string_agg(pg_catalog.format('%s (%s)', p.logicalrelid,
         CASE p.partmethod WHEN 'h' THEN 'by lead_id, colocation ' || p.colocationid ELSE 'reference' END),
         ', ' ORDER BY p.logicalrelid::text)
  FROM pg_catalog.pg_dist_partition p;
SQL
# every lead-owned table in one colocation group, every configuration table a reference table
psql "$LQ_COORD" -At <<'SQL' | grep -qx t || { echo "FAIL  distribute(): tables not colocated as expected"; status=1; }
SELECT pg_catalog.count(DISTINCT p.colocationid) FILTER (WHERE p.partmethod = 'h') = 1
   AND pg_catalog.array_agg(p.logicalrelid::text ORDER BY p.logicalrelid::text) FILTER (WHERE p.partmethod = 'h')
       = '{leadqual.event,leadqual.handoff_queue,leadqual.lead,leadqual.lead_score_state,leadqual.opportunity,leadqual.stage_history}'
   AND pg_catalog.count(*) FILTER (WHERE p.partmethod = 'n') = 7
  FROM pg_catalog.pg_dist_partition p
 WHERE p.logicalrelid::text LIKE 'leadqual.%';
SQL

# The same data in both (test/citus/cluster.sh)
lq_citus_copy_demo 1500 42 "$dir"

echo "== citus: one node vs the cluster"
/usr/bin/python3 test/citus/compare.py "$LQ_PLAIN" "$LQ_COORD" || status=1

echo "== citus: generate_demo() on the cluster (rolled back) vs the same demo on one node"
LQ_COMPARE_DEMO="1500 42 2025-06-01 00:00+00" /usr/bin/python3 test/citus/compare.py "$LQ_PLAIN" "$LQ_COORD" || status=1

echo "== citus: the lifecycle actions on both, then the tables they write"
LQ_COMPARE_ACTIONS=1 LQ_COMPARE_ONLY="lead rows|stage moves|opportunities|funnel|mql_acceptance" \
    /usr/bin/python3 test/citus/compare.py "$LQ_PLAIN" "$LQ_COORD" || status=1

echo "== citus: rescore() on both (once per shard group on the cluster), then the tables"
LQ_COMPARE_RESCORE=1 LQ_COMPARE_ONLY="lead rows|stage moves|opportunities|funnel|lead_status" \
    /usr/bin/python3 test/citus/compare.py "$LQ_PLAIN" "$LQ_COORD" || status=1

echo "== citus: predictive training and prediction on both"
LQ_COMPARE_PREDICTIVE=1 LQ_COMPARE_ONLY="account_status" \
    /usr/bin/python3 test/citus/compare.py "$LQ_PLAIN" "$LQ_COORD" || status=1

echo "== citus: hand-off notifications of the same moves on both"
LQ_COMPARE_NOTIFY=1 /usr/bin/python3 test/citus/compare.py "$LQ_PLAIN" "$LQ_COORD" || status=1

echo "== citus: what reads leadqual.lead on the coordinator itself refuses with 0A000 (never an empty answer)"
expect_error "$LQ_COORD" 0A000 "SELECT * FROM leadqual.rescore_changes('default', now(), 'leadqual.lead')"
expect_error "$LQ_COORD" 0A000 "SELECT * FROM leadqual.score_by_lead_group('leadqual.lead', 'default', now())"

echo "== citus: TRUNCATE of event forgets the states on every shard, and rescores"
n=$(psql "$LQ_COORD" -At <<'SQL'
BEGIN;
TRUNCATE leadqual.event;
SELECT (SELECT pg_catalog.count(*) FROM leadqual.lead_score_state s WHERE s.state OPERATOR(pg_catalog.=) '\x'::bytea)
       OPERATOR(pg_catalog.=) (SELECT pg_catalog.count(*) FROM leadqual.lead)
   AND (SELECT pg_catalog.count(*) FROM leadqual.lead_score_state s)
       OPERATOR(pg_catalog.=) (SELECT pg_catalog.count(*) FROM leadqual.lead);
ROLLBACK;
SQL
)
if [ "$n" = "t" ]; then
    echo "ok    TRUNCATE leadqual.event: every lead's state is the empty one of no events (rolled back)"
else
    echo "FAIL  TRUNCATE leadqual.event: the states are not those of no events: $n"; status=1
fi
left=$(psql "$LQ_COORD" -At <<'SQL'
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL leadqual.auto_scoring = off;
TRUNCATE leadqual.event;
SELECT pg_catalog.count(*) FROM leadqual.lead_score_state;
ROLLBACK;
SQL
)
if [ "$left" = "0" ]; then
    echo "ok    TRUNCATE leadqual.event with live scoring off: no state left on any shard (rolled back)"
else
    echo "FAIL  TRUNCATE leadqual.event with live scoring off: $left states left"; status=1
fi

echo "== citus: live scoring on the shards"
/usr/bin/python3 test/citus/live.py "$LQ_PLAIN" "$LQ_COORD" || status=1

echo "== citus: history ids, a range per node"
ids=$(psql "$LQ_COORD" -At -c "SELECT pg_catalog.count(DISTINCT h.history_id) OPERATOR(pg_catalog.=) pg_catalog.count(*)
                                   AND pg_catalog.count(*) FILTER (WHERE h.history_id OPERATOR(pg_catalog.>=) 281474976710656) OPERATOR(pg_catalog.>) 0
                              FROM leadqual.stage_history h")
ids="$ids"$(psql "$LQ_COORD" -At -c "SELECT pg_catalog.count(DISTINCT o.opportunity_id) OPERATOR(pg_catalog.=) pg_catalog.count(*)
                                        AND pg_catalog.count(*) FILTER (WHERE o.opportunity_id OPERATOR(pg_catalog.>=) 281474976710656) OPERATOR(pg_catalog.>) 0
                                   FROM leadqual.opportunity o")
if [ "$ids" = "tt" ]; then
    echo "ok    every history_id and opportunity_id is unique; moves and deals made on the workers have ids of their node's range"
else
    echo "FAIL  history or opportunity ids: not unique, or none from a worker's range ($ids)"; status=1
fi
last=$(psql "$worker" -At -c "SELECT s.last_value FROM leadqual.stage_history_history_id_seq s")
expect_error "$worker" 2200H "SELECT pg_catalog.setval('leadqual.stage_history_history_id_seq', 281474976710655); SELECT leadqual.next_history_id()"
psql "$worker" -c "SELECT pg_catalog.setval('leadqual.stage_history_history_id_seq', $last)" >/dev/null

echo "== citus: cross-lead aggregates run as shard partials and one combine (EXPLAIN VERBOSE)"
# partial_plan NAME SQL: the plan has worker_partial_agg on every shard and
# coord_combine_agg once on the coordinator
partial_plan() {
    local plan
    plan=$(psql "$LQ_COORD" -At -c "EXPLAIN (VERBOSE, COSTS OFF) $2")
    if grep -q "Task Count: 8" <<<"$plan" && [ "$(grep -c "worker_partial_agg('[0-9]*'::oid" <<<"$plan")" -eq 1 ] \
       && [ "$(grep -c "coord_combine_agg(" <<<"$plan")" -eq 1 ]; then
        echo "ok    $1: worker_partial_agg on the 8 shards, one coord_combine_agg"
    else
        echo "FAIL  $1: no shard partials and one combine in:"; echo "$plan"; status=1
    fi
}
partial_plan "logistic_regression over all leads" \
    "SELECT leadqual.logistic_regression(l.stage = 'won', ARRAY[coalesce(l.fit_score, 0), coalesce(l.engagement_score, 0)]) FROM leadqual.lead l"
partial_plan "attribute_paths over every journey" \
    "SELECT leadqual.attribute_paths('markov', j.channels, CASE WHEN j.won THEN 1 ELSE 0 END, 0)
       FROM (SELECT e.lead_id, pg_catalog.array_agg(e.channel ORDER BY e.occurred_at, e.event_id) AS channels,
                    pg_catalog.bool_or(e.event_type = 'demo_request') AS won
               FROM leadqual.event e WHERE e.channel IS NOT NULL GROUP BY e.lead_id) j"
partial_plan "engagement_score over every event, not grouped by lead" \
    "SELECT leadqual.engagement_score('default', e.event_type, e.properties, e.occurred_at, '2026-01-01') FROM leadqual.event e"
# attribution(): its aggregate runs over the journeys' query directly (a
# nested statement, so its plan comes from auto_explain, at NOTICE)
plan=$(psql "$LQ_COORD" -At -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = 0" \
           -c "SET auto_explain.log_nested_statements = on" -c "SET auto_explain.log_verbose = on" \
           -c "SET auto_explain.log_level = notice" -c "SELECT pg_catalog.count(*) FROM leadqual.attribution('markov')" 2>&1)
# (auto_explain logs a plan once per level it runs at: the combine shows up
# more than once, but no journey crosses as a row)
if grep -q "worker_partial_agg('leadqual.attribute_journeys(" <<<"$plan" && grep -q "Task Count: 8" <<<"$plan" \
   && grep -q "coord_combine_agg('[0-9]*'::oid, remote_scan.attribute_journeys" <<<"$plan" \
   && ! grep -q "intermediate_result(lead_id bigint, channels" <<<"$plan"; then
    echo "ok    attribution('markov'): attribute_journeys as worker_partial_agg on the 8 shards, combined on the coordinator"
else
    echo "FAIL  attribution('markov'): its merge is not shard partials and one combine:"; echo "$plan"; status=1
fi
# channel_attribution: its reach and its nine methods' credit as shard
# partials over the journeys' query, combined on the coordinator; no
# journey crosses as a row (its function's plan, from auto_explain)
plan=$(psql "$LQ_COORD" -At -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = 0" \
           -c "SET auto_explain.log_nested_statements = on" -c "SET auto_explain.log_verbose = on" \
           -c "SET auto_explain.log_level = notice" -c "SELECT pg_catalog.count(*) FROM leadqual.channel_attribution" 2>&1)
if grep -q "worker_partial_agg('leadqual.attribute_journeys(" <<<"$plan" && grep -q "Task Count: 8" <<<"$plan" \
   && grep -q "coord_combine_agg('[0-9]*'::oid, remote_scan.credits" <<<"$plan" \
   && grep -q "Query: SELECT worker_column_1 AS channel, sum(worker_column_2) AS touches, count(\*) AS leads" <<<"$plan" \
   && ! grep -q "intermediate_result(lead_id bigint, channels" <<<"$plan"; then
    echo "ok    channel_attribution: reach and attribute_journeys as partials on the 8 shards, combined on the coordinator"
else
    echo "FAIL  channel_attribution: its merge is not shard partials and one combine:"; echo "$plan"; status=1
fi
# the report views: lead_timelines runs whole on the shards (its joins and
# subqueries are all on lead_id), and a report's counts and sums over it run
# there too: the shards' query computes the timelines and counts them, the
# coordinator adds up one row per group and shard
pushed_report() {
    local plan
    plan=$(psql "$LQ_COORD" -At -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM leadqual.$1")
    if grep -q "Task Count: 8" <<<"$plan" && grep -q "Query: SELECT .*count(.*leadqual\.lead_timeline(" <<<"$plan" \
       && ! grep -q "read_intermediate_result.*intermediate_result(lead_id bigint" <<<"$plan"; then
        echo "ok    report $1: timelines and their counts computed on the 8 shards, partial counts combined on the coordinator"
    else
        echo "FAIL  report $1: its counts do not run on the shards with the timelines:"; echo "$plan"; status=1
    fi
}
for v in funnel_by_cohort funnel_by_period rejection_reasons; do
    pushed_report "$v"
done
# the check can fail: funnel's exact medians (percentile_cont) need every
# lead's durations on the coordinator (README, Running on Citus)
if pushed_report funnel | grep -q "^ok"; then
    echo "FAIL  report funnel now passes the check above: its medians cannot run as shard partials; fix the check"; status=1
else
    echo "ok    the check can fail: funnel (exact medians) is not counted on the shards"
fi
# the negative control: an aggregate with an internal state is pulled to the coordinator row by row
plan=$(psql "$LQ_COORD" -At -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT leadqual.mql_crossing('default', 0, e.event_type, e.properties, e.occurred_at) FROM leadqual.event e")
if grep -q "worker_partial_agg" <<<"$plan"; then
    echo "FAIL  mql_crossing over all leads now runs as partials: move it to the checks above and README"; status=1
else
    echo "ok    the check can fail: mql_crossing (internal state, a per-lead aggregate) over all leads is pulled to the coordinator"
fi

echo "== citus: after a rule edit (the workers' rule caches must follow it)"
edit="UPDATE leadqual.fit_rule SET points = points + 7 WHERE model = 'default' AND field = 'job_title'"
psql "$LQ_PLAIN" -c "$edit"
LQ_COMPARE_ONLY="score() of every lead, pushed down" LQ_COMPARE_BEFORE="$edit" \
    /usr/bin/python3 test/citus/compare.py "$LQ_PLAIN" "$LQ_COORD" || status=1

echo "== citus: lead.external_id unique (lead_key, a reference table, and lead's foreign key to it)"
# distribute() claimed every lead's external_id for it, and nothing else
psql "$LQ_COORD" -At <<'SQL' | grep -qx t && echo "ok    every lead's external_id claimed by that lead in lead_key, no other claim" \
    || { echo "FAIL  lead_key does not match the leads' external_ids"; status=1; }
SELECT (SELECT pg_catalog.count(*) FROM leadqual.lead l JOIN leadqual.lead_key k
          ON k.external_id OPERATOR(pg_catalog.=) l.external_id AND k.lead_id OPERATOR(pg_catalog.=) l.lead_id)
       = (SELECT pg_catalog.count(l.external_id) FROM leadqual.lead l)
   AND (SELECT pg_catalog.count(*) FROM leadqual.lead_key) = (SELECT pg_catalog.count(l.external_id) FROM leadqual.lead l)
   AND (SELECT pg_catalog.count(l.external_id) FROM leadqual.lead l) = 1500;
SQL
ins="INSERT INTO leadqual.lead_intake (external_id, created_at) VALUES"
expect_error "$LQ_COORD" 23505 "$ins ('demo-000001', now())"
expect_error "$LQ_COORD" 23505 "$ins ('xid-0', now()), ('xid-0', now())"
expect_error "$LQ_COORD" 23505 "$ins ('xid-0', now()); $ins ('xid-0', now())"
expect_error "$LQ_COORD" 23503 "INSERT INTO leadqual.lead (external_id, created_at) VALUES ('xid-0', now())"
expect_error "$LQ_COORD" 23503 "UPDATE leadqual.lead SET external_id = 'demo-000002' WHERE external_id = 'demo-000001'"
expect_error "$LQ_COORD" 23505 "SELECT leadqual.claim_external_ids('{demo-000001}', '{2}')"
expect_error "$LQ_COORD" 23503 "DELETE FROM leadqual.lead_key WHERE external_id = 'demo-000001'"
# a stale claim (its lead deleted, or renamed) is replaced; a rename claims first
psql "$LQ_COORD" -At <<SQL | grep -qx t && echo "ok    stale claims replaced, a lead renamed through claim_external_ids, leads without external_id need none" \
    || { echo "FAIL  stale claims or renames"; status=1; }
BEGIN;
$ins ('xid-1', now()), (NULL, now());
DELETE FROM leadqual.lead WHERE external_id = 'xid-1';
$ins ('xid-1', now());
SELECT leadqual.claim_external_ids('{xid-2}', ARRAY[(SELECT l.lead_id FROM leadqual.lead l WHERE l.external_id = 'xid-1')]) \g /dev/null
UPDATE leadqual.lead SET external_id = 'xid-2' WHERE external_id = 'xid-1';
$ins ('xid-1', now());
SELECT (SELECT pg_catalog.count(*) FROM leadqual.lead l WHERE l.external_id IN ('xid-1', 'xid-2')) = 2
   AND (SELECT pg_catalog.count(*) FROM leadqual.lead_key k WHERE k.external_id IN ('xid-1', 'xid-2')) = 2
   AND (SELECT pg_catalog.count(*) FROM leadqual.lead l JOIN leadqual.lead_key k
          ON k.external_id OPERATOR(pg_catalog.=) l.external_id AND k.lead_id OPERATOR(pg_catalog.=) l.lead_id
         WHERE l.external_id IN ('xid-1', 'xid-2')) = 2;
ROLLBACK;
SQL
# under row-level security on lead (a rep sees and loads own leads only):
# lead_intake loads a row at a time (Citus's INSERT … SELECT is a COPY,
# which PostgreSQL refuses under row-level security), and an id held by a
# lead the rep cannot see is still refused
psql "$LQ_COORD" -q <<'SQL'
CREATE ROLE lq_citus_rep LOGIN;
GRANT leadqual_writer TO lq_citus_rep;
ALTER TABLE leadqual.lead ENABLE ROW LEVEL SECURITY;
CREATE POLICY lq_citus_own ON leadqual.lead USING (owner = current_user) WITH CHECK (owner = current_user);
SQL
rep="options='-c role=lq_citus_rep' $LQ_COORD"
expect_error "$rep" 23505 "$ins ('demo-000001', now())"
expect_error "$rep" 42501 "INSERT INTO leadqual.lead_intake (external_id, created_at, owner) VALUES ('xid-rls-2', now(), 'someone')"
psql "$rep" -At -c "INSERT INTO leadqual.lead_intake (external_id, created_at, owner) VALUES ('xid-rls', now(), 'lq_citus_rep'), (NULL, now(), 'lq_citus_rep')" \
    -c "SELECT pg_catalog.count(*) = 2 FROM leadqual.lead" | grep -qx t \
    && echo "ok    under row-level security a rep loads own leads through lead_intake, sees those only" \
    || { echo "FAIL  lead_intake under row-level security"; status=1; }
psql "$LQ_COORD" -q <<'SQL'
DELETE FROM leadqual.lead WHERE owner = 'lq_citus_rep';
DELETE FROM leadqual.lead_key WHERE external_id = 'xid-rls';
DROP POLICY lq_citus_own ON leadqual.lead;
ALTER TABLE leadqual.lead DISABLE ROW LEVEL SECURITY;
DROP OWNED BY lq_citus_rep;
DROP ROLE lq_citus_rep;
SQL
# two sessions inserting the same external_id at once: the second waits for
# the first and is refused when it commits
psql "$LQ_COORD" -q -c "BEGIN" -c "$ins ('xid-race', now())" -c "SELECT pg_catalog.pg_sleep(2)" -c "COMMIT" >/dev/null &
race=$!
sleep 0.5
expect_error "$LQ_COORD" 23505 "$ins ('xid-race', now())"
wait $race
psql "$LQ_COORD" -At <<'SQL' | grep -qx t && echo "ok    the first session's lead kept its external_id" \
    || { echo "FAIL  the race left other than one lead with its claim"; status=1; }
SELECT (SELECT pg_catalog.count(*) FROM leadqual.lead l WHERE l.external_id = 'xid-race') = 1
   AND (SELECT pg_catalog.count(*) FROM leadqual.lead_key k WHERE k.external_id = 'xid-race') = 1;
SQL
psql "$LQ_COORD" -q -c "DELETE FROM leadqual.lead WHERE external_id = 'xid-race'" \
    -c "DELETE FROM leadqual.lead_key WHERE external_id = 'xid-race'"

if [ -n "${LQ_CITUS_KEEP:-}" ]; then
    # for development: leave the cluster running, its connection strings in a file
    trap - EXIT
    printf 'C="%s"\nP="%s"\n' "$LQ_COORD" "$LQ_PLAIN" > "$LQ_CITUS_KEEP"
    echo "citus: cluster kept in $dir, connection strings in $LQ_CITUS_KEEP"
    exit $status
fi
lq_citus_stop
rm -rf "$dir"
exit $status
