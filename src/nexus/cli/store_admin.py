"""Looking after a store: `check` verifies its integrity (nexus.store.check), `migrate` brings
a store made by an older Nexus to this version's schema (nexus.store.migrations)."""

from __future__ import annotations

from pathlib import Path

import typer

from nexus.cli.common import StoreOpt, app, err, escape, first_line, out
from nexus.store import (
    DEFAULT_LOCATION,
    EventStore,
    database_errors,
    display_location,
    is_postgres,
    migrations,
)
from nexus.store import open_store as open_backend
from nexus.store.check import CHECKS, DEFAULT_LIMIT, check_store


def _open(store: str, read_only: bool) -> EventStore:
    """The store, which must exist already (neither command creates one); a clean message and
    exit status 1 when it cannot be opened."""
    where = escape(display_location(store))  # a URL's password stays out of messages
    if not is_postgres(store) and store != ":memory:" and not Path(store).exists():
        err.print(f"[red]nexus: no store at {where}[/red] (pass --store)")
        raise typer.Exit(1)
    try:
        return open_backend(store, read_only=read_only)
    except database_errors(RuntimeError) as exc:  # SchemaVersionError is a RuntimeError
        err.print(f"[red]nexus: cannot open the store {where}[/red]: {escape(first_line(exc))}")
        raise typer.Exit(1)


@app.command()
def check(store: StoreOpt = DEFAULT_LOCATION,
          limit: int = typer.Option(DEFAULT_LIMIT, "--limit", min=1,
                                    help="Problems listed per check; the rest are counted.")) -> None:
    """Check a store's integrity: schema version, each document's sentence and event counts,
    rows without their document, offsets and stored text, unique keys, valid codes. Prints
    each problem with its document; exit status 1 if any is found."""
    where = display_location(store)
    with _open(store, read_only=True) as st:
        report = check_store(st, limit=limit)
    version = "unknown" if report.version is None else str(report.version)
    out.print(f"Store {escape(where)}: schema version {version} "
              f"(this Nexus: {migrations.SCHEMA_VERSION})")
    if report.rows:
        out.print("  " + ", ".join(f"{n:,} {table}" for table, n in report.rows.items()))
    for name in report.checks:
        found = report.found.get(name, 0)
        verdict = f"[green]{'ok':<10}[/green]" if not found else f"[red]{f'{found:,} found':<10}[/red]"
        out.print(f"  {verdict} {name:<8} {CHECKS[name][0]}")
    skipped = [name for name in CHECKS if name not in report.checks]
    if skipped:
        out.print(f"  not run (the tables are not all there): {', '.join(skipped)}")
    if report.ok and not skipped:
        out.print("nexus: no problems found")
        return
    out.print("Problems:")
    for p in report.problems:
        out.print(f"  {p.check:<8} {escape(p.doc_id or '-')}  {escape(p.message)}", soft_wrap=True)
    unlisted = report.n_problems - len(report.problems)
    if unlisted:
        out.print(f"  ... and {unlisted:,} more (--limit lists more per check)")
    err.print(f"[red]nexus: {report.n_problems:,} problem{'s' if report.n_problems != 1 else ''} "
              f"found in {escape(where)}[/red]")
    raise typer.Exit(1)


@app.command()
def migrate(store: StoreOpt = DEFAULT_LOCATION) -> None:
    """Bring a store made by an older Nexus to this version's schema, in one transaction (what
    opening it for writing does anyway: ingest, import, serve)."""
    where = escape(display_location(store))
    with _open(store, read_only=False) as st:
        before = getattr(st, "migrated_from", None)
    if before is None:
        err.print(f"nexus: {where} is at schema version {migrations.SCHEMA_VERSION}: nothing to migrate")
    else:
        err.print(f"nexus: {where} migrated from schema version {before} to {migrations.SCHEMA_VERSION}")
