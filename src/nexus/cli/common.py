"""What the command modules share: the Typer app, consoles, option types, problem reporting,
progress bars and table output."""

from __future__ import annotations

import inspect
import io
import json
import os
import sys
from collections.abc import Callable
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.models import ParameterInfo
from rich.console import Console
from rich.progress import (BarColumn, Progress, ProgressColumn, SpinnerColumn, Task, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)
from rich.table import Table
from rich.text import Text

from nexus import api
from nexus.documents import ReadProblem
from nexus.store import database_errors, display_location, is_postgres

app = typer.Typer(help="Nexus: sourced political event data from news and analysis articles.",
                  no_args_is_help=True, add_completion=False)
# soft_wrap: a message is one line however long its path, so logs can be grepped
err = Console(stderr=True, soft_wrap=True, highlight=False)


class _Out:
    """Standard output through Rich. Tables keep their shape when piped or logged: off a
    terminal, with no COLUMNS set, Rich would assume 80 columns; 150 reads better."""

    def __getattr__(self, name):
        width = None if sys.stdout.isatty() or "COLUMNS" in os.environ else 150
        return getattr(Console(width=width), name)


out = _Out()


class InputFormat(str, Enum):
    text = "text"
    html = "html"
    jsonl = "jsonl"
    feed = "feed"  # RSS or Atom: one document per item


class CodeFormat(str, Enum):
    jsonl = "jsonl"
    tsv = "tsv"
    table = "table"


