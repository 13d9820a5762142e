# Two entry points for a fresh machine with Python 3.11 or newer: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEV := DEBUG=1
HOST ?= 127.0.0.1:8000

.PHONY: install messages run test browser lint format migrations-check ci

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Compile the translations (.po -> .mo) with Babel: no gettext binaries needed.
messages: install
	$(BIN)/pybabel compile --domain django --directory locale --statistics 2>&1 | tail -n 2

# Development settings (DEBUG=1, a new SECRET_KEY), written once and never overwritten;
# config/settings.py reads them, so every manage.py command works as typed (README).
.env:
	@umask 077; key=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))') && \
	  printf 'DEBUG=1\nSECRET_KEY=%s\n' "$$key" >$@.tmp && mv $@.tmp $@
	@echo "Wrote $@: DEBUG=1 and a new SECRET_KEY, for development only."

# Set up everything and serve the directory with the Mali data on SQLite.
run: messages .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_mali
	$(BIN)/python manage.py ensure_dev_admin --address $(HOST)
	$(BIN)/python manage.py runserver $(HOST)

# Debian's chromium for the browser tests (a browser downloaded by a tool cannot be fetched).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Debian's chromium first: sudo apt-get install -y chromium" >&2; exit 1; fi; }
	@# axe-core (package.json) for the accessibility checks of tests/browser.
	@test -f node_modules/axe-core/axe.min.js || npm install --no-audit --no-fund

# Set up everything and run the whole suite (DATABASE_URL picks the database).
test: messages browser
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run

ci:
	bash .ci/run
