"""`nexus bench` runs its parts on small synthetic stores, prints figures beside their targets
and writes them as JSON. Tests never judge the speed itself, only that it is measured."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from nexus.cli import app


def test_bench_measures_queries_and_pages_and_writes_json(tmp_path):
    out = tmp_path / "figures.json"
    result = CliRunner().invoke(app, ["bench", "--only", "queries", "--only", "pages", "--events", "3000,6000",
                                      "--page-events", "3000", "--dir", str(tmp_path / "stores"),
                                      "--json", str(out)])
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text())
    assert set(figures) >= {"machine", "queries", "pages"} and "coding" not in figures
    assert figures["queries"]["3k"]["events"] == 3000 and figures["queries"]["6k"]["events"] == 6000
    for name in ("dyad_series_ms", "network_ms", "event_search_ms"):
        assert figures["queries"]["6k"][name] > 0
    # every workbench page answered, on the store of the requested size
    assert {p["status"] for p in figures["pages"].values()} == {200}
    assert {"overview", "dyad", "document", "map", "search", "actor"} <= set(figures["pages"])
    # the figures with targets are printed with their verdict, the largest store's queries among them
    assert "queries.6k.dyad_series_ms" in result.output and "<= 200" in result.output
    assert "pages.overview.median_ms" in result.output


def test_bench_reuses_a_store_of_the_right_size(tmp_path):
    args = ["bench", "--only", "queries", "--events", "2000", "--dir", str(tmp_path), "--json", str(tmp_path / "f.json")]
    assert CliRunner().invoke(app, args).exit_code == 0
    store = tmp_path / "events-2k.duckdb"
    stamp = store.stat().st_mtime_ns
    assert CliRunner().invoke(app, args).exit_code == 0
    assert store.stat().st_mtime_ns == stamp


def test_bench_rejects_bad_sizes(tmp_path):
    result = CliRunner().invoke(app, ["bench", "--only", "queries", "--events", "lots", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "comma-separated" in result.output
