"""Main-text extraction from HTML with trafilatura, keeping headings, lists, quotes as blocks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from nexus.documents.furniture import default_patterns
from nexus.documents.model import Block, BlockKind
from nexus.documents.segment import Unit, mark_link_lists, split_datelines

#: Elements of trafilatura's XML that hold blocks of their own, not inline text.
_BLOCK_TAGS = frozenset({"head", "p", "list", "item", "quote", "table", "row", "cell", "code", "graphic"})
_SEPARATOR = "\n\n"  # between blocks, so a sentence never runs across two of them


@dataclass(slots=True)
class HtmlText:
    text: str
    blocks: list[Block]
    title: str | None
    date: date | None
    url: str | None


def _inline(el: etree._Element) -> str:
    """The inline text of `el`: formatting and links flattened, <lb/> kept as a newline."""
    parts = [el.text or ""]
    for child in el:
        if child.tag == "lb":
            parts.append("\n")
        elif isinstance(child.tag, str) and child.tag not in _BLOCK_TAGS:  # not comments
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _clean(text: str) -> str:
    """Collapse whitespace inside lines and drop empty lines: a block holds no paragraph break."""
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _walk(el: etree._Element, inner: BlockKind | None = None) -> Iterator[tuple[BlockKind, str]]:
    """(kind, text) for each block under `el`, in document order."""
    for child in el:
        tag = child.tag
        if tag == "head":
            yield "heading", _inline(child)
        elif tag == "p" or tag == "code":
            yield inner or "paragraph", _inline(child)
        elif tag == "item":
            yield "list_item", _inline(child)
            yield from _walk(child, "list_item")  # nested lists
        elif tag == "quote":
            yield "quote", _inline(child)  # text directly inside; <p>s inside follow
            yield from _walk(child, "quote")
        elif tag == "table":
            for row in child.iter("row"):
                cells = (" ".join("".join(cell.itertext()).split()) for cell in row)
                yield "paragraph", " | ".join(c for c in cells if c)
        elif tag in ("graphic", "lb") or not isinstance(tag, str):
            continue  # images carry no text; comments/processing instructions are not text
        else:  # "list", "div", anything new in trafilatura: its own text, then its blocks
            if tag != "list":
                yield inner or "paragraph", _inline(child)
            yield from _walk(child, inner)


def _figcaptions(html: str) -> set[str]:
    """Normalised texts of <figcaption> elements, to mark them if trafilatura kept them."""
    try:
        tree = lxml_html.fromstring(html)
    except (etree.ParserError, ValueError):
        return set()
    return {" ".join(fc.text_content().split()) for fc in tree.iter("figcaption")} - {""}


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def extract_html(html: str) -> HtmlText | None:
    """The main text of an HTML page as blocks, with its title, date and URL; None if no text.

    Nothing is fetched and no script runs: trafilatura parses the string and drops scripts,
    styles, navigation, footers and reader comments.
    """
    options = dict(
        output_format="xml", include_formatting=True, include_comments=False,
        include_tables=True, include_images=False, include_links=False, with_metadata=True,
        # extensive search reads dates out of the body and footer ("© 2024" -> 2024-01-01):
        # only trust the page's metadata
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    xml = trafilatura.extract(html, **options) or trafilatura.extract(html, favor_recall=True, **options)
    if not xml:
        return None
    root = etree.fromstring(xml)
    main = root.find("main")
    pieces = [(kind, _clean(raw)) for kind, raw in _walk(main if main is not None else root)]
    pieces = [(kind, t) for kind, t in pieces if t]
    if not pieces:
        return None

    units: list[Unit] = []
    chunks: list[str] = []
    pos = 0
    for kind, t in pieces:
        units.append(Unit(kind, pos, pos + len(t), t.rsplit("\n", 1)[-1]))
        chunks.append(t)
        pos += len(t) + len(_SEPARATOR)
    text = _SEPARATOR.join(chunks)

    title = root.get("title") or None
    captions = _figcaptions(html)
    patterns = default_patterns()
    for i, (u, (_, t)) in enumerate(zip(units, pieces)):
        flat = " ".join(t.split())
        if i == 0 and u.kind == "heading" and (title is None or flat.lower() == title.lower()):
            u.kind = "title"
        elif flat in captions:
            u.kind = "caption"
        elif (kind := patterns.classify(flat)) is not None:
            u.kind = kind
    mark_link_lists(units, text, patterns)
    if title is None and units[0].kind == "title":
        title = pieces[0][1]
    return HtmlText(
        text=text,
        blocks=split_datelines(text, [Block(u.start, u.end, u.kind) for u in units]),
        title=title,
        date=_parse_date(root.get("date")),
        url=root.get("url") or None,
    )
