"""Domains and relationship states as data (relations/data/domains.yaml and states.yaml),
loaded once, and the matching that periods.py and exchanges.py share.

An event's domains come from its PLOVER context, its CAMEO code and keywords in its evidence
sentence; a state ("supplies arms to") is opened, extended and closed by events that fit its
rules. Analysts edit the YAML files, not this module."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from nexus.datafiles import load_yaml
from nexus.relations.model import ASSERTED, Mention, MergedEvent

ANY_DOMAIN = "any"


def _words(text: str) -> str:
    """Text as keywords are matched (any case): hyphens as spaces ("air-defence"). Keeps
    offsets."""
    return text.replace("-", " ")


class WordList:
    """Words and phrases matched whole, in any case; a word also matches its plural."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words: tuple[str, ...] = tuple(str(w) for w in words)
        # Longest first, so "in return for" wins over "in return" at the same place.
        alternatives = sorted({_words(w).lower().strip() for w in self.words if str(w).strip()},
                              key=lambda w: (-len(w), w))
        body = "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in alternatives)
        self._rx = re.compile(rf"(?<!\w)(?:{body})(?:s|es)?(?!\w)", re.IGNORECASE) if body else None

    def search(self, text: str) -> re.Match[str] | None:
        """The first match in `text` (offsets are `text`'s: _words keeps the length)."""
        return self._rx.search(_words(text)) if self._rx else None

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and self.search(text) is not None

    def __bool__(self) -> bool:
        return self._rx is not None


@dataclass(frozen=True)
class Domain:
    key: str
    label: str
    contexts: frozenset[str]
    cameo: tuple[str, ...]
    keywords: WordList
    ignore: WordList


@dataclass(frozen=True)
class Rule:
    """Which events open or close a state (states.yaml explains the fields)."""

    type: str
    modes: frozenset[str] | None = None
    cameo: tuple[str, ...] = ()
    not_cameo: tuple[str, ...] = ()
    factualities: frozenset[str] = frozenset({ASSERTED})
    cues: WordList | None = None
    by: Literal["source", "either"] = "source"

    def fits(self, mention: Mention, any_factuality: bool = False) -> bool:
        code = mention.cameo_code or ""
        return (mention.plover_type == self.type
                and (any_factuality or mention.factuality in self.factualities)
                and (self.modes is None or (mention.plover_mode or "") in self.modes)
                and (not self.cameo or code.startswith(self.cameo))
                and not (self.not_cameo and code.startswith(self.not_cameo))
                and (self.cues is None or mention.sentence in self.cues))

    def fits_event(self, event: MergedEvent) -> bool:
        """A merged event fits when one of its reports does."""
        return any(self.fits(m) for m in event.mentions)


@dataclass(frozen=True)
class State:
    key: str
    label: str
    domain: str  # a domain key, or "any": one period per domain of the event
    flow: bool
    lapse_days: int
    opens: tuple[Rule, ...]
    closes: tuple[Rule, ...]

    def domains_for(self, event_domains: Sequence[str]) -> tuple[str, ...]:
        """The domains in which an event about `event_domains` bears on this state."""
        if self.domain == ANY_DOMAIN:
            return tuple(event_domains)
        return (self.domain,) if self.domain in event_domains else ()

    def opened_by(self, event: MergedEvent) -> bool:
        return any(r.fits_event(event) for r in self.opens)

    def closer(self, event: MergedEvent) -> Rule | None:
        return next((r for r in self.closes if r.fits_event(event)), None)


@dataclass(frozen=True)
class Knowledge:
    domains: tuple[Domain, ...]
    fallback: Mapping[str, str]  # PLOVER type -> domain for events with none
    states: tuple[State, ...]
    cues: Mapping[str, WordList]
    flow_types: frozenset[str]
    flow_cameo: tuple[str, ...]

    @property
    def reciprocity(self) -> WordList:
        return self.cues["reciprocity"]


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _rule(raw: Mapping[str, Any], cues: Mapping[str, WordList], where: str) -> Rule:
    if "type" not in raw:
        raise ValueError(f"{where}: a rule needs a PLOVER type: {dict(raw)}")
    cue = raw.get("cues")
    if isinstance(cue, str) and cue not in cues:
        raise ValueError(f"{where}: unknown cue list {cue!r} (known: {', '.join(sorted(cues))})")
    by = str(raw.get("by", "source"))
    if by not in ("source", "either"):
        raise ValueError(f"{where}: by must be source or either, not {by!r}")
    return Rule(
        type=str(raw["type"]),
        modes=frozenset(str(m) for m in _list(raw["mode"])) if raw.get("mode") is not None else None,
        cameo=tuple(str(c) for c in _list(raw.get("cameo"))),
        not_cameo=tuple(str(c) for c in _list(raw.get("not_cameo"))),
        factualities=frozenset(str(f) for f in _list(raw.get("factuality", ASSERTED))),
        cues=None if cue is None else cues[cue] if isinstance(cue, str) else WordList(_list(cue)),
        by="either" if by == "either" else "source")


def _read(name: str) -> Any:
    return load_yaml(resources.files("nexus.relations").joinpath(f"data/{name}").read_text(encoding="utf-8"))


