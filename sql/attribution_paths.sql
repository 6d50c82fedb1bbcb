-- attribution_paths: the attribute_paths aggregate (SPEC §6) on small path
-- tables, one row per distinct path with its conversions, value (revenue)
-- and non-converting journeys (nulls).  Every expected number below was
-- worked out by hand from the attribution contract in the comment before
-- its query; none was copied from what the aggregate prints.
--
-- Display: pg_temp.raw shows the credits as float8, used where every value
-- is a dyadic fraction (1, 1/2, 1/4 ... times whole numbers), which float8
-- holds exactly whatever the order of the sums.  pg_temp.r9 rounds to 9
-- decimals, used where a hand value is a repeating fraction (thirds,
-- sevenths, 23rds) or a decimal such as 0.4 that float8 does not hold
-- exactly, and for every markov result (its solve goes through such
-- fractions).  n is the element's position in the array: the elements are
-- sorted by channel in byte order.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;
\pset null '(null)'

CREATE FUNCTION pg_temp.raw(c leadqual.channel_credit[])
    RETURNS TABLE (n bigint, channel text, conversions float8, revenue float8, removal_effect float8)
    LANGUAGE sql AS
$$SELECT u.n, u.channel, u.conversions, u.revenue, u.removal_effect
    FROM unnest(c) WITH ORDINALITY u(channel, conversions, revenue, removal_effect, n) ORDER BY u.n$$;
CREATE FUNCTION pg_temp.r9(c leadqual.channel_credit[])
    RETURNS TABLE (n bigint, channel text, conversions numeric, revenue numeric, removal_effect numeric)
    LANGUAGE sql AS
$$SELECT u.n, u.channel, round(u.conversions::numeric, 9), round(u.revenue::numeric, 9),
         round(u.removal_effect::numeric, 9)
    FROM unnest(c) WITH ORDINALITY u(channel, conversions, revenue, removal_effect, n) ORDER BY u.n$$;

-- the result type: channel_credit (channel, conversions, revenue, removal_effect)
SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_attribute a
 WHERE a.attrelid = 'leadqual.channel_credit'::regclass AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum;

-- ---------------------------------------------------------------------
-- Heuristics.  Table hp: five paths, 5 conversions worth 170 in all.
--   {A,B,A}    2 conversions, 100   (A twice)
--   {C}        1 conversion,   40   (one touch), 1 null
--   {B,C}      1 conversion,   20   (two touches)
--   {A,B,C,D}  1 conversion,   10   (four touches)
--   {E,B}      0 conversions,   0,  3 nulls: E is seen only here
-- A row's credit is weight_i x conversions and weight_i x revenue per touch
-- i; the {E,B} row contributes nothing but its channels (E: 0, 0).
-- removal_effect is NULL for every method but markov.
-- ---------------------------------------------------------------------
CREATE TEMP TABLE hp (path text[], conversions float8, revenue float8, nulls float8);
INSERT INTO hp VALUES
    ('{A,B,A}', 2, 100, 0),
    ('{C}', 1, 40, 1),
    ('{B,C}', 1, 20, 0),
    ('{A,B,C,D}', 1, 10, 0),
    ('{E,B}', 0, 0, 3);

-- first_touch: {A,B,A} -> A 2/100; {C} -> C 1/40; {B,C} -> B 1/20;
-- {A,B,C,D} -> A 1/10.  A 3/110, B 1/20, C 1/40, D 0/0, E 0/0
-- (sums 5 and 170)
SELECT * FROM pg_temp.raw((SELECT leadqual.attribute_paths('first_touch', path, conversions, revenue, nulls) FROM hp));

-- last_touch: {A,B,A} -> A 2/100; {C} -> C 1/40; {B,C} -> C 1/20;
-- {A,B,C,D} -> D 1/10.  A 2/100, B 0/0, C 2/60, D 1/10, E 0/0
SELECT * FROM pg_temp.raw((SELECT leadqual.attribute_paths('last_touch', path, conversions, revenue, nulls) FROM hp));

