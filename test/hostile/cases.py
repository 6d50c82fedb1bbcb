"""The case generator of the hostile suite.

Every case is a Case: settings, one statement, and follow-up statements
that run only if the statement was accepted.  The public objects come
from the catalog, so a new function, aggregate, column or rule table
column is covered without editing this file:

  functions   pg_proc of schema leadqual (not triggers): each argument
              hostile in turn with the others sane, then all-hostile mixes;
  aggregates  the same over 3 rows and over no row, and grouped over the
              event table in a parallel plan (combine, serial, deserial);
  composite   arguments of a row type (fit_score's lead): each attribute
              hostile in turn; results that are arrays of a row type
              (channel_credit[]) are unnested, so that every float field is
              checked; a returned path_counts state is read back and
              finalised;
  triggers    INSERT/UPDATE of each column of lead and event with each
              hostile value, DELETE and TRUNCATE, live scoring on and off;
              accepted writes are followed by score, explain_score, rescore
              and a read of every view (the reports);
  rule tables INSERT and UPDATE of each column of each rule table, and fit
              rules of every op with hostile operands (catastrophic
              regexes); an accepted row must not make scoring fail later,
              so it is followed by every scoring path.

attribution.py adds the attribution cases (forged path_counts states,
paths, loops, parallel and partitionwise plans, attribution over tables);
accounts.py the account_key, account_status and notification payload cases;
logit.py the logistic regression ones (hostile rows, data without a finite
fit, forged and flipped logit_rows states, logit_predict, parallel and
partitionwise plans; every fit finite and coherent); predictive.py the
predictive-model cases (hostile leads, models, feature lists, empty
tables, extreme as_of, parallel plans).
A case may say what it expects (expect: "ok", a SQLSTATE, or several
joined by "|"); any other outcome is a failure.
"""
import random
from dataclasses import dataclass, field

from values import hostile, sane, NON_NULL, BY_NAME, ARG_NAMES

FX = "(SELECT lead_id FROM leadqual.lead WHERE external_id = 'fx-{}')"
PLACEHOLDERS = {
    "{opp}": "(SELECT min(opportunity_id) FROM leadqual.opportunity)",
    "{state}": "(SELECT s.state FROM leadqual.lead_score_state s WHERE s.lead_id = " + FX.format("inquiry") + ")",
    "{lead_row}": "(SELECT l FROM leadqual.lead l WHERE l.external_id = 'fx-inquiry')",
}
STAGES = ["inquiry", "mql", "sal", "sql", "opportunity", "nurture", "disqualified", "regex", "big", "toast"]
PARALLEL = {"parallel_setup_cost": "0", "parallel_tuple_cost": "0", "min_parallel_table_scan_size": "0",
            "max_parallel_workers_per_gather": "2", "enable_hashagg": "off"}
# the stored scores must stay finite, whatever a case did (checked after each case)
STORED_CHECK = ("SELECT 'lead ' || lead_id FROM leadqual.lead WHERE 'NaN'::float8 = ANY (ARRAY[fit_score, engagement_score, score])"
                " OR abs(fit_score) = 'Infinity' OR abs(engagement_score) = 'Infinity' OR abs(score) = 'Infinity'"
                " UNION ALL SELECT 'history ' || history_id FROM leadqual.stage_history WHERE score = 'NaN' OR abs(score) = 'Infinity'"
                " UNION ALL SELECT 'opportunity ' || opportunity_id FROM leadqual.opportunity WHERE amount = 'NaN'")


@dataclass
class Case:
    group: str                  # what is tested, for the figures
    sql: str                    # the statement
    followups: list = field(default_factory=list)  # run with %(ret)s = first column of sql's first row;
                                                   # "? " first: may refuse cleanly
    settings: dict = field(default_factory=dict)   # SET LOCAL name = value
    expect: str = None                              # "ok", a SQLSTATE, or several joined by "|"

    def repro(self, upto=None, ret="%(ret)s"):
        """One line for psql: the case up to follow-up number upto, with ret for %(ret)s."""
        sets = "".join(f"SET LOCAL {k} = {v}; " for k, v in self.settings.items())
        fus = self.followups if upto is None else self.followups[:upto + 1]
        fu = "".join(" " + f.removeprefix("? ").replace("%(ret)s", ret) + ";" for f in fus)
        return f"BEGIN; SET LOCAL statement_timeout = '2s'; {sets}{self.sql};{fu} ROLLBACK;"


