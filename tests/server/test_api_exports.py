"""GET /api/export/events.csv, events.jsonl and network.graphml."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from api_support import client, db, json_error, ok, scalar  # noqa: F401 - fixtures
from fastapi.testclient import TestClient

from nexus.analysis.export import CSV_COLUMNS
from nexus.store import Store

G = "{http://graphml.graphdrawing.org/xmlns}"
FILTERS = [{}, {"type": "AID"}, {"dyad": "RUS,IRN", "sort": "-date"},
           {"actor": "IRN", "factuality": "asserted", "date_from": "2023", "sort": "confidence"},
           {"text": "drone"}]


def api_ids(client: TestClient, params: dict) -> list[str]:
    body = ok(client.get("/api/events", params={"limit": 1000, **params}))
    assert body["total"] == len(body["items"])
    return [e["event_id"] for e in body["items"]]


@pytest.mark.parametrize("params", FILTERS)
def test_csv_has_the_rows_of_the_api(client: TestClient, params: dict) -> None:
    r = client.get("/api/export/events.csv", params=params)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="events.csv"' in r.headers["content-disposition"]
    assert next(csv.reader(io.StringIO(r.text))) == CSV_COLUMNS
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["event_id"] for row in rows] == api_ids(client, params)
    if params.get("type"):
        assert {row["plover_type"] for row in rows} == {"AID"}


def test_csv_values(client: TestClient, db: Store) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/api/export/events.csv").text)))
    assert len(rows) == scalar(db, "SELECT count(*) FROM events")
    row = next(r for r in rows if r["plover_context"])
    stored = db.execute(
        "SELECT sentence, plover_context, event_date, goldstein FROM events WHERE event_id = ?",
        [row["event_id"]]).fetchone()
    assert row["sentence"] == stored[0]  # quotes, commas and newlines survive the round trip
    assert row["plover_context"] == ";".join(stored[1])
    assert row["event_date"] == (stored[2].isoformat() if stored[2] else "")
    assert float(row["goldstein"]) == stored[3]
    assert len(list(csv.DictReader(io.StringIO(
        client.get("/api/export/events.csv", params={"limit": 3}).text)))) == 3


@pytest.mark.parametrize("params", FILTERS)
def test_jsonl_carries_contract_records(client: TestClient, params: dict) -> None:
    r = client.get("/api/export/events.jsonl", params=params)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in r.text.splitlines()]
    assert r.text == "" or r.text.endswith("\n")
    assert [e["event_id"] for e in records] == api_ids(client, params)
    for e in records:
        assert {"event_id", "doc_id", "sentence", "offsets", "trigger", "source", "target",
                "plover", "cameo", "factuality", "attribution", "date", "location",
                "confidence"} <= set(e)


def _graph(text: bytes) -> tuple[dict, list, list]:
    root = ET.fromstring(text)
    assert root.tag == f"{G}graphml"
    keys = {k.get("id"): k for k in root.findall(f"{G}key")}
    graph = root.find(f"{G}graph")
    assert graph is not None and graph.get("edgedefault") == "directed"
    return keys, graph.findall(f"{G}node"), graph.findall(f"{G}edge")


@pytest.mark.parametrize("params", [{}, {"min_events": 2}, {"type": "ASSAULT", "factuality": "all"},
                                    {"max_nodes": 4}])
def test_graphml_matches_the_network(client: TestClient, params: dict) -> None:
    r = client.get("/api/export/network.graphml", params=params)
    assert r.status_code == 200 and "graphml" in r.headers["content-type"]
    keys, nodes, edges = _graph(r.content)
    net = ok(client.get("/api/network", params=params))
    assert [n.get("id") for n in nodes] == [n["key"] for n in net["nodes"]]
    assert len(edges) == len(net["edges"])
    ids = {n.get("id") for n in nodes}
    for element in nodes + edges:
        for data in element.findall(f"{G}data"):
            assert data.get("key") in keys  # every value has a declared attribute
    for edge, expected in zip(edges, net["edges"]):
        assert edge.get("source") in ids and edge.get("target") in ids
        values = {d.get("key"): d.text for d in edge.findall(f"{G}data")}
        assert int(values["e_n_events"]) == expected["n_events"]
    labels = {n.get("id"): n.find(f"{G}data[@key='n_label']").text for n in nodes}
    if "RUS" in labels:
        assert labels["RUS"] == "Russia"


@pytest.mark.parametrize("url", [
    "/api/export/events.csv?sort=bogus", "/api/export/events.csv?limit=0",
    "/api/export/events.csv?date_from=2023-13", "/api/export/events.csv?type=NOPE",
    "/api/export/events.jsonl?limit=-1", "/api/export/events.jsonl?dyad=RUS",
    "/api/export/events.jsonl?factuality=maybe", "/api/export/network.graphml?min_events=0",
    "/api/export/network.graphml?date_to=2024-02-30", "/api/export/network.graphml?type=x",
])
def test_export_bad_parameters(client: TestClient, url: str) -> None:
    json_error(client.get(url))
