"""Writing coded documents in batches, the same for every backend: the statuses and counts a
write reports, and the batching (one transaction per batch, retried one document at a time)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from nexus.coded import CodedDocument

WriteStatus = Literal["added", "unchanged", "replaced"]


@dataclass(slots=True)
class WriteStats:
    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    events: int = 0  # events written (added and replaced documents)

    @property
    def documents(self) -> int:
        return self.added + self.unchanged + self.replaced

    def count(self, status: WriteStatus) -> None:
        setattr(self, status, getattr(self, status) + 1)


BatchWriter = Callable[[Sequence[CodedDocument]], list[tuple[WriteStatus, int]]]



def write_in_batches(write_batch: BatchWriter, coded_docs: Iterable[CodedDocument],
                     batch_size: int) -> WriteStats:
    """`write_many` for any backend: `batch_size` documents per `write_batch` call (one
    transaction). A failed batch is retried one document per transaction, so the error
    surfaces from the document that caused it and every document before it is kept."""
    stats = WriteStats()
    batch: list[CodedDocument] = []

    def flush() -> None:
        try:
            results = write_batch(batch)
        except Exception:
            if len(batch) == 1:
                raise
            results = [write_batch([c])[0] for c in batch]
        for status, n_events in results:
            stats.count(status)
            stats.events += n_events
        batch.clear()

    for coded in coded_docs:
        if any(c.document.doc_id == coded.document.doc_id for c in batch):
            flush()  # a second version of a document: the first must be stored before it
        batch.append(coded)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return stats
