"""GDELT 1.0 and 2.0 event tables into the store: the mapped fields, the layouts told by column
count, zipped files, bad rows reported with file and line, and idempotent re-imports."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from event_datasets import rows, write_gdelt1, write_gdelt2

from nexus.documents import ReadProblem
from nexus.importers import DATASETS, import_files
from nexus.store import Store

GDELT = DATASETS["gdelt"]


def _events(store: Store) -> dict[str, dict]:
    return {r["event_id"]: r for r in rows(store.con, "SELECT * FROM events")}


@pytest.mark.parametrize("zipped", [False, True])
def test_gdelt2_rows_map_to_events(store: Store, problems: list[ReadProblem], tmp_path: Path,
                                   zipped: bool) -> None:
    name = "20220224061500.export.CSV" + (".zip" if zipped else "")
    path = write_gdelt2(tmp_path / name, zipped=zipped)
    stats = import_files(store, GDELT, [path], on_problem=problems.append)

    assert (stats.files, stats.rows, stats.added, stats.already) == (1, 5, 3, 0)
    assert (stats.statements, stats.bad) == (1, 1)  # the 010 statement; the undated row
    assert stats.by_origin == {"gdelt2": 3}
    events = _events(store)
    assert set(events) == {"gdelt2-1029384756", "gdelt2-1029384757", "gdelt2-1029384760"}

    strike = events["gdelt2-1029384756"]
    assert (strike["origin"], strike["origin_id"]) == ("gdelt2", "1029384756")
    assert (strike["source_code"], strike["source_country"], strike["source_sector"]) == ("RUSMIL", "RUS", "MIL")
    assert (strike["target_code"], strike["target_country"], strike["source_text"]) == ("UKR", "UKR", "RUSSIA")
    assert (strike["cameo_code"], strike["cameo_name"]) == ("190", "Use conventional military force")
    assert (strike["plover_type"], strike["goldstein"], strike["quad_class"]) == ("ASSAULT", -10.0, 4)
    assert strike["event_date"] == date(2022, 2, 24) and strike["date_value"] == "2022-02-24"
    assert (strike["factuality"], strike["attribution_text"]) == ("asserted", None)
    assert strike["sentence"] == "https://news.example.org/2022/02/24/russian-forces-strike-kyiv"
    # ActionGeo: the FIPS country code UP is Ukraine
    assert (strike["location_name"], strike["location_country"]) == ("Kyiv, Kyyiv, Misto, Ukraine", "UKR")
    assert (strike["lat"], strike["lon"]) == (50.4333, 30.5167)

    sanctions = events["gdelt2-1029384757"]
    assert (sanctions["plover_type"], sanctions["plover_mode"]) == ("SANCTION", "discontinue")
    assert (sanctions["source_code"], sanctions["location_country"]) == ("USAGOV", "RUS")  # RS: Russia

    # A four-digit code kept as given; GDELT's own Goldstein kept over the ontology's 10.0
    pullback = events["gdelt2-1029384760"]
    assert (pullback["cameo_code"], pullback["plover_type"], pullback["goldstein"]) == ("0874", "RETREAT", 9.5)
    assert pullback["cameo_name"] == "Retreat or surrender militarily"

    assert [(p.origin, p.line) for p in problems if p.fatal] == [(str(path), 4)]
    assert "SQLDATE" in problems[0].message


def test_gdelt2_record_is_a_contract_event(store: Store, tmp_path: Path) -> None:
    import_files(store, GDELT, [write_gdelt2(tmp_path / "day.export.CSV")])
    raw = rows(store.con, "SELECT raw FROM events WHERE event_id = 'gdelt2-1029384756'")[0]["raw"]
    e = json.loads(raw)
    assert e["event_id"] == "gdelt2-1029384756" and e["doc_id"] == "gdelt:day.export.CSV"
    assert e["source"] == {"text": "RUSSIA", "code": "RUSMIL", "country": "RUS", "sector": "MIL"}
    assert e["plover"] == {"type": "ASSAULT", "mode": None, "context": ["military"]}
    assert e["cameo"] == {"code": "190", "name": "Use conventional military force", "goldstein": -10.0,
                          "quad_class": 4}
    assert e["date"] == {"value": "2022-02-24", "precision": "day", "basis": "publication"}
    assert e["factuality"] == "asserted" and e["attribution"] is None
    assert e["offsets"] == [0, len(e["sentence"])]
    assert e["origin"]["dataset"] == "gdelt2" and e["origin"]["id"] == "1029384756"
    assert e["origin"]["num_mentions"] == 20


def test_gdelt1_daily_and_historical_layouts(store: Store, problems: list[ReadProblem],
                                             tmp_path: Path) -> None:
    path = write_gdelt1(tmp_path / "20140301.export.CSV")
    stats = import_files(store, GDELT, [path], on_problem=problems.append)
    assert (stats.rows, stats.added, stats.bad) == (4, 3, 1)
    assert stats.by_origin == {"gdelt1": 3}
    events = _events(store)

    duma = events["gdelt1-298765432"]  # 58 columns: with SOURCEURL
    assert (duma["cameo_code"], duma["plover_type"], duma["quad_class"]) == ("1384", "THREATEN", 3)
    assert (duma["source_code"], duma["source_sector"]) == ("RUSLEG", "LEG")
    assert duma["sentence"] == "https://news.example.org/2014/03/01/duma-approves-force"
    assert (duma["location_country"], duma["lat"]) == ("UKR", 44.9521)

    eu = events["gdelt1-298765433"]  # an IGO: no country, its code and sector kept
    assert (eu["source_code"], eu["source_country"], eu["source_sector"]) == ("IGOEUREEC", None, "IGO")
    assert (eu["target_code"], eu["plover_type"]) == ("RUSGOV", "AGREE")
    assert eu["location_country"] == "BEL"

    nato = events["gdelt1-1000123"]  # 57 columns: a historical backfile row, no SOURCEURL
    assert nato["event_date"] == date(1995, 5, 25)
    assert (nato["sentence"], nato["source_code"], nato["target_country"]) == ("", "NATO", "SRB")
    assert (nato["location_country"], nato["plover_type"]) == ("BIH", "ASSAULT")  # BK: Bosnia

    bad = [p for p in problems if p.fatal]
    assert [(p.origin, p.line) for p in bad] == [(str(path), 3)]
    assert "4 tab-separated columns" in bad[0].message


def test_reimport_adds_no_duplicates(store: Store, tmp_path: Path) -> None:
    path = write_gdelt2(tmp_path / "20220224061500.export.CSV.zip", zipped=True)
    first = import_files(store, GDELT, [path])
    again = import_files(store, GDELT, [path])
    assert (first.added, first.already) == (3, 0)
    assert (again.added, again.already) == (0, 3)
    assert rows(store.con, "SELECT count(*) AS n FROM events") == [{"n": 3}]
    docs = rows(store.con, "SELECT doc_id, n_events, n_sentences, origin, title FROM documents")
    assert docs == [{
        "doc_id": "gdelt:20220224061500.export.CSV.zip", "n_events": 3, "n_sentences": 0,
        "origin": str(path), "title": "GDELT events: 20220224061500.export.CSV.zip"}]


def test_small_batches_give_the_same_events(store: Store, tmp_path: Path) -> None:
    """Events go in Arrow batches; a batch boundary mid-file changes nothing, and the document's
    n_events counts every batch."""
    path = write_gdelt2(tmp_path / "day.export.CSV")
    stats = import_files(store, GDELT, [path], batch_rows=1)
    assert stats.added == 3
    assert rows(store.con, "SELECT n_events FROM documents") == [{"n_events": 3}]


def test_unreadable_files_are_reported_and_skipped(store: Store, problems: list[ReadProblem],
                                                   tmp_path: Path) -> None:
    broken = tmp_path / "20220224.export.CSV.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    good = write_gdelt2(tmp_path / "good.export.CSV")
    stats = import_files(store, GDELT, [tmp_path / "missing.CSV", broken, good],
                         on_problem=problems.append)
    assert (stats.files, stats.added) == (1, 3)
    fatal = {p.origin: p.message for p in problems if p.fatal and p.line is None}
    assert "no such file" in fatal[str(tmp_path / "missing.CSV")]
    assert "not a zip archive" in fatal[str(broken)]


def test_a_file_of_another_format_is_given_up(store: Store, problems: list[ReadProblem],
                                              tmp_path: Path) -> None:
    path = tmp_path / "not-gdelt.CSV"
    path.write_text("".join(f"{i}\tjust\tthree\n" for i in range(500)), encoding="utf-8")
    stats = import_files(store, GDELT, [path], on_problem=problems.append)
    assert (stats.files, stats.added, stats.bad) == (0, 0, 100)
    listed = [p for p in problems if p.line is not None]
    assert len(listed) == 50  # then only counted
    assert "not GDELT data" in problems[-1].message
