"""Fixtures and helpers for the HTTP API tests: an app over a copy of the sample store, on each
backend (a DuckDB file; a PostgreSQL schema where there is a server, see tests/backends.py).

Imported by the test_api_* modules (pytest puts this folder on sys.path); each module gets
its own app over its own copy, so upload tests never change what the read tests see.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from backends import BACKENDS, copy_tables
from fastapi.testclient import TestClient

from nexus.server import create_app
from nexus.store import Store

#: Values that would do harm if formatted into SQL or a LIKE pattern.
INJECTIONS = ["'; DROP TABLE events; --", "%", "_", "' OR '1'='1", "\\", '"; DELETE FROM documents; --']


def copy_store(sample_store: Path, folder: Path) -> Path:
    target = folder / "api.duckdb"
    shutil.copy(sample_store, target)
    return target


@contextlib.contextmanager
def sample_copy(request: pytest.FixtureRequest, sample_store: Path, folder: Path) -> Iterator[str]:
    """A private copy of the sample store on the backend the fixture is parametrised with
    (`request.param`; DuckDB where it is not): a file in `folder`, or a PostgreSQL schema."""
    if getattr(request, "param", "duckdb") != "postgresql":
        yield str(copy_store(sample_store, folder))
        return
    server = request.getfixturevalue("postgres")
    url = server.new_schema()
    try:
        yield copy_tables(sample_store, url)
    finally:
        server.drop_schema(url)


@pytest.fixture(scope="module", params=BACKENDS)
def client(request: pytest.FixtureRequest, sample_store: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client of an app over a private copy of the sample store, on each backend; server
    errors come back as 500 responses (not exceptions), so tests can assert that none happens."""
    with sample_copy(request, sample_store, tmp_path_factory.mktemp("api")) as location:
        yield from _client(location)


def _client(location: str) -> Iterator[TestClient]:
    app = create_app(location)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    app.state.holder.close()


@pytest.fixture
def db(client: TestClient) -> Iterator[Store]:
    """A cursor on the app's own store, to check answers against."""
    cursor = client.app.state.holder.store.cursor()  # type: ignore[attr-defined]
    yield cursor
    cursor.close()


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def json_error(response: httpx.Response, status: int | tuple[int, ...] = 422) -> Any:
    """A 4xx answer with a JSON body carrying `detail`."""
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["detail"]
    return body


def scalar(store: Store, sql: str, params: list[Any] | None = None) -> Any:
    row = store.execute(sql, params or []).fetchone()
    assert row is not None
    return row[0]


def table_counts(store: Store) -> dict[str, int]:
    return {t: scalar(store, f"SELECT count(*) FROM {t}")
            for t in ("documents", "blocks", "sentences", "mentions", "events")}
