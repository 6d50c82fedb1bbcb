"""Attribution (issue 10) cases of the hostile suite, beyond the generic
ones cases.py makes from the catalog (each argument of attribute_paths,
attribute_journeys, attribution, lead_attribution, journey_credit and the
path_counts functions hostile in turn):

  path_counts  forged states (pcstate.py) through each way in: text input
               (base64), binary receive (COPY ... FORMAT binary, which calls
               the type's receive function), and the bytea cast of the
               fixture that hands the bytes to the readers (combine, final,
               the transition functions) unvalidated; every byte of two
               states flipped; valid states of every method and order
               combined with themselves and with NULL, round-tripped
               through text and binary I/O.  A forged state must be refused
               with 22P03 (an expectation the driver checks), a legal one
               accepted;
  paths        every method (markov at orders 1-4 and 8) over hostile paths
               (NULL elements, empty, two-dimensional, 100,000 elements,
               1 MB names, thousands of distinct channels, stored out of
               line and compressed) and hostile counts (NaN, infinities,
               negative, 1e308 and sums that overflow), markov_order out of
               range, methods that need times, mixed methods and orders in
               one group;
  loops        Markov chains with loops that are almost never left (long
               A>B>A>B… paths with tiny conversions and nulls next to huge
               loop counts) at orders 1-4: solved or refused with 54000,
               never NaN, infinity or a hang;
  plans        every method over the 20,000-row path table in a parallel
               plan, over the partitioned copy with a partitionwise
               aggregate, grouped; each result must equal the serial one
               (hostile.same_credit) and add up (hostile.check_credit);
  tables       attribution(), lead_attribution() and the view over the
               fixture's journeys (a 1 MB channel, 3,000 touches in a loop,
               300 channels, and in the cases' own transactions compressed
               1 MB channels and 2,300 channels) with every method and hostile options; the
               results must add up (hostile.check_attribution).

concurrency() runs attribution while another session inserts touches.
"""
import base64
import math
import struct
import threading
import time

import pcstate
from cases import Case, PARALLEL

HEUR = ["first_touch", "last_touch", "linear", "position_based", "shapley"]
TIMED = ["time_decay", "w_shaped", "full_path"]
ALL_METHODS = HEUR[:3] + ["time_decay", "position_based", "w_shaped", "full_path", "markov", "shapley"]
# (method, markov_order) of attribute_paths
PATH_METHODS = [(m, 1) for m in HEUR] + [("markov", o) for o in (1, 2, 3, 4, 8)]
COPY_FILE = "current_setting('data_directory') || '/hostile_pc.bin'"


def pc_valid(cur):
    """The fixture's valid states: {name: stream bytes}."""
    cur.execute("SELECT k, leadqual.path_counts_send(s) FROM hostile.pc ORDER BY k")
    return {k: bytes(b) for k, b in cur.fetchall()}


def b64(b):
    return "'" + base64.b64encode(b).decode() + "'"


def path_counts_values(valid, forged):
    """Hostile values of type path_counts (valid states, forged streams
    through the bytea cast) and of cstring (path_counts_in's text form)."""
    pcs = ["NULL"] + [f"(SELECT s FROM hostile.pc WHERE k = '{k}')" for k in sorted(valid)]
    pcs += [pcstate.hexlit(b) for _, b, _ in forged[::6]]     # all of them in state_cases
    cs = ["NULL", "''", "'not base64!'", "'===='", "'QUJD'", "'TFFQQw=='", "repeat('A', 1000000)",
          "repeat('/', 1000003)"] + [b64(b) for k, b in sorted(valid.items()) if len(b) < 100000]
    return pcs, cs + [b64(b) for _, b, _ in forged[3::6]]


def copy_in(b, then=""):
    """A statement that feeds b to path_counts' receive function: a binary
    COPY file (header, one row of one field, trailer) written by the server
    and read back with COPY FROM into hostile.pc_in; then more PL/pgSQL."""
    f = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0) + struct.pack(">hi", 1, len(b)) + b + struct.pack(">h", -1)
    return ("DO $$DECLARE o oid := lo_from_bytea(0, '\\x" + f.hex() + "'); BEGIN "
            f"PERFORM lo_export(o, {COPY_FILE}); PERFORM lo_unlink(o); "
            f"EXECUTE format('COPY hostile.pc_in FROM %L (FORMAT binary)', {COPY_FILE}); {then}END$$")


