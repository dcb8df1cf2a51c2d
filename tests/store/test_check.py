"""`nexus check`: a clean store of the coded sample articles passes; each kind of damage, made
by hand with SQL, is found and named with its document."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from event_datasets import write_gdelt1, write_gdelt2, write_icews
from typer.testing import CliRunner

from nexus.cli import app
from nexus.importers import DATASETS, import_files
from nexus.store import EventStore, Store
from nexus.store.check import CHECKS, check_store

DOC = "russia-iran-analysis.html"  # a sample article with sentences, mentions and events


@pytest.fixture
def copy(tmp_path: Path, sample_store: Path) -> Path:
    path = tmp_path / "copy.duckdb"
    shutil.copy(sample_store, path)
    return path


def damage(path: Path, *statements: str) -> None:
    con = duckdb.connect(str(path))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()


def found(path: Path, limit: int = 100):
    with Store.open(path, read_only=True) as st:
        return check_store(st, limit=limit)


def test_a_clean_store_passes(copy: Path, tmp_path: Path) -> None:
    report = found(copy)
    assert report.ok and report.problems == [] and report.version == 2
    assert report.checks == list(CHECKS)
    assert report.rows["documents"] == 12 and report.rows["events"] > 100
    result = CliRunner().invoke(app, ["check", "--store", str(copy)])
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.output and "12 documents" in result.output


def test_a_store_with_imported_events_passes(copy: Path, tmp_path: Path) -> None:
    """Imported events have no sentences and offsets into the dataset's text, not the file's
    stand-in document: only coded events are held to those."""
    with Store.open(copy) as st:
        import_files(st, DATASETS["gdelt"], [write_gdelt2(tmp_path / "day.export.CSV"),
                                             write_gdelt1(tmp_path / "20140301.export.CSV")])
        import_files(st, DATASETS["icews"], [write_icews(tmp_path / "events.tab")])
        assert st.query("SELECT count(*) AS n FROM events WHERE origin <> 'nexus'")["n"].iloc[0] >= 10
        assert check_store(st).ok


#: (what is damaged, SQL, the check that must find it, a word of its message)
DAMAGE = [
    ("n_events", f"UPDATE documents SET n_events = n_events + 1 WHERE doc_id = '{DOC}'",
     "counts", "n_events"),
    ("a lost sentence",
     (f"DELETE FROM sentences WHERE doc_id = '{DOC}' AND idx = (SELECT max(idx) FROM sentences "
      f"WHERE doc_id = '{DOC}')"), "counts", "n_sentences"),
    ("a lost event",
     f"DELETE FROM events WHERE event_id = (SELECT min(event_id) FROM events WHERE doc_id = '{DOC}')",
     "counts", "n_events"),
    ("a lost document", f"DELETE FROM documents WHERE doc_id = '{DOC}'", "orphans",
     "without their document"),
    ("mentions of a missing sentence",
     (f"UPDATE mentions SET sentence_idx = 9999 WHERE doc_id = '{DOC}' AND sentence_idx = "
      f"(SELECT min(sentence_idx) FROM mentions WHERE doc_id = '{DOC}')"), "orphans", "sentence 9999"),
    ("an event of a missing sentence",
     (f"UPDATE events SET sentence_idx = 9999 WHERE event_id = (SELECT min(event_id) FROM events "
      f"WHERE doc_id = '{DOC}')"), "orphans", "sentence 9999"),
    ("a sentence past the end",
     f"UPDATE sentences SET \"end\" = \"end\" + 100000 WHERE doc_id = '{DOC}' AND idx = 1",
     "offsets", "outside the text"),
    ("a sentence's text",
     f"UPDATE sentences SET text = upper(text) WHERE doc_id = '{DOC}' AND idx = 1",
     "offsets", "stored text differs"),
    ("an event's offsets",
     (f"UPDATE events SET start = start + 1 WHERE event_id = (SELECT min(event_id) FROM events "
      f"WHERE doc_id = '{DOC}')"), "offsets", "stored sentence differs"),
    ("a mention before the start",
     (f"UPDATE mentions SET start = -5 WHERE doc_id = '{DOC}' AND start = (SELECT min(start) "
      f"FROM mentions WHERE doc_id = '{DOC}')"), "offsets", "outside the text"),
    ("a block backwards",
     f"UPDATE blocks SET \"end\" = start - 1 WHERE doc_id = '{DOC}' AND idx = 2", "offsets",
     "outside the text"),
    ("a trigger outside its evidence",
     (f"UPDATE events SET trigger_end = \"end\" + 3 WHERE event_id = (SELECT min(event_id) "
      f"FROM events WHERE doc_id = '{DOC}')"), "offsets", "trigger offsets"),
    ("a sentence twice",
     f"INSERT INTO sentences SELECT * FROM sentences WHERE doc_id = '{DOC}' AND idx = 3",
     "keys", "sentences: 2 rows"),
    ("a block twice",
     f"INSERT INTO blocks SELECT * FROM blocks WHERE doc_id = '{DOC}' AND idx = 3",
     "keys", "blocks: 2 rows"),
    ("a CAMEO code",
     (f"UPDATE events SET cameo_code = '999' WHERE event_id = (SELECT min(event_id) FROM events "
      f"WHERE doc_id = '{DOC}')"), "codes", "cameo_code '999'"),
    ("a missing CAMEO code",
     (f"UPDATE events SET cameo_code = NULL WHERE event_id = (SELECT min(event_id) FROM events "
      f"WHERE doc_id = '{DOC}')"), "codes", "cameo_code missing"),
    ("a PLOVER type",
     (f"UPDATE events SET plover_type = 'HUG' WHERE event_id = (SELECT max(event_id) FROM events "
      f"WHERE doc_id = '{DOC}')"), "codes", "plover_type 'HUG'"),
    ("a factuality",
     (f"UPDATE events SET factuality = 'probably' WHERE event_id = (SELECT max(event_id) FROM events "
      f"WHERE doc_id = '{DOC}')"), "codes", "factuality 'probably'"),
]


@pytest.mark.parametrize(("sql", "check", "word"), [d[1:] for d in DAMAGE], ids=[d[0] for d in DAMAGE])
def test_damage_is_found(copy: Path, sql: str, check: str, word: str) -> None:
    damage(copy, sql)
    report = found(copy)
    assert not report.ok and report.found[check] >= 1
    assert any(p.check == check and p.doc_id == DOC and word in p.message for p in report.problems), \
        report.problems


def _without_keys(table: str) -> str:
    """SQL rebuilding `table` without its primary key, as a backend or copy without constraints
    could hold it (DuckDB enforces the key, so the damage needs this)."""
    return (f"CREATE TABLE bare AS SELECT * FROM {table}; DROP TABLE {table}; "
            f"ALTER TABLE bare RENAME TO {table}")


def test_duplicate_primary_keys_are_found(copy: Path) -> None:
    damage(copy, _without_keys("events"), _without_keys("documents"),
           f"INSERT INTO events SELECT * FROM events WHERE event_id = (SELECT min(event_id) "
           f"FROM events WHERE doc_id = '{DOC}')",
           f"INSERT INTO documents SELECT * FROM documents WHERE doc_id = '{DOC}'")
    report = found(copy)
    keys = [p.message for p in report.problems if p.check == "keys"]
    assert any(m.startswith("events: 2 rows with event_id") for m in keys)
    assert any(m == f"documents: 2 rows with doc_id '{DOC}'" for m in keys)


def test_schema_problems(copy: Path) -> None:
    damage(copy, "UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    report = found(copy)
    assert [str(p) for p in report.problems] == [
        ("schema: schema version 1, this Nexus writes version 2: open the store for writing once, "
         "or run `nexus migrate`")]
    damage(copy, "DELETE FROM meta", "ALTER TABLE mentions DROP COLUMN sector")
    with duckdb.connect(str(copy)) as con:
        report = check_store(Store(con, str(copy)))
    assert report.checks == ["schema"]  # nothing else can run on a broken schema
    assert {p.message for p in report.problems} == {"table mentions lacks columns sector",
                                                   "no schema version recorded in meta"}


def test_many_problems_are_counted_and_some_listed(copy: Path) -> None:
    damage(copy, "UPDATE sentences SET text = text || '!'")
    report = found(copy, limit=5)
    n = report.rows["sentences"]
    assert report.found["offsets"] == n > 5
    assert len([p for p in report.problems if p.check == "offsets"]) == 5
    assert report.n_problems == n


def test_nexus_check_lists_problems_and_fails(copy: Path) -> None:
    damage(copy, f"UPDATE documents SET n_sentences = 1 WHERE doc_id = '{DOC}'",
           "UPDATE events SET factuality = 'rumoured' WHERE event_id = (SELECT min(event_id) FROM events)")
    result = CliRunner(env={"COLUMNS": "300"}).invoke(app, ["check", "--store", str(copy)])
    assert result.exit_code == 1
    assert "counts" in result.output and DOC in result.output and "n_sentences is 1" in result.output
    assert "factuality 'rumoured' is not valid" in result.output
    assert "2 problems found" in result.output


def test_check_runs_on_each_backend(filled: EventStore) -> None:
    """Through `store.query` alone, so PostgreSQL stores are checked the same way."""
    report = check_store(filled)
    assert report.ok and report.version == 2 and report.rows["documents"] == 4, report.problems
    doc_id = "russia-iran-treaty-2025.txt"
    filled.execute("UPDATE documents SET n_events = n_events + 1 WHERE doc_id = ?", [doc_id])
    filled.execute("UPDATE sentences SET text = 'changed' WHERE doc_id = ? AND idx = 0", [doc_id])
    report = check_store(filled)
    assert {(p.check, p.doc_id) for p in report.problems} == {("counts", doc_id), ("offsets", doc_id)}
