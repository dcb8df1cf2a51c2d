"""Sentence records that leave the parse stage (the spaCy objects themselves stay inside)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Sentence:
    index: int  # position in the document, from 0
    start: int  # character offsets into the document text
    end: int
    text: str
    block_kind: str  # the kind of block it came from (paragraph, heading, furniture...)
