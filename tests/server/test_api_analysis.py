"""GET /api/actors, /api/dyads/{a}/{b}[/series], /api/network and /api/search."""

from __future__ import annotations

import pytest
from api_support import client, db, json_error, ok, scalar  # noqa: F401 - fixtures
from fastapi.testclient import TestClient

from nexus.store import Store, queries

QUADS = ["verbal_coop", "material_coop", "verbal_conflict", "material_conflict"]
DYADIC = ("coalesce(source_country, source_code) IS NOT NULL AND "
          "coalesce(target_country, target_code) IS NOT NULL AND "
          "coalesce(source_country, source_code) <> coalesce(target_country, target_code)")


# ------------------------------------------------------------------------------ actors

def test_actors(client: TestClient, db: Store) -> None:
    items = ok(client.get("/api/actors"))["items"]
    expected = queries.actors(db)
    assert [i["actor"] for i in items] == expected["actor"].tolist()
    assert all(i["n_events"] == i["n_source"] + i["n_target"] for i in items)
    counts = [i["n_events"] for i in items]
    assert counts == sorted(counts, reverse=True)
    labels = {i["actor"]: i["label"] for i in items}
    assert labels["RUS"] == "Russia" and labels["IRN"] == "Iran"
    assert len(ok(client.get("/api/actors", params={"limit": 2}))["items"]) == 2
    every = ok(client.get("/api/actors", params={"factuality": "all"}))["items"]
    assert sum(i["n_events"] for i in every) >= sum(counts)


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 10**6}, {"factuality": "true"}])
def test_actors_bad_parameters(client: TestClient, params: dict) -> None:
    json_error(client.get("/api/actors", params=params))


# ------------------------------------------------------------------------------ dyads

def _count(client: TestClient, **params: str) -> int:
    return ok(client.get("/api/events", params={"limit": 1, **params}))["total"]


def test_dyad_summary(client: TestClient) -> None:
    d = ok(client.get("/api/dyads/RUS/IRN"))
    assert (d["a"], d["b"], d["factuality"]) == ("RUS", "IRN", ["asserted"])
    ab, ba = d["a_to_b"], d["b_to_a"]
    assert (ab["source"], ab["target"], ba["source"], ba["target"]) == ("RUS", "IRN", "IRN", "RUS")
    assert ab["n_events"] > 0 and ba["n_events"] > 0
    assert d["n_events"] == ab["n_events"] + ba["n_events"]
    for direction in (ab, ba):
        n = direction["n_events"]
        assert n == _count(client, source=direction["source"], target=direction["target"],
                           factuality="asserted")
        assert sum(direction["by_type"].values()) == n == sum(direction["by_quad"].values())
        assert set(direction["by_quad"]) == set(QUADS)
        assert 0 < len(direction["evidence"]) <= 5
        assert {e["factuality"] for e in direction["evidence"]} == {"asserted"}
        for fact, k in direction["claimed_counts"].items():
            assert k == _count(client, source=direction["source"], target=direction["target"],
                               factuality=fact)
        assert -10 <= direction["mean_goldstein"] <= 10


def test_dyad_options(client: TestClient) -> None:
    every = ok(client.get("/api/dyads/rus/irn", params={"factuality": "all", "evidence": 0}))
    assert every["factuality"] is None
    assert every["n_events"] == _count(client, dyad="RUS,IRN")
    assert every["a_to_b"]["evidence"] == [] and every["a_to_b"]["claimed"] == []
    nobody = ok(client.get("/api/dyads/XXX/YYY"))
    assert nobody["n_events"] == 0 and nobody["mean_goldstein"] is None


@pytest.mark.parametrize("url", [
    "/api/dyads/RUS/IRN?evidence=-1", "/api/dyads/RUS/IRN?evidence=101",
    "/api/dyads/RUS/IRN?factuality=sure", f"/api/dyads/{'A' * 65}/IRN", "/api/dyads/%20/IRN",
])
def test_dyad_bad_parameters(client: TestClient, url: str) -> None:
    json_error(client.get(url))


@pytest.mark.parametrize("freq", ["year", "quarter", "month"])
def test_dyad_series(client: TestClient, freq: str) -> None:
    body = ok(client.get("/api/dyads/RUS/IRN/series", params={"freq": freq}))
    assert body["freq"] == freq
    summary = ok(client.get("/api/dyads/RUS/IRN"))
    items = body["items"]
    for direction in ("a_to_b", "b_to_a"):
        rows = [r for r in items if r["direction"] == direction]
        assert sum(r["n_events"] for r in rows) == summary[direction]["n_events"]
        for r in rows:
            assert sum(r[q] for q in QUADS) == r["n_events"]
            assert (r["mean_goldstein"] is None) == (r["n_events"] == 0)
    periods = [r["period"] for r in items if r["direction"] == "a_to_b"]
    assert periods == [r["period"] for r in items if r["direction"] == "b_to_a"]
    dated = [p for p in periods if p != "undated"]
    assert dated == sorted(dated) and len(set(dated)) == len(dated)
    if freq == "year":  # gaps are filled: every year from the first to the last
        assert [int(p) for p in dated] == list(range(int(dated[0]), int(dated[-1]) + 1))


