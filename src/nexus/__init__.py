"""Nexus: sourced political event data from news and analysis articles.

The stages, each one package (see DESIGN.md in the project notes):
documents -> nlp -> actors -> events -> store -> analysis -> interfaces.
"""

__version__ = "0.1.0"

from nexus.api import Nexus, code_text, events_frame, ingest, open  # noqa: E402,A004

__all__ = ["Nexus", "code_text", "events_frame", "ingest", "open", "__version__"]
