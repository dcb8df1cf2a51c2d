"""Fixtures for the Python API tests: the sample corpus ingested once into a DuckDB file."""

from __future__ import annotations

from pathlib import Path

import pytest

from nexus import api


@pytest.fixture(scope="session")
def api_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    location = tmp_path_factory.mktemp("api-store") / "sample.duckdb"
    result = api.ingest(api.sample_paths(), location)
    assert result.stats.added > 0
    return location


@pytest.fixture(scope="session")
def api_texts(api_store: Path) -> dict[str, str]:
    with api.open(api_store) as nx:
        df = nx.store.query("SELECT doc_id, text FROM documents")
    return dict(zip(df["doc_id"], df["text"]))
