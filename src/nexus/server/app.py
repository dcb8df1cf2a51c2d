"""The application factory: one store, opened once; each request works on its own cursor."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from nexus.store import Store


class StoreHolder:
    """The store the server was started on. Reads use a cursor per request; writes (uploads)
    are serialised by a lock, so a document is ingested whole or not at all."""

    def __init__(self, location: str | Path):
        self.location = str(location)
        self.store = Store.open(self.location)
        self.write_lock = threading.Lock()

    def close(self) -> None:
        self.store.close()


def store_for(request: Request) -> Iterator[Store]:
    """FastAPI dependency: a cursor on the server's store for this request."""
    cursor = request.app.state.holder.store.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


def create_app(store: str | Path = "nexus.duckdb") -> FastAPI:
    from nexus.server import api_routes, pages  # noqa: PLC0415 - routers import this module

    app = FastAPI(title="Nexus", description="Sourced political event data: events, dyads, networks and their evidence.",
                  version="0.1.0", docs_url=None, redoc_url=None)
    app.state.holder = StoreHolder(store)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.include_router(api_routes.router)
    app.include_router(pages.router)
    return app
