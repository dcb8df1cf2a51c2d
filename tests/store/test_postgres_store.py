"""The PostgreSQL store: the shared SQL translated for it, the same answers as DuckDB, and what a
server shared by a team adds: writers in several processes at once, a pool of connections for
the web server, read-only sessions and schema versions."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from backends import comparable, with_schema
from event_datasets import write_gdelt2, write_icews
from store_factory import IRN, RUS, Ev, coded_doc, corpus, synthetic

from nexus import api
from nexus.analysis import (
    dyad_by_origin,
    dyad_report,
    dyad_series,
    events_csv,
    events_jsonl,
    events_parquet,
    network,
    search,
)
from nexus.importers import DATASETS, import_files
from nexus.store import EventStore, SchemaVersionError, Store, display_location, open_store
from nexus.store import queries as q
from nexus.store.check import check_store
from nexus.store.dialect import is_postgres, postgres_ddl, postgres_sql
from nexus.store.migrations import SCHEMA_VERSION
from nexus.store.rows import TABLES

ROOT = Path(__file__).resolve().parents[2]
V1_SCHEMA = ROOT / "tests" / "data" / "schema_v1.sql"
#: Each table's rows in one order, to compare whole stores.
ORDER = {"documents": "doc_id", "blocks": "doc_id, idx", "sentences": "doc_id, idx",
         "mentions": 'doc_id, sentence_idx, start, "end", code', "events": "event_id"}


def dump(store: EventStore) -> dict[str, list[dict]]:
    """Every row of every table (documents without the time they were stored)."""
    out = {}
    for table, order in ORDER.items():
        df = store.query(f"SELECT * FROM {table} ORDER BY {order}")
        out[table] = comparable(df.drop(columns=["ingested_at"], errors="ignore"))
    return out


def scalar(store: EventStore, sql: str, params: list | None = None) -> object:
    row = store.execute(sql, params).fetchone()
    assert row is not None
    return row[0]


# --- the SQL dialect (no server needed) -------------------------------------------------------

def test_placeholders_become_psycopg_ones_outside_quotes_and_comments() -> None:
    sql = ("SELECT ?, '?', 'it''s ?', \"odd?name\", 'a%b' -- why?\n"
           "FROM t /* ? */ WHERE x LIKE '%' || ? AND y % 2 = ?")
    assert postgres_sql(sql) == (
        "SELECT %s, '?', 'it''s ?', \"odd?name\", 'a%%b' -- why?\n"
        "FROM t /* ? */ WHERE x LIKE '%%' || %s AND y %% 2 = %s")
    assert postgres_ddl("goldstein DOUBLE, lat DOUBLE PRECISION") == \
        "goldstein DOUBLE PRECISION, lat DOUBLE PRECISION"


def test_locations() -> None:
    assert is_postgres("postgresql://u@h/db") and is_postgres("postgres://h/db")
    assert not is_postgres("nexus.duckdb") and not is_postgres(Path("postgresql:")) \
        and not is_postgres(":memory:")
    assert display_location("postgresql://ann:s3cret@db.example:5432/events?sslmode=require") == \
        "postgresql://ann:***@db.example:5432/events?sslmode=require"
    assert display_location("postgresql://ann@db/events") == "postgresql://ann@db/events"
    assert display_location("store.duckdb") == "store.duckdb"


# --- the same answers as DuckDB ---------------------------------------------------------------

def frames_match(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    assert list(a.columns) == list(b.columns), what
    assert a.dtypes.astype(str).to_dict() == b.dtypes.astype(str).to_dict(), what
    assert a.index.tolist() == b.index.tolist(), what
    assert comparable(a) == comparable(b), what


@pytest.fixture
def pair(pg_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The hand-coded corpus and two imported datasets, in a DuckDB file and in PostgreSQL."""
    gdelt, icews = write_gdelt2(tmp_path / "day.export.CSV"), write_icews(tmp_path / "events.tab")
    stores = [open_store(tmp_path / "same.duckdb"), open_store(pg_url)]
    for st in stores:
        st.write_many(corpus())
        import_files(st, DATASETS["gdelt"], [gdelt])
        import_files(st, DATASETS["icews"], [icews])
    yield stores
    for st in stores:
        st.close()


