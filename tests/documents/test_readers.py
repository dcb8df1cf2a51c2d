"""Reading text, HTML and JSONL from files, directories and stdin, and reporting bad input."""

from __future__ import annotations

import io
import json
import os
import sys
import tracemalloc
from datetime import date
from pathlib import Path

import pytest
from reading_support import docs, problems, read

from nexus.documents import Document, ReadProblem, read_documents
from nexus.documents.extract import describe_blocks, extract_documents, extract_file, extract_text




def block_texts(doc: Document) -> list[tuple[str, str]]:
    return [(b.kind, doc.text[b.start : b.end]) for b in doc.blocks]


ARTICLE = """\
How Russia aids Iran
Published 17 January 2025

Russia built the Bushehr nuclear power plant for Iran, which opened in 2011.

Weapons for technology
Iran has supplied drones to Russia, Western officials said.
"""


# --- plain text ----------------------------------------------------------------------------


def test_text_file(tmp_path: Path) -> None:
    path = tmp_path / "iran.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    (doc,) = read(path)
    assert isinstance(doc, Document)
    assert doc.doc_id == "iran.txt" and doc.origin == str(path)
    assert doc.text == ARTICLE
    assert doc.title == "How Russia aids Iran"
    assert doc.date == date(2025, 1, 17)
    assert ("heading", "Weapons for technology") in block_texts(doc)


def test_default_date_wins_over_a_guessed_dateline(tmp_path: Path) -> None:
    path = tmp_path / "iran.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    (doc,) = read(path, default_date=date(2025, 2, 1))
    assert isinstance(doc, Document) and doc.date == date(2025, 2, 1)


def test_crlf_is_kept_and_offsets_follow(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(ARTICLE.replace("\n", "\r\n").encode("utf-8"))
    (doc,) = read(path)
    assert isinstance(doc, Document)
    assert doc.text == ARTICLE.replace("\n", "\r\n")  # offsets index the text as given
    assert extract_text(doc) == doc.text
    assert ("paragraph", "Iran has supplied drones to Russia, Western officials said.") in block_texts(doc)


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "Téhéran et Moscou.".encode("utf-8"))
    (doc,) = read(path)
    assert isinstance(doc, Document) and doc.text == "Téhéran et Moscou."


def test_latin1_file_is_decoded_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    text = "Le président a signé l'accord à Téhéran.\n"
    path.write_bytes(text.encode("latin-1"))
    warning, doc = read(path)
    assert isinstance(warning, ReadProblem) and not warning.fatal
    assert "Latin-1" in warning.message and str(path) in str(warning)
    assert isinstance(doc, Document) and doc.text == text and "é" in doc.text


def test_cp1252_smart_quotes(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.txt"
    path.write_bytes("“We will respond,” he said – firmly.".encode("cp1252"))
    items = read(path)
    assert docs(items)[0].text == "“We will respond,” he said – firmly."


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes("Russia and Iran signed a treaty.".encode("utf-16"))
    assert docs(read(path))[0].text == "Russia and Iran signed a treaty."


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \n\n\t\n")
    items = read(tmp_path / "empty.txt", tmp_path / "blank.txt")
    assert [(p.message, p.fatal) for p in problems(items)] == [("empty file", True)] * 2
    assert not docs(items)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"  # a lying extension: the content decides
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 10)
    (problem,) = read(path)
    assert isinstance(problem, ReadProblem) and problem.fatal
    assert "binary" in problem.message and problem.origin == str(path)


def test_control_characters_count_as_binary(tmp_path: Path) -> None:
    path = tmp_path / "ctl.txt"
    path.write_bytes(bytes([1, 2, 3, 65, 66, 4, 5, 6, 67, 7]) * 100)
    (problem,) = read(path)
    assert isinstance(problem, ReadProblem) and "binary" in problem.message


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    locked = tmp_path / "locked.txt"
    locked.write_text("Secret.")
    locked.chmod(0)
    try:
        items = read(missing, locked)
    finally:
        locked.chmod(0o644)
    assert problems(items)[0].message == "no such file or directory"
    if os.geteuid() != 0:  # root reads anything
        assert "cannot read file" in problems(items)[1].message


