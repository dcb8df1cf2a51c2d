"""Fixtures for the command-line tests: a CliRunner, news-like texts, a sample store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import NEWS
from typer.testing import CliRunner


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




@pytest.fixture
def nexus_bin() -> Iterator[Path]:
    if not NEXUS_BIN.exists():
        pytest.skip(f"console script not installed at {NEXUS_BIN}")
    yield NEXUS_BIN
