"""The server under load: a real `nexus serve` (a subprocess, with an access token) over a copy
of the sample store, 50 concurrent readers of the API and the pages for two minutes while real
articles and gold sentences are uploaded. No request may fail (no 5xx, no 4xx, no connection
failure or timeout), and every upload must be in the store at the end.

NEXUS_LOAD_SECONDS shortens the run locally; unset, it is 120 s. The figures are printed (and
written as JSON under $NEXUS_TEST_OUTPUT when set).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nexus.bench import load
from nexus.cli import app
from nexus.store import Store

DATA = Path(__file__).resolve().parents[1] / "data"
SECONDS = float(os.environ.get("NEXUS_LOAD_SECONDS") or 120)
CLIENTS = 50


def test_fifty_clients_while_uploading(sample_store: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "load.duckdb"
    shutil.copy(sample_store, store)
    prefix = "load-test-"
    docs = (load.sample_documents(prefix)
            + load.sentence_documents([DATA / "heldout_news.jsonl", DATA / "factuality.jsonl"], prefix))
    assert len(docs) > 300 and len({d.doc_id for d in docs}) == len(docs)
    token = load.new_token()
    log = tmp_path / "server.log"
    with load.running_server(store, log, token=token) as url:
        report = asyncio.run(load.run_load(load.LoadConfig(url, seconds=SECONDS, clients=CLIENTS,
                                                           token=token), docs))
    summary = report.summary()
    with capsys.disabled():
        print("\n" + load.format_report(report))
    if os.environ.get("NEXUS_TEST_OUTPUT"):
        out = Path(os.environ["NEXUS_TEST_OUTPUT"])
        out.mkdir(parents=True, exist_ok=True)
        (out / "load.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")

    assert summary["errors"] == 0, load.format_report(report)
    assert summary["seconds"] >= SECONDS * 0.95 and summary["stopped_by"] == "time"
    assert summary["by_kind"]["api"]["requests"] > 0 and summary["by_kind"]["page"]["requests"] > 0
    assert {"page/dyad", "page/document", "page/overview", "api/dyads", "api/search",
            "api/export/events.csv"} <= set(summary["by_route"])
    ingest = summary["ingest"]
    assert ingest["complete"] and ingest["uploaded"] == len(docs)
    assert ingest["store_documents_after"] == ingest["store_documents_before"] + len(docs)

    # Every upload is in the store, whole: its events counted as the server answered.
    with Store.open(store, read_only=True) as s:
        stored = dict(s.execute("SELECT doc_id, n_events FROM documents WHERE starts_with(doc_id, ?)",
                                    [prefix]).fetchall())
        n_events = s.execute("SELECT count(*) FROM events WHERE starts_with(doc_id, ?)", [prefix]).fetchone()
    assert set(stored) == {d.doc_id for d in docs}
    assert sum(stored.values()) == n_events[0] == ingest["events"] > 0
    # The token never reached the server's log (it travels in a header, never in a URL).
    server_log = log.read_text(errors="replace")
    assert "GET /api/" in server_log and token not in server_log


@pytest.mark.parametrize("url", ["http://example.org:8765", "http://10.0.0.1", "http://192.168.1.2:80",
                                 "http://localhost.example.org", "ftp://127.0.0.1", "127.0.0.1:8765"])
def test_only_loopback_targets(url: str) -> None:
    with pytest.raises(ValueError):
        load.check_target(url)
    with pytest.raises(ValueError):
        asyncio.run(load.run_load(load.LoadConfig(url, seconds=1), []))


def test_loopback_targets() -> None:
    for url in ("http://127.0.0.1:8765/", "http://localhost:1", "http://[::1]:8765", "http://127.1.2.3"):
        assert load.check_target(url) == url.rstrip("/")


def test_report_figures() -> None:
    report = load.LoadReport(url="http://127.0.0.1:1", clients=2, seconds=10.0)
    for ms in range(1, 101):
        report.record("api", "api/events", ms / 1000)
    report.record("page", "page/dyad", 0.5)
    report.error("5xx", "page/dyad", "HTTP 500")
    s = report.summary()
    assert s["requests"] == 102 and s["errors"] == 1 and s["requests_per_s"] == 10.2
    assert (s["by_kind"]["api"]["p50_ms"], s["by_kind"]["api"]["p95_ms"], s["by_kind"]["api"]["p99_ms"]) == (50, 95, 99)
    assert s["overall"]["requests"] == 101 and s["overall"]["max_ms"] == 500
    text = load.format_report(report)
    assert "errors: 1 (5xx 1" in text and "page/dyad: HTTP 500" in text


def test_bench_only_load_runs_the_load_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def fake(work_dir: Path, seconds: float, clients: int, gold_dir: Path | None) -> load.LoadReport:
        calls.append((work_dir, seconds, clients, gold_dir))
        report = load.LoadReport(url="http://127.0.0.1:1", clients=clients, seconds=seconds)
        report.record("api", "api/events", 0.01)
        return report

    monkeypatch.setattr(load, "bench_load", fake)
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(app, ["bench", "--only", "load", "--load-seconds", "7", "--load-clients", "3",
                                      "--dir", str(tmp_path), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert calls == [(tmp_path, 7.0, 3, None)]
    assert json.loads(out.read_text())["load"]["clients"] == 3
    assert "nexus load: 3 clients" in result.output
