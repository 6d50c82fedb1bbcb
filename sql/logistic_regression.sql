-- logistic_regression and logit_predict (SPEC §8) on data whose maximum
-- likelihood fit is known in closed form.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS leadqual CASCADE;
CREATE EXTENSION leadqual;
RESET client_min_messages;
SET extra_float_digits = 0;

-- A 2x2 table.  x = 0: 3 of 4 converted, x = 1: 1 of 4.  With one binary
-- feature the fit reproduces the two rates: intercept = ln(3/1) = ln 3,
-- coefficient = ln(1/3) - ln 3 = -2 ln 3 (the log odds ratio).
-- Standard errors of a 2x2 fit are Woolf's: sqrt(1/3 + 1/1) for the
-- intercept and sqrt(1/3 + 1 + 1 + 1/3) = sqrt(8/3) for the log odds ratio.
-- Log-likelihood = 2 (3 ln 3/4 + ln 1/4).
CREATE TABLE t22 (y boolean, x float8);
INSERT INTO t22 VALUES (true, 0), (true, 0), (true, 0), (false, 0),
                       (true, 1), (false, 1), (false, 1), (false, 1);
CREATE TABLE fit22 AS SELECT leadqual.logistic_regression(y, ARRAY[x]) AS f FROM t22;
SELECT abs((f).coefficients[1] - ln(3)) < 1e-12 AS intercept_ok,
       abs((f).coefficients[2] + 2 * ln(3)) < 1e-12 AS log_odds_ratio_ok,
       abs((f).std_errors[1] - sqrt(4.0 / 3)) < 1e-12 AS se_intercept_ok,
       abs((f).std_errors[2] - sqrt(8.0 / 3)) < 1e-12 AS se_ratio_ok,
       abs((f).log_likelihood - 2 * (3 * ln(0.75) + ln(0.25))) < 1e-12 AS loglik_ok,
       (f).converged, (f).rows, (f).iterations BETWEEN 3 AND 10 AS few_steps
  FROM fit22;
-- predictions are the two rates: 1/4 at x = 1, 3/4 at x = 0
SELECT round(leadqual.logit_predict(f, '{1}')::numeric, 12) AS p1,
       round(leadqual.logit_predict(f, '{0}')::numeric, 12) AS p0
  FROM fit22;

-- Ridge.  x = +1: 3 of 4 converted, x = -1: 1 of 4.  By symmetry the
-- intercept is 0; the coefficient b solves the score equation
--   2 (3 - 4 s(b)) = l2 b,  s = logistic function.
-- Without a penalty s(b) = 3/4, b = ln 3.  Choose b = ln 2 (s = 2/3): the
-- equation gives 2 (3 - 8/3) = 2/3 = l2 ln 2, so l2 = 2 / (3 ln 2) has the
-- fit (0, ln 2).
CREATE TABLE tsym (y boolean, x float8);
INSERT INTO tsym VALUES (true, 1), (true, 1), (true, 1), (false, 1),
                        (true, -1), (false, -1), (false, -1), (false, -1);
SELECT abs((f).coefficients[1]) < 1e-12 AS intercept_zero,
       abs((f).coefficients[2] - ln(3)) < 1e-12 AS unpenalised_ln3
  FROM (SELECT leadqual.logistic_regression(y, ARRAY[x]) AS f FROM tsym) s;
SELECT abs((f).coefficients[1]) < 1e-12 AS intercept_zero,
       abs((f).coefficients[2] - ln(2)) < 1e-12 AS ridge_ln2,
       (f).converged
  FROM (SELECT leadqual.logistic_regression(y, ARRAY[x], 2 / (3 * ln(2))) AS f FROM tsym) s;
-- the same l2 passed as 0 is the unpenalised fit
SELECT (SELECT leadqual.logistic_regression(y, ARRAY[x], 0) FROM tsym)
       IS NOT DISTINCT FROM (SELECT leadqual.logistic_regression(y, ARRAY[x]) FROM tsym) AS l2_zero_same;

-- Intercept only (x empty): ln(3 of 4 / 1 of 4) = ln 3
SELECT abs((f).coefficients[1] - ln(3)) < 1e-12 AS ok, cardinality((f).coefficients) AS n
  FROM (SELECT leadqual.logistic_regression(y, '{}') AS f
          FROM (VALUES (true), (true), (true), (false)) v(y)) s;

-- NULL y or x: the row is skipped (the 2x2 fit again, 8 rows)
SELECT (f).rows, abs((f).coefficients[2] + 2 * ln(3)) < 1e-12 AS same_fit
  FROM (SELECT leadqual.logistic_regression(y, x) AS f
          FROM (SELECT y, ARRAY[x] AS x FROM t22
                UNION ALL SELECT NULL, '{5}' UNION ALL SELECT true, NULL) u) s;
-- an empty group, and a group of skipped rows only: NULL
SELECT leadqual.logistic_regression(y, ARRAY[x]) IS NULL AS empty FROM t22 WHERE false;
SELECT leadqual.logistic_regression(y, NULL::float8[]) IS NULL AS all_skipped FROM t22;
-- one fit per group
-- (3 of 4 at x > 0: ln 3 = 1.098612289; 1 of 4 at x < 0: -ln 3)
SELECT g, (f).rows, round((f).coefficients[1]::numeric, 9) AS intercept
  FROM (SELECT x > 0 AS g, leadqual.logistic_regression(y, '{}') AS f
          FROM tsym GROUP BY 1) s ORDER BY 1;