# what a reader does with a received state: finalise it, combine it with itself
FINAL_OF_PC_IN = "SELECT c.* FROM hostile.pc_in i, unnest(leadqual.path_counts_final(i.s)) c"
COMBINE_OF_PC_IN = ("SELECT c.* FROM hostile.pc_in i, "
                    "unnest(leadqual.path_counts_final(leadqual.path_counts_combine(i.s, i.s))) c")
PLPGSQL_FINAL = "PERFORM c.* FROM hostile.pc_in i, unnest(leadqual.path_counts_final(i.s)) c; "


def state_cases(valid, forged):
    """path_counts: forged and valid states through every way in."""
    # a forged state must be refused on the way in or, at the latest, by
    # the final function (the flows of a Markov chain are checked when it
    # is solved); the statement does both
    for label, b, expect in forged:
        note = "/* " + label.replace("*/", "") + " */ "
        text = f"{b64(b)}::leadqual.path_counts"
        yield Case("path_counts forged (text)", note + f"SELECT c.* FROM unnest(leadqual.path_counts_final({text})) c",
                   expect=expect)
        yield Case("path_counts forged (binary receive)", note + copy_in(b, PLPGSQL_FINAL), expect=expect)
        cast = f"{pcstate.hexlit(b)}::leadqual.path_counts"
        yield Case("path_counts forged (final)", note + f"SELECT c.* FROM unnest(leadqual.path_counts_final({cast})) c",
                   expect=expect)
        yield Case("path_counts forged (combine)", note +
                   f"SELECT c.* FROM unnest(leadqual.path_counts_final(leadqual.path_counts_combine({cast}, {cast}))) c",
                   expect=expect if expect != "ok" else "ok|22003")
    for name, every in (("markov_loop", 2), ("linear", 5), ("markov2", 31)):
        for label, b, _ in pcstate.flips(name, valid[name], every):
            cast = f"{pcstate.hexlit(b)}::leadqual.path_counts"
            yield Case("path_counts flipped (final)",
                       f"/* {label} */ SELECT c.* FROM unnest(leadqual.path_counts_final({cast})) c")
    for k in sorted(valid):
        pc = f"(SELECT s FROM hostile.pc WHERE k = '{k}')"
        fin = lambda e: f"SELECT c.* FROM unnest(leadqual.path_counts_final({e})) c"
        huge = k.endswith("_huge")      # combined with itself: totals overflow, refused
        yield Case("path_counts valid (final)", fin(pc), expect="ok")
        yield Case("path_counts valid (combine)", fin(f"leadqual.path_counts_combine({pc}, {pc})"),
                   expect="22003" if huge else "ok")
        yield Case("path_counts valid (combine)", fin(f"leadqual.path_counts_combine(NULL, {pc})"), expect="ok")
        yield Case("path_counts valid (combine)", fin(f"leadqual.path_counts_combine({pc}, NULL)"), expect="ok")
        yield Case("path_counts valid (text round trip)", fin(f"{pc}::text::leadqual.path_counts"), expect="ok")
        yield Case("path_counts valid (text round trip)",
                   f"SELECT (leadqual.path_counts_combine({pc}, {pc}))::text::leadqual.path_counts::text",
                   expect="22003" if huge else "ok")
        yield Case("path_counts valid (binary round trip)",
                   f"DO $$BEGIN EXECUTE format('COPY (SELECT s FROM hostile.pc WHERE k = %L) TO %L (FORMAT binary)', '{k}', {COPY_FILE}); "
                   f"EXECUTE format('COPY hostile.pc_in FROM %L (FORMAT binary)', {COPY_FILE}); END$$",
                   [FINAL_OF_PC_IN, COMBINE_OF_PC_IN] if not huge else [FINAL_OF_PC_IN], expect="ok")
        yield Case("path_counts valid (binary)", copy_in(valid[k]) if len(valid[k]) < 100000 else "SELECT 1",
                   [FINAL_OF_PC_IN], expect="ok")
    # states of different methods or orders do not combine
    for a, b in (("linear", "shapley"), ("markov1", "markov2"), ("markov4", "markov8"), ("linear", "markov1"),
                 ("time_decay", "w_shaped")):
        yield Case("path_counts valid (combine)",
                   f"SELECT leadqual.path_counts_combine((SELECT s FROM hostile.pc WHERE k = '{a}'), "
                   f"(SELECT s FROM hostile.pc WHERE k = '{b}'))::text", expect="22023")
    # the aggregates' own transition functions on a state of another method
    yield Case("path_counts valid (transition)",
               "SELECT leadqual.attribute_paths_trans((SELECT s FROM hostile.pc WHERE k = 'markov2'), 'markov', '{a,b}', 1, 1, 0, 3)::text",
               expect="22023")


