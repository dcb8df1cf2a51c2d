"""Reading files in tests: everything the readers give, and its documents and problems apart."""

from __future__ import annotations

from pathlib import Path

from nexus.documents import Document, ReadProblem, read_documents


def read(*paths: Path | str, **kw: object) -> list[Document | ReadProblem]:
    return list(read_documents([str(p) for p in paths], **kw))  # type: ignore[arg-type]


def docs(items: list[Document | ReadProblem]) -> list[Document]:
    return [i for i in items if isinstance(i, Document)]


def problems(items: list[Document | ReadProblem]) -> list[ReadProblem]:
    return [i for i in items if isinstance(i, ReadProblem)]
