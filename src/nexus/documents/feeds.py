"""RSS and Atom feeds: each item (RSS 0.9x/1.0/2.0) or entry (Atom) becomes a Document.

A document's text is the item's content (content:encoded, Atom <content>) or else its
description/summary, read as HTML through the same main-text extraction as web pages; its title,
link (as the url), and publication date (pubDate, dc:date, published, updated) come along. Its
doc_id is the item's guid/id, else its link, else "feed.xml:LINE".

The XML is parsed with defusedxml: a feed that declares entities (the "billion laughs", or an
external entity pointing at a local file or a URL) is refused, and nothing is ever fetched.
HTML entities that feeds use without declaring them (&nbsp;) and bare ampersands are mended
first. A feed that is not well-formed is reported with its line, then read item by item, so the
items that parse are kept and each one that does not is reported with its own line.
"""

from __future__ import annotations

import codecs
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from lxml import etree
from lxml import html as lxml_html

from nexus.documents.dates import parse_date_field
from nexus.documents.html import extract_html
from nexus.documents.model import Document, ReadProblem
from nexus.documents.segment import segment

#: A feed is parsed whole, so it has a size limit of its own (each item also has max_chars).
FEED_MAX_BYTES = 64 * 1024 * 1024

_ITEMS = frozenset({"item", "entry"})
_ROOTS = frozenset({"rss", "feed", "RDF", "channel"})
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_BARE_AMP = re.compile(r"&(?!(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);)")
_DECLARED = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)["']""")
_ITEM_TAG = re.compile(r"<(/?)(?:[\w.-]+:)?(?:item|entry)(?=[\s>/])[^>]*>")
_NAMESPACES = re.compile(r"""\sxmlns(?::[\w.-]+)?\s*=\s*("[^"]*"|'[^']*')""")
_MARKUP = re.compile(r"<[A-Za-z!/]")
_FIRST_ELEMENT = re.compile(r"<(?![?!/])(?:[\w.-]+:)?([\w.-]+)")
_NOT_CHARSETS = frozenset({"utf-7", "unicode-escape", "raw-unicode-escape", "undefined", "punycode", "idna"})


def _root_name(text: str) -> str | None:
    """The local name of the first element, found without parsing (the feed may be broken)."""
    m = _FIRST_ELEMENT.search(text, 0, 65_536)
    return m[1] if m else None


def read_feed(data: bytes, origin: str, base: str, default_date: date | None,
              max_chars: int) -> Iterator[Document | ReadProblem]:
    """Documents (and problems, each with its line) from the bytes of one feed."""
    text, warning = _decode(data)
    if warning:
        yield ReadProblem(origin, warning, fatal=False)
    if (name := _root_name(text)) not in _ROOTS:
        what = f"its first element is <{name}>" if name else "no XML element in its start"
        yield ReadProblem(origin, f"not an RSS or Atom feed ({what}); skipped")
        return
    text = _mend(text)
    try:
        root, lines = _parse(text)
    except (ET.ParseError, DefusedXmlException) as err:
        line, what = _where(err)
        yield ReadProblem(origin, f"{what}; reading the feed item by item", line=line, fatal=False)
        yield from _recover(text, origin, base, default_date, max_chars, after=line)
        return
    name = _local(root.tag)
    if name not in _ROOTS:
        yield ReadProblem(origin, f"not an RSS or Atom feed (its root element is <{name}>); skipped")
        return
    items = [(el, lines.get(el)) for el in _items(root)]
    if not items:
        yield ReadProblem(origin, "a feed without items; skipped")
        return
    for index, (el, line) in enumerate(items, 1):
        yield from _document(el, line, index, origin, base, default_date, max_chars)


