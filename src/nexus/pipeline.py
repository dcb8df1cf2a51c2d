"""The coder: documents in, coded documents out. A pure function of (document, configuration),
so the same code runs in one process, in a pool of workers, or on a cluster."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from nexus.actors.gazetteer import load_gazetteer
from nexus.actors.model import Mention
from nexus.actors.resolve import ActorMatcher, ActorResolver, default_matcher
from nexus.coded import CodedDocument
from nexus.documents.model import NON_EVENT_KINDS, Document
from nexus.events.build import EventBuilder
from nexus.events.lexicon import Lexicon, default_lexicon, load_lexicon
from nexus.events.matcher import Memory, SentenceMatcher
from nexus.events.places import find_place
from nexus.events.rank import default_ranker
from nexus.nlp.load import load_model
from nexus.nlp.parse import ParsedSentence, parse_documents

#: Block kinds whose sentences are stored but not coded: page furniture and captions carry no
#: events, and headings and titles restate the body (coding them would count events twice).
UNCODED_KINDS = NON_EVENT_KINDS | {"heading", "title"}


@dataclass(frozen=True, slots=True)
class CoderConfig:
    """What besides the document decides the output: the knowledge files in use."""

    frames_dir: Path | None = None  # a folder with the user's frames.yaml/complements.yaml/cues.yaml
    actor_files: tuple[Path, ...] = ()  # extra gazetteer files in the package's formats
    rank: bool = True  # rescore asserted events with the learned ranker (events/data/ranker.json)
    min_confidence: float | None = None  # drop asserted events below this; None: the ranker's threshold


class Coder:
    def __init__(self, config: CoderConfig = CoderConfig()):
        self.config = config
        self.lexicon: Lexicon = load_lexicon(config.frames_dir) if config.frames_dir else default_lexicon()
        self.matcher: ActorMatcher = (ActorMatcher(load_gazetteer(config.actor_files)) if config.actor_files
                                      else default_matcher())
        self.builder = EventBuilder(self.lexicon)
        self.ranker = default_ranker() if config.rank else None

    def warm(self) -> Coder:
        """Load now what coding otherwise loads on first use (the spaCy model, the place
        gazetteer): worker processes forked after this share it instead of each loading it."""
        load_model()
        find_place("London")  # builds the cached place index
        return self

    def code_documents(self, documents: Iterable[Document], batch_size: int = 32) -> Iterator[CodedDocument]:
        """Codes documents in order, streaming: memory holds one batch at a time."""
        for doc, parsed in parse_documents(documents, batch_size=batch_size):
            yield self.code_parsed(doc, parsed)

    def code_document(self, document: Document) -> CodedDocument:
        return next(self.code_documents([document]))

    def code_parsed(self, doc: Document, parsed: list[ParsedSentence]) -> CodedDocument:
        coded = CodedDocument(document=doc, sentences=[p.record for p in parsed])
        memory = Memory()
        resolvers: dict[int, ActorResolver] = {}
        for ps in parsed:
            key = id(ps.span.doc)
            if key not in resolvers:
                resolvers[key] = ActorResolver(self.matcher, ps.span.doc, doc.date)
            resolver = resolvers[key]
            for span, actor in resolver.mention_actors():
                if ps.span.start <= span.start < ps.span.end:
                    start, end = ps.doc_offsets(span.start_char, span.end_char)
                    coded.mentions.append(Mention(ps.record.index, start, end, actor))
            if ps.record.block_kind in UNCODED_KINDS:
                continue
            found = SentenceMatcher(self.lexicon, resolver, ps.span, memory).run()
            if found:
                events = self.builder.build(doc.doc_id, ps.span, ps.record.index, ps.record.start, ps.offset,
                                            found, resolver, doc.date)
                if self.ranker is not None:
                    events = self.ranker.apply(events, self.config.min_confidence)
                elif self.config.min_confidence is not None:
                    events = [e for e in events if e.factuality != "asserted" or e.confidence >= self.config.min_confidence]
                coded.events.extend(events)
        return coded
