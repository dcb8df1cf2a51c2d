"""Property-based tests (Hypothesis): whatever bytes or text come in, the readers, the
segmenter and the date parsers return their documented results and never raise."""

from __future__ import annotations

import json
import string
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nexus.documents import Document, ReadProblem, read_bytes, read_documents, segment
from nexus.documents.dates import find_publication_date, parse_date_field
from nexus.documents.html import flatten_html
from nexus.events.dates import resolve_date
from nexus.store.rows import period_start

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])

NEWS = "Russia supplied Iran with drones in 2022. China condemned Japan on February 30.\n\n"
# Text that looks like news and its damage: words, line breaks, markup, dates, odd characters.
pieces = st.sampled_from(["Russia", "Iran", " ", "\n", "\n\n", "\r\n", ". ", "# ", "- ", "> ", "1. ", "<p>", "</p>",
                          "<div>", "&nbsp;", "&", "\0", "\x0c", "\u2028", "\ufeff", "\ud7ff", "🚀", "é", "MOSCOW, ",
                          "March 3, 2024", "2024-02-30", "0000-01-01", "99999", "Published ", "By Jane Doe | ",
                          "READ MORE:", "Share this", "Image: Reuters"])
newsy = st.lists(st.one_of(pieces, st.text(max_size=12)), max_size=60).map("".join)
byte_strings = st.one_of(st.binary(max_size=3000), newsy.map(lambda t: t.encode("utf-8", "surrogatepass")),
                         st.tuples(newsy, st.sampled_from(["utf-16", "utf-16-le", "cp1252", "latin-1", "utf-8-sig"]))
                         .map(lambda p: p[0].encode(p[1], "replace")))


def check_items(items: list, origin: str) -> list[Document]:
    documents = []
    for item in items:
        if isinstance(item, ReadProblem):
            assert str(item).startswith(origin) and item.message
        else:
            assert isinstance(item, Document)
            assert item.text.strip()
            item.text.encode("utf-8")  # no lone surrogates
            assert item.date is None or isinstance(item.date, date)
            end = 0
            for b in item.blocks:
                assert end <= b.start < b.end <= len(item.text)
                end = b.end
            documents.append(item)
    return documents


@FAST
@given(data=byte_strings, fmt=st.sampled_from(["text", "html"]))
def test_read_bytes_never_raises(data: bytes, fmt: str) -> None:
    items = read_bytes(data, "input", fmt, max_chars=20_000)  # type: ignore[arg-type]
    documents = check_items(items, "input")
    assert len(documents) <= 1 and (documents or any(i.fatal for i in items))


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30),
              st.sampled_from(["2024-02-30", "0000-01-01", "9999-12-31", "99999-01-01", "\ud800", NEWS])),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(
        ["id", "text", "date", "title", "url", "x"]), inner, max_size=5)),
    max_leaves=12)
jsonl_lines = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"text": st.one_of(newsy, json_values)},
                          optional={"id": json_values, "date": json_values, "title": json_values,
                                    "url": json_values}).map(lambda d: json.dumps(d).encode()),
    st.binary(max_size=200).filter(lambda b: b"\n" not in b),
    st.integers(1, 3000).map(lambda n: b"[" * n),
)


@FAST
@given(lines=st.lists(jsonl_lines, min_size=1, max_size=8), ending=st.sampled_from([b"\n", b"\r\n", b""]))
def test_jsonl_never_raises_and_names_lines(tmp_path_factory, lines: list[bytes], ending: bytes) -> None:
    path = tmp_path_factory.mktemp("jsonl") / "corpus.jsonl"
    path.write_bytes(ending.join(lines) + ending)
    items = list(read_documents([str(path)], max_chars=20_000))
    check_items(items, str(path))
    for item in items:
        if isinstance(item, ReadProblem) and item.fatal and item.message not in ("empty file",) \
                and "binary" not in item.message:
            assert item.line is not None and 1 <= item.line <= len(lines) + 1, item


FEED = ("<?xml version='1.0'?>\n<rss><channel>\n<item><title>A &amp; B</title><guid>a</guid>"
        "<pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate><description>&lt;p&gt;Russia supplied Iran "
        "with drones.&lt;/p&gt;</description></item>\n<item><title>C</title><description><![CDATA[<p>China "
        "condemned Japan.</p>]]></description></item>\n</channel></rss>\n")


