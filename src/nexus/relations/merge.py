"""One event, many reports: mentions of the same event (same directed dyad, PLOVER type and
factuality, compatible dates, similar evidence) become one `MergedEvent`.

The rules, in the order they are tested for a pair of mentions:

1. Same group: the same directed dyad (`Mention.dyad`, by country: USAGOV and USA are one
   side), the same PLOVER type and the same factuality. A denial is not a report of the event,
   a reply is not the act it answers: nothing else ever merges.
2. Same sentence of the same document: always one event (the coder may code one sentence
   twice, as IRNMIL->RUS and IRN->RUS).
3. Dates, with their precision (`event_date` is the first day of the period):
   - day and day: at most `max_days` apart;
   - a month or a year: its period must contain or overlap the other's;
   - no date in the text (dated from the publication, or not at all): the event lies in the
     `undated_window_days` before publication, and only near-identical wording can join it.
   Dates clearly apart never merge, whatever the wording.
4. Evidence: a word-overlap similarity of the two sentences (`similarity`), at least the
   threshold that the dates call for. When one sentence says nothing beyond its actors, verb and
   date, there is nothing to compare and day-precise dates at most a day apart decide.

Clustering is complete linkage: a mention joins a cluster only if it is compatible with every
member, so two unrelated reports are never chained through a third. Mentions are taken in
report order (`report_key`) and each joins the compatible cluster with the most similar member
(earliest cluster on ties): the result depends only on the set of mentions."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources

from nexus.actors.gazetteer import country_surfaces
from nexus.relations.model import Mention, MergedEvent, MergeLink


@dataclass(frozen=True, slots=True)
class MergeConfig:
    """The thresholds of `merge_mentions`."""

    max_days: int = 3
    """Day-precise dates at most this many days apart may be one event: reports of one event
    differ by a day or two (time zones, "on Tuesday" against the wire's dateline)."""

    min_similarity: float = 0.2
    """Evidence similarity needed when both dates are day-precise and close: the dates already
    say much, the words need only show the same object (one shared content word of a short
    sentence is enough, a shared verb alone is not: triggers are not compared)."""

    coarse_similarity: float = 0.3
    """Evidence similarity needed when a date is a month or a year that contains or overlaps
    the other: the dates say less, the words must say more."""

    undated_similarity: float = 0.5
    """Evidence similarity needed when a mention has no date in its text: only near-identical
    wording (the same wire copy, a close paraphrase) joins it."""

    undated_window_days: int = 14
    """A mention without a date in its text is taken to report an event from at most this many
    days before its publication."""

    strong_weight: float = 2.0
    """Weight of a strong token (a number, a capitalised name: "Shahed", "130") against 1 for an
    ordinary content word: sharing a name says more than sharing "military"."""


# A date's precision, from the length of its value where the precision is missing.
_DAY, _UNDATED = "day", "undated"
_PRECISION_BY_LENGTH = {10: "day", 7: "month", 4: "year"}
_MONTHS = frozenset({"january", "february", "march", "april", "may", "june", "july", "august", "september",
                     "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
                     "sept", "oct", "nov", "dec"})


# ---------------------------------------------------------------------------------------------
# Dates


@dataclass(frozen=True, slots=True)
class _When:
    """When a mention says its event happened: a period [start, end], or a window before the
    publication for an undated mention (start/end None where nothing is known)."""

    start: date | None
    end: date | None
    precision: str  # "day", "month", "year", ... or "undated"
    label: str  # "2023-09-12 (day)", "undated, published 2023-09-14"

    @property
    def dated(self) -> bool:
        return self.precision != _UNDATED


def _period_end(start: date, precision: str) -> date:
    if precision == "month":
        return _month_end(start)
    if precision == "year":
        return date(start.year, 12, 31)
    if precision == "decade":
        return date(start.year + 9, 12, 31)
    if precision == "quarter":
        return _month_end(date(start.year, min(start.month + 2, 12), 1))
    if precision == "week":
        return start + timedelta(days=6)
    return start


def _month_end(d: date) -> date:
    following = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _when(m: Mention, config: MergeConfig) -> _When:
    precision = m.date_precision or _PRECISION_BY_LENGTH.get(len(m.date_value or ""), _DAY)
    if m.event_date is not None and m.date_basis not in ("publication", "unknown") and precision != "unknown":
        end = _period_end(m.event_date, precision)
        shown = m.date_value or m.event_date.isoformat()
        return _When(m.event_date, end, precision, f"{shown} ({precision})")
    # No date in the text: the event was reported on publication, so it happened shortly before.
    reported = m.published or m.event_date
    if reported is None:
        return _When(None, None, _UNDATED, "undated")
    return _When(reported - timedelta(days=config.undated_window_days),
                 reported + timedelta(days=config.max_days), _UNDATED, f"undated, published {reported.isoformat()}")


@dataclass(frozen=True, slots=True)
class _DateTest:
    ok: bool
    reason: str
    needs: float  # the evidence similarity these dates call for
    day_gap: int | None  # days apart when both are day-precise


def _compare_dates(a: _When, b: _When, config: MergeConfig) -> _DateTest:
    if a.precision == _DAY and b.precision == _DAY and a.start is not None and b.start is not None:
        gap = abs((a.start - b.start).days)
        if gap > config.max_days:
            return _DateTest(False, f"dates {gap} days apart (more than {config.max_days})", 0.0, gap)
        apart = f"dates {gap} day{'s' * (gap != 1)} apart (day precision)"
        reason = f"same day {a.start.isoformat()}" if gap == 0 else apart
        return _DateTest(True, reason, config.min_similarity, gap)
    if a.start is None or b.start is None or a.end is None or b.end is None:
        # Nothing known about one of them (undated, unpublished): only the words can tell.
        return _DateTest(True, f"{a.label} and {b.label}: no date in the text, strong evidence needed",
                         config.undated_similarity, None)
    if a.start > b.end or b.start > a.end:
        return _DateTest(False, f"dates apart: {a.label} and {b.label}", 0.0, None)
    if not (a.dated and b.dated):
        return _DateTest(True, f"{a.label} and {b.label}: no date in the text, strong evidence needed",
                         config.undated_similarity, None)
    if a.start == b.start and a.end == b.end:
        reason = f"same {a.precision} {a.label.split(' ')[0]}"
    elif a.start <= b.start and b.end <= a.end:
        reason = f"{a.label} contains {b.label}"
    elif b.start <= a.start and a.end <= b.end:
        reason = f"{b.label} contains {a.label}"
    else:
        reason = f"{a.label} and {b.label} overlap"
    return _DateTest(True, reason, config.coarse_similarity, None)


# ---------------------------------------------------------------------------------------------
# Evidence similarity


@cache
def stopwords() -> frozenset[str]:
    """relations/data/stopwords.txt: words that say nothing about which event a sentence reports."""
    text = resources.files("nexus.relations").joinpath("data", "stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() for w in line.split("#", 1)[0].split())


@cache
def _country_words() -> dict[str, frozenset[str]]:
    """ISO3 -> the stems of its names, adjectives, demonyms, capitals and seats of government:
    "Moscow" and "Kremlin" are Russia as an actor, not what the sentence says Russia did."""
    return {iso3: frozenset(_stem(w.lower()) for s in surfaces for w in _WORD.findall(s))
            for iso3, surfaces in country_surfaces().items()}


# Words (letters or digits) without hyphens, so "Shahed-136" shares "shahed" with "Shahed drones";
# decimal and thousands separators stay inside numbers ("1,000", "2.5").
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|\w+")
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)$")
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)s?$")

