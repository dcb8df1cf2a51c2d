#!/usr/bin/env python3
"""Trains the event ranker (src/nexus/events/data/ranker.json) on the development gold sets and
reports its cross-validated effect. A development tool: Nexus itself never reads ../shared.

  python tools/train_ranker.py [--shared ../shared] [--folds 5] [--write]

The rules code each gold file with the ranker switched off; every asserted event is labelled
right (it matches an expected event, as the reference scorer matches them) or wrong. A logistic
model over how the rules found each event (features in nexus.events.rank) is fitted with L2
regularisation by plain gradient descent (numpy only). The threshold is chosen by k-fold
cross-validation on the PLOVER development set, each fold scored by a model that never saw it;
the PETR-2 set is added to every training fold (its codes are CAMEO, matched on the root).
Training data: PLOVER GSR dev (CC BY-SA 4.0) and PETR-2 GSR (MIT); the weights are derived
from them and shared under CC BY-SA 4.0.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date
from pathlib import Path

import numpy as np

from nexus import api
from nexus.evaluate.score import actor_matches, load_gold, score_events
from nexus.events.rank import Ranker, features
from nexus.pipeline import Coder, CoderConfig

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "nexus" / "events" / "data" / "ranker.json"


def coded(coder: Coder, path: Path) -> dict[str, list]:
    return {cd.document.doc_id: cd.events for cd in api.code_documents(api.read([path], "jsonl"), coder)}


def labelled(gold: list[dict], events: dict[str, list], cameo: bool) -> list[tuple[str, object, list, int]]:
    """(gold id, event, the sentence's events, 1 if the event matches an expected one)."""
    rows = []
    for g in gold:
        evs = [e for e in events.get(str(g["id"]), []) if e.factuality == "asserted"]
        pool, right = list(evs), set()
        for x in g.get("expected_events", []):
            src, tgt = (x["source"][:3], x["target"][:3]) if cameo else (x["source"], x["target"])
            for e in pool:
                d = e.to_dict()
                same = d["cameo"]["code"][:2] == x["code"][:2] if cameo else d["plover"]["type"] == x["code"]
                if same and actor_matches(src, d["source"]) and actor_matches(tgt, d["target"]):
                    right.add(id(e))
                    pool.remove(e)
                    break
        rows += [(str(g["id"]), e, evs, int(id(e) in right)) for e in evs]
    return rows


def fit(rows, l2: float = 1.0, steps: int = 3000, rate: float = 0.5) -> dict[str, float]:
    vocab: dict[str, int] = {}
    feats = [features(e, evs) for _, e, evs, _ in rows]
    for f in feats:
        for k in f:
            vocab.setdefault(k, len(vocab))
    X = np.zeros((len(rows), len(vocab)))
    for i, f in enumerate(feats):
        for k, v in f.items():
            X[i, vocab[k]] = v
    y = np.array([r[3] for r in rows], dtype=float)
    w = np.zeros(len(vocab))
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-X @ w))
        w -= rate * (X.T @ (p - y) + l2 * w) / len(y)
    return {k: round(float(w[i]), 4) for k, i in vocab.items()}


def kept(events: dict[str, list], ranker: Ranker, threshold: float) -> list[dict]:
    out = []
    for evs in events.values():
        asserted = [e for e in evs if e.factuality == "asserted"]
        out += [e.to_dict() for e in asserted if ranker.probability(e, asserted) >= threshold]
        out += [e.to_dict() for e in evs if e.factuality != "asserted"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(ROOT)}")
    a = ap.parse_args()
    gold_dir = a.shared / "data" / "gold"
    coder = Coder(CoderConfig(rank=False))
    dev_path, petr_path = gold_dir / "plover_gsr_dev.jsonl", gold_dir / "petr2_gsr.jsonl"
    dev, petr = load_gold(dev_path), load_gold(petr_path)
    dev_events, petr_events = coded(coder, dev_path), coded(coder, petr_path)
    dev_rows, petr_rows = labelled(dev, dev_events, False), labelled(petr, petr_events, True)

    ids = sorted({g["id"] for g in dev})
    random.Random(7).shuffle(ids)
    folds = [set(ids[i::a.folds]) for i in range(a.folds)]
    grid = [round(t, 2) for t in np.arange(0.1, 0.65, 0.05)]
    cv = {t: [] for t in grid}
    for fold in folds:
        model = Ranker(fit([r for r in dev_rows if r[0] not in fold] + petr_rows), 0.5)
        part = {k: v for k, v in dev_events.items() if k in fold}
        for t in grid:
            cv[t] += kept(part, model, t)
    baseline = score_events(dev, [e.to_dict() for evs in dev_events.values() for e in evs])
    print(f"rules alone on PLOVER dev: {baseline.figures()}")
    results = {t: score_events(dev, evs) for t, evs in cv.items()}
    for t, s in results.items():
        print(f"threshold {t:.2f}, {a.folds}-fold CV: P={s.precision} R={s.recall} F1={s.f1}")
    best = max(grid, key=lambda t: (results[t].precision >= 0.8, results[t].f1, -t))
    final = Ranker(fit(dev_rows + petr_rows), best)
    print(f"chosen threshold {best}: CV {results[best].figures()}")
    if a.write:
        OUT.write_text(final.to_json(
            trained_on=["PLOVER GSR dev (CC BY-SA 4.0)", "PETR-2 GSR (MIT)"], licence="CC BY-SA 4.0",
            built_by="tools/train_ranker.py", built=date.today().isoformat(),
            cross_validation={"folds": a.folds, "rules_alone": baseline.figures(), "with_ranker": results[best].figures()},
        ) + "\n", encoding="utf-8")
        print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
