# The verbs people use. `make demo` and `make test` set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

NODE_TOOLS := scripts/node/node_modules/.installed

.PHONY: setup system demo test test-fast lint bench screenshots clean

setup: system $(VENV)/.installed $(NODE_TOOLS)

system:
	bash scripts/setup-system.sh

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# DAISY Ace and axe-core for the reading checks, pinned by the lock file. They drive the
# system Chromium: no browser is downloaded, and no install script runs.
$(NODE_TOOLS): scripts/node/package.json scripts/node/package-lock.json
	cd scripts/node && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

demo: setup
	$(BIN)/briefpress build examples/ -o output/

test: setup
	$(BIN)/python -m pytest

# the quick subset (under 30 s): no WeasyPrint layouts, EPUBCheck, Chromium or Ace
test-fast: setup
	$(BIN)/python -m pytest -m "not slow"

bench: setup
	$(BIN)/python bench/run.py

# the README's pictures: the reading page (phone and desktop) in Debian's Chromium, a handout page
screenshots: setup
	$(BIN)/python scripts/screenshots.py

lint: setup
	$(BIN)/python -m ruff check src tests bench scripts
	$(BIN)/python -m ruff format --check src tests bench scripts
	$(BIN)/python -m mypy

clean:
	rm -rf $(VENV) build dist .pytest_cache scripts/node/node_modules
	find output -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
