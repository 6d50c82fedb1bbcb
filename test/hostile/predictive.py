"""Predictive-model (issue 11, part 2) cases of the hostile suite, beyond
the generic ones cases.py makes from the catalog (each argument of
train_predictive, predict, explain_prediction, predictions and the
internal feature functions hostile in turn; the sane model is the
fixture's trained hx, see values.SANE_BY_FUNC_ARG):

  leads      leads with hostile columns and attributes (1 MB and TOASTed
             titles, e-mails, channels and JSON values, numbers at and past
             float8's range, deep JSON, every JSON type under one key) that
             reach mql, then hx is trained on them, predicts them and
             explains them: each call succeeds or refuses cleanly (a number
             past float8 is 22003), never a non-finite probability;
  models     predictive_model rows written with hostile values in each
             column (cases.write_cases), each accepted row followed by a
             training, predict, explain_prediction, predictions and a read
             of lead_status and score_calibration;
  features   models over hostile feature lists: 1 MB event types and
             attribute keys, 1,000 event types, categories that explode
             past 1,000 columns (54000), a model whose every feature is
             constant (55000);
  empty      empty tables: no leads, no history, no events (55000 for
             training, P0002 for predict, no rows for predictions), and a
             deleted default model (lead_status still reads, NULL);
  as_of      extreme and infinite as_of and horizons that overflow (22008);
  plans      predictions and lead_status in a parallel plan.
"""
from cases import Case, PARALLEL

TRAIN = "SELECT * FROM leadqual.train_predictive({m}, now() + interval '61 days', {h})"
USE = [  # what an accepted model or lead is followed by; "? ": may refuse cleanly
    "? " + TRAIN.format(m="'hx'", h="0.2"),
    "? SELECT leadqual.predict(l.lead_id, 'hx') FROM leadqual.lead l",
    "? SELECT e.* FROM leadqual.lead l, leadqual.explain_prediction(l.lead_id, 'hx') e",
    "? SELECT * FROM leadqual.predictions('hx')",
    "SELECT * FROM leadqual.lead_status",
    "SELECT * FROM leadqual.score_calibration",
]
MQL = ("SELECT leadqual.transition(lead_id, 'mql', 'marketing') FROM leadqual.lead "
       "WHERE external_id IN ('px-1', 'px-2') AND stage = 'inquiry'")

# hostile lead columns (value expressions) and attributes (jsonb expressions)
COLUMNS = {
    "job_title": ["repeat('CEO ', 250000)", "(SELECT t FROM hostile.ext WHERE k = 'mb')",
                  "(SELECT t FROM hostile.cmp WHERE k = 'rep')", "''", "'ünïcödé ☃ ' || chr(1)"],
    "email": ["repeat('a', 1000000) || '@' || repeat('b', 1000000)", "'@'", "'a@b@c'", "'no-at-sign'",
              "(SELECT t FROM hostile.cmp WHERE k = 'mb') || '@x.com'"],
    "source_channel": ["repeat('c', 1000000)", "(SELECT t FROM hostile.ext WHERE k = 'mb')", "''", "'='"],
    "company_size": ["0", "2147483647"],
}
ATTRIBUTES = ["'{\"tier\": 1e308, \"seats\": -1e308}'", "'{\"seats\": 1e400}'", "'{\"seats\": 1e-400}'",
              "'{\"seats\": -0}'", "'{\"seats\": \"12\"}'", "'{\"seats\": [1, 2]}'", "'{\"seats\": {\"a\": 1}}'",
              "'{\"seats\": null, \"tier\": null}'", "'{\"tier\": true, \"seats\": false}'",
              "jsonb_build_object('tier', repeat('g', 1000000))",
              "(SELECT j FROM hostile.ext WHERE k = 'wide')", "(SELECT j FROM hostile.ext WHERE k = 'mb')",
              "(SELECT j FROM hostile.cmp WHERE k = 'mb')",
              "jsonb_build_object('tier', (SELECT j FROM hostile.cmp WHERE k = 'deep'))",
              "jsonb_build_object('seats', (SELECT j FROM hostile.cmp WHERE k = 'deep'))"]


