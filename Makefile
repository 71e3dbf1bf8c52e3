# Notebridge: `make run` starts everything on the embedded default; `make run-prod` the production stack
# on PostgreSQL and Redis (docs/deploy.md); `make test` runs the tests.
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE = notebridge.settings
# Links the server prints or puts in mail point at where `make run` serves, unless SITE_URL is set.
SITE_URL ?= http://$(HOST):$(PORT)
export SITE_URL

.PHONY: run run-prod test install install-dev migrate demo serve worker lint typecheck check bench clean messages compilemessages screenshots test-system-packages

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

# Debian packages beyond Python (scripts/system-packages): installed when make runs as root with
# apt-get; otherwise `make test` stops at once saying what is missing and how to get it, and the demo
# goes on without its nature photographs (those notes are posted as text notes), saying so.
test-system-packages:
	@scripts/system-packages chromium mate-backgrounds ffmpeg

demo: migrate
	@scripts/system-packages --optional "the demo posts its nature notes (flowers, sea, plants) as text notes" mate-backgrounds
	$(BIN)/python manage.py load_demo --if-empty

run: demo
	@scripts/system-packages --optional "video uploads say that video is unavailable" ffmpeg
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py ensure_admin
	$(BIN)/python manage.py runstack --host $(HOST) --port $(PORT)

# The production stack on one machine against the local PostgreSQL and Redis (docs/deploy.md).
run-prod: install
	HOST=$(HOST) PORT=$(PORT) PY=$(BIN)/python scripts/run-prod

test: install-dev test-system-packages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python scripts/local_imports.py --check

typecheck: install-dev
	$(BIN)/mypy .

check: lint typecheck test

bench: install-dev
	$(BIN)/python bench/timeline_load.py

clean:
	rm -rf var

# Interface translations (needs GNU gettext: apt-get install gettext). The compiled .mo files are committed.
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --no-location --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=artifacts

compilemessages: install
	$(BIN)/python manage.py compilemessages -l zh_Hans

# Browser tests (Debian chromium) and page screenshots under artifacts/screenshots/.
screenshots: install-dev test-system-packages
	$(BIN)/python -m pytest -m browser tests/web/test_browser.py
