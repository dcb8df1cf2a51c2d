"""Fixtures for the dataset importers: a fresh store and a problem collector."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus.documents import ReadProblem
from nexus.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "imports.duckdb") as s:
        yield s


@pytest.fixture
def problems() -> list[ReadProblem]:
    """Pass `problems.append` as on_problem; the test reads what was reported."""
    return []
