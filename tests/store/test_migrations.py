"""Schema versions: a genuine version-1 store (the released DDL, tests/data/schema_v1.sql) filled
with the coded sample articles is migrated on open, in one transaction, with its data intact;
read-only it is shown as the current schema without being changed; a store from a newer Nexus
is refused; migrating twice changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from nexus import api
from nexus.cli import app
from nexus.store import SCHEMA_VERSION, SchemaVersionError, Store
from nexus.store import migrations as mig
from nexus.store.check import check_store
from nexus.store.rows import TABLES

V1_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "schema_v1.sql"
#: Columns version 2 added, and what version-1 rows get.
ADDED = {"origin": "nexus", "origin_id": None}
#: A sort key per table, so rows compare in the same order.
ORDER = {"documents": "doc_id", "blocks": "doc_id, idx", "sentences": "doc_id, idx",
         "mentions": "doc_id, sentence_idx, start, \"end\", code", "events": "event_id"}


def make_v1_store(path: Path, source: Path) -> None:
    """A store as a Nexus of schema version 1 wrote it: the version-1 DDL, version '1' in
    meta, and the rows of `source` (the coded sample articles) in the columns version 1 had."""
    con = duckdb.connect(str(path))
    try:
        con.execute(V1_SCHEMA.read_text("utf-8"))
        con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")
        for table in TABLES:
            v1_columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
            cols = ", ".join(f'"{c}"' for c in v1_columns)
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM src.main.{table}")
        con.execute("DETACH src")
    finally:
        con.close()


def table_rows(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> pd.DataFrame:
    cols = ", ".join(f'"{c}"' for c in columns)
    return con.execute(f"SELECT {cols} FROM {table} ORDER BY {ORDER[table]}").df()


def columns(path: Path, table: str = "events") -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    finally:
        con.close()


def stored_version(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def v1(tmp_path: Path, sample_store: Path) -> Path:
    path = tmp_path / "v1.duckdb"
    make_v1_store(path, sample_store)
    assert columns(path)[-1] == "raw" and stored_version(path) == "1"
    return path


def snapshot(path: Path) -> dict[str, pd.DataFrame]:
    """Every table's rows in version 1's columns, sorted."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: table_rows(con, t, [c for c in TABLES[t].names if not (t == "events" and c in ADDED)])
                for t in TABLES}
    finally:
        con.close()


def test_a_version_1_store_is_migrated_when_opened_for_writing(v1: Path, sample_store: Path) -> None:
    before = snapshot(v1)
    assert len(before["events"]) > 100 and len(before["documents"]) == 12
    with Store.open(v1) as st:
        assert st.migrated_from == 1
    assert stored_version(v1) == str(SCHEMA_VERSION) == "2"
    assert columns(v1) == TABLES["events"].names  # the added columns, in schema.sql's order
    after = snapshot(v1)
    for table in TABLES:  # every row of every table intact
        pd.testing.assert_frame_equal(after[table], before[table], check_dtype=False)

    con = duckdb.connect(str(v1))
    try:  # old rows got the defaults; the column default holds for new rows too
        assert con.execute("SELECT DISTINCT origin, origin_id FROM events").fetchall() == [("nexus", None)]
        con.execute("CREATE TEMP TABLE one AS SELECT * EXCLUDE (origin, origin_id) FROM events LIMIT 1")
        con.execute("UPDATE one SET event_id = 'new-event'")
        cols = ", ".join(f'"{c}"' for c in TABLES["events"].names if c not in ADDED)
        con.execute(f"INSERT INTO events ({cols}) SELECT {cols} FROM one")
        assert con.execute("SELECT origin, origin_id FROM events WHERE event_id = 'new-event'").fetchone() \
            == ("nexus", None)
        con.execute("DELETE FROM events WHERE event_id = 'new-event'")
    finally:
        con.close()

    # Queries and the dyad report give what they give on the store coded today.
    with api.open(v1) as old, api.open(sample_store) as new:
        assert check_store(old.store).ok
        for filters in ({}, {"dyad": ("RUS", "IRN")}, {"origin": "nexus", "factuality": "alleged"}):
            got, want = old.events(**filters), new.events(**filters)
            assert len(got) > 0
            assert list(got["event_id"]) == list(want["event_id"])
        a, b = new.relationships(limit=1).iloc[0][["source", "target"]]
        got_report, want_report = old.dyad(a, b), new.dyad(a, b)
        assert got_report.n_events == want_report.n_events > 0
        pd.testing.assert_frame_equal(got_report.a_to_b.by_type, want_report.a_to_b.by_type)
        pd.testing.assert_frame_equal(got_report.b_to_a.evidence, want_report.b_to_a.evidence)
        pd.testing.assert_frame_equal(old.relationships(), new.relationships())


