"""Hostile and sane argument values of the hostile suite, as SQL expressions.

HOSTILE[type] lists the values every argument (or column) of that type is
given in turn.  Every expression is cast to the argument's type by the
generator, so NULL is typed and overloads resolve.  Big values are built by
the server (repeat, generate_series) so that a case costs no bandwidth, and
stored values come from the fixture's tables (out of line, compressed).

sane(function, argument, type) is the value an argument has while another
one is hostile: the argument's name decides first (a lead in the stage the
action needs, an existing model or reason), then its type.
"""

EXT = "(SELECT {c} FROM hostile.ext WHERE k = '{k}')"   # out of line, uncompressed
CMP = "(SELECT {c} FROM hostile.cmp WHERE k = '{k}')"   # compressed

# timestamps at both ends of PostgreSQL's range, and the infinities
TS = ["NULL", "'infinity'", "'-infinity'", "'4714-11-24 00:00:00+00 BC'",
      "'294276-12-31 23:59:59+00'", "'epoch'", "now() + interval '1000 years'"]

HOSTILE = {
    "bigint": ["NULL", "0", "-1", "9223372036854775807", "-9223372036854775808", "999999999"],
    "integer": ["NULL", "0", "-1", "2147483647", "-2147483648"],
    "smallint": ["NULL", "0", "-1", "32767", "-32768"],
    "double precision": ["NULL", "'NaN'", "'Infinity'", "'-Infinity'", "1e308", "-1e308",
                         "'-0'", "5e-324", "1.7976931348623157e308"],
    "numeric": ["NULL", "'NaN'", "'Infinity'", "'-Infinity'", "1e308", "-1e308", "'-0'",
                "1e-300", "(repeat('9', 1000))::numeric"],
    "boolean": ["NULL", "true", "false"],
    "text": ["NULL", "''", "repeat('x', 1000000)", "'no_such_thing'", "'ünïcödé ☃ ' || chr(1)",
             "''';--'", EXT.format(c="t", k="mb"), CMP.format(c="t", k="rep"),
             EXT.format(c="t", k="wide")],
    "character": ["NULL", "''", "'Z'", "'a'", "' '"],
    "timestamp with time zone": TS,
    "interval": ["NULL", "'178000000 years'", "'-178000000 years'", "'1 microsecond'",
                 "'-1 microsecond'", "'0'", "'2147483647 days 2147483647 months'"],
    "jsonb": ["NULL", "'null'", "'{}'", "'[]'", "'\"str\"'", "'1e308'", "'-0'",
              "'{\"page\": null}'", "jsonb_build_object('page', repeat('p', 1000000))",
              "(repeat('[', 10000) || repeat(']', 10000))::jsonb",
              EXT.format(c="j", k="wide"), EXT.format(c="j", k="mb"),
              CMP.format(c="j", k="rep"), CMP.format(c="j", k="mb"), CMP.format(c="j", k="deep")],
    "bytea": ["NULL", "''", "'\\x00'", "'\\xffffffffffffffff'", "decode(repeat('ff', 4096), 'hex')",
              "decode(repeat('00', 1000000), 'hex')"],
    "text[]": ["NULL", "'{}'", "'{NULL}'", "'{\"\"}'", "'{{a,b},{c,d}}'",
               "(SELECT array_agg('t' || i) FROM generate_series(1, 100000) i)",
               "ARRAY[repeat('x', 1000000)]", CMP.format(c="ta", k="mb"),
               EXT.format(c="ta", k="wide")],
    "jsonb[]": ["NULL", "'{}'", "'{NULL}'", "ARRAY['null'::jsonb]",
                "array_fill('{}'::jsonb, ARRAY[100000])", CMP.format(c="ja", k="mb"),
                EXT.format(c="ja", k="mb"), "ARRAY[" + CMP.format(c="j", k="deep") + "]"],
    "timestamp with time zone[]": ["NULL", "'{}'", "'{NULL}'", "'{infinity,-infinity}'",
                                   "ARRAY['4714-11-24 00:00:00+00 BC', '294276-12-31 23:59:59+00']::timestamptz[]",
                                   "array_fill(now(), ARRAY[100000])"],
    "bigint[]": ["NULL", "'{}'", "'{NULL}'", "'{9223372036854775807,-9223372036854775808}'",
                 "(SELECT array_agg(i) FROM generate_series(1, 100000) i)", "'{{1},{2}}'"],
    "double precision[]": ["NULL", "'{}'", "'{NULL,NULL,NULL}'", "'{NaN,Infinity,-Infinity}'",
                           "'{1e308,-1e308,0}'", "'{25,50,75}'", "'{75,50}'",
                           "array_fill(1::float8, ARRAY[100000])"],
    "boolean[]": ["NULL", "'{}'", "'{NULL}'", "'{{t,f},{f,t}}'", "array_fill(true, ARRAY[33])",
                  "array_fill(true, ARRAY[32])", "'[5:6]={t,t}'", "'{t,NULL,t}'",
                  "array_fill(true, ARRAY[100000])"],
    "leadqual.stage": ["NULL", "'inquiry'", "'mql'", "'won'", "'lost'", "'nurture'",
                       "'disqualified'", "'opportunity'"],
    "internal": ["NULL"],
    # filled in by hostile.py from the fixture (attribution.path_counts_values):
    # valid states of every method, forged streams through the bytea cast,
    # and for cstring (path_counts_in) the text forms of both
    "leadqual.path_counts": ["NULL"],
    "cstring": ["NULL"],
}

