"""`nexus serve`: the workbench over a store."""

from __future__ import annotations

from typing import Optional
from urllib.parse import urlsplit

import typer

from nexus.cli.common import StoreOpt, app, err, escape, first_line
from nexus.store import DEFAULT_LOCATION, database_errors, display_location


def _bad_origin(origin: str) -> str | None:
    """Why `origin` is not a CORS origin (scheme://host[:port]), or None if it is one."""
    if origin.strip() == "*":
        return "'*' is not allowed: name each origin"
    try:
        parts = urlsplit(origin)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return "not an origin"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "an origin is scheme://host[:port], e.g. http://localhost:3000"
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        return "an origin has no path, query or user: scheme://host[:port]"
    return None


@app.command()
def serve(store: StoreOpt = DEFAULT_LOCATION,
          host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback: this machine only; "
                                                      "any other address needs --token)."),
          port: int = typer.Option(8765, min=1, max=65535),
          token: Optional[str] = typer.Option(
              None, envvar="NEXUS_TOKEN", show_envvar=True,
              help="Access token every request must carry: 'Authorization: Bearer TOKEN' for the API, "
                   "the /login page in a browser. Prefer the environment variable: other users can "
                   "read command lines."),
          cors_origin: Optional[list[str]] = typer.Option(
              None, "--cors-origin", metavar="ORIGIN",
              help="Let web pages from this origin (scheme://host[:port]) call the API; repeat for "
                   "several. Default: none.")) -> None:
    """Serve the workbench (web pages and the JSON API, docs at /docs) over a store."""
    import uvicorn

    from nexus.server import create_app
    from nexus.server.security import SHORT_TOKEN, is_loopback

    token = token.strip() if token else None
    if not is_loopback(host) and not token:
        err.print(f"[red]nexus: refusing to listen on {escape(host)} without an access token[/red]: "
                  "anyone who can reach that address could read and add to the store. Set one with "
                  "--token TOKEN or the environment variable NEXUS_TOKEN, or listen on 127.0.0.1.")
        raise typer.Exit(2)
    origins = [o.strip().rstrip("/") for o in cors_origin or []]
    for origin in origins:
        problem = _bad_origin(origin)
        if problem:
            err.print(f"[red]nexus: bad --cors-origin {escape(origin)!r}[/red]: {problem}")
            raise typer.Exit(2)
    if token and len(token) < SHORT_TOKEN:
        err.print(f"[yellow]nexus: the access token is short[/yellow] (under {SHORT_TOKEN} characters); "
                  "a long random one is safer, e.g. python -c 'import secrets; print(secrets.token_urlsafe())'")
    try:
        web = create_app(store, token=token, cors_origins=origins)
    except database_errors(RuntimeError) as exc:
        err.print(f"[red]nexus: cannot open the store {escape(display_location(store))}[/red]: "
                  f"{escape(first_line(exc))}")
        raise typer.Exit(1)
    err.print(f"nexus: serving {escape(display_location(store))} on http://{host}:{port} (API docs at /docs); Ctrl-C stops")
    if token:
        err.print(f"nexus: every request needs the access token (API: 'Authorization: Bearer …'; "
                  f"browsers sign in at http://{host}:{port}/login)")
    if origins:
        err.print(f"nexus: CORS allowed for {', '.join(origins)}")
    uvicorn.run(web, host=host, port=port)
