"""The OpenAPI description and the Swagger UI page: served by the app itself (offline, no CDN)."""

from __future__ import annotations

import re

from api_support import client, json_error, ok  # noqa: F401 - fixtures
from fastapi.testclient import TestClient

ROUTES = {
    "/api/documents": {"get", "post"},
    "/api/documents/{doc_id}": {"get"},
    "/api/events": {"get"},
    "/api/actors": {"get"},
    "/api/dyads/{a}/{b}": {"get"},
    "/api/dyads/{a}/{b}/series": {"get"},
    "/api/network": {"get"},
    "/api/search": {"get"},
    "/api/export/events.csv": {"get"},
    "/api/export/events.jsonl": {"get"},
    "/api/export/network.graphml": {"get"},
}


def test_openapi_lists_the_routes(client: TestClient) -> None:
    spec = ok(client.get("/api/openapi.json"))
    paths = spec["paths"]
    for path, methods in ROUTES.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    upload = paths["/api/documents"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(upload)
    params = {p["name"] for p in paths["/api/events"]["get"]["parameters"]}
    assert {"actor", "source", "target", "a", "b", "dyad", "type", "factuality", "date_from",
            "date_to", "text", "doc_id", "limit", "offset", "sort"} <= params


def test_docs_page_is_offline(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "swagger-ui" in html.lower() and "/api/openapi.json" in html
    assert not re.search(r"https?://|//[a-z]", html, re.I), "no URL outside the server"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 2
    for url in assets:
        assert url.startswith("/") and not url.startswith("//")
        asset = client.get(url)
        assert asset.status_code == 200 and asset.content, url


def test_unknown_api_route_is_a_json_404(client: TestClient) -> None:
    json_error(client.get("/api/nothing-here"), 404)
    json_error(client.delete("/api/events"), 405)
