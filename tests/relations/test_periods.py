"""Relationship periods and event domains (relations/periods.py, relations/domains.py), on
mentions coded as Nexus codes real news sentences, and on the bundled sample corpus."""

from __future__ import annotations

import itertools
import random
from datetime import date
from pathlib import Path

from nexus.relations.domains import domains_of, knowledge
from nexus.relations.load import dyad_mentions
from nexus.relations.model import Mention, MergedEvent
from nexus.relations.periods import relationship_periods
from nexus.store.base import open_store

_ids = itertools.count()


def mention(sentence: str, source: str, target: str, plover_type: str, when: str | None, *,
            cameo: str | None = None, mode: str | None = None, context: tuple[str, ...] = (),
            factuality: str = "asserted", doc: str = "russia-iran.html", idx: int = 0,
            published: date | None = date(2025, 4, 1)) -> Mention:
    """One coded event as `nexus code` would store it; `when` is the coded date value."""
    event_date, precision = None, None
    if when:
        precision = {4: "year", 7: "month", 10: "day"}[len(when)]
        event_date = date.fromisoformat((when + "-01-01")[:10] if len(when) < 10 else when)
    return Mention(
        event_id=f"e{next(_ids):04d}", doc_id=doc, sentence_idx=idx, sentence=sentence, source_code=source,
        target_code=target, plover_type=plover_type, factuality=factuality, source_country=source,
        target_country=target, plover_mode=mode, plover_context=context, cameo_code=cameo,
        event_date=event_date, date_value=when, date_precision=precision or "unknown",
        date_basis="text" if when else "unknown", published=published)


def merged(*mentions: Mention) -> list[MergedEvent]:
    """Each mention as its own merged event (merging is merge.py's job, not tested here)."""
    return [MergedEvent(f"m-{m.event_id}", m.source_code, m.target_code, m.plover_type, m.factuality, (m,))
            for m in mentions]


SHAHED_2022 = mention("Iran began supplying Russia with Shahed attack drones in 2022, and the Russian military "
                      "has since launched thousands of them at Ukrainian cities.", "IRN", "RUS", "AID", "2022",
                      cameo="072", context=("military",), idx=13)
SHAHED_2023 = mention("Iran delivered another batch of Shahed drones to Russia in May 2023.", "IRN", "RUS", "AID",
                      "2023-05", cameo="072", context=("military",), idx=20)
SHELLS_2024 = mention("In April 2024 Iran shipped artillery shells and drone engines to Russia across the Caspian "
                      "Sea, according to customs records.", "IRN", "RUS", "AID", "2024-04", cameo="070", idx=22)
HALTED_2025 = mention("Iran halted drone deliveries to Russia in March 2025, officials said.", "IRN", "RUS",
                      "SANCTION", "2025-03", cameo="162", mode="discontinue", context=("human_security",), idx=40)


def test_arms_supply_opens_extends_and_is_closed_by_a_halt() -> None:
    events = merged(SHAHED_2022, SHAHED_2023, SHELLS_2024, HALTED_2025)
    [period] = relationship_periods(events)
    assert (period.source, period.target, period.domain, period.state) == ("IRN", "RUS", "military", "arms_supply")
    assert period.label == "supplies arms to"
    assert period.start == date(2022, 1, 1) and period.end == date(2025, 3, 1)
    assert [e.first_report for e in period.events] == [SHAHED_2022, SHAHED_2023, SHELLS_2024]
    assert period.closed_by is events[3] and not period.is_open
    assert period.why_closed == "closed by SANCTION on 2025-03"


def test_arms_supply_without_a_halt_is_open_until_it_lapses() -> None:
    events = merged(SHAHED_2022, SHAHED_2023, SHELLS_2024)
    [period] = relationship_periods(events, as_of=date(2025, 1, 18))
    assert period.is_open and period.why_closed is None and period.end == date(2024, 4, 1)
    # A year and more without a delivery: the supply has lapsed.
    [later] = relationship_periods(events, as_of=date(2025, 9, 1))
    assert not later.is_open and later.closed_by is None
    assert later.why_closed == "no new evidence after 2024-04"


