"""The Python API: code text, ingest files into a store, and query it as DataFrames.

    import nexus
    events = nexus.code_text("Russia supplied Iran with drones in 2022.", date="2024-03-14")
    nx = nexus.open("nexus.duckdb")
    nx.events(actor="RUS", plover_type="AID")      # a pandas DataFrame
    nx.dyad("RUS", "IRN")                           # counts, series and evidence both ways
    nx.brief("RUS", "IRN")                          # a sourced brief on the pair, in Markdown
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from importlib import resources
from pathlib import Path

import pandas as pd

from nexus.analysis import DyadReport, Network, dyad_report, dyad_series, network, search
from nexus.coded import CodedDocument
from nexus.documents import Document, ReadProblem, read_documents, segment
from nexus.documents.readers import DEFAULT_MAX_CHARS
from nexus.engines import Engine, open_engine, shared_coder
from nexus.events.model import Event
from nexus.pipeline import Coder, CoderConfig, DocumentTimeout
from nexus.relations import Relationship, actor_names, relationship
from nexus.store import DEFAULT_LOCATION, EventStore, WriteStats, open_store, queries

ProblemHandler = Callable[[ReadProblem], None]


def default_coder() -> Coder:
    """This process's coder with the default configuration, built once."""
    return shared_coder(CoderConfig())


def sample_paths() -> list[Path]:
    """The bundled sample articles (HTML, text and a JSONL of wire stories)."""
    folder = resources.files("nexus.samples").joinpath("articles")
    return sorted(Path(str(p)) for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def _as_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def read(paths: Sequence[str | Path], input_format: str | None = None, date: str | date | None = None,
         max_chars: int = DEFAULT_MAX_CHARS, on_problem: ProblemHandler | None = None) -> Iterator[Document]:
    """Documents from files, directories or "-" (stdin); problems go to `on_problem`."""
    for item in read_documents([str(p) for p in paths], input_format=input_format,  # type: ignore[arg-type]
                               default_date=_as_date(date), max_chars=max_chars):
        if isinstance(item, ReadProblem):
            if on_problem is not None:
                on_problem(item)
        else:
            yield item


def code_documents(documents: Iterable[Document], coder: Coder | None = None, workers: int = 1,
                   engine: Engine | None = None, doc_timeout: float | None = None,
                   on_problem: ProblemHandler | None = None) -> Iterator[CodedDocument]:
    """Coded documents in input order, pulling `documents` lazily.

    `workers` > 1 codes in that many processes on this machine (0: one per core), each building
    its coder from `coder.config`; `engine` (nexus.engines.open_engine) runs the coding
    elsewhere, on a Dask cluster for one. Every way gives the same events and ids.

    A document whose parsing and coding takes more than `doc_timeout` seconds of CPU time (default: the
    coder's `config.doc_timeout`, 60 s; 0: no limit) is skipped: it goes to `on_problem` (or is
    issued as a RuntimeWarning) instead of being yielded, and the others are coded."""
    if engine is not None:
        if workers != 1:
            raise ValueError("give workers or an engine, not both (the engine has its own workers)")
        if doc_timeout is not None:
            raise ValueError("an engine codes with its own configuration: open it with "
                             "config=CoderConfig(doc_timeout=...)")
        coded = engine.code(documents)
    else:
        coder = coder or default_coder()
        if doc_timeout is not None and (coder.config.doc_timeout or 0) != doc_timeout:
            coder = shared_coder(replace(coder.config, doc_timeout=doc_timeout or None))
        local = open_engine("local", workers=workers, coder=coder)
        coded = _closing(local, local.code(documents))
    for cd in coded:
        if cd.skipped is None:
            yield cd
            continue
        doc = cd.document
        problem = ReadProblem(doc.origin or doc.doc_id, f"document {doc.doc_id!r} skipped: {cd.skipped}")
        if on_problem is not None:
            on_problem(problem)
        else:
            warnings.warn(str(problem), RuntimeWarning, stacklevel=2)


def _closing(engine: Engine, coded: Iterator[CodedDocument]) -> Iterator[CodedDocument]:
    with engine:
        yield from coded


def code_text(text: str, date: str | date | None = None, doc_id: str = "text",
              coder: Coder | None = None, doc_timeout: float | None = None) -> list[Event]:
    """Events in one piece of plain text; raises DocumentTimeout if coding it takes longer than
    `doc_timeout` seconds (default: the coder's limit, 60 s; 0: no limit)."""
    doc = Document(doc_id=doc_id, text=text, date=_as_date(date), origin="<text>", blocks=segment(text))

    def timed_out(problem: ReadProblem) -> None:
        raise DocumentTimeout(problem.message)

    for coded in code_documents([doc], coder, doc_timeout=doc_timeout, on_problem=timed_out):
        return coded.events
    return []  # not reached: the one document is yielded or reported


#: The columns of `events_frame`, always all of them whatever the events hold.
FRAME_COLUMNS = [
    "event_id", "doc_id", "sentence", "start", "end", "trigger",
    "source.text", "source.code", "source.country", "source.sector",
    "target.text", "target.code", "target.country", "target.sector",
    "plover.type", "plover.mode", "plover.context", "cameo.code", "cameo.name", "cameo.goldstein",
    "cameo.quad_class", "factuality", "attribution.text", "attribution.code", "attribution.country",
    "date.value", "date.precision", "date.basis", "location.name", "location.country", "location.lat",
    "location.lon", "confidence", "rule",
]


def events_frame(events: Iterable[Event]) -> pd.DataFrame:
    """Contract records as a flat DataFrame, nested fields joined with dots; the columns are
    the same (FRAME_COLUMNS) whether or not any event has, say, an attribution."""
    rows = []
    for e in events:
        d = e.to_dict()
        row = {"start": d["offsets"][0], "end": d["offsets"][1]}
        for key, value in d.items():
            if isinstance(value, dict):
                row.update({f"{key}.{k}": v for k, v in value.items()})
            elif key != "offsets":
                row[key] = value
        rows.append(row)
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)