def resolve(sql):
    """Replace the fixture placeholders by subqueries (repros stay self-contained)."""
    for s in STAGES:
        sql = sql.replace("{fx-" + s + "}", FX.format(s))
    for k, v in PLACEHOLDERS.items():
        sql = sql.replace(k, v)
    return sql


def catalog(cur):
    """Public routines of schema leadqual with their IN argument names and types."""
    cur.execute("""
        SELECT p.proname, p.prokind, p.proretset, format_type(p.prorettype, NULL),
               CASE WHEN t.typcategory = 'A' AND (SELECT e.typtype FROM pg_type e WHERE e.oid = t.typelem) = 'c'
                    THEN 'A' ELSE t.typtype END,
               ARRAY(SELECT format_type(a, NULL) FROM unnest(p.proargtypes) WITH ORDINALITY u(a, n) ORDER BY n),
               coalesce(p.proargnames, '{}'), coalesce(p.proargmodes::text[], '{}')
          FROM pg_proc p JOIN pg_type t ON t.oid = p.prorettype
         WHERE p.pronamespace = 'leadqual'::regnamespace
           AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
         ORDER BY 1, 6""")
    out = []
    for name, kind, retset, rettype, rettyptype, argtypes, names, modes in cur.fetchall():
        if modes:   # keep the names of IN (and INOUT, VARIADIC) arguments only
            names = [n for n, m in zip(names, modes) if m in ("i", "b", "v")]
        if not any(names) and name in ARG_NAMES:
            names = ARG_NAMES[name][:len(argtypes)]
        names = (list(names) + [f"arg{i}" for i in range(len(argtypes))])[:len(argtypes)]
        out.append(dict(name=name, kind=kind, retset=retset, composite=rettyptype == "c",
                        composite_array=rettyptype == "A", rettype=rettype,
                        args=list(zip([n or f"arg{i}" for i, n in enumerate(names)], argtypes))))
    return out


def columns(cur, rel):
    """(column, type, not null without default) of a table or row type of schema leadqual."""
    cur.execute("""SELECT attname, format_type(atttypid, atttypmod), attnotnull AND NOT atthasdef AND attidentity = ''
                     FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped
                    ORDER BY attnum""", ("leadqual." + rel,))
    return cur.fetchall()


def base_type(t):
    """The HOSTILE key of a type as format_type prints it (typmods dropped)."""
    for prefix, key in (("character(", "character"), ("numeric(", "numeric"), ("character varying", "text")):
        if t.startswith(prefix):
            return key
    return t


def values_for(name, typ, cur_types):
    """Hostile values of an argument, composite types expanded attribute by attribute."""
    if typ in cur_types:            # a row type: each attribute hostile in turn
        attrs = cur_types[typ]
        row = lambda i, v: "(SELECT ROW(" + ", ".join(
            (f"({v})::{t}" if j == i else f"l.{a}") for j, (a, t, _) in enumerate(attrs)) + \
            f")::{typ} FROM leadqual.lead l WHERE l.external_id = 'fx-inquiry')"
        return ["NULL"] + [row(i, v) for i, (a, t, _) in enumerate(attrs) for v in hostile(a, base_type(t))]
    return hostile(name, base_type(typ))


