"""Shared fixtures: the coder is loaded once per test session (the spaCy model takes a second)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nexus import api
from nexus.api import code_text, default_coder


@pytest.fixture(scope="session")
def coder():
    return default_coder()


@pytest.fixture(scope="session")
def code():
    """code("text", date="2024-03-14") -> list of contract dicts."""
    def run(text: str, date: str | None = "2024-03-14") -> list[dict]:
        return [e.to_dict() for e in code_text(text, date=date)]
    return run


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample corpus ingested once into a DuckDB file; tests only read it."""
    location = tmp_path_factory.mktemp("store") / "sample.duckdb"
    result = api.ingest(api.sample_paths(), location)
    assert result.stats.added > 0
    return location


@pytest.fixture(scope="session")
def sample_texts(sample_store: Path) -> dict[str, str]:
    """doc_id -> stored document text."""
    with api.open(sample_store) as nx:
        df = nx.store.query("SELECT doc_id, text FROM documents")
    return dict(zip(df["doc_id"], df["text"]))
