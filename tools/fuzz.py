"""Fuzzing Nexus's readers and coder with random, malformed and hostile input.

    .venv/bin/python tools/fuzz.py                      # 2,000 inputs, seed 0, big ones included
    .venv/bin/python tools/fuzz.py -n 300 --seed 7 --small
    .venv/bin/python tools/fuzz.py --only 123 --save failing/   # one input again, kept on disk

Each input is a file (text, HTML, JSON lines, an RSS/Atom feed or random bytes), made from news
sentences, absurd dates ("on February 30", "in the year 30000", publication year 9999), and
damage: random bytes, invalid UTF-8, Latin-1/Windows-1252/UTF-16 with and without BOM mixed in
one file, NUL bytes, truncation, deep nesting, enormous lines, wrong JSON types, huge numbers.
Input i is made from seed:i alone, so any input can be made again with --only.

Every input is read (read_documents) and every document coded (Coder.code_documents with a time
limit), and these must hold:

- nothing raises: the readers report bad input as ReadProblems, the coder skips what is too slow;
- every problem names its file (and, for JSON lines and feeds, the line where it has one);
- every document has text that encodes as UTF-8, blocks inside it in order, a real date or none;
- every event's offsets lie in its document and select its sentence, and its record is JSON.

It prints the counts: inputs, documents, problems reported, events, documents skipped for the time
limit, crashes (an exception or a broken rule above) and hangs (an input that took longer than
--hang seconds; one that never returns is ended by faulthandler with every thread's stack).
"""

from __future__ import annotations

import argparse
import codecs
import faulthandler
import json
import os
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

SENTENCES = [
    "Russia supplied Iran with drones in 2022, officials said.",
    "The United States imposed sanctions on Iran on Wednesday.",
    "China condemned Japan on Tuesday over the release of treated water.",
    "Ukraine and Poland agreed on Monday to resume grain transit talks.",
    "North Korea has shipped artillery shells to Russia since August, South Korea's spy agency said.",
    "Israel struck targets in Syria on February 30, the army said.",
    "France will withdraw its troops from Niger in the year 30000.",
    "Saudi Arabia and Iran restored diplomatic ties 1000000 years ago.",
    "Turkey offered to mediate between Russia and Ukraine tomorrow.",
    "India and China held border talks on 31 February 2024.",
    "Iran denied supplying missiles to Russia next week.",
    "Germany sent tanks to Ukraine on 0000-00-00.",
    "The European Union accused Belarus of orchestrating a migrant crisis on March 99.",
    "Egypt hosted talks between Israel and Hamas 99999999999 days ago.",
    "Le ministère de la Défense said France delivered Caesar howitzers to Ukraine on Monday.",
    "“We will respond,” the Kremlin spokesman said – firmly.",
    "Москва и Тегеран подписали договор.",
    "南アフリカ and Ethiopia signed the Pretoria agreement.",
    "Emoji 🚀 diplomacy: Japan and South Korea agreed to share intelligence.",
]
PUBLICATION_DATES = ["2024-03-14", "0000-01-01", "0001-01-01", "9999-12-31", "99999-01-01", "1800-01-01",
                     "2024-02-30", "2024-13-01", "", "yesterday", "2024-03-14T25:61:61Z", "20240314",
                     "३०२४-०३-१४", "-2024-03-14"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "latin-1", "cp1252"]
KINDS = ["text", "text", "html", "html", "jsonl", "jsonl", "feed", "feed", "bytes"]


# --- making inputs ---------------------------------------------------------------------------


def prose(rng: random.Random, sentences: int) -> str:
    paras = []
    while sentences > 0:
        n = min(sentences, rng.randint(1, 5))
        paras.append(" ".join(rng.choice(SENTENCES) for _ in range(n)))
        sentences -= n
    return "\n\n".join(paras)


