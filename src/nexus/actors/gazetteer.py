"""The gazetteer: countries, capitals and seats of government, organisations, office holders and
sector words, loaded from the data files in actors/data (or a user's own files in the same
formats) into lookup tables for the matcher."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from nexus.datafiles import load_yaml

EntityKind = Literal["country", "capital", "seat", "region", "adjective", "demonym", "organisation", "person"]


@dataclass(frozen=True, slots=True)
class Entity:
    """Something a surface form can refer to."""

    kind: EntityKind
    code: str  # RUS, UNO, NATO...; for people the country or organisation code
    name: str  # canonical name
    country: str | None = None
    sector: str | None = None
    role: str | None = None  # office, for people
    start: date | None = None  # tenure, for people
    end: date | None = None
    parent: str | None = None  # the organisation a body belongs to (UN agencies: UNO)

    def in_office(self, when: date | None) -> bool:
        if when is None:
            return True
        return (self.start is None or self.start <= when) and (self.end is None or when <= self.end)


@dataclass(slots=True)
class Gazetteer:
    # Surface forms, lower-cased, to the entities they may name.
    names: dict[str, list[Entity]] = field(default_factory=lambda: defaultdict(list))
    # Acronyms and other forms that only match with exact case ("US" but not "us").
    exact: dict[str, list[Entity]] = field(default_factory=lambda: defaultdict(list))
    # Generic words that give a sector ("troops" -> MIL), lower-cased, singular and plural.
    sectors: dict[str, str] = field(default_factory=dict)
    # Country names that are also common words or first names (Jordan, Chad, Turkey): they
    # count only where the parser sees a place or a nation.
    needs_context: set[str] = field(default_factory=set)
    countries: dict[str, str] = field(default_factory=dict)  # iso3 -> name

    def add(self, surface: str, entity: Entity) -> None:
        surface = " ".join(surface.split())
        if not surface:
            return
        if _is_exact_case(surface):
            self.exact[surface].append(entity)
        else:
            self.names[surface.lower()].append(entity)

    def lookup(self, surface: str) -> list[Entity]:
        return self.exact.get(surface, []) or self.names.get(surface.lower(), [])

    def surfaces(self) -> tuple[list[str], list[str]]:
        return list(self.names), list(self.exact)


def _is_exact_case(surface: str) -> bool:
    """All-caps short forms (US, UN, EU, IS) must match with their case, or "us" would be a country."""
    letters = [c for c in surface if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(letters) <= 5


def _parse_date(value: str | None) -> date | None:
    value = (value or "").strip()
    return date.fromisoformat(value) if value else None


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def load_countries(gz: Gazetteer, rows: Iterable[dict]) -> None:
    for row in rows:
        iso3 = row["iso3"]
        name = row["name"]
        gz.countries[iso3] = name
        country = Entity("country", iso3, name, country=iso3)
        for surface in [name, *_as_list(row.get("names"))]:
            gz.add(surface, country)
        for surface in _as_list(row.get("adjectives")):
            gz.add(surface, Entity("adjective", iso3, name, country=iso3))
        for surface in _as_list(row.get("demonyms")):
            gz.add(surface, Entity("demonym", iso3, name, country=iso3))
        for surface in _as_list(row.get("capitals")):
            gz.add(surface, Entity("capital", iso3, name, country=iso3, sector="GOV"))
        seat_sectors = row.get("seat_sectors") or {}
        for surface in _as_list(row.get("seats")):
            gz.add(surface, Entity("seat", iso3, name, country=iso3, sector=seat_sectors.get(surface, "GOV")))
        if row.get("requires_context"):
            gz.needs_context.add(name.lower())


def load_organisations(gz: Gazetteer, rows: Iterable[dict]) -> None:
    for row in rows:
        entity = Entity("organisation", row["code"], row["name"], country=row.get("country") or None,
                        sector=row.get("sector") or None, parent=row.get("parent") or None)
        for surface in [row["name"], *_as_list(row.get("aliases"))]:
            gz.add(surface, entity)


def load_regions(gz: Gazetteer, rows: Iterable[dict]) -> None:
    for row in rows:
        if not row.get("country"):
            continue
        entity = Entity("region", row["country"], row["name"], country=row["country"])
        for surface in [row["name"], *_as_list(row.get("names"))]:
            gz.add(surface, entity)


def load_sectors(gz: Gazetteer, rows: Iterable[dict]) -> None:
    for row in rows:
        for word in _as_list(row.get("words")):
            gz.sectors[" ".join(word.lower().split())] = row["sector"]


def load_people(gz: Gazetteer, rows: Iterable[dict]) -> None:
    organisations = {e.code: e for entities in gz.names.values() for e in entities if e.kind == "organisation"}
    organisations |= {e.code: e for entities in gz.exact.values() for e in entities if e.kind == "organisation"}
    for row in rows:
        code = row["country"].strip()
        country = code if len(code) == 3 and code.isalpha() and code.isupper() and code in gz.countries else None
        org = organisations.get(code) if country is None else None
        # The leader of an organisation tied to one country (Hezbollah, Hamas) belongs to it too.
        entity = Entity("person", code, row["name"].strip(), country=country or (org.country if org else None),
                        sector=(row.get("sector") or "GOV").strip(), role=(row.get("role") or None),
                        start=_parse_date(row.get("start")), end=_parse_date(row.get("end")),
                        parent=org.code if org else None)
        for surface in [row["name"], *(row.get("aliases") or "").split("|")]:
            if surface.strip():
                gz.add(surface.strip(), entity)


def _read_yaml(path: Path | resources.abc.Traversable) -> list[dict]:
    return load_yaml(path.read_text(encoding="utf-8")) or []


def _read_csv(path: Path | resources.abc.Traversable) -> list[dict]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines))


def load_gazetteer(extra: Iterable[Path] = ()) -> Gazetteer:
    """The packaged gazetteer plus any user files (same formats, chosen by file name:
    *countries*.yaml, *regions*.yaml, *sectors*.yaml, *.csv for office holders, other YAML
    files for organisations)."""
    data = resources.files("nexus.actors").joinpath("data")
    gz = Gazetteer()
    load_countries(gz, _read_yaml(data / "countries.yaml"))
    if (data / "organisations.yaml").is_file():
        load_organisations(gz, _read_yaml(data / "organisations.yaml"))
    load_sectors(gz, _read_yaml(data / "sectors.yaml"))
    if (data / "regions.yaml").is_file():
        load_regions(gz, _read_yaml(data / "regions.yaml"))
    for name in ("leaders.csv", "leaders_phoenix.csv"):
        if (data / name).is_file():
            load_people(gz, _read_csv(data / name))
    for path in extra:
        path = Path(path)
        if path.suffix == ".csv":
            load_people(gz, _read_csv(path))
        elif "countr" in path.name:
            load_countries(gz, _read_yaml(path))
        elif "sector" in path.name:
            load_sectors(gz, _read_yaml(path))
        elif "region" in path.name:
            load_regions(gz, _read_yaml(path))
        else:
            load_organisations(gz, _read_yaml(path))
    return gz


@cache
def default_gazetteer() -> Gazetteer:
    return load_gazetteer()


#: The fields of countries.yaml that name a country: its names, adjectives, demonyms, capitals
#: and seats of government.
COUNTRY_SURFACE_FIELDS = ("names", "adjectives", "demonyms", "capitals", "seats")


@cache
def country_surfaces() -> dict[str, tuple[str, ...]]:
    """ISO3 -> every word the packaged gazetteer has for the country ("RUS" -> Russia, Russian,
    Russians, Moscow, Kremlin, ...), without loading the whole gazetteer."""
    data = resources.files("nexus.actors").joinpath("data")
    return {row["iso3"]: (str(row["name"]), *(s for key in COUNTRY_SURFACE_FIELDS for s in _as_list(row.get(key))))
            for row in _read_yaml(data / "countries.yaml")}


@cache
def canonical_names() -> dict[str, str]:
    """Code -> canonical name for the packaged countries and organisations ("RUS" -> "Russia"):
    labels for actor keys without loading the whole gazetteer (office holders are most of it)."""
    data = resources.files("nexus.actors").joinpath("data")
    names = {row["code"]: row["name"] for row in _read_yaml(data / "organisations.yaml")}
    names.update((row["iso3"], row["name"]) for row in _read_yaml(data / "countries.yaml"))
    return names
