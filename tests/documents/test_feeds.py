"""RSS and Atom feeds: one document per item, through the HTML extraction; malformed feeds
reported by line with the items that parse kept; entities refused, nothing fetched."""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

import pytest
from reading_support import docs, problems, read
from typer.testing import CliRunner

from nexus.cli import app
from nexus.documents import ReadProblem
from nexus.documents.readers import count_documents

RSS = """\
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>World news</title>
<link>https://news.example.com/</link>
<item>
  <title>Drones for Iran &amp; Russia</title>
  <link>https://news.example.com/a</link>
  <guid isPermaLink="false">news-a</guid>
  <pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate>
  <description>&lt;p&gt;Russia supplied Iran with drones in 2022, officials said.&lt;/p&gt;</description>
</item>
<item>
  <title>Condemnation</title>
  <link>https://news.example.com/b</link>
  <dc:date>2023-08-24</dc:date>
  <description>A short summary.</description>
  <content:encoded><![CDATA[<p>China condemned Japan on Thursday&nbsp;over the release of treated water.</p>
<script>var secret = "SCRIPT_SECRET";</script><p>Share your thoughts in the comments below.</p>]]></content:encoded>
</item>
<item>
  <title>Plain text</title>
  <pubDate>Fri, 30 Feb 2024 10:00:00 GMT</pubDate>
  <description>Ukraine and Poland agreed on Monday to resume grain transit talks, AT&T said.</description>
</item>
<item><title>Only a title</title></item>
</channel>
</rss>
"""

ATOM = """\
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example</title>
  <entry>
    <title type="html">Talks &lt;b&gt;resume&lt;/b&gt;</title>
    <link rel="self" href="https://ex.org/1.atom"/>
    <link rel="alternate" href="https://ex.org/1"/>
    <id>urn:uuid:1</id>
    <published>2024-03-05T10:00:00Z</published>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Russia and Ukraine held talks in
      Istanbul on Tuesday, the Turkish foreign ministry said.</p></div></content>
  </entry>
  <entry>
    <title>Summary only</title>
    <id>urn:uuid:2</id>
    <updated>2024-03-06</updated>
    <summary>France delivered Caesar howitzers to Ukraine in January.</summary>
  </entry>
</feed>
"""

RDF = """\
<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://ex.org/"><title>RSS 1.0</title></channel>
  <item rdf:about="https://ex.org/x">
    <title>Mediation</title><link>https://ex.org/x</link><dc:date>2024-01-02T03:04:05+01:00</dc:date>
    <description>Turkey offered to mediate between Russia and Ukraine.</description>
  </item>
</rdf:RDF>
"""




def test_rss_items_become_documents(tmp_path: Path) -> None:
    path = tmp_path / "world.rss"
    path.write_text(RSS, encoding="utf-8")
    items = read(path, default_date=date(2000, 1, 1))
    a, b, c = docs(items)
    assert (a.doc_id, a.title, a.url, a.date) == ("news-a", "Drones for Iran & Russia",
                                                  "https://news.example.com/a", date(2024, 3, 5))
    assert a.text == "Russia supplied Iran with drones in 2022, officials said."
    assert a.origin == f"{path}:7"  # the line the item starts on
    # content:encoded wins over the description, and goes through the HTML extraction
    assert b.doc_id == "https://news.example.com/b" and b.date == date(2023, 8, 24)
    assert b.text.startswith("China condemned Japan on Thursday over the release")
    assert "SCRIPT_SECRET" not in b.text
    assert [blk.kind for blk in b.blocks] == ["paragraph", "furniture"]
    # no guid, no link: the file and line; a bad date warns and the default is used
    assert c.doc_id == "world.rss:22" and c.date == date(2000, 1, 1)
    assert "AT&T said." in c.text
    warning, empty = problems(items)
    assert (warning.line, warning.fatal) == (22, False) and "Fri, 30 Feb 2024" in warning.message
    assert (empty.line, empty.fatal) == (27, True) and "no text" in empty.message
    assert count_documents([str(path)]) == 4


def test_atom_and_rss1(tmp_path: Path) -> None:
    (tmp_path / "a.atom").write_text(ATOM, encoding="utf-8")
    (tmp_path / "b.xml").write_text(RDF, encoding="utf-8")
    items = read(tmp_path)
    assert not problems(items)
    one, two, three = docs(items)
    assert (one.doc_id, one.title, one.url, one.date) == ("urn:uuid:1", "Talks resume", "https://ex.org/1",
                                                          date(2024, 3, 5))
    assert one.text == "Russia and Ukraine held talks in Istanbul on Tuesday, the Turkish foreign ministry said."
    assert (two.doc_id, two.date, two.url) == ("urn:uuid:2", date(2024, 3, 6), None)
    assert two.text == "France delivered Caesar howitzers to Ukraine in January."
    assert (three.doc_id, three.date, three.title) == ("https://ex.org/x", date(2024, 1, 2), "Mediation")


