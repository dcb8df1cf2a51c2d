"""Merging mentions: one event reported by many articles becomes one MergedEvent, and nothing
else does (other dates, types, directions, factualities or objects)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from nexus import api
from nexus.relations.load import dyad_mentions, outlet
from nexus.relations.merge import (
    MergeConfig,
    explain,
    merge_mentions,
    merged_id,
    similarity,
)
from nexus.relations.model import Mention
from nexus.store import open_store

_LENGTH = {"day": 10, "month": 7, "year": 4}


def mention(event_id: str, doc_id: str, sentence: str, source: str, target: str, plover_type: str,
            when: date | None, *, precision: str = "day", basis: str = "text", published: date | None = None,
            url: str | None = None, factuality: str = "asserted", source_text: str | None = None,
            target_text: str | None = None, trigger: str | None = None, sentence_idx: int = 0) -> Mention:
    """A coded event as the store would give it: codes like "RUSGOV" keep their country."""
    return Mention(
        event_id=event_id, doc_id=doc_id, sentence_idx=sentence_idx, sentence=sentence, source_code=source,
        target_code=target, plover_type=plover_type, factuality=factuality, source_country=source[:3],
        target_country=target[:3], source_text=source_text, target_text=target_text, trigger=trigger,
        event_date=when, date_value=when.isoformat()[:_LENGTH[precision]] if when else None,
        date_precision=precision if when else None, date_basis=basis if when else "unknown",
        published=published, url=url, outlet=outlet(url, doc_id))


YAK_TEXT = ("Russia delivered Yak-130 training jets to Iran on 12 September 2023, "
            "the Iranian defence ministry said.")
YAK_REUTERS = mention("yak-reuters", "reuters-yak130", YAK_TEXT, "RUS", "IRN", "AID", date(2023, 9, 12),
                      published=date(2023, 9, 13), url="https://www.reuters.com/world/russia-delivers-yak130-iran",
                      source_text="Russia", target_text="Iran", trigger="delivered")
# The same wire copy, republished by another outlet the same day.
YAK_YAHOO = mention("yak-yahoo", "yahoo-yak130", YAK_TEXT, "RUS", "IRN", "AID", date(2023, 9, 12),
                    published=date(2023, 9, 13), url="https://news.yahoo.com/russia-delivers-yak-130-jets-iran",
                    source_text="Russia", target_text="Iran", trigger="delivered")
# A paraphrase, a day later, with other codes for the same countries and other words.
YAK_TASNIM = mention("yak-tasnim", "tasnim-yak130",
                     "Moscow handed Tehran a batch of Yak-130 trainer aircraft on September 13, 2023, "
                     "according to Iranian media.", "RUSGOV", "IRNGOV", "AID", date(2023, 9, 13),
                     published=date(2023, 9, 14), url="https://www.tasnimnews.com/en/news/2023/09/14/yak130",
                     source_text="Moscow", target_text="Tehran", trigger="handed")


def ids(events) -> list[list[str]]:
    return sorted(sorted(m.event_id for m in e.mentions) for e in events)


def test_identical_reports_from_two_outlets_are_one_event() -> None:
    events = merge_mentions([YAK_YAHOO, YAK_REUTERS])
    assert len(events) == 1
    event = events[0]
    assert event.outlets == ("news.yahoo.com", "reuters.com")
    assert event.n_outlets == 2
    assert event.dyad == ("RUS", "IRN") and event.plover_type == "AID" and event.asserted
    assert event.event_date == date(2023, 9, 12)
    (link,) = event.links
    assert link.similarity == 1.0
    assert "same dyad RUS->IRN and type AID, both asserted" in link.reasons
    assert "same day 2023-09-12" in link.reasons


def test_paraphrased_reports_merge_and_say_why() -> None:
    events = merge_mentions([YAK_TASNIM, YAK_REUTERS])
    assert ids(events) == [["yak-reuters", "yak-tasnim"]]
    event = events[0]
    assert event.first_report is YAK_REUTERS  # published a day earlier
    assert event.mentions == (YAK_REUTERS, YAK_TASNIM)
    (link,) = event.links
    assert (link.a, link.b) == ("yak-reuters", "yak-tasnim")
    assert "dates 1 day apart (day precision)" in link.reasons
    evidence = [r for r in link.reasons if r.startswith("similar evidence")]
    assert len(evidence) == 1 and link.similarity >= MergeConfig().min_similarity
    # The shared words are what both say happened: the jet, its number, training ("trainer").
    assert evidence[0].endswith("shared words yak, 130, training")


def test_similarity_is_word_overlap_without_actors_dates_or_grammar() -> None:
    a = mention("a", "d1", "Iran supplied Shahed-136 drones to Russia on Tuesday, officials said.", "IRN", "RUS",
                "AID", date(2022, 10, 18), source_text="Iran", target_text="Russia", trigger="supplied")
    b = mention("b", "d2", "Tehran is supplying Moscow with Shahed drones, Kyiv says.", "IRN", "RUS", "AID",
                date(2022, 10, 18), source_text="Tehran", target_text="Moscow", trigger="supplying")
    sim = similarity(a, b)
    # Actors (and their capitals), trigger, weekday, "officials said" are not evidence.
    assert sim.shared == ("shahed", "drones")
    assert 0.5 < sim.score < 1.0
    # Light stemming: "supplied", "supplies" and "supplying" are one word (here no trigger hides it).
    untriggered = replace(a, trigger=None)
    for form in ("supplies", "supplying"):
        c = replace(b, event_id="c", sentence=f"Tehran {form} Moscow with drones, Kyiv says.", trigger=None)
        assert similarity(untriggered, c).shared == ("supplied", "drones")


def test_near_misses_stay_apart() -> None:
    months_later = mention("yak-jan", "reuters-yak130-2",
                           "Russia delivered a second batch of Yak-130 training jets to Iran on 20 January 2024.",
                           "RUS", "IRN", "AID", date(2024, 1, 20), published=date(2024, 1, 21),
                           url="https://www.reuters.com/world/second-batch", source_text="Russia",
                           target_text="Iran", trigger="delivered")
    other_type = mention("shoigu", "aljazeera-shoigu",
                         "Russian Defence Minister Sergei Shoigu met Iranian officials in Tehran on 12 September 2023 "
                         "to discuss the Yak-130 training jets.", "RUSGOV", "IRNGOV", "CONSULT",
                         date(2023, 9, 12), published=date(2023, 9, 12), url="https://www.aljazeera.com/news/shoigu",
                         source_text="Russian Defence Minister Sergei Shoigu", target_text="Iranian officials",
                         trigger="met")
    # The same wire copy, but coded the other way round by mistake: direction alone keeps it apart.
    reversed_ = replace(YAK_YAHOO, event_id="yak-reversed", source_code="IRN", target_code="RUS",
                        source_country="IRN", target_country="RUS", source_text="Iran", target_text="Russia")
    alleged = mention("yak-alleged", "kyiv-independent-yak",
                      "Russia is believed to have delivered Yak-130 training jets to Iran on 12 September 2023, "
                      "Western officials said.", "RUS", "IRN", "AID", date(2023, 9, 12),
                      published=date(2023, 9, 13), url="https://kyivindependent.com/yak130",
                      factuality="alleged", source_text="Russia", target_text="Iran", trigger="delivered")
    loan = mention("loan", "tass-loan",
                   "Russia granted Iran a 1.3 billion euro loan for the Rasht-Astara railway on 12 September 2023.",
                   "RUS", "IRN", "AID", date(2023, 9, 12), published=date(2023, 9, 12), url="https://tass.com/economy/1",
                   source_text="Russia", target_text="Iran", trigger="granted")
    for other in (months_later, other_type, reversed_, alleged, loan):
        events = merge_mentions([YAK_REUTERS, other])
        assert ids(events) == sorted([["yak-reuters"], [other.event_id]]), other.event_id
    # The months-apart report says nearly the same: the dates alone keep it apart.
    assert similarity(YAK_REUTERS, months_later).score > 0.5
    # Same dyad, type and day, but jets are not a railway loan.
    assert similarity(YAK_REUTERS, loan).score < MergeConfig().min_similarity
    everything = merge_mentions([YAK_REUTERS, YAK_YAHOO, YAK_TASNIM, months_later, other_type, reversed_,
                                 alleged, loan])
    assert ids(everything) == sorted([["yak-reuters", "yak-tasnim", "yak-yahoo"], ["yak-jan"], ["shoigu"],
                                      ["yak-reversed"], ["yak-alleged"], ["loan"]])


def test_one_sentence_coded_twice_always_merges() -> None:
    sentence = "Iran's Revolutionary Guards shipped Shahed-136 drones to Russia by sea in October 2022."
    guards = mention("irgc", "isw-drones", sentence, "IRNMIL", "RUS", "AID", date(2022, 10, 1), precision="month",
                     source_text="Iran's Revolutionary Guards", target_text="Russia", trigger="shipped",
                     sentence_idx=4)
    # The second coding even got another date: the sentence is one report all the same.
    iran = mention("irn", "isw-drones", sentence, "IRN", "RUS", "AID", date(2023, 1, 5), basis="publication",
                   source_text="Iran", target_text="Russia", trigger="shipped", sentence_idx=4)
    (event,) = merge_mentions([iran, guards])
    assert {m.event_id for m in event.mentions} == {"irgc", "irn"}
    assert event.links[0].reasons[-1] == "same sentence"
    assert event.n_outlets == 1


def test_dates_compare_with_their_precision() -> None:
    month = mention("aug", "wapo-drones", "Iran began supplying Russia with Shahed-136 drones in August 2022, "
                    "US officials said.", "IRN", "RUS", "AID", date(2022, 8, 1), precision="month",
                    published=date(2022, 10, 17), url="https://www.washingtonpost.com/world/drones",
                    source_text="Iran", target_text="Russia", trigger="supplying")
    day = mention("aug19", "guardian-drones", "Iran supplied the first Shahed-136 drones to Russia on 19 August 2022.",
                  "IRN", "RUS", "AID", date(2022, 8, 19), published=date(2022, 10, 18),
                  url="https://www.theguardian.com/world/drones", source_text="Iran", target_text="Russia",
                  trigger="supplied")
    october = replace(day, event_id="oct", doc_id="bbc-drones", event_date=date(2022, 10, 5), date_value="2022-10-05",
                      sentence="Iran supplied more Shahed-136 drones to Russia on 5 October 2022.",
                      url="https://www.bbc.com/news/drones", outlet="bbc.com")
    (event,) = merge_mentions([month, day])
    assert "2022-08 (month) contains 2022-08-19 (day)" in event.links[0].reasons
    assert ids(merge_mentions([month, october])) == [["aug"], ["oct"]]


def test_undated_reports_need_near_identical_wording() -> None:
    wire_undated = replace(YAK_YAHOO, event_id="yak-undated", doc_id="msn-yak", url="https://www.msn.com/yak",
                           outlet="msn.com", sentence="Russia delivered Yak-130 training jets to Iran, the Iranian "
                           "defence ministry said.", date_basis="publication", event_date=date(2023, 9, 14),
                           date_value="2023-09-14", published=date(2023, 9, 14))
    (event,) = merge_mentions([YAK_REUTERS, wire_undated])
    assert any("no date in the text, strong evidence needed" in r for r in event.links[0].reasons)
    loose = replace(wire_undated, event_id="loose",
                    sentence="Tehran has taken delivery of Russian trainer jets, Iranian media said.")
    # Similar enough for two dated reports of one day, not for an undated one.
    assert MergeConfig().min_similarity <= similarity(YAK_REUTERS, loose).score < MergeConfig().undated_similarity
    assert len(merge_mentions([YAK_REUTERS, loose])) == 2
    assert len(merge_mentions([YAK_REUTERS, replace(loose, date_basis="text", event_date=date(2023, 9, 12))])) == 1
    # An undated copy published months later is another report, whatever its words.
    stale = replace(wire_undated, event_id="stale", published=date(2024, 3, 1), event_date=date(2024, 3, 1))
    assert len(merge_mentions([YAK_REUTERS, stale])) == 2


def test_terse_reports_with_nothing_to_compare_go_by_the_date() -> None:
    met = mention("met", "tass-meet", "Putin met Raisi in Tehran on Tuesday.", "RUSGOV", "IRNGOV", "CONSULT",
                  date(2022, 7, 19), published=date(2022, 7, 19), url="https://tass.com/politics/1",
                  source_text="Putin", target_text="Raisi", trigger="met")
    talks = mention("talks", "irna-talks", "Russian President Vladimir Putin held talks with Iranian President "
                    "Ebrahim Raisi.", "RUSGOV", "IRNGOV", "CONSULT", date(2022, 7, 19), published=date(2022, 7, 20),
                    url="https://en.irna.ir/news/1", source_text="Russian President Vladimir Putin",
                    target_text="Iranian President Ebrahim Raisi", trigger="held talks")
    (event,) = merge_mentions([met, talks])
    assert event.links[0].reasons[-1] == "evidence too short to compare: the dates decide"
    later = replace(talks, event_id="later", event_date=date(2022, 7, 22), date_value="2022-07-22")
    assert len(merge_mentions([met, later])) == 2  # within max_days, but with nothing else to go on


def test_no_chaining_through_a_middle_report() -> None:
    def report(n: int, day: int) -> Mention:
        return replace(YAK_REUTERS, event_id=f"r{n}", doc_id=f"doc{n}", event_date=date(2023, 9, day),
                       published=date(2023, 9, day), url=None, outlet=f"doc:doc{n}")

    first, middle, last = report(1, 10), report(2, 13), report(3, 16)  # 3 days, 3 days, but 6 end to end
    events = merge_mentions([last, middle, first])
    assert ids(events) == [["r1", "r2"], ["r3"]]
    assert merge_mentions([last, middle, first], MergeConfig(max_days=6))[0].n_outlets == 3


MIXED = [YAK_REUTERS, YAK_YAHOO, YAK_TASNIM,
         replace(YAK_REUTERS, event_id="loan", doc_id="tass-loan", url="https://tass.com/economy/1",
                 outlet="tass.com", trigger="granted",
                 sentence="Russia granted Iran a 1.3 billion euro loan for the Rasht-Astara railway "
                          "on 12 September 2023."),
         replace(YAK_REUTERS, event_id="undated", doc_id="blog", url=None, outlet="doc:blog", published=None,
                 event_date=None, date_value=None, date_precision=None, date_basis="unknown",
                 sentence="Russia sends Iran a loan."),
         replace(YAK_REUTERS, event_id="yak-alleged", factuality="alleged", doc_id="kyiv"),
         replace(YAK_TASNIM, event_id="yak-tasnim-2", sentence_idx=3)]


def _shape(events) -> list:
    return [(e.merged_id, [m.event_id for m in e.mentions], e.links) for e in events]


@settings(max_examples=60, deadline=None)
@given(st.permutations(MIXED))
def test_result_does_not_depend_on_input_order(shuffled: list[Mention]) -> None:
    assert _shape(merge_mentions(shuffled)) == _shape(merge_mentions(MIXED))


def test_merged_id_is_a_hash_of_the_member_ids_and_output_is_sorted() -> None:
    events = merge_mentions(MIXED)
    yak = next(e for e in events if e.n_outlets == 3)
    expected = hashlib.sha1(b"yak-reuters\nyak-tasnim\nyak-tasnim-2\nyak-yahoo").hexdigest()[:20]
    assert yak.merged_id == merged_id(["yak-yahoo", "yak-tasnim", "yak-tasnim-2", "yak-reuters"]) == expected
    assert yak.merged_id == "963c7321748fa311a7ac"  # stable across runs and versions of the input
    assert [m.event_id for m in yak.mentions] == ["yak-reuters", "yak-yahoo", "yak-tasnim", "yak-tasnim-2"]
    assert events[-1].event_date is None  # undated last
    dated = [e.event_date for e in events if e.event_date is not None]
    assert dated == sorted(dated)


def test_outlets_count_hosts_not_urls() -> None:
    same_host = replace(YAK_YAHOO, event_id="reuters-2", doc_id="reuters-yak130-update",
                        url="https://reuters.com/world/update-russia-delivers-yak130",
                        outlet=outlet("https://reuters.com/world/update-russia-delivers-yak130", "x"))
    no_url = replace(YAK_YAHOO, event_id="pasted", doc_id="pasted.txt", url=None, outlet=outlet(None, "pasted.txt"))
    (event,) = merge_mentions([YAK_REUTERS, same_host, no_url])
    assert len(event.mentions) == 3
    assert event.outlets == ("doc:pasted.txt", "reuters.com")


def test_explain_says_why_each_mention_joined() -> None:
    (event,) = merge_mentions([YAK_TASNIM, YAK_REUTERS])
    lines = explain(event)
    assert lines[0] == f"{event.merged_id}: RUS->IRN AID (asserted), 2023-09-12: 2 mentions from 2 outlets"
    assert lines[1] == f'first report reuters-yak130#0 (reuters.com, 2023-09-13): "{YAK_TEXT}"'
    assert lines[2].startswith("tasnim-yak130#0 (tasnimnews.com, 2023-09-14) joined reuters-yak130#0: "
                               "same dyad RUS->IRN and type AID, both asserted; dates 1 day apart (day precision); "
                               "similar evidence 0.")
    assert lines[2].endswith("shared words yak, 130, training")
    assert len(lines) == 3
    (single,) = merge_mentions([YAK_REUTERS])
    assert explain(single)[0].endswith("1 mention from 1 outlet") and single.links == ()


def test_coded_articles_from_two_outlets_merge_in_a_store(tmp_path: Path, coder) -> None:
    articles = [
        {"id": "reuters-yak130", "url": "https://www.reuters.com/world/russia-delivers-yak130-iran",
         "date": "2023-09-13", "title": "Russia delivers Yak-130 jets to Iran",
         "text": "Russia delivered Yak-130 training jets to Iran on 12 September 2023, the Iranian defence ministry "
                 "said. The jets will be used to train pilots for Su-35 fighters. In May, Russia signed a deal with "
                 "Iran to build the Rasht-Astara railway."},
        {"id": "ap-yak130", "url": "https://apnews.com/article/iran-russia-yak130-trainer", "date": "2023-09-14",
         "title": "Iran receives Russian trainer aircraft",
         "text": "Moscow handed Tehran a batch of Yak-130 trainer aircraft on September 13, 2023, according to "
                 "Iranian media. Russia gave Iran a $1.3 billion loan for a railway on September 13, 2023."},
    ]
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    location = tmp_path / "nexus.duckdb"
    api.ingest([path], location, input_format="jsonl", coder=coder)
    with open_store(location) as store:
        mentions = dyad_mentions(store, "RUS", "IRN")
    aid = [e for e in merge_mentions(mentions) if e.dyad == ("RUS", "IRN") and e.plover_type == "AID"]
    jets = [e for e in aid if any("Yak-130" in m.sentence for m in e.mentions)]
    assert len(jets) == 1
    (event,) = jets
    assert event.n_outlets == 2 and event.outlets == ("apnews.com", "reuters.com")
    assert [m.doc_id for m in event.mentions] == ["reuters-yak130", "ap-yak130"]
    assert event.first_report.published == date(2023, 9, 13)
    # The loan, coded the same day with the same dyad and type, is another event.
    loans = [e for e in aid if any("loan" in m.sentence for m in e.mentions)]
    assert len(loans) == 1 and all("Yak-130" not in m.sentence for m in loans[0].mentions)
