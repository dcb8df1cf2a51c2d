"""Every query parameter of every GET route in the OpenAPI description, given hostile values:
a 2xx answer or a 4xx JSON error, never a server error."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from api_support import client  # noqa: F401 - fixture
from fastapi.testclient import TestClient

HOSTILE = ["", " ", "-1", "0", "99999999999999999999999", "1e309", "NaN", "2022-99-99",
           "\x00", "é" * 3000, "'; DROP TABLE events; --", "%_%", "<script>alert(1)</script>",
           "RUS,IRN,", ","]
PATH_VALUES = {"a": "RUS", "b": "IRN", "doc_id": "saudi-iran-beijing.txt"}


def _routes(client: TestClient) -> list[tuple[str, str]]:
    spec = client.get("/api/openapi.json").json()
    out = []
    for path, methods in spec["paths"].items():
        if not path.startswith("/api/"):
            continue  # the HTML pages answer errors in HTML
        for p in methods.get("get", {}).get("parameters", []):
            if p["in"] == "query":
                out.append((path.format(**PATH_VALUES), p["name"]))
    return out


def test_hostile_query_values_never_fail_the_server(client: TestClient) -> None:
    routes = _routes(client)
    assert len(routes) > 30
    for url, name in routes:
        for value in HOSTILE:
            r = client.get(url, params={name: value})
            assert r.status_code < 500, (url, name, value, r.text[:300])
            if r.status_code >= 400:
                assert r.headers["content-type"].startswith("application/json"), (url, name)


@pytest.mark.parametrize("value", HOSTILE[1:])
def test_hostile_path_values_never_fail_the_server(client: TestClient, value: str) -> None:
    v = quote(value, safe="")
    for url in (f"/api/documents/{v}", f"/api/dyads/{v}/IRN", f"/api/dyads/RUS/{v}/series"):
        r = client.get(url)
        assert r.status_code < 500, (url, r.text[:300])
        assert r.headers["content-type"].startswith("application/json"), url
