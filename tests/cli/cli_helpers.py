"""Small checks shared by the command-line tests."""

from __future__ import annotations

import json
import re

#: A short news item with events of several kinds (asserted aid, a sanction, a condemnation).
NEWS = (
    "Drone deliveries draw new sanctions\n\n"
    "Russia supplied Iran with drones in 2022. "
    "The United States imposed sanctions on Iran on Wednesday, officials said.\n\n"
    "China condemned Japan on Tuesday over the release of treated water from the Fukushima plant.\n"
)

CONTRACT_FIELDS = ("event_id", "doc_id", "sentence", "offsets", "trigger", "source", "target", "plover",
                   "cameo", "factuality", "attribution", "date", "location", "confidence")
PLOVER_TYPES = frozenset("AGREE CONSULT SUPPORT CONCEDE COOPERATE AID RETREAT REQUEST ACCUSE REJECT "
                         "THREATEN PROTEST SANCTION MOBILIZE COERCE ASSAULT".split())
FACTUALITIES = frozenset({"asserted", "negated", "hypothetical", "future", "alleged"})


def flat(text: str) -> str:
    """`text` without any whitespace: rich may wrap long messages, so compare it this way."""
    return re.sub(r"\s+", "", text)


def mentions(stderr: str, *parts: str) -> bool:
    """Whether stderr carries every part (paths, line numbers, words), wrapping aside."""
    f = flat(stderr)
    return all(flat(str(p)) in f for p in parts)


def events_from(stdout: str) -> list[dict]:
    """Every stdout line as JSON; fails on any line that is not a JSON object."""
    events = []
    for number, line in enumerate(stdout.splitlines(), 1):
        assert line.strip(), f"blank line {number} on stdout"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:  # pragma: no cover - the failure message is the point
            raise AssertionError(f"stdout line {number} is not JSON ({err}): {line[:200]!r}") from None
        assert isinstance(obj, dict), f"stdout line {number} is not a JSON object"
        events.append(obj)
    return events


def check_contract(e: dict) -> None:
    missing = [f for f in CONTRACT_FIELDS if f not in e]
    assert not missing, f"event lacks contract fields {missing}: {e}"
    assert isinstance(e["event_id"], str) and e["event_id"]
    assert isinstance(e["offsets"], list) and len(e["offsets"]) == 2
    assert 0 <= e["offsets"][0] < e["offsets"][1]
    assert e["plover"]["type"] in PLOVER_TYPES
    assert e["factuality"] in FACTUALITIES
    assert isinstance(e["cameo"]["code"], str) and e["cameo"]["code"].isdigit()
    assert 2 <= len(e["cameo"]["code"]) <= 4
    assert set(e["date"]) >= {"value", "precision", "basis"}
    assert e["date"]["basis"] in {"text", "publication", "unknown"}
    assert e["source"] is None or set(e["source"]) >= {"text", "code", "country", "sector"}
    assert e["target"] is None or set(e["target"]) >= {"text", "code", "country", "sector"}
    assert isinstance(e["confidence"], (int, float)) and 0 <= e["confidence"] <= 1


def no_traceback(result) -> None:
    """A clean exit: Typer/Click handled it, nothing escaped as an exception."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
