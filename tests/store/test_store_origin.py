"""Where events come from (events.origin / origin_id): stores made before the columns still
open, ids already stored are skipped on append, and queries filter and compare by origin."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from event_datasets import rows, write_gdelt2, write_icews
from store_factory import corpus

from nexus import api
from nexus.analysis import dyad_by_origin
from nexus.importers import DATASETS, import_files
from nexus.store import Store, queries
from nexus.store.rows import TABLES


def _old_store(path: Path) -> None:
    """A store as written before origin and origin_id existed, with one coded document."""
    sql = resources.files("nexus.store").joinpath("schema.sql").read_text("utf-8")
    start = sql.index("    -- Which dataset")
    sql = sql[:start].rstrip().removesuffix(",") + "\n);\n"  # the events table without the two
    assert "origin_id" not in sql
    con = duckdb.connect(str(path))
    con.execute(sql)
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    with Store.open(":memory:") as scratch:  # the rows of a coded document, columns as of old
        scratch.write(corpus()[0])
        for table in ("documents", "events"):
            data = scratch.con.sql(f"SELECT * FROM {table}").to_arrow_table()
            if table == "events":
                data = data.drop_columns(["origin", "origin_id"])
            con.register("old_rows", data)
            con.execute(f"INSERT INTO {table} SELECT * FROM old_rows")
            con.unregister("old_rows")
    con.close()


def _columns(path: Path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [r[0] for r in con.execute("DESCRIBE events").fetchall()]
    finally:
        con.close()


def test_an_old_store_opens_read_only_without_changes(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    _old_store(path)
    with api.open(path) as nx:  # read-only: the columns are shown, not added
        df = nx.events(origin="nexus")
        assert len(df) == 8 and set(df["origin"]) == {"nexus"}
        assert nx.events(origin="gdelt2").empty
        cur = nx.store.cursor()  # a cursor (one per web request) sees them too
        assert rows(cur.con, "SELECT DISTINCT origin FROM events") == [{"origin": "nexus"}]
        cur.close()
    assert "origin" not in _columns(path)


def test_an_old_store_gains_the_columns_when_opened_for_writing(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    _old_store(path)
    with Store.open(path) as st:
        assert rows(st.con, "SELECT DISTINCT origin, origin_id FROM events") == [
            {"origin": "nexus", "origin_id": None}]
        import_files(st, DATASETS["gdelt"], [write_gdelt2(tmp_path / "day.export.CSV")])
    assert _columns(path)[-2:] == ["origin", "origin_id"]
    with api.open(path) as nx:
        assert len(nx.events(origin="gdelt2")) == 3 and len(nx.events()) == 11


def test_append_skip_existing_counts_what_it_inserts() -> None:
    with Store.open(":memory:") as st:
        st.write(corpus()[0])
        stored = st.con.sql("SELECT * FROM events").to_arrow_table()
        stored = stored.cast(TABLES["events"])
        with pytest.raises(duckdb.ConstraintException):
            st.append_tables({"events": stored})
        twice = pa.concat_tables([stored, stored])
        assert st.append_tables({"events": twice}, skip_existing=True) == {"events": 0}
        fresh = stored.set_column(0, "event_id", pa.array([f"new-{i}" for i in range(len(stored))]))
        assert st.append_tables({"events": pa.concat_tables([fresh, fresh])},
                                skip_existing=True) == {"events": len(stored)}


@pytest.fixture
def mixed(tmp_path: Path) -> Store:
    """Coded documents (origin nexus) with a GDELT 2.0 day and an ICEWS file imported."""
    st = Store.open(tmp_path / "mixed.duckdb")
    st.write_many(corpus())
    import_files(st, DATASETS["gdelt"], [write_gdelt2(tmp_path / "day.export.CSV")])
    import_files(st, DATASETS["icews"], [write_icews(tmp_path / "events.tab")])
    yield st
    st.close()


def test_origin_filter(mixed: Store) -> None:
    counts = {o: len(queries.events(mixed, origin=o)) for o in ("nexus", "gdelt2", "icews", "gdelt1")}
    total = len(queries.events(mixed))
    assert counts["gdelt2"] == 3 and counts["icews"] == 5 and counts["gdelt1"] == 0
    assert counts["nexus"] == total - 8 > 0
    both = queries.events(mixed, origin=["GDELT2", "icews"], dyad=("RUS", "UKR"))
    assert sorted(both["event_id"]) == ["gdelt2-1029384756", "icews-21283001-2014-03-01"]


def test_dyad_by_origin_compares_coded_and_imported(mixed: Store) -> None:
    df = dyad_by_origin(mixed, "RUS", "UKR")
    got = {(r.origin, r.direction): (r.n_events, r.top_types) for r in df.itertuples(index=False)}
    assert got == {("gdelt2", "a_to_b"): (1, "ASSAULT (1)"), ("icews", "a_to_b"): (1, "THREATEN (1)"),
                   ("nexus", "a_to_b"): (1, "ASSAULT (1)")}
    assert list(df["origin"]) == ["gdelt2", "icews", "nexus"]
    usa = dyad_by_origin(mixed, "RUS", "USA")  # b to a only
    assert [(r.origin, r.direction, r.source, r.target, r.material_conflict)
            for r in usa.itertuples(index=False)] == [("gdelt2", "b_to_a", "USA", "RUS", 1),
                                                      ("icews", "b_to_a", "USA", "RUS", 1)]
    assert dyad_by_origin(mixed, "RUS", "UKR", factuality="alleged").empty
