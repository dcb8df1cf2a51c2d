"""GDELT event tables (GDELT 1.0 and 2.0): tab-separated, no header, one event per line.

The layout is told by the number of columns, after the GDELT 1.0 and 2.0 event codebooks:

- 57: GDELT 1.0 historical backfiles (yearly from 1979, then monthly): up to DATEADDED, no
  SOURCEURL;
- 58: GDELT 1.0 daily files (from April 2013): the same plus SOURCEURL;
- 61: GDELT 2.0 (15-minute files, from February 2015): each of the three geographies has an
  ADM2Code after its ADM1Code, then DATEADDED (YYYYMMDDHHMMSS) and SOURCEURL.

GDELT codes actors with CAMEO actor codes (RUSGOV, IGOUNO), their country as a CAMEO country
code and their geography with FIPS 10-4 country codes; Nexus keeps the actor code, and turns
both kinds of country code into ISO 3166-1 alpha-3.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date

from nexus.events.model import Location
from nexus.importers.codes import country_by_cameo, country_by_fips
from nexus.importers.common import Dataset, Row, RowError, actor

_ACTOR = ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
          "Religion2Code", "Type1Code", "Type2Code", "Type3Code")
_EVENT = ("IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
          "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone")
_GEO_1 = ("Type", "FullName", "CountryCode", "ADM1Code", "Lat", "Long", "FeatureID")
_GEO_2 = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")


def _layout(geo: tuple[str, ...], tail: tuple[str, ...]) -> tuple[str, ...]:
    return ("GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
            *(f"Actor1{c}" for c in _ACTOR), *(f"Actor2{c}" for c in _ACTOR), *_EVENT,
            *(f"Actor1Geo_{c}" for c in geo), *(f"Actor2Geo_{c}" for c in geo),
            *(f"ActionGeo_{c}" for c in geo), *tail)


#: Column names in file order, by number of columns: (dataset, names).
LAYOUTS: dict[int, tuple[str, tuple[str, ...]]] = {
    57: ("gdelt1", _layout(_GEO_1, ("DATEADDED",))),
    58: ("gdelt1", _layout(_GEO_1, ("DATEADDED", "SOURCEURL"))),
    61: ("gdelt2", _layout(_GEO_2, ("DATEADDED", "SOURCEURL"))),
}
#: Column positions by name, per layout.
_INDEX: dict[int, dict[str, int]] = {
    n: {name: i for i, name in enumerate(names)} for n, (_, names) in LAYOUTS.items()}
assert all(len(names) == n for n, (_, names) in LAYOUTS.items())


def read_rows(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, Row | RowError]]:
    """GDELT rows from numbered lines; blank lines are skipped."""
    for number, line in lines:
        if not line.strip():
            continue
        try:
            yield number, _row(line.split("\t"))
        except RowError as exc:
            yield number, exc


def _row(cols: list[str]) -> Row:
    if len(cols) not in LAYOUTS:
        raise RowError(f"{len(cols)} tab-separated columns; a GDELT event table has 57 or 58 "
                       "(GDELT 1.0) or 61 (GDELT 2.0)")
    dataset, _ = LAYOUTS[len(cols)]
    at = _INDEX[len(cols)]

    def get(name: str) -> str:
        return cols[at[name]].strip()

    event_id = get("GLOBALEVENTID")
    if not event_id.isdigit():
        raise RowError(f"GLOBALEVENTID {event_id!r} is not a number")
    day = _day(get("SQLDATE"))
    sides = []
    for n in ("1", "2"):
        sides.append(actor(get(f"Actor{n}Name") or None, get(f"Actor{n}Code") or None,
                           country_by_cameo(get(f"Actor{n}CountryCode")),
                           get(f"Actor{n}Type1Code") or None))
    url = get("SOURCEURL") if "SOURCEURL" in at else ""
    extra: dict[str, object] = {"is_root_event": get("IsRootEvent") == "1"}
    for name, key in (("NumMentions", "num_mentions"), ("NumSources", "num_sources"),
                      ("NumArticles", "num_articles")):
        if get(name).isdigit():
            extra[key] = int(get(name))
    if url:
        extra["url"] = url
    return Row(origin=dataset, origin_id=event_id, event_id=f"{dataset}-{event_id}",
               cameo=get("EventCode"), day=day, source=sides[0], target=sides[1],
               sentence=url, location=_place(get), goldstein=_number(get("GoldsteinScale")),
               quad_class=_quad(get("QuadClass")), extra=extra)


def _day(value: str) -> date:
    try:
        if len(value) != 8:
            raise ValueError
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise RowError(f"SQLDATE {value!r} is not a date YYYYMMDD") from None


def _number(value: str) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise RowError(f"{value!r} is not a number") from None


def _quad(value: str) -> int | None:
    if not value:
        return None
    if value not in {"1", "2", "3", "4"}:
        raise RowError(f"QuadClass {value!r} is not 1 to 4")
    return int(value)


def _place(get: Callable[[str], str]) -> Location | None:
    """Where the action took place (GDELT's ActionGeo), when GDELT resolved it."""
    name = get("ActionGeo_FullName")
    if get("ActionGeo_Type") in {"", "0"} and not name:
        return None
    lat, lon = _coordinate(get("ActionGeo_Lat")), _coordinate(get("ActionGeo_Long"))
    return Location(name=name, country=country_by_fips(get("ActionGeo_CountryCode")),
                    lat=lat, lon=lon)


def _coordinate(value: str) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        raise RowError(f"coordinate {value!r} is not a number") from None


DATASET = Dataset(name="gdelt", title="GDELT", read_rows=read_rows)
