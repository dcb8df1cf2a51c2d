"""Relationships over HTTP: GET /api/dyads/{a}/{b}/relationship and /brief, the /brief/{a}/{b}
page, and the relationship sections of the dyad page, over the sample corpus on each backend.
Bad parameters get 4xx answers (JSON under /api, HTML pages elsewhere), never a 500."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from api_support import INJECTIONS, client, db, json_error, ok  # noqa: F401 - fixtures
from fastapi.testclient import TestClient
from lxml import html
from test_pages_support import select

from nexus.server import create_app
from nexus.store import Store

CITED = re.compile(r"(?:\[\d+\])+$")




def sentence_of(db: Store, doc_id: str, idx: int) -> str:
    rows = db.query("SELECT text FROM sentences WHERE doc_id = ? AND idx = ?", [doc_id, idx])
    assert len(rows) == 1, (doc_id, idx)
    return str(rows["text"][0])


def page(client: TestClient, url: str, status: int = 200) -> html.HtmlElement:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    return html.fromstring(response.text)


def doc_link(href: str) -> tuple[str, int]:
    parts = urlsplit(href)
    assert parts.path.startswith("/document/") and parts.fragment.startswith("s-"), href
    return unquote(parts.path[len("/document/"):]), int(parts.fragment[2:])


# --- /api/dyads/{a}/{b}/relationship -------------------------------------------------------------

def test_relationship_json(client: TestClient, db: Store) -> None:
    data = ok(client.get("/api/dyads/RUS/IRN/relationship"))
    assert (data["a"], data["b"], data["from"], data["to"]) == ("RUS", "IRN", None, None)
    merged = {e["merged_id"]: e for e in data["merged"]}
    assert merged and data["n_mentions"] == sum(e["n_mentions"] for e in data["merged"])
    for e in data["merged"]:
        assert e["sources"] and len(e["sources"]) == e["n_mentions"]
        assert e["first_report"]["event_id"] == e["sources"][0]["event_id"]
        assert e["outlets"] == sorted({s["outlet"] for s in e["sources"]})
        for s in e["sources"]:
            assert s["sentence"] == sentence_of(db, s["doc_id"], s["sentence_idx"])
            assert s["factuality"] == e["factuality"]
        assert isinstance(e["links"], list)
    facts = {e["factuality"] for e in data["merged"]}
    assert {"asserted", "alleged", "negated", "future", "hypothetical"} <= facts
    assert data["periods"] and data["exchanges"]
    for p in data["periods"]:
        assert p["events"] and set(p["events"]) <= set(merged)
        assert all(merged[i]["factuality"] == "asserted" for i in p["events"])
        assert p["label"] and p["domain"] and p["start"]
    for x in data["exchanges"]:
        assert {x["give"], x["take"]} <= set(merged) and x["tie"] in ("text", "timing")
    for c in data["changes"]:
        assert set(c["drivers"]) <= set(merged)
    assert data["reactions"] and all(r["sources"] for r in data["reactions"])


def test_relationship_dates_and_freq(client: TestClient) -> None:
    data = ok(client.get("/api/dyads/RUS/IRN/relationship?from=2024&to=2024-12&freq=month"))
    assert (data["from"], data["to"]) == ("2024-01-01", "2024-12-31")
    days = [s["event_date"] or s["published"] for e in data["merged"] for s in e["sources"]]
    assert days and all("2024-01-01" <= d <= "2024-12-31" for d in days)
    empty = ok(client.get("/api/dyads/RUS/ZZZ/relationship"))
    assert empty["merged"] == [] and empty["periods"] == [] and empty["n_mentions"] == 0


@pytest.mark.parametrize("query", ["from=2024-13", "to=2024-02-30", "from=yesterday", "to=20245",
                                   "freq=week", "from=2024&from="])
def test_relationship_bad_params(client: TestClient, query: str) -> None:
    json_error(client.get(f"/api/dyads/RUS/IRN/relationship?{query}"))


def test_relationship_bad_codes(client: TestClient) -> None:
    json_error(client.get(f"/api/dyads/RUS/{'X' * 65}/relationship"))
    for bad in INJECTIONS:
        response = client.get("/api/dyads/RUS/" + bad.replace("%", "%25") + "/relationship")
        assert response.status_code in (200, 404, 422), (bad, response.status_code)
        assert response.headers["content-type"].startswith("application/json")


# --- /api/dyads/{a}/{b}/brief ---------------------------------------------------------------------

def test_brief_markdown(client: TestClient, db: Store) -> None:
    response = client.get("/api/dyads/RUS/IRN/brief")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/markdown")
    assert 'filename="brief-RUS-IRN.md"' in response.headers["content-disposition"]
    text = response.text
    assert text.startswith("# Russia and Iran: relationship brief")
    body, sources = text.split("\n## Sources\n")
    statements = [line for line in body.splitlines() if line.startswith("- ")]
    assert statements and all(CITED.search(line) for line in statements)
    for line in sources.strip().splitlines():
        key = re.search(r", (\S+)#(\d+): “", line)
        assert key, line
        assert sentence_of(db, key.group(1), int(key.group(2)))
    denied = [line for line in statements if "does not commit Russia to defend Iran" in line]
    assert denied and all(line.startswith("- Denied or ruled out") for line in denied)


def test_brief_html_links_sentences(client: TestClient, db: Store) -> None:
    response = client.get("/api/dyads/CHN/IND/brief?format=html&from=2020&to=2024")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    tree = html.fromstring(response.text)
    assert select(tree, "article.brief") and not tree.xpath("//script")
    links = select(tree, "#brief-sources a.doc-link")
    assert links
    for a in links:
        doc_id, idx = doc_link(a.get("href"))
        assert sentence_of(db, doc_id, idx)


@pytest.mark.parametrize("query, status", [
    ("format=pdf", 422), ("from=2024-13", 422), ("to=soon", 422), ("freq=decade", 422)])
def test_brief_bad_params(client: TestClient, query: str, status: int) -> None:
    json_error(client.get(f"/api/dyads/RUS/IRN/brief?{query}"), status)


def test_brief_of_nothing_is_404(client: TestClient) -> None:
    body = json_error(client.get("/api/dyads/RUS/ZZZ/brief"), 404)
    assert "no events between RUS and ZZZ" in body["detail"]
    json_error(client.get("/api/dyads/RUS/IRN/brief?from=1990&to=1991"), 404)


# --- pages ------------------------------------------------------------------------------------------

def test_brief_page(client: TestClient, db: Store) -> None:
    tree = page(client, "/brief/RUS/IRN")
    assert select(tree, "header.site") and select(tree, "main article.brief")
    keys = [s.get("data-section") for s in select(tree, "section.brief-section")]
    assert keys[:3] == ["relationship", "exchanges", "timeline"] and keys[-1] == "sources"
    assert {"alleged", "negated", "future", "hypothetical", "reactions"} <= set(keys)
    for li in select(tree, "li.statement"):
        assert select(li, "a.cite"), li.text_content()
    for a in select(tree, "#brief-sources a.doc-link"):
        doc_id, idx = doc_link(a.get("href"))
        assert sentence_of(db, doc_id, idx)
    md = select(tree, "a.brief-md")[0]
    assert md.get("href") == "/api/dyads/RUS/IRN/brief?format=md" and md.get("download")
    dated = page(client, "/brief/RUS/IRN?from=2024&to=2025")
    assert select(dated, "a.brief-md")[0].get("href") == "/api/dyads/RUS/IRN/brief?format=md&from=2024&to=2025"


@pytest.mark.parametrize("url, status", [
    ("/brief/RUS/ZZZ", 404), ("/brief/RUS/IRN?from=2024-13", 422), ("/brief/RUS/%20", 422),
    ("/brief/RUS/IRN?from=1990&to=1991", 404), ("/brief/RUS/%3Cscript%3E", 422)])
def test_brief_page_errors(client: TestClient, url: str, status: int) -> None:
    page(client, url, status=status)


def test_dyad_page_shows_periods_exchanges_and_the_brief(client: TestClient, db: Store) -> None:
    tree = page(client, "/dyad/RUS/IRN")
    assert select(tree, "a.brief-link")[0].get("href") == "/brief/RUS/IRN"
    md_url = select(tree, "a.brief-md")[0].get("href")
    assert client.get(md_url).headers["content-type"].startswith("text/markdown")
    rows = select(tree, "#periods tr.period")
    assert rows and select(tree, "#periods-chart svg .period-bar")
    assert {r.get("data-domain") for r in rows} >= {"military"}
    for row in rows:
        links = select(row, "a.doc-link")
        assert links
        for a in links:
            doc_id, idx = doc_link(a.get("href"))
            assert sentence_of(db, doc_id, idx)
            assert a.get("data-factuality") in ("asserted", "negated")
    exchanges = select(tree, "#exchanges li.exchange")
    assert exchanges
    for x in exchanges:
        assert len(select(x, ".leg")) == 2 and select(x, "a.doc-link")
        # a leg that is only alleged says so
        for leg in select(x, ".leg"):
            badge = select(leg, ".badge.fact")[0].text_content()
            if badge != "asserted":
                assert leg.text_content().strip().split(None, 1)[1].startswith("Alleged")
    assert select(tree, "#changes")
    # the busiest pair has periods too, and the existing page structure is unchanged
    chn = page(client, "/dyad/CHN/IND?freq=month")
    assert select(chn, "#periods tr.period") and select(chn, "#timeline svg .bar")


# --- hostile text -----------------------------------------------------------------------------------

@pytest.fixture
def hostile_client(sample_store: Path, tmp_path: Path) -> Iterator[TestClient]:
    location = tmp_path / "hostile.duckdb"
    shutil.copy(sample_store, location)
    app = create_app(location)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    app.state.holder.close()


def test_hostile_text_is_escaped_everywhere(hostile_client: TestClient) -> None:
    text = ("<script>alert('t')</script> Russia supplied Iran with drones <script>alert('x')</script> in 2022. "
            "Iran shipped missiles to Russia in 2023 <img src=x onerror=alert(2)>.")
    created = hostile_client.post("/api/documents", json={"text": text, "doc_id": "evil<script>.txt",
                                                          "date": "2024-03-14"})
    assert created.status_code == 201, created.text
    assert created.json()["n_events"] > 0
    for url in ("/brief/RUS/IRN", "/dyad/RUS/IRN", "/api/dyads/RUS/IRN/brief?format=html"):
        response = hostile_client.get(url)
        assert response.status_code == 200, url
        assert "<script>alert" not in response.text and "<img src=x" not in response.text, url
        tree = html.fromstring(response.text)
        assert not tree.xpath("//script[not(@src)]") and not tree.xpath("//img"), url
    brief = hostile_client.get("/brief/RUS/IRN").text
    assert "&lt;script&gt;" in brief
    md = hostile_client.get("/api/dyads/RUS/IRN/brief").text
    assert not re.search(r"(?<!\\)[<>]", md)


def test_undated_events_do_not_break_the_relationship(hostile_client: TestClient) -> None:
    """Events without a date (an upload without one) read from the store as missing dates."""
    created = hostile_client.post("/api/documents", json={
        "text": "Russia supplied Iran with attack drones. Iran sent Russia ballistic missiles.",
        "doc_id": "undated.txt"})
    assert created.status_code == 201, created.text
    assert any(e["date"]["value"] is None for e in created.json()["events"])
    for url in ("/dyad/RUS/IRN", "/dyad/RUS/IRN?factuality=all", "/brief/RUS/IRN"):
        assert hostile_client.get(url).status_code == 200, url
    data = ok(hostile_client.get("/api/dyads/RUS/IRN/relationship"))
    assert any(s["doc_id"] == "undated.txt" for e in data["merged"] for s in e["sources"])
    assert hostile_client.get("/api/dyads/RUS/IRN/brief").status_code == 200
