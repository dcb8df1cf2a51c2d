"""Exchanges: two reciprocal material flows, A to B and B to A, tied into one deal.

The text ties them when a sentence of one leg has a reciprocity cue ("helping Tehran's nuclear
programme in return for the missiles", cues in relations/data/states.yaml) and the other leg
is a reverse flow reported in the same document; the timing ties them when reverse flows are
dated (to the month or finer) within `max_days` of each other. Each flow is a leg of at most
one exchange: text ties first, then the closest timing.

Legs keep their factuality: an exchange of alleged flows is an alleged exchange, and the
brief says so (never report it as fact). Negated and hypothetical flows ("unlikely to send
troops") did not happen and are never legs."""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from nexus.relations.domains import Cue, is_flow, reciprocity_cue
from nexus.relations.merge import stopwords
from nexus.relations.model import Exchange, Mention, MergedEvent
from nexus.relations.periods import dated_report

#: Factualities of flows that did not or may not happen: no exchange rests on them.
NOT_LEGS = frozenset({"negated", "hypothetical"})
#: Date precisions fine enough to tie flows by timing.
FINE_PRECISIONS = frozenset({"day", "week", "month"})

def _content(text: str) -> set[str]:
    """Content words, singular: what a cue's object and the other leg's sentence share."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    stop = stopwords()
    return {w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words if len(w) >= 3 and w not in stop}


def _reverse(a: MergedEvent, b: MergedEvent) -> bool:
    sa, ta = a.first_report.dyad
    sb, tb = b.first_report.dyad
    return bool(sa and ta) and sa != ta and (sb, tb) == (ta, sa)


def _order(event: MergedEvent) -> tuple[date, str]:
    return (event.event_date or event.first_report.published or date.max, event.merged_id)


def _text_candidates(flows: Sequence[MergedEvent]) -> list[tuple[tuple[object, ...], Exchange]]:
    """Every (cue leg, reverse leg in the same document) pair, best first by its sort key:
    most words shared between the cue's object and the other leg's sentence, then nearest."""
    in_document: dict[str, list[MergedEvent]] = defaultdict(list)  # a busy dyad has thousands of flows
    for flow in flows:
        for doc_id in dict.fromkeys(m.doc_id for m in flow.mentions):
            in_document[doc_id].append(flow)
    found: list[tuple[tuple[object, ...], Exchange]] = []
    for leg in flows:
        for m in leg.mentions:
            cue: Cue | None = reciprocity_cue(m.sentence, m.trigger)
            if cue is None:
                continue
            wanted = _content(cue.object)
            for other in in_document[m.doc_id]:
                if other is leg or not _reverse(leg, other):
                    continue
                reports: list[Mention] = [n for n in other.mentions if n.doc_id == m.doc_id]
                n = min(reports, key=lambda r: (-len(wanted & _content(r.sentence)),
                                                abs(r.sentence_idx - m.sentence_idx), r.sentence_idx))
                shared = len(wanted & _content(n.sentence))
                where = (f"same sentence {m.citation.key}" if n.sentence_idx == m.sentence_idx
                         else f"{m.citation.key}, other leg {n.citation.key}")
                reason = f'text: "{cue.text}" ({where})'
                # The cue's own leg is the one given "in return": the other leg came first.
                found.append(((-shared, abs(n.sentence_idx - m.sentence_idx), *_order(leg), *_order(other)),
                              Exchange(give=other, take=leg, tie="text", reason=reason)))
    return sorted(found, key=lambda c: c[0])


def _fine_date(event: MergedEvent) -> date | None:
    m = dated_report(event)
    if m is None or m.date_precision not in FINE_PRECISIONS or m.date_basis == "unknown":
        return None
    return m.event_date


def find_exchanges(merged: Sequence[MergedEvent], max_days: int = 90) -> list[Exchange]:
    """Reciprocal material flows tied into exchanges (see the module doc), in date order of
    their legs. Each flow is used at most once."""
    flows = sorted((e for e in merged if e.factuality not in NOT_LEGS and is_flow(e)), key=_order)
    used: set[str] = set()
    exchanges: list[Exchange] = []

    for _, ex in _text_candidates(flows):
        if ex.give.merged_id in used or ex.take.merged_id in used:
            continue
        used.update((ex.give.merged_id, ex.take.merged_id))
        exchanges.append(ex)

    exchanges += _timing_exchanges(flows, used, max_days)
    return sorted(exchanges, key=lambda x: (min(_order(x.give), _order(x.take)), _order(x.give), _order(x.take)))


def _timing_exchanges(flows: Sequence[MergedEvent], used: set[str], max_days: int) -> list[Exchange]:
    """Reverse flows tied by timing, closest pair first. On a time line the closest remaining
    pair of opposite directions is always adjacent once the paired flows are taken out, so a
    heap of adjacent pairs finds the same pairs as comparing all of them, in n log n."""
    by_pair: dict[tuple[str, str], list[tuple[date, MergedEvent]]] = defaultdict(list)
    for flow in flows:
        day = _fine_date(flow)
        source, target = flow.first_report.dyad
        if day is not None and flow.merged_id not in used and source and target and source != target:
            by_pair[min((source, target), (target, source))].append((day, flow))
    exchanges: list[Exchange] = []
    for _, items in sorted(by_pair.items()):
        items.sort(key=lambda item: (item[0], _order(item[1])))
        n = len(items)
        before, after, alive = list(range(-1, n - 1)), list(range(1, n + 1)), [True] * n
        heap: list[tuple[int, tuple[date, str], tuple[date, str], int, int]] = []

        def push(i: int, j: int) -> None:
            if 0 <= i < j < n and _reverse(items[i][1], items[j][1]):
                days = (items[j][0] - items[i][0]).days
                if days <= max_days:
                    first, second = sorted((items[i][1], items[j][1]), key=_order)
                    heapq.heappush(heap, (days, _order(first), _order(second), i, j))

        for i in range(n - 1):
            push(i, i + 1)
        while heap:
            days, _, _, i, j = heapq.heappop(heap)
            if not (alive[i] and alive[j]):
                continue
            alive[i] = alive[j] = False
            # i and j were pushed as neighbours and nothing between them can appear: unlink
            # both, and their outer neighbours become adjacent
            left, right = before[i], after[j]
            if left >= 0:
                after[left] = right
            if right < n:
                before[right] = left
            push(left, right)
            first, second = sorted((items[i][1], items[j][1]), key=_order)
            exchanges.append(Exchange(give=first, take=second, tie="timing", reason=f"flows {days} days apart"))
    return exchanges
