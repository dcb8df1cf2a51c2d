"""The Dask engine on a real (local, two-process) cluster: the same coded documents, ids and
store content as a local run, Parquet output partitioned by event date that DuckDB reads, a
bounded window of work in flight, and one coder per worker process."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import distributed
import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from nexus import api
from nexus.cli import app
from nexus.coded import CodedDocument
from nexus.documents import Document, segment
from nexus.engines import EngineError
from nexus.engines.dask import DaskEngine
from nexus.engines.parquet import NULL_PARTITION
from nexus.store.rows import TABLES

SAMPLES = [str(p) for p in api.sample_paths()]
PARTITION = 2  # twelve sample documents: six partitions over two workers


def _count_coder_builds() -> None:
    """Run on each worker before any task: counts Coder constructions in that process."""
    from nexus import pipeline

    original = pipeline.Coder.__init__

    def counting(self, *args, **kwargs) -> None:
        pipeline.Coder.builds = getattr(pipeline.Coder, "builds", 0) + 1  # type: ignore[attr-defined]
        original(self, *args, **kwargs)

    pipeline.Coder.__init__ = counting  # type: ignore[method-assign]


def _coder_builds() -> int:
    from nexus import pipeline

    return getattr(pipeline.Coder, "builds", 0)


@pytest.fixture(scope="module")
def client() -> Iterator[distributed.Client]:
    # Two single-threaded worker processes: documents and results really cross process
    # boundaries (pickled), as on a cluster of machines.
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    client = distributed.Client(cluster, set_as_default=False)
    client.run(_count_coder_builds)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def local_coded() -> list[CodedDocument]:
    return list(api.code_documents(api.read(SAMPLES)))


def _key(cd: CodedDocument) -> tuple:
    return (cd.document.doc_id, cd.document.content_hash, [e.to_dict() for e in cd.events],
            [(s.index, s.start, s.end) for s in cd.sentences],
            [(m.sentence_index, m.start, m.end, m.actor.code) for m in cd.mentions])


def test_dask_codes_like_a_local_run(client, local_coded):
    with DaskEngine(client, partition_size=PARTITION) as engine:
        coded = list(api.code_documents(api.read(SAMPLES), engine=engine))
    assert [c.document.doc_id for c in coded] == [c.document.doc_id for c in local_coded]
    assert sum(len(c.events) for c in coded) > 100
    assert [_key(c) for c in coded] == [_key(c) for c in local_coded]
    # Six partitions on two workers: at least one worker coded three or more; each built its
    # coder once, not once per task.
    builds = client.run(_coder_builds)
    assert len(builds) == 2
    assert sum(builds.values()) >= 1 and max(builds.values()) == 1, builds


def test_dask_pulls_input_in_a_bounded_window(client):
    pulled = 0

    def documents() -> Iterator[Document]:
        nonlocal pulled
        for i in itertools.count():
            pulled += 1
            text = f"Russia supplied Iran with drones in 2022. Report {i}."
            yield Document(f"doc-{i}", text, blocks=segment(text))

    engine = DaskEngine(client, partition_size=3, window=2)
    coded = engine.code(documents())
    first = list(itertools.islice(coded, 4))
    assert [c.document.doc_id for c in first] == ["doc-0", "doc-1", "doc-2", "doc-3"]
    assert any(e.source and e.source.code == "RUS" for e in first[0].events)
    # two partitions of three in flight, one more taken once the first came back
    assert pulled <= 3 * 3 + 1, pulled
    coded.close()  # cancels what is still in flight


def test_unreachable_scheduler_is_a_clear_error():
    engine = DaskEngine("tcp://127.0.0.1:9", connect_timeout=0.5)
    text = "Russia supplied Iran with drones in 2022."
    with pytest.raises(EngineError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        list(engine.code([Document("d", text, blocks=segment(text))]))
    engine.close()
    with pytest.raises(EngineError, match="not a Dask scheduler address"):
        list(DaskEngine("no-port").code([Document("d", text, blocks=segment(text))]))


def _tables(folder: Path) -> dict[str, list[dict]]:
    """Every table under an output folder, rows sorted, ingested_at (a clock) left out."""
    out = {}
    for name in TABLES:
        files = sorted((folder / name).rglob("*.parquet"))
        rows = [r for f in files for r in pq.read_table(f).to_pylist()]
        for r in rows:
            r.pop("ingested_at", None)
        out[name] = sorted(rows, key=repr)
    return out


def test_cli_dask_parquet_output_matches_local(client, local_coded, tmp_path: Path):
    runner = CliRunner()
    local, remote = tmp_path / "local", tmp_path / "dask"
    res = runner.invoke(app, ["code", "--output", str(local), *SAMPLES])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["code", "--engine", "dask", "--scheduler", client.scheduler.address,
                              "--output", str(remote), *SAMPLES])
    assert res.exit_code == 0, res.output
    assert res.stdout == ""  # the events went to Parquet, not stdout
    n_events = sum(len(c.events) for c in local_coded)
    assert f"{len(local_coded)} documents, {n_events} events written" in res.stderr

    # the same files, holding the same rows
    files = sorted(p.relative_to(remote) for p in remote.rglob("*.parquet"))
    assert files == sorted(p.relative_to(local) for p in local.rglob("*.parquet"))
    assert _tables(remote) == _tables(local)

    # events partitioned by year and month of their date, each file in the store's schema
    event_files = [f for f in files if f.parts[0] == "events"]
    assert len(event_files) > 5
    for f in event_files:
        assert re.fullmatch(r"events/year=(\d{4}|__HIVE_DEFAULT_PARTITION__)/month=(\d{1,2}|"
                            r"__HIVE_DEFAULT_PARTITION__)/part-\d{6}\.parquet", f.as_posix()), f
        table = pq.read_table(remote / f)
        assert table.schema.equals(TABLES["events"], check_metadata=False)
        year, month = (part.split("=")[1] for part in f.parts[1:3])
        dates = table.column("event_date").to_pylist()
        if year == NULL_PARTITION:
            assert month == NULL_PARTITION and set(dates) == {None}
        else:
            assert {(d.year, d.month) for d in dates} == {(int(year), int(month))}

    # DuckDB reads the layout directly, and finds every event id of the local run
    con = duckdb.connect()
    rows = con.execute(
        "SELECT event_id, year, month, event_date FROM read_parquet(?, hive_partitioning = true)",
        [str(remote / "events" / "**" / "*.parquet")]).fetchall()
    assert sorted(r[0] for r in rows) == sorted(e.event_id for c in local_coded for e in c.events)
    assert all((y, m) == ((d.year, d.month) if d else (None, None)) for _, y, m, d in rows)
    docs = con.execute("SELECT count(*) FROM read_parquet(?)", [str(remote / "documents" / "*.parquet")]).fetchone()
    assert docs == (len(local_coded),)


def _store_tables(location: Path) -> dict[str, list[tuple]]:
    out = {}
    with duckdb.connect(str(location), read_only=True) as con:
        for name, schema in TABLES.items():
            cols = ", ".join(f'"{c}"' for c in schema.names if c != "ingested_at")
            out[name] = sorted(con.execute(f"SELECT {cols} FROM {name}").fetchall(), key=repr)
    return out


def test_ingest_on_dask_resumes_and_matches_a_local_ingest(client, sample_store: Path, tmp_path: Path):
    store = tmp_path / "dask.duckdb"
    # an interrupted earlier run: three documents already stored
    assert api.ingest(SAMPLES[:3], store).stats.added == 3
    with DaskEngine(client, partition_size=PARTITION) as engine:
        result = api.ingest(SAMPLES, store, engine=engine)
    assert (result.skipped, result.stats.added, result.stats.replaced) == (3, 9, 0)
    assert _store_tables(store) == _store_tables(sample_store)

    # through the command line: nothing left to code, nothing written twice
    res = CliRunner().invoke(app, ["ingest", "--engine", "dask", "--scheduler", client.scheduler.address,
                                   "--store", str(store), *SAMPLES])
    assert res.exit_code == 0, res.output
    assert "12 documents read: 0 added, 0 replaced, 12 unchanged; 0 events written" in res.stderr
    assert _store_tables(store) == _store_tables(sample_store)


def test_cli_ingest_on_dask_into_a_new_store(client, sample_store: Path, tmp_path: Path):
    store = tmp_path / "fresh.duckdb"
    res = CliRunner().invoke(app, ["ingest", "--engine", "dask", "--scheduler", client.scheduler.address,
                                   "--store", str(store), *SAMPLES])
    assert res.exit_code == 0, res.output
    assert "12 added" in res.stderr
    assert _store_tables(store) == _store_tables(sample_store)


def test_dask_keeps_the_time_limit(client):
    """Dask runs tasks in worker threads, where no alarm reaches: the cooperative checks skip a
    document over the limit, and the rest of its partition is coded."""
    from nexus.pipeline import CoderConfig

    long = (" ".join(["The United States imposed sanctions on Iran on Wednesday."] * 40) + "\n\n") * 80
    texts = {"a": "Russia supplied Iran with drones in 2022.", "long": long,
             "c": "China condemned Japan on Tuesday over the release of treated water."}
    docs = [Document(k, t, origin=k, blocks=segment(t)) for k, t in texts.items()]
    problems = []
    with DaskEngine(client, partition_size=3, config=CoderConfig(doc_timeout=0.05)) as engine:
        coded = list(api.code_documents(docs, engine=engine, on_problem=problems.append))
    assert [c.document.doc_id for c in coded] == ["a", "c"] and all(c.events for c in coded)
    assert [str(p) for p in problems] == ["long: document 'long' skipped: took longer than 0.05 s"]
