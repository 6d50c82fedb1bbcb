-- attribution_partitionwise: attribute_paths is a combinable aggregate
-- (SPEC §7, issue 10 "shape for scale-out"): on a path table partitioned
-- four ways, with enable_partitionwise_aggregate on, PostgreSQL computes a
-- partial state per partition and combines the four, as a distributed
-- engine would with shard partials.  The contract: the combined states give
-- exactly the result of one pass.  Checked for every method attribute_paths
-- serves, markov at orders 1, 2 and 3, with and without GROUP BY, with an
-- empty partial state (NULL on one side of the combine), for a method or
-- order that differs between partitions (refused at the combine), and with
-- the partial states shipped through their text form and merged by hand.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;
-- plans without parallel workers, so that they do not depend on the machine
SET max_parallel_workers_per_gather = 0;

-- 400 paths of 1 to 5 touches over six channels A..F (repeats and loops
-- such as A>D>A), listed by part = id % 4.  conversions 0, 0.5 or 1 (exact
-- in float8, so that no sum depends on its order), revenue conversions x
-- (10 + id % 7), nulls id % 4.  Short paths repeat across partitions, so
-- the combine must merge equal paths of different states.
CREATE TABLE pw (id int, part int, grp int, path text[], conversions float8, revenue float8, nulls float8)
    PARTITION BY LIST (part);
CREATE TABLE pw_0 PARTITION OF pw FOR VALUES IN (0);
CREATE TABLE pw_1 PARTITION OF pw FOR VALUES IN (1);
CREATE TABLE pw_2 PARTITION OF pw FOR VALUES IN (2);
CREATE TABLE pw_3 PARTITION OF pw FOR VALUES IN (3);
INSERT INTO pw
SELECT i, i % 4, i % 2,
       (SELECT array_agg((ARRAY['A','B','C','D','E','F'])[1 + (i * 7 + j * j * 3 + j) % 6] ORDER BY j)
          FROM generate_series(1, 1 + i % 5) j),
       (i % 3) / 2.0, (i % 3) / 2.0 * (10 + i % 7), i % 4
  FROM generate_series(1, 400) i;
ANALYZE pw;
-- 100 rows in each partition; the table has 6 channels, and
-- (134 x 1 + 133 x 2) / 2 = 200 conversions (ids 1 mod 3: 134 of them at
-- 0.5, ids 2 mod 3: 133 at 1)
SELECT tableoid::regclass AS partition, count(*) AS paths FROM pw GROUP BY 1 ORDER BY 1;
SELECT count(DISTINCT c) AS channels, (SELECT sum(conversions) FROM pw) AS conversions
  FROM pw, unnest(path) c;

-- explain_count(query, pattern): how many lines of the query's plan match
CREATE FUNCTION pg_temp.explain_count(query text, pattern text) RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    line text;
    n integer := 0;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        IF line ~ pattern THEN
            n := n + 1;
        END IF;
    END LOOP;
    RETURN n;
END
$$;
-- try(statement): the SQLSTATE of its error, or ok
CREATE FUNCTION pg_temp.try(statement text) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    code text;
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE;
    RETURN code;
END
$$;

-- One query per method and order; the same text runs partitionwise and
-- in one pass.
CREATE TEMP TABLE runs (method text, k integer, q text);
INSERT INTO runs
SELECT m.method, m.k,
       format('SELECT leadqual.attribute_paths(%L, path, conversions, revenue, nulls, %s) FROM pw', m.method, m.k)
  FROM (VALUES ('first_touch', 1), ('last_touch', 1), ('linear', 1), ('position_based', 1),
               ('shapley', 1), ('markov', 1), ('markov', 2), ('markov', 3)) m(method, k);

SET enable_partitionwise_aggregate = on;
-- a partial aggregate per partition, then one finalize over the four
EXPLAIN (COSTS OFF)
SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 2) FROM pw;
-- and so for every run: 4 Partial Aggregate lines and 1 Finalize each
SELECT method, k, pg_temp.explain_count(q, 'Partial Aggregate') AS partial,
       pg_temp.explain_count(q, 'Finalize Aggregate') AS finalize
  FROM runs ORDER BY method, k;
