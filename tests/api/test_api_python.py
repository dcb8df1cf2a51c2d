"""The Python API: nexus.code_text, events_frame, ingest, read, and nexus.open(...) queries."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import nexus
from nexus import api
from nexus.analysis import DyadReport
from nexus.documents import Document, ReadProblem
from nexus.events.model import Event

DRONES = "Russia supplied Iran with drones in 2022."
NEWS = ("Russia supplied Iran with drones in 2022. "
        "The United States imposed sanctions on Iran on Wednesday, officials said. "
        "China condemned Japan on Tuesday over the release of treated water from the Fukushima plant.")


# --- code_text and events_frame ---------------------------------------------------------------


def test_code_text_asserted_aid():
    events = nexus.code_text(DRONES)
    assert events and all(isinstance(e, Event) for e in events)
    aid = [e for e in events if e.plover.type == "AID"]
    assert len(aid) == 1
    e = aid[0]
    assert (e.source.code, e.source.country, e.target.code, e.target.country) == ("RUS", "RUS", "IRN", "IRN")
    assert e.factuality == "asserted"
    assert (e.date.value, e.date.precision, e.date.basis) == ("2022", "year", "text")
    assert e.cameo.code.startswith("07") and e.cameo.quad_class == 2 and e.cameo.goldstein > 0
    assert e.trigger == "supplied"
    assert tuple(e.offsets) == (0, len(DRONES)) and e.sentence == DRONES
    assert e.doc_id == "text"
    record = e.to_dict()
    assert json.loads(e.to_json()) == record
    for field in ("event_id", "doc_id", "sentence", "offsets", "trigger", "source", "target", "plover", "cameo",
                  "factuality", "attribution", "date", "location", "confidence"):
        assert field in record


def test_code_text_dates_and_ids():
    as_text = nexus.code_text(NEWS, date="2024-03-14", doc_id="wire-1")
    as_date = nexus.code_text(NEWS, date=date(2024, 3, 14), doc_id="wire-1")
    assert [e.to_dict() for e in as_text] == [e.to_dict() for e in as_date]
    assert {e.doc_id for e in as_text} == {"wire-1"}
    sanction = next(e for e in as_text if e.plover.type == "SANCTION")
    assert (sanction.source.code, sanction.target.code) == ("USA", "IRN")
    assert sanction.date.value == "2024-03-13"  # the Wednesday before Thursday 14 March
    assert sanction.attribution is not None and sanction.attribution.text == "officials"
    accuse = next(e for e in as_text if e.plover.type == "ACCUSE")
    assert (accuse.source.code, accuse.target.code, accuse.date.value) == ("CHN", "JPN", "2024-03-12")
    for e in as_text:
        assert NEWS[e.offsets[0]:e.offsets[1]] == e.sentence
    ids = [e.event_id for e in as_text]
    assert len(set(ids)) == len(ids)
    assert ids == [e.event_id for e in nexus.code_text(NEWS, date="2024-03-14", doc_id="wire-1")]


def test_code_text_without_events():
    assert nexus.code_text("The weather in Paris was mild on Sunday.") == []


def test_code_text_bad_date():
    with pytest.raises(ValueError):
        nexus.code_text(DRONES, date="14/03/2024")


def test_events_frame_flattens():
    events = nexus.code_text(NEWS, date="2024-03-14")
    df = nexus.events_frame(events)
    assert isinstance(df, pd.DataFrame)
    assert len(df) == len(events)
    for col in ("event_id", "doc_id", "sentence", "source.code", "source.country", "target.code",
                "plover.type", "cameo.code", "cameo.goldstein", "date.value", "date.basis", "factuality"):
        assert col in df.columns
    assert list(df["event_id"]) == [e.event_id for e in events]
    assert list(df["plover.type"]) == [e.plover.type for e in events]
    assert list(df["source.code"]) == [e.source.code for e in events]
    assert nexus.events_frame([]).empty


def test_events_frame_columns_do_not_depend_on_the_data():
    events = nexus.code_text(NEWS, date="2024-03-14")
    with_attr = [e for e in events if e.attribution is not None]
    without = [e for e in events if e.attribution is None]
    assert with_attr and without
    assert list(nexus.events_frame(without).columns) == list(nexus.events_frame(with_attr).columns)
    assert "attribution" not in nexus.events_frame(events).columns


# --- read and ingest ------------------------------------------------------------------------


def test_read_reports_problems_and_yields_documents(tmp_path: Path):
    wire = tmp_path / "wire.jsonl"
    wire.write_text(json.dumps({"id": "w1", "text": DRONES, "date": "2023-01-05"}) + "\n{broken\n"
                    + json.dumps({"id": "w2", "text": NEWS}) + "\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("")
    problems: list[ReadProblem] = []
    docs = list(api.read([wire, tmp_path / "empty.txt", tmp_path / "missing.txt"], date="2024-03-14",
                         on_problem=problems.append))
    assert [d.doc_id for d in docs] == ["w1", "w2"]
    assert all(isinstance(d, Document) for d in docs)
    assert docs[0].date == date(2023, 1, 5) and docs[1].date == date(2024, 3, 14)
    assert [(Path(p.origin).name, p.line, p.fatal) for p in problems] == [
        ("wire.jsonl", 2, True), ("empty.txt", None, True), ("missing.txt", None, True)]
    assert str(problems[0]).startswith(f"{wire}:2: ")


def test_ingest_api_and_rerun(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "drones.txt").write_text(NEWS, encoding="utf-8")
    (folder / "bad.jsonl").write_text("[1, 2]\n", encoding="utf-8")
    store = tmp_path / "s.duckdb"
    seen: list[str] = []
    problems: list[ReadProblem] = []
    first = nexus.ingest([folder], store, date="2024-03-14", on_problem=problems.append,
                         progress=lambda d: seen.append(d.doc_id))
    assert seen == ["drones.txt"]
    assert [(Path(p.origin).name, p.line) for p in problems] == [("bad.jsonl", 1)]
    assert (first.stats.added, first.stats.replaced, first.stats.unchanged) == (1, 0, 0)
    assert first.stats.events == len(nexus.code_text(NEWS, date="2024-03-14", doc_id="drones.txt"))
    second = nexus.ingest([folder], store, date="2024-03-14")
    assert (second.stats.added, second.stats.unchanged, second.stats.events, second.skipped) == (0, 1, 0, 1)
    with nexus.open(store) as nx:
        stored = nx.events(limit=None)
    coded = nexus.code_text(NEWS, date="2024-03-14", doc_id="drones.txt")
    assert sorted(stored["event_id"]) == sorted(e.event_id for e in coded)


# --- queries on the sample store -----------------------------------------------------------------


def _involves(df: pd.DataFrame, code: str) -> pd.Series:
    def side(s: str) -> pd.Series:
        return (df[f"{s}_code"].fillna("").str.startswith(code) | (df[f"{s}_country"] == code)
                | (df[f"{s}_sector"] == code))
    return side("source") | side("target")


def test_open_events_dataframe(sample_store: Path):
    with nexus.open(sample_store) as nx:
        assert isinstance(nx, nexus.Nexus)
        rus = nx.events(actor="RUS")
        everything = nx.events(limit=None)
        aid = nx.events(actor="rus", plover_type="AID", factuality=["asserted", "alleged"], limit=None)
        recent = nx.events(date_from="2024", order="-date", limit=5)
        one_doc = nx.events(doc_id="saudi-iran-beijing.txt", limit=None)
        text = nx.events(text="Shahed", limit=None)
    assert isinstance(rus, pd.DataFrame) and len(rus) > 0
    assert _involves(rus, "RUS").all()
    assert 0 < len(rus) < len(everything)
    for col in ("event_id", "doc_id", "sentence", "source_code", "target_code", "plover_type", "cameo_code",
                "goldstein", "factuality", "event_date", "raw"):
        assert col in rus.columns
    assert len(aid) > 0 and set(aid["plover_type"]) == {"AID"}
    assert set(aid["factuality"]) <= {"asserted", "alleged"} and _involves(aid, "RUS").all()
    assert len(recent) == 5
    assert (recent["event_date"] >= pd.Timestamp("2024-01-01")).all()
    assert list(recent["event_date"]) == sorted(recent["event_date"], reverse=True)
    assert set(one_doc["doc_id"]) == {"saudi-iran-beijing.txt"}
    assert len(text) > 0 and text["sentence"].str.contains("Shahed").all()
    # raw holds the contract record
    first = json.loads(rus["raw"].iloc[0])
    assert first["event_id"] == rus["event_id"].iloc[0]


def test_open_events_bad_arguments(sample_store: Path):
    with nexus.open(sample_store) as nx:
        with pytest.raises(ValueError, match="not a date"):
            nx.events(date_from="2023-13")
        with pytest.raises(ValueError, match="order"):
            nx.events(order="sideways")
        with pytest.raises(ValueError):
            nx.events(actor="  ")


def test_dyad_report(sample_store: Path, sample_texts: dict[str, str]):
    with nexus.open(sample_store) as nx:
        report = nx.dyad("RUS", "IRN")
        asserted = nx.events(dyad=("RUS", "IRN"), factuality="asserted", limit=None)
        quarterly = nx.dyad("RUS", "IRN", freq="quarter", evidence=1)
        everything = nx.dyad("RUS", "IRN", factuality=None)
    assert isinstance(report, DyadReport)
    assert report.n_events == len(asserted) > 0
    for d, (src, tgt) in ((report.a_to_b, ("RUS", "IRN")), (report.b_to_a, ("IRN", "RUS"))):
        assert (d.source, d.target) == (src, tgt)
        assert d.n_events > 0
        for frame in (d.by_type, d.by_quad, d.evidence):
            assert isinstance(frame, pd.DataFrame) and not frame.empty
        assert int(d.by_type.to_numpy().sum()) == d.n_events
        assert set(d.evidence["factuality"]) == {"asserted"}
        for row in d.evidence.itertuples():
            assert row.sentence in sample_texts[row.doc_id]
        assert isinstance(d.claimed, pd.DataFrame)
        assert "asserted" not in d.claimed_counts
    assert len(quarterly.a_to_b.evidence) == 1
    assert everything.n_events > report.n_events  # the claimed and planned ones come in too


def test_dyad_unknown_and_bad_freq(sample_store: Path):
    with nexus.open(sample_store) as nx:
        empty = nx.dyad("XXX", "YYY")
        with pytest.raises(ValueError, match="freq"):
            nx.dyad("RUS", "IRN", freq="week")
    assert empty.n_events == 0 and empty.mean_goldstein is None
    assert empty.a_to_b.evidence.empty and empty.b_to_a.by_type.empty


def test_relationships_documents_actors(sample_store: Path):
    with nexus.open(sample_store) as nx:
        rel = nx.relationships(limit=5)
        docs = nx.documents()
        actors = nx.actors()
    assert len(rel) == 5
    assert {"source", "target", "n_events", "mean_goldstein", "top_types"} <= set(rel.columns)
    assert (rel["source"] != rel["target"]).all()
    assert list(rel["n_events"]) == sorted(rel["n_events"], reverse=True)
    assert len(docs) > len(api.sample_paths()) and "text" not in docs.columns
    assert {"RUS", "IRN", "USA"} <= set(actors["actor"])
