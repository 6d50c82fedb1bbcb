"""Driver of the hostile suite: runs every generated case, classifies it.

Usage: python3 hostile.py [--list] [--only SUBSTRING] [--show OUTCOME] [--self-test]   (libpq environment: PGHOST, ...)
(--show prints the repro of every case with that outcome, e.g. --show 22P03 or --show ok)

Each case runs in its own transaction, rolled back, under a 2 s
statement_timeout.  What each check proves:
  crash      the connection died: a backend was killed (the server log
             check in run.sh confirms it by "terminated by signal"); the
             driver waits for the server to recover, reconnects, goes on;
  XX000      an elog() (internal error) was reachable from SQL;
  XX001/2    data or index corruption was reported;
  timeout    57014: a statement did not finish within 2 s (a hang or an
             interrupt that is never checked);
  non-finite a float8/numeric result (a column, or a field of a composite
             or array result) was NaN or infinite, or such a score was
             stored in lead or stage_history;
  accepted, then failed
             a write was accepted and a follow-up (scoring, rescore, live
             scoring, the lifecycle) then failed: a row that breaks later;
  wrong result
             an attribution result that does not add up, or that a parallel
             or partitionwise plan changed (the fixture's checks raise
             HX001-HX003); a logistic fit with a non-finite or incoherent
             field, or one a plan or a round trip changed (HX004);
  unexpected a case that says what it expects (a forged path_counts state
             must be refused with 22P03, a legal one accepted) got
             something else.
Any other error with a SQLSTATE is a clean refusal and is counted by code.

Last, a concurrency check: attribution() and friends read while another
session inserts touches and wins leads (attribution.concurrency), and the
hand-off check: a listener receives and parses one notification per
committed stage move, none for a rolled-back one (accounts.notify_check).
"""
import base64
import math
import re
import sys
import time
from collections import Counter
from decimal import Decimal

import psycopg2
import psycopg2.extensions

import accounts
import attribution
import logit
import pcstate
import values
from cases import all_cases, resolve, state_mutations, Case, STORED_CHECK

BAD_CODES = {"XX000": "XX000", "XX001": "XX001", "XX002": "XX002", "57014": "timeout",
             # the fixture's attribution checks (hostile.check_credit, same_credit, check_attribution)
             "HX001": "wrong result", "HX002": "wrong result", "HX003": "wrong result",
             # logit.py's checks of a fit (hostile.lr_check, lr_same)
             "HX004": "wrong result"}
FAILURES = ("crash", "non-finite", "accepted, then failed", "driver error", "unexpected") + tuple(BAD_CODES.values())
NONFINITE_TEXT = re.compile(r"(?<![A-Za-z])(NaN|-?Infinity)(?![A-Za-z])")
FLOAT_OIDS = {700, 701, 1700}


# times and intervals as text: Python's datetime cannot hold PostgreSQL's range
# (and json/jsonb as text: Python's json module cannot parse 10,000 levels)
_AS_TEXT = psycopg2.extensions.new_type((1082, 1083, 1114, 1184, 1186, 1266, 114, 3802), "LQ_TEXT", lambda v, c: v)
_AS_TEXT_ARRAY = psycopg2.extensions.new_array_type((1182, 1183, 1115, 1185, 1187, 1270, 199, 3807),
                                                    "LQ_TEXT_ARRAY", _AS_TEXT)
psycopg2.extensions.register_type(_AS_TEXT)
psycopg2.extensions.register_type(_AS_TEXT_ARRAY)


class Crash(Exception):
    pass


def connect():
    for _ in range(60):     # after a crash the server needs a few seconds of recovery
        try:
            conn = psycopg2.connect("", application_name="hostile")
            conn.autocommit = True
            return conn
        except psycopg2.OperationalError:
            time.sleep(1)
    sys.exit("hostile: the server did not come back")


def nonfinite(v):
    """Whether a result value is (or contains) NaN or an infinity."""
    if isinstance(v, float):
        return not math.isfinite(v)
    if isinstance(v, Decimal):
        return v.is_nan() or v.is_infinite()
    if isinstance(v, (list, tuple)):
        return any(nonfinite(x) for x in v)
    return False


def check_rows(cur, composite_oids):
    """Non-finite values among the rows of the last statement (float columns, composite fields)."""
    if cur.description is None:
        return None
    for row in cur.fetchall():
        for col, v in zip(cur.description, row):
            if nonfinite(v):
                return f"{col.name} = {v}"
            if col.type_code in composite_oids and isinstance(v, str) and NONFINITE_TEXT.search(v):
                return f"{col.name} = {v[:200]}"
    return None


