"""The `nexus` command line: code, extract, ingest, events, dyad, relations, serve, eval, demo."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import duckdb
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from nexus import api
from nexus.documents import ReadProblem
from nexus.documents.readers import DEFAULT_MAX_CHARS
from nexus.events.model import Event
from nexus.store import DEFAULT_LOCATION

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
StoreOpt = Annotated[str, typer.Option("--store", help="DuckDB file of the store.")]
MaxOpt = Annotated[int, typer.Option("--max-chars", help="Refuse documents longer than this (characters).")]
MinConfOpt = Annotated[Optional[float], typer.Option(
    "--min-confidence", min=0.0, max=1.0,
    help="Report asserted events down to this confidence (default: the ranker's threshold; 0 shows all).")]


def _coder(min_confidence: float | None):
    from nexus.pipeline import Coder, CoderConfig

    return None if min_confidence is None else Coder(CoderConfig(min_confidence=min_confidence))


class ProblemLog:
    """Reports input problems on stderr as they come, and remembers whether any was fatal."""

    def __init__(self) -> None:
        self.fatal = 0
        self.warnings = 0

    def __call__(self, problem: ReadProblem) -> None:
        if problem.fatal:
            self.fatal += 1
            err.print(f"[red]nexus: skipped[/red] {_escape(str(problem))}", highlight=False)
        else:
            self.warnings += 1
            err.print(f"[yellow]nexus: warning[/yellow] {_escape(str(problem))}", highlight=False)


def _escape(text: str) -> str:
    return text.replace("[", "\\[")


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD", param_hint="--date")


def _progress(label: str) -> Progress:
    return Progress(SpinnerColumn(), TextColumn(label), BarColumn(bar_width=None),
                    TextColumn("{task.completed} documents"), TextColumn("{task.fields[rate]}"),
                    TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal)


def _finish(docs: int, problems: ProblemLog) -> None:
    """Exit non-zero only if nothing could be read."""
    if docs == 0 and problems.fatal:
        err.print("[red]nexus: no input could be read[/red]")
        raise typer.Exit(1)
    if docs == 0:
        err.print("[yellow]nexus: no documents in the input[/yellow]")


# ------------------------------------------------------------------------------ code

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
         max_chars: MaxOpt = DEFAULT_MAX_CHARS, min_confidence: MinConfOpt = None) -> None:
    """Code documents and print their events (one JSON object per line by default)."""
    problems = ProblemLog()
    docs = 0
    published = _date(date_)  # checked before anything is written to stdout
    writer = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n") if fmt is CodeFormat.tsv else None
    if writer:
        writer.writerow(TSV_COLUMNS)
    table_rows: list[Event] = []
    stream = api.read(paths or ["-"], input_format.value if input_format else None, published,
                      max_chars=max_chars, on_problem=problems)
    with _progress("coding") as bar:
        task = bar.add_task("coding", total=None, rate="")
        for coded in api.code_documents(stream, _coder(min_confidence)):
            docs += 1
            bar.update(task, advance=1)
            for e in coded.events:
                if fmt is CodeFormat.jsonl:
                    sys.stdout.write(e.to_json() + "\n")
                elif writer:
                    writer.writerow(_tsv_row(e))
                else:
                    table_rows.append(e)
            sys.stdout.flush()
    if fmt is CodeFormat.table:
        _print_events_table(table_rows)
    _finish(docs, problems)


def _print_events_table(events: list[Event]) -> None:
    t = Table(show_lines=False)
    for col in ("doc", "source", "target", "type", "cameo", "factuality", "date", "trigger", "sentence"):
        t.add_column(col, overflow="fold")
    for e in events:
        t.add_row(e.doc_id, e.source.code if e.source else "", e.target.code if e.target else "",
                  e.plover.type, e.cameo.code, e.factuality, e.date.value or "", e.trigger,
                  _escape(" ".join(e.sentence.split())[:160]))
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
    _finish(docs, problems)


# ------------------------------------------------------------------------------ store

@app.command()
def ingest(paths: PathsArg = None, input_format: InputFormat | None = typer.Option(None, "--input-format"),
           date_: DateOpt = None, store: StoreOpt = DEFAULT_LOCATION,
           sample: bool = typer.Option(False, "--sample", help="Ingest the bundled sample articles.")) -> None:
    """Code documents into the store. Unchanged documents are skipped; a rerun resumes."""
    targets = [str(p) for p in api.sample_paths()] if sample else (paths or ["-"])
    if sample and paths:
        targets += paths
    problems = ProblemLog()
    seen = 0
    with _progress("ingesting") as bar:
        task = bar.add_task("ingesting", total=None, rate="")

        def tick(_doc) -> None:
            nonlocal seen
            seen += 1
            bar.update(task, advance=1)

        try:
            result = api.ingest(targets, store, input_format.value if input_format else None, _date(date_),
                                on_problem=problems, progress=tick)
        except duckdb.Error as exc:
            err.print(f"[red]nexus: cannot write the store {_escape(store)}[/red]: {_escape(_first_line(exc))}")
            raise typer.Exit(1)
    s = result.stats
    err.print(f"nexus: {seen} documents read: {s.added} added, {s.replaced} replaced, "
              f"{s.unchanged} unchanged; {s.events} events written to {store}")
    _finish(seen, problems)


def _dataframe_out(df, fmt: TableFormat, columns: list[str] | None = None, title: str | None = None) -> None:
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
        t.add_row(*[_escape(_cell(v)) for v in row])
    out.print(t)


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return "" if v != v else f"{v:.2f}"
    text = str(v)
    return "" if text in {"NaT", "nan", "None"} else " ".join(text.split())


EVENT_COLUMNS = ["event_date", "doc_id", "source_code", "target_code", "plover_type", "cameo_code",
                 "factuality", "attribution_text", "trigger", "sentence"]


@app.command()
def events(store: StoreOpt = DEFAULT_LOCATION,
           actor: Optional[str] = typer.Option(None, help="Events where this actor is source or target."),
           dyad: Optional[tuple[str, str]] = typer.Option(None, help="Two actors, either direction: --dyad RUS IRN"),
           source: Optional[str] = typer.Option(None), target: Optional[str] = typer.Option(None),
           plover_type: Optional[list[str]] = typer.Option(None, "--type", help="PLOVER type; repeat for several."),
           factuality: Optional[list[str]] = typer.Option(None, help="asserted, negated, hypothetical, future, alleged."),
           date_from: Optional[str] = typer.Option(None, "--from"), date_to: Optional[str] = typer.Option(None, "--to"),
           text: Optional[str] = typer.Option(None, help="Words in the sentence or trigger."),
           doc: Optional[str] = typer.Option(None, help="One document's events."),
           limit: Optional[int] = typer.Option(100, min=0), fmt: TableFormat = typer.Option(TableFormat.table, "--format")) -> None:
    """List stored events with filters, as a table, JSONL or CSV."""
    with _open(store) as nx:
        try:
            df = nx.events(actor=actor, dyad=dyad, source=source, target=target, plover_type=plover_type,
                           factuality=factuality, date_from=date_from, date_to=date_to, text=text, doc_id=doc,
                           limit=limit)
        except ValueError as exc:
            raise typer.BadParameter(str(exc))
    if fmt is TableFormat.jsonl:
        for raw in df["raw"]:
            sys.stdout.write(raw + "\n")
        return
    _dataframe_out(df, fmt, EVENT_COLUMNS if fmt is TableFormat.table else None)


def _open(store: str) -> api.Nexus:
    if not Path(store).exists():
        err.print(f"[red]nexus: no store at {_escape(store)}[/red] (run `nexus ingest` first, or pass --store)")
        raise typer.Exit(1)
    try:
        return api.open(store)
    except (duckdb.Error, RuntimeError) as exc:
        err.print(f"[red]nexus: {_escape(store)} is not a Nexus store[/red]: {_escape(_first_line(exc))}")
        raise typer.Exit(1)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


@app.command()
def relations(store: StoreOpt = DEFAULT_LOCATION, limit: int = typer.Option(15, min=0),
              factuality: str = typer.Option("asserted"),
              fmt: TableFormat = typer.Option(TableFormat.table, "--format")) -> None:
    """The strongest directed relationships in the store."""
    with _open(store) as nx:
        df = nx.relationships(factuality=factuality, limit=limit)
    if fmt is not TableFormat.table:
        _dataframe_out(df, fmt)
        return
    t = Table(title=f"Strongest relationships ({factuality} events)")
    for col, justify in (("source", "left"), ("target", "left"), ("events", "right"), ("coop v/m", "right"),
                         ("conflict v/m", "right"), ("Goldstein", "right"), ("period", "left"), ("main types", "left")):
        t.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in df.itertuples(index=False):
        t.add_row(str(r.source), str(r.target), str(r.n_events), f"{r.verbal_coop}/{r.material_coop}",
                  f"{r.verbal_conflict}/{r.material_conflict}", f"{r.mean_goldstein:+.1f}",
                  _period(r.first_date, r.last_date), str(r.top_types))
    out.print(t)


def _period(first, last) -> str:
    def day(v) -> str:
        return "?" if v is None or str(v) in {"NaT", "None"} else str(v)[:10]
    a, b = day(first), day(last)
    return a if a == b else f"{a} to {b}"


@app.command()
def dyad(a: str, b: str, store: StoreOpt = DEFAULT_LOCATION,
         freq: str = typer.Option("year", help="year, quarter or month."),
         evidence: int = typer.Option(5, min=0, help="Evidence sentences per direction."),
         factuality: str = typer.Option("asserted"),
         fmt: str = typer.Option("text", "--format", help="text or json.")) -> None:
    """How two actors treat each other over time, both directions, with evidence."""
    with _open(store) as nx:
        try:
            report = nx.dyad(a, b, freq=freq, evidence=evidence, factuality=factuality)
        except ValueError as exc:
            raise typer.BadParameter(str(exc))
    if fmt == "json":
        sys.stdout.write(json.dumps(_report_dict(report), ensure_ascii=False, default=str, indent=1) + "\n")
        return
    out.rule(f"{report.a} and {report.b}: {report.n_events} {factuality} events, "
             f"mean Goldstein {_cell(report.mean_goldstein) or 'n/a'}")
    for d in (report.a_to_b, report.b_to_a):
        out.print(f"\n[bold]{d.source} -> {d.target}[/bold]: {d.n_events} events, "
                  f"mean Goldstein {_cell(d.mean_goldstein) or 'n/a'}"
                  + (f"; only claimed or denied: {d.claimed_counts}" if d.claimed_counts else ""))
        if d.n_events:
            _dataframe_out(d.by_type.reset_index(), TableFormat.table, title="by PLOVER type")
            _dataframe_out(d.by_quad.reset_index(), TableFormat.table, title="by quad class")
            for row in d.evidence.itertuples(index=False):
                out.print(f"  [{row.plover_type} {row.factuality}] {_escape(' '.join(row.sentence.split()))} "
                          f"[dim]({row.doc_id}, {row.date_value or 'undated'})[/dim]", highlight=False)


def _report_dict(report) -> dict:
    def direction(d) -> dict:
        return {"source": d.source, "target": d.target, "n_events": d.n_events, "mean_goldstein": d.mean_goldstein,
                "by_type": json.loads(d.by_type.to_json(orient="index")),
                "by_quad": json.loads(d.by_quad.to_json(orient="index")),
                "evidence": json.loads(d.evidence.to_json(orient="records", date_format="iso")),
                "claimed": d.claimed_counts}
    return {"a": report.a, "b": report.b, "freq": report.freq, "mean_goldstein": report.mean_goldstein,
            "a_to_b": direction(report.a_to_b), "b_to_a": direction(report.b_to_a)}


# ------------------------------------------------------------------------------ serve

@app.command()
def serve(store: StoreOpt = DEFAULT_LOCATION,
          host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback: this machine only)."),
          port: int = typer.Option(8765, min=1, max=65535)) -> None:
    """Serve the workbench (web pages and the JSON API, docs at /docs) over a store."""
    import uvicorn

    from nexus.server import create_app

    try:
        web = create_app(store)
    except (duckdb.Error, RuntimeError) as exc:
        err.print(f"[red]nexus: cannot open the store {_escape(store)}[/red]: {_escape(_first_line(exc))}")
        raise typer.Exit(1)
    err.print(f"nexus: serving {store} on http://{host}:{port} (API docs at /docs); Ctrl-C stops")
    uvicorn.run(web, host=host, port=port)


# ------------------------------------------------------------------------------ eval, demo

@app.command(name="eval")
def eval_(gold: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
          cameo: bool = typer.Option(False, "--cameo", help="Gold codes are CAMEO; match on the root."),
          events_out: Optional[Path] = typer.Option(None, "--events", help="Also write the coded events (JSONL)."),
          report: Optional[Path] = typer.Option(None, "--report", help="Write an error analysis (Markdown and JSON) to this folder."),
          min_confidence: MinConfOpt = None) -> None:
    """Code a gold file and print precision, recall and F1 as the reference scorer computes them.

    A file whose records list "events" with a "factuality" (a factuality set) is scored for
    factuality instead: accuracy on the events found, and any negated or hypothetical event
    reported as asserted."""
    from nexus.evaluate import load_gold, score_events
    from nexus.evaluate.factuality import score_factuality

    from nexus.evaluate.score import GoldError

    try:
        records = load_gold(gold)
    except GoldError as exc:
        err.print(f"[red]nexus: bad gold file[/red] {_escape(str(exc))}")
        raise typer.Exit(1)
    problems = ProblemLog()
    coded = [e.to_dict() for cd in api.code_documents(api.read([gold], "jsonl", on_problem=problems),
                                                      _coder(min_confidence))
             for e in cd.events]
    if events_out:
        events_out.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in coded), encoding="utf-8")
    if records and "expected_events" not in records[0] and "events" in records[0]:
        fscore = score_factuality(records, coded)
        out.print_json(json.dumps(fscore.figures()))
        for line in fscore.asserted_errors:
            out.print(f"[red]asserted in error[/red] {_escape(line)}", highlight=False)
        out.print(f"factuality accuracy={fscore.accuracy} coverage={fscore.coverage}")
        return
    score = score_events(records, coded, cameo=cameo)
    out.print_json(json.dumps(score.figures()))
    out.print(f"P={score.precision} R={score.recall} F1={score.f1}")
    if report is not None:
        from nexus.evaluate.report import build_report, write_report

        md, js = write_report(build_report(score, cameo=cameo), report)
        err.print(f"nexus: report written to {md} and {js}")


@app.command()
def demo(store: StoreOpt = DEFAULT_LOCATION) -> None:
    """Code the bundled sample articles into the store and print the strongest relationships."""
    ingest(paths=None, input_format=None, date_=None, store=store, sample=True)
    relations(store=store, limit=12, factuality="asserted", fmt=TableFormat.table)
    with api.open(store) as nx:
        top = nx.relationships(limit=1)
    if len(top):
        a, b = top.iloc[0]["source"], top.iloc[0]["target"]
        out.print(f"\nThe busiest pair, in both directions (nexus dyad {a} {b}):")
        dyad(a, b, store=store, freq="year", evidence=3, factuality="asserted", fmt="text")


if __name__ == "__main__":
    app()
