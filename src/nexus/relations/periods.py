"""Relationship periods: how long a directed relationship held a state in one domain ("Iran
supplies arms to Russia, 2022 to March 2025"), built from merged events and the rules in
relations/data/states.yaml.

Per directed dyad, domain and state, the first asserted event that fits opens a period, each
further one within the state's `lapse_days` extends it, and it ends with a closing event
("Iran halted drone deliveries") or lapses when no new evidence comes. Only asserted events
open, extend or close a period (a closing rule may also accept a negated one, "no longer
supplies"); alleged, planned and conditional events are left to the brief."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from nexus.relations.domains import State, event_domains, knowledge
from nexus.relations.model import Mention, MergedEvent, RelationshipPeriod

Key = tuple[str, str, str, str]  # source, target, domain, state


def dated_report(event: MergedEvent) -> Mention | None:
    """The report that gives the event its date (the earliest dated one)."""
    dated = [m for m in event.mentions if m.event_date is not None]
    return min(dated, key=lambda m: m.event_date or date.min) if dated else None


def date_label(event: MergedEvent) -> str:
    """The event's date as coded ("2022", "2025-03", "2024-09-10")."""
    m = dated_report(event)
    if m is None or m.event_date is None:
        return "an unknown date"
    return m.date_value or m.event_date.isoformat()


def latest_day(event: MergedEvent) -> date | None:
    """The last day the event's date may mean: "in 2022" may be December 2022, so a lapse is
    counted from there, not from 1 January."""
    m = dated_report(event)
    if m is None or m.event_date is None:
        return None
    d = m.event_date
    if m.date_precision == "year":
        return date(d.year, 12, 31)
    if m.date_precision == "month":
        return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
    if m.date_precision == "week":
        return d + timedelta(days=6)
    return d


@dataclass
class _Building:
    key: Key
    state: State
    events: list[MergedEvent] = field(default_factory=list)
    last_day: date = date.min  # the latest day any of its evidence may mean
    closed_by: MergedEvent | None = None

    def add(self, event: MergedEvent) -> None:
        self.events.append(event)
        self.last_day = max(self.last_day, latest_day(event) or date.min)

    def lapsed_by(self, day: date) -> bool:
        return (day - self.last_day).days > self.state.lapse_days

    def holds_on(self, day: date) -> bool:
        """Whether the state held on `day` (for undated events reported that day)."""
        start = self.events[0].event_date or date.max
        limit = (self.closed_by.event_date or date.max) if self.closed_by else \
            self.last_day + timedelta(days=self.state.lapse_days)
        return start <= day <= limit


def _order(event: MergedEvent) -> tuple[date, str]:
    return (event.event_date or event.first_report.published or date.max, event.merged_id)


def _freeze(b: _Building, as_of: date, undated: Sequence[MergedEvent]) -> RelationshipPeriod:
    source, target, domain, _ = b.key
    dated = b.events
    last = dated[-1]
    if b.closed_by is not None:
        end, is_open = b.closed_by.event_date, False
        why: str | None = f"closed by {b.closed_by.plover_type} on {date_label(b.closed_by)}"
    elif b.lapsed_by(as_of):
        end, is_open = last.event_date, False
        why = f"no new evidence after {date_label(last)}"
    else:
        end, is_open, why = last.event_date, True, None
    return RelationshipPeriod(
        source=source, target=target, domain=domain, state=b.state.key, label=b.state.label,
        start=dated[0].event_date, end=end, is_open=is_open,
        events=tuple(sorted([*dated, *undated], key=_order)), closed_by=b.closed_by, why_closed=why)


def relationship_periods(merged: Sequence[MergedEvent], as_of: date | None = None) -> list[RelationshipPeriod]:
    """The periods of every state each directed dyad held, by domain (see the module doc).

    `as_of` is the day periods are judged open or lapsed: by default the latest event date in
    `merged`; events dated after it are left out. Undated asserted events join the period
    that held on their document's date, if one did, and are otherwise ignored here. Sorted by
    source, target, domain, start (then state)."""
    dates = [e.event_date for e in merged if e.event_date is not None]
    if as_of is None:
        if not dates:
            return []
        as_of = max(dates)
    states = knowledge().states
    asserted = [e for e in merged if e.asserted and e.plover_type]
    timeline = sorted((e for e in merged if e.event_date is not None and e.event_date <= as_of), key=_order)

    current: dict[Key, _Building] = {}
    done: list[_Building] = []
    for event in timeline:
        day = event.event_date
        assert day is not None
        source, target = event.first_report.dyad
        domains = event_domains(event)
        for state in states:
            for domain in state.domains_for(domains):
                # Closing first: "halted deliveries" ends a period, it does not extend it.
                rule = state.closer(event)
                if rule is not None:
                    keys = [(source, target, domain, state.key)]
                    if rule.by == "either":
                        keys.append((target, source, domain, state.key))
                    for key in keys:
                        b = current.get(key)
                        if b is not None and not b.lapsed_by(day):
                            b.closed_by = event
                            done.append(current.pop(key))
                    continue
                if not (event.asserted and state.opened_by(event)):
                    continue
                key = (source, target, domain, state.key)
                b = current.get(key)
                if b is not None and b.lapsed_by(day):
                    done.append(current.pop(key))
                    b = None
                if b is None:
                    b = current[key] = _Building(key, state)
                b.add(event)
    done.extend(current.values())

    # Undated asserted events: cited by the period that held on their document's date.
    attached: dict[int, list[MergedEvent]] = {}
    for event in asserted:
        published = event.first_report.published
        if event.event_date is not None or published is None or published > as_of:
            continue
        source, target = event.first_report.dyad
        domains = event_domains(event)
        for i, b in enumerate(done):
            s, t, domain, _ = b.key
            if ((s, t) == (source, target) and domain in b.state.domains_for(domains)
                    and b.state.closer(event) is None and b.state.opened_by(event) and b.holds_on(published)):
                attached.setdefault(i, []).append(event)

    periods = [_freeze(b, as_of, attached.get(i, [])) for i, b in enumerate(done)]
    return sorted(periods, key=lambda p: (p.source, p.target, p.domain, p.start or date.min, p.state,
                                          p.events[0].merged_id))