def test_every_query_answers_the_same_on_both_backends(pair: list[EventStore], tmp_path: Path) -> None:
    duck, pg = pair
    assert isinstance(duck, Store) and not isinstance(pg, Store)

    def same(make, what: str) -> None:  # type: ignore[no-untyped-def]
        frames_match(make(duck), make(pg), what)

    for order in q.ORDERS:
        same(lambda s, o=order: q.events(s, order=o), f"events by {order}")
    same(lambda s: q.events(s, dyad=("RUS", "IRN"), date_from="2022", text="iran"), "filters")
    same(lambda s: q.events(s, origin=["gdelt2", "icews"], actor="UKR"), "origins")
    same(q.relationships, "relationships")
    same(lambda s: q.relationships(s, factuality=None, limit=None), "all relationships")
    same(lambda s: q.actors(s, factuality=None), "actors")
    same(lambda s: q.documents(s).drop(columns=["ingested_at"]), "documents")
    for freq in ("year", "quarter", "month"):
        reports = [dyad_report(s, "RUS", "IRN", freq=freq, factuality=None) for s in pair]
        for side in ("a_to_b", "b_to_a"):
            for table in ("by_type", "by_quad", "evidence", "claimed"):
                frames_match(*(getattr(getattr(r, side), table) for r in reports),
                             f"dyad {freq} {side} {table}")
        same(lambda s, f=freq: dyad_series(s, "RUS", "IRN", freq=f), f"series {freq}")
    same(lambda s: dyad_by_origin(s, "RUS", "UKR"), "by origin")
    nets = [network(s, factuality=None) for s in pair]
    frames_match(nets[0].nodes, nets[1].nodes, "network nodes")
    frames_match(nets[0].edges, nets[1].edges, "network edges")
    for text in ("iran", "Sanctions", "%", "'"):
        for i, part in enumerate(("documents", "events")):
            same(lambda s, t=text, i=i: search(s, t)[i], f"search {text!r} {part}")
    assert "".join(events_csv(duck)) == "".join(events_csv(pg))
    assert "".join(events_jsonl(duck, order="-date")) == "".join(events_jsonl(pg, order="-date"))
    for name, st in (("duck", duck), ("pg", pg)):
        events_parquet(st, tmp_path / f"{name}.parquet", batch_rows=7)
    tables = [pq.read_table(tmp_path / f"{name}.parquet") for name in ("duck", "pg")]
    assert tables[0].schema == tables[1].schema and tables[0].equals(tables[1])
    reports = [check_store(s) for s in pair]
    assert reports[0].ok and reports[1].ok and reports[0].rows == reports[1].rows
    assert dump(duck) == dump(pg)


# --- writers at once --------------------------------------------------------------------------

def test_two_ingest_processes_at_once_store_each_document_once(postgres, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two `nexus ingest` processes on overlapping inputs, started together, and one process
    over everything: the stores are equal, and nothing is there twice."""
    samples = [str(p) for p in api.sample_paths()]
    half = len(samples) // 2
    shared, single = postgres.new_schema(), postgres.new_schema()
    inputs = [samples[: half + 3], samples[half - 3:]]  # six documents in both
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    try:
        procs = [subprocess.Popen([sys.executable, "-m", "nexus.cli", "ingest", *paths,
                                   "--store", shared], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=env)
                 for paths in inputs]
        outs = [p.communicate(timeout=300) for p in procs]
        added = 0
        for p, (_, err) in zip(procs, outs, strict=True):
            assert p.returncode == 0, err
            added += int(re.search(r"(\d+) added", err).group(1))  # type: ignore[union-attr]
        alone = api.ingest(samples, single)  # one process, everything
        assert added == alone.stats.added  # each document added by one of the two, once
        with open_store(shared) as a, open_store(single) as b:
            assert scalar(a, "SELECT count(*) - count(DISTINCT doc_id) FROM documents") == 0
            assert scalar(a, "SELECT count(*) - count(DISTINCT event_id) FROM events") == 0
            assert scalar(a, "SELECT count(*) FROM documents") >= len(samples)
            assert dump(a) == dump(b)
            assert check_store(a).ok
    finally:
        postgres.drop_schema(shared)
        postgres.drop_schema(single)


def _write_in_threads(url: str, jobs: list[list], batch_size: int) -> list[BaseException]:
    """Each job's documents written by a thread of its own, on a store (connection) of its own,
    all started together; returns the errors raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(jobs))

    def run(docs: list) -> None:  # type: ignore[type-arg]
        try:
            with open_store(url) as st:
                start.wait(60)
                st.write_many(docs, batch_size=batch_size)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(docs,)) for docs in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors


