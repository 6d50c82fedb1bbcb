SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;

-- reports_window_funnel: window_funnel(window, occurred_at, steps) (SPEC §5),
-- ClickHouse's windowFunnel: the largest k such that distinct rows r1..rk
-- satisfy steps[1..k], with occurred_at non-decreasing from r1 to rk and
-- rk.occurred_at - r1.occurred_at <= window (inclusive; intervals compared
-- as PostgreSQL compares them, a month being 30 days).  0 when no row
-- satisfies steps[1], 0 over no rows; rows with a NULL or infinite
-- occurred_at or NULL steps are skipped, a NULL element of steps is false.
-- First hand-computed cases, then the errors, then a brute-force reference
-- in plain SQL on 400 random small groups, fed in three orders and in a
-- forced parallel plan.
SET timezone = 'UTC';
\i sql/include/try.sql

-- ---------------------------------------------------------------------
-- hand-computed cases: steps a, b, c (kind = 'a' etc.; kind 'abc' is one
-- row satisfying all three), window 1 hour, m = minutes after 00:00
-- ---------------------------------------------------------------------
CREATE TABLE fe (g text, kind text, t timestamptz);
INSERT INTO fe VALUES
    -- in order a 0m, b 10m, c 20m: 3
    ('in order',        'a', '2025-01-01 00:00'), ('in order', 'b', '2025-01-01 00:10'),
    ('in order',        'c', '2025-01-01 00:20'),
    -- c 0m, b 10m, a 20m: the b and c rows come before the only a: 1
    ('out of order',    'c', '2025-01-01 00:00'), ('out of order', 'b', '2025-01-01 00:10'),
    ('out of order',    'a', '2025-01-01 00:20'),
    -- a 0m, c 10m, b 20m: c before b does not count, so a, b: 2
    ('c before b',      'a', '2025-01-01 00:00'), ('c before b', 'c', '2025-01-01 00:10'),
    ('c before b',      'b', '2025-01-01 00:20'),
    -- no a at all: 0
    ('no first step',   'b', '2025-01-01 00:00'), ('no first step', 'c', '2025-01-01 00:10'),
    -- b exactly 1 hour after a: inside the window (inclusive): 2
    ('at window',       'a', '2025-01-01 00:00'), ('at window', 'b', '2025-01-01 01:00'),
    -- b 1 hour and 1 microsecond after a: outside: 1
    ('past window',     'a', '2025-01-01 00:00'), ('past window', 'b', '2025-01-01 01:00:00.000001'),
    -- a, c, b at the same time: rows at equal times take steps in any order: 3
    ('ties',            'c', '2025-01-01 00:00'), ('ties', 'b', '2025-01-01 00:00'),
    ('ties',            'a', '2025-01-01 00:00'),
    -- one row that satisfies every step counts once: 1
    ('one row, 3 steps', 'abc', '2025-01-01 00:00'),
    -- two such rows at the same time serve a and b; c needs a third row: 2
    ('two rows, 3 steps', 'abc', '2025-01-01 00:00'), ('two rows, 3 steps', 'abc', '2025-01-01 00:00'),
    -- ab and a at the same time, then c: a must go to the a row and b to
    -- the ab row (giving a to the ab row leaves no b): a, b, c: 3
    ('tie assignment',  'ab', '2025-01-01 00:00'), ('tie assignment', 'a', '2025-01-01 00:00'),
    ('tie assignment',  'c', '2025-01-01 00:30'),
    -- a 0m, a 50m, b 70m: the first a is 70m before b, the second 20m: a
    -- later start wins: 2
    ('later start',     'a', '2025-01-01 00:00'), ('later start', 'a', '2025-01-01 00:50'),
    ('later start',     'b', '2025-01-01 01:10'),
    -- a 0m, b 30m, a 40m, b 50m, c 100m: from a 0m c is 100m away; from a
    -- 40m: b 50m, c 100m (60m): 3
    ('restart',         'a', '2025-01-01 00:00'), ('restart', 'b', '2025-01-01 00:30'),
    ('restart',         'a', '2025-01-01 00:40'), ('restart', 'b', '2025-01-01 00:50'),
    ('restart',         'c', '2025-01-01 01:40'),
    -- the a row has no time, so it is skipped: the b, c rows alone: 0
    ('NULL time',       'a', NULL), ('NULL time', 'b', '2025-01-01 00:10'),
    ('NULL time',       'c', '2025-01-01 00:20'),
    -- an a at -infinity is skipped (no window holds it): 0; a at infinity
    -- after a real a: the real a alone: 1
    ('infinite a',      'a', '-infinity'), ('infinite a', 'b', '2025-01-01 00:10'),
    ('infinite b',      'a', '2025-01-01 00:00'), ('infinite b', 'b', 'infinity');
