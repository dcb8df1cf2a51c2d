"""The application factory: one store, opened once; each request works on its own cursor."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from nexus.server import security
from nexus.store import EventStore, open_store


class StoreHolder:
    """The store the server was started on. Reads use a cursor per request; writes (uploads)
    are serialised by a lock, so a document is ingested whole or not at all."""

    def __init__(self, location: str | Path):
        self.location = str(location)
        self.store = open_store(self.location)  # a DuckDB file or a PostgreSQL URL
        self.write_lock = threading.Lock()

    def close(self) -> None:
        self.store.close()


def store_for(request: Request) -> Iterator[EventStore]:
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
SWAGGER_UI_DIR = Path(str(resources.files("fastapi_offline") / "static"))


def create_app(store: str | Path = "nexus.duckdb",
               max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES, *,
               token: str | None = None, cors_origins: Sequence[str] = (),
               max_body_bytes: int = security.DEFAULT_MAX_BODY_BYTES) -> FastAPI:
    """The workbench over `store`. With a `token`, every route needs it (see
    nexus.server.security); `cors_origins` are the only other sites whose pages may call the
    API; request bodies over `max_body_bytes` (`max_upload_bytes` for uploads) get 413."""
    from nexus.server import api_routes, pages  # noqa: PLC0415 - routers import this module

    app = FastAPI(title="Nexus", description="Sourced political event data: events, dyads, networks and their evidence.",
                  version="0.1.0", docs_url=None, redoc_url=None, openapi_url=OPENAPI_URL)
    app.state.holder = StoreHolder(store)
    app.state.max_upload_bytes = max_upload_bytes
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    # Swagger UI 5 from the installed fastapi-offline package (Swagger UI 4 cannot read
    # OpenAPI 3.1, which FastAPI writes): the docs work offline, no CDN.
    app.mount(SWAGGER_ASSETS, StaticFiles(directory=SWAGGER_UI_DIR),
              name="swagger-assets")

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return HTMLResponse(DOCS_PAGE.format(
            root=html.escape(root), assets=html.escape(root + SWAGGER_ASSETS),
            openapi=html.escape(root + OPENAPI_URL)))

    app.include_router(api_routes.router)
    app.include_router(pages.router)
    app.add_exception_handler(StarletteHTTPException, pages.http_error_page)  # type: ignore[arg-type]
    # Middlewares, innermost first (each added one wraps those before it): see security.py.
    app.add_middleware(security.BodyLimit, default=max_body_bytes,
                       limits={("POST", "/api/documents"): max_upload_bytes})
    if token:
        app.state.token = token
        app.include_router(security.login_router)
        app.add_middleware(security.TokenAuth, token=token)
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["Authorization", "Content-Type"])
    app.add_middleware(security.SecurityHeaders)
    return app


# Swagger UI with its start-up script in a file of its own (static/docs.js): the
# Content-Security-Policy runs no inline script. Its validator badge is off (docs.js), as it
# would load an image from validator.swagger.io.
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Nexus API</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" href="{assets}/favicon.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{root}/static/docs.js"></script>
</body>
</html>
"""
