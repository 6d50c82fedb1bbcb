/* src/sql/predictive.sql — logistic regression over any table (SPEC §8) */

/*
 * logit_rows: logistic_regression's state, a varlena of leadqual's own: the
 * rows of one group (logit_rows.c says why a logistic fit needs them all).
 * Text I/O (base64) and send/receive carry it between processes and nodes.
 */
CREATE TYPE @extschema@.logit_rows;
CREATE FUNCTION @extschema@.logit_rows_in(cstring) RETURNS @extschema@.logit_rows
    AS 'MODULE_PATHNAME', 'lq_logit_rows_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.logit_rows_out(@extschema@.logit_rows) RETURNS cstring
    AS 'MODULE_PATHNAME', 'lq_logit_rows_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.logit_rows_recv(internal) RETURNS @extschema@.logit_rows
    AS 'MODULE_PATHNAME', 'lq_logit_rows_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.logit_rows_send(@extschema@.logit_rows) RETURNS bytea
    AS 'MODULE_PATHNAME', 'lq_logit_rows_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.logit_rows_in(cstring) IS 'logit_rows text input (base64), validated';
COMMENT ON FUNCTION @extschema@.logit_rows_out(@extschema@.logit_rows) IS 'logit_rows text output (base64 of the byte stream)';
COMMENT ON FUNCTION @extschema@.logit_rows_recv(internal) IS 'logit_rows binary input, validated';
COMMENT ON FUNCTION @extschema@.logit_rows_send(@extschema@.logit_rows) IS 'logit_rows binary output (the byte stream)';
CREATE TYPE @extschema@.logit_rows (
    INPUT = @extschema@.logit_rows_in,
    OUTPUT = @extschema@.logit_rows_out,
    RECEIVE = @extschema@.logit_rows_recv,
    SEND = @extschema@.logit_rows_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE @extschema@.logit_rows IS
    'state of logistic_regression: the rows (y, x) of one group and its l2; combinable (concatenation)';

CREATE TYPE @extschema@.logit_fit AS (
    coefficients   float8[],
    std_errors     float8[],
    log_likelihood float8,
    iterations     integer,
    converged      boolean,
    rows           bigint
);
COMMENT ON TYPE @extschema@.logit_fit IS 'a logistic regression fit (logistic_regression)';
COMMENT ON COLUMN @extschema@.logit_fit.coefficients IS 'intercept, then one coefficient per element of x';
COMMENT ON COLUMN @extschema@.logit_fit.std_errors IS 'standard errors (square roots of the diagonal of the inverse Hessian of the penalised objective at the fit), same order; NULL when not converged';
COMMENT ON COLUMN @extschema@.logit_fit.log_likelihood IS 'log-likelihood of the rows at the fit, without the penalty';
COMMENT ON COLUMN @extschema@.logit_fit.iterations IS 'Newton steps taken';
COMMENT ON COLUMN @extschema@.logit_fit.converged IS 'false when the maximum is not finite (separable data, one class only) or was not reached in 100 steps; the coefficients are then the last iterate';
COMMENT ON COLUMN @extschema@.logit_fit.rows IS 'rows fitted (those with a NULL y or x are skipped)';

/* Support functions (not strict: they skip NULL rows and refuse NULL l2 themselves). */
CREATE FUNCTION @extschema@.logistic_regression_trans(@extschema@.logit_rows, boolean, float8[])
    RETURNS @extschema@.logit_rows
    AS 'MODULE_PATHNAME', 'lq_logistic_regression_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.logistic_regression_trans(@extschema@.logit_rows, boolean, float8[], float8)
    RETURNS @extschema@.logit_rows
    AS 'MODULE_PATHNAME', 'lq_logistic_regression_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.logit_rows_combine(@extschema@.logit_rows, @extschema@.logit_rows)
    RETURNS @extschema@.logit_rows
    AS 'MODULE_PATHNAME', 'lq_logit_rows_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.logistic_regression_final(@extschema@.logit_rows)
    RETURNS @extschema@.logit_fit
    AS 'MODULE_PATHNAME', 'lq_logistic_regression_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

/*
 * logistic_regression(y, x [, l2]): aggregates take no DEFAULTs, hence two.
 * The final function sorts the rows into one canonical order in place (the
 * state's value, a multiset of rows, does not change).
 */
CREATE AGGREGATE @extschema@.logistic_regression(y boolean, x float8[]) (
    SFUNC = @extschema@.logistic_regression_trans,
    STYPE = @extschema@.logit_rows,
    FINALFUNC = @extschema@.logistic_regression_final,
    COMBINEFUNC = @extschema@.logit_rows_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.logistic_regression(y boolean, x float8[], l2 float8) (
    SFUNC = @extschema@.logistic_regression_trans,
    STYPE = @extschema@.logit_rows,
    FINALFUNC = @extschema@.logistic_regression_final,
    COMBINEFUNC = @extschema@.logit_rows_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.logistic_regression(boolean, float8[]) IS
    'maximum-likelihood logistic regression of y on x (Newton''s method to convergence), with an intercept';
COMMENT ON AGGREGATE @extschema@.logistic_regression(boolean, float8[], float8) IS
    'ridge-penalised logistic regression of y on x: maximises the log-likelihood minus (l2 / 2) times the sum of the squared coefficients (not the intercept)';

CREATE FUNCTION @extschema@.logit_predict(fit @extschema@.logit_fit, x float8[])
    RETURNS float8
    AS 'MODULE_PATHNAME', 'lq_logit_predict'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.logit_predict(@extschema@.logit_fit, float8[]) IS
    'probability 1 / (1 + e^-(intercept + coefficients · x)) under a logistic_regression fit';
