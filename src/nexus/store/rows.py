"""Coded documents flattened into columnar rows, one Arrow table per store table.

Backend-neutral on purpose: DuckDB inserts these tables, and the same tables can be written to
Parquet or copied into PostgreSQL. The Arrow schemas mirror schema.sql column for column.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa

from nexus.coded import CodedDocument
from nexus.events.model import Event

_S, _I, _F = pa.string(), pa.int32(), pa.float64()

TABLES: dict[str, pa.Schema] = {
    "documents": pa.schema([
        ("doc_id", _S), ("content_hash", _S), ("title", _S), ("url", _S), ("date", pa.date32()),
        ("origin", _S), ("text", _S), ("n_sentences", _I), ("n_events", _I),
        ("ingested_at", pa.timestamp("us")),
    ]),
    "blocks": pa.schema([("doc_id", _S), ("idx", _I), ("start", _I), ("end", _I), ("kind", _S)]),
    "sentences": pa.schema([
        ("doc_id", _S), ("idx", _I), ("start", _I), ("end", _I), ("text", _S), ("block_kind", _S),
    ]),
    "mentions": pa.schema([
        ("doc_id", _S), ("sentence_idx", _I), ("start", _I), ("end", _I), ("text", _S),
        ("code", _S), ("country", _S), ("sector", _S), ("name", _S),
    ]),
    "events": pa.schema([
        ("event_id", _S), ("doc_id", _S), ("sentence_idx", _I), ("sentence", _S),
        ("start", _I), ("end", _I), ("trigger", _S), ("trigger_start", _I), ("trigger_end", _I),
        ("source_text", _S), ("source_code", _S), ("source_country", _S), ("source_sector", _S),
        ("target_text", _S), ("target_code", _S), ("target_country", _S), ("target_sector", _S),
        ("plover_type", _S), ("plover_mode", _S), ("plover_context", pa.list_(_S)),
        ("cameo_code", _S), ("cameo_name", _S), ("goldstein", _F), ("quad_class", pa.int16()),
        ("factuality", _S), ("attribution_text", _S), ("attribution_code", _S),
        ("attribution_country", _S), ("date_value", _S), ("date_precision", _S),
        ("date_basis", _S), ("event_date", pa.date32()), ("location_name", _S),
        ("location_country", _S), ("lat", _F), ("lon", _F), ("confidence", _F), ("rule", _S),
        ("raw", _S), ("origin", _S), ("origin_id", _S),
    ]),
}

#: The dataset of events coded by Nexus itself (events.origin); imports name theirs.
NEXUS_ORIGIN = "nexus"

#: Child tables first: the order to delete in (documents last), reversed to insert in.
CHILD_TABLES: tuple[str, ...] = ("events", "mentions", "sentences", "blocks")


def period_start(value: str | None) -> date | None:
    """First day of an ISO date, "YYYY-MM" or "YYYY" period; None when there is no usable date."""
    if not value:
        return None
    try:
        parts = [int(p) for p in value[:10].split("-")]
        return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return None


def _with_id(event: Event) -> Event:
    if event.event_id:
        return event
    event = copy.copy(event)  # never mutate the caller's record
    event.assign_id()
    return event


def unique_events(coded: CodedDocument) -> list[Event]:
    """The document's events with ids, first of each id kept: an id names one event, so a repeat
    is the same finding twice (and would break the primary key)."""
    seen: set[str] = set()
    out: list[Event] = []
    for ev in map(_with_id, coded.events):
        if ev.doc_id != coded.document.doc_id:
            raise ValueError(
                f"event {ev.event_id} has doc_id {ev.doc_id!r}, its document is {coded.document.doc_id!r}")
        if ev.event_id not in seen:
            seen.add(ev.event_id)
            out.append(ev)
    return out


class Rows:
    """Column buffers for a batch of documents; `table(name)` gives the Arrow table to insert."""

    def __init__(self) -> None:
        self.columns: dict[str, dict[str, list[Any]]] = {
            name: {f.name: [] for f in schema} for name, schema in TABLES.items()}

    def _append(self, table: str, **values: Any) -> None:
        for col, vals in self.columns[table].items():
            vals.append(values[col])

    def add(self, coded: CodedDocument, ingested_at: datetime | None = None) -> int:
        """Buffer every row of one document; returns its number of events."""
        doc = coded.document
        events = unique_events(coded)
        ingested_at = ingested_at or datetime.now(UTC).replace(tzinfo=None)
        self._append("documents", doc_id=doc.doc_id, content_hash=doc.content_hash, title=doc.title,
                     url=doc.url, date=doc.date, origin=doc.origin, text=doc.text,
                     n_sentences=len(coded.sentences), n_events=len(events), ingested_at=ingested_at)
        for i, b in enumerate(doc.blocks):
            self._append("blocks", doc_id=doc.doc_id, idx=i, start=b.start, end=b.end, kind=b.kind)
        for s in coded.sentences:
            self._append("sentences", doc_id=doc.doc_id, idx=s.index, start=s.start, end=s.end,
                         text=s.text, block_kind=s.block_kind)
        for m in coded.mentions:
            a = m.actor
            self._append("mentions", doc_id=doc.doc_id, sentence_idx=m.sentence_index, start=m.start,
                         end=m.end, text=a.text, code=a.code, country=a.country, sector=a.sector,
                         name=a.name)
        for ev in events:
            self._append("events", **event_row(ev))
        return len(events)

    def table(self, name: str) -> pa.Table:
        schema = TABLES[name]
        return pa.table({f.name: pa.array(self.columns[name][f.name], f.type) for f in schema},
                        schema=schema)


def event_row(ev: Event, origin: str = NEXUS_ORIGIN, origin_id: str | None = None,
              raw: str | None = None) -> dict[str, Any]:
    """One events-table row. `raw` replaces the stored record (default: `ev.to_json()`), for
    imports whose record carries more than the Event holds."""
    src, tgt, att, loc = ev.source, ev.target, ev.attribution, ev.location
    return {
        "event_id": ev.event_id, "doc_id": ev.doc_id, "sentence_idx": ev.sentence_index,
        "sentence": ev.sentence, "start": ev.offsets[0], "end": ev.offsets[1],
        "trigger": ev.trigger, "trigger_start": ev.trigger_offsets[0],
        "trigger_end": ev.trigger_offsets[1],
        "source_text": src.text if src else None, "source_code": src.code if src else None,
        "source_country": src.country if src else None, "source_sector": src.sector if src else None,
        "target_text": tgt.text if tgt else None, "target_code": tgt.code if tgt else None,
        "target_country": tgt.country if tgt else None, "target_sector": tgt.sector if tgt else None,
        "plover_type": ev.plover.type, "plover_mode": ev.plover.mode,
        "plover_context": list(ev.plover.context),
        "cameo_code": ev.cameo.code, "cameo_name": ev.cameo.name, "goldstein": ev.cameo.goldstein,
        "quad_class": ev.cameo.quad_class, "factuality": ev.factuality,
        "attribution_text": att.text if att else None, "attribution_code": att.code if att else None,
        "attribution_country": att.country if att else None,
        "date_value": ev.date.value, "date_precision": ev.date.precision,
        "date_basis": ev.date.basis, "event_date": period_start(ev.date.value),
        "location_name": loc.name if loc else None, "location_country": loc.country if loc else None,
        "lat": loc.lat if loc else None, "lon": loc.lon if loc else None,
        "confidence": ev.confidence, "rule": ev.rule,
        "raw": ev.to_json() if raw is None else raw, "origin": origin, "origin_id": origin_id,
    }
