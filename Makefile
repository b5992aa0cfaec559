# The two commands of the README: `make run` and `make test`. Everything else is for developers
# and CI (.ci/run). Targets install what they need first and skip what is already done.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
LOCK := requirements.lock
PORT ?= 8000
PYTEST_ARGS ?=

# Debian packages: WeasyPrint's run-time libraries and fonts, pdftotext for the PDF tests,
# gettext for compilemessages. For the tests only: chromium (browser tests), zbar-tools (the
# QR code on a printed licence is decoded) and softhsm2 (a token signs documents through PKCS#11,
# as an HSM does); graphviz for the diagrams.
SYSDEPS := python3-venv python3-dev libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
	libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core fonts-liberation2 poppler-utils gettext
TEST_SYSDEPS := chromium zbar-tools softhsm2
DIAGRAM_SYSDEPS := graphviz

# The install stamp is named after a hash of the lock file and pyproject.toml: it goes stale
# as soon as either changes, whatever the files' times.
DEPS_HASH := $(shell cat $(LOCK) pyproject.toml 2>/dev/null | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(DEPS_HASH)

PO_FILES := $(shell find licensing equipment duediligence -name '*.po' -path '*/locale/*' 2>/dev/null)

.PHONY: help run test cluster-test lint bench bench-more diagrams install sysdeps messages lock clean

help:
	@echo "make run       set up (venv, packages, database, demo data) and start the web server,"
	@echo "               a Celery worker and beat; PORT=8000 by default"
	@echo "make test      install what the tests need and run pytest (PYTEST_ARGS='-m \"not browser\"')"
	@echo "make lint      ruff, ruff format --check, mypy, makemigrations --check, check --deploy"
	@echo "make bench     the national-scale figures at 1M licences, each beside its baseline"
	@echo "make bench-more  the screening, record-version and audit-chain benchmarks"
	@echo "make diagrams  regenerate docs/states/*.dot and *.svg from the state machines"
	@echo "make lock      regenerate $(LOCK) from the current virtualenv"

sysdeps:
	@scripts/sysdeps.sh $(SYSDEPS)

install: sysdeps $(STAMP)

$(STAMP): $(LOCK) pyproject.toml
	@echo "==> Python packages into $(VENV) (the first time: a few minutes; one line per package)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@set -o pipefail; \
	$(PY) -m pip install --disable-pip-version-check --progress-bar off -c $(LOCK) -e '.[dev]' \
		| { grep --line-buffered -E '^(Collecting|Installing|Successfully|ERROR)' || true; }
	@rm -f $(VENV)/.installed-*
	@touch $@

# Compiled catalogues (*.mo) are build output, ignored by git.
messages: install
ifneq ($(strip $(PO_FILES)),)
	@echo "==> Translations (nb, hu)"
	@$(PY) manage.py compilemessages --ignore '.venv' --ignore 'var' --verbosity 0
endif

run: install messages
	PORT=$(PORT) scripts/run.sh

test: install messages
	@scripts/sysdeps.sh $(TEST_SYSDEPS)
	@# pytest exits with 5 when it ran no test: a failure, and said so.
	@echo "pytest $(PYTEST_ARGS) (about 4 minutes on PostgreSQL, 2 on SQLite, on two cores)"
	@$(VENV)/bin/pytest --durations=15 $(PYTEST_ARGS) || { rc=$$?; \
		[ $$rc -ne 5 ] || echo "pytest ran no test: that is a failure." >&2; exit $$rc; }

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(PY) manage.py makemigrations --check --dry-run
	@# Production settings: the same module with DEBUG off, a throwaway secret and a signing key
	@# of its own named (not the demo's: signing.W001).
	DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=licensing.example \
	DOCUMENT_SIGNING_PKCS12=/run/secrets/authority-signing.p12 \
	DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(PY) manage.py check --deploy --fail-level WARNING

# The benchmarks' own packages (locust for the load test) come from the `bench` extra, with
# their own stamp, so that `make test` never installs them.
BENCH_STAMP := $(VENV)/.bench-$(DEPS_HASH)

$(BENCH_STAMP): $(STAMP)
	@$(PY) -m pip install --disable-pip-version-check --progress-bar off -q -c $(LOCK) -e '.[dev,bench]'
	@rm -f $(VENV)/.bench-*
	@touch $@

# Issue 16's figures in one table at BENCH_LICENCES (default 1,000,000) licences, each beside its
# baseline; docs/benchmarks.md says what each means. bench-more: the earlier, narrower benchmarks.
bench: install messages $(BENCH_STAMP)
	$(PY) -m benchmarks

bench-more: install $(BENCH_STAMP)
	$(PY) -m benchmarks.screening && $(PY) -m benchmarks.versions && $(PY) -m benchmarks.audit_chain

# django-fsm-2's graph_transitions command, run by class so that it works whether or not
# `django_fsm` is in INSTALLED_APPS. PYTHONHASHSEED=0: it builds its edges from sets; a fixed
# seed keeps the committed .dot files stable between runs.
GRAPH_TRANSITIONS := PYTHONHASHSEED=0 DJANGO_SETTINGS_MODULE=licensing.settings $(PY) -c \
	'import sys, django; django.setup(); \
	from django.core.management import call_command; \
	from django_fsm.management.commands.graph_transitions import Command; \
	call_command(Command(), *sys.argv[1:])'

diagrams: install
	@scripts/sysdeps.sh $(DIAGRAM_SYSDEPS)
	@mkdir -p docs/states
	$(GRAPH_TRANSITIONS) licensing.Application.state > docs/states/application.dot
	$(GRAPH_TRANSITIONS) licensing.Licence.state > docs/states/licence.dot
	$(GRAPH_TRANSITIONS) equipment.Machine.state > docs/states/machine.dot
	$(GRAPH_TRANSITIONS) inspections.Inspection.state > docs/states/inspection.dot
	$(GRAPH_TRANSITIONS) seizures.SeizedItem.state > docs/states/seized-item.dot
	dot -Tsvg docs/states/application.dot -o docs/states/application.svg
	dot -Tsvg docs/states/licence.dot -o docs/states/licence.svg
	dot -Tsvg docs/states/machine.dot -o docs/states/machine.svg
	dot -Tsvg docs/states/inspection.dot -o docs/states/inspection.svg
	dot -Tsvg docs/states/seized-item.dot -o docs/states/seized-item.svg

# Pins every installed package except the project itself. To upgrade:
#   .venv/bin/pip install --upgrade -e '.[dev]' && make lock
lock:
	@test -x $(PY) || { echo "No $(VENV): run make install first."; exit 1; }
	@{ echo "# Generated by 'make lock' from the virtualenv: pip freeze without the project."; \
	   echo "# Installs use it as constraints: pip install -c $(LOCK) -e '.[dev]'"; \
	   $(PY) -m pip freeze --disable-pip-version-check --exclude-editable \
		--exclude tobacco-licensing; } > $(LOCK)
	@echo "Wrote $(LOCK)."

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
	find . -name '*.mo' -path '*/locale/*' -not -path './.venv/*' -delete

# Issue 21: the production topology on loopback (tests/cluster/): two gunicorn nodes, two
# workers, two beats, PostgreSQL (DATABASE_URL's server), a private Redis and moto's S3 server,
# walked through the portal and the admin. .ci/run runs it; it stops everything it started.
cluster-test: install messages
	@scripts/sysdeps.sh redis-server
	$(PY) -m tests.cluster
