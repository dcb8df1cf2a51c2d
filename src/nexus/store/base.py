"""What every store backend offers (DuckDB file, PostgreSQL server), and how a location picks
one: a `postgresql://` URL opens PostgreSQL, anything else a DuckDB file."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import duckdb
import pandas as pd
import pyarrow as pa

from nexus.coded import CodedDocument
from nexus.store.dialect import Dialect, is_postgres
from nexus.store.duckdb_store import Store, WriteStats, WriteStatus


class Rows(Protocol):
    """A DB-API result: what `EventStore.execute` returns."""

    def fetchone(self) -> tuple[Any, ...] | None: ...
    def fetchall(self) -> list[tuple[Any, ...]]: ...


class EventStore(Protocol):
    """The public interface of a store, whatever its database. SQL passed in is written in the
    subset DuckDB and PostgreSQL share, with `?` placeholders (see nexus.store.dialect)."""

    location: str
    dialect: Dialect

    def close(self) -> None: ...
    def cursor(self) -> EventStore: ...
    def __enter__(self) -> EventStore: ...
    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...
    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame: ...
    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Rows: ...
    def iter_rows(self, sql: str, params: Sequence[Any] | None = None,
                  chunk_rows: int = 5000) -> Iterator[list[tuple[Any, ...]]]: ...
    def record_batches(self, sql: str, params: Sequence[Any] | None = None,
                       batch_rows: int = 50_000) -> Iterator[pa.RecordBatch]: ...
    def has_document(self, doc_id: str, content_hash: str) -> bool: ...
    def write(self, coded: CodedDocument) -> WriteStatus: ...
    def write_many(self, coded_docs: Iterable[CodedDocument], batch_size: int = 50) -> WriteStats: ...
    def append_tables(self, tables: dict[str, pa.Table],
                      skip_existing: bool = False) -> dict[str, int]: ...
    def recount_events(self, doc_id: str, content_hash: str | None = None) -> int: ...


def open_store(location: str | Path, read_only: bool = False) -> EventStore:
    """Open (and, unless read-only, create or bring up to date) the store at `location`: a
    PostgreSQL URL (postgresql://user:password@host:port/database) or a DuckDB file
    (":memory:" for a throwaway one)."""
    if is_postgres(location):
        from nexus.store.postgres_store import PostgresStore  # noqa: PLC0415 - psycopg on demand

        return PostgresStore.open(str(location), read_only=read_only)
    return Store.open(location, read_only=read_only)  # type: ignore[return-value]


def database_errors(*extra: type[BaseException]) -> tuple[type[BaseException], ...]:
    """The exceptions a store's database raises, for `except` clauses: DuckDB's, and psycopg's
    once a PostgreSQL store has been used (its errors cannot occur before it is imported, so
    the 0.1 s import is not paid by DuckDB users)."""
    psycopg = sys.modules.get("psycopg")
    errors: tuple[type[BaseException], ...] = (duckdb.Error,)
    if psycopg is not None:
        errors += (psycopg.Error,)
    return errors + extra
