"""ICEWS coded event files into the store: columns by header name, country names and sectors
to codes, the Event ID that repeats on another day, zipped and quoted files, bad rows."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from event_datasets import ICEWS_COLUMNS, ICEWS_EVENTS, rows, write_icews

from nexus.documents import ReadProblem
from nexus.importers import DATASETS, import_files
from nexus.store import Store

ICEWS = DATASETS["icews"]


def _events(store: Store) -> dict[str, dict]:
    return {r["event_id"]: r for r in rows(store.con, "SELECT * FROM events")}


@pytest.mark.parametrize("zipped", [False, True])
def test_icews_rows_map_to_events(store: Store, problems: list[ReadProblem], tmp_path: Path,
                                  zipped: bool) -> None:
    path = write_icews(tmp_path / ("events.2014.tab" + (".zip" if zipped else "")), zipped=zipped)
    stats = import_files(store, ICEWS, [path], on_problem=problems.append)
    assert (stats.files, stats.rows, stats.added, stats.statements, stats.bad) == (1, 8, 5, 1, 2)
    events = _events(store)
    assert set(events) == {"icews-21283001-2014-03-01", "icews-21283002-2014-03-02",
                           "icews-21283003-2014-03-06", "icews-21283004-2014-03-07",
                           "icews-21283001-2014-03-09"}

    putin = events["icews-21283001-2014-03-01"]
    assert (putin["origin"], putin["origin_id"]) == ("icews", "21283001")
    assert (putin["source_text"], putin["source_code"], putin["source_country"], putin["source_sector"]) \
        == ("Vladimir Putin", "RUSGOV", "RUS", "GOV")  # "Russian Federation"; Government first
    assert (putin["target_code"], putin["target_country"], putin["target_sector"]) == ("UKR", "UKR", None)
    assert (putin["cameo_code"], putin["plover_type"], putin["plover_mode"]) == ("138", "THREATEN", "violence")
    assert (putin["goldstein"], putin["quad_class"]) == (-7.0, 3)
    assert putin["sentence"] == "Threaten with military force"  # the Event Text
    assert putin["event_date"] == date(2014, 3, 1) and putin["factuality"] == "asserted"
    assert (putin["location_name"], putin["location_country"], putin["lat"], putin["lon"]) \
        == ("Moscow", "RUS", 55.7522, 37.6156)

    protest = events["icews-21283002-2014-03-02"]
    assert (protest["source_code"], protest["target_code"], protest["plover_type"]) == ("UKRCVL", "UKRCOP", "PROTEST")

    hamas = events["icews-21283004-2014-03-07"]  # a country name only the alias file knows
    assert (hamas["source_code"], hamas["source_country"]) == ("PSEREB", "PSE")
    assert (hamas["target_code"], hamas["target_sector"]) == ("ISRMIL", "MIL")
    assert (hamas["location_name"], hamas["location_country"]) == ("Gaza Strip", "PSE")

    # The same Event ID a week later is another event (ICEWS ids are unique only with the date)
    lavrov = events["icews-21283001-2014-03-09"]
    assert (lavrov["source_code"], lavrov["target_country"], lavrov["plover_type"]) == ("RUSGOV", "CHN", "CONSULT")

    bad = sorted((p.origin, p.line) for p in problems if p.fatal)
    assert bad == [(str(path), 7), (str(path), 9)]
    messages = " ".join(p.message for p in problems)
    assert "Event Date '2014-13-45'" in messages and "the header has 20" in messages


def test_icews_record_keeps_its_ids_and_intensity(store: Store, tmp_path: Path) -> None:
    import_files(store, ICEWS, [write_icews(tmp_path / "events.tab")])
    raw = rows(store.con, "SELECT raw FROM events WHERE event_id = 'icews-21283003-2014-03-06'")[0]["raw"]
    e = json.loads(raw)
    assert e["source"] == {"text": "Barack Obama", "code": "USAGOV", "country": "USA", "sector": "GOV"}
    assert e["target"]["country"] == "RUS" and e["plover"]["type"] == "SANCTION"
    assert e["origin"] == {"dataset": "icews", "id": "21283003", "story_id": "28097001",
                           "sentence_number": "1", "publisher": "Agence France-Presse", "intensity": -8.0}


def test_icews_reimport_adds_no_duplicates(store: Store, tmp_path: Path) -> None:
    path = write_icews(tmp_path / "events.tab.zip", zipped=True)
    assert import_files(store, ICEWS, [path]).added == 5
    again = import_files(store, ICEWS, [path])
    assert (again.added, again.already) == (0, 5)
    assert rows(store.con, "SELECT count(*) AS n FROM events") == [{"n": 5}]


def test_quoted_fields_and_columns_in_another_order(store: Store, tmp_path: Path) -> None:
    """Columns are found by header name; a copy that quotes its fields reads the same."""
    order = list(reversed(ICEWS_COLUMNS))
    lines = ["\t".join(f'"{c}"' for c in order)]
    for values in ICEWS_EVENTS[:3]:
        row = dict(zip(ICEWS_COLUMNS, values, strict=True))
        lines.append("\t".join(f'"{row[c]}"' for c in order))
    path = tmp_path / "quoted.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert import_files(store, ICEWS, [path]).added == 3
    sanctions = _events(store)["icews-21283003-2014-03-06"]
    assert (sanctions["source_code"], sanctions["target_country"], sanctions["cameo_name"]) \
        == ("USAGOV", "RUS", "Impose embargo, boycott, or sanctions")


def test_a_file_without_the_header_is_skipped(store: Store, problems: list[ReadProblem],
                                              tmp_path: Path) -> None:
    path = tmp_path / "no-header.tab"
    path.write_text("\t".join(ICEWS_EVENTS[0]) + "\n", encoding="utf-8")
    stats = import_files(store, ICEWS, [path], on_problem=problems.append)
    assert (stats.files, stats.added) == (0, 0)
    assert len(problems) == 1 and problems[0].fatal and "not an ICEWS header" in problems[0].message
    assert rows(store.con, "SELECT count(*) AS n FROM documents") == [{"n": 0}]


def test_unknown_country_names_are_reported_once(store: Store, problems: list[ReadProblem],
                                                 tmp_path: Path) -> None:
    values = list(ICEWS_EVENTS[0])
    values[ICEWS_COLUMNS.index("Source Country")] = "Freedonia"
    path = tmp_path / "odd.tab"
    path.write_text("\t".join(ICEWS_COLUMNS) + "\n" + "\t".join(values) + "\n", encoding="utf-8")
    assert import_files(store, ICEWS, [path], on_problem=problems.append).added == 1
    event = rows(store.con, "SELECT source_code, source_country, source_sector FROM events")[0]
    assert event == {"source_code": "GOV", "source_country": None, "source_sector": "GOV"}
    warnings = [p for p in problems if not p.fatal]
    assert len(warnings) == 1 and "'Freedonia' (1)" in warnings[0].message


def test_a_zip_with_several_members_names_the_member(store: Store, problems: list[ReadProblem],
                                                     tmp_path: Path) -> None:
    good = write_icews(tmp_path / "events.tab").read_text(encoding="utf-8")
    path = tmp_path / "icews.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("events.2014.tab", good)
        z.writestr("events.2015.tab", good.replace("2014-03-0", "2015-03-0"))
    stats = import_files(store, ICEWS, [path], on_problem=problems.append)
    assert stats.added == 10  # the same ids on other days: other events
    assert {p.origin for p in problems if p.fatal} == {f"{path} (events.2014.tab)", f"{path} (events.2015.tab)"}
