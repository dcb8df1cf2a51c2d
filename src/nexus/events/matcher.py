"""Matches event frames on the dependency parse of one sentence.

For each trigger (a verb, or an event noun) the most specific frame whose constraints hold is
applied: its actor comes from the subject (or the passive "by" phrase, a possessive, an adjective,
or the subject of a light verb such as "launched"), its recipient from the frame's target slots.
Frames that take an embedded event ("agreed to withdraw", "urged Iran to stop", "refused to
release", "threatened sanctions", "accused X of shelling") code the embedded event first, with its
own factuality, and take their sub-code from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from nexus.actors.model import Actor, unique_actors
from nexus.actors.resolve import ActorResolver
from nexus.events.factuality import Factuality, assess
from nexus.events.lexicon import ComplementTable, Frame, Lexicon
from nexus.events.places import find_place
from nexus.ontology import cameo_code
from nexus.events.syntax import (
    PERSONAL_PRONOUNS,
    children,
    compound_phrase,
    conjuncts,
    object_tokens,
    prep_objects,
    resolve_relative,
    hyphen_forms,
    lemma_forms,
    subject_tokens,
    with_objects,
)

_VERB_POS = {"VERB", "AUX"}
_NOUN_POS = {"NOUN", "PROPN"}
_OWNER_PREPS = {"of", "in", "on", "against", "for", "with"}
# A nominal event in an adjunct phrase ("in the Palestinian uprising", "amid Turkish shelling") is
# background; it is coded only when a possessive or "by" phrase names its actor.
_ADJUNCT_PREPS = {"in", "during", "amid", "amidst", "after", "following", "since", "before", "despite",
                  "over", "about", "on", "of", "from", "through", "throughout", "under", "as", "like", "than"}
_PLACE_PREPS = {"in", "near", "at", "into", "inside", "outside", "around", "across", "on"}
# Event types whose recipient is, failing a named one, the country where they happen.
_PLACE_TARGET_ROOTS = {"14", "15", "17", "18", "19", "20"}
_CLAUSE_BREAKS = {"relcl", "advcl", "ccomp", "parataxis", "acl", "appos"}
# Slots that name where, not whom: their recipient is a place, weaker than a named recipient.
_PLACE_SLOTS = {"in", "at", "near", "inside", "outside", "around"}
# Kinds of event a state mostly directs at its own people (concessions, refusals, threats,
# protest, coercion, violence): an unnamed office holder or a bare sector word is domestic.
_DOMESTIC_ROOTS = {"08", "12", "13", "14", "17", "18", "19"}


@dataclass(slots=True)
class Found:
    """One event found in a sentence, before it becomes an Event record."""

    trigger: Token  # the word that names the event
    anchor: Token  # the word whose clause carries its factuality (a light verb, or the trigger)
    frame: Frame
    code: str
    source: Actor
    target: Actor | None
    fact: Factuality
    confidence: float
    embedded: bool = False  # an event inside another ("to withdraw" in "agreed to withdraw")
    derived_from: str | None = None  # for intent/threat events derived from a stated plan
    notes: list[str] = field(default_factory=list)
    target_basis: str = "none"  # how the recipient was found (syntax, place, nearest, domestic)

    @property
    def trigger_text(self) -> str:
        phrase = compound_phrase(self.trigger)
        if phrase and self.trigger.pos_ in _NOUN_POS:
            left = self.trigger.doc[self.trigger.i - 1]
            return f"{left.text} {self.trigger.text}"
        prt = [c for c in self.trigger.children if c.dep_ == "prt"]
        if prt:
            return f"{self.trigger.text} {prt[0].text}"
        return self.trigger.text


@dataclass(slots=True)
class Memory:
    """What a document remembers between sentences: the last actors in subject position, for
    pronouns ("it", "they") and short references."""

    last_subjects: list[Actor] = field(default_factory=list)
    last_country: Actor | None = None  # for "the country"
    last_organisation: Actor | None = None  # for "the bloc"
    last_pair: tuple[Actor, Actor] | None = None  # for "the two countries"
    last_by_root: dict[str, Actor] = field(default_factory=dict)  # "the strikes" -> who struck last


@dataclass(slots=True)
class Targets:
    actors: list[Actor]
    how: str = "syntax"  # syntax | place | nearest: how the recipient was found

    def __bool__(self) -> bool:
        return bool(self.actors)


class SentenceMatcher:
    def __init__(self, lex: Lexicon, resolver: ActorResolver, sent: Span, memory: Memory):
        self.lex = lex
        self.resolver = resolver
        self.sent = sent
        self.memory = memory
        self.claimed: set[int] = set()
        self.found: list[Found] = []

    # ------------------------------------------------------------------ entry point

    def run(self) -> list[Found]:
        # Shallow tokens first, so a wrapping frame claims its embedded event before that event
        # is coded on its own.
        order = sorted(self.sent, key=lambda t: (sum(1 for _ in t.ancestors), t.i))
        for tok in order:
            if tok.i in self.claimed:
                continue
            if self._verb_like(tok):
                found = self.code_verb(tok)
                if not found:
                    found = self._deontic_report(tok)
                if not found and tok.tag_ == "VBG" and not children(tok, "nsubj", "dobj", "aux"):
                    found = self.code_noun(tok)  # a gerund used as a noun ("in the shelling")
                self.found.extend(found)
            elif tok.pos_ in _NOUN_POS:
                self.found.extend(self.code_noun(tok))
        self._remember()
        return self.found

    # ------------------------------------------------------------------ verbs

    def _verb_like(self, tok: Token) -> bool:
        if tok.pos_ in _VERB_POS:
            return True
        # "ready to", "willing to", "opposed to": predicative adjectives
        return tok.pos_ == "ADJ" and tok.dep_ in {"acomp", "oprd", "xcomp", "ROOT"} and bool(self.verb_frames(tok))

    def verb_frames(self, tok: Token) -> list[Frame]:
        forms = lemma_forms(tok)
        frames: list[Frame] = []
        for prt in children(tok, "prt"):
            frames += next((self.lex.verb_frames[f"{f} {prt.lower_}"] for f in forms
                            if f"{f} {prt.lower_}" in self.lex.verb_frames), [])
        return frames + next((self.lex.verb_frames[f] for f in forms if f in self.lex.verb_frames), [])

    def _is_light(self, verb: Token, cue: str = "light_verbs") -> bool:
        return any(f in self.lex.cue(cue) for f in lemma_forms(verb))

    def code_verb(self, tok: Token, controller: list[Actor] | None = None,
                  forced: Factuality | None = None, stop: Token | None = None) -> list[Found]:
        frames = self.verb_frames(tok)
        if not frames:
            return []
        objs = self._objects(tok)
        words = self._words(objs)
        has_object = bool(children(tok, "dobj"))
        for frame in frames:
            if frame.objects is not None and not (words & frame.objects):
                continue
            if frame.intransitive and has_object:
                continue
            if frame.excludes and any(c.dep_ in frame.excludes for c in tok.children):
                continue  # "calling them an occupying army" names, it does not phone
            if frame.subjects is not None and not (self._words(subject_tokens(tok)) & frame.subjects):
                continue
            comp = self._complement(tok, frame.complement_via) if frame.complement else None
            if frame.requires_complement and comp is None:
                continue
            sources = controller if controller and not frame.source else self._sources(tok, frame, objs)
            if not sources and frame.code[:2] == "14":
                sources = self._crowd_source(tok, None)
            if not sources:
                if frame.source:
                    continue  # "received arms" names no supplier: try the next frame
                if frame.objects is not None:
                    self._claim(objs)
                return []
            if frame.complement:
                out = self._wrap(tok, tok, frame, comp, sources, objs, forced, stop)
                if out:
                    self._claim([tok])
                    return out
                continue
            targets = self._targets(tok, frame, objs, sources)
            if frame.requires_target and not targets and not (frame.symmetric and len(sources) > 1):
                continue
            self._claim([tok] + (objs if frame.objects is not None else []))
            if tok.lemma_.lower() in self.lex.cue("offer_verbs") and stop is None:
                # "offered its troops to Lebanon": the offer is the event (AGREE); the troops
                # going there is only promised
                return self._as_intent(tok, frame, sources, targets, forced)
            return self._emit(tok, tok, frame, frame.code, sources, targets, forced, stop)
        return []

    def _objects(self, tok: Token) -> list[Token]:
        if tok.pos_ == "ADJ":
            return []
        heads = object_tokens(tok) + with_objects(tok)
        out = []
        for h in heads:
            out.extend(conjuncts(h))
        return out

    def _words(self, toks: list[Token]) -> set[str]:
        """What the objects are: lemmas, compounds, and the noun inside "10 days of war games"."""
        words: set[str] = set()
        for t in toks:
            for x in [t] + prep_objects(t, {"of"}):
                words.update({x.lemma_.lower(), x.lower_, *hyphen_forms(x)})
                phrase = compound_phrase(x)
                if phrase:
                    words.add(phrase)
            for x in prep_objects(t, {"of"}):  # "a state of siege", "state of emergency"
                words.add(f"{t.lemma_.lower()} of {x.lemma_.lower()}")
            # "state of emergency", "martial law"
            words.add(" ".join(x.lower_ for x in t.subtree if x.dep_ not in {"det", "punct"})[:60])
        return words

    def _as_intent(self, tok: Token, frame: Frame, sources: list[Actor], targets: Targets,
                   forced: Factuality | None) -> list[Found]:
        table = self.lex.complements["intent"]
        embedded = Factuality(table.factuality, [f"offered by '{tok.text}'"], kinds=[table.factuality])
        inner = self._emit(tok, tok, frame, frame.code, sources, targets, embedded, tok)
        for f in inner:
            f.embedded = True
        out = list(inner)
        for f in inner:
            out.extend(self._emit(tok, tok, frame, table.code_for(f.code), [f.source],
                                  Targets([f.target] if f.target else []), forced, None, pair=False))
        return out

    def _deontic_report(self, tok: Token) -> list[Found]:
        """ "Russia said Sudan must return the helicopter": a demand by the speaker."""
        lemma = tok.lemma_.lower()
        if lemma not in self.lex.cue("reporting_verbs") or lemma in self.lex.cue("alleging_verbs"):
            return []
        for comp in children(tok, "ccomp"):
            modals = {c.lower_ for c in comp.children if c.dep_ == "aux"}
            if not modals & self.lex.cue("deontic_modals"):
                continue
            subj = children(comp, "nsubj", "nsubjpass")
            speakers = self._sources(tok, None)
            if not subj or not speakers:
                continue
            frame = Frame(id="must-report", code="100", complement="demand")
            return self._wrap(tok, tok, frame, comp, speakers, [], None, None)
        return []

    # ------------------------------------------------------------------ nouns

    def noun_frames(self, tok: Token) -> list[Frame]:
        for form in hyphen_forms(tok):  # "cease-fire"
            if form in self.lex.noun_frames:
                return self.lex.noun_frames[form]
        phrase = compound_phrase(tok)
        if phrase and phrase in self.lex.noun_frames:
            return self.lex.noun_frames[phrase]
        return self.lex.noun_frames.get(tok.lemma_.lower(), []) or self.lex.noun_frames.get(tok.lower_, [])

    def light_verb(self, tok: Token) -> Token | None:
        """The verb that carries an event noun: "launched strikes", "engaged in talks"."""
        head = tok.head
        if tok.dep_ in {"dobj", "nsubjpass", "obj"} and head.pos_ in _VERB_POS:
            return head if self._is_light(head) else None
        if tok.dep_ == "pobj" and head.dep_ == "prep" and head.head.pos_ in _VERB_POS:
            verb = head.head
            if self._is_light(verb, "prepositional_light_verbs"):
                return verb
        return None

    def code_noun(self, tok: Token, controller: list[Actor] | None = None,
                  forced: Factuality | None = None, stop: Token | None = None) -> list[Found]:
        frames = self.noun_frames(tok)
        if not frames or self.resolver.is_actor_word(tok):
            return []
        light = self.light_verb(tok)
        anchor = light or tok
        source_preps = {"by"} | {p for f in frames for p in f.source}
        sources = self._noun_sources(tok, light, source_preps) or controller or []
        pairs_from_between = False
        if not sources and (light is not None or tok.dep_ in {"nsubj", "ROOT"}) and any(f.symmetric for f in frames):
            # "talks between Israel and Lebanon resumed"
            between = [a for h in prep_objects(tok, {"between", "among"}) for c in conjuncts(h)
                       for a in self._actors(c)]
            if len(between) >= 2:
                sources, pairs_from_between = between, True
        if not sources and any(f.code[:2] == "14" for f in frames):
            sources = self._crowd_source(tok, light)
        if not sources:
            return []
        for frame in frames:
            if pairs_from_between and not frame.symmetric:
                continue
            if frame.lights is not None and (light is None or not set(lemma_forms(light)) & frame.lights):
                continue
            if frame.complement:
                if light is None and tok.dep_ not in {"nsubj", "ROOT", "nsubjpass"} and controller is None:
                    continue  # "reneged on his commitment": a promise mentioned, not made here
                comp = self._noun_complement(tok, light)
                if frame.requires_complement and comp is None:
                    continue
                out = self._wrap(tok, anchor, frame, comp, sources, [], forced, stop)
                if out:
                    self._claim([tok])
                    return out
                continue
            targets = Targets([]) if pairs_from_between else self._noun_targets(tok, light, frame, sources)
            if frame.requires_target and not targets and not (frame.symmetric and len(sources) > 1):
                continue
            self._claim([tok])
            return self._emit(tok, anchor, frame, frame.code, sources, targets, forced, stop, nominal=True)
        return []

    def _noun_sources(self, tok: Token, light: Token | None, preps: set[str] = frozenset({"by"})) -> list[Actor]:
        out: list[Actor] = []
        named = False  # a possessive or "by" phrase names the actor outright
        for c in tok.children:
            if c.dep_ == "poss":
                out.extend(self._actors_of(c))
                named = True
            elif c.dep_ in {"amod", "compound", "nmod"} and c.i < tok.i:
                out.extend(self.resolver.actors(c) if self.resolver.is_actor_word(c) else [])
        for h in prep_objects(tok, set(preps)):
            for c in conjuncts(h):
                out.extend(self._actors_of(c))
                named = True
        if out and not named and light is None and tok.dep_ == "pobj" and tok.head.lower_ in _ADJUNCT_PREPS:
            verb = tok.head.head
            harm = verb.pos_ in _VERB_POS and children(verb, "auxpass") and any(
                f in self.lex.cue("harm_verbs") for f in lemma_forms(verb))
            if not harm:  # "killed in Israeli tank shelling" names the killers; "amid the uprising" does not
                return []
        if not out and light is not None:
            out = self._sources(light, None)
            if not out and children(light, "auxpass") and not children(light, "agent"):
                # "Serb forces were engaged in ethnic cleansing": a state, not a passive act
                out = [a for s in children(light, "nsubjpass") for c in self._conj(s) for a in self._actors_of(c)]
        return unique_actors(out)

    def _noun_targets(self, tok: Token, light: Token | None, frame: Frame, sources: list[Actor]) -> Targets:
        harm_verb = tok.head.head
        if tok.dep_ == "pobj" and children(harm_verb, "auxpass") and any(
                f in self.lex.cue("harm_verbs") for f in lemma_forms(harm_verb)):
            # "civilians were killed in the Azerbaijani shelling": the victims are the recipients
            victims = children(tok.head.head, "nsubjpass")
            actors = self._collect(victims, sources)
            if actors:
                return Targets(actors)
            if victims and any(v.lemma_.lower() in self.lex.cue("generic_people") or
                               self.resolver.actors(v) == [] and v.lemma_.lower() in {"dozen", "dozens", "hundreds", "thousands", "scores"}
                               for v in victims) and len(sources) == 1 and sources[0].country:
                place = self._place_target(tok.head.head, sources)
                if place:
                    return place
                return Targets([Actor(text=victims[0].text, code=sources[0].country + "CVL", country=sources[0].country,
                                      sector="CVL", kind="state")], "domestic")
        of_objs = prep_objects(tok, {"of"})
        for slot in frame.target:
            if slot in {"obj", "iobj"}:
                heads = children(light, "dative") if light is not None and slot == "iobj" else []
            else:
                heads = prep_objects(tok, {slot})
                for o in of_objs:  # "a suspension of air links with Serbia"
                    heads += prep_objects(o, {slot})
                if light is not None:
                    heads += prep_objects(light, {slot})
            actors = self._collect(heads, sources, owner=slot in {"of", "on", "against"})
            if actors:
                return Targets(actors, "place" if slot in _PLACE_SLOTS else "syntax")
        found = self._fallback_targets(tok, frame, sources)
        if not found and light is not None:  # "launched attacks ... in northeastern Nigeria"
            found = self._fallback_targets(light, frame, sources)
        return found

    def _noun_complement(self, tok: Token, light: Token | None = None) -> Token | None:
        for c in (light.children if light is not None else ()):
            if c.dep_ == "ccomp" and c.pos_ in _VERB_POS:  # "reiterated its demand that Israel ease"
                return c
        for c in tok.children:
            if c.dep_ in {"acl", "xcomp", "relcl", "ccomp"} and c.pos_ in _VERB_POS:
                if any(a.lower_ in {"to", "that"} for a in c.children) or c.dep_ == "ccomp":
                    return c
        for h in prep_objects(tok, {"for", "of", "to", "on", "against"}):
            if self._is_event_word(h):
                return h
        return None

    # ------------------------------------------------------------------ embedded events

    def _complement(self, tok: Token, via: frozenset[str] | None = None) -> Token | None:
        """The embedded event of a wrapping verb: "to withdraw", "that Y must leave",
        "of shelling", "for talks", or an event noun as object ("demanded the withdrawal")."""
        def allowed(route: str) -> bool:
            return via is None or route in via
        for c in tok.children:
            if c.dep_ == "xcomp" and allowed("xcomp") and (c.pos_ in _VERB_POS or self._is_event_word(c)):
                if c.tag_ == "VBG" and not any(a.lower_ == "to" for a in c.children):
                    continue  # "demanded the withdrawal ..., calling them an army": a comment, not the demand
                return c
        for c in tok.children:
            if c.dep_ == "advcl" and allowed("advcl") and c.pos_ in _VERB_POS and any(
                    a.lower_ == "to" and a.dep_ == "aux" for a in c.children):
                return c
        for c in tok.children:
            if c.dep_ == "ccomp" and allowed("ccomp") and c.pos_ in _VERB_POS:
                return c
        preps = {"to", "for", "of", "on", "upon", "with", "against", "about", "over", "from"}
        for h in prep_objects(tok, {p for p in preps if allowed(p)}):
            if h.pos_ in _VERB_POS or self._is_event_word(h):
                return h
        if via is not None:  # "called for greater impetus": the frame's own prepositions carry it
            for h in prep_objects(tok, via & preps):
                return h
        if not allowed("dobj"):
            return None
        for c in tok.children:
            if c.dep_ in {"dobj", "nsubjpass"} and c.lemma_.lower() in self.lex.cue("speech_act_nouns"):
                for v in c.children:  # "accepted an invitation to visit Pyongyang"
                    if v.dep_ in {"acl", "relcl", "xcomp"} and v.pos_ in _VERB_POS and self._is_event_word(v):
                        return v
        for c in tok.children:
            if c.dep_ in {"dobj", "nsubjpass"} and self._is_event_word(c):
                return c
        for c in tok.children:
            if c.dep_ in {"dobj", "nsubjpass"} and c.pos_ in _NOUN_POS and not self.resolver.is_actor_word(c):
                return c  # "rejected an Australian ultimatum": no event, but it names the other side
        return None

    def _is_event_word(self, tok: Token) -> bool:
        if tok.pos_ in _NOUN_POS:
            return bool(self.noun_frames(tok))
        return bool(self.verb_frames(tok))

    def _event_in(self, comp: Token) -> Token | None:
        """The event inside a complement: the complement itself, or the event noun a light verb
        carries ("threatened to hold a general strike")."""
        if self._is_event_word(comp):
            if comp.pos_ in _NOUN_POS and comp.lemma_.lower() in self.lex.cue("speech_act_nouns"):
                return None  # "rejected an ultimatum": the ultimatum is the other side's act
            return comp
        if comp.pos_ in _VERB_POS and self._is_light(comp):
            for c in comp.children:
                if c.dep_ == "dobj" and c.pos_ in _NOUN_POS and self.noun_frames(c):
                    return c
        return None

    def _wrap(self, tok: Token, anchor: Token, frame: Frame, comp: Token | None, sources: list[Actor],
              objs: list[Token], forced: Factuality | None, stop: Token | None) -> list[Found]:
        table: ComplementTable = self.lex.complements[frame.complement]
        if tok.pos_ in _NOUN_POS:
            own = self._noun_targets(tok, self.light_verb(tok), frame, sources)
        else:
            own = self._syntactic_targets(tok, frame, objs, sources)
        inner: list[Found] = []
        source_codes = {s.code for s in sources}
        event = self._event_in(comp) if comp is not None and comp.i not in self.claimed else None
        comp_subject = children(comp, "nsubj", "nsubjpass") if comp is not None else []
        if event is not None:
            if table.actor == "object":
                controller = None if comp_subject else (own.actors or None)
            else:
                controller = None if comp_subject else sources
            embedded = Factuality(table.factuality, [f"embedded under '{tok.text}'"], kinds=[table.factuality])
            if forced is not None:
                embedded.merge(forced)
            own_fact = assess(anchor, self.lex, nominal=tok.pos_ in _NOUN_POS and anchor.i == tok.i, stop=stop)
            if own_fact.value in {"negated", "alleged", "hypothetical"}:
                # "did not commit to help": what was not promised is not promised either
                embedded.add(own_fact.value, f"under {own_fact.value} '{tok.text}'")
            if event.pos_ in _NOUN_POS:
                inner = self.code_noun(event, controller, embedded, stop=tok)
            else:
                inner = self.code_verb(event, controller, embedded, stop=tok)
            for f in inner:
                f.embedded = True
            self._claim([comp, event])
        elif comp is not None:
            self._claim([comp])
        if table.kind in {"request", "demand"} and inner and all(f.source.code in source_codes for f in inner):
            table = self.lex.complements["intent"]  # "Obama wants to attack": his own plan, not a request
        if table.kind == "intent" and inner and all(_self_negated(f) for f in inner):
            table = self.lex.complements["reject"]  # "vowed not to return the Golan Heights"
        elif table.kind == "intent" and inner and all(cameo_code(f.code).quad_class >= 3 for f in inner):
            table = self.lex.complements["threaten"]  # "vowed to retaliate", "is prepared to impose martial law"
        out: list[Found] = list(inner)
        wrappers: list[tuple[str, Actor, Actor | None, str]] = []
        if inner:
            for e in inner:
                if own:
                    tgts: list[Actor | None] = list(own.actors)
                    how = own.how
                elif e.source.code not in source_codes and not any(_same_country(e.source, s) for s in sources):
                    # "urged Iran to stop", "opposed to French mediation": the other side's act
                    tgts, how = [e.source], "syntax"
                else:
                    tgts, how = [e.target], e.target_basis if e.target is not None else "syntax"
                if tgts == [None]:
                    # "agreed to lift embargoes ... to Iran, Libya and Cuba": no recipient in the
                    # embedded clause's slots; take the one its clause names
                    found = self._conditional_target(tok, comp, sources) or self._nearest_target(comp, sources)
                    if found:
                        tgts, how = list(found.actors), found.how
                doers = sources
                if table.actor == "subject":
                    # "the two leaders agreed that their envoys would meet": each side's promise
                    # is about its own side's act
                    doers = [s for s in sources if _same_country(s, e.source)] or sources
                for s in doers:
                    for t in tgts:
                        wrappers.append((table.code_for(e.code), s, t, how))
        else:
            targets = own
            if not targets and comp_subject:
                # "demanded that the US cancel its plans", "warned that Iran would pay": the
                # demand, or the threat, is aimed at the clause's subject
                targets = Targets(self._collect(comp_subject, sources))
                if not targets and frame.code[:2] in _DOMESTIC_ROOTS | {"02", "10"}:
                    targets = Targets(self._compatriot(comp_subject[0], sources), "domestic")
            if not targets and comp is not None and comp.pos_ in _NOUN_POS:
                targets = Targets(self._collect([comp], sources, owner=True))
                if not targets and frame.code[:2] in _DOMESTIC_ROOTS | {"02", "10"}:
                    # "dismissed an appeal from President Gbagbo": an unnamed office holder at home
                    for owner in prep_objects(comp, {"from", "of", "by"}):
                        mates = self._compatriot(owner, sources)
                        if mates:
                            targets = Targets(mates, "domestic")
                            break
            if not targets and not (frame.symmetric and len(sources) > 1):
                targets = self._conditional_target(tok, comp, sources) or \
                    self._nearest_target(comp or tok, sources)
            code = frame.code
            if table.kind == "intent" and comp is not None and any(c.dep_ == "neg" for c in comp.children):
                code = self.lex.complements["reject"].default  # "vowed not to return the Golan Heights"
            if frame.symmetric and len(sources) > 1 and not targets:
                wrappers.extend((code, s, t, "syntax") for s in sources for t in sources if s.code != t.code)
            else:
                if frame.requires_target and not targets:
                    return out
                for s in sources:
                    for t in (targets.actors or [None]):
                        wrappers.append((code, s, t, targets.how))
        seen = set()
        for code, s, t, how in wrappers:
            key = (code, s.code, t.code if t else None)
            if key in seen or (t is not None and t.code == s.code and how not in {"place", "domestic"}):
                continue
            seen.add(key)
            out.extend(self._emit(tok, anchor, frame, code, [s], Targets([t] if t else [], how), forced, stop,
                                  nominal=tok.pos_ in _NOUN_POS, pair=False))
        return out

    # ------------------------------------------------------------------ actors

    def _sources(self, tok: Token, frame: Frame | None, objs: list[Token] = ()) -> list[Actor]:
        if frame is not None and frame.source:
            heads = []
            for slot in frame.source:
                if slot == "owner":  # "shipments of Iranian missiles", "assurances from X": whose the things are
                    heads += [o for obj in objs for o in [obj] + prep_objects(obj, {"of", "from"})]
                else:
                    heads += prep_objects(tok, {slot})
        elif tok.pos_ == "ADJ" and tok.dep_ in {"acomp", "attr", "oprd", "xcomp"}:
            heads = subject_tokens(tok.head)
        else:
            heads = self._controlled_subject(tok) or subject_tokens(tok)
        out: list[Actor] = []
        for h in heads:
            for c in self._conj(resolve_relative(h)):
                found = self._actors_of(c)
                if not found and c.dep_ == "dobj" and self._is_light(c.head):
                    # "the PKK issued a declaration demanding ...": the declaration's author
                    found = [a for s in subject_tokens(c.head) for a in self._actors_of(s)]
                out.extend(found)
        return unique_actors(out)

    def _controlled_subject(self, tok: Token) -> list[Token]:
        """ "urged Iran to stop", "commit Russia to defend": the object does the "to" clause."""
        if tok.dep_ in {"xcomp", "advcl"} and not children(tok, "nsubj", "nsubjpass"):
            head = tok.head
            if head.lemma_.lower() in self.lex.cue("object_control_verbs"):
                objs = children(head, "dobj") or prep_objects(head, {"on", "upon"})
                if objs:
                    return objs
        return []

    def _actors_of(self, tok: Token) -> list[Actor]:
        """Actors a token names, with pronouns and definite descriptions ("the bloc", "the
        two countries") resolved to actors named earlier."""
        if _is_pronoun(tok):
            return self._pronoun(tok)
        actors = self.resolver.actors(tok)
        if actors or tok.pos_ != "NOUN":
            return actors
        return self._description(tok)

    def _description(self, tok: Token) -> list[Actor]:
        dets = {c.lower_ for c in tok.children if c.dep_ in {"det", "nummod", "predet", "amod"}}
        lemma = tok.lemma_.lower()
        mem = self.memory
        sector = self.resolver.sector_of(tok)
        if sector and mem.last_pair:
            # "the foreign ministers of the two countries", "commanders from both sides"
            for p in prep_objects(tok, {"of", "from"}):
                pd = {c.lower_ for c in p.children if c.dep_ in {"det", "nummod", "predet"}}
                if pd & {"two", "both"} and p.lemma_.lower() in self.lex.cue("pair_references"):
                    return [Actor(text=tok.text, code=(a.country or a.code) + (sector if a.country else ""),
                                  country=a.country, sector=sector if a.country else a.sector, name=a.name,
                                  kind="state" if a.country else a.kind)
                            for a in mem.last_pair]
        if dets & {"two", "both"} and lemma in self.lex.cue("pair_references") and mem.last_pair:
            return list(mem.last_pair)
        if "the" not in dets or len([c for c in tok.children if c.dep_ in {"amod", "compound"}]) > 1:
            return []
        if lemma in self.lex.cue("country_references") and mem.last_country is not None:
            return [_referring(mem.last_country, tok)]
        if lemma in self.lex.cue("organisation_references") and mem.last_organisation is not None:
            return [_referring(mem.last_organisation, tok)]
        if sector and mem.last_country is not None and mem.last_country.country:
            # "the government", "the army": the country in focus
            base = mem.last_country
            return [Actor(text=tok.text, code=base.country + sector, country=base.country, sector=sector,
                          name=base.name, kind="state")]
        return []

    def _conj(self, tok: Token) -> list[Token]:
        """Coordinated noun phrases, also where the parser hung the "and" on another word of a
        multi-word name ("Barack Obama and Vladimir Putin")."""
        out = conjuncts(tok)
        m = self.resolver.matches.get(tok.i)
        if m is not None:
            for t in m.span:
                if t.i != tok.i:
                    out += [c for c in conjuncts(t)[1:] if c.i not in {o.i for o in out}]
        return out

    def _actors(self, tok: Token) -> list[Actor]:
        return self._actors_of(resolve_relative(tok))

    def _pronoun(self, tok: Token) -> list[Actor]:
        if tok.lower_ in {"itself", "themselves", "himself", "herself"}:
            # a reflexive is its own clause's subject
            verb = tok.head if tok.dep_ != "pobj" else tok.head.head
            for s in subject_tokens(verb):
                if not _is_pronoun(s):
                    return [a for c in self._conj(resolve_relative(s)) for a in self.resolver.actors(c)]
        if tok.dep_ in {"dobj", "pobj", "dative"}:
            # "Blinken called Aliyev and urged him to stop": an object pronoun is not its own
            # clause's subject; take the nearest actor named before it
            verb = tok.head if tok.dep_ != "pobj" else tok.head.head
            own_subjects = {t.i for s in subject_tokens(verb) for t in s.subtree} if verb.pos_ in _VERB_POS else set()
            for t in reversed(self.sent[: tok.i - self.sent.start]):
                if t.i in own_subjects or _is_pronoun(t):
                    continue
                if t.i in self.resolver.matches and t.i == self.resolver.matches[t.i].span.root.i:
                    actors = self.resolver.actors(t)
                    if actors:
                        return actors
            return list(self.memory.last_subjects)
        # The subject of a governing clause ("Syria says it is willing"), else an earlier actor
        # in the sentence, else the last subject of the previous sentences.
        if tok.lower_ in {"it", "its", "itself"}:
            # "it" is a state or a body, never a person: the nearest such actor named before
            for t in reversed(self.sent[: tok.i - self.sent.start]):
                m = self.resolver.matches.get(t.i)
                if m is None or m.span.root.i != t.i or t.ent_type_ == "PERSON":
                    continue
                actors = [a for a in self.resolver.actors(t) if not _is_person(a)]
                if actors:
                    return actors
            return [a for a in self.memory.last_subjects if not _is_person(a)]
        plural = tok.lower_ in {"they", "them", "their", "themselves", "we", "our", "us"}
        for anc in tok.ancestors:
            for s in children(anc, "nsubj", "nsubjpass"):
                if s.i < tok.i and not _is_pronoun(s):
                    heads = self._conj(resolve_relative(s)) if plural else [resolve_relative(s)]
                    actors = [a for h in heads for a in self.resolver.actors(h)]
                    if actors:
                        return unique_actors(actors)
        for t in self.sent:
            if t.i >= tok.i:
                break
            if t.dep_ in {"nsubj", "nsubjpass"} and not _is_pronoun(t):
                actors = self.resolver.actors(t)
                if actors:
                    return actors
        return list(self.memory.last_subjects)

    def _syntactic_targets(self, tok: Token, frame: Frame, objs: list[Token], sources: list[Actor]) -> Targets:
        inner_objs = objs + [p for o in objs for p in prep_objects(o, {"of"})]
        for slot in frame.target:
            if slot == "obj":
                heads = object_tokens(tok)
            elif slot == "iobj":
                heads = children(tok, "dative")
            elif slot == "subj":  # "Russia received missiles from Iran": the receiver
                heads = subject_tokens(tok)
            else:
                heads = prep_objects(tok, {slot})
                for o in inner_objs:
                    heads += prep_objects(o, {slot})
            actors = self._collect(heads, sources, owner=slot == "obj")
            if actors:
                return Targets(actors, "place" if slot in _PLACE_SLOTS else "syntax")
        return Targets([])

    def _targets(self, tok: Token, frame: Frame, objs: list[Token], sources: list[Actor]) -> Targets:
        return self._syntactic_targets(tok, frame, objs, sources) or self._fallback_targets(tok, frame, sources)

    def _fallback_targets(self, tok: Token, frame: Frame, sources: list[Actor]) -> Targets:
        """When syntax names no recipient: for violence, coercion and protest the country where
        it happened; otherwise the nearest actor named in the trigger's own clause."""
        if frame.place_target:
            place = self._place_target(tok, sources, extra_preps={"to"})
            if place:
                return place
        if frame.code[:2] in _PLACE_TARGET_ROOTS:
            place = self._place_target(tok, sources)
            if place:
                return place
        if frame.code[:2] in _PLACE_TARGET_ROOTS | _DOMESTIC_ROOTS:
            domestic = self._domestic_target(tok, frame, sources)
            if domestic:
                return domestic
        if not frame.target:
            return Targets([])
        if frame.complement or frame.code[:2] in {"07", "08"}:
            # a promise, demand or threat, aid or a concession, is aimed at the actor its clause names
            return self._nearest_target(tok, sources)
        return Targets([])

    def _place_target(self, tok: Token, sources: list[Actor], extra_preps: set[str] = frozenset()) -> Targets:
        """The state where the event happened: a place in a locative phrase ("in Jericho"), or
        the place the act was aimed at ("struck the port of Odesa", "shelled Juba")."""
        objects = {o.i for o in object_tokens(tok)} if tok.pos_ in _VERB_POS else set()
        for ent in self.sent.ents:
            if ent.label_ not in {"GPE", "LOC", "FAC"} or not _governed_by(ent.root, tok):
                continue
            head = ent.root.head
            if ent.root.i in objects:
                pass
            elif head.dep_ == "prep" and head.lower_ == "of" and head.head.i in objects:
                pass  # "the port of Odesa"
            else:
                prep = head
                if prep.dep_ == "prep" and prep.lower_ == "of" and prep.head.dep_ == "pobj":
                    prep = prep.head.head  # "in the town of Cizre"
                if prep.dep_ != "prep" or prep.lower_ not in _PLACE_PREPS | extra_preps:
                    continue
            actors = self.resolver.actors(ent.root)
            country = actors[0].country if actors else None
            if country is None:
                loc = find_place(ent.text)
                country = loc.country if loc else None
            if country:
                return Targets([Actor(text=ent.text, code=country, country=country, kind="state")], "place")
        return Targets([])

    def _compatriot(self, tok: Token, sources: list[Actor]) -> list[Actor]:
        """ "warned that police will no longer tolerate ...", "allowed opposition leader X to":
        a sector word or an unknown office holder named with no country is, in a state's own
        act, that state's own."""
        if len(sources) != 1 or not sources[0].country or sources[0].kind == "organisation":
            return []
        sector = self.resolver.sector_of(tok)
        if sector is None and tok.ent_type_ == "PERSON":
            titles = [c for c in tok.children if c.dep_ == "compound" and self.resolver.sector_of(c)]
            sector = self.resolver.sector_of(titles[0]) if titles else None
        if sector is None or sector in {"REF", "CRM", "UAF"}:
            return []
        country = sources[0].country
        return [Actor(text=tok.text, code=country + sector, country=country, sector=sector, kind="state")]

    def _crowd_source(self, tok: Token, light: Token | None) -> list[Actor]:
        """ "Hundreds of thousands of people blocked streets in Hong Kong", "ethnic Albanians
        demonstrated in Kosovo": a crowd with no nationality given protests where it is, as
        that country's civilians (PLOVER's convention)."""
        verb = light or tok
        subjects = subject_tokens(verb) if verb.pos_ in _VERB_POS else []
        if not subjects:
            return []
        head = subjects[0]
        while head.lemma_.lower() in {"ten", "tens", "hundred", "hundreds", "thousand", "thousands", "dozen", "dozens",
                                      "million", "millions", "group", "crowd", "number", "some", "up"}:
            inner = prep_objects(head, {"of"})
            if not inner:
                break
            head = inner[0]
        ethnic = any(c.lower_ == "ethnic" for c in head.children)
        if not ethnic and head.lemma_.lower() not in self.lex.cue("generic_people") \
                and self.resolver.sector_of(head) not in {"CVL", "OPP", "LAB", "EDU", "REL", "REF"}:
            return []
        for anchor in (tok, verb):
            place = self._place_target(anchor, [], extra_preps={"across", "throughout"})
            if place:
                country = place.actors[0].country
                return [Actor(text=head.text, code=country + "CVL", country=country, sector="CVL", kind="state")]
        return []

    def _event_anaphor(self, tok: Token) -> list[Actor]:
        """ "condemned the arms deliveries", "condemned Saturday's strikes": a definite event
        noun points back to the last such event; the one condemned is its actor."""
        if not any(c.lower_ in {"the", "these", "those", "this", "that"} or c.dep_ == "poss" for c in tok.children):
            return []
        frames = self.noun_frames(tok)
        if not frames or frames[0].complement:
            return []
        actor = self.memory.last_by_root.get(frames[0].code[:2])
        return [_referring(actor, tok)] if actor is not None else []

    def _domestic_target(self, tok: Token, frame: Frame, sources: list[Actor]) -> Targets:
        """ "Egyptian police arrested 12 demonstrators": unnamed people acted on by a state's
        own forces (or protesting) are that state's own: a domestic event."""
        objs = object_tokens(tok) if tok.pos_ in _VERB_POS else prep_objects(tok, {"of", "on", "against"})
        objs += [h for slot in frame.target if slot not in {"obj", "iobj", "subj"} for h in prep_objects(tok, {slot})]
        objs += [p for o in list(objs) for p in prep_objects(o, {"from", "of"})]  # "demands from Shona rebels"
        generic = [o for o in objs if o.lemma_.lower() in self.lex.cue("generic_people")]
        protest = frame.code[:2] == "14"
        if not generic and frame.code[:2] in _DOMESTIC_ROOTS:
            for o in objs:
                mates = self._compatriot(o, sources)
                if mates:
                    return Targets(mates, "domestic")
        if not (generic or protest) or len(sources) != 1 or not sources[0].country:
            return Targets([])
        src = sources[0]
        violence = frame.code[:2] in {"18", "19"}
        if not protest and not violence and src.sector not in {"GOV", "COP", "MIL", "JUD", "SPY", "LEG"}:
            return Targets([])
        country = src.country
        sector = "GOV" if protest else None
        return Targets([Actor(text=(generic[0].text if generic else country), code=country + (sector or ""), kind="state",
                              country=country, sector=sector)], "domestic")

    def _nearest_target(self, tok: Token, sources: list[Actor]) -> Targets:
        """The first actor after the trigger within its clause ("threatened to deliver blows to
        the United States and Israel")."""
        source_codes = {s.code for s in sources}
        for t in tok.subtree:
            if t.i <= tok.i or t.dep_ not in {"pobj", "dobj", "dative", "nsubj", "nsubjpass", "conj", "appos", "poss"}:
                continue
            if not _governed_by(t, tok, allow_participles=True):
                continue
            if not self.resolver.is_actor_word(t) and not _is_pronoun(t):
                continue
            if _is_attribution_phrase(t):
                continue  # "..., according to Chinese state media": who says so, not the target
            actors = [a for c in conjuncts(t) for a in self._actors_of(c) if a.code not in source_codes]
            if actors:
                return Targets(unique_actors(actors), "nearest")
        return Targets([])

    def _conditional_target(self, tok: Token, comp: Token | None, sources: list[Actor]) -> Targets:
        """ "threatened to strike unless Israel withdrew": the threat is aimed at Israel."""
        for head in (comp, tok):
            if head is None:
                continue
            for c in head.children:
                if c.dep_ == "advcl" and any(m.lower_ in {"if", "unless"} for m in children(c, "mark")):
                    actors = self._collect(children(c, "nsubj", "nsubjpass"), sources)
                    if actors:
                        return Targets(actors, "syntax")
        return Targets([])

    def _collect(self, heads: list[Token], sources: list[Actor], owner: bool = False) -> list[Actor]:
        out: list[Actor] = []
        for h in heads:
            for c in self._conj(resolve_relative(h)):
                actors = self._actors_of(c)
                if not actors and owner and c.pos_ in _NOUN_POS:
                    # "condemned the coup in Niger": the thing acted on belongs to someone
                    actors = [a for p in prep_objects(c, _OWNER_PREPS) for a in self.resolver.actors(p)]
                if not actors and owner and c.pos_ in _NOUN_POS:
                    # "crimes committed by Croat forces": whose the crimes are
                    actors = [a for v in c.children if v.dep_ == "acl" for ag in prep_objects(v, {"by"})
                              for a in self.resolver.actors(ag)]
                if not actors and owner and c.pos_ in _NOUN_POS:
                    actors = self._event_anaphor(c)
                out.extend(a for a in actors if not _same(a, sources))
        return unique_actors(out)

    # ------------------------------------------------------------------ output

    def _emit(self, trigger: Token, anchor: Token, frame: Frame, code: str, sources: list[Actor],
              targets: Targets | list, forced: Factuality | None, stop: Token | None,
              nominal: bool = False, pair: bool = True) -> list[Found]:
        if isinstance(targets, list):
            targets = Targets(targets)
        fact = assess(anchor, self.lex, nominal=nominal and anchor.i == trigger.i, stop=stop)
        if forced is not None:
            fact.merge(forced)
        confidence = 0.55 + (0.1 if targets else 0.0) + (0.1 if frame.objects is not None else 0.0) \
            + (0.05 if not nominal else 0.0) - (0.15 if targets.how == "nearest" else 0.05 if targets.how == "place" else 0)
        out = []
        if frame.irregular and code == frame.code and all(_irregular(s) for s in sources) and targets and \
                all(t.sector in _CIVILIAN_SECTORS for t in targets.actors):
            code = frame.irregular  # rebels or militias against civilians: unconventional violence (CAMEO 18)
        if frame.symmetric and pair and len(sources) > 1 and not targets:
            # "Jordan and Britain agreed": each acts toward each other
            for s in sources:
                for t in sources:
                    if s.code != t.code:
                        out.append(Found(trigger, anchor, frame, code, s, t, _copy(fact), confidence,
                                         target_basis="syntax"))
            return out
        for s in sources:
            for t in (targets.actors or [None]):
                if t is not None and _same_actor(t, s) and targets.how != "place":
                    continue
                found = Found(trigger, anchor, frame, code, s, t, _copy(fact),
                              confidence if t is not None or not frame.requires_target else confidence - 0.2,
                              target_basis=targets.how if t is not None else "none")
                if targets.how != "syntax":
                    found.notes.append(f"recipient from {targets.how}")
                out.append(found)
        return out

    def _claim(self, toks: list[Token]) -> None:
        self.claimed.update(t.i for t in toks)

    def _remember(self) -> None:
        mem = self.memory
        for tok in self.sent:
            if tok.dep_ in {"nsubj", "nsubjpass"} and not _is_pronoun(tok):
                actors = self.resolver.actors(resolve_relative(tok))
                if actors:
                    mem.last_subjects = actors
                    break
        for tok in self.sent:
            if tok.i in self.resolver.matches and self.resolver.matches[tok.i].span.root.i == tok.i:
                for a in self.resolver.actors(tok):
                    if a.country and a.sector in {None, "GOV"}:
                        mem.last_country = Actor(text=a.text, code=a.country, country=a.country, name=a.name, kind="state")
                    elif a.country is None and a.sector in {"IGO", "NGO", "IMG"}:
                        mem.last_organisation = a
        for f in self.found:
            if f.embedded or f.notes:
                continue
            mem.last_by_root[f.code[:2]] = f.source
            if f.frame.symmetric and f.target is not None:
                mem.last_pair = (f.source, f.target)  # the two sides of a bilateral act
        for tok in self.sent:  # "Ethiopia's government and the TPLF ...": a named pair
            if tok.dep_ in {"nsubj", "nsubjpass"}:
                actors = [a for c in self._conj(tok) for a in self.resolver.actors(c)]
                if len(actors) == 2 and actors[0].code != actors[1].code:
                    mem.last_pair = (actors[0], actors[1])


def _referring(actor: Actor, tok: Token) -> Actor:
    return Actor(text=tok.text, code=actor.code, country=actor.country, sector=actor.sector, name=actor.name,
                 group=actor.group, kind=actor.kind)


def _governed_by(tok: Token, head: Token, allow_participles: bool = False) -> bool:
    """True when `head` governs `tok` without a clause boundary in between (participle
    phrases such as "refugees fleeing the war in Liberia" count as inside when allowed)."""
    cur = tok
    for _ in range(12):
        if cur.i == head.i:
            return True
        if cur.dep_ in _CLAUSE_BREAKS and cur.head.i != head.i and not (
                allow_participles and cur.dep_ in {"acl", "appos"}):
            return False
        if cur.head.i == cur.i:
            return False
        cur = cur.head
    return False


def _same_actor(a: Actor, b: Actor) -> bool:
    return a.code == b.code and (a.name or a.code) == (b.name or b.code)


def _same(actor: Actor, others: list[Actor]) -> bool:
    """The same actor: same code and name (a region shares its country's code but is a
    different place: "Azerbaijan's offensive in Nagorno-Karabakh"), or a state and its own
    government ("Macron's office warned that France would ...")."""
    for o in others:
        if actor.code == o.code and (actor.name or actor.code) == (o.name or o.code):
            return True
        if actor.country and actor.country == o.country and actor.kind != "region" and o.kind != "region" \
                and {actor.sector, o.sector} <= {None, "GOV"} and None in {actor.sector, o.sector}:
            return True
    return False


_CIVILIAN_SECTORS = {"CVL", "REF", "JRN", "EDU", "MED", "REL", "LAB", "AGR", "OPP"}


def _irregular(actor: Actor) -> bool:
    """A non-state armed or civilian actor (rebels, militias, gunmen, militant groups)."""
    return actor.sector in {"REB", "UAF", "IMG", "PRM", "CRM", "CVL", "OPP"}


def _is_pronoun(tok: Token) -> bool:
    """ "they", "it" (but not "US", the country)."""
    return tok.lower_ in PERSONAL_PRONOUNS and tok.pos_ == "PRON"


def _is_person(a: Actor) -> bool:
    return a.kind == "person"


def _same_country(a: Actor, b: Actor) -> bool:
    return (a.country or a.code) == (b.country or b.code)


def _self_negated(f: Found) -> bool:
    return f.fact.value == "negated" and any(m.startswith("negation") for m in f.fact.markers)


def _copy(f: Factuality) -> Factuality:
    return Factuality(f.value, list(f.markers), f.stated_plan, list(f.kinds))


def _is_attribution_phrase(tok: Token) -> bool:
    """The object of "according to" ("according to state media")."""
    prep = tok.head
    return tok.dep_ == "pobj" and prep.dep_ == "prep" and (
        prep.lower_ == "according" or (prep.lower_ == "to" and prep.head.lower_ == "according"))
