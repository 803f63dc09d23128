# Yika — everything a fresh machine needs. Quick start: `make run`, `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
SYSTEM_PACKAGES := fonts-wqy-microhei poppler-utils chromium gettext
export DJANGO_SETTINGS_MODULE ?= config.settings

.PHONY: install system-packages node-packages run stop serve test test-fast lint format bench messages migrate demo clean check-deploy

install: system-packages $(VENV)/.installed messages node-packages

# axe-core (package.json) for the browser tests' accessibility checks: node and npm are required.
# npm writes node_modules/.package-lock.json: the packages are installed again only when
# package-lock.json changes, so a second `make run` does not wipe and refetch node_modules.
node-packages: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json $(wildcard package-lock.json)
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
	  echo "error: Yika's browser tests need Node.js and npm (for axe-core in package.json)."; \
	  echo "       Install them (Debian: apt-get install nodejs npm) and run make install again."; \
	  exit 1; \
	fi
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; \
	  else npm install --no-audit --no-fund --loglevel=error; fi
	@touch $@

system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing system packages:$$missing"; \
	    SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	    ($$SUDO apt-get install -y -q $$missing || ($$SUDO apt-get update -q && $$SUDO apt-get install -y -q $$missing)) >/dev/null \
	      || { echo "error: could not install:$$missing (apt-get failed)"; exit 1; }; \
	  else \
	    echo "error: Yika needs these system packages:$$missing"; \
	    echo "       (a CJK TrueType font, pdftoppm, Chromium, gettext). Install them with your"; \
	    echo "       system's package manager, or set YIKA_CJK_FONT to a TrueType CJK font."; \
	    exit 1; \
	  fi; \
	fi

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	@touch $@

# Translations: the .po catalogues are committed, the .mo files are built here (gettext).
# Without settings (it finds every locale/ folder itself), so building them starts no database.
messages: $(VENV)/.installed
	@if find . -path ./.venv -prune -o -name '*.po' -print | grep -q .; then \
	  DJANGO_SETTINGS_MODULE= $(VENV)/bin/django-admin compilemessages -v0 \
	    --ignore '.venv/*' --ignore 'node_modules/*'; fi

migrate: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py setup_schedule

demo: migrate
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo --once

# Web server on $(HOST):$(PORT) (127.0.0.1:8000); with REDIS_URL set, a Celery worker and beat
# run beside it. Without DATABASE_URL the database is the embedded PostgreSQL in var/postgres,
# started by the first command that loads the settings and left running for the next `make run`
# (config/embedded_db.py); `make stop` stops it. Labels and certificates encode SITE_URL:
# unless it is set (environment or `make run SITE_URL=…`), it is the address this target
# serves, so `make run PORT=8031` prints QR codes that open http://127.0.0.1:8031/…. (Other
# commands keep the settings' default.)
# honcho sets its own PORT for each process, hence YIKA_RUN_HOST/YIKA_RUN_PORT for Procfile.dev.
RUN_SITE_URL = $(or $(SITE_URL),http://$(HOST):$(PORT))
run: demo
	@if [ -n "$$REDIS_URL" ]; then \
	  echo "REDIS_URL is set: starting web, worker and beat (honcho)"; \
	  SITE_URL="$(RUN_SITE_URL)" YIKA_RUN_HOST="$(HOST)" YIKA_RUN_PORT="$(PORT)" DEBUG=$${DEBUG:-1} $(VENV)/bin/honcho -f Procfile.dev start; \
	else \
	  echo "Tasks run in process (set REDIS_URL to use a Celery worker)."; \
	  echo "Labels and certificates link to $(RUN_SITE_URL) (SITE_URL)."; \
	  SITE_URL="$(RUN_SITE_URL)" DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT); \
	fi

# The embedded PostgreSQL in var/postgres (what `make run` started), if it runs. Needs no install.
stop:
	@$(PY) -m config.embedded_db stop

# The suite runs on TEST_WORKERS pytest-xdist workers: the cores, at most 2 (each worker holds a
# Chromium and about 20 PostgreSQL connections); TEST_WORKERS=0 runs it in one process. Each
# worker has its own test database, var dir and Redis key prefix (config/settings_test.py).
# `--dist load` hands every worker its tests in collection order, and that order matters:
# pytest-django runs the database tests before the transactional ones, whose flush empties the
# migrations' rows (categories, roles, label templates). Modes that hand out files or groups, or
# steal queued tests (loadfile, loadscope, loadgroup, worksteal), can run a database test after a
# flush on the same worker.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ "$$n" -gt 2 ] && n=2; echo $$n)
# Without DATABASE_URL: a throwaway embedded PostgreSQL for this run only (config/settings_test.py).
test: install
	DJANGO_SETTINGS_MODULE=config.settings_test $(VENV)/bin/pytest -q -p no:randomly -n $(TEST_WORKERS) --dist load

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

check-deploy: install
	DEBUG=0 SECRET_KEY=$${SECRET_KEY:-$$(openssl rand -hex 40)} ALLOWED_HOSTS=$${ALLOWED_HOSTS:-yika.example.gov.cn} \
	  $(PY) manage.py check --deploy --fail-level WARNING

# Backups (SECURITY.md test 18): one archive with the database (pg_dump -Fc) and the media and
# private files. `make restore BACKUP=var/backups/yika-….tar` restores into an empty database
# and empty folders (FORCE=1 replaces them), then checks every table's row count and every
# file's SHA-256 against the archive.
backup: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py backup $(if $(BACKUP_DIR),--output-dir "$(BACKUP_DIR)")

restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/yika-YYYYmmdd-….tar [FORCE=1]"; exit 2; }
	DEBUG=$${DEBUG:-1} $(PY) manage.py restore "$(BACKUP)" $(if $(FORCE),--force)

clean:
	rm -rf $(VENV) var/test
