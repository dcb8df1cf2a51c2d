"""Reading files, directories and standard input into Documents (or ReadProblems).

Bad input never stops a run: each problem is yielded as a ReadProblem naming the file (and
line, for JSONL) and reading goes on with the next document. Non-fatal problems (fatal=False,
e.g. "decoded as Latin-1") are yielded just before the document they concern.

Formats, when `input_format` is None, come from the file extension (see EXTENSIONS); a file
named explicitly with an unknown extension is read as text, standard input ("-") as text.
A ".xml" file is read as an RSS or Atom feed (documents/feeds.py) when its root element is
one, and reported otherwise. Inside a directory, files with an unknown extension are reported and skipped, except media,
archives and code (SKIPPED_EXTENSIONS), which are skipped silently, as are hidden files and
folders. Symbolic links to folders are not followed (no cycles).

JSONL records with a malformed "date" are still read (the text is worth coding): a non-fatal
ReadProblem says so and the default date is used.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import sys
from collections.abc import Iterator, Sequence
from datetime import date
from typing import BinaryIO, Literal, TextIO

from nexus.documents.dates import find_publication_date, parse_date_field
from nexus.documents.feeds import FEED_MAX_BYTES, read_feed
from nexus.documents.html import extract_html
from nexus.documents.model import Document, ReadProblem
from nexus.documents.segment import segment, title_of

InputFormat = Literal["text", "html", "jsonl", "feed"]
Item = Document | ReadProblem

#: Longest document, in characters, that is read; longer ones are reported and skipped.
DEFAULT_MAX_CHARS = 2_000_000
STDIN = "-"
STDIN_NAME = "<stdin>"

EXTENSIONS: dict[str, InputFormat] = {
    ".txt": "text", ".text": "text", ".md": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".rss": "feed", ".atom": "feed", ".xml": "feed",  # .xml: only if it is a feed (see _read_file)
}
#: Never articles: skipped without a message when found in a directory.
SKIPPED_EXTENSIONS = frozenset(
    ".png .jpg .jpeg .gif .webp .svg .ico .bmp .tif .tiff .avif .mp3 .mp4 .m4a .wav .ogg .webm "
    ".mov .avi .zip .gz .tgz .bz2 .xz .zst .7z .tar .rar .exe .dll .so .dylib .o .pyc .class "
    ".woff .woff2 .ttf .otf .eot .css .js .map .lock".split()
)

_HEAD_BYTES = 8192  # how much of a file the binary sniff looks at
_CONTROL_SHARE = 0.10  # more control characters than this in the head: binary
_TEXT_CONTROLS = frozenset(b"\t\n\f\r")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.I)
#: Codecs Python knows that are no web page's charset: they turn escapes into lone surrogates
#: ("unicode-escape"), decode nothing ("undefined") or are transforms, not character sets.
_NOT_CHARSETS = frozenset({"utf-7", "unicode-escape", "raw-unicode-escape", "undefined", "punycode",
                           "idna"})
#: UTF-16 halves without their other half: JSON "\ud800" escapes make them, and no encoder
#: (spaCy's string store, DuckDB, stdout) accepts them.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def read_documents(
    paths: Sequence[str],
    input_format: InputFormat | None = None,
    default_date: date | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Iterator[Document | ReadProblem]:
    """Documents from files, directories (recursively, sorted) and "-" (standard input).

    `default_date` is the publication date for documents without their own: it is a fallback
    for HTML and JSONL, which carry dates as metadata, but wins over a dateline guessed from
    the top of a plain-text file.
    """
    for path in paths:
        if path == STDIN:
            yield from _read_stdin(input_format or "text", default_date, max_chars)
        elif os.path.isdir(path):
            for found in _walk(path):
                if isinstance(found, ReadProblem):
                    yield found
                    continue
                ext = _extension(found)
                if ext in SKIPPED_EXTENSIONS:
                    continue
                fmt = input_format or EXTENSIONS.get(ext)
                if fmt is None:
                    yield ReadProblem(found, f"skipped: unrecognised file extension {ext or '(none)'!r}"
                                      " (pass --input-format to read it)")
                    continue
                yield from _read_file(found, fmt, default_date, max_chars)
        else:
            fmt = input_format or EXTENSIONS.get(_extension(path), "text")
            yield from _read_file(path, fmt, default_date, max_chars)


def count_documents(paths: Sequence[str], input_format: InputFormat | None = None) -> int | None:
    """About how many documents `read_documents` will yield, counted without parsing: one per
    file it would read, one per non-blank JSONL line. None when the input includes standard
    input, which cannot be read twice. For progress bars: files that turn out to be unreadable
    still count."""
    total = 0
    for path in paths:
        if path == STDIN:
            return None
        if os.path.isdir(path):
            for found in _walk(path):
                if isinstance(found, ReadProblem):
                    continue
                ext = _extension(found)
                fmt = input_format or EXTENSIONS.get(ext)
                if ext not in SKIPPED_EXTENSIONS and fmt is not None:
                    total += _count_file(found, fmt)
        else:
            total += _count_file(path, input_format or EXTENSIONS.get(_extension(path), "text"))
    return total


_ITEM_START = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s>/]")


def _count_file(path: str, fmt: InputFormat) -> int:
    if fmt == "feed":  # its items, counted in the raw bytes
        try:
            with open(path, "rb") as f:
                return max(1, len(_ITEM_START.findall(f.read(FEED_MAX_BYTES))))
        except OSError:
            return 1
    if fmt != "jsonl":
        return 1
    count, open_line = 0, False  # open_line: the current line has text so far
    try:
        with open(path, "rb") as f:
            # Fixed-size chunks, not lines: one enormous line must not be held whole.
            while chunk := f.read(1 << 20):
                *ended, rest = chunk.split(b"\n")
                for line in ended:
                    count += open_line or bool(line.strip())
                    open_line = False
                open_line = open_line or bool(rest.strip())
    except OSError:
        return 1  # reported as one problem when it is read
    return count + open_line


def _extension(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def _walk(root: str) -> Iterator[str | ReadProblem]:
    """Non-hidden files under `root`, depth first, in name order."""
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as err:
        yield ReadProblem(root, f"cannot read directory: {err.strerror or err}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path)
        elif entry.is_file():
            yield entry.path


def _read_file(path: str, fmt: InputFormat, default_date: date | None, max_chars: int) -> Iterator[Item]:
    max_bytes = _max_bytes(max_chars)
    try:
        if not os.path.exists(path):
            yield ReadProblem(path, "no such file or directory")
            return
        if not os.path.isfile(path):
            yield ReadProblem(path, "not a regular file")
            return
        if fmt == "jsonl":
            with open(path, "rb") as stream:
                yield from _read_jsonl(stream, path, os.path.basename(path), default_date, max_chars)
            return
        size = os.stat(path).st_size
        if fmt == "feed":
            if size > FEED_MAX_BYTES:
                yield ReadProblem(path, f"too long ({size:,} bytes); the limit for a feed is "
                                        f"{FEED_MAX_BYTES:,} bytes; skipped")
                return
            with open(path, "rb") as f:
                data = f.read(FEED_MAX_BYTES)
            yield from _from_feed(data, path, os.path.basename(path), default_date, max_chars)
            return
        if size > max_bytes:  # refuse before reading: it cannot be under the limit
            yield _too_long(path, f"{size:,} bytes", max_chars)
            return
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as err:
        yield ReadProblem(path, f"cannot read file: {err.strerror or err}")
        return
    yield from _from_bytes(data, fmt, os.path.basename(path), path, default_date, max_chars)


def _read_stdin(fmt: InputFormat, default_date: date | None, max_chars: int) -> Iterator[Item]:
    if sys.stdin is None:  # started without standard input (pythonw, some daemons)
        yield ReadProblem(STDIN_NAME, "no standard input to read")
        return
    buffer: BinaryIO | None = getattr(sys.stdin, "buffer", None)
    if fmt == "jsonl":
        if buffer is None:  # a text-only stdin (embedded interpreters, some test doubles)
            yield from _read_jsonl_text(sys.stdin, default_date, max_chars)
        else:
            yield from _read_jsonl(buffer, STDIN_NAME, STDIN_NAME, default_date, max_chars)
        return
    limit = FEED_MAX_BYTES if fmt == "feed" else _max_bytes(max_chars)
    # surrogateescape: a text stdin decoded that way (the C locale) gives back the bytes it read
    data = (buffer.read(limit + 1) if buffer is not None
            else sys.stdin.read(limit + 1).encode("utf-8", "surrogateescape"))
    if fmt == "feed":
        if len(data) > limit:
            yield ReadProblem(STDIN_NAME, f"too long (over {limit:,} bytes); the limit for a feed is "
                                          f"{limit:,} bytes; skipped")
        else:
            yield from _from_feed(data, STDIN_NAME, STDIN_NAME, default_date, max_chars)
        return
    yield from _from_bytes(data, fmt, STDIN_NAME, STDIN_NAME, default_date, max_chars)


def _from_feed(data: bytes, origin: str, base: str, default_date: date | None, max_chars: int) -> Iterator[Item]:
    """The items of one RSS or Atom feed (documents/feeds.py)."""
    if _looks_binary(data[:_HEAD_BYTES]):
        yield ReadProblem(origin, "looks like binary data, not a feed; skipped")
        return
    if not data.strip():
        yield ReadProblem(origin, "empty file")
        return
    yield from read_feed(data, origin, base, default_date, max_chars)


def _max_bytes(max_chars: int) -> int:
    return 4 * max_chars  # a character is at most 4 bytes of UTF-8: no bigger file can fit


def _too_long(origin: str, size: str, max_chars: int, line: int | None = None) -> ReadProblem:
    return ReadProblem(origin, f"too long ({size}); the limit is {max_chars:,} characters "
                               "per document; skipped", line=line)


def _utf16(head: bytes) -> str | None:
    """The codec for UTF-16 text: "utf-16" after a byte-order mark; without one, "utf-16-le" or
    "utf-16-be" where every other byte is NUL (text in Latin script) and the others never are."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    even, odd = head[0::2], head[1::2]
    if len(head) >= 8 and odd.count(0) > 0.3 * len(odd) and not even.count(0):
        return "utf-16-le"
    if len(head) >= 8 and even.count(0) > 0.3 * len(even) and not odd.count(0):
        return "utf-16-be"
    return None