# A light suffix stemmer: "supplied", "supplies", "supplying" -> "supply"; "trainer",
# "training" -> "train"; "drones", "drone" -> "dron". Both sentences go through the same
# function, so only consistency matters, not linguistic correctness.
_SUFFIXES = (("ies", "y"), ("ied", "y"), ("ying", "y"), ("ings", ""), ("ing", ""), ("ers", ""),
             ("er", ""), ("ed", ""), ("es", ""), ("s", ""))


def _stem(word: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not (suffix == "s" and word.endswith("ss")):
            word = word[: -len(suffix)] + replacement
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # "shipped" -> "shipp" -> "ship"
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]  # "drone" and "drones" ("dron") meet
    return word


@dataclass(frozen=True, slots=True)
class _Token:
    stem: str
    surface: str  # lower-cased, as written: shown in reasons
    strong: bool


def _tokens(sentence: str) -> tuple[_Token, ...]:
    """The content words of a sentence: stopwords and date parts dropped (dates are compared on
    their own), numbers, acronyms and capitalised names (not the first word) marked strong."""
    raw = [m.group(0) for m in _WORD.finditer(sentence)]
    lower = [w.lower() for w in raw]
    stop = stopwords()
    out: list[_Token] = []
    for i, (word, low) in enumerate(zip(raw, lower, strict=True)):
        if low in stop or low in ("s", "t"):  # "'s", "don't"
            continue
        if _YEAR.match(low):
            continue
        day = _ORDINAL.match(low)
        if (low.isdigit() and len(low) <= 2) or day:
            near = {lower[j] for j in (i - 1, i + 1, i - 2) if 0 <= j < len(lower)}
            if near & _MONTHS:  # "12 September", "September 13"
                continue
        if len(low) < 2 and not low.isdigit():
            continue
        strong = (any(c.isdigit() for c in word) or (len(word) >= 2 and word.isupper())
                  or (i > 0 and word[0].isupper()))
        out.append(_Token(_stem(low), low, strong))
    return tuple(out)


