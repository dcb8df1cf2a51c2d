"""A learned check on the rules: a logistic model, trained on the development gold sets, that
estimates how likely an asserted event is right. Its probability becomes the event's
confidence; events below the threshold are not reported (the coder is precision-first).

The model is a small table of feature weights (data/ranker.json), written by
tools/train_ranker.py with its cross-validated figures; nothing is downloaded and no ML library
is needed at run time.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from nexus.events.model import Event


def features(event: Event, sentence_events: list[Event]) -> dict[str, float]:
    """What the model sees of one event: how the rules found it, not the words themselves."""
    src, tgt = event.source, event.target
    f = {
        "bias": 1.0,
        f"rule={event.rule}": 1.0,
        f"type={event.plover.type}": 1.0,
        f"root={event.cameo.code[:2]}": 1.0,
        "has_target": float(tgt is not None),
        f"target_kind={tgt.kind if tgt else None}": 1.0,
        f"source_kind={src.kind if src else None}": 1.0,
        f"source_sector={src.sector if src else None}": 1.0,
        f"target_basis={event.target_basis}": 1.0,
        "derived": float("<-" in event.rule),
        "events_in_sentence": min(len(sentence_events), 6) / 6,
        "same_type_twice": float(sum(e.plover.type == event.plover.type for e in sentence_events) > 1),
        "attributed": float(event.attribution is not None),
        "rule_confidence": event.confidence,
        "same_country": float(tgt is not None and src is not None and tgt.country is not None
                              and tgt.country == src.country),
        "nominal": float(event.trigger_pos == "NOUN"),
    }
    return f


@dataclass(frozen=True, slots=True)
class Ranker:
    weights: dict[str, float]
    threshold: float

    def probability(self, event: Event, sentence_events: list[Event]) -> float:
        z = sum(self.weights.get(k, 0.0) * v for k, v in features(event, sentence_events).items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def apply(self, events: list[Event], min_confidence: float | None = None) -> list[Event]:
        """Rescores the asserted events of one sentence and drops those below the threshold.
        Events that are not asserted are kept as they are: they are never counted as facts."""
        threshold = self.threshold if min_confidence is None else min_confidence
        out = []
        for e in events:
            if e.factuality == "asserted":
                p = self.probability(e, events)
                if p < threshold:
                    continue
                e.confidence = round(p, 2)
            out.append(e)
        return out

    def to_json(self, **meta) -> str:
        return json.dumps({**meta, "threshold": self.threshold, "weights": self.weights}, indent=1, sort_keys=True)


def load_ranker(path: Path | None = None) -> Ranker | None:
    text = Path(path).read_text(encoding="utf-8") if path else \
        resources.files("nexus.events").joinpath("data", "ranker.json").read_text(encoding="utf-8")
    data = json.loads(text)
    return Ranker(weights={k: float(v) for k, v in data["weights"].items()}, threshold=float(data["threshold"]))


@cache
def default_ranker() -> Ranker | None:
    try:
        return load_ranker()
    except FileNotFoundError:
        return None