-- linear, a repeated channel gets two shares: {A,B,A} alone gives A 2/3 x 2
-- = 4/3 conversions and 2/3 x 100 = 66.666666667, B 2/3 and 33.333333333
SELECT * FROM pg_temp.r9((SELECT leadqual.attribute_paths('linear', path, conversions, revenue, nulls) FROM hp WHERE path = '{A,B,A}'));

-- linear over hp: {A,B,A} A 4/3 (200/3), B 2/3 (100/3); {C} C 1 (40);
-- {B,C} B 1/2 (10), C 1/2 (10); {A,B,C,D} 1/4 (2.5) each.
--   A 4/3 + 1/4 = 19/12 = 1.583333333   200/3 + 2.5 = 415/6 = 69.166666667
--   B 2/3 + 1/2 + 1/4 = 17/12 = 1.416666667   100/3 + 10 + 2.5 = 275/6 = 45.833333333
--   C 1 + 1/2 + 1/4 = 1.75                    40 + 10 + 2.5 = 52.5
--   D 1/4 = 0.25                              2.5
-- sums 60/12 = 5 and 415/6 + 275/6 + 55 = 170
SELECT * FROM pg_temp.r9((SELECT leadqual.attribute_paths('linear', path, conversions, revenue, nulls) FROM hp));

-- position_based, one touch: {C} -> C 1/40 (the only row with one touch)
SELECT * FROM pg_temp.raw((SELECT leadqual.attribute_paths('position_based', path, conversions, revenue, nulls) FROM hp WHERE cardinality(path) = 1));
-- two touches: {B,C} -> 1/2 each: B 0.5/10, C 0.5/10; {E,B} converts 0
-- times: E 0/0 (B is in both rows)
SELECT * FROM pg_temp.raw((SELECT leadqual.attribute_paths('position_based', path, conversions, revenue, nulls) FROM hp WHERE cardinality(path) = 2));
-- three and more touches: {A,B,A} 0.4 first + 0.4 last (both A) and 0.2 to
-- B: A 0.8 x 2 = 1.6 (80), B 0.4 (20); {A,B,C,D} 0.4 A (4), 0.4 D (4), and
-- 0.2/2 = 0.1 each to B and C (1 each).  A 2.0/84, B 0.5/21, C 0.1/1, D 0.4/4
SELECT * FROM pg_temp.r9((SELECT leadqual.attribute_paths('position_based', path, conversions, revenue, nulls) FROM hp WHERE cardinality(path) >= 3));
-- all of hp: A 2.0/84; B 0.4 + 0.5 + 0.1 = 1.0 / 20 + 10 + 1 = 31;
-- C 1 + 0.5 + 0.1 = 1.6 / 40 + 10 + 1 = 51; D 0.4/4; E 0/0 (sums 5, 170)
SELECT * FROM pg_temp.r9((SELECT leadqual.attribute_paths('position_based', path, conversions, revenue, nulls) FROM hp));

-- shapley over the distinct channels of each converting path: {A,B,A} has
-- two, A and B, 1 (50) each; {C} C 1 (40); {B,C} 1/2 (10) each;
-- {A,B,C,D} 1/4 (2.5) each.  A 1.25/52.5, B 1.75/62.5, C 1.75/52.5,
-- D 0.25/2.5, E 0/0 (sums 5 and 170)
SELECT * FROM pg_temp.raw((SELECT leadqual.attribute_paths('shapley', path, conversions, revenue, nulls) FROM hp));

-- heuristics do not read nulls: the four-argument overload (nulls 0) gives
-- the same arrays for every heuristic method
SELECT m.method,
       (SELECT leadqual.attribute_paths(m.method, path, conversions, revenue) FROM hp)
       IS NOT DISTINCT FROM
       (SELECT leadqual.attribute_paths(m.method, path, conversions, revenue, nulls) FROM hp) AS same
  FROM unnest('{first_touch,last_touch,linear,position_based,shapley}'::text[]) WITH ORDINALITY m(method, i)
 ORDER BY m.i;

