"""Nexus: sourced political event data from news and analysis articles.

The stages, each one package (see DESIGN.md in the project notes):
documents -> nlp -> actors -> events -> store -> analysis -> interfaces.
"""

__version__ = "0.1.0"
