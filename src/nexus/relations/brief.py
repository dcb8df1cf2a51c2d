"""A sourced brief on a relationship: what an analyst reads first, built from the data alone.

    build_brief(relationship) -> Brief   sections of statements, each with its citations
    render_markdown(brief) -> str        every statement ends with [n] markers; sources listed last
    render_html(brief) -> str            the same through an autoescaped Jinja2 template

Only asserted events are ever stated as fact (CONTRACT.md). Everything else goes to a section of
its own (alleged, denied or ruled out, planned or promised, conditional or speculated), each
statement opening with its marker ("Alleged (by X): ...") and quoting the sentence it rests on.
Statements of fact never quote the sources' sentences: they are worded from the event's PLOVER
type and CAMEO name, so what a sentence only claims cannot slip into them.

The wording is templated (no language model); see `nexus.relations.llm` for an optional
rewrite into prose, which is only ever appended after this brief.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, FunctionLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from nexus.datafiles import load_yaml
from nexus.relations.model import (
    ASSERTED,
    Change,
    Citation,
    Exchange,
    Mention,
    MergedEvent,
    Relationship,
    RelationshipPeriod,
)

# --- the structure -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statement:
    """One sentence of the brief: its words (without citation markers) and the sentences of
    the sources it rests on (never empty)."""

    text: str
    citations: tuple[Citation, ...]
    factuality: str = ASSERTED  # of what the statement says happened; "quote" for key quotes
    event_ids: tuple[str, ...] = ()  # the mentions (coded events) it rests on

    def __post_init__(self) -> None:
        if not self.citations:
            raise ValueError(f"a statement needs at least one citation: {self.text!r}")


@dataclass(frozen=True, slots=True)
class Section:
    key: str  # "relationship", "exchanges", "timeline", "alleged", "negated", "future", ...
    title: str
    statements: tuple[Statement, ...]
    groups: tuple[tuple[str, tuple[Statement, ...]], ...] = ()  # sub-headings (domains), if any

    def all_statements(self) -> tuple[Statement, ...]:
        return self.statements + tuple(s for _, group in self.groups for s in group)


@dataclass(frozen=True, slots=True)
class Scope:
    a: str
    b: str
    a_name: str
    b_name: str
    date_from: date | None  # asked for
    date_to: date | None
    first: str | None  # earliest and latest evidence dates, as coded
    last: str | None
    n_documents: int
    n_mentions: int
    n_merged: int
    n_outlets: int
    by_factuality: dict[str, int]  # merged events per factuality

    @property
    def text(self) -> str:
        """The scope line: actors, dates and counts (it cites nothing: it counts)."""
        period = (f"{_day(self.date_from) or 'the start'} to {_day(self.date_to) or 'the latest'}"
                  if self.date_from or self.date_to else "all dates")
        evidence = (f" (evidence dated {self.first} to {self.last})" if self.first and self.first != self.last
                    else f" (evidence dated {self.first})" if self.first else "")
        facts = ", ".join(f"{n} {FACT_WORDS.get(f, f)}" for f, n in self.by_factuality.items() if n)
        return (f"Scope: {self.a_name} ({self.a}) and {self.b_name} ({self.b}), {period}{evidence}: "
                f"{_n(self.n_documents, 'document')}, {_n(self.n_mentions, 'coded event')} "
                f"(mentions), {_n(self.n_merged, 'merged event')}{f' ({facts})' if facts else ''}, "
                f"from {_n(self.n_outlets, 'outlet')}. Only asserted events are stated as fact; "
                "the rest is marked as alleged, denied, planned or conditional.")


@dataclass(frozen=True, slots=True)
class Brief:
    title: str
    scope: Scope
    sections: tuple[Section, ...]
    citations: tuple[Citation, ...]  # numbered from 1 in order of first use
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {c.key: i for i, c in enumerate(self.citations, 1)})

    def number(self, citation: Citation) -> int:
        return self._index[citation.key]

    def numbers(self, statement: Statement) -> list[int]:
        return sorted({self._index[c.key] for c in statement.citations})

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: statements with the numbers of their citations, citations numbered."""
        def statement(s: Statement) -> dict[str, Any]:
            return {"text": s.text, "cites": self.numbers(s), "factuality": s.factuality}

        return {
            "title": self.title, "scope": self.scope.text,
            "sections": [{"key": sec.key, "title": sec.title,
                          "statements": [statement(s) for s in sec.statements],
                          "groups": [{"title": t, "statements": [statement(s) for s in g]}
                                     for t, g in sec.groups]} for sec in self.sections],
            "citations": [{"n": i, "key": c.key, "doc_id": c.doc_id, "sentence_idx": c.sentence_idx,
                           "title": c.title, "date": _day(c.published), "url": c.url, "sentence": c.sentence}
                          for i, c in enumerate(self.citations, 1)],
        }


