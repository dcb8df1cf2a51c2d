"""Bad input found by fuzzing, one test per bug fixed: each failed before its fix."""

from __future__ import annotations

import io
import json
import sys
from datetime import date
from pathlib import Path

import pytest
from reading_support import docs, problems, read

from nexus import api
from nexus.documents import Document, ReadProblem, read_bytes
from nexus.events.dates import resolve_date
from nexus.store.rows import period_start




def test_jsonl_lone_surrogate_escapes_are_replaced_and_coded(tmp_path: Path) -> None:
    # json.loads turns "\ud800" into a lone surrogate, which spaCy, hashing and the store refuse:
    # the whole run died with UnicodeEncodeError.
    path = tmp_path / "wire.jsonl"
    path.write_text('{"id": "s\\udc00", "title": "T\\ud800", "text": "Russia supplied Iran with drones in 2022. '
                    '\\ud800 bad half"}\n{"id": "ok", "text": "China condemned Japan on Tuesday."}\n')
    items = read(path)
    (warning,) = problems(items)
    assert (warning.line, warning.fatal) == (1, False) and "surrogate" in warning.message
    first, second = docs(items)
    assert first.text == "Russia supplied Iran with drones in 2022. \ufffd bad half"
    assert (first.doc_id, first.title) == ("s\ufffd", "T\ufffd")
    result = api.ingest([path], tmp_path / "s.duckdb")
    assert result.stats.added == 2 and result.stats.events >= 2


@pytest.mark.parametrize("charset", ["undefined", "unicode_escape", "utf-7"])
def test_html_declaring_a_python_only_codec(charset: str) -> None:
    # <meta charset="undefined"> raised UnicodeError out of the reader; "unicode_escape" made
    # lone surrogates out of "\ud800" in the page.
    page = (f"<html><head><meta charset='{charset}'></head><body><article><p>Russia supplied Iran "
            "with drones in 2022, officials said. \\ud800 +2AA- caf\xe9</p></article></body></html>").encode("latin-1")
    items = read_bytes(page, "page.html", "html")
    (doc,) = docs(items)
    assert "Russia supplied Iran with drones" in doc.text and "\\ud800" in doc.text and "café" in doc.text
    doc.text.encode("utf-8")


def test_deeply_nested_html_is_read_in_full() -> None:
    # libxml2 stops at 256 nested elements: the text after 20,000 unclosed <div>s was lost,
    # and text inside them gave "no main text found".
    before = "<p>Russia supplied Iran with drones in 2022, officials said.</p>"
    after = "<p>China condemned Japan on Tuesday over the release of treated water.</p>"
    deep = "<html><body><article>" + before + "<div>" * 20_000 + "Deep text, deep down." + "</div>" * 20_000 + after
    unclosed = "<html><body>" + "<div><span>Iran protested to Israel. " * 10_000 + "</body></html>"
    (warning, doc) = read_bytes((deep + "</article></body></html>").encode(), "deep.html", "html")
    assert isinstance(warning, ReadProblem) and not warning.fatal and "flattened" in warning.message
    assert isinstance(doc, Document)
    for text in (before, after):
        assert text[3:-4] in doc.text
    assert "Deep text, deep down." in doc.text
    (_, many) = read_bytes(unclosed.encode(), "unclosed.html", "html")
    # before: the first 100 or so; now all but the few the extractor drops as it always may
    assert isinstance(many, Document) and many.text.count("Iran protested to Israel.") > 9_800


def test_nested_tables_give_their_text_once() -> None:
    # Each row of a table and of every table inside it was read again: 50 nested tables turned
    # 50 sentences into 1,275.
    page = ("<html><body><article><p>Intro paragraph about the talks, officials said on Monday.</p>"
            + "<table><tr><td>Russia supplied Iran with drones. " * 50 + "</td></tr></table>" * 50
            + "<p>Closing paragraph with more words about it all, said the ministry.</p></article></body></html>")
    (doc,) = read_bytes(page.encode(), "tables.html", "html")
    assert isinstance(doc, Document) and doc.text.count("Russia supplied Iran") == 50


