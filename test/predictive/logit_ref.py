"""Independent reference for leadqual.logistic_regression and logit_predict.

Written apart from the C code (src/predictive/logit_fit.c): a Newton solver
in numpy (float64, to convergence), and, when Debian's python3-sklearn is
installed, scikit-learn's LogisticRegression as a second opinion.

Usage (/usr/bin/python3 with numpy; psycopg2 for check):
  logit_ref.py self-test
      The numpy solver on fits known in closed form: one binary feature (the
      coefficient is the log odds ratio of the 2x2 table, the intercept the
      log odds of the x = 0 row, the standard error sqrt(1/a + 1/b + 1/c +
      1/d)), an intercept only (log(k / (n - k))), and a penalised fit whose
      gradient must vanish.
  logit_ref.py check
      Inside a cluster (libpq environment, leadqual created): generates a
      seeded data set of 100,000 rows and 20 features of mixed scales
      (binary, counts, a company size up to 1e5, correlated columns, a
      one-hot pair, a feature of true weight 0), loads it, fits it in SQL
      with l2 = 0 and l2 = 1, fits a separable data set with l2 = 1 (must
      converge) and l2 = 0 (converged = false, std_errors NULL, finite
      coefficients), and compares with the reference:
        coefficients  |sql - ref| <= 1e-6 * max(|ref|, 1e-3 / sd(x_j))
                      (the floor: a coefficient whose effect over one
                      standard deviation of its feature is under 1e-3 on
                      the log-odds scale is compared in absolute units of
                      1e-9 log-odds per standard deviation; the intercept's
                      sd is 1).  Near-zero coefficients are not where
                      relative error is meaningful: a true weight of 0 is
                      estimated as +-its standard error and may fall
                      anywhere near 0;
        std_errors    relative 1e-6 (they are never near 0) against the
                      square roots of the diagonal of the inverse of the
                      penalised Hessian X'WX + l2*I (no penalty on the
                      intercept) at the reference coefficients;
        log_likelihood (unpenalised) relative 1e-10: at the optimum the
                      log-likelihood is flat in the coefficients, so any
                      two exact solvers agree to rounding;
        rows, converged as given.
      sklearn (if available): LogisticRegression(solver='newton-cholesky',
      C = 1 / l2, or penalty=None for l2 = 0), which penalises the
      coefficients only, not the intercept (true of its lbfgs, newton-cg and
      newton-cholesky solvers; liblinear would penalise it); its Newton
      solver with tol = 1e-12 reaches the optimum as exactly as ours, so it
      is held to the same 1e-6 (same floor); the figure is printed.
      logit_predict against numpy's 1 / (1 + exp(-eta)) (computed stably)
      for 5,000 rows of the data and for rows with |eta| up to 800, with
      the fit's own coefficients: relative 1e-12 on p and on 1 - p.
      Exit 1 with the differences on any mismatch.
"""
import math
import sys
import time

import numpy as np

N_ROWS = 100_000
N_FEATURES = 20
SEED = 20240611


# ----------------------------------------------------------------------
# the reference solver
# ----------------------------------------------------------------------