def test_migrating_again_changes_nothing(v1: Path) -> None:
    with Store.open(v1) as st:
        assert st.migrated_from == 1
    migrated = snapshot(v1)
    with Store.open(v1) as st:  # already at version 2: nothing to do
        assert st.migrated_from is None
        # The steps themselves are safe to repeat (IF NOT EXISTS), should a backend rerun them.
        with st.transaction():
            for statement in mig.MIGRATIONS[-1].statements():
                st.con.execute(statement)
        assert mig.migrate(lambda sql, params: pytest.fail(f"ran {sql}"), SCHEMA_VERSION) == SCHEMA_VERSION
    assert stored_version(v1) == "2" and columns(v1) == TABLES["events"].names
    for table, rows in snapshot(v1).items():
        pd.testing.assert_frame_equal(rows, migrated[table], check_dtype=False)


def test_a_version_1_store_that_already_has_the_columns_is_migrated(v1: Path) -> None:
    """Stores written between the columns and schema versions: version '1' with origin already."""
    con = duckdb.connect(str(v1))
    con.execute("ALTER TABLE events ADD COLUMN origin VARCHAR DEFAULT 'nexus'")
    con.execute("ALTER TABLE events ADD COLUMN origin_id VARCHAR")
    con.execute("UPDATE events SET origin = 'icews', origin_id = event_id WHERE quad_class = 4")
    con.close()
    with Store.open(v1) as st:
        assert st.migrated_from == 1
        kept = st.query("SELECT count(*) AS n FROM events WHERE origin = 'icews' AND origin_id = event_id")
        assert kept["n"].iloc[0] > 0  # the values already there are kept
    assert stored_version(v1) == "2"


def test_a_version_1_store_opened_read_only_is_read_without_change(v1: Path) -> None:
    before = v1.read_bytes()
    with api.open(v1) as nx:  # read-only: the added columns are shown through views
        df = nx.events(origin="nexus")
        assert len(df) > 100 and set(df["origin"]) == {"nexus"}
        assert nx.events(origin="gdelt2").empty
        cursor = nx.store.cursor()  # a cursor (one per web request) sees them too
        assert cursor.query("SELECT DISTINCT origin FROM events")["origin"].tolist() == ["nexus"]
        cursor.close()
        report = check_store(nx.store)  # only the version is behind
        assert report.version == 1 and report.found == {**{k: 0 for k in report.found}, "schema": 1}
        assert "nexus migrate" in report.problems[0].message
    assert stored_version(v1) == "1" and "origin" not in columns(v1)
    assert v1.read_bytes() == before


