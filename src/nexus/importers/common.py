"""What every dataset import shares: reading plain or zipped files line by line, turning a
dataset row into a Nexus event (CAMEO, PLOVER, Goldstein from Nexus's ontology) and streaming
the events into a store in Arrow batches, without duplicates on a re-run.

A dataset module supplies only `read_rows(lines)`: its column layout, mapped to `Row`s."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from nexus.actors.model import Actor
from nexus.documents import ReadProblem
from nexus.events.model import Cameo, Event, EventDate, Location, Plover
from nexus.ontology import cameo_code
from nexus.store import Store
from nexus.store.rows import TABLES, event_row

#: Events per Arrow batch (one transaction each): memory stays flat, inserts stay bulk.
BATCH_ROWS = 20_000
#: Bad rows reported one by one per file; the rest are only counted.
MAX_REPORTED = 50
#: A file whose first this many rows are all bad is not of the dataset: it is given up.
GIVE_UP_AFTER = 100


class RowError(ValueError):
    """A row that cannot be imported; the message says why. It is reported and skipped."""


class FileError(ValueError):
    """A file that cannot be imported at all (no header, wrong columns)."""


@dataclass(slots=True)
class Row:
    """One dataset row in Nexus's terms, before it becomes an event."""

    origin: str  # the dataset: gdelt1, gdelt2, icews
    origin_id: str  # its id there: GLOBALEVENTID, ICEWS Event ID
    event_id: str  # Nexus's id: deterministic, so a re-import finds it stored
    cameo: str  # the CAMEO event code as given ("0874")
    day: date
    source: Actor | None
    target: Actor | None
    sentence: str  # the dataset's evidence: ICEWS Event Text, GDELT's SOURCEURL, or ""
    location: Location | None = None
    goldstein: float | None = None  # the dataset's own, where it gives one
    quad_class: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # kept in the record's "origin"
    unknown_countries: tuple[str, ...] = ()  # country names no table maps: reported per file


#: A dataset's reader: numbered lines in, numbered rows (or why a line is not one) out.
RowReader = Callable[[Iterable[tuple[int, str]]], Iterator[tuple[int, Row | RowError]]]


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str  # "gdelt": the command and the prefix of the files' document ids
    title: str  # "GDELT"
    read_rows: RowReader


