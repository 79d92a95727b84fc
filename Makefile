# Pipeline: one command to run the demo, one to run the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py

.PHONY: run test lint format check install assets messages demo bench fuzz clean chromium

run: install assets ## Set up everything and serve the demo on http://127.0.0.1:$(PORT)
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	@echo "Pipeline is starting on http://127.0.0.1:$(PORT)/ (Ctrl+C stops it)"
	PORT=$(PORT) $(MANAGE) runserver 127.0.0.1:$(PORT)

test: install assets ## The whole test suite (PostgreSQL when DATABASE_URL is set, else SQLite)
	@if [ -n "$$DATABASE_URL" ]; then echo "make test: database from DATABASE_URL ($${DATABASE_URL%%://*})"; else echo "make test: SQLite (set DATABASE_URL for PostgreSQL)"; fi
	@command -v chromium >/dev/null || echo "make test: no chromium, so the accessibility tests (tests/a11y) are skipped; 'make chromium' installs it"
	$(BIN)/pytest $(PYTEST_ARGS)

# The accessibility tests (tests/a11y) drive Debian's headless Chromium with Playwright.
chromium: ## Install Debian's chromium for the accessibility tests when it is missing (needs root)
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

bench: install ## National-scale benchmark on PostgreSQL (DATABASE_URL); fails when a budget is missed
	@if [ -z "$$DATABASE_URL" ]; then echo "make bench: set DATABASE_URL to a PostgreSQL server, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make bench (the bench builds its own database, pipeline_bench, there)" >&2; exit 2; fi
	$(BIN)/python -m bench $(BENCH_ARGS)

# FUZZ_EXAMPLES examples per API operation (CI runs 50 in `make test`); FUZZ_SEED=<seed> replays.
FUZZ_EXAMPLES ?= 1000
fuzz: install ## Long schemathesis campaign against the API (1,000 examples per operation)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/security/test_api_fuzz.py -s -q $(PYTEST_ARGS)

lint: install ## Format check, lint, Django checks, no missing migrations
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	DJANGO_SETTINGS_MODULE=pipeline.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=pipeline.settings.test $(MANAGE) makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

install: $(VENV)/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# Translations: the .po files are the source (committed), the .mo files a build artefact.
# Needs GNU gettext (msgfmt), e.g. `apt-get install gettext`.
MESSAGES_PO := $(wildcard locale/*/LC_MESSAGES/django.po locale/*/*/LC_MESSAGES/django.po)
MESSAGES_MO := $(MESSAGES_PO:.po=.mo)

assets: pipeline/static/css/pipeline.css $(MESSAGES_MO)

$(MESSAGES_MO): %.mo: %.po | install
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules --ignore=static_build

messages: install ## Extract new interface strings into locale/cy/LC_MESSAGES/django.po to translate
	$(MANAGE) makemessages -l cy --ignore=.venv --ignore=node_modules --ignore=static_build --no-obsolete
	@echo "Now translate every new or fuzzy entry in locale/cy/LC_MESSAGES/django.po (make test checks)."

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

pipeline/static/css/pipeline.css: node_modules/.package-lock.json $(wildcard frontend/scss/*.scss)
	npm run --silent build

clean:
	rm -rf $(VENV) node_modules pipeline/static/css pipeline/static/js/vendor static_build
	find locale -name '*.mo' -delete
