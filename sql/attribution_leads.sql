-- attribution_leads: attribution() and lead_attribution() (SPEC §6) over
-- leadqual's own tables: leads, their events with channels (touches),
-- their stage_history and their won opportunities, all inserted by hand at
-- fixed times.  Every expected number was worked out by hand from the
-- attribution contract in the comment before its query; none was copied
-- from what the functions print.  Numbers are rounded to 9 decimals
-- (pg_temp.r9) where a hand value is a repeating fraction or a decimal
-- float8 does not hold exactly; dyadic results are shown as they are.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;
SET TimeZone = 'UTC';
-- no scoring, no automatic moves: the history below is all there is
SET leadqual.auto_scoring = off;
\pset null '(null)'

CREATE FUNCTION pg_temp.r9(x float8) RETURNS numeric
    LANGUAGE sql IMMUTABLE AS $$SELECT round(x::numeric, 9)$$;

-- The leads (all times 2025 UTC, midnight unless told; "Jan 8" is
-- 2025-01-08 00:00).  Touch = event with a channel; eNNN = event_id.
--
-- L1 won Jan 8, value 1000.  mql Jan 1, sal Jan 2, sql Jan 3, opportunity Jan 4.
--    touches e101 ads Jan 1, e102 email Jan 1 (same instant, after e101 by
--    event_id), e103 web Jan 8 (at the conversion: counts); e104 (no
--    channel) Jan 5 is no touch; e105 ads Jan 9 is after the conversion.
--    Journey: ads, email, web.
-- L2 won Jan 22, value 300 + 200 (two won opportunities; a lost one of 999
--    does not count).  mql Jan 7, sal Jan 9, sql Jan 10, opportunity Jan 16.
--    touches e201 web Jan 8, e202 ads Jan 15, e203 email Jan 15, e204 web Jan 22.
--    Journey: web, ads, email, web (no touch at or before mql).
-- L3 won Feb 5, value 200.  mql Feb 1, sal Feb 2, sql Feb 3, opportunity Feb 4.
--    touch e301 email Jan 31.  Journey: email.
-- L4 won Feb 8, value 100.  mql Feb 2, sal Feb 3, sql Feb 3 12:00, opportunity Feb 4.
--    touches e401 partner Feb 1, e402 ads Feb 8.  Journey: partner, ads.
-- L5 never won: mql Jan 6, nothing more.  touches e501 social Jan 5, e502
--    ads Jan 6.  Non-converting journey: social, ads.
-- L6 won Jan 3, value 7000 (mql .. opportunity on Jan 2).  Its only touch,
--    e601 ads Jan 4, is after the conversion: no touch left, not attributed.
-- L7 won Feb 12, value 50 (mql Feb 10).  Its one event e701 (Feb 9) has no
--    channel: no touch, not attributed.
INSERT INTO leadqual.lead (lead_id, external_id, created_at, stage, stage_entered_at) VALUES
    (1, 'att-1', '2024-12-01', 'won', '2025-01-08'),
    (2, 'att-2', '2024-12-01', 'won', '2025-01-22'),
    (3, 'att-3', '2024-12-01', 'won', '2025-02-05'),
    (4, 'att-4', '2024-12-01', 'won', '2025-02-08'),
    (5, 'att-5', '2024-12-01', 'mql', '2025-01-06'),
    (6, 'att-6', '2024-12-01', 'won', '2025-01-03'),
    (7, 'att-7', '2024-12-01', 'won', '2025-02-12');
