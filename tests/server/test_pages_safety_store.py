"""Script injection through the store itself: an actor whose name (from the mentions, as the
gazetteer's names are) is markup, an actor code that is markup, events whose source and target
words, attribution, place, date text, CAMEO name and mode are markup, and a document address
that is a javascript: URL, all written into a test store by SQL, on top of the hostile article
of test_pages_safety. Every page shows them as text, and links stay on the server."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from test_pages_safety import EVIL_ID, EVIL_TEXT, EVIL_TITLE, PAGES, check_markup
from test_pages_support import parse, select

from nexus import api
from nexus.server import create_app
from nexus.store import Store

EVIL_CODE = "QQEVIL"  # a code the gazetteer does not know: its name comes from the mentions
ACTOR_NAME = "<img src=x onerror=alert('name')><b>Evil</b> & Co"
ACTOR_TEXT = "<script>alert('actor')</script>"
TARGET_TEXT = "<textarea>target</textarea>"
HOSTILE_CODE = '"><svg onload=alert(1)>'
FIELDS = {"attribution_text": "<img src=x onerror=alert('attr')>", "location_name": "<script>alert('place')</script>",
          "date_value": "<b>2024</b>", "cameo_name": "<img src=x onerror=alert('cameo')>",
          "plover_mode": "<script>alert('mode')</script>"}
BAD_URL = "javascript:alert(document.cookie)"
RAW = [ACTOR_NAME, ACTOR_TEXT, TARGET_TEXT, HOSTILE_CODE, "<svg onload", *FIELDS.values()]


@pytest.fixture(scope="module")
def hostile(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("hostile-store")
    location = folder / "hostile.duckdb"
    shutil.copy(sample_store, location)
    source = folder / "evil.jsonl"
    source.write_text(json.dumps({"id": EVIL_ID, "title": EVIL_TITLE, "text": EVIL_TEXT, "date": "2024-03-04"}) + "\n",
                      encoding="utf-8")
    assert api.ingest([source], location).stats.events > 0
    with Store.open(location) as s:
        ids = [r[0] for r in s.execute("SELECT event_id FROM events WHERE doc_id = ? ORDER BY start, event_id",
                                       [EVIL_ID]).fetchall()]
        assert len(ids) >= 2
        first, second = ids[0], ids[1]
        s.execute("UPDATE events SET source_code = ?, source_country = NULL, source_sector = NULL, source_text = ?, "
                  "target_text = ? WHERE event_id = ?", [EVIL_CODE, ACTOR_TEXT, TARGET_TEXT, first])
        s.execute("UPDATE events SET target_code = ?, target_country = NULL, target_sector = NULL WHERE event_id = ?",
                  [HOSTILE_CODE, second])
        s.execute("UPDATE events SET " + ", ".join(f"{k} = ?" for k in FIELDS) + " WHERE doc_id = ?",
                  [*FIELDS.values(), EVIL_ID])
        s.execute('INSERT INTO mentions SELECT doc_id, sentence_idx, start, start + 6, ?, ?, NULL, NULL, ? '
                  "FROM events WHERE event_id = ?", [ACTOR_TEXT, EVIL_CODE, ACTOR_NAME, first])
        s.execute("UPDATE documents SET url = ? WHERE doc_id = ?", [BAD_URL, EVIL_ID])
        partner = s.execute("SELECT coalesce(target_country, target_code) FROM events WHERE event_id = ?",
                            [first]).fetchone()[0]
        docs = [r[0] for r in s.execute("SELECT doc_id FROM documents").fetchall()]
    web = create_app(location)
    with TestClient(web, raise_server_exceptions=False) as c:
        yield {"client": c, "partner": partner, "docs": docs}
    web.state.holder.close()


def _pages(h: dict) -> list[str]:
    p = h["partner"]
    return [*PAGES, "/?factuality=all", f"/actor/{EVIL_CODE}", f"/actor/{EVIL_CODE}?factuality=all",
            f"/dyad/{EVIL_CODE}/{p}?factuality=all&evidence=200", f"/dyad/{p}/{EVIL_CODE}?factuality=all",
            f"/map?actor={EVIL_CODE}&factuality=all", f"/actor/{p}?factuality=all&limit=500",
            "/search?q=onerror", f"/search?q={EVIL_CODE}", "/search?q=" + quote(ACTOR_TEXT),
            "/search?q=" + quote(HOSTILE_CODE), "/actor/" + quote(HOSTILE_CODE, safe=""),
            *[f"/document/{quote(d, safe='/')}" for d in h["docs"]]]


def test_hostile_store_values_are_text_on_every_page(hostile: dict) -> None:
    c: TestClient = hostile["client"]
    seen = set()
    for url in _pages(hostile):
        r = c.get(url)
        assert r.status_code < 500, (url, r.status_code)
        check_markup(r.text)
        for raw in RAW:
            assert raw not in r.text, (url, raw)
        tree = parse(r.text)
        for el in tree.iter():
            for attr in ("href", "src", "action", "xlink:href"):
                value = el.get(attr)
                if value is not None:
                    assert not urlsplit(value).scheme and value.startswith(("/", "#", "?")), (url, value)
        # shown as text, or in an attribute (a tooltip), always as the characters themselves
        text = tree.text_content() + " ".join(v for el in tree.iter() for v in el.attrib.values())
        seen |= {raw for raw in RAW + [BAD_URL] if raw in text}
    assert seen >= {ACTOR_NAME, ACTOR_TEXT, TARGET_TEXT, HOSTILE_CODE, BAD_URL, *FIELDS.values()}, set(RAW) - seen


def test_hostile_actor_name_and_code(hostile: dict) -> None:
    c: TestClient = hostile["client"]
    page = c.get(f"/actor/{EVIL_CODE}?factuality=all")
    assert page.status_code == 200
    tree = parse(page.text)
    assert ACTOR_NAME in select(tree, "h1")[0].text_content()
    assert select(tree, "title")[0].text_content().startswith(ACTOR_NAME)
    assert ACTOR_TEXT in [s.text_content().strip("“”") for s in select(tree, ".actor-text")]

    overview = parse(c.get("/?factuality=all").text)
    nodes = {n.get("data-key"): n for n in select(overview, "#network .node")}
    assert EVIL_CODE in nodes and HOSTILE_CODE in nodes
    assert ACTOR_NAME in nodes[EVIL_CODE].text_content()
    assert nodes[HOSTILE_CODE].get("href") == "/actor/" + quote(HOSTILE_CODE, safe="")
    # Following that link: not an actor code, an error page, not a script.
    r = c.get(nodes[HOSTILE_CODE].get("href"))
    assert r.status_code == 422 and HOSTILE_CODE not in r.text
    check_markup(r.text)

    document = parse(c.get("/document/" + quote(EVIL_ID, safe="/")).text)
    assert BAD_URL in select(document, ".url")[0].text_content()
    assert not [a for a in select(document, "a") if "javascript" in (a.get("href") or "")]


def test_hostile_names_in_the_graphml_export(hostile: dict) -> None:
    r = hostile["client"].get("/api/export/network.graphml", params={"factuality": "all"})
    assert r.status_code == 200
    root = ElementTree.fromstring(r.content)  # well-formed XML: the markup is escaped
    texts = [el.text for el in root.iter() if el.text]
    assert ACTOR_NAME in texts and HOSTILE_CODE in {el.get("id") for el in root.iter() if el.get("id")}


def test_documents_named_like_paths_are_linked_as_names(hostile: dict, tmp_path: Path) -> None:
    """A document id like ../../etc/passwd is a name: its link keeps it whole (a browser would
    resolve ../ in a path) and leads to it."""
    from nexus.server.pages import doc_url

    for doc_id in ("../../etc/passwd", "a/./b.txt", "x/../y"):
        url = doc_url(doc_id, 3)
        assert url.startswith("/document/") and "/../" not in url and "/./" not in url
        assert url.endswith("#s-3")
    assert doc_url("folder/file.txt") == "/document/folder/file.txt"
    c: TestClient = hostile["client"]
    r = c.post("/api/documents", json={"text": "Russia supplied Iran with drones in 2022.", "doc_id": "../../etc/passwd"})
    assert r.status_code == 201
    search = parse(c.get("/search", params={"q": "Russia supplied Iran with drones in 2022"}).text)
    links = [a.get("href") for li in select(search, "#search-documents li.result")
             if li.get("data-doc-id") == "../../etc/passwd" for a in select(li, "a")]
    assert links == [doc_url("../../etc/passwd")]
    page = c.get(links[0])
    assert page.status_code == 200 and select(parse(page.text), "#document-title, #document-text")
