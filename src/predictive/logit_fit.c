/*-------------------------------------------------------------------------
 *
 * logit_fit.c
 *	  The logistic fit (SPEC §8): logistic_regression's final function, a
 *	  damped Newton method (iteratively reweighted least squares) over the
 *	  rows its state keeps, and logit_predict().
 *
 *	  The fit maximises the penalised log-likelihood
 *		Σ [y η − log(1 + e^η)] − (l2 / 2) Σ_{j≥2} β_j²,  η = β₁ + Σ β_{j+1} x_j,
 *	  which is concave: from β = 0 each Newton step solves H δ = g (g the
 *	  gradient, H the negated Hessian X'WX + l2·I without the intercept, by
 *	  Cholesky), halving the step while it would lower the objective.  It
 *	  stops after a step whose Newton decrement g'δ (twice the gain the
 *	  step promises) is below 1e-20 and whose every element is below 1e-6
 *	  of its coefficient (or absolute, under 1): Newton's convergence is
 *	  quadratic there, so the coefficients are as exact as double precision
 *	  and the data's conditioning allow.  std_errors are the square roots
 *	  of the diagonal of H⁻¹ at the fit.
 *
 *	  What the data can do to it:
 *	  - collinear features with l2 = 0 make H singular at the start: an
 *		error naming the feature, with a hint to raise l2 (22023);
 *	  - separable data have no finite maximum: the coefficients grow until
 *		the weights vanish or the iterations run out; the fit is returned
 *		with converged = false, the last finite coefficients and no
 *		standard errors;
 *	  - one class only (every y equal) has none either, whatever the
 *		features: after the collinearity check no step is taken (converged
 *		= false, iterations 0, the coefficients 0).
 *	  Every log and exp is written so that no |η| overflows to NaN.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "leadqual.h"
#include "predictive/predictive.h"

PG_FUNCTION_INFO_V1(lq_logistic_regression_final);
PG_FUNCTION_INFO_V1(lq_logit_predict);

/* Newton steps at most (a concave fit needs far fewer; separation uses them up) */
#define LF_MAX_ITERATIONS	100
/* step halvings at most within one Newton step */
#define LF_MAX_HALVINGS		40
/* Newton decrement below which the fit has converged */
#define LF_DECREMENT_TOL	1e-20
/*
 * and the step must be this small relative to the coefficients: separable
 * data make the decrement vanish too (the weights do), while the steps stay
 * large (the coefficients run off)
 */
#define LF_STEP_TOL			1e-6
/* a Cholesky pivot this small relative to its diagonal means "singular" */
#define LF_PIVOT_TOL		1e-12

/*
 * logit_probability
 *		1 / (1 + e^-eta), stable on both sides.
 */
static inline double
logit_probability(double eta)
{
	if (eta >= 0.0)
		return 1.0 / (1.0 + exp(-eta));
	else
	{
		double		e = exp(eta);

		return e / (1.0 + e);
	}
}

/*
 * logit_eta
 *		The linear predictor of one row: beta[0] + Σ beta[j+1] x[j].
 */
static inline double
logit_eta(const double *beta, const double *x, int k)
{
	double		eta = beta[0];

	for (int j = 0; j < k; j++)
		eta += beta[j + 1] * x[j];
	return eta;
}

/*
 * lf_pass
 *		One pass over the rows at beta: the unpenalised log-likelihood
 *		(*ll), the gradient g and the negated Hessian h (p × p, row-major)
 *		of the penalised objective, which it returns.
 */
static double
lf_pass(const LogitRows *lr, const double *beta, double *g, double *h, double *ll)
{
	int			k = lr->nfeatures;
	int			p = k + 1;
	double		sum = 0.0;
	double		pen = 0.0;

	memset(g, 0, sizeof(double) * p);
	memset(h, 0, sizeof(double) * p * p);
	for (int64 i = 0; i < lr->nrows; i++)
	{
		const double *row = logit_row(lr, i);
		double		y = row[0];
		const double *x = row + 1;
		double		eta = logit_eta(beta, x, k);
		double		e = exp(-fabs(eta));
		/* mu = P(y = 1) and 1 - mu, each without cancellation */
		double		mu = eta >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
		double		one_minus_mu = eta >= 0.0 ? e / (1.0 + e) : 1.0 / (1.0 + e);
		double		w = mu * one_minus_mu;
		double		r = y > 0.0 ? one_minus_mu : -mu;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		/* y eta - log(1 + e^eta), the softplus written for both signs */
		sum += y * eta - ((eta > 0.0 ? eta : 0.0) + log1p(e));
		g[0] += r;
		h[0] += w;
		for (int a = 0; a < k; a++)
		{
			double		wxa = w * x[a];
			double	   *ha = h + (a + 1) * p;

			g[a + 1] += r * x[a];
			ha[0] += wxa;
			for (int b = 0; b <= a; b++)
				ha[b + 1] += wxa * x[b];
		}
	}
	for (int a = 1; a < p; a++)
	{
		g[a] -= lr->l2 * beta[a];
		h[a * p + a] += lr->l2;
		pen += beta[a] * beta[a];
		for (int b = 0; b < a; b++)
			h[b * p + a] = h[a * p + b];
	}
	*ll = sum;
	return sum - 0.5 * lr->l2 * pen;
}

