"""Bad input: each problem named on stderr, the rest still coded, exit 0 unless nothing was read."""

from __future__ import annotations

import json
import os
import random
import subprocess
from pathlib import Path

import pytest
from cli_helpers import check_contract, events_from, mentions, no_traceback

from nexus.cli import app

GOOD = ("Ukraine and Poland agreed on Monday to resume grain transit talks, officials said. "
        "Russia supplied Iran with drones in 2022.\n")
LATIN = ("PARIS (Nexus Wire) - Le ministère de la Défense said France delivered Caesar howitzers "
         "to Ukraine on Monday.\n")
# Words that only occur inside the <script> elements of the page below.
SCRIPT_MARKERS = ("evilTrackerXYZ", "Buy cheap widgets now", "pageviewQQQ", "inlineScriptMarkerABC",
                  "popupDEF", "trackLoopGHI", "dataLayer", "console.log", "function", "NewsArticle")
PARAGRAPH = ("Russia and Ukraine held talks in Istanbul on Tuesday, "
             "the Turkish foreign ministry said.")
PARAGRAPH_2 = "France delivered Caesar howitzers to Ukraine in January."
SCRIPTED_PAGE = f"""<!DOCTYPE html>
<html><head><title>Istanbul talks</title>
<script>var trackingPixel = "evilTrackerXYZ"; function loadAds(){{ document.write("Buy cheap widgets now"); }}</script>
<script type="application/ld+json">{{"@type":"NewsArticle","headline":"Istanbul talks"}}</script>
{"".join(f'<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"event":"pageviewQQQ", "n": {i}}});</script>' for i in range(40))}
</head><body>
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"event":"pageviewQQQ"}});</script>
<article>
<h1>Istanbul talks</h1>
<p>{PARAGRAPH}</p>
<script>console.log("inlineScriptMarkerABC"); if (a < b && c > d) {{ alert("popupDEF"); }}</script>
<p onclick="function(){{ alert('popupDEF') }}">{PARAGRAPH_2}</p>
</article>
<script src="x.js"></script><script>for(var i=0;i<10;i++){{trackLoopGHI(i)}}</script>
</body></html>
"""