def sigmoid(eta):
    """1 / (1 + e^-eta) without overflow on either side."""
    out = np.empty_like(eta)
    pos = eta >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-eta[pos]))
    e = np.exp(eta[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def log_likelihood(X1, y, beta):
    """Unpenalised sum of y log p + (1 - y) log(1 - p) = sum y eta - log(1 + e^eta)."""
    eta = X1 @ beta
    softplus = np.maximum(eta, 0.0) + np.log1p(np.exp(-np.abs(eta)))
    return float(np.sum(y * eta - softplus))


def penalised(X1, y, beta, l2):
    return log_likelihood(X1, y, beta) - 0.5 * l2 * float(beta[1:] @ beta[1:])


def hessian(X1, beta, l2):
    """X'WX + l2 * I without the intercept: the negated Hessian of the penalised objective."""
    p = sigmoid(X1 @ beta)
    w = p * (1.0 - p)
    H = (X1 * w[:, None]).T @ X1
    H[np.arange(1, H.shape[0]), np.arange(1, H.shape[0])] += l2
    return H


def newton(X, y, l2, max_iter=200):
    """Maximise the penalised log-likelihood from beta = 0 by damped Newton
    steps (numpy.linalg.solve, LU with pivoting: another factorisation than
    the C code's Cholesky) until the Newton decrement is at rounding level;
    returns (beta, converged, iterations).  For separable
    data with l2 = 0 it stops when the objective stops improving, unconverged."""
    n, k = X.shape
    X1 = np.hstack([np.ones((n, 1)), X])
    beta = np.zeros(k + 1)
    obj = penalised(X1, y, beta, l2)
    for it in range(1, max_iter + 1):
        p = sigmoid(X1 @ beta)
        g = X1.T @ (y - p)
        g[1:] -= l2 * beta[1:]
        H = hessian(X1, beta, l2)
        try:
            delta = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            return beta, False, it
        if not np.all(np.isfinite(delta)):
            return beta, False, it
        t = 1.0
        while t > 1e-12:
            trial = beta + t * delta
            o = penalised(X1, y, trial, l2)
            if np.isfinite(o) and o >= obj - 1e-13 * abs(obj):
                break
            t *= 0.5
        else:
            return beta, False, it
        beta, obj = trial, o
        # Newton's decrement g'H^-1 g below 1e-20 and a step that moved no
        # coefficient by 1e-8 of its size (separable data keep moving):
        # the step just taken was at the level of rounding, quadratic
        # convergence having halved the digits wrong at each step before
        if float(g @ delta) <= 1e-20 and np.all(np.abs(delta) <= 1e-8 * (1.0 + np.abs(beta))):
            return beta, True, it
    return beta, False, max_iter


def std_errors(X, beta, l2):
    X1 = np.hstack([np.ones((X.shape[0], 1)), X])
    return np.sqrt(np.diag(np.linalg.inv(hessian(X1, beta, l2))))


# ----------------------------------------------------------------------
# self-test: closed forms
# ----------------------------------------------------------------------

def self_test():
    fails = []
    # one binary feature: a = y=1,x=1; b = y=0,x=1; c = y=1,x=0; d = y=0,x=0
    a, b, c, d = 30, 10, 20, 40
    X = np.array([[1.0]] * (a + b) + [[0.0]] * (c + d))
    y = np.array([1.0] * a + [0.0] * b + [1.0] * c + [0.0] * d)
    beta, conv, _ = newton(X, y, 0.0)
    se = std_errors(X, beta, 0.0)
    want = [math.log(c / d), math.log((a * d) / (b * c))]
    want_se = [math.sqrt(1 / c + 1 / d), math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)]
    if not conv or max(abs(beta - want)) > 1e-14 or max(abs(se - want_se)) > 1e-14:
        fails.append(f"2x2 table: {beta} {se} vs {want} {want_se}")
    # intercept only
    X0 = np.zeros((17, 0))
    y0 = np.array([1.0] * 5 + [0.0] * 12)
    beta, conv, _ = newton(X0, y0, 0.0)
    if not conv or abs(beta[0] - math.log(5 / 12)) > 1e-15:
        fails.append(f"intercept only: {beta}")
    # a penalised fit: the penalised gradient vanishes, the intercept's unpenalised one too
    rng = np.random.default_rng(1)
    Xr = rng.normal(size=(500, 3))
    yr = (rng.random(500) < sigmoid(0.3 + Xr @ np.array([1.0, -2.0, 0.5]))).astype(float)
    beta, conv, _ = newton(Xr, yr, 2.5)
    X1 = np.hstack([np.ones((500, 1)), Xr])
    g = X1.T @ (yr - sigmoid(X1 @ beta))
    g[1:] -= 2.5 * beta[1:]
    if not conv or max(abs(g)) > 1e-10:
        fails.append(f"l2 = 2.5: gradient {g}")
    # separable with l2 = 0: no finite optimum
    Xs = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    ys = np.array([0.0, 0.0, 1.0, 1.0])
    _, conv, _ = newton(Xs, ys, 0.0, max_iter=60)
    if conv:
        fails.append("separable data converged")
    for f in fails:
        print("logit_ref: self-test FAIL:", f)
    print(f"logit_ref: self-test: {4 - len(fails)} of 4 closed forms")
    return 1 if fails else 0


# ----------------------------------------------------------------------
# the data
# ----------------------------------------------------------------------

def generate(n=N_ROWS, seed=SEED):
    """20 features of mixed scales and a y drawn from a known logistic model."""
    rng = np.random.default_rng(seed)
    cols = []
    cols.append((rng.random(n) < 0.5).astype(float))              # 1 binary, balanced
    cols.append((rng.random(n) < 0.05).astype(float))             # 2 binary, rare
    cols.append((rng.random(n) < 0.9).astype(float))              # 3 binary, common
    cols.append(rng.poisson(3.0, n).astype(float))                # 4 counts (events)
    cols.append(rng.poisson(0.2, n).astype(float))                # 5 counts, mostly 0
    cols.append(rng.poisson(40.0, n).astype(float))               # 6 counts, large
    size = np.round(np.exp(rng.normal(4.5, 2.0, n))).clip(1, 100000)
    cols.append(size)                                             # 7 company size, 1 .. 1e5
    z = rng.normal(0.0, 1.0, n)
    cols.append(z)                                                # 8 normal
    cols.append(0.9 * z + math.sqrt(1 - 0.81) * rng.normal(0.0, 1.0, n))   # 9 correlated 0.9 with 8
    cols.append(rng.normal(0.0, 0.01, n))                         # 10 tiny scale
    cols.append(rng.normal(50.0, 100.0, n))                       # 11 large scale, offset
    cols.append(rng.random(n))                                    # 12 uniform
    cat = rng.integers(0, 3, n)
    cols.append((cat == 1).astype(float))                         # 13 one-hot level 1
    cols.append((cat == 2).astype(float))                         # 14 one-hot level 2
    cols.append(z + cols[10] / 100.0 + 0.3 * rng.normal(0.0, 1.0, n))   # 15 correlated with 8 and 11
    cols.append(rng.integers(0, 5, n).astype(float))              # 16 seniority 0 .. 4
    cols.append(np.log1p(size) + rng.normal(0.0, 0.5, n))         # 17 correlated with 7 (log)
    cols.append(rng.normal(0.0, 1.0, n))                          # 18 true weight 0
    cols.append(np.round(rng.normal(0.0, 1.0, n), 2))             # 19 two decimals
    cols.append((cols[3] > 4).astype(float))                      # 20 indicator of feature 4
    X = np.column_stack(cols)
    assert X.shape == (n, N_FEATURES)
    true = np.array([-1.0, 0.8, 1.5, -0.4, 0.15, 0.5, 0.01, 2e-5, 0.7, -0.3, 20.0, 0.004, -0.6,
                     0.3, -0.2, 0.25, 0.2, -0.1, 0.0, 0.35, 0.4])
    y = (rng.random(n) < sigmoid(true[0] + X @ true[1:])).astype(float)
    return X, y


def separable(n=2000, seed=7):
    """y = (x1 + 0.5 x2 > 0) exactly: separable, with a third feature of noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(float)
    return X, y


def array_literal(row):
    return "{" + ",".join(repr(float(v)) for v in row) + "}"


def load(cur, table, X, y):
    import io
    cur.execute(f"CREATE TABLE {table} (id int, y boolean, x float8[])")
    buf = io.StringIO()
    for i in range(X.shape[0]):
        buf.write(f"{i}\t{'t' if y[i] else 'f'}\t{array_literal(X[i])}\n")
    buf.seek(0)
    cur.copy_expert(f"COPY {table} FROM STDIN", buf)
    cur.execute(f"ANALYZE {table}")


def sql_fit(cur, table, l2):
    cur.execute(f"""SELECT (f).coefficients, (f).std_errors, (f).log_likelihood, (f).iterations,
                           (f).converged, (f).rows
                      FROM (SELECT leadqual.logistic_regression(y, x{'' if l2 is None else f', {l2!r}::float8'}) AS f
                              FROM {table}) s""")
    c, se, ll, it, conv, rows = cur.fetchone()
    return (np.array(c), None if se is None else np.array(se), ll, it, conv, rows)


class Report:
    def __init__(self):
        self.fails = []
        self.lines = []

    def fail(self, what):
        self.fails.append(what)


def worst(a, b, floor, rel):
    """(worst relative error, index) of a against b, each element against max(|b|, floor)."""
    err = np.abs(a - b) / np.maximum(np.abs(b), floor)
    i = int(np.argmax(err))
    return float(err[i]), i


def compare_fit(rep, name, X, y, table, l2, cur):
    t0 = time.time()
    c, se, ll, it, conv, rows = sql_fit(cur, table, None if l2 == 0 and name.endswith("(2 args)") else l2)
    t_sql = time.time() - t0
    t0 = time.time()
    beta, rconv, rit = newton(X, y, l2)
    rse = std_errors(X, beta, l2)
    X1 = np.hstack([np.ones((X.shape[0], 1)), X])
    rll = log_likelihood(X1, y, beta)
    t_ref = time.time() - t0
    floor = np.concatenate([[1e-3], 1e-3 / X.std(axis=0)])
    if rows != X.shape[0] or not conv or not rconv:
        rep.fail(f"{name}: rows {rows}, converged {conv} (reference {rconv})")
        return None
    ec, ic = worst(c, beta, floor, 1e-6)
    es, is_ = worst(se, rse, 0.0, 1e-6)
    el = abs(ll - rll) / abs(rll)
    for what, e, i, tol, got, want in (("coefficient", ec, ic, 1e-6, c, beta), ("std_error", es, is_, 1e-6, se, rse)):
        if e > tol:
            rep.fail(f"{name}: {what} {i + 1}: {got[i]!r} vs reference {want[i]!r} (relative {e:.2e} > {tol})")
    if el > 1e-10:
        rep.fail(f"{name}: log_likelihood {ll!r} vs reference {rll!r} (relative {el:.2e})")
    rep.lines.append(f"{name}: {rows} rows, {it} Newton steps in SQL ({t_sql:.2f} s), {rit} in numpy ({t_ref:.2f} s): "
                     f"coefficients within {ec:.1e}, std_errors {es:.1e}, log_likelihood {el:.1e} relative")
    return c, beta, floor


def compare_sklearn(rep, name, X, y, l2, c, floor):
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        rep.lines.append(f"{name}: sklearn not installed, not compared")
        return
    import warnings
    kw = dict(penalty=None) if l2 == 0 else dict(penalty="l2", C=1.0 / l2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = LogisticRegression(solver="newton-cholesky", tol=1e-12, max_iter=200, fit_intercept=True, **kw).fit(X, y)
    sk = np.concatenate([m.intercept_, m.coef_[0]])
    e, i = worst(c, sk, floor, 1e-6)
    if e > 1e-6:
        rep.fail(f"{name}: sklearn coefficient {i + 1}: {sk[i]!r} vs SQL {c[i]!r} (relative {e:.2e} > 1e-6)")
    rep.lines.append(f"{name}: sklearn {m.n_iter_[0]} iterations, coefficients within {e:.1e} relative")


def compare_predict(rep, cur, X, table, c):
    """logit_predict with the fit's coefficients against numpy, and at extreme eta."""
    cur.execute(f"""SELECT t.id, leadqual.logit_predict(f.f, t.x)
                      FROM (SELECT leadqual.logistic_regression(y, x) AS f FROM {table}) f,
                           {table} t WHERE t.id < 5000 ORDER BY t.id""")
    got = np.array([p for _, p in cur.fetchall()])
    eta = c[0] + X[:5000] @ c[1:]
    want = sigmoid(eta)
    e1 = float(np.max(np.abs(got - want) / want))
    e2 = float(np.max(np.abs((1 - got) - (1 - want)) / np.maximum(1 - want, 1e-300)))
    # extreme linear predictors: intercept 0, one feature of weight 1
    etas = [-800.0, -745.0, -700.0, -40.0, -1e-300, 0.0, 1e-10, 36.0, 40.0, 700.0, 800.0]
    cur.execute("SELECT leadqual.logit_predict(ROW(ARRAY[0, 1]::float8[], NULL, NULL, NULL, NULL, NULL)::leadqual.logit_fit, "
                "ARRAY[e]) FROM unnest(%s::float8[]) e", (etas,))
    ext = np.array([p for (p,) in cur.fetchall()])
    wext = sigmoid(np.array(etas))
    bad = [(e, g, w) for e, g, w in zip(etas, ext, wext)
           if not (math.isfinite(g) and (g == w or abs(g - w) <= 1e-15 * w))]
    if e1 > 1e-12 or e2 > 1e-9 or bad:
        rep.fail(f"logit_predict: relative error {e1:.2e} on p, {e2:.2e} on 1 - p; extreme eta wrong: {bad}")
    rep.lines.append(f"logit_predict: 5000 rows within {e1:.1e} relative (1 - p within {e2:.1e}); "
                     f"eta from -800 to 800 exact to 1e-15")


def check():
    import psycopg2
    t_start = time.time()
    rep = Report()
    conn = psycopg2.connect("")
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SET max_parallel_workers_per_gather = 0")
    X, y = generate()
    load(cur, "lr_data", X, y)
    Xs, ys = separable()
    load(cur, "lr_sep", Xs, ys)
    rep.lines.append(f"data: {X.shape[0]} rows x {X.shape[1]} features, {int(y.sum())} positives, "
                     f"feature scales (sd) {X.std(axis=0).min():.3g} .. {X.std(axis=0).max():.3g}; loaded in {time.time() - t_start:.1f} s")

    r = compare_fit(rep, "l2 = 0 (2 args)", X, y, "lr_data", 0.0, cur)
    if r:
        compare_sklearn(rep, "l2 = 0", X, y, 0.0, r[0], r[2])
        compare_predict(rep, cur, X, "lr_data", r[0])
    r3 = compare_fit(rep, "l2 = 0 (3 args)", X, y, "lr_data", 0.0, cur)
    if r and r3 and not np.array_equal(r[0], r3[0]):
        rep.fail("the 2- and 3-argument forms with l2 = 0 differ")
    r = compare_fit(rep, "l2 = 1", X, y, "lr_data", 1.0, cur)
    if r:
        compare_sklearn(rep, "l2 = 1", X, y, 1.0, r[0], r[2])
    r = compare_fit(rep, "l2 = 1000", X, y, "lr_data", 1000.0, cur)
    r = compare_fit(rep, "separable, l2 = 1", Xs, ys, "lr_sep", 1.0, cur)
    if r:
        compare_sklearn(rep, "separable, l2 = 1", Xs, ys, 1.0, r[0], r[2])
    # separable without a penalty: no finite optimum
    c, se, ll, it, conv, rows = sql_fit(cur, "lr_sep", 0)
    if conv or se is not None or not np.all(np.isfinite(c)) or ll is None or not math.isfinite(ll):
        rep.fail(f"separable, l2 = 0: converged {conv}, std_errors {se}, coefficients {c}, log_likelihood {ll}")
    else:
        rep.lines.append(f"separable, l2 = 0: converged = false after {it} steps, std_errors NULL, "
                         f"finite coefficients, log_likelihood {ll:.3g}")

    for line in rep.lines:
        print("logit_ref:", line)
    for f in rep.fails:
        print("logit_ref: FAIL:", f)
    print(f"logit_ref: {'FAILED' if rep.fails else 'all checks passed'} in {time.time() - t_start:.0f} s")
    return 1 if rep.fails else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "self-test":
        sys.exit(self_test())
    if len(sys.argv) > 1 and sys.argv[1] == "check":
        sys.exit(check())
    sys.exit(__doc__)
