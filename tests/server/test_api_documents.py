"""GET /api/documents and /api/documents/{doc_id}: paging, sorting, one document in full."""

from __future__ import annotations

import pytest
from api_support import client, db, json_error, ok, scalar  # noqa: F401 - fixtures
from fastapi.testclient import TestClient

from nexus.store import Store


def test_list_counts_and_pages(client: TestClient, db: Store) -> None:
    n_docs = scalar(db, "SELECT count(*) FROM documents")
    body = ok(client.get("/api/documents", params={"limit": 1000}))
    assert body["total"] == n_docs == len(body["items"])
    assert "text" not in body["items"][0]
    ids = [d["doc_id"] for d in body["items"]]

    paged = []
    for offset in range(0, n_docs, 5):
        page = ok(client.get("/api/documents", params={"limit": 5, "offset": offset}))
        assert page["total"] == n_docs and len(page["items"]) <= 5
        paged += [d["doc_id"] for d in page["items"]]
    assert paged == ids
    assert ok(client.get("/api/documents", params={"offset": n_docs}))["items"] == []


def test_sorting(client: TestClient, db: Store) -> None:
    by_id = ok(client.get("/api/documents", params={"sort": "doc_id", "limit": 1000}))["items"]
    assert [d["doc_id"] for d in by_id] == sorted(d["doc_id"] for d in by_id)
    newest = ok(client.get("/api/documents", params={"sort": "-date", "limit": 1000}))["items"]
    dates = [d["date"] for d in newest if d["date"]]
    assert dates == sorted(dates, reverse=True)
    oldest = ok(client.get("/api/documents", params={"sort": "date"}))["items"][0]
    assert oldest["date"] == str(scalar(db, "SELECT min(date) FROM documents"))


@pytest.mark.parametrize("params", [
    {"limit": 0}, {"limit": -1}, {"limit": 1001}, {"limit": "ten"}, {"offset": -1},
    {"offset": 10**12}, {"sort": "title"}, {"sort": "date; DROP TABLE documents"},
])
def test_bad_list_parameters(client: TestClient, params: dict) -> None:
    json_error(client.get("/api/documents", params=params))


def test_one_document_in_full(client: TestClient, db: Store) -> None:
    doc_id = scalar(db, "SELECT doc_id FROM documents ORDER BY n_events DESC, doc_id LIMIT 1")
    doc = ok(client.get(f"/api/documents/{doc_id}"))
    assert doc["doc_id"] == doc_id
    assert doc["text"] == scalar(db, "SELECT text FROM documents WHERE doc_id = ?", [doc_id])
    assert len(doc["blocks"]) == scalar(db, "SELECT count(*) FROM blocks WHERE doc_id = ?", [doc_id]) > 0
    assert len(doc["sentences"]) == doc["n_sentences"] > 0
    assert len(doc["mentions"]) == scalar(db, "SELECT count(*) FROM mentions WHERE doc_id = ?", [doc_id])
    assert len(doc["events"]) == doc["n_events"] > 0
    text = doc["text"]
    for s in doc["sentences"]:
        assert text[s["start"]:s["end"]] == s["text"]
    for e in doc["events"]:
        assert e["doc_id"] == doc_id
        start, end = e["offsets"]
        assert " ".join(text[start:end].split()) == " ".join(e["sentence"].split())


def test_unknown_document_is_404(client: TestClient) -> None:
    body = json_error(client.get("/api/documents/no-such-document.txt"), 404)
    assert "no-such-document.txt" in body["detail"]
    json_error(client.get("/api/documents/..%2F..%2Fetc%2Fpasswd"), 404)
    json_error(client.get("/api/documents/%27%3B%20DROP%20TABLE%20documents%3B%20--"), 404)
