"""Storage of coded documents and the queries over them: a DuckDB file by default, or a
PostgreSQL database shared by a team (`open_store("postgresql://...")`)."""

from nexus.store.base import EventStore, database_errors, open_store
from nexus.store.dialect import display_location, is_postgres
from nexus.store.writes import WriteStats, WriteStatus
from nexus.store.duckdb_store import (
    DEFAULT_LOCATION,
    SCHEMA_VERSION,
    SchemaVersionError,
    Store,
)

__all__ = ["DEFAULT_LOCATION", "SCHEMA_VERSION", "EventStore", "SchemaVersionError", "Store",
           "WriteStats", "WriteStatus", "database_errors", "display_location", "is_postgres",
           "open_store"]
