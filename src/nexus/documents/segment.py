"""Splitting plain text into blocks: title, headings, paragraphs, list items, quotes, furniture.

The rules, in order of precedence for each non-blank line:

* Blank lines always end a block.
* A single newline does not end a paragraph (hard-wrapped text) unless the next line is a
  list item, a ">" quote, furniture/caption (patterns in data/furniture.yaml) or a heading.
* A heading is a short line without a final full stop that is followed by a line starting
  with a capital, where the line break was intentional: the line is markdown "# ...", ALL
  CAPS, alone in its paragraph, or the first word of the next line would have fitted on it
  (so a wrapped line of prose is never taken for a heading). A heading as the first line of
  the document is the "title".
* Headline-looking lines after a "Read more:" / "Related" header are furniture (a link list).

Every block starts and ends on a non-whitespace character, blocks never overlap, and all text
outside blocks is whitespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nexus.documents.furniture import FurniturePatterns, default_patterns
from nexus.documents.model import Block, BlockKind

_BULLET = re.compile(r"^[-*•‣◦▪–—+]\s+\S")
_NUMBERED = re.compile(r"^\d{1,3}[.)]\s+\S")  # not 4 digits: "2011. Then" is prose
_MD_HEADING = re.compile(r"^#{1,6}\s+\S")
_CLOSERS = "\"'”’)]»*_"
_SENTENCE_END = ".!?…"
# A line ending in one of these words is cut mid-sentence: never a heading.
_FUNCTION_WORDS = frozenset(
    "a an the and or nor but of to in on at by for from with as into than that which who whom "
    "whose its their his her our your is are was were be been has have had will would can could "
    "should may might must not said says".split()
)
#: Wrapped text narrower than this is rare; a floor keeps two-line paragraphs sane.
_MIN_WIDTH = 40
_HEADING_MAX_CHARS = 120
_HEADING_MAX_WORDS = 15


@dataclass(slots=True)
class Unit:
    """A block under construction: kind and span, plus its last line (for continuation)."""

    kind: BlockKind
    start: int
    end: int
    last: str


@dataclass(slots=True)
class _Line:
    start: int
    end: int
    text: str  # stripped
    indent: int


def _ends_sentence(line: str) -> bool:
    core = line.rstrip(_CLOSERS)
    return bool(core) and core[-1] in _SENTENCE_END


def _starts_upper(line: str) -> bool:
    first = line.lstrip("\"'“‘([«*_#")[:1]
    return first.isupper() or first.isdigit()


def _is_all_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _heading_like(line: str) -> bool:
    """Short, starts with a capital, and does not end like a sentence or mid-sentence."""
    if _MD_HEADING.match(line):
        return True
    words = line.split()
    if len(line) > _HEADING_MAX_CHARS or len(words) > _HEADING_MAX_WORDS or not _starts_upper(line):
        return False
    core = line.rstrip(_CLOSERS)
    if not core or core[-1] in ".,;:-–—/&":
        return False
    return words[-1].strip(_CLOSERS).lower() not in _FUNCTION_WORDS


def _wrapped(line: str, nxt: str, width: int) -> bool:
    """True if the break after `line` looks forced by wrapping: the next word would not fit."""
    first_word = nxt.split(maxsplit=1)[0] if nxt.split() else ""
    return len(line) + 1 + len(first_word) > width


def _headline_like(text: str) -> bool:
    """A link-list entry: a short line or two without a full stop."""
    lines = [ln.strip() for ln in text.split("\n")]
    body = " ".join(ln.lstrip("-*•").strip() for ln in lines)
    return len(body) <= 200 and len(body.split()) <= 25 and not any(ln.endswith(".") for ln in lines)


def _split_lines(text: str) -> list[list[_Line]]:
    """Non-blank lines with their content offsets, grouped into blank-line separated paragraphs."""
    paragraphs: list[list[_Line]] = [[]]
    pos = 0
    # splitlines: offsets stay those of the text as given, whatever its line endings (\r\n too)
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped:
            indent = len(raw) - len(raw.lstrip())
            paragraphs[-1].append(_Line(pos + indent, pos + indent + len(stripped), stripped, indent))
        elif paragraphs[-1]:
            paragraphs.append([])
        pos += len(raw)
    return [p for p in paragraphs if p]


def _cut_mid_sentence(line: str) -> bool:
    """Ends on a comma, a dash or a word like "by"/"the": the sentence surely goes on."""
    core = line.rstrip(_CLOSERS)
    if not core or core[-1] in ",;-–—&/":
        return True
    return core.split()[-1].lower() in _FUNCTION_WORDS


def _line_kind(
    ln: _Line, prev: Unit | None, nxt: _Line | None, width: int, patterns: FurniturePatterns
) -> BlockKind | None:
    """The kind of block that `ln` starts, or None if it continues `prev`."""
    t = ln.text
    if t.startswith(">"):  # markdown quote: consecutive ">" lines are one quote
        return None if prev is not None and prev.kind == "quote" and prev.last.startswith(">") else "quote"
    if _BULLET.match(t):
        return "list_item"
    unfinished = continues = False
    if prev is not None and prev.kind not in ("title", "heading"):  # a heading never runs on
        # a forced break in the middle of a sentence: this line cannot start a block
        unfinished = not _ends_sentence(prev.last)
        continues = unfinished and (_wrapped(prev.last, t, width) or _cut_mid_sentence(prev.last))
        if prev.kind == "list_item" and ln.indent > 0 and not _NUMBERED.match(t):
            return None  # an indented continuation of a list item
    if not continues:
        if _NUMBERED.match(t):
            return "list_item"
        if (kind := patterns.classify(t)) is not None:
            return kind
        if _MD_HEADING.match(t):
            return "heading"
    if prev is not None and (continues or (prev.kind in ("paragraph", "quote", "list_item") and unfinished)):
        return None  # wrapped prose: the sentence goes on
    if (
        _heading_like(t)
        and (nxt is None or _starts_upper(nxt.text))
        and (nxt is None or _is_all_caps(t) or not _wrapped(t, nxt.text, width))
    ):
        return "heading"
    return "paragraph"


def segment_units(text: str, patterns: FurniturePatterns | None = None) -> list[Unit]:
    """Blocks under construction, before link lists are marked (see `segment`)."""
    patterns = patterns or default_patterns()
    units: list[Unit] = []
    for para in _split_lines(text):
        width = max(_MIN_WIDTH, *(len(ln.text) for ln in para))
        prev: Unit | None = None  # never continue a unit across a blank line
        for i, ln in enumerate(para):
            nxt = para[i + 1] if i + 1 < len(para) else None
            kind = _line_kind(ln, prev, nxt, width, patterns)
            if kind is None and prev is not None:
                prev.end, prev.last = ln.end, ln.text
                continue
            prev = Unit(kind or "paragraph", ln.start, ln.end, ln.text)
            units.append(prev)
    if len(units) == 1 and units[0].kind == "heading":
        units[0].kind = "paragraph"  # a lone line without a full stop is the text, not its title
    elif units and units[0].kind == "heading":
        units[0].kind = "title"
    return units


def mark_link_lists(units: list[Unit], text: str, patterns: FurniturePatterns | None = None) -> None:
    """Headline-looking blocks after a "Read more:"/"Related" header are furniture (in place)."""
    patterns = patterns or default_patterns()
    in_list = False
    for u in units:
        chunk = text[u.start : u.end]
        if in_list and u.kind not in ("furniture", "caption", "title") and _headline_like(chunk):
            u.kind = "furniture"
            continue
        in_list = u.kind == "furniture" and patterns.starts_link_list(chunk)


def segment(text: str, patterns: FurniturePatterns | None = None) -> list[Block]:
    """Split plain text into non-overlapping blocks covering all of its non-whitespace text."""
    units = segment_units(text, patterns)
    mark_link_lists(units, text, patterns)
    return split_datelines(text, [Block(u.start, u.end, u.kind) for u in units], patterns)


def split_datelines(text: str, blocks: list[Block], patterns: FurniturePatterns | None = None) -> list[Block]:
    """A paragraph opening with a dateline ("BAKU, Sept 20 (Reuters) - ") becomes two blocks."""
    patterns = patterns or default_patterns()
    out: list[Block] = []
    for b in blocks:
        cut = patterns.dateline_end(text[b.start:b.end]) if b.kind == "paragraph" else 0
        if cut:
            head = text[b.start:b.start + cut].rstrip()  # keeps the dash: blocks cover all text
            out.append(Block(b.start, b.start + len(head), "dateline"))
            out.append(Block(b.start + cut, b.end, "paragraph"))
        else:
            out.append(b)
    return out


def title_of(text: str, blocks: list[Block]) -> str | None:
    """The document title: the text of a leading "title" block, without markdown '#'."""
    if blocks and blocks[0].kind == "title":
        return text[blocks[0].start : blocks[0].end].lstrip("#").strip() or None
    return None
