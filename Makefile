# The newcomer path: `make demo` and `make test` each build .venv from scratch if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo lab test bench bench-mlflow bench-evidently bench-nannyml lint clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python example_notebooks/demo.py

# JupyterLab on the demo store, in a workspace of its own (under .demo/) with the MLOps panel open.
LAB_ENV := JUPYTERLAB_WORKSPACES_DIR=$(CURDIR)/.demo/workspaces JUPYTER_MLOPS_HOME=$(CURDIR)/.demo/store
lab: $(STAMP)
	$(LAB_ENV) $(BIN)/jupyter lab workspaces import example_notebooks/demo.jupyterlab-workspace
	$(LAB_ENV) $(BIN)/jupyter lab --notebook-dir=example_notebooks \
		--LabApp.default_url=/lab/workspaces/mlops-demo $(if $(filter 0,$(shell id -u)),--allow-root)

test: lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m tests.bench --write docs/benchmarks.md

# The checks, fastest first: style, the layers (import-linter contracts in pyproject.toml),
# types (mypy, strict on store/ and capture/), then the sidebar's eslint and prettier.
lint: $(STAMP)
	$(BIN)/python -m ruff check jupyter_mlops tests example_notebooks docs
	PYTHONPATH=$(CURDIR) $(BIN)/lint-imports
	$(BIN)/python -m mypy
	cd labextension && { test -d node_modules || $(CURDIR)/$(BIN)/jlpm install --immutable; } \
		&& $(CURDIR)/$(BIN)/jlpm run lint:check

clean:
	rm -rf $(VENV) .demo build dist

# MLflow in its own venv (it pins its own pandas); bench_log_metric compares against it.
bench-mlflow:
	@test -x .venv-mlflow/bin/python || $(PYTHON) -m venv .venv-mlflow
	.venv-mlflow/bin/python -m pip install --quiet mlflow

# Evidently in its own venv (it needs pandas < 3); bench_drift compares against it.
bench-evidently:
	@test -x .venv-evidently/bin/python || $(PYTHON) -m venv .venv-evidently
	.venv-evidently/bin/python -m pip install --quiet "evidently>=0.7,<0.8" "pandas<3"

# NannyML in its own venv (it needs an older pandas); bench_performance compares its CBPE.
bench-nannyml:
	@test -x .venv-nannyml/bin/python || $(PYTHON) -m venv .venv-nannyml
	.venv-nannyml/bin/python -m pip install --quiet "nannyml>=0.13,<0.14" statsmodels
