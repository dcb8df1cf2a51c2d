"""What differs between the SQL that DuckDB and PostgreSQL accept, in one place.

The schema and every query are written once, in the subset both engines share (see
schema.sql and queries.py). What cannot be shared is translated here, for PostgreSQL only:

- placeholders: the queries use `?` (DuckDB's, and the DB-API's qmark style); psycopg takes
  `%s`, and reads every other `%` as the start of one, so a literal `%` becomes `%%`.
- type names in DDL: DuckDB's `DOUBLE` is `DOUBLE PRECISION` in PostgreSQL (DuckDB reads both;
  a migration step written with the short name still runs on both).
- text values: PostgreSQL's cannot hold the NUL character; it is written, and looked for, as
  U+FFFD (the replacement character), which keeps every offset.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

#: Store locations with these prefixes name a PostgreSQL database (libpq connection URLs).
POSTGRES_SCHEMES = ("postgresql://", "postgres://")

_DOUBLE = re.compile(r"\bDOUBLE\b(?!\s+PRECISION)", re.IGNORECASE)


def is_postgres(location: object) -> bool:
    """Whether a store location is a PostgreSQL URL rather than a DuckDB file."""
    return isinstance(location, str) and location.strip().lower().startswith(POSTGRES_SCHEMES)


def display_location(location: object) -> str:
    """A location fit for messages and logs: a URL's password is masked."""
    text = str(location)
    if not is_postgres(text):
        return text
    parts = urlsplit(text.strip())
    if parts.password is None:
        return text
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


#: What stands for NUL in PostgreSQL text (one character, so offsets stay right).
NUL_STANDIN = "\ufffd"


def postgres_value(value: object) -> object:
    """A query parameter as PostgreSQL can take it: NUL in text (or lists of text) replaced."""
    if isinstance(value, str):
        return value.replace("\x00", NUL_STANDIN) if "\x00" in value else value
    if isinstance(value, list | tuple):
        return [postgres_value(v) for v in value]
    return value


@functools.lru_cache(maxsize=512)
def postgres_sql(sql: str) -> str:
    """A query written with `?` placeholders, for psycopg: `?` outside string literals, quoted
    names and comments becomes `%s`, and every `%` becomes `%%`. Only for queries run with
    parameters (psycopg reads placeholders only then)."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":  # a string literal or a quoted name: copied up to its closing quote
            j = i + 1
            while j < n:
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:  # a doubled quote stays inside
                        j += 2
                        continue
                    break
                j += 1
            out.append(sql[i:j + 1].replace("%", "%%"))
            i = j + 1
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            out.append(sql[i:j].replace("%", "%%"))
            i = j
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(sql[i:j].replace("%", "%%"))
            i = j
        else:
            out.append("%s" if c == "?" else "%%" if c == "%" else c)
            i += 1
    return "".join(out)


def postgres_ddl(sql: str) -> str:
    """Schema SQL (schema.sql, migration steps) with DuckDB-only type names made PostgreSQL's."""
    return _DOUBLE.sub("DOUBLE PRECISION", sql)


def _same(sql: str) -> str:
    return sql


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one engine wants the shared SQL: `sql` for a query run with parameters, `ddl` for
    schema statements. A store's `dialect` attribute names its engine."""

    name: str
    sql: Callable[[str], str]
    ddl: Callable[[str], str]


DUCKDB = Dialect("duckdb", _same, _same)
POSTGRES = Dialect("postgresql", postgres_sql, postgres_ddl)
