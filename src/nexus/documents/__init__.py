"""Reading input into Documents: readers, main-text extraction, block segmentation."""

from nexus.documents.model import Block, Document, ReadProblem
from nexus.documents.readers import (
    DEFAULT_MAX_CHARS,
    EXTENSIONS,
    InputFormat,
    read_bytes,
    read_documents,
)
from nexus.documents.segment import segment

__all__ = [
    "DEFAULT_MAX_CHARS",
    "EXTENSIONS",
    "Block",
    "Document",
    "InputFormat",
    "ReadProblem",
    "read_bytes",
    "read_documents",
    "segment",
]
