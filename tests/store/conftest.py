from __future__ import annotations

from collections.abc import Iterator

import pytest
from store_factory import corpus

from nexus.coded import CodedDocument
from nexus.store import EventStore, open_store


@pytest.fixture
def docs() -> list[CodedDocument]:
    return corpus()


@pytest.fixture
def store(store_location: str) -> Iterator[EventStore]:
    """An empty store on each backend (DuckDB, PostgreSQL)."""
    with open_store(store_location) as s:
        yield s


@pytest.fixture
def filled(store: EventStore, docs: list[CodedDocument]) -> EventStore:
    store.write_many(docs)
    return store


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The fault-injection figures (kills, documents checked), when those tests ran."""
    from fault_report import lines

    if found := lines():
        terminalreporter.section("fault injection")
        for line in found:
            terminalreporter.write_line(line)