def test_a_failed_migration_leaves_the_old_version(v1: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """All steps and the new version in one transaction: a failing step undoes the others."""
    failing = mig.Migration(2, "adds the columns, then fails", added_columns=mig.MIGRATIONS[0].added_columns,
                            steps=("UPDATE events SET no_such_column = 1",))
    monkeypatch.setattr(mig, "MIGRATIONS", (failing,))
    before = snapshot(v1)
    with pytest.raises(duckdb.BinderException, match="no_such_column"):
        Store.open(v1)
    assert stored_version(v1) == "1" and "origin" not in columns(v1)
    for table, rows in snapshot(v1).items():
        pd.testing.assert_frame_equal(rows, before[table], check_dtype=False)


def test_a_store_from_a_newer_nexus_is_refused(tmp_path: Path, sample_store: Path) -> None:
    path = tmp_path / "future.duckdb"
    shutil.copy(sample_store, path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.close()
    for read_only in (False, True):
        with pytest.raises(SchemaVersionError, match="version 3 is newer than this Nexus.*upgrade"):
            Store.open(path, read_only=read_only)
    runner = CliRunner()
    for command in ("check", "migrate", "events"):
        result = runner.invoke(app, [command, "--store", str(path)])
        assert result.exit_code == 1, result.output
        assert "newer than this Nexus" in result.output
    assert stored_version(path) == "3"


def test_an_unreadable_version_is_refused(tmp_path: Path, sample_store: Path) -> None:
    path = tmp_path / "garbled.duckdb"
    shutil.copy(sample_store, path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = 'two' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(SchemaVersionError, match="unreadable store schema version 'two'"):
        Store.open(path)


def test_a_migration_beyond_added_columns_needs_a_writable_open(
        tmp_path: Path, sample_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A future version 3 that rewrites data: read-only, a version-2 store is refused with what
    to do; opened for writing, it is migrated."""
    v3 = mig.Migration(3, "events.actor_pair", added_columns=(mig.AddedColumn("events", "pair", "VARCHAR"),),
                       steps=("UPDATE events SET pair = source_code || '-' || target_code",))
    monkeypatch.setattr(mig, "MIGRATIONS", (*mig.MIGRATIONS, v3))
    monkeypatch.setattr(mig, "SCHEMA_VERSION", 3)
    path = tmp_path / "v2.duckdb"
    shutil.copy(sample_store, path)
    with pytest.raises(SchemaVersionError, match="open it for writing once, or run `nexus migrate"):
        Store.open(path, read_only=True)
    result = CliRunner().invoke(app, ["migrate", "--store", str(path)])
    assert result.exit_code == 0, result.output
    assert "migrated from schema version 2 to 3" in result.output
    with Store.open(path, read_only=True) as st:
        assert st.query("SELECT count(*) AS n FROM events WHERE pair = source_code || '-' || target_code"
                        )["n"].iloc[0] > 0
    assert stored_version(path) == "3"


def test_nexus_migrate(v1: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["migrate", "--store", str(v1)])
    assert result.exit_code == 0, result.output
    assert "migrated from schema version 1 to 2" in result.output
    result = runner.invoke(app, ["migrate", "--store", str(v1)])
    assert result.exit_code == 0 and "at schema version 2: nothing to migrate" in result.output
    missing = tmp_path / "missing.duckdb"
    result = runner.invoke(app, ["migrate", "--store", str(missing)])
    assert result.exit_code == 1 and "no store at" in result.output
    assert not missing.exists()  # migrate never creates a store


def test_migrations_run_in_order_up_to_the_current_version() -> None:
    assert [m.version for m in mig.MIGRATIONS] == list(range(2, SCHEMA_VERSION + 1))
    assert mig.pending(1) == list(mig.MIGRATIONS) and mig.pending(SCHEMA_VERSION) == []
    for bad in (0, SCHEMA_VERSION + 1):
        with pytest.raises(SchemaVersionError):
            mig.pending(bad)
    ran: list[tuple[str, list]] = []
    assert mig.migrate(lambda sql, params: ran.append((sql, list(params))), 1) == SCHEMA_VERSION
    assert ran == [
        ("ALTER TABLE events ADD COLUMN IF NOT EXISTS origin VARCHAR DEFAULT 'nexus'", []),
        ("ALTER TABLE events ADD COLUMN IF NOT EXISTS origin_id VARCHAR", []),
        (("INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
          "ON CONFLICT (key) DO UPDATE SET value = excluded.value"), ["2"]),
    ]


def test_a_new_store_is_created_at_the_current_version_in_one_go(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with Store.open(path) as st:
        assert st.migrated_from is None
    assert stored_version(path) == str(SCHEMA_VERSION) and columns(path) == TABLES["events"].names
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()  # a database file with nothing in it (a creation killed early)
    with pytest.raises(SchemaVersionError, match="not a Nexus store"):
        Store.open(empty, read_only=True)
    with Store.open(empty) as st:
        assert check_store(st).ok