@pytest.mark.parametrize("params", [{"freq": "week"}, {"freq": ""}, {"factuality": "x"}])
def test_dyad_series_bad_parameters(client: TestClient, params: dict) -> None:
    json_error(client.get("/api/dyads/RUS/IRN/series", params=params))


# ------------------------------------------------------------------------------ network

def test_network_is_consistent(client: TestClient, db: Store) -> None:
    net = ok(client.get("/api/network", params={"max_nodes": 1000}))
    n_dyadic = scalar(db, f"SELECT count(*) FROM events WHERE factuality = 'asserted' AND {DYADIC}")
    edges, nodes = net["edges"], net["nodes"]
    assert not net["truncated"] and len(nodes) == net["n_nodes_total"]
    assert sum(e["n_events"] for e in edges) == net["n_events"] == n_dyadic > 0
    assert sum(n["n_source"] for n in nodes) == sum(n["n_target"] for n in nodes) == n_dyadic
    keys = {n["key"] for n in nodes}
    for e in edges:
        assert e["source"] in keys and e["target"] in keys and e["source"] != e["target"]
        assert sum(e[q] for q in QUADS) == e["n_events"]
        assert 0 < sum(e["top_types"].values()) <= e["n_events"] and len(e["top_types"]) <= 3
    for n in nodes:
        assert n["n_events"] == n["n_source"] + n["n_target"]
        assert n["n_source"] == sum(e["n_events"] for e in edges if e["source"] == n["key"])
    labels = {n["key"]: n["label"] for n in nodes}
    assert labels["RUS"] == "Russia"


def test_network_filters(client: TestClient) -> None:
    heavy = ok(client.get("/api/network", params={"min_events": 3}))
    assert heavy["edges"] and all(e["n_events"] >= 3 for e in heavy["edges"])
    small = ok(client.get("/api/network", params={"max_nodes": 3}))
    assert len(small["nodes"]) == 3 and small["truncated"]
    keys = {n["key"] for n in small["nodes"]}
    assert all(e["source"] in keys and e["target"] in keys for e in small["edges"])
    aid = ok(client.get("/api/network", params={"type": "AID", "factuality": "all"}))
    assert aid["edges"] and all(set(e["top_types"]) == {"AID"} for e in aid["edges"])
    dated = ok(client.get("/api/network", params={"date_from": "2030"}))
    assert dated["edges"] == [] and dated["nodes"] == [] and dated["n_events"] == 0


@pytest.mark.parametrize("params", [
    {"min_events": 0}, {"max_nodes": 0}, {"max_nodes": 5000}, {"date_from": "2023-02-30"},
    {"date_to": "soon"}, {"type": "HUG"}, {"factuality": "rumoured"}, {"min_events": "many"},
])
def test_network_bad_parameters(client: TestClient, params: dict) -> None:
    json_error(client.get("/api/network", params=params))


# ------------------------------------------------------------------------------ search

def test_search(client: TestClient, db: Store) -> None:
    body = ok(client.get("/api/search", params={"q": "Drone"}))
    assert body["documents"] and body["events"]
    texts = dict(db.execute("SELECT doc_id, lower(coalesce(title, '') || text) FROM documents").fetchall())
    assert all("drone" in texts[d["doc_id"]] for d in body["documents"])
    assert any("drone" in d["snippet"].lower() for d in body["documents"])
    for e in body["events"]:
        words = [e["sentence"], e["trigger"], (e["source"] or {}).get("text", ""),
                 (e["target"] or {}).get("text", ""), (e["attribution"] or {}).get("text", "")]
        assert "drone" in " ".join(w or "" for w in words).lower()
    assert ok(client.get("/api/search", params={"q": "DRONE"})) | {"q": "Drone"} == body
    limited = ok(client.get("/api/search", params={"q": "the", "limit": 2}))
    assert len(limited["documents"]) <= 2 and len(limited["events"]) == 2
    assert ok(client.get("/api/search", params={"q": "zzqqxx"})) == {
        "q": "zzqqxx", "documents": [], "events": []}


def test_search_finds_titles(client: TestClient, db: Store) -> None:
    title = scalar(db, "SELECT title FROM documents WHERE title IS NOT NULL ORDER BY doc_id LIMIT 1")
    docs = ok(client.get("/api/search", params={"q": title.upper()}))["documents"]
    assert docs[0]["title"] == title and docs[0]["title_match"]


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}, {"q": "x" * 501},
                                    {"q": "x", "limit": 0}, {"q": "x", "limit": 501}])
def test_search_bad_parameters(client: TestClient, params: dict) -> None:
    json_error(client.get("/api/search", params=params))
