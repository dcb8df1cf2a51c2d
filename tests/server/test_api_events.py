"""GET /api/events: every filter of `nexus events`, paging and sorting, checked against the store."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import client, db, json_error, ok, scalar  # noqa: F401 - fixtures
from fastapi.testclient import TestClient

from nexus.store import Store

CONTRACT_FIELDS = {"event_id", "doc_id", "sentence", "offsets", "trigger", "source", "target",
                   "plover", "cameo", "factuality", "attribution", "date", "location", "confidence"}


def events(client: TestClient, **params: Any) -> dict:
    return ok(client.get("/api/events", params={"limit": 1000, **params}))


def test_all_events_are_contract_records(client: TestClient, db: Store) -> None:
    body = events(client)
    assert body["total"] == scalar(db, "SELECT count(*) FROM events") == len(body["items"])
    assert all(CONTRACT_FIELDS <= set(e) for e in body["items"])


def test_type_filter(client: TestClient, db: Store) -> None:
    body = events(client, type="AID")
    assert body["total"] == scalar(db, "SELECT count(*) FROM events WHERE plover_type = 'AID'") > 0
    assert {e["plover"]["type"] for e in body["items"]} == {"AID"}
    two = events(client, type=["aid", "ASSAULT"])
    assert two["total"] == scalar(
        db, "SELECT count(*) FROM events WHERE plover_type IN ('AID', 'ASSAULT')")
    assert events(client, type="AID,ASSAULT")["total"] == two["total"]


def test_factuality_filter(client: TestClient, db: Store) -> None:
    body = events(client, factuality="alleged")
    assert body["total"] == scalar(db, "SELECT count(*) FROM events WHERE factuality = 'alleged'") > 0
    assert {e["factuality"] for e in body["items"]} == {"alleged"}
    both = events(client, factuality=["asserted", "alleged"])
    assert both["total"] == scalar(
        db, "SELECT count(*) FROM events WHERE factuality IN ('asserted', 'alleged')")
    assert events(client, factuality="all")["total"] == events(client)["total"]


def _has(actor: dict | None, code: str) -> bool:
    return actor is not None and (actor["code"].startswith(code) or code in (actor["country"], actor["sector"]))


def test_actor_source_target(client: TestClient) -> None:
    rus = events(client, actor="RUS")["items"]
    assert rus and all(_has(e["source"], "RUS") or _has(e["target"], "RUS") for e in rus)
    src = events(client, source="rus")["items"]
    assert src and all(_has(e["source"], "RUS") for e in src)
    tgt = events(client, target="RUS")["items"]
    assert tgt and all(_has(e["target"], "RUS") for e in tgt)
    assert len(src) + len(tgt) >= len(rus)


def test_dyad_both_spellings(client: TestClient) -> None:
    by_pair = events(client, a="RUS", b="IRN")
    by_dyad = events(client, dyad="RUS,IRN")
    assert by_pair == by_dyad and by_pair["total"] > 0
    for e in by_pair["items"]:
        assert ((_has(e["source"], "RUS") and _has(e["target"], "IRN"))
                or (_has(e["source"], "IRN") and _has(e["target"], "RUS")))
    directions = {(e["source"]["country"], e["target"]["country"]) for e in by_pair["items"]}
    assert ("RUS", "IRN") in directions or ("IRN", "RUS") in directions
    assert events(client, dyad="IRN,RUS")["total"] == by_pair["total"]


def test_dates(client: TestClient, db: Store) -> None:
    body = events(client, date_from="2023-01", date_to="2023")
    assert body["total"] == scalar(db, "SELECT count(*) FROM events WHERE event_date BETWEEN "
                                       "DATE '2023-01-01' AND DATE '2023-12-31'") > 0
    assert all(e["date"]["value"].startswith("2023") for e in body["items"])
    day = events(client, date_from="2023-07-17", date_to="2023-07-17")
    assert all(e["date"]["value"].startswith("2023-07") for e in day["items"])


def test_text_and_doc(client: TestClient, db: Store) -> None:
    body = events(client, text="DRONE")
    assert body["total"] > 0
    assert all("drone" in (e["sentence"] + e["trigger"]).lower() for e in body["items"])
    doc_id = scalar(db, "SELECT doc_id FROM events GROUP BY doc_id ORDER BY count(*) DESC LIMIT 1")
    docs = events(client, doc_id=doc_id)
    assert docs["total"] == scalar(db, "SELECT count(*) FROM events WHERE doc_id = ?", [doc_id])
    assert {e["doc_id"] for e in docs["items"]} == {doc_id}
    combined = events(client, doc_id=doc_id, type="AID", factuality="asserted")
    assert all(e["plover"]["type"] == "AID" and e["factuality"] == "asserted"
               for e in combined["items"])


def test_paging_and_sorting(client: TestClient) -> None:
    every = events(client)["items"]
    pages = []
    for offset in range(0, len(every), 40):
        page = ok(client.get("/api/events", params={"limit": 40, "offset": offset}))
        assert page["limit"] == 40 and page["offset"] == offset and page["total"] == len(every)
        pages += page["items"]
    assert pages == every

    conf = [e["confidence"] for e in events(client, sort="confidence")["items"]]
    assert conf == sorted(conf, reverse=True)
    gold = [e["cameo"]["goldstein"] for e in events(client, sort="goldstein")["items"]]
    assert gold == sorted(gold)
    newest = [e["date"]["value"] for e in events(client, sort="-date")["items"] if e["date"]["value"]]
    assert newest[0][:4] >= newest[-1][:4]
    assert ok(client.get("/api/events"))["limit"] == 100


@pytest.mark.parametrize("params", [
    {"date_from": "2022-13"}, {"date_from": "2022-13-01"}, {"date_to": "2022-02-30"},
    {"date_from": "yesterday"}, {"date_to": "2022/01/01"}, {"limit": 0}, {"limit": -5},
    {"limit": 1001}, {"offset": -1}, {"sort": "random"}, {"sort": "date DESC"},
    {"type": "FOO"}, {"type": "AID,FOO"}, {"factuality": "maybe"}, {"dyad": "RUS"},
    {"dyad": "RUS,IRN,CHN"}, {"dyad": "RUS,"}, {"a": "RUS"}, {"b": "IRN"},
    {"dyad": "RUS,IRN", "a": "RUS", "b": "IRN"}, {"actor": ""}, {"source": ""},
    {"text": ""}, {"text": "x" * 501}, {"actor": "A" * 65}, {"actor": "  "},
])
def test_bad_parameters(client: TestClient, params: dict) -> None:
    json_error(client.get("/api/events", params=params))


def test_origin_filter_separates_coded_and_imported_events(sample_store, tmp_path) -> None:
    from api_support import copy_store
    from event_datasets import write_gdelt2

    from nexus.importers import DATASETS, import_files
    from nexus.server import create_app

    location = copy_store(sample_store, tmp_path)
    with Store.open(location) as st:
        imported = import_files(st, DATASETS["gdelt"], [write_gdelt2(tmp_path / "day.export.CSV")]).added
        coded = scalar(st, "SELECT count(*) FROM events WHERE origin = 'nexus'")
    assert imported > 0 and coded > 0
    app = create_app(location)
    with TestClient(app) as c:
        assert ok(c.get("/api/events", params={"origin": "gdelt2"}))["total"] == imported
        assert ok(c.get("/api/events", params={"origin": "nexus"}))["total"] == coded
        assert ok(c.get("/api/events", params={"origin": "nexus,gdelt2"}))["total"] == coded + imported
        assert ok(c.get("/api/events", params={"origin": "icews"}))["total"] == 0
        only = ok(c.get("/api/events", params={"origin": "gdelt2", "limit": 1000}))["items"]
        assert all(e["origin"]["dataset"] == "gdelt2" for e in only)
    app.state.holder.close()
