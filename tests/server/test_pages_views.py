"""The web pages over the bundled sample corpus: each shows real figures from the store, each
figure leads to its sentences, unknown ids give 404 pages and bad parameters 4xx pages."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest
from api_support import client, db  # noqa: F401 - fixtures
from fastapi.testclient import TestClient
from lxml import html
from test_pages_support import select

from nexus.server import worldmap
from nexus.store import Store, queries




def page(client: TestClient, url: str, status: int = 200) -> html.HtmlElement:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    return html.fromstring(response.text)


def doc_link(href: str) -> tuple[str, int | None]:
    """(doc_id, sentence index) from a /document/ID#s-N link."""
    parts = urlsplit(href)
    assert parts.path.startswith("/document/")
    doc_id = unquote(parts.path[len("/document/"):])
    return doc_id, int(parts.fragment[2:]) if parts.fragment.startswith("s-") else None


def check_evidence(tree: html.HtmlElement, db: Store) -> int:
    """Every evidence item's sentence is the stored sentence of the document it links to, and
    its highlights are pieces of that sentence. Returns the number of items."""
    items = select(tree, ".evidence li")
    for li in items:
        shown = select(li, "blockquote.sentence")[0].text_content()
        doc_id, idx = doc_link(select(li, "a.doc-link")[0].get("href"))
        stored = db.query("SELECT s.text, d.text AS doc FROM sentences s JOIN documents d USING (doc_id) "
                          "WHERE doc_id = ? AND idx = ?", [doc_id, idx])
        assert len(stored) == 1, (doc_id, idx)
        assert shown == stored["text"][0] and shown in stored["doc"][0]
        for mark in select(li, "blockquote mark"):
            assert mark.text_content() in shown
    return len(items)


def busiest_pair(db: Store) -> tuple[str, str]:
    top = queries.relationships(db, limit=1).iloc[0]
    return str(top["source"]), str(top["target"])


# --- overview --------------------------------------------------------------------------------------

def test_overview_draws_the_network_of_stored_actors(client: TestClient, db: Store) -> None:
    tree = page(client, "/")
    svg = select(tree, "#network svg")
    assert svg
    keys = {n.get("data-key") for n in select(tree, "#network .node")}
    for key in queries.actors(db, limit=5)["actor"]:
        assert key in keys
    node = select(tree, '.node[data-key="RUS"]')[0]
    assert node.get("href") == "/actor/RUS" and select(node, "circle")
    edges = select(tree, ".edge[data-source][data-target]")
    assert edges
    for edge in edges:
        assert edge.get("href") == f"/dyad/{edge.get('data-source')}/{edge.get('data-target')}"
        assert {edge.get("data-source"), edge.get("data-target")} <= keys
    a, b = busiest_pair(db)
    first = select(tree, "#strongest tbody tr")[0]
    assert (first.get("data-source"), first.get("data-target")) == (a, b)
    assert select(first, f'a[href="/dyad/{a}/{b}"]')


def test_overview_layout_is_deterministic(client: TestClient) -> None:
    first, second = client.get("/").text, client.get("/").text
    assert first == second


def test_overview_filters(client: TestClient, db: Store) -> None:
    tree = page(client, "/?type=ASSAULT&factuality=asserted")
    titles = [select(e, "title")[0].text for e in select(tree, ".edge")]
    assert titles and all("ASSAULT" in t for t in titles)
    n_assault = db.query("SELECT count(*) AS n FROM events WHERE plover_type = 'ASSAULT' AND factuality = "
                         "'asserted' AND coalesce(source_country, source_code) <> "
                         "coalesce(target_country, target_code)")["n"][0]
    assert sum(int(e.get("data-events")) for e in select(tree, ".edge")) == n_assault
    # Dates: nothing before 2024 is drawn when the period starts in 2024.
    later = page(client, "/?date_from=2024")
    assert len(select(later, ".edge")) < len(select(page(client, "/"), ".edge"))
    assert select(page(client, "/?date_from=2999"), "#network svg.empty")
    # Form state survives the round trip.
    assert select(tree, 'select[name="type"] option[value="ASSAULT"][selected]')


@pytest.mark.parametrize("query", ["date_from=bad", "date_to=2024-13", "type=FOO", "factuality=maybe",
                                   "min_events=abc", "min_events=0", "max_nodes=1", "max_edges=-4"])
def test_overview_bad_parameters_are_4xx_pages(client: TestClient, query: str) -> None:
    tree = page(client, f"/?{query}", status=422)
    assert select(tree, "#error .message")[0].text_content()


