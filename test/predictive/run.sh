#!/usr/bin/env bash
# logistic_regression and logit_predict against a reference written apart
# from the C code (test/predictive/logit_ref.py: a Newton solver in numpy,
# and scikit-learn's LogisticRegression as a second opinion).  The reference
# checks itself on closed forms first; then on a throwaway cluster it loads a
# seeded data set of 100,000 rows x 20 features of mixed scales, fits it in
# SQL with l2 = 0 (both overloads), 1 and 1000, fits a separable set with
# l2 = 1 (converges) and l2 = 0 (converged = false, no std_errors), and
# compares coefficients (1e-6 relative, floor 1e-9 log-odds per standard
# deviation of the feature), std_errors (1e-6), log_likelihood (1e-10);
# logit_predict against numpy (1e-12).  Exit 1 with the differences on any
# mismatch; the figures otherwise.  About 20 s.
#   bash test/predictive/run.sh     (leadqual installed first)
set -euo pipefail
cd "$(dirname "$0")/../.."
PGVER=${PGVER:-15}
PY=/usr/bin/python3

$PY test/predictive/logit_ref.py self-test

pg_virtualenv -t -v "$PGVER" bash -s <<'SCRIPT'
set -euo pipefail
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION leadqual"
/usr/bin/python3 test/predictive/logit_ref.py check
SCRIPT
