"""`nexus eval` computes exactly what the reference scorer computes, and the coder keeps its
accuracy on the development gold (figures guarded against falling back)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from nexus_testing import DATA, SHARED
from nexus import api
from nexus.evaluate import load_gold, score_events

GOLD = SHARED / "data" / "gold"
SCORER = SHARED / "tools" / "score.py"
needs_shared = pytest.mark.skipif(not SCORER.exists(), reason="../shared is not present")


def coded(path) -> list[dict]:
    return [e.to_dict() for cd in api.code_documents(api.read([path], "jsonl")) for e in cd.events]


def reference(gold, events: list[dict], tmp_path, cameo: bool) -> dict:
    out = tmp_path / "events.jsonl"
    out.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    cmd = [sys.executable, str(SCORER), "lines", str(gold), str(out)] + (["--cameo"] if cameo else [])
    return _first_json(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)


def _first_json(stdout: str) -> dict:
    end = stdout.rindex("}")
    return json.loads(stdout[: end + 1])


@needs_shared
@pytest.mark.parametrize("name, cameo", [("plover_gsr_dev.jsonl", False), ("petr2_gsr.jsonl", True)])
def test_eval_matches_the_reference_scorer(name, cameo, tmp_path):
    events = coded(GOLD / name)
    ours = score_events(load_gold(GOLD / name), events, cameo=cameo).figures()
    assert ours == reference(GOLD / name, events, tmp_path, cameo)


@needs_shared
def test_plover_dev_f1_does_not_fall_back():
    score = score_events(load_gold(GOLD / "plover_gsr_dev.jsonl"), coded(GOLD / "plover_gsr_dev.jsonl"))
    assert score.f1 >= 0.50, score.figures()
    assert score.precision >= 0.55, score.figures()


def test_held_out_news_f1_does_not_fall_back():
    path = DATA / "heldout_news.jsonl"
    score = score_events(load_gold(path), coded(path))
    assert score.f1 >= 0.50, score.figures()


def test_scoring_rules_on_a_small_case():
    gold = [{"id": "a", "expected_events": [{"source": "RUS", "target": "IRN", "code": "AID"},
                                           {"source": "IGO", "target": "IRN", "code": "ACCUSE"}]}]
    events = [
        {"doc_id": "a", "source": {"code": "RUSGOV", "country": "RUS"}, "target": {"code": "IRN", "country": "IRN"},
         "plover": {"type": "AID"}, "factuality": "asserted"},
        {"doc_id": "a", "source": {"code": "IAEA", "country": None, "sector": "IGO"}, "target": {"code": "IRN", "country": "IRN"},
         "plover": {"type": "ACCUSE"}, "factuality": "asserted"},
        {"doc_id": "a", "source": {"code": "USA", "country": "USA"}, "target": None,
         "plover": {"type": "ASSAULT"}, "factuality": "negated"},  # not asserted: not counted
        {"doc_id": "a", "source": {"code": "USA", "country": "USA"}, "target": None,
         "plover": {"type": "ASSAULT"}, "factuality": "asserted"},  # a false positive
    ]
    s = score_events(gold, events)
    assert (s.tp, s.fp, s.fn) == (2, 1, 0) and s.precision == 0.667 and s.recall == 1.0