def test_malformed_feed_keeps_the_items_that_parse(tmp_path: Path) -> None:
    broken = RSS.replace("<title>Condemnation</title>", "<title>Condemnation</titel>")  # item 2, line 15
    cut = RSS[: RSS.index("<title>Plain text</title>") + 30]  # item 3 (line 22) never ends
    (tmp_path / "a-broken.rss").write_text(broken, encoding="utf-8")
    (tmp_path / "b-cut.rss").write_text(cut, encoding="utf-8")
    items = read(tmp_path)
    by_file = {name: [i for i in items if (i.origin if isinstance(i, ReadProblem) else i.origin).split(":")[0]
                      .endswith(name)] for name in ("a-broken.rss", "b-cut.rss")}
    a = by_file["a-broken.rss"]
    assert [d.doc_id for d in docs(a)] == ["news-a", "a-broken.rss:22"]
    notes = problems(a)
    assert notes[0].line == 15 and not notes[0].fatal and "mismatched tag" in notes[0].message
    assert notes[1].line == 15 and notes[1].fatal and "item 2" in notes[1].message
    b = by_file["b-cut.rss"]
    assert [d.doc_id for d in docs(b)] == ["news-a", "https://news.example.com/b"]
    cut_off = [p for p in problems(b) if p.fatal]
    assert [(p.line, "no end tag" in p.message) for p in cut_off] == [(22, True)]


def test_entities_are_refused_and_nothing_is_fetched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("a feed made Nexus open a connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP_SECRET_FILE_CONTENT")
    laughs = ('<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">')
    feeds = {
        "bomb.rss": f'<?xml version="1.0"?>\n<!DOCTYPE rss [{laughs}]>\n<rss><channel>\n'
                    "<item><title>&d;</title><description>Iran protested to Israel.</description></item>\n"
                    "<item><title>Fine</title><description>China condemned Japan.</description></item>\n"
                    "</channel></rss>\n",
        "xxe.rss": f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>\n'
                   "<rss><channel><item><title>&x;</title><description>&x; Russia supplied Iran with drones."
                   "</description></item></channel></rss>\n",
        "dtd.rss": '<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/never.dtd">\n'
                   "<rss><channel><item><description>Russia supplied Iran with drones.</description></item>"
                   "</channel></rss>\n",
    }
    for name, text in feeds.items():
        (tmp_path / name).write_text(text)
    items = read(tmp_path / "bomb.rss", tmp_path / "xxe.rss", tmp_path / "dtd.rss")
    for item in items:
        assert "TOP_SECRET" not in repr(item) and "lollol" not in repr(item)
    # an external DTD is never fetched, and a feed needs none: its items are read
    assert [d.text for d in docs(items)] == ["China condemned Japan.", "Russia supplied Iran with drones."]
    refused = [p for p in problems(items) if "entity declarations are refused" in p.message]
    assert [(p.origin.rsplit("/", 1)[-1], p.line) for p in refused] == [("bomb.rss", 2), ("xxe.rss", 2)]
    assert not [p for p in problems(items) if p.origin.endswith("dtd.rss")]


def test_feed_encodings(tmp_path: Path) -> None:
    text = RSS.replace("officials said", "officials said – café")
    (tmp_path / "a.rss").write_bytes(text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    (tmp_path / "b.rss").write_bytes(text.replace('encoding="UTF-8"', 'encoding="windows-1252"').encode("cp1252"))
    (tmp_path / "c.rss").write_bytes(text.replace('encoding="UTF-8"', "").encode("cp1252"))  # undeclared
    items = read(tmp_path)
    firsts = [d.text for d in docs(items) if d.doc_id == "news-a"]
    assert firsts == ["Russia supplied Iran with drones in 2022, officials said – café."] * 3
    latin = [p for p in problems(items) if "Latin-1" in p.message]
    assert [p.origin.rsplit("/", 1)[-1] for p in latin] == ["c.rss"]


def test_xml_that_is_not_a_feed_and_binary(tmp_path: Path) -> None:
    (tmp_path / "page.xml").write_text("<html><body><p>A page.</p></body></html>")
    (tmp_path / "blob.rss").write_bytes(bytes(range(256)) * 20)
    (tmp_path / "empty.atom").write_text("  \n")
    page, blob, empty = read(tmp_path / "page.xml", tmp_path / "blob.rss", tmp_path / "empty.atom")
    assert isinstance(page, ReadProblem) and "not an RSS or Atom feed" in page.message and "<html>" in page.message
    assert isinstance(blob, ReadProblem) and "binary" in blob.message
    assert isinstance(empty, ReadProblem) and empty.message == "empty file"


def test_stdin_feed_and_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ATOM.encode()), encoding="utf-8"))
    assert [d.doc_id for d in docs(read("-", input_format="feed"))] == ["urn:uuid:1", "urn:uuid:2"]

    path = tmp_path / "news.data"  # an unknown extension: --input-format says what it is
    path.write_text(RSS)
    result = CliRunner().invoke(app, ["code", "--input-format", "feed", str(path)])
    assert result.exit_code == 0, result.output
    assert '"doc_id": "news-a"' in result.stdout and '"doc_id": "https://news.example.com/b"' in result.stdout
    assert f"{path}:27" in result.stderr.replace("\n", "") and "no text" in result.stderr
