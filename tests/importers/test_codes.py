"""The code tables behind the importers: country names, CAMEO and FIPS country codes, ICEWS
sectors."""

from __future__ import annotations

from nexus.importers.codes import (
    country_by_cameo,
    country_by_fips,
    country_by_name,
    sector_by_icews,
)


def test_country_names_from_the_gazetteer_geonames_and_aliases() -> None:
    assert country_by_name("Russian Federation") == "RUS"  # the gazetteer's other names
    assert country_by_name("united states") == "USA"
    assert country_by_name("Occupied Palestinian Territory") == "PSE"  # the alias file
    assert country_by_name("Korea, North") == "PRK"
    assert country_by_name("Cote d\u2019Ivoire") == country_by_name("Cote d'Ivoire") == "CIV"
    assert country_by_name("Freedonia") is None and country_by_name("") is None


def test_cameo_country_codes() -> None:
    assert country_by_cameo("RUS") == "RUS"
    assert country_by_cameo("ROM") == "ROU" and country_by_cameo("KSV") == "XKX"
    assert country_by_cameo("EUR") is None and country_by_cameo("AFR") is None  # regions
    assert country_by_cameo("") is None


def test_fips_country_codes() -> None:
    assert [country_by_fips(c) for c in ("RS", "UP", "CH", "IS", "BK")] == ["RUS", "UKR", "CHN", "ISR", "BIH"]
    assert country_by_fips("") is None and country_by_fips("QQ") is None


def test_icews_sectors_take_the_first_listed_row() -> None:
    assert sector_by_icews("Government,Executive,Elite") == "GOV"
    assert sector_by_icews("Elite,Government") == "GOV"  # GOV is listed before ELI
    assert sector_by_icews("Military,Army") == "MIL"
    assert sector_by_icews("Parties,Rebel") == "REB"
    assert sector_by_icews("Police") == "COP"
    assert sector_by_icews("Unheard Of") is None and sector_by_icews("") is None
