"""The coder: documents in, coded documents out. A pure function of (document, configuration),
so the same code runs in one process, in a pool of workers, or on a cluster."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
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
#: Seconds one document may take to parse and code before it is skipped (CoderConfig.doc_timeout).
DEFAULT_DOC_TIMEOUT = 60.0
#: Documents parsed together hold at most about this many characters: a longer one is parsed
#: alone, so the time limit is its own.
GROUP_CHARS = 100_000


@dataclass(frozen=True, slots=True)
class CoderConfig:
    """What besides the document decides the output: the knowledge files in use."""

    frames_dir: Path | None = None  # a folder with the user's frames.yaml/complements.yaml/cues.yaml
    actor_files: tuple[Path, ...] = ()  # extra gazetteer files in the package's formats
    rank: bool = True  # rescore asserted events with the learned ranker (events/data/ranker.json)
    min_confidence: float | None = None  # drop asserted events below this; None: the ranker's threshold
    doc_timeout: float | None = DEFAULT_DOC_TIMEOUT  # seconds per document before it is skipped; None/0: no limit


class DocumentTimeout(TimeoutError):
    """A document took longer to parse and code than CoderConfig.doc_timeout allows."""


# How the time limit is kept. The limit is CPU time spent by the thread coding the document, not
# time on the wall: a web server coding an upload while fifty clients query it, or a laptop busy
# with other work, must not skip a document for being slowed down. Cooperatively: the parse
# checks the clock between batches of about a second of work (nlp.parse.PIPE_CHARS) and the
# coder between sentences, and stops cleanly once the limit is spent. And a hard stop for work
# that never gets back to those checks (a parse or a rule stuck on a pathological input):
# SIGALRM, set on the wall clock for the remaining limit plus a grace period as long again,
# raises DocumentTimeout wherever the interpreter is. Signals reach only the main thread of a
# process, which is where the CLI, an API caller's script and each `--workers` process code;
# elsewhere (Dask runs tasks in threads, a web server in its thread pool) the cooperative checks
# alone apply. The signal was chosen over killing and replacing worker processes: it works the
# same in one process and in a pool, and a worker keeps its loaded model and the rest of its
# chunk. It cannot stop C code that never returns to Python; no such step is known in the coder
# (spaCy's parse and Nexus's regular expressions are linear).
_clock = time.thread_time


class _Deadline:
    def __init__(self, at: float, limit: float) -> None:
        self.at = at
        self.limit = limit
        self._armed = False

    def check(self) -> None:
        """Raises DocumentTimeout once the deadline has passed."""
        if _clock() >= self.at:
            raise DocumentTimeout(f"took longer than {self.limit:g} s")

    def _alarm(self, signum: int, frame: object) -> None:
        if self._armed:  # a signal delivered late, after the work ended, is ignored
            raise DocumentTimeout(f"took longer than {self.limit:g} s")

    @contextmanager
    def hard_stop(self) -> Iterator[None]:
        """Runs the block under a SIGALRM set for the deadline plus a grace period, where this
        thread may use it (see above); elsewhere the block runs with cooperative checks only."""
        if not _can_alarm():
            yield
            return
        grace = max(1.0, self.limit)
        previous = signal.signal(signal.SIGALRM, self._alarm)
        self._armed = True
        try:
            signal.setitimer(signal.ITIMER_REAL, max(0.001, self.at + grace - _clock()))
            yield
        finally:
            self._armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)  # before the handler goes: no stray alarm
            signal.signal(signal.SIGALRM, previous)


def _can_alarm() -> bool:
    """SIGALRM is ours to use: a main thread on a system that has it, nobody else's timer set."""
    return (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)
            and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0))


def _groups(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    """Runs of at most `size` documents and about GROUP_CHARS characters, to parse together."""
    group: list[Document] = []
    chars = 0
    for doc in documents:
        if group and (len(group) >= size or chars + len(doc.text) > GROUP_CHARS):
            yield group
            group, chars = [], 0
        group.append(doc)
        chars += len(doc.text)
    if group:
        yield group


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
        """Codes documents in order, streaming: memory holds one batch at a time.

        A document that takes longer than `config.doc_timeout` comes back with `skipped` set
        and nothing else; the others are coded as if it were not there."""
        limit = self.config.doc_timeout
        if not limit:
            for doc, parsed in parse_documents(documents, batch_size=batch_size):
                yield self.code_parsed(doc, parsed)
            return
        self.warm()  # loading the model is no document's time
        for group in _groups(documents, batch_size):
            yield from self._code_group(group, limit)

    def _code_group(self, group: list[Document], limit: float) -> Iterator[CodedDocument]:
        """Short documents are parsed together (it is faster) and each is charged the time of
        the whole parse; if that runs out, each is parsed again alone to find the slow one."""
        started = _clock()
        deadline = _Deadline(started + limit, limit)
        try:
            with deadline.hard_stop():
                parsed = list(parse_documents(group, batch_size=len(group), check=deadline.check))
        except DocumentTimeout as exc:
            if len(group) > 1:
                for doc in group:
                    yield from self._code_group([doc], limit)
            else:
                yield CodedDocument(document=group[0], skipped=str(exc))
            return
        spent = _clock() - started
        for doc, sentences in parsed:
            deadline = _Deadline(_clock() + limit - spent, limit)
            try:
                with deadline.hard_stop():
                    coded = self.code_parsed(doc, sentences, check=deadline.check)
            except DocumentTimeout as exc:
                coded = CodedDocument(document=doc, skipped=str(exc))
            yield coded  # outside the hard stop: the consumer's time is not the document's

    def code_document(self, document: Document) -> CodedDocument:
        return next(self.code_documents([document]))

    def code_parsed(self, doc: Document, parsed: list[ParsedSentence],
                    check: Callable[[], None] | None = None) -> CodedDocument:
        """`check`, if given, runs before each sentence and may raise to stop (a time limit)."""
        coded = CodedDocument(document=doc, sentences=[p.record for p in parsed])
        memory = Memory()
        resolvers: dict[int, ActorResolver] = {}
        for ps in parsed:
            if check is not None:
                check()
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
