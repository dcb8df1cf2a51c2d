"""The application factory: one store, opened once; each request works on its own cursor."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import swagger_ui_bundle
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
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


#: Largest request body an upload may send (POST /api/documents); bigger ones get 413.
DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
OPENAPI_URL = "/api/openapi.json"
SWAGGER_ASSETS = "/static-swagger"


def create_app(store: str | Path = "nexus.duckdb",
               max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> FastAPI:
    from nexus.server import api_routes, pages  # noqa: PLC0415 - routers import this module

    app = FastAPI(title="Nexus", description="Sourced political event data: events, dyads, networks and their evidence.",
                  version="0.1.0", docs_url=None, redoc_url=None, openapi_url=OPENAPI_URL)
    app.state.holder = StoreHolder(store)
    app.state.max_upload_bytes = max_upload_bytes
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    # Swagger UI from the installed swagger-ui-bundle package: the docs work offline, no CDN.
    app.mount(SWAGGER_ASSETS, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
              name="swagger-assets")

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=root + OPENAPI_URL, title="Nexus API",
            swagger_js_url=f"{root}{SWAGGER_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{SWAGGER_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{SWAGGER_ASSETS}/favicon-32x32.png",
            # the default validator badge would load an image from validator.swagger.io
            swagger_ui_parameters={"validatorUrl": None})

    app.include_router(api_routes.router)
    app.include_router(pages.router)
    return app
