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

install: $(BIN)/nexus

# Codes the bundled sample articles into ./nexus.duckdb and prints the strongest relationships.
demo: $(BIN)/nexus
	$(BIN)/nexus demo

test: $(BIN)/nexus
	$(BIN)/python -m pytest
