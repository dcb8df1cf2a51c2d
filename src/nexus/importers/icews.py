"""ICEWS coded event files: tab-separated with a header row, one event per line.

Columns are found by their header names (as in the ICEWS Coded Event Data on the Harvard
Dataverse, doi:10.7910/DVN/28075): Event ID, Event Date, Source Name, Source Sectors, Source
Country, Event Text, CAMEO Code, Intensity, Target Name, Target Sectors, Target Country,
Story ID, Sentence Number, Publisher, City, District, Province, Country, Latitude, Longitude.
Only Event ID, Event Date and CAMEO Code are required.

ICEWS names countries ("Russian Federation") and lists sectors by name ("Government,
Executive"); Nexus maps them to ISO3 and sector codes (nexus.importers.codes), and builds the
actor code as CAMEO does: country then sector (RUSGOV). An Event ID can repeat on another day
(a known quirk of the data), so Nexus's event id is the Event ID with its date.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from datetime import date

from nexus.actors.model import Actor
from nexus.events.model import Location
from nexus.importers.codes import country_by_name, sector_by_icews
from nexus.importers.common import Dataset, FileError, Row, RowError, actor

DATASET_NAME = "icews"
REQUIRED = ("Event ID", "Event Date", "CAMEO Code")


def read_rows(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, Row | RowError]]:
    """ICEWS rows from numbered lines: the first non-blank line is the header."""
    index: dict[str, int] | None = None
    for number, line in lines:
        if not line.strip():
            continue
        cols = _split(line)
        if index is None:
            index = {name.strip(): i for i, name in enumerate(cols)}
            missing = [name for name in REQUIRED if name not in index]
            if missing:
                raise FileError(f"line {number}: not an ICEWS header (no column "
                                f"{', '.join(repr(m) for m in missing)})")
            continue
        if len(cols) != len(index):
            yield number, RowError(f"{len(cols)} tab-separated columns, the header has "
                                   f"{len(index)}")
            continue
        try:
            yield number, _row(cols, index)
        except RowError as exc:
            yield number, exc


def _split(line: str) -> list[str]:
    # Plain tabs as a rule; some copies quote their fields (Dataverse's .tab exports).
    if '"' not in line:
        return line.split("\t")
    return next(csv.reader([line], delimiter="\t"))


Getter = Callable[[str], str]


def _row(cols: list[str], index: dict[str, int]) -> Row:
    def get(name: str) -> str:
        i = index.get(name)
        return cols[i].strip() if i is not None else ""

    event_id = get("Event ID")
    if not event_id:
        raise RowError("no Event ID")
    try:
        day = date.fromisoformat(get("Event Date"))
    except ValueError:
        raise RowError(f"Event Date {get('Event Date')!r} is not a date YYYY-MM-DD") from None
    extra: dict[str, object] = {}
    for name, key in (("Story ID", "story_id"), ("Sentence Number", "sentence_number"),
                      ("Publisher", "publisher")):
        if get(name):
            extra[key] = get(name)
    if get("Intensity"):
        try:
            extra["intensity"] = float(get("Intensity"))  # ICEWS's own scale, kept beside Goldstein
        except ValueError:
            raise RowError(f"Intensity {get('Intensity')!r} is not a number") from None
    unknown = tuple(name for name in (get(f"{c}Country") for c in ("Source ", "Target ", ""))
                    if name and country_by_name(name) is None)
    return Row(origin=DATASET_NAME, origin_id=event_id,
               event_id=f"{DATASET_NAME}-{event_id}-{day.isoformat()}", cameo=get("CAMEO Code"),
               day=day, source=_actor(get, "Source"), target=_actor(get, "Target"),
               sentence=get("Event Text"), location=_place(get), extra=extra,
               unknown_countries=unknown)


def _actor(get: Getter, side: str) -> Actor | None:
    name = get(f"{side} Name") or None
    country = country_by_name(get(f"{side} Country"))
    sector = sector_by_icews(get(f"{side} Sectors"))
    code = f"{country or ''}{sector or ''}" or None
    return actor(name, code, country, sector)


def _place(get: Getter) -> Location | None:
    """The most precise place named: city, else district, province or country."""
    name = next((get(c) for c in ("City", "District", "Province", "Country") if get(c)), "")
    lat, lon = (_coordinate(get(c)) for c in ("Latitude", "Longitude"))
    if not name and lat is None:
        return None
    return Location(name=name, country=country_by_name(get("Country")), lat=lat, lon=lon)


def _coordinate(value: str) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        raise RowError(f"coordinate {value!r} is not a number") from None


DATASET = Dataset(name=DATASET_NAME, title="ICEWS", read_rows=read_rows)
