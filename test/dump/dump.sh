#!/usr/bin/env bash
# pg_dump / pg_restore round trip of a database using leadqual: every lead,
# event, history row and opportunity comes back, and so does every user or
# edited rule, model, reason, transition and predictive model (builtin rows are recreated by
# CREATE EXTENSION; an edited one replaces its builtin twin on restore).
# The restore runs as the README says: live scoring off, then rescore().
set -euo pipefail
cd "$(dirname "$0")/../.."
PGVER=${PGVER:-15}

pg_virtualenv -t -v "$PGVER" bash -s <<'SCRIPT'
set -euo pipefail
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
dir=$(mktemp -d)
chmod 777 "$dir"

createdb lq_src
psql -d lq_src <<'SQL'
CREATE EXTENSION leadqual;
SELECT leadqual.generate_demo(300) AS demo_leads;
-- edit builtin rows, add user rows
UPDATE leadqual.fit_rule SET points = 33 WHERE model = 'default' AND description = 'C-level, founder or owner';
UPDATE leadqual.scoring_model SET mql_threshold = 90 WHERE name = 'default';
UPDATE leadqual.transition SET reason_required = true WHERE from_stage = 'inquiry' AND to_stage = 'disqualified';
INSERT INTO leadqual.scoring_model (name, mql_threshold) VALUES ('smb', 40);
UPDATE leadqual.fit_rule SET rule_group = NULL WHERE model = 'default' AND description = 'manager or team lead';
INSERT INTO leadqual.fit_rule (model, field, op, value, points, description, rule_group)
VALUES ('smb', 'company_size', 'range', '[1, 49]', 20, 'small business', 'size');
INSERT INTO leadqual.engagement_rule (model, event_type, points, half_life) VALUES ('smb', 'webinar_attended', 25, '10 days');
INSERT INTO leadqual.rejection_reason (code, label, recyclable) VALUES ('wrong_region', 'Outside our regions', true);
SELECT leadqual.rescore('2026-01-01') >= 0 AS rescored;
-- the default predictive model, edited and trained (no longer builtin), and a user model
UPDATE leadqual.predictive_model SET outcome = 'sal' WHERE name = 'default';
SELECT count(*) AS metrics FROM leadqual.train_predictive('default', '2026-01-01');
INSERT INTO leadqual.predictive_model (name, features, horizon) VALUES ('smb_pred', '{source_channel,fit_score}', '90 days');
SQL

fingerprint() {
    psql -d "$1" -At <<'SQL'
SELECT t, md5(string_agg(r, '|' ORDER BY r))
  FROM (SELECT 'scoring_model' AS t, x::text AS r FROM leadqual.scoring_model x
        UNION ALL SELECT 'fit_rule', x::text FROM leadqual.fit_rule x
        UNION ALL SELECT 'engagement_rule', x::text FROM leadqual.engagement_rule x
        UNION ALL SELECT 'rejection_reason', x::text FROM leadqual.rejection_reason x
        UNION ALL SELECT 'transition', x::text FROM leadqual.transition x
        UNION ALL SELECT 'predictive_model', x::text FROM leadqual.predictive_model x
        UNION ALL SELECT 'lead', x::text FROM leadqual.lead x
        UNION ALL SELECT 'event', x::text FROM leadqual.event x
        UNION ALL SELECT 'stage_history', x::text FROM leadqual.stage_history x
        UNION ALL SELECT 'opportunity', x::text FROM leadqual.opportunity x) s
 GROUP BY t ORDER BY t;
SQL
}
fingerprint lq_src > "$dir/src.txt"

pg_dump -Fc -d lq_src -f "$dir/lq.dump"
createdb lq_dst
PGOPTIONS='-c leadqual.auto_scoring=off' pg_restore --exit-on-error -d lq_dst "$dir/lq.dump"
fingerprint lq_dst > "$dir/dst.txt"

passed=0; failed=0
check() {  # check <description> <command…>
    if "${@:2}"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1"; fi
}
check "every table comes back identical" diff "$dir/src.txt" "$dir/dst.txt"
check "the edited builtin rule is there once, with its new points" \
    test "$(psql -d lq_dst -At -c "SELECT string_agg(points::text || ' ' || builtin::text, ',') FROM leadqual.fit_rule WHERE description = 'C-level, founder or owner'")" = "33 false"
check "the trained default predictive model comes back once, trained, as a user row, and predicts as before" \
    test "$(psql -d lq_dst -At -c "SELECT count(*) || ' ' || bool_and(NOT builtin) || ' ' || bool_and(fit IS NOT NULL) FROM leadqual.predictive_model WHERE name = 'default'")" = "1 true true" -a \
         "$(psql -d lq_dst -At -c "SELECT md5(string_agg(p.lead_id || ':' || p.probability, ',' ORDER BY p.lead_id)) FROM leadqual.predictions('default', '2026-01-01') p")" = \
         "$(psql -d lq_src -At -c "SELECT md5(string_agg(p.lead_id || ':' || p.probability, ',' ORDER BY p.lead_id)) FROM leadqual.predictions('default', '2026-01-01') p")"
check "rule groups come back: the edited builtin rule left its group, the user rule has one" \
    test "$(psql -d lq_dst -At -c "SELECT string_agg(coalesce(rule_group, '-') || ' ' || builtin::text, ',' ORDER BY rule_id) FROM leadqual.fit_rule WHERE description IN ('manager or team lead', 'VP, head of or director', 'small business')")" = "seniority true,- false,size false"
check "sequences go on after the restored ids" \
    test "$(psql -d lq_dst -At -c "INSERT INTO leadqual.lead (created_at) VALUES ('2026-01-01') RETURNING lead_id > (SELECT max(lead_id) FROM leadqual.lead WHERE external_id LIKE 'demo-%')")" = "t"
check "the report views belong to the extension: the dump holds no view of its own" \
    test "$(pg_restore -l "$dir/lq.dump" | grep -c ' VIEW ' || true)" = "0"
check "the report views are back (from CREATE EXTENSION) and read the restored leads" \
    test "$(psql -d lq_dst -At -c "SELECT (SELECT count(*) FROM leadqual.lead_status) = (SELECT count(*) FROM leadqual.lead) AND (SELECT count(*) FROM leadqual.sla_breaches) = (SELECT count(*) FROM leadqual.lead WHERE stage = 'mql' AND sla_due_at < now())")" = "t"
after=$(psql -d lq_dst -At -c "SELECT leadqual.rescore('2026-01-01', 'default')" \
             -c "SELECT (SELECT count(*) FROM leadqual.lead_score_state) = (SELECT count(*) FROM leadqual.lead)" | tr '\n' ' ')
echo "rescore after restore: $after"
check "rescore() after the restore rebuilds the live states and changes no score" test "$after" = "0 t "
rm -rf "$dir"
echo "dump: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
SCRIPT