-- ---------------------------------------------------------------------
-- Markov with a loop.  Table mp (start S, conversion CONV, null NULL):
--   {A,B,A,C}  1 conversion, 60, 0 nulls   weight 1: S>A>B>A>C>CONV
--   {B,C}      1 conversion, 30, 1 null    weight 2: S>B>C, C>CONV 1, C>NULL 1
--   {B,E}      0 conversions,    1 null    weight 1: S>B>E>NULL
--   {A}        1 conversion, 10, 1 null    weight 2: S>A, A>CONV 1, A>NULL 1
-- 3 conversions worth 100 in 6 journeys.
-- Order 1 transition counts and probabilities:
--   S: A 1+2 = 3, B 2+1 = 3                -> A 1/2, B 1/2
--   A: B 1, C 1, CONV 1, NULL 1            -> 1/4 each
--   B: A 1, C 2, E 1                       -> A 1/4, C 1/2, E 1/4
--   C: CONV 1+1 = 2, NULL 1                -> CONV 2/3, NULL 1/3
--   E: NULL 1                              -> NULL 1
-- P(conversion) from each state (a, b, c, e):
--   c = 2/3, e = 0
--   a = b/4 + c/4 + 1/4 = b/4 + 5/12;  b = a/4 + c/2 + e/4 = a/4 + 1/3
--   a = a/16 + 1/12 + 5/12 -> (15/16) a = 1/2 -> a = 8/15, b = 7/15
--   P = (a + b)/2 = 1/2  (= 3 conversions / 6 journeys)
-- Removal (every state with the channel goes to NULL):
--   A: a = 0, b = c/2 = 1/3, P_A = 1/6          RE_A = 1 - (1/6)/(1/2) = 2/3
--   B: b = 0, a = c/4 + 1/4 = 5/12, P_B = 5/24   RE_B = 1 - 5/12 = 7/12
--   C: c = 0, a = b/4 + 1/4, b = a/4 -> a = 4/15, b = 1/15, P_C = 1/6
--                                                RE_C = 2/3
--   E: e is 0 already                            RE_E = 0
--   sum RE = 8/12 + 7/12 + 8/12 = 23/12
--   conversions: A 3 x (8/12)/(23/12) = 24/23 = 1.043478261,
--                B 3 x 7/23 = 21/23 = 0.913043478, C 24/23, E 0 (sum 3)
-- Value chain: C's conversions carry (60 + 30)/2 = 45 each, A's 10/1 = 10.
--   vc = 2/3 x 45 = 30, ve = 0
--   va = vb/4 + vc/4 + 10/4 = vb/4 + 10;  vb = va/4 + vc/2 = va/4 + 15
--   va = va/16 + 15/4 + 10 -> (15/16) va = 55/4 -> va = 44/3, vb = 56/3
--   V = (44/3 + 56/3)/2 = 50/3  (= 100 / 6 journeys)
--   A: va = 0, vb = 15, V_A = 15/2         VRE_A = 1 - (15/2)/(50/3) = 11/20
--   B: vb = 0, va = 10, V_B = 5            VRE_B = 1 - 15/50 = 14/20
--   C: vc = 0, va = vb/4 + 5/2, vb = va/4 -> va = 8/3, vb = 2/3, V_C = 5/3
--                                          VRE_C = 1 - 1/10 = 18/20
--   sum VRE = 43/20; revenue A 100 x 11/43 = 25.581395349,
--   B 1400/43 = 32.558139535, C 1800/43 = 41.860465116, E 0 (sum 100)
-- So A takes 8/23 of the conversions but only 11/43 of the revenue.
-- removal_effect = RE: A 0.666666667, B 0.583333333, C 0.666666667, E 0.
-- ---------------------------------------------------------------------
CREATE TEMP TABLE mp (path text[], conversions float8, revenue float8, nulls float8);
INSERT INTO mp VALUES
    ('{A,B,A,C}', 1, 60, 0),
    ('{B,C}', 1, 30, 1),
    ('{B,E}', 0, 0, 1),
    ('{A}', 1, 10, 1);
