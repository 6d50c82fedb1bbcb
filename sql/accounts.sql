-- accounts (SPEC §9): the account key of a lead, the account_status view,
-- and the hand-off notification payload.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;
SET timezone = 'UTC';

-- ---------------------------------------------------------------------
-- the free-mail list is defined once; the default model's free e-mail fit
-- rule is built from it and is the regex it always was, byte for byte
-- ---------------------------------------------------------------------
SELECT leadqual.free_mail_domains();
SELECT value::text = '"@(gmail|googlemail|yahoo|hotmail|outlook|live|aol|icloud|gmx|web|mail)\\."' AS same_rule,
       value #>> '{}' AS regex
  FROM leadqual.fit_rule WHERE model = 'default' AND description = 'free e-mail address';

-- ---------------------------------------------------------------------
-- account_key(email, account)
-- ---------------------------------------------------------------------
SELECT email, account, leadqual.account_key(email, account) AS key
  FROM (VALUES
    -- a business address: its domain, lower-cased, trimmed
    ('ann@acme.com', NULL),
    ('Bob@ACME.Com', NULL),
    ('  carol@acme.com  ', NULL),
    (E'dan@acme.com\t\n', NULL),
    -- lead.account wins over the domain, even over a free-mail one; it is
    -- trimmed but keeps its case (CRM ids can be case-sensitive)
    ('eve@acme.com', 'CRM-42'),
    ('frank@gmail.com', ' Crm-42 '),
    (NULL, 'CRM-42'),
    -- a blank account falls back to the e-mail
    ('gina@acme.com', ''),
    ('hal@acme.com', E' \t '),
    -- free-mail: no account, whatever the case; the first label decides
    -- (gmail.co.uk, web.de and mail.ru are free-mail, as the fit rule says)
    ('ivy@gmail.com', NULL),
    ('ivy@GMail.COM', NULL),
    ('jo@gmail.co.uk', NULL),
    ('kim@web.de', NULL),
    ('lee@mail.ru', NULL),
    ('max@mail.acme.com', NULL),
    -- … but a label that only contains a listed one is a company's
    ('ned@gmailer.com', NULL),
    ('oli@acme-mail.com', NULL),
    -- no '@', nothing after it, no e-mail: no account
    ('no-at-sign', NULL),
    ('pat@', NULL),
    ('pat@   ', NULL),
    (NULL, NULL),
    ('', ''),
    -- several '@': the part after the last one
    ('"a@b"@Globex.com', NULL),
    ('x@gmail.com@globex.com', NULL),
    ('x@globex.com@gmail.com', NULL),
    -- a dotless domain is judged by its one label
    ('root@localhost', NULL),
    ('x@gmail', NULL),
    -- non-ASCII domains are lower-cased like the rest
    ('zoë@Bücher.DE', NULL)
  ) v(email, account);
-- the planner inlines it: a plain expression over the columns, the list
-- folded to a constant (no function call per lead)
EXPLAIN (VERBOSE, COSTS OFF) SELECT leadqual.account_key(l.email, l.account) FROM leadqual.lead l;

-- ---------------------------------------------------------------------
-- account_status for a hand-built pair of accounts
-- ---------------------------------------------------------------------
-- Scores are written by hand (live scoring off), so every number below is
-- the one stated; the moves are actions at fixed times.
SET leadqual.auto_scoring = off;
INSERT INTO leadqual.lead (lead_id, external_id, created_at, email, account, fit_score, engagement_score, score, grade) VALUES
    -- acme.com: leads 1, 2, 3
    (1, 'a1', '2025-01-01', 'Ann@Acme.com', NULL, 40, 10, 50, 'B3'),
    (2, 'a2', '2025-01-01', 'bob@ACME.COM ', NULL, 60, 0, 60, 'B4'),
    (3, 'a3', '2025-01-01', 'carol@acme.com', '', NULL, NULL, NULL, NULL),
    -- account CRM-42: lead 4 (a gmail address, but an account) and lead 5
    -- (a globex.com address, but the account wins)
    (4, 'c4', '2025-01-01', 'dan@gmail.com', ' CRM-42 ', 20, 30, 50, 'C2'),
    (5, 'c5', '2025-01-01', 'eve@globex.com', 'CRM-42', 10, 5, 15, 'A1'),
    -- globex.com: lead 11 only (lead 5 belongs to CRM-42)
    (11, 'g11', '2025-01-01', 'hal@Globex.com', NULL, 5, 0, 5, 'D4'),
    -- no account: free-mail, no '@', no e-mail, blank account and nothing
    -- after the '@'; lead 6 wins a big deal, which no account may count
    (6, 'n6', '2025-01-01', 'frank@GMAIL.com', NULL, 99, 99, 198, 'A1'),
    (7, 'n7', '2025-01-01', 'no-at-sign', NULL, 99, 99, 198, 'A1'),
    (8, 'n8', '2025-01-01', NULL, NULL, 99, 99, 198, 'A1'),
    (9, 'n9', '2025-01-01', 'x@', '   ', 99, 99, 198, 'A1');

