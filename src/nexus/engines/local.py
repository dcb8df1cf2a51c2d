"""The local engine: this process, or a pool of worker processes on this machine
(nexus.parallel), each with its own coder."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from nexus.coded import CodedDocument
from nexus.documents.model import Document
from nexus.engines import Engine, shared_coder
from nexus.parallel import code_parallel
from nexus.pipeline import Coder, CoderConfig

#: Documents sent to a worker process at a time: small, so that even a short input spreads over
#: every worker, and still far more work per chunk than the cost of pickling it.
CHUNK_SIZE = 4


class LocalEngine(Engine):
    def __init__(self, workers: int = 1, config: CoderConfig = CoderConfig(), coder: Coder | None = None,
                 chunk_size: int = CHUNK_SIZE) -> None:
        self.workers = max(1, workers)
        # Worker processes build their coder from the configuration; a coder object only
        # serves this process.
        self.config = coder.config if coder is not None else config
        self.coder = coder
        self.chunk_size = chunk_size

    def code(self, documents: Iterable[Document]) -> Iterator[CodedDocument]:
        if self.workers == 1:
            yield from (self.coder or shared_coder(self.config)).code_documents(documents)
        else:
            yield from code_parallel(documents, self.workers, self.config, chunk_size=self.chunk_size)

    def __repr__(self) -> str:
        return f"LocalEngine(workers={self.workers})"
