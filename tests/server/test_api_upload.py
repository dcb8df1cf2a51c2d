"""POST /api/documents: JSON and multipart uploads coded into the server's store, and every
way an upload can be refused (size, type, fields, unreadable content) as a 4xx JSON error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import json_error, ok, sample_copy, scalar, table_counts
from backends import BACKENDS
from fastapi.testclient import TestClient

from nexus.server import create_app
from nexus.store import Store

LIMIT = 20_000
NEWS = ("Russia supplied Iran with attack drones in 2022, Ukrainian officials said. "
        "Iran and Russia signed a partnership treaty in Moscow on Friday.")


@pytest.fixture(scope="module", params=BACKENDS)
def upload_client(request: pytest.FixtureRequest, sample_store: Path,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app over its own copy of the store (on each backend), with a small upload limit."""
    folder = tmp_path_factory.mktemp("upload")
    with sample_copy(request, sample_store, folder) as location:
        app = create_app(location, max_upload_bytes=LIMIT)
        app.state.folder = folder
        with TestClient(app, raise_server_exceptions=False) as c:
            yield c
        app.state.holder.close()


@pytest.fixture
def udb(upload_client: TestClient) -> Iterator[Store]:
    cursor = upload_client.app.state.holder.store.cursor()  # type: ignore[attr-defined]
    yield cursor
    cursor.close()


