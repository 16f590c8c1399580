# Two commands for a fresh machine: `make run` (demo city on SQLite) and `make test` (everything).
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/linli

# Django 6 needs Python 3.12+: take the first such interpreter on PATH or under pyenv.
PYTHON_BOOT := $(shell for p in python3.13 python3.12 python3.14 python3 $(HOME)/.pyenv/versions/3.13*/bin/python3 $(HOME)/.pyenv/versions/3.12*/bin/python3 /root/.pyenv/versions/3.13*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3; do \
	if $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v $$p || echo $$p; break; fi; done)

.PHONY: install lock run test lint typecheck unit browser chromium bench bench-intake bench-people bench-assessment messages openapi clean

# Installs come from requirements.lock (every package pinned, with hashes); Linli itself goes on top
# without touching them. After changing the dependencies in pyproject.toml, run `make lock`.
$(VENV)/.installed: pyproject.toml requirements.lock
	@test -n "$(PYTHON_BOOT)" || { echo "Linli needs Python 3.12 or newer (Django 6); none was found." >&2; exit 1; }
	$(PYTHON_BOOT) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

# Regenerate requirements.lock from pyproject.toml (Python 3.12 and newer, every platform). Pins already in
# the lock are kept where they still fit; `make lock LOCK_FLAGS=--upgrade` moves everything to the newest.
LOCK_FLAGS ?=
lock:
	@test -n "$(PYTHON_BOOT)" || { echo "Linli needs Python 3.12 or newer (Django 6); none was found." >&2; exit 1; }
	@test -x $(BIN)/uv || { test -x $(BIN)/python || $(PYTHON_BOOT) -m venv $(VENV); $(BIN)/pip install -q 'uv>=0.5,<1'; }
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.12 --generate-hashes \
		--custom-compile-command "make lock" $(LOCK_FLAGS) -o requirements.lock

install: $(VENV)/.installed

# The demo switch (linli/settings.py): keys are generated into var/ once; without it settings demand real keys.
run test lint typecheck unit bench bench-intake bench-people bench-assessment messages openapi: export LINLI_DEMO ?= 1

run: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py build_demo_city
	@echo "Linli is at http://127.0.0.1:$(PORT)/ (the task worker trains the first dispatch model in the background)"
	@$(BIN)/python manage.py db_worker --no-reload -v0 & worker=$$!; \
	$(BIN)/python manage.py run_scheduler -v0 & scheduler=$$!; \
	trap "kill $$worker $$scheduler 2>/dev/null" EXIT INT TERM; \
	$(BIN)/python manage.py runserver --noreload 127.0.0.1:$(PORT)

chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: install
	$(BIN)/ruff check linli bench tools conftest.py
	$(BIN)/ruff format --check linli bench tools conftest.py
	$(BIN)/python manage.py makemigrations --check --dry-run -v0
	@! grep -n -A3 "#, fuzzy" linli/locale/zh_Hans/LC_MESSAGES/django.po || { echo "fuzzy (guessed) translations above: translate them and run make messages" >&2; exit 1; }

typecheck: install
	$(BIN)/mypy linli conftest.py

unit: install chromium
	$(BIN)/pytest -q -n 2 --dist loadfile

# Twice, when PostgreSQL answers: on SQLite, then on PostgreSQL. Costly checks whose subject does not depend on
# the database run in one pass (markers in pyproject.toml), which keeps CI within its time; `make unit` runs all.
test: lint typecheck chromium
	@if $(BIN)/python -c "import psycopg; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== the suite on SQLite ==" && \
		$(BIN)/pytest -q -n 2 --dist loadfile -m "not postgres_pass" && \
		echo "== the suite again on PostgreSQL ==" && \
		DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -n 2 --dist loadfile -m "not sqlite_pass"; \
	else echo "No PostgreSQL on 127.0.0.1:5432: the whole suite on SQLite only." && $(BIN)/pytest -q -n 2 --dist loadfile; fi

bench: install
	$(BIN)/python bench/places_bench.py

# Intake under load: gunicorn on PostgreSQL (a fresh database linli_bench), concurrent submissions over HTTP
# from a separate process; e.g. `make bench-intake BENCH_ARGS="--seconds 30 --concurrency 32 --json"`.
BENCH_ARGS ?=
bench-intake: install
	$(BIN)/python bench/intake_load.py $(BENCH_ARGS)

# The registry: 100,000 people from Excel (1% bad rows, then clean) and exact search by phone and ID;
# e.g. `make bench-people BENCH_ARGS="--database postgres --json"`.
bench-people: install
	$(BIN)/python bench/people_bench.py $(BENCH_ARGS)

# Assessment at scale: fills the configured database up to N cases with the generator (linli/cases/bulk.py),
# then times the street's month, the rankings and the district overview against a fresh fold of the timelines;
# e.g. `DATABASE_URL=postgres://postgres@127.0.0.1:5432/linli_bench_assess make bench-assessment BENCH_ARGS="--cases 1000000 --json"`.
bench-assessment: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py assessment_bench $(BENCH_ARGS)

messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=bench --ignore=tools --no-obsolete
	@grep -n -A3 "#, fuzzy" linli/locale/zh_Hans/LC_MESSAGES/django.po && echo "check the guessed (fuzzy) translations above" || true
	$(BIN)/python manage.py compilemessages --ignore=.venv

# The committed OpenAPI document (linli/api/tests/test_openapi_document.py fails when it is stale).
openapi: install
	$(BIN)/python manage.py spectacular --lang en --validate --fail-on-warn --file docs/openapi.yaml

clean:
	rm -rf $(VENV) var
