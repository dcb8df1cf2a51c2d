"""Who says so: the speaker of the reporting clause around an event ("..., officials said",
"X told Reuters that", "according to two senior diplomats")."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from nexus.events.lexicon import Lexicon
from nexus.events.syntax import subject_tokens


def children_subject(tok: Token) -> list[Token]:
    return [c for c in tok.children if c.dep_ in {"nsubj", "nsubjpass"}]


@dataclass(slots=True)
class Speaker:
    head: Token  # head of the speaker's noun phrase
    verb: Token | None  # the reporting verb, or None for "according to"
    alleging: bool  # the report itself casts doubt ("claimed", "alleged", intelligence sources)


def _reporting_child(clause: Token, lex: Lexicon) -> Token | None:
    """ "X attacked Y, officials said" parsed with "said" hanging under "attacked"."""
    for c in clause.children:
        if c.dep_ in {"parataxis", "advcl", "ccomp", "conj"} and c.lemma_.lower() in lex.cue("reporting_verbs") | lex.cue("alleging_verbs"):
            marked = any(m.dep_ == "mark" for m in c.children)  # "after officials alleged ..."
            if c.i > clause.i and not marked and any(s.dep_ in {"nsubj"} for s in c.children):
                return c
    return None


def _according_to(clause: Token, lex: Lexicon) -> Token | None:
    for c in clause.children:
        if c.dep_ == "prep" and c.lower_ in {"according", "citing"}:
            for p in c.children:
                if p.dep_ == "prep" and p.lower_ == "to":
                    for o in p.children:
                        if o.dep_ == "pobj":
                            return o
                if p.dep_ == "pobj":
                    return p
        if c.dep_ in {"advcl", "acl"} and c.lower_ == "citing":
            for o in c.children:
                if o.dep_ == "dobj" and _can_speak(o, lex):
                    return o
    return None


def _can_speak(tok: Token, lex: Lexicon) -> bool:
    """The object of "citing" is a speaker, not a reason: a name or a source noun."""
    return (tok.pos_ == "PROPN" or tok.ent_type_ in {"PERSON", "ORG", "NORP", "GPE"}
            or tok.lemma_.lower() in lex.cue("source_nouns"))


def find_speaker(trigger: Token, lex: Lexicon) -> Speaker | None:
    reporting = lex.cue("reporting_verbs")
    alleging = lex.cue("alleging_verbs")
    cur = trigger
    chain = [trigger]
    while cur.head.i != cur.i:
        rel, gov = cur.dep_, cur.head
        lemma = gov.lemma_.lower()
        if rel in {"ccomp", "parataxis", "xcomp"} and (lemma in reporting or lemma in alleging) and gov.pos_ == "VERB":
            subj = subject_tokens(gov)
            if subj and rel != "xcomp":
                return Speaker(subj[0], gov, lemma in alleging)
        if rel == "ccomp" and (lemma in lex.cue("alleging_adjectives") or gov.lower_ in lex.cue("alleging_adjectives")):
            subj = subject_tokens(gov)  # "Washington is concerned that ..."
            if subj:
                return Speaker(subj[0], gov, True)
        concern = [c for c in gov.children if c.dep_ == "acomp" and c.lemma_.lower() in lex.cue("alleging_adjectives")]
        if rel == "ccomp" and concern and children_subject(gov):
            return Speaker(children_subject(gov)[0], concern[0], True)
        cur = gov
        chain.append(cur)
    for clause in chain:
        rep = _reporting_child(clause, lex)
        if rep is not None and rep.i != trigger.i:
            subj = subject_tokens(rep)
            if subj:
                return Speaker(subj[0], rep, rep.lemma_.lower() in alleging)
        acc = _according_to(clause, lex)
        if acc is not None:
            return Speaker(acc, None, False)
    return None


def speaker_text(head: Token) -> str:
    """The speaker's noun phrase without trailing clauses: "a senior U.N. official"."""
    left = head.left_edge
    right = head
    for c in head.rights:
        if c.dep_ in {"compound", "flat", "appos", "poss", "prep", "nummod"} and c.lower_ not in {"who", "which"}:
            if c.dep_ == "prep" and c.lower_ not in {"of", "for", "in", "at"}:
                break
            right = c.right_edge
    span = head.doc[left.i:right.i + 1]
    text = span.text.strip(" ,")
    for w in ("the ", "The "):
        if text.startswith(w) and len(text) > 20:
            break
    return text


def intelligence_speaker(head: Token, lex: Lexicon) -> bool:
    words = {t.lemma_.lower() for t in head.subtree} | {t.lower_ for t in head.subtree}
    return bool(words & lex.cue("intelligence_words"))
