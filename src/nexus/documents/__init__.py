"""Reading input into Documents: readers, main-text extraction, block segmentation."""

from nexus.documents.model import Block, Document, ReadProblem

__all__ = ["Block", "Document", "ReadProblem"]
