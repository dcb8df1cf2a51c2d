"""What `nexus extract` shows: the text that event offsets refer to, and its blocks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from nexus.documents.model import Block, Document, ReadProblem
from nexus.documents.readers import DEFAULT_MAX_CHARS, InputFormat, read_documents


def extract_text(doc: Document) -> str:
    """The document text exactly as offsets count it (for HTML: the extracted main text)."""
    return doc.text


def describe_blocks(doc: Document) -> str:
    """One line per block, "start<TAB>end<TAB>kind<TAB>text", newlines shown as "\\n"."""
    return "\n".join(
        f"{b.start}\t{b.end}\t{b.kind}\t{doc.text[b.start:b.end]!s}".replace("\n", "\\n")
        for b in doc.blocks
    )


def extract_documents(
    paths: Sequence[str],
    input_format: InputFormat | None = None,
    default_date: date | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Iterator[tuple[Document, list[Block]]]:
    """(document, blocks) for every readable document; problems are skipped (see read_documents)."""
    for item in read_documents(paths, input_format, default_date, max_chars):
        if isinstance(item, Document):
            yield item, item.blocks


def extract_file(
    path: str, input_format: InputFormat | None = None, default_date: date | None = None
) -> tuple[Document, list[Block]]:
    """The one document in `path`; raises ValueError with the reader's message if it fails."""
    problems: list[ReadProblem] = []
    for item in read_documents([path], input_format, default_date):
        if isinstance(item, Document):
            return item, item.blocks
        if item.fatal:
            problems.append(item)
    raise ValueError("; ".join(map(str, problems)) or f"{path}: no document")
