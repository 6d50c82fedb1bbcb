-- The demo's reports (run by test/demo.sh on a throwaway cluster).
-- psql variable leads: how many demo leads to generate (default 20000).
-- The demo's clock stops at the end of its period, 2026-01-01 00:00 UTC:
-- scores, decay and SLAs are seen from there.
\if :{?leads}
\else
\set leads 20000
\endif
\set as_of '''2026-01-01 00:00+00'''
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
\pset footer off
\pset null ''

\echo
\echo '== CREATE EXTENSION leadqual'
CREATE EXTENSION leadqual;

\echo
\echo '== generate_demo(':leads') - a year of CRM history, 2025, seed 1'
\timing on
SELECT leadqual.generate_demo(:leads) AS leads_created;
\echo
\echo '== rescore() as of the end of the period (the demo is already scored: nothing changes)'
SELECT leadqual.rescore(:as_of) AS leads_changed;
\timing off

\echo
\echo '== What was generated'
SELECT (SELECT count(*) FROM leadqual.lead) AS leads,
       (SELECT count(*) FROM leadqual.event) AS events,
       (SELECT count(*) FROM leadqual.event WHERE channel IS NOT NULL) AS touches,
       (SELECT count(*) FROM leadqual.stage_history) AS stage_moves,
       (SELECT count(*) FROM leadqual.opportunity) AS opportunities,
       (SELECT sum(amount) FROM leadqual.opportunity WHERE status = 'won') AS revenue_won;

-- ---------------------------------------------------------------------
-- Scores
-- ---------------------------------------------------------------------
\echo
\echo '== Grade distribution (letter: fit A..D, digit: engagement 1..4; A1 is best)'
SELECT grade, count(*) AS leads,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct,
       round(avg(fit_score)::numeric, 1) AS avg_fit,
       round(avg(engagement_score)::numeric, 1) AS avg_engagement,
       repeat('#', ceil(50.0 * count(*) / max(count(*)) OVER ())::integer) AS bar
  FROM leadqual.lead
 GROUP BY grade ORDER BY grade;

\echo
\echo '== Score histogram (bands of 25 points; the MQL threshold of the default model is marked)'
SELECT CASE WHEN b < 0 THEN '   < 0'
            ELSE format('%4s-%s', b * 25, b * 25 + 25) END AS score_band,
       n AS leads,
       CASE WHEN b * 25 >= t THEN 'MQL' ELSE '' END AS mql,
       repeat('#', ceil(50.0 * n / max(n) OVER ())::integer) AS bar
  FROM (SELECT greatest(floor(score / 25), -1)::integer AS b, count(*) AS n
          FROM leadqual.lead GROUP BY 1) h,
       (SELECT mql_threshold AS t FROM leadqual.scoring_model WHERE name = 'default') m
 ORDER BY b;

\echo
\echo '== The 10 hottest leads'
CREATE TEMP TABLE hottest AS
SELECT row_number() OVER (ORDER BY score DESC, lead_id) AS rank, lead_id, external_id,
       job_title, company, company_size, country, source_channel, owner, stage,
       round(score::numeric, 1) AS score, grade
  FROM leadqual.lead
 ORDER BY score DESC, lead_id LIMIT 10;
SELECT rank, external_id, job_title, company, company_size AS employees, country,
       source_channel AS channel, owner, stage, score, grade
  FROM hottest ORDER BY rank;

\echo
\echo '== Why they are hot: explain_score ledgers (fit rules, then engagement rules; they sum to the score)'
SELECT h.rank, h.external_id, x.kind, x.description, x.matched_events AS events,
       round(x.contribution::numeric, 2) AS points
  FROM hottest h
 CROSS JOIN LATERAL leadqual.explain_score(h.lead_id, :as_of) x
 ORDER BY h.rank, x.kind DESC, x.contribution DESC, x.rule_id;

-- ---------------------------------------------------------------------
-- Lifecycle
-- ---------------------------------------------------------------------
\echo
\echo '== Leads by current stage'
SELECT stage, count(*) AS leads,
       count(*) FILTER (WHERE sla_due_at < :as_of) AS past_sla,
       round((extract(epoch FROM avg(:as_of::timestamptz - stage_entered_at)) / 86400)::numeric, 1)
           AS avg_days_in_stage
  FROM leadqual.lead
 GROUP BY stage ORDER BY stage;

\echo
\echo '== MQL -> SAL acceptance by channel (every MQL: what sales did next; ignored = nothing before its SLA)'
WITH mql AS (
    SELECT h.lead_id, l.source_channel AS channel, h.changed_at,
           h.changed_at + m.sla AS due,
           nx.to_stage AS next_stage, nx.changed_at AS next_at
      FROM leadqual.stage_history h
      JOIN leadqual.lead l USING (lead_id)
      JOIN leadqual.scoring_model m ON m.name = l.model
      LEFT JOIN LATERAL (SELECT n.to_stage, n.changed_at FROM leadqual.stage_history n
                          WHERE n.lead_id = h.lead_id AND n.history_id > h.history_id
                          ORDER BY n.history_id LIMIT 1) nx ON true
     WHERE h.to_stage = 'mql'
)
SELECT channel, count(*) AS mqls,
       count(*) FILTER (WHERE next_stage = 'sal') AS accepted,
       count(*) FILTER (WHERE next_stage IN ('nurture', 'disqualified')) AS rejected,
       count(*) FILTER (WHERE coalesce(next_at, :as_of) > due AND due <= :as_of) AS ignored,
       round(100.0 * count(*) FILTER (WHERE next_stage = 'sal') / count(*), 1) AS acceptance_pct,
       round(100.0 * count(*) FILTER (WHERE next_stage IN ('nurture', 'disqualified'))
             / nullif(count(*) FILTER (WHERE next_stage IS NOT NULL), 0), 1) AS rejection_pct
  FROM mql
 GROUP BY channel ORDER BY acceptance_pct DESC, channel;

\echo
\echo '== Why sales rejects (moves from mql, sal or sql by sales into nurture or disqualified)'
SELECT reason, count(*) AS rejections,
       count(*) FILTER (WHERE to_stage = 'nurture') AS recycled,
       count(*) FILTER (WHERE to_stage = 'disqualified') AS disqualified
  FROM leadqual.stage_history
 WHERE actor = 'sales' AND from_stage IN ('mql', 'sal', 'sql')
   AND to_stage IN ('nurture', 'disqualified')
 GROUP BY reason ORDER BY rejections DESC, reason;
