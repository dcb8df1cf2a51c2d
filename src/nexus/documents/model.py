"""The document as the rest of Nexus sees it: text plus typed blocks over that text."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

BlockKind = Literal["title", "heading", "dateline", "paragraph", "list_item", "quote", "caption", "furniture"]

#: Block kinds that carry no events: page furniture and image captions.
NON_EVENT_KINDS: frozenset[str] = frozenset({"furniture", "caption", "dateline"})


@dataclass(frozen=True, slots=True)
class Block:
    """A span of the document text: a heading, a paragraph, a caption, page furniture...

    Blocks never overlap and never cross a paragraph break, so a sentence never spans two blocks.
    """

    start: int
    end: int
    kind: BlockKind

    @property
    def codes_events(self) -> bool:
        return self.kind not in NON_EVENT_KINDS


@dataclass(slots=True)
class Document:
    """One input document. `text` is exactly the text that event offsets refer to."""

    doc_id: str
    text: str
    date: date | None = None
    title: str | None = None
    url: str | None = None
    origin: str = ""  # where it came from: a path, "<stdin>", or "path:line" for JSONL
    blocks: list[Block] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        """Identifies this exact text and date: re-ingesting an unchanged document is a no-op."""
        h = hashlib.sha256(self.text.encode("utf-8"))
        h.update(b"\0" + (self.date.isoformat() if self.date else "").encode())
        return h.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """Input that could not be read (or only partly). Reported on stderr; the run goes on."""

    origin: str  # file path or "<stdin>"
    message: str
    line: int | None = None
    fatal: bool = True  # False: a warning, the document was still read

    def __str__(self) -> str:
        where = f"{self.origin}:{self.line}" if self.line is not None else self.origin
        return f"{where}: {self.message}"