INSERT INTO leadqual.stage_history (lead_id, from_stage, to_stage, changed_at, actor) VALUES
    (1, 'inquiry', 'mql', '2025-01-01', 'system'),
    (1, 'mql', 'sal', '2025-01-02', 'sales'),
    (1, 'sal', 'sql', '2025-01-03', 'sales'),
    (1, 'sql', 'opportunity', '2025-01-04', 'sales'),
    (1, 'opportunity', 'won', '2025-01-08', 'sales'),
    (2, 'inquiry', 'mql', '2025-01-07', 'system'),
    (2, 'mql', 'sal', '2025-01-09', 'sales'),
    (2, 'sal', 'sql', '2025-01-10', 'sales'),
    (2, 'sql', 'opportunity', '2025-01-16', 'sales'),
    (2, 'opportunity', 'won', '2025-01-22', 'sales'),
    (3, 'inquiry', 'mql', '2025-02-01', 'system'),
    (3, 'mql', 'sal', '2025-02-02', 'sales'),
    (3, 'sal', 'sql', '2025-02-03', 'sales'),
    (3, 'sql', 'opportunity', '2025-02-04', 'sales'),
    (3, 'opportunity', 'won', '2025-02-05', 'sales'),
    (4, 'inquiry', 'mql', '2025-02-02', 'system'),
    (4, 'mql', 'sal', '2025-02-03', 'sales'),
    (4, 'sal', 'sql', '2025-02-03 12:00', 'sales'),
    (4, 'sql', 'opportunity', '2025-02-04', 'sales'),
    (4, 'opportunity', 'won', '2025-02-08', 'sales'),
    (5, 'inquiry', 'mql', '2025-01-06', 'system'),
    (6, 'inquiry', 'mql', '2025-01-02', 'system'),
    (6, 'mql', 'sal', '2025-01-02 06:00', 'sales'),
    (6, 'sal', 'sql', '2025-01-02 12:00', 'sales'),
    (6, 'sql', 'opportunity', '2025-01-02 18:00', 'sales'),
    (6, 'opportunity', 'won', '2025-01-03', 'sales'),
    (7, 'inquiry', 'mql', '2025-02-10', 'system'),
    (7, 'mql', 'sal', '2025-02-10 06:00', 'sales'),
    (7, 'sal', 'sql', '2025-02-11', 'sales'),
    (7, 'sql', 'opportunity', '2025-02-11 12:00', 'sales'),
    (7, 'opportunity', 'won', '2025-02-12', 'sales');
INSERT INTO leadqual.opportunity (lead_id, created_at, closed_at, status, amount) VALUES
    (1, '2025-01-04', '2025-01-08', 'won', 1000),
    (2, '2025-01-16', '2025-01-22', 'won', 300),
    (2, '2025-01-16', '2025-01-22', 'won', 200),
    (2, '2025-01-16', '2025-01-20', 'lost', 999),
    (3, '2025-02-04', '2025-02-05', 'won', 200),
    (4, '2025-02-04', '2025-02-08', 'won', 100),
    (6, '2025-01-02 18:00', '2025-01-03', 'won', 7000),
    (7, '2025-02-11 12:00', '2025-02-12', 'won', 50);
INSERT INTO leadqual.event (event_id, lead_id, event_type, occurred_at, channel) VALUES
    (101, 1, 'ad_click', '2025-01-01', 'ads'),
    (102, 1, 'email_click', '2025-01-01', 'email'),
    (103, 1, 'page_view', '2025-01-08', 'web'),
    (104, 1, 'page_view', '2025-01-05', NULL),
    (105, 1, 'ad_click', '2025-01-09', 'ads'),
    (201, 2, 'page_view', '2025-01-08', 'web'),
    (202, 2, 'ad_click', '2025-01-15', 'ads'),
    (203, 2, 'email_click', '2025-01-15', 'email'),
    (204, 2, 'page_view', '2025-01-22', 'web'),
    (301, 3, 'email_click', '2025-01-31', 'email'),
    (401, 4, 'referral', '2025-02-01', 'partner'),
    (402, 4, 'ad_click', '2025-02-08', 'ads'),
    (501, 5, 'post_click', '2025-01-05', 'social'),
    (502, 5, 'ad_click', '2025-01-06', 'ads'),
    (601, 6, 'ad_click', '2025-01-04', 'ads'),
    (701, 7, 'page_view', '2025-02-09', NULL);

