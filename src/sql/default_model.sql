
/* src/sql/default_model.sql — the shipped B2B model, reasons and transitions */

/*
 * The threshold is above the best possible fit (85), so no lead becomes an
 * MQL on who it is alone; a fit grade of at least C keeps poor fits out
 * unless they raise their hand.
 *
 * The best fit is 85 because the three seniority rules are one rule_group
 * (a "Founder, Director and Team Lead" is scored once, as a founder: 35)
 * and the company-size ranges are another (they are disjoint on the integer
 * company_size anyway; the group keeps it so if a range is edited):
 * 35 seniority + 25 size + 15 industry + 10 country.  The student penalty
 * is not in the seniority group: it applies on top ("Founder (student)"
 * gets 35 - 30).
 */
/*
 * The free-mail providers, defined once: the default model's free e-mail
 * fit rule below is built from this list, and account_key
 * (src/sql/accounts.sql) gives a lead whose e-mail domain's first label is
 * one of them no account.  IMMUTABLE: the list is part of this version of
 * the extension (editing the fit rule does not change it).
 */
CREATE FUNCTION @extschema@.free_mail_domains()
    RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN '{gmail,googlemail,yahoo,hotmail,outlook,live,aol,icloud,gmx,web,mail}'::pg_catalog.text[];
COMMENT ON FUNCTION @extschema@.free_mail_domains() IS
    'first labels of free-mail e-mail domains (gmail, yahoo, …): the default model''s free e-mail fit rule and account_key use this list';

INSERT INTO @extschema@.scoring_model (name, mql_threshold, min_fit_grade, description, builtin)
VALUES ('default', 100, 'C', 'B2B model: fit on seniority, company size, industry and business e-mail; engagement on hand-raises, pricing interest, webinars, content and e-mail', true);

INSERT INTO @extschema@.fit_rule (model, field, op, value, points, rule_group, description, builtin) VALUES
    ('default', 'job_title', 'regex', '"(^|[^a-z])(chief|ceo|cto|cfo|cmo|coo|cio|founder|owner|president)([^a-z]|$)"', 35, 'seniority', 'C-level, founder or owner', true),
    ('default', 'job_title', 'regex', '"(^|[^a-z])(vp|svp|evp|vice president|head of|director)([^a-z]|$)"', 25, 'seniority', 'VP, head of or director', true),
    ('default', 'job_title', 'regex', '"(^|[^a-z])(manager|lead)([^a-z]|$)"', 15, 'seniority', 'manager or team lead', true),
    ('default', 'job_title', 'regex', '"(^|[^a-z])(student|intern|trainee)([^a-z]|$)"', -30, NULL, 'student or intern', true),
    ('default', 'company_size', 'range', '[1000, null]', 25, 'company_size', 'enterprise (1000+ employees)', true),
    ('default', 'company_size', 'range', '[200, 999]', 20, 'company_size', 'mid-market (200-999 employees)', true),
    ('default', 'company_size', 'range', '[50, 199]', 10, 'company_size', 'small business (50-199 employees)', true),
    ('default', 'company_size', 'range', '[0, 9]', -10, 'company_size', 'micro company (under 10 employees)', true),
    ('default', 'industry', 'in', '["software", "saas", "technology", "financial services", "manufacturing", "healthcare"]', 15, NULL, 'target industry', true),
    ('default', 'country', 'in', '["US", "CA", "GB", "DE", "FR", "NL", "SE", "AU"]', 10, NULL, 'target market', true),
    -- '@(gmail|googlemail|…|mail)\.': an '@' followed by a listed first label and a dot
    ('default', 'email', 'regex',
     pg_catalog.to_jsonb(pg_catalog.concat('@(', pg_catalog.array_to_string(@extschema@.free_mail_domains(), '|'), E')\\.')),
     -20, NULL, 'free e-mail address', true);

INSERT INTO @extschema@.engagement_rule (model, event_type, properties, points, half_life, max_points, min_count, within, description, builtin) VALUES
    ('default', 'demo_request', NULL, 40, '30 days', 60, 1, NULL, 'demo request (hand-raise)', true),
    ('default', 'contact_request', NULL, 30, '30 days', 45, 1, NULL, 'contact request (hand-raise)', true),
    ('default', 'page_view', '{"page": "pricing"}', 10, '14 days', 30, 1, NULL, 'pricing page visit', true),
    ('default', 'webinar_attended', NULL, 15, '30 days', 30, 1, NULL, 'webinar attended', true),
    ('default', 'content_download', NULL, 8, '30 days', 24, 1, NULL, 'content download (white paper, e-book)', true),
    ('default', 'email_click', NULL, 3, '14 days', 15, 1, NULL, 'e-mail click', true),
    ('default', 'email_open', NULL, 1, '7 days', 5, 1, NULL, 'e-mail open', true),
    ('default', 'page_view', NULL, 1, '7 days', 10, 1, NULL, 'web page visit', true),
    ('default', 'page_view', NULL, 10, NULL, NULL, 5, '7 days', 'repeat visitor: 5+ page views within 7 days', true),
    ('default', 'unsubscribe', NULL, -20, NULL, 20, 1, NULL, 'unsubscribed from e-mail', true);

INSERT INTO @extschema@.rejection_reason (code, label, recyclable, builtin) VALUES
    ('no_budget', 'No budget', true, true),
    ('no_authority', 'Not a decision maker', true, true),
    ('no_need', 'No need for the product', true, true),
    ('bad_timing', 'Bad timing', true, true),
    ('bad_contact_data', 'Bad or missing contact data', false, true),
    ('competitor', 'Competitor', false, true),
    ('student', 'Student or researcher', false, true),
    ('existing_customer', 'Existing customer', false, true),
    ('duplicate', 'Duplicate lead', false, true),
    ('unresponsive', 'Does not respond', true, true);

INSERT INTO @extschema@.transition (from_stage, to_stage, actors, reason_required, builtin) VALUES
    ('inquiry', 'mql', '{system,marketing}', false, true),
    ('inquiry', 'sal', '{sales}', false, true),
    ('inquiry', 'disqualified', '{system,marketing,sales}', false, true),
    ('mql', 'sal', '{sales}', false, true),
    ('mql', 'nurture', '{sales,marketing}', true, true),
    ('mql', 'disqualified', '{system,marketing,sales}', true, true),
    ('sal', 'sql', '{sales}', false, true),
    ('sal', 'nurture', '{sales}', true, true),
    ('sal', 'disqualified', '{sales}', true, true),
    ('sql', 'opportunity', '{sales}', false, true),
    ('sql', 'nurture', '{sales}', true, true),
    ('sql', 'disqualified', '{sales}', true, true),
    ('opportunity', 'won', '{sales}', false, true),
    ('opportunity', 'lost', '{sales}', true, true),
    ('lost', 'nurture', '{system,marketing}', false, true),
    ('nurture', 'mql', '{system,marketing}', false, true),
    ('nurture', 'disqualified', '{system,marketing,sales}', true, true),
    ('disqualified', 'nurture', '{marketing}', true, true);
