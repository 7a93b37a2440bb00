# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/qasite

.PHONY: run test lint install install-dev messages chromium varnish postgres redis

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: the site with demo content and demo accounts at http://127.0.0.1:8000, and the
## scheduler (go-live and expiry times) beside it, stopped with the server
run: install messages
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py create_demo_accounts
	DEBUG=1 $(BIN)/python manage.py load_demo_content
	DEBUG=1 $(BIN)/python manage.py run_schedule --every 60 & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT; \
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## test: the whole suite against PostgreSQL, with Debian's Chromium and Varnish
test: install-dev messages chromium varnish postgres redis node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=1 DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python manage.py makemigrations --check --dry-run
	DATABASE_URL=$(TEST_DATABASE_URL) DEBUG=1 $(BIN)/pytest --create-db -p no:cacheprovider

lint: install-dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

## messages: the public pages' translations (locale/<language>/LC_MESSAGES/django.po, the
## source) compiled to the .mo files Django reads; a .mo newer than its .po is kept.
# After changing the pages' text, update the catalogues and translate what is new:
#   DEBUG=1 .venv/bin/python manage.py makemessages -l es -l ar --add-location=file \
#     --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=bench \
#     --ignore=deploy --ignore=desk --ignore=templates/admin
messages: install
	@command -v msgfmt >/dev/null || { \
	  echo "Installing Debian's gettext to compile the translations"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; }
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

chromium:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Varnish and its xkey module (Debian's varnish-modules): pages are purged by surrogate key.
varnish:
	@{ command -v varnishd >/dev/null || test -x /usr/sbin/varnishd; } && \
	  ls /usr/lib/*/varnish/vmods/libvmod_xkey.so >/dev/null 2>&1 || { \
	  echo "Installing Debian's varnish and varnish-modules for the proxy tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish varnish-modules; }

# Start the local PostgreSQL server if it is not running, and create the database.
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
	  command -v pg_ctlcluster >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; }; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start; \
	  for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }
	@psql "$(TEST_DATABASE_URL)" -c "select 1" >/dev/null 2>&1 || createdb -h 127.0.0.1 -U postgres qasite
	@# The rum extension ranks public search in its index (answers/migrations/0021).
	@psql -h 127.0.0.1 -U postgres -Atc "select 1 from pg_available_extensions where name = 'rum'" | grep -q 1 || { \
	  echo "Installing Debian's rum extension for PostgreSQL"; \
	  major=$$(psql -h 127.0.0.1 -U postgres -Atc "show server_version_num" | cut -c1-2); \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-$$major-rum; }

# The page-cache tests share pages through a real Redis on 127.0.0.1:6379.
redis:
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { \
	  command -v redis-server >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; }; \
	  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes; \
	  for i in $$(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done; }
