# leadqual — PGXS build
#
#   make && make install          build and install the extension
#   make installcheck             pg_regress + isolation suites against a running server,
#                                 then the TAP suites in t/ (each starts its own server;
#                                 as root: TAP_TESTS= here, and test/tap/run.sh)
#   make test                     every suite on a throwaway cluster (test/run.sh)
#   make demo                     the demo on a throwaway cluster (test/demo.sh)
#   make sanitize                 regression + isolation suites on an ASan/UBSan build
#                                 (test/sanitize/run.sh; reinstalls the normal build after)

EXTENSION = leadqual
MODULE_big = leadqual
PGFILEDESC = "leadqual - lead scoring and lifecycle inside PostgreSQL"

OBJS = \
	src/leadqual.o \
	src/scoring/rules_compile.o \
	src/scoring/rules_cache.o \
	src/citus/placement.o \
	src/citus/lead_plans.o \
	src/citus/node_sequence.o \
	src/scoring/rules_validate.o \
	src/scoring/fit.o \
	src/scoring/engagement.o \
	src/scoring/engagement_agg.o \
	src/scoring/mql_rule.o \
	src/scoring/mql_crossing.o \
	src/scoring/score.o \
	src/scoring/rescore_pass.o \
	src/lifecycle/automatic_moves.o \
	src/lifecycle/rescore_store.o \
	src/lifecycle/lifecycle.o \
	src/lifecycle/notify.o \
	src/lifecycle/live_scoring.o \
	src/reports/window_funnel.o \
	src/reports/timeline.o \
	src/reports/threshold_analysis.o \
	src/attribution/heuristics.o \
	src/attribution/markov.o \
	src/attribution/path_counts.o \
	src/predictive/logit_rows.o \
	src/predictive/logit_fit.o \
	src/demo/demo.o \
	src/demo/demo_catalog.o \
	src/demo/demo_leads.o \
	src/demo/demo_events.o \
	src/demo/demo_lifecycle.o

# The install script is built from one SQL source per concern, in this order.
SQL_SOURCES = \
	src/sql/schema.sql \
	src/sql/rules.sql \
	src/sql/default_model.sql \
	src/sql/scoring.sql \
	src/sql/lifecycle.sql \
	src/sql/live_scoring.sql \
	src/sql/demo.sql \
	src/sql/predictive.sql \
	src/sql/predictive_models.sql \
	src/sql/reports.sql \
	src/sql/accounts.sql \
	src/sql/threshold.sql \
	src/sql/attribution.sql \
	src/sql/report_html.sql \
	src/sql/lead_intake.sql \
	src/sql/roles.sql \
	src/sql/distribute.sql

DATA_built = leadqual--1.0.sql

# Every file in sql/ is a pg_regress test; each one creates the extension itself.
REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --load-extension=plpgsql

ISOLATION = $(patsubst test/isolation/specs/%.spec,%,$(sort $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation

# TAP suites (t/*.pl, PostgreSQL::Test::Cluster): crash safety
TAP_TESTS = 1

PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare

EXTRA_CLEAN = output_iso tmp_check

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Each concern's files depend on its header and on those it builds on.
$(OBJS): src/leadqual.h
$(filter src/scoring/%.o src/lifecycle/%.o src/demo/%.o src/reports/threshold_analysis.o,$(OBJS)): src/scoring/scoring.h
$(filter src/scoring/rescore%.o src/lifecycle/%.o,$(OBJS)): src/scoring/rescore.h
$(filter src/scoring/rules_%.o,$(OBJS)): src/scoring/rules.h
$(filter src/lifecycle/%.o,$(OBJS)): src/lifecycle/lifecycle.h
$(filter src/demo/%.o,$(OBJS)): src/demo/demo.h
$(filter src/reports/%.o,$(OBJS)): src/reports/reports.h
$(filter src/attribution/%.o,$(OBJS)): src/attribution/attribution.h
$(filter src/citus/%.o src/scoring/rules_cache.o src/scoring/score.o src/scoring/rescore_pass.o,$(OBJS)): src/citus/citus.h

leadqual--1.0.sql: $(SQL_SOURCES) Makefile
	cat $(SQL_SOURCES) > $@

.PHONY: test demo bench sanitize
test:
	bash test/run.sh

demo:
	bash test/demo.sh

bench:
	bash test/bench/run.sh

sanitize:
	bash test/sanitize/run.sh