/*
 * lf_cholesky
 *		h = L L' into l (lower triangle, row-major).  Returns -1 on success,
 *		else the index of the first pivot that is not clearly positive
 *		(relative to its diagonal), i.e. of the coefficient that is a
 *		linear combination of those before it.
 */
static int
lf_cholesky(const double *h, double *l, int p)
{
	for (int j = 0; j < p; j++)
	{
		double		d = h[j * p + j];

		for (int c = 0; c < j; c++)
			d -= l[j * p + c] * l[j * p + c];
		if (!(d > LF_PIVOT_TOL * h[j * p + j]) || !isfinite(d))
			return j;
		l[j * p + j] = sqrt(d);
		for (int i = j + 1; i < p; i++)
		{
			double		s = h[i * p + j];

			for (int c = 0; c < j; c++)
				s -= l[i * p + c] * l[j * p + c];
			l[i * p + j] = s / l[j * p + j];
		}
	}
	return -1;
}

/*
 * lf_solve
 *		x = (L L')⁻¹ b.
 */
static void
lf_solve(const double *l, int p, const double *b, double *x)
{
	for (int i = 0; i < p; i++)
	{
		double		s = b[i];

		for (int c = 0; c < i; c++)
			s -= l[i * p + c] * x[c];
		x[i] = s / l[i * p + i];
	}
	for (int i = p - 1; i >= 0; i--)
	{
		double		s = x[i];

		for (int c = i + 1; c < p; c++)
			s -= l[c * p + i] * x[c];
		x[i] = s / l[i * p + i];
	}
}

static bool
all_finite(const double *v, int n)
{
	for (int i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

static Datum
float8_array(const double *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = Float8GetDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, FLOAT8OID, sizeof(float8),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * lq_logistic_regression_final
 *		The fit of the group's rows (leadqual.logit_fit), NULL for a group
 *		without rows.
 */
Datum
lq_logistic_regression_final(PG_FUNCTION_ARGS)
{
	LogitRows  *lr;
	TupleDesc	tupdesc;
	int			p;
	double	   *beta,
			   *g,
			   *h,
			   *l,
			   *delta,
			   *trial,
			   *g2,
			   *h2;
	double		pll,
				ll;
	int			iterations = 0;
	bool		converged = false;
	bool		one_class = true;
	int			bad;
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	lr = logit_rows_from_datum(PG_GETARG_DATUM(0), CurrentMemoryContext);
	if (lr->nrows == 0)
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "logistic_regression must return leadqual.logit_fit");
	tupdesc = BlessTupleDesc(tupdesc);

	/* canonical order: the same sums, to the bit, whatever the plan */
	logit_rows_sort(lr);

	p = lr->nfeatures + 1;
	beta = palloc0(sizeof(double) * p);
	trial = palloc(sizeof(double) * p);
	delta = palloc(sizeof(double) * p);
	g = palloc(sizeof(double) * p);
	g2 = palloc(sizeof(double) * p);
	h = palloc(sizeof(double) * p * p);
	h2 = palloc(sizeof(double) * p * p);
	l = palloc(sizeof(double) * p * p);

	for (int64 i = 1; i < lr->nrows && one_class; i++)
		one_class = logit_row(lr, i)[0] == logit_row(lr, 0)[0];
	pll = lf_pass(lr, beta, g, h, &ll);
	if (!all_finite(g, p) || !all_finite(h, p * p) || !isfinite(pll))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("features of logistic_regression are too large to fit"),
				 errdetail("Sums of products of the features over %lld rows overflow float8.",
						   (long long) lr->nrows),
				 errhint("Rescale the features (e.g. divide by a constant or take a logarithm).")));
	for (;;)
	{
		double		decrement = 0.0;
		double		t = 1.0;
		bool		accepted = false;
		bool		settled = true;

		CHECK_FOR_INTERRUPTS();
		bad = lf_cholesky(h, l, p);
		if (bad >= 0)
		{
			if (iterations == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("features of logistic_regression are collinear"),
						 errdetail("Feature %d is (nearly) a linear combination of the intercept and the features before it in %lld rows, so the fit is not unique.",
								   bad, (long long) lr->nrows),
						 errhint("Drop that feature, or pass l2 > 0 (e.g. 1) to make the fit unique.")));
			break;				/* the weights vanished: separation */
		}
		if (iterations == 0 && one_class)
			break;				/* no finite maximum, whatever the steps */
		lf_solve(l, p, g, delta);
		for (int j = 0; j < p; j++)
			decrement += g[j] * delta[j];
		if (!all_finite(delta, p) || !isfinite(decrement))
			break;
		for (int j = 0; j < p; j++)
			if (fabs(delta[j]) > LF_STEP_TOL * (1.0 + fabs(beta[j])))
				settled = false;
		if (iterations >= LF_MAX_ITERATIONS)
			break;

		/* damped step: halve it while it would lower the objective */
		for (int half = 0; half < LF_MAX_HALVINGS && !accepted; half++, t *= 0.5)
		{
			double		pll2,
						ll2;

			for (int j = 0; j < p; j++)
				trial[j] = beta[j] + t * delta[j];
			if (!all_finite(trial, p))
				continue;
			pll2 = lf_pass(lr, trial, g2, h2, &ll2);
			if (isfinite(pll2) && all_finite(g2, p) && all_finite(h2, p * p) &&
				pll2 >= pll - 1e-12 * (1.0 + fabs(pll)))
			{
				double	   *swap;

				accepted = true;
				memcpy(beta, trial, sizeof(double) * p);
				swap = g, g = g2, g2 = swap;
				swap = h, h = h2, h2 = swap;
				pll = pll2;
				ll = ll2;
			}
		}
		if (!accepted)
		{
			/* no step gains anything: at the optimum within rounding, or stuck */
			converged = settled && decrement <= 1e-10 * (1.0 + fabs(pll));
			break;
		}
		iterations++;
		if (settled && decrement <= LF_DECREMENT_TOL)
		{
			converged = true;
			break;
		}
	}

	values[0] = float8_array(beta, p);
	if (converged && lf_cholesky(h, l, p) < 0)
	{
		double	   *se = palloc(sizeof(double) * p);

		/*
		 * (H⁻¹)_jj = ‖L⁻¹ e_j‖²: one forward substitution from row j per
		 * coefficient (z above j is 0), p³/6 operations in all.
		 */
		for (int j = 0; j < p; j++)
		{
			double		sumsq = 0.0;

			for (int i = j; i < p; i++)
			{
				double		t = i == j ? 1.0 : 0.0;

				for (int c = j; c < i; c++)
					t -= l[i * p + c] * delta[c];
				delta[i] = t / l[i * p + i];
				sumsq += delta[i] * delta[i];
			}
			se[j] = sqrt(sumsq);
		}
		if (all_finite(se, p))
			values[1] = float8_array(se, p);
		else
			nulls[1] = true;
	}
	else
		nulls[1] = true;
	values[2] = Float8GetDatum(ll);
	values[3] = Int32GetDatum(iterations);
	values[4] = BoolGetDatum(converged);
	values[5] = Int64GetDatum(lr->nrows);
	if (!isfinite(ll))
		nulls[2] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * float8_elements
 *		The elements of a one-dimensional float8 array without NULLs or
 *		non-finite values; what names the argument in errors.
 */
