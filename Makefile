# intsim — two commands do everything on a fresh clone: `make run` and `make test`.
SHELL := /bin/sh
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SCENARIO ?= configs/default.yaml
PYTEST_ARGS ?=

.PHONY: run test test-slow test-all bench docs lint format calibrate validate params baselines clean clean-kernels venv browser

$(STAMP): pyproject.toml
	@PYBIN=$$(sh tools/find_python.sh) || exit 1; \
	  if [ ! -x $(PY) ]; then echo "creating $(VENV) with $$PYBIN"; "$$PYBIN" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev,docs]"
	@touch $(STAMP)

venv: $(STAMP)

## run: set up, run the default scenario and print its summary table
run: $(STAMP)
	$(VENV)/bin/intsim run $(SCENARIO)

## test: set up, then the default (fast) test suite
test: $(STAMP)
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

## test-slow: only the tests marked slow (full-size engine docking)
test-slow: $(STAMP)
	$(PY) -m pytest -m slow $(PYTEST_ARGS)

## test-all: every test, including those marked slow
test-all: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

## bench: speed benchmarks (one JSON line per benchmark)
bench: $(STAMP)
	$(PY) benchmarks/run.py

## calibrate: run the calibration targets and write results/calibration/targets.csv
calibrate: $(STAMP)
	$(PY) experiments/calibration.py

## validate: out-of-sample validation W1-W7 (replicated studies), results/validation/targets.csv
validate: $(STAMP)
	$(PY) experiments/validation.py

## baselines: rewrite tests/baselines/regression.json (only when a change of results is intended)
baselines: $(STAMP)
	$(PY) tests/regression_cases.py --update

## params: print the parameter table (markdown)
params: $(STAMP)
	$(VENV)/bin/intsim params

## browser: headless Chromium for the report print tests (Debian/Ubuntu; apt needs root)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }
	@chromium --version 2>/dev/null

## docs: regenerate docs/parameters.md and docs/reference/cli.md, then build the site into site/
docs: $(STAMP)
	$(PY) -c "import pathlib, re; from intsim.params import markdown_table; \
	p = pathlib.Path('docs/parameters.md'); head = p.read_text().split('| Parameter |')[0]; \
	p.write_text(head + markdown_table())"
	$(PY) tools/gen_cli_reference.py
	$(VENV)/bin/mkdocs build --strict --site-dir site

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) results site .pytest_cache

## clean-kernels: drop numba's cached machine code (numba re-checks only the file a kernel is
## defined in, so after editing intsim/sim/kernels/codes.py or rng.py a kernel elsewhere in the
## package may still run its cached code; docs/decisions/0064-bare-numbers-become-parameters.md)
clean-kernels:
	find src -name '*.nbi' -delete -o -name '*.nbc' -delete