def _looks_binary(head: bytes) -> bool:
    if _utf16(head):
        return False  # UTF-16 text is full of NUL bytes
    if b"\0" in head:
        return True
    controls = sum(1 for b in head if (b < 32 and b not in _TEXT_CONTROLS) or b == 127)
    return controls > _CONTROL_SHARE * len(head)


def _decode(data: bytes, fmt: InputFormat) -> tuple[str, str | None]:
    """Text and a warning: UTF-8 (BOM or not), UTF-16 with a BOM, a declared HTML charset,
    else Windows-1252/Latin-1, which decodes anything, with a warning saying so."""
    if codec := _utf16(data[:_HEAD_BYTES]):
        guessed = "" if codec == "utf-16" else f" without a byte-order mark ({codec[-2:].upper()})"
        try:
            return data.decode(codec), (f"decoded as UTF-16{guessed}" if guessed else None)
        except UnicodeDecodeError as err:  # cut short, or a stray half character
            return data.decode(codec, "replace"), (f"not valid UTF-16{guessed} ({err.reason} at offset "
                                                   f"{err.start}); the bad bytes were replaced")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        bad = f"byte 0x{data[err.start]:02x} at offset {err.start}"
    if fmt == "html" and (m := _CHARSET.search(data[:4096])):
        try:
            codec = codecs.lookup(m[1].decode("ascii"))
            if codec._is_text_encoding and codec.name not in _NOT_CHARSETS:  # type: ignore[attr-defined]
                return data.decode(codec.name), None  # the page says what it is
        except (LookupError, UnicodeError):
            pass
    try:
        return data.decode("cp1252"), f"not valid UTF-8 ({bad}); decoded as Latin-1 (Windows-1252)"
    except UnicodeDecodeError:
        return data.decode("latin-1"), f"not valid UTF-8 ({bad}); decoded as Latin-1 (ISO-8859-1)"


