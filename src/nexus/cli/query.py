"""Commands over a store: `events`, `relations`, `dyad`."""

from __future__ import annotations

import json
import sys
from typing import Optional

import typer
from rich.table import Table

from nexus.analysis import dyad_by_origin
from nexus.cli.common import (
    ActorOpt,
    DyadOpt,
    FactualityOpt,
    FromOpt,
    OriginOpt,
    SourceOpt,
    StoreOpt,
    TableFormat,
    TargetOpt,
    ToOpt,
    TypeOpt,
    app,
    cell,
    escape,
    open_store,
    out,
    print_frame,
)
from nexus.store import DEFAULT_LOCATION


EVENT_COLUMNS = ["event_date", "doc_id", "source_code", "target_code", "plover_type", "cameo_code",
                 "factuality", "attribution_text", "trigger", "sentence"]


@app.command()
def events(store: StoreOpt = DEFAULT_LOCATION,
           actor: ActorOpt = None, dyad: DyadOpt = None, source: SourceOpt = None, target: TargetOpt = None,
           plover_type: TypeOpt = None, factuality: FactualityOpt = None,
           date_from: FromOpt = None, date_to: ToOpt = None,
           text: Optional[str] = typer.Option(None, help="Words in the sentence or trigger."),
           doc: Optional[str] = typer.Option(None, help="One document's events."),
           origin: OriginOpt = None,
           limit: Optional[int] = typer.Option(100, min=0), fmt: TableFormat = typer.Option(TableFormat.table, "--format")) -> None:
    """List stored events with filters, as a table, JSONL or CSV."""
    with open_store(store) as nx:
        try:
            df = nx.events(actor=actor, dyad=dyad, source=source, target=target, plover_type=plover_type,
                           factuality=factuality, date_from=date_from, date_to=date_to, text=text, doc_id=doc,
                           origin=origin, limit=limit)
        except ValueError as exc:
            raise typer.BadParameter(str(exc))
    if fmt is TableFormat.jsonl:
        for raw in df["raw"]:
            sys.stdout.write(raw + "\n")
        return
    print_frame(df, fmt, EVENT_COLUMNS if fmt is TableFormat.table else None)


@app.command()
def relations(store: StoreOpt = DEFAULT_LOCATION, limit: int = typer.Option(15, min=0),
              factuality: str = typer.Option("asserted"),
              fmt: TableFormat = typer.Option(TableFormat.table, "--format")) -> None:
    """The strongest directed relationships in the store."""
    with open_store(store) as nx:
        df = nx.relationships(factuality=factuality, limit=limit)
    if fmt is not TableFormat.table:
        print_frame(df, fmt)
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
         by_origin: bool = typer.Option(False, "--by-origin",
                                        help="Instead: counts per dataset (nexus, gdelt1, gdelt2, icews) "
                                             "both ways, to compare coded with imported events."),
         fmt: str = typer.Option("text", "--format", help="text or json.")) -> None:
    """How two actors treat each other over time, both directions, with evidence."""
    if by_origin:
        _dyad_by_origin(a, b, store, factuality, fmt)
        return
    with open_store(store) as nx:
        try:
            report = nx.dyad(a, b, freq=freq, evidence=evidence, factuality=factuality)
        except ValueError as exc:
            raise typer.BadParameter(str(exc))
    if fmt == "json":
        sys.stdout.write(json.dumps(_report_dict(report), ensure_ascii=False, default=str, indent=1) + "\n")
        return
    out.rule(f"{report.a} and {report.b}: {report.n_events} {factuality} events, "
             f"mean Goldstein {cell(report.mean_goldstein) or 'n/a'}")
    for d in (report.a_to_b, report.b_to_a):
        out.print(f"\n[bold]{d.source} -> {d.target}[/bold]: {d.n_events} events, "
                  f"mean Goldstein {cell(d.mean_goldstein) or 'n/a'}"
                  + (f"; only claimed or denied: {d.claimed_counts}" if d.claimed_counts else ""))
        if d.n_events:
            print_frame(d.by_type.reset_index(), TableFormat.table, title="by PLOVER type")
            print_frame(d.by_quad.reset_index(), TableFormat.table, title="by quad class")
            for row in d.evidence.itertuples(index=False):
                out.print(f"  [{row.plover_type} {row.factuality}] {escape(' '.join(row.sentence.split()))} "
                          f"[dim]({row.doc_id}, {row.date_value or 'undated'})[/dim]", highlight=False)


def _dyad_by_origin(a: str, b: str, store: str, factuality: str, fmt: str) -> None:
    with open_store(store) as nx:
        try:
            df = dyad_by_origin(nx.store, a, b, factuality=factuality)
        except ValueError as exc:
            raise typer.BadParameter(str(exc))
    if fmt == "json":
        rows = json.loads(df.to_json(orient="records", date_format="iso"))
        for row in rows:
            row["first_date"], row["last_date"] = (v and v[:10] for v in (row["first_date"], row["last_date"]))
        sys.stdout.write(json.dumps({"a": a, "b": b, "factuality": factuality, "by_origin": rows},
                                    ensure_ascii=False, indent=1) + "\n")
        return
    t = Table(title=f"{a} and {b} by origin ({factuality} events)")
    for col, justify in (("origin", "left"), ("direction", "left"), ("events", "right"), ("coop v/m", "right"),
                         ("conflict v/m", "right"), ("Goldstein", "right"), ("period", "left"), ("main types", "left")):
        t.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in df.itertuples(index=False):
        t.add_row(escape(str(r.origin)), f"{r.source} -> {r.target}", str(r.n_events),
                  f"{r.verbal_coop}/{r.material_coop}", f"{r.verbal_conflict}/{r.material_conflict}",
                  f"{r.mean_goldstein:+.1f}", _period(r.first_date, r.last_date), str(r.top_types))
    out.print(t)
    if df.empty:
        out.print(f"No {factuality} events between {escape(a)} and {escape(b)}.")


def _report_dict(report) -> dict:
    def direction(d) -> dict:
        return {"source": d.source, "target": d.target, "n_events": d.n_events, "mean_goldstein": d.mean_goldstein,
                "by_type": json.loads(d.by_type.to_json(orient="index")),
                "by_quad": json.loads(d.by_quad.to_json(orient="index")),
                "evidence": json.loads(d.evidence.to_json(orient="records", date_format="iso")),
                "claimed": d.claimed_counts}
    return {"a": report.a, "b": report.b, "freq": report.freq, "mean_goldstein": report.mean_goldstein,
            "a_to_b": direction(report.a_to_b), "b_to_a": direction(report.b_to_a)}