def _long_article(chars: int = 20_000) -> str:
    para = ("Russia supplied Iran with drones in 2022, officials said. The United States imposed "
            "sanctions on Iran on Wednesday over the deliveries.\n\n")
    return (para * (chars // len(para) + 1))[:chars]


def _binary() -> bytes:
    rng = random.Random(7)
    return bytes(rng.randrange(256) for _ in range(4096)) + b"\0\0\0\x01\x02"


def _jsonl_lines() -> list[str]:
    return [
        json.dumps({"id": "wire-ok-1", "text": "Russia supplied Iran with drones in 2022.", "date": "2023-01-05"}),
        '{"id": "wire-bad", "text": "Israel struck targets in Syria", ',  # bad JSON
        json.dumps({"id": "wire-notext", "title": "No text here"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "wire-ok-2", "text": "China condemned Japan on Tuesday over the water release."}),
    ]


def _code(runner, *args: str):
    result = runner.invoke(app, ["code", *args])
    no_traceback(result)
    return result


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.txt"
    path.write_text(GOOD, encoding="utf-8")
    return path


def _assert_good_coded(stdout: str, doc_id: str = "good.txt") -> list[dict]:
    events = events_from(stdout)
    assert any(e["doc_id"] == doc_id and e["source"] and e["source"]["code"] == "RUS"
               and e["plover"]["type"] == "AID" for e in events), events
    return events


# --- one problem at a time --------------------------------------------------------------------


def test_empty_file_alone_fails(runner, tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n\n")
    result = _code(runner, str(empty))
    assert result.exit_code != 0
    assert mentions(result.stderr, str(empty), "empty file")
    assert mentions(result.stderr, "no input could be read")
    assert result.stdout == ""


def test_empty_file_beside_a_good_one(runner, tmp_path: Path, good: Path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = _code(runner, str(empty), str(good))
    assert result.exit_code == 0
    assert mentions(result.stderr, str(empty), "empty")
    _assert_good_coded(result.stdout)


def test_binary_file(runner, tmp_path: Path, good: Path):
    blob = tmp_path / "photo.txt"
    blob.write_bytes(_binary())
    alone = _code(runner, str(blob))
    assert alone.exit_code != 0
    assert mentions(alone.stderr, str(blob), "binary")
    assert alone.stdout == ""

    both = _code(runner, str(blob), str(good))
    assert both.exit_code == 0
    assert mentions(both.stderr, str(blob), "binary")
    _assert_good_coded(both.stdout)


def test_latin1_file_is_decoded_with_a_warning(runner, tmp_path: Path):
    path = tmp_path / "defense.txt"
    path.write_bytes(LATIN.encode("latin-1"))
    assert b"D\xe9fense" in path.read_bytes()
    result = _code(runner, str(path))
    assert result.exit_code == 0
    assert mentions(result.stderr, str(path), "Latin-1")
    assert "warning" in result.stderr
    events = events_from(result.stdout)
    fra = [e for e in events if e["source"] and e["source"]["code"] == "FRA" and e["plover"]["type"] == "AID"]
    assert fra, events
    assert "Défense" in fra[0]["sentence"]
    assert LATIN[fra[0]["offsets"][0]:fra[0]["offsets"][1]] == fra[0]["sentence"]


def test_document_over_the_limit_is_refused_others_coded(runner, tmp_path: Path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    big = folder / "big.txt"
    big.write_text(_long_article(20_000), encoding="utf-8")
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    result = _code(runner, str(folder), "--max-chars", "5000")
    assert result.exit_code == 0
    assert mentions(result.stderr, str(big), "too long", "5,000")
    events = _assert_good_coded(result.stdout)
    assert {e["doc_id"] for e in events} == {"good.txt"}


def test_document_over_the_limit_alone_fails(runner, tmp_path: Path):
    big = tmp_path / "big.txt"
    big.write_text(_long_article(20_000), encoding="utf-8")
    result = _code(runner, str(big), "--max-chars", "5000")
    assert result.exit_code != 0
    assert mentions(result.stderr, str(big), "too long")


def test_jsonl_bad_lines_are_named_good_lines_coded(runner, tmp_path: Path):
    path = tmp_path / "wire.jsonl"
    path.write_text("\n".join(_jsonl_lines()) + "\n", encoding="utf-8")
    result = _code(runner, str(path))
    assert result.exit_code == 0
    assert mentions(result.stderr, f"{path}:2", "not valid JSON")
    assert mentions(result.stderr, f"{path}:3", 'no "text" field')
    assert mentions(result.stderr, f"{path}:4", "expected a JSON object")
    assert not mentions(result.stderr, f"{path}:1:") and not mentions(result.stderr, f"{path}:5:")
    events = events_from(result.stdout)
    assert {e["doc_id"] for e in events} == {"wire-ok-1", "wire-ok-2"}
    aid = next(e for e in events if e["doc_id"] == "wire-ok-1")
    assert (aid["source"]["code"], aid["target"]["code"], aid["plover"]["type"]) == ("RUS", "IRN", "AID")


def test_jsonl_with_only_bad_lines_fails(runner, tmp_path: Path):
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join(_jsonl_lines()[1:4]) + "\n", encoding="utf-8")
    result = _code(runner, str(path))
    assert result.exit_code != 0
    for line in (1, 2, 3):
        assert mentions(result.stderr, f"{path}:{line}")
    assert result.stdout == ""


def test_html_scripts_are_not_text(runner, tmp_path: Path):
    page = tmp_path / "istanbul.html"
    page.write_text(SCRIPTED_PAGE, encoding="utf-8")
    extracted = runner.invoke(app, ["extract", str(page)])
    no_traceback(extracted)
    assert extracted.exit_code == 0
    assert PARAGRAPH in extracted.stdout
    assert PARAGRAPH_2 in extracted.stdout
    for marker in SCRIPT_MARKERS:
        assert marker not in extracted.stdout, marker

    result = _code(runner, str(page))
    assert result.exit_code == 0
    events = events_from(result.stdout)
    assert events
    for e in events:
        assert e["doc_id"] == "istanbul.html"
        assert e["sentence"] in (PARAGRAPH, PARAGRAPH_2)
        assert extracted.stdout[e["offsets"][0]:e["offsets"][1]] == e["sentence"]
    assert any(e["sentence"] == PARAGRAPH and e["plover"]["type"] == "CONSULT" for e in events)
    assert any(e["sentence"] == PARAGRAPH_2 and e["plover"]["type"] == "AID" for e in events)


def test_missing_file(runner, tmp_path: Path, good: Path):
    missing = tmp_path / "no-such-article.txt"
    alone = _code(runner, str(missing))
    assert alone.exit_code != 0
    assert mentions(alone.stderr, str(missing), "no such file")

    with_good = _code(runner, str(missing), str(good))
    assert with_good.exit_code == 0
    assert mentions(with_good.stderr, str(missing), "no such file")
    _assert_good_coded(with_good.stdout)


# --- everything at once -------------------------------------------------------------------------


@pytest.fixture
def messy_dir(tmp_path: Path) -> Path:
    d = tmp_path / "messy"
    (d / "sub").mkdir(parents=True)
    (d / "a-empty.txt").write_text("")
    (d / "b-blob.txt").write_bytes(_binary())
    (d / "c-defense.txt").write_bytes(LATIN.encode("latin-1"))
    (d / "d-big.txt").write_text(_long_article(20_000), encoding="utf-8")
    (d / "e-wire.jsonl").write_text("\n".join(_jsonl_lines()) + "\n", encoding="utf-8")
    (d / "sub" / "f-istanbul.html").write_text(SCRIPTED_PAGE, encoding="utf-8")
    (d / "sub" / "good.txt").write_text(GOOD, encoding="utf-8")
    (d / "notes.docx").write_bytes(b"PK\x03\x04" + _binary())  # unknown extension: reported
    (d / "logo.png").write_bytes(_binary())  # media: skipped silently
    (d / ".hidden.txt").write_text("Hidden files are not read.")
    return d


def _check_messy(stdout: str, stderr: str, d: Path) -> None:
    for name, words in (("a-empty.txt", "empty"), ("b-blob.txt", "binary"), ("c-defense.txt", "Latin-1"),
                        ("d-big.txt", "too long"), ("e-wire.jsonl:2", "not valid JSON"),
                        ("e-wire.jsonl:3", '"text"'), ("e-wire.jsonl:4", "JSON object"),
                        ("notes.docx", "extension")):
        assert mentions(stderr, os.path.join(d, name), words), (name, stderr)
    assert "logo.png" not in stderr and ".hidden" not in stderr
    events = events_from(stdout)
    for e in events:
        check_contract(e)
    docs = {e["doc_id"] for e in events}
    assert docs == {"c-defense.txt", "wire-ok-1", "wire-ok-2", "f-istanbul.html", "good.txt"}, docs


def test_directory_mixing_everything(runner, messy_dir: Path):
    result = _code(runner, str(messy_dir), "--max-chars", "5000")
    assert result.exit_code == 0
    _check_messy(result.stdout, result.stderr, messy_dir)


def test_directory_of_nothing_but_bad_input_fails(runner, tmp_path: Path):
    d = tmp_path / "bad-only"
    d.mkdir()
    (d / "empty.txt").write_text("")
    (d / "blob.txt").write_bytes(_binary())
    (d / "broken.jsonl").write_text("{nope\n[1]\n")
    result = _code(runner, str(d))
    assert result.exit_code != 0
    assert mentions(result.stderr, "no input could be read")
    assert result.stdout == ""


def test_subprocess_directory_mixing_everything(nexus_bin: Path, messy_dir: Path):
    proc = subprocess.run([str(nexus_bin), "code", str(messy_dir), "--max-chars", "5000"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    _check_messy(proc.stdout, proc.stderr, messy_dir)


def test_subprocess_only_bad_input_exits_non_zero(nexus_bin: Path, tmp_path: Path):
    blob = tmp_path / "blob.txt"
    blob.write_bytes(_binary())
    proc = subprocess.run([str(nexus_bin), "code", str(blob), str(tmp_path / "missing.txt")],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert mentions(proc.stderr, str(blob), "binary")
    assert mentions(proc.stderr, str(tmp_path / "missing.txt"), "no such file")
    assert "Traceback" not in proc.stderr