# --- decoding and parsing ----------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str | None]:
    """The feed's text: by BOM, then the encoding its XML declaration names, then UTF-8, else
    Windows-1252 with a warning."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec), None
            except UnicodeDecodeError:
                break
    if data.startswith((b"<\0?\0", b"\0<\0?")):  # UTF-16 without a BOM
        try:
            return data.decode("utf-16-le" if data[0] else "utf-16-be"), None
        except UnicodeDecodeError:
            pass
    if m := _DECLARED.match(data[:1024]):
        try:
            codec = codecs.lookup(m[1].decode("ascii"))
            if codec._is_text_encoding and codec.name not in _NOT_CHARSETS:  # type: ignore[attr-defined]
                return data.decode(codec.name), None
        except (LookupError, UnicodeError):
            pass
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as err:
        bad = f"byte 0x{data[err.start]:02x} at offset {err.start}"
    try:
        return data.decode("cp1252"), f"not valid UTF-8 ({bad}); decoded as Latin-1 (Windows-1252)"
    except UnicodeDecodeError:
        return data.decode("latin-1"), f"not valid UTF-8 ({bad}); decoded as Latin-1 (ISO-8859-1)"


def _mend(text: str) -> str:
    """HTML entities XML does not know (&nbsp;) as character references, bare "&" as "&amp;".
    Neither adds or removes a line, so reported lines stay those of the file."""

    def entity(m: re.Match[str]) -> str:
        name = m[1]
        if name in _XML_ENTITIES or (chars := html.entities.html5.get(name + ";")) is None:
            return m[0]
        return "".join(f"&#{ord(c)};" for c in chars)

    return _BARE_AMP.sub("&amp;", _ENTITY.sub(entity, text))


class _Builder(ET.TreeBuilder):
    """Builds the tree and notes the line each item starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: DefusedXMLParser | None = None
        self.lines: dict[ET.Element, int] = {}

    def start(self, tag, attrs):  # type: ignore[no-untyped-def]
        el = super().start(tag, attrs)
        if _local(tag) in _ITEMS and self.parser is not None:
            self.lines[el] = self.parser.parser.CurrentLineNumber
        return el


