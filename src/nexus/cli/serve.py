"""`nexus serve`: the workbench over a store."""

from __future__ import annotations

import duckdb
import typer

from nexus.cli.common import StoreOpt, app, err, escape, first_line
from nexus.store import DEFAULT_LOCATION


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
        err.print(f"[red]nexus: cannot open the store {escape(store)}[/red]: {escape(first_line(exc))}")
        raise typer.Exit(1)
    err.print(f"nexus: serving {store} on http://{host}:{port} (API docs at /docs); Ctrl-C stops")
    uvicorn.run(web, host=host, port=port)


