"""The sourced brief (nexus.relations.brief): every statement cites sentences that are in the
store, nothing that is only alleged, denied, planned or conditional is ever stated as fact, and
hostile article text stays text in Markdown and HTML. Unit tests on hand-built records, then
the bundled sample corpus (its busiest pair and Russia-Iran)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from lxml import html as lxml_html

from nexus import api
from nexus.relations import relationship
from nexus.relations.brief import (
    SECTION_TITLES,
    Brief,
    Statement,
    build_brief,
    md_escape,
    md_unescape,
    render_html,
    render_markdown,
)
from nexus.relations.model import (
    Change,
    Exchange,
    Mention,
    MergedEvent,
    PeriodStats,
    Relationship,
    RelationshipPeriod,
)

CITES = re.compile(r"(?:\[\d+\])+$")
MARKERS = {"alleged": "Alleged", "negated": "Denied or ruled out", "future": "Planned or promised",
           "hypothetical": "Conditional or speculated"}
FACT_SECTIONS = ("The relationship by domain", "Timeline of asserted events")


# --- reading a rendered brief ---------------------------------------------------------------------

def sections(markdown: str) -> dict[str, list[str]]:
    """Heading (## level) -> its non-empty lines, sub-headings (###) left out."""
    out: dict[str, list[str]] = {}
    current = "_top"
    for line in markdown.splitlines():
        if line.startswith("## "):
            current = line[3:]
            out[current] = []
        elif line.strip() and not line.startswith(("# ", "### ")):
            out.setdefault(current, []).append(line)
    return out


def body_lines(markdown: str) -> list[str]:
    """The statements: every line under a ## heading but the sources."""
    return [line for title, lines in sections(markdown).items() if title not in ("_top", "Sources")
            for line in lines]


SOURCE = re.compile(r"^\[(\d+)\] (.*), (\S+#\d+): “(.*)”$")


def listed_sources(markdown: str) -> dict[int, tuple[str, str]]:
    """[n] -> (doc_id#sentence, sentence) from the Sources section."""
    out = {}
    for line in sections(markdown)["Sources"]:
        match = SOURCE.match(md_unescape(line))
        assert match, f"not a source line: {line!r}"
        out[int(match.group(1))] = (match.group(3), match.group(4))
    return out


# --- hand-built records ------------------------------------------------------------------------------

def mention(event_id: str, source: str, target: str, plover: str, fact: str = "asserted",
            sentence: str = "Iran shipped drones to Russia.", idx: int = 0, day: date | None = date(2023, 5, 1),
            attribution: str | None = None, doc: str = "doc-1", cameo: str = "Provide military aid") -> Mention:
    return Mention(event_id=event_id, doc_id=doc, sentence_idx=idx, sentence=sentence, source_code=source,
                   target_code=target, plover_type=plover, factuality=fact, source_country=source,
                   target_country=target, cameo_name=cameo, goldstein=5.0, attribution_text=attribution,
                   event_date=day, date_value=day.isoformat() if day else None, published=date(2024, 1, 2),
                   title="A <b>title</b>", url="https://example.org/a", outlet="example.org")


def merged(*mentions: Mention) -> MergedEvent:
    first = mentions[0]
    return MergedEvent(merged_id="m-" + "-".join(m.event_id for m in mentions), source_code=first.source_code,
                       target_code=first.target_code, plover_type=first.plover_type,
                       factuality=first.factuality, mentions=mentions)


@pytest.fixture
def hand_built() -> Relationship:
    aid = merged(mention("e1", "IRN", "RUS", "AID", sentence="Iran shipped drones to Russia in 2023.", idx=1),
                 mention("e2", "IRN", "RUS", "AID", sentence="Drones went from Iran to Russia.", idx=4,
                         doc="doc-2"))
    paid = merged(mention("e3", "RUS", "IRN", "AID", sentence="Russia paid Iran in gold.", idx=2,
                          day=date(2023, 6, 1)))
    claim = merged(mention("e4", "IRN", "RUS", "AID", "alleged", "Officials say Iran sent missiles to Russia.",
                           idx=3, attribution="US officials"))
    denied = merged(mention("e5", "RUS", "IRN", "SUPPORT", "negated", "The pact does not commit Russia to defend Iran.",
                            idx=5, cameo="Defend verbally"))
    plan = merged(mention("e6", "RUS", "IRN", "CONSULT", "future", "The two will meet in May.", idx=6, cameo="Consult"))
    maybe = merged(mention("e7", "RUS", "IRN", "AID", "hypothetical", "Russia could send troops.", idx=7))
    quote = mention("e8", "RUS", "IRN", "CONSULT", sentence='Putin said: "We will stand together."', idx=8,
                    attribution="Putin", cameo="Consult")
    said = merged(quote)
    reaction = merged(mention("e9", "USA", "IRN", "SANCTION", sentence="The US sanctioned Iran.", idx=9,
                              cameo="Impose embargo, boycott, or sanctions"))
    period = RelationshipPeriod(source="IRN", target="RUS", domain="military", state="arms_supply",
                                label="supplies arms to", start=date(2023, 5, 1), end=date(2023, 5, 1),
                                is_open=True, events=(aid,))
    stats = PeriodStats(date(2022, 1, 1), date(2022, 12, 31), 3, 1.0, {"CONSULT": 3})
    change = Change(source="IRN", target="RUS", at=date(2023, 1, 1), kind="goldstein", before=stats,
                    after=PeriodStats(date(2023, 1, 1), date(2023, 12, 31), 3, 6.0, {"AID": 3}), p_value=0.01,
                    summary="mean Goldstein rose from +1.0 to +6.0", drivers=(aid,))
    mentions = [m for e in (aid, paid, claim, denied, plan, maybe, said) for m in e.mentions]
    return Relationship(a="RUS", b="IRN", start=None, end=None, mentions=mentions,
                        merged=[aid, paid, claim, denied, plan, maybe, said], periods=[period],
                        exchanges=[Exchange(give=aid, take=paid, tie="timing", reason="flows 31 days apart"),
                                   Exchange(give=claim, take=paid, tie="text", reason='text: "in return for"')],
                        changes=[change], reactions=[reaction])


def test_a_statement_needs_a_citation():
    with pytest.raises(ValueError):
        Statement("Iran supplies arms to Russia", ())


def test_hand_built_brief_has_every_section_and_cites_everything(hand_built: Relationship):
    brief = build_brief(hand_built)
    keys = [s.key for s in brief.sections]
    assert keys == ["relationship", "exchanges", "timeline", "alleged", "negated", "future", "hypothetical",
                    "changes", "reactions", "merges", "quotes"]
    md = render_markdown(brief)
    assert md.startswith("# Russia and Iran: relationship brief\n")
    assert "Scope: Russia (RUS) and Iran (IRN), all dates" in md
    assert "2 documents" in md and "7 merged events" in md
    for line in body_lines(md):
        assert line.startswith("- ") and CITES.search(line), line
    sources = listed_sources(md)
    assert sorted(sources) == list(range(1, len(brief.citations) + 1))
    used = {int(n) for line in body_lines(md) for n in re.findall(r"\[(\d+)\]", line)}
    assert used == set(sources)
    assert "Iran has supplied arms to Russia since 2023-05-01" in md
    assert "Alleged (by US officials): Iran gave aid to Russia" in md
    assert "Denied or ruled out: Russia to express support for Iran (defend verbally)" in md
    assert "Planned or promised: Russia to hold talks with Iran (consult)" in md
    assert "Conditional or speculated: Russia to give aid to Iran" in md
    # The exchange with an alleged leg is a claim, said to be so, with who claims it.
    exchanges = sections(md)["Exchanges"]
    assert exchanges[0].startswith("- Iran gave aid to Russia")
    assert exchanges[1].startswith("- Claimed exchange, not established (claimed by US officials)")
    assert "mean Goldstein rose from +1.0 to +6.0" in md and "driven by: Iran gave aid to Russia" in md
    assert "The United States took punitive measures against Iran" in md
    assert sections(md)["Key quotes"] == [
        "- Putin said: \"We will stand together.\" (speaker: Putin) " + f"[{brief.number(hand_built.mentions[-1].citation)}]"]


def test_hand_built_non_facts_never_in_fact_sections(hand_built: Relationship):
    brief = build_brief(hand_built)
    claimed = {m.event_id: m for m in hand_built.mentions if not m.asserted}
    for section in brief.sections:
        for st in section.all_statements():
            rests_on = [claimed[i] for i in st.event_ids if i in claimed]
            if section.key in ("relationship", "timeline"):
                assert not rests_on, (section.key, st.text)
            for m in rests_on:
                if section.key != "quotes":
                    assert st.factuality != "asserted", st.text
    md = render_markdown(brief)
    by_title = sections(md)
    for m in claimed.values():
        for title in FACT_SECTIONS:
            assert all(m.sentence not in line for line in by_title[title])
        lines = [line for line in by_title[SECTION_TITLES[m.factuality]] if m.sentence in line]
        assert lines and all(line.startswith(f"- {MARKERS[m.factuality]}") for line in lines)


def test_markdown_and_html_keep_hostile_text_inert(hand_built: Relationship):
    evil = mention("x1", "RUS", "IRN", "CONSULT", "alleged",
                   'Iran <script>alert("x")</script> [9] met\n# Russia <img src=x onerror=alert(1)> `code`.', idx=11)
    rel = Relationship(a="RUS", b="IRN", start=None, end=None, mentions=[evil], merged=[merged(evil)])
    brief = build_brief(rel)
    md = render_markdown(brief)
    assert not re.search(r"(?<!\\)[<>]", md), "an unescaped < or > in the Markdown"
    assert "\\<script\\>" in md and "\\[9\\]" in md
    assert not any(line.startswith("# Russia <") for line in md.splitlines())
    assert md_unescape(md_escape(evil.sentence)) == " ".join(evil.sentence.split())
    page = render_html(brief)
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;title" in page  # the document's title too
    tree = lxml_html.fromstring(page)
    assert not tree.xpath("//script") and not tree.xpath("//img")


def test_html_links_only_http_urls(hand_built: Relationship):
    bad = Mention(**{**{f: getattr(hand_built.mentions[0], f) for f in Mention.__slots__},  # type: ignore[attr-defined]
                     "url": "javascript:alert(1)"})
    rel = Relationship(a="RUS", b="IRN", start=None, end=None, mentions=[bad], merged=[merged(bad)])
    page = render_html(build_brief(rel), doc_url=lambda d, i: f"/document/{d}#s-{i}")
    tree = lxml_html.fromstring(page)
    assert not [h for h in tree.xpath("//a/@href") if h.lower().startswith("javascript")]
    assert tree.xpath('//a[@class="doc-link"]/@href') == ["/document/doc-1#s-1"]
    good = render_html(build_brief(hand_built))
    assert 'href="https://example.org/a"' in good


def test_brief_json_numbers_its_citations(hand_built: Relationship):
    brief = build_brief(hand_built)
    data = json.loads(json.dumps(brief.to_dict()))
    assert [c["n"] for c in data["citations"]] == list(range(1, len(brief.citations) + 1))
    cites = {n for s in data["sections"] for st in [*s["statements"], *(x for g in s["groups"] for x in g["statements"])]
             for n in st["cites"]}
    assert cites == {c["n"] for c in data["citations"]}


# --- the sample corpus ---------------------------------------------------------------------------------

def busiest_pair(store_location: Path) -> tuple[str, str]:
    """The pair with most asserted events, both directions together, from the store."""
    with api.open(store_location) as nx:
        row = nx.store.execute(
            "SELECT least(s, t) AS a, greatest(s, t) AS b, count(*) AS n FROM ("
            "  SELECT coalesce(source_country, source_code) AS s, coalesce(target_country, target_code) AS t"
            "  FROM events WHERE factuality = 'asserted') AS e "
            "WHERE s IS NOT NULL AND t IS NOT NULL AND s <> t GROUP BY 1, 2 ORDER BY n DESC, a, b LIMIT 1").fetchone()
    assert row is not None
    return str(row[0]), str(row[1])


@pytest.fixture(scope="module")
def pairs(sample_store: Path) -> list[tuple[str, str]]:
    busiest = busiest_pair(sample_store)
    assert set(busiest) == {"CHN", "IND"}  # the sample's busiest pair, as the brief issue expects
    return [busiest, ("RUS", "IRN")]


@pytest.fixture(scope="module")
def built(sample_store: Path, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[Relationship, Brief, str]]:
    from nexus.relations import actor_names

    out = {}
    with api.open(sample_store) as nx:
        for a, b in pairs:
            rel = relationship(nx.store, a, b)
            brief = build_brief(rel, dict(actor_names(nx.store, rel)))
            out[(a, b)] = (rel, brief, render_markdown(brief))
    return out


def test_every_statement_cites_sentences_of_the_store(sample_store: Path, built):
    with api.open(sample_store) as nx:
        stored = {(r.doc_id, int(r.idx)): r.text
                  for r in nx.store.query("SELECT doc_id, idx, text FROM sentences").itertuples(index=False)}
    for (a, b), (rel, brief, md) in built.items():
        lines = body_lines(md)
        assert len(lines) >= 10, (a, b)
        sources = listed_sources(md)
        for line in lines:
            assert line.startswith("- "), line
            assert CITES.search(line), f"{a}-{b}: no citation at the end of {line!r}"
            for n in re.findall(r"\[(\d+)\]", CITES.search(line).group(0)):  # type: ignore[union-attr]
                assert int(n) in sources, (line, n)
        for n, (key, sentence) in sources.items():
            doc_id, _, idx = key.rpartition("#")
            assert (doc_id, int(idx)) in stored, key
            assert " ".join(stored[(doc_id, int(idx))].split()) == sentence, key
        assert len(sources) == len(brief.citations)
        # The scope line counts what the brief rests on.
        scope = sections(md)["_top"][0]
        assert scope.startswith("Scope: ") and f"{len(rel.mentions)} coded events" in scope


def test_nothing_claimed_is_stated_as_fact(built):
    for (a, b), (rel, brief, md) in built.items():
        claimed = [m for m in rel.mentions if not m.asserted]
        assert claimed, (a, b)
        by_title = sections(md)
        asserted_ids = {m.event_id for m in rel.mentions if m.asserted}
        for section in brief.sections:
            for st in section.all_statements():
                if section.key in ("relationship", "timeline"):
                    assert set(st.event_ids) <= asserted_ids | {m.event_id for e in rel.reactions for m in e.mentions}, st.text
        for m in claimed:
            text = md_escape(m.sentence)
            for title in FACT_SECTIONS:
                assert not any(text in line for line in by_title.get(title, [])), (title, m.sentence)
            assert not any(text in line and not line.startswith("- Claimed exchange")
                           for line in by_title.get("Exchanges", [])), m.sentence
            under = [line for line in by_title[SECTION_TITLES[m.factuality]] if text in line]
            assert under, f"{a}-{b}: {m.factuality} {m.sentence!r} missing from its section"
            assert all(line.startswith(f"- {MARKERS[m.factuality]}") for line in under), under
            ids = {i for st in brief.section(m.factuality).statements for i in st.event_ids}  # type: ignore[union-attr]
            assert m.event_id in ids


def test_russia_iran_denial_and_allegation_are_marked(built):
    _, _, md = built[("RUS", "IRN")]
    body = body_lines(md)
    denial = [line for line in body if "the pact does not commit Russia to defend Iran" in line]
    assert denial and all(line.startswith("- Denied or ruled out") for line in denial), denial
    assert denial == [line for line in sections(md)["Denied or ruled out"]
                      if "the pact does not commit Russia to defend Iran" in line]
    fath = [line for line in body if "Fath-360" in line]
    assert fath, "the Fath-360 claim is missing"
    for line in fath:
        assert line.startswith(("- Alleged (by US Secretary of State Antony Blinken",
                                "- Claimed exchange, not established")), line
        assert "Blinken" in line
    assert any("Fath-360" in line for line in sections(md)["Alleged, not established"])
    # What the data asserts is stated plainly, with its sources.
    assert any(line.startswith("- Iran supplied arms to Russia from 2022") for line in body)
    assert any("Russia gave aid to Iran (provide military aid), according to Iranian state media" in line
               for line in sections(md)["Timeline of asserted events"])


def test_brief_is_deterministic(sample_store: Path, built):
    with api.open(sample_store) as nx:
        assert nx.brief("RUS", "IRN") == built[("RUS", "IRN")][2]
        assert nx.brief("RUS", "IRN", format="html").startswith("<!doctype html>")
        with pytest.raises(ValueError):
            nx.brief("RUS", "IRN", format="pdf")
        with pytest.raises(ValueError):
            nx.relationship("RUS", "IRN", date_from="2024-13")
        dated = nx.relationship("RUS", "IRN", date_from="2024", date_to="2024-12")
    assert dated.start == date(2024, 1, 1) and dated.end == date(2024, 12, 31)
    assert dated.mentions and all(date(2024, 1, 1) <= (m.event_date or m.published) <= date(2024, 12, 31)  # type: ignore[operator]
                                  for m in dated.mentions)


def test_hostile_document_is_escaped(tmp_path: Path):
    """A document with markup in its text, title and url, ingested like any other."""
    corpus = tmp_path / "hostile.jsonl"
    corpus.write_text(json.dumps({
        "id": "evil<doc>.txt", "date": "2024-03-14", "title": "<script>alert('title')</script>",
        "url": "javascript:alert(1)",
        "text": "Russia supplied Iran with drones <script>alert('x')</script> in 2022. "
                "Washington said Iran has secretly shipped missiles to Russia <img src=x onerror=alert(2)>."}) + "\n",
        encoding="utf-8")
    location = tmp_path / "hostile.duckdb"
    api.ingest([corpus], location)
    with api.open(location) as nx:
        rel = nx.relationship("RUS", "IRN")
        assert any("<script>" in m.sentence for m in rel.mentions)
        page = nx.brief("RUS", "IRN", format="html")
        md = nx.brief("RUS", "IRN")
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page
    tree = lxml_html.fromstring(page)
    assert not tree.xpath("//script") and not tree.xpath("//img")
    assert not [h for h in tree.xpath("//a/@href") if "javascript" in h.lower()]
    assert not re.search(r"(?<!\\)[<>]", md) and "\\<script\\>" in md


def test_the_brief_explains_reports_merged_across_outlets(tmp_path: Path) -> None:
    articles = [
        {"id": "reuters-yak130", "url": "https://www.reuters.com/world/russia-delivers-yak130-iran",
         "date": "2023-09-13", "title": "Russia delivers Yak-130 jets to Iran",
         "text": "Russia delivered Yak-130 training jets to Iran on 12 September 2023, the Iranian defence ministry said."},
        {"id": "ap-yak130", "url": "https://apnews.com/article/iran-russia-yak130-trainer", "date": "2023-09-14",
         "title": "Iran receives Russian trainer aircraft",
         "text": "Moscow handed Tehran a batch of Yak-130 trainer aircraft on September 13, 2023, according to "
                 "Iranian media."},
    ]
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    location = tmp_path / "nexus.duckdb"
    api.ingest([path], location, input_format="jsonl")
    with api.open(location) as nx:
        md = nx.brief("RUS", "IRN")
    (line,) = sections(md)["Reports merged into one event"]
    assert "2 reports from 2 outlets, first reported by reuters.com on 2023-09-13" in line
    assert "merged because:" in line and "similar evidence" in line and "shared words yak, 130" in line
    cited = {key for key, _ in listed_sources(md).values()}
    assert {"reuters-yak130#0", "ap-yak130#0"} <= cited
    (timeline,) = sections(md)["Timeline of asserted events"]
    assert "2 reports, 2 outlets" in timeline
