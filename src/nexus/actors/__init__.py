"""Actors: the gazetteer (countries, capitals, leaders, organisations, sectors) and resolution."""

from nexus.actors.model import Actor, Mention

__all__ = ["Actor", "Mention"]