# paths: (expression, what attribute_paths must answer, which methods:
# None all, "markov" markov only, "other" all but markov).  markov solves
# once per distinct channel: a path of 100,000 distinct channels is given
# to the other methods only, and markov gets one of 4,000 (order 1: each channel removal re-solves the chain, so 20,000 distinct channels take seconds)
LOOP_AB = "(SELECT array_agg(CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END) FROM generate_series(1, {n}) i)"
PATHS = [
    ("'{a}'", "ok", None),
    ("'{a,a,a}'", "ok", None),
    ("'{a,b,a,c}'", "ok", None),
    ("'{a,b}'", "ok", None),
    ("'[0:2]={a,b,c}'", "ok", None),
    ("'[-5:-3]={c,b,a}'", "ok", None),
    ("NULL", "22004", None),
    ("'{}'", "22023", None),
    ("'{NULL}'", "22004", None),
    ("'{a,NULL,b}'", "22004", None),
    ("'{{a,b},{c,d}}'", "2202E", None),
    ("'{{{a}}}'", "2202E", None),
    ("'{\"\"}'", "ok", None),
    ("'{NaN,Infinity,-Infinity,1e308}'", "ok", None),
    ("ARRAY['ünïcödé ☃ ' || chr(1), 'a']", "ok", None),
    (LOOP_AB.format(n=100000), "ok|54000", None),
    ("(SELECT array_agg('t' || (i % 3000)) FROM generate_series(1, 100000) i)", "ok|54000", None),
    ("(SELECT array_agg('t' || i) FROM generate_series(1, 3000) i)", "ok", None),
    ("(SELECT array_agg('t' || i) FROM generate_series(1, 100000) i)", "ok", "other"),
    ("(SELECT array_agg('t' || i) FROM generate_series(1, 4000) i)", "ok|54000", "markov1"),
    ("ARRAY[repeat('x', 1000000), repeat('y', 1000000), repeat('x', 1000000)]", "ok", None),
    ("(SELECT ta FROM hostile.ext WHERE k = 'mb')", "ok", None),
    ("(SELECT ta FROM hostile.cmp WHERE k = 'rep')", "ok", None),
    ("(SELECT ta FROM hostile.ext WHERE k = 'wide')", "ok", None),
    ("(SELECT ta FROM hostile.cmp WHERE k = 'mb')", "ok", "other"),
]


def count_expect(method, conv, rev, nulls, loop=True):
    """What attribute_paths must answer to one row's counts (SQL literals):
    22004 for a NULL, 22003 for NaN, an infinity or a negative count, 22023
    for revenue without conversions; else a result, or 22003 when the sums
    overflow, or for markov on a path with a loop 54000 (a chain it cannot
    solve exactly; a chain of one state is a formula)."""
    vals = []
    for x in (conv, rev, nulls):
        vals.append(None if x == "NULL" else float(x.strip("'")))
    if None in vals:
        return "22004"
    if any(not math.isfinite(v) or v < 0 for v in vals):
        return "22003"
    if vals[1] > 0 and vals[0] == 0:
        return "22023"
    return "ok|22003|54000" if method == "markov" and loop else "ok|22003"
FLOATS = ["NULL", "'NaN'", "'Infinity'", "'-Infinity'", "-1", "'-0'", "5e-324", "1e-300", "1e308",
          "1.7976931348623157e308"]