def test_concurrent_writers_in_small_batches(postgres) -> None:  # type: ignore[no-untyped-def]
    """Four writers over overlapping ranges, in batches of three and in different orders (locks
    are taken in one global order, so they never deadlock)."""
    url, reference = postgres.new_schema(), postgres.new_schema()
    try:
        ranges = [range(0, 30), range(10, 40), reversed(range(0, 40)), range(5, 35, 2)]
        errors = _write_in_threads(url, [[synthetic(i) for i in r] for r in ranges], batch_size=3)
        assert errors == []
        with open_store(reference) as ref:
            ref.write_many([synthetic(i) for i in range(40)])
        with open_store(url) as st, open_store(reference) as ref:
            assert dump(st) == dump(ref)
    finally:
        postgres.drop_schema(url)
        postgres.drop_schema(reference)


def test_concurrent_replacements_leave_one_whole_version(pg_url: str) -> None:
    """Writers replacing the same documents with their own versions, again and again: each
    document ends as one whole version, never a mix of two."""
    def version(i: int, v: int):  # type: ignore[no-untyped-def]
        sentences = [(f"In round {v}, Russia supplied Iran with {j + 1} drones in 2022.",
                      [Ev("supplied", RUS(), IRN(), "AID", "072", "2022")]) for j in range(1 + v)]
        return coded_doc(f"contested-{i}.txt", date(2024, 1, 1), sentences)

    jobs = [[version(i, v) for _ in range(4) for i in range(6)] for v in (1, 2, 3)]
    assert _write_in_threads(pg_url, jobs, batch_size=2) == []
    with open_store(pg_url) as st:
        assert check_store(st).ok
        docs = st.query("SELECT doc_id, n_sentences, n_events FROM documents ORDER BY doc_id")
        assert len(docs) == 6
        for row in docs.itertuples(index=False):
            v = int(row.n_sentences) - 1
            expected = version(int(row.doc_id.split("-")[1].split(".")[0]), v)
            assert int(row.n_events) == len(expected.events)
            assert st.has_document(row.doc_id, expected.document.content_hash)


def test_concurrent_imports_of_one_file_add_each_event_once(pg_url: str, tmp_path: Path) -> None:
    path = write_icews(tmp_path / "events.tab")
    added: list[int] = []

    def run() -> None:
        with open_store(pg_url) as st:
            added.append(import_files(st, DATASETS["icews"], [path]).added)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(added) == [0, 0, 5]
    with open_store(pg_url) as st:
        assert scalar(st, "SELECT count(*) FROM events") == 5
        assert scalar(st, "SELECT n_events FROM documents") == 5


def test_append_skips_stored_and_repeated_ids(pg_url: str) -> None:
    with open_store(pg_url) as st:
        st.write(corpus()[0])
        stored = pa.Table.from_batches(list(st.record_batches(
            "SELECT * FROM events ORDER BY event_id")))
        twice = pa.concat_tables([stored, stored])
        assert st.append_tables({"events": twice}, skip_existing=True) == {"events": 0}
        fresh = stored.set_column(0, "event_id", pa.array([f"new-{i}" for i in range(len(stored))]))
        first = fresh.set_column(3, "sentence", pa.array(["first"] * len(stored)))
        assert st.append_tables({"events": pa.concat_tables([first, fresh])},
                                skip_existing=True) == {"events": len(stored)}
        assert set(st.query("SELECT sentence FROM events WHERE event_id LIKE 'new-%'")["sentence"]) \
            == {"first"}  # of a repeat, the first is kept


# --- connections, read-only, versions ---------------------------------------------------------

def test_cursors_have_connections_of_their_own_from_a_pool(pg_url: str) -> None:
    with open_store(pg_url) as st:
        st.write_many(corpus())
        one, two = st.cursor(), st.cursor()
        pids = {scalar(s, "SELECT pg_backend_pid()") for s in (st, one, two)}
        assert len(pids) == 3
        # A stream left half read: closing the cursor ends its transaction before the
        # connection goes back to the pool.
        rows = one.iter_rows("SELECT event_id FROM events", chunk_rows=2)
        assert len(next(rows)) == 2
        one.close()
        two.close()
        again = st.cursor()
        assert again.con.info.transaction_status.name == "IDLE"
        assert scalar(again, "SELECT count(*) FROM events") == 17
        again.close()


def test_a_read_only_open_cannot_write(pg_url: str) -> None:
    with pytest.raises(SchemaVersionError, match="no Nexus tables"):
        open_store(pg_url, read_only=True)
    with open_store(pg_url) as st:
        st.write(corpus()[0])
    import psycopg

    with open_store(pg_url, read_only=True) as ro:
        assert len(q.events(ro)) == 8
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            ro.write(corpus()[1])
        cursor = ro.cursor()  # the pool's connections are read-only too
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            cursor.write(corpus()[1])
        cursor.close()


