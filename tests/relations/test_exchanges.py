"""Exchanges of material flows (relations/exchanges.py): tied by the text or by timing, with
the near misses that must not be tied, and on the bundled sample corpus."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from nexus.relations.exchanges import find_exchanges
from nexus.relations.load import dyad_mentions
from nexus.relations.model import Mention, MergedEvent
from nexus.store.base import open_store

_ids = itertools.count()


def mention(sentence: str, source: str, target: str, plover_type: str, when: str | None, *,
            cameo: str | None = None, mode: str | None = None, context: tuple[str, ...] = (),
            factuality: str = "asserted", doc: str = "russia-iran.html", idx: int = 0,
            trigger: str | None = None) -> Mention:
    """One coded event as `nexus code` would store it; `when` is the coded date value."""
    event_date, precision = None, None
    if when:
        precision = {4: "year", 7: "month", 10: "day"}[len(when)]
        event_date = date.fromisoformat((when + "-01-01")[:10] if len(when) < 10 else when)
    return Mention(
        event_id=f"x{next(_ids):04d}", doc_id=doc, sentence_idx=idx, sentence=sentence, source_code=source,
        target_code=target, plover_type=plover_type, factuality=factuality, source_country=source,
        target_country=target, trigger=trigger, plover_mode=mode, plover_context=context, cameo_code=cameo,
        event_date=event_date, date_value=when, date_precision=precision or "unknown",
        date_basis="text" if when else "unknown", published=date(2025, 1, 18))


def merged(*mentions: Mention) -> list[MergedEvent]:
    """Each mention as its own merged event (merging is merge.py's job, not tested here)."""
    return [MergedEvent(f"m-{m.event_id}", m.source_code, m.target_code, m.plover_type, m.factuality, (m,))
            for m in mentions]


NUCLEAR_HELP = mention("Washington and London are concerned that Moscow has been helping Tehran's nuclear programme "
                       "in return for the missiles, according to reports in the British press last September.",
                       "RUS", "IRN", "AID", "2024-09", cameo="070", factuality="alleged", idx=30, trigger="helping")
FATH_360 = mention("On 10 September 2024, US Secretary of State Antony Blinken said in London that Russia had "
                   "received shipments of Iranian Fath-360 close-range ballistic missiles.", "IRN", "RUS", "AID",
                   "2024-09-10", cameo="072", context=("military",), factuality="alleged", idx=19, trigger="received")
SHAHED = mention("Iran began supplying Russia with Shahed attack drones in 2022.", "IRN", "RUS", "AID", "2022",
                 cameo="072", context=("military",), idx=13, trigger="supplying")


def test_text_ties_nuclear_help_to_the_missiles_and_the_exchange_stays_alleged() -> None:
    events = merged(SHAHED, FATH_360, NUCLEAR_HELP)
    [ex] = find_exchanges(events)
    assert ex.tie == "text"
    # Russia's help is what came "in return": Iran's missiles are the leg given first.
    assert ex.give.first_report is FATH_360 and ex.take.first_report is NUCLEAR_HELP
    assert '"in return for"' in ex.reason
    assert "russia-iran.html#30" in ex.reason and "russia-iran.html#19" in ex.reason
    # Both legs are alleged: nothing here may be reported as a fact.
    assert {ex.give.factuality, ex.take.factuality} == {"alleged"}
    assert not (ex.give.asserted or ex.take.asserted)


def test_text_tie_needs_the_other_leg_in_the_same_document() -> None:
    elsewhere = mention(FATH_360.sentence, "IRN", "RUS", "AID", "2023-02", cameo="072", context=("military",),
                        factuality="alleged", idx=19, doc="other.html")
    assert find_exchanges(merged(NUCLEAR_HELP, elsewhere)) == []


def test_timing_ties_reverse_flows_within_the_window() -> None:
    shells = mention("North Korea shipped artillery shells to Russia in August 2023, officials said.", "PRK", "RUS",
                     "AID", "2023-08", cameo="072", context=("military",), doc="a.html")
    oil = mention("Russia delivered more than a million barrels of oil to North Korea in October 2023.", "RUS",
                  "PRK", "AID", "2023-10", cameo="071", context=("economic",), doc="b.html")
    late_oil = mention("Russia shipped refined oil to North Korea on 15 November 2023.", "RUS", "PRK", "AID",
                       "2023-11-15", cameo="071", context=("economic",), doc="c.html")
    [ex] = find_exchanges(merged(shells, late_oil, oil))
    assert ex.tie == "timing" and ex.reason == "flows 61 days apart"
    # The closest reverse flow is tied; the later shipment is left alone (each leg once).
    assert ex.give.first_report is shells and ex.take.first_report is oil


def test_near_misses_are_not_exchanges() -> None:
    # Same direction, even with a cue: no flow back.
    drones = mention("Iran sent drones to Russia in exchange for gold, the report said.", "IRN", "RUS", "AID",
                     "2023-03", cameo="072", context=("military",), idx=1)
    more = mention("Iran delivered drone engines to Russia in April 2023.", "IRN", "RUS", "AID", "2023-04",
                   cameo="072", context=("military",), idx=2)
    assert find_exchanges(merged(drones, more)) == []
    # Reverse flows a year apart.
    jets = mention("Russia delivered Yak-130 training jets to Iran in September 2023.", "RUS", "IRN", "AID",
                   "2023-09", cameo="072", context=("military",), doc="d.html")
    shells = mention("Iran shipped artillery shells to Russia in September 2024.", "IRN", "RUS", "AID", "2024-09",
                     cameo="072", context=("military",), doc="e.html")
    assert find_exchanges(merged(jets, shells)) == []
    # Verbal events are not flows, whatever the text says.
    praise = mention("Putin thanked Iran in return for its support at the United Nations in May 2024.", "RUS",
                     "IRN", "SUPPORT", "2024-05", cameo="051", idx=3)
    visit = mention("Iran's foreign minister visited Moscow in May 2024.", "IRN", "RUS", "CONSULT", "2024-05",
                    cameo="042", mode="visit", idx=4)
    assert find_exchanges(merged(praise, visit)) == []
    # Year-dated flows are too vague to tie by timing.
    grain = mention("Russia sold grain to Iran in 2023.", "RUS", "IRN", "COOPERATE", "2023", cameo="061",
                    context=("economic",), doc="f.html")
    assert find_exchanges(merged(grain, more)) == []
    # A flow that did not or may not happen is no leg.
    troops = mention("Moscow is unlikely to send troops to Iran in exchange for drones.", "RUS", "IRN", "AID",
                     "2023-04", cameo="074", context=("peacekeeping",), factuality="hypothetical", idx=5)
    assert find_exchanges(merged(troops, more)) == []


def test_exchanges_are_deterministic() -> None:
    events = merged(SHAHED, FATH_360, NUCLEAR_HELP)
    assert find_exchanges(events) == find_exchanges(list(reversed(events)))


def test_sample_corpus_ties_russias_nuclear_help_to_irans_missiles(sample_store: Path) -> None:
    with open_store(sample_store, read_only=True) as store:
        mentions = dyad_mentions(store, "RUS", "IRN")
    exchanges = find_exchanges(merged(*mentions))
    [ex] = [x for x in exchanges if x.tie == "text"]
    assert "nuclear programme" in ex.take.first_report.sentence
    assert "missiles" in ex.give.first_report.sentence
    assert ex.take.first_report.dyad == ("RUS", "IRN") and ex.give.first_report.dyad == ("IRN", "RUS")
    assert ex.give.factuality == ex.take.factuality == "alleged"


def _all_pairs(flows: list[MergedEvent], max_days: int) -> set[tuple[str, str]]:
    """The timing ties by brute force: every reverse pair within the window, closest first."""
    from nexus.relations.exchanges import _fine_date, _order, _reverse

    pairs = []
    for a, b in itertools.combinations(flows, 2):
        da, db = _fine_date(a), _fine_date(b)
        if da and db and _reverse(a, b) and abs((db - da).days) <= max_days:
            first, second = sorted((a, b), key=_order)
            pairs.append((abs((db - da).days), _order(first), _order(second), first, second))
    used: set[str] = set()
    out = set()
    for *_, first, second in sorted(pairs, key=lambda p: p[:3]):
        if first.merged_id not in used and second.merged_id not in used:
            used.update((first.merged_id, second.merged_id))
            out.add((first.merged_id, second.merged_id))
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.booleans()), min_size=0, max_size=30,
                unique_by=lambda t: t[0]))
def test_timing_ties_equal_comparing_every_pair(flows: list[tuple[int, bool]]) -> None:
    """The n log n sweep pairs exactly what comparing every pair would (distinct dates)."""
    start = date(2023, 1, 1)
    events = merged(*(mention("Iran shipped drones to Russia." if forward else "Russia sent jets to Iran.",
                              "IRN" if forward else "RUS", "RUS" if forward else "IRN", "AID",
                              (start + timedelta(days=day)).isoformat(), cameo="072", doc=f"d{day}")
                      for day, forward in flows))
    got = {(x.give.merged_id, x.take.merged_id) for x in find_exchanges(events, max_days=60)}
    assert all(x.tie == "timing" for x in find_exchanges(events, max_days=60))
    assert got == _all_pairs(events, 60)
