"""`nexus brief A B`: the sourced brief on the command line, its errors, and the optional
language-model rewrite (against a fake OpenAI-compatible server on loopback; off by default)."""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import mentions, no_traceback
from typer.testing import CliRunner

from nexus import api
from nexus.cli import app
from nexus.relations import llm
from nexus.relations.brief import build_brief

CITED = re.compile(r"(?:\[\d+\])+$")


def busiest_pair(store: Path) -> tuple[str, str]:
    with api.open(store) as nx:
        top = nx.relationships(limit=1).iloc[0]
    return str(top["source"]), str(top["target"])


@pytest.fixture(autouse=True)
def no_llm_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (llm.URL_ENV, llm.MODEL_ENV, llm.KEY_ENV):
        monkeypatch.delenv(name, raising=False)


def test_brief_markdown_for_the_busiest_pair(runner: CliRunner, sample_store: Path):
    a, b = busiest_pair(sample_store)
    result = runner.invoke(app, ["brief", a, b, "--store", str(sample_store)])
    no_traceback(result)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(("# China and India: relationship brief", "# India and China"))
    assert "\nScope: " in out and "## Timeline of asserted events" in out and "## Sources" in out
    body = out.split("## Sources")[0]
    statements = [line for line in body.splitlines() if line.startswith("- ")]
    assert statements and all(CITED.search(line) for line in statements)
    assert result.stderr == ""


def test_brief_html_to_a_file(runner: CliRunner, sample_store: Path, tmp_path: Path):
    target = tmp_path / "brief.html"
    result = runner.invoke(app, ["brief", "RUS", "IRN", "--store", str(sample_store), "--format", "html",
                                 "--output", str(target), "--from", "2022", "--to", "2025-01"])
    no_traceback(result)
    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and 'id="brief-negated"' in page
    assert "Denied or ruled out" in page and "cite-1" in page
    assert result.stdout == "" and mentions(result.stderr, "wrote the brief", str(target))


def test_bad_dates_and_options_exit_2(runner: CliRunner, sample_store: Path):
    for args in (["--from", "2024-13"], ["--to", "yesterday"], ["--from", "2025", "--to", "2024"],
                 ["--format", "pdf"], ["--freq", "week"]):
        result = runner.invoke(app, ["brief", "RUS", "IRN", "--store", str(sample_store), *args])
        no_traceback(result)
        assert result.exit_code == 2, (args, result.output)
        assert result.stdout == ""


def test_unknown_store_and_empty_dyad(runner: CliRunner, sample_store: Path, tmp_path: Path):
    missing = tmp_path / "none.duckdb"
    result = runner.invoke(app, ["brief", "RUS", "IRN", "--store", str(missing)])
    no_traceback(result)
    assert result.exit_code == 1 and mentions(result.stderr, "no store at", str(missing))
    assert not missing.exists()
    result = runner.invoke(app, ["brief", "RUS", "ZZZ", "--store", str(sample_store)])
    no_traceback(result)
    assert result.exit_code == 1 and result.stdout == ""
    assert mentions(result.stderr, "no events between RUS and ZZZ", "nexus relations")
    result = runner.invoke(app, ["brief", "RUS", "IRN", "--store", str(sample_store), "--from", "1990", "--to", "1991"])
    assert result.exit_code == 1 and mentions(result.stderr, "no events between RUS and IRN between 1990-01-01")


# --- the language model hook -----------------------------------------------------------------------

