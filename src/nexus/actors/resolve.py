"""Finds actor mentions in parsed text and resolves a noun phrase to the actors it names.

Matching is a spaCy PhraseMatcher over every surface form in the gazetteer. Resolution reads the
noun phrase around a head token: "Iran's foreign minister" (possessive country + sector word),
"Israeli troops" (adjective + sector word), "Russian Foreign Minister Sergei Lavrov" (a known
office holder, resolved by date), "the government of Sudan", "NATO", "the Kremlin".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from nexus.actors.gazetteer import Entity, Gazetteer, default_gazetteer
from nexus.actors.model import Actor, unique_actors
from nexus.nlp.load import load_model

# Dependency labels that stay inside one noun phrase's naming core.
_CORE_DEPS = {"compound", "amod", "poss", "nmod", "flat", "npadvmod", "nummod", "det", "case", "punct"}
_NAMING_DEPS = {"compound", "amod", "poss", "nmod", "flat"}
_PERSON_TITLES_MIL = {"general", "gen.", "commander", "admiral", "colonel", "marshal"}
_PLACE_KINDS = {"country", "capital", "seat", "region", "demonym", "adjective"}
# Nouns for people whose sector is in their modifier: "opposition groups", "army officers".
_COLLECTIVE_HEADS = {"group", "member", "officer", "figure", "supporter", "unit", "personnel", "man", "woman",
                     "people", "representative", "delegate", "worker", "staff", "veteran", "leader", "source",
                     "party", "movement", "coalition", "faction", "bloc", "activist"}
# Heads that count people rather than name them: look through "of".
_QUANTITIES = {"ten", "tens", "hundred", "hundreds", "thousand", "thousands", "million", "millions",
               "dozen", "dozens", "score", "scores", "number", "group", "crowd", "handful", "some"}


@dataclass(slots=True)
class Match:
    span: Span
    entities: list[Entity]


class ActorMatcher:
    """Runs the gazetteer's phrase matchers over a parsed spaCy Doc."""

    def __init__(self, gazetteer: Gazetteer):
        nlp = load_model()
        self.gazetteer = gazetteer
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        names, exact = gazetteer.surfaces()
        self.lower.add("NAME", list(nlp.tokenizer.pipe(names)))
        self.exact.add("NAME", list(nlp.tokenizer.pipe(exact)))

    def matches(self, doc: Doc) -> dict[int, Match]:
        """Token index -> the match covering it (longest match wins where they overlap)."""
        spans = [doc[s:e] for _, s, e in self.lower(doc)] + [doc[s:e] for _, s, e in self.exact(doc)]
        out: dict[int, Match] = {}
        for span in filter_spans(spans):
            entities = self.gazetteer.lookup(span.text) or self.gazetteer.lookup(span.text.lower())
            if not entities or not self._plausible(span, entities):
                continue
            m = Match(span, entities)
            for tok in span:
                out[tok.i] = m
        return out

    def _plausible(self, span: Span, entities: list[Entity]) -> bool:
        # A place name inside a longer person name ("George Washington") is not the place.
        ent_types = {t.ent_type_ for t in span}
        if "PERSON" in ent_types and all(e.kind in _PLACE_KINDS for e in entities):
            ent = next((e for e in span.doc.ents if e.start <= span.start < e.end), None)
            if ent is not None and any(t.pos_ == "PROPN" and not (span.start <= t.i < span.end) for t in ent):
                return False
        if span.text.lower() in self.gazetteer.needs_context:
            return bool(ent_types & {"GPE", "LOC", "NORP"}) or span.root.dep_ in {"nsubj", "pobj", "poss"}
        # Words such as "Turkey" or "Chad" aside, a lower-case match of a capitalised name is
        # an ordinary word ("china" the dishes, "chad" a scrap of paper).
        if span.text.islower() and any(e.kind not in {"adjective", "demonym"} for e in entities):
            return False
        return True


@cache
def default_matcher() -> ActorMatcher:
    return ActorMatcher(default_gazetteer())


