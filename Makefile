# Two commands: `make run` serves the demo site, `make test` runs every test.
# Both set up everything they need from a fresh clone (python3 and make only).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
PORT ?= 8000
# Exported so dev settings point SITE_URL (links in emails) at this server.
export PORT

.DEFAULT_GOAL := help
.PHONY: help install install-test run serve migrate demo createstaff test test-fast lint format \
        migrations-check deploy-check assets requirements messages screenshots bench drills clean

help:
	@echo "make run          set up and serve the demo site on http://127.0.0.1:8000 (plus the mail worker)"
	@echo "make test         set up and run the whole test suite (unit, integration, browser)"
	@echo "make createstaff  ARGS='--username NAME': a local admin account and its one-time password"
	@echo "make lint         ruff, format, django-upgrade, import layers, djhtml, bandit, migrations, deploy check, hadolint, compose config"
	@echo "make assets       rebuild the CSS, the self-hosted font and the logo files (npm + scripts/brand_assets.py)"
	@echo "make messages     re-extract and compile the Spanish catalogue (locale/es/); installs GNU gettext"
	@echo "make screenshots  full-page PNGs of the patient pages at 390x844 and 1280x800 into docs/screenshots/"
	@echo "make bench        run the benchmarks under bench/"
	@echo "make drills       10,000-case hostile-input fuzz, six fault drills and the two-node drill (root; ~20 min)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-deps: requirements.txt | $(PY)
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.test-deps: requirements.txt requirements-test.txt | $(PY)
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-test.txt
	@touch $@

install: $(VENV)/.run-deps
install-test: $(VENV)/.test-deps

# runserver runs the system checks itself; skipping them in the two set-up
# steps keeps `make run` on a set-up clone to one check (cold start < 5 s).
migrate: install
	$(MANAGE) migrate --noinput --skip-checks

demo: migrate
	$(MANAGE) load_demo_data --skip-checks

# Ctrl-C reaches both processes (same process group); the trap makes sure the
# mail worker never outlives the web server.
run: demo
	@echo "Site: http://127.0.0.1:$(PORT)   Mail is written to var/mail/   Admin account: make createstaff"
	@trap 'kill 0' INT TERM EXIT; \
	  $(MANAGE) mailworker & \
	  $(MANAGE) runserver 127.0.0.1:$(PORT)

serve: run

createstaff: migrate
	@if [ -z "$(ARGS)" ]; then echo "Name the account: make createstaff ARGS='--username NAME'"; exit 2; fi
	@$(MANAGE) createstaff --skip-checks $(ARGS)

# Line and branch coverage of the apps (pyproject.toml, docs/testing.md).
# COVERAGE_MIN is coverage.py's total (lines and branches together) measured
# on SQLite with the local-memory cache, rounded down: 96.1% on 2026-12-02
# (lines 97.5%, branches 89.1%). It is checked only in that configuration
# (CI's first run); with DATABASE_URL or REDIS_URL set, other branches run and
# the figures are printed, not gated. Raise it when coverage rises.
# COVERAGE=0 runs the same suite without measuring (CI's PostgreSQL run: the
# figures there are not gated, and measuring costs about 4 of its 13 minutes).
COVERAGE_MIN := 96
COVERAGE ?= 1
COVERAGE_GATE = $(if $(DATABASE_URL)$(REDIS_URL),,--cov-fail-under=$(COVERAGE_MIN))
COVERAGE_ARGS = $(if $(filter 1,$(COVERAGE)),--cov --cov-report=term $(COVERAGE_GATE))
test: install-test
	bash scripts/ensure-system-deps.sh
	$(BIN)/pytest $(COVERAGE_ARGS)
ifeq ($(COVERAGE),1)
	@$(BIN)/coverage json -q -o var/coverage.json && $(PY) scripts/coverage_total.py var/coverage.json
endif

test-fast: install-test
	$(BIN)/pytest -m "not browser"

# The same checks as .pre-commit-config.yaml, plus the ones that need Django.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	git ls-files '*.py' | grep -v /migrations/ | xargs $(BIN)/django-upgrade --target-version 5.2 --check
	$(BIN)/lint-imports
	git ls-files 'templates/*.html' | xargs $(BIN)/djhtml --check
	$(BIN)/bandit -q -r clinic_site core pages locations consultations -x '*/migrations/*'
	$(MANAGE) makemigrations --check --dry-run
	bash scripts/deploy-check.sh
	$(BIN)/hadolint Dockerfile deploy/local-s3/Dockerfile
	bash scripts/compose-check.sh

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	$(MANAGE) makemigrations --check --dry-run

deploy-check: install
	bash scripts/deploy-check.sh

assets: install
	npm ci --no-audit --no-fund
	$(BIN)/pip install --quiet fonttools==4.68.0 brotli==1.2.1
	$(PY) scripts/subset_fonts.py
	npm run build
	$(PY) scripts/brand_assets.py

requirements: | $(PY)
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links requirements.in -o requirements.txt
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links requirements-test.in -o requirements-test.txt

# Staff-only code (the admin, management commands, the staff email) stays in
# English and is left out of the catalogue; everything else a patient may see
# is in it. Commit both the .po and the compiled .mo (make run never compiles).
MESSAGES_IGNORE := --ignore=.venv --ignore=node_modules --ignore=var --ignore=bench \
	--ignore=tests --ignore=scripts --ignore=docs --ignore=static --ignore=assets \
	--ignore=admin --ignore=admin.py --ignore=admin_auth.py --ignore=management \
	--ignore=triage.py --ignore=notifications.py --ignore=triage_admin.py \
	--ignore=workflow.py --ignore=images.py \
	--ignore='consultation_staff*' --ignore='consultation_unacknowledged*' --ignore=admin_display.py --ignore=diff.py
messages: install
	bash scripts/ensure-system-deps.sh gettext
	$(MANAGE) makemessages --locale es --add-location file --no-obsolete $(MESSAGES_IGNORE)
	$(MANAGE) compilemessages --locale es --ignore=node_modules --ignore=var

# Full-page PNGs of every patient page and form state, phone and laptop size,
# into docs/screenshots/ (a throwaway SQLite demo on 127.0.0.1:8765).
screenshots: install-test
	bash scripts/ensure-system-deps.sh
	$(PY) scripts/screenshots.py

bench: install-test
	bash bench/run_all.sh

drills: install-test
	bash bench/drills/run_all.sh

clean:
	rm -rf $(VENV) var node_modules .pytest_cache