def run_statement(cur, sql, params, composite_oids):
    """Run one statement: (sqlstate or None, first value, non-finite finding)."""
    try:
        cur.execute(sql, params)
    except psycopg2.Error as e:
        if e.pgcode is None or cur.connection.closed:
            raise Crash(str(e).strip())
        return e.pgcode, None, None, str(e).splitlines()[0]
    ret = None
    if cur.description is not None and cur.rowcount > 0:
        rows = cur.fetchmany(1)
        ret = rows[0][0] if rows else None
        cur.scroll(0, mode="absolute")
    return None, ret, check_rows(cur, composite_oids), None


def literal(conn, v):
    """v as an SQL literal for a repro line (long values are elided)."""
    q = psycopg2.extensions.adapt(v)
    q.prepare(conn) if hasattr(q, "prepare") else None
    q = q.getquoted().decode(errors="replace")
    return q if len(q) < 300 else "<the value the statement returned>"


def run_case(conn, case, composite_oids):
    """Run a case; returns (outcome, detail, repro).  outcome: ok, or a SQLSTATE, or a failure kind."""
    outcome, detail, upto, ret = run_case_steps(conn, case, composite_oids)
    if case.expect and outcome not in case.expect.split("|") and outcome not in FAILURES:
        outcome, detail = "unexpected", f"expected {case.expect}, got {outcome}" + (f": {detail}" if detail else "")
    return outcome, detail, resolve(case.repro(upto, literal(conn, ret) if upto is not None else "%(ret)s"))


def run_case_steps(conn, case, composite_oids):
    """Run a case; returns (outcome, detail, failing follow-up index or None, returned value)."""
    cur = conn.cursor()
    cur.execute("BEGIN")
    cur.execute("SET LOCAL statement_timeout = '2s'")
    for k, v in case.settings.items():
        cur.execute(f"SET LOCAL {k} = {v}")
    try:
        code, ret, bad, msg = run_statement(cur, resolve(case.sql), None, composite_oids)
        if code:
            return BAD_CODES.get(code, code), msg, -1, None
        if bad:
            return "non-finite", bad, -1, None
        for i, f in enumerate(case.followups):
            may_refuse = f.startswith("? ")
            f = f.removeprefix("? ")
            if may_refuse:
                cur.execute("SAVEPOINT f")
            fcode, _, fbad, fmsg = run_statement(cur, resolve(f), {"ret": ret}, composite_oids)
            if fcode in BAD_CODES:
                return BAD_CODES[fcode], f"follow-up {f}: {fmsg}", i, ret
            if fcode and may_refuse:
                cur.execute("ROLLBACK TO SAVEPOINT f")
            elif fcode:
                return "accepted, then failed", f"{fcode} in follow-up {f}: {fmsg}", i, ret
            if fbad:
                return "non-finite", f"follow-up {f}: {fbad}", i, ret
        _, stored, _, _ = run_statement(cur, STORED_CHECK, None, composite_oids)
        if stored:
            return "non-finite", f"stored non-finite score: {stored}", len(case.followups) - 1, ret
        return "ok", None, None, None
    finally:
        if not conn.closed:
            try:
                cur.execute("ROLLBACK")
            except psycopg2.Error:
                pass


def self_test():
    """The driver's positive control: a case whose backend is killed (SIGKILL: as a crash, without a core)
    must count as a crash, and the next case must run on a new connection."""
    from cases import Case
    kill = ("DO $$ BEGIN EXECUTE format('COPY (SELECT 1) TO PROGRAM %L', "
            "'kill -KILL ' || pg_backend_pid()); END $$")
    conn, outcomes = connect(), Counter()
    for case in (Case("self-test", kill), Case("self-test", "SELECT 1")):
        try:
            outcomes[run_case(conn, case, set())[0]] += 1
        except Crash:
            outcomes["crash"] += 1
            conn = connect()
    ok = outcomes == Counter(crash=1, ok=1)
    print(f"hostile: self-test: {dict(outcomes)}: the driver {'sees' if ok else 'does NOT see'} a crash")
    return 0 if ok else 1


