"""Coded documents written as Parquet: the store's tables (nexus.store.rows), one folder each,
events partitioned by event date in the Hive layout that DuckDB, pandas/pyarrow and Spark read.

    out/events/year=2023/month=7/part-000000.parquet
    out/events/year=__HIVE_DEFAULT_PARTITION__/month=__HIVE_DEFAULT_PARTITION__/...   (undated)
    out/documents/part-000000.parquet          also sentences/, mentions/, blocks/

    SELECT plover_type, count(*) FROM read_parquet('out/events/**/*.parquet', hive_partitioning=true)
    WHERE year = 2023 GROUP BY ALL

`__HIVE_DEFAULT_PARTITION__` is the Hive name for a null partition value: readers give undated
events a NULL year and month. Files keep the store's Arrow schemas exactly (the partition
columns live only in the folder names), and are numbered by the batch they were written in, so
the same input gives the same files whichever engine coded it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Self

import pyarrow as pa
import pyarrow.parquet as pq

from nexus.coded import CodedDocument
from nexus.store.rows import TABLES, Rows

#: The Hive convention for a null partition value: where undated events go.
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
#: Documents buffered before a batch of files is written: bounded memory, few small files.
BATCH_DOCUMENTS = 500
BATCH_CHARS = 64_000_000


def event_partition(event_date: date | None) -> str:
    """The events subfolder for an event date: "year=2023/month=7"; undated: the null partition."""
    if event_date is None:
        return f"year={NULL_PARTITION}/month={NULL_PARTITION}"
    # Unpadded numbers, as DuckDB writes them, so readers type year and month as integers.
    return f"year={event_date.year}/month={event_date.month}"


class ParquetOutput:
    """Writes coded documents under `folder`, which must be new or empty (files of an earlier
    run would mix with this one's). A stream, like `nexus code`: a doc_id given twice is
    written twice. Use as a context manager, or call `close()` to write the last batch."""

    def __init__(self, folder: str | Path, batch_documents: int = BATCH_DOCUMENTS) -> None:
        self.folder = Path(folder)
        if self.folder.exists() and (not self.folder.is_dir() or any(self.folder.iterdir())):
            raise FileExistsError(f"{self.folder} already exists and is not an empty folder")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.batch_documents = batch_documents
        self.documents = 0
        self.events = 0
        self._rows = Rows()
        self._pending = 0
        self._chars = 0
        self._batch = 0

    def write(self, coded: CodedDocument) -> None:
        self.events += self._rows.add(coded)
        self.documents += 1
        self._pending += 1
        self._chars += len(coded.document.text)
        if self._pending >= self.batch_documents or self._chars >= BATCH_CHARS:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        name = f"part-{self._batch:06d}.parquet"
        for table in TABLES:
            if table != "events":
                self._write(self._rows.table(table), self.folder / table / name)
        events = self._rows.table("events")
        by_partition: dict[str, list[int]] = defaultdict(list)
        for i, value in enumerate(events.column("event_date").to_pylist()):
            by_partition[event_partition(value)].append(i)
        for partition, rows in sorted(by_partition.items()):
            self._write(events.take(pa.array(rows, pa.int64())), self.folder / "events" / partition / name)
        self._rows, self._pending, self._chars = Rows(), 0, 0
        self._batch += 1

    @staticmethod
    def _write(table: pa.Table, path: Path) -> None:
        if table.num_rows == 0:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path)

    def close(self) -> None:
        self.flush()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