-- steps NULL for kind 'null' (the row is skipped), and steps[1] NULL
-- (false) for kind 'null a'
INSERT INTO fe VALUES
    ('NULL steps',      'null', '2025-01-01 00:00'), ('NULL steps', 'b', '2025-01-01 00:10'),
    ('NULL element',    'null a', '2025-01-01 00:00'), ('NULL element', 'b', '2025-01-01 00:10');
CREATE FUNCTION pg_temp.steps(kind text) RETURNS boolean[] LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE kind WHEN 'null' THEN NULL
                     WHEN 'null a' THEN ARRAY[NULL, false, false]
                     ELSE ARRAY[kind LIKE '%a%', kind LIKE '%b%', kind LIKE '%c%'] END
$$;
SELECT g, leadqual.window_funnel('1 hour', t, pg_temp.steps(kind)) AS level
  FROM fe GROUP BY g ORDER BY g;

-- the same in reversed input order (each group's rows fed last to first)
SELECT g, leadqual.window_funnel('1 hour', t, pg_temp.steps(kind) ORDER BY t DESC NULLS FIRST, kind DESC) AS level
  FROM fe GROUP BY g ORDER BY g;

-- no rows: 0, not NULL; only skipped rows: 0
SELECT leadqual.window_funnel('1 hour', t, pg_temp.steps(kind)) AS no_rows FROM fe WHERE false;
SELECT leadqual.window_funnel('1 hour', t, pg_temp.steps(kind)) AS skipped_only FROM fe WHERE t IS NULL;

-- window 0: a and b at the same time reach 2, a b 1 microsecond later 1
SELECT leadqual.window_funnel('0', t, ARRAY[k = 'a', k = 'b']) AS same_time
  FROM (VALUES ('a', '2025-01-01'::timestamptz), ('b', '2025-01-01')) v(k, t);
SELECT leadqual.window_funnel('0', t, ARRAY[k = 'a', k = 'b']) AS one_usec_later
  FROM (VALUES ('a', '2025-01-01'::timestamptz), ('b', '2025-01-01 00:00:00.000001')) v(k, t);
-- window '1 month' is 30 days (interval comparison): Jan 1 to Jan 31 is 30
-- days: 2; Jan 1 to Feb 1 is 31 days, past it, though a calendar month: 1
SELECT leadqual.window_funnel('1 month', t, ARRAY[k = 'a', k = 'b']) AS thirty_days
  FROM (VALUES ('a', '2025-01-01'::timestamptz), ('b', '2025-01-31')) v(k, t);
SELECT leadqual.window_funnel('1 month', t, ARRAY[k = 'a', k = 'b']) AS calendar_month
  FROM (VALUES ('a', '2025-01-01'::timestamptz), ('b', '2025-02-01')) v(k, t);
-- a window longer than any span of timestamps: from 4713 BC to 294276 AD
-- is 2
SELECT leadqual.window_funnel('2147483647 days 2147483647 months', t, ARRAY[k = 'a', k = 'b']) AS whole_range
  FROM (VALUES ('a', '4714-11-24 00:00:00+00 BC'::timestamptz), ('b', '294276-12-31 23:59:59+00')) v(k, t);
-- 32 steps, one row each, a minute apart, window 31 minutes: 32; with 30
-- minutes the 32nd is past it: 31
SELECT leadqual.window_funnel('31 minutes', '2025-01-01'::timestamptz + i * interval '1 minute',
                              ARRAY(SELECT j = i FROM generate_series(0, 31) j)) AS all_32,
       leadqual.window_funnel('30 minutes', '2025-01-01'::timestamptz + i * interval '1 minute',
                              ARRAY(SELECT j = i FROM generate_series(0, 31) j)) AS past_31
  FROM generate_series(0, 31) i;

-- as a window function, a running funnel level of the 'restart' group:
-- a 0m 1, b 30m 2, a 40m 2, b 50m 2, c 100m 3 (the final function leaves
-- the state usable for more rows)
SELECT t, kind, leadqual.window_funnel('1 hour', t, pg_temp.steps(kind)) OVER (ORDER BY t) AS running
  FROM fe WHERE g = 'restart' ORDER BY t;

-- ---------------------------------------------------------------------
-- errors, next to the cases they guard
-- ---------------------------------------------------------------------
-- window NULL (22004), negative (22023, also a month minus 31 days)
SELECT pg_temp.try($$SELECT leadqual.window_funnel(NULL, t, pg_temp.steps(kind)) FROM fe$$);
SELECT pg_temp.try($$SELECT leadqual.window_funnel('-1 microsecond', t, pg_temp.steps(kind)) FROM fe$$);
SELECT pg_temp.try($$SELECT leadqual.window_funnel('1 month -31 days', t, pg_temp.steps(kind)) FROM fe$$);
-- a window that differs between rows of a group (22023); '1 day' and
-- '24 hours' are the same window
SELECT pg_temp.try($$SELECT leadqual.window_funnel(CASE WHEN kind = 'a' THEN interval '1 hour' ELSE interval '2 hours' END,
                                                   t, pg_temp.steps(kind)) FROM fe$$);
SELECT leadqual.window_funnel(CASE WHEN k = 'a' THEN interval '1 day' ELSE interval '24 hours' END, t, ARRAY[k = 'a', k = 'b']) AS same_window
  FROM (VALUES ('a', '2025-01-01'::timestamptz), ('b', '2025-01-02')) v(k, t);
-- steps: empty (22023), two-dimensional (22023), 33 elements (54000), of
-- different lengths in one group (22023)
SELECT pg_temp.try($$SELECT leadqual.window_funnel('1 hour', now(), '{}')$$);
SELECT pg_temp.try($$SELECT leadqual.window_funnel('1 hour', now(), '{{t,f},{f,t}}')$$);
SELECT pg_temp.try($$SELECT leadqual.window_funnel('1 hour', now(), array_fill(true, ARRAY[33]))$$);
SELECT pg_temp.try($$SELECT leadqual.window_funnel('1 hour', t, CASE WHEN kind = 'a' THEN '{t}'::boolean[] ELSE '{f,t}' END) FROM fe$$);
-- the support functions are no SQL functions of their own
SELECT pg_temp.try($$SELECT leadqual.window_funnel_final(NULL)$$);

-- ---------------------------------------------------------------------
-- reference: 400 random small groups (1 to 6 rows at 0 to 5 minutes, so
-- many ties; 1 to 4 steps, each true with probability 0.45, NULL 0.05; a
-- NULL time now and then; window 0 to 3 minutes), generated
-- deterministically, against a brute force over every chain of distinct
-- rows (recursive CTE: extend a chain by any unused row that satisfies the
-- next step, at or after the chain's last time, within the window of its
-- first)
-- ---------------------------------------------------------------------
SELECT setseed(0.42);
CREATE TABLE rg AS
SELECT g, 1 + floor(random() * 4)::int AS nsteps, 1 + floor(random() * 6)::int AS nrows,
       floor(random() * 4)::int * interval '1 minute' AS win
  FROM generate_series(1, 400) g;
CREATE TABLE rr (id serial, g int, t timestamptz, steps boolean[]);
INSERT INTO rr (g, t, steps)
SELECT rg.g,
       CASE WHEN random() < 0.04 THEN NULL
            ELSE '2025-01-01'::timestamptz + floor(random() * 6)::int * interval '1 minute' END,
       (SELECT array_agg(CASE WHEN r < 0.05 THEN NULL ELSE r < 0.5 END ORDER BY j)
          FROM (SELECT j, random() AS r FROM generate_series(1, rg.nsteps + 0 * i) j) x)
  FROM rg, generate_series(1, rg.nrows) i
 ORDER BY rg.g, i;
CREATE TABLE rref AS
WITH RECURSIVE chain (g, level, start_t, last_t, used) AS (
    SELECT r.g, 1, r.t, r.t, ARRAY[r.id]
      FROM rr r WHERE r.t IS NOT NULL AND r.steps[1] IS TRUE
    UNION ALL
    SELECT c.g, c.level + 1, c.start_t, r.t, c.used || r.id
      FROM chain c JOIN rr r ON r.g = c.g JOIN rg ON rg.g = c.g
     WHERE r.t IS NOT NULL AND r.steps[c.level + 1] IS TRUE AND r.id <> ALL (c.used)
       AND r.t >= c.last_t AND r.t - c.start_t <= rg.win
)
SELECT rg.g, coalesce((SELECT max(level) FROM chain c WHERE c.g = rg.g), 0) AS level
  FROM rg;
-- the groups are not trivial: how many reach each level (by the reference)
SELECT level, count(*) AS groups FROM rref GROUP BY level ORDER BY level;
-- how many groups have rows at equal times
SELECT count(*) AS groups_with_ties
  FROM (SELECT g FROM rr WHERE t IS NOT NULL GROUP BY g HAVING count(*) > count(DISTINCT t)) x;

-- the aggregate in input order, reversed, and shuffled (ORDER BY a hash):
-- no group differs from the reference
CREATE TABLE ragg AS
SELECT r.g,
       leadqual.window_funnel(rg.win, r.t, r.steps) AS plain,
       leadqual.window_funnel(rg.win, r.t, r.steps ORDER BY r.id DESC) AS reversed,
       leadqual.window_funnel(rg.win, r.t, r.steps ORDER BY hashint4(r.id * 7919)) AS shuffled
  FROM rr r JOIN rg USING (g) GROUP BY r.g;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE a.plain IS DISTINCT FROM f.level) AS plain_differs,
       count(*) FILTER (WHERE a.reversed IS DISTINCT FROM f.level) AS reversed_differs,
       count(*) FILTER (WHERE a.shuffled IS DISTINCT FROM f.level) AS shuffled_differs
  FROM rref f LEFT JOIN ragg a USING (g);

