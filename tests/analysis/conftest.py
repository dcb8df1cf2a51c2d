from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus.store import EventStore, open_store

# The corpus builders live beside the store tests; share them rather than copy them.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
from store_factory import corpus


@pytest.fixture
def store(store_location: str) -> Iterator[EventStore]:
    """An empty store on each backend (DuckDB, PostgreSQL)."""
    with open_store(store_location) as s:
        yield s


@pytest.fixture
def filled(store: EventStore) -> EventStore:
    store.write_many(corpus())
    return store
