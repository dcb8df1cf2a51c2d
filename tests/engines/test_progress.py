"""The progress bar: a total counted cheaply up front gives a count out of it and an ETA;
without one, count, rate and elapsed time only."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from nexus import api
from nexus.cli.common import ProblemLog, progress_bar
from nexus.documents import ReadProblem
from nexus.documents.readers import count_documents


def test_count_documents_matches_what_is_read(tmp_path: Path):
    (tmp_path / "a.txt").write_text("Russia supplied Iran with drones.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_text("<p>China condemned Japan.</p>", encoding="utf-8")
    (tmp_path / "sub" / "photo.png").write_bytes(b"\x89PNG")  # skipped silently
    (tmp_path / "notes.xyz").write_text("?", encoding="utf-8")  # skipped with a message
    (tmp_path / ".hidden.txt").write_text("secret", encoding="utf-8")
    wire = tmp_path / "wire.jsonl"
    wire.write_text('{"text": "one"}\n\n   \n{"text": "two"}\n{"text": "three"}', encoding="utf-8")
    assert count_documents([str(wire)]) == 3  # blank lines are not records; no final newline
    assert count_documents([str(tmp_path)]) == 5
    assert count_documents([str(tmp_path / "a.txt"), str(wire)]) == 4
    assert count_documents([str(tmp_path), "-"]) is None  # stdin cannot be counted
    samples = [str(p) for p in api.sample_paths()]
    assert count_documents(samples) == len(list(api.read(samples)))


def _render(progress: Progress) -> str:
    console = progress.console
    console.print(progress.get_renderable())
    return console.file.getvalue()  # type: ignore[attr-defined]


def _bar(total: int | None) -> str:
    console = Console(file=io.StringIO(), force_terminal=True, width=160, color_system=None)
    progress = Progress(*progress_bar("coding").columns, console=console, disable=False)
    task = progress.add_task("coding", total=total)
    progress.advance(task, 3)
    return _render(progress)


def test_bar_shows_a_total_and_eta_only_when_known():
    known = _bar(12)
    assert "3/12 documents" in known and "eta" in known
    unknown = _bar(None)
    assert "3 documents" in unknown and "/" not in unknown.split("documents")[0]
    assert "eta" not in unknown


def test_fatal_problems_advance_the_bar():
    ticks: list[int] = []
    log = ProblemLog()
    log.on_fatal = lambda: ticks.append(1)
    log(ReadProblem("bad.jsonl", "not valid JSON", line=2))
    log(ReadProblem("latin.txt", "decoded as Latin-1", fatal=False))
    assert (log.fatal, log.warnings, len(ticks)) == (1, 1, 1)
