"""Security headers on every response, pages that need nothing the Content-Security-Policy
forbids (no inline script or style), and CORS only for the origins `--cors-origin` names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import copy_store
from fastapi.testclient import TestClient
from test_pages_support import parse, select

from nexus.server import charts, create_app
from nexus.server.security import CONTENT_SECURITY_POLICY

PAGES = ["/", "/?factuality=all", "/map", "/map?actor=RUS", "/actor/RUS", "/dyad/RUS/IRN?factuality=all",
         "/document/saudi-iran-beijing.txt", "/search?q=Iran", "/search", "/docs", "/actor/NOSUCH", "/nothing-here"]
OTHERS = ["/api/events", "/api/openapi.json", "/api/export/events.csv", "/api/nothing", "/static/nexus.css",
          "/static/docs.js", "/static-swagger/swagger-ui-bundle.js"]
ALLOWED = "http://localhost:3000"


@pytest.fixture(scope="module")
def store_copy(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_store(sample_store, tmp_path_factory.mktemp("headers"))


@pytest.fixture(scope="module")
def plain(store_copy: Path) -> Iterator[TestClient]:
    web = create_app(store_copy)
    with TestClient(web, raise_server_exceptions=False) as c:
        yield c
    web.state.holder.close()


@pytest.fixture(scope="module")
def with_cors(store_copy: Path) -> Iterator[TestClient]:
    web = create_app(store_copy, cors_origins=[ALLOWED], token="cors-test-token-0123456789")
    with TestClient(web, raise_server_exceptions=False) as c:
        yield c
    web.state.holder.close()


def _policy(header: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}


def test_every_response_has_the_security_headers(plain: TestClient) -> None:
    answers = [plain.get(u) for u in PAGES + OTHERS]
    answers += [plain.post("/api/documents", content=b"x" * 10**7), plain.post("/api/documents", json={})]
    for r in answers:
        assert r.status_code < 500
        h = r.headers
        assert h["x-content-type-options"] == "nosniff", r.url
        assert h["content-security-policy"] == CONTENT_SECURITY_POLICY, r.url
        assert h["x-frame-options"] == "DENY" and h["referrer-policy"] == "same-origin"
    policy = _policy(CONTENT_SECURITY_POLICY)
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == policy["base-uri"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"] and policy["connect-src"] == ["'self'"]


def test_pages_need_no_inline_script_or_style(plain: TestClient) -> None:
    for url in PAGES:
        r = plain.get(url)
        if not r.headers["content-type"].startswith("text/html"):
            continue
        tree = parse(r.text)
        for script in select(tree, "script"):
            assert script.get("src", "").startswith("/"), url
            assert not (script.text or "").strip(), url
        assert not select(tree, "style"), url
        offending = [el.tag for el in tree.iter() if isinstance(el.tag, str)
                     and ("style" in el.attrib or any(a.startswith("on") for a in el.attrib))]
        assert not offending, (url, offending[:5])
        assert "javascript:" not in r.text.lower(), url


def test_docs_page_starts_swagger_from_a_file(plain: TestClient) -> None:
    tree = parse(plain.get("/docs").text)
    scripts = [s.get("src") for s in select(tree, "script")]
    assert scripts == ["/static-swagger/swagger-ui-bundle.js", "/static/docs.js"]
    assert select(tree, "#swagger-ui")[0].get("data-openapi-url") == "/api/openapi.json"
    js = plain.get("/static/docs.js")
    assert js.status_code == 200 and "SwaggerUIBundle(" in js.text and "validatorUrl: null" in js.text


def test_goldstein_colours_come_from_the_stylesheet(plain: TestClient) -> None:
    css = plain.get("/static/nexus.css").text
    rules = dict(re.findall(r"\.(gs-[np]?\d+) \{ color: (#[0-9a-f]{6}); \}", css))
    assert len(rules) == 21
    for n in range(-10, 11):
        assert rules[charts.goldstein_class(n)] == charts.goldstein_colour(n)
    assert charts.goldstein_css() in css
    assert [charts.goldstein_class(g) for g in (-10.0, -9.6, -0.4, 0.4, 2.6, 10.0, 42.0, None, float("nan"))] == [
        "gs-n10", "gs-n10", "gs-0", "gs-0", "gs-p3", "gs-p10", "gs-p10", "gs-0", "gs-0"]
    page = parse(plain.get("/dyad/RUS/IRN?factuality=all").text)
    classes = {c for el in select(page, ".goldstein") for c in el.get("class").split() if c.startswith("gs-")}
    assert classes and classes <= set(rules)


# ------------------------------------------------------------------------------ CORS

def test_no_cors_unless_configured(plain: TestClient) -> None:
    for origin in (ALLOWED, "https://evil.example"):
        r = plain.get("/api/events", headers={"Origin": origin})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
        pre = plain.options("/api/events", headers={"Origin": origin, "Access-Control-Request-Method": "GET",
                                                    "Access-Control-Request-Headers": "authorization"})
        assert pre.status_code >= 400
        assert not [h for h in pre.headers if h.startswith("access-control-")]
        assert "access-control-allow-origin" not in plain.get("/", headers={"Origin": origin}).headers


def test_cors_only_for_the_configured_origin(with_cors: TestClient) -> None:
    bearer = {"Authorization": "Bearer cors-test-token-0123456789"}
    r = with_cors.get("/api/events", headers={"Origin": ALLOWED, **bearer})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == ALLOWED
    assert "origin" in r.headers["vary"].lower()
    assert "access-control-allow-credentials" not in r.headers  # the cookie never goes cross-site

    other = with_cors.get("/api/events", headers={"Origin": "https://evil.example", **bearer})
    assert other.status_code == 200 and "access-control-allow-origin" not in other.headers
    for near_miss in ("http://localhost:3001", "https://localhost:3000", "http://localhost:3000.evil.example", "null"):
        r = with_cors.get("/api/events", headers={"Origin": near_miss, **bearer})
        assert "access-control-allow-origin" not in r.headers, near_miss

    # A preflight carries no credentials: it is answered without the token, for that origin only.
    ask = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"}
    pre = with_cors.options("/api/documents", headers={"Origin": ALLOWED, **ask})
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == ALLOWED
    assert {"authorization", "content-type"} <= {h.strip().lower() for h in pre.headers["access-control-allow-headers"].split(",")}
    bad = with_cors.options("/api/documents", headers={"Origin": "https://evil.example", **ask})
    assert bad.status_code == 400 and "access-control-allow-origin" not in bad.headers
    # The token is still needed for the request itself.
    assert with_cors.get("/api/events", headers={"Origin": ALLOWED}).status_code == 401
