-- attribution_demo: on generate_demo data, every method's credits add up
-- to the conversions and the revenue of the journeys it attributes (SPEC
-- §6: every heuristic splits one conversion; markov shares the totals by
-- removal effects), computed here independently of attribution(): the
-- won leads with at least one touch at or before the win, and their won
-- revenue.  Markov at orders 1-4 too; every lead's lead_attribution
-- weights add up to 1 and its revenue to its won revenue; the
-- channel_attribution view carries attribution()'s revenue per method.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;
SET timezone = 'UTC';
SELECT leadqual.generate_demo(1500) AS demo_leads;

-- the totals, from the tables: won leads with a touch at or before the win
CREATE TEMP TABLE won_journeys AS
SELECT l.lead_id, l.won_at, l.won_revenue::float8 AS value
  FROM leadqual.lead_timelines l
 WHERE l.won_at IS NOT NULL
   AND EXISTS (SELECT FROM leadqual.event e
                WHERE e.lead_id = l.lead_id AND e.channel IS NOT NULL AND e.occurred_at <= l.won_at);
-- the demo has won leads and revenue to attribute
SELECT count(*) > 20 AS enough_won, sum(value) > 0 AS some_revenue FROM won_journeys;

CREATE TEMP TABLE runs AS
SELECT v.method, v.k, a.*
  FROM (VALUES ('first_touch', 1), ('last_touch', 1), ('linear', 1), ('time_decay', 1),
               ('position_based', 1), ('w_shaped', 1), ('full_path', 1), ('shapley', 1),
               ('markov', 1), ('markov', 2), ('markov', 3), ('markov', 4)) AS v(method, k),
       leadqual.attribution(v.method, markov_order => v.k) a;
-- per method: conversions add up to the won journeys, revenue to their
-- value (relative 1e-9), shares to 1, nothing negative or non-finite
SELECT r.method, r.k,
       abs(sum(r.conversions) - (SELECT count(*) FROM won_journeys)) < 1e-9 * (SELECT count(*) FROM won_journeys) AS conversions_add_up,
       abs(sum(r.revenue) - (SELECT sum(value) FROM won_journeys)) < 1e-9 * (SELECT sum(value) FROM won_journeys) AS revenue_adds_up,
       abs(sum(r.share) - 1) < 1e-12 AS shares_add_up,
       bool_and(r.conversions >= 0 AND r.revenue >= 0 AND r.conversions < 'infinity' AND r.revenue < 'infinity') AS finite,
       bool_and((r.removal_effect IS NULL) = (r.method <> 'markov')) AS removal_effect_iff_markov,
       bool_and(r.removal_effect IS NULL OR r.removal_effect BETWEEN 0 AND 1) AS removal_effect_in_0_1
  FROM runs r GROUP BY r.method, r.k ORDER BY r.method, r.k;
-- every method lists the same channels: every channel any journey touched
SELECT count(DISTINCT r.method || r.k) AS runs,
       bool_and(r.n = (SELECT count(DISTINCT e.channel) FROM leadqual.event e WHERE e.channel IS NOT NULL)) AS every_channel
  FROM (SELECT method, k, count(*) AS n FROM runs GROUP BY 1, 2) r;

-- lead_attribution: one set of weights per won journey, adding up to 1,
-- revenue to the lead's value; its per-channel sums are attribution()'s
-- (for markov, the per-lead split differs from the chain's by design)
CREATE TEMP TABLE la AS
SELECT v.method, x.*
  FROM (VALUES ('first_touch'), ('last_touch'), ('linear'), ('time_decay'), ('position_based'),
               ('w_shaped'), ('full_path'), ('shapley'), ('markov')) AS v(method),
       leadqual.lead_attribution(v.method) x;
SELECT l.method,
       count(DISTINCT l.lead_id) = (SELECT count(*) FROM won_journeys) AS every_won_journey,
       bool_and(abs(l.w - 1) < 1e-12) AS weights_add_up,
       bool_and(abs(l.rev - wj.value) <= 1e-9 * greatest(wj.value, 1)) AS revenue_adds_up
  FROM (SELECT method, lead_id, sum(weight) AS w, sum(revenue) AS rev FROM la GROUP BY 1, 2) l
  JOIN won_journeys wj ON wj.lead_id = l.lead_id
 GROUP BY l.method ORDER BY l.method;
SELECT r.method,
       bool_and(abs(coalesce(s.conv, 0) - r.conversions) <= 1e-9 * greatest(r.conversions, 1)
                AND abs(coalesce(s.rev, 0) - r.revenue) <= 1e-9 * greatest(r.revenue, 1)) AS per_channel_sums_equal
  FROM runs r
  LEFT JOIN (SELECT method, channel, sum(weight) AS conv, sum(revenue) AS rev FROM la GROUP BY 1, 2) s
    ON s.method = r.method AND s.channel = r.channel
 WHERE r.method <> 'markov'
 GROUP BY r.method ORDER BY r.method;

-- channel_attribution: one row per channel, its revenue per method that of
-- attribution() (default options) to 1e-12 relative: the view feeds the
-- same journeys to the aggregate in another order, and float sums in
-- another order may differ in their last bits
SELECT count(*) = (SELECT count(DISTINCT channel) FROM leadqual.event WHERE channel IS NOT NULL) AS one_row_per_channel,
       sum(c.converted_leads) >= (SELECT count(*) FROM won_journeys) AS converted_leads_cover_won
  FROM leadqual.channel_attribution c;
SELECT r.method, bool_and(abs(v.revenue - r.revenue) <= 1e-12 * greatest(r.revenue, 1)) AS revenue_as_attribution
  FROM runs r
  JOIN (SELECT c.channel, m.method, m.revenue
          FROM leadqual.channel_attribution c,
               LATERAL (VALUES ('first_touch', c.revenue_first_touch), ('last_touch', c.revenue_last_touch),
                               ('linear', c.revenue_linear), ('time_decay', c.revenue_time_decay),
                               ('position_based', c.revenue_position_based), ('w_shaped', c.revenue_w_shaped),
                               ('full_path', c.revenue_full_path), ('markov', c.revenue_markov),
                               ('shapley', c.revenue_shapley)) AS m(method, revenue)) v
    ON v.channel = r.channel AND v.method = r.method
 WHERE r.k = 1
 GROUP BY r.method ORDER BY r.method;
-- touches and leads per channel, counted from the events independently
-- (won leads' touches after the win are not in their journeys)
SELECT bool_and(c.touches = x.touches AND c.leads = x.leads) AS reach_counted_right
  FROM leadqual.channel_attribution c
  JOIN (SELECT e.channel, count(*) AS touches, count(DISTINCT e.lead_id) AS leads
          FROM leadqual.event e JOIN leadqual.lead_timelines t ON t.lead_id = e.lead_id
         WHERE e.channel IS NOT NULL AND (t.won_at IS NULL OR e.occurred_at <= t.won_at)
         GROUP BY e.channel) x ON x.channel = c.channel;