def lead_cases():
    rows = [(c, v) for c, vs in COLUMNS.items() for v in vs] + [("attributes", a) for a in ATTRIBUTES]
    for col, v in rows:
        ins = (f"INSERT INTO leadqual.lead (external_id, created_at, {col}) VALUES "
               f"('px-1', now() - interval '1 day', ({v})), ('px-2', now() - interval '1 day', NULL) RETURNING lead_id")
        # two hostile leads that became MQLs; in the second case one of them
        # is won (then a training set of the hostile leads alone has both classes)
        yield Case("predictive hostile lead", ins, [MQL] + USE)
        yield Case("predictive hostile lead (won)", ins,
                   [MQL, "SELECT leadqual.accept(lead_id) FROM leadqual.lead WHERE external_id = 'px-1'",
                    "SELECT leadqual.qualify(lead_id) FROM leadqual.lead WHERE external_id = 'px-1'",
                    "SELECT leadqual.close_opportunity(leadqual.open_opportunity(lead_id, 10), true) "
                    "FROM leadqual.lead WHERE external_id = 'px-1'"] + USE)


def model_cases(cur):
    from cases import write_cases
    tables = {"predictive_model": (dict(name="'px'", features="'{fit_score,seniority,events.page_view}'"),
                                   "name = 'hx'", "name",
                                   ["? SELECT * FROM leadqual.train_predictive(%(ret)s, now() + interval '181 days', 0.2)",
                                    "? SELECT leadqual.predict(l.lead_id, %(ret)s) FROM leadqual.lead l",
                                    "? SELECT e.* FROM leadqual.explain_prediction({fx-mql}, %(ret)s) e",
                                    "? SELECT * FROM leadqual.predictions(%(ret)s)",
                                    "SELECT * FROM leadqual.lead_status", "SELECT * FROM leadqual.score_calibration"])}
    yield from write_cases(cur, tables, "predictive model", [{}])
    # the default model's row, edited: lead_status and score_calibration must read
    for s in ("fit = NULL", "features = '{fit_score}'", "horizon = '1 microsecond'",
              "fit = (SELECT fit FROM leadqual.predictive_model WHERE name = 'hx'), "
              "feature_names = (SELECT feature_names FROM leadqual.predictive_model WHERE name = 'hx')",
              "fit = ROW('{1e308,1e308}', NULL, NULL, 1, true, 1)::leadqual.logit_fit, feature_names = '{company_size}'",
              "fit = ROW('{NaN,1}', NULL, NULL, 1, true, 1)::leadqual.logit_fit, feature_names = '{company_size}'",
              "fit = ROW('{0,Infinity}', NULL, NULL, 1, true, 1)::leadqual.logit_fit, feature_names = '{company_size}'",
              "fit = ROW(NULL, NULL, NULL, 1, false, 1)::leadqual.logit_fit, feature_names = '{company_size}'",
              "fit = ROW('{0,1}', NULL, NULL, 1, true, 1)::leadqual.logit_fit, feature_names = '{events.' || repeat('x', 1000000) || '}'"):
        yield Case("predictive model default", f"UPDATE leadqual.predictive_model SET {s} WHERE name = 'default' RETURNING name",
                   ["SELECT * FROM leadqual.lead_status", "SELECT * FROM leadqual.score_calibration",
                    "? SELECT leadqual.predict({fx-mql})", "? SELECT * FROM leadqual.explain_prediction({fx-mql})"])
    yield Case("predictive model default", "DELETE FROM leadqual.predictive_model WHERE name = 'default' RETURNING name",
               ["SELECT * FROM leadqual.lead_status", "SELECT * FROM leadqual.score_calibration"])


def feature_cases():
    lists = {
        "huge event type": "ARRAY['events.' || repeat('e', 1000000), 'fit_score']",
        "toasted event type": "ARRAY['events.' || (SELECT t FROM hostile.ext WHERE k = 'mb'), 'seniority']",
        "huge attribute key": "ARRAY['attributes.' || repeat('k', 1000000), 'seniority']",
        "1000 event types": "(SELECT array_agg('events.t' || i) FROM generate_series(1, 1000) i)",
        "every feature": "'{email,email_domain,company,job_title,industry,country,source_channel,source_campaign,"
                         "seniority,company_size_band,company_size,fit_score,engagement_score,attributes.tier,"
                         "attributes.seats,events.page_view,events.email_click,events.ad_click}'",
        "unicode": "ARRAY['events.ünïcödé ☃', 'attributes.ünïcödé ☃', 'attributes.tier']",
        "constant only": "'{attributes.no_such_key,events.no_such_type}'",
    }
    for what, fl in lists.items():
        ins = f"INSERT INTO leadqual.predictive_model (name, horizon, features) VALUES ('pf', '60 days', {fl}) RETURNING name"
        yield Case(f"predictive features ({what})", ins,
                   ["? " + TRAIN.format(m="'pf'", h="0"), "? SELECT leadqual.predict({fx-mql}, 'pf')",
                    "? SELECT * FROM leadqual.explain_prediction({fx-toast}, 'pf')", "? SELECT * FROM leadqual.predictions('pf')"])
    # constant features only: nothing to fit (55000)
    yield Case("predictive features (constant only, train)",
               "INSERT INTO leadqual.predictive_model (name, horizon, features) VALUES ('pf', '60 days', "
               "'{attributes.no_such_key}'); " + TRAIN.format(m="'pf'", h="0"), expect="55000")
    # columns past 1,000 (1,001 event types, each seen for one MQL): 54000
    yield Case("predictive features (too many columns)",
               "INSERT INTO leadqual.event (lead_id, event_type, occurred_at) SELECT {fx-mql}, 'pt' || i, "
               "now() - interval '1 day' FROM generate_series(1, 1001) i; "
               "INSERT INTO leadqual.predictive_model (name, horizon, features) SELECT 'pf', '60 days', "
               "array_agg('events.pt' || i) FROM generate_series(1, 1001) i; "
               + TRAIN.format(m="'pf'", h="0"), expect="54000")