# a few NULL-free values per type for the all-hostile combinations
NON_NULL = {t: [v for v in vs if v != "NULL"] or vs for t, vs in HOSTILE.items()}

# unknown names for arguments whose name says what they are
BY_NAME = {
    "model": ["'no_such_model'", "'Default'"],
    "actor": ["'nobody'", "'SYSTEM'", "'system'", "'sales'"],
    "reason": ["'no_such_reason'", "'hand_raise'", "'score_threshold'", "'student'"],
    "owner": ["repeat('o', 1000000)"],
    # attribution: every method (those that need times too) and near misses,
    # Markov orders inside and outside 1-8, goals, paths and touch times
    "method": ["'first_touch'", "'last_touch'", "'linear'", "'time_decay'", "'position_based'", "'w_shaped'",
               "'full_path'", "'markov'", "'shapley'", "'MARKOV'", "' markov'", "'linear '"],
    "markov_order": ["2", "3", "4", "8", "9"],
    "goal": ["'sal'", "'sql'"],
    "path": ["'{a,a,a}'", "'[0:2]={a,b,c}'", "'{a,NULL}'", "'{NaN,Infinity}'",
             "ARRAY[repeat('x', 1000000), repeat('y', 1000000), repeat('x', 1000000)]",
             "(SELECT array_agg(CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END) FROM generate_series(1, 100000) i)",
             "(SELECT array_agg('t' || (i % 3000)) FROM generate_series(1, 100000) i)"],
    "touched_at": ["ARRAY[now(), now() - interval '1 day', now(), now()]",
                   "ARRAY['-infinity', '-infinity', 'infinity', 'infinity']::timestamptz[]",
                   "ARRAY['4714-11-24 00:00:00+00 BC', 'epoch', 'epoch', '294276-12-31 23:59:59+00']::timestamptz[]",
                   "ARRAY[now(), NULL, now(), now()]", "ARRAY[now(), now(), now()]",
                   "ARRAY[now(), now(), now(), now(), now()]", "'{{-infinity,epoch},{epoch,infinity}}'",
                   "array_fill(now(), ARRAY[4])"],
}
BY_NAME["channels"] = BY_NAME["path"]

# names of the arguments the catalog does not name (aggregates and their
# support functions), by function
ARG_NAMES = {
    "attribute_paths": ["method", "path", "conversions", "revenue", "nulls", "markov_order"],
    "attribute_paths_trans": ["pc", "method", "path", "conversions", "revenue", "nulls", "markov_order"],
    "attribute_journeys": ["method", "channels", "touched_at", "converted", "conversion_at", "value", "mql_at",
                           "opportunity_at", "won_at", "half_life", "markov_order"],
    "attribute_journeys_trans": ["pc", "method", "channels", "touched_at", "converted", "conversion_at", "value",
                                 "mql_at", "opportunity_at", "won_at", "half_life", "markov_order"],
}


def hostile(name, typ):
    """Every hostile value of an argument called name of type typ."""
    return HOSTILE.get(typ, ["NULL"]) + BY_NAME.get(name, [])