def _parse(text: str) -> tuple[ET.Element, dict[ET.Element, int]]:
    builder = _Builder()
    # forbid_entities: no entity declarations at all; forbid_external: no DTD or entity from
    # outside. Expat never fetches anything itself.
    parser = DefusedXMLParser(target=builder, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    try:
        parser.feed(text)
        root = parser.close()
    except DefusedXmlException as err:
        err.line = parser.parser.CurrentLineNumber  # type: ignore[attr-defined]
        raise
    return root, builder.lines


def _where(err: Exception) -> tuple[int | None, str]:
    if isinstance(err, ET.ParseError):
        line, column = err.position
        return line, f"not well-formed XML: {str(err).split(':')[0]}, column {column}"
    return getattr(err, "line", None), f"XML entity declarations are refused ({type(err).__name__})"


def _recover(text: str, origin: str, base: str, default_date: date | None, max_chars: int,
             after: int | None) -> Iterator[Document | ReadProblem]:
    """Each <item>/<entry> parsed on its own, with the namespaces of the feed's root."""
    root_tag = re.search(r"<(?![?!])[^>]*>", text)
    namespaces = " ".join(m[0].strip() for m in _NAMESPACES.finditer(root_tag[0])) if root_tag else ""
    found = 0
    for index, (start, end) in enumerate(_item_spans(text), 1):
        found += 1
        line = text.count("\n", 0, start) + 1
        if end is None:
            yield ReadProblem(origin, f"item {index} has no end tag (is the feed cut off?); item skipped", line=line)
            continue
        try:
            wrapper, _ = _parse(f"<nexus-feed {namespaces}>{text[start:end]}</nexus-feed>")
        except (ET.ParseError, DefusedXmlException) as err:
            where, what = _where(err)
            yield ReadProblem(origin, f"item {index}: {what}; item skipped",
                              line=line + (where - 1 if where else 0))
            continue
        el = next((e for e in wrapper if _local(e.tag) in _ITEMS), None)
        if el is not None:
            yield from _document(el, line, index, origin, base, default_date, max_chars)
    if not found:
        yield ReadProblem(origin, "no item could be read from this feed; skipped", line=after)


def _item_spans(text: str) -> Iterator[tuple[int, int | None]]:
    """(start, end) of each item's markup; end None for an item that is never closed. One pass
    over the tags: an unclosed item ends where the next one starts."""
    open_at: int | None = None
    for m in _ITEM_TAG.finditer(text):
        if m[1] != "/":
            if open_at is not None:
                yield open_at, None
            open_at = None
            if m[0].endswith("/>"):  # <item/>: empty, and closed
                yield m.start(), m.end()
            else:
                open_at = m.start()
        elif open_at is not None:
            yield open_at, m.end()
            open_at = None
    if open_at is not None:
        yield open_at, None


# --- items ---------------------------------------------------------------------------------


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _items(root: ET.Element) -> Iterator[ET.Element]:
    """Items and entries in document order, not looking inside them (no recursion)."""
    stack = [iter(root)]
    while stack:
        el = next(stack[-1], None)
        if el is None:
            stack.pop()
        elif _local(el.tag) in _ITEMS:
            yield el
        else:
            stack.append(iter(el))


def _child(el: ET.Element, *names: str) -> ET.Element | None:
    """The first child with one of these local names, trying the names in order."""
    for name in names:
        for child in el:
            if _local(child.tag) == name:
                return child
    return None


def _text(el: ET.Element | None) -> str:
    return "".join(el.itertext()).strip() if el is not None else ""


def _link(item: ET.Element) -> str:
    for child in item:
        if _local(child.tag) != "link":
            continue
        href = child.get("href")
        if href is not None:  # Atom: the alternate link is the article
            if child.get("rel", "alternate") == "alternate":
                return href.strip()
        elif (text := _text(child)):  # RSS
            return text
    return ""


def _content(item: ET.Element) -> tuple[str, bool]:
    """(content, is_html): the fullest text the item carries."""
    el = _child(item, "encoded", "content", "description", "summary")
    if el is None:
        return "", False
    kind = (el.get("type") or "").lower()
    if kind in ("xhtml", "application/xhtml+xml") and len(el):
        for node in el.iter():  # <html:p xmlns:html=...> is no <p> to the extractor
            node.tag = _local(node.tag)
        try:
            return "".join(ET.tostring(child, encoding="unicode", method="html") for child in el), True
        except RecursionError:  # nested deeper than the serializer goes: its text will do
            return " ".join(_text(el).split()), False
    if kind in ("text", "text/plain"):
        return _text(el), False
    raw = "".join(el.itertext())
    return raw, _local(el.tag) != "content" or kind in ("html", "text/html") or bool(_MARKUP.search(raw))


def _published(item: ET.Element) -> tuple[date | None, str | None]:
    """The item's date, and the value that could not be read as one."""
    el = _child(item, "pubDate", "published", "date", "issued", "updated", "modified")
    value = _text(el)
    if not value:
        return None, None
    try:
        return parsedate_to_datetime(value).date(), None  # RFC 822: "Tue, 05 Mar 2024 10:00:00 GMT"
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date(), None
    except ValueError:
        pass
    try:
        return parse_date_field(value), None
    except ValueError:
        return None, value


def _plain(raw: str) -> str:
    """Text of markup that the extractor found nothing in (a bare fragment)."""
    try:
        return lxml_html.fromstring(raw).text_content()
    except (etree.ParserError, ValueError):
        return re.sub(r"<[^>]*>", " ", raw)


def _document(item: ET.Element, line: int | None, index: int, origin: str, base: str,
              default_date: date | None, max_chars: int) -> Iterator[Document | ReadProblem]:
    def problem(message: str, fatal: bool = True) -> ReadProblem:
        return ReadProblem(origin, message, line=line, fatal=fatal)

    title = " ".join(html.unescape(_plain(_text(_child(item, "title")))).split()) or None
    url = _link(item) or None
    ident = _text(_child(item, "guid", "id")) or url or (f"{base}:{line}" if line else f"{base}#{index}")
    raw, is_html = _content(item)
    if len(raw) > 4 * max_chars:
        yield problem(f"item {index} is too long ({len(raw):,} characters); the limit is {max_chars:,} "
                      "characters per document; skipped")
        return
    text, blocks = "", []
    if is_html and raw.strip():
        try:
            page = extract_html(f"<html><body><article>{raw}</article></body></html>")
        except Exception as err:  # a third-party parser on hostile input: report, go on
            yield problem(f"item {index}: its HTML could not be parsed: {type(err).__name__}: {err}; skipped")
            return
        if page is not None:
            text, blocks = page.text, page.blocks
        else:  # a fragment too short for the extractor: its text, spaced as a browser would
            text = " ".join(_plain(raw).split())
    elif raw.strip():
        text = html.unescape(raw)  # RSS descriptions are entity-encoded text
    if not blocks and text.strip():
        text = text.strip()
        blocks = segment(text)
    if not text.strip():
        yield problem(f"item {index} has no text (no content, description or summary); skipped")
        return
    if len(text) > max_chars:
        yield problem(f"item {index} is too long ({len(text):,} characters); the limit is {max_chars:,} "
                      "characters per document; skipped")
        return
    when, bad_date = _published(item)
    if bad_date is not None:
        yield problem(f"item {index}: date {bad_date[:40]!r} is not a date; using the default date", fatal=False)
    yield Document(ident, text, date=when or default_date, title=title, url=url,
                   origin=f"{origin}:{line}" if line else origin, blocks=blocks)
