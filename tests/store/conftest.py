from __future__ import annotations

from collections.abc import Iterator

import pytest
from store_factory import corpus

from nexus.coded import CodedDocument
from nexus.store import Store


@pytest.fixture
def docs() -> list[CodedDocument]:
    return corpus()


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open(":memory:") as s:
        yield s


@pytest.fixture
def filled(store: Store, docs: list[CodedDocument]) -> Store:
    store.write_many(docs)
    return store