# --- actor -----------------------------------------------------------------------------------------

def test_actor_page_lists_partners_and_evidence(client: TestClient, db: Store) -> None:
    tree = page(client, "/actor/RUS")
    assert select(tree, "#actor")[0].get("data-key") == "RUS"
    partners = [tr.get("data-partner") for tr in select(tree, "#partners tbody tr")]
    assert "IRN" in partners and "UKR" in partners
    assert check_evidence(tree, db) > 0
    assert select(page(client, "/actor/rus"), "#actor")[0].get("data-key") == "RUS"


def test_unknown_actor_is_a_404_page(client: TestClient) -> None:
    page(client, "/actor/ZZZZ", status=404)
    page(client, "/actor/%3Cscript%3E", status=422)


# --- dyad ------------------------------------------------------------------------------------------

def test_dyad_page_for_the_busiest_pair(client: TestClient, db: Store) -> None:
    a, b = busiest_pair(db)
    tree = page(client, f"/dyad/{a}/{b}")
    assert select(tree, "#dyad")[0].get("data-a") == a
    timelines = select(tree, "#timeline figure.direction")
    assert [(f.get("data-source"), f.get("data-target")) for f in timelines] == [(a, b), (b, a)]
    for figure in timelines:
        source, target = figure.get("data-source"), figure.get("data-target")
        n = db.query("SELECT count(*) AS n FROM events WHERE factuality = 'asserted' AND "
                     "(starts_with(source_code, ?) OR source_country = ?) AND "
                     "(starts_with(target_code, ?) OR target_country = ?)",
                     [source, source, target, target])["n"][0]
        assert sum(int(bar.get("data-n")) for bar in select(figure, "svg .bar")) == n
    assert select(tree, "#type-mix svg.heat")
    n_items = check_evidence(tree, db)
    assert n_items > 0
    # Evidence shows the trigger and the actors highlighted, from the stored offsets.
    first = select(tree, "#evidence .evidence li")[0]
    assert select(first, "mark.hl-trigger") and select(first, "mark.hl-source, mark.hl-target")
    assert select(first, ".badge.fact-asserted") and select(first, ".badge.date small")


def test_dyad_page_shows_what_is_only_claimed(client: TestClient, db: Store) -> None:
    tree = page(client, "/dyad/RUS/IRN")
    claimed = select(tree, "#claimed .claimed")
    assert len(claimed) == 2
    n_claimed = db.query("SELECT count(*) AS n FROM events WHERE factuality <> 'asserted' AND "
                         "(starts_with(source_code, 'RUS') OR source_country = 'RUS') AND "
                         "(starts_with(target_code, 'IRN') OR target_country = 'IRN')")["n"][0]
    rows = select(claimed[0], "tbody tr")
    assert sum(int(select(r, "td.num")[0].text) for r in rows) == n_claimed > 0
    facts = {li.get("data-factuality") for li in select(claimed[0], ".evidence li")}
    assert facts and "asserted" not in facts
    # With every factuality counted there is nothing left over.
    assert not select(page(client, "/dyad/RUS/IRN?factuality=all"), "#claimed")


@pytest.mark.parametrize("freq", ["year", "quarter", "month"])
def test_dyad_periods(client: TestClient, freq: str) -> None:
    tree = page(client, f"/dyad/CHN/IND?freq={freq}&evidence=3")
    assert select(tree, "#timeline svg .bar")
    assert all(len(select(d, ".evidence li")) <= 3 for d in select(tree, "#evidence .direction"))


@pytest.mark.parametrize("url, status", [
    ("/dyad/RUS/ZZZ", 404), ("/dyad/RUS/IRN?freq=week", 422), ("/dyad/RUS/IRN?evidence=0", 422),
    ("/dyad/RUS/IRN?factuality=rumoured", 422), ("/dyad/RUS/%20", 422)])
def test_dyad_errors(client: TestClient, url: str, status: int) -> None:
    page(client, url, status=status)


# --- document --------------------------------------------------------------------------------------

