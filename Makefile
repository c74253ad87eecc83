# Buron — the two commands that matter: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo serve test test-postgres test-browser lint bench messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Create the venv, install, write a local .env for the demo (DEBUG=1, a generated
## SECRET_KEY; kept if present), migrate SQLite, load the Cantal demo network, serve on :8000
## (with a background worker that sends the emails, printed in this terminal).
demo: install
	$(PY) scripts/demo_env.py
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py demo_load
	DEBUG=1 $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

## The whole suite (on SQLite unless DATABASE_URL says otherwise).
test: install
	$(PY) -m pytest -q -n 2 $(PYTEST_ARGS)

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(PY) -m pytest -q -n 2 $(PYTEST_ARGS)

test-browser: install
	$(PY) -m pytest -q -m browser $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(VENV)/bin/lint-imports
	DEBUG=1 $(VENV)/bin/mypy .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/check_deploy.py

bench: install
	$(PY) -m bench

messages:
	DEBUG=1 $(PY) manage.py makemessages -l fr -l en --no-obsolete --ignore=.venv --ignore=staticfiles
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .test-db.sqlite3*