# (conversions, revenue, nulls) together: sums and ratios at float8's limits
TRIPLES = [("1e308", "0", "1e308"), ("1e308", "1e308", "1e308"), ("1.7976931348623157e308", "1.7976931348623157e308", "0"),
           ("5e-324", "1e308", "0"), ("5e-324", "1e308", "1"), ("1e-300", "1e308", "1e300"), ("1", "1e308", "1e308"),
           ("1e-300", "0", "1e300"), ("0", "0", "0"), ("0", "0", "1e308"), ("0", "1", "1"), ("1", "0", "0"),
           ("5e-324", "5e-324", "5e-324")]


def agg(method, path, conv="1", rev="10", nulls="1", order=1, rows=3):
    """attribute_paths over rows copies of one row, its credits unnested
    and checked: they must add up to the conversions and revenue given."""
    a = f"leadqual.attribute_paths({method}, ({path})::text[], ({conv})::float8, ({rev})::float8, ({nulls})::float8, ({order})::int)"
    check = (f"hostile.check_credit({a}, sum(({conv})::float8::numeric), sum(({rev})::float8::numeric), "
             f"sum(({nulls})::float8::numeric))")
    return f"SELECT c.* FROM (SELECT {check} AS r FROM generate_series(1, {rows})) s, unnest(s.r) c"


def path_cases():
    for m, o in PATH_METHODS:
        group = f"attribute_paths {m}" + (f" order {o}" if m == "markov" else "")
        for path, expect, only in PATHS:
            if only and only != ("other" if m != "markov" else f"markov{o}"):
                continue
            yield Case(group + " (paths)", agg(f"'{m}'", path, order=o), expect=expect)
        if m == "markov" and o not in (1, 2):
            continue
        for path in ("'{a,a,a}'", "'{a,b,a,c}'"):
            loop = path == "'{a,b,a,c}'" and o == 1     # {a,a,a} is one state; {a,b,a,c} at order 2 has no loop
            for i in range(3):
                for v in FLOATS:
                    args = ["1", "10", "1"]
                    args[i] = v
                    if i == 1 and v not in ("NULL", "'NaN'", "'Infinity'", "'-Infinity'", "-1"):
                        args[0] = "1"
                    yield Case(group + " (counts)", agg(f"'{m}'", path, *args, order=o),
                               expect=count_expect(m, *args, loop=loop))
            for t in TRIPLES:
                yield Case(group + " (counts)", agg(f"'{m}'", path, *t, order=o), expect=count_expect(m, *t, loop=loop))
                yield Case(group + " (counts)", agg(f"'{m}'", path, *t, order=o, rows=1),
                           expect=count_expect(m, *t, loop=loop))
    # markov_order out of range, methods that need times, unknown methods
    for o in ("0", "9", "-1", "2147483647", "-2147483648", "NULL"):
        yield Case("attribute_paths options", agg("'markov'", "'{a,b}'", order=o), expect="22004" if o == "NULL" else "22023")
        yield Case("attribute_paths options", agg("'linear'", "'{a,b}'", order=o), expect="22004" if o == "NULL" else "ok")
    for m in TIMED + ["MARKOV", "markov ", "", "Linear", "no_such_method"]:
        yield Case("attribute_paths options", agg(f"'{m}'", "'{a,b}'"), expect="22023")
    # mixed methods or orders in one group, NULL method after a good one
    mixed = [("VALUES ('linear', 1), ('markov', 1)", "22023"), ("VALUES ('markov', 1), ('markov', 2)", "22023"),
             ("VALUES ('markov', 4), ('linear', 4)", "22023"), ("VALUES ('shapley', 1), (NULL, 1)", "22004"),
             ("VALUES ('markov', 1), ('markov', NULL)", "22004"), ("VALUES ('linear', 1), ('w_shaped', 1)", "22023"),
             ("VALUES ('linear', 1), ('linear', 9)", "ok"), ("VALUES ('markov', 3), ('markov', 3)", "ok")]
    for rows, expect in mixed:
        yield Case("attribute_paths options",
                   f"SELECT c.* FROM (SELECT leadqual.attribute_paths(v.m, '{{a,b,a}}', 1, 1, 1, v.o) AS r FROM ({rows}) v(m, o)) s, unnest(s.r) c",
                   expect=expect)
    # a group per method over the path table, sorted and hashed
    for hashagg in ("on", "off"):
        yield Case("attribute_paths options",
                   "SELECT s.m, c.* FROM (SELECT m.m, leadqual.attribute_paths(m.m, p.path, p.conversions, p.revenue, p.nulls, 2) AS r "
                   "FROM hostile.paths p CROSS JOIN unnest('{first_touch,last_touch,linear,position_based,markov,shapley}'::text[]) m(m) "
                   "WHERE p.id <= 2000 GROUP BY m.m) s, unnest(s.r) c", settings={"enable_hashagg": hashagg}, expect="ok")