CREATE FUNCTION pg_temp.run(q text) RETURNS leadqual.channel_credit[]
    LANGUAGE plpgsql AS $$
DECLARE
    r leadqual.channel_credit[];
BEGIN
    EXECUTE q INTO r;
    RETURN r;
END
$$;
CREATE TEMP TABLE r_on AS SELECT method, k, pg_temp.run(q) AS credits FROM runs;

SET enable_partitionwise_aggregate = off;
-- one pass: a plain Aggregate over the Append, no partial state
EXPLAIN (COSTS OFF)
SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 2) FROM pw;
CREATE TEMP TABLE r_off AS SELECT method, k, pg_temp.run(q) AS credits FROM runs;

-- The two agree exactly (the whole arrays IS NOT DISTINCT FROM), and so
-- to 1e-9 per element; each has the 6 channels; its conversions sum to
-- the table's 200 and its revenue to the table's (checked against plain
-- sum() over pw, not a hand value)
SELECT n.method, n.k,
       n.credits IS NOT DISTINCT FROM f.credits AS exact,
       (SELECT bool_and(a.channel = b.channel
                        AND abs(a.conversions - b.conversions) <= 1e-9
                        AND abs(a.revenue - b.revenue) <= 1e-9
                        AND (a.removal_effect IS NULL AND b.removal_effect IS NULL
                             OR abs(a.removal_effect - b.removal_effect) <= 1e-9))
          FROM unnest(n.credits) WITH ORDINALITY a(channel, conversions, revenue, removal_effect, i)
          FULL JOIN unnest(f.credits) WITH ORDINALITY b(channel, conversions, revenue, removal_effect, i)
            USING (i)) AS within_1e_9,
       cardinality(n.credits) AS channels,
       (SELECT abs(sum(u.conversions) - 200) < 1e-9 FROM unnest(n.credits) u) AS conversions_200,
       (SELECT abs(sum(u.revenue) - (SELECT sum(revenue) FROM pw)) < 1e-9 FROM unnest(n.credits) u) AS all_revenue,
       (SELECT bool_and(u.removal_effect IS NULL) = (n.method <> 'markov') FROM unnest(n.credits) u) AS removal_effects
  FROM r_on n JOIN r_off f USING (method, k)
 ORDER BY n.method, n.k;

-- GROUP BY grp (= id % 2): partitions 0 and 2 hold group 0, 1 and 3 group
-- 1, so each group's result combines two partial states
SET enable_partitionwise_aggregate = on;
EXPLAIN (COSTS OFF)
SELECT grp, leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 3) FROM pw GROUP BY grp;
CREATE TEMP TABLE g_on AS
SELECT grp, leadqual.attribute_paths('linear', path, conversions, revenue, nulls) AS linear,
       leadqual.attribute_paths('shapley', path, conversions, revenue, nulls) AS shapley,
       leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 1) AS markov_1,
       leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 3) AS markov_3
  FROM pw GROUP BY grp;
SET enable_partitionwise_aggregate = off;
CREATE TEMP TABLE g_off AS
SELECT grp, leadqual.attribute_paths('linear', path, conversions, revenue, nulls) AS linear,
       leadqual.attribute_paths('shapley', path, conversions, revenue, nulls) AS shapley,
       leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 1) AS markov_1,
       leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 3) AS markov_3
  FROM pw GROUP BY grp;
SELECT grp, n.linear IS NOT DISTINCT FROM f.linear AS linear,
       n.shapley IS NOT DISTINCT FROM f.shapley AS shapley,
       n.markov_1 IS NOT DISTINCT FROM f.markov_1 AS markov_1,
       n.markov_3 IS NOT DISTINCT FROM f.markov_3 AS markov_3
  FROM g_on n FULL JOIN g_off f USING (grp) ORDER BY grp;