def _words(text: str | None) -> set[str]:
    return {_stem(w.lower()) for w in _WORD.findall(text or "")}


def _own_words(m: Mention) -> set[str]:
    """What a mention's sentence says about who acted and how, not what: its actors' words,
    their countries' names, its attribution and its trigger (the type is compared already)."""
    words = _words(m.source_text) | _words(m.target_text) | _words(m.attribution_text) | _words(m.trigger)
    for country in (m.source_country, m.target_country):
        if country:
            words |= _country_words().get(country, frozenset())
    return words


@dataclass(frozen=True, slots=True)
class Similarity:
    """How alike two evidence sentences are: the weighted shared content words over the
    geometric mean of each sentence's weight (a weighted cosine of word sets, 0 to 1)."""

    score: float
    shared: tuple[str, ...]  # the shared words as the first sentence writes them, strongest first
    bare: bool  # one sentence has no content words left: nothing to compare

    def describe(self) -> str:
        words = ", ".join(self.shared[:8]) + (", ..." if len(self.shared) > 8 else "")
        return f"similar evidence {self.score:.2f}: shared words {words}" if words else \
            f"evidence similarity {self.score:.2f}"


def similarity(a: Mention, b: Mention, config: MergeConfig | None = None) -> Similarity:
    """The evidence similarity of two mentions (see `Similarity`), after dropping stopwords,
    dates and both mentions' own words (actors, countries, attribution, trigger)."""
    config = config or MergeConfig()
    return _similarity(_tokens(a.sentence), _tokens(b.sentence), _own_words(a) | _own_words(b), config)


def _similarity(ta: Sequence[_Token], tb: Sequence[_Token], drop: set[str], config: MergeConfig) -> Similarity:
    def weights(tokens: Sequence[_Token]) -> dict[str, float]:
        w: dict[str, float] = {}
        for t in tokens:
            if t.stem not in drop:
                w[t.stem] = max(w.get(t.stem, 0.0), config.strong_weight if t.strong else 1.0)
        return w

    wa, wb = weights(ta), weights(tb)
    if not wa or not wb:
        return Similarity(0.0, (), True)
    # A word strong in either sentence is strong for both ("Shahed" opening one sentence).
    unified = {s: max(wa.get(s, 0.0), wb.get(s, 0.0)) for s in wa.keys() | wb.keys()}
    total_a = sum(unified[s] for s in wa)
    total_b = sum(unified[s] for s in wb)
    shared = [s for s in wa if s in wb]
    score = sum(unified[s] for s in shared) / math.sqrt(total_a * total_b)
    surface: dict[str, str] = {}
    for t in ta:
        surface.setdefault(t.stem, t.surface)
    order = {s: i for i, s in enumerate(wa)}
    shared.sort(key=lambda s: (-unified[s], order[s]))
    return Similarity(round(score, 4), tuple(surface[s] for s in shared), False)


# ---------------------------------------------------------------------------------------------
# Pairs and clusters


