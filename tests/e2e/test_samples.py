"""End to end on the bundled sample corpus: read, code, store and query, and the events a
careful coder expects from those articles (tests/data/sample_expectations.yaml)."""

from __future__ import annotations

import pytest

from nexus import api
from sample_check import check


@pytest.fixture(scope="module")
def sample_coded():
    return list(api.code_documents(api.read(api.sample_paths())))


def test_every_sample_article_is_read_and_coded(sample_coded):
    assert len(sample_coded) == 12
    assert all(c.sentences for c in sample_coded)
    assert sum(len(c.events) for c in sample_coded) > 100


def test_expected_events_are_found_and_nothing_denied_is_asserted(sample_coded):
    rep = check(sample_coded)
    assert rep.violations == [], rep.violations
    assert rep.recall >= 0.35, f"recall {rep.recall:.2f}"


def test_no_events_from_captions_furniture_or_headings(sample_coded):
    for coded in sample_coded:
        kinds = {s.index: s.block_kind for s in coded.sentences}
        assert all(kinds[e.sentence_index] not in {"caption", "furniture", "heading", "title", "dateline"}
                   for e in coded.events)


def test_ingest_store_and_query(tmp_path, sample_coded):
    store = tmp_path / "nexus.duckdb"
    first = api.ingest(api.sample_paths(), store)
    assert first.stats.added == 12
    again = api.ingest(api.sample_paths(), store)
    assert again.stats.added == 0 and again.skipped == 12
    with api.open(store) as nx:
        rel = nx.relationships(limit=50)
        assert {"RUS", "IRN"} <= set(rel["source"]) | set(rel["target"])
        pairs = set(zip(rel["source"], rel["target"]))
        assert ("IRN", "RUS") in pairs or ("RUS", "IRN") in pairs
        report = nx.dyad("RUS", "IRN")
        assert report.n_events > 0
        assert any("Russia" in s or "Moscow" in s or "Putin" in s
                   for d in (report.a_to_b, report.b_to_a) for s in d.evidence["sentence"])
        assert len(nx.events(actor="IRN")) > 0
