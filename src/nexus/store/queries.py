"""Queries over a store, returning pandas DataFrames.

User values only ever travel as bound parameters; the only text formatted into SQL is column
names and placeholders chosen here. The SQL sticks to what DuckDB and PostgreSQL share.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd

from nexus.store.base import EventStore

Values = str | Sequence[str] | None
DateLike = str | date | None

ORDERS: dict[str, str] = {
    "date": "event_date ASC NULLS LAST, doc_id, start, trigger_start, event_id",
    "-date": "event_date DESC NULLS LAST, doc_id, start, trigger_start, event_id",
    # NULLS LAST spelt out: PostgreSQL puts NULLs first in DESC order, DuckDB last
    "confidence": "confidence DESC NULLS LAST, event_date, doc_id, start, trigger_start, event_id",
    "goldstein": "goldstein ASC, event_date, doc_id, start, trigger_start, event_id",
    "doc": "doc_id, start, trigger_start, event_id",
}

QUAD_COLUMNS: dict[int, str] = {
    1: "verbal_coop", 2: "material_coop", 3: "verbal_conflict", 4: "material_conflict"}


class Where:
    """AND-ed SQL conditions with their bound parameters."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list[Any] = []

    def add(self, clause: str, *params: Any) -> Where:
        self.clauses.append(clause)
        self.params.extend(params)
        return self

    def add_clause(self, clause: tuple[str, Sequence[Any]]) -> Where:
        return self.add(clause[0], *clause[1])

    def copy(self) -> Where:
        out = Where()
        out.clauses, out.params = list(self.clauses), list(self.params)
        return out

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "TRUE"


def _as_list(values: str | Sequence[str]) -> list[str]:
    return [values] if isinstance(values, str) else list(values)


def _actor_code(code: str) -> str:
    code = code.strip().upper()
    if not code:
        raise ValueError("an actor filter needs a code, got an empty string")
    return code


def actor_match(side: str, code: str) -> tuple[str, list[str]]:
    """SQL matching the event's `side` actor ("source" or "target") against an actor code:
    the code itself or any code it prefixes (RUS matches RUSGOV), the country, or the sector."""
    assert side in ("source", "target")
    code = _actor_code(code)
    return (f"(starts_with({side}_code, ?) OR {side}_country = ? OR {side}_sector = ?)",
            [code, code, code])


def in_list(column: str, values: str | Sequence[str], negate: bool = False) -> tuple[str, list[str]]:
    vals = _as_list(values)
    if not vals:
        return ("TRUE" if negate else "FALSE"), []
    marks = ", ".join(["?"] * len(vals))
    return f"{column} {'NOT IN' if negate else 'IN'} ({marks})", vals