def report_key(m: Mention) -> tuple[object, ...]:
    """Earliest report first: publication date, event date (unknown last), document, sentence,
    event id; the mention's full text breaks any remaining tie, so order never depends on input."""
    return (m.published or date.max, m.event_date or date.max, m.doc_id, m.sentence_idx, m.event_id, repr(m))


def _group_key(m: Mention) -> tuple[str, str, str, str]:
    source, target = m.dyad
    return (source, target, m.plover_type, m.factuality)


@dataclass(frozen=True, slots=True)
class _Pair:
    ok: bool
    similarity: float
    reasons: tuple[str, ...]


class _Comparer:
    """Pair tests with each mention's dates and words computed once."""

    def __init__(self, config: MergeConfig) -> None:
        self.config = config
        self._when: dict[str, _When] = {}
        self._tokens: dict[str, tuple[_Token, ...]] = {}
        self._own: dict[str, set[str]] = {}
        self._pairs: dict[tuple[str, str], _Pair] = {}

    def when(self, m: Mention) -> _When:
        if m.event_id not in self._when:
            self._when[m.event_id] = _when(m, self.config)
        return self._when[m.event_id]

    def pair(self, a: Mention, b: Mention) -> _Pair:
        key = (a.event_id, b.event_id)
        if key not in self._pairs:
            self._pairs[key] = self._compare(a, b)
        return self._pairs[key]

    def _compare(self, a: Mention, b: Mention) -> _Pair:
        source, target = a.dyad
        same = f"same dyad {source}->{target} and type {a.plover_type}, both {a.factuality}"
        if a.doc_id == b.doc_id and a.sentence_idx == b.sentence_idx:
            return _Pair(True, 1.0, (same, "same sentence"))
        dates = _compare_dates(self.when(a), self.when(b), self.config)
        if not dates.ok:
            return _Pair(False, 0.0, (dates.reason,))
        for m in (a, b):
            if m.event_id not in self._tokens:
                self._tokens[m.event_id] = _tokens(m.sentence)
                self._own[m.event_id] = _own_words(m)
        sim = _similarity(self._tokens[a.event_id], self._tokens[b.event_id],
                          self._own[a.event_id] | self._own[b.event_id], self.config)
        reasons = [same, dates.reason]
        if a.doc_id == b.doc_id:
            reasons.append("same document")
        if sim.bare:
            # Nothing but actors, verb and date: the dates decide, and only when they are close.
            if dates.day_gap is not None and dates.day_gap <= 1:
                return _Pair(True, 0.0, (*reasons, "evidence too short to compare: the dates decide"))
            return _Pair(False, 0.0, (*reasons, "evidence too short to compare"))
        if sim.score < dates.needs:
            return _Pair(False, sim.score, (*reasons, f"{sim.describe()} (below {dates.needs:.2f})"))
        return _Pair(True, sim.score, (*reasons, sim.describe()))


@dataclass(slots=True)
class _Cluster:
    members: list[Mention]
    links: list[MergeLink]
    lo: date | None = None  # the span of the members' known dates: a quick test that skips
    hi: date | None = None  # clusters far from a newcomer without comparing every member

    def add(self, unit: Sequence[Mention], comparer: _Comparer) -> None:
        self.members.extend(unit)
        for m in unit:
            when = comparer.when(m)
            if when.start is not None and when.end is not None:
                self.lo = when.start if self.lo is None else min(self.lo, when.start)
                self.hi = when.end if self.hi is None else max(self.hi, when.end)

    def far_from(self, when: _When, slack: timedelta) -> bool:
        """Whether `when` lies more than `slack` outside every member's dates: then no member is
        compatible (day-precise dates allow `max_days`, periods and undated windows must overlap)."""
        if when.start is None or when.end is None or self.lo is None or self.hi is None:
            return False
        return when.start > self.hi + slack or when.end < self.lo - slack


def _units(group: Sequence[Mention]) -> list[list[Mention]]:
    """The group's mentions by sentence: one sentence's mentions always stay together."""
    units: dict[tuple[str, int], list[Mention]] = {}
    for m in group:
        units.setdefault((m.doc_id, m.sentence_idx), []).append(m)
    return list(units.values())