-- Goal won (the default): L1..L4 convert, 4 conversions worth
-- 1000 + 500 + 200 + 100 = 1800 (L6's 7000 and L7's 50 are not attributed);
-- L5 is a non-converting journey, so social is listed with 0 (every
-- channel of a journey is, as in attribute_paths).  share = conversions / 4.
-- removal_effect is NULL for every method but markov.
--
-- first_touch: L1 ads, L2 web, L3 email, L4 partner: 1 each (share 0.25),
-- revenue 1000, 500, 200, 100
SELECT * FROM leadqual.attribution('first_touch');
-- last_touch: L1 web (e103 at the conversion; e105 after it does not
-- count), L2 web, L3 email, L4 ads: web 2 (1500, 0.5), email 1 (200),
-- ads 1 (100), partner 0 (its lead's other touch took it), social 0
SELECT * FROM leadqual.attribution('last_touch');
-- linear, the default method: L1 1/3 each (333.33); L2 web 2/4 (250), ads
-- and email 1/4 (125); L3 email 1 (200); L4 partner, ads 1/2 (50).
--   ads     1/3 + 1/4 + 1/2 = 13/12 = 1.083333333   1000/3 + 125 + 50 = 508.333333333   share 13/48 = 0.270833333
--   email   1/3 + 1/4 + 1   = 19/12 = 1.583333333   1000/3 + 125 + 200 = 658.333333333  share 19/48 = 0.395833333
--   partner 1/2 = 0.5                                50                                share 0.125
--   web     1/3 + 1/2 = 5/6 = 0.833333333            1000/3 + 250 = 583.333333333      share 10/48 = 0.208333333
-- (sums 4 and 1800)
SELECT channel, pg_temp.r9(conversions) AS conversions, pg_temp.r9(revenue) AS revenue,
       pg_temp.r9(share) AS share, removal_effect
  FROM leadqual.attribution();
-- time_decay, half_life 7 days (default): weight 2^(-age/7 days).
-- L1: ads and email are exactly one half-life old (Jan 1 -> Jan 8): 1/2
-- each, web 0 days: 1; normalised ads 1/4, email 1/4, web 1/2.
-- L2: web e201 14 days (1/4), ads and email 7 days (1/2), web e204 0 (1):
-- sum 9/4; web (1/4 + 1)/(9/4) = 5/9, ads 2/9, email 2/9.
-- L3: email 1.  L4: partner 7 days (1/2), ads 0 (1): 1/3, 2/3.
--   ads     1/4 + 2/9 + 2/3 = 41/36 = 1.138888889   250 + 1000/9 + 200/3 = 3850/9 = 427.777777778   share 41/144 = 0.284722222
--   email   1/4 + 2/9 + 1 = 53/36 = 1.472222222     250 + 1000/9 + 200 = 5050/9 = 561.111111111    share 53/144 = 0.368055556
--   partner 1/3 = 0.333333333                        100/3 = 33.333333333                          share 1/12 = 0.083333333
--   web     1/2 + 5/9 = 19/18 = 1.055555556          500 + 2500/9 = 7000/9 = 777.777777778         share 38/144 = 0.263888889
SELECT channel, pg_temp.r9(conversions) AS conversions, pg_temp.r9(revenue) AS revenue,
       pg_temp.r9(share) AS share, removal_effect
  FROM leadqual.attribution('time_decay');
-- position_based: L1 ads 0.4, email 0.2, web 0.4; L2 web 0.4 + 0.4 = 0.8,
-- ads 0.1, email 0.1; L3 email 1; L4 (two touches) 1/2 each.
--   ads     0.4 + 0.1 + 0.5 = 1.0   400 + 50 + 50 = 500    share 0.25
--   email   0.2 + 0.1 + 1 = 1.3     200 + 50 + 200 = 450   share 0.325
--   partner 0.5                     50                     share 0.125
--   web     0.4 + 0.8 = 1.2         400 + 400 = 800        share 0.3
SELECT channel, pg_temp.r9(conversions) AS conversions, pg_temp.r9(revenue) AS revenue,
       pg_temp.r9(share) AS share, removal_effect
  FROM leadqual.attribution('position_based');
-- w_shaped: milestones first touch, last touch at or before mql, last
-- touch at or before opportunity; each present slot 0.9/|present slots|.
-- L1: first e101 ads; mql Jan 1: e102 email; opportunity Jan 4: e102
--     email again (coinciding milestones: email takes both slots).  0.3
--     each: ads 0.3, email 0.6; the one other touch, web, 0.1.
-- L2: first e201 web; no touch at or before mql (Jan 7): missing, its share
--     goes to the two present slots, 0.45 each; opportunity Jan 16: e203
--     email.  Others e202 ads, e204 web: 0.05 each.  web 0.5, email 0.45,
--     ads 0.05.
-- L3: e301 is all three milestones (0.9) and there is no other touch: the
--     0.1 goes to the distinct milestone touches, e301 alone: email 1.
-- L4: first e401 partner; mql Feb 2: e401; opportunity Feb 4: e401 (0.9);
--     other e402 ads 0.1.
--   ads     0.3 + 0.05 + 0.1 = 0.45    300 + 25 + 10 = 335     share 0.1125
--   email   0.6 + 0.45 + 1 = 2.05      600 + 225 + 200 = 1025  share 0.5125
--   partner 0.9                        90                      share 0.225
--   web     0.1 + 0.5 = 0.6            100 + 250 = 350         share 0.15
SELECT channel, pg_temp.r9(conversions) AS conversions, pg_temp.r9(revenue) AS revenue,
       pg_temp.r9(share) AS share, removal_effect
  FROM leadqual.attribution('w_shaped');
-- full_path: the same plus the last touch at or before won, 0.225 each of
-- four slots when all are present.
-- L1: ads 0.225, email 0.45, web (won Jan 8: e103) 0.225; no other touch:
--     the 0.1 goes equally to the three distinct milestone touches, 1/30
--     each: ads 31/120, email 58/120 = 29/60, web 31/120.
-- L2: mql missing: three slots, 0.3 each: web e201 0.3 + web e204 (won)
--     0.3 = 0.6, email e203 0.3; other e202 ads 0.1.
-- L3: email 1 (four slots 0.9 + the 0.1 to its one milestone touch).
-- L4: partner 3 x 0.225 = 0.675, ads (won Feb 8: e402) 0.225; no other
--     touch: 0.05 each to the two: partner 0.725, ads 0.275.
--   ads     31/120 + 12/120 + 33/120 = 19/30 = 0.633333333   258.333333 + 50 + 27.5 = 335.833333333    share 0.158333333
--   email   29/60 + 18/60 + 60/60 = 107/60 = 1.783333333     483.333333 + 150 + 200 = 833.333333333   share 0.445833333
--   partner 0.725                                            72.5                                   share 0.18125
--   web     31/120 + 72/120 = 103/120 = 0.858333333          258.333333 + 300 = 558.333333333         share 0.214583333
-- (sums 480/120 = 4 and 1800)
SELECT channel, pg_temp.r9(conversions) AS conversions, pg_temp.r9(revenue) AS revenue,
       pg_temp.r9(share) AS share, removal_effect
  FROM leadqual.attribution('full_path');
-- shapley: 1/|distinct channels| of each journey: L1 1/3 each; L2 three
-- distinct (web twice counts once) 1/3 each; L3 email 1; L4 1/2 each.
--   ads     1/3 + 1/3 + 1/2 = 7/6 = 1.166666667   333.33 + 166.67 + 50 = 550   share 7/24 = 0.291666667
--   email   1/3 + 1/3 + 1 = 5/3 = 1.666666667     333.33 + 166.67 + 200 = 700  share 5/12 = 0.416666667
--   partner 0.5                                   50                           share 0.125
--   web     2/3 = 0.666666667                     333.33 + 166.67 = 500        share 1/6 = 0.166666667
SELECT channel, pg_temp.r9(conversions) AS conversions, pg_temp.r9(revenue) AS revenue,
       pg_temp.r9(share) AS share, removal_effect
  FROM leadqual.attribution('shapley');

-- markov (order 1) over the five journeys: L1 ads>email>web>CONV (1000),
-- L2 web>ads>email>web>CONV (500), L3 email>CONV (200), L4
-- partner>ads>CONV (100), L5 social>ads>NULL.  L6 and L7 have no touch:
-- not in the chain.  Transitions:
--   S: ads 1, web 1, email 1, partner 1, social 1 (1/5 each)
--   ads: email 2 (L1, L2), CONV 1 (L4), NULL 1 (L5)  -> 1/2, 1/4, 1/4
--   email: web 2 (L1, L2), CONV 1 (L3)               -> 2/3, 1/3
--   web: CONV 2 (L1, L2), ads 1 (L2)                 -> 2/3, 1/3
--   partner: ads 1;  social: ads 1
-- a = e/2 + 1/4; e = 2w/3 + 1/3; w = 2/3 + a/3
--   e = 4/9 + 2a/9 + 3/9 = 7/9 + 2a/9; a = 7/18 + a/9 + 1/4 -> (8/9) a = 23/36
--   a = 23/32, e = 15/16, w = 29/32, partner = social = a = 23/32
--   P = (23 + 29 + 30 + 23 + 23)/32/5 = 4/5  (= 4 conversions / 5 journeys)
-- Removal:
--   ads:     a = 0: e = 7/9, w = 2/3; P = (2/3 + 7/9)/5 = 13/45;  RE = 1 - 13/36 = 23/36
--   email:   e = 0: a = 1/4, w = 3/4; P = (1/4 + 3/4 + 1/4 + 1/4)/5 = 3/10;  RE = 1 - 3/8 = 5/8
--   web:     w = 0: e = 1/3, a = 1/6 + 1/4 = 5/12;
--            P = (5/12 + 0 + 1/3 + 5/12 + 5/12)/5 = 19/60;  RE = 1 - 19/48 = 29/48
--   partner: P = (23 + 29 + 30 + 0 + 23)/32/5 = 21/32;  RE = 1 - 105/128 = 23/128
--   social:  the same, 23/128: it never converted, but its journey went on to ads
--   In 1152nds: 736, 720, 696, 207, 207; sum 2566.  conversions 4 x RE/sum:
--   ads 2944/2566 = 1.147310990, email 2880/2566 = 1.122369447,
--   web 2784/2566 = 1.084957132, partner = social 828/2566 = 0.322681216;
--   share = RE/sum: 0.286827747, 0.280592362, 0.271239283, 0.080670304.
-- Value chain: ads converts with 100, email 200, web (1000 + 500)/2 = 750.
--   va = ve/2 + 25; ve = 2vw/3 + 200/3; vw = 500 + va/3
--   ve = 400 + 2va/9; va = 225 + va/9 -> va = 2025/8 = 253.125,
--   ve = 456.25, vw = 584.375; V = (3 x 253.125 + 584.375 + 456.25)/5 = 360
--   ads: ve = 400, vw = 500, V = 180, VRE 1/2
--   email: va = 25, vw = 1525/3, V = (75 + 1525/3)/5 = 350/3, VRE 1 - 35/108 = 73/108
--   web: ve = 200/3, va = 175/3, V = (3 x 175/3 + 200/3)/5 = 145/3, VRE 1 - 29/216 = 187/216
--   partner, social: V = (1800 - 253.125)/5 = 309.375, VRE 50.625/360 = 9/64
--   In 1728ths: 864, 1168, 1496, 243, 243; sum 4014.  revenue 1800 x VRE/sum:
--   ads 387.443946188, email 523.766816143, web 670.852017937,
--   partner = social 108.968609865.
SELECT channel, pg_temp.r9(conversions) AS conversions, pg_temp.r9(revenue) AS revenue,
       pg_temp.r9(share) AS share, pg_temp.r9(removal_effect) AS removal_effect
  FROM leadqual.attribution('markov');
-- attribute_paths on the same five journeys written out as a path table
-- gives the same credits, at order 1 and at order 2 (rounded to 9
-- decimals: the two may add the same counts in another order)
CREATE TEMP TABLE lj (path text[], conversions float8, revenue float8, nulls float8);
INSERT INTO lj VALUES ('{ads,email,web}', 1, 1000, 0), ('{web,ads,email,web}', 1, 500, 0),
    ('{email}', 1, 200, 0), ('{partner,ads}', 1, 100, 0), ('{social,ads}', 0, 0, 1);
SELECT o.markov_order,
       (SELECT count(*) FROM leadqual.attribution('markov', markov_order => o.markov_order)) AS channels,
       (SELECT count(*)
          FROM ((SELECT channel, pg_temp.r9(conversions), pg_temp.r9(revenue), pg_temp.r9(removal_effect)
                   FROM leadqual.attribution('markov', markov_order => o.markov_order)
                 EXCEPT
                 SELECT channel, pg_temp.r9(conversions), pg_temp.r9(revenue), pg_temp.r9(removal_effect)
                   FROM unnest((SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls, o.markov_order) FROM lj)))
                UNION ALL
                (SELECT channel, pg_temp.r9(conversions), pg_temp.r9(revenue), pg_temp.r9(removal_effect)
                   FROM unnest((SELECT leadqual.attribute_paths('markov', path, conversions, revenue, nulls, o.markov_order) FROM lj))
                 EXCEPT
                 SELECT channel, pg_temp.r9(conversions), pg_temp.r9(revenue), pg_temp.r9(removal_effect)
                   FROM leadqual.attribution('markov', markov_order => o.markov_order))) d) AS differ
  FROM (VALUES (1), (2)) o(markov_order);

