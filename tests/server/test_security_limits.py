"""Request bodies have a size limit on every route: over it, 413 (JSON under /api, HTML
elsewhere), decided from Content-Length before any of the body is read, or as soon as a
streamed (chunked) body passes it; the route never sees it. Uploads have their own, larger
limit. Checked through the test client and, for the "early" part, on a real socket."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import copy_store, table_counts
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from nexus.server.background import serving
from starlette.routing import Route

from nexus.server import api_routes, create_app, pages
from nexus.server.security import BodyLimit
from nexus.store import Store

BODY_LIMIT = 1_000
UPLOAD_LIMIT = 20_000
NEWS = "Russia supplied Iran with attack drones in 2022, Ukrainian officials said. "


@pytest.fixture(scope="module")
def limited(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    web = create_app(copy_store(sample_store, tmp_path_factory.mktemp("limits")),
                     max_upload_bytes=UPLOAD_LIMIT, max_body_bytes=BODY_LIMIT)
    with TestClient(web, raise_server_exceptions=False) as c:
        yield c
    web.state.holder.close()


@pytest.fixture
def ldb(limited: TestClient) -> Iterator[Store]:
    cursor = limited.app.state.holder.store.cursor()  # type: ignore[attr-defined]
    yield cursor
    cursor.close()


def every_route(client: TestClient) -> list[tuple[str, str]]:
    """(method, concrete path) for every route of the app: API, pages, docs, static files."""
    values = {"doc_id": "saudi-iran-beijing.txt", "a": "RUS", "b": "IRN", "code": "RUS"}
    out = []
    routes = [*client.app.routes, *api_routes.router.routes, *pages.router.routes]  # type: ignore[attr-defined]
    for route in routes:
        if isinstance(route, APIRoute | Route) and route.methods:
            path = route.path.replace(":path}", "}").format(**values)
            out += [(m, path) for m in sorted(route.methods)]
    out += [("GET", "/static/nexus.css"), ("GET", "/static-swagger/swagger-ui.css"),
            ("POST", "/nothing-here"), ("PUT", "/api/events")]
    assert ("POST", "/api/documents") in out and ("GET", "/dyad/RUS/IRN") in out and ("GET", "/docs") in out
    return out


def _is_413(r: Any, path: str) -> None:
    assert r.status_code == 413, (path, r.status_code, r.text[:200])
    head = r.request.method == "HEAD"  # the same answer, without its body
    if path.startswith("/api/"):
        assert r.headers["content-type"].startswith("application/json")
        assert head or "limit" in r.json()["detail"]
    else:
        assert r.headers["content-type"].startswith("text/html") and (head or "limit" in r.text)


def test_declared_length_over_the_limit_is_413_on_every_route(limited: TestClient, ldb: Store) -> None:
    before = table_counts(ldb)
    for method, path in every_route(limited):
        limit = UPLOAD_LIMIT if (method, path) == ("POST", "/api/documents") else BODY_LIMIT
        r = limited.request(method, path, content=b"x" * (limit + 1),
                            headers={"content-type": "application/json"})
        _is_413(r, path)
        ok = limited.request(method, path, content=b"{}" if limit == UPLOAD_LIMIT else b"x" * (BODY_LIMIT // 2),
                             headers={"content-type": "application/json"})
        assert ok.status_code != 413 and ok.status_code < 500, (method, path, ok.status_code)
    assert table_counts(ldb) == before


def test_streamed_body_over_the_limit_is_413_on_every_route(limited: TestClient, ldb: Store) -> None:
    before = table_counts(ldb)

    def chunks(n: int) -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(n):
            yield b"y" * 100

    for method, path in every_route(limited):
        limit = UPLOAD_LIMIT if (method, path) == ("POST", "/api/documents") else BODY_LIMIT
        r = limited.request(method, path, content=chunks(limit // 100 + 1),
                            headers={"content-type": "application/json"})
        assert "content-length" not in r.request.headers
        _is_413(r, path)
    assert table_counts(ldb) == before


def test_uploads_keep_their_larger_limit(limited: TestClient, ldb: Store) -> None:
    text = NEWS * (3 * BODY_LIMIT // len(NEWS))  # over the general limit, under the upload limit
    r = limited.post("/api/documents", json={"text": text, "doc_id": "bigger-than-a-form"})
    assert r.status_code == 201, r.text
    r = limited.post("/api/documents", files={"file": ("big.txt", text.encode())},
                     data={"doc_id": "bigger-multipart"})
    assert r.status_code == 201, r.text
    before = table_counts(ldb)
    r = limited.post("/api/documents", json={"text": NEWS * (UPLOAD_LIMIT // len(NEWS) + 1)})
    _is_413(r, "/api/documents")
    # the upload limit is the upload's only: elsewhere a body that size is refused
    _is_413(limited.post("/api/events", json={"text": text}), "/api/events")
    assert table_counts(ldb) == before


# ------------------------------------------------------------------------------ on a real socket

def _exchange(port: int, head: bytes, chunks: list[bytes], timeout: float = 5.0) -> tuple[bytes, float]:
    """Sends `head` then `chunks` without ever finishing the body, and reads the answer: the
    server must answer while the client is still 'sending'."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        start = time.monotonic()
        s.sendall(head)
        for chunk in chunks:
            s.sendall(chunk)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                part = s.recv(65536)
                if not part:
                    break
                data += part
        except ConnectionResetError:
            pass  # answered and closed at once: what was read is checked below
        answered = time.monotonic() - start
        # then the server closes the connection rather than read the rest of the body
        # (a reset: the unread body was still in its buffer)
        try:
            while s.recv(65536):
                pass
            closed = True
        except ConnectionResetError:
            closed = True
        except TimeoutError:
            closed = False
    assert closed, "the connection stayed open after the 413"
    return data, answered


