# Two entry points, both doing all the set-up on a fresh machine (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install

$(BIN)/nexus: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/nexus node_modules/world-atlas

# Map outlines (Natural Earth, via the world-atlas npm package) for the web pages; optional:
# without npm the map page says the outlines are missing and everything else works.
node_modules/world-atlas: package.json
	@if command -v npm >/dev/null 2>&1; then \
		npm install --no-audit --no-fund && touch $@ \
			|| echo "warning: npm install failed; the map page will have no outlines"; \
	else \
		echo "warning: npm not found; the map page will have no outlines (install Node.js and run 'make install')"; \
	fi

# Codes the bundled sample articles into ./nexus.duckdb and prints the strongest relationships.
demo: $(BIN)/nexus node_modules/world-atlas
	$(BIN)/nexus demo

test: $(BIN)/nexus node_modules/world-atlas
	$(BIN)/python -m pytest