class TableFormat(str, Enum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"


PathsArg = Annotated[Optional[list[str]], typer.Argument(help="Files, directories (read recursively) or - for stdin.")]
InputOpt = Annotated[Optional[InputFormat], typer.Option("--input-format", help="Default: by file extension.")]
DateOpt = Annotated[Optional[str], typer.Option("--date", help="Publication date YYYY-MM-DD, to resolve relative dates.")]
StoreOpt = Annotated[str, typer.Option(
    "--store", help="The store: a DuckDB file, or a PostgreSQL database shared by a team "
                    "(postgresql://user:password@host:port/database).")]
MaxOpt = Annotated[int, typer.Option("--max-chars", help="Refuse documents longer than this (characters).")]
DocTimeoutOpt = Annotated[float, typer.Option(
    "--doc-timeout", min=0.0, metavar="SECONDS",
    help="Skip (and report) a document whose parsing and coding takes more CPU seconds than this; 0: no limit.")]
# The event filters of `nexus events` and `nexus export` (nexus.store.queries.event_where).
ActorOpt = Annotated[Optional[str], typer.Option(help="Events where this actor is source or target.")]
DyadOpt = Annotated[Optional[tuple[str, str]], typer.Option(help="Two actors, either direction: --dyad RUS IRN")]
SourceOpt = Annotated[Optional[str], typer.Option()]
TargetOpt = Annotated[Optional[str], typer.Option()]
TypeOpt = Annotated[Optional[list[str]], typer.Option("--type", help="PLOVER type; repeat for several.")]
FactualityOpt = Annotated[Optional[list[str]], typer.Option(
    help="asserted, negated, hypothetical, future, alleged.")]
FromOpt = Annotated[Optional[str], typer.Option("--from")]
ToOpt = Annotated[Optional[str], typer.Option("--to")]
OriginOpt = Annotated[Optional[list[str]], typer.Option(
    help="Where events come from: nexus (coded), gdelt1, gdelt2, icews; repeat for several.")]
MinConfOpt = Annotated[Optional[float], typer.Option(
    "--min-confidence", min=0.0, max=1.0,
    help="Report asserted events down to this confidence (default: the ranker's threshold; 0 shows all).")]


def coder_for(min_confidence: float | None):
    from nexus.pipeline import Coder, CoderConfig

    return None if min_confidence is None else Coder(CoderConfig(min_confidence=min_confidence))


class ProblemLog:
    """Reports input problems on stderr as they come, and remembers whether any was fatal."""

    def __init__(self) -> None:
        self.fatal = 0
        self.warnings = 0
        self.on_fatal: Callable[[], None] | None = None  # e.g. advance a progress bar past it

    def __call__(self, problem: ReadProblem) -> None:
        if problem.fatal:
            self.fatal += 1
            if self.on_fatal is not None:
                self.on_fatal()
            err.print(f"[red]nexus: skipped[/red] {escape(str(problem))}", highlight=False)
        else:
            self.warnings += 1
            err.print(f"[yellow]nexus: warning[/yellow] {escape(str(problem))}", highlight=False)


def escape(text: str) -> str:
    return text.replace("[", "\\[")


def parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD", param_hint="--date")


class _CountColumn(ProgressColumn):
    """"12/340 documents" where the total is known, else "12 documents"."""

    def render(self, task: Task) -> Text:
        done = int(task.completed)
        return Text(f"{done}/{int(task.total)} documents" if task.total is not None else f"{done} documents",
                    style="progress.download")


class _RateColumn(ProgressColumn):
    """Documents per second, over Rich's recent-speed window."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f} docs/s" if speed else "", style="progress.data.speed")


class _EtaColumn(TimeRemainingColumn):
    """Time left, only where the total is known (an estimate without one would be made up)."""

    def render(self, task: Task) -> Text:
        return Text("") if task.total is None else Text("eta ") + super().render(task)


def progress_bar(label: str) -> Progress:
    """A progress bar on stderr, shown on a terminal only. Tasks added with a `total` get a
    filling bar and an ETA; without one, the count, rate and elapsed time."""
    return Progress(SpinnerColumn(), TextColumn(label), BarColumn(bar_width=None), _CountColumn(),
                    _RateColumn(), TimeElapsedColumn(), _EtaColumn(), console=err, transient=True,
                    disable=not err.is_terminal)


def progress_total(paths: list[str], input_format: str | None) -> int | None:
    """How many documents the input holds, counted cheaply up front (files; lines of JSONL),
    for the bar's ETA; None off a terminal (no bar to feed) or when it cannot be known (stdin)."""
    if not err.is_terminal:
        return None
    from nexus.documents.readers import count_documents

    return count_documents(paths, input_format)  # type: ignore[arg-type]


def finish(docs: int, problems: ProblemLog) -> None:
    """Exit non-zero only if nothing could be read."""
    if docs == 0 and problems.fatal:
        err.print("[red]nexus: no input could be read[/red]")
        raise typer.Exit(1)
    if docs == 0:
        err.print("[yellow]nexus: no documents in the input[/yellow]")


def print_frame(df, fmt: TableFormat, columns: list[str] | None = None, title: str | None = None) -> None:
    if columns:
        df = df[[c for c in columns if c in df.columns]]
    if fmt is TableFormat.csv:
        buf = io.StringIO()
        df.to_csv(buf, index=False)
        sys.stdout.write(buf.getvalue())
        return
    if fmt is TableFormat.jsonl:
        for rec in json.loads(df.to_json(orient="records", date_format="iso")):
            sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return
    t = Table(title=title)
    for col in df.columns:
        t.add_column(str(col), overflow="fold")
    for row in df.itertuples(index=False):
        t.add_row(*[escape(cell(v)) for v in row])
    out.print(t)


def cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return "" if v != v else f"{v:.2f}"
    text = str(v)
    return "" if text in {"NaT", "nan", "None"} else " ".join(text.split())


def open_store(store: str) -> api.Nexus:
    where = escape(display_location(store))  # a URL's password stays out of messages
    if not is_postgres(store) and not Path(store).exists():
        err.print(f"[red]nexus: no store at {where}[/red] (run `nexus ingest` first, or pass --store)")
        raise typer.Exit(1)
    try:
        return api.open(store)
    except database_errors(RuntimeError) as exc:
        problem = f"cannot open the store {where}" if is_postgres(store) else f"{where} is not a Nexus store"
        err.print(f"[red]nexus: {problem}[/red]: {escape(first_line(exc))}")
        raise typer.Exit(1)


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]




def invoke(command: Callable[..., Any], **kwargs: Any) -> Any:
    """Call another command's function from Python with the option defaults the command line
    would give: a parameter declared `x = typer.Option(default)` otherwise receives the Option
    object itself, which is truthy."""
    for name, param in inspect.signature(command).parameters.items():
        if name not in kwargs and param.default is not inspect.Parameter.empty:
            default = param.default
            kwargs[name] = default.default if isinstance(default, ParameterInfo) else default
    return command(**kwargs)
