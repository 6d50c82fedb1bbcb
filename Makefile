# leadqual — PGXS build
#
#   make && make install          build and install the extension
#   make installcheck             pg_regress + isolation suites against a running server
#   make test                     every suite on a throwaway cluster (test/run.sh)
#   make demo                     the demo on a throwaway cluster (test/demo.sh)

EXTENSION = leadqual
MODULE_big = leadqual
PGFILEDESC = "leadqual - lead scoring and lifecycle inside PostgreSQL"

OBJS = \
	src/leadqual.o \
	src/rules_cache.o \
	src/fit.o \
	src/engagement.o \
	src/mql_crossing.o \
	src/score.o \
	src/rescore_pass.o \
	src/rescore_store.o \
	src/lifecycle.o \
	src/demo.o \
	src/demo_catalog.o \
	src/demo_leads.o \
	src/demo_events.o \
	src/demo_lifecycle.o

# The install script is built from one SQL source per concern, in this order.
SQL_SOURCES = \
	src/sql/schema.sql \
	src/sql/rules.sql \
	src/sql/default_model.sql \
	src/sql/scoring.sql \
	src/sql/lifecycle.sql \
	src/sql/live_scoring.sql \
	src/sql/demo.sql \
	src/sql/roles.sql

DATA_built = leadqual--1.0.sql

# Every file in sql/ is a pg_regress test; each one creates the extension itself.
REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --load-extension=plpgsql

ISOLATION = $(patsubst test/isolation/specs/%.spec,%,$(sort $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation

PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare

EXTRA_CLEAN = output_iso

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(OBJS): src/leadqual.h
$(filter src/demo%.o,$(OBJS)): src/demo.h
src/rescore_pass.o src/rescore_store.o: src/rescore.h

leadqual--1.0.sql: $(SQL_SOURCES)
	cat $(SQL_SOURCES) > $@

.PHONY: test demo bench
test:
	bash test/run.sh

demo:
	bash test/demo.sh

bench:
	bash test/bench/run.sh
