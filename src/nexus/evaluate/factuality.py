"""Scores factuality on a set of sentences whose events carry the expected factuality
(tests/data/factuality.jsonl): how often an event that is found gets the right factuality,
and whether anything negated or hypothetical is ever reported as a fact."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from nexus.evaluate.score import actor_matches


@dataclass(slots=True)
class FactualityScore:
    expected: int  # expected events
    found: int  # expected events the coder found (same actors and type, any factuality)
    correct: int  # ... of which with the expected factuality
    asserted_errors: list[str] = field(default_factory=list)  # negated/hypothetical reported as asserted
    confusion: Counter = field(default_factory=Counter)  # (expected, got) -> count

    @property
    def accuracy(self) -> float:
        return round(self.correct / self.found, 3) if self.found else 0.0

    @property
    def coverage(self) -> float:
        return round(self.found / self.expected, 3) if self.expected else 0.0

    def figures(self) -> dict:
        return {"accuracy": self.accuracy, "coverage": self.coverage, "expected": self.expected,
                "found": self.found, "correct": self.correct, "asserted_errors": len(self.asserted_errors)}


def score_factuality(records: list[dict], events: Iterable[dict]) -> FactualityScore:
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for e in events:
        by_doc[str(e.get("doc_id"))].append(e)
    score = FactualityScore(expected=0, found=0, correct=0)
    for rec in records:
        system = by_doc.get(str(rec["id"]), [])
        for x in rec.get("events", []):
            score.expected += 1
            same = [e for e in system if (e.get("plover") or {}).get("type") == x["type"]
                    and actor_matches(x["source"] or "", e.get("source"))
                    and actor_matches(x.get("target") or "", e.get("target"))]
            if x["factuality"] in {"negated", "hypothetical"} and any(e["factuality"] == "asserted" for e in same):
                score.asserted_errors.append(f"{rec['id']}: {x['source']}->{x.get('target')} {x['type']} "
                                             f"is {x['factuality']} but was asserted")
            if not same:
                continue
            score.found += 1
            got = x["factuality"] if any(e["factuality"] == x["factuality"] for e in same) else same[0]["factuality"]
            score.confusion[(x["factuality"], got)] += 1
            score.correct += got == x["factuality"]
    return score
