"""Checks on the gazetteer data files in src/nexus/actors/data: they load, follow their formats,
agree with each other, and have the facts analysts lean on most."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from datetime import date
from functools import cache
from importlib import resources

import pytest

from nexus.datafiles import load_yaml

DATA = resources.files("nexus.actors").joinpath("data")
LEADER_COLUMNS = ["name", "aliases", "country", "sector", "role", "start", "end", "source"]
ROLES = {"head_of_state", "head_of_government", "foreign_minister", "defence_minister",
         "head_of_organisation", "other"}
ORG_SECTORS = {"IGO", "NGO", "IMG", "REB", "PTY", "MNC", "PRM", "MED", "GOV", "MIL", "SPY", "COP"}
TODAY = date(2026, 11, 25)

UN_MEMBERS = set("""
AFG ALB DZA AND AGO ATG ARG ARM AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ BEN BTN BOL BIH BWA BRA
BRN BGR BFA BDI CPV KHM CMR CAN CAF TCD CHL CHN COL COM COG CRI CIV HRV CUB CYP CZE PRK COD DNK
DJI DMA DOM ECU EGY SLV GNQ ERI EST SWZ ETH FJI FIN FRA GAB GMB GEO DEU GHA GRC GRD GTM GIN GNB
GUY HTI HND HUN ISL IND IDN IRN IRQ IRL ISR ITA JAM JPN JOR KAZ KEN KIR KWT KGZ LAO LVA LBN LSO
LBR LBY LIE LTU LUX MDG MWI MYS MDV MLI MLT MHL MRT MUS MEX FSM MCO MNG MNE MAR MOZ MMR NAM NRU
NPL NLD NZL NIC NER NGA MKD NOR OMN PAK PLW PAN PNG PRY PER PHL POL PRT QAT KOR MDA ROU RUS RWA
KNA LCA VCT WSM SMR STP SAU SEN SRB SYC SLE SGP SVK SVN SLB SOM ZAF SSD ESP LKA SDN SUR SWE CHE
SYR TJK THA TLS TGO TON TTO TUN TUR TKM TUV UGA UKR ARE GBR TZA USA URY UZB VUT VEN VNM YEM ZMB
ZWE""".split())
OTHER_STATES = {"VAT", "PSE", "TWN", "XKX", "ESH", "HKG", "SUN", "YUG", "CSK", "DDR"}

# Countries whose news coverage the leader file must carry (brief of the gazetteer task).
COVERED = """USA RUS CHN GBR FRA DEU IRN ISR UKR TUR IND PAK JPN KOR PRK SAU EGY SYR IRQ AFG ITA
ESP POL CAN AUS BRA MEX ARG VEN CUB ZAF NGA ETH KEN SDN QAT ARE JOR LBN ARM AZE BLR HUN SRB
TWN IDN PHL VNM""".split()

# Words that mark a title, which must not start an alias (the resolver strips titles itself).
TITLE_WORDS = {"president", "prime", "king", "queen", "prince", "princess", "sheikh", "emir",
               "emperor", "lord", "lady", "sir", "dr", "dr.", "general", "marshal", "imam",
               "ayatollah", "sayyed", "sayyid", "chancellor", "minister", "secretary", "crown"}


def _yaml(name: str):
    return load_yaml(DATA.joinpath(name).read_text(encoding="utf-8"))


def _csv(name: str) -> tuple[list[str], list[dict[str, str]]]:
    lines = [ln for ln in DATA.joinpath(name).read_text(encoding="utf-8").splitlines()
             if not ln.startswith("#")]
    reader = csv.DictReader(lines)
    return list(reader.fieldnames or []), list(reader)


@cache
def countries() -> list[dict]:
    return _yaml("countries.yaml")


@cache
def organisations() -> list[dict]:
    return _yaml("organisations.yaml")


@cache
def sectors() -> list[dict]:
    return _yaml("sectors.yaml")


@cache
def leaders() -> list[dict[str, str]]:
    return _csv("leaders.csv")[1]


def _day(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _surfaces(entry: dict) -> list[str]:
    return [entry["name"], *entry["names"], *entry["adjectives"], *entry["demonyms"],
            *entry["capitals"], *entry["seats"]]


def test_every_file_has_a_source_header():
    for name in ("countries.yaml", "organisations.yaml", "sectors.yaml", "leaders.csv",
                 "leaders_phoenix.csv"):
        head = DATA.joinpath(name).read_text(encoding="utf-8")[:1500].lower()
        assert head.startswith("#"), name
        assert "source" in head and ("public record" in head or "mit" in head), name
    assert DATA.joinpath("SOURCES.md").is_file()


# ---------------------------------------------------------------- countries.yaml

def test_countries_format():
    required = {"iso3", "name", "names", "adjectives", "demonyms", "capitals", "seats"}
    optional = {"seat_sectors", "requires_context"}
    known_sectors = {s["sector"] for s in sectors()}
    for entry in countries():
        assert required <= set(entry) <= required | optional, entry.get("iso3")
        assert re.fullmatch(r"[A-Z]{3}", entry["iso3"]), entry["iso3"]
        for key in required - {"iso3", "name"}:
            assert isinstance(entry[key], list), (entry["iso3"], key)
            assert all(isinstance(s, str) and s.strip() == s and s for s in entry[key]), (entry["iso3"], key)
        for seat, sector in (entry.get("seat_sectors") or {}).items():
            assert seat in entry["seats"] and sector in known_sectors, (entry["iso3"], seat)
        if "requires_context" in entry:
            assert entry["requires_context"] is True


def test_countries_are_complete_and_unique():
    codes = Counter(e["iso3"] for e in countries())
    assert not [c for c, n in codes.items() if n > 1]
    assert UN_MEMBERS <= set(codes), sorted(UN_MEMBERS - set(codes))
    assert len(UN_MEMBERS) == 193
    assert OTHER_STATES <= set(codes)


def test_every_un_member_has_an_adjective_and_a_demonym_or_plural():
    # Dominica's adjective is "Dominican", which belongs to the Dominican Republic.
    missing = [e["iso3"] for e in countries() if e["iso3"] in UN_MEMBERS and not e["adjectives"]]
    assert missing == ["DMA"]


def test_a_surface_form_names_one_country_only():
    owner: dict[str, set[str]] = defaultdict(set)
    for entry in countries():
        for surface in _surfaces(entry):
            owner[surface].add(entry["iso3"])
    assert {s: o for s, o in owner.items() if len(o) > 1} == {}


def test_requires_context_is_kept_tiny():
    flagged = {e["name"] for e in countries() if e.get("requires_context")}
    assert flagged == {"Jordan", "Chad", "Georgia", "Turkey"}


@pytest.mark.parametrize("surface, iso3", [
    ("U.S.", "USA"), ("America", "USA"), ("Britain", "GBR"), ("Britons", "GBR"),
    ("Kremlin", "RUS"), ("White House", "USA"), ("Elysee", "FRA"), ("Zhongnanhai", "CHN"),
    ("Emirati", "ARE"), ("Ivorian", "CIV"), ("Burkinabe", "BFA"), ("Filipino", "PHL"),
    ("Dutch", "NLD"), ("Swiss", "CHE"), ("Saudi", "SAU"), ("Israelis", "ISR"),
    ("Palestinians", "PSE"), ("Zaire", "COD"), ("Soviet", "SUN"), ("Yugoslavia", "YUG"),
    ("East Germany", "DDR"), ("Czechoslovakia", "CSK"), ("Kyiv", "UKR"), ("Türkiye", "TUR"),
])
def test_key_surface_forms(surface, iso3):
    owners = [e["iso3"] for e in countries() if surface in _surfaces(e)]
    assert owners == [iso3]


def test_pentagon_is_military():
    usa = next(e for e in countries() if e["iso3"] == "USA")
    assert usa["seat_sectors"]["Pentagon"] == "MIL"
    assert usa["seat_sectors"].get("White House", "GOV") == "GOV"


# ---------------------------------------------------------------- organisations.yaml

def test_organisations_format_and_references():
    iso = {e["iso3"] for e in countries()}
    codes = Counter(o["code"] for o in organisations())
    assert not [c for c, n in codes.items() if n > 1]
    for org in organisations():
        assert set(org) == {"code", "name", "aliases", "sector", "country", "parent"}, org["code"]
        assert re.fullmatch(r"[A-Z0-9]{2,12}", org["code"]), org["code"]
        assert org["code"] not in iso, f"{org['code']} clashes with an ISO code"
        assert org["sector"] in ORG_SECTORS, org["code"]
        assert org["country"] is None or org["country"] in iso, org["code"]
        assert org["parent"] is None or org["parent"] in codes, org["code"]
        assert isinstance(org["aliases"], list) and all(isinstance(a, str) and a for a in org["aliases"])
    assert len(organisations()) >= 80


def test_organisation_aliases_are_unique_and_not_country_names():
    country_forms = {s for e in countries() for s in _surfaces(e)}
    owner: dict[str, set[str]] = defaultdict(set)
    for org in organisations():
        for alias in [org["name"], *org["aliases"]]:
            owner[alias].add(org["code"])
    assert {a: o for a, o in owner.items() if len(o) > 1} == {}
    assert sorted(set(owner) & country_forms) == []


@pytest.mark.parametrize("alias, code, sector, country, parent", [
    ("U.N.", "UNO", "IGO", None, None), ("European Union", "EUR", "IGO", None, None),
    ("European Commission", "EUR", "IGO", None, None), ("NATO", "NATO", "IGO", None, None),
    ("IAEA", "IAEA", "IGO", None, "UNO"), ("UN Security Council", "UNSC", "IGO", None, "UNO"),
    ("African Union", "AFU", "IGO", None, None), ("World Bank", "WBK", "IGO", None, None),
    ("Hamas", "HAMAS", "REB", "PSE", None), ("Hezbollah", "HEZBOLLAH", "REB", "LBN", None),
    ("Houthis", "HOUTHIS", "REB", "YEM", None), ("Taliban", "TALIBAN", "REB", "AFG", None),
    ("ISIS", "ISIS", "IMG", None, None), ("Rapid Support Forces", "RSF", "PRM", "SDN", None),
    ("Wagner Group", "WAGNER", "PRM", "RUS", None), ("Red Cross", "ICRC", "NGO", None, None),
])
def test_key_organisations(alias, code, sector, country, parent):
    [org] = [o for o in organisations() if alias in o["aliases"] or alias == o["name"]]
    assert (org["code"], org["sector"], org["country"], org["parent"]) == (code, sector, country, parent)


# ---------------------------------------------------------------- sectors.yaml

def test_sectors_format():
    expected = set("GOV MIL COP JUD LEG REB OPP PTY SPY BUS MED JRN EDU REL LAB AGR CVL REF CRM ELI UAF".split())
    assert {s["sector"] for s in sectors()} == expected
    words = Counter(w for s in sectors() for w in s["words"])
    assert [w for w, n in words.items() if n > 1] == []
    assert all(isinstance(w, str) and w == w.lower() and w.strip() == w for w in words)
    assert 200 <= len(words) <= 400


@pytest.mark.parametrize("word, sector", [
    ("soldiers", "MIL"), ("troops", "MIL"), ("rebels", "REB"), ("foreign minister", "GOV"),
    ("police", "COP"), ("gunmen", "UAF"), ("refugees", "REF"), ("lawmakers", "LEG"),
])
def test_key_sector_words(word, sector):
    assert [s["sector"] for s in sectors() if word in s["words"]] == [sector]


# ---------------------------------------------------------------- leaders.csv, leaders_phoenix.csv

@pytest.mark.parametrize("name", ["leaders.csv", "leaders_phoenix.csv"])
def test_leader_files_format(name):
    columns, rows = _csv(name)
    assert columns == LEADER_COLUMNS
    iso = {e["iso3"] for e in countries()}
    orgs = {o["code"] for o in organisations()}
    known_sectors = {s["sector"] for s in sectors()} | ORG_SECTORS
    assert rows
    for row in rows:
        where = f"{name}: {row['name']} {row['start']}"
        assert row["name"].strip() == row["name"] and row["name"], where
        assert row["country"] in iso or row["country"] in orgs, where
        assert row["sector"] in known_sectors, where
        assert row["role"] in ROLES, where
        start, end = _day(row["start"]), _day(row["end"])  # raises on a malformed date
        assert start is not None or end is not None, where
        if start and end:
            assert start <= end, where
        assert (start or end) <= TODAY, where
        assert row["source"], where
        assert all(a.strip() == a and a for a in row["aliases"].split("|") if row["aliases"]), where


def test_hand_compiled_aliases_carry_no_titles():
    titled = [(r["name"], a) for r in leaders() for a in r["aliases"].split("|")
              if a and a.split()[0].lower() in TITLE_WORDS]
    assert titled == []


def test_no_duplicate_leader_rows():
    keys = Counter((r["name"], r["country"], r["role"], r["start"]) for r in leaders())
    assert [k for k, n in keys.items() if n > 1] == []


def holders(country: str, role: str, when: date) -> set[str]:
    found = set()
    for row in leaders():
        if row["country"] == country and row["role"] == role:
            start, end = _day(row["start"]), _day(row["end"]) or TODAY
            if start <= when <= end:
                found.add(row["name"])
    return found


@pytest.mark.parametrize("country, role, when, name", [
    ("USA", "head_of_state", date(2022, 6, 1), "Joe Biden"),
    ("USA", "head_of_state", date(2025, 1, 19), "Joe Biden"),
    ("USA", "head_of_state", date(2025, 1, 21), "Donald Trump"),
    ("USA", "head_of_state", date(2018, 6, 1), "Donald Trump"),
    ("USA", "foreign_minister", date(2025, 6, 1), "Marco Rubio"),
    ("IRN", "head_of_government", date(2024, 5, 1), "Ebrahim Raisi"),
    ("IRN", "head_of_government", date(2024, 8, 1), "Masoud Pezeshkian"),
    ("IRN", "head_of_state", date(2024, 8, 1), "Ali Khamenei"),
    ("DEU", "head_of_government", date(2023, 1, 1), "Olaf Scholz"),
    ("DEU", "head_of_government", date(2025, 6, 1), "Friedrich Merz"),
    ("GBR", "head_of_government", date(2024, 8, 1), "Keir Starmer"),
    ("GBR", "head_of_government", date(2024, 7, 1), "Rishi Sunak"),
    ("RUS", "foreign_minister", date(2004, 3, 10), "Sergei Lavrov"),
    ("RUS", "foreign_minister", date(2025, 1, 1), "Sergei Lavrov"),
    ("RUS", "defence_minister", date(2020, 1, 1), "Sergei Shoigu"),
    ("RUS", "defence_minister", date(2024, 6, 1), "Andrei Belousov"),
    ("RUS", "head_of_state", date(2010, 1, 1), "Dmitry Medvedev"),
    ("RUS", "head_of_government", date(2010, 1, 1), "Vladimir Putin"),
    ("CHN", "foreign_minister", date(2020, 1, 1), "Wang Yi"),
    ("CHN", "foreign_minister", date(2023, 3, 1), "Qin Gang"),
    ("CHN", "foreign_minister", date(2024, 1, 1), "Wang Yi"),
    ("TUR", "head_of_government", date(2010, 1, 1), "Recep Tayyip Erdoğan"),
    ("TUR", "head_of_state", date(2020, 1, 1), "Recep Tayyip Erdoğan"),
    ("ISR", "head_of_government", date(2024, 1, 1), "Benjamin Netanyahu"),
    ("UKR", "head_of_state", date(2023, 1, 1), "Volodymyr Zelensky"),
    ("SYR", "head_of_state", date(2020, 1, 1), "Bashar al-Assad"),
    ("SYR", "head_of_state", date(2025, 6, 1), "Ahmed al-Sharaa"),
    ("UNO", "head_of_organisation", date(2005, 1, 1), "Kofi Annan"),
    ("UNO", "head_of_organisation", date(2024, 1, 1), "António Guterres"),
    ("NATO", "head_of_organisation", date(2020, 1, 1), "Jens Stoltenberg"),
    ("NATO", "head_of_organisation", date(2025, 1, 1), "Mark Rutte"),
    ("EUR", "head_of_organisation", date(2022, 1, 1), "Ursula von der Leyen"),
    ("IAEA", "head_of_organisation", date(2023, 1, 1), "Rafael Grossi"),
])
def test_key_office_holders(country, role, when, name):
    assert name in holders(country, role, when)


def test_raisi_died_in_office():
    [raisi] = [r for r in leaders() if r["name"] == "Ebrahim Raisi"]
    assert raisi["end"] == "2024-05-19"
    assert [r["start"] for r in leaders() if r["name"] == "Masoud Pezeshkian"] == ["2024-07-28"]


def test_surnames_resolve_only_where_distinctive():
    aliases = {a for r in leaders() for a in r["aliases"].split("|")}
    assert {"Putin", "Lavrov", "Erdogan", "Zelensky"} <= aliases
    assert not aliases & {"Lee", "Kim", "Khan", "Ali", "Singh", "Wang", "Li", "Park", "Abdullah"}


@pytest.mark.parametrize("country", COVERED)
def test_leaders_cover_the_most_reported_countries(country):
    """A head of state or government on every sampled day since 1980 (since independence for
    post-Soviet states), and foreign and defence ministers on nearly every sampled day since
    2000 (Jordan's prime minister holds the defence portfolio; a few gaps are known)."""
    first = {"RUS": 1992, "UKR": 1992, "ARM": 1992, "AZE": 1992, "BLR": 1992, "SRB": 1990}.get(country, 1980)
    days = [date(y, m, 1) for y in range(first, 2026) for m in (1, 7)]
    leader_gaps = [d for d in days if not (holders(country, "head_of_state", d)
                                            | holders(country, "head_of_government", d))]
    assert len(leader_gaps) <= 2, leader_gaps  # Iraq under the CPA, 2003-2004
    for role in ("foreign_minister", "defence_minister"):
        if country == "JOR" and role == "defence_minister":
            continue
        days = [date(y, m, 1) for y in range(2000, 2026) for m in (1, 7)]
        covered = sum(1 for d in days if holders(country, role, d))
        assert covered / len(days) >= 0.45, (role, covered, len(days))
