"""The event record of the output contract (CONTRACT.md), as typed dataclasses."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from nexus.actors.model import Actor

Factuality = Literal["asserted", "negated", "hypothetical", "future", "alleged"]
FACTUALITIES: tuple[str, ...] = ("asserted", "negated", "hypothetical", "future", "alleged")
DateBasis = Literal["text", "publication", "unknown"]


@dataclass(slots=True)
class Plover:
    type: str
    mode: str | None = None
    context: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Cameo:
    code: str
    name: str
    goldstein: float
    quad_class: int


@dataclass(slots=True)
class Attribution:
    text: str
    code: str | None = None
    country: str | None = None


@dataclass(slots=True)
class EventDate:
    value: str | None  # ISO date, "YYYY-MM" or "YYYY"
    precision: Literal["day", "month", "year", "unknown"]
    basis: DateBasis


@dataclass(slots=True)
class Location:
    name: str
    country: str | None
    lat: float | None
    lon: float | None


@dataclass(slots=True)
class Event:
    doc_id: str
    sentence: str
    offsets: tuple[int, int]
    trigger: str
    source: Actor | None
    target: Actor | None
    plover: Plover
    cameo: Cameo
    factuality: Factuality
    attribution: Attribution | None
    date: EventDate
    location: Location | None
    confidence: float
    # Extensions beyond the contract: how and where the event was found.
    rule: str = ""  # the frame that produced it
    target_basis: str = "none"  # how the recipient was found: syntax, place, nearest, domestic, none
    trigger_pos: str = "VERB"  # VERB, or NOUN for a nominal event ("the Turkish shelling")
    trigger_offsets: tuple[int, int] = (0, 0)
    sentence_index: int = 0
    event_id: str = ""

    def assign_id(self) -> None:
        """A stable id: the same document, evidence and coding give the same id."""
        key = "|".join([
            self.doc_id, str(self.trigger_offsets[0]), str(self.trigger_offsets[1]),
            self.source.code if self.source else "", self.target.code if self.target else "",
            self.cameo.code, self.factuality,
        ])
        self.event_id = hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["offsets"] = list(self.offsets)
        d["trigger_offsets"] = list(self.trigger_offsets)
        # Contract field order first, extensions after.
        order = ["event_id", "doc_id", "sentence", "offsets", "trigger", "source", "target", "plover",
                 "cameo", "factuality", "attribution", "date", "location", "confidence"]
        return {k: d[k] for k in order} | {k: v for k, v in d.items() if k not in order}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)