SELECT * FROM pg_temp.r9((SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls) FROM mp));
-- markov_order 1 is the default: the five-argument overload is the
-- six-argument one with 1
SELECT (SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls) FROM mp)
       IS NOT DISTINCT FROM
       (SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 1) FROM mp) AS order_1_default;
-- and nulls 0 is the default: the four-argument overload is the
-- five-argument one with 0
SELECT (SELECT leadqual.attribute_paths('markov', path, conversions, revenue) FROM mp)
       IS NOT DISTINCT FROM
       (SELECT leadqual.attribute_paths('markov', path, conversions, revenue, 0) FROM mp) AS nulls_0_default;

-- The same paths at order 2: states are windows of two channels; {A} is
-- shorter than 2, so it is one state (A).
--   {A,B,A,C}: S>(A,B)>(B,A)>(A,C)>CONV, weight 1, value 60
--   {B,C}:     S>(B,C), weight 2, CONV 1 (30), NULL 1
--   {B,E}:     S>(B,E)>NULL, weight 1
--   {A}:       S>(A), weight 2, CONV 1 (10), NULL 1
-- S goes to AB 1/6, BC 2/6, BE 1/6, (A) 2/6; P(AB) = 1, P(BC) = 1/2,
-- P(BE) = 0, P((A)) = 1/2; P = 1/6 + 1/6 + 0 + 1/6 = 1/2.
--   A (AB, BA, AC, (A) to NULL): P_A = 2/6 x 1/2 = 1/6, RE_A = 2/3
--   B (AB, BA, BC, BE):          P_B = 1/6 (via (A)),  RE_B = 2/3
--   C (AC, BC):                  P_C = 1/6,            RE_C = 2/3
--   E (BE): RE_E = 0.  Conversions 3 x (2/3)/2 = 1 each for A, B and C:
-- order 1 gave 24/23, 21/23, 24/23.
-- Values: AB 60, BC 1/2 x 30 = 15, (A) 1/2 x 10 = 5;
-- V = 60/6 + 15 x 2/6 + 5 x 2/6 = 50/3.
--   A: V_A = 2/6 x 15 = 5,  VRE_A = 1 - 5/(50/3) = 7/10
--   B: V_B = 2/6 x 5 = 5/3, VRE_B = 9/10;  C: V_C = 5/3, VRE_C = 9/10
--   sum 5/2; revenue A 100 x 0.7/2.5 = 28, B 36, C 36 (order 1: 25.58...)
SELECT * FROM pg_temp.r9((SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 2) FROM mp));
-- order 8, the largest: every path is shorter than 8, so each is one
-- state, S>(whole path)>CONV/NULL; P((A,B,A,C)) = 1, P((B,C)) = 1/2,
-- P((B,E)) = 0, P((A)) = 1/2: the same chain as order 2 (each path a
-- straight line) and so the same numbers
SELECT * FROM pg_temp.r9((SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 8) FROM mp));

-- A channel in a row with no conversion and no null (weight 0) is still
-- listed: F 0, 0, RE 0; A, B, C and E are as above (order 1)
SELECT * FROM pg_temp.r9((SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls)
                            FROM (TABLE mp UNION ALL VALUES ('{F}'::text[], 0::float8, 0::float8, 0::float8)) x));

