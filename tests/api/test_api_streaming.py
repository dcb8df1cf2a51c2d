"""Streaming: the coder pulls documents lazily, and reading a big JSONL file holds one line."""

from __future__ import annotations

import itertools
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

from nexus import api
from nexus.documents import Document, segment

TOTAL = 5000
RECORD_TEXT = ("Russia supplied Iran with drones in 2022, officials said. The United States imposed "
               "sanctions on Iran on Wednesday over the deliveries, the Treasury Department said.")


def test_code_documents_is_lazy():
    pulled = 0

    def documents() -> Iterator[Document]:
        nonlocal pulled
        for i in range(TOTAL):
            pulled += 1
            text = f"Russia supplied Iran with drones in 2022. Report {i} from the wire desk."
            yield Document(f"doc-{i}", text, blocks=segment(text))

    coded = api.code_documents(documents())
    first = next(coded)
    pulled_at_first = pulled
    assert pulled_at_first < 100, f"{pulled_at_first} of {TOTAL} documents read before the first result"
    assert first.document.doc_id == "doc-0"
    assert any(e.plover.type == "AID" and e.source.code == "RUS" for e in first.events)
    # results keep coming in input order, still without draining the input
    rest = list(itertools.islice(coded, 99))
    assert [c.document.doc_id for c in rest] == [f"doc-{i}" for i in range(1, 100)]
    assert pulled < 200
    coded.close()


def test_read_big_jsonl_lazily(tmp_path: Path):
    path = tmp_path / "wire-archive.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(20_000):
            f.write(json.dumps({"id": f"wire-{i:05d}", "date": "2024-03-14", "title": "Drone deliveries",
                                "url": f"https://example.org/wire/{i}", "text": RECORD_TEXT}) + "\n")
    size = path.stat().st_size
    assert size > 4_500_000

    list(itertools.islice(api.read([path]), 2))  # warm up: first-use imports and caches
    tracemalloc.start()
    try:
        ids = []
        for doc in api.read([path]):
            ids.append(doc.doc_id)
            assert doc.text == RECORD_TEXT
            if len(ids) == 200:
                break
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert ids == [f"wire-{i:05d}" for i in range(200)]
    assert peak < size / 20, f"peak {peak:,} bytes while reading 200 records of a {size:,}-byte file"


def test_read_then_code_streams_from_a_file(tmp_path: Path):
    """End to end: coding the first records of a big file does not read the whole file first."""
    path = tmp_path / "wire.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(5000):
            f.write(json.dumps({"id": f"w{i}", "text": RECORD_TEXT}) + "\n")
    read = 0

    def counted() -> Iterator[Document]:
        nonlocal read
        for doc in api.read([path]):
            read += 1
            yield doc

    coded = api.code_documents(counted())
    first = next(coded)
    assert first.document.doc_id == "w0" and first.events
    assert read < 100
    coded.close()
