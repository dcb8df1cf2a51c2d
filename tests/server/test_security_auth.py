"""The access token: with one set, every route (API, pages, static files, the docs and the
OpenAPI description) answers 401 without it; the API takes `Authorization: Bearer`, browsers
sign in through /login, which sets an HttpOnly, SameSite=Strict session cookie holding no token
and never puts the token in a URL. `nexus serve` refuses to listen beyond loopback without one."""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest
from api_support import copy_store
from fastapi import FastAPI
from fastapi.testclient import TestClient
from test_pages_support import parse, select
from typer.testing import CliRunner

from nexus.cli import app as cli
from nexus.server import create_app, security

TOKEN = "correct-horse-battery-staple-9f2c"
BEARER = {"Authorization": f"Bearer {TOKEN}"}

API = ["/api/documents", "/api/documents/saudi-iran-beijing.txt", "/api/events?actor=RUS", "/api/actors",
       "/api/dyads/RUS/IRN", "/api/dyads/RUS/IRN/series", "/api/network", "/api/search?q=Iran",
       "/api/export/events.csv", "/api/export/events.jsonl", "/api/export/network.graphml",
       "/api/openapi.json", "/api/nothing-here"]
PAGES = ["/", "/map", "/actor/RUS", "/dyad/RUS/IRN", "/document/saudi-iran-beijing.txt", "/search?q=Iran",
         "/docs", "/nothing-here"]
STATIC = ["/static/nexus.css", "/static/nexus.js", "/static/favicon.svg", "/static/docs.js",
          "/static-swagger/swagger-ui-bundle.js", "/static-swagger/swagger-ui.css", "/static/nope.txt"]
WRONG = ["", "wrong", TOKEN[:-1], TOKEN + "x", TOKEN.upper(), f" {TOKEN}x", "Bearer", "\u00e9" * 40]


