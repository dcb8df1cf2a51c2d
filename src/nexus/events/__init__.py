"""Events: predicate frames on the parse, factuality, attribution, dates and places."""

from nexus.events.model import Event

__all__ = ["Event"]
