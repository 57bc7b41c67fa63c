# The two commands everything starts from: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

# What the suite runs against: this machine's PostgreSQL and Redis (CI has the same).
TEST_ENV := DEBUG=0 SECRET_KEY=test-only-not-secret-$$(hostname) SECURE_SSL_REDIRECT=0 \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tracker} \
	CELERY_BROKER_URL=$${TEST_CELERY_BROKER_URL:-redis://127.0.0.1:6379/15}

.PHONY: setup run test lint typecheck clean backup restore browser bench eval geodata

setup: $(VENV)/.installed messages-compiled

# The interface's translations (locale/<lang>/LC_MESSAGES/django.po, committed) are compiled here, only when a .po
# is newer than its .mo (the .mo files are not committed). msgfmt comes with GNU gettext (apt-get install gettext).
# locale-vendor/ holds third-party apps' words in languages they ship no catalogue for (settings.LOCALE_PATHS).
PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po locale-vendor/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)
.PHONY: messages-compiled messages
messages-compiled: $(MO_FILES)
%/LC_MESSAGES/django.mo: %/LC_MESSAGES/django.po
	@command -v msgfmt >/dev/null || { echo "make: msgfmt is missing, so the Arabic and French pages cannot be compiled; install GNU gettext (apt-get install gettext)"; exit 1; }
	msgfmt --check-format -o $@ $<

# After marking new strings: refresh the catalogues' msgids (then translate the new entries, see docs/GLOSSARY.md).
messages: setup
	DEBUG=1 $(PY) manage.py makemessages -l ar -l fr --no-location --no-wrap --ignore='.venv/*' --ignore='var/*' \
		--ignore='bench/*' --ignore='tests/*'

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

run: setup
	PORT=$(PORT) bin/run-embedded

# After the suite, the tests marked both_databases run again on SQLite with FTS5, as `make run` has it (pytest-django
# builds their database in memory; the URL names a file under var/ that is never written). Skipped when ARGS picks
# tests, unless SQLITE=1; SQLITE=0 skips it always.
SQLITE ?= $(if $(ARGS),0,1)
SQLITE_TESTS ?= tests/test_search_both_databases.py tests/test_report_crossing_dates.py
test: setup browser
	$(TEST_ENV) $(PY) -m pytest $(ARGS)
ifeq ($(SQLITE),1)
	@echo "make: the both_databases tests again, on SQLite (FTS5)"
	$(TEST_ENV) DATABASE_URL=sqlite:///$(CURDIR)/var/test-both-databases.sqlite3 \
		$(PY) -m pytest -q -m both_databases $(SQLITE_TESTS)
endif

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup
	DEBUG=1 $(VENV)/bin/mypy tracker ingest

# How good the status suggestions are on the labelled set (tests/data/suggestions/; `make eval ARGS="--set DIR"`
# for another folder of the same format): strict and lenient precision and recall, then the mismatches.
eval: setup
	DEBUG=1 $(PY) -m ingest.evaluate $(ARGS)

# Consistent PostgreSQL dump of DATABASE_URL into var/backups/, timestamped.
backup:
	bin/backup

# Restore FILE into the empty PostgreSQL database named by DATABASE_URL.
restore:
	bin/restore "$(FILE)"

# The map's base (tracker/pages/geodata/levant.geojson) from the Natural Earth copy a pinned dev package ships.
geodata: setup
	$(PY) bin/build-geodata

clean:
	rm -rf var/broker var/tracker.sqlite3* staticfiles

# The status pages' browser tests drive Debian's Chromium; the benchmark harness (and its test) drive wrk. Installed
# here when missing and we are root (as on CI); otherwise those tests skip with the reason, except under CI=true,
# where they fail.
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) && command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] \
		&& echo "make: installing Debian's chromium and wrk for the browser and harness tests" \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium wrk >/dev/null; } \
		|| echo "make: chromium or wrk is missing and could not be installed; the tests that need them will skip (fail under CI)"

# The benchmark: the HTTP harness on a million reports (seeded once into tracker_bench, about 4 minutes), then the
# ingestion benchmark. Prints the tables; figures as JSON under var/bench/. README.md, "Benchmarks", has the last.
# `make bench ARGS="--only crossings --duration 10"` for part of it.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tracker_bench
BENCH_INGEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tracker_bench_ingest
bench: setup browser
	@command -v wrk >/dev/null || { echo "make: wrk is required (apt-get install wrk)"; exit 1; }
	$(PY) bench/run.py --database-url $(BENCH_DATABASE_URL) $(ARGS)
	DATABASE_URL=$(BENCH_INGEST_DATABASE_URL) $(PY) bench/ingest_bench.py --reports 1000000

# Ten minutes of mixed API and page traffic (32 clients, wrk) while workers ingest the real feed corpus; errors
# and the memory of web and worker processes are reported (bench/soak.py; SECURITY.md has the last figures).
# Not part of `make test`. `make soak ARGS="--duration 60"` for a short run.
.PHONY: soak
soak: setup
	$(PY) bench/soak.py $(ARGS)