@cache
def knowledge() -> Knowledge:
    """domains.yaml and states.yaml, read and checked once."""
    raw_domains, raw_states = _read("domains.yaml"), _read("states.yaml")
    domains = tuple(
        Domain(key=str(key), label=str(d.get("label", key)),
               contexts=frozenset(str(c) for c in _list(d.get("contexts"))),
               cameo=tuple(str(c) for c in _list(d.get("cameo"))),
               keywords=WordList(_list(d.get("keywords"))), ignore=WordList(_list(d.get("ignore"))))
        for key, d in raw_domains["domains"].items())
    keys = {d.key for d in domains}
    fallback = {str(t): str(domain) for domain, types in (raw_domains.get("fallback") or {}).items()
                for t in _list(types)}
    cues = {str(name): WordList(_list(words)) for name, words in (raw_states.get("cues") or {}).items()}
    if "reciprocity" not in cues:
        raise ValueError("states.yaml: cues needs a reciprocity list")
    states = []
    for key, s in raw_states["states"].items():
        where = f"states.yaml, {key}"
        domain = str(s["domain"])
        if domain != ANY_DOMAIN and domain not in keys:
            raise ValueError(f"{where}: unknown domain {domain!r}")
        states.append(State(
            key=str(key), label=str(s["label"]), domain=domain, flow=bool(s.get("flow", False)),
            lapse_days=int(s["lapse_days"]),
            opens=tuple(_rule(r, cues, where) for r in _list(s.get("opens"))),
            closes=tuple(_rule(r, cues, where) for r in _list(s.get("closes")))))
    flows = raw_states.get("flows") or {}
    return Knowledge(domains=domains, fallback=fallback, states=tuple(states), cues=cues,
                     flow_types=frozenset(str(t) for t in _list(flows.get("types"))),
                     flow_cameo=tuple(str(c) for c in _list(flows.get("cameo"))))


@dataclass(frozen=True)
class Cue:
    """A reciprocity cue in a sentence: the words, and the words it introduces (the other leg)."""

    text: str  # as written: "in return for"
    start: int
    end: int  # end of the introduced words: the clause's end, or the trigger
    object: str  # "the missiles"


_CLAUSE_END = re.compile(r"[,;:!?)—–]|\.(?!\d)")  # a decimal point ("1.3 billion") ends nothing


def reciprocity_cue(sentence: str, trigger: str | None = None) -> Cue | None:
    """The first reciprocity cue in `sentence` and the words it introduces, up to the end of
    the clause or the event's trigger, whichever comes first."""
    match = knowledge().reciprocity.search(sentence)
    if match is None:
        return None
    end = len(sentence)
    stop = _CLAUSE_END.search(sentence, match.end())
    if stop:
        end = stop.start()
    if trigger:  # "In exchange for drones Russia sent jets": the object ends before the event
        at = sentence.lower().find(trigger.lower())
        if match.end() <= at < end:
            end = at
    return Cue(sentence[match.start():match.end()], match.start(), end, sentence[match.end():end].strip())


def evidence_text(mention: Mention) -> str:
    """The sentence less the words a reciprocity cue introduces: "helping Tehran's nuclear
    programme in return for the missiles" is about nuclear help, not missiles."""
    cue = reciprocity_cue(mention.sentence, mention.trigger)
    if cue is None or (mention.trigger and mention.trigger.lower() in cue.text.lower()):
        return mention.sentence  # no cue, or the cue is the event itself ("swapped grain for missiles")
    return mention.sentence[:cue.start] + " " + mention.sentence[cue.end:]


def domains_of(mention: Mention) -> tuple[str, ...]:
    """The domains an event is about, in domains.yaml's order (see its header)."""
    k = knowledge()
    contexts = set(mention.plover_context)
    code = mention.cameo_code or ""
    text = evidence_text(mention)
    found: list[str] = []
    for d in k.domains:
        hit = bool(contexts & d.contexts) or bool(code and d.cameo and code.startswith(d.cameo))
        if not hit and d.keywords:
            words = text
            while d.ignore and (m := d.ignore.search(words)):  # blank out "arms trade" for economic
                words = words[:m.start()] + " " * (m.end() - m.start()) + words[m.end():]
            hit = words in d.keywords
        if hit:
            found.append(d.key)
    if not found and mention.plover_type in k.fallback:
        found.append(k.fallback[mention.plover_type])
    return tuple(found)


def event_domains(event: MergedEvent) -> tuple[str, ...]:
    """A merged event's domains: those of any of its reports, in domains.yaml's order."""
    found = {d for m in event.mentions for d in domains_of(m)}
    return tuple(d.key for d in knowledge().domains if d.key in found) + tuple(
        sorted(found - {d.key for d in knowledge().domains}))


def is_flow(event: MergedEvent) -> bool:
    """A material flow, whatever its factuality: an event of a flow type or CAMEO prefix
    (states.yaml, flows), or one that would open a state marked `flow`."""
    k = knowledge()
    if event.plover_type in k.flow_types:
        return True
    if k.flow_cameo and any((m.cameo_code or "").startswith(k.flow_cameo) for m in event.mentions):
        return True
    doms = event_domains(event)
    return any(s.flow and s.domains_for(doms) and any(r.fits(m, any_factuality=True) for r in s.opens
                                                        for m in event.mentions) for s in k.states)
