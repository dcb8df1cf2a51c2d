"""The records of the relationships stage: mentions (coded events with their document), merged
events, relationship periods, exchanges, changes, and the relationship that holds them all.

Every record keeps the mentions it rests on, so anything said about a relationship can be
cited to documents and sentences (`Mention.citation`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

#: Factualities that count as things that happened (CONTRACT.md): everything else is claimed,
#: denied, planned or conditional, and is reported as such, never as fact.
ASSERTED = "asserted"


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a statement comes from: one sentence of one document."""

    doc_id: str
    sentence_idx: int
    sentence: str
    title: str | None = None
    url: str | None = None
    published: date | None = None

    @property
    def key(self) -> str:
        """A stable label, e.g. "russia-iran-analysis.html#12"."""
        return f"{self.doc_id}#{self.sentence_idx}"


@dataclass(frozen=True, slots=True)
class Mention:
    """One coded event as one document reports it (a row of the events table with its
    document's date, title, url and outlet)."""

    event_id: str
    doc_id: str
    sentence_idx: int
    sentence: str
    source_code: str | None
    target_code: str | None
    plover_type: str
    factuality: str
    source_country: str | None = None
    target_country: str | None = None
    source_text: str | None = None
    target_text: str | None = None
    trigger: str | None = None
    plover_mode: str | None = None
    plover_context: tuple[str, ...] = ()
    cameo_code: str | None = None
    cameo_name: str | None = None
    goldstein: float | None = None
    quad_class: int | None = None
    attribution_text: str | None = None
    attribution_code: str | None = None
    event_date: date | None = None  # first day of the date's period
    date_value: str | None = None  # as coded: "2023", "2023-08", "2023-08-14"
    date_precision: str | None = None  # "day", "month", "year", ...
    date_basis: str | None = None  # "text", "publication", "unknown"
    confidence: float | None = None
    published: date | None = None  # the document's date
    title: str | None = None
    url: str | None = None
    outlet: str = ""  # who published it: the url's host, else the document id (see load.outlet)
    origin: str = "nexus"

    @property
    def asserted(self) -> bool:
        return self.factuality == ASSERTED

    @property
    def dyad(self) -> tuple[str, str]:
        """(source, target) by country where the actor has one, else by code: USAGOV and USA
        are one side."""
        return (self.source_country or self.source_code or "", self.target_country or self.target_code or "")

    @property
    def citation(self) -> Citation:
        return Citation(self.doc_id, self.sentence_idx, self.sentence, self.title, self.url, self.published)


@dataclass(frozen=True, slots=True)
class MergeLink:
    """Why two mentions were merged: the pair, and each test it passed."""

    a: str  # event ids
    b: str
    reasons: tuple[str, ...]  # e.g. "same dyad and type", "3 days apart", "similar evidence (0.62)"
    similarity: float


@dataclass(frozen=True, slots=True)
class MergedEvent:
    """One event reported by one or more mentions (same dyad, type and factuality, close dates,
    similar evidence). `merged_id` depends only on its mentions' ids: merging is reproducible."""

    merged_id: str
    source_code: str | None
    target_code: str | None
    plover_type: str
    factuality: str
    mentions: tuple[Mention, ...]  # earliest report first
    links: tuple[MergeLink, ...] = ()  # the pairs that joined the mentions; empty for one mention

    @property
    def first_report(self) -> Mention:
        return self.mentions[0]

    @property
    def representative(self) -> Mention:
        """The mention to quote: the most confident, then the earliest."""
        return max(enumerate(self.mentions), key=lambda im: (im[1].confidence or 0.0, -im[0]))[1]

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(sorted({m.outlet for m in self.mentions}))

    @property
    def n_outlets(self) -> int:
        return len(self.outlets)

    @property
    def event_date(self) -> date | None:
        dates = [m.event_date for m in self.mentions if m.event_date is not None]
        return min(dates) if dates else None

    @property
    def goldstein(self) -> float | None:
        return self.representative.goldstein

    @property
    def asserted(self) -> bool:
        return self.factuality == ASSERTED

    @property
    def dyad(self) -> tuple[str, str]:
        """Its mentions' dyad (they all share it)."""
        return self.first_report.dyad

    @property
    def citations(self) -> tuple[Citation, ...]:
        return tuple(m.citation for m in self.mentions)


@dataclass(frozen=True, slots=True)
class RelationshipPeriod:
    """A state of a directed relationship in one domain ("supplies arms to", "condemns"), from
    the evidence that opened it to the evidence that closed it (or still open)."""

    source: str
    target: str
    domain: str  # "military", "nuclear", "economic", "diplomatic", or a PLOVER context
    state: str  # the state's key in relations/data/states.yaml, e.g. "arms_supply"
    label: str  # how an analyst reads it: "supplies arms to"
    start: date | None
    end: date | None  # last evidence, or the closing event's date
    is_open: bool  # no closing evidence and the last event is recent enough (see periods.py)
    events: tuple[MergedEvent, ...]  # the asserted events that hold it up, in date order
    closed_by: MergedEvent | None = None  # the event that ended it ("halted deliveries"), if any
    why_closed: str | None = None  # "closed by ...", or "no evidence for N days"


@dataclass(frozen=True, slots=True)
class Exchange:
    """Two reciprocal material flows, A to B and B to A, tied into one exchange."""

    give: MergedEvent  # the first leg (as stated, or the earlier one)
    take: MergedEvent  # the leg in return
    tie: Literal["text", "timing"]
    reason: str  # e.g. 'same sentence: "in return for"', or "flows 41 days apart"


@dataclass(frozen=True, slots=True)
class PeriodStats:
    """The events of one side of a change: when, how many, mean Goldstein, PLOVER type mix."""

    start: date
    end: date
    n_events: int
    mean_goldstein: float | None
    type_mix: dict[str, int]  # PLOVER type -> asserted events


@dataclass(frozen=True, slots=True)
class Change:
    """A point where a directed dyad's event mix or mean Goldstein changed significantly."""

    source: str
    target: str
    at: date  # first day of the first period after the change
    kind: Literal["goldstein", "mix"]
    before: PeriodStats
    after: PeriodStats
    p_value: float  # from a seeded permutation test: reproducible
    summary: str  # e.g. "mean Goldstein fell from +3.4 to -5.2"
    drivers: tuple[MergedEvent, ...]  # the events after the change that drive it most


@dataclass(slots=True)
class Relationship:
    """Everything known about how `a` and `b` treat each other between `start` and `end`."""

    a: str
    b: str
    start: date | None
    end: date | None
    mentions: list[Mention] = field(default_factory=list)  # unmerged, both directions
    merged: list[MergedEvent] = field(default_factory=list)  # both directions, by date
    periods: list[RelationshipPeriod] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    reactions: list[MergedEvent] = field(default_factory=list)  # third parties toward a or b, same documents
