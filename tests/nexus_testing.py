"""Helpers shared by the test modules (import as `from nexus_testing import ...`)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = ROOT / "tests" / "data"


def triples(events: list[dict], factuality: str | None = "asserted") -> set[tuple]:
    """(source country-or-code, target country-or-code, PLOVER type) of the events."""
    def key(a: dict | None) -> str | None:
        return None if a is None else (a.get("country") or a.get("code"))
    return {(key(e["source"]), key(e["target"]), e["plover"]["type"]) for e in events
            if factuality is None or e["factuality"] == factuality}
