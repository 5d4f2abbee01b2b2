# Two entry points that work on a fresh machine:
#   make report   set up .venv (pinned packages) and build report/report.html and report.pdf
#   make test     set up .venv and run the test suite
#   make test-fast  the tests that run no workflow build (unit and property tests, under two minutes)
#   make plan     the jobs a `make report` would run, why, and about how long it would take
#   make diff     what changed between the last two report builds (history/)
#   make lint     ruff, snakefmt and snakemake --lint: fails on any finding (CI runs it)
# ARGS adds Snakemake arguments to report, smoke and plan, e.g. ARGS="--configfile my.yaml".
PYTHON ?= python3
VENV   ?= .venv
# CORES=N gives Snakemake N cores; unset, the tools use mnistflow.config.REPORT_CORES.
CORES  ?=
BIN     = $(VENV)/bin
# The data directory: MNIST_DIR if set, else ../shared/data/mnist when it exists beside the
# checkout; with neither (and no data.dir in the config) Keras downloads MNIST.
MNIST_DIR ?= $(abspath $(wildcard ../shared/data/mnist))
export MNIST_DIR

ARGS   ?=
# pytest-xdist workers for make test and test-fast (0: one process, as plain `pytest` runs); a test file
# runs on one worker, the longest files first, and the session's shared builds are made once
# (tests/conftest.py: LONG_FILES, shared_build).
TEST_WORKERS ?= 2
TESTARGS = -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

.PHONY: venv report test test-fast smoke plan diff lint format clean bench bench-build
venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

report: venv
	$(BIN)/python tools/build.py report $(if $(CORES),--cores $(CORES)) $(ARGS)

smoke: venv
	$(BIN)/python tools/build.py report $(if $(CORES),--cores $(CORES)) --configfile config/smoke.yaml $(ARGS)

plan: venv
	$(BIN)/python tools/plan.py report $(if $(CORES),--cores $(CORES)) $(ARGS)

diff: venv
	$(BIN)/python tools/diff.py $(ARGS)

test: venv
	$(BIN)/python -m pytest $(TESTARGS)

test-fast: venv
	MNISTFLOW_TEST_FAST=1 $(BIN)/python -m pytest $(TESTARGS) -m "not workflow"

bench: venv
	$(BIN)/python bench/run.py

bench-build: venv
	$(BIN)/python bench/full_build.py $(if $(CORES),--cores $(CORES))

# Fails on any formatting or lint finding (CI runs it before the tests); `make format` fixes formatting.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/snakemake --lint

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/snakefmt Snakefile workflow/rules

clean:
	rm -rf results report logs .snakemake .cache
