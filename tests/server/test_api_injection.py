"""SQL-looking and wildcard values in every text parameter: plain matches, an intact store,
and never a server error."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from api_support import INJECTIONS, client, db, scalar, table_counts  # noqa: F401 - fixtures
from fastapi.testclient import TestClient

from nexus.store import Store

EVENT_TEXT_PARAMS = ["actor", "source", "target", "text", "doc_id", "a", "b", "dyad"]


def _params(name: str, value: str) -> dict[str, str]:
    if name in ("a", "b"):
        return {"a": value, "b": value}
    if name == "dyad":
        return {"dyad": f"RUS,{value}" if "," not in value else value}
    return {name: value}


@pytest.mark.parametrize("value", INJECTIONS)
def test_event_filters_are_plain_matches(client: TestClient, db: Store, value: str) -> None:
    before = table_counts(db)
    for name in EVENT_TEXT_PARAMS:
        for url in ("/api/events", "/api/export/events.csv", "/api/export/events.jsonl"):
            r = client.get(url, params=_params(name, value))
            assert r.status_code in (200, 422), (url, name, r.status_code, r.text)
            if url == "/api/events" and r.status_code == 200:
                body = r.json()
                if name == "text":  # literally in the sentence or trigger, wildcards included
                    expected = scalar(db, "SELECT count(*) FROM events WHERE strpos(sentence, ?) > 0 "
                                          "OR strpos(trigger, ?) > 0", [value, value])
                    assert body["total"] == expected
                    assert all(value in e["sentence"] + e["trigger"] for e in body["items"])
                else:  # no code, country or document is named like this
                    assert body["total"] == 0, (name, value)
    assert table_counts(db) == before


@pytest.mark.parametrize("value", INJECTIONS)
def test_other_routes_are_plain_matches(client: TestClient, db: Store, value: str) -> None:
    before = table_counts(db)
    search = client.get("/api/search", params={"q": value})
    assert search.status_code == 200
    for e in search.json()["events"]:
        words = [e["sentence"], e["trigger"]] + [(e[k] or {}).get("text") or "" for k in ("source", "target", "attribution")]
        assert value.lower() in " ".join(words).lower()
    texts = dict(db.con.execute("SELECT doc_id, lower(coalesce(title, '')) || ' ' || lower(text) FROM documents").fetchall())
    assert all(value.lower() in texts[d["doc_id"]] for d in search.json()["documents"])

    path = quote(value, safe="")
    dyad = client.get(f"/api/dyads/{path}/IRN")
    assert dyad.status_code in (200, 422)
    if dyad.status_code == 200:
        assert dyad.json()["n_events"] == 0
    assert client.get(f"/api/dyads/RUS/{path}/series").status_code in (200, 422)
    assert client.get(f"/api/documents/{path}").status_code == 404
    for route, name in [("/api/network", "type"), ("/api/network", "factuality"),
                        ("/api/export/network.graphml", "type"), ("/api/actors", "factuality"),
                        ("/api/dyads/RUS/IRN", "factuality")]:
        r = client.get(route, params={name: value})
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/json")
    for route, name in [("/api/network", "date_from"), ("/api/events", "date_to"),
                        ("/api/documents", "sort"), ("/api/events", "sort")]:
        assert client.get(route, params={name: value}).status_code == 422
    assert table_counts(db) == before
    assert scalar(db, "SELECT count(*) FROM events") > 0
