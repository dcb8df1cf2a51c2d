"""Actor resolution on real sentences: names, adjectives, demonyms, capitals and seats,
office holders by date, organisations and sector words."""

from __future__ import annotations

from datetime import date

import pytest

from nexus.actors.resolve import ActorResolver, default_matcher
from nexus.nlp.load import load_model


def actors_in(text: str, word: str, when: date | None = date(2024, 3, 14)):
    doc = load_model()(text)
    resolver = ActorResolver(default_matcher(), doc, when)
    tok = next(t for t in doc if t.text == word)
    return resolver.actors(tok)


@pytest.mark.parametrize("text, head, code, country, sector", [
    ("Russia supplied drones.", "Russia", "RUS", "RUS", None),
    ("The Russian Federation protested.", "Federation", "RUS", "RUS", None),
    ("Iranian troops crossed the border.", "troops", "IRNMIL", "IRN", "MIL"),
    ("Israeli soldiers arrested 100 people.", "soldiers", "ISRMIL", "ISR", "MIL"),
    ("Moscow denied the report.", "Moscow", "RUSGOV", "RUS", "GOV"),
    ("The Kremlin denied the report.", "Kremlin", "RUSGOV", "RUS", "GOV"),
    ("Tehran rejected the offer.", "Tehran", "IRNGOV", "IRN", "GOV"),
    ("Iran's foreign minister arrived.", "minister", "IRNGOV", "IRN", "GOV"),
    ("The government of Sudan agreed.", "government", "SDNGOV", "SDN", "GOV"),
    ("Palestinians protested.", "Palestinians", "PSE", "PSE", None),
    ("Sudanese rebels shelled the town.", "rebels", "SDNREB", "SDN", "REB"),
])
def test_countries_capitals_and_sectors(text, head, code, country, sector):
    [actor] = actors_in(text, head)
    assert (actor.code, actor.country, actor.sector) == (code, country, sector)


def test_lowercase_common_word_is_not_a_country():
    assert actors_in("They bought fine china and a turkey.", "china") == []


@pytest.mark.parametrize("text, head", [
    ("The United Nations sent aid.", "Nations"),
    ("NATO condemned the attack.", "NATO"),
    ("The IAEA sent inspectors.", "IAEA"),
])
def test_organisations_have_no_country(text, head):
    [actor] = actors_in(text, head)
    assert actor.country is None and actor.sector == "IGO"


def test_leaders_resolve_to_their_country_and_office_by_date():
    [putin] = actors_in("Vladimir Putin met the delegation.", "Putin", date(2024, 3, 14))
    assert (putin.country, putin.sector) == ("RUS", "GOV")
    [lavrov] = actors_in("Foreign Minister Sergei Lavrov spoke.", "Lavrov", date(2010, 5, 1))
    assert (lavrov.country, lavrov.sector) == ("RUS", "GOV")


def test_coordinated_modifiers_give_one_actor_each():
    actors = actors_in("Senior Hungarian and Romanian officials agreed.", "officials")
    assert {a.code for a in actors} == {"HUNGOV", "ROUGOV"}


def test_place_inside_a_person_name_is_not_the_place():
    assert actors_in("George Washington crossed the river.", "Washington") == []