# --- wording -------------------------------------------------------------------------------------

#: How a factuality reads in counts and markers. Never "happened" for anything but asserted.
FACT_WORDS = {"asserted": "asserted", "alleged": "alleged", "negated": "denied or ruled out",
              "future": "planned or promised", "hypothetical": "conditional or speculated"}
SECTION_TITLES = {"alleged": "Alleged, not established", "negated": "Denied or ruled out",
                  "future": "Planned or promised", "hypothetical": "Conditional or speculated"}
FACT_ORDER = ("asserted", "alleged", "negated", "future", "hypothetical")

@dataclass(frozen=True, slots=True)
class Wording:
    """relations/data/wording.yaml: verb phrases by PLOVER type, names that take "the", and
    speakers' opening words."""

    type_verbs: dict[str, tuple[str, str]]  # PLOVER type -> (past, to-infinitive stem)
    the_words: frozenset[str]
    opening_words: frozenset[str]


@cache
def wording() -> Wording:
    raw = load_yaml(resources.files("nexus.relations").joinpath("data/wording.yaml").read_text(encoding="utf-8"))
    return Wording(type_verbs={str(k): (str(v[0]), str(v[1])) for k, v in raw["type_verbs"].items()},
                   the_words=frozenset(map(str, raw["the_words"])),
                   opening_words=frozenset(str(w).lower() for w in raw["opening_words"]))


_QUOTE_MARKS = ('"', "“", "”", "«", "»", "„")

Names = dict[str, str]


def actor_name(key: str | None, names: Names) -> str:
    """A readable name for an actor key: the gazetteer's ("the United States"), else the key."""
    if not key:
        return "an unnamed actor"
    name = names.get(key) or _canonical().get(key) or key
    return f"the {name}" if wording().the_words & set(name.split()) and not name.lower().startswith("the ") else name


def _canonical() -> Names:
    from nexus.actors.gazetteer import canonical_names

    return canonical_names()


def _side(m: Mention) -> tuple[str, str]:
    return m.dyad


def _detail(m: Mention) -> str:
    """The CAMEO name, lower case, without its own parentheses: "provide military aid"."""
    name = re.sub(r"\s*\([^)]*\)", "", m.cameo_name or "").strip().lower()
    return name or m.plover_type.lower()


