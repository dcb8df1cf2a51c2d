"""Every command that takes --store, on a PostgreSQL store (postgresql://...): the same output as
on a DuckDB file, and a password in the URL never printed."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from cli_helpers import events_from, mentions, no_traceback
from event_datasets import write_icews
from typer.testing import CliRunner

from nexus.cli import app


@pytest.fixture
def wide() -> CliRunner:
    return CliRunner(env={"COLUMNS": "250"})


def run(runner: CliRunner, *args: str) -> Any:
    result = runner.invoke(app, [str(a) for a in args])
    no_traceback(result)
    assert result.exit_code == 0, result.output
    return result


def test_commands_on_both_backends_agree(wide: CliRunner, news_file: Path, pg_url: str,
                                         tmp_path: Path) -> None:
    duck = str(tmp_path / "cli.duckdb")
    icews = write_icews(tmp_path / "events.tab")
    outputs: dict[str, list[str]] = {}
    for store in (duck, pg_url):
        ingest = run(wide, "ingest", news_file, "--store", store, "--date", "2024-03-14")
        assert mentions(ingest.stderr, "1 added")
        run(wide, "import", "icews", icews, "--store", store)
        outputs.setdefault(store, [])
        for args in (["events", "--format", "jsonl"], ["events", "--format", "csv", "--actor", "IRN"],
                     ["relations", "--format", "csv"], ["relations"],
                     ["dyad", "RUS", "IRN", "--format", "json"], ["dyad", "RUS", "UKR", "--by-origin"],
                     ["export", "csv", "--output", "-"], ["export", "jsonl", "--output", "-", "--type", "AID"]):
            outputs[store].append(run(wide, *args, "--store", store).stdout)
        run(wide, "export", "parquet", "--output", tmp_path / f"{len(outputs)}.parquet", "--store", store)
        check = run(wide, "check", "--store", store)
        assert "no problems found" in check.stdout
    assert outputs[duck] == outputs[pg_url]
    assert events_from(outputs[pg_url][0])
    rows = list(csv.DictReader(io.StringIO(outputs[pg_url][6])))
    assert {r["origin"] for r in rows} == {"nexus", "icews"}
    assert json.loads(outputs[pg_url][4])["a_to_b"]["n_events"] >= 1
    assert pq.read_table(tmp_path / "1.parquet").equals(pq.read_table(tmp_path / "2.parquet"))


def test_serve_and_demo_on_postgresql(wide: CliRunner, pg_url: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from fastapi.testclient import TestClient

    demo = run(wide, "demo", "--store", pg_url)
    assert "Strongest relationships" in demo.stdout and mentions(demo.stderr, "added")
    served: list[Any] = []

    def fake_run(web: Any, **kwargs: Any) -> None:  # what uvicorn would serve, requested here
        with TestClient(web) as client:
            served.append(client.get("/api/events", params={"limit": 1}).json())
            served.append(client.get("/").status_code)
        web.state.holder.close()

    monkeypatch.setattr(uvicorn, "run", fake_run)
    run(wide, "serve", "--store", pg_url)
    assert served[0]["total"] > 0 and served[1] == 200


def test_a_password_is_never_printed(runner: CliRunner, news_file: Path) -> None:
    url = "postgresql://nexus:s3cret-pw@127.0.0.1:1/none?connect_timeout=2"
    for args in (["ingest", news_file], ["events"], ["import", "icews", news_file],
                 ["check"], ["serve"]):
        result = runner.invoke(app, [*map(str, args), "--store", url])
        no_traceback(result)
        assert result.exit_code == 1, (args, result.output)
        assert "s3cret" not in result.output and "nexus:***@127.0.0.1" in "".join(
            result.output.split()), (args, result.output)