@dataclass(slots=True)
class IngestResult:
    stats: WriteStats
    skipped: int  # documents already stored unchanged, skipped before parsing


def ingest(paths: Sequence[str | Path], store: EventStore | str | Path = DEFAULT_LOCATION,
           input_format: str | None = None, date: str | date | None = None,
           on_problem: ProblemHandler | None = None, coder: Coder | None = None,
           progress: Callable[[Document], None] | None = None, batch_size: int = 50,
           workers: int = 1, engine: Engine | None = None, doc_timeout: float | None = None) -> IngestResult:
    """Codes documents into a store (an open one, or a location: a DuckDB file or a
    postgresql:// URL). Documents already stored unchanged are skipped before
    parsing, so an interrupted run resumes where it stopped; each document is written whole
    or not at all. `workers` and `engine` say where the coding runs (see `code_documents`);
    the store is always written from this process. `progress` is called once per document,
    when it is skipped or coded. A document that takes longer than `doc_timeout` seconds to
    code goes to `on_problem` and is not stored (a rerun tries it again)."""
    own = isinstance(store, str | Path)  # a location: opened (and closed) here
    st = open_store(store) if isinstance(store, str | Path) else store
    skipped = 0

    def pending() -> Iterator[Document]:
        nonlocal skipped
        for doc in read(paths, input_format, date, on_problem=on_problem):
            if st.has_document(doc.doc_id, doc.content_hash):
                skipped += 1
                if progress is not None:
                    progress(doc)
                continue
            yield doc

    def coded() -> Iterator[CodedDocument]:
        # Progress counts documents as they come back coded: with workers or a cluster, reading
        # runs ahead of coding by the window in flight.
        for cd in code_documents(pending(), coder, workers=workers, engine=engine,
                                 doc_timeout=doc_timeout, on_problem=on_problem):
            if progress is not None:
                progress(cd.document)
            yield cd

    try:
        stats = st.write_many(coded(), batch_size=batch_size)
    finally:
        if own:
            st.close()
    stats.unchanged += skipped
    return IngestResult(stats, skipped)


class Nexus:
    """A store opened for analysis. Every query returns a pandas DataFrame (or a DyadReport of
    DataFrames), the same figures the CLI prints."""

    def __init__(self, location: str | Path = DEFAULT_LOCATION, read_only: bool = True):
        self.store = open_store(location, read_only=read_only)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Nexus:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def events(self, **filters) -> pd.DataFrame:
        """Filters: actor, dyad=(a, b), source, target, plover_type, factuality, date_from,
        date_to, text, doc_id, origin (nexus, gdelt1, gdelt2, icews), limit, order."""
        return queries.events(self.store, **filters)

    def relationships(self, factuality: str = "asserted", limit: int | None = 20) -> pd.DataFrame:
        return queries.relationships(self.store, factuality=factuality, limit=limit)

    def documents(self, limit: int | None = None) -> pd.DataFrame:
        return queries.documents(self.store, limit=limit)

    def actors(self, limit: int | None = None) -> pd.DataFrame:
        return queries.actors(self.store, limit=limit)

    def dyad(self, a: str, b: str, freq: str = "year", evidence: int = 5,
             factuality: str = "asserted") -> DyadReport:
        return dyad_report(self.store, a, b, freq=freq, evidence=evidence, factuality=factuality)  # type: ignore[arg-type]

    def dyad_series(self, a: str, b: str, freq: str = "month",
                    factuality: str | None = "asserted") -> pd.DataFrame:
        """Both directions per period, zero-filled: for charts."""
        return dyad_series(self.store, a, b, freq=freq, factuality=factuality)  # type: ignore[arg-type]

    def network(self, **options) -> Network:
        """Options: date_from, date_to, plover_types, factuality, min_events, max_nodes."""
        return network(self.store, **options)

    def search(self, q: str, limit: int = 50) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Documents and events containing the text (any case)."""
        return search(self.store, q, limit=limit)

    def relationship(self, a: str, b: str, date_from: str | date | None = None,
                     date_to: str | date | None = None, freq: str = "quarter") -> Relationship:
        """The dyad's merged events, relationship periods, exchanges, changes and third
        parties' reactions (nexus.relations.model records, each citing its sentences)."""
        return relationship(self.store, a, b, date_from=date_from, date_to=date_to, freq=freq)

    def brief(self, a: str, b: str, date_from: str | date | None = None, date_to: str | date | None = None,
              format: str = "md", freq: str = "quarter") -> str:
        """A sourced brief on the dyad as Markdown ("md") or a standalone HTML page ("html"):
        every statement cites its sentences; only asserted events are stated as fact."""
        from nexus.relations.brief import build_brief, render_html, render_markdown

        if format not in ("md", "html"):
            raise ValueError(f"format must be md or html, not {format!r}")
        rel = self.relationship(a, b, date_from=date_from, date_to=date_to, freq=freq)
        built = build_brief(rel, dict(actor_names(self.store, rel)))
        return render_markdown(built) if format == "md" else render_html(built)


def open(location: str | Path = DEFAULT_LOCATION, read_only: bool = True) -> Nexus:  # noqa: A001
    """The store at `location` (a DuckDB file or a postgresql:// URL) for analysis."""
    return Nexus(location, read_only=read_only)
