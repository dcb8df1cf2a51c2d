"""The per-document time limit: a document that takes too long is reported and skipped, the
others are coded as without it; in one process (cooperative checks and the SIGALRM hard stop),
with --workers, in the API, the CLI and ingest. The limit is made to fire deterministically: a
tiny limit on a long document, or a stage patched to never return."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nexus import api
from nexus.cli import app
from nexus.documents import Document, segment
from nexus.pipeline import Coder, CoderConfig, DocumentTimeout, _can_alarm

SHORT = "Russia supplied Iran with drones in 2022, officials said."
OTHER = "China condemned Japan on Tuesday over the release of treated water."
#: About 230,000 characters and 4,000 sentences: several seconds of parsing, so a limit of a few
#: hundredths of a second always runs out (the first check comes after about 50,000 characters).
LONG = (" ".join(["The United States imposed sanctions on Iran on Wednesday, officials said."] * 40) + "\n\n") * 80


def doc(doc_id: str, text: str) -> Document:
    return Document(doc_id, text, origin=f"/corpus/{doc_id}", blocks=segment(text))


def events_of(coded) -> dict[str, list[str]]:
    return {c.document.doc_id: [e.event_id for e in c.events] for c in coded}


@pytest.fixture(scope="module")
def unlimited() -> dict[str, list[str]]:
    coder = Coder(CoderConfig(doc_timeout=None))
    return events_of(coder.code_documents([doc("a", SHORT), doc("c", OTHER)]))


def test_a_long_document_is_skipped_the_rest_coded(unlimited):
    coder = Coder(CoderConfig(doc_timeout=0.05))
    started = time.monotonic()
    coded = list(coder.code_documents([doc("a", SHORT), doc("long", LONG), doc("c", OTHER)]))
    assert time.monotonic() - started < 30  # stopped early: coding it all takes far longer
    assert [c.document.doc_id for c in coded] == ["a", "long", "c"]
    skipped = coded[1]
    assert skipped.skipped == "took longer than 0.05 s"
    assert not skipped.events and not skipped.sentences
    assert all(c.skipped is None for c in (coded[0], coded[2]))
    assert events_of([coded[0], coded[2]]) == unlimited and unlimited["a"] and unlimited["c"]


@pytest.mark.skipif(not _can_alarm(), reason="SIGALRM is not available to this test")
@pytest.mark.parametrize("stage", ["parse", "code"])
def test_hard_stop_for_a_stage_that_never_returns(monkeypatch: pytest.MonkeyPatch, unlimited, stage: str):
    from nexus.events import matcher
    from nexus.nlp import parse

    def forever() -> None:
        while True:  # no cooperative check in here: only the alarm gets out
            pass

    if stage == "parse":
        real = parse._sentences
        monkeypatch.setattr(parse, "_sentences", lambda sdoc: forever() if "Stuck" in sdoc.text else real(sdoc))
    else:
        real_run = matcher.SentenceMatcher.run
        monkeypatch.setattr(matcher.SentenceMatcher, "run",
                            lambda self: forever() if "Stuck" in self.sent.text else real_run(self))
    coder = Coder(CoderConfig(doc_timeout=0.2))
    started = time.monotonic()
    coded = list(coder.code_documents([doc("a", SHORT), doc("stuck", "Stuck here. " + OTHER), doc("c", OTHER)]))
    assert time.monotonic() - started < 20
    assert [(c.document.doc_id, c.skipped) for c in coded] == [
        ("a", None), ("stuck", "took longer than 0.2 s"), ("c", None)]
    assert events_of([coded[0], coded[2]]) == unlimited
    assert _can_alarm()  # the alarm and its handler were put back


def test_api_reports_skips_and_ingest_stores_only_what_was_coded(tmp_path: Path):
    store = tmp_path / "s.duckdb"
    tmp_path = tmp_path / "in"
    tmp_path.mkdir()
    (tmp_path / "a.txt").write_text(SHORT)
    (tmp_path / "long.txt").write_text(LONG)
    reported = []
    coded = list(api.code_documents(api.read([tmp_path]), doc_timeout=0.05, on_problem=reported.append))
    assert [c.document.doc_id for c in coded] == ["a.txt"]
    (problem,) = reported
    assert problem.origin == str(tmp_path / "long.txt") and problem.fatal
    assert "long.txt" in str(problem) and "skipped: took longer than 0.05 s" in problem.message

    with pytest.warns(RuntimeWarning, match="skipped: took longer than 0.05 s"):
        list(api.code_documents(api.read([tmp_path / "long.txt"]), doc_timeout=0.05))
    with pytest.raises(DocumentTimeout, match="took longer than 0.05 s"):
        api.code_text(LONG, doc_timeout=0.05)

    reported.clear()
    first = api.ingest([tmp_path], store, doc_timeout=0.05, on_problem=reported.append)
    assert first.stats.added == 1 and len(reported) == 1
    with api.open(store) as nx:
        assert list(nx.documents()["doc_id"]) == ["a.txt"]
    again = api.ingest([tmp_path], store, doc_timeout=0.05, on_problem=reported.append)
    assert again.skipped == 1 and len(reported) == 2  # the skipped one is tried again, not "unchanged"


def test_cli_doc_timeout(tmp_path: Path):
    (tmp_path / "a.txt").write_text(SHORT)
    (tmp_path / "long.txt").write_text(LONG)
    runner = CliRunner()
    result = runner.invoke(app, ["code", "--doc-timeout", "0.05", str(tmp_path)])
    assert result.exit_code == 0, result.output
    err = " ".join(result.stderr.split())
    assert f"{tmp_path / 'long.txt'}: document 'long.txt' skipped: took longer than 0.05 s" in err
    assert '"doc_id": "a.txt"' in result.stdout and "long.txt" not in result.stdout

    alone = runner.invoke(app, ["code", "--doc-timeout", "0.05", str(tmp_path / "long.txt")])
    assert alone.exit_code == 1 and "no input could be read" in alone.stderr  # nothing coded at all
    bad = runner.invoke(app, ["code", "--doc-timeout", "-1", str(tmp_path / "a.txt")])
    assert bad.exit_code == 2 and "--doc-timeout" in bad.output


WORKERS_SCRIPT = textwrap.dedent("""
    import sys
    from nexus.documents import Document, segment
    from nexus.events import matcher
    from nexus.parallel import code_parallel
    from nexus.pipeline import CoderConfig

    real_run = matcher.SentenceMatcher.run
    def run(self):
        if "Stuck" in self.sent.text:
            while True:
                pass
        return real_run(self)
    matcher.SentenceMatcher.run = run  # the workers fork from here, patched
    SHORT, OTHER, LONG = %r, %r, %r * 80
    texts = {"a": SHORT, "stuck": "Stuck here. " + OTHER, "long": LONG, "c": OTHER}
    docs = [Document(k, t, origin=k, blocks=segment(t)) for k, t in texts.items()]
    for coded in code_parallel(docs, 2, CoderConfig(doc_timeout=float(sys.argv[1])), chunk_size=1):
        print(coded.document.doc_id, coded.skipped, len(coded.events), sep="\t")
""") % (SHORT, OTHER, LONG[: len(LONG) // 80])


def test_workers_keep_the_limit():
    """In each worker process: the cooperative limit (the long document) and the hard stop
    (a rule that never returns); the others are coded, in order."""
    proc = subprocess.run([sys.executable, "-c", WORKERS_SCRIPT, "0.3"], capture_output=True, text=True,
                          timeout=240, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = [line.split("\t") for line in proc.stdout.splitlines()]
    assert [(d, s) for d, s, _ in lines] == [("a", "None"), ("stuck", "took longer than 0.3 s"),
                                             ("long", "took longer than 0.3 s"), ("c", "None")]
    assert all(int(n) > 0 for d, s, n in lines if s == "None")
