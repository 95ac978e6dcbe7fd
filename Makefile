# Ketenportaal — the two commands that matter are `make demo` and `make test`.
# Every target sets up what it needs first and can be run again safely.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# pytest-xdist workers for the parts of the suite that run in parallel (scripts/run-tests).
WORKERS ?= $(shell nproc 2>/dev/null || echo 1)
PARALLEL := $(if $(filter 1,$(WORKERS)),,-n $(WORKERS))

.PHONY: setup demo test test-sqlite test-sqlite-smoke bench bench-load bench-10m lint format messages check-migrations deploy-check ci clean

setup: $(VENV)/.synced node_modules/.installed locale/.compiled

# uv lives in its own small venv so that `uv sync` never removes itself.
$(UV):
	@python_bin=$$(scripts/find-python) && "$$python_bin" -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock $(UV)
	$(UV) sync --frozen --python "$$(scripts/find-python)"
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

locale/.compiled: $(VENV)/.synced $(wildcard locale/*/LC_MESSAGES/django.po)
	$(VENV)/bin/pybabel compile --domain django --directory locale --statistics
	@touch $@

demo: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	scripts/run-demo

test: setup
	KETENPORTAAL_TEST_WORKERS=$(WORKERS) scripts/run-tests

# The suite on the embedded default (SQLite, no Redis), chosen on purpose: CI's second leg.
# Browser and integration tests are left out: they drive the same views and tasks through a
# browser or real processes, the SQLite-specific ones already run on a SQLite file in `make test`,
# and CI's time is better spent once. Any pytest arguments: `make test-sqlite ARGS=tests/browser`.
test-sqlite: setup
	env -u DATABASE_URL -u REDIS_URL KETENPORTAAL_TEST_SERVICES=embedded \
	scripts/run-tests $(or $(ARGS),$(PARALLEL) -m "not browser and not integration")

# CI's SQLite leg when the machine is too slow for the whole suite twice within CI's 90 minutes
# (.ci/run decides by the time `make test` took): where SQLite and PostgreSQL differ — the API's
# hostile input and schemathesis (SQLite binds numbers differently), the figures' raw SQL (has
# data, the bulk upsert, roll-ups), the participation statement, imports, the services and
# settings of the embedded default, and every demo test (`make demo` runs on SQLite).
SQLITE_SMOKE := tests/api tests/ambitions/test_has_data.py tests/ambitions/test_rollups_property.py \
	tests/ambitions/test_imports.py tests/governance/test_participation.py tests/test_services.py \
	tests/test_settings.py $(sort $(wildcard tests/*/test_demo*.py tests/*/test_*_demo.py))
test-sqlite-smoke: setup
	env -u DATABASE_URL -u REDIS_URL KETENPORTAAL_TEST_SERVICES=embedded \
	scripts/run-tests $(PARALLEL) -m "not browser and not integration" $(SQLITE_SMOKE)

# Benchmarks on PostgreSQL (docs/benchmarks.md): builds the data sets once, then prints
# one line per figure, `name value unit`.
bench: setup
	$(PY) -m bench.run
	$(PY) -m bench.load.runner

# The load stage (bench/load/runner.py): gunicorn as docker-compose.yml starts it, on the 1m set;
# locust with 50 and then 150 people at once after a warm-up, then CPU per request by page.
# About 11 minutes. A short trial: $(PY) -m bench.load.runner --users 20 --duration 60 --no-cpu
bench-load: setup
	$(PY) -m bench.load.runner

# The dashboard, indicator page, cell save and bulk upsert again on 10,000,000 figures (50 chains;
# its own database ketenportaal_bench_10m, built once: about ten minutes), printed with suffix _10m.
bench-10m: setup
	$(PY) -m bench.run --set 10m

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-migrations: setup
	$(PY) manage.py makemigrations --check --dry-run

# The production settings must pass Django's deployment checklist. The values are stand-ins
# (nothing is contacted); the secret key is random and thrown away.
deploy-check: setup
	KETENPORTAAL_ENV=production \
	SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	DATABASE_URL=postgres://ketenportaal@db.invalid:5432/ketenportaal \
	REDIS_URL=redis://redis.invalid:6379/0 \
	EMAIL_URL=smtp+tls://mailer@smtp.invalid:587 \
	ALLOWED_HOSTS=portal.example.nl \
	ADMINS=ops@example.nl \
	$(PY) manage.py check --deploy --fail-level WARNING

# What CI runs (.ci/run): installs system packages, lint, migrations, compose, deploy check, tests.
ci:
	CI=true bash .ci/run

# Regenerate the translation catalogue after changing UI strings (needs GNU gettext).
messages: setup
	$(PY) manage.py makemessages --locale nl --ignore '.venv/*' --ignore 'node_modules/*' --ignore '.tools/*'

clean:
	rm -rf $(VENV) $(TOOLS) node_modules locale/.compiled locale/*/LC_MESSAGES/*.mo var staticfiles
