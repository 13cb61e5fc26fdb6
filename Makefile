# polmon: `make run` (the main job on the embedded SQLite default), `make test` (the suite),
# `make lock` (refresh the locked dependencies in requirements/), `make upgrade-ytdlp`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
# Locked, hashed, exact: what a fresh machine installs is what the suite was run with.
RUN_LOCK := requirements/run.lock
TEST_LOCK := requirements/test.lock
LOCKED := $(PIP) install --no-deps --require-hashes
# openai-whisper (test extra) needs torch: the locks leave it out (its dependencies are locked)
# and it is installed on its own with this pin (where the machine carries its CPU wheel, pip
# takes that one rather than the several-GB CUDA build).
TORCH := torch==2.13.0
UV := uv==0.13.9
COMPILE = $(BIN)/uv pip compile pyproject.toml requirements/build.in --universal \
	--python-version 3.11 --generate-hashes --override requirements/overrides.txt --quiet
CONFIG := demo-output/polmon.toml
# The suite on two workers per core (at most eight: each holds its own databases and models).
# Many tests wait on real processes, servers and browsers, so one worker per core leaves a
# quarter of the CPU idle; a module marked `xdist_group` stays on one worker, so its module
# fixture is built once. `make test PYTEST_PARALLEL=` runs it in one process.
PYTEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(min(8, 2 * (os.cpu_count() or 1)))')
PYTEST_PARALLEL ?= -n $(PYTEST_WORKERS) --dist loadgroup

.PHONY: run test lint typecheck install install-test lock upgrade-ytdlp clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The main job's dependencies only; the test tools and torch come with `make test`.
$(VENV)/.run-installed: $(RUN_LOCK) pyproject.toml | $(BIN)/python
	@echo "Installing polmon's locked dependencies into $(VENV) (a few minutes the first time)…"
	$(LOCKED) --progress-bar on -r $(RUN_LOCK)
	$(PIP) install --no-deps --no-build-isolation --quiet -e .
	touch $@

$(VENV)/.test-installed: $(TEST_LOCK) pyproject.toml | $(BIN)/python
	@echo "Installing the locked test dependencies and $(TORCH) (CPU) into $(VENV)…"
	$(LOCKED) --progress-bar on -r $(TEST_LOCK)
	$(PIP) install --no-deps --progress-bar on "$(TORCH)"
	$(PIP) install --no-deps --no-build-isolation --quiet -e .
	touch $@ $(VENV)/.run-installed

install: $(VENV)/.run-installed

install-test: $(VENV)/.test-installed

run: $(VENV)/.run-installed
	$(BIN)/polmon demo
	@echo
	@echo "Next: source $(VENV)/bin/activate, then for example"
	@echo "  polmon --config $(CONFIG) hits"
	@echo "  polmon --config $(CONFIG) posts"

# mypy checks the types while the suite runs (it fits in the CPU the suite leaves idle); its
# report is printed after the suite's, and either failing fails the target. Bytecode caches are
# written even where the shell sets PYTHONDONTWRITEBYTECODE (git ignores __pycache__): a second
# run then skips compiling and rewriting the test modules, about 4 s of CPU per worker.
test: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@echo "$(BIN)/mypy (beside the suite) && $(BIN)/python -m pytest -q $(PYTEST_PARALLEL)"
	@$(BIN)/mypy >$(VENV)/mypy.log 2>&1 & mypy=$$!; \
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q $(PYTEST_PARALLEL); tests=$$?; \
	wait $$mypy; types=$$?; echo "mypy:"; cat $(VENV)/mypy.log; \
	test $$tests -eq 0 && test $$types -eq 0

lint: $(VENV)/.test-installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy

# Re-resolve every dependency to its newest allowed release and write both locks.
lock: | $(BIN)/python
	$(PIP) install --quiet "$(UV)"
	$(COMPILE) --extra demo -o $(RUN_LOCK)
	$(COMPILE) requirements/torch-deps.in --extra demo --extra test --extra openai-whisper \
		-o $(TEST_LOCK)

# yt-dlp alone, to its newest release, when a platform changed and the locked one broke.
upgrade-ytdlp: $(VENV)/.run-installed
	$(PIP) install --upgrade yt-dlp
	$(BIN)/polmon doctor

clean:
	rm -rf $(VENV) data demo-output .pytest_cache .mypy_cache .ruff_cache
