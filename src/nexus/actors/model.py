"""Actors as resolved in text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Actor:
    """A resolved actor. `code` is the most specific code (RUSGOV, UNO, NATO); `country` is
    ISO 3166-1 alpha-3 or None; `sector` a PLOVER/CAMEO sector (GOV, MIL, IGO, REB...)."""

    text: str
    code: str
    country: str | None = None
    sector: str | None = None
    name: str | None = None  # canonical name of the entity ("Vladimir Putin", "NATO")
    group: str | None = None  # the organisation it belongs to (UNO for the Security Council)
    kind: str | None = None  # person, state, organisation or region: what the text named


@dataclass(slots=True)
class Mention:
    """One actor mention in a document: character offsets into the document text."""

    sentence_index: int
    start: int
    end: int
    actor: Actor


def unique_actors(actors: list[Actor]) -> list[Actor]:
    """The actors in order, each code once."""
    seen, out = set(), []
    for a in actors:
        if a.code not in seen:
            seen.add(a.code)
            out.append(a)
    return out