def test_document_over_the_limit_is_skipped_and_the_rest_read(tmp_path: Path) -> None:
    (tmp_path / "a_ok.txt").write_text("Russia and Iran signed a treaty.")
    (tmp_path / "b_long.txt").write_text("Iran supplied drones to Russia. " * 100)  # 3,200 chars
    (tmp_path / "c_huge.txt").write_bytes(b"x" * 50_000)  # refused by size, never read
    (tmp_path / "d_ok.txt").write_text("China offered to mediate.")
    items = read(tmp_path, max_chars=1_000)
    assert [d.doc_id for d in docs(items)] == ["a_ok.txt", "d_ok.txt"]
    long_p, huge_p = problems(items)
    assert long_p.origin.endswith("b_long.txt") and "3,200 characters" in long_p.message
    assert "1,000 characters" in long_p.message
    assert huge_p.origin.endswith("c_huge.txt") and "50,000 bytes" in huge_p.message


def test_default_limit_refuses_an_enormous_file(tmp_path: Path) -> None:
    with open(tmp_path / "huge.txt", "wb") as f:
        f.truncate(9_000_000)  # sparse: over 4 bytes x 2,000,000 characters
    (tmp_path / "small.txt").write_text("Iran denied the report.")
    items = read(tmp_path)
    assert [d.doc_id for d in docs(items)] == ["small.txt"]
    assert "2,000,000 characters" in problems(items)[0].message


# --- directories and stdin -----------------------------------------------------------------


def test_directory_is_read_recursively_sorted_skipping_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "c").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "z.txt").write_text("Zed text.")
    (tmp_path / "a.md").write_text("Alpha text.")
    (tmp_path / "b" / "one.txt").write_text("One text.")
    (tmp_path / "b" / "c" / "two.html").write_text("<html><body><p>Two text in HTML.</p></body></html>")
    (tmp_path / "b" / "c" / "three.jsonl").write_text('{"id": "r1", "text": "Three text."}\n')
    (tmp_path / ".hidden.txt").write_text("Hidden.")
    (tmp_path / ".git" / "config.txt").write_text("Hidden too.")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\x00")
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    items = read(tmp_path)
    assert [d.doc_id for d in docs(items)] == ["a.md", "r1", "two.html", "one.txt", "z.txt"]
    assert [d.text for d in docs(items)][2] == "Two text in HTML."
    (skipped,) = problems(items)
    assert skipped.origin.endswith("report.pdf") and "'.pdf'" in skipped.message


def test_explicit_format_overrides_extension(tmp_path: Path) -> None:
    path = tmp_path / "page.data"
    path.write_text("<html><head><title>T</title></head><body><p>Talks resumed.</p></body></html>")
    (doc,) = read(path, input_format="html")
    assert isinstance(doc, Document) and doc.text == "Talks resumed."
    (as_text,) = read(path)  # unknown extension, named explicitly: plain text
    assert isinstance(as_text, Document) and as_text.text.startswith("<html>")


def fake_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_stdin_text(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, ARTICLE.replace("\n", "\r\n").encode())
    (doc,) = read("-")
    assert isinstance(doc, Document)
    assert doc.doc_id == "<stdin>" and doc.origin == "<stdin>" and doc.text == ARTICLE.replace("\n", "\r\n")


def test_stdin_jsonl(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, b'{"id": "a", "text": "One."}\nnot json\n{"text": "Two."}\n')
    items = read("-", input_format="jsonl")
    assert [d.doc_id for d in docs(items)] == ["a", "<stdin>:3"]
    assert [(p.origin, p.line) for p in problems(items)] == [("<stdin>", 2)]


def test_stdin_without_binary_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Iran denied it."))
    assert docs(read("-"))[0].text == "Iran denied it."


# --- HTML ----------------------------------------------------------------------------------

SCRIPTS = "\n".join(
    f'<script>var tracker{i} = "SCRIPT_SECRET_{i}"; document.write("SCRIPT_WRITE_{i}");</script>'
    for i in range(40)
)