-- Order 2 sees context that order 1 does not.  Table cp:
--   {A,B,C} 1 conversion, 10;  {D,B,E} 1 null;  {A,B,E} 1 conversion, 20, 1 null
-- 2 conversions worth 30 in 4 journeys.
-- Order 1: S: A 3, D 1; A: B 3; D: B 1; B: C 1, E 3; C: CONV 1;
-- E: CONV 1, NULL 2.  e = 1/3, c = 1, b = 1/4 + 3/4 x 1/3 = 1/2, a = d = 1/2,
-- P = 1/2.
--   A: P_A = 1/4 x d = 1/8, RE 3/4;  B: P_B = 0, RE 1;
--   C: b = 1/4, P_C = 1/4, RE 1/2;   D: P_D = 3/4 x 1/2 = 3/8, RE 1/4;
--   E: b = 1/4, RE 1/2.  Sum 3; conversions 2 x RE/3: A 1/2, B 2/3,
--   C 1/3, D 1/6, E 1/3.
--   Values: C 10, E 20 per conversion: vc = 10, ve = 20/3,
--   vb = 10/4 + (3/4)(20/3) = 7.5 = va = vd = V (= 30/4).
--   VRE: A 1 - 1/4 = 3/4, B 1, C (vb = 5) 1/3, D 1/4, E (vb = 2.5) 2/3;
--   sum 3; revenue 30 x VRE/3: A 7.5, B 10, C 10/3, D 2.5, E 20/3.
SELECT * FROM pg_temp.r9((SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 1)
                            FROM (VALUES ('{A,B,C}'::text[], 1::float8, 10::float8, 0::float8),
                                         ('{D,B,E}', 0, 0, 1), ('{A,B,E}', 1, 20, 1)) cp(path, conversions, revenue, nulls)));
-- Order 2: S: AB 3, DB 1; AB: BC 1, BE 2; DB: BE 1; BC: CONV 1;
-- BE: CONV 1, NULL 2.  be = 1/3, bc = 1, ab = 1/3 + (2/3)(1/3) = 5/9,
-- db = 1/3, P = (3/4)(5/9) + (1/4)(1/3) = 1/2.
--   A (AB): P_A = 1/12, RE 5/6;  B: RE 1;
--   C (BC): ab = 2/9, P_C = 1/6 + 1/12 = 1/4, RE 1/2;
--   D (DB): P_D = 5/12, RE 1/6 (order 1: 1/4);
--   E (BE): ab = 1/3, db = 0, P_E = 1/4, RE 1/2.
--   Sum 3; conversions: A 5/9, B 2/3, C 1/3, D 1/9, E 1/3 (sum 2).
--   Values: bc = 10, be = 20/3, ab = 10/3 + (2/3)(20/3) = 70/9, db = 20/3,
--   V = (3/4)(70/9) + (1/4)(20/3) = 7.5.
--   A: V_A = 5/3, VRE 1 - 2/9 = 7/9;  B: 1;
--   C: ab = 40/9, V_C = 10/3 + 5/3 = 5, VRE 1/3;
--   D: V_D = 35/6, VRE 2/9;  E: ab = 10/3, V_E = 5/2, VRE 2/3.
--   Sum 27/9 = 3; revenue 30 x VRE/3: A 70/9, B 10, C 10/3, D 20/9, E 20/3.
SELECT * FROM pg_temp.r9((SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 2)
                            FROM (VALUES ('{A,B,C}'::text[], 1::float8, 10::float8, 0::float8),
                                         ('{D,B,E}', 0, 0, 1), ('{A,B,E}', 1, 20, 1)) cp(path, conversions, revenue, nulls)));

-- Consecutive identical states collapse: {A,A,B} is A>B at order 1, {B,B}
-- is B.  So {A,A,B} (1 conversion, 10, 1 null) and {B,B} (1, 20) give the
-- chain of {A,B} and {B}: S: A 2, B 1; A: B 2; B: CONV 2, NULL 1.
-- b = a = 2/3 = P.  A: P_A = 1/3 x 2/3 = 2/9, RE 2/3; B: RE 1; sum 5/3;
-- conversions 2 x (2/3)/(5/3) = 0.8 and 1.2.  B's conversions carry 30/2
-- = 15: vb = va = V = 10; VRE_A = 2/3, VRE_B = 1; revenue 30 x 2/5 = 12
-- and 18.
SELECT * FROM pg_temp.r9((SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls)
                            FROM (VALUES ('{A,A,B}'::text[], 1::float8, 10::float8, 1::float8),
                                         ('{B,B}', 1, 20, 0)) x(path, conversions, revenue, nulls)));