def test_schema_versions(pg_url: str) -> None:
    with open_store(pg_url) as st:
        assert scalar(st, "SELECT value FROM meta WHERE key = 'schema_version'") == str(SCHEMA_VERSION)
        assert st.migrated_from is None
        st.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    for read_only in (False, True):
        with pytest.raises(SchemaVersionError, match="newer than this Nexus"):
            open_store(pg_url, read_only=read_only)


def test_a_version_1_store_is_migrated(postgres) -> None:  # type: ignore[no-untyped-def]
    """The released version-1 schema, made on PostgreSQL with one coded document, gains the
    version-2 columns when opened for writing; read-only, it is refused until then."""
    import psycopg

    url = postgres.new_schema()
    try:
        v1 = {t: [c for c in TABLES[t].names if c not in ("origin", "origin_id")] for t in ORDER}
        with open_store(":memory:") as scratch:  # the rows of a coded document
            scratch.write(corpus()[0])
            rows = {t: scratch.execute(f"SELECT {', '.join(f'{chr(34)}{c}{chr(34)}' for c in cols)} "
                                       f"FROM {t}").fetchall() for t, cols in v1.items()}
        with psycopg.connect(url, autocommit=True) as con:
            con.execute(postgres_ddl(V1_SCHEMA.read_text("utf-8")))
            con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
            with con.cursor() as cur:
                for table, cols in v1.items():
                    names = ", ".join(f'"{c}"' for c in cols)
                    marks = ", ".join(["%s"] * len(cols))
                    cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows[table])
        with pytest.raises(SchemaVersionError, match="migrated"):
            open_store(url, read_only=True)
        with open_store(url) as st:
            assert st.migrated_from == 1
            assert set(q.events(st)["origin"]) == {"nexus"} and len(q.events(st)) == 8
            assert check_store(st).ok
        with open_store(url, read_only=True) as ro:
            assert scalar(ro, "SELECT value FROM meta WHERE key = 'schema_version'") == str(SCHEMA_VERSION)
    finally:
        postgres.drop_schema(url)


def test_text_with_nul_is_stored(pg_url: str) -> None:
    """PostgreSQL text cannot hold NUL: it is stored, and searched for, as U+FFFD."""
    coded = coded_doc("nul\x00.txt", None, [("Russia supplied Iran\x00 with drones.",
                                             [Ev("supplied", RUS(), IRN(), "AID", "072", None)])])
    coded = dataclasses.replace(coded, document=dataclasses.replace(
        coded.document, title="a\x00b"))
    with open_store(pg_url) as st:
        assert st.write(coded) == "added"
        assert st.write(coded) == "unchanged"
        assert st.has_document(coded.document.doc_id, coded.document.content_hash)
        assert q.events(st, text="iran\x00")["doc_id"].tolist() == ["nul\ufffd.txt"]
        assert search(st, "a\x00b")[0]["title"].tolist() == ["a\ufffdb"]


def test_store_open_and_the_python_api_take_urls(pg_url: str, tmp_path: Path) -> None:
    with Store.open(pg_url) as st, Store.open(tmp_path / "x.duckdb") as duck:
        assert st.dialect.name == "postgresql"  # Store.open dispatches on the URL
        assert duck.dialect.name == "duckdb"
    text = tmp_path / "news.txt"
    text.write_text("Russia supplied Iran with drones in 2022.", encoding="utf-8")
    result = api.ingest([text], pg_url, date="2024-03-14")
    assert result.stats.added == 1 and api.ingest([text], pg_url, date="2024-03-14").skipped == 1
    with open_store(pg_url) as st:  # an open store is used as it is
        assert api.ingest([text], st, date="2024-03-14").skipped == 1
    with api.open(pg_url) as nx:
        assert set(nx.events()["plover_type"]) == {"AID"}
        assert nx.dyad("RUS", "IRN").a_to_b.n_events == 1


def test_search_path_schema_urls(postgres) -> None:  # type: ignore[no-untyped-def]
    """Stores in two schemas of one database are separate stores."""
    a, b = postgres.new_schema(), postgres.new_schema()
    try:
        with open_store(a) as sa, open_store(b) as sb:
            sa.write(corpus()[0])
            assert scalar(sa, "SELECT count(*) FROM documents") == 1
            assert scalar(sb, "SELECT count(*) FROM documents") == 0
        assert with_schema(a, "x").count("options=") == 1
    finally:
        postgres.drop_schema(a)
        postgres.drop_schema(b)
