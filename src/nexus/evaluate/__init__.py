"""Gold loading and scoring: the figures `nexus eval` prints."""

from nexus.evaluate.score import Score, load_gold, score_events

__all__ = ["Score", "load_gold", "score_events"]