def _clean(text: str | None) -> str:
    """Text from the store on one line (a newline in an article cannot start a heading)."""
    return " ".join((text or "").split())


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _n(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def event_phrase(m: Mention, names: Names, form: str = "past", *, both: bool = False) -> str:
    """Who did what to whom: "Iran gave aid to Russia (provide military aid)". `form` "past"
    for what happened (or is claimed to have), "to" for what is planned, ruled out or
    conditional ("Russia to give aid to Iran"); `both`: the two sides toward each other."""
    past, stem = wording().type_verbs.get(m.plover_type, (f"acted ({m.plover_type.lower()}) toward",
                                                f"act ({m.plover_type.lower()}) toward"))
    source, target = _side(m)
    who = f"{actor_name(source, names)} and {actor_name(target, names)}" if both else actor_name(source, names)
    whom = "each other" if both else actor_name(target, names) if target else "others"
    verb = past if form == "past" else f"to {stem}"
    return f"{who} {verb} {whom} ({_detail(m)})"


def when(event: MergedEvent) -> str:
    """The event's date as coded ("2023-08", "2024-09-10"), the earliest report's; else
    "undated"."""
    dated = [m for m in event.mentions if m.event_date is not None]
    if not dated:
        return "undated"
    first = min(dated, key=lambda m: (m.event_date, -len(m.date_value or "")))
    return first.date_value or first.event_date.isoformat()  # type: ignore[union-attr]


def _speaker(text: str) -> str:
    first, _, rest = text.partition(" ")
    return f"{first.lower()} {rest}".strip() if first.lower() in wording().opening_words else text


def _attributions(mentions: Iterable[Mention]) -> list[str]:
    seen: list[str] = []
    for m in mentions:
        text = _speaker(_clean(m.attribution_text))
        if text:
            label = f"{text} ({m.attribution_code})" if m.attribution_code and m.attribution_code not in text else text
            if label not in seen:
                seen.append(label)
    return seen


def marker(event: MergedEvent) -> str:
    """How a statement about a non-asserted event opens: "Alleged (by X)", "Denied or ruled
    out (according to X)", "Planned or promised", "Conditional or speculated"."""
    who = _attributions(event.mentions)
    if event.factuality == "alleged":
        return f"Alleged (by {'; '.join(who)})" if who else "Alleged (source not named)"
    head = _sentence_case(FACT_WORDS.get(event.factuality, event.factuality))
    return f"{head} (according to {'; '.join(who)})" if who else head


def _quote(event: MergedEvent) -> str:
    return f"“{_clean(event.representative.sentence)}”"


def _ids(events: Iterable[MergedEvent]) -> tuple[str, ...]:
    return tuple(m.event_id for e in events for m in e.mentions)


def _cites(events: Iterable[MergedEvent]) -> tuple[Citation, ...]:
    out: dict[str, Citation] = {}
    for e in events:
        for m in e.mentions:
            out.setdefault(m.citation.key, m.citation)
    return tuple(out.values())


def _reports(events: Sequence[MergedEvent]) -> str:
    docs = {m.doc_id for e in events for m in e.mentions}
    outlets = {m.outlet for e in events for m in e.mentions}
    return f"{_n(len(docs), 'report')}, {_n(len(outlets), 'outlet')}"


def _according(events: Sequence[MergedEvent]) -> str:
    who = _attributions(m for e in events for m in e.mentions)
    return f", according to {'; '.join(who)}" if who else ""


def non_fact_statement(event: MergedEvent, names: Names) -> Statement:
    """A statement about what is not asserted, worded so that it never reads as fact: its
    marker, the claim, its date and the source's own sentence."""
    m = event.representative
    phrase = event_phrase(m, names, "past" if event.factuality == "alleged" else "to")
    text = f"{marker(event)}: {phrase}, {when(event)}; the source: {_quote(event)}"
    return Statement(text, _cites([event]), event.factuality, _ids([event]))


# --- sections --------------------------------------------------------------------------------


def _verb_forms(label: str) -> tuple[str, str] | None:
    """("has supplied arms to", "supplied arms to") for "supplies arms to"; None where the
    label does not start with a verb in the third person."""
    first, _, rest = label.strip().partition(" ")
    irregular = {"is": ("has been", "was"), "has": ("has had", "had"), "holds": ("has held", "held"),
                 "sends": ("has sent", "sent"), "gives": ("has given", "gave"), "sells": ("has sold", "sold"),
                 "buys": ("has bought", "bought"), "fights": ("has fought", "fought"),
                 "meets": ("has met", "met"), "builds": ("has built", "built"), "leads": ("has led", "led"),
                 "keeps": ("has kept", "kept"), "seeks": ("has sought", "sought"), "makes": ("has made", "made"),
                 "wages": ("has waged", "waged"), "lends": ("has lent", "lent"), "takes": ("has taken", "took"),
                 "does": ("has done", "did"), "shares": ("has shared", "shared")}
    word = first.lower()
    if word in irregular:
        perfect, past = irregular[word]
    elif not word.isalpha() or not word.endswith("s") or word.endswith("ss") or len(word) < 3:
        return None
    else:
        if word.endswith("ies"):
            stem = word[:-3] + "i"
        elif word.endswith(("ches", "shes", "sses", "xes", "zes")):
            stem = word[:-2]
        else:
            stem = word[:-1]
        past = stem + ("d" if stem.endswith("e") else "ed")
        perfect = "has " + past
    tail = f" {rest}" if rest else ""
    return perfect + tail, past + tail


def _at(d: date | None, events: Sequence[MergedEvent]) -> str:
    """A period bound as precisely as its evidence was coded ("2022", not "2022-01-01")."""
    if d is None:
        return "an unknown date"
    for e in events:
        for m in e.mentions:
            if m.event_date == d and m.date_value:
                return m.date_value
    return d.isoformat()


def period_statement(p: RelationshipPeriod, names: Names, twin: RelationshipPeriod | None = None) -> Statement | None:
    """"Iran has supplied arms to Russia since 2022"; with `twin` (the same state the other
    way, on the same evidence), "China and India held talks with each other in 2019-10"."""
    periods = [p] if twin is None else [p, twin]
    events = [e for q in periods for e in q.events if e.asserted]
    if not events:
        return None  # nothing asserted holds it up: not stated
    closers = [q.closed_by for q in periods if q.closed_by is not None]
    if twin is None:
        source, target = actor_name(p.source, names), actor_name(p.target, names)
    else:
        source, target = f"{actor_name(p.source, names)} and {actor_name(p.target, names)}", "each other"
    forms = _verb_forms(p.label)
    if forms and twin is not None and forms[0].startswith("has "):
        forms = ("have " + forms[0][4:], forms[1])
    start = _at(p.start, events)
    latest = max((e.event_date for e in events if e.event_date), default=None)
    last = _at(latest, events) if latest else None
    count = f"{_n(len(events), 'asserted event')}" + (f", latest {last}" if last and last != start else "")
    on = f"{'on' if len(start) == 10 else 'in'} {start}"
    if p.is_open:
        text = (f"{source} {forms[0]} {target} since {start}" if forms
                else f"{source} {p.label} {target} {on}, with no later evidence against it")
        text += f" ({p.domain}; {count})"
    else:
        end = _at(p.end, [*events, *closers])
        if forms:
            text = f"{source} {forms[1]} {target} " + (on if end == start else f"from {start} to {end}")
        else:
            text = f"{source} {p.label} {target} {on}" + ("" if end == start else f", which held until {end}")
        why = _clean(p.why_closed) or "no later evidence"
        if closers and closers[0].asserted and twin is None:
            why += f": {event_phrase(closers[0].representative, names)}"
        elif closers and not closers[0].asserted:  # "no longer supplies": a negated event may close a period
            why += (f" (the closing report is marked {FACT_WORDS.get(closers[0].factuality, closers[0].factuality)}: "
                    f"{_quote(closers[0])})")
        text += f" ({p.domain}; {count}); it ended: {why}"
    fact = ASSERTED if all(e.asserted for e in closers) else "mixed"
    return Statement(text, _cites([*events, *closers]), fact, _ids([*events, *closers]))


def _paired(periods: Sequence[RelationshipPeriod],
            first: str | None) -> list[tuple[RelationshipPeriod, RelationshipPeriod | None]]:
    """Periods by domain and date, a period paired with its twin: the same state the other way
    over the same dates on the same evidence (both sides held talks). Linear: found by key."""
    def key(p: RelationshipPeriod, reverse: bool) -> tuple[Any, ...]:
        return ((p.target, p.source) if reverse else (p.source, p.target), p.domain, p.state, p.start, p.end,
                p.is_open, frozenset(c.key for c in _cites(p.events)))

    ordered = sorted(periods, key=lambda p: (p.domain, p.start or date.min, p.state, p.source != first,
                                             p.source, p.target))
    waiting: dict[tuple[Any, ...], list[int]] = {}
    for i, p in enumerate(ordered):
        waiting.setdefault(key(p, False), []).append(i)
    out: list[tuple[RelationshipPeriod, RelationshipPeriod | None]] = []
    used: set[int] = set()
    for i, p in enumerate(ordered):
        if i in used:
            continue
        used.add(i)
        twins = [j for j in waiting.get(key(p, True), []) if j not in used] if p.source != p.target else []
        if twins:
            used.add(twins[0])
        out.append((p, ordered[twins[0]] if twins else None))
    return out


def _leg(event: MergedEvent, names: Names) -> str:
    phrase = f"{event_phrase(event.representative, names)}, {when(event)}"
    if event.asserted:
        return phrase
    head = marker(event)
    return f"{phrase}, which is {head[0].lower()}{head[1:]}: {_quote(event)}"


def exchange_statement(x: Exchange, names: Names) -> Statement:
    legs = (x.give, x.take)
    tie = f"tied by {_clean(x.reason)}" if x.tie == "text" else f"tied by timing: {_clean(x.reason)}"
    body = f"{_leg(x.give, names)}, and in return {_leg(x.take, names)}; {tie}"
    if all(e.asserted for e in legs):
        return Statement(_sentence_case(body), _cites(legs), ASSERTED, _ids(legs))
    weakest = next(e for e in legs if not e.asserted)
    who = _attributions(m for e in legs if not e.asserted for m in e.mentions)
    head = "Claimed exchange, not established" + (f" (claimed by {'; '.join(who)})" if who else "")
    return Statement(f"{head}: {body}", _cites(legs), weakest.factuality, _ids(legs))


def _collapsed(events: Sequence[MergedEvent]) -> list[tuple[list[MergedEvent], bool]]:
    """Timeline rows: two events the same sentences report of both sides toward each other
    ("the two leaders held talks") make one row. Linear: twins are found by key."""
    def key(e: MergedEvent, reverse: bool) -> tuple[Any, ...]:
        s, t = _side(e.representative)
        return ((t, s) if reverse else (s, t), e.plover_type, e.representative.cameo_code, when(e),
                frozenset(c.key for c in e.citations))

    waiting: dict[tuple[Any, ...], list[int]] = {}
    for i, e in enumerate(events):
        waiting.setdefault(key(e, False), []).append(i)
    rows: list[tuple[list[MergedEvent], bool]] = []
    used: set[int] = set()
    for i, e in enumerate(events):
        if i in used:
            continue
        used.add(i)
        own = key(e, False)
        twins = [j for j in waiting.get(key(e, True), []) if j not in used] if own[0][0] != own[0][1] else []
        if twins:
            used.add(twins[0])
            rows.append(([e, events[twins[0]]], True))
        else:
            rows.append(([e], False))
    return rows


def _by_date(events: Iterable[MergedEvent]) -> list[MergedEvent]:
    return sorted(events, key=lambda e: (e.event_date is None, e.event_date or date.min, e.merged_id))


def timeline_statements(merged: Sequence[MergedEvent], names: Names, first: str | None = None) -> list[Statement]:
    """One statement per asserted event in date order; `first`: the side to name first when
    both act toward each other."""
    out = []
    for group, both in _collapsed(_by_date(e for e in merged if e.asserted)):
        lead = group[0]
        if both and first is not None:  # name the two sides in the dyad's order
            lead = next((e for e in group if _side(e.representative)[0] == first), lead)
        text = (f"{when(lead)}: {_sentence_case(event_phrase(lead.representative, names, both=both))}"
                f"{_according(group)}; {_reports(group)}")
        out.append(Statement(text, _cites(group), ASSERTED, _ids(group)))
    return out


def change_statement(c: Change, names: Names) -> Statement | None:
    drivers = list(c.drivers)
    if not drivers:
        return None  # nothing to cite
    source, target = actor_name(c.source, names), actor_name(c.target, names)

    def side(s: Any) -> str:
        g = "" if s.mean_goldstein is None else f", mean Goldstein {s.mean_goldstein:+.1f}"
        return f"{_n(s.n_events, 'event')} from {s.start.isoformat()} to {s.end.isoformat()}{g}"

    named = []
    for e in drivers:
        phrase = f"{event_phrase(e.representative, names)} ({when(e)})"
        named.append(phrase if e.asserted else f"{marker(e)}: {phrase}")
    text = (f"{_sentence_case(source)} toward {target}, from {c.at.isoformat()}: {_clean(c.summary)} "
            f"(before: {side(c.before)}; after: {side(c.after)}; permutation test p = {c.p_value:.3f}); "
            f"driven by: {'; '.join(named)}")
    facts = {e.factuality for e in drivers}
    return Statement(text, _cites(drivers), ASSERTED if facts == {ASSERTED} else "mixed", _ids(drivers))


def merge_statement(event: MergedEvent, names: Names) -> Statement:
    """Why reports in several documents were taken for one event: the first report, the
    outlets, and the tests each later report passed (merge.MergeLink)."""
    phrase = event_phrase(event.representative, names, "past" if event.asserted else "to")
    head = _sentence_case(phrase) if event.asserted else f"{marker(event)}: {phrase}"
    first = event.first_report
    published = f" on {first.published.isoformat()}" if first.published else ""
    reasons = sorted({r for link in event.links for r in link.reasons})
    why = f"; merged because: {'; '.join(reasons)}" if reasons else ""
    text = (f"{head}, {when(event)}: {_n(len({m.doc_id for m in event.mentions}), 'report')} from "
            f"{_n(event.n_outlets, 'outlet')}, first reported by {first.outlet.removeprefix('doc:')}{published}{why}")
    return Statement(text, _cites([event]), event.factuality, _ids([event]))


def reaction_statement(e: MergedEvent, names: Names) -> Statement:
    if not e.asserted:
        return non_fact_statement(e, names)
    text = (f"{when(e)}: {_sentence_case(event_phrase(e.representative, names))}{_according([e])}; "
            f"{_reports([e])}")
    return Statement(text, _cites([e]), ASSERTED, _ids([e]))


def quote_statements(mentions: Sequence[Mention]) -> list[Statement]:
    """Sentences of the dyad's evidence with quotation marks, with who says so where known."""
    by_sentence: dict[str, list[Mention]] = {}
    for m in mentions:
        if any(q in m.sentence for q in _QUOTE_MARKS):
            by_sentence.setdefault(m.citation.key, []).append(m)
    out = []
    for group in by_sentence.values():
        who = _attributions(group)
        text = _clean(group[0].sentence) + (f" (speaker: {'; '.join(who)})" if who else "")
        out.append(Statement(text, (group[0].citation,), "quote", tuple(m.event_id for m in group)))
    return out


# --- the brief -----------------------------------------------------------------------------------


def _key(rel: Relationship, code: str) -> str:
    """The side key (as `Mention.dyad` gives it) of an actor the relationship was asked for."""
    for m in rel.mentions:
        for side, own, country in ((0, m.source_code, m.source_country), (1, m.target_code, m.target_country)):
            if code in (own, country):
                return m.dyad[side]
    return code


def _names_for(rel: Relationship, names: Names | None) -> Names:
    out = dict(_canonical())
    out.update(names or {})
    return out


def build_brief(rel: Relationship, names: Names | None = None) -> Brief:
    """The brief on `rel`, from its records alone (deterministic). `names`: actor key ->
    readable name (e.g. `nexus.analysis.actor_labels`), over the gazetteer's."""
    names = _names_for(rel, names)
    merged = list(rel.merged)
    sections: list[Section] = []

    domains: dict[str, list[Statement]] = {}
    first = _key(rel, rel.a)
    for p, twin in _paired(rel.periods, first):
        s = period_statement(p, names, twin)
        if s is not None:
            domains.setdefault(p.domain, []).append(s)
    if domains:
        sections.append(Section("relationship", "The relationship by domain", (),
                                tuple((_sentence_case(d), tuple(ss)) for d, ss in domains.items())))

    exchanges = tuple(exchange_statement(x, names) for x in rel.exchanges)
    if exchanges:
        sections.append(Section("exchanges", "Exchanges", exchanges))

    timeline = tuple(timeline_statements(merged, names, _key(rel, rel.a)))
    if timeline:
        sections.append(Section("timeline", "Timeline of asserted events", timeline))

    for fact in FACT_ORDER[1:]:
        claimed = tuple(non_fact_statement(e, names) for e in _by_date(e for e in merged if e.factuality == fact))
        if claimed:
            sections.append(Section(fact, SECTION_TITLES[fact], claimed))
    others = sorted({e.factuality for e in merged} - set(FACT_ORDER))
    for fact in others:  # a factuality this module does not know: never as fact
        claimed = tuple(non_fact_statement(e, names) for e in _by_date(e for e in merged if e.factuality == fact))
        sections.append(Section(fact, f"Marked {fact}", claimed))

    changes = tuple(s for s in (change_statement(c, names) for c in rel.changes) if s is not None)
    if changes:
        sections.append(Section("changes", "Changes over time", changes))

    reactions = tuple(reaction_statement(e, names) for e in _by_date(rel.reactions))
    if reactions:
        sections.append(Section("reactions", "Third parties' reactions", reactions))

    merges = tuple(merge_statement(e, names) for e in _by_date(merged) if len({m.doc_id for m in e.mentions}) > 1)
    if merges:
        sections.append(Section("merges", "Reports merged into one event", merges))

    quotes = tuple(quote_statements(rel.mentions))
    if quotes:
        sections.append(Section("quotes", "Key quotes", quotes))

    citations: dict[str, Citation] = {}
    for sec in sections:
        for st in sec.all_statements():
            for c in st.citations:
                citations.setdefault(c.key, c)

    a_name, b_name = actor_name(rel.a, names), actor_name(rel.b, names)
    dated = sorted((m.event_date, m.date_value or m.event_date.isoformat())
                   for m in rel.mentions if m.event_date is not None)
    counts = {f: sum(1 for e in merged if e.factuality == f) for f in (*FACT_ORDER, *others)}
    scope = Scope(a=rel.a, b=rel.b, a_name=a_name, b_name=b_name, date_from=rel.start, date_to=rel.end,
                  first=dated[0][1] if dated else None, last=dated[-1][1] if dated else None,
                  n_documents=len({m.doc_id for m in rel.mentions}), n_mentions=len(rel.mentions),
                  n_merged=len(merged), n_outlets=len({m.outlet for m in rel.mentions}), by_factuality=counts)
    return Brief(title=f"{_sentence_case(a_name)} and {b_name}: relationship brief", scope=scope,
                 sections=tuple(sections), citations=tuple(citations.values()))


# --- Markdown --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*\[\]<>])")


def md_escape(text: str | None) -> str:
    """Text from the sources made inert in Markdown: on one line, with the characters that
    would make links, emphasis, raw HTML or citation markers backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", _clean(text))


def md_unescape(text: str) -> str:
    return re.sub(r"\\([\\`*\[\]<>])", r"\1", text)


def citation_line(n: int, c: Citation) -> str:
    parts = [md_escape(c.title or c.doc_id)]
    if c.published:
        parts.append(c.published.isoformat())
    if c.url:
        parts.append(md_escape(c.url))
    parts.append(md_escape(c.key))
    return f"[{n}] {', '.join(parts)}: “{md_escape(c.sentence)}”"


def render_markdown(brief: Brief) -> str:
    lines = [f"# {md_escape(brief.title)}", "", md_escape(brief.scope.text), ""]

    def statement(st: Statement) -> str:
        return f"- {md_escape(st.text)} " + "".join(f"[{n}]" for n in brief.numbers(st))

    for sec in brief.sections:
        lines += [f"## {sec.title}", ""]
        lines += [statement(st) for st in sec.statements]
        for title, group in sec.groups:
            lines += [f"### {md_escape(title)}", ""] + [statement(st) for st in group] + [""]
        if sec.statements:
            lines.append("")
    lines += ["## Sources", ""]
    lines += [citation_line(n, c) for n, c in enumerate(brief.citations, 1)]
    return "\n".join(lines).rstrip() + "\n"


# --- HTML --------------------------------------------------------------------------------------


def _template(name: str) -> str | None:
    path = resources.files("nexus.relations").joinpath("templates", name)
    return path.read_text(encoding="utf-8") if path.is_file() else None


_env = Environment(loader=FunctionLoader(_template), autoescape=select_autoescape(default=True, default_for_string=True),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def safe_url(url: str | None) -> str | None:
    """A source's url for an href: http(s) only (never javascript: and the like)."""
    url = (url or "").strip()
    return url if re.match(r"^https?://[^\s\"'<>]+$", url, re.IGNORECASE) else None


def render_html(brief: Brief, *, standalone: bool = True,
                doc_url: Callable[[str, int], str] | None = None,
                appendix: Sequence[tuple[str, str]] = ()) -> str:
    """The brief as HTML: a whole page (`standalone`), or the fragment the workbench puts in
    its layout. `doc_url(doc_id, sentence_idx)` links each source to its sentence (the
    workbench's document page); `appendix` adds (heading, plain text) sections at the end.
    Every piece of text is escaped by the template."""
    body = _env.get_template("brief.html").render(
        brief=brief, doc_url=doc_url, safe_url=safe_url, appendix=list(appendix),
        paragraphs=lambda text: [p for p in re.split(r"\n\s*\n", text) if p.strip()])
    if not standalone:
        return body
    return _env.get_template("brief_page.html").render(title=brief.title, body=Markup(body))