def test_a_year_dated_event_counts_from_the_end_of_its_year() -> None:
    # "in 2022" may mean December 2022: a delivery in May 2023 still extends that supply.
    [period] = relationship_periods(merged(SHAHED_2022, SHAHED_2023))
    assert len(period.events) == 2


def test_condemnation_lapses_and_a_later_one_opens_a_new_period() -> None:
    first = mention("China condemned the United States' new restrictions on chips on 4 March 2024.",
                    "CHN", "USA", "ACCUSE", "2024-03-04", cameo="111", mode="disapprove", idx=1, doc="a.html")
    again = mention("Beijing again denounced Washington's chip restrictions on 20 April 2024.", "CHN", "USA",
                    "ACCUSE", "2024-04-20", cameo="111", mode="disapprove", idx=3, doc="b.html")
    months_later = mention("China criticised the United States over Taiwan arms sales on 2 December 2024.", "CHN",
                           "USA", "ACCUSE", "2024-12-02", cameo="111", mode="disapprove", idx=2, doc="c.html")
    periods = [p for p in relationship_periods(merged(first, again, months_later)) if p.state == "condemns"]
    diplomatic = [p for p in periods if p.domain == "diplomatic"]
    assert [(p.start, p.end, p.is_open) for p in diplomatic] == [
        (date(2024, 3, 4), date(2024, 4, 20), False)]
    assert diplomatic[0].label == "condemns" and diplomatic[0].why_closed == "no new evidence after 2024-04-20"
    # "Taiwan arms sales" is about arms: that condemnation is a military matter, open on its own.
    [military] = [p for p in periods if p.domain == "military"]
    assert military.start == date(2024, 12, 2) and military.is_open


def test_alleged_and_planned_events_never_open_or_close_a_period() -> None:
    alleged = mention("Ukraine's military intelligence said Iran had secretly shipped Fath-360 ballistic missiles "
                      "to Russia in August 2024.", "IRN", "RUS", "AID", "2024-08", cameo="072",
                      context=("military",), factuality="alleged", idx=5)
    planned = mention("Iran will deliver more drones to Russia next month, a senior official said.", "IRN", "RUS",
                      "AID", "2024-10", cameo="072", context=("military",), factuality="future", idx=6)
    denied_halt = mention("Iran reportedly halted drone deliveries to Russia in September 2024.", "IRN", "RUS",
                          "SANCTION", "2024-09", cameo="162", mode="discontinue", context=("human_security",),
                          factuality="alleged", idx=7)
    assert relationship_periods(merged(alleged, planned)) == []
    # An asserted supply is not ended by a report that it reportedly stopped.
    [period] = relationship_periods(merged(SHELLS_2024, denied_halt, alleged, planned))
    assert period.closed_by is None and period.is_open
    assert [e.first_report for e in period.events] == [SHELLS_2024]


def test_ceasefire_from_either_side_closes_fighting() -> None:
    shelling = mention("Russian forces shelled Kharkiv on 3 January 2024.", "RUS", "UKR", "ASSAULT", "2024-01-03",
                       cameo="194", mode="heavy-weapons", context=("military",), idx=1)
    truce = mention("Ukraine and Russia declared a ceasefire around the Zaporizhzhia plant on 10 February 2024.",
                    "UKR", "RUS", "RETREAT", "2024-02-10", cameo="0871", mode="ceasefire", context=("military",), idx=2)
    [fight] = [p for p in relationship_periods(merged(shelling, truce)) if p.state == "fights"]
    assert (fight.source, fight.target, fight.label) == ("RUS", "UKR", "fights")
    assert fight.closed_by is not None and fight.closed_by.first_report is truce
    assert fight.why_closed == "closed by RETREAT on 2024-02-10"