class FakeModel:
    """An OpenAI-compatible chat completions endpoint on loopback that records its requests."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.reply: Any = {"choices": [{"message": {"role": "assistant",
                                                    "content": "Russia and Iran deepened ties [1]. <b>bold</b>"}}]}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                owner.requests.append({"path": self.path, "headers": dict(self.headers),
                                       "json": json.loads(body)})
                data = json.dumps(owner.reply).encode() if not isinstance(owner.reply, bytes) else owner.reply
                self.send_response(owner.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_model() -> Iterator[FakeModel]:
    server = FakeModel()
    yield server
    server.close()


def test_llm_is_off_by_default(runner: CliRunner, sample_store: Path, monkeypatch: pytest.MonkeyPatch):
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the brief called out without being asked to")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    result = runner.invoke(app, ["brief", "RUS", "IRN", "--store", str(sample_store)])
    assert result.exit_code == 0, result.output
    assert llm.HEADING not in result.stdout
    assert llm.configured_url() is None


def test_llm_rewrite_is_appended_after_the_data_brief(runner: CliRunner, sample_store: Path,
                                                      fake_model: FakeModel, monkeypatch: pytest.MonkeyPatch):
    plain = runner.invoke(app, ["brief", "RUS", "IRN", "--store", str(sample_store)]).stdout
    monkeypatch.setenv(llm.KEY_ENV, "sekrit")
    result = runner.invoke(app, ["brief", "RUS", "IRN", "--store", str(sample_store), "--llm-url", fake_model.url,
                                 "--llm-model", "tiny"])
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(plain.rstrip())  # the data brief first, whole
    tail = result.stdout[len(plain.rstrip()):]
    assert f"## {llm.HEADING}" in tail and "Russia and Iran deepened ties [1]." in tail
    assert "\\<b\\>bold\\</b\\>" in tail  # the model's markup is escaped too
    [request] = fake_model.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sekrit"
    sent = request["json"]
    assert sent["model"] == "tiny" and sent["messages"][0]["role"] == "system"
    assert "[n]" in sent["messages"][0]["content"]
    brief = json.loads(sent["messages"][1]["content"])
    assert brief["title"] == "Russia and Iran: relationship brief" and brief["citations"][0]["n"] == 1


def test_llm_from_the_environment_in_html(runner: CliRunner, sample_store: Path, fake_model: FakeModel,
                                          monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(llm.URL_ENV, fake_model.url + "/v1")
    result = runner.invoke(app, ["brief", "RUS", "IRN", "--store", str(sample_store), "--format", "html"])
    assert result.exit_code == 0, result.output
    assert "Russia and Iran deepened ties [1]. &lt;b&gt;bold&lt;/b&gt;" in result.stdout
    assert result.stdout.index('id="brief-sources"') < result.stdout.index(llm.HEADING)
    assert fake_model.requests[0]["path"] == "/v1/chat/completions"
    assert "Authorization" not in fake_model.requests[0]["headers"]


@pytest.mark.parametrize("status, reply, message", [
    (500, {"error": "boom"}, "answered HTTP 500"),
    (200, {"choices": []}, "no chat completion"),
    (200, b"not json", "no chat completion"),
    (200, {"choices": [{"message": {"content": "  "}}]}, "empty answer"),
])
def test_llm_failure_still_prints_the_brief(runner: CliRunner, sample_store: Path, fake_model: FakeModel,
                                            status: int, reply: Any, message: str):
    fake_model.status, fake_model.reply = status, reply
    result = runner.invoke(app, ["brief", "RUS", "IRN", "--store", str(sample_store), "--llm-url", fake_model.url])
    no_traceback(result)
    assert result.exit_code == 1
    assert result.stdout.startswith("# Russia and Iran: relationship brief") and "## Sources" in result.stdout
    assert llm.HEADING not in result.stdout
    assert mentions(result.stderr, "no prose rewrite", message)


def test_llm_unreachable_and_bad_urls(sample_store: Path):
    from nexus.relations import actor_names, relationship

    with api.open(sample_store) as nx:
        rel = relationship(nx.store, "RUS", "IRN")
        brief = build_brief(rel, dict(actor_names(nx.store, rel)))
    with pytest.raises(llm.LLMError, match="no language model configured"):
        llm.rewrite(brief)
    with pytest.raises(llm.LLMError, match="http:// or https://"):
        llm.rewrite(brief, "file:///etc/passwd")
    with pytest.raises(llm.LLMError, match="cannot reach the language model at http://127.0.0.1:9/"):
        llm.rewrite(brief, "http://user:pw@127.0.0.1:9", timeout=5)
    assert llm.endpoint("http://h:1/v1/chat/completions") == "http://h:1/v1/chat/completions"
    assert llm.endpoint("http://h:1/") == "http://h:1/v1/chat/completions"
