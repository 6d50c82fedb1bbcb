-- reports_html: report_html() (SPEC §5), the reports as one XHTML page.
-- The page is parsed here with PostgreSQL's own XML parser (libxml): it
-- must be a well-formed document, and XPath over it reads the charts'
-- titles, the tables' cells and what must not be there (script, links).
-- Cases: an empty database (every section says "No data", no division by
-- zero), an unknown model (42704, as score()), a small history with a
-- hostile channel, owner and reason label, and row-level security on lead
-- (a rep's page counts only the rep's leads).  The history depends on
-- now(), so it and every page of it are made in ONE transaction (now() is
-- the transaction's start time).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
DROP ROLE IF EXISTS lq_rh_ann;
CREATE EXTENSION leadqual;
CREATE ROLE lq_rh_ann IN ROLE leadqual_reader;
RESET client_min_messages;
SET timezone = 'UTC';

\i sql/include/try.sql
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;

-- XPath over a page: the texts (or nodes) that path selects, one per row
-- (h: XHTML, s: SVG)
CREATE FUNCTION pg_temp.page_xpath(page text, path text) RETURNS SETOF text LANGUAGE sql AS $$
    SELECT x::text
      FROM unnest(xpath(path, XMLPARSE(DOCUMENT page),
                        ARRAY[ARRAY['h', 'http://www.w3.org/1999/xhtml'],
                              ARRAY['s', 'http://www.w3.org/2000/svg']])) AS x
$$;
-- what must hold on every page: well-formed, no script, no link, no
-- external reference, every chart with a title and an axis label
CREATE FUNCTION pg_temp.page_checks(page text)
RETURNS TABLE (well_formed boolean, scripts integer, external_refs integer, styles_imported boolean,
               charts integer, charts_with_title integer, charts_with_axis_label integer) LANGUAGE sql AS $$
    SELECT xml_is_well_formed_document(page),
           (SELECT count(*) FROM pg_temp.page_xpath(page, '//h:script | //s:script | //h:link | //h:iframe | //h:object | //h:img'))::integer,
           (SELECT count(*) FROM pg_temp.page_xpath(page, '//@href | //@src | //@*[local-name() = "href"]'))::integer,
           page ~* '@import|url\(',
           (SELECT count(*) FROM pg_temp.page_xpath(page, '//s:svg'))::integer,
           (SELECT count(*) FROM pg_temp.page_xpath(page, '//s:svg[s:title[string-length(.) > 0]]'))::integer,
           (SELECT count(*) FROM pg_temp.page_xpath(page, '//s:svg[s:text[@text-anchor = "middle" and string-length(.) > 2]]'))::integer
$$;

-- ---------------------------------------------------------------------
-- an empty database: the page renders, every section says it has no data
-- ---------------------------------------------------------------------
SELECT * FROM pg_temp.page_checks(leadqual.report_html());
-- the headings, and the one chart (the funnel: six stages, always)
SELECT * FROM pg_temp.page_xpath(leadqual.report_html(), '//h:h2/text() | //s:title/text()');
SELECT * FROM pg_temp.page_xpath(leadqual.report_html(), '//h:p[@class = "note"]/text()');
-- the funnel with 0 leads: bars of length 0, no rate (no division by 0)
SELECT * FROM pg_temp.page_xpath(leadqual.report_html(), '//h:table[1]/h:tbody/h:tr/h:td/text()');
-- the coordinates are numbers (never NaN or Infinity)
SELECT count(*) AS bad_coordinates
  FROM pg_temp.page_xpath(leadqual.report_html(), '//s:*/@x | //s:*/@y | //s:*/@width | //s:*/@height | //s:*/@x1 | //s:*/@x2 | //s:*/@y1 | //s:*/@y2') v
 WHERE v !~ '^-?[0-9]+(\.[0-9]+)?$';
-- a model: same, and the calibration section names it
SELECT * FROM pg_temp.page_xpath(leadqual.report_html('default'), '//h:p[@class = "note"][contains(., "of model")]/text()');

-- an unknown model is an error, as in score(): 42704 (so is '', which no
-- model may be called); a hostile name is quoted as it is
SELECT pg_temp.try($$SELECT leadqual.report_html('no_such_model')$$);
SELECT pg_temp.try($$SELECT leadqual.report_html('')$$);
-- (the scoring functions' own message, from the rules cache: the same)
SELECT pg_temp.try($$SELECT leadqual.grade('no_such_model', 0, 0)$$);

-- ---------------------------------------------------------------------
-- the escaping, alone: the five XML specials as entities, non-ASCII as
-- references (the page is ASCII in a UTF-8 database), the characters XML
-- 1.0 forbids (U+0001, U+001F, U+FFFF) as U+FFFD; tab, newline and CR kept
-- as references
-- ---------------------------------------------------------------------
SELECT leadqual.report_html_escape('<script>alert(1)</script>') AS script,
       leadqual.report_html_escape($$a&b "c" 'd'$$) AS quotes,
       leadqual.report_html_escape(E'\u00e9\u2603 \x01\x1f\uffff|\t\n\r|') AS others,
       leadqual.report_html_escape('') AS empty,
       leadqual.report_html_escape(NULL) IS NULL AS strict;
-- every escaped string is a well-formed XML text and attribute value
SELECT s, xml_is_well_formed_content('<a b="' || leadqual.report_html_escape(s) || '">'
                                     || leadqual.report_html_escape(s) || '</a>') AS ok
  FROM unnest(ARRAY['<script>alert(1)</script>', E'x\x01y', E'\x7f', '&amp;', ']]>', E'\uFFFE', '"''']) AS s;

-- ---------------------------------------------------------------------
-- a small history
-- ---------------------------------------------------------------------
-- Model hq: no rules, no automatic moves (threshold 1000, no hand-raise
-- types), SLA 48 hours; every lead scores fit 0 and engagement 0, grade D4
-- (below the last band 25 in both).
INSERT INTO leadqual.scoring_model (name, mql_threshold, hand_raise_types) VALUES ('hq', 1000, '{}');
-- a reason whose label is hostile (the code cannot be: a lowercase identifier)
INSERT INTO leadqual.rejection_reason (code, label) VALUES ('hostile', E'<i>bad & "worse"</i>\x01');

BEGIN;
-- 1, 2: the hostile channel; 1 has the hostile owner.  3, 4: web.  5: no
-- channel.  All created 60 days ago.
INSERT INTO leadqual.lead (lead_id, external_id, created_at, source_channel, owner, model) VALUES
    (1, 'h1', now() - interval '60 days', '<script>alert(1)</script>', E'<b>o&o''s</b>\x02', 'hq'),
    (2, 'h2', now() - interval '60 days', '<script>alert(1)</script>', 'lq_rh_ann', 'hq'),
    (3, 'h3', now() - interval '60 days', 'web', NULL, 'hq'),
    (4, 'h4', now() - interval '60 days', 'web', 'lq_rh_ann', 'hq'),
    (5, 'h5', now() - interval '60 days', NULL, NULL, 'hq');
-- touches for attribution: lead 3 (won 6 days ago) by the hostile channel
-- 12 days ago, then web 11 days ago; lead 1 (not won) by web 20 days ago
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, channel) VALUES
    (3, 'touch', now() - interval '12 days', '<script>alert(1)</script>'),
    (3, 'touch', now() - interval '11 days', 'web'),
    (1, 'touch', now() - interval '20 days', 'web');
-- 1: MQL 100 hours ago, never touched: due 52 hours ago, breached 52.00
--    hours, ignored;
-- 2: MQL 10 days ago, rejected (recycled) for the hostile reason 1 day
--    later, inside the SLA;
-- 3: MQL 10 days ago, accepted 1 day later by ann, then sql, an
--    opportunity of 1,234,567.89, won;
-- 4: MQL 5 hours ago: pending (due in 43 hours).
SELECT leadqual.transition(1, 'mql', 'marketing', at => now() - interval '100 hours');
SELECT leadqual.transition(2, 'mql', 'marketing', at => now() - interval '10 days');
SELECT leadqual.reject(2, 'hostile', at => now() - interval '9 days');
SELECT leadqual.transition(3, 'mql', 'marketing', at => now() - interval '10 days');
SELECT leadqual.accept(3, 'lq_rh_ann', at => now() - interval '9 days');
SELECT leadqual.transition(3, 'sql', 'sales', at => now() - interval '8 days');
SELECT leadqual.close_opportunity(leadqual.open_opportunity(3, 1234567.89, at => now() - interval '7 days'),
                                  true, at => now() - interval '6 days');
SELECT leadqual.transition(4, 'mql', 'marketing', at => now() - interval '5 hours');
SELECT lead_id, stage, owner, grade FROM leadqual.lead ORDER BY lead_id;

CREATE TEMP TABLE page AS SELECT leadqual.report_html() AS p;
SELECT c.* FROM page, pg_temp.page_checks(p) c;
-- no raw hostile string, no forbidden character reached the page; it is ASCII
SELECT strpos(p, '<script') AS raw_script, strpos(p, '<b>') AS raw_owner, strpos(p, '<i>') AS raw_label,
       strpos(p, chr(1)) + strpos(p, chr(2)) AS control_chars, p ~ '^[\n -~]*$' AS ascii
  FROM page;
-- the charts: funnel, acceptance by channel, reasons, SLA breaches by
-- owner, calibration of model hq
SELECT t FROM page, pg_temp.page_xpath(p, '//s:title/text()') t;
-- headline: 5 leads; 4 MQLs (1, 2, 3, 4): accepted 1 of 4 = 25.0 %,
-- rejected 1 of 4 = 25.0 %, ignored 1 of 4 = 25.0 % (lead 1); 1 breach
SELECT t FROM page, pg_temp.page_xpath(p, '//h:li/text()') t;
-- funnel: reached inquiry 5, mql 4 (1-4), sal 1 (3), sql 1, opportunity 1
-- (3; sal skipped nothing, opportunity entered by open_opportunity), won 1;
-- conversion 4/5 = 80.0 %, 1/4 = 25.0 %, then 1/1 = 100.0 %; median days
-- to next: inquiry to mql over leads 1-4, created 60 days = 1440 hours
-- ago, mql 100 hours, 10 days, 10 days, 5 hours ago: 1340 h = 55.83 d,
-- 50 d, 50 d, 1435 h = 59.79 d, median (50 + 55.83) / 2 = 52.92; then lead
-- 3 alone: mql to sal 1.00, sal to sql 1.00, sql to opportunity 1.00,
-- opportunity to won 1.00 (the table prints one decimal: 52.9, 1.0)
SELECT t FROM page, pg_temp.page_xpath(p, '//h:table[1]/h:tbody/h:tr/h:td/text()') t;
-- the funnel chart's numbers as text: "5 (80.0% to next)" …
SELECT t FROM page, pg_temp.page_xpath(p, '(//s:svg)[1]/s:text/text()') t;
-- acceptance by channel (both channels have 2 MQLs; the hostile one shows
-- as text): hostile 2 MQLs, 0 accepted, 1 rejected (2, recycled), 0
-- disqualified, 1 ignored (1), 0 pending, 0 later won: 0.0 %, 50.0 %; web
-- 2 MQLs, 1 accepted (3), 0 rejected, 0 ignored, 1 pending (4): 50.0 %,
-- 0.0 %
SELECT t FROM page, pg_temp.page_xpath(p, '//h:table[2]/h:tbody/h:tr/h:td/text()') t;
SELECT t FROM page, pg_temp.page_xpath(p, '(//s:svg)[2]/s:text/text()') t;
-- rejection reasons: 1 rejection, the hostile label as text, 100.0 %
SELECT t FROM page, pg_temp.page_xpath(p, '//h:table[3]/h:tbody/h:tr/h:td/text()') t;
-- SLA breaches: lead 1, the hostile owner as text, 52.0 hours overdue
SELECT t FROM page, pg_temp.page_xpath(p, '//h:table[4]/h:tbody/h:tr/h:td[position() != 3 and position() != 4]/text()') t;
-- calibration of hq: one grade, D4: 5 leads; reached mql 4/5 = 80.0 %,
-- sql 1/5 = 20.0 %, won 1/5 = 20.0 %; revenue 1,234,568 (rounded)
SELECT t FROM page, pg_temp.page_xpath(p, '//h:table[5]/h:tbody/h:tr/h:td/text()') t;
-- the win-rate bar: 20 % of the 400-pixel axis = 80 pixels
SELECT t FROM page, pg_temp.page_xpath(p, '(//s:svg)[5]/s:rect/@width') t;
-- channel attribution: journeys [hostile, web] won (1,234,567.89) and
-- [web] not won.  Markov order 1: S->hostile 1, S->web 1, hostile->web 1,
-- web: conversion 1, null 1; x(web) = 1/2 = x(hostile), P = 1/2; without
-- hostile P = (0 + 1/2)/2 = 1/4, RE 1/2; without web P = 0, RE 1; credit
-- 1/3 and 2/3 of the revenue: 411,523 and 823,045 (rounded), web first.
-- Table: channel, touches, leads, won, first touch, last touch, linear
-- (1/2 each: 617,284), Markov, Shapley (1/2 each)
SELECT t FROM page, pg_temp.page_xpath(p, '//h:table[6]/h:tbody/h:tr/h:td/text()') t;
-- the chart's texts: its legend, then each channel (web first, by Markov
-- revenue) with its note (Markov and last-touch revenue), then the axis
SELECT t FROM page, pg_temp.page_xpath(p, '(//s:svg)[6]/s:text/text()') t;

