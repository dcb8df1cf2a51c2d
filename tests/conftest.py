"""Shared fixtures: the coder is loaded once per test session (the spaCy model takes a second)."""

from __future__ import annotations

import pytest

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