def call(f, argvals):
    """The statement calling function or aggregate f with argument expressions argvals."""
    args = ", ".join(f"({v})::{t}" for v, (_, t) in zip(argvals, f["args"]))
    fn = f"leadqual.{f['name']}"
    if f["kind"] == "a":
        inner = f"SELECT {fn}({args}) AS r FROM generate_series(1, 3)"
        if f["composite_array"]:
            return f"SELECT c.* FROM ({inner}) s, unnest(s.r) c"
        return f"SELECT (r).* FROM ({inner}) s" if f["composite"] else inner
    if f["composite_array"]:
        return f"SELECT c.* FROM unnest({fn}({args})) c"
    return f"SELECT * FROM {fn}({args})"


# a returned path_counts state (as text) read back, finalised, and combined
# with itself: what a Citus coordinator does with a shard's partial state
STATE_FOLLOWUPS = [
    "? SELECT c.* FROM unnest(leadqual.path_counts_final(%(ret)s::leadqual.path_counts)) c",
    "? SELECT c.* FROM unnest(leadqual.path_counts_final(leadqual.path_counts_combine("
    "%(ret)s::leadqual.path_counts, %(ret)s::leadqual.path_counts))) c",
]


def function_cases(cur, rng, combos=8):
    cur_types = {"leadqual.lead": columns(cur, "lead")}
    for f in catalog(cur):
        group = ("aggregate " if f["kind"] == "a" else "function ") + f["name"]
        sanes = [sane(f["name"], n, base_type(t)) for n, t in f["args"]]
        fus = STATE_FOLLOWUPS if f["rettype"] == "leadqual.path_counts" else []
        yield Case(group, call(f, sanes), fus)
        for i, (n, t) in enumerate(f["args"]):          # each argument hostile in turn
            for v in values_for(n, t, cur_types):
                yield Case(group, call(f, sanes[:i] + [v] + sanes[i + 1:]), fus)
        for _ in range(combos if f["args"] else 0):     # all arguments hostile at once
            vs = [rng.choice(NON_NULL.get(base_type(t), ["NULL"]) + BY_NAME.get(n, [])) for n, t in f["args"]]
            yield Case(group + " (all hostile)", call(f, vs), fus)
        if f["kind"] == "a":
            yield from aggregate_table_cases(f, group, sanes)


def aggregate_table_cases(f, group, sanes):
    """An aggregate over no row, and grouped over the event table in a parallel plan."""
    args = ", ".join(f"({v})::{t}" for v, (_, t) in zip(sanes, f["args"]))
    yield Case(group + " (no rows)", f"SELECT leadqual.{f['name']}({args}) FROM generate_series(1, 0)")
    cols = {"event_type": "e.event_type", "properties": "e.properties", "occurred_at": "e.occurred_at"}
    # an aggregate that reads no event column gets the same hostile value in
    # every row: three leads' 17 events, in three groups, not 14,000 (a
    # 100,000-channel path costs about 15 ms a row and 70 ms a group)
    where = ""
    if not any(n in cols for n, _ in f["args"]):
        where = " WHERE e.lead_id IN (SELECT lead_id FROM leadqual.lead WHERE external_id IN ('fx-inquiry', 'fx-mql', 'fx-toast'))"
    for i, (n, t) in enumerate(f["args"]):
        if n in cols:
            continue
        for v in [sanes[i]] + hostile(n, base_type(t)):
            a = ", ".join(cols.get(m) or (f"({v})::{u}" if j == i else f"({sanes[j]})::{u}")
                          for j, (m, u) in enumerate(f["args"]))
            inner = f"SELECT e.lead_id, leadqual.{f['name']}({a}) AS r FROM leadqual.event e{where} GROUP BY e.lead_id"
            sql = f"SELECT lead_id, (r).* FROM ({inner}) s" if f["composite"] else inner
            if f["rettype"] == "leadqual.channel_credit[]":
                # a group's credits summed up: min and max keep any NaN or
                # infinity (NaN sorts above every number), and the client is
                # not sent 100,000 channels of each of 10 groups
                sql = (f"SELECT s.lead_id, count(*), min(c.conversions), max(c.conversions), min(c.revenue), "
                       f"max(c.revenue), min(c.removal_effect), max(c.removal_effect) "
                       f"FROM ({inner}) s, unnest(s.r) c GROUP BY s.lead_id")
            elif f["composite_array"]:
                sql = f"SELECT s.lead_id, c.* FROM ({inner}) s, unnest(s.r) c"
            yield Case(group + " (parallel, grouped)", sql, settings=PARALLEL)


