"""Figures of a sqlsmith run: python3 report.py QUERIES_FILE SERVER_LOG

QUERIES_FILE is sqlsmith's --dump-all-queries output (each query ends with
";" at the end of a line); SERVER_LOG is the server log, whose lines carry
the SQLSTATE and the application name (log_line_prefix '%m [%p] %e %a ').
Exits 1 on a crash ("terminated by signal") or an XX000 in the log, and
prints the query that did it (the log's STATEMENT or "Failed process was
running" line).
"""
import re
import sys
from collections import Counter

queries_text, log_path = open(sys.argv[1], errors="replace").read(), sys.argv[2]
queries = [q for q in re.split(r";\n", queries_text) if q.strip()]
routine = re.compile(r"\b(?:leadqual|smith_wrap)\.(\w+)\(")
calls = Counter()
touching = calls_any = steered = steered_calls = 0
attribution = {"attribute_paths", "attribute_paths_trans", "attribute_journeys", "attribute_journeys_trans",
               "attribution", "lead_attribution", "journey_credit", "path_counts_combine", "path_counts_final",
               "path_counts_in", "path_counts_out", "path_counts_send",
               # predictive scoring (issue 11)
               "logistic_regression", "logistic_regression_trans", "logistic_regression_final",
               "logit_rows_combine", "logit_predict", "logit_rows_in", "logit_rows_out", "logit_rows_send"}
for q in queries:
    names = set(routine.findall(q))
    calls.update(names)
    calls_any += bool(names)
    touching += ("leadqual." in q or "smith_wrap." in q)
    # the steered tables of steer.sql (attribution: methods, paths, journeys,
    # states; predictive: logit_data, logit_states, logit_fits)
    steered += "smith_data." in q
    steered_calls += "smith_data." in q and bool(names & attribution)

errors, bad, lines = Counter(), [], open(log_path, errors="replace").read().splitlines()
for i, line in enumerate(lines):
    m = re.match(r"\S+ \S+ \S+ \[\d+\] (\w{5}) (\S*) ?(ERROR|FATAL|PANIC|LOG):  (.*)", line)
    if not m:
        continue
    code, app, level, msg = m.groups()
    if "terminated by signal" in msg:
        bad.append(("crash", msg, next((l for l in lines[i + 1:i + 3] if "Failed process" in l), "")))
    if app != "sqlsmith::dut" or level == "LOG":
        continue
    errors[code] += 1
    if code.startswith("XX") or level == "PANIC":
        stmt = next((l for l in lines[i + 1:i + 6] if "STATEMENT:" in l), "")
        bad.append((code, msg, stmt))

print(f"sqlsmith: {len(queries)} queries, {touching} touching leadqual objects, {calls_any} calling leadqual routines")
print(f"sqlsmith: {steered} queries reading the steered tables (smith_data), {steered_calls} of them calling an attribution or logistic routine")
print("sqlsmith: routine calls:", ", ".join(f"{n} {c}" for n, c in sorted(calls.items(), key=lambda x: -x[1])))
never = [n for n in ("score", "explain_score", "rescore") if not calls[n]]
print("sqlsmith: errors by SQLSTATE:", ", ".join(f"{k} {n}" for k, n in errors.most_common()))
print(f"sqlsmith: crashes: {sum(1 for b in bad if b[0] == 'crash')}, XX000: {errors['XX000']}")
for kind, msg, stmt in bad:
    print(f"FAIL [{kind}] {msg}\n    {stmt[:2000]}")
print(f"sqlsmith: {len(queries) - len(bad)} passed, {len(bad)} failed")
sys.exit(1 if bad else 0)
