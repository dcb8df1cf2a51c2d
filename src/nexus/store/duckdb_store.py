"""The DuckDB store: one file (./nexus.duckdb by default) holding documents, sentences, mentions
and events. Every document is written all-or-nothing inside a DuckDB transaction, so a crash or
Ctrl-C never leaves half a document behind and a re-run simply redoes what was not committed."""

from __future__ import annotations

import contextlib
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

#: Columns added to schema.sql after version 1, with the SQL type and default that stores made
#: before them get. Stores are brought up to date when opened; proper schema versions (and
#: migrations) will replace this list.
ADDED_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "events": (("origin", "VARCHAR DEFAULT 'nexus'"), ("origin_id", "VARCHAR")),
}
#: Tables with a primary key (doc_id, event_id): what `append_tables(skip_existing=True)` checks.
KEYED_TABLES = frozenset({"documents", "events"})

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
        self._views = False  # an old store read-only: ADDED_COLUMNS shown through temp views

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
            views = _add_missing_columns(con, read_only)
        except BaseException:
            con.close()
            raise
        store = cls(con, location)
        store._views = views
        return store

    def close(self) -> None:
        self.con.close()

    def cursor(self) -> Store:
        """Another connection to the same database, for one thread (a web request): DuckDB
        connections must not be shared across threads, cursors of one database may be."""
        cursor = Store(self.con.cursor(), self.location)
        if self._views:  # temporary views belong to one connection: the cursor needs its own
            cursor._views = _add_missing_columns(cursor.con, read_only=True)
        return cursor

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

    def append_tables(self, tables: dict[str, pa.Table],
                      skip_existing: bool = False) -> dict[str, int]:
        """Append ready-made rows (imports, synthetic benchmark data) in one transaction: all of
        them or none. Rows must follow the Arrow schemas of nexus.store.rows.TABLES.

        With `skip_existing`, documents and events whose id is already stored (or comes twice
        in `tables`) are left out instead of failing the batch, so re-running an import adds
        nothing twice. Returns the number of rows inserted per table."""
        inserted: dict[str, int] = {}
        self.con.begin()
        try:
            for table in ("documents", *reversed(CHILD_TABLES)):
                if table in tables:
                    inserted[table] = self._insert(table, tables[table],
                                                   skip_existing and table in KEYED_TABLES)
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise
        return inserted

    def recount_events(self, doc_id: str, content_hash: str | None = None) -> int:
        """Set a document's n_events (and its content hash, when given) from the events stored
        for it: for documents whose events are appended over several batches (imports)."""
        n = int(self.con.execute("SELECT count(*) FROM events WHERE doc_id = ?",
                                 [doc_id]).fetchone()[0])  # type: ignore[index]
        self.con.execute("UPDATE documents SET n_events = ?, "
                         "content_hash = coalesce(?, content_hash) WHERE doc_id = ?",
                         [n, content_hash, doc_id])
        return n

    def _insert(self, table: str, data: pa.Table, skip_existing: bool = False) -> int:
        if data.num_rows == 0:
            return 0
        cols = ", ".join(f'"{c}"' for c in TABLES[table].names)
        # OR IGNORE: a row whose primary key is taken is dropped, the first of a repeat is kept
        verb = "INSERT OR IGNORE" if skip_existing else "INSERT"
        self.con.register("_nexus_rows", data)
        try:
            row = self.con.execute(
                f"{verb} INTO {table} ({cols}) SELECT {cols} FROM _nexus_rows").fetchone()
        finally:
            # After a failed insert the transaction refuses even this until the caller rolls
            # back; the error that matters is the insert's. The next register replaces the view.
            with contextlib.suppress(duckdb.TransactionException):
                self.con.unregister("_nexus_rows")
        return int(row[0]) if row else data.num_rows


def _add_missing_columns(con: duckdb.DuckDBPyConnection, read_only: bool) -> bool:
    """Bring a store made before ADDED_COLUMNS up to date. A writable store gets the columns
    (old rows take the default). A read-only one cannot: a temporary view of the same name,
    over the stored table, shows the defaults instead, for this connection only. Returns
    whether it made such a view."""
    views = False
    for table, added in ADDED_COLUMNS.items():
        have = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_catalog = current_database() AND table_schema = 'main' "
            "AND table_name = ?", [table]).fetchall()}
        missing = [(name, decl) for name, decl in added if name not in have]
        if not missing:
            continue
        if not read_only:
            for name, decl in missing:
                con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {decl}")
            continue
        db = con.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
        extra = ", ".join(f"CAST({_default(decl)} AS VARCHAR) AS {name}" for name, decl in missing)
        # The catalog-qualified name: an unqualified one would resolve to the view itself.
        con.execute(f'CREATE OR REPLACE TEMP VIEW {table} AS '
                    f'SELECT *, {extra} FROM "{db}".main.{table}')
        views = True
    return views


def _default(decl: str) -> str:
    """The DEFAULT expression of a column declaration from ADDED_COLUMNS, else NULL."""
    _, _, default = decl.partition(" DEFAULT ")
    return default or "NULL"