PAGE = f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>How Russia aids Iran | Example World News</title>
<meta property="og:title" content="How Russia aids Iran">
<meta property="article:published_time" content="2024-03-03T10:00:00Z">
<link rel="canonical" href="https://news.example.com/world/russia-iran">
<style>body {{ color: red }} .STYLE_SECRET {{ }}</style>
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "JSONLD_SECRET"}}</script>
{SCRIPTS}
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/news">NAV_SECRET Politics</a></nav></header>
<noscript>NOSCRIPT_SECRET please enable JavaScript</noscript>
<main><article>
<h1>How Russia aids Iran</h1>
<p>Russia built the Bushehr nuclear power plant for Iran, which finally opened in 2011 after years of
delays. The two countries have deepened their cooperation since the start of the war in Ukraine.</p>
<figure><img src="putin-raisi.jpg" alt="Putin and Raisi"><figcaption>Presidents Putin and Raisi met in
Tehran in July 2022. Photo: Sputnik via Reuters</figcaption></figure>
<h2>Weapons for technology</h2>
<p>Iran has supplied Shahed drones to Russia, and in exchange Moscow has offered <b>advanced</b>
military technology, <a href="/officials">Western officials</a> said.</p>
<script>document.write("INLINE_SCRIPT_SECRET")</script>
<ul><li>Shahed-136 drones delivered in 2022</li><li>Ballistic missiles reportedly shipped in 2024</li></ul>
<h2>A pact with limits</h2>
<blockquote><p>The treaty does not commit Russia to defend Iran, a Kremlin spokesman said.</p></blockquote>
<p>Analysts said Moscow was unlikely to send troops to the region in any conflict.</p>
<!-- HTML_COMMENT_SECRET -->
<p>Share your thoughts in the comments below.</p>
</article></main>
<aside><h3>Related articles</h3><ul><li><a href="/a">ASIDE_SECRET China weighs in</a></li></ul></aside>
<section id="comments" class="comments"><h3>Comments</h3>
<div class="comment"><p>USER_COMMENT_SECRET this is all lies, wake up people</p></div></section>
<footer><p>FOOTER_SECRET © 2024 Example News. All rights reserved.</p></footer>
{SCRIPTS}
</body></html>
"""


def test_html_main_text_and_structure(tmp_path: Path) -> None:
    path = tmp_path / "russia-iran.html"
    path.write_text(PAGE, encoding="utf-8")
    (doc,) = read(path)
    assert isinstance(doc, Document)
    assert doc.doc_id == "russia-iran.html"
    assert doc.title == "How Russia aids Iran"
    assert doc.date == date(2024, 3, 3)
    assert doc.url == "https://news.example.com/world/russia-iran"
    for secret in ("SCRIPT_", "STYLE_", "JSONLD_", "NAV_", "NOSCRIPT_", "HTML_COMMENT_",
                   "ASIDE_", "USER_COMMENT_", "FOOTER_", "document.write", "{"):
        assert secret not in doc.text, secret
    kinds = block_texts(doc)
    assert kinds[0] == ("title", "How Russia aids Iran")
    assert ("heading", "Weapons for technology") in kinds
    assert ("heading", "A pact with limits") in kinds
    assert ("list_item", "Shahed-136 drones delivered in 2022") in kinds
    assert ("quote", "The treaty does not commit Russia to defend Iran, a Kremlin spokesman said.") in kinds
    assert ("furniture", "Share your thoughts in the comments below.") in kinds
    para = next(t for k, t in kinds if t.startswith("Iran has supplied"))
    assert para == ("Iran has supplied Shahed drones to Russia, and in exchange Moscow has offered "
                    "advanced military technology, Western officials said.")
    # a caption is either dropped or marked as one, never coded as prose
    for kind, text in kinds:
        if "Raisi met in" in text:
            assert kind == "caption"
    # blocks are separated by blank lines and cover the text
    for b in doc.blocks:
        assert "\n\n" not in doc.text[b.start : b.end]
    assert "".join(doc.text[b.start : b.end] for b in doc.blocks) == doc.text.replace("\n\n", "")


def test_html_default_date_is_a_fallback(tmp_path: Path) -> None:
    with_meta = tmp_path / "a.html"
    with_meta.write_text(PAGE)
    without = tmp_path / "b.html"
    without.write_text("<html><body><article><p>Talks resumed in Geneva, officials said.</p>"
                       "</article><footer>© 2024 Example</footer></body></html>")
    a, b = docs(read(tmp_path, default_date=date(2025, 5, 5)))
    assert a.date == date(2024, 3, 3)
    assert b.date == date(2025, 5, 5)  # and not 2024-01-01 guessed from the copyright line


def test_html_declared_charset(tmp_path: Path) -> None:
    path = tmp_path / "cyr.html"
    body = "<html><head><meta charset='windows-1251'></head><body><p>Москва и Тегеран подписали договор.</p></body></html>"
    path.write_bytes(body.encode("cp1251"))
    items = read(path)
    assert not problems(items)
    assert docs(items)[0].text == "Москва и Тегеран подписали договор."


def test_html_without_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.html"
    path.write_text("<html><head><script>var a = 1;</script></head><body></body></html>")
    (problem,) = read(path)
    assert isinstance(problem, ReadProblem) and "no main text" in problem.message


# --- JSONL ---------------------------------------------------------------------------------


def test_jsonl_records_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    lines = [
        json.dumps({"id": "shells-2023", "text": "North Korea has shipped shells to Russia.",
                    "date": "2023-09-01", "url": "https://example.com/x", "title": "Shells"}),
        '{"id": "broken", "text": "unterminated',  # 2: bad JSON
        json.dumps({"id": "no-text", "date": "2023-09-01"}),  # 3: no text
        "",  # 4: blank, ignored
        json.dumps(["not", "an", "object"]),  # 5
        json.dumps({"id": "empty", "text": "   "}),  # 6
        json.dumps({"id": "num", "text": 42}),  # 7
        json.dumps({"id": "bad-date", "text": "Text.", "date": "last Tuesday"}),  # 8
        json.dumps({"text": "Iran denied the report.\r\nIt said so twice.", "date": None}),  # 9
        json.dumps({"id": 17, "text": "China offered to mediate."}),  # 10
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read(path, default_date=date(2000, 1, 1))
    good = docs(items)
    assert [d.doc_id for d in good] == ["shells-2023", "bad-date", "corpus.jsonl:9", "17"]
    first = good[0]
    assert (first.date, first.url, first.title) == (date(2023, 9, 1), "https://example.com/x", "Shells")
    assert first.origin == f"{path}:1"
    assert good[1].date == date(2000, 1, 1)  # a bad date warns and falls back: the text is kept
    assert good[2].date == date(2000, 1, 1) and good[2].text == "Iran denied the report.\r\nIt said so twice."
    bad = problems(items)
    assert [p.line for p in bad] == [2, 3, 5, 6, 7, 8]
    assert [p.fatal for p in bad] == [True] * 5 + [False]
    assert all(p.origin == str(path) for p in bad)
    messages = [p.message for p in bad]
    assert "not valid JSON" in messages[0]
    assert 'no "text" field' in messages[1]
    assert "expected a JSON object, got list" in messages[2]
    assert '"text" is empty' in messages[3]
    assert '"text" must be a string' in messages[4]
    assert "last Tuesday" in messages[5]
    assert str(bad[0]).startswith(f"{path}:2: ")


def test_jsonl_latin1_line_and_enormous_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    with open(path, "wb") as f:
        f.write('{"id": "ok", "text": "Fine."}\n'.encode())
        f.write('{"id": "latin", "text": "Téhéran a nié."}\n'.encode("latin-1"))
        f.write(b'{"id": "huge", "text": "' + b"a" * 300_000 + b'"}\n')  # over the line bound
        f.write(json.dumps({"id": "long", "text": "b" * 1_500}).encode() + b"\n")  # over max_chars
        f.write(b'{"id": "after", "text": "Still read."}')  # no final newline
    items = read(path, max_chars=1_000)
    assert [d.doc_id for d in docs(items)] == ["ok", "latin", "after"]
    assert docs(items)[1].text == "Téhéran a nié."
    warning, huge, long = problems(items)
    assert (warning.line, warning.fatal) == (2, False) and "Latin-1" in warning.message
    assert huge.line == 3 and "1,000 characters" in huge.message
    assert long.line == 4 and "1,500 characters" in long.message


def test_jsonl_empty_and_binary(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text("\n\n")
    (tmp_path / "b.jsonl").write_bytes(b"\x00\x01\x02" * 100)
    a, b = read(tmp_path)
    assert isinstance(a, ReadProblem) and a.message == "empty file"
    assert isinstance(b, ReadProblem) and "binary" in b.message


def test_jsonl_is_read_as_a_stream(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    paragraph = ("Russia and Iran signed a strategic partnership treaty in Moscow on Friday, "
                 "officials said, but it does not commit either side to defend the other. ") * 20
    with open(path, "w", encoding="utf-8") as f:
        n = 0
        while f.tell() < 40_000_000:
            f.write(json.dumps({"id": f"doc-{n}", "text": paragraph, "date": "2025-01-17"}) + "\n")
            n += 1
    size = path.stat().st_size
    tracemalloc.start()
    try:
        count = sum(1 for item in read_documents([str(path)]) if isinstance(item, Document))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == n
    print(f"peak {peak:,} bytes for a {size:,}-byte file")
    assert size > 40_000_000 and peak < 10_000_000, f"peak {peak:,} bytes for a {size:,}-byte file"


# --- extract helpers -----------------------------------------------------------------------


def test_extract_helpers(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE)
    doc, blocks = extract_file(str(path))
    assert extract_text(doc) == doc.text and blocks == doc.blocks
    assert describe_blocks(doc).splitlines()[0] == "0\t20\ttitle\tHow Russia aids Iran"
    assert [d.doc_id for d, _ in extract_documents([str(path)])] == ["page.html"]
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(ValueError, match="empty file"):
        extract_file(str(tmp_path / "empty.txt"))