def main():
    if "--self-test" in sys.argv:
        return self_test()
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    show = sys.argv[sys.argv.index("--show") + 1] if "--show" in sys.argv else None
    conn = connect()
    cur = conn.cursor()
    cur.execute("SET search_path = public, pg_catalog")
    cur.execute("SELECT array_agg(oid::int) FROM pg_type WHERE typtype = 'c' OR oid = 'record'::regtype")
    composite_oids = set(cur.fetchone()[0])
    cur.execute(resolve("SELECT encode({state}, 'hex')"))
    values.HOSTILE["bytea"] += state_mutations(cur.fetchone()[0])
    # engagement_state: a valid state, live scoring's stored one (no as-of
    # time) and mutations of its byte stream, through the text form
    cur.execute(resolve("SELECT encode({state}, 'hex')"))
    stored = bytes.fromhex(cur.fetchone()[0])
    forged = [bytes.fromhex(m[3:-8]) for m in state_mutations(stored.hex())][::4]
    es = [f"'{base64.b64encode(b).decode()}'" for b in [stored] + forged]
    values.HOSTILE["leadqual.engagement_state"] = ["NULL", values.SANE_BY_TYPE["leadqual.engagement_state"]] + \
        [f"{v}::leadqual.engagement_state" for v in es]
    values.NON_NULL["leadqual.engagement_state"] = values.HOSTILE["leadqual.engagement_state"][1:]
    logit.setup(cur)
    valid = attribution.pc_valid(cur)
    pcs, cs = attribution.path_counts_values(valid, pcstate.forgeries(valid))
    for t, vs in (("leadqual.path_counts", pcs), ("cstring", cs + es)):
        values.HOSTILE[t] = vs
        values.NON_NULL[t] = [v for v in vs if v != "NULL"]
    cases = [c for c in all_cases(cur) if not only or only in c.group]
    if "--list" in sys.argv:
        for c in cases:
            print(c.group, "|", c.repro())
        return 0

    outcomes, failures, groups, spent = Counter(), [], Counter(), Counter()
    total = len(cases)
    start = time.time()
    for case in cases:
        groups[case.group.split(" (")[0].split(" ")[0]] += 1
        t0 = time.time()
        try:
            outcome, detail, repro = run_case(conn, case, composite_oids)
        except Crash as e:
            outcome, detail, repro = "crash", str(e).splitlines()[0], resolve(case.repro())
            conn = connect()
        except Exception as e:   # the driver's own failure (e.g. a result it cannot read): a finding too
            outcome, detail, repro = "driver error", f"{type(e).__name__}: {e}"[:300], resolve(case.repro())
            conn.close()
            conn = connect()
        outcomes[outcome] += 1
        spent[case.group.split(" (")[0]] += time.time() - t0
        if outcome in FAILURES:
            failures.append((outcome, case, detail, repro))
        if outcome == show:
            print(f"SHOW [{outcome}] {case.group}: {detail}\n    repro: {repro}")
    if not only or only == "concurrency":
        errors, reads, writes = attribution.concurrency(connect)
        groups["concurrency"] += reads
        total += reads
        outcomes["ok"] += reads - len(errors)
        for what, detail in errors:
            outcomes["accepted, then failed"] += 1
            failures.append(("accepted, then failed", Case(what, "-"), detail, "(concurrent reads and writes)"))
        print(f"hostile: concurrency: {reads} reads while another session committed {writes} writes, {len(errors)} failed")
    if not only or only == "notify":
        errors, moves = accounts.notify_check(connect)
        groups["notify"] += moves
        total += moves
        outcomes["ok"] += moves - len(errors)
        for what, detail in errors:
            outcomes["wrong result"] += 1
            failures.append(("wrong result", Case(what, "-"), detail, "(a listener and a writer, test/hostile/accounts.py)"))
        print(f"hostile: notify: {moves} committed moves received and parsed, {len(errors)} failed")
    secs = time.time() - start

    print(f"hostile: {total} cases in {secs:.0f} s ({', '.join(f'{g} {n}' for g, n in sorted(groups.items()))})")
    print("hostile: slowest groups:", ", ".join(f"{g} {t:.0f} s" for g, t in spent.most_common(8)))
    print("hostile: accepted:", outcomes["ok"])
    clean = {k: n for k, n in outcomes.items() if re.fullmatch(r"[0-9A-Z]{5}", k) and k not in BAD_CODES}
    print("hostile: clean errors by SQLSTATE:", ", ".join(f"{k} {n}" for k, n in sorted(clean.items())) or "none")
    for kind in ("crash", "XX000", "XX001", "XX002", "timeout", "non-finite", "wrong result", "accepted, then failed",
                 "driver error", "unexpected"):
        print(f"hostile: {kind}: {outcomes[kind]}")
    for outcome, case, detail, repro in failures:
        print(f"FAIL [{outcome}] {case.group}: {detail}\n    repro: {repro}")
    print(f"hostile: {total - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
