"""Events in and out of a store: `export` writes them as Parquet, CSV or JSONL, `import gdelt`
and `import icews` read event datasets (nexus.importers)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional, TypeVar

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from nexus.analysis.export import events_csv, events_jsonl, events_parquet
from nexus.cli.common import (
    ActorOpt,
    DyadOpt,
    FactualityOpt,
    FromOpt,
    OriginOpt,
    ProblemLog,
    SourceOpt,
    StoreOpt,
    TargetOpt,
    ToOpt,
    TypeOpt,
    app,
    err,
    escape,
    first_line,
    open_store,
)
from nexus.importers import DATASETS, ImportStats, import_files
from nexus.store import DEFAULT_LOCATION, database_errors, display_location
from nexus.store import open_store as open_event_store  # cli.common's open_store gives a Nexus
from nexus.store.queries import ORDERS, count_events, event_where


class ExportFormat(str, Enum):
    parquet = "parquet"
    csv = "csv"
    jsonl = "jsonl"


@app.command("export")
def export(fmt: ExportFormat = typer.Argument(..., metavar="parquet|csv|jsonl",
                                              help="parquet: every column of the events table; csv: the "
                                                   "same without raw; jsonl: the contract records."),
           output: str = typer.Option(..., "--output", "-o", help="File to write (- for stdout: csv, jsonl)."),
           store: StoreOpt = DEFAULT_LOCATION,
           actor: ActorOpt = None, dyad: DyadOpt = None, source: SourceOpt = None, target: TargetOpt = None,
           plover_type: TypeOpt = None, factuality: FactualityOpt = None,
           date_from: FromOpt = None, date_to: ToOpt = None,
           origin: OriginOpt = None,
           order: str = typer.Option("date", help=f"One of {', '.join(ORDERS)}."),
           limit: Optional[int] = typer.Option(None, min=0, help="At most this many events.")) -> None:
    """Write the store's events (all, or those matching the filters of `nexus events`) to a file,
    streamed: memory stays flat however many there are."""
    if fmt is ExportFormat.parquet and output == "-":
        raise typer.BadParameter("Parquet needs a file, not standard output", param_hint="--output")
    if order not in ORDERS:
        raise typer.BadParameter(f"one of {', '.join(ORDERS)}", param_hint="--order")
    try:
        where = event_where(actor=actor, dyad=dyad, source=source, target=target, plover_type=plover_type,
                            factuality=factuality, date_from=date_from, date_to=date_to, origin=origin)
    except ValueError as exc:
        raise typer.BadParameter(str(exc))
    with open_store(store) as nx:
        if fmt is ExportFormat.parquet:
            written = _atomic(Path(output), lambda tmp: events_parquet(nx.store, tmp, where, order, limit))
        else:
            expected = count_events(nx.store, where)
            written = expected if limit is None else min(expected, limit)
            make = events_csv if fmt is ExportFormat.csv else events_jsonl
            pieces = make(nx.store, where, order=order, limit=limit)
            if output == "-":
                sys.stdout.writelines(pieces)
            else:
                _atomic(Path(output), lambda tmp: _write_text(tmp, pieces))
    if output != "-":
        err.print(f"nexus: {written} events written to {escape(output)}")


def _write_text(path: Path, pieces: Iterable[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.writelines(pieces)


T = TypeVar("T")


def _atomic(path: Path, write: Callable[[Path], T]) -> T:
    """Write through a temporary file renamed over `path` at the end: an export that fails
    halfway leaves no truncated file behind (nor an old one clobbered)."""
    tmp = path.with_name(f".{path.name}.part")
    try:
        result = write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        err.print(f"[red]nexus: cannot write {escape(str(path))}[/red]: {escape(first_line(exc))}")
        raise typer.Exit(1)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return result


import_app = typer.Typer(help="Import event datasets (GDELT 1.0 and 2.0, ICEWS) into a store.",
                         no_args_is_help=True)
app.add_typer(import_app, name="import")

FilesArg = Annotated[list[Path], typer.Argument(
    help="Files as published: plain, or zipped (.zip, .CSV.zip).", show_default=False)]


@import_app.command("gdelt")
def import_gdelt(files: FilesArg, store: StoreOpt = DEFAULT_LOCATION) -> None:
    """GDELT 1.0 or 2.0 event tables, as published (tab-separated, no header).

    The layout is told by the number of columns: 57 or 58 for GDELT 1.0, 61 for GDELT 2.0."""
    _import("gdelt", files, store)


@import_app.command("icews")
def import_icews(files: FilesArg, store: StoreOpt = DEFAULT_LOCATION) -> None:
    """ICEWS coded event files (tab-separated, with a header row: Event ID, Event Date ...)."""
    _import("icews", files, store)


def _import(name: str, files: list[Path], store: str) -> None:
    """Stream the files into the store and report each file's figures and the total on stderr.
    Exits non-zero only if no file could be read (an empty file is only a warning)."""
    dataset = DATASETS[name]
    problems = ProblemLog()
    where = escape(display_location(store))
    try:
        st = open_event_store(store)
    except database_errors(RuntimeError) as exc:
        err.print(f"[red]nexus: cannot open the store {where}[/red]: {escape(first_line(exc))}")
        raise typer.Exit(1)

    def on_file(path: Path, stats: ImportStats) -> None:
        if stats.rows:
            err.print(f"nexus: {escape(str(path))}: {_figures(stats)}")

    bar = Progress(SpinnerColumn(), TextColumn(f"importing {dataset.title}"),
                   TextColumn("{task.completed:,.0f} rows"), TimeElapsedColumn(),
                   console=err, transient=True, disable=not err.is_terminal)
    try:
        with st, bar:
            task = bar.add_task("rows", total=None)
            total = import_files(st, dataset, files, on_problem=problems, on_file=on_file,
                                 progress=lambda n: bar.advance(task, n))
    except database_errors() as exc:
        err.print(f"[red]nexus: cannot write the store {where}[/red]: {escape(first_line(exc))}")
        raise typer.Exit(1)
    origins = ", ".join(f"{origin} {n}" for origin, n in sorted(total.by_origin.items()))
    err.print(f"nexus: {_n(total.files, dataset.title + ' file')}: {_figures(total)} in {where}"
              + (f" (events read per dataset: {origins})" if origins else ""))
    if total.already:
        err.print(f"nexus: {_n(total.already, 'event')} stored already, not added again "
                  "(re-importing adds no duplicates)")
    if total.files == 0 and problems.fatal:
        err.print("[red]nexus: no input could be read[/red]")
        raise typer.Exit(1)


def _figures(s: ImportStats) -> str:
    text = f"{_n(s.rows, 'row')}, {_n(s.added, 'event')} added, {s.already} already stored"
    if s.statements:
        text += f", {_n(s.statements, 'statement')} (CAMEO 01x, no PLOVER type) left out"
    if s.bad:
        text += f", {_n(s.bad, 'bad row')} skipped"
    return text


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