-- An empty partial state: WHERE id % 4 <> 2 is no partition key condition,
-- so pw_2 is still scanned, keeps no row, and its partial state is empty
-- (NULL) on one side of the combine
SET enable_partitionwise_aggregate = on;
SELECT pg_temp.explain_count($$SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 2) FROM pw WHERE id % 4 <> 2$$,
                             'Partial Aggregate') AS partial;
CREATE TEMP TABLE e_on AS
SELECT leadqual.attribute_paths('linear', path, conversions, revenue, nulls) AS linear,
       leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 2) AS markov_2
  FROM pw WHERE id % 4 <> 2;
SET enable_partitionwise_aggregate = off;
CREATE TEMP TABLE e_off AS
SELECT leadqual.attribute_paths('linear', path, conversions, revenue, nulls) AS linear,
       leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 2) AS markov_2
  FROM pw WHERE id % 4 <> 2;
SELECT n.linear IS NOT DISTINCT FROM f.linear AS linear, n.markov_2 IS NOT DISTINCT FROM f.markov_2 AS markov_2,
       n.linear IS NOT NULL AS not_null
  FROM e_on n, e_off f;
-- every partition empty: NULL both ways
SET enable_partitionwise_aggregate = on;
SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 2) IS NULL AS none_on
  FROM pw WHERE id < 0;
SET enable_partitionwise_aggregate = off;
SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 2) IS NULL AS none_off
  FROM pw WHERE id < 0;

-- A method or order that differs between partitions: each partial state
-- is consistent in itself, the combine is where they meet; refused
-- (22023) there, as in one pass.  (The CASE is on the partition key:
-- partitions 0 and 1 say linear / order 1, partitions 2 and 3 shapley /
-- order 2.)
CREATE TEMP TABLE mixed (what text, q text);
INSERT INTO mixed VALUES
    ('method', $$SELECT leadqual.attribute_paths(CASE WHEN part < 2 THEN 'linear' ELSE 'shapley' END, path, conversions, revenue, nulls) FROM pw$$),
    ('order', $$SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls, CASE WHEN part < 2 THEN 1 ELSE 2 END) FROM pw$$);
SET enable_partitionwise_aggregate = on;
SELECT what, pg_temp.explain_count(q, 'Partial Aggregate') AS partial, pg_temp.try(q) AS code
  FROM mixed ORDER BY what;
SET enable_partitionwise_aggregate = off;
SELECT what, pg_temp.explain_count(q, 'Partial Aggregate') AS partial, pg_temp.try(q) AS code
  FROM mixed ORDER BY what;

-- The states themselves, shipped as a distributed engine ships them: one
-- partial state per partition, built by the aggregate's own transition
-- function (attribute_paths_trans), turned into its text form and read
-- back (path_counts_out / path_counts_in), merged by the aggregate's
-- combine function (path_counts_combine), then finalized
-- (path_counts_final): the result of the single pass, for every run.
CREATE AGGREGATE pg_temp.pc_state(text, text[], float8, float8, float8, integer) (
    SFUNC = leadqual.attribute_paths_trans, STYPE = leadqual.path_counts);
CREATE AGGREGATE pg_temp.pc_merge(leadqual.path_counts) (
    SFUNC = leadqual.path_counts_combine, STYPE = leadqual.path_counts);
CREATE TEMP TABLE shipped AS
SELECT r.method, r.k, p.part,
       pg_temp.pc_state(r.method, p.path, p.conversions, p.revenue, p.nulls, r.k)::text AS state
  FROM runs r CROSS JOIN pw p
 GROUP BY r.method, r.k, p.part;
