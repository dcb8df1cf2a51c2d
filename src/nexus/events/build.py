"""Turns frame matches into contract Event records: codes and PLOVER fields, attribution,
the factuality that attribution implies, intent read from stated plans, date and place."""

from __future__ import annotations

from datetime import date

from spacy.tokens import Span, Token

from nexus.actors.resolve import ActorResolver
from nexus.events.attribution import Speaker, find_speaker, intelligence_speaker, speaker_text
from nexus.events.dates import publication_date, resolve_date
from nexus.events.factuality import Factuality
from nexus.events.lexicon import Lexicon
from nexus.events.matcher import Found
from nexus.events.model import Attribution, Cameo, Event, EventDate, Location, Plover
from nexus.events.places import find_place
from nexus.ontology import cameo_code

_PLACE_PREPS = {"in", "near", "at", "outside", "around", "inside", "across", "off", "along", "over", "from"}


# Roots of verbal acts (statements, appeals, intents, demands, accusations, rejections,
# threats): a plan to say something is not itself a commitment to act.
_VERBAL_ACTS = {"01", "02", "03", "10", "11", "12", "13"}


class EventBuilder:
    def __init__(self, lex: Lexicon):
        self.lex = lex
        # Transfers that states make in secret and others report: arms, military and
        # intelligence cooperation (CAMEO 062, 064, 072). One state's account of such dealings
        # between two others is a claim.
        self._covert_codes = frozenset(lex.cue("covert_transfer_codes"))

    def build(self, doc_id: str, sentence: Span, sent_index: int, sent_start: int, offset: int,
              found: list[Found], resolver: ActorResolver, published: date | None) -> list[Event]:
        events: dict[tuple, tuple[Event, bool]] = {}
        speakers = {}
        for f in found:
            speakers[id(f)] = find_speaker(f.anchor, self.lex)
            self._attribution_factuality(f, speakers[id(f)], resolver)
        for f in found + self._derived(found, resolver) + self._accusations(found, speakers, resolver):
            speaker = speakers.get(id(f)) or find_speaker(f.anchor, self.lex)
            event = self._event(doc_id, sentence, sent_index, offset, f, speaker, resolver, published)
            if event is None:
                continue
            key = (event.source.code if event.source else None, event.target.code if event.target else None,
                   event.plover.type, event.factuality)
            if key not in events or events[key][0].confidence < event.confidence:
                events[key] = (event, not f.notes and f.target is not None)
        return _drop_weaker_duplicates(list(events.values()))

    # -- factuality from the report ------------------------------------------------------

    def _attribution_factuality(self, f: Found, speaker: Speaker | None, resolver: ActorResolver) -> None:
        """A contested claim reported from someone is alleged: the report is a claim ("claimed",
        "alleged"), comes from intelligence about another's acts, or describes a covert act."""
        covert = self._covert(f.anchor, speaker)
        if covert:
            f.fact.add("alleged", f"covert '{covert}'")
        if speaker is None:
            return
        if speaker.alleging:
            f.fact.add("alleged", f"claim by '{speaker.head.text}'")
            return
        speaker_countries = {a.country for a in resolver.actors(speaker.head) if a.country}
        if intelligence_speaker(speaker.head, self.lex):
            if f.source.country not in speaker_countries:
                f.fact.add("alleged", f"intelligence '{speaker.head.text}'")
        elif speaker_countries and not f.derived_from and f.fact.value == "asserted":
            # "the White House said North Korea had delivered munitions to Russia": one state's
            # account of what two others exchanged is a claim, not the public record
            parties = {f.source.country, f.target.country if f.target else None}
            covert_kind = f.code[:3] in self._covert_codes and f.source.country and f.source.sector != "IGO"
            if covert_kind and not speaker_countries & parties:
                f.fact.add("alleged", f"third party '{speaker.head.text}'")

    def _accusations(self, found: list[Found], speakers: dict, resolver: ActorResolver) -> list[Found]:
        """ "The US claimed that ISIL had attacked Iraq", "South Korea's spy agency said North
        Korea had shipped shells to Russia": whoever makes such a claim accuses the actor of
        the alleged act. The accusation is asserted; the act stays alleged."""
        out = []
        for f in found:
            speaker = speakers.get(id(f))
            if f.fact.value != "alleged" or speaker is None or f.derived_from:
                continue
            if f.embedded and f.frame.complement is None and any(
                    g.frame.complement == "accuse" and g.trigger.i != f.trigger.i for g in found):
                continue  # "accused X of ...": the accusation is already coded
            verb = speaker.verb
            if verb is not None and verb.lemma_.lower() in self.lex.cue("denial_verbs"):
                continue
            if cameo_code(f.code).quad_class == 1:
                continue  # a claim that two sides cooperate verbally accuses no one
            accusers = [a for c in [speaker.head, *[x for x in speaker.head.children if x.dep_ == "conj"]]
                        for a in resolver.actors(c)]
            concern = verb is not None and (verb.lemma_.lower() in self.lex.cue("alleging_adjectives")
                                            or verb.lower_ in self.lex.cue("alleging_adjectives"))
            for a in accusers:
                if (a.country or a.code) in {f.source.country, f.source.code}:
                    continue
                out.append(Found(verb or f.anchor, verb or f.anchor, f.frame, "111" if concern else "112", a,
                                 f.source, Factuality("asserted", [f"claims that {f.source.code} {f.trigger.text}"]),
                                 f.confidence - 0.1, derived_from=f.frame.id, target_basis="syntax"))
        return out

    def _covert(self, anchor: Token, speaker: Speaker | None) -> str | None:
        stop = speaker.verb if speaker else None
        cur = anchor
        while True:
            for c in cur.children:
                if c.dep_ == "advmod" and c.lower_ in self.lex.cue("covert_adverbs"):
                    return c.text
            if cur.head.i == cur.i or (stop is not None and cur.head.i == stop.i) or cur.dep_ in {"ccomp", "parataxis"}:
                return None
            cur = cur.head

    # -- intent from stated plans -----------------------------------------------------------

    def _derived(self, found: list[Found], resolver: ActorResolver) -> list[Found]:
        """ "Russia said it will send troops" is Russia's asserted intent (AGREE), "Iran will
        retaliate" a threat (THREATEN), "Obama said he would not help" a rejection (REJECT):
        PLOVER codes the stated plan as one event, not a future act."""
        out = []
        for f in found:
            if f.embedded or f.derived_from:
                continue
            if f.fact.value not in {"future", "negated", "hypothetical"} or not f.fact.stated_plan:
                continue
            if f.code[:2] in _VERBAL_ACTS:
                continue  # "will ask the banks" is a request to come, not a commitment
            speaker = find_speaker(f.anchor, self.lex)
            if speaker is not None:
                said_by = {a.country or a.code for a in resolver.actors(speaker.head)}
                if speaker.head.lower_ in {"it", "they", "he", "she", "we"}:
                    said_by = set()
                if said_by and (f.source.country or f.source.code) not in said_by:
                    continue
            elif f.fact.value != "future":
                continue  # "would" and "will not" need a speaker committing to them
            quad = cameo_code(f.code).quad_class
            if f.fact.value == "negated":
                kind = "reject"
            elif quad <= 2:
                kind = "intent"
            else:
                kind = "threaten"
            table = self.lex.complements[kind]
            out.append(Found(f.trigger, f.anchor, f.frame, table.code_for(f.code), f.source, f.target,
                             Factuality("asserted", [f"stated plan: {', '.join(f.fact.markers)}"]),
                             f.confidence - 0.05, derived_from=f.frame.id, target_basis=f.target_basis))
        return out

    # -- the record ------------------------------------------------------------------------

    def _event(self, doc_id: str, sentence: Span, sent_index: int, offset: int, f: Found,
               speaker: Speaker | None, resolver: ActorResolver, published: date | None) -> Event | None:
        entry = cameo_code(f.code)
        ptype = f.frame.plover if f.frame.plover and not f.derived_from and _same_root(f.code, f.frame.code) else entry.plover_type
        if ptype is None:
            return None
        attribution = None
        if speaker is not None:
            actors = resolver.actors(speaker.head)
            attribution = Attribution(text=speaker_text(speaker.head), code=actors[0].code if actors else None,
                                      country=actors[0].country if actors else None)
        trig_start = offset + f.trigger.idx
        trigger_text = f.trigger_text
        if trigger_text != f.trigger.text and trigger_text.endswith(f.trigger.text):
            trig_start -= len(trigger_text) - len(f.trigger.text)
        event = Event(
            doc_id=doc_id, sentence=sentence.text,
            offsets=(offset + sentence.start_char, offset + sentence.end_char),
            trigger=trigger_text, source=f.source, target=f.target,
            plover=Plover(type=ptype, mode=(f.frame.mode if _same_root(f.code, f.frame.code) else None) or entry.plover_mode,
                          context=list(entry.plover_context)),
            cameo=Cameo(code=entry.code, name=entry.name, goldstein=entry.goldstein, quad_class=entry.quad_class),
            factuality=f.fact.value, attribution=attribution,
            date=self._date(f, sentence, speaker, published),
            location=self._place(f, sentence),
            confidence=round(max(0.05, min(0.99, f.confidence - (0.1 if f.fact.value != "asserted" else 0))), 2),
            rule=f.frame.id if not f.derived_from else f"{f.code[:2]}<-{f.derived_from}",
            target_basis=f.target_basis if f.target is not None else "none",
            trigger_pos="NOUN" if f.trigger.pos_ in {"NOUN", "PROPN"} else "VERB",
            trigger_offsets=(trig_start, offset + f.trigger.idx + len(f.trigger.text)),
            sentence_index=sent_index,
        )
        event.assign_id()
        return event

    def _date(self, f: Found, sentence: Span, speaker: Speaker | None, published: date | None) -> EventDate:
        if f.derived_from:
            # "Fischer will visit Albania in June": the intent was stated now; June is the visit's
            return self._statement_date(sentence, speaker, published)
        forward = f.fact.value == "future"
        best, best_dist = None, 99
        said = speaker.verb if speaker is not None else None
        fallback = None
        for anchor in _coordinated_heads(f.anchor):
            for ent in sentence.ents:
                if ent.label_ not in {"DATE", "TIME"}:
                    continue
                dist = _distance(ent.root, anchor)
                if dist is not None and dist < best_dist:
                    best, best_dist = ent, dist
                elif said is not None and _distance(ent.root, said) is not None:
                    fallback = ent
            if best is not None:
                break
        if best is not None:
            resolved = resolve_date(best.text, published, forward=forward)
            if resolved is not None:
                return resolved
        if fallback is not None and not forward:
            # "..., officials said Thursday": the day of the report, for what it reports as done
            resolved = resolve_date(fallback.text, published)
            if resolved is not None:
                return resolved
        return publication_date(published)

    def _statement_date(self, sentence: Span, speaker: Speaker | None, published: date | None) -> EventDate:
        if speaker is not None and speaker.verb is not None:
            for ent in sentence.ents:
                if ent.label_ in {"DATE", "TIME"} and _distance(ent.root, speaker.verb) is not None:
                    resolved = resolve_date(ent.text, published)
                    if resolved is not None:
                        return resolved
        return publication_date(published)

    def _place(self, f: Found, sentence: Span) -> Location | None:
        best, best_dist = None, 99
        for ent in sentence.ents:
            if ent.label_ not in {"GPE", "LOC", "FAC"}:
                continue
            prep = ent.root.head
            if prep.dep_ != "prep" or prep.lower_ not in _PLACE_PREPS:
                # "the province of Herat": take the place named inside a place phrase
                if prep.lower_ == "of" and prep.head.dep_ == "pobj" and prep.head.head.lower_ in _PLACE_PREPS:
                    prep = prep.head.head
                else:
                    continue
            dist = _distance(prep, f.anchor)
            if dist is None:
                dist = _distance(prep, f.trigger)
            if dist is not None and dist < best_dist:
                best, best_dist = ent, dist
        if best is None:
            return None
        return find_place(best.text)


