"""The store on each backend (DuckDB, PostgreSQL): documents written whole, replaced, batched."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from store_factory import IRN, RUS, Ev, coded_doc, corpus, synthetic

from nexus.coded import CodedDocument
from nexus.store import SCHEMA_VERSION, EventStore, SchemaVersionError, Store
from nexus.store.rows import period_start


def counts(store: EventStore, doc_id: str) -> dict[str, int]:
    return {t: store.execute(f"SELECT count(*) FROM {t} WHERE doc_id = ?", [doc_id]).fetchone()[0]
            for t in ("documents", "blocks", "sentences", "mentions", "events")}


def test_write_stores_every_table(store: EventStore, docs: list[CodedDocument]) -> None:
    aids = docs[0]
    assert store.write(aids) == "added"
    assert counts(store, aids.document.doc_id) == {
        "documents": 1, "blocks": 10, "sentences": 10, "mentions": len(aids.mentions), "events": 8}
    n_sent, n_ev, h = store.execute(
        "SELECT n_sentences, n_events, content_hash FROM documents").fetchone()
    assert (n_sent, n_ev, h) == (10, 8, aids.document.content_hash)
    assert store.has_document(aids.document.doc_id, aids.document.content_hash)
    assert not store.has_document(aids.document.doc_id, "other")


def test_event_row_keeps_the_contract_record(store: EventStore, docs: list[CodedDocument]) -> None:
    store.write(docs[0])
    ev = next(e for e in docs[0].events if e.trigger == "built")
    row = store.query("SELECT * FROM events WHERE event_id = ?", [ev.event_id]).iloc[0]
    assert json.loads(row["raw"]) == ev.to_dict()
    assert (row["source_code"], row["target_country"], row["plover_type"]) == ("RUS", "IRN", "AID")
    assert list(row["plover_context"]) == ["economic"]
    assert row["event_date"].date() == date(2011, 1, 1)  # "2011" -> first day of the year
    assert (row["start"], row["end"]) == ev.offsets
    assert docs[0].document.text[row["trigger_start"]:row["trigger_end"]] == "built"
    assert (row["location_name"], row["lat"]) == ("Bushehr", 28.83)
    assert row["quad_class"] == 2 and row["goldstein"] == 7.4


def test_period_start() -> None:
    assert period_start("2022") == date(2022, 1, 1)
    assert period_start("2022-10") == date(2022, 10, 1)
    assert period_start("2022-10-20") == date(2022, 10, 20)
    assert period_start(None) is None
    assert period_start("sometime") is None


def test_rewrite_is_unchanged(store: EventStore, docs: list[CodedDocument]) -> None:
    store.write(docs[0])
    before = store.query("SELECT * FROM documents")
    assert store.write(corpus()[0]) == "unchanged"
    assert store.query("SELECT * FROM documents").equals(before)  # ingested_at untouched too
    assert counts(store, docs[0].document.doc_id)["events"] == 8


def test_changed_text_replaces_the_document(store: EventStore) -> None:
    old = coded_doc("d.txt", date(2023, 1, 1), [
        ("Russia supplied Iran with drones in 2022.", [Ev("supplied", RUS(), IRN(), "AID", "072", "2022")]),
        ("Iran condemned Russia in 2023.", [Ev("condemned", IRN(), RUS(), "ACCUSE", "111", "2023")]),
    ])
    new = coded_doc("d.txt", date(2023, 1, 1), [
        ("Russia sold Iran drones in 2022.", [Ev("sold", RUS(), IRN(), "AID", "072", "2022")]),
    ])
    assert store.write(old) == "added"
    assert store.write(new) == "replaced"
    assert counts(store, "d.txt") == {"documents": 1, "blocks": 1, "sentences": 1, "mentions": 2,
                                      "events": 1}
    assert store.execute("SELECT trigger FROM events").fetchall() == [("sold",)]
    assert store.has_document("d.txt", new.document.content_hash)
    assert not store.has_document("d.txt", old.document.content_hash)
    assert store.write(old) == "replaced"  # and back again: same event ids re-inserted
    assert counts(store, "d.txt")["events"] == 2


def test_failure_midway_stores_nothing_of_the_document(
        store: EventStore, docs: list[CodedDocument], monkeypatch: pytest.MonkeyPatch) -> None:
    store.write(docs[1])
    original = type(store)._insert

    def failing(self: EventStore, table: str, data) -> None:  # type: ignore[no-untyped-def]
        if table == "events":  # documents, blocks, sentences and mentions are already in
            raise RuntimeError("disk full")
        original(self, table, data)

    monkeypatch.setattr(type(store), "_insert", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        store.write(docs[0])
    assert set(counts(store, docs[0].document.doc_id).values()) == {0}
    # A failed replacement keeps the old version whole.
    changed = dataclasses.replace(docs[1], document=dataclasses.replace(
        docs[1].document, text=docs[1].document.text + " "))
    with pytest.raises(RuntimeError):
        store.write(changed)
    monkeypatch.undo()
    assert counts(store, docs[1].document.doc_id) == counts_of(docs[1])
    assert store.has_document(docs[1].document.doc_id, docs[1].document.content_hash)
    assert store.write(docs[0]) == "added"  # the connection is usable afterwards


def counts_of(coded: CodedDocument) -> dict[str, int]:
    return {"documents": 1, "blocks": len(coded.document.blocks), "sentences": len(coded.sentences),
            "mentions": len(coded.mentions), "events": len(coded.events)}


def test_write_many_stats_and_batches(store: EventStore) -> None:
    many = [synthetic(i) for i in range(23)]
    stats = store.write_many(many, batch_size=5)
    n_events = sum(len(c.events) for c in many)
    assert (stats.added, stats.unchanged, stats.replaced, stats.events) == (23, 0, 0, n_events)
    again = store.write_many([synthetic(i) for i in range(25)], batch_size=7)
    assert (again.added, again.unchanged, again.replaced) == (2, 23, 0)
    assert store.execute("SELECT count(*) FROM events").fetchone()[0] == sum(
        len(synthetic(i).events) for i in range(25))


def test_write_many_same_document_twice_in_a_batch(store: EventStore) -> None:
    v1 = coded_doc("d.txt", None, [("Russia supplied Iran with drones.",
                                    [Ev("supplied", RUS(), IRN(), "AID", "072", None)])])
    v2 = coded_doc("d.txt", None, [("Russia sold Iran drones.",
                                    [Ev("sold", RUS(), IRN(), "AID", "072", None)])])
    stats = store.write_many([v1, v1, v2], batch_size=10)
    assert (stats.added, stats.unchanged, stats.replaced) == (1, 1, 1)
    assert store.execute("SELECT trigger FROM events").fetchall() == [("sold",)]


def test_duplicate_event_ids_are_stored_once(store: EventStore) -> None:
    coded = coded_doc("d.txt", None, [("Russia supplied Iran with drones.",
                                       [Ev("supplied", RUS(), IRN(), "AID", "072", None)])])
    coded.events.append(dataclasses.replace(coded.events[0]))
    assert store.write(coded) == "added"
    assert counts(store, "d.txt")["events"] == 1
    assert store.execute("SELECT n_events FROM documents").fetchone()[0] == 1


def test_events_without_ids_get_stable_ones(store: EventStore) -> None:
    coded = coded_doc("d.txt", None, [("Russia supplied Iran with drones.",
                                       [Ev("supplied", RUS(), IRN(), "AID", "072", None)])])
    expected = coded.events[0].event_id
    coded.events[0].event_id = ""
    store.write(coded)
    assert store.execute("SELECT event_id FROM events").fetchone()[0] == expected
    assert coded.events[0].event_id == ""  # the caller's record is not modified


def test_event_of_another_document_is_refused(store: EventStore, docs: list[CodedDocument]) -> None:
    docs[0].events.append(docs[1].events[0])
    with pytest.raises(ValueError, match="doc_id"):
        store.write(docs[0])
    assert store.execute("SELECT count(*) FROM documents").fetchone()[0] == 0


def test_bad_document_in_a_batch_keeps_the_ones_before(
        store: EventStore, monkeypatch: pytest.MonkeyPatch) -> None:
    original = type(store)._insert

    def failing(self: EventStore, table: str, data) -> None:  # type: ignore[no-untyped-def]
        if table == "documents" and "synthetic-00003.txt" in data.column("doc_id").to_pylist():
            raise RuntimeError("bad document")
        original(self, table, data)

    monkeypatch.setattr(type(store), "_insert", failing)
    with pytest.raises(RuntimeError, match="bad document"):
        store.write_many([synthetic(i) for i in range(6)], batch_size=6)
    stored = [r[0] for r in store.execute("SELECT doc_id FROM documents ORDER BY doc_id").fetchall()]
    assert stored == [f"synthetic-{i:05d}.txt" for i in range(3)]


def test_file_store_reopens_and_checks_its_version(tmp_path: Path, docs: list[CodedDocument]) -> None:
    path = tmp_path / "nexus.duckdb"
    with Store.open(path) as s:
        s.write_many(docs)
    with Store.open(path, read_only=True) as s:
        assert s.con.execute("SELECT count(*) FROM documents").fetchone()[0] == 4
        assert s.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] \
            == str(SCHEMA_VERSION)
    with Store.open(path) as s:  # opening again creates nothing twice
        assert s.write(docs[0]) == "unchanged"
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(SchemaVersionError, match="99"):
        Store.open(path)