def test_json_upload_is_coded_and_stored(upload_client: TestClient, udb: Store) -> None:
    r = upload_client.post("/api/documents", json={"text": NEWS, "doc_id": "json-news", "date": "2024-03-15"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["doc_id"], body["status"], body["date"]) == ("json-news", "added", "2024-03-15")
    assert body["n_events"] == len(body["events"]) > 0
    assert {e["doc_id"] for e in body["events"]} == {"json-news"}
    assert any(e["plover"]["type"] == "AID" for e in body["events"])

    doc = ok(upload_client.get("/api/documents/json-news"))
    assert doc["text"] == NEWS and doc["origin"] == "<upload>"
    assert ok(upload_client.get("/api/events", params={"doc_id": "json-news"}))["total"] == body["n_events"]
    assert scalar(udb, "SELECT n_events FROM documents WHERE doc_id = 'json-news'") == body["n_events"]

    again = upload_client.post("/api/documents", json={"text": NEWS, "doc_id": "json-news", "date": "2024-03-15"})
    assert again.status_code == 201 and again.json()["status"] == "unchanged"
    changed = upload_client.post("/api/documents", json={"text": NEWS + " Iran denied it.", "doc_id": "json-news"})
    assert changed.status_code == 201 and changed.json()["status"] == "replaced"
    assert scalar(udb, "SELECT count(*) FROM documents WHERE doc_id = 'json-news'") == 1


def test_json_upload_without_doc_id(upload_client: TestClient) -> None:
    body = upload_client.post("/api/documents", json={"text": "India and China held border talks."}).json()
    assert body["doc_id"].startswith("upload-")
    html = upload_client.post("/api/documents", json={
        "text": "<html><body><article><p>Israel struck Iran on Saturday, the army said.</p></article></body></html>",
        "format": "html"}).json()
    assert "<" not in ok(upload_client.get(f"/api/documents/{html['doc_id']}"))["text"]


def test_multipart_html_upload_drops_scripts(upload_client: TestClient) -> None:
    page = (b"<html><head><title>Strikes</title><script>alert('x')</script></head><body><article>"
            b"<h1>Strikes</h1><p>Israel struck Iran on Saturday, the army said.</p>"
            b"<script>document.cookie</script></article></body></html>")
    r = upload_client.post("/api/documents", files={"file": ("../../etc/strikes.html", page, "text/html")},
                           data={"date": "2024-10-26"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["doc_id"] == "strikes.html"  # only the last part of the file name, as a name
    text = ok(upload_client.get("/api/documents/strikes.html"))["text"]
    assert "alert" not in text and "cookie" not in text and "Israel struck Iran" in text
    assert not (upload_client.app.state.folder / "strikes.html").exists()  # type: ignore[attr-defined]


def test_script_in_plain_text_comes_back_as_json_data(upload_client: TestClient) -> None:
    text = "<script>alert('x')</script> Russia condemned the strikes on Kyiv."
    r = upload_client.post("/api/documents", files={"file": ("note.txt", text.encode(), "text/plain")},
                           data={"doc_id": "<img src=x onerror=alert(1)>"})
    assert r.status_code == 201, r.text
    assert r.headers["content-type"].startswith("application/json")
    doc = ok(upload_client.get("/api/documents/<img src=x onerror=alert(1)>"))
    assert doc["text"] == text  # stored exactly as sent; the pages escape it when they show it


def test_multipart_fields(upload_client: TestClient) -> None:
    r = upload_client.post("/api/documents", files={"file": ("a.txt", NEWS.encode())},
                           data={"doc_id": "named", "format": "text", "date": "2023-01-02"})
    assert r.status_code == 201 and r.json()["doc_id"] == "named" and r.json()["date"] == "2023-01-02"


def test_oversized_uploads_are_413(upload_client: TestClient, udb: Store) -> None:
    before = table_counts(udb)
    big = "Russia supplied Iran with drones. " * 1000
    json_error(upload_client.post("/api/documents", json={"text": big}), 413)
    json_error(upload_client.post("/api/documents", files={"file": ("big.txt", big.encode())}), 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"text": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}'

    json_error(upload_client.post("/api/documents", content=chunks(),
                                  headers={"content-type": "application/json"}), 413)
    assert table_counts(udb) == before


@pytest.mark.parametrize("kwargs, status", [
    ({"content": b"Russia and Iran", "headers": {"content-type": "text/plain"}}, 415),
    ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 422),
    ({"json": ["a", "list"]}, 422),
    ({"json": {}}, 422),
    ({"json": {"text": ""}}, 422),
    ({"json": {"text": "x", "extra": 1}}, 422),
    ({"json": {"text": "x", "date": "2024-02-30"}}, 422),
    ({"json": {"text": "x", "format": "pdf"}}, 422),
    ({"json": {"text": "x", "doc_id": "a\nb"}}, 422),
    ({"json": {"text": "x", "doc_id": "d" * 201}}, 422),
    ({"json": {"text": "   \n  "}}, 422),
    ({"json": {"text": "<html><script>alert(1)</script></html>", "format": "html"}}, 422),
    ({"files": {"file": ("x.bin", bytes(range(256)) * 4)}}, 422),
    ({"files": {"file": ("empty.txt", b"")}}, 422),
    ({"files": {"file": ("a.txt", b"text")}, "data": {"date": "tomorrow"}}, 422),
    ({"files": {"file": ("a.txt", b"text")}, "data": {"format": "docx"}}, 422),
    ({"files": {"other": ("a.txt", b"text")}}, 422),
    ({"data": {"text": "no file part"}}, (415, 422)),
])
def test_bad_uploads(upload_client: TestClient, udb: Store, kwargs: dict, status: int) -> None:
    before = table_counts(udb)
    json_error(upload_client.post("/api/documents", **kwargs), status)
    assert table_counts(udb) == before


def test_store_stays_consistent(upload_client: TestClient, udb: Store) -> None:
    assert scalar(udb, "SELECT sum(n_events) FROM documents") == scalar(udb, "SELECT count(*) FROM events")


def test_a_document_the_coder_skips_is_a_422(upload_client: TestClient, udb: Store,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A document over the coder's time limit is skipped: the upload says so (it used to be a 500)."""
    from nexus import api

    def skipping(docs, on_problem=None, **kwargs):  # as code_documents does on a timeout
        for doc in docs:
            on_problem(f"<upload>: document {doc.doc_id!r} skipped: took longer than 60 s")
        return iter(())

    monkeypatch.setattr(api, "code_documents", skipping)
    before = table_counts(udb)
    body = json_error(upload_client.post("/api/documents", json={"text": NEWS + " Slow.", "doc_id": "slow"}), 422)
    assert "took longer than 60 s" in body["detail"]
    assert table_counts(udb) == before
