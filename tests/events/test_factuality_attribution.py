"""Factuality, attribution, dates and places on real sentences (CONTRACT.md definitions)."""

from __future__ import annotations

import pytest


def only(events: list[dict], ptype: str) -> dict:
    [e] = [e for e in events if e["plover"]["type"] == ptype]
    return e


@pytest.mark.parametrize("text, ptype, factuality", [
    ("Russia supplied Iran with drones in 2022.", "AID", "asserted"),
    ("Russia did not supply Iran with drones.", "AID", "negated"),
    ("Russia has never supplied weapons to Iran.", "AID", "negated"),
    ("Russia refused to send troops to Iran.", "AID", "negated"),
    ("Russia has yet to deliver fighter jets to Iran.", "AID", "negated"),
    ("Moscow is unlikely to send troops to Iran.", "AID", "hypothetical"),
    ("Russia could supply missiles to Iran.", "AID", "hypothetical"),
    ("Russia may send military advisers to Iran if the war widens.", "AID", "hypothetical"),
    ("Russia will supply fighter jets to Iran next year.", "AID", "future"),
    ("Russia plans to deliver air-defence systems to Iran.", "AID", "future"),
    ("Russia reportedly supplied Iran with jamming equipment.", "AID", "alleged"),
    ("Washington and London are concerned that Moscow has been helping Tehran's nuclear programme.", "AID", "alleged"),
    ("Ukraine accused Russia of shelling the Zaporizhzhia plant.", "ASSAULT", "alleged"),
    ("South Korea's spy agency said North Korea had secretly shipped artillery shells to Russia.", "AID", "alleged"),
    ("Iran denied that it had supplied missiles to Russia.", "AID", "alleged"),
    ("The two governments agreed to resume talks, officials said Thursday.", None, None),
])
def test_factuality(code, text, ptype, factuality):
    events = code(text)
    if ptype is None:
        return
    assert only(events, ptype)["factuality"] == factuality, events


def test_attributed_public_act_stays_asserted(code):
    e = code("Turkey and Sweden signed a defence agreement on Monday, officials said.")[0]
    assert e["factuality"] == "asserted"
    assert e["attribution"]["text"] == "officials"


def test_attribution_names_the_speaker(code):
    e = only(code("North Korea has shipped artillery shells to Russia since August, "
                  "South Korea's spy agency said."), "AID")
    assert e["attribution"]["text"] == "South Korea's spy agency"
    assert e["attribution"]["country"] == "KOR"
    assert e["factuality"] == "alleged"
    e = only(code("Russia delivered Yak-130 jets to Iran, according to Iranian state media."), "AID")
    assert "Iranian state media" in e["attribution"]["text"] and e["factuality"] == "asserted"


def test_stated_plan_is_an_asserted_agree(code):
    events = code("Syria says it is willing to withdraw its troops from Lebanon.")
    assert only(events, "AGREE")["factuality"] == "asserted"
    assert only(events, "RETREAT")["factuality"] == "future"


def test_dates(code):
    # published on Thursday 2024-03-14
    assert only(code("Israeli soldiers arrested 20 Palestinians on Saturday."), "COERCE")["date"]["value"] == "2024-03-09"
    e = only(code("Russia supplied Iran with drones in 2022."), "AID")
    assert e["date"] == {"value": "2022", "precision": "year", "basis": "text"}
    e = only(code("Russia supplied Iran with drones."), "AID")
    assert e["date"] == {"value": "2024-03-14", "precision": "day", "basis": "publication"}
    e = only(code("Russia supplied Iran with drones.", date=None), "AID")
    assert e["date"]["basis"] == "unknown"


def test_places(code):
    e = only(code("Israeli tanks shelled positions near Rafah on Monday."), "ASSAULT")
    assert e["target"]["country"] == "PSE"
    e = only(code("Iraqi troops attacked Islamic State fighters in Mosul."), "ASSAULT")
    assert e["location"]["name"] == "Mosul" and e["location"]["country"] == "IRQ"
    assert abs(e["location"]["lat"] - 36.34) < 0.1


def test_citing_a_reason_is_not_a_speaker(code):
    # "citing threats ..." gives the reason for the act; "citing officials" names who says so
    e = only(code("India banned 59 Chinese apps on Monday, citing threats to national security."), "COERCE")
    assert e["attribution"] is None and e["factuality"] == "asserted"
    e = only(code("Russia shelled Kharkiv on Monday, citing Ukrainian officials."), "ASSAULT")
    assert e["attribution"]["text"] == "Ukrainian officials" and e["attribution"]["country"] == "UKR"


def test_a_past_clause_of_time_states_its_own_fact(code):
    # the promise in the main clause does not make the "when" clause a plan
    events = code("When Israel struck Iranian air defences on 26 October 2024, Moscow offered words of concern.",
                  date="2025-01-18")
    e = only(events, "ASSAULT")
    assert e["factuality"] == "asserted" and e["date"]["value"] == "2024-10-26"
    e = only(code("When Israel strikes Iran, Russia will send aid to Iran."), "AID")
    assert e["factuality"] == "future"