static const double *
float8_elements(ArrayType *a, const char *what, int *n)
{
	const double *v;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be one-dimensional", what),
				 errhint("Pass one row's features as a float8[] of one dimension.")));
	if (array_contains_nulls(a))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not contain NULL", what),
				 errhint("Replace missing values as the fit's rows did.")));
	*n = ARR_NDIM(a) == 0 ? 0 : ARR_DIMS(a)[0];
	v = (const double *) ARR_DATA_PTR(a);
	for (int j = 0; j < *n; j++)
		if (!isfinite(v[j]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s must be finite", what),
					 errdetail("Element %d is %g.", j + 1, v[j]),
					 errhint("Replace NaN and infinite values.")));
	return v;
}

/*
 * lq_logit_predict
 *		P(y) for one feature vector under a fit; NULL for a fit without
 *		coefficients.
 */
Datum
lq_logit_predict(PG_FUNCTION_ARGS)
{
	HeapTupleHeader fit = PG_GETARG_HEAPTUPLEHEADER(0);
	ArrayType  *xa = PG_GETARG_ARRAYTYPE_P(1);
	bool		isnull;
	Datum		cd = GetAttributeByNum(fit, 1, &isnull);
	ArrayType  *ca;
	const double *beta;
	const double *x;
	int			p,
				k;
	double		eta;

	if (isnull)
		PG_RETURN_NULL();
	ca = DatumGetArrayTypeP(cd);
	beta = float8_elements(ca, "coefficients of the fit", &p);
	x = float8_elements(xa, "x of logit_predict", &k);
	if (p == 0)
		PG_RETURN_NULL();
	if (k != p - 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("x of logit_predict has %d features, the fit has %d", k, p - 1),
				 errdetail("The fit has an intercept and one coefficient per feature."),
				 errhint("Build x with the features of the fit, in its order.")));
	eta = logit_eta(beta, x, k);
	if (!isfinite(eta))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("linear predictor of logit_predict is not finite"),
				 errdetail("The sum of the coefficients times the features overflows float8."),
				 errhint("Check the scale of the features.")));
	PG_RETURN_FLOAT8(logit_probability(eta));
}