@FAST
@given(cut=st.integers(0, len(FEED)), insert=st.one_of(pieces, st.binary(max_size=20).map(lambda b: b.decode("latin-1"))),
       at=st.integers(0, len(FEED)), fmt=st.sampled_from(["feed.rss", "feed.atom", "feed.xml"]))
def test_damaged_feeds_never_raise(tmp_path_factory, cut: int, insert: str, at: int, fmt: str) -> None:
    text = FEED[:at] + insert + FEED[at:]
    path = tmp_path_factory.mktemp("feed") / fmt
    path.write_bytes(text[: max(cut, at)].encode("utf-8", "surrogatepass"))
    items = list(read_documents([str(path)], max_chars=20_000))
    documents = check_items(items, str(path))
    assert documents or any(i.fatal for i in items if isinstance(i, ReadProblem))


@settings(max_examples=150, deadline=None)
@given(text=newsy)
def test_segment_covers_the_text(text: str) -> None:
    blocks = segment(text)
    end = 0
    for b in blocks:
        assert end <= b.start < b.end <= len(text)
        chunk = text[b.start : b.end]
        assert chunk == chunk.strip()  # starts and ends on text
        assert not text[end : b.start].strip()  # nothing but whitespace between blocks
        end = b.end
    assert not text[end:].strip()


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(json_values, st.text(alphabet=string.digits + "-T:Z+ .", max_size=30)))
def test_date_field_is_a_date_none_or_a_value_error(value: object) -> None:
    try:
        parsed = parse_date_field(value)
    except ValueError as err:
        assert str(err)
    else:
        assert parsed is None or isinstance(parsed, date)


@settings(max_examples=150, deadline=None)
@given(text=newsy)
def test_publication_date_never_raises(text: str) -> None:
    found = find_publication_date(text)
    assert found is None or isinstance(found, date)


time_phrases = st.lists(st.sampled_from(
    ["in", "on", "the", "year", "30000", "2024", "1800", "February", "30", "31", "March", "99", "next", "last",
     "this", "week", "month", "year", "decade", "ago", "1000000", "99999999999", "tomorrow", "yesterday",
     "Monday", "2024-02-30", "0000-01-01", "few", "a", "sept", "2nd", "of"]), max_size=8).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(text=time_phrases, published=st.one_of(st.none(), st.dates()), forward=st.booleans())
def test_event_dates_never_raise_and_are_real_periods(text: str, published: date | None, forward: bool) -> None:
    resolved = resolve_date(text, published, forward=forward)
    if resolved is not None and resolved.value is not None:
        assert period_start(resolved.value) is not None, resolved


@settings(max_examples=80, deadline=None)
@given(html=st.lists(st.sampled_from(["<div>", "</div>", "<p>", "</p>", "<span>", "</b>", "<br>", "<br/>",
                                      "<script>", "</script>", "<!--", "-->", "&amp;", "&#99;", "text ", "<",
                                      ">", "<![CDATA[", "]]>", "<?pi?>", "<!DOCTYPE html>", "<td>", "<table>"]),
                     max_size=80).map("".join),
       limit=st.integers(1, 5))
def test_flatten_html_never_raises_and_keeps_the_text(html: str, limit: int) -> None:
    flat = flatten_html(html, limit)
    assume("<script>" not in html and "<!--" not in html and "<![CDATA[" not in html)
    words = lambda s: s.count("text")  # noqa: E731 - the text survives, only tags go
    assert words(flat) == words(html)


def test_flatten_html_bounds_the_depth() -> None:
    from lxml import html as lxml_html

    page = "<html><body>" + "<div><b>" * 5_000 + "Deep." + "</b></div>" * 5_000 + "</body></html>"
    tree = lxml_html.fromstring(flatten_html(page, 50))
    depth = max(sum(1 for _ in el.iterancestors()) for el in tree.iter())
    assert depth <= 52 and "Deep." in tree.text_content()


def test_a_directory_of_damaged_files(tmp_path: Path) -> None:
    """A directory mixing the damage above still yields each file's documents."""
    (tmp_path / "a.txt").write_bytes(NEWS.encode("utf-16-le"))
    (tmp_path / "b.jsonl").write_bytes(b'{"text": "\\ud800 Iran protested."}\n[[[[\n')
    (tmp_path / "c.rss").write_text(FEED[:-10])  # cut in its closing tags: both items are read
    (tmp_path / "d.html").write_text("<html><body>" + "<div>" * 3_000 + "<p>Russia supplied Iran with drones.</p>")
    items = list(read_documents([str(tmp_path)]))
    assert len(check_items(items, str(tmp_path))) == 5
