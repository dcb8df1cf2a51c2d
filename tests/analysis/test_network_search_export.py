"""network(), dyad_series(), search() and the exports over the hand-coded corpus."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from nexus.analysis import (
    dyad_series,
    events_csv,
    events_jsonl,
    network,
    network_graphml,
    search,
)
from nexus.analysis.export import CSV_COLUMNS
from nexus.store import Store
from nexus.store.queries import event_where


def test_network_counts_asserted_dyadic_events(filled: Store) -> None:
    net = network(filled)
    edges = {(e.source, e.target): e for e in net.edges.itertuples(index=False)}
    assert net.n_events == 13 and net.n_edges_total == len(edges) == 9
    rus_irn = edges[("RUS", "IRN")]
    assert (rus_irn.n_events, rus_irn.verbal_coop, rus_irn.material_coop) == (3, 1, 2)
    assert rus_irn.mean_goldstein == pytest.approx((7.4 + 6.4 + 8.0) / 3)
    assert rus_irn.top_types == {"AGREE": 1, "AID": 1, "COOPERATE": 1}
    assert ("EUR", "IRN") in edges and ("NATO", "RUS") in edges  # no country: the code
    assert ("RUS", "ISR") in edges  # Putin counts for Russia
    nodes = net.nodes.set_index("key")
    assert nodes.loc["IRN", ["n_events", "n_source", "n_target"]].tolist() == [10, 4, 6]
    assert nodes.loc["RUS", ["n_events", "n_source", "n_target"]].tolist() == [9, 5, 4]
    assert net.nodes["key"].tolist()[:2] == ["IRN", "RUS"]
    assert nodes.loc["IRN", "label"] == "Iran" and nodes.loc["EUR", "label"] == "European Union"
    assert not net.truncated


def test_network_pruning_and_filters(filled: Store) -> None:
    top = network(filled, max_nodes=2)
    assert top.nodes["key"].tolist() == ["IRN", "RUS"] and top.truncated
    assert sorted(zip(top.edges["source"], top.edges["target"])) == [("IRN", "RUS"), ("RUS", "IRN")]
    heavy = network(filled, min_events=2)
    assert len(heavy.edges) == 2 and set(heavy.nodes["key"]) == {"IRN", "RUS"}
    aid = network(filled, plover_types=["AID"])
    assert aid.edges["n_events"].tolist() == [1, 1]
    every = network(filled, plover_types="AID", factuality=None)
    assert every.n_events == 5  # the alleged and negated aid too
    recent = network(filled, date_from="2024")
    assert ("RUS", "UKR") in set(zip(recent.edges["source"], recent.edges["target"]))
    assert ("EUR", "IRN") not in set(zip(recent.edges["source"], recent.edges["target"]))
    empty = network(filled, date_from="2030")
    assert empty.nodes.empty and empty.edges.empty and empty.to_dict()["edges"] == []
    with pytest.raises(ValueError):
        network(filled, min_events=0)
    with pytest.raises(ValueError):
        network(filled, date_to="2024-13")


def test_network_to_dict_is_json(filled: Store) -> None:
    d = json.loads(json.dumps(network(filled).to_dict()))
    assert d["n_events"] == sum(e["n_events"] for e in d["edges"])
    assert d["filters"]["factuality"] == ["asserted"]


def test_dyad_series_fills_the_gaps(filled: Store) -> None:
    s = dyad_series(filled, "RUS", "IRN", freq="year")
    ab = s[s["direction"] == "a_to_b"]
    assert ab["period"].tolist() == [str(y) for y in range(2011, 2026)]
    assert ab.set_index("period").loc["2011", "n_events"] == 1
    assert ab["n_events"].sum() == 3 and s[s["direction"] == "b_to_a"]["n_events"].sum() == 3
    assert ab.set_index("period")["mean_goldstein"].isna().sum() == 15 - 3
    months = dyad_series(filled, "RUS", "IRN", freq="month")
    assert months["period"].iloc[0] == "2011-01"
    assert dyad_series(filled, "XXX", "YYY").empty
    with pytest.raises(ValueError):
        dyad_series(filled, "RUS", "IRN", freq="week")  # type: ignore[arg-type]


def test_search(filled: Store) -> None:
    docs, events = search(filled, "DRONE")
    assert set(docs["doc_id"]) == {"how-russia-aids-iran.txt", "ukraine-strikes-2024.txt"}
    assert docs.iloc[0]["doc_id"] == "ukraine-strikes-2024.txt"  # the title match first
    assert all("drone" in s.lower() for s in docs["snippet"])
    assert len(events) == 3 and all("drone" in s.lower() for s in events["sentence"])
    _, quoted = search(filled, "Iran's")
    assert quoted["target_text"].tolist() == ["Iran's"]
    for wildcard in ("%", "_", "'; DROP TABLE events; --"):
        d, e = search(filled, wildcard)
        assert d.empty and e.empty
    assert len(search(filled, "the", limit=1)[1]) == 1
    with pytest.raises(ValueError):
        search(filled, "  ")


def test_exports(filled: Store) -> None:
    where = event_where(plover_type="AID")
    rows = list(csv.DictReader(io.StringIO("".join(events_csv(filled, where, chunk_rows=2)))))
    assert len(rows) == 5 and list(rows[0]) == CSV_COLUMNS
    assert {r["plover_type"] for r in rows} == {"AID"}
    assert "military" in {r["plover_context"] for r in rows}
    lines = "".join(events_jsonl(filled, where, order="-date")).splitlines()
    records = [json.loads(x) for x in lines]
    assert sorted(r["event_id"] for r in records) == sorted(r["event_id"] for r in rows)
    assert records[0]["date"]["value"] >= records[-1]["date"]["value"]  # newest first
    with pytest.raises(ValueError):
        events_csv(filled, order="nope")  # refused at the call, before any output
    root = ET.fromstring(network_graphml(network(filled)))
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    assert len(root.findall(f"{ns}graph/{ns}node")) == 7
    assert len(root.findall(f"{ns}graph/{ns}edge")) == 9
