"""The DuckDB store: one file (./nexus.duckdb by default) holding documents, sentences, mentions
and events. Every document is written all-or-nothing inside a DuckDB transaction, so a crash or
Ctrl-C never leaves half a document behind and a re-run simply redoes what was not committed.
The schema is versioned: an older store is migrated when opened for writing (migrations.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from nexus.coded import CodedDocument
from nexus.store.dialect import DUCKDB, is_postgres
from nexus.store.migrations import (  # SCHEMA_VERSION, SchemaVersionError: nexus.store exports them
    SCHEMA_VERSION,  # noqa: F401
    AddedColumn,
    SchemaVersionError,
    migrate,
    parse_version,
    pending,
    record_version,
    unmigrated_columns,
)
from nexus.store.rows import CHILD_TABLES, TABLES, Rows
from nexus.store.writes import WriteStats, WriteStatus, write_in_batches

DEFAULT_LOCATION = "nexus.duckdb"

#: Tables with a primary key (doc_id, event_id): what `append_tables(skip_existing=True)` checks.
KEYED_TABLES = frozenset({"documents", "events"})

class FetchedRows:
    """A query's rows, already fetched, read as from a DB-API cursor."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self._rows = rows
        self._next = 0

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._next = self._rows[self._next:], len(self._rows)
        return rows


class Store:
    """A Nexus event store on DuckDB. Open with `Store.open(path)`; use as a context manager."""

    dialect = DUCKDB  # the SQL it takes (nexus.store.dialect)

    def __init__(self, con: duckdb.DuckDBPyConnection, location: str) -> None:
        self.con = con
        self.location = location
        # An old store opened read-only: the columns it lacks, shown through temporary views.
        self._shown: list[AddedColumn] = []
        self.migrated_from: int | None = None  # the version this open migrated the store from
        self._in_transaction = False

    @classmethod
    def open(cls, location: str | Path = DEFAULT_LOCATION, read_only: bool = False) -> Store:
        """Open (and, unless read-only, create) a store; ":memory:" gives a throwaway one.

        A writable store of an older schema version is migrated (nexus.store.migrations); a
        read-only one is shown as the current version where it can be. A store of a newer
        version is refused with SchemaVersionError."""
        location = str(location)
        if is_postgres(location):  # a postgresql:// URL: the server backend (open_store)
            from nexus.store.postgres_store import PostgresStore  # noqa: PLC0415 - psycopg on demand

            return PostgresStore.open(location, read_only)  # type: ignore[return-value]
        con = duckdb.connect(location, read_only=read_only)
        store = cls(con, location)
        try:
            version = _stored_version(con, location)
            if version is None and read_only:
                raise SchemaVersionError(f"{location}: no Nexus tables in this database "
                                         "(not a Nexus store)")
            if version is None:
                with store.transaction():
                    store._create()
            elif read_only:
                store._shown = unmigrated_columns(version, location)
                _show_columns(con, store._shown)
            elif pending(version, location):
                with store.transaction():  # every step and the new version, or none of them
                    migrate(store._execute, version, location)
                store.migrated_from = version
        except BaseException:
            con.close()
            raise
        return store

    def _execute(self, sql: str, params: Sequence[Any]) -> object:
        return self.con.execute(sql, list(params))

    def _create(self) -> None:
        self.con.execute(resources.files("nexus.store").joinpath("schema.sql").read_text("utf-8"))
        record_version(self._execute)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Commit everything written inside together at the end, or nothing: an error, Ctrl-C
        or a crash leaves the store as it was. Inside another, joins the outer transaction.
        (`write`/`write_many` run their own transactions and must not be called inside one.)"""
        if self._in_transaction:
            yield
            return
        self.con.begin()
        self._in_transaction = True
        try:
            yield
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise
        finally:
            self._in_transaction = False

    def close(self) -> None:
        self.con.close()

    def cursor(self) -> Store:
        """Another connection to the same database, for one thread (a web request): DuckDB
        connections must not be shared across threads, cursors of one database may be."""
        cursor = Store(self.con.cursor(), self.location)
        if self._shown:  # temporary views belong to one connection: the cursor needs its own
            cursor._shown = self._shown
            _show_columns(cursor.con, self._shown)
        return cursor

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run a parameterised query and return a DataFrame (what the query modules build on)."""
        return self.con.execute(sql, list(params or [])).df()

    # Portable reads (nexus.store.base.EventStore), so callers never touch `con` directly.
    def execute(self, sql: str, params: Sequence[Any] | None = None) -> FetchedRows:
        """Run a parameterised query with a small result; read its rows with fetchone or
        fetchall from what is returned. The rows are fetched at once, so the connection has
        no unfinished result (DuckDB refuses relations on a connection that has one)."""
        return FetchedRows(self.con.execute(sql, list(params or [])).fetchall())

    def iter_rows(self, sql: str, params: Sequence[Any] | None = None,
                  chunk_rows: int = 5000) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of a query in lists of `chunk_rows`, streamed."""
        cur = self.con.execute(sql, list(params or []))
        while chunk := cur.fetchmany(chunk_rows):
            yield chunk

    def record_batches(self, sql: str, params: Sequence[Any] | None = None,
                       batch_rows: int = 50_000) -> Iterator[pa.RecordBatch]:
        """The result of a query as Arrow record batches, streamed (a relation's reader makes
        no copy of the whole result)."""
        self.con.abort()  # drop an unread result of execute(): a relation cannot start beside one
        yield from self.con.sql(sql, params=list(params or [])).to_arrow_reader(batch_rows)

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
        return write_in_batches(self._write_batch, coded_docs, batch_size)

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
        nothing twice. Returns the number of rows inserted per table. Inside `transaction()`,
        joins it."""
        inserted: dict[str, int] = {}
        with self.transaction():
            for table in ("documents", *reversed(CHILD_TABLES)):
                if table in tables:
                    inserted[table] = self._insert(table, tables[table],
                                                   skip_existing and table in KEYED_TABLES)
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


def _stored_version(con: duckdb.DuckDBPyConnection, location: str) -> int | None:
    """The schema version recorded in the store; None for a database without Nexus tables."""
    has_meta = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog = current_database() "
        "AND table_schema = 'main' AND table_name = 'meta'").fetchone()[0]  # type: ignore[index]
    if not has_meta:
        return None
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        raise SchemaVersionError(f"{location}: no schema version recorded (not a Nexus store?)")
    return parse_version(row[0], location)


def _show_columns(con: duckdb.DuckDBPyConnection, added: Sequence[AddedColumn]) -> None:
    """Show an old store opened read-only as the current schema, on this connection only: the
    store cannot be migrated, so a temporary view named after each table that lacks columns
    selects the stored table plus those columns' defaults. Columns already there (stores that
    gained them before schema versions were counted) are left to the table."""
    by_table: dict[str, list[AddedColumn]] = {}
    for column in added:
        by_table.setdefault(column.table, []).append(column)
    db = con.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
    for table, columns in by_table.items():
        have = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_catalog = current_database() AND table_schema = 'main' "
            "AND table_name = ?", [table]).fetchall()}
        missing = [c for c in columns if c.name not in have]
        if not missing:
            continue
        extra = ", ".join(f"CAST({c.default or 'NULL'} AS {c.sql_type}) AS {c.name}"
                          for c in missing)
        # The catalog-qualified name: an unqualified one would resolve to the view itself.
        con.execute(f'CREATE OR REPLACE TEMP VIEW {table} AS '
                    f'SELECT *, {extra} FROM "{db}".main.{table}')
