"""Reading a dyad's mentions from a store (either backend) as `Mention` records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from nexus.store.base import EventStore
from nexus.store.queries import DateLike, Where, actor_match, date_bound, in_list
from nexus.relations.model import Mention

_COLUMNS = ("e.event_id, e.doc_id, e.sentence_idx, e.sentence, e.source_code, e.target_code, e.plover_type, "
            "e.factuality, e.source_country, e.target_country, e.source_text, e.target_text, e.trigger, e.plover_mode, e.plover_context, "
            "e.cameo_code, e.cameo_name, e.goldstein, e.quad_class, e.attribution_text, e.attribution_code, "
            "e.event_date, e.date_value, e.date_precision, e.date_basis, e.confidence, "
            "d.date AS published, d.title, d.url, e.origin")
_ORDER = "ORDER BY e.event_date NULLS LAST, d.date NULLS LAST, e.doc_id, e.start, e.trigger_start, e.event_id"


def outlet(url: str | None, doc_id: str) -> str:
    """Who published a document: its url's host without "www." ("reuters.com"); a document
    without a url counts as an outlet of its own (its id), so it is never taken for a copy."""
    if url:
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        if host:
            return host
    return f"doc:{doc_id}"


def _date(value: Any) -> date | None:
    if value is None or pd.isna(value):  # pandas gives NaT for a NULL date, and NaT is a date
        return None
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _mention(row: dict[str, Any]) -> Mention:
    def text(key: str) -> str | None:
        v = row[key]
        return None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)

    def number(key: str) -> float | None:
        v = row[key]
        return None if v is None or pd.isna(v) else float(v)

    context = row["plover_context"]
    quad = number("quad_class")
    return Mention(
        event_id=str(row["event_id"]), doc_id=str(row["doc_id"]), sentence_idx=int(row["sentence_idx"]),
        sentence=str(row["sentence"]), source_code=text("source_code"), target_code=text("target_code"),
        plover_type=str(row["plover_type"]), factuality=str(row["factuality"]),
        source_country=text("source_country"), target_country=text("target_country"),
        source_text=text("source_text"), target_text=text("target_text"), trigger=text("trigger"),
        plover_mode=text("plover_mode"),
        plover_context=tuple(str(c) for c in context) if context is not None and not isinstance(context, float) else (),
        cameo_code=text("cameo_code"), cameo_name=text("cameo_name"), goldstein=number("goldstein"),
        quad_class=None if quad is None else int(quad), attribution_text=text("attribution_text"),
        attribution_code=text("attribution_code"), event_date=_date(row["event_date"]),
        date_value=text("date_value"), date_precision=text("date_precision"), date_basis=text("date_basis"),
        confidence=number("confidence"), published=_date(row["published"]), title=text("title"),
        url=text("url"), outlet=outlet(text("url"), str(row["doc_id"])), origin=text("origin") or "nexus")


def _in_period(where: Where, date_from: DateLike, date_to: DateLike) -> Where:
    """Events dated in the period; an undated event by its document's date."""
    if date_from is not None:
        where.add("coalesce(e.event_date, d.date) >= ?", date_bound(date_from))
    if date_to is not None:
        where.add("coalesce(e.event_date, d.date) <= ?", date_bound(date_to, end=True))
    return where


def _mentions(store: EventStore, where: Where) -> list[Mention]:
    frame = store.query(f"SELECT {_COLUMNS} FROM events e LEFT JOIN documents d ON d.doc_id = e.doc_id "
                        f"WHERE {where.sql()} {_ORDER}", where.params)
    return [_mention(row) for row in frame.to_dict("records")]


def _prefixed(clause: tuple[str, Sequence[Any]]) -> tuple[str, Sequence[Any]]:
    sql, params = clause
    for column in ("source_code", "source_country", "source_sector", "target_code", "target_country",
                   "target_sector"):
        sql = sql.replace(f"({column},", f"(e.{column},").replace(f" {column} ", f" e.{column} ")
    return sql, params


def _pair(source: str, target: str) -> Where:
    return Where().add_clause(_prefixed(actor_match("source", source))).add_clause(
        _prefixed(actor_match("target", target)))


def dyad_mentions(store: EventStore, a: str, b: str, date_from: DateLike = None,
                  date_to: DateLike = None) -> list[Mention]:
    """Every coded event between `a` and `b`, both directions, every factuality, in date order.
    Actors match as in `nexus events` (code prefix, country or sector)."""
    ab, ba = _pair(a, b), _pair(b, a)
    where = Where().add(f"(({ab.sql()}) OR ({ba.sql()}))", *ab.params, *ba.params)
    return _mentions(store, _in_period(where, date_from, date_to))


def reaction_mentions(store: EventStore, a: str, b: str, doc_ids: Sequence[str], date_from: DateLike = None,
                      date_to: DateLike = None) -> list[Mention]:
    """Events by third parties toward `a` or `b` in the documents that report the dyad: how
    others react to the relationship."""
    if not doc_ids:
        return []
    third = Where()
    for side in ("source",):
        for code in (a, b):
            sql, params = _prefixed(actor_match(side, code))
            third.add(f"NOT coalesce({sql}, FALSE)", *params)
    toward_a, toward_b = (Where().add_clause(_prefixed(actor_match("target", c))) for c in (a, b))
    where = (third.add(f"(({toward_a.sql()}) OR ({toward_b.sql()}))", *toward_a.params, *toward_b.params)
             .add_clause(in_list("e.doc_id", sorted(set(doc_ids)))))
    return _mentions(store, _in_period(where, date_from, date_to))
