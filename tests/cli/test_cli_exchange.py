"""`nexus import gdelt|icews` and `nexus export parquet|csv|jsonl`, and comparing coded with
imported events: `nexus events --origin`, `nexus dyad --by-origin`."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from cli_helpers import check_contract, events_from, mentions, no_traceback
from event_datasets import rows, write_gdelt1, write_gdelt2, write_icews

from nexus import api
from nexus.analysis.export import CSV_COLUMNS
from nexus.cli import app
from nexus.store.rows import TABLES


def _count(store: Path, where: str = "TRUE") -> int:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(f"SELECT count(*) FROM events WHERE {where}").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    d = tmp_path / "datasets"
    d.mkdir()
    return {"gdelt2": write_gdelt2(d / "20220224061500.export.CSV.zip", zipped=True),
            "gdelt1": write_gdelt1(d / "20140301.export.CSV"),
            "icews": write_icews(d / "events.2014.tab")}


@pytest.fixture
def mixed(runner, files: dict[str, Path], sample_store: Path, tmp_path: Path) -> Path:
    """The coded sample corpus with GDELT 1.0, GDELT 2.0 and ICEWS events imported into it."""
    store = tmp_path / "mixed.duckdb"
    shutil.copy(sample_store, store)
    for dataset, path in (("gdelt", files["gdelt2"]), ("gdelt", files["gdelt1"]), ("icews", files["icews"])):
        result = runner.invoke(app, ["import", dataset, str(path), "--store", str(store)])
        assert result.exit_code == 0, result.stderr
    return store


# --- import -------------------------------------------------------------------------------------


def test_import_gdelt_reports_bad_rows_and_reimports_nothing(runner, files, tmp_path: Path):
    store = tmp_path / "gdelt.duckdb"
    args = ["import", "gdelt", str(files["gdelt2"]), str(files["gdelt1"]), "--store", str(store)]
    first = runner.invoke(app, args)
    no_traceback(first)
    assert first.exit_code == 0 and first.stdout == ""
    assert mentions(first.stderr, f"{files['gdelt2']}:4", "SQLDATE")  # the file and line of each bad row
    assert mentions(first.stderr, f"{files['gdelt1']}:3", "4 tab-separated columns")
    assert mentions(first.stderr, "2 GDELT files: 9 rows, 6 events added, 0 already stored",
                    "1 statement", "2 bad rows skipped", "gdelt1 3, gdelt2 3")
    assert _count(store) == 6
    assert _count(store, "origin = 'gdelt2'") == 3 and _count(store, "origin = 'gdelt1'") == 3

    again = runner.invoke(app, args)
    assert again.exit_code == 0
    assert mentions(again.stderr, "6 events stored already, not added again")
    assert mentions(again.stderr, "0 events added, 6 already stored")
    assert _count(store) == 6


def test_import_icews(runner, files, tmp_path: Path):
    store = tmp_path / "icews.duckdb"
    result = runner.invoke(app, ["import", "icews", str(files["icews"]), "--store", str(store)])
    no_traceback(result)
    assert result.exit_code == 0
    assert mentions(result.stderr, f"{files['icews']}:7", "Event Date")
    assert mentions(result.stderr, f"{files['icews']}:9", "the header has 20")
    assert mentions(result.stderr, "8 rows, 5 events added")
    con = duckdb.connect(str(store), read_only=True)
    got = rows(con, "SELECT origin, origin_id, source_code, target_code, plover_type, event_date, lat, lon "
                    "FROM events WHERE event_id = 'icews-21283004-2014-03-07'")
    con.close()
    assert got == [{"origin": "icews", "origin_id": "21283004", "source_code": "PSEREB", "target_code": "ISRMIL",
                    "plover_type": "ASSAULT", "event_date": date(2014, 3, 7),
                    "lat": 31.5, "lon": 34.4667}]


def test_import_with_nothing_readable_fails(runner, tmp_path: Path):
    junk = tmp_path / "notes.zip"
    junk.write_bytes(b"not a zip")
    result = runner.invoke(app, ["import", "gdelt", str(tmp_path / "missing.CSV"), str(junk),
                                 "--store", str(tmp_path / "s.duckdb")])
    no_traceback(result)
    assert result.exit_code == 1
    assert mentions(result.stderr, str(tmp_path / "missing.CSV"), "no such file")
    assert mentions(result.stderr, str(junk), "not a zip archive", "no input could be read")


# --- export -------------------------------------------------------------------------------------


def test_export_round_trips_in_all_three_formats(runner, mixed: Path, tmp_path: Path):
    total = _count(mixed)
    out = {fmt: tmp_path / f"events.{fmt}" for fmt in ("parquet", "csv", "jsonl")}
    for fmt, path in out.items():
        result = runner.invoke(app, ["export", fmt, "--store", str(mixed), "--output", str(path)])
        no_traceback(result)
        assert result.exit_code == 0, result.stderr
        assert mentions(result.stderr, f"{total} events written to {path}")

    con = duckdb.connect()
    parquet = str(out["parquet"])
    assert con.execute("SELECT count(*) FROM read_parquet(?)", [parquet]).fetchone()[0] == total
    assert [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [parquet]).fetchall()] \
        == TABLES["events"].names
    by_origin = dict(con.execute("SELECT origin, count(*) FROM read_parquet(?) GROUP BY 1", [parquet]).fetchall())
    assert by_origin == {"nexus": total - 11, "gdelt1": 3, "gdelt2": 3, "icews": 5}
    stored = duckdb.connect(str(mixed), read_only=True)
    same = stored.execute("SELECT event_id, raw FROM events ORDER BY event_id").fetchall()
    stored.close()
    assert con.execute("SELECT event_id, raw FROM read_parquet(?) ORDER BY event_id", [parquet]).fetchall() == same

    table = list(csv.reader(io.StringIO(out["csv"].read_text(encoding="utf-8"))))
    assert table[0] == CSV_COLUMNS and "origin" in table[0] and "raw" not in table[0]
    assert len(table) == total + 1
    ids = {r[0] for r in table[1:]}
    assert ids == {event_id for event_id, _ in same}

    records = events_from(out["jsonl"].read_text(encoding="utf-8"))
    assert len(records) == total
    assert {json.dumps(r, ensure_ascii=False) for r in records} == {raw for _, raw in same}
    for r in records:  # coded events keep the full contract; imported ones have no confidence
        if "origin" not in r:
            check_contract(r)
        else:
            assert r["origin"]["dataset"] in {"gdelt1", "gdelt2", "icews"} and r["confidence"] is None


def test_export_filters(runner, mixed: Path, tmp_path: Path):
    def export(fmt: str, *filters: str) -> list:
        path = tmp_path / f"filtered.{fmt}"
        result = runner.invoke(app, ["export", fmt, "--store", str(mixed), "-o", str(path), *filters])
        assert result.exit_code == 0, result.stderr
        if fmt == "jsonl":
            return events_from(path.read_text(encoding="utf-8"))
        if fmt == "csv":
            return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        return duckdb.sql(f"SELECT * FROM read_parquet('{path}')").fetchall()

    icews = export("jsonl", "--origin", "icews")
    assert len(icews) == 5 and {r["origin"]["dataset"] for r in icews} == {"icews"}
    war = export("csv", "--dyad", "RUS", "UKR", "--from", "2022", "--to", "2022-02", "--origin", "gdelt2")
    assert [r["event_id"] for r in war] == ["gdelt2-1029384756"]
    assert {r["plover_type"] for r in export("csv", "--type", "SANCTION", "--origin", "gdelt2",
                                             "--origin", "icews")} == {"SANCTION"}
    with api.open(mixed) as nx:
        expected = sorted(nx.events(actor="PSE", factuality="asserted", limit=None)["event_id"])
    assert "icews-21283004-2014-03-07" in expected
    assert sorted(r[0] for r in export("parquet", "--actor", "PSE", "--factuality", "asserted")) == expected
    assert export("jsonl", "--origin", "gdelt2", "--from", "2023") == []


def test_export_to_stdout_and_bad_requests(runner, mixed: Path, tmp_path: Path):
    result = runner.invoke(app, ["export", "jsonl", "--store", str(mixed), "-o", "-", "--origin", "gdelt1"])
    assert result.exit_code == 0
    assert sorted(e["event_id"] for e in events_from(result.stdout)) == [
        "gdelt1-1000123", "gdelt1-298765432", "gdelt1-298765433"]

    parquet = runner.invoke(app, ["export", "parquet", "--store", str(mixed), "-o", "-"])
    assert parquet.exit_code == 2 and "standard output" in parquet.stderr
    bad_date = runner.invoke(app, ["export", "csv", "--store", str(mixed), "-o", str(tmp_path / "x.csv"),
                                   "--from", "last week"])
    assert bad_date.exit_code == 2 and not (tmp_path / "x.csv").exists()
    nowhere = tmp_path / "no-such-folder" / "events.parquet"
    failed = runner.invoke(app, ["export", "parquet", "--store", str(mixed), "-o", str(nowhere)])
    no_traceback(failed)
    assert failed.exit_code == 1 and mentions(failed.stderr, "cannot write", str(nowhere))


# --- comparing coded and imported events ----------------------------------------------------


def test_events_origin_filter(runner, mixed: Path):
    result = runner.invoke(app, ["events", "--store", str(mixed), "--origin", "icews", "--origin", "gdelt1",
                                 "--actor", "RUS", "--format", "jsonl"])
    assert result.exit_code == 0, result.stderr
    got = sorted(e["event_id"] for e in events_from(result.stdout))
    assert got == ["gdelt1-298765432", "gdelt1-298765433", "icews-21283001-2014-03-01",
                   "icews-21283001-2014-03-09", "icews-21283003-2014-03-06"]
    coded = runner.invoke(app, ["events", "--store", str(mixed), "--origin", "nexus", "--format", "jsonl",
                                "--limit", "1000"])
    assert all("origin" not in e for e in events_from(coded.stdout))
    assert len(events_from(coded.stdout)) == _count(mixed, "origin = 'nexus'") > 0


def test_dyad_by_origin(runner, mixed: Path):
    result = runner.invoke(app, ["dyad", "RUS", "UKR", "--store", str(mixed), "--by-origin", "--format", "json"])
    no_traceback(result)
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    got = {(r["origin"], r["direction"]): r for r in report["by_origin"]}
    assert got[("gdelt2", "a_to_b")]["top_types"] == "ASSAULT (1)"
    assert got[("gdelt2", "a_to_b")]["first_date"] == "2022-02-24"
    assert got[("gdelt1", "a_to_b")]["verbal_conflict"] == 1  # the Duma's threat, 2014
    assert got[("icews", "a_to_b")]["n_events"] == 1
    nexus_rows = [r for r in report["by_origin"] if r["origin"] == "nexus"]
    coded = _count(mixed, "origin = 'nexus' AND factuality = 'asserted' AND "
                          "((source_country = 'RUS' AND target_country = 'UKR') OR "
                          "(source_country = 'UKR' AND target_country = 'RUS'))")
    assert sum(r["n_events"] for r in nexus_rows) == coded

    table = runner.invoke(app, ["dyad", "RUS", "UKR", "--store", str(mixed), "--by-origin"],
                          env={"COLUMNS": "250"})
    assert table.exit_code == 0
    assert "RUS and UKR by origin" in table.stdout
    assert all(o in table.stdout for o in ("gdelt1", "gdelt2", "icews"))