@pytest.fixture(scope="module")
def locked(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app with an access token, over its own copy of the sample store."""
    web = create_app(copy_store(sample_store, tmp_path_factory.mktemp("auth")), token=TOKEN)
    with TestClient(web, raise_server_exceptions=False, base_url="http://127.0.0.1") as c:
        yield c
    web.state.holder.close()


def _fresh(client: TestClient) -> TestClient:
    client.cookies.clear()
    return client


def test_every_route_needs_the_token(locked: TestClient) -> None:
    c = _fresh(locked)
    for url in API:
        for method in ("GET", "HEAD", "POST", "DELETE"):
            r = c.request(method, url)
            assert r.status_code == 401, (method, url, r.status_code)
            assert r.headers["www-authenticate"] == 'Bearer realm="nexus"'
            if method != "HEAD":
                assert r.headers["content-type"].startswith("application/json")
                assert "Bearer" in r.json()["detail"]
    for url in PAGES + STATIC:
        r = c.get(url)
        assert r.status_code == 401, (url, r.status_code)
        assert r.headers["content-type"].startswith("text/html")
        form = select(parse(r.text), 'form[action="/login"]')
        assert form and select(form[0], 'input[name="token"]'), url
        assert select(form[0], 'input[name="next"]')[0].get("value") == url  # back here once signed in
        # nothing of the store leaks into the refusal
        assert "Russia" not in r.text and "saudi" not in r.text.replace(quote(url), "").replace(url, "")
    # An upload without the token is refused before its body is read, and stores nothing.
    r = c.post("/api/documents", json={"text": "Russia supplied Iran with drones.", "doc_id": "sneaky"})
    assert r.status_code == 401
    assert c.get("/api/documents/sneaky", headers=BEARER).status_code == 404


@pytest.mark.parametrize("value", WRONG)
def test_wrong_tokens_are_refused(locked: TestClient, value: str) -> None:
    c = _fresh(locked)
    for header in (f"Bearer {value}", f"bearer {value}", value, f"Basic {value}", f"Token {TOKEN}"):
        # as bytes: HTTP headers are bytes, and a client may send any
        r = c.get("/api/events", headers={"Authorization": header.encode("utf-8")})
        assert r.status_code == 401, header
    r = c.get("/", headers={"Cookie": f"{security.SESSION_COOKIE}={value}".encode()})
    assert r.status_code == 401
    c.cookies.set(security.SESSION_COOKIE, TOKEN)  # the token itself is not a session
    assert c.get("/").status_code == 401


def test_bearer_token_opens_every_route(locked: TestClient) -> None:
    c = _fresh(locked)
    for url in API[:-1] + PAGES[:-2] + STATIC[:-1]:
        r = c.get(url, headers=BEARER)
        assert r.status_code == 200, (url, r.status_code, r.text[:200])
    assert c.get("/api/events", headers={"Authorization": f"bearer   {TOKEN}  "}).status_code == 200
    assert c.get("/api/nothing-here", headers=BEARER).status_code == 404
    assert c.get("/nothing-here", headers=BEARER).status_code == 404
    r = c.post("/api/documents", headers=BEARER,
               json={"text": "Russia supplied Iran with drones in 2022.", "doc_id": "with-token"})
    assert r.status_code == 201, r.text
    assert c.get("/api/documents/with-token", headers=BEARER).status_code == 200


def test_browser_sign_in(locked: TestClient) -> None:
    c = _fresh(locked)
    target = "/dyad/RUS/IRN?factuality=all"
    page = c.get(target)
    assert page.status_code == 401
    assert page.headers["cache-control"] == "no-store"
    form = select(parse(page.text), 'form[action="/login"]')[0]
    assert form.get("method") == "post"
    assert select(form, 'input[name="token"]')[0].get("type") == "password"
    next_url = select(form, 'input[name="next"]')[0].get("value")
    assert next_url == target

    crowded = c.post("/login", data={f"f{i}": "x" for i in range(20)} | {"token": TOKEN})
    assert crowded.status_code == 400 and not c.cookies
    wrong = c.post("/login", data={"token": "nope", "next": next_url}, follow_redirects=False)
    assert wrong.status_code == 401 and "not this server" in wrong.text
    assert "set-cookie" not in wrong.headers and not c.cookies

    r = c.post("/login", data={"token": TOKEN, "next": next_url}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == target
    cookie = r.headers["set-cookie"]
    attrs = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "samesite", "path"} <= attrs
    assert re.search(r"samesite=strict", cookie, re.IGNORECASE)
    assert "secure" not in attrs  # plain http on loopback: a Secure cookie would never come back
    value = c.cookies[security.SESSION_COOKIE]
    assert value == security.session_value(TOKEN) and TOKEN not in cookie
    for where in (r.headers["location"], cookie):
        assert TOKEN not in where

    # The cookie opens every kind of route: pages, static files, docs, the API.
    for url in [target, "/", "/static/nexus.css", "/docs", "/api/openapi.json", "/api/events?actor=RUS"]:
        assert c.get(url).status_code == 200, url
    c.cookies.clear()
    assert c.get(target).status_code == 401


@pytest.mark.parametrize("next_url, expected", [
    ("/search?q=Iran", "/search?q=Iran"),
    ("/document/a%2Fb.txt#s-3", "/document/a%2Fb.txt#s-3"),
    ("https://evil.example/", "/"), ("//evil.example/x", "/"), ("/\\evil.example", "/"),
    ("\\\\evil.example", "/"), ("javascript:alert(1)", "/"), ("", "/"), ("/a\r\nSet-Cookie: x=1", "/"),
    ("http:/evil.example", "/"),
])
def test_sign_in_only_returns_to_this_server(locked: TestClient, next_url: str, expected: str) -> None:
    c = _fresh(locked)
    r = c.post("/login", data={"token": TOKEN, "next": next_url}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == expected
    form = c.get("/login", params={"next": next_url})
    assert form.status_code == 200
    assert select(parse(form.text), 'input[name="next"]')[0].get("value") == expected


def test_login_page_is_escaped_and_self_contained(locked: TestClient) -> None:
    c = _fresh(locked)
    hostile = '/search?q="><script>alert(1)</script>'
    for r in (c.get(hostile), c.get("/login", params={"next": hostile})):
        tree = parse(r.text)
        assert not select(tree, "script") and "<script>alert" not in r.text
        assert unquote(select(tree, 'input[name="next"]')[0].get("value")) == hostile
        # nothing to load: the page works before signing in, when static files are refused
        assert [el.get("src") or el.get("href") for el in tree.iter() if el.get("src") or el.get("href")] == ["data:,"]


def test_tokens_are_compared_in_constant_time(locked: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(security.hmac, "compare_digest", spy)
    c = _fresh(locked)
    assert c.get("/api/events", headers={"Authorization": "Bearer guess"}).status_code == 401
    assert c.get("/api/events", headers=BEARER).status_code == 200
    assert c.post("/login", data={"token": "guess"}).status_code == 401
    c.cookies.set(security.SESSION_COOKIE, "guess")
    assert c.get("/").status_code == 401
    assert len(compared) == 4
    # digests of equal length whatever was sent: the timing tells nothing, not even the length
    assert all(len(a) == len(b) == 32 for a, b in compared)


def test_without_a_token_nothing_asks_for_one(sample_store: Path, tmp_path: Path) -> None:
    web = create_app(copy_store(sample_store, tmp_path))
    with TestClient(web) as c:
        for url in ["/", "/api/events", "/docs", "/static/nexus.css", "/api/openapi.json"]:
            assert c.get(url).status_code == 200, url
        assert c.get("/login").status_code == 404
    web.state.holder.close()


def test_is_loopback() -> None:
    for host in ("127.0.0.1", "localhost", "LOCALHOST", "::1", "[::1]", "127.8.9.10"):
        assert security.is_loopback(host), host
    for host in ("0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "example.org", "localhost.example.org", ""):
        assert not security.is_loopback(host), host


# ------------------------------------------------------------------------------ nexus serve

@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """uvicorn.run replaced: records the app and address instead of serving."""
    import uvicorn

    calls: list[dict[str, Any]] = []

    def fake_run(web: Any, **kwargs: Any) -> None:
        calls.append({"app": web, **kwargs})
        web.state.holder.close()

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.delenv("NEXUS_TOKEN", raising=False)
    return calls


def _auth_of(web: FastAPI) -> str | None:
    for m in web.user_middleware:
        if m.cls is security.TokenAuth:
            return m.kwargs["token"]
    return None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.org"])
def test_serve_refuses_other_addresses_without_a_token(tmp_path: Path, served: list, host: str) -> None:
    result = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path / "s.duckdb"), "--host", host])
    assert result.exit_code == 2 and not served
    assert "refusing to listen" in result.output and "NEXUS_TOKEN" in result.output
    empty = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path / "s.duckdb"), "--host", host],
                               env={"NEXUS_TOKEN": "  "})
    assert empty.exit_code == 2 and not served


def test_serve_with_a_token(tmp_path: Path, served: list) -> None:
    store = str(tmp_path / "s.duckdb")
    result = CliRunner().invoke(cli, ["serve", "--store", store, "--host", "0.0.0.0", "--token", TOKEN])
    assert result.exit_code == 0, result.output
    assert served[-1]["host"] == "0.0.0.0" and _auth_of(served[-1]["app"]) == TOKEN
    assert TOKEN not in result.output and "/login" in result.output

    result = CliRunner().invoke(cli, ["serve", "--store", store, "--host", "0.0.0.0", "--port", "9001"],
                                env={"NEXUS_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    assert (served[-1]["host"], served[-1]["port"]) == ("0.0.0.0", 9001) and _auth_of(served[-1]["app"]) == TOKEN

    # On loopback a token is optional, and honoured when given.
    result = CliRunner().invoke(cli, ["serve", "--store", store])
    assert result.exit_code == 0 and served[-1]["host"] == "127.0.0.1" and _auth_of(served[-1]["app"]) is None
    result = CliRunner().invoke(cli, ["serve", "--store", store], env={"NEXUS_TOKEN": TOKEN})
    assert result.exit_code == 0 and _auth_of(served[-1]["app"]) == TOKEN

    short = CliRunner().invoke(cli, ["serve", "--store", store, "--token", "abc"])
    assert short.exit_code == 0 and "short" in short.output


def test_serve_cors_origins(tmp_path: Path, served: list) -> None:
    store = str(tmp_path / "s.duckdb")
    result = CliRunner().invoke(cli, ["serve", "--store", store, "--cors-origin", "http://localhost:3000",
                                      "--cors-origin", "https://tools.example.org/"])
    assert result.exit_code == 0, result.output
    cors = [m for m in served[-1]["app"].user_middleware if m.cls.__name__ == "CORSMiddleware"]
    assert cors and cors[0].kwargs["allow_origins"] == ["http://localhost:3000", "https://tools.example.org"]
    result = CliRunner().invoke(cli, ["serve", "--store", store])
    assert not [m for m in served[-1]["app"].user_middleware if m.cls.__name__ == "CORSMiddleware"]
    for bad in ("*", "localhost:3000", "ftp://x.org", "http://x.org/path", "http://x.org?q=1", "http://"):
        result = CliRunner().invoke(cli, ["serve", "--store", store, "--cors-origin", bad])
        assert result.exit_code == 2 and "--cors-origin" in result.output, bad


def test_sign_in_url_and_docs_never_carry_the_token(locked: TestClient) -> None:
    c = _fresh(locked)
    for url in ("/", "/docs", "/login"):
        r = c.get(url)
        for el in parse(r.text).iter():
            for attr in ("href", "src", "action", "value"):
                assert TOKEN not in (el.get(attr) or "")
        assert TOKEN not in r.text
    docs = c.get("/docs", headers=BEARER)
    assert TOKEN not in docs.text and urlsplit(str(docs.url)).query == ""
