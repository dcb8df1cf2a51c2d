"""Schema versions of the store, and the migrations that bring an older store up to date.

Version 1 is the first released schema; version 2 added `events.origin` and `events.origin_id`
(which dataset an event comes from, and its id there). schema.sql always creates the current
version; a store made by an older Nexus is migrated when it is opened for writing: every
pending migration runs, and the new version is recorded in `meta`, in one transaction, so a
crash leaves the store at its old version or the new one, never in between.

To change the schema: edit schema.sql (new stores), raise SCHEMA_VERSION, and append a
Migration for the new version to MIGRATIONS (existing stores). Keep the SQL to what DuckDB and
PostgreSQL share: migrations run through a plain "execute this SQL" callable so that every
backend reuses them, and each statement should be safe to run again (IF NOT EXISTS).

A store opened read-only cannot be migrated. Migrations that only add columns with a default
can still be read: the backend shows the missing columns through views (`read_only_columns`);
other migrations make an old store readable only after it was opened for writing once, or
after `nexus migrate`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

#: The schema version this Nexus creates, reads and writes.
SCHEMA_VERSION = 2

#: Runs one SQL statement with bound `?` parameters (DuckDB's connection.execute, say).
Execute = Callable[[str, Sequence[Any]], object]


class SchemaVersionError(RuntimeError):
    """The store's schema version is one this Nexus cannot use (as it is opened)."""


@dataclass(frozen=True, slots=True)
class AddedColumn:
    """A column added to an existing table; old rows get `default` (an SQL expression)."""

    table: str
    name: str
    sql_type: str
    default: str | None = None

    def statement(self) -> str:
        default = f" DEFAULT {self.default}" if self.default is not None else ""
        return (f"ALTER TABLE {self.table} ADD COLUMN IF NOT EXISTS "
                f"{self.name} {self.sql_type}{default}")


@dataclass(frozen=True, slots=True)
class Migration:
    """What brings a store from version `version - 1` to `version`: the added columns first,
    then any other SQL `steps`, in order."""

    version: int
    summary: str
    added_columns: tuple[AddedColumn, ...] = ()
    steps: tuple[str, ...] = ()

    def statements(self) -> list[str]:
        return [c.statement() for c in self.added_columns] + list(self.steps)

    @property
    def readable_unmigrated(self) -> bool:
        """Whether a read-only store still at the previous version can be shown as this one
        (only added columns: views fill them in)."""
        return not self.steps


#: Every migration, oldest first; the last one's version is SCHEMA_VERSION.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        2, "events.origin and events.origin_id: the dataset an event comes from "
           "('nexus' when coded here) and its id there",
        added_columns=(AddedColumn("events", "origin", "VARCHAR", "'nexus'"),
                       AddedColumn("events", "origin_id", "VARCHAR"))),
)

assert [m.version for m in MIGRATIONS] == list(range(2, SCHEMA_VERSION + 1)), \
    "MIGRATIONS must run from version 2 to SCHEMA_VERSION, one each, in order"

#: Records the version; both backends support this upsert.
_RECORD_VERSION = ("INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value")


def parse_version(value: object, location: str) -> int:
    """The version stored in `meta`, as a number; a clear error when it is missing or garbled."""
    try:
        return int(str(value))
    except ValueError:
        raise SchemaVersionError(
            f"{location}: unreadable store schema version {value!r} (not a Nexus store?)") from None


def pending(version: int, location: str = "store") -> list[Migration]:
    """The migrations a store at `version` needs, in order. Refuses versions this Nexus does
    not know: newer ones (a newer Nexus wrote the store) and ones below 1."""
    if version > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"{location}: store schema version {version} is newer than this Nexus, which reads "
            f"versions up to {SCHEMA_VERSION}: upgrade Nexus to open it")
    if version < 1:
        raise SchemaVersionError(f"{location}: unknown store schema version {version}")
    return [m for m in MIGRATIONS if m.version > version]


def migrate(execute: Execute, version: int, location: str = "store") -> int:
    """Run every migration a store at `version` needs and record the new version in `meta`.
    Returns the version the store is at now. The caller runs this inside one transaction
    (on DuckDB and PostgreSQL, DDL is transactional), so it is all or nothing; migrating a
    store that is up to date does nothing."""
    todo = pending(version, location)
    for migration in todo:
        for statement in migration.statements():
            execute(statement, [])
    if todo:
        execute(_RECORD_VERSION, [str(SCHEMA_VERSION)])
    return SCHEMA_VERSION


def record_version(execute: Execute, version: int | None = None) -> None:
    """Record `version` (default: SCHEMA_VERSION) in `meta`: a new store, made from schema.sql."""
    execute(_RECORD_VERSION, [str(SCHEMA_VERSION if version is None else version)])


def unmigrated_columns(version: int, location: str = "store") -> list[AddedColumn]:
    """For a store at `version` opened read-only: the columns its readers must be shown
    (through views) to see the current schema. Refuses when a pending migration does more
    than add columns, since such a store must be migrated before it can be read."""
    todo = pending(version, location)
    blocked = [m for m in todo if not m.readable_unmigrated]
    if blocked:
        raise SchemaVersionError(
            f"{location}: store schema version {version} must be migrated to version "
            f"{SCHEMA_VERSION} before it can be read: open it for writing once, or run "
            f"`nexus migrate --store {location}`")
    return [c for m in todo for c in m.added_columns]
