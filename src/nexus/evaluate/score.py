"""Scores coded events against sentence-level gold the way the project's reference scorer does:
per document, each expected (source, target, type) is matched at most once against the
*asserted* events; unmatched system events are false positives.

A system actor stands for a gold code through its country, code or sector (or their first three
letters), and some gold codes name groups: IGO is any intergovernmental actor (UN, EU, NATO,
IAEA...), IMG any militant group, EUR the European Union.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GOLD_GROUPS: dict[str, frozenset[str]] = {
    "EUR": frozenset({"EUR", "EU", "EUROPE"}),
    "WST": frozenset({"WST", "NATO", "EUR", "EU"}),
    "IGO": frozenset({"IGO", "UNO", "EUR", "NAT", "IAEA"}),
    "IMG": frozenset({"IMG", "REB", "INS"}),
    "NGO": frozenset({"NGO"}),
}


def _actor_keys(actor: dict | None) -> set[str]:
    keys: set[str] = set()
    for field_name in ("country", "code", "sector", "group"):
        value = (actor or {}).get(field_name)
        if isinstance(value, str) and value:
            keys.add(value.upper())
            keys.add(value.upper()[:3])
    return keys


def actor_matches(gold_code: str, actor: dict | None) -> bool:
    if not gold_code:
        return True  # the gold names no actor here: anything goes
    return bool(_actor_keys(actor) & GOLD_GROUPS.get(gold_code, frozenset({gold_code})))


def _type(event: dict) -> str | None:
    plover = event.get("plover")
    if isinstance(plover, dict):
        return plover.get("type")
    return plover or event.get("event_type")


def _type_matches(event: dict, code: str, cameo: bool) -> bool:
    if cameo:
        return ((event.get("cameo") or {}).get("code") or "")[:2] == code[:2]
    return _type(event) == code


@dataclass(slots=True)
class SentenceResult:
    id: str
    text: str
    expected: list[dict]
    matched: list[tuple[dict, dict]]  # (gold, system)
    missed: list[dict]
    extra: list[dict]  # asserted system events that matched nothing
    unasserted: list[dict]  # system events not counted (negated, alleged...)


@dataclass(slots=True)
class Score:
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int
    sentences: int
    full_code_tp: int | None = None
    details: list[SentenceResult] = field(default_factory=list, repr=False)

    def figures(self) -> dict[str, Any]:
        out = {"precision": self.precision, "recall": self.recall, "f1": self.f1, "tp": self.tp,
               "fp": self.fp, "fn": self.fn, "sentences": self.sentences}
        if self.full_code_tp is not None:
            out["full_code_tp"] = self.full_code_tp
        return out


class GoldError(ValueError):
    """A gold file line that is not a JSON object with an "id"."""


def load_gold(path: str | Path) -> list[dict]:
    records = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise GoldError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
            if not isinstance(record, dict) or "id" not in record:
                raise GoldError(f"{path}:{n}: a gold record must be a JSON object with an \"id\"")
            records.append(record)
    return records


def score_events(gold: list[dict], events: Iterable[dict], cameo: bool = False) -> Score:
    """`events` are contract records (dicts, as `Event.to_dict()` gives)."""
    asserted: dict[str, list[dict]] = defaultdict(list)
    others: dict[str, list[dict]] = defaultdict(list)
    for e in events:
        bucket = asserted if (e.get("factuality") or "asserted") == "asserted" else others
        bucket[str(e.get("doc_id"))].append(e)
    tp = fp = fn = full = 0
    details = []
    for record in gold:
        doc = str(record["id"])
        pool = list(asserted.get(doc, []))
        matched, missed = [], []
        for x in record.get("expected_events", []):
            src = x["source"][:3] if cameo else x["source"]
            tgt = x["target"][:3] if cameo else x["target"]
            hit = next((e for e in pool if _type_matches(e, x["code"], cameo)
                        and actor_matches(src, e.get("source")) and actor_matches(tgt, e.get("target"))), None)
            if hit is None:
                fn += 1
                missed.append(x)
                continue
            tp += 1
            pool.remove(hit)
            matched.append((x, hit))
            if cameo and (hit.get("cameo") or {}).get("code") == x["code"]:
                full += 1
        fp += len(pool)
        details.append(SentenceResult(doc, record.get("text", ""), record.get("expected_events", []),
                                      matched, missed, pool, others.get(doc, [])))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Score(round(p, 3), round(r, 3), round(f, 3), tp, fp, fn, len(gold),
                 full if cameo else None, details)
