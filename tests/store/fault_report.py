"""What the fault-injection tests did (kills, documents checked), printed in pytest's terminal
summary by conftest.py so a run's figures can be quoted. Plain module: the tests and the
conftest import the same one."""

from __future__ import annotations

#: test name -> figure -> count
COUNTS: dict[str, dict[str, int]] = {}


def record(test: str, **figures: int) -> None:
    COUNTS[test] = dict(figures)
    print(f"fault injection, {test}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))


def lines() -> list[str]:
    out = [f"{test}: " + ", ".join(f"{k} {v}" for k, v in figures.items())
           for test, figures in COUNTS.items()]
    if len(COUNTS) > 1:
        kills = sum(f.get("kills", 0) for f in COUNTS.values())
        checked = sum(f.get("documents_checked", 0) for f in COUNTS.values())
        out.append(f"total: {kills} kills, {checked} documents checked after them")
    return out
