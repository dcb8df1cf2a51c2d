"""Main-text extraction from HTML with trafilatura, keeping headings, lists, quotes as blocks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from nexus.documents.furniture import default_patterns
from nexus.documents.model import Block, BlockKind
from nexus.documents.segment import Unit, mark_link_lists, split_datelines

#: Elements of trafilatura's XML that hold blocks of their own, not inline text.
_BLOCK_TAGS = frozenset({"head", "p", "list", "item", "quote", "table", "row", "cell", "code", "graphic"})
_SEPARATOR = "\n\n"  # between blocks, so a sentence never runs across two of them
#: libxml2 (under lxml and trafilatura) stops reading a page at 256 nested elements: all text
#: after that point is lost. A page that deep (unclosed <div>s or <font>s do it) is flattened
#: below this depth first, its text kept, then read as usual.
MAX_DEPTH = 200


@dataclass(slots=True)
class HtmlText:
    text: str
    blocks: list[Block]
    title: str | None
    date: date | None
    url: str | None
    warnings: list[str] = field(default_factory=list)  # what was done to read the page at all


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
            # only this table's rows: a nested table's text is in the cell that holds it, once
            for row in (r for r in child.iter("row") if next(r.iterancestors("table"), None) is child):
                cells = (" ".join("".join(cell.itertext()).split()) for cell in row)
                yield "paragraph", " | ".join(c for c in cells if c)
        elif tag in ("graphic", "lb") or not isinstance(tag, str):
            continue  # images carry no text; comments/processing instructions are not text
        else:  # "list", "div", anything new in trafilatura: its own text, then its blocks
            if tag != "list":
                yield inner or "paragraph", _inline(child)
            yield from _walk(child, inner)


def _parse(html: str) -> tuple[lxml_html.HtmlElement | None, bool]:
    """The page as lxml reads it, and whether libxml2 stopped at its nesting limit."""
    parser = lxml_html.HTMLParser(collect_ids=False)
    try:
        tree = lxml_html.fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return None, False
    return tree, any("depth" in e.message.lower() for e in parser.error_log)


def _figcaptions(tree: lxml_html.HtmlElement | None) -> set[str]:
    """Normalised texts of <figcaption> elements, to mark them if trafilatura kept them."""
    if tree is None:
        return set()
    return {" ".join(fc.text_content().split()) for fc in tree.iter("figcaption")} - {""}


_VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())
#: Elements whose content is not page text (or not parsed as markup): always written, so that
#: a script beyond the depth limit stays a script.
_RAW_TEXT = frozenset("script style noscript template textarea title iframe noembed noframes xmp".split())
_BLOCK_ELEMENTS = frozenset(
    "address article aside blockquote dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 "
    "h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split())


class _Flattener(HTMLParser):
    """Writes a page back out with the elements nested `limit` deep or deeper unwrapped: their
    tags dropped, their text and shallower markup kept.

    A stream parser with its own stack, so no depth of nesting makes anything recurse."""

    def __init__(self, limit: int) -> None:
        super().__init__(convert_charrefs=False)
        self.limit = limit
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, written) of each open element
        self.open: dict[str, int] = {}  # open elements by tag: stray end tags found in O(1)
        self.written = 0  # open elements whose tags were written

    def handle_starttag(self, tag: str, attrs: object) -> None:
        raw = self.get_starttag_text() or f"<{tag}>"
        if tag in _VOID:
            self.out.append(raw)
            return
        keep = self.written < self.limit or tag in _RAW_TEXT
        self.stack.append((tag, keep))
        self.open[tag] = self.open.get(tag, 0) + 1
        if keep:
            self.written += 1
            self.out.append(raw)
        elif tag in _BLOCK_ELEMENTS:
            self.out.append("\n")  # not <br>: thousands of those make trafilatura crawl

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        self.out.append(self.get_starttag_text() or f"<{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.open.get(tag):
            return  # closes nothing that is open: browsers ignore it too
        while self.stack:  # elements left open inside it close with it
            name, kept = self.stack.pop()
            self.open[name] -= 1
            self.written -= kept
            if name == tag:
                if kept:
                    self.out.append(f"</{tag}>")
                return

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def flatten_html(html: str, limit: int = MAX_DEPTH) -> str:
    """`html` with no element nested `limit` or more deep (see _Flattener)."""
    flattener = _Flattener(limit)
    flattener.feed(html)
    flattener.close()
    return "".join(flattener.out)


def _shallow(html: str) -> tuple[str, lxml_html.HtmlElement | None, list[str]]:
    """The page flattened as far as it takes libxml2 to read it all, its tree, and warnings."""
    tree, too_deep = _parse(html)
    if not too_deep:
        return html, tree, []
    limit = MAX_DEPTH
    while too_deep and limit >= MAX_DEPTH // 8:  # libxml2 may count deeper than the flattener
        html = flatten_html(html, limit)
        tree, too_deep = _parse(html)
        limit //= 2
    if too_deep:
        return html, tree, ["HTML nested too deeply to read in full; text after the deepest part "
                            "may be missing"]
    return html, tree, [f"HTML nested over {MAX_DEPTH} elements deep; flattened to read all of its text"]


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
    html, tree, warnings = _shallow(html)
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
    captions = _figcaptions(tree)
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
        warnings=warnings,
    )