def _cluster(group: Sequence[Mention], comparer: _Comparer) -> list[_Cluster]:
    clusters: list[_Cluster] = []
    slack = timedelta(days=comparer.config.max_days)
    for unit in _units(group):
        whens = [comparer.when(m) for m in unit]
        best: tuple[float, int, Mention, _Pair] | None = None
        for index, cluster in enumerate(clusters):
            if any(cluster.far_from(w, slack) for w in whens):
                continue
            # Complete linkage: every mention of the unit with every member. Pairs are tested
            # member first, so reasons name the earlier report's words.
            if not all(comparer.pair(member, m).ok for m in unit for member in cluster.members):
                continue
            pairs = [comparer.pair(member, unit[0]) for member in cluster.members]  # cached
            # The unit's first mention links to its most similar member (the earliest on ties).
            top = max(range(len(pairs)), key=lambda i: (pairs[i].similarity, -i))
            candidate = (pairs[top].similarity, -index, cluster.members[top], pairs[top])
            if best is None or candidate[:2] > best[:2]:
                best = candidate
        head = unit[0]
        links = [MergeLink(head.event_id, m.event_id, comparer.pair(head, m).reasons, 1.0) for m in unit[1:]]
        if best is None:
            cluster = _Cluster([], links)
            cluster.add(unit, comparer)
            clusters.append(cluster)
            continue
        _, neg_index, partner, pair = best
        cluster = clusters[-neg_index]
        cluster.add(unit, comparer)
        cluster.links.extend([MergeLink(partner.event_id, head.event_id, pair.reasons, pair.similarity), *links])
    return clusters


def merged_id(event_ids: Iterable[str]) -> str:
    """A short hash of the sorted member event ids: the same mentions give the same id."""
    return hashlib.sha1("\n".join(sorted(event_ids)).encode("utf-8")).hexdigest()[:20]


def _merged(cluster: _Cluster) -> MergedEvent:
    mentions = tuple(sorted(cluster.members, key=report_key))
    by_joiner = {link.b: link for link in cluster.links}
    first = mentions[0]
    return MergedEvent(
        merged_id=merged_id(m.event_id for m in mentions), source_code=first.source_code,
        target_code=first.target_code, plover_type=first.plover_type, factuality=first.factuality,
        mentions=mentions, links=tuple(by_joiner[m.event_id] for m in mentions[1:]))


def merge_mentions(mentions: Sequence[Mention], config: MergeConfig | None = None) -> list[MergedEvent]:
    """The events that `mentions` report, each with every mention of it (earliest report first)
    and why each joined (`links`), sorted by event date (undated last), first report's
    publication date and merged id. The result depends only on the set of mentions."""
    config = config or MergeConfig()
    unique = {m.event_id: m for m in sorted(mentions, key=report_key, reverse=True)}  # earliest kept
    groups: dict[tuple[str, str, str, str], list[Mention]] = {}
    for m in sorted(unique.values(), key=report_key):
        groups.setdefault(_group_key(m), []).append(m)
    comparer = _Comparer(config)
    events = [_merged(c) for key in sorted(groups) for c in _cluster(groups[key], comparer)]
    return sorted(events, key=lambda e: (e.event_date or date.max, e.first_report.published or date.max,
                                         e.merged_id))


def _where(m: Mention) -> str:
    published = m.published.isoformat() if m.published else "undated"
    return f"{m.doc_id}#{m.sentence_idx} ({m.outlet}, {published})"


def explain(event: MergedEvent) -> list[str]:
    """Why the event's mentions are one event, a line each: the event, its first report, then
    every later mention with the member it joined and the tests it passed."""
    source, target = event.dyad
    when = event.event_date.isoformat() if event.event_date else "undated"
    n = len(event.mentions)
    head = (f"{event.merged_id}: {source}->{target} {event.plover_type} ({event.factuality}), {when}: "
            f"{n} mention{'s' * (n != 1)} from {event.n_outlets} outlet{'s' * (event.n_outlets != 1)}")
    lines = [head, f"first report {_where(event.first_report)}: \"{event.first_report.sentence}\""]
    by_id = {m.event_id: m for m in event.mentions}
    for link in event.links:
        joined, partner = by_id[link.b], by_id[link.a]
        lines.append(f"{_where(joined)} joined {partner.doc_id}#{partner.sentence_idx}: " + "; ".join(link.reasons))
    return lines
