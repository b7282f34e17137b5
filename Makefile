# 三资 back office — the two commands a newcomer needs:
#   make demo   venv + pinned deps, migrate SQLite, demo data and users, schedules, web + worker on :8000
#   make test   manage.py check, makemigrations --check, ruff, the whole pytest suite (SQLite; PostgreSQL
#               too when DATABASE_URL=postgres://… is set)
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEMO_SCALE ?= tiny
DEMO_SEED ?= 1
# one pytest worker per core (each seeds its own tiny demo database)
PYTEST_ARGS ?= -n auto
export DEBUG ?= 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test venv check lint format serve seed clean-demo

venv: $(STAMP)

$(STAMP): pyproject.toml .ci/constraints.txt
	@python=$$(sh .ci/find_python.sh) || exit 1; \
	  echo "Using $$python ($$($$python --version))"; \
	  [ -x $(PY) ] || $$python -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c .ci/constraints.txt -e '.[dev]'
	@touch $(STAMP)

# development defaults for plain `manage.py` commands in this checkout (git-ignored; never deployed)
.env:
	@printf '# development defaults read by backoffice/settings.py; never deploy this file\nDEBUG=1\n' > .env

demo: $(STAMP) .env
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --scale $(DEMO_SCALE) --seed $(DEMO_SEED)
	$(PY) manage.py setup_schedules
	$(PY) manage.py evaluate_rules > var/first-evaluation.json && echo "alert rules evaluated once (var/first-evaluation.json); the worker re-runs them on schedule"
	$(PY) manage.py rundemo

check: $(STAMP) .env
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: check
	$(PY) -m pytest $(PYTEST_ARGS)

lint: check

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean-demo:
	rm -f var/db.sqlite3 var/db.sqlite3-wal var/db.sqlite3-shm
