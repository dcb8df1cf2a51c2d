"""Coding commands: `code` prints events (or writes them as Parquet), `extract` prints the text
offsets refer to, `ingest` codes into the store. `code` and `ingest` run on this machine with
--workers processes, or on a Dask cluster with --engine dask (nexus.engines)."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from nexus import api
from nexus.cli.common import (CodeFormat, DateOpt, DocTimeoutOpt, InputFormat, MaxOpt, MinConfOpt, PathsArg,
                              ProblemLog, StoreOpt, app, err, escape, finish, first_line, out, parse_date,
                              progress_bar, progress_total)
from nexus.documents.readers import DEFAULT_MAX_CHARS
from nexus.engines import Engine, EngineError, open_engine
from nexus.events.model import Event
from nexus.pipeline import DEFAULT_DOC_TIMEOUT, CoderConfig
from nexus.store import DEFAULT_LOCATION, database_errors, display_location


class EngineChoice(str, Enum):
    local = "local"
    dask = "dask"


def _parse_workers(value: str | int) -> int:
    if isinstance(value, int):
        return value
    if value.strip().lower() == "auto":
        return 0
    try:
        workers = int(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a number of workers (a whole number, or auto)") from None
    if workers < 0:
        raise typer.BadParameter(f"{workers} workers: give 1 or more, or 0 or auto for one per core")
    return workers


WorkersOpt = Annotated[Optional[int], typer.Option(
    "--workers", parser=_parse_workers, metavar="N|auto", show_default=False,
    help="Coding processes on this machine (default 1; 0 or auto: one per core). With --engine dask "
         "and no --scheduler: the size of the local Dask cluster (default: one per core).")]
EngineOpt = Annotated[EngineChoice, typer.Option(
    "--engine", help="Where coding runs: local (this machine) or dask (a Dask cluster).")]
SchedulerOpt = Annotated[Optional[str], typer.Option(
    "--scheduler", metavar="ADDRESS",
    help="The Dask scheduler, e.g. tcp://host:8786 (with --engine dask; without it a local cluster starts).")]
OutputOpt = Annotated[Optional[Path], typer.Option(
    "--output", file_okay=False,
    help="Write Parquet tables (events partitioned by year and month, documents, sentences, mentions, "
         "blocks) to this new or empty folder instead of printing events.")]


@contextmanager
def _engine(name: EngineChoice, workers: int | None, scheduler: str | None,
            min_confidence: float | None, doc_timeout: float = DEFAULT_DOC_TIMEOUT) -> Iterator[Engine]:
    """The engine the options ask for, closed (with any cluster it started) when done; engine
    failures become a clean message and exit status 1."""
    if scheduler is not None and name is not EngineChoice.dask:
        raise typer.BadParameter("a scheduler address needs --engine dask", param_hint="--scheduler")
    if scheduler is not None and workers is not None:
        raise typer.BadParameter("sizes a local cluster; the cluster at --scheduler has its own workers",
                                 param_hint="--workers")
    try:
        with open_engine(name.value, workers=workers, scheduler=scheduler,
                         config=CoderConfig(min_confidence=min_confidence, doc_timeout=doc_timeout or None)) as engine:
            yield engine
    except EngineError as exc:
        err.print(f"[red]nexus: {escape(str(exc))}[/red]")
        raise typer.Exit(1)


TSV_COLUMNS = ["event_id", "doc_id", "start", "end", "source", "source_country", "target", "target_country",
               "plover_type", "cameo_code", "goldstein", "quad_class", "factuality", "attribution", "date",
               "date_basis", "location", "confidence", "trigger", "sentence"]


def _tsv_row(e: Event) -> list[str]:
    return [e.event_id, e.doc_id, str(e.offsets[0]), str(e.offsets[1]),
            e.source.code if e.source else "", (e.source.country or "") if e.source else "",
            e.target.code if e.target else "", (e.target.country or "") if e.target else "",
            e.plover.type, e.cameo.code, str(e.cameo.goldstein), str(e.cameo.quad_class), e.factuality,
            e.attribution.text if e.attribution else "", e.date.value or "", e.date.basis,
            e.location.name if e.location else "", str(e.confidence), e.trigger,
            " ".join(e.sentence.split())]


@app.command()
def code(paths: PathsArg = None, input_format: InputFormat | None = typer.Option(None, "--input-format"),
         date_: DateOpt = None, fmt: CodeFormat = typer.Option(CodeFormat.jsonl, "--format"),
         max_chars: MaxOpt = DEFAULT_MAX_CHARS, min_confidence: MinConfOpt = None,
         output: OutputOpt = None, workers: WorkersOpt = None, engine: EngineOpt = EngineChoice.local,
         scheduler: SchedulerOpt = None, doc_timeout: DocTimeoutOpt = DEFAULT_DOC_TIMEOUT) -> None:
    """Code documents and print their events (one JSON object per line by default), or write
    them as Parquet tables with --output."""
    from nexus.engines.parquet import ParquetOutput

    problems = ProblemLog()
    docs = 0
    published = parse_date(date_)  # checked before anything is written to stdout
    sink: ParquetOutput | None = None
    if output is not None:
        try:
            sink = ParquetOutput(output)
        except (FileExistsError, OSError) as exc:
            raise typer.BadParameter(str(exc), param_hint="--output")
    writer = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n") if fmt is CodeFormat.tsv and not sink else None
    if writer:
        writer.writerow(TSV_COLUMNS)
    table_rows: list[Event] = []
    targets = paths or ["-"]
    fmt_in = input_format.value if input_format else None
    stream = api.read(targets, fmt_in, published, max_chars=max_chars, on_problem=problems)
    with _engine(engine, workers, scheduler, min_confidence, doc_timeout) as runner, progress_bar("coding") as bar:
        task = bar.add_task("coding", total=progress_total(targets, fmt_in))
        problems.on_fatal = lambda: bar.advance(task)
        for coded in api.code_documents(stream, engine=runner, on_problem=problems):
            docs += 1
            bar.advance(task)
            if sink is not None:
                sink.write(coded)
                continue
            for e in coded.events:
                if fmt is CodeFormat.jsonl:
                    sys.stdout.write(e.to_json() + "\n")
                elif writer:
                    writer.writerow(_tsv_row(e))
                else:
                    table_rows.append(e)
            sys.stdout.flush()
    if sink is not None:
        sink.close()
        err.print(f"nexus: {sink.documents} documents, {sink.events} events written to {escape(str(output))} "
                  "(Parquet; events partitioned by year and month)")
    elif fmt is CodeFormat.table:
        _print_events_table(table_rows)
    finish(docs, problems)


def _print_events_table(events: list[Event]) -> None:
    t = Table(show_lines=False)
    for col in ("doc", "source", "target", "type", "cameo", "factuality", "date", "trigger", "sentence"):
        t.add_column(col, overflow="fold")
    for e in events:
        t.add_row(e.doc_id, e.source.code if e.source else "", e.target.code if e.target else "",
                  e.plover.type, e.cameo.code, e.factuality, e.date.value or "", e.trigger,
                  escape(" ".join(e.sentence.split())[:160]))
    out.print(t)


@app.command()
def extract(paths: PathsArg = None, input_format: InputFormat | None = typer.Option(None, "--input-format"),
            blocks: bool = typer.Option(False, "--blocks", help="Print the blocks (start, end, kind, text) instead."),
            max_chars: MaxOpt = DEFAULT_MAX_CHARS) -> None:
    """Print the text that event offsets refer to (for HTML: the extracted main text)."""
    from nexus.documents.extract import describe_blocks

    problems = ProblemLog()
    docs = 0
    for doc in api.read(paths or ["-"], input_format.value if input_format else None, None, max_chars, problems):
        if docs:
            sys.stdout.write("\n")
        docs += 1
        if blocks:
            sys.stdout.write(describe_blocks(doc) + "\n")
        else:
            sys.stdout.write(doc.text + ("" if doc.text.endswith("\n") else "\n"))
    finish(docs, problems)



@app.command()
def ingest(paths: PathsArg = None, input_format: InputFormat | None = typer.Option(None, "--input-format"),
           date_: DateOpt = None, store: StoreOpt = DEFAULT_LOCATION,
           sample: bool = typer.Option(False, "--sample", help="Ingest the bundled sample articles."),
           workers: WorkersOpt = None, engine: EngineOpt = EngineChoice.local,
           scheduler: SchedulerOpt = None, doc_timeout: DocTimeoutOpt = DEFAULT_DOC_TIMEOUT) -> None:
    """Code documents into the store. Unchanged documents are skipped; a rerun resumes."""
    targets = [str(p) for p in api.sample_paths()] if sample else (paths or ["-"])
    if sample and paths:
        targets += paths
    fmt_in = input_format.value if input_format else None
    problems = ProblemLog()
    seen = 0
    with _engine(engine, workers, scheduler, None, doc_timeout) as runner, progress_bar("ingesting") as bar:
        task = bar.add_task("ingesting", total=progress_total(targets, fmt_in))
        problems.on_fatal = lambda: bar.advance(task)

        def tick(_doc) -> None:
            nonlocal seen
            seen += 1
            bar.advance(task)

        try:
            result = api.ingest(targets, store, fmt_in, parse_date(date_), on_problem=problems,
                                progress=tick, engine=runner)
        except database_errors() as exc:
            err.print(f"[red]nexus: cannot write the store {escape(display_location(store))}[/red]: "
                      f"{escape(first_line(exc))}")
            raise typer.Exit(1)
    s = result.stats
    err.print(f"nexus: {seen} documents read: {s.added} added, {s.replaced} replaced, "
              f"{s.unchanged} unchanged; {s.events} events written to {escape(display_location(store))}")
    finish(seen, problems)


