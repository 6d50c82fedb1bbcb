#!/usr/bin/env bash
# Scheduling test: a server with pg_cron preloaded really runs the nightly
# leadqual.rescore() job the README tells DBAs to schedule.
#
# pg_cron 1.4 (Debian bookworm) schedules by the minute, so this waits for
# the next minute boundary (at most ~70 s).  Jobs run in background workers
# (cron.use_background_workers), so no password is needed.
set -euo pipefail
cd "$(dirname "$0")/../.."
PGVER=${PGVER:-15}

pg_virtualenv -t -v "$PGVER" \
    -o shared_preload_libraries=pg_cron \
    -o cron.database_name=postgres \
    -o cron.use_background_workers=on \
    -o max_worker_processes=16 \
    bash -s <<'SCRIPT'
set -euo pipefail
psql() { command psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }

psql <<'SQL'
CREATE EXTENSION pg_cron;
CREATE EXTENSION leadqual;
-- a lead whose stored score is stale: events loaded with live scoring off
SET leadqual.auto_scoring = off;
INSERT INTO leadqual.lead (external_id, created_at, job_title, company_size)
VALUES ('cron-1', '2025-01-01', 'VP Marketing', 500);
INSERT INTO leadqual.event (lead_id, event_type, occurred_at)
SELECT lead_id, 'webinar_attended', now() - interval '1 day' FROM leadqual.lead;
-- the job of the README's operations guide
SELECT cron.schedule('leadqual-nightly-rescore', '* * * * *', 'SELECT leadqual.rescore()');
SQL

for i in $(seq 1 90); do
    done_runs=$(psql -At -c "SELECT count(*) FROM cron.job_run_details d JOIN cron.job j USING (jobid)
                              WHERE j.jobname = 'leadqual-nightly-rescore' AND d.status IN ('succeeded', 'failed')")
    [ "$done_runs" -gt 0 ] && break
    sleep 1
done

psql -At -c "SELECT status, return_message FROM cron.job_run_details ORDER BY runid" | sed 's/^/job run: /'
ok=$(psql -At <<'SQL'
SELECT bool_and(d.status = 'succeeded')
       AND (SELECT l.scored_at IS NOT NULL
                   AND l.score = (leadqual.score(l.lead_id, l.scored_at)).score
              FROM leadqual.lead l WHERE l.external_id = 'cron-1')
  FROM cron.job_run_details d
SQL
)
if [ "$ok" = "t" ]; then
    echo "cron: 1 passed, 0 failed"
else
    echo "cron: 0 passed, 1 failed (the scheduled rescore did not run or did not store the score)"
    exit 1
fi
SCRIPT