-- ---------------------------------------------------------------------
-- parallel: 100 copies of each random group (group g*1000 + copy), stored
-- row by row (the 100 copies of a row side by side), so each group's rows
-- span several pages and the workers' partial states of most groups are
-- serialized, deserialized and combined; then one group over the whole
-- table
-- ---------------------------------------------------------------------
CREATE TABLE rbig AS
SELECT r.g * 1000 + c AS gg, r.g, rg.win, r.t, r.steps, r.id
  FROM rr r JOIN rg USING (g), generate_series(1, 100) c
 ORDER BY r.id, c;
ANALYZE rbig;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT gg, leadqual.window_funnel(win, t, steps) FROM rbig GROUP BY gg;
CREATE TABLE rpar AS
SELECT gg, g, leadqual.window_funnel(win, t, steps) AS level FROM rbig GROUP BY gg, g;
-- every copy of every group agrees with the reference
SELECT count(*) AS groups, count(*) FILTER (WHERE p.level IS DISTINCT FROM f.level) AS differs
  FROM rpar p JOIN rref f USING (g);
-- one group over a whole table in a parallel plan: 100,000 rows, row n at
-- n seconds, stored in order of n; step 1 is row 10, step 2 row 50,010,
-- step 3 row 99,990, step 4 row 30 (too early for step 4).  The rows of
-- steps 1-3 lie at the start, middle and end of the table, in different
-- workers' partial states.  Window 99,980 s (99,990 - 10): 3; one second
-- less: 2 (rows 10 and 50,010)
CREATE TABLE pbig AS
SELECT n, '2025-01-01'::timestamptz + n * interval '1 second' AS t
  FROM generate_series(1, 100000) n;
