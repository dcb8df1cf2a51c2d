"""Relationships: from coded events to what an analyst wants to know about a pair of actors.

    mentions (load) -> merged events (merge) -> relationship periods by domain (periods),
    exchanges (exchanges), changes over time (changes) -> a sourced brief (brief)

Everything is computed from the store on request, deterministically, and keeps the mentions
it rests on so each statement can cite its documents and sentences.
"""

from __future__ import annotations

from collections.abc import Mapping

from nexus.relations.model import Relationship
from nexus.store.base import EventStore
from nexus.store.queries import DateLike, date_bound

__all__ = ["Relationship", "actor_names", "relationship"]


def relationship(store: EventStore, a: str, b: str, date_from: DateLike = None, date_to: DateLike = None,
                 freq: str = "quarter") -> Relationship:
    """Everything the store says about how `a` and `b` treat each other between the dates
    (YYYY, YYYY-MM or YYYY-MM-DD; a bound includes its whole period): the dyad's mentions
    merged into events, its relationship periods by domain, exchanges, changes in both
    directions (per `freq` period), and third parties' reactions in the same documents.
    Raises ValueError for a bad date or actor code."""
    from nexus.relations.changes import find_dyad_changes
    from nexus.relations.exchanges import find_exchanges
    from nexus.relations.load import dyad_mentions, reaction_mentions
    from nexus.relations.merge import merge_mentions
    from nexus.relations.periods import relationship_periods

    a, b = _code(a), _code(b)
    start = date_bound(date_from) if date_from is not None else None
    end = date_bound(date_to, end=True) if date_to is not None else None
    mentions = dyad_mentions(store, a, b, start, end)
    merged = merge_mentions(mentions)
    reactions = reaction_mentions(store, a, b, sorted({m.doc_id for m in mentions}), start, end)
    return Relationship(
        a=a, b=b, start=start, end=end, mentions=list(mentions), merged=list(merged),
        periods=list(relationship_periods(merged, as_of=end)),
        exchanges=list(find_exchanges(merged)),
        changes=list(find_dyad_changes(merged, a, b, freq=freq)),
        reactions=list(merge_mentions(reactions)))


def actor_names(store: EventStore, rel: Relationship) -> Mapping[str, str]:
    """Readable names for every actor the relationship mentions (the gazetteer's, else the
    name most often resolved in the store)."""
    from nexus.analysis import actor_labels

    keys = {rel.a, rel.b}
    for m in [*rel.mentions, *(m for e in rel.reactions for m in e.mentions)]:
        keys.update(k for k in m.dyad if k)
    return actor_labels(store, sorted(keys))


def _code(code: str) -> str:
    code = (code or "").strip().upper()
    if not code:
        raise ValueError("an actor code is needed (RUS, IRN, IGO ...)")
    return code

