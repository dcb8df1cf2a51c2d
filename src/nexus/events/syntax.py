"""Small helpers over spaCy's dependency parse (English, ClearNLP labels)."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Token

SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}
# Participles that describe their subject's own stance: "X is committed / prepared / determined to".
STATIVE_PARTICIPLES = {"commit", "prepare", "determine", "resolve", "incline", "oblige", "poise", "dispose",
                       "engage", "involve", "oppose", "concern", "worry", "convince", "interest"}
CLAUSE_DEPS = {"ccomp", "xcomp", "advcl", "relcl", "acl", "parataxis", "pcomp", "conj"}
RELATIVE_PRONOUNS = {"who", "which", "that", "whom", "whose"}
PERSONAL_PRONOUNS = {"it", "they", "he", "she", "we", "its", "their", "his", "her", "our", "them", "him", "us",
                     "itself", "themselves", "himself", "herself"}


def conjuncts(tok: Token) -> list[Token]:
    """The token and the tokens coordinated with it ("France, Germany and Italy")."""
    out = [tok]
    # "The US, Russia, and Switzerland": the parser may hang a list item on the first as an
    # apposition; an apposition that itself starts a coordination is a list item.
    stack = [c for c in tok.children if c.dep_ == "conj" or (c.dep_ == "appos" and _starts_list(c))]
    while stack:
        c = stack.pop(0)
        if c.pos_ in {"NOUN", "PROPN", "PRON", "ADJ"} or c.ent_type_:
            out.append(c)
            stack.extend(cc for cc in c.children if cc.dep_ == "conj" or (cc.dep_ == "appos" and _starts_list(cc)))
    return out


def _starts_list(tok: Token) -> bool:
    return tok.pos_ == "PROPN" and any(c.dep_ == "conj" for c in tok.children) and any(
        c.dep_ == "cc" for c in tok.children)


def is_passive(verb: Token) -> bool:
    return any(c.dep_ in {"nsubjpass", "auxpass"} for c in verb.children)


def children(tok: Token, *deps: str) -> list[Token]:
    return [c for c in tok.children if c.dep_ in deps]


def prep_objects(tok: Token, preps: set[str]) -> list[Token]:
    """Objects of the given prepositions attached to tok: "sanctions on Iran" -> Iran."""
    out = []
    for p in tok.children:
        if p.dep_ in {"prep", "agent", "dative"} and p.lower_ in preps:
            out.extend(c for c in p.children if c.dep_ in {"pobj", "pcomp"})
        elif p.dep_ == "prep" and p.lower_ == "according" and "to" in preps:
            pass
    # Two-word prepositions: "according to", "on behalf of", "in front of" aside, "out of" etc.
    return out


def agent_objects(verb: Token) -> list[Token]:
    """The "by" phrase of a passive verb."""
    out = []
    for c in verb.children:
        if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by" and is_passive(verb)):
            out.extend(cc for cc in c.children if cc.dep_ == "pobj")
    return out


def subject_tokens(verb: Token) -> list[Token]:
    """The grammatical actor of a verb: active subject, passive "by" agent, or the subject it
    shares with the verb it is coordinated with or controlled by."""
    if is_passive(verb) or any(c.dep_ == "agent" for c in verb.children):
        # "rejected by Kyiv and welcomed by Ankara": each conjunct has its own "by" phrase
        agents = agent_objects(verb)
        if not agents and verb.lemma_.lower() in STATIVE_PARTICIPLES:
            return children(verb, "nsubjpass")  # "Vietnam is committed to ...": a state, not an act done to it
        if agents or is_passive(verb):
            return agents
    subj = children(verb, "nsubj", "csubj")
    if subj:
        return subj
    # "Moscow is unlikely to send": the subject sits on the copula above the adjective
    if verb.dep_ in {"acomp", "attr", "oprd"} and verb.head.i != verb.i:
        return subject_tokens(verb.head)
    # "X met Y and signed ...": a conjoined verb shares the first verb's surface subject
    # ("the PM was indicted ... and will resign": the PM resigns, not the court).
    if verb.dep_ == "conj" and verb.head.pos_ in {"VERB", "AUX", "ADJ"}:
        shared = children(verb.head, "nsubj", "nsubjpass", "csubj")
        return shared or subject_tokens(verb.head)
    # "X agreed to withdraw": the controller is the subject of the governing verb.
    if verb.dep_ == "xcomp" and verb.head.i != verb.i:
        return subject_tokens(verb.head)
    # "..., killing 20 people": a participle clause shares its main clause's subject.
    if verb.dep_ == "advcl" and verb.tag_ == "VBG":
        return subject_tokens(verb.head)
    # "forces loyal to X, which attacked Y": relative clauses point at their noun.
    if verb.dep_ == "relcl":
        return [verb.head]
    # "a proposal rejected by Kyiv": handled as passive above; "troops stationed in": actor is the noun
    if verb.dep_ == "acl" and verb.tag_ == "VBG":
        return [verb.head]
    return []


def object_tokens(verb: Token) -> list[Token]:
    """Direct objects, or the passive subject, or the noun a passive participle modifies."""
    if is_passive(verb):
        # "civilians imprisoned ... were released by Putin": a conjoined passive shares the subject
        return children(verb, "nsubjpass") or (children(verb.head, "nsubj", "nsubjpass") if verb.dep_ == "conj" else [])
    objs = children(verb, "dobj", "obj") or children(verb, "oprd")  # the parser's "oprd" is often an object
    if not objs and any(c.dep_ == "prt" and c.lower_ == "up" for c in verb.children):
        # "kidnapped up to 16 advisers": the parser reads "up" as a particle and "to" as a preposition
        objs = [o for p in verb.children if p.dep_ == "prep" and p.lower_ == "to"
                for o in p.children if o.dep_ == "pobj" and any(n.dep_ == "nummod" for n in o.children)]
    if not objs and verb.dep_ == "acl" and verb.tag_ == "VBN":
        objs = [verb.head]  # "a proposal rejected by Kyiv"
    return objs


def with_objects(verb: Token) -> list[Token]:
    return prep_objects(verb, {"with"})


def resolve_relative(tok: Token) -> Token:
    """A relative pronoun stands for the noun its clause modifies."""
    if tok.lower_ in RELATIVE_PRONOUNS:
        clause = tok.head
        if clause.dep_ == "relcl":
            return clause.head
    return tok


def clause_chain(tok: Token) -> Iterator[tuple[Token, str]]:
    """Walks up from a token through the clauses that embed it: yields (governor, relation)."""
    cur = tok
    while cur.head.i != cur.i:
        yield cur.head, cur.dep_
        cur = cur.head


def compound_phrase(tok: Token) -> str | None:
    """ "air strike" for the token "strike" with compound "air"."""
    comps = [c for c in tok.children if c.dep_ in {"compound", "amod"} and c.i == tok.i - 1]
    if comps:
        return f"{comps[0].lemma_.lower()} {tok.lemma_.lower()}"
    return None


def hyphen_forms(tok: Token) -> list[str]:
    """ "cease-fire" split by the tokenizer into "cease", "-", "fire": the whole word, with and
    without its hyphen, for the last part."""
    doc = tok.doc
    if tok.i >= 2 and doc[tok.i - 1].text in {"-", "–"} and not doc[tok.i - 1].whitespace_ \
            and not doc[tok.i - 2].whitespace_:
        left = doc[tok.i - 2].lower_
        return [f"{left}-{tok.lower_}", f"{left}{tok.lower_}", f"{left}-{tok.lemma_.lower()}"]
    return []


def lemma_forms(tok: Token) -> list[str]:
    """The token's lemma, then its surface form and regular un-inflections of it: the small
    model's lemmatiser sometimes errs ("staged" -> "stag"), and a frame should still fire."""
    low = tok.lower_
    forms = [tok.lemma_.lower(), low]
    for suffix, repl in (("ied", "y"), ("ies", "y"), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", ""),
                         ("es", ""), ("s", ""), ("d", "")):
        if low.endswith(suffix) and len(low) > len(suffix) + 2:
            forms.append(low[: -len(suffix)] + repl)
    return list(dict.fromkeys(forms))