-- At order 2 the same rows are S>(A,A)>(A,B), weight 2, CONV 1 (10),
-- NULL 1, and S>(B,B)>CONV, weight 1 (20).  P = (2/3)(1/2) + 1/3 = 2/3.
-- A (AA, AB): P_A = 1/3, RE 1/2; B (AB, BB): RE 1; sum 3/2; conversions
-- 2/3 and 4/3.  V = (2/3)(1/2)(10) + (1/3)(20) = 10; V_A = 20/3, VRE_A
-- 1/3; VRE_B 1; revenue 30 x (1/3)/(4/3) = 7.5 and 22.5.
SELECT * FROM pg_temp.r9((SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 2)
                            FROM (VALUES ('{A,A,B}'::text[], 1::float8, 10::float8, 1::float8),
                                         ('{B,B}', 1, 20, 0)) x(path, conversions, revenue, nulls)));

-- ---------------------------------------------------------------------
-- No conversions at all: every channel 0, 0 (markov: removal effect 0,
-- P(conversion) = 0 is no division by zero).  Byte order: B (66) < a (97)
-- < b (98).
-- ---------------------------------------------------------------------
CREATE TEMP TABLE zp (path text[], conversions float8, revenue float8, nulls float8);
INSERT INTO zp VALUES ('{b}', 0, 0, 2), ('{B,a}', 0, 0, 1), ('{a,b}', 0, 0, 0);
SELECT m.method, u.*
  FROM unnest('{first_touch,last_touch,linear,position_based,shapley,markov}'::text[]) WITH ORDINALITY m(method, i),
       LATERAL pg_temp.raw((SELECT leadqual.attribute_paths(m.method, path, conversions, revenue, nulls) FROM zp)) u
 ORDER BY m.i, u.n;
-- markov at order 2 as well: states (b), (B,a), (a,b); no conversion
SELECT * FROM pg_temp.raw((SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 2) FROM zp));
-- A row with revenue but no conversion is refused (22023): revenue is the
-- value of a path's conversions, and a chain could not carry it (no
-- conversion transition to put it on), so accepting it would drop it
-- silently from markov and keep it in the heuristics.
SELECT * FROM pg_temp.raw((SELECT leadqual.attribute_paths('linear', '{A}', 0, 100, 1)));
SELECT * FROM pg_temp.raw((SELECT leadqual.attribute_paths('markov', '{A}', 0, 100, 1)));

-- Conversions but no revenue: every revenue 0.  {A,B} 1 conversion,
-- {B} 1 conversion and 1 null.  Markov: S: A 1, B 2; A: B 1; B: CONV 2,
-- NULL 1; b = a = 2/3 = P; A: P_A = 2/3 x 2/3 = 4/9, RE 1/3; B: RE 1;
-- conversions 2 x (1/3)/(4/3) = 0.5 and 1.5.
SELECT * FROM pg_temp.r9((SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls)
                            FROM (VALUES ('{A,B}'::text[], 1::float8, 0::float8, 0::float8),
                                         ('{B}', 1, 0, 1)) x(path, conversions, revenue, nulls)));
-- linear: A 0.5, B 0.5 + 1 = 1.5, revenue 0
SELECT * FROM pg_temp.raw((SELECT leadqual.attribute_paths('linear', path, conversions, revenue, nulls)
                             FROM (VALUES ('{A,B}'::text[], 1::float8, 0::float8, 0::float8),
                                          ('{B}', 1, 0, 1)) x(path, conversions, revenue, nulls)));

