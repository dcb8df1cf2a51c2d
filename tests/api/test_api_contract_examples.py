"""The factuality examples CONTRACT.md itself gives, coded through nexus.code_text.

Each case is a sentence built on a phrase the contract quotes, checked as a regression test."""

from __future__ import annotations

import pytest

import nexus


def _events(text: str, ptype: str, source: str, target: str | None):
    found = [e for e in nexus.code_text(text, date="2023-09-14")
             if e.plover.type == ptype and e.source and e.source.country == source
             and ((e.target.country if e.target else None) == target)]
    assert found, f"no {source}->{target} {ptype} in {text!r}"
    return found


def test_spy_agency_claim_is_alleged_with_attribution():
    text = ("North Korea has shipped more than a million artillery shells to Russia since August, "
            "South Korea's spy agency said.")
    (e,) = _events(text, "AID", "PRK", "RUS")
    assert e.factuality == "alleged"
    assert e.attribution is not None and e.attribution.country == "KOR"
    assert e.date.value == "2023-08" and e.date.basis == "text"


@pytest.mark.parametrize("text", [
    "Iran reportedly supplied drones to Russia.",
    "Iran denied that it had supplied drones to Russia.",
    "The United States accused Iran of supplying drones to Russia.",
])
def test_claims_and_denials_are_alleged(text: str):
    assert {e.factuality for e in _events(text, "AID", "IRN", "RUS")} == {"alleged"}


def test_accusation_itself_is_asserted():
    (e,) = _events("The United States accused Iran of supplying drones to Russia.", "ACCUSE", "USA", "IRN")
    assert e.factuality == "asserted"


def test_offer_to_mediate_is_an_asserted_agree():
    events = _events("Chinese President Xi Jinping offered to mediate between Russia and Ukraine.",
                     "AGREE", "CHN", "RUS")
    assert {e.factuality for e in events} == {"asserted"}


def test_unlikely_to_offer_aid_is_hypothetical():
    events = _events("Germany is unlikely to offer aid to Niger.", "AID", "DEU", "NER")
    assert {e.factuality for e in events} == {"hypothetical"}


def test_will_is_future_and_could_is_hypothetical():
    assert {e.factuality for e in _events("Russia will deliver more S-400 missile systems to India next year.",
                                          "AID", "RUS", "IND")} == {"future"}
    assert {e.factuality for e in _events("Israel could strike Iranian nuclear facilities if talks fail.",
                                          "ASSAULT", "ISR", "IRN")} == {"hypothetical"}


def test_negated_aid_is_never_asserted():
    events = nexus.code_text("Germany did not send tanks to Ukraine.")
    assert events and all(e.factuality != "asserted" for e in events)
    assert any(e.plover.type == "AID" and e.factuality == "negated" for e in events)


def test_unlikely_to_offer_aid_stays_hypothetical_with_attribution():
    """Regression: a trailing ", diplomats said." used to flip "unlikely to" from hypothetical to future."""
    events = _events("Germany is unlikely to offer aid to Niger, diplomats said.", "AID", "DEU", "NER")
    assert {e.factuality for e in events} == {"hypothetical"}


def test_two_sides_agreed_is_a_directed_agree():
    """Regression: the coordinated subject used to give ARM->None and AZE->None only."""
    events = _events("Armenia and Azerbaijan agreed to resume talks, officials said Thursday.", "AGREE", "ARM", "AZE")
    assert all(e.factuality == "asserted" and e.attribution is not None for e in events)


def test_concerned_that_is_alleged():
    events = _events("Washington is concerned that Iran has been helping Russia.", "AID", "IRN", "RUS")
    assert {e.factuality for e in events} == {"alleged"}


def test_did_not_commit_to_help_is_negated():
    events = _events("China did not commit to help Russia.", "AID", "CHN", "RUS")
    assert {e.factuality for e in events} == {"negated"}
