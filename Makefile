# Shopwright developer commands. Needs GNU make and python3 (3.11+); `make help` lists them.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
ARGS ?=

# Installing is re-done only when pyproject.toml changes (the stamps live inside the venv).
STAMP := $(VENV)/.installed
STAMP_TEST := $(VENV)/.installed-test

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install install-test run test lint fmt bench

help:
	@echo "make run           migrate, seed demo data and serve http://$(HOST):$(PORT) (DEBUG on)"
	@echo "make test          the whole suite: SQLite + browser, then PostgreSQL + Redis + Celery"
	@echo "                   (extra pytest arguments: make test ARGS='-x -k locations')"
	@echo "make lint / fmt    ruff check + format check / apply ruff format and fixes"
	@echo "make bench         run the benchmarks in bench/ (not part of make test)"
	@echo "make install       create $(VENV) and install the app; install-test adds test tools"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --progress-bar off -e .
	@touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --progress-bar off -e ".[test]"
	@touch $@ $(STAMP)

install: $(STAMP)
install-test: $(STAMP_TEST)

run: $(STAMP)
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	@echo
	@echo "  ================================================================"
	@echo "   Shopwright is starting at  http://$(HOST):$(PORT)"
	@echo "   API: http://$(HOST):$(PORT)/api/   docs: http://$(HOST):$(PORT)/api/docs/"
	@echo
	@echo "   Demo users, all with the password  shopwright-demo"
	@echo "     admin      Main Plant   admin (also Django superuser)"
	@echo "     manager    Main Plant   manager"
	@echo "     tech       Main Plant   technician"
	@echo "     manager2   North Plant  manager"
	@echo "     tech2      North Plant  technician"
	@echo "  ================================================================"
	@echo
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP_TEST)
	VENV=$(VENV) bash scripts/test.sh $(ARGS)

lint: $(STAMP_TEST)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP_TEST)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP_TEST)
	@if [ -f bench/run.py ]; then \
		$(BIN)/python bench/run.py $(ARGS); \
	else \
		echo "No benchmarks yet (bench/run.py does not exist)."; \
	fi
