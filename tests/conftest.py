"""Shared fixtures: the coder is loaded once per test session (the spaCy model takes a second);
store backends (DuckDB, and PostgreSQL where there is one: see backends.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import BACKENDS, Server, start_server

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


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    """The PostgreSQL server of this test session; its tests skip, saying why, without one."""
    server, why = start_server()
    if server is None:
        pytest.skip(f"PostgreSQL tests skipped: {why}")
    yield server
    server.close()


@pytest.fixture
def pg_url(postgres: Server) -> Iterator[str]:
    """A store location on PostgreSQL: a URL whose tables go to a fresh schema."""
    url = postgres.new_schema()
    yield url
    postgres.drop_schema(url)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each backend in turn: "duckdb", "postgresql"."""
    return str(request.param)


@pytest.fixture
def store_location(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A new, empty store location on each backend: a DuckDB file, a PostgreSQL schema."""
    if backend == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    return str(tmp_path / "nexus.duckdb")
