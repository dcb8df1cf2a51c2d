"""Parquet output: events partitioned by year and month, undated events in the null partition,
batches numbered the same way whatever the engine, and a folder that is never mixed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from nexus import api
from nexus.documents import Document, segment
from nexus.engines.parquet import NULL_PARTITION, ParquetOutput, event_partition
from nexus.store.rows import TABLES

DATED = "Russia supplied Iran with drones in 2022, officials said. China condemned Japan in March 2023."
UNDATED = "Russia supplied Iran with drones, officials said."


def _doc(doc_id: str, text: str) -> Document:
    return Document(doc_id, text, blocks=segment(text))


def test_event_partition_names():
    from datetime import date

    assert event_partition(date(2023, 3, 1)) == "year=2023/month=3"
    assert event_partition(None) == f"year={NULL_PARTITION}/month={NULL_PARTITION}"


def test_dated_and_undated_events_land_in_their_partitions(tmp_path: Path):
    coded = list(api.code_documents([_doc("dated", DATED), _doc("undated", UNDATED)]))
    undated = [e for e in coded[1].events]
    assert undated and all(e.date.value is None for e in undated)
    with ParquetOutput(tmp_path / "out", batch_documents=1) as out:
        for cd in coded:
            out.write(cd)
    assert out.documents == 2 and out.events == sum(len(cd.events) for cd in coded)

    folders = sorted(p.parent.relative_to(tmp_path / "out").as_posix()
                     for p in (tmp_path / "out" / "events").rglob("*.parquet"))
    assert f"events/year={NULL_PARTITION}/month={NULL_PARTITION}" in folders
    assert "events/year=2022/month=1" in folders  # a year alone: its first month
    # one batch per document (batch_documents=1): the undated document's files are part 1
    assert sorted(p.name for p in (tmp_path / "out" / "documents").iterdir()) == [
        "part-000000.parquet", "part-000001.parquet"]

    con = duckdb.connect()
    rows = con.execute("SELECT doc_id, year, month, event_date FROM read_parquet(?, hive_partitioning = true)",
                       [str(tmp_path / "out" / "events" / "**" / "*.parquet")]).fetchall()
    assert sorted(r for r in rows if r[0] == "undated") == [("undated", None, None, None)] * len(undated)
    assert {(y, m) for d, y, m, _ in rows if d == "dated"} >= {(2022, 1), (2023, 3)}
    sentences = pq.read_table(tmp_path / "out" / "sentences").to_pylist()
    assert {s["doc_id"] for s in sentences} == {"dated", "undated"}
    assert pq.read_schema(next((tmp_path / "out" / "mentions").iterdir())).equals(
        TABLES["mentions"], check_metadata=False)


def test_refuses_a_folder_with_files(tmp_path: Path):
    (tmp_path / "old.parquet").write_bytes(b"x")
    with pytest.raises(FileExistsError):
        ParquetOutput(tmp_path)
    ParquetOutput(tmp_path / "new" / "deeper")  # new folders are made
    assert (tmp_path / "new" / "deeper").is_dir()
