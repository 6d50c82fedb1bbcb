SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;

-- robust_states: stored engagement states that leadqual did not write as
-- they are (found by the hostile-input suite: a state with one byte changed
-- raised XX000 "engagement state does not match its model", a short one
-- the protocol reader's 08P01).  Only leadqual writes lead_score_state, but
-- the state functions read whatever bytea they are given (as superuser
-- here; they are not executable by PUBLIC): a clear 22P03, never a wrong
-- number.
SET timezone = 'UTC';
\i sql/include/try.sql

-- a real state: the default model, one pricing-page view
CREATE TEMP TABLE st AS
SELECT leadqual.score_state('default', 'page_view', '{"page": "pricing"}', '2025-01-01') AS s;
-- the layout (version 1 byte, name length 4 + 'default' 7, fingerprint 4,
-- as_of/landmark/max_t/last_hand_raise 4 × 8, rule count 4, slot count 4,
-- then 16 bytes per rule and 8 per slot): a real one reads
SELECT (leadqual.state_read(s, '2025-01-01')).engagement > 0 AS reads FROM st;

SELECT what, pg_temp.try(format('SELECT leadqual.state_read(%L::bytea, %L)', b, '2025-01-01')) AS state_read,
       pg_temp.try(format('SELECT leadqual.state_add_events(%L::bytea, %L, %L, %L)', b,
                          '{page_view}', ARRAY['{}'::jsonb], ARRAY['2025-01-02'::timestamptz])) AS state_add_events
  FROM (SELECT 'one byte short' AS what, substr(s, 1, length(s) - 1) AS b FROM st
        UNION ALL SELECT 'one byte more', s || '\x00'::bytea FROM st
        UNION ALL SELECT 'rule count 0x7f', overlay(s placing '\x7f'::bytea from 1 + 4 + 7 + 4 + 32 + 1) FROM st
        UNION ALL SELECT 'only the version', substr(s, 1, 1) FROM st
        UNION ALL SELECT 'negative name length', '\x01ffffffff'::bytea
        UNION ALL SELECT 'name longer than the state', '\x01000000ff64656661756c74'::bytea) x
 ORDER BY what;
