"""The workbench: an HTTP API (JSON, CSV, JSONL, GraphML) and web pages over one store,
served by `nexus serve` (FastAPI and Uvicorn, one process)."""

from nexus.server.app import create_app

__all__ = ["create_app"]
