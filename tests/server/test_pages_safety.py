"""The pages are offline and safe: no external address anywhere, only Nexus's own script, and
article text with markup, odd Unicode or a hostile document id always shown as text."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from fastapi.testclient import TestClient
from test_pages_support import parse, select

from nexus import api
from nexus.server import create_app

EVIL_ID = "evil/<script>alert(1)</script>?x=1#frag.txt"
EVIL_TITLE = "<script>alert('title')</script><b>Bold</b> \u202eRTL\u202c 🚀 e\u0301 </textarea>"
EVIL_TEXT = (
    "<script>alert('x')</script> Russia supplied Iran with drones on Monday, officials said. "
    "</textarea><img src=x onerror=alert(1)>\n\n"
    "Iran thanked Russia for the \u200fhelp 🚀 and the e\u0301xperts <b>in Tehran</b>.\n\n"
    "Israel accused Iran of attacking its ships <script>x</script>.")
PAGES = ["/", "/?factuality=all", "/map", "/map?actor=RUS", "/actor/RUS", "/actor/IRN?limit=500",
         "/dyad/RUS/IRN?evidence=200&factuality=all", "/dyad/ISR/IRN?evidence=200",
         "/search", "/search?q=Iran", "/search?q=script", "/search?q=%3Cscript%3E", "/search?q=drones",
         "/document/nope", "/?date_from=bad"]


@pytest.fixture(scope="module")
def client(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The sample store plus one hostile article."""
    folder = tmp_path_factory.mktemp("evil")
    location = folder / "evil.duckdb"
    shutil.copy(sample_store, location)
    source = folder / "evil.jsonl"
    source.write_text(json.dumps({"id": EVIL_ID, "title": EVIL_TITLE, "text": EVIL_TEXT,
                                  "date": "2024-03-04"}) + "\n", encoding="utf-8")
    assert api.ingest([source], location).stats.events > 0
    app = create_app(location)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    app.state.holder.close()


def evil_document_url() -> str:
    return "/document/" + quote(EVIL_ID, safe="/")


def all_pages(client: TestClient) -> list[str]:
    docs = [f"/document/{quote(d, safe='/')}" for d in
            client.app.state.holder.store.cursor().query("SELECT doc_id FROM documents")["doc_id"]]  # type: ignore[attr-defined]
    return PAGES + docs


def check_markup(text: str) -> None:
    """Nothing from the article became markup: the only script is Nexus's own file."""
    tree = parse(text)
    scripts = select(tree, "script")
    assert [s.get("src") for s in scripts] == ["/static/nexus.js"]
    assert all(not (s.text or "").strip() for s in scripts)
    assert not select(tree, "img") and not select(tree, "textarea") and not select(tree, "b")
    assert not [el for el in tree.iter() if any(a.startswith("on") for a in el.attrib)]
    for raw in ("<script>alert", "</textarea>", "<img src=x", "<b>Bold", "<b>in Tehran"):
        assert raw not in text


def test_no_external_addresses_on_any_page(client: TestClient) -> None:
    for url in all_pages(client):
        response = client.get(url)
        assert response.status_code < 500, url
        tree = parse(response.text)
        for el in tree.iter():
            for attr in ("src", "href", "action", "xlink:href", "{http://www.w3.org/1999/xlink}href"):
                value = el.get(attr)
                if value is None:
                    continue
                parts = urlsplit(value)
                assert not parts.scheme and not parts.netloc, (url, value)
                assert value.startswith(("/", "#", "?")), (url, value)
            assert "url(" not in (el.get("style") or ""), url  # inline styles fetch nothing
        assert not select(tree, "style") and not select(tree, "iframe, object, embed, base")


def test_static_files_load_nothing_from_elsewhere(client: TestClient) -> None:
    for name in ("nexus.css", "nexus.js"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200
        for needle in ("http:", "https:", "@import", "//cdn", "fetch(", "XMLHttpRequest"):
            assert needle not in response.text, (name, needle)


def test_hostile_article_is_text_on_every_page(client: TestClient) -> None:
    for url in all_pages(client) + [evil_document_url()]:
        response = client.get(url)
        assert response.status_code < 500, url
        check_markup(response.text)


def test_hostile_article_document_page(client: TestClient) -> None:
    response = client.get(evil_document_url())
    assert response.status_code == 200
    tree = parse(response.text)
    assert select(tree, "#document-text")[0].text_content() == EVIL_TEXT
    assert select(tree, "#document-title")[0].text_content() == EVIL_TITLE
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in response.text
    assert "🚀" in response.text and "\u202e" in response.text and "e\u0301" in response.text
    assert select(tree, "#document-events .evidence li")


def test_hostile_article_in_search_and_dyad(client: TestClient) -> None:
    search = parse(client.get("/search", params={"q": "<script>"}).text)
    results = select(search, "#search-documents li.result")
    assert [li.get("data-doc-id") for li in results] == [EVIL_ID]
    link = select(results[0], "a")[0].get("href")
    assert link == evil_document_url()
    assert client.get(link).status_code == 200  # the quoted id finds its document again
    assert EVIL_TITLE in results[0].text_content()
    dyad = client.get("/dyad/RUS/IRN?evidence=200")
    sentences = [b.text_content() for b in select(parse(dyad.text), "#evidence blockquote.sentence")]
    assert any("<script>alert('x')</script>" in s for s in sentences)
