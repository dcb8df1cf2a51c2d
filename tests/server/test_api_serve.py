"""`nexus serve`: builds the app over the store and hands it to uvicorn on the given address."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from nexus.cli import app


def test_serve_runs_uvicorn_on_loopback_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []

    def fake_run(web: Any, **kwargs: Any) -> None:
        calls.append({"app": web, **kwargs})
        web.state.holder.close()

    monkeypatch.setattr(uvicorn, "run", fake_run)
    store = tmp_path / "served.duckdb"
    result = CliRunner().invoke(app, ["serve", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert isinstance(calls[0]["app"], FastAPI)
    assert (calls[0]["host"], calls[0]["port"]) == ("127.0.0.1", 8765)

    # any other address needs an access token (tests/server/test_security_auth.py)
    result = CliRunner().invoke(app, ["serve", "--store", str(store), "--host", "0.0.0.0", "--port", "9000",
                                      "--token", "a-long-enough-test-token"])
    assert result.exit_code == 0 and (calls[1]["host"], calls[1]["port"]) == ("0.0.0.0", 9000)


def test_serve_refuses_a_bad_port_and_a_bad_store(tmp_path: Path) -> None:
    assert CliRunner().invoke(app, ["serve", "--port", "70000"]).exit_code != 0
    not_a_store = tmp_path / "notes.duckdb"
    not_a_store.write_text("not a database")
    result = CliRunner().invoke(app, ["serve", "--store", str(not_a_store)])
    assert result.exit_code == 1 and "cannot open the store" in result.output