def test_utf16_without_a_byte_order_mark(tmp_path: Path) -> None:
    # Reported as "binary data" (UTF-16 is half NUL bytes), and UTF-16 JSON lines were split
    # in the middle of characters.
    text = "Russia supplied Iran with drones in 2022, officials said.\n"
    (tmp_path / "a-le.txt").write_bytes(text.encode("utf-16-le"))
    (tmp_path / "b-be.txt").write_bytes(text.encode("utf-16-be"))
    lines = "\n".join(json.dumps({"id": f"r{i}", "text": text}) for i in range(3)) + "\n"
    (tmp_path / "c-bom.jsonl").write_bytes(lines.encode("utf-16"))
    (tmp_path / "d-le.jsonl").write_bytes(lines.encode("utf-16-le"))
    items = read(tmp_path)
    assert [d.doc_id for d in docs(items)] == ["a-le.txt", "b-be.txt", "r0", "r1", "r2", "r0", "r1", "r2"]
    assert all(d.text == text for d in docs(items))
    assert all(not p.fatal for p in problems(items)) and len(problems(items)) == 4
    assert "UTF-16" in problems(items)[0].message


def test_text_stdin_with_undecodable_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    # A text-only stdin decoded with surrogateescape (the C locale) made .encode() raise.
    monkeypatch.setattr(sys, "stdin", io.StringIO("Iran denied it \udce9 firmly."))
    warning, doc = read("-")
    assert isinstance(warning, ReadProblem) and "Latin-1" in warning.message
    assert isinstance(doc, Document) and doc.text == "Iran denied it é firmly."


@pytest.mark.parametrize("published", [date(9999, 12, 31), date(1, 1, 1), date(2024, 3, 14)])
@pytest.mark.parametrize("phrase", ["tomorrow", "yesterday", "next week", "on Monday", "last year", "next year",
                                    "next month", "last month", "5 decades ago", "1000000 years ago",
                                    "99999999999 days ago", "on February 30", "in the year 30000"])
def test_event_dates_at_the_edges_of_the_calendar(published: date, phrase: str) -> None:
    # "a million years ago", or "tomorrow" on 9999-12-31, raised OverflowError out of the coder;
    # a year before 1000 was written "0" or "1-02".
    resolved = resolve_date(phrase, published, forward="next" in phrase or phrase == "tomorrow")
    if resolved is not None:
        assert period_start(resolved.value) is not None, resolved
        assert len(resolved.value.split("-")[0]) == 4


def test_coding_a_million_years_ago() -> None:
    events = api.code_text("Russia supplied Iran with drones 1000000 years ago.", date="2024-03-14")
    assert events and events[0].date.basis == "publication"
    assert api.code_text("Russia will supply Iran with drones tomorrow.", date="9999-12-31")


def test_a_hundred_thousand_sentence_document(tmp_path: Path) -> None:
    """A 100,000-sentence document is read whole (within the size limit), then skipped by the
    time limit with a report naming its file, while the document beside it is coded; one over
    the size limit is refused with a message, never loaded."""
    sentences = [f"Aid {i} sent." for i in range(100_000)]
    paragraphs = "\n\n".join(" ".join(sentences[i:i + 50]) for i in range(0, len(sentences), 50))
    huge = tmp_path / "huge.txt"
    huge.write_text(paragraphs)
    (tmp_path / "short.txt").write_text("Russia supplied Iran with drones in 2022, officials said.")

    (document,) = docs(read(huge))
    assert document.text.count(" sent.") == 100_000 and len(document.blocks) == 2_000

    reported: list[ReadProblem] = []
    coded = list(api.code_documents(api.read([tmp_path]), doc_timeout=2, on_problem=reported.append))
    assert [c.document.doc_id for c in coded] == ["short.txt"] and coded[0].events
    (problem,) = reported
    assert problem.origin == str(huge) and "skipped: took longer than 2 s" in problem.message

    refused = read(huge, max_chars=1_000_000)
    assert not docs(refused)
    (too_long,) = problems(refused)
    assert str(huge) in str(too_long) and "1,000,000" in str(too_long)
