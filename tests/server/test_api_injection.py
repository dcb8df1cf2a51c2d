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
    texts = dict(db.execute("SELECT doc_id, lower(coalesce(title, '')) || ' ' || lower(text) FROM documents").fetchall())
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


# ------------------------------------------------------------------------------ every filter of every route

#: More hostile values: quotes that would close a literal, LIKE wildcards, comments, stacked
#: statements, placeholders and codes that only a pattern would match.
MORE_INJECTIONS = [*INJECTIONS, "RUS' OR 'a'='a", "RUS%", "R_S", "IRN'); DROP TABLE documents; --", "?", "$1",
                   "*/ SELECT 1 /*", "1 UNION SELECT doc_id FROM documents", "RUS') --", "%%' --"]
#: Query parameters naming things in the store: a hostile value names nothing, so nothing matches.
NAMING_PARAMS = {"actor", "source", "target", "a", "b", "dyad", "doc_id", "origin"}
#: Free text: matched literally, wildcards and quotes included.
TEXT_PARAMS = {"text", "q"}
GOOD_PATH = {"a": "RUS", "b": "IRN", "doc_id": "saudi-iran-beijing.txt"}


def _api_filters(client: TestClient) -> list[tuple[str, str]]:
    """(path, query parameter) for every query parameter of every GET route of the API."""
    spec = client.get("/api/openapi.json").json()
    return [(path.format(**GOOD_PATH), p["name"]) for path, methods in spec["paths"].items()
            for p in methods.get("get", {}).get("parameters", []) if p["in"] == "query"]


def _literal_events(db: Store, value: str) -> int:
    return scalar(db, "SELECT count(*) FROM events WHERE strpos(lower(sentence), lower(?)) > 0 "
                      "OR strpos(lower(trigger), lower(?)) > 0", [value, value])


@pytest.mark.parametrize("value", MORE_INJECTIONS)
def test_every_api_filter_takes_injections(client: TestClient, db: Store, value: str) -> None:
    before = table_counts(db)
    filters = _api_filters(client)
    assert {name for _, name in filters} >= NAMING_PARAMS | TEXT_PARAMS | {"type", "factuality", "sort", "freq"}
    for path, name in filters:
        r = client.get(path, params=_params(name, value))
        assert r.status_code in (200, 422), (path, name, r.status_code, r.text[:300])
        assert r.headers["content-type"].startswith(("application/json", "text/csv", "application/x-ndjson",
                                                     "application/graphml+xml")), (path, name)
        if name in NAMING_PARAMS:  # a plain value that names nothing in the store
            assert r.status_code == 200, (path, name, r.text[:300])
            if path == "/api/events":
                assert r.json()["total"] == 0 and r.json()["items"] == [], (name, value)
            elif path.endswith(".csv"):
                assert len(r.text.strip().splitlines()) == 1, (name, value)  # the header only
            elif path.endswith(".jsonl"):
                assert r.text.strip() == "", (name, value)
        elif name in TEXT_PARAMS:
            assert r.status_code == 200, (path, name, r.text[:300])
            if path == "/api/events":
                assert r.json()["total"] == _literal_events(db, value)
        else:  # a type, factuality, date, order, frequency or number: a hostile value is a 422
            assert r.status_code == 422 and r.json()["detail"], (path, name, value)
    assert table_counts(db) == before


@pytest.mark.parametrize("value", MORE_INJECTIONS)
def test_api_path_parameters_take_injections(client: TestClient, db: Store, value: str) -> None:
    before = table_counts(db)
    v = quote(value, safe="")
    doc = client.get(f"/api/documents/{v}")
    assert doc.status_code == 404 and doc.json()["detail"]
    # An actor code is one path segment: with a "/" in it (decoded), no route matches: 404.
    statuses = (200, 404, 422) if "/" in value else (200, 422)
    for url in (f"/api/dyads/{v}/IRN", f"/api/dyads/RUS/{v}", f"/api/dyads/{v}/{v}"):
        r = client.get(url)
        assert r.status_code in statuses and r.json()["detail" if r.status_code >= 400 else "a"], (url, r.text[:300])
        if r.status_code == 200:
            body = r.json()
            assert body["n_events"] == 0 and body["a_to_b"]["evidence"] == body["b_to_a"]["evidence"] == []
    for url in (f"/api/dyads/{v}/IRN/series", f"/api/dyads/RUS/{v}/series"):
        r = client.get(url)
        assert r.status_code in statuses and r.json()["detail" if r.status_code >= 400 else "a"], (url, r.text[:300])
        if r.status_code == 200:
            assert r.json()["items"] == []
    assert table_counts(db) == before