def loop_cases():
    """Chains with loops that are almost never left, orders 1-4."""
    loops = [LOOP_AB.format(n=n) for n in (2, 3, 10, 1000, 100000)]
    tiny = [("1e-300", "1e-300"), ("1e-300", "0"), ("0", "1e-300"), ("1", "0"), ("5e-324", "5e-324")]
    companions = [("'{a,b,a,b,a}'", "0", "1e300"), ("'{a,b,a,b,a}'", "1", "1e300"), ("'{b,a,b}'", "1e300", "0"),
                  ("'{a,b,a,c}'", "1e-300", "1e300"), ("'{a}'", "0", "1e308")]
    for o in (1, 2, 3, 4):
        for li, loop in enumerate(loops):
            for c, n in tiny:
                yield Case(f"markov loops order {o}", agg("'markov'", loop, c, "0", n, o, rows=1))
                for cp, cc, cn in companions if li in (1, 3, 4) else companions[:1]:
                    sql = (f"SELECT c.* FROM (SELECT hostile.check_credit(leadqual.attribute_paths('markov', v.p, v.c, v.r, v.n, {o}), "
                           f"sum(v.c::numeric), sum(v.r::numeric), sum(v.n::numeric)) AS r FROM (SELECT ({loop})::text[], ({c})::float8, 0::float8, ({n})::float8 UNION ALL "
                           f"SELECT ({cp})::text[], ({cc})::float8, CASE WHEN ({cc})::float8 > 0 THEN 7 ELSE 0 END, ({cn})::float8) v(p, c, r, n)) s, "
                           "unnest(s.r) c")
                    yield Case(f"markov loops order {o}", sql)
    # one long journey that cycles through many states (one component of
    # thousands of states at every order)
    # (and next to it a short journey that converts, so that the states'
    # probabilities differ)
    for o in (1, 2, 4):
        for n in (2000, 2001, 2500):
            cycle = f"(SELECT array_agg('t' || (i % {n})) FROM generate_series(1, 100000) i)"
            yield Case(f"markov loops order {o}", agg("'markov'", cycle, "1e-300", "0", "1e-300", o, rows=1))
            yield Case(f"markov loops order {o}",
                       f"SELECT c.* FROM (SELECT hostile.check_credit(leadqual.attribute_paths('markov', v.p, v.c, v.r, v.n, {o}), "
                       f"sum(v.c::numeric), sum(v.r::numeric), sum(v.n::numeric)) AS r FROM (SELECT {cycle}, 1e-300::float8, 0::float8, 1::float8 "
                       "UNION ALL SELECT '{t7,t8}', 1, 5, 0 UNION ALL SELECT '{t9,t1,t5}', 0, 0, 1e6) v(p, c, r, n)) s, unnest(s.r) c")


