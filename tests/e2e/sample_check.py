"""Checks coded events of the sample corpus against tests/data/sample_expectations.yaml.

Used by the end-to-end tests and runnable by hand: python tests/e2e/sample_check.py
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

EXPECTATIONS = Path(__file__).resolve().parents[1] / "data" / "sample_expectations.yaml"


def _keys(actor: dict | None) -> set[str]:
    keys = set()
    for k in ("country", "code", "sector", "group"):
        v = (actor or {}).get(k)
        if v:
            keys.update({v, v[:3]})
    return keys


GROUPS = {"IGO": {"IGO", "UNO", "EUR", "NATO", "NAT", "IAEA"}, "UNO": {"UNO"}, "EUR": {"EUR"}, "KOS": {"KOS", "XKX"}}


def actor_ok(expected: str | None, actor: dict | None) -> bool:
    if expected is None:
        return True
    return bool(_keys(actor) & GROUPS.get(expected, {expected}))


@dataclass
class Report:
    found: list[dict] = field(default_factory=list)
    missed: list[dict] = field(default_factory=list)
    violations: list[tuple[dict, dict]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        n = len(self.found) + len(self.missed)
        return len(self.found) / n if n else 0.0


def sentence_span(text: str, needle: str, sentences: list[tuple[int, int]]) -> tuple[int, int] | None:
    at = text.find(needle)
    if at < 0:
        return None
    for start, end in sentences:
        if start <= at < end:
            return start, end
    return None


def check(coded_docs) -> Report:
    """`coded_docs`: CodedDocuments of the sample corpus."""
    spec = yaml.safe_load(EXPECTATIONS.read_text(encoding="utf-8"))
    by_id = {c.document.doc_id: c for c in coded_docs}
    rep = Report()
    for exp in spec["expectations"]:
        coded = by_id.get(exp["file"])
        span = coded and sentence_span(coded.document.text, exp["sentence_contains"],
                                       [(s.start, s.end) for s in coded.sentences])
        options = [exp] + [{**exp, **alt} for alt in exp.get("alternatives", [])]
        ok = False
        for e in (coded.events if span else []):
            if not span[0] <= e.offsets[0] < span[1]:
                continue
            d = e.to_dict()
            for opt in options:
                pairs = [(opt.get("source"), opt.get("target"))]
                if opt.get("symmetric"):
                    pairs.append((opt.get("target"), opt.get("source")))
                if d["plover"]["type"] == opt["type"] and d["factuality"] == opt["factuality"] and any(
                        actor_ok(s, d["source"]) and actor_ok(t, d["target"]) for s, t in pairs):
                    ok = True
        (rep.found if ok else rep.missed).append(exp)
    for bad in spec.get("must_not_assert", []):
        coded = by_id.get(bad["file"])
        if coded is None:
            continue
        span = sentence_span(coded.document.text, bad["sentence_contains"], [(s.start, s.end) for s in coded.sentences])
        if span is None:
            continue
        for e in coded.events:
            if not span[0] <= e.offsets[0] < span[1]:
                continue
            d = e.to_dict()
            if bad.get("expected") == "none":
                rep.violations.append((bad, d))
                continue
            if d["factuality"] != "asserted":
                continue
            if (bad.get("type") in (None, d["plover"]["type"]) and actor_ok(bad.get("source"), d["source"])
                    and actor_ok(bad.get("target"), d["target"])):
                rep.violations.append((bad, d))
    return rep


if __name__ == "__main__":
    from nexus import api

    docs = list(api.code_documents(api.read(api.sample_paths())))
    rep = check(docs)
    verbose = "-v" in sys.argv
    print(f"found {len(rep.found)} of {len(rep.found) + len(rep.missed)} expected events "
          f"(recall {rep.recall:.2f}); {len(rep.violations)} must-not violations")
    if verbose:
        by_id = {c.document.doc_id: c for c in docs}
        for m in rep.missed:
            coded = by_id[m["file"]]
            span = sentence_span(coded.document.text, m["sentence_contains"], [(s.start, s.end) for s in coded.sentences])
            got = [f"{(e.source.code if e.source else '-')}>{(e.target.code if e.target else '-')}:{e.plover.type}[{e.factuality[:4]}]"
                   for e in coded.events if span and span[0] <= e.offsets[0] < span[1]]
            sent = coded.document.text[span[0]:span[1]] if span else m["sentence_contains"]
            print(f"MISSED {m['source']}>{m['target']}:{m['type']}[{m['factuality']}] :: {' '.join(sent.split())[:220]}\n    got {got}")
        for bad, d in rep.violations:
            print(f"VIOLATION {bad.get('expected')} {d['source']['code'] if d['source'] else '-'}>{d['target']['code'] if d['target'] else '-'}:{d['plover']['type']}[{d['factuality']}] :: {d['sentence'][:200]}")