-- ---------------------------------------------------------------------
-- Fractional conversions (a model's probabilities, or weighted journeys).
-- Table fp: {A,B} 0.5 conversions, 50, 0.5 nulls; {B} 1.5, 30, 0.5;
-- {A} 0.25, 5, 0.75.  2.25 conversions worth 85 in 4 journeys.
-- ---------------------------------------------------------------------
CREATE TEMP TABLE fp (path text[], conversions float8, revenue float8, nulls float8);
INSERT INTO fp VALUES ('{A,B}', 0.5, 50, 0.5), ('{B}', 1.5, 30, 0.5), ('{A}', 0.25, 5, 0.75);
-- first_touch: A 0.5 + 0.25 = 0.75 (50 + 5 = 55), B 1.5 (30)
SELECT * FROM pg_temp.raw((SELECT leadqual.attribute_paths('first_touch', path, conversions, revenue, nulls) FROM fp));
-- linear: A 0.25 + 0.25 = 0.5 (25 + 5 = 30), B 0.25 + 1.5 = 1.75 (25 + 30 = 55)
SELECT * FROM pg_temp.raw((SELECT leadqual.attribute_paths('linear', path, conversions, revenue, nulls) FROM fp));
-- markov: weights (conversions + nulls) 1, 2, 1.  S: A 1 + 1 = 2, B 2;
-- A: B 1, CONV 0.25, NULL 0.75; B: CONV 0.5 + 1.5 = 2, NULL 0.5 + 0.5 = 1.
-- b = 2/3; a = (1/2)(2/3) + 0.25/2 = 11/24; P = (11/24 + 16/24)/2 = 9/16
-- (= 2.25/4).
--   A: P_A = (2/3)/2 = 1/3, RE_A = 1 - 16/27 = 11/27
--   B: a = 1/8, P_B = 1/16, RE_B = 1 - 1/9 = 24/27
--   conversions 2.25 x 11/35 = 0.707142857, 2.25 x 24/35 = 1.542857143
-- Values: B's conversions carry 80/2 = 40, A's 5/0.25 = 20.
--   vb = 80/3, va = 40/3 + 20/8 = 95/6, V = (95/6 + 160/6)/2 = 85/4
--   A: V_A = 40/3, VRE_A = 1 - 160/255 = 19/51
--   B: va = 5/2, V_B = 5/4, VRE_B = 1 - 1/17 = 48/51
--   revenue 85 x 19/67 = 24.104477612, 85 x 48/67 = 60.895522388
SELECT * FROM pg_temp.r9((SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls) FROM fp));

-- ---------------------------------------------------------------------
-- Channels sort in byte order (like COLLATE "C"), whatever the database's
-- collation: 10 < 9 < B < Z < _x < a < b.  linear, one path of seven
-- distinct channels, 7 conversions worth 70: 1 and 10 each.
-- ---------------------------------------------------------------------
SELECT * FROM pg_temp.r9((SELECT leadqual.attribute_paths('linear', '{b,B,a,_x,Z,10,9}'::text[], 7, 70)));

-- ---------------------------------------------------------------------
-- Empty and grouped input: no rows gives NULL, like every aggregate, for
-- each overload; GROUP BY over no rows gives no rows; a NULL group key is
-- a group like any other.
-- ---------------------------------------------------------------------
SELECT (SELECT leadqual.attribute_paths('linear', path, conversions, revenue) FROM hp WHERE false) IS NULL AS four_args,
       (SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls) FROM hp WHERE false) IS NULL AS five_args,
       (SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls, 3) FROM hp WHERE false) IS NULL AS six_args;
SELECT count(*) AS groups
  FROM (SELECT leadqual.attribute_paths('linear', path, conversions, revenue, nulls) FROM hp WHERE false GROUP BY path) x;
-- group 1: {A} 1 conversion, 10 -> A 1/10; group NULL: {B,A} 1, 30 ->
-- first touch B 1/30, A 0/0; {C} no conversion -> C 0/0
SELECT g, leadqual.attribute_paths('first_touch', path, conversions, revenue, nulls)::text AS credits
  FROM (VALUES (1, '{A}'::text[], 1::float8, 10::float8, 0::float8),
               (NULL, '{B,A}', 1, 30, 0), (NULL, '{C}', 0, 0, 1)) x(g, path, conversions, revenue, nulls)
 GROUP BY g ORDER BY g;

SET client_min_messages = warning;
DROP EXTENSION leadqual CASCADE;