def read_bytes(
    data: bytes, doc_id: str, input_format: Literal["text", "html"] = "text",
    default_date: date | None = None, max_chars: int = DEFAULT_MAX_CHARS, origin: str | None = None,
) -> list[Item]:
    """One text or HTML document from bytes already in memory (an upload), checked and decoded
    as files are: the Document, preceded by any warnings, or the fatal ReadProblem."""
    return list(_from_bytes(data, input_format, doc_id, origin or doc_id, default_date, max_chars))


def _from_bytes(
    data: bytes, fmt: InputFormat, doc_id: str, origin: str, default_date: date | None, max_chars: int
) -> Iterator[Item]:
    """One text or HTML document from its raw bytes, or the problem that stops it."""
    if len(data) > _max_bytes(max_chars):
        yield _too_long(origin, f"over {_max_bytes(max_chars):,} bytes", max_chars)
        return
    if _looks_binary(data[:_HEAD_BYTES]):
        yield ReadProblem(origin, "looks like binary data, not text; skipped")
        return
    # The text is kept exactly as given (line endings too): event offsets index it (CONTRACT.md).
    text, warning = _decode(data, fmt)
    text = _LONE_SURROGATE.sub("\ufffd", text)  # no decoder above makes them; a guard all the same
    if not text.strip():
        yield ReadProblem(origin, "empty file")
        return
    if warning:
        yield ReadProblem(origin, warning, fatal=False)
    if fmt == "html":
        try:
            page = extract_html(text)
        except Exception as err:  # a third-party parser on hostile input: report, go on
            yield ReadProblem(origin, f"HTML could not be parsed: {type(err).__name__}: {err}")
            return
        if page is None:
            yield ReadProblem(origin, "no main text found in this HTML page; skipped")
            return
        if len(page.text) > max_chars:
            yield _too_long(origin, f"{len(page.text):,} characters of main text", max_chars)
            return
        for note in page.warnings:
            yield ReadProblem(origin, note, fatal=False)
        yield Document(doc_id, page.text, date=page.date or default_date, title=page.title,
                       url=page.url, origin=origin, blocks=page.blocks)
        return
    if len(text) > max_chars:
        yield _too_long(origin, f"{len(text):,} characters", max_chars)
        return
    blocks = segment(text)
    yield Document(doc_id, text, date=default_date or find_publication_date(text),
                   title=title_of(text, blocks), origin=origin, blocks=blocks)


