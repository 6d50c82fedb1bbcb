-- Attribution benchmark data (issue 10), run by test/bench/run.sh
-- (BENCH_PHASES=attribution or all) in a database of its own, right after
-- CREATE EXTENSION leadqual.  :journeys journeys (BENCH_JOURNEYS, default
-- 1,000,000) over 50 channels, about 4 touches each, loaded twice:
--   (a) bench_paths: one row per distinct path with its conversions, revenue
--       and nulls (ChannelAttribution's input), for attribute_paths;
--   (b) leadqual's own tables: one lead per journey, one event per touch
--       (plus a non-touch event for every fourth lead), and for a converting
--       journey the stage moves up to won and a won opportunity carrying its
--       revenue, for attribution().
-- Both describe the same journeys, so attribution('markov') over (b) must
-- equal attribute_paths markov order 1 over (a); attribution.sql checks it.
--
-- The generator is deterministic (no random(): every draw is a hash of the
-- journey number, the touch number and a salt), so every run and every
-- machine gets the same data.  A journey is a walk over channels ch01..ch50:
--   length      1 + U{0..3} + U{0..3}: 1..7 touches, mean 4;
--   first touch channel floor(50 u^2): skewed popularity (ch01 takes about
--               14 % of first touches, ch50 about 1 %);
--   next touch  10 %: the same channel again (consecutive repeats);
--               40 %: one of the previous channel's four "followers"
--               (7 c + 1 .. 7 c + 4 mod 50): channel-to-channel dependence;
--               10 %: back to the first channel (loops, A>B>A);
--               40 %: a fresh skewed draw;
--   conversion  with probability 0.01 + the sum over its touches of the
--               touched channel's quality 0.004 + 0.0016 ((37 c) mod 11):
--               about 5.5 % of the journeys convert;
--   revenue     of a conversion: (400 + 3600 u) (0.5 + ((13 c) mod 7) / 6)
--               rounded to whole units, c = the last touch's channel, so
--               revenue credit differs from conversion credit.
-- At 1,000,000 journeys (measured once, PostgreSQL 15): 4,001,115 touches,
-- 529,463 distinct paths, 55,361 conversions (5.54 %), revenue 122,454,483;
-- Markov states 50 / 2,550 / 107,008 / 522,943 and transitions 2,450 / 104,409 /
-- 482,468 / 512,971 at orders 1 / 2 / 3 / 4; the largest loop (strongly
-- connected component) holds 50 / 2,500 / 79,402 / 76,094 states (counted
-- by a separate script over this table, not by leadqual).
--
-- Live scoring is off for the load (the leadqual.auto_scoring GUC, as for
-- any bulk load): the benchmark measures attribution, not scoring, and the
-- leads' scores stay NULL (rescore() would catch up; attribution does not
-- read them).
\set ON_ERROR_STOP 1
SET leadqual.auto_scoring = off;
SET TimeZone = 'UTC';

-- draw number salt of touch n of journey j: uniform in [0, 1)
CREATE FUNCTION pg_temp.u(j bigint, n integer, salt integer) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (hashint8(j * 256 + n * 8 + salt) & 2147483647)::float8 / 2147483648.0;
-- conversion quality of channel c (0..49)
CREATE FUNCTION pg_temp.quality(c integer) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 0.004 + 0.0016 * ((c * 37) % 11);
-- name of channel c (0..49): ch01..ch50 (byte order = number order)
CREATE FUNCTION pg_temp.channel(c integer) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 'ch' || lpad((c + 1)::text, 2, '0');

\echo generating the journeys
CREATE UNLOGGED TABLE bench_journey AS
WITH RECURSIVE walk (j, n, len, first, prev, q, path) AS (
    SELECT j, 1,
           1 + floor(4 * pg_temp.u(j, 0, 0))::integer + floor(4 * pg_temp.u(j, 0, 1))::integer,
           c.c, c.c, pg_temp.quality(c.c), ARRAY[pg_temp.channel(c.c)]
      FROM generate_series(1, :journeys) j,
           LATERAL (SELECT floor(50 * pg_temp.u(j, 1, 1) ^ 2)::integer AS c) c
    UNION ALL
    SELECT w.j, w.n + 1, w.len, w.first, c.c, w.q + pg_temp.quality(c.c),
           w.path || pg_temp.channel(c.c)
      FROM walk w,
           LATERAL (SELECT CASE WHEN d.u < 0.10 THEN w.prev
                                WHEN d.u < 0.50 THEN (w.prev * 7 + 1 + floor(4 * d.v)::integer) % 50
                                WHEN d.u < 0.60 THEN w.first
                                ELSE floor(50 * d.v ^ 2)::integer END AS c
                      FROM (SELECT pg_temp.u(w.j, w.n + 1, 0) AS u,
                                   pg_temp.u(w.j, w.n + 1, 1) AS v) d) c
     WHERE w.n < w.len
)
SELECT j, path,
       '2025-01-01'::timestamptz + ((j - 1) % 365) * interval '1 day' AS created_at,
       pg_temp.u(j, 0, 2) < 0.01 + q AS converted,
       round((400 + 3600 * pg_temp.u(j, 0, 3)) * (0.5 + ((prev * 13) % 7) / 6.0))::numeric(18,2) AS amount
  FROM walk
 WHERE n = len;