class ActorResolver:
    """Resolves noun phrases of one parsed block to Actors, at the document's date."""

    def __init__(self, matcher: ActorMatcher, doc: Doc, when: date | None):
        self.gz = matcher.gazetteer
        self.when = when
        self.matches = matcher.matches(doc)

    # -- public --------------------------------------------------------------------------

    def actors(self, head: Token) -> list[Actor]:
        """The actors a noun phrase names; several when a modifier is coordinated
        ("Hungarian and Romanian officials"). Empty when it names none."""
        if head.lemma_.lower() in _QUANTITIES:
            # "tens of thousands of students", "dozens of Israeli soldiers": the people counted
            for prep in head.children:
                if prep.dep_ == "prep" and prep.lower_ == "of":
                    for obj in prep.children:
                        if obj.dep_ == "pobj":
                            return self.actors(obj)
        if any(c.lower_ == "ethnic" for c in head.children if c.dep_ == "amod"):
            return []  # "ethnic Albanians in Serbia" are not Albania
        if head.i in self.matches:
            entity_actor = self._entity_actor(head)
            if entity_actor is not None:
                return [entity_actor]
        sector = self.sector_of(head)
        namers = self._namers(head)
        if not namers:
            return []
        out = []
        for tok in namers:
            base = self._entity_actor(tok)
            if base is None:
                continue
            out.append(self._with_sector(base, sector, head))
        return unique_actors(out)

    def mention_actors(self) -> list[tuple[Span, Actor]]:
        """Every gazetteer match with its actor, for the mentions table."""
        seen, out = set(), []
        for m in self.matches.values():
            if m.span.start in seen:
                continue
            seen.add(m.span.start)
            actor = self._entity_actor(m.span.root)
            if actor is not None:
                out.append((m.span, actor))
        return out

    def sector_of(self, head: Token) -> str | None:
        """The sector a head noun names: "troops" MIL, "foreign minister" GOV."""
        compounds = [c for c in head.children if c.dep_ == "compound" and c.i == head.i - 1]
        if compounds:
            phrase = f"{compounds[0].lower_} {head.lower_}"
            if phrase in self.gz.sectors:
                return self.gz.sectors[phrase]
        for form in (head.lower_, head.lemma_.lower()):
            if form in self.gz.sectors:
                return self.gz.sectors[form]
        if head.lemma_.lower() in _COLLECTIVE_HEADS:
            for c in head.children:
                if c.dep_ in {"compound", "amod"} and c.i < head.i and c.lower_ in self.gz.sectors and c.i not in self.matches:
                    return self.gz.sectors[c.lower_]
        return None

    def is_actor_word(self, head: Token) -> bool:
        return head.i in self.matches or self.sector_of(head) is not None

    # -- internals -----------------------------------------------------------------------

    def _entity_actor(self, tok: Token) -> Actor | None:
        m = self.matches.get(tok.i)
        if m is None:
            return None
        entity = self._choose(m.entities, tok)
        if entity is None:
            return None
        text = _phrase_text(m.span)
        if entity.kind == "person":
            sector = entity.sector if entity.in_office(self.when) else "ELI"
            country = entity.country
            if entity.parent:  # the leader of Hezbollah: Hezbollah's code, Lebanon's country
                return Actor(text=text, code=entity.parent, country=country, sector=entity.sector, name=entity.name,
                             group=entity.parent, kind="person")
            code = (country or entity.code) + (sector or "") if country else entity.code
            return Actor(text=text, code=code, country=country, sector=sector if country else (entity.sector or None),
                         name=entity.name, kind="person")
        if entity.kind == "organisation":
            return Actor(text=text, code=entity.code, country=entity.country, sector=entity.sector, name=entity.name,
                         group=entity.parent, kind="organisation")
        if entity.kind in {"capital", "seat"}:
            return Actor(text=text, code=entity.code + (entity.sector or ""), country=entity.country,
                         sector=entity.sector, name=entity.name, kind="state")
        return Actor(text=text, code=entity.code, country=entity.country, sector=None, name=entity.name,
                     kind="region" if entity.kind == "region" else "state")

    def _choose(self, entities: list[Entity], tok: Token) -> Entity | None:
        people = [e for e in entities if e.kind == "person"]
        if people:
            current = [e for e in people if e.in_office(self.when)]
            pool = current or people
            # Most recent tenure first: "President Bush" in 2003 is George W. Bush.
            return max(pool, key=lambda e: (e.start or date.min))
        # Prefer a country reading over an adjective reading for the same form.
        order = {"organisation": 0, "country": 1, "capital": 2, "seat": 3, "region": 4, "demonym": 5, "adjective": 6}
        return min(entities, key=lambda e: order.get(e.kind, 9))

    def _namers(self, head: Token) -> list[Token]:
        """Tokens inside the phrase that name a country, organisation or person."""
        found: list[Token] = []
        stack = [c for c in head.children if c.dep_ in _NAMING_DEPS or c.dep_ == "appos"]
        # "the government of Sudan", "the presidents of Iraq and Egypt", "officials from Iran"
        # ("the withdrawal from Bosnia" names a place, not an owner: "from" only for people)
        preps = {"of", "from"} if self.sector_of(head) or head.ent_type_ in {"PERSON", "NORP"} else {"of"}
        for prep in (c for c in head.children if c.dep_ == "prep" and c.lower_ in preps):
            stack.extend(c for c in prep.children if c.dep_ == "pobj")
        # "Vietnamese-led forces": led by Vietnam
        for c in head.children:
            if c.dep_ in {"amod", "compound"} and c.lower_ == "led":
                stack.extend(x for x in c.children if x.dep_ in {"npadvmod", "compound", "amod", "nmod"})
        seen = set()
        while stack:
            tok = stack.pop(0)
            if tok.i in seen:
                continue
            seen.add(tok.i)
            if tok.i in self.matches:
                root = self.matches[tok.i].span.root
                if root.i not in {t.i for t in found}:
                    found.append(root)
                stack.extend(c for c in tok.children if c.dep_ == "conj")
                continue
            stack.extend(c for c in tok.children if c.dep_ in _NAMING_DEPS or c.dep_ in {"conj", "appos"})
            if tok.dep_ == "pobj":
                continue
        # "rebels in the Ivory Coast", "students throughout Indonesia": where a group is, when
        # nothing else names it
        if not found and self.sector_of(head):
            for prep in (c for c in head.children if c.dep_ == "prep" and c.lower_ in {"in", "throughout", "across", "at"}):
                for obj in prep.children:
                    if obj.dep_ != "pobj":
                        continue
                    if obj.i in self.matches:
                        found.append(self.matches[obj.i].span.root)
                    else:  # "journalists at Sudan's leading newspaper"
                        found.extend(self.matches[c.i].span.root for c in obj.children
                                     if c.dep_ in {"poss", "amod", "compound"} and c.i in self.matches)
        # A person beats the country that modifies them ("Iran's leader Khomeini").
        people = [t for t in found if any(e.kind == "person" for e in self.matches[t.i].entities)]
        return people or found

    def _with_sector(self, base: Actor, sector: str | None, head: Token) -> Actor:
        text = _phrase_text(_np_span(head))
        if base.country is None:  # an organisation keeps its own code and sector
            return Actor(text=text, code=base.code, country=None, sector=base.sector, name=base.name, group=base.group,
                         kind=base.kind)
        if sector is None and base.sector and base.name:  # "Macron's office" is his government
            sector = base.sector
        if sector is None:
            # A person named only by a military title ("General Petraeus").
            titles = {c.lower_ for c in head.children if c.dep_ == "compound"}
            sector = "MIL" if titles & _PERSON_TITLES_MIL else None
        code = base.country + (sector or "")
        kind = "person" if base.kind == "person" and head.ent_type_ == "PERSON" else \
            "region" if base.kind == "region" and sector is None else "state"
        return Actor(text=text, code=code, country=base.country, sector=sector, name=base.name, kind=kind)


def _np_span(head: Token) -> Span:
    """The noun phrase's naming part: the head and its left modifiers, without clauses."""
    left = head
    for tok in head.lefts:
        if tok.dep_ in _CORE_DEPS or tok.dep_ == "compound":
            left = min(left, tok.left_edge, key=lambda t: t.i)
            break
    right = head
    for tok in head.rights:
        if tok.dep_ in {"compound", "flat"}:
            right = tok
    span = head.doc[left.i:right.i + 1]
    while len(span) > 1 and span[0].dep_ in {"det", "punct"}:
        span = span[1:]
    return span


def _phrase_text(span: Span) -> str:
    text = span.text
    for suffix in ("'s", "’s"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return text.strip()