# sane values by argument name, then by type; {fx-...} are fixture lead ids
SANE_BY_FUNC_ARG = {
    ("transition", "lead_id"): "{fx-inquiry}", ("transition", "to_stage"): "'mql'",
    ("accept", "lead_id"): "{fx-mql}", ("reject", "lead_id"): "{fx-mql}",
    ("qualify", "lead_id"): "{fx-sal}", ("open_opportunity", "lead_id"): "{fx-sql}",
    ("transition", "reason"): "NULL", ("reject", "reason"): "'no_budget'",
    ("close_opportunity", "reason"): "'competitor'", ("close_opportunity", "won"): "false",
    # the per-journey rules get a method that reads the times and milestones
    ("journey_credit", "method"): "'full_path'", ("attribute_journeys", "method"): "'full_path'",
    ("attribute_journeys_trans", "method"): "'full_path'",
    ("attribute_journeys_trans", "pc"): "(SELECT s FROM hostile.pc WHERE k = 'full_path')",
    # predictive models: the fixture's trained hx, trained on its MQLs (a
    # horizon ahead), a fifth held out
    # generate_demo's part: on one node, all leads (no lead_ids); the
    # demo's reasons
    ("demo_group", "lead_ids"): "NULL", ("demo_group", "idxs"): "NULL",
    ("demo_group", "reason_codes"): "'{no_budget,competitor}'",
    ("demo_group", "reason_recyclable"): "'{t,f}'",
    ("train_predictive", "as_of"): "now() + interval '61 days'", ("train_predictive", "holdout"): "0.2",
    ("predictive_observations", "features"): "'{seniority,fit_score,events.page_view}'",
    ("predictive_vectors", "feature_names"): "(SELECT feature_names FROM leadqual.predictive_model WHERE name = 'hx')",
    ("predictive_eta", "x"): "'{1,0,2}'", ("predictive_eta", "fit"): "ROW('{1,2,3,4}', NULL, NULL, 1, true, 1)::leadqual.logit_fit",
    ("predictive_lead_vector", "m"): "(SELECT m FROM leadqual.predictive_model m WHERE m.name = 'hx')",
    ("predictive_split", "feature_name"): "'attributes.tier=gold'",
    ("predictive_feature_kind", "base"): "'attributes.tier'",
}
SANE_BY_ARG = {
    "lead_id": "{fx-toast}", "opportunity_id": "{opp}", "model": "'default'",
    "as_of": "now()", "at": "now()", "actor": "'sales'", "reason": "'no_budget'",
    "note": "'a note'", "owner": "'alice'", "amount": "100", "won": "true", "recycle": "true",
    "leads": "5", "seed": "1", "days": "30", "idx": "1", "start_at": "'2026-01-01'",
    "from_stage": "'inquiry'", "to_stage": "'mql'", "fit": "50", "engagement": "20",
    "event_type": "'page_view'", "properties": "'{\"page\": \"pricing\"}'",
    "occurred_at": "now() - interval '1 day'", "lead": "{lead_row}",
    "stored": "{state}", "state": "{state}", "event_types": "'{page_view}'",
    "lead_ids": "ARRAY[{fx-inquiry}]", "last_hand_raise": "ARRAY[NULL]::timestamptz[]",
    # the functions of rescore() and generate_demo() that work on lead or a shard of it
    "lead_rel": "'leadqual.lead'",
    # attribution: a journey of four touches around its milestones
    "method": "'linear'", "path": "'{a,b,a,c}'", "channels": "'{a,b,a,c}'",
    "touched_at": "ARRAY[now() - interval '50 days', now() - interval '30 days', now() - interval '8 days', now() - interval '2 days']",
    "conversions": "1", "revenue": "10", "nulls": "1", "markov_order": "1", "converted": "true",
    "conversion_at": "now() - interval '1 day'", "value": "10", "mql_at": "now() - interval '40 days'",
    "opportunity_at": "now() - interval '10 days'", "won_at": "now() - interval '1 day'", "half_life": "'7 days'",
    "goal": "'won'", "since": "'-infinity'", "until": "'infinity'", "lookback": "'3650 days'",
    "name": "'hx'", "holdout": "0.2", "only_lead": "{fx-mql}", "mql_until": "NULL",
}
SANE_BY_TYPE = {
    "bigint": "1", "integer": "1", "smallint": "1", "double precision": "1", "numeric": "1",
    "boolean": "true", "text": "'x'", "timestamp with time zone": "now()", "interval": "'1 day'",
    "jsonb": "'{}'", "bytea": "{state}", "text[]": "'{page_view}'", "jsonb[]": "ARRAY['{}'::jsonb]",
    "timestamp with time zone[]": "ARRAY[now() - interval '1 day']", "bigint[]": "ARRAY[{fx-inquiry}]",
    "leadqual.stage": "'inquiry'", "internal": "NULL", "character": "'C'",
    "double precision[]": "'{75,50,25}'", "boolean[]": "'{t,t}'",
    "leadqual.path_counts": "(SELECT s FROM hostile.pc WHERE k = 'linear')",
    "leadqual.engagement_state": "(SELECT leadqual.engagement_score_trans(NULL, 'default', 'page_view', '{}', now() - interval '1 day', now()))",
    "cstring": "(SELECT s::text FROM hostile.pc WHERE k = 'markov2')",
}


def sane(func, name, typ):
    """The sane value of argument name (of type typ) of function func."""
    v = SANE_BY_FUNC_ARG.get((func, name)) or SANE_BY_ARG.get(name) or SANE_BY_TYPE.get(typ, "NULL")
    # arrays given next to an array argument must have its length (one)
    if typ.endswith("[]") and name in ("properties", "occurred_at"):
        v = {"properties": "ARRAY['{\"page\": \"pricing\"}'::jsonb]",
             "occurred_at": "ARRAY[now() - interval '1 day']"}[name]
    return v