-- Separable data: x < 0 never converts, x > 0 always.  No finite maximum:
-- converged is false, the coefficients are the last (finite) iterate, no
-- standard errors.
SELECT (f).converged, (f).std_errors IS NULL AS no_se,
       (f).coefficients[2] > 10 AS large_slope,
       NOT ('NaN' = ANY ((f).coefficients) OR 'Infinity' = ANY ((f).coefficients)
            OR '-Infinity' = ANY ((f).coefficients)) AS finite,
       (f).log_likelihood BETWEEN -1e-6 AND 0 AS loglik_near_0
  FROM (SELECT leadqual.logistic_regression(x > 0, ARRAY[x]) AS f
          FROM (VALUES (-2.0::float8), (-1), (1), (2)) v(x)) s;
-- one class only: the intercept would run off to infinity whatever the
-- features, so no step is taken: not converged, 0 steps, coefficients 0
SELECT (f).converged, (f).iterations, (f).coefficients, (f).std_errors IS NULL AS no_se
  FROM (SELECT leadqual.logistic_regression(true, ARRAY[x]) AS f FROM t22) s;
-- a penalty makes separable data converge (the intercept is not penalised,
-- but both classes are present)
SELECT (f).converged, (f).std_errors IS NOT NULL AS has_se
  FROM (SELECT leadqual.logistic_regression(x > 0, ARRAY[x], 1) AS f
          FROM (VALUES (-2.0::float8), (-1), (1), (2)) v(x)) s;

-- Collinear features (the second is twice the first): no unique fit
SELECT leadqual.logistic_regression(y, ARRAY[x, 2 * x]) FROM t22;
-- a constant feature is collinear with the intercept
SELECT leadqual.logistic_regression(y, ARRAY[x, 7]) FROM t22;
-- fewer rows than coefficients
SELECT leadqual.logistic_regression(y, ARRAY[x, x * x]) FROM t22 WHERE x = 0;
-- with l2 > 0 the fit is unique: the penalty splits the weight evenly
-- between x and 2x in proportion (b2 = 2 b1 minimises b1^2 + b2^2 for a
-- fixed b1 + 2 b2)
SELECT (f).converged, abs((f).coefficients[3] - 2 * (f).coefficients[2]) < 1e-9 AS split
  FROM (SELECT leadqual.logistic_regression(y, ARRAY[x, 2 * x], 1) AS f FROM t22) s;

-- Bad input
SELECT leadqual.logistic_regression(y, CASE WHEN y THEN ARRAY[x] ELSE ARRAY[x, x] END) FROM t22;
SELECT leadqual.logistic_regression(y, ARRAY[x, 'NaN']) FROM t22;
SELECT leadqual.logistic_regression(y, ARRAY[x, '-Infinity']) FROM t22;
SELECT leadqual.logistic_regression(y, ARRAY[x, NULL]) FROM t22;
SELECT leadqual.logistic_regression(y, ARRAY[[x]]) FROM t22;
SELECT leadqual.logistic_regression(y, ARRAY[x], -1) FROM t22;
SELECT leadqual.logistic_regression(y, ARRAY[x], NULL) FROM t22;
SELECT leadqual.logistic_regression(y, ARRAY[x], 'Infinity') FROM t22;
SELECT leadqual.logistic_regression(y, ARRAY[x], x) FROM t22;
SELECT leadqual.logistic_regression(true, array_fill(1.0::float8, ARRAY[1001]));
SELECT leadqual.logit_predict(f, '{1, 2}') FROM fit22;
SELECT leadqual.logit_predict(f, '{NaN}') FROM fit22;
SELECT leadqual.logit_predict(f, '{NULL}') FROM fit22;
SELECT leadqual.logit_predict(f, '{1e308}') FROM (SELECT ROW('{0, 1e308}', NULL, NULL, 1, true, 1)::leadqual.logit_fit AS f) s;
-- extreme but finite linear predictors give 0 and 1, not NaN
SELECT leadqual.logit_predict(f, '{-1e300}') AS zero, leadqual.logit_predict(f, '{1e300}') AS one
  FROM (SELECT ROW('{0, 1}', NULL, NULL, 1, true, 1)::leadqual.logit_fit AS f) s;
SELECT leadqual.logit_predict(ROW(NULL, NULL, NULL, 0, false, 0), '{1}') IS NULL AS no_coefficients;

-- The rows of a group are bounded by leadqual.fit_memory_limit:
-- 50,000 rows of 2 features are 24 bytes each, 1.2 MB > 1 MB
SET leadqual.fit_memory_limit = '1MB';
SELECT leadqual.logistic_regression(i % 3 = 0, ARRAY[i % 7, i % 11]::float8[])
  FROM generate_series(1, 50000) i;
RESET leadqual.fit_memory_limit;
SELECT (f).rows, (f).converged
  FROM (SELECT leadqual.logistic_regression(i % 3 = 0, ARRAY[i % 7, i % 11]::float8[]) AS f
          FROM generate_series(1, 50000) i) s;

-- The fit does not depend on the order of the rows (they are sorted into
-- one order before the solve): the same bits forwards and backwards.
SELECT (SELECT leadqual.logistic_regression(y, x ORDER BY i)
          FROM (SELECT i, (i * 7919) % 5 = 0 AS y, ARRAY[(i * 31) % 17, sin(i)]::float8[] AS x
                  FROM generate_series(1, 3000) i) a)
       IS NOT DISTINCT FROM
       (SELECT leadqual.logistic_regression(y, x ORDER BY i DESC)
          FROM (SELECT i, (i * 7919) % 5 = 0 AS y, ARRAY[(i * 31) % 17, sin(i)]::float8[] AS x
                  FROM generate_series(1, 3000) i) a) AS order_free;

-- The state type's text input is validated
SELECT leadqual.logit_rows_in('bm90IGEgc3RhdGU=');
SELECT leadqual.logit_rows_in('%%%');

SET client_min_messages = warning;
DROP TABLE t22, tsym, fit22;
DROP EXTENSION leadqual CASCADE;