-- acme: lead 1 reaches opportunity (open, 1000); lead 2 enters at sal by
-- sales, skipping mql (so it reached mql and sal); lead 3 stays inquiry
SELECT leadqual.transition(1, 'mql', 'marketing', at => '2025-01-02');
SELECT leadqual.accept(1, 'maria', '2025-01-03');
SELECT leadqual.qualify(1, '2025-01-04');
SELECT leadqual.open_opportunity(1, 1000, '2025-01-05') > 0 AS opened;
SELECT leadqual.transition(2, 'sal', 'sales', at => '2025-01-02');
-- CRM-42: lead 4 is won at 2500 (opened at 2000); lead 5's opportunity of
-- 700 is lost, and it has a second, open one of 300.50 loaded from the CRM
SELECT leadqual.transition(4, 'mql', 'marketing', at => '2025-01-02');
SELECT leadqual.accept(4, 'maria', '2025-01-03');
SELECT leadqual.qualify(4, '2025-01-04');
SELECT leadqual.close_opportunity(leadqual.open_opportunity(4, 2000, '2025-01-05'), true, 2500, at => '2025-01-06');
SELECT leadqual.transition(5, 'mql', 'marketing', at => '2025-01-02');
SELECT leadqual.accept(5, 'maria', '2025-01-03');
SELECT leadqual.qualify(5, '2025-01-04');
SELECT leadqual.close_opportunity(leadqual.open_opportunity(5, 700, '2025-01-05'), false, reason => 'competitor', at => '2025-01-06');
INSERT INTO leadqual.opportunity (lead_id, created_at, status, amount) VALUES (5, '2025-01-07', 'open', 300.50);
-- lead 6 (no account) wins 99999
SELECT leadqual.transition(6, 'mql', 'marketing', at => '2025-01-02');
SELECT leadqual.accept(6, 'maria', '2025-01-03');
SELECT leadqual.qualify(6, '2025-01-04');
SELECT leadqual.close_opportunity(leadqual.open_opportunity(6, 99999, '2025-01-05'), true, at => '2025-01-06');
-- events: acme's latest is lead 2's of 2025-02-01; CRM-42 has none;
-- lead 6's later event belongs to no account
INSERT INTO leadqual.event (lead_id, event_type, occurred_at) VALUES
    (1, 'page_view', '2025-01-10'), (1, 'page_view', '2025-01-20'),
    (2, 'webinar_attended', '2025-02-01'), (11, 'page_view', '2024-12-31'),
    (6, 'page_view', '2025-06-01');
RESET leadqual.auto_scoring;