def plan_cases():
    """Parallel, partitionwise and grouped plans; results equal to the serial pass."""
    part = dict(PARALLEL, enable_partitionwise_aggregate="on")
    for m, o in PATH_METHODS[:-1]:
        a = f"leadqual.attribute_paths('{m}', p.path, p.conversions, p.revenue, p.nulls, {o})"
        serial = ["SET LOCAL max_parallel_workers_per_gather = 0", "SET LOCAL enable_partitionwise_aggregate = off",
                  f"SELECT hostile.same_credit(%(ret)s::leadqual.channel_credit[], (SELECT {a} FROM hostile.paths p))"]
        for table, settings, what in (("hostile.paths", PARALLEL, "parallel"), ("hostile.paths_part", part, "partitionwise"),
                                      ("hostile.paths_part", {"enable_partitionwise_aggregate": "on"}, "partitionwise")):
            yield Case(f"attribute_paths {what}", f"SELECT hostile.check_credit({a}, sum(p.conversions::numeric), sum(p.revenue::numeric), sum(p.nulls::numeric))::text "
                       f"FROM {table} p", serial, settings, expect="ok")
        # grouped, in a parallel plan, groups with one row and with thousands
        yield Case("attribute_paths parallel, grouped",
                   f"SELECT s.g, c.* FROM (SELECT p.id % 7 AS g, hostile.check_credit({a}, sum(p.conversions::numeric), sum(p.revenue::numeric), sum(p.nulls::numeric)) AS r "
                   "FROM hostile.paths p GROUP BY 1) s, unnest(s.r) c", settings=PARALLEL, expect="ok")
        yield Case("attribute_paths parallel, grouped",
                   f"SELECT count(*) FROM (SELECT p.id, {a} AS r FROM hostile.paths p GROUP BY 1) s, unnest(s.r) c",
                   settings=PARALLEL, expect="ok")
        # partial states whose sums overflow (in a worker, in a partition):
        # the documented 22003, whichever node overflows
        # (the factors keep each row finite: at most 1e308, 1.1e303, 4e307)
        big = a.replace("p.conversions, p.revenue, p.nulls", "p.conversions * 1e308, p.revenue * 1e300, p.nulls * 1e307")
        for table, settings, what in (("hostile.paths", PARALLEL, "parallel"), ("hostile.paths_part", part, "partitionwise"),
                                      ("hostile.paths", {}, "serial")):
            yield Case(f"attribute_paths {what}", f"SELECT c.* FROM (SELECT {big} AS r FROM {table} p) s, unnest(s.r) c",
                       settings=settings, expect="22003")
    # attribute_journeys over the journeys table in a parallel plan, every method
    for m in ALL_METHODS:
        for o in ((1, 2, 4) if m == "markov" else (1,)):
            a = (f"leadqual.attribute_journeys('{m}', j.channels, j.touched_at, j.converted, j.conversion_at, j.value, "
                 f"j.mql_at, j.opportunity_at, j.won_at, '7 days', {o})")
            check = (f"hostile.check_credit({a}, sum(CASE WHEN j.converted THEN 1 ELSE 0 END), sum(j.value::numeric), "
                     "sum(CASE WHEN j.converted THEN 0 ELSE 1 END))")
            serial = ["SET LOCAL max_parallel_workers_per_gather = 0",
                      f"SELECT hostile.same_credit(%(ret)s::leadqual.channel_credit[], (SELECT {a} FROM hostile.journeys j))"]
            yield Case(f"attribute_journeys parallel", f"SELECT {check}::text FROM hostile.journeys j", serial, PARALLEL,
                       expect="ok")


OPTIONS = [  # (goal, since, until, lookback, half_life), every other argument default
    ("'won'", "'-infinity'", "'infinity'", "NULL", "'7 days'"),
    ("'won'", "'-infinity'", "'infinity'", "'1 microsecond'", "'1 microsecond'"),
    ("'mql'", "'-infinity'", "'infinity'", "'178000000 years'", "'178000000 years'"),   # 22008: see table_cases
    ("'sal'", "now() - interval '31 days'", "now()", "'20 days'", "'1 day'"),
    ("'opportunity'", "'-infinity'", "now() - interval '6 days'", "NULL", "'7 days'"),
    ("'won'", "'4714-11-24 00:00:00+00 BC'", "'294276-12-31 23:59:59+00'", "'2147483647 days 2147483647 months'", "'1 microsecond'"),
]
BAD_OPTIONS = [  # refused before anything is read
    ("'inquiry'", "'-infinity'", "'infinity'", "NULL", "'7 days'", "22023"),
    ("'lost'", "'-infinity'", "'infinity'", "NULL", "'7 days'", "22023"),
    ("NULL", "'-infinity'", "'infinity'", "NULL", "'7 days'", "22004"),
    ("'won'", "'infinity'", "'-infinity'", "NULL", "'7 days'", "22023"),
    ("'won'", "NULL", "'infinity'", "NULL", "'7 days'", "22004"),
    ("'won'", "'-infinity'", "'infinity'", "'0'", "'7 days'", "22023"),
    ("'won'", "'-infinity'", "'infinity'", "'-1 microsecond'", "'7 days'", "22023"),
]