\echo loading (a) the path table
CREATE TABLE bench_paths AS
SELECT path,
       (count(*) FILTER (WHERE converted))::float8 AS conversions,
       coalesce(sum(amount) FILTER (WHERE converted), 0)::float8 AS revenue,
       (count(*) FILTER (WHERE NOT converted))::float8 AS nulls
  FROM bench_journey
 GROUP BY path;

/*
 * (b) leadqual's tables.  Times of journey j (created at c, len touches):
 * touch n at c + (n - 1) days + up to 20 hours (strictly increasing), a
 * non-touch email_open at c + 21 hours for every fourth lead; a converting
 * lead moves inquiry > mql (c + len days) > sal (+1 h) > sql (+2 h) >
 * opportunity (c + len + 1 days) > won (c + len + 2 days), after its last
 * touch, and its opportunity is won with the journey's amount.  Leads are
 * inserted in their final stage.
 */
\echo loading (b) leads, events, stage moves and opportunities
INSERT INTO leadqual.lead (lead_id, external_id, created_at, source_channel, stage, stage_entered_at)
SELECT j, 'bench-' || lpad(j::text, 7, '0'), created_at, path[1],
       CASE WHEN converted THEN 'won' ELSE 'inquiry' END::leadqual.stage,
       CASE WHEN converted THEN created_at + (cardinality(path) + 2) * interval '1 day'
            ELSE created_at END
  FROM bench_journey
 ORDER BY j;
SELECT setval(pg_get_serial_sequence('leadqual.lead', 'lead_id'), max(lead_id)) FROM leadqual.lead \gset

INSERT INTO leadqual.event (lead_id, event_type, occurred_at, channel)
SELECT e.lead_id, e.event_type, e.occurred_at, e.channel
  FROM (SELECT b.j AS lead_id, 'page_view' AS event_type,
               b.created_at + (t.n - 1) * interval '1 day'
                            + floor(72000 * pg_temp.u(b.j, t.n::integer, 2)) * interval '1 second' AS occurred_at,
               t.channel
          FROM bench_journey b, unnest(b.path) WITH ORDINALITY t (channel, n)
        UNION ALL
        SELECT b.j, 'email_open', b.created_at + interval '21 hours', NULL
          FROM bench_journey b
         WHERE b.j % 4 = 0) e
 ORDER BY e.lead_id, e.occurred_at;

INSERT INTO leadqual.stage_history (lead_id, from_stage, to_stage, changed_at, actor, reason)
SELECT b.j, m.from_stage::leadqual.stage, m.to_stage::leadqual.stage,
       b.created_at + cardinality(b.path) * interval '1 day' + m.after, m.actor, m.reason
  FROM bench_journey b,
       (VALUES (1, 'inquiry', 'mql', interval '0', 'system', 'score_threshold'),
               (2, 'mql', 'sal', interval '1 hour', 'sales', NULL),
               (3, 'sal', 'sql', interval '2 hours', 'sales', NULL),
               (4, 'sql', 'opportunity', interval '1 day', 'sales', NULL),
               (5, 'opportunity', 'won', interval '2 days', 'sales', NULL))
       m (step, from_stage, to_stage, after, actor, reason)
 WHERE b.converted
 ORDER BY b.j, m.step;

INSERT INTO leadqual.opportunity (lead_id, created_at, closed_at, status, amount)
SELECT j, created_at + (cardinality(path) + 1) * interval '1 day',
       created_at + (cardinality(path) + 2) * interval '1 day', 'won', amount
  FROM bench_journey
 WHERE converted
 ORDER BY j;

DROP TABLE bench_journey;

\pset footer off
SELECT count(*) AS distinct_paths,
       sum(conversions + nulls)::bigint AS journeys,
       sum((conversions + nulls) * cardinality(path))::bigint AS touches,
       sum(conversions)::bigint AS conversions,
       round((100 * sum(conversions) / sum(conversions + nulls))::numeric, 2) AS "conversion %",
       sum(revenue)::bigint AS revenue
  FROM bench_paths;
SELECT (SELECT count(*) FROM leadqual.lead) AS leads,
       (SELECT count(*) FROM leadqual.lead WHERE stage = 'won') AS won,
       count(*) AS events,
       count(channel) AS touches,
       (SELECT count(*) FROM leadqual.stage_history) AS stage_moves,
       (SELECT sum(amount) FROM leadqual.opportunity WHERE status = 'won')::bigint AS won_revenue
  FROM leadqual.event;
