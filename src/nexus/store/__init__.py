"""Storage of coded documents (DuckDB by default) and the queries over them."""

from nexus.store.duckdb_store import (
    DEFAULT_LOCATION,
    SCHEMA_VERSION,
    SchemaVersionError,
    Store,
    WriteStats,
    WriteStatus,
)

__all__ = ["DEFAULT_LOCATION", "SCHEMA_VERSION", "SchemaVersionError", "Store", "WriteStats",
           "WriteStatus"]
