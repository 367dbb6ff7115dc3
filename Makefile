# Heel recovery tracker. `make run` and `make test` are all a newcomer needs (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint lock install system-deps serve migrate demo bench clean help

help:
	@echo "make run    install, migrate the SQLite database, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test   install what the tests need and run the whole suite, with coverage"
	@echo "make lint   ruff (lint, format), mypy, django-upgrade, and a check for missing migrations"
	@echo "make lock   regenerate requirements.lock from requirements.txt and requirements-dev.txt"
	@echo "make serve  production-style: collectstatic and gunicorn with DEBUG off (needs SECRET_KEY)"
	@echo "make bench  the scale benchmark on local PostgreSQL: pages at 90 and 365 days, then the load test"

# Python packages come from requirements.lock: every package, pinned, with its hashes (pip refuses a file whose
# hash differs). requirements.txt and requirements-dev.txt are the human-edited inputs; `make lock` compiles
# them. pip-sync then removes whatever the lock no longer lists, so the venv is exactly the lock.
$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements.lock
	$(VENV)/bin/pip-sync --quiet requirements.lock
	touch $@

# Regenerate the lock after editing a pin in requirements*.txt. Transitive packages keep their locked versions
# unless a pin needs others; `make lock LOCK_ARGS=--upgrade` moves them all to the newest allowed.
LOCK_ARGS ?=
lock: $(VENV)/.installed
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
	  --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS) \
	  --output-file requirements.lock requirements-dev.txt
	$(MAKE) --no-print-directory install

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed system-deps

# System libraries: Pango for WeasyPrint's PDF reports, Chromium for the browser tests.
# Installed with apt-get when running as root on Debian; otherwise the command to run is printed.
system-deps:
	@missing=""; \
	ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"; \
	[ -x "$${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing system packages:$$missing (install them: sudo apt-get install$$missing)"; \
	  fi; \
	fi

migrate: install
	DEBUG=true $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=true $(PY) manage.py seed_demo

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ (stop with Ctrl-C)"
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite with coverage of tracker/ and recovery/ (configured in pyproject.toml): files not wholly
# covered are listed with their missing lines, and the run fails below [tool.coverage.report] fail_under.
# Plain `.venv/bin/pytest` (one file, one test) measures nothing and has no floor.
test: install
	$(VENV)/bin/pytest --cov --cov-report=term-missing:skip-covered

# Every check runs (make -k) and any finding fails the target. mypy and makemigrations import the settings,
# which refuse to start with DEBUG off and no SECRET_KEY: they get a placeholder key, never a real one, and an
# in-memory database so that nothing is written.
LINT_ENV := SECRET_KEY=lint-only-not-a-secret DEBUG=false DATABASE_URL=sqlite://:memory:
LINT_CHECKS := lint-ruff lint-format lint-mypy lint-django-upgrade lint-migrations
.PHONY: $(LINT_CHECKS)
lint: install
	@$(MAKE) --no-print-directory -k $(LINT_CHECKS)

lint-ruff:
	$(VENV)/bin/ruff check .

lint-format:
	$(VENV)/bin/ruff format --check .

lint-mypy:
	$(LINT_ENV) $(VENV)/bin/mypy

# django-upgrade only rewrites files in place: it runs on a copy of the Python files and fails if it would
# rewrite any (it names them). Fix with `.venv/bin/django-upgrade --target-version 5.2 FILE...`.
lint-django-upgrade:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	git ls-files -z --cached --others --exclude-standard -- '*.py' | xargs -0 cp --parents -t "$$tmp" && \
	cd "$$tmp" && find . -name '*.py' -print0 | sort -z | xargs -0 "$(CURDIR)/$(VENV)/bin/django-upgrade" --target-version 5.2 \
	&& echo "django-upgrade: nothing to rewrite for Django 5.2"

lint-migrations:
	$(LINT_ENV) $(PY) manage.py makemigrations --check --dry-run

# Production-style serving: DEBUG off, static files compressed by WhiteNoise, gunicorn.
serve: install
	@test -n "$$SECRET_KEY" || { echo "Set SECRET_KEY (and ALLOWED_HOSTS) first: see README.md"; exit 1; }
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py migrate --noinput
	$(VENV)/bin/gunicorn recovery.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3} --access-logfile -

# The scale benchmark (README "Benchmarks"): builds heel_scale (1,000 patients x 365 days) and heel_scale_90 on the
# local PostgreSQL if missing, times every page on both, then runs the load test. BENCH_ARGS="--rounds 3" etc.
BENCH_ARGS ?=
bench: install
	$(PY) scripts/bench_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles test-results .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.* htmlcov