def table_cases():
    """attribution(), lead_attribution(), the view, over the fixture's journeys."""
    for m in ALL_METHODS:
        for o in ((1, 2, 3, 4, 8) if m == "markov" else (1,)):
            for goal, since, until, lookback, hl in OPTIONS if o in (1, 2, 4) else OPTIONS[:1]:
                args = f"'{m}', {goal}, {since}, {until}, {lookback}, {hl}, {o}"
                # a lookback longer than the timestamp range: the window's
                # start is out of range (22008, from the journeys' SQL)
                expect = "ok|22008" if "years" in lookback or "months" in lookback else "ok"
                yield Case("attribution options", f"SELECT * FROM leadqual.attribution({args})",
                           [f"SELECT hostile.check_attribution({args})"], expect=expect)
                if goal == "'won'":
                    yield Case("lead_attribution options", f"SELECT * FROM leadqual.lead_attribution({args})", expect=expect)
        for goal, since, until, lookback, hl, code in BAD_OPTIONS:
            for fn in ("attribution", "lead_attribution"):
                yield Case(f"{fn} options", f"SELECT * FROM leadqual.{fn}('{m}', {goal}, {since}, {until}, {lookback}, {hl})",
                           expect=code)
    for m in ALL_METHODS:
        for o in ("0", "9", "-1", "2147483647", "NULL"):
            code = "22004" if o == "NULL" else ("22023" if m == "markov" else "ok")
            for fn in ("attribution", "lead_attribution"):
                yield Case(f"{fn} options", f"SELECT * FROM leadqual.{fn}('{m}', markov_order => {o})", expect=code)
        for hl in ("'0'", "'-7 days'", "NULL"):
            code = "22023" if m == "time_decay" else "ok"
            for fn in ("attribution", "lead_attribution"):
                yield Case(f"{fn} options", f"SELECT * FROM leadqual.{fn}('{m}', half_life => {hl})", expect=code)
    # the view, in a parallel plan too
    for settings in ({}, PARALLEL):
        yield Case("channel_attribution", "SELECT * FROM leadqual.channel_attribution", settings=settings, expect="ok")
    # touches that arrive in the case's own transaction: 1 MB channels, a
    # loop of 2,000 touches on a won lead, after the win, at the ends of time
    ins = ("INSERT INTO leadqual.event (lead_id, event_type, occurred_at, channel) "
           "SELECT l.lead_id, 'ad_click', {at}, {ch} FROM leadqual.lead l{extra} WHERE l.external_id = '{lead}' RETURNING lead_id")
    reads = ["SELECT * FROM leadqual.attribution('markov')", "SELECT * FROM leadqual.attribution('markov', markov_order => 4)",
             "SELECT * FROM leadqual.attribution('w_shaped')", "SELECT * FROM leadqual.lead_attribution('markov')",
             "SELECT * FROM leadqual.lead_attribution('time_decay', half_life => '1 microsecond')",
             "SELECT * FROM leadqual.channel_attribution",
             "SELECT hostile.check_attribution('markov', 'won', '-infinity', 'infinity', NULL, '7 days', 2)",
             "SELECT hostile.check_attribution('full_path', 'won', '-infinity', 'infinity', NULL, '7 days', 1)"]
    for lead, at, ch, extra in (
            ("ax-mix", "now() - interval '8 days'", "repeat(md5('x'), 40000)", ""),       # 1.3 MB, compressed inline
            ("ax-mix", "now() - interval '8 days' + (i || ' seconds')::interval", "repeat('c', 1000000 + i % 2)",
             ", generate_series(1, 3) i"),                                                    # two 1 MB channels, a loop
            ("ax-many", "now() - interval '8 days' + (i || ' seconds')::interval", "'m' || i",
             ", generate_series(1, 2000) i"),                                                 # 2,300 channels
            ("ax-mix", "now() - interval '8 days' + (i || ' seconds')::interval", "CASE WHEN i % 2 = 0 THEN 'ads' ELSE 'web' END",
             ", generate_series(1, 2000) i"),
            ("ax-loop", "now() - interval '8 days' + (i || ' seconds')::interval", "'n' || i", ", generate_series(1, 1500) i"),
            ("ax-mix", "now()", "'after_the_win'", ""),
            ("fx-inquiry", "'4714-11-24 00:00:00+00 BC'", "'big_bang'", ""),
            ("fx-inquiry", "'294276-12-31 23:59:59+00'", "'heat_death'", ""),
            ("ax-wide", "now() - interval '8 days'", "(SELECT t FROM hostile.ext WHERE k = 'mb')", "")):
        yield Case("attribution new touches", ins.format(at=at, ch=ch, lead=lead, extra=extra), reads, expect="ok")