# --- JSONL: one document per line, read as a stream ---------------------------------------


def _max_line_bytes(max_chars: int) -> int:
    # JSON escapes make a character up to 6 bytes ("\u00e9"); allow a little for other fields
    return 6 * max_chars + 65_536


def _read_jsonl(
    stream: BinaryIO, origin: str, base: str, default_date: date | None, max_chars: int
) -> Iterator[Item]:
    """Documents from a JSON-lines stream, never holding more than one (bounded) line."""
    peek = getattr(stream, "peek", None)
    head = peek(_HEAD_BYTES)[:_HEAD_BYTES] if peek is not None else b""
    if _looks_binary(head):
        yield ReadProblem(origin, "looks like binary data, not JSON lines; skipped")
        return
    if codec := _utf16(head):
        yield ReadProblem(origin, "JSON lines in UTF-16 (they should be UTF-8); decoded as UTF-16", fatal=False)
        wrapper = _Utf16Lines(stream, codec)
        try:
            yield from _read_jsonl(wrapper, origin, base, default_date, max_chars)  # type: ignore[arg-type]
        finally:
            wrapper.detach()
        return
    limit = _max_line_bytes(max_chars)
    seen = False
    number = 0
    while raw := stream.readline(limit):
        number += 1
        if len(raw) >= limit and not raw.endswith(b"\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass  # drain the rest of this enormous line in bounded pieces
            seen = True
            yield _too_long(origin, f"line over {limit:,} bytes", max_chars, line=number)
            continue
        if number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        if not raw.strip():
            continue  # blank lines (a trailing newline, a gap) are not records
        seen = True
        line, warning = _decode(raw, "jsonl")
        if warning:
            yield ReadProblem(origin, warning, line=number, fatal=False)
        yield from _record(line, number, origin, base, default_date, max_chars)
    if not seen:
        yield ReadProblem(origin, "empty file")


class _Utf16Lines:
    """A UTF-16 stream's lines as UTF-8 bytes, for the JSON-lines reader (no peek: not sniffed twice)."""

    def __init__(self, stream: BinaryIO, codec: str) -> None:
        self.text = io.TextIOWrapper(stream, encoding=codec, errors="replace", newline="\n")  # type: ignore[arg-type]

    def readline(self, limit: int) -> bytes:
        return self.text.readline(limit).encode("utf-8", "surrogatepass")

    def detach(self) -> None:
        self.text.detach()  # the caller's stream stays open


def _read_jsonl_text(stream: TextIO, default_date: date | None, max_chars: int) -> Iterator[Item]:
    """JSON lines from a text stream without a binary buffer."""
    number = 0
    for number, line in enumerate(stream, 1):
        if line.strip():
            yield from _record(line, number, STDIN_NAME, STDIN_NAME, default_date, max_chars)
    if number == 0:
        yield ReadProblem(STDIN_NAME, "empty file")


def _record(
    line: str, number: int, origin: str, base: str, default_date: date | None, max_chars: int
) -> Iterator[Item]:
    """One JSONL record as a Document (after any warnings), or the ReadProblem that stops it."""

    def problem(message: str) -> ReadProblem:
        return ReadProblem(origin, message, line=number)

    try:
        obj = json.loads(line)
    except json.JSONDecodeError as err:
        yield problem(f"not valid JSON: {err.msg} (column {err.colno}); line skipped")
        return
    except (ValueError, RecursionError) as err:  # absurd numbers or nesting
        yield problem(f"not valid JSON: {err}; line skipped")
        return
    if not isinstance(obj, dict):
        yield problem(f"expected a JSON object, got {type(obj).__name__}; line skipped")
        return
    text = obj.get("text")
    if text is None:
        yield problem('no "text" field; line skipped')
        return
    if not isinstance(text, str):
        yield problem(f'"text" must be a string, got {type(text).__name__}; line skipped')
        return
    if not text.strip():
        yield problem('"text" is empty; line skipped')
        return
    if _LONE_SURROGATE.search(text):  # JSON escapes like "\ud800" with no other half
        text = _LONE_SURROGATE.sub("\ufffd", text)
        yield ReadProblem(origin, 'unpaired UTF-16 surrogate escapes in "text" were replaced with U+FFFD',
                          line=number, fatal=False)
    if len(text) > max_chars:
        yield _too_long(origin, f"{len(text):,} characters", max_chars, line=number)
        return
    rid = obj.get("id")
    if rid is None or rid == "":
        doc_id = f"{base}:{number}"
    elif isinstance(rid, (str, int)) and not isinstance(rid, bool):
        doc_id = _LONE_SURROGATE.sub("\ufffd", str(rid))
    else:
        yield problem(f'"id" must be a string or a number, got {type(rid).__name__}; line skipped')
        return
    try:
        when = parse_date_field(obj.get("date"))
    except ValueError as err:  # the text is still worth coding: warn, use the default date
        when = None
        yield ReadProblem(origin, f"{err}; using the default date", line=number, fatal=False)
    blocks = segment(text)
    title, url = obj.get("title"), obj.get("url")
    yield Document(
        doc_id, text, date=when or default_date,
        title=_LONE_SURROGATE.sub("\ufffd", title) if isinstance(title, str) and title else title_of(text, blocks),
        url=_LONE_SURROGATE.sub("\ufffd", url) if isinstance(url, str) and url else None,
        origin=f"{origin}:{number}", blocks=blocks,
    )