SCORING_FOLLOWUPS = [
    "SELECT * FROM leadqual.score({fx-inquiry}, now(), %(ret)s)",
    "SELECT * FROM leadqual.score({fx-regex}, now(), %(ret)s)",
    "SELECT * FROM leadqual.explain_score({fx-toast}, now(), %(ret)s)",
    "SELECT * FROM leadqual.score_by_lead(%(ret)s)",
    "SELECT leadqual.fit_score(l, %(ret)s) FROM leadqual.lead l",
    "SELECT leadqual.engagement_score(%(ret)s, e.event_type, e.properties, e.occurred_at, now()) FROM leadqual.event e GROUP BY e.lead_id",
    "SELECT leadqual.mql_crossing(%(ret)s, 50, e.event_type, e.properties, e.occurred_at) FROM leadqual.event e GROUP BY e.lead_id",
    "SELECT (leadqual.mql_peak(%(ret)s, 50, e.event_type, e.properties, e.occurred_at)).* FROM leadqual.event e GROUP BY e.lead_id",
    "SELECT * FROM leadqual.threshold_analysis(%(ret)s)",
    "SELECT * FROM leadqual.threshold_analysis(%(ret)s, '{-1e308,0,50,1e308}')",
    "INSERT INTO leadqual.lead (created_at, job_title, company_size, model) VALUES (now() - interval '1 day', 'CEO', 5000, %(ret)s) RETURNING lead_id",
    "INSERT INTO leadqual.event (lead_id, event_type, occurred_at) SELECT lead_id, 'demo_request', now() FROM leadqual.lead WHERE model = %(ret)s",
    "SELECT leadqual.rescore()",
]
LEAD_FOLLOWUPS = ["SELECT * FROM leadqual.score(%(ret)s)", "SELECT * FROM leadqual.explain_score(%(ret)s)",
                  "SELECT leadqual.rescore()"]
# After a lifecycle table changed, an action may refuse (that is what the
# table is for): a follow-up marked "?" fails the case only with a crash,
# XX000, a timeout or a non-finite result.  The rest must succeed whatever
# the table says: the automatic moves of live scoring and rescore().
LIFECYCLE_FOLLOWUPS = [
    "SELECT leadqual.can_transition('inquiry', 'mql', 'system')",
    "? SELECT leadqual.transition({fx-inquiry}, 'mql', 'marketing')",
    "? SELECT leadqual.reject({fx-mql}, 'no_budget', true)",
    "? SELECT leadqual.generate_demo(20)",
    "INSERT INTO leadqual.event (lead_id, event_type, occurred_at) SELECT lead_id, 'demo_request', now() FROM leadqual.lead",
    "SELECT leadqual.rescore()",
]