ANALYZE pbig;
EXPLAIN (COSTS OFF)
SELECT leadqual.window_funnel('99980 seconds', t, ARRAY[n = 10, n = 50010, n = 99990, n = 30]) FROM pbig;
SELECT leadqual.window_funnel('99980 seconds', t, ARRAY[n = 10, n = 50010, n = 99990, n = 30]) AS level_3,
       leadqual.window_funnel('99979 seconds', t, ARRAY[n = 10, n = 50010, n = 99990, n = 30]) AS level_2
  FROM pbig;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET enable_hashagg;


-- ---------------------------------------------------------------------
-- the README example: a web funnel page_view → pricing page → demo request
-- within 7 days, by channel, on leadqual.event.  Lead 1 (paid_search):
-- view 1/1, pricing 1/2, demo 1/5: 3.  Lead 2 (paid_search): view 1/1,
-- pricing 1/3, demo 1/10, 9 days after its only view: 2.  Lead 3
-- (organic): view 1/1, demo 1/2, no pricing: 1.  Lead 4 (organic): pricing
-- views 1/1 and 1/2 (the first is its page_view), demo 1/4: 3.  Lead 5
-- (organic): a demo only: 0.  paid_search: 2 leads, 2 viewed, 2 saw
-- pricing, 1 asked for a demo; organic: 3, 2, 1, 1.
-- ---------------------------------------------------------------------
INSERT INTO leadqual.lead (lead_id, external_id, created_at, source_channel) VALUES
    (1, 'w1', '2025-01-01', 'paid_search'), (2, 'w2', '2025-01-01', 'paid_search'),
    (3, 'w3', '2025-01-01', 'organic'), (4, 'w4', '2025-01-01', 'organic'),
    (5, 'w5', '2025-01-01', 'organic');
INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties) VALUES
    (1, 'page_view', '2025-01-01 10:00', '{"page": "home"}'),
    (1, 'page_view', '2025-01-02 10:00', '{"page": "pricing"}'),
    (1, 'demo_request', '2025-01-05 10:00', '{}'),
    (2, 'page_view', '2025-01-01 10:00', '{"page": "blog"}'),
    (2, 'page_view', '2025-01-03 10:00', '{"page": "pricing"}'),
    (2, 'demo_request', '2025-01-10 10:00', '{}'),
    (3, 'page_view', '2025-01-01 10:00', '{"page": "home"}'),
    (3, 'demo_request', '2025-01-02 10:00', '{}'),
    (4, 'page_view', '2025-01-01 10:00', '{"page": "pricing"}'),
    (4, 'page_view', '2025-01-02 10:00', '{"page": "pricing"}'),
    (4, 'demo_request', '2025-01-04 10:00', '{}'),
    (5, 'demo_request', '2025-01-01 10:00', '{}');
SELECT l.source_channel AS channel,
       count(*) AS leads,
       count(*) FILTER (WHERE f.level >= 1) AS viewed,
       count(*) FILTER (WHERE f.level >= 2) AS saw_pricing,
       count(*) FILTER (WHERE f.level >= 3) AS requested_demo
  FROM (SELECT e.lead_id,
               leadqual.window_funnel('7 days', e.occurred_at,
                   ARRAY[e.event_type = 'page_view',
                         e.event_type = 'page_view' AND e.properties ->> 'page' = 'pricing',
                         e.event_type = 'demo_request']) AS level
          FROM leadqual.event e
         GROUP BY e.lead_id) f
  JOIN leadqual.lead l USING (lead_id)
 GROUP BY l.source_channel
 ORDER BY l.source_channel;

SET client_min_messages = warning;
DROP EXTENSION leadqual CASCADE;