@dataclass(slots=True)
class ImportStats:
    files: int = 0  # files read, wholly or in part (at least one good row)
    rows: int = 0  # data rows read, good or bad
    added: int = 0  # events new to the store
    already: int = 0  # events that were stored already (a re-import adds no duplicates)
    statements: int = 0  # CAMEO 01x rows: PLOVER has no type for them, Nexus codes none
    bad: int = 0  # rows reported and left out
    by_origin: dict[str, int] = field(default_factory=dict)  # events read per dataset

    def add(self, other: ImportStats) -> None:
        for name in ("files", "rows", "added", "already", "statements", "bad"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for origin, n in other.by_origin.items():
            self.by_origin[origin] = self.by_origin.get(origin, 0) + n


ProblemHandler = Callable[[ReadProblem], None]


# --- reading files ---------------------------------------------------------------------------


def numbered_lines(path: Path) -> Iterator[tuple[str, Iterator[tuple[int, str]]]]:
    """(label, numbered lines) for each text file in `path`: the file itself, or each member of
    a zip archive (GDELT's .CSV.zip, ICEWS's zipped .tab), read as a stream. Lines keep no end
    of line; bytes that are not UTF-8 are replaced rather than losing the row."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            for member in members:
                label = str(path) if len(members) == 1 else f"{path} ({member.filename})"
                with archive.open(member) as raw:
                    yield label, _lines(raw)
    else:
        with path.open("rb") as raw:
            yield str(path), _lines(raw)


def _lines(raw: Any) -> Iterator[tuple[int, str]]:
    # newline="\n": only a line feed ends a row, a stray carriage return stays in its field
    text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="\n")
    for number, line in enumerate(text, 1):
        line = line.rstrip("\r\n")
        yield number, (line.lstrip("\ufeff") if number == 1 else line)


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()[:32]


# --- rows to events --------------------------------------------------------------------------


def actor(text: str | None, code: str | None, country: str | None,
          sector: str | None) -> Actor | None:
    """An imported actor, or None where the dataset names none."""
    if not (text or code or country):
        return None
    return Actor(text=text or code or country or "", code=code or country or "",
                 country=country, sector=sector)


def _actor_record(a: Actor | None) -> dict[str, Any] | None:
    return None if a is None else {"text": a.text, "code": a.code or None, "country": a.country,
                                   "sector": a.sector}


def to_event_row(row: Row, doc_id: str) -> dict[str, Any] | None:
    """The events-table row for a dataset row; None for a CAMEO 01x statement, which PLOVER
    (and so Nexus) gives no type. Raises RowError on a code that is not CAMEO."""
    if not (row.cameo.isdigit() and 2 <= len(row.cameo) <= 4):
        raise RowError(f"CAMEO event code {row.cameo!r} is not 2 to 4 digits")
    try:
        entry = cameo_code(row.cameo)  # an unknown 4-digit code falls back to its parent
    except KeyError:
        raise RowError(f"unknown CAMEO event code {row.cameo!r}") from None
    if entry.plover_type is None:
        return None
    cameo = Cameo(code=row.cameo, name=entry.name,
                  goldstein=entry.goldstein if row.goldstein is None else row.goldstein,
                  quad_class=entry.quad_class if row.quad_class is None else row.quad_class)
    plover = Plover(type=entry.plover_type, mode=entry.plover_mode,
                    context=list(entry.plover_context))
    # Both datasets date an event by the day of the story that reported it.
    when = EventDate(value=row.day.isoformat(), precision="day", basis="publication")
    offsets = (0, len(row.sentence))  # the evidence is the whole given text
    ev = Event(doc_id=doc_id, sentence=row.sentence, offsets=offsets, trigger="",
               source=row.source, target=row.target, plover=plover, cameo=cameo,
               factuality="asserted",  # neither dataset marks factuality
               attribution=None, date=when, location=row.location,
               confidence=None,  # type: ignore[arg-type]  # the datasets give none
               rule=row.origin, event_id=row.event_id)
    loc = row.location
    # The contract record (CONTRACT.md), written out here rather than by Event.to_dict: that
    # deep-copies every field and would be most of the cost of a 200,000-row file.
    record = {
        "event_id": ev.event_id, "doc_id": doc_id, "sentence": ev.sentence,
        "offsets": list(offsets), "trigger": "", "source": _actor_record(row.source),
        "target": _actor_record(row.target),
        "plover": {"type": plover.type, "mode": plover.mode, "context": plover.context},
        "cameo": {"code": cameo.code, "name": cameo.name, "goldstein": cameo.goldstein,
                  "quad_class": cameo.quad_class},
        "factuality": "asserted", "attribution": None,
        "date": {"value": when.value, "precision": when.precision, "basis": when.basis},
        "location": None if loc is None else {"name": loc.name, "country": loc.country,
                                              "lat": loc.lat, "lon": loc.lon},
        "confidence": None, "rule": row.origin,
        "origin": {"dataset": row.origin, "id": row.origin_id, **row.extra},
    }
    out = event_row(ev, origin=row.origin, origin_id=row.origin_id,
                    raw=json.dumps(record, ensure_ascii=False))
    # No trigger word: the datasets keep none.
    out.update(trigger=None, trigger_start=None, trigger_end=None)
    return out


# --- the import ------------------------------------------------------------------------------


class _Batch:
    """Column buffers for the events table."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {name: [] for name in TABLES["events"].names}
        self.size = 0

    def append(self, values: dict[str, Any]) -> None:
        for name, column in self.columns.items():
            column.append(values[name])
        self.size += 1

    def table(self) -> pa.Table:
        schema = TABLES["events"]
        return pa.table({f.name: pa.array(self.columns[f.name], f.type) for f in schema},
                        schema=schema)


def _document(dataset: Dataset, path: Path, doc_id: str, content_hash: str) -> pa.Table:
    """The file's stand-in document: imported events need one (the pages and the dyad
    evidence link to it), and it records where and when the events came from."""
    text = (f"Events imported from the {dataset.title} file {path.name}. The dataset keeps no "
            "article text: each event's evidence is what the dataset gives (a source URL, an "
            "event description).")
    now = datetime.now(UTC).replace(tzinfo=None)
    values = {"doc_id": doc_id, "content_hash": content_hash,
              "title": f"{dataset.title} events: {path.name}", "url": None, "date": None,
              "origin": str(path), "text": text, "n_sentences": 0, "n_events": 0,
              "ingested_at": now}
    schema = TABLES["documents"]
    return pa.table({f.name: pa.array([values[f.name]], f.type) for f in schema}, schema=schema)


def import_file(store: Store, dataset: Dataset, path: Path,
                on_problem: ProblemHandler | None = None,
                progress: Callable[[int], None] | None = None,
                batch_rows: int = BATCH_ROWS) -> ImportStats:
    """Import one file of `dataset` into `store`, `batch_rows` events per transaction. Bad rows
    and unreadable files go to `on_problem` (file and line); the rest is imported. Events
    already stored (same dataset and id) are counted, not added again. `progress` gets the
    number of rows read since its last call."""
    stats = ImportStats()
    report = on_problem or (lambda problem: None)
    unknown: Counter[str] = Counter()
    if not path.is_file():
        report(ReadProblem(str(path), "no such file"))
        return stats
    doc_id = f"{dataset.name}:{path.name}"
    content_hash = ""
    doc: pa.Table | None = None  # the document row, until it is written with the first events
    batch = _Batch()

    def flush() -> None:
        nonlocal doc, batch
        tables = {"events": batch.table()}
        if doc is not None:
            tables["documents"] = doc  # with the first events: never events without it
        # The batch and its document's n_events in one transaction: a crash leaves whole
        # batches that add up (a file of one batch is all there or absent); a rerun adds the rest.
        with store.transaction():
            inserted = store.append_tables(tables, skip_existing=True)
            store.recount_events(doc_id)
        stats.added += inserted.get("events", 0)
        stats.already += batch.size - inserted.get("events", 0)
        doc, batch = None, _Batch()

    try:
        if path.suffix.lower() == ".zip" and not zipfile.is_zipfile(path):
            raise FileError("not a zip archive (damaged or incomplete download?)")
        content_hash = file_hash(path)
        doc = _document(dataset, path, doc_id, content_hash)
        for label, lines in numbered_lines(path):
            unreported = 0
            for number, item in dataset.read_rows(lines):
                stats.rows += 1
                unreported += 1
                if progress is not None and unreported >= 10_000:
                    progress(unreported)
                    unreported = 0
                try:
                    if isinstance(item, RowError):
                        raise item
                    values = to_event_row(item, doc_id)
                except RowError as exc:
                    stats.bad += 1
                    _report_bad(report, label, number, exc, stats, dataset)
                    continue
                if values is None:
                    stats.statements += 1
                    continue
                stats.by_origin[item.origin] = stats.by_origin.get(item.origin, 0) + 1
                unknown.update(item.unknown_countries)
                batch.append(values)
                if batch.size >= batch_rows:
                    flush()
            if progress is not None and unreported:
                progress(unreported)
        if batch.size:
            flush()
        if not stats.rows:
            report(ReadProblem(str(path), "no rows in this file", fatal=False))
    except FileError as exc:
        report(ReadProblem(str(path), str(exc)))
    except (OSError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
        report(ReadProblem(str(path), f"cannot read: {exc}"))
    finally:
        if content_hash and doc is None:  # events were written: count them all, earlier ones too
            store.recount_events(doc_id, content_hash)
    stats.files = int(stats.rows > stats.bad)  # read: at least one row was good
    if unknown:
        names = ", ".join(f"{name!r} ({n})" for name, n in unknown.most_common(10))
        report(ReadProblem(str(path), f"{len(unknown)} country names not known, imported without "
                           f"a country code: {names}{' ...' if len(unknown) > 10 else ''} "
                           "(add them to nexus/importers/data/country_names.csv)", fatal=False))
    return stats


def _report_bad(report: ProblemHandler, label: str, number: int, exc: RowError,
                stats: ImportStats, dataset: Dataset) -> None:
    """Report a bad row with its file and line; past MAX_REPORTED, only count. Give the file up
    when its first GIVE_UP_AFTER rows are all bad: it is not of this dataset."""
    if stats.bad <= MAX_REPORTED:
        report(ReadProblem(label, str(exc), line=number))
    elif stats.bad == MAX_REPORTED + 1:
        report(ReadProblem(label, f"more bad rows from line {number} on: counted, not listed",
                           fatal=False))
    if stats.bad >= GIVE_UP_AFTER and stats.bad == stats.rows:
        raise FileError(f"the first {stats.bad} rows are all bad: not {dataset.title} data?")


def import_files(store: Store, dataset: Dataset, paths: Iterable[str | Path],
                 on_problem: ProblemHandler | None = None,
                 on_file: Callable[[Path, ImportStats], None] | None = None,
                 progress: Callable[[int], None] | None = None,
                 batch_rows: int = BATCH_ROWS) -> ImportStats:
    """Import every file (see `import_file`); `on_file` gets each file's figures."""
    total = ImportStats()
    for p in paths:
        path = Path(p)
        stats = import_file(store, dataset, path, on_problem, progress, batch_rows)
        if on_file is not None:
            on_file(path, stats)
        total.add(stats)
    return total