# per table: the sane row of an INSERT, the row an UPDATE edits, what the
# statement returns (%(ret)s of the follow-ups), the follow-ups
RULE_TABLES = {
    "scoring_model": (dict(name="'hx'"), "name = 'default'", "name", SCORING_FOLLOWUPS),
    "fit_rule": (dict(model="'default'", field="'job_title'", op="'regex'", value="'\"engineer\"'", points="5"),
                 "rule_id = (SELECT min(rule_id) FROM leadqual.fit_rule)", "model", SCORING_FOLLOWUPS),
    "engagement_rule": (dict(model="'default'", event_type="'page_view'", points="5"),
                        "description = 'repeat visitor: 5+ page views within 7 days'", "model", SCORING_FOLLOWUPS),
    "transition": (dict(from_stage="'nurture'", to_stage="'sal'", actors="'{sales}'"),
                   "from_stage = 'inquiry' AND to_stage = 'mql'", "from_stage", LIFECYCLE_FOLLOWUPS),
    "rejection_reason": (dict(code="'hx_reason'", label="'X'"), "code = 'no_budget'", "code", LIFECYCLE_FOLLOWUPS),
}
DATA_TABLES = {
    "lead": (dict(created_at="now() - interval '1 day'"), "lead_id = {fx-inquiry}", "lead_id", LEAD_FOLLOWUPS),
    # lead for loading (its INSTEAD OF trigger keeps the rows, lead takes
    # them at the end of the statement): every hostile column as for lead
    "lead_intake": (dict(created_at="now() - interval '1 day'"), "lead_id = {fx-mql}", "lead_id", LEAD_FOLLOWUPS),
    "event": (dict(lead_id="{fx-inquiry}", event_type="'page_view'", occurred_at="now() - interval '1 hour'"),
              "lead_id = {fx-inquiry}", "lead_id", LEAD_FOLLOWUPS),
    # the reports read these two: a history row or opportunity that is
    # accepted must not make any view fail or lie (extreme times, unknown
    # actors and reasons, huge notes)
    "stage_history": (dict(lead_id="{fx-mql}", from_stage="'mql'", to_stage="'nurture'", changed_at="now()",
                           actor="'sales'", reason="'no_budget'"),
                      "lead_id = {fx-sal}", "lead_id", LEAD_FOLLOWUPS),
    "opportunity": (dict(lead_id="{fx-opportunity}", created_at="now() - interval '1 day'", closed_at="now()",
                         status="'won'", amount="100"),
                    "lead_id = {fx-opportunity}", "lead_id", LEAD_FOLLOWUPS),
}
# second UPDATE targets: an engagement rule with a property filter and decay
EXTRA_UPDATES = {"engagement_rule": "description = 'pricing page visit'", "lead": "lead_id = {fx-mql}"}


def write_cases(cur, tables, group, settings_list):
    for table, (row, where, ret, followups) in tables.items():
        for col, typ, _ in columns(cur, table):
            for v in hostile(col, base_type(typ)):
                for settings in settings_list:
                    r = dict(row, **{col: v})
                    ins = (f"INSERT INTO leadqual.{table} ({', '.join(r)}) VALUES "
                           f"({', '.join(f'({x})::{typ}' if c == col else x for c, x in r.items())}) RETURNING {ret}")
                    yield Case(f"{group} insert {table}", ins, followups, settings)
                    if typ == "double precision" and table.endswith("_rule"):
                        # two rows of finite points may sum to infinity
                        two = ins.replace(" RETURNING", ", " + ins.split(" VALUES ")[1].split(" RETURNING")[0] + " RETURNING")
                        yield Case(f"{group} insert {table} (two rows)", two, followups, settings)
                    for w in [where] + ([EXTRA_UPDATES[table]] if table in EXTRA_UPDATES else []):
                        upd = f"UPDATE leadqual.{table} SET {col} = ({v})::{typ} WHERE {w} RETURNING {ret}"
                        yield Case(f"{group} update {table}", upd, followups, settings)


# fit rule operands: catastrophic regexes (nested quantifiers, back
# references, huge counted repetitions) against the fixture's 65-character
# 'aaa…a!' job title, and malformed, huge and extreme operands of each op
FIT_VALUES = ["'\"(a+)+$\"'", "'\"(a|aa)+$\"'", "'\"(a*)*b\"'", "'\"^(a|a?)+$\"'", "'\"(.*a){30}\"'",
              "'\"^(([a-z])+.)+[A-Z]([a-z])+$\"'", "'\"((a|b)*)\\\\1\\\\1$\"'", "'\"^(a*)*\\\\1$\"'",
              "'\"(((a{1,100}){1,100}){1,100}){1,100}\"'", "'\"a{255}a{255}a{255}a{255}\"'", "'\"[\"'",
              "'\"(?x)a\"'", "'\"\\\\\"'", "'\"\"'", "to_jsonb(repeat('a', 1000000))",
              "to_jsonb(repeat('(a|', 5000) || repeat(')', 5000))",
              "'null'", "'[]'", "'[null]'", "'[null, null]'", "'[1e308, -1e308]'", "'[-1e308, 1e308]'",
              "'[5, 1]'", "'[1]'", "'[1, 2, 3]'", "'[\"a\", \"b\"]'", "'1e308'", "'{}'", "'[[1, 2]]'",
              "'[\"a\", 1, null, {}]'", "(SELECT jsonb_agg(i) FROM generate_series(1, 100000) i)",
              "(SELECT j FROM hostile.cmp WHERE k = 'deep')", "NULL"]
