"""The local engine: `--workers N` gives exactly the output of one process, and the Python API
hands `workers` to the pool."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Iterator

import pytest
from typer.testing import CliRunner

from nexus import api
from nexus.cli import app
from nexus.coded import CodedDocument
from nexus.documents import Document
from nexus.engines import local as local_engine
from nexus.engines import open_engine, resolve_workers
from nexus.pipeline import CoderConfig

SAMPLES = [str(p) for p in api.sample_paths()]


def test_cli_two_workers_print_what_one_prints():
    one = CliRunner().invoke(app, ["code", "--workers", "1", *SAMPLES])
    assert one.exit_code == 0, one.output
    assert len(one.stdout.splitlines()) > 100
    # A fresh process: the pool forks, which is best done from a process without other threads.
    two = subprocess.run([sys.executable, "-m", "nexus.cli", "code", "--workers", "2", *SAMPLES],
                         capture_output=True, text=True, timeout=300, check=False)
    assert two.returncode == 0, two.stderr
    assert two.stdout == one.stdout  # same events, ids and order, byte for byte


@pytest.mark.parametrize("value", ["-1", "two"])
def test_cli_rejects_bad_worker_counts(value: str):
    res = CliRunner().invoke(app, ["code", "--workers", value, SAMPLES[0]])
    assert res.exit_code == 2
    assert "--workers" in res.output


def test_cli_scheduler_needs_the_dask_engine():
    res = CliRunner().invoke(app, ["code", "--scheduler", "tcp://127.0.0.1:8786", SAMPLES[0]])
    assert res.exit_code == 2
    assert "needs --engine dask" in res.output


class _Recorder:
    """Stands in for the process pool: records how it was asked, codes in this process."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, CoderConfig, int]] = []

    def __call__(self, documents: Iterable[Document], workers: int, config: CoderConfig,
                 chunk_size: int) -> Iterator[CodedDocument]:
        self.calls.append((workers, config, chunk_size))
        return api.default_coder().code_documents(documents)


def test_api_workers_reach_the_pool(monkeypatch: pytest.MonkeyPatch, tmp_path):
    pool = _Recorder()
    monkeypatch.setattr(local_engine, "code_parallel", pool)
    docs = list(api.read(SAMPLES[:3]))
    expected = [[e.event_id for e in cd.events] for cd in api.code_documents(docs)]
    assert pool.calls == []  # one worker: no pool at all

    assert [[e.event_id for e in cd.events] for cd in api.code_documents(docs, workers=2)] == expected
    assert pool.calls == [(2, CoderConfig(), local_engine.CHUNK_SIZE)]
    list(api.code_documents(docs, workers=0))
    assert pool.calls[-1][0] == (os.cpu_count() or 1)

    result = api.ingest(SAMPLES[:3], tmp_path / "s.duckdb", workers=3)
    assert result.stats.added == 3
    assert pool.calls[-1][0] == 3


def test_workers_and_engine_do_not_mix():
    with open_engine("local") as engine, pytest.raises(ValueError, match="not both"):
        list(api.code_documents([], workers=2, engine=engine))
    with pytest.raises(ValueError, match="dask engine"):
        open_engine("local", scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ValueError):
        resolve_workers(-1)
    assert resolve_workers(None) == 1 and resolve_workers(3) == 3
