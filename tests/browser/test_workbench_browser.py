"""The workbench in a real browser: the network, its hover focus and links, dyad timelines and
evidence, the document reader, the map, search, and a hostile article that must stay text.

Every test also fails on a console error, an uncaught exception, a failed or 4xx/5xx request it
did not ask for, or any request to a host other than the test server.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pandas as pd
import pytest
from browser_support import HOSTILE_ID, PAYLOAD_IMG, PAYLOAD_SCRIPT, Tab
from playwright.sync_api import expect

from nexus.server.pages import doc_url

# The heaviest arrow whose click target (its handle) is not covered by a node or another arrow.
CLICKABLE_EDGE = """() => {
  const edges = [...document.querySelectorAll('#network .edge')]
    .sort((a, b) => b.dataset.events - a.dataset.events);
  for (const edge of edges) {
    const handle = edge.querySelector('.handle');
    handle.scrollIntoView({block: 'center'});
    const r = handle.getBoundingClientRect();
    const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    if (hit && hit.closest('.edge') === edge) return [edge.dataset.source, edge.dataset.target];
  }
  return null;
}"""

# A point in the viewport inside the country's outline where the country is what gets clicked.
POINT_IN_COUNTRY = """(iso3) => {
  const path = document.querySelector(`#map .country[data-iso3="${iso3}"]`);
  path.scrollIntoView({block: 'center'});
  const box = path.getBBox(), ctm = path.getScreenCTM(), pt = path.ownerSVGElement.createSVGPoint();
  for (let i = 1; i < 24; i++) for (let j = 1; j < 24; j++) {
    pt.x = box.x + box.width * i / 24; pt.y = box.y + box.height * j / 24;
    if (!path.isPointInFill(pt)) continue;
    const s = pt.matrixTransform(ctm);
    if (document.elementFromPoint(s.x, s.y) === path) return [s.x, s.y];
  }
  return null;
}"""

# What each evidence item shows, read in one call.
EVIDENCE_ITEMS = """items => items.map(li => {
  const texts = sel => [...li.querySelectorAll(sel)].map(el => el.textContent);
  const trigger = li.querySelector('mark.hl-trigger');
  return {id: li.dataset.event, factuality: li.dataset.factuality,
          sentence: li.querySelector('blockquote.sentence').textContent,
          trigger: texts('mark.hl-trigger'), source: texts('mark.hl-source'), target: texts('mark.hl-target'),
          badges: [...li.querySelectorAll('.badge.fact')].map(b => [b.className, b.textContent.trim()]),
          links: [...li.querySelectorAll('a.doc-link')].map(a => a.getAttribute('href')),
          triggerBackground: trigger && getComputedStyle(trigger).backgroundColor};
})"""

TRANSPARENT = ("rgba(0, 0, 0, 0)", "transparent")


def classes(page: Any, selector: str) -> set[str]:
    return set((page.get_attribute(selector, "class") or "").split())


def check_evidence(tab: Tab, selector: str, events: dict[str, dict[str, Any]]) -> list[dict]:
    """Each evidence item shows its stored sentence with the trigger and the actors marked, a
    factuality badge matching data-factuality, and a link to its sentence that works."""
    items = tab.page.eval_on_selector_all(selector, EVIDENCE_ITEMS)
    assert items, f"no evidence items at {selector}"
    for item in items:
        e = events[item["id"]]
        sentence = item["sentence"]
        assert sentence == e["sentence"]
        if not pd.isna(e["trigger_start"]):
            t_start, t_end = int(e["trigger_start"]) - int(e["start"]), int(e["trigger_end"]) - int(e["start"])
            assert item["trigger"] == [sentence[t_start:t_end]]
            assert item["trigger"][0] and item["triggerBackground"] not in TRANSPARENT
        for mark in item["trigger"] + item["source"] + item["target"]:
            assert mark and mark in sentence
        source, target = e["source_text"], e["target_text"]
        if isinstance(source, str) and source in sentence:
            assert item["source"], (item, source)
        if isinstance(target, str) and target in sentence and target != source:
            assert item["target"], (item, target)
        fact = item["factuality"]
        assert fact == e["factuality"]
        assert item["badges"] == [[f"badge fact fact-{fact}", fact]]
        assert item["links"] == [doc_url(e["doc_id"], int(e["sentence_idx"]))]
    assert any(i["source"] and i["target"] for i in items), "no item with both actors marked"
    for link in sorted({i["links"][0] for i in items}):
        path, _, anchor = link.partition("#")
        response = tab.page.request.get(tab.url(path))
        assert response.status == 200, link
        assert f'id="{anchor}"' in response.text(), link
    return items


def check_dyad(tab: Tab, a: str, b: str, events: dict[str, dict[str, Any]]) -> None:
    page = tab.page
    expect(page.locator(f'#dyad[data-a="{a}"][data-b="{b}"]')).to_be_visible()
    figures = page.locator("#timeline figure.direction").all()
    assert [(f.get_attribute("data-source"), f.get_attribute("data-target")) for f in figures] == [(a, b), (b, a)]
    for i, figure in enumerate(figures):
        expect(figure.locator("svg")).to_be_visible()
        stated = int(re.match(r"\d+", figure.locator(".stats").inner_text()).group())  # type: ignore[union-attr]
        bars = figure.locator(".bar[data-n][data-period]")
        assert sum(int(n) for n in bars.evaluate_all("bs => bs.map(b => b.dataset.n)")) == stated
        if i == 0:
            assert stated > 0 and bars.count() > 0
    expect(page.locator("#type-mix svg").first).to_be_visible()
    expect(page.locator("#claimed")).to_be_attached()  # default: asserted counted, the rest apart
    first = page.locator(f'#evidence .direction[data-source="{a}"][data-target="{b}"] li[data-factuality]')
    assert first.count() > 0
    check_evidence(tab, "#evidence li[data-factuality]", events)


def check_linked_sentence(tab: Tab) -> None:
    """On a document page reached through an evidence link: the sentence is there, highlighted
    and scrolled into view, and page furniture and captions are greyed."""
    page = tab.page
    anchor = urlsplit(page.url).fragment
    assert re.fullmatch(r"s-\d+", anchor)
    sentence = page.locator(f"#document-text .sent#{anchor}")
    expect(sentence).to_be_visible()
    assert "has-events" in classes(page, f"#{anchor}")
    style = page.evaluate("""(id) => {
      const css = el => el && getComputedStyle(el);
      const el = document.getElementById(id), r = el.getBoundingClientRect();
      const plain = document.querySelector('#document-text .sent.kind-paragraph:not(.greyed):not(:target)');
      const grey = [...document.querySelectorAll('#document-text .sent.furniture, #document-text .sent.caption')];
      return {target: el.matches(':target'), background: css(el).backgroundColor,
              plainBackground: css(plain).backgroundColor, plainColour: css(plain).color,
              plainOpacity: css(plain).opacity, inView: r.bottom > 0 && r.top < innerHeight,
              grey: grey.map(g => [g.className, css(g).color, css(g).opacity])};
    }""", anchor)
    assert style["target"] and style["inView"]
    assert style["background"] not in TRANSPARENT and style["background"] != style["plainBackground"]
    assert style["grey"], "no furniture or caption in this sample document"
    for name, colour, opacity in style["grey"]:
        assert (colour, opacity) != (style["plainColour"], style["plainOpacity"]), name
    expect(page.locator(f'#document-events a.doc-link[href$="#{anchor}"]').first).to_be_attached()


def test_overview_network_hover_actor_edge_dyad_document(tab: Tab, stored_events: dict) -> None:
    page = tab.goto("/", "overview")
    expect(page.locator("#network svg.network")).to_be_visible()
    edges = page.eval_on_selector_all(
        "#network .edge[data-source][data-target]",
        "es => es.map(e => [e.dataset.source, e.dataset.target, e.getAttribute('href')])")
    keys = page.eval_on_selector_all("#network .node[data-key]", "ns => ns.map(n => n.dataset.key)")
    assert len(keys) >= 10 and len(edges) >= 10
    assert all(href == f"/dyad/{quote(s, safe='')}/{quote(t, safe='')}" for s, t, href in edges)
    assert page.get_attribute('#network .node[data-key="RUS"]', "href") == "/actor/RUS"

    # Hovering Russia focuses it, its arrows and its neighbours, and nothing else.
    page.hover('#network .node[data-key="RUS"] circle')
    assert "focusing" in classes(page, "#network svg.network")
    linked_nodes = set(page.eval_on_selector_all("#network .node.linked", "ns => ns.map(n => n.dataset.key)"))
    linked_edges = page.eval_on_selector_all("#network .edge.linked",
                                             "es => es.map(e => [e.dataset.source, e.dataset.target])")
    touching = [[s, t] for s, t, _ in edges if "RUS" in (s, t)]
    assert sorted(linked_edges) == sorted(touching) and touching
    assert linked_nodes == {"RUS"} | {k for pair in touching for k in pair}
    assert len(linked_nodes) < len(keys)
    page.mouse.move(2, 2)
    assert "focusing" not in classes(page, "#network svg.network")
    assert page.locator("#network .linked").count() == 0

    # The node leads to the actor page.
    page.click('#network .node[data-key="RUS"] circle')
    page.wait_for_url("**/actor/RUS")
    tab.shot("actor")
    expect(page.locator('#actor[data-key="RUS"]')).to_be_visible()
    assert page.locator("#partners tr[data-partner]").count() > 0
    expect(page.locator("#actor-types svg")).to_be_visible()
    check_evidence(tab, "#actor-events li[data-factuality]", stored_events)

    # Back on the overview, an arrow leads to its dyad page.
    page.go_back()
    page.wait_for_url(tab.url("/"))
    found = page.evaluate(CLICKABLE_EDGE)
    assert found, "no arrow's handle can be clicked"
    a, b = found
    page.click(f'#network .edge[data-source="{a}"][data-target="{b}"] .handle')
    page.wait_for_url(f"**/dyad/{quote(a, safe='')}/{quote(b, safe='')}")
    tab.shot("dyad")
    check_dyad(tab, a, b, stored_events)

    # An evidence link opens the article at its sentence.
    link = page.locator("#evidence a.doc-link").first
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(lambda url: url.endswith(href))
    tab.shot("document")
    check_linked_sentence(tab)
    tab.check_clean()


def test_map_draws_countries_and_links_to_dyads(tab: Tab) -> None:
    page = tab.goto("/map", "map")
    if page.locator("#map-missing").count():
        pytest.skip("the map outlines (node_modules/world-atlas) are not installed: run make install")
    assert page.locator("#map svg .country[data-iso3]").count() > 100
    assert page.locator("#map svg .country.has-events").count() >= 10
    assert page.locator("#map svg .place").count() > 0

    page = tab.goto("/map?actor=RUS", "map-RUS")
    expect(page.locator("#map svg")).to_be_visible()
    shaded = page.eval_on_selector_all("#map .country.has-events", "cs => cs.map(c => c.dataset.iso3)")
    rows = page.eval_on_selector_all("#map-countries tr[data-iso3]", "rs => rs.map(r => r.dataset.iso3)")
    assert rows and set(rows) <= set(shaded)
    assert page.locator("#map .place").count() > 0
    partner = rows[0]
    point = page.evaluate(POINT_IN_COUNTRY, partner)
    assert point, f"no clickable point inside {partner}"
    page.mouse.click(*point)
    page.wait_for_url(f"**/dyad/RUS/{partner}")
    tab.shot(f"dyad-RUS-{partner}")
    expect(page.locator(f'#dyad[data-a="RUS"][data-b="{partner}"]')).to_be_visible()
    assert page.locator("#timeline figure.direction .bar").count() > 0
    tab.check_clean()


def test_search_and_follow_a_result(tab: Tab) -> None:
    page = tab.goto("/", "start")
    page.fill("header .quick-search input[name=q]", "ceasefire")
    page.press("header .quick-search input[name=q]", "Enter")
    page.wait_for_url("**/search?q=ceasefire")
    tab.shot("search")
    results = page.locator("#search-documents li.result[data-doc-id]")
    assert results.count() > 0
    marks = page.eval_on_selector_all("#search-documents mark.hl-match", "ms => ms.map(m => m.textContent)")
    assert marks and all(m.lower() == "ceasefire" for m in marks)
    assert page.locator("#search-events li[data-factuality]").count() > 0

    first = results.first
    doc_id = first.get_attribute("data-doc-id")
    title = first.locator("a").first.text_content()
    first.locator("a").first.click()
    page.wait_for_url("**/document/**")
    tab.shot("document")
    assert unquote(urlsplit(page.url).path) == f"/document/{doc_id}"
    assert page.locator("#document-title").text_content() == title
    assert page.locator("#document-text .sent").count() > 5

    page = tab.goto("/search?q=zzqxjv", "search-nothing")
    expect(page.locator("#search-documents .empty")).to_be_visible()
    page = tab.goto("/actor/NOSUCH", "error", status=404)
    expect(page.locator('#error[data-status="404"]')).to_be_visible()
    tab.check_clean()


def test_hostile_article_stays_text(tab: Tab, stored_events: dict) -> None:
    hostile = [e for e in stored_events.values() if e["doc_id"] == HOSTILE_ID]
    assert any(PAYLOAD_SCRIPT in e["sentence"] for e in hostile)
    assert any(PAYLOAD_IMG in e["sentence"] for e in hostile)
    document = doc_url(HOSTILE_ID)
    pages = {"overview": "/", "actor-RUS": "/actor/RUS", "actor-IRN": "/actor/IRN?limit=500",
             "dyad-RUS-IRN": "/dyad/RUS/IRN?factuality=all&evidence=200", "dyad-IRN-RUS": "/dyad/IRN/RUS",
             "map-IRN": "/map?actor=IRN", "search-pwned": "/search?q=pwned",
             "search-script": "/search?q=" + quote(PAYLOAD_SCRIPT), "search-emoji": "/search?q=" + quote("🚀"),
             "document": document}
    for label, path in pages.items():
        page = tab.goto(path, f"hostile-{label}")
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        assert page.locator("img").count() == 0, path
        scripts = page.eval_on_selector_all("script", "ss => ss.map(s => s.getAttribute('src'))")
        assert scripts == ["/static/nexus.js"], path

    # The article page shows the stored title and text literally.
    page = tab.goto(document, "hostile-document-again")
    text = page.locator("#document-text").text_content()
    assert PAYLOAD_SCRIPT in text and PAYLOAD_IMG in text and "🚀" in text and "\u202e" in text
    title = page.locator("#document-title").text_content()
    assert PAYLOAD_SCRIPT in title and PAYLOAD_IMG in title and "\u202e" in title and "e\u0301" in title
    assert page.title() == f"{title} · Nexus"
    expect(page.get_by_text(PAYLOAD_IMG).first).to_be_visible()

    # Evidence and search results show it as text too.
    page = tab.goto("/dyad/RUS/IRN?factuality=all&evidence=200", "hostile-dyad")
    quotes = page.eval_on_selector_all("#evidence blockquote.sentence", "qs => qs.map(q => q.textContent)")
    assert any(PAYLOAD_SCRIPT in q for q in quotes)
    page = tab.goto("/search?q=pwned", "hostile-search")
    found = page.eval_on_selector_all(
        "#search-documents li.result", "rs => rs.map(r => [r.dataset.docId, r.querySelector('a').textContent])")
    assert [HOSTILE_ID, title] in found
    assert page.evaluate("typeof window.__pwned") == "undefined"
    tab.check_clean()
