"""Factuality of an event: asserted, negated, hypothetical, future or alleged, read from the
words around its trigger and the clauses that embed it ("refused to", "is unlikely to",
"accused X of", "is concerned that", "reportedly", "will")."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from nexus.events.lexicon import Lexicon

# When several markers apply, the strongest wins: a denied or unconfirmed event is never a fact.
PRIORITY = {"negated": 4, "alleged": 3, "hypothetical": 2, "future": 1, "asserted": 0}

_EMBEDDING = {"xcomp", "ccomp", "advcl", "pcomp", "pobj", "prep", "acl", "relcl", "dobj", "conj",
              "attr", "acomp", "oprd", "csubj", "nsubj", "nsubjpass", "appos", "dep", "npadvmod"}


@dataclass(slots=True)
class Factuality:
    value: str = "asserted"
    markers: list[str] = field(default_factory=list)
    # The actor's own plan or commitment is stated ("will", "would", "plans to"): such an event
    # is also coded as the stated intent (AGREE) or threat (THREATEN) that PLOVER expects.
    stated_plan: bool = False
    kinds: list[str] = field(default_factory=list)  # the factuality each marker points to

    def add(self, value: str, marker: str) -> None:
        self.markers.append(marker)
        self.kinds.append(value)
        if PRIORITY[value] > PRIORITY[self.value]:
            self.value = value

    def merge(self, other: "Factuality") -> None:
        for m, k in zip(other.markers, other.kinds or ["asserted"] * len(other.markers)):
            if m not in self.markers:
                self.markers.append(m)
                self.kinds.append(k)
        if PRIORITY[other.value] > PRIORITY[self.value]:
            self.value = other.value
        self.stated_plan = self.stated_plan or other.stated_plan


def _local_markers(tok: Token, lex: Lexicon, fact: Factuality, nominal: bool) -> None:
    """Markers attached directly to one token of the chain."""
    for c in tok.children:
        low = c.lower_
        if c.dep_ == "neg" or (low in lex.cue("negators") and c.dep_ in {"det", "advmod", "neg", "preconj"}):
            fact.add("negated", f"negation '{c.text}' on '{tok.text}'")
        elif c.dep_ in {"aux", "auxpass"}:
            if low in lex.cue("future_modals") or c.lemma_.lower() in lex.cue("future_modals"):
                fact.add("future", f"'{c.text} {tok.text}'")
                fact.stated_plan = True
            elif low in lex.cue("hypothetical_modals"):
                fact.add("hypothetical", f"modal '{c.text}' on '{tok.text}'")
                fact.stated_plan = fact.stated_plan or low in {"would", "'d"}
        elif c.dep_ == "advmod":
            if low in lex.cue("alleging_adverbs"):
                fact.add("alleged", f"'{c.text}'")
            elif low in lex.cue("hypothetical_words") and c.pos_ == "ADV":
                fact.add("hypothetical", f"'{c.text}'")
        elif c.dep_ in {"amod", "compound"} and nominal:
            if low in lex.cue("alleging_modifiers"):
                fact.add("alleged", f"'{c.text} {tok.text}'")
            elif low in {"planned", "proposed", "upcoming", "forthcoming", "scheduled", "future", "expected", "next"}:
                fact.add("future", f"'{c.text} {tok.text}'")
            elif low in {"possible", "potential", "hypothetical", "likely", "eventual", "would-be"}:
                fact.add("hypothetical", f"'{c.text} {tok.text}'")
        elif c.dep_ == "mark" and low in lex.cue("conditional_markers") and tok.dep_ in {"advcl", "ccomp"}:
            fact.add("hypothetical", f"condition '{c.text}'")
    # "has yet to", "stopped short of", "no longer", "rather than": a few words before the token
    window = " " + " ".join(t.lower_ for t in tok.doc[max(tok.i - 4, tok.sent.start):tok.i]) + " "
    for phrase in lex.cue("negating_phrases"):
        if f" {phrase} " in window:
            fact.add("negated", f"'{phrase}'")
            break


def assess(trigger: Token, lex: Lexicon, nominal: bool = False, stop: Token | None = None) -> Factuality:
    """Walks from the trigger up through the clauses that embed it, collecting markers, and
    stops at the clause of a reporting verb ("said") or at `stop` (a wrapping frame's trigger,
    whose own meaning is applied separately)."""
    fact = Factuality()
    cur = trigger
    _local_markers(cur, lex, fact, nominal)
    while cur.head.i != cur.i:
        rel, gov = cur.dep_, cur.head
        if rel not in _EMBEDDING or (stop is not None and gov.i == stop.i):
            if stop is not None and gov.i == stop.i:
                _would_is_future(fact)  # "agreed that they would meet": a plan, not a possibility
            break
        lemma = gov.lemma_.lower()
        if rel == "conj":
            # A coordinated verb shares modality only where it has none of its own.
            own = any(c.dep_ in {"nsubj", "nsubjpass", "aux", "neg"} for c in cur.children)
            cur = gov
            if not own:
                _local_markers(cur, lex, fact, nominal=cur.pos_ in {"NOUN", "PROPN"})
            continue
        if rel == "advcl" and cur.tag_ == "VBD" and any(
                c.dep_ in {"mark", "advmod"} and c.lower_ in lex.cue("circumstance_markers") for c in cur.children):
            break  # a past clause of time or cause is not part of what the main clause promises
        if rel in {"ccomp", "parataxis"} and lemma in lex.cue("reporting_verbs") and lemma not in lex.cue("alleging_verbs"):
            # attribution boundary: "X said Y happened" states Y on X's word, and "X said it
            # would withdraw" reports a plan (future in the past), not a possibility
            _would_is_future(fact)
            break
        if rel in {"nsubj", "nsubjpass", "csubj"} and cur.i != trigger.i:
            break  # an event described inside a subject phrase keeps its own factuality
        if lemma in lex.cue("negating_verbs") and rel in {"xcomp", "prep", "pcomp", "pobj", "dobj"}:
            if not (lemma == "deny" and rel == "dobj" and not nominal):
                fact.add("negated" if lemma != "deny" else "alleged", f"'{gov.text}'")
                break
        if lemma in lex.cue("alleging_verbs") and rel in {"ccomp", "xcomp", "pcomp", "prep", "dobj", "advcl"}:
            fact.add("alleged", f"'{gov.text}'")
            break
        if (lemma in lex.cue("alleging_adjectives") or gov.lower_ in lex.cue("alleging_adjectives")) \
                and rel in {"ccomp", "prep", "pcomp"}:
            fact.add("alleged", f"'{gov.text}'")
            break
        concern = [c for c in gov.children if c.dep_ == "acomp" and c.lemma_.lower() in lex.cue("alleging_adjectives")]
        if rel == "ccomp" and concern:  # "Washington is concerned that ...", the clause hung on "is"
            fact.add("alleged", f"'{concern[0].text}'")
            break
        if lemma in lex.cue("alleging_nouns") and rel in {"acl", "ccomp", "pobj", "pcomp", "prep", "relcl"} and gov.pos_ == "NOUN":
            if rel != "relcl":
                fact.add("alleged", f"'{gov.text}'")
                break
        if lemma in lex.cue("future_words") and rel in {"xcomp", "prep", "pcomp", "pobj", "acl", "advcl"}:
            fact.add("future", f"'{gov.text}'")
            fact.stated_plan = fact.stated_plan or lemma in {"plan", "intend", "prepare", "schedule", "set", "going", "due", "poised"}
        elif lemma in lex.cue("hypothetical_words") and rel in {"xcomp", "ccomp", "prep", "pcomp", "pobj", "acl", "dobj"}:
            fact.add("hypothetical", f"'{gov.text}'")
        cur = gov
        _local_markers(cur, lex, fact, nominal=cur.pos_ in {"NOUN", "PROPN"})
        if rel in {"relcl", "appos"}:
            break
    return fact


def _would_is_future(fact: Factuality) -> None:
    """In reported or agreed speech "would" is the future of the past ("said it would
    withdraw"), unless a condition makes it hypothetical."""
    hypothetical = [m for m, k in zip(fact.markers, fact.kinds) if k == "hypothetical"]
    if fact.value == "hypothetical" and hypothetical and all(m.startswith("modal 'would'") for m in hypothetical):
        fact.value = "future"