-- 4 states per run; the text form reads back to the same text; merged in
-- partition order (as the Append feeds the finalize above) and in the
-- reverse order, and finalized, they are the one-pass result.  Exactly:
-- the merge of counts is exact (whole and half counts), and the result is
-- a function of the counts, not of the order they came in.
SELECT f.method, f.k,
       (SELECT count(*) FROM shipped s WHERE s.method = f.method AND s.k = f.k) AS states,
       (SELECT bool_and(s.state::leadqual.path_counts::text = s.state)
          FROM shipped s WHERE s.method = f.method AND s.k = f.k) AS text_round_trip,
       (SELECT leadqual.path_counts_final(pg_temp.pc_merge(s.state::leadqual.path_counts ORDER BY s.part))
          FROM shipped s WHERE s.method = f.method AND s.k = f.k) IS NOT DISTINCT FROM f.credits AS same_in_order,
       (SELECT leadqual.path_counts_final(pg_temp.pc_merge(s.state::leadqual.path_counts ORDER BY s.part DESC))
          FROM shipped s WHERE s.method = f.method AND s.k = f.k) IS NOT DISTINCT FROM f.credits AS same_reversed
  FROM r_off f
 ORDER BY f.method, f.k;
-- and so is one pass over the rows in another order (an aggregate without
-- ORDER BY gets its rows in any order): by id and by id descending give
-- the same arrays (same), and so (a weaker claim) agree to 1e-12 relative
-- (close)
CREATE FUNCTION pg_temp.close(a leadqual.channel_credit[], b leadqual.channel_credit[]) RETURNS boolean
    LANGUAGE sql AS
$$SELECT cardinality(a) = cardinality(b)
         AND bool_and(x.channel = y.channel
                      AND abs(x.conversions - y.conversions) <= 1e-12 * greatest(1, abs(y.conversions))
                      AND abs(x.revenue - y.revenue) <= 1e-12 * greatest(1, abs(y.revenue))
                      AND (x.removal_effect IS NULL AND y.removal_effect IS NULL
                           OR abs(x.removal_effect - y.removal_effect) <= 1e-12))
    FROM unnest(a) WITH ORDINALITY x(channel, conversions, revenue, removal_effect, i)
    JOIN unnest(b) WITH ORDINALITY y(channel, conversions, revenue, removal_effect, i) USING (i)$$;
SELECT r.method, r.k, x.up IS NOT DISTINCT FROM x.down AS same, pg_temp.close(x.up, x.down) AS close
  FROM runs r,
       LATERAL (SELECT pg_temp.run(replace(r.q, ') FROM pw', ' ORDER BY id) FROM pw')) AS up,
                       pg_temp.run(replace(r.q, ') FROM pw', ' ORDER BY id DESC) FROM pw')) AS down) x
 ORDER BY r.method, r.k;
-- NULL states on either side of the combine change nothing: NULL, s0, s1,
-- NULL, s2, s3, NULL merged give the same result; only NULLs give NULL
SELECT f.method, f.k,
       (SELECT leadqual.path_counts_final(pg_temp.pc_merge(x.state::leadqual.path_counts ORDER BY x.i))
          FROM (SELECT NULL::text AS state, 0 AS i
                UNION ALL SELECT s.state, 2 * s.part + 1 FROM shipped s WHERE s.method = f.method AND s.k = f.k
                UNION ALL SELECT NULL, 4 UNION ALL SELECT NULL, 99) x) IS NOT DISTINCT FROM f.credits AS same
  FROM r_off f
 ORDER BY f.method, f.k;
SELECT pg_temp.pc_merge(x) IS NULL AS only_nulls
  FROM (VALUES (NULL::leadqual.path_counts), (NULL)) v(x);
-- states of different methods or orders do not merge (22023)
SELECT pg_temp.try($$SELECT leadqual.path_counts_final(pg_temp.pc_merge(state::leadqual.path_counts))
                       FROM shipped WHERE (method = 'linear' AND part = 0) OR (method = 'shapley' AND part = 1)$$) AS methods,
       pg_temp.try($$SELECT leadqual.path_counts_final(pg_temp.pc_merge(state::leadqual.path_counts))
                       FROM shipped WHERE method = 'markov' AND (k = 1 AND part = 0 OR k = 3 AND part = 1)$$) AS orders;

SET client_min_messages = warning;
DROP TABLE pw;
DROP EXTENSION leadqual CASCADE;