def test_undated_events_join_the_period_of_their_documents_date() -> None:
    undated = mention("Iranian instructors are training Russian crews to launch the drones, the report said.", "IRN",
                      "RUS", "AID", None, cameo="072", context=("military",), idx=9, published=date(2023, 8, 2))
    stray = mention("Iranian engineers have also worked on Russian drone assembly lines.", "IRN", "RUS", "AID",
                    None, cameo="072", context=("military",), idx=2, published=date(2019, 5, 1))
    [period] = relationship_periods(merged(SHAHED_2022, SHAHED_2023, undated, stray), as_of=date(2023, 9, 1))
    assert [e.first_report for e in period.events] == [SHAHED_2022, SHAHED_2023, undated]
    assert period.start == date(2022, 1, 1) and period.end == date(2023, 5, 1)


def test_nuclear_help_is_its_own_state_and_order_is_deterministic() -> None:
    fuel = mention("Russia delivered the first nuclear fuel for Iran's Bushehr power plant in December 2007.", "RUS",
                   "IRN", "AID", "2007-12", cameo="070", idx=3)
    jets = mention("Russia delivered Yak-130 training jets to Iran in September 2023, according to Iranian state "
                   "media.", "RUS", "IRN", "AID", "2023-09", cameo="072", context=("military",), idx=27)
    events = merged(fuel, jets, SHAHED_2022, SHAHED_2023, HALTED_2025)
    periods = relationship_periods(events)
    assert [(p.source, p.target, p.domain, p.label) for p in periods] == [
        ("IRN", "RUS", "military", "supplies arms to"),
        ("RUS", "IRN", "military", "supplies arms to"),
        ("RUS", "IRN", "nuclear", "supplies nuclear technology to"),
    ]
    shuffled = events[:]
    random.Random(7).shuffle(shuffled)
    assert relationship_periods(shuffled) == periods


def test_domains_come_from_context_code_and_evidence_words() -> None:
    nuclear = mention("Washington and London are concerned that Moscow has been helping Tehran's nuclear programme "
                      "in return for the missiles, according to reports in the British press last September.", "RUS",
                      "IRN", "AID", "2024-09", cameo="070", factuality="alleged", idx=30)
    # The missiles are what Russia gets in return: the help itself is nuclear, not military.
    assert domains_of(nuclear) == ("nuclear",)
    railway = mention("In 2023 Russia agreed to lend Iran 1.3 billion euros for a 162-kilometre railway between "
                      "Rasht and Astara.", "RUS", "IRN", "AID", "2023", cameo="070", idx=48)
    assert domains_of(railway) == ("economic",)
    shells = mention("North Korea has shipped more than a million artillery shells to Russia, the most detailed "
                     "account yet of an arms trade that both governments deny.", "PRK", "RUS", "AID", "2023-08",
                     cameo="072", context=("military",), factuality="alleged")
    assert domains_of(shells) == ("military",)  # an "arms trade" is not economic
    talks = mention("Putin and Pezeshkian held talks in the Kremlin on Friday.", "RUS", "IRN", "CONSULT",
                    "2025-01-17", cameo="040")
    assert domains_of(talks) == ("diplomatic",)  # verbal, nothing more specific: diplomatic
    help_ = mention("Russia has been helping Iran, the ministry said.", "RUS", "IRN", "AID", "2024-01", cameo="070")
    assert domains_of(help_) == ()  # material, about nothing named: no domain
    assert {"military", "nuclear", "economic", "diplomatic", "humanitarian", "legal", "peacekeeping"} <= {
        d.key for d in knowledge().domains}


def test_sample_corpus_has_irans_arms_supply_to_russia_from_2022(sample_store: Path) -> None:
    with open_store(sample_store, read_only=True) as store:
        mentions = dyad_mentions(store, "RUS", "IRN")
    periods = relationship_periods(merged(*mentions))
    [arms] = [p for p in periods if (p.source, p.target, p.state) == ("IRN", "RUS", "arms_supply")]
    assert arms.domain == "military" and arms.start is not None and arms.start.year == 2022
    assert any("Shahed attack drones" in e.first_report.sentence for e in arms.events)
    assert all(e.asserted for p in periods for e in p.events)
    # Russia's alleged help to Iran's nuclear programme is not a period: it is only alleged.
    assert not [p for p in periods if p.domain == "nuclear"]
