"""Parses documents block by block, so headings and paragraphs never merge into one sentence."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from nexus.documents.model import Block, Document
from nexus.nlp.load import load_model
from nexus.nlp.model import Sentence

#: Blocks longer than this are cut at line or sentence-like boundaries before parsing; a news
#: paragraph is far shorter, and spaCy's memory grows with the length of one text.
MAX_PIECE_CHARS = 20_000
#: The model parses at most this many pieces, and about this many characters, at a time (a
#: second or so of work); between such batches the caller's `check` runs (a time limit).
PIPE_BATCH = 256
PIPE_CHARS = 50_000


@dataclass(slots=True)
class ParsedSentence:
    """A parsed sentence: the spaCy span plus where it lies in the document."""

    record: Sentence
    span: Span
    offset: int  # document offset of the spaCy Doc's character 0

    def doc_offsets(self, start_char: int, end_char: int) -> tuple[int, int]:
        return self.offset + start_char, self.offset + end_char


def _pieces(text: str, block: Block) -> Iterator[tuple[int, int]]:
    """(start, end) document offsets of parse units inside a block."""
    start, end = block.start, block.end
    while end - start > MAX_PIECE_CHARS:
        cut = _cut_point(text, start, start + MAX_PIECE_CHARS)
        yield start, cut
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield start, end


def _cut_point(text: str, lo: int, hi: int) -> int:
    for sep in ("\n", ". ", "; ", ", ", " "):
        i = text.rfind(sep, lo + MAX_PIECE_CHARS // 2, hi)
        if i != -1:
            return i + len(sep.rstrip()) if sep != "\n" else i
    return hi


def parse_documents(documents: Iterable[Document], batch_size: int = 64,
                    check: Callable[[], None] | None = None
                    ) -> Iterator[tuple[Document, list[ParsedSentence]]]:
    """Yields each document with its parsed sentences, in input order, streaming.

    Blocks of many documents go through `nlp.pipe` together for speed, but only one batch of
    documents is held at a time, so memory stays flat however long the input is. `check`, if
    given, is called between batches of the parse and may raise to stop it (a time limit).
    """
    nlp = load_model()
    batch: list[Document] = []
    for doc in documents:
        batch.append(doc)
        if len(batch) >= batch_size:
            yield from _parse_batch(nlp, batch, check)
            batch = []
    if batch:
        yield from _parse_batch(nlp, batch, check)


def _pipe_batches(units: list[tuple[str, tuple[int, int, str]]]) -> Iterator[list[tuple[str, tuple[int, int, str]]]]:
    batch: list[tuple[str, tuple[int, int, str]]] = []
    chars = 0
    for unit in units:
        if batch and (len(batch) >= PIPE_BATCH or chars + len(unit[0]) > PIPE_CHARS):
            yield batch
            batch, chars = [], 0
        batch.append(unit)
        chars += len(unit[0])
    if batch:
        yield batch


def _parse_batch(nlp, docs: list[Document], check: Callable[[], None] | None = None
                 ) -> Iterator[tuple[Document, list[ParsedSentence]]]:
    units: list[tuple[str, tuple[int, int, str]]] = []
    for di, doc in enumerate(docs):
        for block in doc.blocks:
            for start, end in _pieces(doc.text, block):
                units.append((doc.text[start:end], (di, start, block.kind)))
    per_doc: list[list[ParsedSentence]] = [[] for _ in docs]
    for batch in _pipe_batches(units):
        if check is not None:
            check()
        for sdoc, (di, start, kind) in nlp.pipe(batch, as_tuples=True, batch_size=len(batch)):
            sentences = per_doc[di]
            for sent in _sentences(sdoc):
                rec = Sentence(index=len(sentences), start=start + sent.start_char, end=start + sent.end_char,
                               text=sent.text, block_kind=kind)
                sentences.append(ParsedSentence(record=rec, span=sent, offset=start))
    yield from zip(docs, per_doc)


def _sentences(sdoc: Doc) -> Iterator[Span]:
    for sent in sdoc.sents:
        # Drop whitespace at the edges so offsets point at text.
        while len(sent) and sent[0].is_space:
            sent = sent[1:]
        while len(sent) and sent[-1].is_space:
            sent = sent[:-1]
        if len(sent):
            yield sent