-- acme.com: leads 3 (1, 2, 3); engaged_leads 1 (only lead 1 has engagement
-- 10 > 0; lead 2 has 0, lead 3 none); best_grade B3 (B3 < B4; lead 3 has
-- none); account_fit max(40, 60) = 60; account_engagement 10 + 0 = 10;
-- account_score 60 + 10 = 70; furthest_stage opportunity (lead 1); open
-- pipeline 1000.00; revenue_won 0.00; last activity 2025-02-01 (lead 2).
-- CRM-42: leads 2 (4, 5); engaged 2 (30 and 5); best_grade A1 (A1 < C2);
-- fit max(20, 10) = 20; engagement 30 + 5 = 35; score 55; furthest won
-- (lead 4); open 300.50 (lead 5's open one; the lost 700 is not counted);
-- won 2500.00 (the amount it was closed at); no events: NULL.
-- globex.com: lead 11 alone: 1, 0, D4, 5, 0, 5, inquiry, 0.00, 0.00,
-- 2024-12-31.  Leads 6-9 have no account and are not counted anywhere.
SELECT * FROM leadqual.account_status ORDER BY account;

-- exactly these columns, each with a comment; security_invoker
SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type,
       col_description(a.attrelid, a.attnum) IS NOT NULL AS commented
  FROM pg_attribute a
 WHERE a.attrelid = 'leadqual.account_status'::regclass AND a.attnum > 0
 ORDER BY a.attnum;
SELECT obj_description('leadqual.account_status'::regclass, 'pg_class') IS NOT NULL AS view_commented,
       'security_invoker=true' = ANY (c.reloptions) AS security_invoker
  FROM pg_class c WHERE c.oid = 'leadqual.account_status'::regclass;
SELECT col_description('leadqual.lead'::regclass,
                       (SELECT attnum FROM pg_attribute WHERE attrelid = 'leadqual.lead'::regclass
                          AND attname = 'account')) IS NOT NULL AS lead_account_commented;

-- the reader may read it
SET ROLE leadqual_reader;
SELECT account, leads FROM leadqual.account_status ORDER BY account;
RESET ROLE;

-- ---------------------------------------------------------------------
-- hand-off notification payloads (the isolation spec notify.spec shows
-- that they are delivered at commit; here, what they hold).  notify_move
-- is the builder apply_automatic_moves calls, and it returns the payload.
-- ---------------------------------------------------------------------
-- off (the default): nothing is built or sent
SHOW leadqual.notify_channel;
SELECT leadqual.notify_move(1, 1, 'a1', 'mql', 'sal', '2025-01-03', 'sales', NULL, 50, 'maria') IS NULL AS off;
-- a channel name of 64 bytes is refused (22023), one of 63 is taken
SET leadqual.notify_channel = 'c234567890123456789012345678901234567890123456789012345678901234';
SET leadqual.notify_channel = 'c23456789012345678901234567890123456789012345678901234567890123';
SET leadqual.notify_channel = 'lq_handoff';
-- every field, in order; JSON null for a NULL; the time as to_json writes
-- it; history_id last but one; nothing truncated
SELECT leadqual.notify_move(7, 1, 'a1', 'mql', 'sal', '2025-01-03 12:30:00.25+00', 'sales', NULL, 50, 'maria');
SELECT to_json('2025-01-03 12:30:00.25+00'::timestamptz) AS to_json_writes;
SELECT leadqual.notify_move(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
-- scores as float8 prints them; a non-finite one (none can be stored) is null
SELECT p::json -> 'score' AS score
  FROM unnest('{0.1,-2.5e-7,1e15,NaN,Infinity}'::float8[]) s,
       leadqual.notify_move(1, 1, 'a1', 'mql', 'sal', '2025-01-03', 'sales', NULL, s, NULL) p;
-- quotes, backslashes and control characters are escaped: the payload is
-- JSON and gives the strings back
SELECT p::json ->> 'external_id' = E'a"b\\c\n\t\x01' AS external_id_back,
       p::json ->> 'owner' = 'zoë' AS owner_back,
       p::json ->> 'reason' AS reason
  FROM leadqual.notify_move(1, 1, E'a"b\\c\n\t\x01', 'inquiry', 'mql', '2025-01-03', 'system', 'hand_raise', 1, 'zoë') p;
-- a huge external_id, owner and reason (TOASTed, up to 1 MB) are cut to
-- 1,000 bytes of JSON each (at a character boundary: 'é' is 2 bytes, so
-- 500 of them; a control character is 6 bytes as \u0001, so 166 of them),
-- and truncated says so: the payload stays within NOTIFY's 7,999 bytes
SELECT length(p::json ->> 'external_id') AS external_id_chars,
       length(p::json ->> 'owner') AS owner_chars,
       length(p::json ->> 'reason') AS reason_chars,
       p::json -> 'truncated' AS truncated,
       octet_length(p) < 8000 AS fits
  FROM leadqual.notify_move(1, 1, repeat('x', 1000000), 'mql', 'sal', '2025-01-03', 'sales',
                            repeat(E'\x01', 5000), 1, repeat('é', 100000)) p;
-- exactly 1,000 bytes is not cut
SELECT length(p::json ->> 'external_id') AS external_id_chars, p::json -> 'truncated' AS truncated
  FROM leadqual.notify_move(1, 1, repeat('x', 1000), 'mql', 'sal', '2025-01-03', 'sales', NULL, 1, NULL) p;
SELECT length(p::json ->> 'external_id') AS external_id_chars, p::json -> 'truncated' AS truncated
  FROM leadqual.notify_move(1, 1, repeat('x', 1001), 'mql', 'sal', '2025-01-03', 'sales', NULL, 1, NULL) p;
-- a move with such values still succeeds (the action builds the payload
-- in C from the same routine)
UPDATE leadqual.lead SET external_id = repeat('x', 100000), owner = repeat(E'"\\', 50000) WHERE lead_id = 3;
SELECT leadqual.transition(3, 'mql', 'marketing', note => 'n', at => '2025-02-01');
-- relay_handoffs() sends what Citus workers queue: on one node every move
-- notifies at once and the queue stays empty, so it relays nothing
SELECT count(*) AS queued FROM leadqual.handoff_queue;
SELECT leadqual.relay_handoffs() AS relayed;
RESET leadqual.notify_channel;
-- without a channel it would send nothing and drop the queue: refused (55000)
SELECT leadqual.relay_handoffs();

SET client_min_messages = warning;
DROP EXTENSION leadqual CASCADE;
