"""Coding commands: `code` prints events, `extract` prints the text offsets refer to, `ingest`
codes into the store."""

from __future__ import annotations

import csv
import sys

import duckdb
import typer
from rich.table import Table

from nexus import api
from nexus.cli.common import (CodeFormat, DateOpt, InputFormat, MaxOpt, MinConfOpt, PathsArg, ProblemLog,
                              StoreOpt, app, coder_for, err, escape, finish, first_line, out, parse_date,
                              progress_bar)
from nexus.documents.readers import DEFAULT_MAX_CHARS
from nexus.events.model import Event
from nexus.store import DEFAULT_LOCATION


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
    published = parse_date(date_)  # checked before anything is written to stdout
    writer = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n") if fmt is CodeFormat.tsv else None
    if writer:
        writer.writerow(TSV_COLUMNS)
    table_rows: list[Event] = []
    stream = api.read(paths or ["-"], input_format.value if input_format else None, published,
                      max_chars=max_chars, on_problem=problems)
    with progress_bar("coding") as bar:
        task = bar.add_task("coding", total=None, rate="")
        for coded in api.code_documents(stream, coder_for(min_confidence)):
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
           sample: bool = typer.Option(False, "--sample", help="Ingest the bundled sample articles.")) -> None:
    """Code documents into the store. Unchanged documents are skipped; a rerun resumes."""
    targets = [str(p) for p in api.sample_paths()] if sample else (paths or ["-"])
    if sample and paths:
        targets += paths
    problems = ProblemLog()
    seen = 0
    with progress_bar("ingesting") as bar:
        task = bar.add_task("ingesting", total=None, rate="")

        def tick(_doc) -> None:
            nonlocal seen
            seen += 1
            bar.update(task, advance=1)

        try:
            result = api.ingest(targets, store, input_format.value if input_format else None, parse_date(date_),
                                on_problem=problems, progress=tick)
        except duckdb.Error as exc:
            err.print(f"[red]nexus: cannot write the store {escape(store)}[/red]: {escape(first_line(exc))}")
            raise typer.Exit(1)
    s = result.stats
    err.print(f"nexus: {seen} documents read: {s.added} added, {s.replaced} replaced, "
              f"{s.unchanged} unchanged; {s.events} events written to {store}")
    finish(seen, problems)


