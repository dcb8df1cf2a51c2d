"""The PostgreSQL store: the tables of schema.sql and the queries of the DuckDB store, on a
server a team shares. Open it with `open_store("postgresql://user:password@host/db")` (or
`Store.open`, or `--store` on the command line).

Several processes may write at once. Each batch of documents is one transaction that first
takes a transaction-level advisory lock per document id (in one global order, so two writers
never wait on each other in a circle), then reads the stored hashes and adds, replaces or skips
each document. A document is therefore stored whole, once, and a changed one is replaced
atomically, whoever else is writing. Rows go in with COPY, in bounded batches.

Results come back as the DuckDB store's do: `query` builds an Arrow table from the rows and
converts it to pandas through DuckDB, so both backends give the same columns and dtypes.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import uuid
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from types import TracebackType
from typing import Any

import duckdb
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
from psycopg import errors as pg_errors
from psycopg.types.string import TextLoader

from nexus.coded import CodedDocument
from nexus.store.base import Rows as ResultRows
from nexus.store.dialect import (
    NUL_STANDIN,
    POSTGRES,
    display_location,
    postgres_ddl,
    postgres_sql,
    postgres_value,
)
from nexus.store.duckdb_store import KEYED_TABLES
from nexus.store.migrations import (
    SchemaVersionError,
    migrate,
    parse_version,
    pending,
    record_version,
    unmigrated_columns,
)
from nexus.store.rows import CHILD_TABLES, TABLES, Rows
from nexus.store.writes import WriteStats, WriteStatus, write_in_batches

#: Connections the web server's pool keeps at most (one per request in flight).
POOL_SIZE = 10
#: Rows per Arrow slice while copying: bounds the Python objects alive at once.
COPY_ROWS = 10_000
#: Advisory lock held while the schema is created or migrated (two first runs at once).
SCHEMA_LOCK = int.from_bytes(b"nexus-db", "big") & 0x7FFF_FFFF_FFFF_FFFF
#: Errors after which a write transaction is simply run again.
RETRIED = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure)
RETRIES = 3

# Arrow type of each PostgreSQL result type (by OID), as DuckDB would type the same column.
_BOOL, _INT2, _INT4, _INT8, _FLOAT4, _FLOAT8, _NUMERIC = 16, 21, 23, 20, 700, 701, 1700
_DATE, _TIMESTAMP, _TIMESTAMPTZ = 1082, 1114, 1184
_ARROW: dict[int, pa.DataType] = {
    _BOOL: pa.bool_(), _INT2: pa.int16(), _INT4: pa.int32(), _INT8: pa.int64(),
    _FLOAT4: pa.float64(), _FLOAT8: pa.float64(), _NUMERIC: pa.float64(),
    25: pa.string(), 1043: pa.string(), 1042: pa.string(), 19: pa.string(), 705: pa.string(),
    114: pa.string(), 3802: pa.string(),  # json, jsonb: text, as DuckDB's JSON
    _DATE: pa.date32(), _TIMESTAMP: pa.timestamp("us"), _TIMESTAMPTZ: pa.timestamp("us", "UTC"),
    1009: pa.list_(pa.string()), 1015: pa.list_(pa.string()),  # text[], varchar[]
}

# COPY (binary) type of each column, from the Arrow schemas of rows.TABLES.
_COPY_TYPES: dict[pa.DataType, str] = {
    pa.string(): "varchar", pa.int16(): "int2", pa.int32(): "int4", pa.int64(): "int8",
    pa.float64(): "float8", pa.bool_(): "bool", pa.date32(): "date",
    pa.timestamp("us"): "timestamp", pa.list_(pa.string()): "varchar[]",
}


@dataclass(slots=True)
class _Shared:
    """What a store and its cursors share: the location and the pool of request connections."""

    location: str
    read_only: bool
    pool: Any = None  # psycopg_pool.ConnectionPool, made by the first cursor()
    lock: threading.Lock = field(default_factory=threading.Lock)

    def connection(self) -> psycopg.Connection[Any]:
        with self.lock:
            if self.pool is None:
                from psycopg_pool import ConnectionPool  # noqa: PLC0415 - only servers need it

                self.pool = ConnectionPool(
                    self.location, min_size=1, max_size=POOL_SIZE, kwargs={"autocommit": True},
                    configure=lambda con: _configure(con, self.read_only),
                    check=ConnectionPool.check_connection, name="nexus", open=True)
        return self.pool.getconn()

    def close(self) -> None:
        with self.lock:
            if self.pool is not None:
                self.pool.close()
                self.pool = None


def _configure(con: psycopg.Connection[Any], read_only: bool) -> None:
    # JSON as its text, as DuckDB gives it (psycopg would parse it into dicts).
    con.adapters.register_loader("json", TextLoader)
    con.adapters.register_loader("jsonb", TextLoader)
    if read_only:
        con.execute("SET default_transaction_read_only = on")


class PostgresStore:
    """A Nexus event store in a PostgreSQL database; the interface of the DuckDB `Store`."""

    dialect = POSTGRES

    def __init__(self, con: psycopg.Connection[Any], location: str, shared: _Shared,
                 pooled: bool = False) -> None:
        self.con = con
        self.location = location
        self._shared = shared
        self._pooled = pooled  # a cursor's connection goes back to the pool on close
        self._streams: weakref.WeakSet[Any] = weakref.WeakSet()
        self._closed = False
        self.migrated_from: int | None = None  # the version this open migrated the store from

    @classmethod
    def open(cls, location: str, read_only: bool = False) -> PostgresStore:
        """Connect. Unless read-only, create the tables in an empty database (in the first
        schema on its search path) or migrate older ones (nexus.store.migrations). A store of
        a newer version, or one opened read-only that needs migrating, is refused with
        SchemaVersionError."""
        con = psycopg.connect(location, autocommit=True)
        store = cls(con, location, _Shared(location, read_only))
        name = display_location(location)
        try:
            _configure(con, read_only)
            if read_only:
                version = _stored_version(con, name)
                if version is None:
                    raise SchemaVersionError(f"{name}: no Nexus tables in this database (open it "
                                             "for writing once, e.g. with nexus ingest)")
                if unmigrated_columns(version, name):  # raises itself for other migrations
                    raise SchemaVersionError(
                        f"{name}: store schema version {version} must be migrated before it can "
                        "be read: open it for writing once, or run `nexus migrate`")
            else:
                # Under a lock: two processes opening a new or old database at once would both
                # create or both migrate it.
                with con.transaction():
                    con.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEMA_LOCK])
                    version = _stored_version(con, name)
                    if version is None:
                        schema = resources.files("nexus.store").joinpath("schema.sql")
                        con.execute(postgres_ddl(schema.read_text("utf-8")))  # type: ignore[arg-type]
                        record_version(store._execute_ddl)
                    elif pending(version, name):
                        migrate(store._execute_ddl, version, name)
                        store.migrated_from = version
        except BaseException:
            con.close()
            raise
        return store

    def _execute_ddl(self, sql: str, params: Sequence[Any]) -> object:
        """Runs one statement of a migration (schema SQL with `?` placeholders)."""
        with self.con.cursor() as cur:
            self._run(cur, postgres_ddl(sql), params)
        return None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Commit everything written inside together at the end, or nothing. Inside another,
        a savepoint of the outer one (which still decides)."""
        with self.con.transaction():
            yield

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for stream in list(self._streams):  # end unfinished streams' transactions here, not
            stream.close()                  # later on a connection someone else then holds
        if self._pooled:
            assert self._shared.pool is not None
            self._shared.pool.putconn(self.con)
        else:
            self.con.close()
            self._shared.close()

    def cursor(self) -> PostgresStore:
        """A store on a connection of its own from a small pool, for one thread (a web
        request); close it to give the connection back."""
        return PostgresStore(self._shared.connection(), self.location, self._shared, pooled=True)

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # --- reading -------------------------------------------------------------------------------

    def _run(self, cur: psycopg.Cursor[Any], sql: str, params: Sequence[Any] | None) -> None:
        if params:
            cur.execute(postgres_sql(sql), [postgres_value(p) for p in params])
        else:
            cur.execute(sql)  # type: ignore[arg-type]  # no parameters: run as written

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run a parameterised query (`?` placeholders) and return a DataFrame with the
        columns and dtypes the DuckDB store would give."""
        with self.con.cursor() as cur:
            self._run(cur, sql, params)
            if cur.description is None:
                return pd.DataFrame()
            return _frame(_arrow_table(cur.description, cur.fetchall()))

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> ResultRows:
        """Run a query (`?` placeholders); fetch its rows from what is returned."""
        cur = self.con.cursor()
        self._run(cur, sql, params)
        return cur

    def iter_rows(self, sql: str, params: Sequence[Any] | None = None,
                  chunk_rows: int = 5000) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of a query in lists of `chunk_rows`, from a server-side cursor: memory
        stays flat however many rows there are."""
        stream = self._stream(sql, params, chunk_rows)
        self._streams.add(stream)
        return stream

    def record_batches(self, sql: str, params: Sequence[Any] | None = None,
                       batch_rows: int = 50_000) -> Iterator[pa.RecordBatch]:
        """The result of a query as Arrow record batches of `batch_rows`, streamed."""
        stream = self._stream(sql, params, batch_rows, arrow=True)
        self._streams.add(stream)
        return stream

    def _stream(self, sql: str, params: Sequence[Any] | None, size: int,
                arrow: bool = False) -> Iterator[Any]:
        # A named (server-side) cursor lives in a transaction; closing the generator ends it.
        with self.con.transaction(), \
                self.con.cursor(name=f"nexus_{uuid.uuid4().hex}") as cur:
            self._run(cur, sql, params)  # type: ignore[arg-type]
            while chunk := cur.fetchmany(size):
                if arrow:
                    assert cur.description is not None
                    yield _arrow_table(cur.description, chunk).to_batches()[0]
                else:
                    yield chunk

    def has_document(self, doc_id: str, content_hash: str) -> bool:
        row = self.execute("SELECT 1 FROM documents WHERE doc_id = ? AND content_hash = ?",
                           [doc_id, content_hash]).fetchone()
        return row is not None

    # --- writing -------------------------------------------------------------------------------

    def write(self, coded: CodedDocument) -> WriteStatus:
        """Store one document with everything coded from it, in one transaction."""
        return self._write_batch([coded])[0][0]

    def write_many(self, coded_docs: Iterable[CodedDocument], batch_size: int = 50) -> WriteStats:
        """Store many documents, `batch_size` per transaction (as the DuckDB store does)."""
        return write_in_batches(self._write_batch, coded_docs, batch_size)

    def _write_batch(self, batch: Sequence[CodedDocument]) -> list[tuple[WriteStatus, int]]:
        """Write documents with distinct doc_ids in one transaction, all of them or none,
        safely beside other writers. Returns each document's status and events written."""
        for attempt in range(RETRIES + 1):
            try:
                return self._write_locked(batch)
            except RETRIED:
                if attempt == RETRIES:
                    raise
        raise AssertionError("unreachable")

    def _write_locked(self, batch: Sequence[CodedDocument]) -> list[tuple[WriteStatus, int]]:
        doc_ids = [c.document.doc_id for c in batch]
        with self.con.transaction():
            # Locks first, then the stored hashes: another writer of the same document has
            # committed or not started, so what is read here stays true until commit.
            self.execute("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(? AS BIGINT[])) AS k",
                         [sorted({document_lock(d) for d in doc_ids})])
            stored = dict(self.execute(  # type: ignore[arg-type]
                "SELECT doc_id, content_hash FROM documents WHERE doc_id = ANY(CAST(? AS VARCHAR[]))",
                [doc_ids]).fetchall())
            rows = Rows()
            results: list[tuple[WriteStatus, int]] = []
            for coded in batch:
                old = stored.get(postgres_value(coded.document.doc_id))  # type: ignore[call-overload]
                if old == coded.document.content_hash:
                    results.append(("unchanged", 0))
                else:
                    results.append(("added" if old is None else "replaced", rows.add(coded)))
            replaced = [d for d, (s, _) in zip(doc_ids, results, strict=True) if s == "replaced"]
            if all(s == "unchanged" for s, _ in results):
                return results
            if replaced:
                for table in (*CHILD_TABLES, "documents"):
                    self.execute(f"DELETE FROM {table} WHERE doc_id = ANY(CAST(? AS VARCHAR[]))",
                                 [replaced])
            for table in ("documents", *reversed(CHILD_TABLES)):
                self._insert(table, rows.table(table))
        return results

    def append_tables(self, tables: dict[str, pa.Table],
                      skip_existing: bool = False) -> dict[str, int]:
        """Append ready-made rows (rows.TABLES schemas) in one transaction, all or none. With
        `skip_existing`, documents and events whose id is stored already (or repeats in
        `tables`) are left out, also when another process is appending the same ids.
        Returns the number of rows inserted per table."""
        inserted: dict[str, int] = {}
        with self.con.transaction():
            for table in ("documents", *reversed(CHILD_TABLES)):
                if table in tables:
                    inserted[table] = self._insert(table, tables[table],
                                                   skip_existing and table in KEYED_TABLES)
        return inserted

    def recount_events(self, doc_id: str, content_hash: str | None = None) -> int:
        """Set a document's n_events (and content hash, when given) from its stored events."""
        with self.con.transaction():
            row = self.execute("SELECT count(*) FROM events WHERE doc_id = ?", [doc_id]).fetchone()
            n = int(row[0]) if row else 0
            self.execute("UPDATE documents SET n_events = ?, "
                         "content_hash = coalesce(?, content_hash) WHERE doc_id = ?",
                         [n, content_hash, doc_id])
        return n

    def _insert(self, table: str, data: pa.Table, skip_existing: bool = False) -> int:
        """COPY the rows in; with `skip_existing`, through a temporary table and an INSERT that
        leaves out taken keys (ON CONFLICT DO NOTHING waits for a concurrent writer of the
        same key and then skips the row; of a repeat in `data`, the first is kept)."""
        if data.num_rows == 0:
            return 0
        schema = TABLES[table]
        data = _without_nul(data.select(schema.names).cast(schema))
        cols = ", ".join(f'"{c}"' for c in schema.names)
        target = table
        if skip_existing:
            target = f"nexus_new_{table}"
            self.con.execute(f"CREATE TEMP TABLE {target} (LIKE {table} INCLUDING DEFAULTS)")
        with self.con.cursor() as cur, \
                cur.copy(f"COPY {target} ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([_COPY_TYPES[f.type] for f in schema])
            for piece in data.to_batches(max_chunksize=COPY_ROWS):
                for row in zip(*(column.to_pylist() for column in piece.columns), strict=True):
                    copy.write_row(row)
        if not skip_existing:
            return data.num_rows
        cur = self.con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {target} "
                               "ORDER BY ctid ON CONFLICT DO NOTHING")
        self.con.execute(f"DROP TABLE {target}")
        return cur.rowcount


