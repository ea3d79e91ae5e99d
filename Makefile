# Everything needs only python3 (>= 3.11) and make: the first target that needs the
# virtual environment creates it and installs into it. With npm (Node.js >= 18) there too,
# `make test` also runs Spectral, the OpenAPI style linter.
PYTHON ?= python3
NPM ?= npm
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SPECTRAL := contract/node_modules/.installed
# `make run` and `make test` build the web client when npm is there (the browser tests skip
# without its build); `make web` itself needs npm.
WEB_IF_NPM := $(if $(shell command -v $(NPM) 2>/dev/null),web)

.PHONY: install run token test lint bench client contract clean web chromium ts

# The install reports on stderr, pip's progress included, so that what a target prints on
# stdout (`make token`'s one line) is all there is.
$(INSTALLED): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python >= 3.11 is required ($(PYTHON) is older)" >&2; exit 1; }
	@echo "Setting up $(VENV), once: the pinned dependencies of requirements-dev.txt, about 110" >&2
	@echo "packages (500 MB): the API's (Connexion, boto3, PynamoDB), then the local server's and" >&2
	@echo "the tests' (uvicorn, moto, pytest, Schemathesis, ruff, mypy). Roughly 4 minutes the" >&2
	@echo "first time, less with pip's cache; pip shows its progress below." >&2
	@$(PYTHON) -m venv $(VENV) >&2
	@$(BIN)/python -m pip install --upgrade pip >&2
	@$(BIN)/python -m pip install -r requirements-dev.txt >&2
	@touch $@
	@echo "$(VENV) is ready." >&2

install: $(INSTALLED)

# make run [RUNTIME=node: the TypeScript functions, built by `make ts`, behind the emulated
# API Gateway, on the same port, emulator and tables] [RELOAD=1: restart on code changes]
# [LOG_FORMAT=json: the JSON log lines]
RUNTIME ?= python
run: $(INSTALLED) $(WEB_IF_NPM) $(if $(filter node,$(RUNTIME)),ts)
	RUNTIME=$(RUNTIME) $(BIN)/python -m dev.server

# A bearer token the `make run` server of this checkout accepts, on one line:
# make token SUB=<subject> [ADMIN=1]
token: $(INSTALLED)
	@test -n "$(SUB)" || { echo "usage: make token SUB=<subject> [ADMIN=1]" >&2; exit 2; }
	@$(BIN)/python -m dev.token --sub "$(SUB)" $(if $(filter-out 0,$(ADMIN)),--admin)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

# Spectral from the npm registry, pinned by contract/package-lock.json.
$(SPECTRAL): contract/package.json contract/package-lock.json
	@if command -v $(NPM) >/dev/null 2>&1; then \
		$(NPM) ci --prefix contract --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the OpenAPI style lint (Spectral) will be skipped"; \
	fi

test: lint $(SPECTRAL) $(WEB_IF_NPM) chromium ts
	$(BIN)/python -m pytest

# The web client (web/): types from openapi.yaml, checked with tsc and bundled with esbuild
# into web/dist, static files that any web server serves; pinned by web/package-lock.json.
WEB_INSTALLED := web/node_modules/.installed
$(WEB_INSTALLED): web/package.json web/package-lock.json
	@command -v $(NPM) >/dev/null 2>&1 || { echo "npm (Node.js >= 18) is needed to build the web client" >&2; exit 1; }
	$(NPM) ci --prefix web --no-audit --no-fund --loglevel=error
	@touch $@

web: $(WEB_INSTALLED)
	@$(NPM) run --prefix web --silent build >&2

# Chromium from Debian's packages for the browser tests (tests/browser), installed when
# missing and root; Playwright drives it, and downloads no browser of its own.
chromium:
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null \
		|| DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
		|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@command -v chromium >/dev/null 2>&1 || echo "chromium is not installed: the browser tests will be skipped"

# The TypeScript functions (ts/): the pinned npm packages, then the build (routes, validators
# and types from openapi.yaml; the type check; dist/*-handler.js), installed again only when
# the lock changes. Skipped without npm.
ts:
	@if command -v $(NPM) >/dev/null 2>&1; then \
		{ [ ts/node_modules/.installed -nt ts/package-lock.json ] \
			|| { $(NPM) ci --prefix ts --no-audit --no-fund --loglevel=error && touch ts/node_modules/.installed; }; } \
		&& $(NPM) run --prefix ts --silent build; \
	else \
		echo "npm not found: the TypeScript functions (ts/) will not be built"; \
	fi

# The Python client generated from openapi.yaml, in clients/python (not committed).
client: $(INSTALLED)
	$(BIN)/python -m contract.client

# The contract suite against a running API, with an administrator's bearer token:
# make contract URL=http://127.0.0.1:8000 TOKEN=$(make -s token SUB=ci ADMIN=1)
contract: $(INSTALLED)
	@test -n "$(URL)" || { echo "usage: make contract URL=<base URL of a running API> TOKEN=<bearer token>"; exit 2; }
	$(BIN)/python -m contract "$(URL)" $(if $(TOKEN),--token "$(TOKEN)")

# Cold start and per-request cost of the Lambda handlers against two floors (see bench/), with
# instruction counts by Valgrind, installed here (Debian's package) when missing and root;
# and the TypeScript functions (make ts) beside them, where Node.js is.
bench: $(INSTALLED) ts
	@command -v valgrind >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null \
		|| apt-get install -y -qq valgrind >/dev/null 2>&1 \
		|| { apt-get update -qq && apt-get install -y -qq valgrind; } \
		|| echo "valgrind could not be installed: no instruction counts"
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build clients contract/node_modules web/node_modules web/build web/dist \
		ts/node_modules ts/dist ts/src/generated .pytest_cache .mypy_cache .ruff_cache \
		.hypothesis .schemathesis .import_linter_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# `sam build` (template.yaml: CodeUri ".", BuildMethod makefile) runs these in a copy of the
# repository with ARTIFACTS_DIR set; deploy/bundle.py packs api/, openapi.yaml and the
# pinned dependencies as wheels for Lambda's platform.
.PHONY: build-UsersFunction build-AssetsFunction api-definition
build-UsersFunction build-AssetsFunction:
	$(PYTHON) -m deploy.bundle "$(ARTIFACTS_DIR)"

# The TypeScript functions (Runtime nodejs): the bundle `make ts` builds with npm, one file
# per function, with the package.json that marks it CommonJS.
.PHONY: build-UsersNodeFunction build-AssetsNodeFunction
build-UsersNodeFunction: NODE_BUNDLE := users-handler.js
build-AssetsNodeFunction: NODE_BUNDLE := assets-handler.js
build-UsersNodeFunction build-AssetsNodeFunction: ts
	@test -f ts/dist/$(NODE_BUNDLE) || { echo "ts/dist/$(NODE_BUNDLE) was not built (npm is needed)" >&2; exit 1; }
	cp ts/dist/$(NODE_BUNDLE) ts/dist/package.json "$(ARTIFACTS_DIR)/"

# Regenerate the API definition in template.yaml after changing openapi.yaml.
api-definition: $(INSTALLED)
	$(BIN)/python -m deploy.api_definition
