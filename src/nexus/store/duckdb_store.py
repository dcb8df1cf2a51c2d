"""The DuckDB store: one file (./nexus.duckdb by default) holding documents, sentences, mentions
and events. Every document is written all-or-nothing inside a DuckDB transaction, so a crash or
Ctrl-C never leaves half a document behind and a re-run simply redoes what was not committed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import duckdb
import pandas as pd
import pyarrow as pa

from nexus.coded import CodedDocument
from nexus.store.rows import CHILD_TABLES, TABLES, Rows

SCHEMA_VERSION = 1
DEFAULT_LOCATION = "nexus.duckdb"

WriteStatus = Literal["added", "unchanged", "replaced"]


@dataclass(slots=True)
class WriteStats:
    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    events: int = 0  # events written (added and replaced documents)

    @property
    def documents(self) -> int:
        return self.added + self.unchanged + self.replaced

    def count(self, status: WriteStatus) -> None:
        setattr(self, status, getattr(self, status) + 1)


class SchemaVersionError(RuntimeError):
    pass


class Store:
    """A Nexus event store on DuckDB. Open with `Store.open(path)`; use as a context manager."""

    def __init__(self, con: duckdb.DuckDBPyConnection, location: str) -> None:
        self.con = con
        self.location = location

    @classmethod
    def open(cls, location: str | Path = DEFAULT_LOCATION, read_only: bool = False) -> Store:
        """Open (and, unless read-only, create) a store; ":memory:" gives a throwaway one."""
        location = str(location)
        con = duckdb.connect(location, read_only=read_only)
        try:
            if not read_only:
                con.execute(resources.files("nexus.store").joinpath("schema.sql").read_text("utf-8"))
                con.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                            [str(SCHEMA_VERSION)])
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None or row[0] != str(SCHEMA_VERSION):
                raise SchemaVersionError(
                    f"{location}: store schema version {row[0] if row else 'unknown'}, "
                    f"this Nexus reads version {SCHEMA_VERSION}")
        except BaseException:
            con.close()
            raise
        return cls(con, location)

    def close(self) -> None:
        self.con.close()

    def cursor(self) -> Store:
        """Another connection to the same database, for one thread (a web request): DuckDB
        connections must not be shared across threads, cursors of one database may be."""
        return Store(self.con.cursor(), self.location)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run a parameterised query and return a DataFrame (what the query modules build on)."""
        return self.con.execute(sql, list(params or [])).df()

    def has_document(self, doc_id: str, content_hash: str) -> bool:
        row = self.con.execute("SELECT 1 FROM documents WHERE doc_id = ? AND content_hash = ?",
                               [doc_id, content_hash]).fetchone()
        return row is not None

    def write(self, coded: CodedDocument) -> WriteStatus:
        """Store one document with everything coded from it, in one transaction."""
        return self._write_batch([coded])[0][0]

    def write_many(self, coded_docs: Iterable[CodedDocument], batch_size: int = 50) -> WriteStats:
        """Store many documents, `batch_size` per transaction (bulk Arrow inserts).

        A failed batch is rolled back whole and then retried one document per transaction, so the
        error surfaces from the document that caused it and every document before it is kept.
        """
        stats = WriteStats()
        batch: list[CodedDocument] = []

        def flush() -> None:
            try:
                results = self._write_batch(batch)
            except Exception:
                if len(batch) == 1:
                    raise
                results = [self._write_batch([c])[0] for c in batch]
            for status, n_events in results:
                stats.count(status)
                stats.events += n_events
            batch.clear()

        for coded in coded_docs:
            if any(c.document.doc_id == coded.document.doc_id for c in batch):
                flush()  # a second version of a document: the first must be stored before it
            batch.append(coded)
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
        return stats

    def _write_batch(self, batch: Sequence[CodedDocument]) -> list[tuple[WriteStatus, int]]:
        """Write documents with distinct doc_ids in one transaction, all of them or none.
        Returns each document's status and number of events written."""
        doc_ids = [c.document.doc_id for c in batch]
        # Read and build before the transaction: a bad record fails with nothing begun. DuckDB
        # allows one writing process per file, so the hashes cannot change in between.
        stored = dict(self.con.execute(
            "SELECT doc_id, content_hash FROM documents WHERE doc_id IN (SELECT unnest(?))",
            [doc_ids]).fetchall())
        rows = Rows()
        results: list[tuple[WriteStatus, int]] = []
        for coded in batch:
            old = stored.get(coded.document.doc_id)
            if old == coded.document.content_hash:
                results.append(("unchanged", 0))
            else:
                results.append(("added" if old is None else "replaced", rows.add(coded)))
        replaced = [d for d, (s, _) in zip(doc_ids, results, strict=True) if s == "replaced"]
        if all(s == "unchanged" for s, _ in results):
            return results
        self.con.begin()
        try:
            if replaced:
                for table in (*CHILD_TABLES, "documents"):
                    self.con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT unnest(?))",
                                     [replaced])
            for table in ("documents", *reversed(CHILD_TABLES)):
                self._insert(table, rows.table(table))
            self.con.commit()
        except BaseException:  # Ctrl-C included: leave nothing of this batch behind
            self.con.rollback()
            raise
        return results

    def append_tables(self, tables: dict[str, pa.Table]) -> None:
        """Append ready-made rows (imports, synthetic benchmark data) in one transaction: all of
        them or none. Rows must follow the Arrow schemas of nexus.store.rows.TABLES."""
        self.con.begin()
        try:
            for table in ("documents", *reversed(CHILD_TABLES)):
                if table in tables:
                    self._insert(table, tables[table])
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise

    def _insert(self, table: str, data: pa.Table) -> None:
        if data.num_rows == 0:
            return
        cols = ", ".join(f'"{c}"' for c in TABLES[table].names)
        self.con.register("_nexus_rows", data)
        try:
            self.con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _nexus_rows")
        finally:
            self.con.unregister("_nexus_rows")