def document_lock(doc_id: str) -> int:
    """The advisory-lock key of a document id (a signed 64-bit int): the same in every process."""
    return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(),
                          "big", signed=True)


def _without_nul(data: pa.Table) -> pa.Table:
    """`data` with NUL in its text replaced (PostgreSQL text cannot hold it); checked column
    by column in Arrow, so clean data (all of it, in practice) costs one scan."""
    for i, f in enumerate(data.schema):
        column = data.column(i)
        if pa.types.is_string(f.type):
            if pc.any(pc.match_substring(column, "\x00")).as_py():
                data = data.set_column(i, f, pc.replace_substring(column, "\x00", NUL_STANDIN))
        elif pa.types.is_list(f.type) and pa.types.is_string(f.type.value_type):
            values = column.to_pylist()
            if any("\x00" in v for vs in values if vs for v in vs if v):
                data = data.set_column(i, f, pa.array(postgres_value(values), f.type))
    return data


def _stored_version(con: psycopg.Connection[Any], name: str) -> int | None:
    """The schema version recorded in the store; None when the database has no Nexus tables."""
    found = con.execute("SELECT to_regclass('meta')").fetchone()
    if found is None or found[0] is None:
        return None
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        raise SchemaVersionError(f"{name}: no schema version recorded (not a Nexus store?)")
    return parse_version(row[0], name)


def _arrow_table(description: Sequence[Any], rows: Sequence[Sequence[Any]]) -> pa.Table:
    """Rows of a PostgreSQL result as an Arrow table typed as DuckDB types the same columns."""
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [
        () for _ in description]
    arrays = []
    for col, values in zip(description, columns, strict=True):
        kind = _ARROW.get(col.type_code)
        if kind is None:  # a type no query of ours returns: shown as text
            kind, values = pa.string(), [None if v is None else str(v) for v in values]
        elif col.type_code == _NUMERIC:  # sum() of bigints, avg() of integers
            values = [None if v is None else float(v) for v in values]
        arrays.append(pa.array(values, type=kind))
    return pa.Table.from_arrays(arrays, names=[col.name for col in description])


_converters = threading.local()


def _frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a DataFrame the way DuckDB's `.df()` makes one (nullable integers,
    dates as datetime64, lists as arrays), with one small DuckDB connection per thread."""
    con = getattr(_converters, "con", None)
    if con is None:
        con = _converters.con = duckdb.connect(config={"threads": 1})
    if table.num_columns == 0:
        return pd.DataFrame()
    return con.from_arrow(table).df()