-- model hq: its calibration only, the other sections the same
SELECT t FROM pg_temp.page_xpath(leadqual.report_html('hq'), '//h:h3/text()') t;
SELECT strpos(leadqual.report_html('hq'), 'Model: hq (score calibration only; the other sections count the leads of every model).') > 0 AS says_so;
SELECT (SELECT p FROM page) = replace(leadqual.report_html('hq'),
            'Model: hq (score calibration only; the other sections count the leads of every model).',
            'Model: all models.') AS same_but_the_model_line;
-- model default: no calibration (its leads: none)
SELECT t FROM pg_temp.page_xpath(leadqual.report_html('default'), '//h:p[@class = "note"][contains(., "of model")]/text()') t;

-- ---------------------------------------------------------------------
-- row-level security on lead: ann sees her own leads only, 2 (rejected),
-- 3 (accepted, won) and 4 (pending): 3 leads, 3 MQLs, accepted 1/3 =
-- 33.3 %, rejected 1/3 = 33.3 %, ignored 0 (lead 1 is not hers); no breach;
-- reached 3, 3, 1, 1, 1, 1
-- ---------------------------------------------------------------------
CREATE POLICY own_leads ON leadqual.lead FOR SELECT USING (owner = current_user);
ALTER TABLE leadqual.lead ENABLE ROW LEVEL SECURITY;
SET ROLE lq_rh_ann;
SELECT t FROM pg_temp.page_xpath(leadqual.report_html(), '//h:li/text()') t;
SELECT t FROM pg_temp.page_xpath(leadqual.report_html(), '//h:table[1]/h:tbody/h:tr/h:td[2]/text()') t;
SELECT strpos(leadqual.report_html(), '&lt;b&gt;') AS other_owner_shown;
RESET ROLE;
ROLLBACK;

SET client_min_messages = warning;
DROP EXTENSION leadqual CASCADE;
DROP ROLE lq_rh_ann;
