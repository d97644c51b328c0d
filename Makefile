# The two commands of the README. Each creates .venv/ (python3 -m venv + pip) when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck bench suite-loop clean chromium translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q domain workflows activities store api cli i18n
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/studyflow demo

# The browser tests drive Debian's Chromium; install it once when we may (root), never a
# browser download at run time.
chromium:
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# the linter and the type checker first: either failing fails the target (and CI)
test: lint typecheck chromium
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/append.py
	$(BIN)/python bench/lifecycle.py
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/reports.py
	$(BIN)/python bench/consent.py
	$(BIN)/python bench/replay.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/import.py

# new strings of the code and templates into both catalogues (i18n/locales), stale ones out;
# then fill the French msgstr (tests/test_i18n.py names what is missing)
translations: $(STAMP)
	$(BIN)/python -m i18n.extract

# `make test` RUNS times in a row from a fresh clone of HEAD, two CPU-bound processes beside it
RUNS ?= 10
suite-loop: $(STAMP)
	$(BIN)/python bench/suite_loop.py --runs $(RUNS) --burners 2

clean:
	rm -rf $(VENV) .studyflow
