# Pipeline: one command to run the demo, one to run the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT  # email links name where the site serves (PIPELINE_BASE_URL's default)
MANAGE := $(BIN)/python manage.py

WORKERS ?= 2
# make test runs the suite in this many processes (pytest-xdist), each on its own test database;
# the transactional tests stay last in each (tests/conftest.py). 1 runs it in one process.
TEST_PROCESSES ?= 2

.PHONY: help run demo worker test smoke lint format check install assets messages bench bench-mail fuzz clean chromium cluster cluster-stop cluster-test haproxy
.DEFAULT_GOAL := help

help: ## List the targets and what each does
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# The site and, in the background, a worker and the scheduler (emails are printed here); Ctrl+C
# stops both.
run: demo ## Set up everything and serve the demo on http://127.0.0.1:8000 (PORT=8080 for another)
	@echo "Pipeline is starting on http://127.0.0.1:$(PORT)/ (Ctrl+C stops it)"
	@$(MANAGE) run_background --workers 1 & background=$$!; \
	trap 'kill $$background 2>/dev/null; wait $$background 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:$(PORT)

demo: install assets ## Migrate and load the demo data (SQLite unless DATABASE_URL), without serving
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo

worker: install ## Background work: $(WORKERS) task workers and the scheduler (Ctrl+C stops them)
	$(MANAGE) run_background --workers $(WORKERS)

test: install assets ## The whole test suite (PostgreSQL when DATABASE_URL is set, else SQLite)
	@if [ -n "$$DATABASE_URL" ]; then echo "make test: database from DATABASE_URL ($${DATABASE_URL%%://*})"; else echo "make test: SQLite (set DATABASE_URL for PostgreSQL)"; fi
	@command -v chromium >/dev/null || echo "make test: no chromium, so the accessibility tests (tests/a11y) are skipped; 'make chromium' installs it"
	$(BIN)/pytest $(if $(filter-out 0 1,$(TEST_PROCESSES)),-n $(TEST_PROCESSES) --dist loadgroup --no-loadscope-reorder) $(PYTEST_ARGS)

smoke: install assets ## The production smoke test alone: collectstatic, gunicorn, every public page
	$(BIN)/pytest -m production $(PYTEST_ARGS)

check: lint test ## Everything CI checks: lint, then the whole test suite
# The accessibility tests (tests/a11y) drive Debian's headless Chromium with Playwright.
chromium: ## Install Debian's chromium for the accessibility tests when it is missing (needs root)
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

bench: install ## National-scale benchmark on PostgreSQL (DATABASE_URL); fails when a budget is missed
	@if [ -z "$$DATABASE_URL" ]; then echo "make bench: set DATABASE_URL to a PostgreSQL server, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make bench (the bench builds its own database, pipeline_bench, there)" >&2; exit 2; fi
	$(BIN)/python -m bench $(BENCH_ARGS)

# The production recipe on one machine: deploy/Procfile, deploy/haproxy.cfg and
# deploy/gunicorn.conf.py, against this machine's PostgreSQL and Redis (deploy/cluster.env).
cluster: install assets haproxy ## Start the cluster: HAProxy on https://127.0.0.1:8000, two app servers, workers, object store
	$(BIN)/python deploy/cluster.py start

cluster-stop: ## Stop every process `make cluster` started
	$(BIN)/python deploy/cluster.py stop

# Its own ports (LB 8100, apps 8101/8102, S3 8109, SMTP 8125), Redis (6390) and database
# (pipeline_cluster_test on DATABASE_URL's server), so it runs beside `make cluster`.
cluster-test: install assets haproxy ## The fault test: kills, outages and a rolling restart under load; nothing lost
	@command -v redis-server >/dev/null || { echo "make cluster-test: needs redis-server (apt-get install redis-server)" >&2; exit 2; }
	$(BIN)/pytest -m cluster tests/cluster -s -q $(PYTEST_ARGS)

haproxy: ## Install Debian's haproxy for `make cluster` when it is missing (needs root)
	command -v haproxy >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy)

bench-mail: install ## An update to 1,000 followers: request time, delivery rate, queue latency (PostgreSQL)
	@if [ -z "$$DATABASE_URL" ]; then echo "make bench-mail: set DATABASE_URL to a PostgreSQL server (the bench builds its own database, pipeline_bench_mail, there)" >&2; exit 2; fi
	$(BIN)/python -m bench.mail $(BENCH_MAIL_ARGS)

# FUZZ_EXAMPLES examples per API operation (CI runs 50 in `make test`); FUZZ_SEED=<seed> replays.
FUZZ_EXAMPLES ?= 1000
fuzz: install ## Long schemathesis campaign against the API (1,000 examples per operation)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/security/test_api_fuzz.py -s -q $(PYTEST_ARGS)

lint: install ## Format check, lint, the floors of the house (import-linter), Django checks, no missing migrations
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=pipeline.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=pipeline.settings.test $(MANAGE) makemigrations --check --dry-run

format: install ## Format the code and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

install: $(VENV)/.installed ## Create .venv and install Pipeline with its development tools

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

assets: pipeline/static/css/pipeline.css $(MESSAGES_MO) ## Build the CSS and compile the translations

$(MESSAGES_MO): %.mo: %.po | install
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules --ignore=static_build

messages: install ## Extract new interface strings into locale/cy/LC_MESSAGES/django.po to translate
	$(MANAGE) makemessages -l cy --ignore=.venv --ignore=node_modules --ignore=static_build --no-obsolete
	@echo "Now translate every new or fuzzy entry in locale/cy/LC_MESSAGES/django.po (make test checks)."

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

pipeline/static/css/pipeline.css: node_modules/.package-lock.json $(wildcard frontend/scss/*.scss)
	npm run --silent build

clean: ## Remove .venv, node_modules and everything built
	rm -rf $(VENV) node_modules pipeline/static/css pipeline/static/js/vendor static_build
	find locale -name '*.mo' -delete
