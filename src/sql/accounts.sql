
/* src/sql/accounts.sql — accounts (SPEC §9): the account key of a lead and account_status */

/*
 * account_key(email, account): the account a lead belongs to.
 *   - account (lead.account, the CRM account id) when it is not NULL and
 *     not blank: trimmed of spaces, tabs and line breaks, otherwise kept as
 *     given (CRM ids may be case-sensitive);
 *   - else the e-mail's domain: the part after the last '@', trimmed the
 *     same way and lower-cased;
 *   - NULL when the address has no '@' or nothing after it, or when the
 *     domain is a free-mail one: its first label (up to the first '.') is
 *     in free_mail_domains(), the list the default model's free e-mail fit
 *     rule '@(gmail|…)\.' is built from: 'x@GMail.com' and 'x@web.de'
 *     have no account, and nor has 'x@mail.acme.com' (its first label
 *     'mail' is listed; the fit rule's regex says the same).  Unlike the
 *     regex, a domain without a dot ('x@gmail') is judged by its one label
 *     too, and only the last '@' counts ('a@gmail.com@acme.com' is acme.com).
 * A plain SQL expression, so the planner inlines it (no call per row) and
 * folds free_mail_domains() to a constant.  IMMUTABLE, PARALLEL SAFE, not
 * STRICT: a NULL account falls back to the e-mail.
 */
CREATE FUNCTION @extschema@.account_key(email text, account text)
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE
        WHEN pg_catalog.btrim(account, E' \t\n\r') OPERATOR(pg_catalog.<>) ''
            THEN pg_catalog.btrim(account, E' \t\n\r')
        WHEN pg_catalog.strpos(email, '@') OPERATOR(pg_catalog.=) 0
            THEN NULL
        WHEN pg_catalog.split_part(pg_catalog.lower(pg_catalog.btrim(pg_catalog.split_part(email, '@', -1),
                                                                     E' \t\n\r')), '.', 1)
             OPERATOR(pg_catalog.=) ANY (@extschema@.free_mail_domains())
            THEN NULL
        ELSE NULLIF(pg_catalog.lower(pg_catalog.btrim(pg_catalog.split_part(email, '@', -1), E' \t\n\r')), '')
    END;
COMMENT ON FUNCTION @extschema@.account_key(text, text) IS
    'account of a lead: account (trimmed) when not blank, else the lower-cased e-mail domain (after the last @), NULL for no domain or a free-mail one (free_mail_domains())';

/*
 * account_status: one row per account (leads without an account key are
 * left out).  The stages a lead reached come from lead_timelines, the
 * reports' one definition of "reached" (a skipped waterfall stage counts as
 * reached); opportunity is read once, grouped by lead; the latest event of
 * a lead is one probe of event_lead_time_idx (on generate_demo(20000), 2 ms
 * against 76 ms for a pass over its 512,000 events).  Joining
 * lead_timelines reads lead a second time (its rows carry no e-mail or
 * account), as an index-only scan of lead_pkey.  security_invoker, so
 * row-level security on lead and the other tables applies to the reader.
 */
