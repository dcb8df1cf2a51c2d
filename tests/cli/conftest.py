"""Fixtures for the command-line tests: a CliRunner, news-like texts, a sample store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import NEWS
from typer.testing import CliRunner

from nexus import api

NEXUS_BIN = Path(sys.executable).parent / "nexus"


@pytest.fixture
def runner() -> CliRunner:
    # Click >= 8.2 keeps stderr apart (result.stdout / result.stderr); a wide, fixed console
    # width keeps rich tables and messages from depending on the terminal running pytest.
    return CliRunner(env={"COLUMNS": "250"})


@pytest.fixture
def news_file(tmp_path: Path) -> Path:
    path = tmp_path / "drones-2024.txt"
    path.write_text(NEWS, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample corpus ingested once into a DuckDB file; tests only read it."""
    location = tmp_path_factory.mktemp("store") / "sample.duckdb"
    api.ingest(api.sample_paths(), location)
    return location


@pytest.fixture(scope="session")
def sample_texts(sample_store: Path) -> dict[str, str]:
    """doc_id -> stored document text."""
    with api.open(sample_store) as nx:
        df = nx.store.query("SELECT doc_id, text FROM documents")
    return dict(zip(df["doc_id"], df["text"]))


@pytest.fixture
def nexus_bin() -> Iterator[Path]:
    if not NEXUS_BIN.exists():
        pytest.skip(f"console script not installed at {NEXUS_BIN}")
    yield NEXUS_BIN