def test_document_page_shows_the_text_with_events(client: TestClient, db: Store) -> None:
    doc_id = "black-sea-grain-deal.html"
    tree = page(client, f"/document/{doc_id}")
    text = db.query("SELECT text FROM documents WHERE doc_id = ?", [doc_id])["text"][0]
    body = select(tree, "#document-text")[0]
    assert body.text_content() == text  # the whole text, exactly, highlights and all
    sentences = db.query("SELECT idx, text, block_kind FROM sentences WHERE doc_id = ?", [doc_id])
    for s in sentences.itertuples(index=False):
        span = tree.get_element_by_id(f"s-{s.idx}")
        assert span.text_content() == s.text
        if s.block_kind in ("furniture", "caption"):
            assert s.block_kind in span.get("class").split()
    assert select(tree, "#document-text .furniture")  # the sample page has furniture
    event_sentences = set(db.query("SELECT DISTINCT sentence_idx FROM events WHERE doc_id = ?",
                                   [doc_id])["sentence_idx"])
    marked = {int(s.get("data-idx")) for s in select(tree, "#document-text .has-events")}
    assert marked == event_sentences
    assert select(tree, "#document-text mark.hl-trigger")
    assert check_evidence(tree, db) == len(select(tree, "#document-events .evidence li")) > 0


def test_every_sample_document_renders(client: TestClient, db: Store) -> None:
    for doc_id in db.query("SELECT doc_id FROM documents")["doc_id"]:
        tree = page(client, f"/document/{doc_id}")
        assert select(tree, "#document-text")


def test_unknown_document_is_a_404_page(client: TestClient) -> None:
    tree = page(client, "/document/no/such/thing.html", status=404)
    assert select(tree, "header.site nav")


# --- search ----------------------------------------------------------------------------------------

def test_search_finds_documents_and_events(client: TestClient, db: Store) -> None:
    tree = page(client, "/search?q=drones")
    expected = set(db.query("SELECT doc_id FROM documents WHERE strpos(lower(text), 'drones') > 0 "
                            "OR strpos(lower(title), 'drones') > 0")["doc_id"])
    found = {li.get("data-doc-id") for li in select(tree, "#search-documents li.result")}
    assert found == expected and found
    for li in select(tree, "#search-documents li.result"):
        assert doc_link(select(li, "a")[0].get("href"))[0] == li.get("data-doc-id")
    assert check_evidence(tree, db) > 0
    for li in select(tree, "#search-events .evidence li"):
        assert "drone" in li.text_content().lower()


@pytest.mark.parametrize("q", ["'; DROP TABLE events; --", "%", "_", "zzzz-nothing", "ÉÉ 🚀"])
def test_search_odd_queries(client: TestClient, q: str) -> None:
    page(client, "/search", status=200)
    assert client.get("/search", params={"q": q}).status_code == 200


def test_search_bad_parameters(client: TestClient) -> None:
    page(client, "/search?q=x&limit=0", status=422)
    assert client.get("/search", params={"q": "x" * 600}).status_code == 422


# --- map -------------------------------------------------------------------------------------------

needs_atlas = pytest.mark.skipif(worldmap.find_atlas() is None,
                                 reason="world-atlas not installed (make install runs npm install)")


@needs_atlas
def test_map_of_an_actor(client: TestClient, db: Store) -> None:
    tree = page(client, "/map?actor=RUS")
    assert select(tree, "#map svg")
    assert len(select(tree, "#map .country[data-iso3]")) > 150
    iran = select(tree, '#map .country[data-iso3="IRN"]')[0]
    assert "has-events" in iran.get("class") and int(iran.get("data-events")) > 0
    assert iran.getparent().get("href") == "/dyad/RUS/IRN"
    assert "focus" in select(tree, '#map .country[data-iso3="RUS"]')[0].get("class")
    assert "IRN" in [tr.get("data-iso3") for tr in select(tree, "#map-countries tbody tr")]


@needs_atlas
def test_map_shows_event_places(client: TestClient, db: Store) -> None:
    tree = page(client, "/map")
    places = select(tree, "#map .place")
    n_places = db.query("SELECT count(DISTINCT (lat, lon)) AS n FROM events WHERE lat IS NOT NULL "
                        "AND factuality = 'asserted'")["n"][0]
    assert len(places) == n_places > 0
    for place in places:
        title = select(place, "title")[0].text
        doc_id, idx = doc_link(place.get("href"))
        sentence = db.query("SELECT text FROM sentences WHERE doc_id = ? AND idx = ?", [doc_id, idx])
        assert sentence["text"][0] in title


def test_map_without_the_atlas_says_so(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worldmap, "find_atlas", lambda: None)
    tree = page(client, "/map?actor=RUS")
    assert "not installed" in select(tree, "#map-missing")[0].text_content()
    assert select(tree, "#map-countries tbody tr")  # the figures are still there


def test_map_bad_actor(client: TestClient) -> None:
    page(client, "/map?actor=%3Cb%3E", status=422)
    page(client, "/map?actor=RUS&factuality=perhaps", status=422)
    assert select(page(client, "/map?actor=ZZZZ"), "#map-countries .empty")