def date_bound(value: str | date, end: bool = False) -> date:
    """A date from a date or "YYYY", "YYYY-MM", "YYYY-MM-DD"; with `end`, the period's last day,
    so date_to="2022" includes all of 2022."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        parts = [int(p) for p in value.strip().split("-")]
        if not 1 <= len(parts) <= 3:
            raise ValueError
        year = parts[0]
        month = parts[1] if len(parts) > 1 else (12 if end else 1)
        day = parts[2] if len(parts) > 2 else (calendar.monthrange(year, month)[1] if end else 1)
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"not a date: {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)") from None


def event_where(actor: str | None = None, dyad: tuple[str, str] | None = None,
                source: str | None = None, target: str | None = None,
                plover_type: Values = None, factuality: Values = None,
                date_from: DateLike = None, date_to: DateLike = None, text: str | None = None,
                doc_id: str | None = None, origin: Values = None) -> Where:
    """The WHERE conditions for the `events` filters (shared with the analysis modules)."""
    w = Where()
    if actor is not None:
        s_sql, s_params = actor_match("source", actor)
        t_sql, t_params = actor_match("target", actor)
        w.add(f"({s_sql} OR {t_sql})", *s_params, *t_params)
    if dyad is not None:
        a, b = dyad
        ab = [actor_match("source", a), actor_match("target", b)]
        ba = [actor_match("source", b), actor_match("target", a)]
        w.add(f"(({ab[0][0]} AND {ab[1][0]}) OR ({ba[0][0]} AND {ba[1][0]}))",
              *ab[0][1], *ab[1][1], *ba[0][1], *ba[1][1])
    if source is not None:
        w.add_clause(actor_match("source", source))
    if target is not None:
        w.add_clause(actor_match("target", target))
    if plover_type is not None:
        w.add_clause(in_list("plover_type", [t.upper() for t in _as_list(plover_type)]))
    if factuality is not None:
        w.add_clause(in_list("factuality", [f.lower() for f in _as_list(factuality)]))
    if date_from is not None:
        w.add("event_date >= ?", date_bound(date_from))
    if date_to is not None:
        w.add("event_date <= ?", date_bound(date_to, end=True))
    if text is not None:
        # strpos, not LIKE: % and _ in the user's text are plain characters.
        w.add("(strpos(lower(sentence), lower(?)) > 0 OR strpos(lower(trigger), lower(?)) > 0)",
              text, text)
    if doc_id is not None:
        w.add("doc_id = ?", doc_id)
    if origin is not None:
        w.add_clause(in_list("origin", [o.strip().lower() for o in _as_list(origin)]))
    return w


def period_start(freq: str, column: str = "event_date") -> str:
    """SQL for the first day of the year, quarter or month of a DATE column, as a DATE on both
    backends (PostgreSQL's date_trunc of a date gives a timestamp with time zone; a timestamp
    without one is truncated the same everywhere)."""
    if freq not in ("year", "quarter", "month"):
        raise ValueError(f"freq must be year, quarter or month, got {freq!r}")
    return f"CAST(date_trunc('{freq}', CAST({column} AS TIMESTAMP)) AS DATE)"


def _limit(limit: int | None, offset: int = 0) -> str:
    # int(): never user text in SQL
    sql = "" if limit is None else f" LIMIT {int(limit)}"
    return sql + (f" OFFSET {int(offset)}" if offset else "")


def events(store: EventStore, actor: str | None = None, dyad: tuple[str, str] | None = None,
           source: str | None = None, target: str | None = None, plover_type: Values = None,
           factuality: Values = None, date_from: DateLike = None, date_to: DateLike = None,
           text: str | None = None, doc_id: str | None = None, limit: int | None = None,
           order: str = "date", origin: Values = None) -> pd.DataFrame:
    """Events matching every given filter, one row per event (all columns of the events table).

    Actor filters match an event actor by code prefix, country or sector; `dyad` matches both
    directions; `date_from`/`date_to` compare the first day of the event's date period and take
    dates or "YYYY[-MM[-DD]]" (date_to includes its whole period); `origin` keeps the events of
    the given datasets ("nexus", "gdelt1", "gdelt2", "icews"). `order`: one of ORDERS.
    """
    w = event_where(actor=actor, dyad=dyad, source=source, target=target, plover_type=plover_type,
                    factuality=factuality, date_from=date_from, date_to=date_to, text=text,
                    doc_id=doc_id, origin=origin)
    return events_matching(store, w, order=order, limit=limit)


def events_matching(store: EventStore, where: Where, order: str = "date", limit: int | None = None,
                    offset: int = 0, columns: str = "*") -> pd.DataFrame:
    """Events matching prepared conditions (from `event_where`), sorted and paged: what
    `events` runs, for callers that also need `count_events` over the same conditions.
    `columns` is SQL chosen by the caller, never user text."""
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, got {order!r}")
    sql = (f"SELECT {columns} FROM events WHERE {where.sql()} "
           f"ORDER BY {ORDERS[order]}{_limit(limit, offset)}")
    return store.query(sql, where.params)


def count_events(store: EventStore, where: Where) -> int:
    """How many events match prepared conditions (from `event_where`)."""
    row = store.execute(f"SELECT count(*) FROM events WHERE {where.sql()}", where.params).fetchone()
    return int(row[0]) if row else 0


def _key(side: str) -> str:
    # An actor's key: its country where it has one, else its code (NATO, UNO, REB...).
    return f"coalesce({side}_country, {side}_code)"


def summary_sql(rows: str, keys: Sequence[str], nullable: Sequence[str] = ()) -> str:
    """SQL summarising the event rows of the query `rows` (with plover_type, quad_class,
    goldstein, event_date) grouped by `keys`: n_events, the quad-class counts, mean_goldstein,
    first_date, last_date and top_types, the most frequent PLOVER types ("AID (12),
    COOPERATE (5)"); one `?` after the rows' parameters: how many types. Keys in `nullable`
    may be NULL (they join NULL-safe, which only they pay for)."""
    k = ", ".join(keys)
    quads = ", ".join(f"count(*) FILTER (WHERE quad_class = {q}) AS {name}" for q, name in QUAD_COLUMNS.items())
    on = " AND ".join(f"counts.{c} {'IS NOT DISTINCT FROM' if c in nullable else '='} top.{c}" for c in keys)
    return f"""
        WITH e AS ({rows}),
        counts AS (
            SELECT {k}, count(*) AS n_events, {quads},
                   avg(goldstein) AS mean_goldstein,
                   min(event_date) AS first_date, max(event_date) AS last_date
            FROM e GROUP BY {k}
        ), types AS (
            SELECT {k}, plover_type, count(*) AS n,
                   row_number() OVER (PARTITION BY {k} ORDER BY count(*) DESC, plover_type) AS rank
            FROM e GROUP BY {k}, plover_type
        ), top AS (
            SELECT {k},
                   string_agg(plover_type || ' (' || CAST(n AS VARCHAR) || ')', ', '
                              ORDER BY n DESC, plover_type) AS top_types
            FROM types WHERE rank <= ? GROUP BY {k}
        )
        SELECT counts.*, top.top_types FROM counts JOIN top ON {on}"""


def relationships(store: EventStore, factuality: Values = "asserted", limit: int | None = 20,
                  top_types: int = 3) -> pd.DataFrame:
    """The strongest directed relationships: events between two distinct actor keys (country,
    else code), with counts per quad class, mean Goldstein, first and last date and the most
    frequent PLOVER types ("AID (12), COOPERATE (5)"); most events first."""
    w = event_where(factuality=factuality)
    rows = (f"SELECT * FROM (SELECT {_key('source')} AS source, {_key('target')} AS target, "
            f"plover_type, quad_class, goldstein, event_date FROM events WHERE {w.sql()}) keyed "
            f"WHERE source IS NOT NULL AND target IS NOT NULL AND source <> target")
    sql = (summary_sql(rows, ["source", "target"])
           + f" ORDER BY n_events DESC, counts.source, counts.target{_limit(limit)}")
    return store.query(sql, [*w.params, int(top_types)])


DOCUMENT_ORDERS: dict[str, str] = {
    "date": "date ASC NULLS LAST, doc_id",
    "-date": "date DESC NULLS LAST, doc_id",
    "doc_id": "doc_id",
    "-doc_id": "doc_id DESC",
}


def documents(store: EventStore, limit: int | None = None, offset: int = 0,
              order: str = "date") -> pd.DataFrame:
    """Stored documents without their text, oldest first (`order`: one of DOCUMENT_ORDERS)."""
    if order not in DOCUMENT_ORDERS:
        raise ValueError(f"order must be one of {', '.join(DOCUMENT_ORDERS)}, got {order!r}")
    return store.query(
        "SELECT doc_id, title, url, date, origin, n_sentences, n_events, content_hash, ingested_at "
        f"FROM documents ORDER BY {DOCUMENT_ORDERS[order]}{_limit(limit, offset)}")


def actors(store: EventStore, factuality: Values = "asserted", limit: int | None = None) -> pd.DataFrame:
    """Actor keys (country, else code) with their event counts as source and as target."""
    w = event_where(factuality=factuality)
    sql = f"""
        WITH roles AS (
            SELECT {_key('source')} AS actor, 1 AS as_source, 0 AS as_target
            FROM events WHERE {w.sql()}
            UNION ALL
            SELECT {_key('target')} AS actor, 0, 1 FROM events WHERE {w.sql()}
        )
        SELECT actor, count(*) AS n_events, count(*) FILTER (WHERE as_source = 1) AS n_source,
               count(*) FILTER (WHERE as_target = 1) AS n_target
        FROM roles WHERE actor IS NOT NULL
        GROUP BY actor ORDER BY n_events DESC, actor{_limit(limit)}"""
    return store.query(sql, [*w.params, *w.params])