def _coordinated_heads(anchor: Token) -> list[Token]:
    """The anchor, then the verbs it is coordinated with, nearest first: "In September 2020 the
    ministers met in Moscow and agreed on a plan": the date on "met" dates "agreed" too."""
    heads = [anchor]
    cur = anchor
    while cur.dep_ == "conj" and cur.head.i != cur.i and cur.head.pos_ in {"VERB", "AUX"} and len(heads) < 5:
        cur = cur.head
        heads.append(cur)
    return heads


def _distance(tok: Token, anchor: Token) -> int | None:
    """Steps from a token up to the anchor, if the anchor governs it within one clause."""
    steps = 0
    cur = tok
    while cur.i != anchor.i:
        if cur.head.i == cur.i:
            return None
        if cur.i != tok.i and cur.pos_ in {"VERB", "AUX"} and cur.dep_ in {"ccomp", "advcl", "relcl", "xcomp"}:
            return None
        cur = cur.head
        steps += 1
        if steps > 8:
            return None
    return steps


def _same_root(code: str, frame_code: str) -> bool:
    return code[:2] == frame_code[:2]


def _drop_weaker_duplicates(events: list[tuple[Event, bool]]) -> list[Event]:
    """Where one actor's event of a type has a recipient found by syntax, the same actor's
    events of that type whose recipient was guessed (a place, the nearest actor) or missing
    are the same event read less well: keep the better one."""
    strong = {(e.source.code if e.source else None, e.plover.type, e.factuality) for e, syntactic in events if syntactic}
    return [e for e, syntactic in events
            if syntactic or (e.source.code if e.source else None, e.plover.type, e.factuality) not in strong]
