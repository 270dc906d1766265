# The README's two commands: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
.DEFAULT_GOAL := help

APP_PY  := .venv/bin/python
BOT_PY  := .venv-bot/bin/python
PYTHON311 ?= $(shell command -v python3.11 2>/dev/null)
PYTHON310 ?= $(shell (python3.10 --version >/dev/null 2>&1 && command -v python3.10) || ls -d $$(pyenv root 2>/dev/null)/versions/3.10*/bin/python3.10 2>/dev/null | tail -1)
TTHC_DIR ?= ../shared/data/tthc
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
# The app defaults to production; the README's two commands run the development demo.
HELPDESK_MODE ?= development
export HELPDESK_MODE

.PHONY: help run run-prod prod-deps test setup envs db index model import-tthc eval train-ranker bench purge lint test-unit test-rasa test-e2e chromium clean

help:
	@echo "make run          start the whole product on http://127.0.0.1:8000/ (both processes)"
	@echo "make run-prod     the production topology on this machine: nginx, 2 app workers, 2 Rasa servers, PostgreSQL, Redis"
	@echo "make test         run every test tier"
	@echo "make import-tthc  import the national procedure records ($(TTHC_DIR))"
	@echo "make eval         retrieval evaluation: team validation split and dev set (docs/benchmarks.md)"
	@echo "make train-ranker retrain the reranker and verdict (data/models/ranker.json)"
	@echo "make bench        benchmarks (docs/benchmarks.md)"
	@echo "make purge        delete what is past its retention period (docs/privacy.md)"

run: setup
	scripts/run.sh

# nginx in front of 2 app workers and 2 Rasa servers, PostgreSQL and Redis on 127.0.0.1 (docs/architecture.md).
run-prod: setup prod-deps
	scripts/run_prod.sh

setup: envs db index model

envs: .venv/.installed .venv-bot/.installed

# App env: Python 3.11; torch from the CPU wheel on disk first, then the project.
.venv/.installed: pyproject.toml
	@test -n "$(PYTHON311)" || { echo "Python 3.11 is required for the app (python3.11 not found on PATH)"; exit 1; }
	test -x $(APP_PY) || $(PYTHON311) -m venv .venv
	$(APP_PY) -m pip install -q --upgrade pip
	$(APP_PY) -m pip install -q torch==2.13.0
	$(APP_PY) -m pip install -q -e '.[dev]'
	touch $@

# Bot env: Python 3.10 with only Rasa (it pins old pydantic/SQLAlchemy/numpy).
.venv-bot/.installed: bot/requirements.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 is required for Rasa 3.6: install it (e.g. 'pyenv install 3.10') or set PYTHON310=/path/to/python3.10"; exit 1; }
	test -x $(BOT_PY) || $(PYTHON310) -m venv .venv-bot
	$(BOT_PY) -m pip install -q --upgrade pip
	$(BOT_PY) -m pip install -q -r bot/requirements.txt
	touch $@

db: envs
	$(APP_PY) -m api migrate
	$(APP_PY) -m api seed-demo

# Retention (docs/privacy.md); the app also purges on its own every HELPDESK_RETENTION__EVERY_HOURS.
purge: envs
	$(APP_PY) -m api purge

# Curated guides seed the DB once (a changed file goes to review), then the index re-indexes only what changed.
index: db
	$(APP_PY) -m knowledge load-guides
	$(APP_PY) -m knowledge build-index --if-changed

model: envs
	scripts/train_bot.sh >/dev/null

import-tthc: db
	$(APP_PY) -m knowledge import-tthc $(TTHC_DIR)
	$(APP_PY) -m knowledge build-index --if-changed

chromium:
	@command -v chromium >/dev/null || { echo "installing Debian chromium for the browser tests"; apt-get install -y -q chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium >/dev/null); }

# Debian's nginx (and redis-server: the topology test starts a private one) for run-prod and tests/e2e/test_topology.py.
prod-deps:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { echo "installing Debian nginx for run-prod and the topology test"; apt-get install -y -q nginx >/dev/null || (apt-get update -q && apt-get install -y -q nginx >/dev/null); }
	@command -v redis-server >/dev/null || { echo "installing Debian redis-server for the topology test"; apt-get install -y -q redis-server >/dev/null || (apt-get update -q && apt-get install -y -q redis-server >/dev/null); }

lint: envs
	.venv/bin/ruff check .
	.venv/bin/ruff format --check knowledge actions api db

test: setup chromium prod-deps lint test-unit test-rasa test-e2e

test-unit:
	.venv/bin/pytest -m "not e2e" -q

test-rasa: model
	scripts/test_bot.sh

test-e2e:
	.venv/bin/pytest -m e2e -q

# Retrieval quality with the national records imported: the team's validation split, then the dev set (a check, never tuned on).
EVAL_DB ?= sqlite:///var/helpdesk.db
eval: import-tthc
	$(APP_PY) -m knowledge.eval data/eval/team/*.jsonl --split validation --database-url $(EVAL_DB)
	$(APP_PY) -m knowledge.eval ../shared/data/eval/dev_questions.jsonl $(wildcard data/eval/en_questions*.jsonl) --database-url $(EVAL_DB)

# Retrain the reranker and verdict (data/models/ranker.json) on the team's train split; thresholds on validation.
train-ranker: import-tthc
	$(APP_PY) -m knowledge.train --database-url $(EVAL_DB)

bench: envs
	$(APP_PY) bench/retrieval.py

clean:
	rm -rf var
