"""Reading a dyad's mentions: the same records from DuckDB and PostgreSQL, both directions,
every factuality, matched by code prefix or country, the period filter on the event's date
(or its document's), and third parties' reactions from the same documents."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from nexus import api
from nexus.relations.load import dyad_mentions, outlet, reaction_mentions
from nexus.store import open_store

ARTICLE = [
    '{"id": "a1", "date": "2023-09-15", "url": "https://www.reuters.com/world/a1", '
    '"text": "Russia delivered Yak-130 training jets to Iran on 12 September 2023, Iranian state media said. '
    'Analysts say Moscow is unlikely to send troops to Iran. The United States condemned Russia on Thursday over the deliveries."}',
    '{"id": "a2", "date": "2022-03-01", "text": "Iran began supplying Russia with Shahed drones in 2022."}',
]


def test_the_same_mentions_on_both_backends(store_location: str, tmp_path: Path) -> None:
    source = tmp_path / "news.jsonl"
    source.write_text("\n".join(ARTICLE) + "\n")
    api.ingest([source], store_location)
    with open_store(store_location, read_only=True) as store:
        mentions = dyad_mentions(store, "RUS", "IRN")
        later = dyad_mentions(store, "IRN", "RUS", date_from="2023")
        reactions = reaction_mentions(store, "RUS", "IRN", [m.doc_id for m in mentions])
    got = {(m.dyad, m.plover_type, m.factuality, m.doc_id) for m in mentions}
    assert got == {(("RUS", "IRN"), "AID", "asserted", "a1"), (("RUS", "IRN"), "AID", "hypothetical", "a1"),
                   (("IRN", "RUS"), "AID", "asserted", "a2")}
    assert [m.event_date for m in mentions] == sorted(m.event_date for m in mentions)  # date order
    jets = next(m for m in mentions if m.dyad == ("RUS", "IRN"))
    assert jets.event_date == date(2023, 9, 12) and jets.published == date(2023, 9, 15)
    assert jets.outlet == "reuters.com" and jets.citation.key == f"a1#{jets.sentence_idx}"
    assert "Yak-130" in jets.sentence and jets.attribution_text and "military" in jets.plover_context
    assert {m.doc_id for m in later} == {"a1"}  # the 2022 drones fall outside the period
    assert [(r.dyad, r.plover_type) for r in reactions] == [(("USA", "RUS"), "ACCUSE")]


def test_outlets() -> None:
    assert outlet("https://www.Reuters.com/a", "x") == "reuters.com"
    assert outlet("https://apnews.com/b", "y") == "apnews.com"
    assert outlet(None, "y") == "doc:y" and outlet("not a url", "z") == "doc:z"