def encode(rng: random.Random, text: str) -> bytes:
    """Text in a random encoding, or pieces of it in several (a mixed-up file)."""
    if rng.random() < 0.3:
        cut = sorted(rng.sample(range(len(text) + 1), 2)) if len(text) > 1 else [0, len(text)]
        pieces = [text[: cut[0]], text[cut[0] : cut[1]], text[cut[1] :]]
        return b"".join(_encode_one(rng, p) for p in pieces)
    return _encode_one(rng, text)


def _encode_one(rng: random.Random, text: str) -> bytes:
    enc = rng.choice(ENCODINGS)
    return text.encode(enc, "replace" if enc in ("latin-1", "cp1252") else "surrogatepass")


def damage(rng: random.Random, data: bytes, big: bool) -> bytes:
    """Some random damage, or none."""
    data = bytearray(data)
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        what = rng.randrange(9)
        pos = rng.randrange(len(data) + 1)
        if what == 0 and data:  # flip bytes
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif what == 1:  # NUL bytes
            data[pos:pos] = b"\0" * rng.randint(1, 4)
        elif what == 2:  # invalid UTF-8: lone continuation, overlong, surrogate, truncated sequence
            data[pos:pos] = rng.choice([b"\x80", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\xff\xfe", b"\xf4\x90\x80\x80"])
        elif what == 3:  # truncate
            del data[pos:]
        elif what == 4 and data:  # duplicate a slice
            a = rng.randrange(len(data))
            data[pos:pos] = data[a : a + rng.randint(1, 200)]
        elif what == 5:  # a BOM in the middle
            data[pos:pos] = rng.choice([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
        elif what == 6:  # a long line without a newline
            data[pos:pos] = (b"Russia " if rng.random() < 0.5 else b"x") * rng.randint(1_000, 400_000 if big else 3_000)
        elif what == 7:  # control characters
            data[pos:pos] = bytes(rng.randrange(32) for _ in range(rng.randint(1, 20)))
        else:  # random bytes
            data[pos:pos] = rng.randbytes(rng.randint(1, 64))
    return bytes(data)


def make_text(rng: random.Random, big: bool) -> tuple[str, bytes]:
    head = rng.choice(["", "How Russia aids Iran\n", "Published 17 January 2025\n", "MOSCOW, Feb 30, 2024 (Reuters) - ",
                       "By Jane Doe | March 3, 99999\n", "Posted on Tuesday, 31 February 2024\n"])
    body = prose(rng, rng.randint(1, 30 if big else 10))
    if big and rng.random() < 0.05:  # a 100,000-sentence document, or an enormous line
        body = rng.choice([" ".join(["Iran protested."] * 100_000), "Russia " * rng.randint(300_000, 1_500_000)])
    return rng.choice(["a.txt", "b.md", "c.text"]), damage(rng, encode(rng, head + body), big)


def make_html(rng: random.Random, big: bool) -> tuple[str, bytes]:
    paras = "".join(f"<p>{s}</p>\n" for s in prose(rng, rng.randint(1, 15 if big else 6)).split("\n\n"))
    depth = rng.choice([0, 0, 0, 10, 300, 3_000, 12_000 if big else 5_000])
    tag = rng.choice(["div", "span", "b", "font", "table><tr><td", "ul><li", "blockquote"])
    close = "</" + "></".join(reversed([t.split()[0] for t in tag.split("><")])) + ">"
    if rng.random() < 0.5:  # closed
        nested = f"<{tag}>" * depth + paras + close * depth
    else:  # never closed, text at every level
        nested = "".join(f"<{tag}>{rng.choice(SENTENCES)} " for _ in range(min(depth, 3_000 if big else 300))) + paras
    charset = rng.choice(["utf-8", "windows-1252", "utf-16", "undefined", "unicode_escape", "x-nonsense", "utf-7"])
    meta = f'<meta property="article:published_time" content="{rng.choice(PUBLICATION_DATES)}">'
    junk = rng.choice(["", "<script>var a = '</p>';</script>", "<!-- unclosed comment", "<![CDATA[ x ]]>",
                       "&#xD800; &#0; &#99999999; &nbsp &bogus;", "<p <p <p>", "</div></div></div>"])
    page = (f"<!DOCTYPE html><html><head><meta charset='{charset}'>{meta}<title>T</title></head>"
            f"<body><article><h1>Headline</h1>{junk}{nested}</article></body></html>")
    return rng.choice(["a.html", "b.htm", "c.xhtml"]), damage(rng, encode(rng, page), big)


def _garbage(rng: random.Random, depth: int = 0) -> object:
    choices = [None, True, 1, -1, 10**400, 1e308, "x", "", [], {}, "\ud800", "\u0000", "2024-02-30"]
    if depth < 3 and rng.random() < 0.3:
        return rng.choice([[_garbage(rng, depth + 1) for _ in range(3)],
                           {"k": _garbage(rng, depth + 1), "text": _garbage(rng, depth + 1)}])
    return rng.choice(choices)


def make_jsonl(rng: random.Random, big: bool) -> tuple[str, bytes]:
    lines: list[bytes] = []
    for i in range(rng.randint(1, 12 if big else 6)):
        rec: dict[str, object] = {"id": rng.choice([f"doc-{i}", i, None, "", 1.5, True, [1], {"a": 1}, "\ud800x"]),
                                  "text": prose(rng, rng.randint(1, 6 if big else 3)),
                                  "date": rng.choice([*PUBLICATION_DATES, None, 20240314, [2024, 3, 14], {"y": 2024}])}
        if rng.random() < 0.3:
            rec[rng.choice(["text", "title", "url", "id", "date"])] = _garbage(rng)
        if rng.random() < 0.1:
            rec["text"] = rec["text"] + " \ud800 \udfff" if isinstance(rec["text"], str) else rec["text"]
        line = json.dumps(rec, ensure_ascii=rng.random() < 0.5)
        style = rng.randrange(10)
        if style == 0:
            line = line[: rng.randrange(len(line))]  # truncated
        elif style == 1:
            line = "[" * rng.randint(10, 100_000) + "]" * rng.randint(0, 10)  # nested garbage
        elif style == 2:
            line = '{"text": "Iran protested.", "n": ' + "9" * rng.randint(400, 5_000) + "}"  # huge number
        elif style == 3:
            line = rng.choice(["NaN", "Infinity", "null", '"just a string"', "{}", "{\"text\": 1e999}"])
        lines.append(_encode_one(rng, line) if rng.random() < 0.2 else line.encode("utf-8", "surrogatepass"))
    data = b"\n".join(lines) + rng.choice([b"\n", b"", b"\r\n", b"\n\n\n"])
    return rng.choice(["a.jsonl", "b.ndjson"]), damage(rng, data, big)


def make_feed(rng: random.Random, big: bool) -> tuple[str, bytes]:
    atom = rng.random() < 0.4
    items = []
    for i in range(rng.randint(0, 8 if big else 4)):
        text = prose(rng, rng.randint(1, 5 if big else 3))
        when = rng.choice(["Tue, 05 Mar 2024 10:00:00 GMT", "Fri, 30 Feb 2024 10:00:00 GMT", "2024-03-05T10:00:00Z",
                           "Mon, 01 Jan 99999 00:00:00 GMT", "0000-01-01", "9999-12-31T23:59:59+14:00", "soon", ""])
        body = rng.choice([f"<![CDATA[<p>{text}</p>]]>", f"&lt;p&gt;{text}&lt;/p&gt;", text.replace("&", "&amp;"),
                           f"<![CDATA[{'<div>' * rng.choice([10, 400, 5_000])}{text}]]>", "&nbsp;&bogus;&#xD800;",
                           f"{text} AT&T &copy; &mdash;"])
        if atom:
            items.append(f"<entry><title>Entry {i} &amp; more</title><id>urn:{i}</id><link href='https://ex.org/{i}'/>"
                         f"<published>{when}</published><content type='{rng.choice(['html', 'text', 'xhtml'])}'>"
                         f"{body}</content></entry>")
        else:
            items.append(f"<item><title>Item {i}</title><guid>g{i % 3}</guid><link>https://ex.org/{i}</link>"
                         f"<pubDate>{when}</pubDate><description>{body}</description></item>")
    dtd = rng.choice(["", "", '<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]>',
                      '<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
                      '<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/never.dtd">'])
    enc = rng.choice(["UTF-8", "windows-1252", "UTF-16", "ISO-8859-1", "nonsense"])
    if atom:
        doc = f'<?xml version="1.0" encoding="{enc}"?>{dtd}\n<feed xmlns="http://www.w3.org/2005/Atom">\n' + "\n".join(items) + "\n</feed>\n"
    else:
        doc = (f'<?xml version="1.0" encoding="{enc}"?>{dtd}\n<rss version="2.0"><channel><title>T</title>\n'
               + "\n".join(items) + "\n</channel></rss>\n")
    return rng.choice(["a.rss", "b.atom", "c.xml"]), damage(rng, encode(rng, doc), big)


def make_bytes(rng: random.Random, big: bool) -> tuple[str, bytes]:
    name = rng.choice(["a.txt", "b.html", "c.jsonl", "d.rss", "e.xml"])
    return name, rng.randbytes(rng.randint(0, 200_000 if big else 20_000))


MAKERS: dict[str, Callable[[random.Random, bool], tuple[str, bytes]]] = {
    "text": make_text, "html": make_html, "jsonl": make_jsonl, "feed": make_feed, "bytes": make_bytes}


def make_input(seed: int | str, index: int, big: bool = True) -> tuple[str, str, bytes]:
    """(kind, file name, content) of input `index` of a run: made from seed:index alone."""
    rng = random.Random(f"{seed}:{index}")
    kind = rng.choice(KINDS)
    name, data = MAKERS[kind](rng, big)
    return kind, name, data


# --- running them --------------------------------------------------------------------------


@dataclass
class Report:
    inputs: int = 0
    documents: int = 0
    problems: int = 0  # reported: fatal and warnings
    warnings: int = 0
    events: int = 0
    timeouts: int = 0  # documents skipped for the time limit
    crashes: int = 0
    hangs: int = 0
    slowest: float = 0.0
    slowest_input: int = -1
    by_kind: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, object]:
        return {"inputs": self.inputs, "documents": self.documents, "problems_reported": self.problems,
                "warnings": self.warnings, "events": self.events, "timeouts": self.timeouts,
                "crashes": self.crashes, "hangs": self.hangs, "slowest_s": round(self.slowest, 2),
                "slowest_input": self.slowest_input, "by_kind": dict(sorted(self.by_kind.items()))}


def check_problem(problem, path: str) -> list[str]:
    bad = []
    if not str(problem).startswith(path):
        bad.append(f"problem does not name its file: {problem}")
    if not problem.message.strip():
        bad.append("problem without a message")
    return bad


def check_document(doc) -> list[str]:
    bad = []
    try:
        doc.text.encode("utf-8")
        doc.doc_id.encode("utf-8")
        (doc.title or "").encode("utf-8")
    except UnicodeEncodeError as err:
        bad.append(f"document {doc.doc_id!r} has text that is not UTF-8: {err}")
    if not doc.text.strip():
        bad.append(f"document {doc.doc_id!r} has no text")
    if doc.date is not None and not isinstance(doc.date, date):
        bad.append(f"document {doc.doc_id!r} has date {doc.date!r}")
    end = 0
    for b in doc.blocks:
        if not (end <= b.start < b.end <= len(doc.text)):
            bad.append(f"document {doc.doc_id!r} has a block out of place: {b} after {end}")
            break
        end = b.end
    return bad


def check_coded(coded) -> list[str]:
    bad = []
    text = coded.document.text
    for e in coded.events:
        start, end = e.offsets
        if not (0 <= start < end <= len(text)):
            bad.append(f"event {e.event_id} offsets {e.offsets} outside the text ({len(text)})")
        elif text[start:end] != e.sentence:
            bad.append(f"event {e.event_id} offsets {e.offsets} do not select its sentence")
        try:
            json.loads(e.to_json())
            e.to_json().encode("utf-8")
        except (ValueError, UnicodeEncodeError) as err:
            bad.append(f"event {e.event_id} is not a JSON record: {err}")
    return bad


def run_one(coder, index: int, kind: str, name: str, data: bytes, folder: Path, report: Report,
            hang_s: float) -> None:
    from nexus.documents import Document, read_documents

    path = folder / f"{index:06d}-{name}"
    path.write_bytes(data)
    started = time.monotonic()
    failures: list[str] = []
    try:
        docs = []
        for item in read_documents([str(path)]):
            if isinstance(item, Document):
                report.documents += 1
                failures += check_document(item)
                docs.append(item)
            else:
                report.problems += 1
                report.warnings += not item.fatal
                failures += check_problem(item, str(path))
        for coded in coder.code_documents(docs):
            if coded.skipped is not None:
                report.timeouts += 1
                continue
            report.events += len(coded.events)
            failures += check_coded(coded)
    except Exception:  # what the fuzzing is for
        failures.append(traceback.format_exc())
    finally:
        path.unlink(missing_ok=True)
    took = time.monotonic() - started
    report.inputs += 1
    report.by_kind[kind] += 1
    if took > report.slowest:
        report.slowest, report.slowest_input = took, index
    if took > hang_s:
        report.hangs += 1
        report.failures.append(f"input {index} ({kind}, {name}): took {took:.1f} s")
    if failures:
        report.crashes += 1
        report.failures.append(f"input {index} ({kind}, {name}):\n  " + "\n  ".join(failures[:5]))


def fuzz(n: int, seed: int | str = 0, big: bool = True, doc_timeout: float = 20.0, hang_s: float = 60.0,
         only: int | None = None, save: Path | None = None, progress: bool = False, coder=None,
         watchdog: float | None = None) -> Report:
    """Runs inputs 0..n-1 of `seed` (or input `only`) and returns the counts. `watchdog`: an
    input that has not returned after this many seconds ends the process, every thread's stack
    printed (faulthandler), rather than waiting forever."""
    from nexus.pipeline import Coder, CoderConfig

    coder = coder or Coder(CoderConfig(doc_timeout=doc_timeout))
    report = Report()
    indices = [only] if only is not None else range(n)
    with tempfile.TemporaryDirectory(prefix="nexus-fuzz-") as tmp:
        for index in indices:
            kind, name, data = make_input(seed, index, big)
            if save is not None:
                save.mkdir(parents=True, exist_ok=True)
                (save / f"{index:06d}-{name}").write_bytes(data)
            if watchdog:
                faulthandler.dump_traceback_later(watchdog, exit=True)
            run_one(coder, index, kind, name, data, Path(tmp), report, hang_s)
            if progress and report.inputs % 100 == 0:
                print(f"... {report.inputs} inputs, {report.crashes} crashes", file=sys.stderr, flush=True)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=2_000, help="how many inputs (default 2,000)")
    parser.add_argument("--seed", default="0", help="the run's seed (default 0)")
    parser.add_argument("--small", action="store_true", help="no multi-megabyte inputs (fast)")
    parser.add_argument("--doc-timeout", type=float, default=20.0, help="the coder's time limit per document")
    parser.add_argument("--hang", type=float, default=60.0, help="an input taking longer counts as a hang")
    parser.add_argument("--only", type=int, help="run this one input")
    parser.add_argument("--save", type=Path, help="also write the inputs to this folder")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        report = fuzz(args.n, args.seed, big=not args.small, doc_timeout=args.doc_timeout, hang_s=args.hang,
                      only=args.only, save=args.save, progress=True, watchdog=max(300.0, 5 * args.hang))
    finally:
        faulthandler.cancel_dump_traceback_later()
    for failure in report.failures:
        print(failure, file=sys.stderr)
    counts = report.counts() | {"seed": args.seed, "seconds": round(time.monotonic() - started, 1)}
    print(json.dumps(counts))
    return 1 if report.crashes or report.hangs else 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir, "src"))
    sys.exit(main())