def all_attribution_cases(cur):
    valid = pc_valid(cur)
    forged = pcstate.forgeries(valid)
    yield from state_cases(valid, forged)
    yield from path_cases()
    yield from loop_cases()
    yield from plan_cases()
    yield from table_cases()


CONCURRENT_READS = [
    "SELECT * FROM leadqual.attribution('markov', markov_order => 2)",
    "SELECT * FROM leadqual.attribution('w_shaped')",
    "SELECT * FROM leadqual.channel_attribution",
    "SELECT hostile.check_attribution('markov', 'won', '-infinity', 'infinity', NULL, '7 days', 1)",
    "SELECT hostile.check_attribution('linear', 'won', '-infinity', 'infinity', NULL, '7 days', 1)",
]


def concurrency(connect, seconds=10):
    """attribution() while another session inserts touches (new channels,
    loops, on won and open leads) and wins leads, committing each: every read
    must succeed and add up.  Returns [(outcome, case, detail)] of failures
    and the number of reads."""
    stop = threading.Event()
    writes = [0]
    errors = []

    def writer():
        conn = connect()
        cur = conn.cursor()
        i = 0
        try:
            while not stop.is_set():
                i += 1
                cur.execute("INSERT INTO leadqual.event (lead_id, event_type, occurred_at, channel) "
                            "SELECT l.lead_id, 'ad_click', now() - interval '20 days' + (%s || ' seconds')::interval, "
                            "(ARRAY['web', 'ads', 'email', 'c' || %s %% 40])[1 + %s %% 4] FROM leadqual.lead l "
                            "WHERE l.external_id IN ('ax-mix', 'ax-loop', 'fx-inquiry', 'fx-sql')", (i, i, i))
                time.sleep(0.01)
                if i % 25 == 0:     # a lead is won in the middle of the reads
                    cur.execute("INSERT INTO leadqual.lead (external_id, created_at, source_channel) "
                                "VALUES ('cc-' || %s, now() - interval '30 days', 'web') RETURNING lead_id", (i,))
                    lead = cur.fetchone()[0]
                    cur.execute("INSERT INTO leadqual.event (lead_id, event_type, occurred_at, channel) "
                                "VALUES (%s, 'ad_click', now() - interval '29 days', 'web'), (%s, 'ad_click', now() - interval '28 days', 'ads')",
                                (lead, lead))
                    cur.execute("SELECT leadqual.transition(%s, 'mql', 'marketing', at => now() - interval '27 days'), "
                                "leadqual.accept(%s, 'alice', now() - interval '26 days'), leadqual.qualify(%s, now() - interval '25 days'), "
                                "leadqual.close_opportunity(leadqual.open_opportunity(%s, 10, now() - interval '24 days'), true, NULL, NULL, "
                                "now() - interval '23 days')", (lead, lead, lead, lead))
                writes[0] += 1
        except Exception as e:      # the writer must not fail either
            errors.append(("concurrency (writer)", f"{type(e).__name__}: {e}".splitlines()[0]))
        finally:
            conn.close()

    t = threading.Thread(target=writer)
    t.start()
    conn = connect()
    cur = conn.cursor()
    reads = 0
    start = time.time()
    try:
        while time.time() - start < seconds:
            for sql in CONCURRENT_READS:
                for iso in ("READ COMMITTED", "REPEATABLE READ"):
                    reads += 1
                    try:
                        cur.execute(f"BEGIN ISOLATION LEVEL {iso}")
                        cur.execute("SET LOCAL statement_timeout = '10s'")
                        cur.execute(sql)
                        cur.fetchall()
                        cur.execute("COMMIT")
                    except Exception as e:
                        errors.append((f"concurrency ({iso})", f"{sql}: {e}".splitlines()[0]))
                        cur.execute("ROLLBACK")
    finally:
        stop.set()
        t.join()
        conn.close()
    return errors, reads, writes[0]
