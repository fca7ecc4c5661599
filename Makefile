# The two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Two processes fit this 2-core machine; each gets its own test database (test_<name>_gwN).
PYTEST_WORKERS ?= 2
# Settings for a developer machine; production sets its own environment.
# Links in email (password reset, alerts) and seed_demo's sign-in URL use SITE_URL, so it follows
# the port `make run` serves on.
SITE_URL ?= http://127.0.0.1:$(PORT)
DEV_ENV := DEBUG=1 SITE_URL=$(SITE_URL)

.PHONY: run test test-clock lint install static worker beat migrate seed clean bench
.PHONY: backup restore bench-http messages compilemessages

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# A developer machine's own settings (git-ignored): DEBUG on and a random secret, so plain
# `.venv/bin/python manage.py ...` works. Never used by tests, CI's checks or Docker images.
.env:
	printf 'DEBUG=1\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@

install: $(VENV)/.installed .env compilemessages

# Spanish (issue 15): `make messages` extracts every marked string into locale/es (django.po
# for templates and Python, djangojs.po for static JavaScript), keeps existing translations, and
# compiles the .mo files. Translate the new empty msgstr entries, then run it again. The compiled
# django.mo is committed so a machine without GNU gettext still serves Spanish; a test fails
# when it is older than the .po.
I18N_IGNORE := --ignore=node_modules --ignore=staticfiles --ignore=bench --ignore=tools \
  --ignore=deploy --ignore='*/tests/*' --ignore=tests --ignore=portal/static/vendor
messages: $(VENV)/.installed
	DATABASE_URL=sqlite:///:memory: SECRET_KEY=messages-only-secret-key-0123456789-abcdefghijkl \
	  $(PY) manage.py makemessages -l es --no-obsolete --no-location $(I18N_IGNORE)
	DATABASE_URL=sqlite:///:memory: SECRET_KEY=messages-only-secret-key-0123456789-abcdefghijkl \
	  $(PY) manage.py makemessages -d djangojs -l es --no-obsolete --no-location $(I18N_IGNORE)
	$(MAKE) --no-print-directory compilemessages

# Compiles locale/*/LC_MESSAGES/*.po when GNU gettext (msgfmt) is installed; without it the
# committed .mo files are used as they are.
compilemessages:
	@if command -v msgfmt >/dev/null; then \
	  DATABASE_URL=sqlite:///:memory: SECRET_KEY=messages-only-secret-key-0123456789-abcdefghijkl \
	    $(PY) manage.py compilemessages --ignore=node_modules --ignore=.venv >/dev/null; \
	else \
	  echo "msgfmt (GNU gettext) is not installed: using the committed locale/*.mo files."; \
	fi

# Front-end libraries come from npm (package.json + lock file), never a CDN or the repo.
portal/static/vendor/.built: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p portal/static/vendor
	cp node_modules/chart.js/dist/chart.umd.js portal/static/vendor/chart.umd.js
	cp node_modules/htmx.org/dist/htmx.min.js portal/static/vendor/htmx.min.js
	touch $@

static: portal/static/vendor/.built

migrate: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput

seed: migrate
	$(DEV_ENV) $(PY) manage.py seed_demo

# Embedded default: SQLite and eager Celery. With DATABASE_URL / REDIS_URL set, PostgreSQL and a
# real worker (started here in the background and stopped with the server).
run: install static seed
	@if [ -n "$$REDIS_URL" ]; then \
	  echo "REDIS_URL is set: starting a Celery worker and beat in the background."; \
	  $(DEV_ENV) $(VENV)/bin/celery -A portal worker -B --loglevel=INFO --concurrency=2 & \
	  trap "kill $$! 2>/dev/null" EXIT; \
	  $(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT); \
	else \
	  $(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT); \
	fi

test: install static
	$(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The tests marked `clock` (they depend on today's date or the hour) once more under a frozen
# clock: at 03:30 UTC a patient in America/New_York still lives on yesterday, at 23:30 UTC a
# patient east of Greenwich already lives on tomorrow. A test that takes "today" in the wrong time
# zone fails here at whatever hour CI runs. FREEZE_CLOCK is read by conftest.py (the clock ticks
# on from that instant); CLOCK_INSTANTS="..." picks other instants.
CLOCK_DAY := $(shell date -u +%F)
CLOCK_INSTANTS ?= $(CLOCK_DAY)T03:30:00Z $(CLOCK_DAY)T23:30:00Z
test-clock: install static
	@for instant in $(CLOCK_INSTANTS); do \
	  echo "== tests marked clock at FREEZE_CLOCK=$$instant"; \
	  FREEZE_CLOCK=$$instant $(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --dist loadfile -m clock; \
	  status=$$?; \
	  if [ $$status -eq 5 ]; then echo "No test is marked clock: that is a failure."; exit 1; fi; \
	  if [ $$status -ne 0 ]; then exit $$status; fi; \
	done

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	# The app graph (DESIGN.md "Layering"; contracts in pyproject.toml [tool.importlinter]).
	$(VENV)/bin/lint-imports
	DATABASE_URL=sqlite:///:memory: SECRET_KEY=lint-only-secret-key-0123456789-abcdefghijklmnop $(PY) manage.py makemigrations --check --dry-run
	# Types (pyproject.toml [tool.mypy]): strict for core, accounts, alerts, journal, clinic, portal
	# and most of medications; bench and tools checked. The Django plugin loads the settings.
	DATABASE_URL=sqlite:///:memory: SECRET_KEY=lint-only-secret-key-0123456789-abcdefghijklmnop $(VENV)/bin/mypy
	$(MAKE) --no-print-directory check-deploy
	# Supply chain: bandit (medium+ severity, reviewed exceptions in pyproject) and pip-audit
	# (says plainly when the vulnerability service cannot be reached, and then does not fail).
	$(VENV)/bin/bandit -c pyproject.toml -r . -ll -q
	$(PY) tools/pip_audit_check.py

# The production environment must pass Django's deployment checks with no warnings.
check-deploy: install
	DEBUG=0 SECRET_KEY=$$(head -c 48 /dev/urandom | base64 | tr -d '/+=') ALLOWED_HOSTS=portal.example.org \
	  $(PY) manage.py check --deploy --fail-level WARNING

worker: install
	$(VENV)/bin/celery -A portal worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A portal beat --loglevel=INFO

bench: install
	$(DEV_ENV) $(PY) bench/run_all.py

# Load over HTTP: gunicorn (production settings) on PostgreSQL with 500 patients x 1 year,
# 40 closed-loop clients for 60 s (BENCH_HTTP_ARGS="--clients 20 --seconds 30" for less).
bench-http: install
	$(PY) bench/bench_http.py $(BENCH_HTTP_ARGS)

# PostgreSQL backups of DATABASE_URL (custom format, owner-only files in backups/). Restore goes
# into an empty database unless CLEAN=1. SQLite is refused with the way to copy it instead.
backup:
	$(PYTHON) tools/db_backup.py backup $(if $(OUTPUT),--output "$(OUTPUT)")

restore:
	$(PYTHON) tools/db_backup.py restore $(if $(filter 1,$(CLEAN)),--clean) $(if $(FILE),"$(FILE)")

clean:
	rm -rf $(VENV) node_modules portal/static/vendor staticfiles
