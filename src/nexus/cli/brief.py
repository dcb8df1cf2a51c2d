"""`nexus brief A B`: a sourced brief on how two actors treat each other (nexus.relations)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from nexus.cli.common import StoreOpt, app, err, escape, first_line, open_store
from nexus.store import DEFAULT_LOCATION, database_errors, display_location
from nexus.store.queries import date_bound


class BriefFormat(str, Enum):
    md = "md"
    html = "html"


FREQS = ("year", "quarter", "month")


def _bound(value: str | None, option: str, end: bool = False):
    if value is None:
        return None
    try:
        return date_bound(value, end=end)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD",
                                 param_hint=option) from None


@app.command("brief")
def brief(a: str = typer.Argument(..., help="One actor: a code, country or sector (RUS, IRNGOV, IGO)."),
          b: str = typer.Argument(..., help="The other actor."),
          store: StoreOpt = DEFAULT_LOCATION,
          date_from: Optional[str] = typer.Option(None, "--from", help="First date: YYYY, YYYY-MM or YYYY-MM-DD."),
          date_to: Optional[str] = typer.Option(None, "--to", help="Last date (a year or month includes all of it)."),
          fmt: BriefFormat = typer.Option(BriefFormat.md, "--format", help="md (Markdown) or html (a standalone page)."),
          output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of standard output."),
          freq: str = typer.Option("quarter", help="Periods for changes over time: year, quarter or month."),
          llm_url: Optional[str] = typer.Option(
              None, "--llm-url", envvar="NEXUS_LLM_URL", show_envvar=True,
              help="Optional: an OpenAI-compatible endpoint to append a prose rewrite of the brief "
                   "(key from NEXUS_LLM_KEY). Off unless given."),
          llm_model: Optional[str] = typer.Option(None, "--llm-model", envvar="NEXUS_LLM_MODEL",
                                                  help="The model name to ask the endpoint for.")) -> None:
    """A sourced brief on two actors: their relationship by domain, exchanges, a timeline,
    what is only alleged, denied, planned or conditional, changes over time, reactions and
    quotes. Every statement cites its sentences; only asserted events are stated as fact."""
    from nexus.relations import actor_names, relationship
    from nexus.relations.brief import build_brief, render_html, render_markdown

    start, end = _bound(date_from, "--from"), _bound(date_to, "--to", end=True)
    if start is not None and end is not None and start > end:
        raise typer.BadParameter(f"--from {date_from} is after --to {date_to}", param_hint="--from")
    if freq not in FREQS:
        raise typer.BadParameter(f"{freq!r}: use year, quarter or month", param_hint="--freq")
    for code, name in ((a, "A"), (b, "B")):
        if not code.strip():
            raise typer.BadParameter("an actor code is needed (RUS, IRN, IGO ...)", param_hint=name)

    with open_store(store) as nx:
        try:
            rel = relationship(nx.store, a, b, date_from=start, date_to=end, freq=freq)
            names = dict(actor_names(nx.store, rel))
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        except database_errors() as exc:
            err.print(f"[red]nexus: cannot read the store {escape(display_location(store))}[/red]: "
                      f"{escape(first_line(exc))}")
            raise typer.Exit(1) from None
    if not rel.mentions:
        period = (f" between {start or 'the start'} and {end or 'the latest'}" if start or end else "")
        err.print(f"[yellow]nexus: no events between {escape(rel.a)} and {escape(rel.b)}{period} in "
                  f"{escape(display_location(store))}[/yellow]; `nexus relations` lists the pairs it holds, "
                  f"`nexus events --actor {escape(rel.a)}` the events with one of them.")
        raise typer.Exit(1)

    built = build_brief(rel, names)
    prose, problem = None, None
    if llm_url:
        from nexus.relations.llm import LLMError, rewrite

        try:
            prose = rewrite(built, llm_url, llm_model)
        except LLMError as exc:
            problem = str(exc)
    if fmt is BriefFormat.md:
        from nexus.relations.llm import append_markdown

        text = render_markdown(built)
        if prose is not None:
            text = append_markdown(text, prose)
    else:
        from nexus.relations.llm import HEADING

        text = render_html(built, appendix=[(HEADING, prose)] if prose is not None else ())

    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            err.print(f"[red]nexus: cannot write {escape(str(output))}[/red]: {escape(first_line(exc))}")
            raise typer.Exit(1) from None
        err.print(f"nexus: wrote the brief on {escape(rel.a)} and {escape(rel.b)} to {escape(str(output))} "
                  f"({len(built.citations)} sources cited)")
    if problem is not None:
        err.print(f"[red]nexus: no prose rewrite[/red]: {escape(problem)}. The brief above is built from "
                  "the data alone and is complete.")
        raise typer.Exit(1)
