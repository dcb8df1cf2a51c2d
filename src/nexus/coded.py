"""What coding one document produces; the unit the store writes atomically."""

from __future__ import annotations

from dataclasses import dataclass, field

from nexus.actors.model import Mention
from nexus.documents.model import Document
from nexus.events.model import Event
from nexus.nlp.model import Sentence


@dataclass(slots=True)
class CodedDocument:
    document: Document
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    #: Why the document was not coded (e.g. "took longer than 60 s"); None when it was. A skipped
    #: document has no sentences or events and is reported, never stored or printed.
    skipped: str | None = None
