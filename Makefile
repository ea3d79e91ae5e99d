# Everything needs only python3 (>= 3.11) and make: the first target that needs the
# virtual environment creates it and installs into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run test lint bench clean

$(INSTALLED): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python >= 3.11 is required ($(PYTHON) is older)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(INSTALLED)

run: $(INSTALLED)
	$(BIN)/python -m dev.server

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

# Cold start and per-request cost of the Lambda handlers against a floor (see bench/).
bench: $(INSTALLED)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# `sam build` (template.yaml: CodeUri ".", BuildMethod makefile) runs these in a copy of the
# repository with ARTIFACTS_DIR set; deploy/bundle.py packs api/, openapi.yaml and the
# pinned dependencies as wheels for Lambda's platform.
.PHONY: build-UsersFunction build-AssetsFunction api-definition
build-UsersFunction build-AssetsFunction:
	$(PYTHON) -m deploy.bundle "$(ARTIFACTS_DIR)"

# Regenerate the API definition in template.yaml after changing openapi.yaml.
api-definition: $(INSTALLED)
	$(BIN)/python -m deploy.api_definition