def empty_cases():
    empties = {
        "no leads": "DELETE FROM leadqual.lead",
        "no history": "DELETE FROM leadqual.stage_history",
        "no events": "TRUNCATE leadqual.event",
    }
    for what, sql in empties.items():
        yield Case(f"predictive empty ({what})", sql + "; " + TRAIN.format(m="'hx'", h="0.2"),
                   expect="55000" if what != "no events" else "ok")
        yield Case(f"predictive empty ({what})", sql + "; SELECT * FROM leadqual.predictions('hx')",
                   ["SELECT * FROM leadqual.lead_status", "SELECT * FROM leadqual.score_calibration"])
    yield Case("predictive empty (unknown lead)", "SELECT leadqual.predict(-1, 'hx')", expect="P0002")
    yield Case("predictive empty (unknown lead)", "SELECT * FROM leadqual.explain_prediction(9223372036854775807, 'hx')",
               expect="P0002")
    yield Case("predictive empty (deleted lead)", "DELETE FROM leadqual.lead WHERE lead_id = {fx-mql} RETURNING lead_id",
               ["? SELECT leadqual.predict(%(ret)s, 'hx')", "SELECT * FROM leadqual.predictions('hx')",
                "SELECT * FROM leadqual.lead_status"])
    yield Case("predictive empty (unknown model)", "SELECT leadqual.predict({fx-mql}, 'no_such_model')", expect="42704")
    yield Case("predictive empty (unknown model)", "SELECT * FROM leadqual.train_predictive(repeat('m', 1000000))",
               expect="42704")
    yield Case("predictive empty (no models)", "DELETE FROM leadqual.predictive_model; "
               "SELECT * FROM leadqual.explain_prediction({fx-mql}, 'hx')", expect="42704")


def as_of_cases():
    for ts in ("'infinity'", "'-infinity'", "NULL"):
        for call in ("SELECT * FROM leadqual.train_predictive('hx', {t})", "SELECT leadqual.predict({{fx-mql}}, 'hx', {t})",
                     "SELECT * FROM leadqual.explain_prediction({{fx-mql}}, 'hx', {t})",
                     "SELECT * FROM leadqual.predictions('hx', {t})"):
            yield Case("predictive as_of", call.format(t=ts + "::timestamptz"), expect="22004" if ts == "NULL" else "22008")
    # the far ends of the range: as_of minus a horizon before 4714 BC (22008);
    # a horizon of 178 million years
    yield Case("predictive as_of", "SELECT * FROM leadqual.train_predictive('hx', '4714-11-24 00:00:00+00 BC')", expect="22008")
    yield Case("predictive as_of", "UPDATE leadqual.predictive_model SET horizon = '178000000 years' WHERE name = 'hx'; "
               "SELECT * FROM leadqual.train_predictive('hx', '294276-12-31 23:59:59+00')", expect="22008|55000")
    yield Case("predictive as_of", "SELECT leadqual.predict({fx-mql}, 'hx', '294276-12-31 23:59:59+00')")
    yield Case("predictive as_of", "SELECT leadqual.predict({fx-inquiry}, 'hx', '4714-11-24 00:00:00+00 BC')")


def plan_cases():
    yield Case("predictive parallel", "SELECT * FROM leadqual.predictions('hx')", settings=PARALLEL)
    yield Case("predictive parallel", "SELECT * FROM leadqual.lead_status", settings=PARALLEL)
    yield Case("predictive parallel", TRAIN.format(m="'hx'", h="0.2"), settings=PARALLEL)


def all_predictive_cases(cur):
    yield from lead_cases()
    yield from model_cases(cur)
    yield from feature_cases()
    yield from empty_cases()
    yield from as_of_cases()
    yield from plan_cases()
