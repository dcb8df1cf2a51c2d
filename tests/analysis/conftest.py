from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus.store import Store

# The corpus builders live beside the store tests; share them rather than copy them.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
from store_factory import corpus


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open(":memory:") as s:
        yield s


@pytest.fixture
def filled(store: Store) -> Store:
    store.write_many(corpus())
    return store