FIT_OPS = ["'eq'", "'in'", "'regex'", "'range'", "'exists'", "'EQ'", "'nope'"]
FIT_FIELDS = ["'job_title'", "'company_size'", "'attributes.seats'"]


def fit_rule_cases():
    for field_ in FIT_FIELDS:
        for op in FIT_OPS:
            for v in FIT_VALUES:
                sql = (f"INSERT INTO leadqual.fit_rule (model, field, op, value, points) "
                       f"VALUES ('default', {field_}, {op}, ({v})::jsonb, 7) RETURNING model")
                yield Case("fit rule operands", sql, SCORING_FOLLOWUPS)


def report_followups(cur):
    """A read of every view of schema leadqual (the reports): no accepted lead or event may break one."""
    cur.execute("SELECT relname FROM pg_class WHERE relnamespace = 'leadqual'::regnamespace AND relkind = 'v' ORDER BY 1")
    return [f"SELECT * FROM leadqual.{r}" for (r,) in cur.fetchall()]


def dml_cases(cur):
    modes = [{"leadqual.auto_scoring": "on"}, {"leadqual.auto_scoring": "off"}]
    reports = report_followups(cur)
    lead_followups = LEAD_FOLLOWUPS + reports
    tables = {t: (row, where, ret, fus + reports) for t, (row, where, ret, fus) in DATA_TABLES.items()}
    yield from write_cases(cur, tables, "trigger", modes)
    for m in modes:
        for s in ("toast", "inquiry", "mql", "opportunity"):
            yield Case("trigger delete lead", f"DELETE FROM leadqual.lead WHERE lead_id = {{fx-{s}}} RETURNING lead_id",
                       ["SELECT leadqual.rescore()"] + reports, m)
            yield Case("trigger delete event", f"DELETE FROM leadqual.event WHERE lead_id = {{fx-{s}}} RETURNING lead_id",
                       lead_followups, m)
        yield Case("trigger truncate event", "TRUNCATE leadqual.event", ["SELECT leadqual.rescore()"] + reports, m)
        yield Case("trigger insert event", "INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties) "
                   "SELECT lead_id, 'page_view', now(), properties FROM leadqual.event RETURNING lead_id",
                   lead_followups, m)
    yield from write_cases(cur, RULE_TABLES, "rule", [{}])
    yield from fit_rule_cases()


def state_mutations(hexstate):
    """Truncated and bit-flipped copies of a valid stored state (for bytea arguments)."""
    b = bytes.fromhex(hexstate)
    out = set()
    for n in sorted({1, 2, 3, 4, 7, 8, 12, 16, len(b) // 2, len(b) - 1}):
        if 0 < n < len(b):
            out.add(b[:n])
    for i in range(len(b)):
        if i < 48 or i % 7 == 0:
            out.add(b[:i] + bytes([b[i] ^ 0xff]) + b[i + 1:])
            out.add(b[:i] + bytes([0x7f]) + b[i + 1:])
    out.add(b + b"\x00" * 8)
    return [f"'\\x{x.hex()}'::bytea" for x in sorted(out)]


def all_cases(cur, seed=8):
    import accounts         # they build on Case
    import attribution
    import logit
    import predictive
    rng = random.Random(seed)
    yield from function_cases(cur, rng)
    yield from dml_cases(cur)
    yield from attribution.all_attribution_cases(cur)
    yield from accounts.all_account_cases(cur)
    yield from logit.all_logit_cases(cur)
    yield from predictive.all_predictive_cases(cur)