CREATE VIEW @extschema@.account_status WITH (security_invoker = true) AS
SELECT a.account,
       pg_catalog.count(*) AS leads,
       pg_catalog.count(*) FILTER (WHERE a.engagement_score OPERATOR(pg_catalog.>) 0) AS engaged_leads,
       pg_catalog.min(a.grade COLLATE pg_catalog."C") AS best_grade,
       pg_catalog.max(a.fit_score) AS account_fit,
       pg_catalog.sum(a.engagement_score) AS account_engagement,
       pg_catalog.max(a.fit_score) OPERATOR(pg_catalog.+) pg_catalog.sum(a.engagement_score) AS account_score,
       -- the furthest stage by its rank in the waterfall (Citus finds no
       -- max() for an enum when it merges the shards' partial results)
       (pg_catalog.enum_range(NULL::@extschema@.stage))[pg_catalog.max(a.reached)] AS furthest_stage,
       COALESCE(pg_catalog.sum(a.open_amount), 0.00) AS open_pipeline,
       COALESCE(pg_catalog.sum(a.won_amount), 0.00) AS revenue_won,
       pg_catalog.max(a.last_event_at) AS last_activity_at
  FROM (SELECT @extschema@.account_key(l.email, l.account) AS account,
               l.fit_score,
               l.engagement_score,
               l.grade,
               -- rank of the furthest waterfall stage reached in
               -- enum_range(NULL::stage): inquiry 1, mql 2 … won 6
               CASE WHEN t.won_at IS NOT NULL THEN 6
                    WHEN t.opportunity_at IS NOT NULL THEN 5
                    WHEN t.sql_at IS NOT NULL THEN 4
                    WHEN t.sal_at IS NOT NULL THEN 3
                    WHEN t.mql_at IS NOT NULL THEN 2
                    ELSE 1 END AS reached,
               o.open_amount,
               o.won_amount,
               -- one probe of event_lead_time_idx per lead (the planner's
               -- min/max path), not a pass over every event
               (SELECT pg_catalog.max(e.occurred_at) FROM @extschema@.event e
                 WHERE e.lead_id OPERATOR(pg_catalog.=) l.lead_id) AS last_event_at
          FROM @extschema@.lead l
          JOIN @extschema@.lead_timelines t ON t.lead_id OPERATOR(pg_catalog.=) l.lead_id
          LEFT JOIN (SELECT o.lead_id,
                            pg_catalog.sum(o.amount) FILTER (WHERE o.status OPERATOR(pg_catalog.=) 'open') AS open_amount,
                            pg_catalog.sum(o.amount) FILTER (WHERE o.status OPERATOR(pg_catalog.=) 'won') AS won_amount
                       FROM @extschema@.opportunity o
                      GROUP BY o.lead_id) o ON o.lead_id OPERATOR(pg_catalog.=) l.lead_id
         WHERE @extschema@.account_key(l.email, l.account) IS NOT NULL) a
 GROUP BY a.account;
COMMENT ON VIEW @extschema@.account_status IS
    'one row per account (lead.account, else the lead''s business e-mail domain; leads without one are left out): its leads, best fit, summed engagement, furthest stage, pipeline and revenue';
COMMENT ON COLUMN @extschema@.account_status.account IS 'account key: lead.account (trimmed) when set, else the lower-cased e-mail domain unless free-mail (account_key())';
COMMENT ON COLUMN @extschema@.account_status.leads IS 'number of leads of the account';
COMMENT ON COLUMN @extschema@.account_status.engaged_leads IS 'number of its leads with a stored engagement score above 0';
COMMENT ON COLUMN @extschema@.account_status.best_grade IS 'best stored grade of its leads (A1 best, by fit letter then engagement digit); NULL: none graded';
COMMENT ON COLUMN @extschema@.account_status.account_fit IS 'highest stored fit score of its leads (the best-fitting contact speaks for the account); NULL: none scored';
COMMENT ON COLUMN @extschema@.account_status.account_engagement IS 'sum of the stored engagement scores of its leads (the buying committee''s activity adds up); NULL: none scored';
COMMENT ON COLUMN @extschema@.account_status.account_score IS 'account_fit + account_engagement';
COMMENT ON COLUMN @extschema@.account_status.furthest_stage IS 'latest waterfall stage (inquiry < mql < sal < sql < opportunity < won) any of its leads reached, a skipped stage counting as reached, as in lead_timelines';
COMMENT ON COLUMN @extschema@.account_status.open_pipeline IS 'sum of the amounts of its leads'' open opportunities (0 when none)';
COMMENT ON COLUMN @extschema@.account_status.revenue_won IS 'sum of the amounts of its leads'' won opportunities (0 when none)';
COMMENT ON COLUMN @extschema@.account_status.last_activity_at IS 'time of the latest event of any of its leads; NULL: no events';