-- Another goal: mql.  Conversion = first reach of mql; value is still the
-- won revenue.  L1 (Jan 1): touches at or before Jan 1 00:00 are ads and
-- email, 1/2 each of 1000.  L2 (Jan 7): no touch by then, not attributed.
-- L3 (Feb 1): email 1, 200.  L4 (Feb 2): partner 1, 100.  L5 (Jan 6):
-- social 1/2, ads 1/2 (e502 at the very instant), value 0.  L6 (Jan 2) and
-- L7: no touch.  No journey has web: no web row.  4 conversions:
--   ads 1/2 + 1/2 = 1, 500, share 0.25;  email 1/2 + 1 = 1.5, 700, 0.375;
--   partner 1, 100, 0.25;  social 0.5, 0, 0.125  (sums 4, 1300)
SELECT * FROM leadqual.attribution('linear', goal => 'mql');
-- goal opportunity, last_touch: L1 (Jan 4) e102 email; L2 (Jan 16) e203
-- email; L3 (Feb 4) email; L4 (Feb 4) e401 partner; L5 never reached it
-- (non-converting: social, ads); L6, L7 no touch.  email 3 (1000 + 500 +
-- 200 = 1700, 0.75), partner 1 (100, 0.25); ads, social and web (e201 is
-- in L2's journey) 0
SELECT * FROM leadqual.attribution('last_touch', goal => 'opportunity');

-- since / until bound the conversion time (both ends included).  Jan 15 ..
-- Feb 6: L2 (Jan 22) and L3 (Feb 5) convert inside; L1 (Jan 8), L4 (Feb 8)
-- and L6 (Jan 3) reached won outside and are left out entirely (so L4's
-- Feb 1 touch on partner is not a non-converting journey: no partner row);
-- L5's touches (Jan 5, Jan 6) are before since.  linear: L2 web 1/2 (250),
-- ads 1/4 (125), email 1/4 (125); L3 email 1 (200).  2 conversions:
--   ads 0.25, 125, 0.125;  email 1.25, 325, 0.625;  web 0.5, 250, 0.25
SELECT * FROM leadqual.attribution('linear', since => '2025-01-15', until => '2025-02-06');
-- until Jan 5: only L6 converts by then, and it has no touch; L5's social
-- touch of Jan 5 00:00 is at until (counts), its ads touch of Jan 6 is
-- after.  Nothing converts: social 0, 0, share NULL (0 conversions)
SELECT * FROM leadqual.attribution('linear', until => '2025-01-05');
-- since = until = Jan 6: of L5's touches only e502 ads (Jan 6) is inside
SELECT * FROM leadqual.attribution('linear', since => '2025-01-06', until => '2025-01-06');

-- lookback: only touches at or after end - lookback (end = conversion, or
-- the last touch of a non-converting journey).  6 days: L1 (Jan 8) keeps
-- web (Jan 2 ..); L2 (Jan 22) keeps e204 web (Jan 16 ..); L3 (Feb 5) keeps
-- email (Jan 31 >= Jan 30); L4 (Feb 8) keeps ads (Feb 2 ..: partner goes,
-- no partner row); L5 (end Jan 6) keeps both.  linear = last touch here:
--   ads 1 (100, 0.25);  email 1 (200, 0.25);  social 0;  web 2 (1500, 0.5)
SELECT * FROM leadqual.attribution('linear', lookback => '6 days');
-- 7 days, the boundary included: L1 keeps all three (Jan 1 00:00 = Jan 8
-- - 7 days); L2 keeps e202, e203, e204 (Jan 15 ..) 1/3 each; L3 email 1;
-- L4 both (Feb 1 = Feb 8 - 7 days).
--   ads     1/3 + 1/3 + 1/2 = 7/6   333.33 + 166.67 + 50 = 550   share 7/24
--   email   1/3 + 1/3 + 1 = 5/3     333.33 + 166.67 + 200 = 700  share 10/24
--   partner 1/2                     50                           share 3/24
--   web     1/3 + 1/3 = 2/3         333.33 + 166.67 = 500        share 4/24
SELECT channel, pg_temp.r9(conversions) AS conversions, pg_temp.r9(revenue) AS revenue,
       pg_temp.r9(share) AS share, removal_effect
  FROM leadqual.attribution('linear', lookback => '7 days');

-- ---------------------------------------------------------------------
-- lead_attribution: one row per (converting lead, channel), weight summed
-- over the channel's touches, revenue = weight x the lead's value.  L5 (not
-- converting), L6 and L7 (no touch) have no rows.
-- ---------------------------------------------------------------------
-- linear: L1 1/3 each of 1000; L2 ads 1/4 (125), email 1/4 (125), web 2/4
-- (250); L3 email 1 (200); L4 ads 1/2 (50), partner 1/2 (50)
SELECT lead_id, channel, pg_temp.r9(weight) AS weight, pg_temp.r9(revenue) AS revenue
  FROM leadqual.lead_attribution();
-- time_decay as in attribution above: L1 1/4, 1/4, 1/2; L2 ads 2/9, email
-- 2/9, web 5/9; L3 1; L4 ads 2/3, partner 1/3
SELECT lead_id, channel, pg_temp.r9(weight) AS weight, pg_temp.r9(revenue) AS revenue
  FROM leadqual.lead_attribution('time_decay');
-- half_life 3.5 days: 7 days is two half-lives (1/4), 14 days four (1/16).
-- L1: 1/4, 1/4, 1 -> ads 1/6, email 1/6, web 2/3 (166.67, 166.67, 666.67).
-- L2: web 1/16 + 1, ads 1/4, email 1/4, sum 25/16 -> web 17/25 = 0.68
-- (340), ads 0.16 (80), email 0.16 (80).  L3: 1.  L4: partner 1/4, ads 1
-- -> 0.2 (20), 0.8 (80).
SELECT lead_id, channel, pg_temp.r9(weight) AS weight, pg_temp.r9(revenue) AS revenue
  FROM leadqual.lead_attribution('time_decay', half_life => '3 days 12 hours');
-- position_based: L1 ads 0.4, email 0.2, web 0.4; L2 ads 0.1, email 0.1,
-- web 0.8; L3 1; L4 1/2, 1/2
SELECT lead_id, channel, pg_temp.r9(weight) AS weight, pg_temp.r9(revenue) AS revenue
  FROM leadqual.lead_attribution('position_based');
-- w_shaped (milestones as above): L1 ads 0.3, email 0.6, web 0.1; L2 ads
-- 0.05, email 0.45, web 0.5; L3 email 1; L4 ads 0.1, partner 0.9
SELECT lead_id, channel, pg_temp.r9(weight) AS weight, pg_temp.r9(revenue) AS revenue
  FROM leadqual.lead_attribution('w_shaped');
-- full_path: L1 ads 31/120, email 29/60, web 31/120; L2 ads 0.1, email 0.3,
-- web 0.6; L3 email 1; L4 ads 0.275, partner 0.725
SELECT lead_id, channel, pg_temp.r9(weight) AS weight, pg_temp.r9(revenue) AS revenue
  FROM leadqual.lead_attribution('full_path');
-- first_touch, last_touch and shapley, the channels with a weight: first
-- L1 ads, L2 web, L3 email, L4 partner; last L1 web, L2 web, L3 email, L4
-- ads; shapley 1/3 each in L1 and L2, 1 in L3, 1/2 each in L4
SELECT m.method, a.lead_id, a.channel, pg_temp.r9(a.weight) AS weight, pg_temp.r9(a.revenue) AS revenue
  FROM unnest('{first_touch,last_touch,shapley}'::text[]) WITH ORDINALITY m(method, i),
       LATERAL leadqual.lead_attribution(m.method) a
 WHERE a.weight > 0
 ORDER BY m.i, a.lead_id, a.channel COLLATE "C";
-- every channel of a converting journey has its row, also with weight 0:
-- first_touch has 3 + 3 + 1 + 2 = 9 rows
SELECT count(*) AS rows, count(*) FILTER (WHERE weight = 0) AS zero_weight
  FROM leadqual.lead_attribution('first_touch');
-- markov: weight = RE_c / sum of the lead's channels' RE (order 1, the
-- chain above; RE in 1152nds ads 736, email 720, web 696, partner 207):
-- L1 and L2 (ads, email, web): 736/2152 = 0.342007435, 720/2152 =
-- 0.334572491, 696/2152 = 0.323420074; L3 email 1; L4 ads 736/943 =
-- 0.780487805, partner 207/943 = 0.219512195.  Revenue by the value
-- removal effects (in 1728ths ads 864, email 1168, web 1496, partner 243):
-- L1 1000 x 864/3528 = 244.897959184, x 1168/3528 = 331.065759637,
-- x 1496/3528 = 424.036281179; L2 half of those; L3 200; L4 100 x 864/1107
-- = 78.048780488, 100 x 243/1107 = 21.951219512
SELECT lead_id, channel, pg_temp.r9(weight) AS weight, pg_temp.r9(revenue) AS revenue
  FROM leadqual.lead_attribution('markov');

-- The weights of every converting lead sum to 1 and its revenues to its
-- value, for every method: 4 leads each
SELECT m.method, count(*) AS leads,
       bool_and(abs(s.weight - 1) < 1e-12) AS weights_sum_to_1,
       bool_and(abs(s.revenue - v.won_revenue::float8) < 1e-9) AS revenue_is_value
  FROM unnest('{first_touch,last_touch,linear,time_decay,position_based,w_shaped,full_path,shapley,markov}'::text[])
           WITH ORDINALITY m(method, i),
       LATERAL (SELECT lead_id, sum(weight) AS weight, sum(revenue) AS revenue
                  FROM leadqual.lead_attribution(m.method) GROUP BY lead_id) s
       JOIN leadqual.lead_timelines v USING (lead_id)
 GROUP BY m.i, m.method ORDER BY m.i;
-- For every method but markov (whose lead weights are a per-lead split of
-- the global removal effects), attribution's credit of a channel is the sum
-- of lead_attribution's, and its shares sum to 1
SELECT m.method,
       (SELECT count(*)
          FROM leadqual.attribution(m.method) a
          FULL JOIN (SELECT channel, sum(weight) AS weight, sum(revenue) AS revenue
                       FROM leadqual.lead_attribution(m.method) GROUP BY channel) l USING (channel)
         WHERE abs(a.conversions - coalesce(l.weight, 0)) > 1e-9
            OR abs(a.revenue - coalesce(l.revenue, 0)) > 1e-9
            OR a.channel IS NULL) AS differ,
       (SELECT abs(sum(share) - 1) < 1e-12 FROM leadqual.attribution(m.method)) AS shares_sum_to_1
  FROM unnest('{first_touch,last_touch,linear,time_decay,position_based,w_shaped,full_path,shapley}'::text[])
           WITH ORDINALITY m(method, i)
 ORDER BY m.i;

SET client_min_messages = warning;
DROP EXTENSION leadqual CASCADE;