@pytest.fixture(scope="module")
def live(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    web = create_app(copy_store(sample_store, tmp_path_factory.mktemp("live-limits")),
                     max_upload_bytes=UPLOAD_LIMIT, max_body_bytes=BODY_LIMIT)
    with serving(web) as (_, port):
        yield port
    web.state.holder.close()


@pytest.mark.parametrize("method, path, limit", [
    ("POST", "/api/documents", UPLOAD_LIMIT), ("GET", "/api/events", BODY_LIMIT), ("POST", "/api/events", BODY_LIMIT),
    ("GET", "/", BODY_LIMIT), ("GET", "/static/nexus.css", BODY_LIMIT), ("POST", "/docs", BODY_LIMIT)])
def test_a_huge_declared_body_is_refused_before_it_is_sent(live: int, method: str, path: str, limit: int) -> None:
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {10**12}\r\n\r\n").encode()
    data, seconds = _exchange(live, head, [])  # not a byte of the body: no need to wait for it
    assert data.startswith(b"HTTP/1.1 413 "), data[:200]
    assert seconds < 5


@pytest.mark.parametrize("method, path, limit", [
    ("POST", "/api/documents", UPLOAD_LIMIT), ("GET", "/api/search?q=x", BODY_LIMIT), ("GET", "/dyad/RUS/IRN", BODY_LIMIT)])
def test_a_chunked_body_is_refused_as_it_passes_the_limit(live: int, method: str, path: str, limit: int) -> None:
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n").encode()
    piece = b"w" * 1000
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    # just over the limit, and never the closing 0-chunk: the server answers mid-stream
    data, _ = _exchange(live, head, [chunk] * (limit // len(piece) + 1))
    assert data.startswith(b"HTTP/1.1 413 "), data[:200]


# ------------------------------------------------------------------------------ the middleware alone

def _run(app: Any, headers: list[tuple[bytes, bytes]], messages: list[dict], limit: int = 10) -> tuple[list, list]:
    """Runs BodyLimit(app) on one request; returns (what the app received, what was sent)."""
    seen: list[dict] = []
    sent: list[dict] = []
    queue = list(messages)

    async def inner(scope: dict, receive: Any, send: Any) -> None:
        while True:
            m = await receive()
            seen.append(m)
            if m["type"] != "http.request" or not m.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive() -> dict:
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(m: dict) -> None:
        sent.append(m)

    scope = {"type": "http", "method": "POST", "path": "/api/x", "headers": headers, "query_string": b""}
    asyncio.run(BodyLimit(inner, default=limit)(scope, receive, send))
    return seen, sent


def test_body_limit_middleware() -> None:
    body = [{"type": "http.request", "body": b"12345", "more_body": True},
            {"type": "http.request", "body": b"678", "more_body": False}]
    seen, sent = _run(None, [(b"content-length", b"8")], body)
    assert seen == [{"type": "http.request", "body": b"12345678", "more_body": False}]  # one piece
    assert sent[0]["status"] == 200

    seen, sent = _run(None, [(b"transfer-encoding", b"chunked")],
                      [{"type": "http.request", "body": b"123456", "more_body": True},
                       {"type": "http.request", "body": b"789012", "more_body": True}])
    assert not seen and sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["detail"] == "request body over the limit of 10 bytes"
    assert (b"connection", b"close") in sent[0]["headers"]

    _, sent = _run(None, [(b"content-length", b"11")], [])
    assert sent[0]["status"] == 413
    _, sent = _run(None, [(b"content-length", b"ten")], [])
    assert sent[0]["status"] == 400
    # no body at all: passed through untouched
    seen, sent = _run(None, [], [{"type": "http.request", "body": b"", "more_body": False}])
    assert seen == [{"type": "http.request", "body": b"", "more_body": False}] and sent[0]["status"] == 200
    # the client gives up half-way: nothing is answered, the route never runs
    seen, sent = _run(None, [(b"transfer-encoding", b"chunked")],
                      [{"type": "http.request", "body": b"12", "more_body": True}, {"type": "http.disconnect"}])
    assert not seen and not sent
