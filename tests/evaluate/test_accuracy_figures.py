"""Guards the accuracy figures of issue 3 from falling back (floors a little under today's
measured values; the closing notes record the figures themselves)."""

from __future__ import annotations

import json

import pytest

from nexus import api
from nexus.evaluate import load_gold, score_events
from nexus.evaluate.factuality import score_factuality
from nexus.pipeline import Coder, CoderConfig
from nexus_testing import DATA, SHARED

GOLD = SHARED / "data" / "gold"
needs_shared = pytest.mark.skipif(not GOLD.exists(), reason="../shared is not present")


def coded(path, coder=None) -> list[dict]:
    return [e.to_dict() for cd in api.code_documents(api.read([path], "jsonl"), coder) for e in cd.events]


@needs_shared
def test_plover_dev():
    s = score_events(load_gold(GOLD / "plover_gsr_dev.jsonl"), coded(GOLD / "plover_gsr_dev.jsonl"))
    assert s.f1 >= 0.72 and s.precision >= 0.78, s.figures()


@needs_shared
def test_plover_dev_rules_alone():
    rules = Coder(CoderConfig(rank=False))
    s = score_events(load_gold(GOLD / "plover_gsr_dev.jsonl"), coded(GOLD / "plover_gsr_dev.jsonl", rules))
    assert s.f1 >= 0.70, s.figures()


@needs_shared
def test_petr2_cameo_root():
    s = score_events(load_gold(GOLD / "petr2_gsr.jsonl"), coded(GOLD / "petr2_gsr.jsonl"), cameo=True)
    assert s.f1 >= 0.50, s.figures()


@needs_shared
def test_cameo_manual_examples_recall():
    s = score_events(load_gold(GOLD / "cameo_manual_examples.jsonl"), coded(GOLD / "cameo_manual_examples.jsonl"),
                     cameo=True)
    assert s.recall >= 0.60, s.figures()


def test_held_out_news():
    path = DATA / "heldout_news.jsonl"
    s = score_events(load_gold(path), coded(path))
    assert s.f1 >= 0.60 and s.precision >= 0.65, s.figures()


def test_factuality_set():
    path = DATA / "factuality.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(records) >= 150
    s = score_factuality(records, coded(path))
    assert s.accuracy >= 0.90, s.figures()
    assert s.asserted_errors == [], s.asserted_errors
