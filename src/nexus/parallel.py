"""Coding with several worker processes: the coder is a pure function of (document,
configuration), so each worker builds its own coder and documents travel to it in chunks.

The input is read lazily with a bounded window of chunks in flight, so memory stays flat however
long the input is, and results come back in input order (same output, ids included, as one
process).
"""

from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice

from nexus.coded import CodedDocument
from nexus.documents.model import Document
from nexus.engines import shared_coder
from nexus.pipeline import CoderConfig


def _init(config: CoderConfig) -> None:
    shared_coder(config).warm()  # a no-op after fork: the parent's warm coder came along


def _code_chunk(docs: list[Document], config: CoderConfig) -> list[CodedDocument]:
    return list(shared_coder(config).code_documents(docs))


def code_parallel(documents: Iterable[Document], workers: int, config: CoderConfig = CoderConfig(),
                  chunk_size: int = 16, window: int | None = None) -> Iterator[CodedDocument]:
    """Codes documents in `workers` processes; yields CodedDocuments in input order."""
    if workers <= 1:
        yield from shared_coder(config).code_documents(documents)
        return
    window = window or 2 * workers
    it = iter(documents)
    # fork shares the loaded model pages; spawn would reload it in every worker
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    if ctx.get_start_method() == "fork":
        _init(config)  # load once here, before forking, rather than once in every worker
    with ctx.Pool(workers, initializer=_init, initargs=(config,)) as pool:
        pending: deque = deque()
        while True:
            while len(pending) < window:
                chunk = list(islice(it, chunk_size))
                if not chunk:
                    break
                pending.append(pool.apply_async(_code_chunk, (chunk, config)))
            if not pending:
                break
            yield from pending.popleft().get()
