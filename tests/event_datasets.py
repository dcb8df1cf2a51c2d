"""Small event-dataset files in the GDELT 1.0, GDELT 2.0 and ICEWS formats, written by the tests
themselves: a handful of realistic events between real countries, and one malformed row each.

The column lists are spelled out here from the public codebooks (GDELT 1.0 and 2.0 event
codebooks, the ICEWS Coded Event Data header), on purpose independently of nexus.importers, so
a wrong layout in the importer fails the tests instead of agreeing with itself.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb

GDELT1_COLUMNS = [
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code",
    "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code",
    "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code",
    "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
]
GDELT2_COLUMNS = [
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code",
    "Actor1Geo_ADM2Code", "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code",
    "Actor2Geo_ADM2Code", "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code",
    "ActionGeo_ADM2Code", "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
]
assert len(GDELT1_COLUMNS) == 58 and len(GDELT2_COLUMNS) == 61

ICEWS_COLUMNS = [
    "Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text",
    "CAMEO Code", "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID",
    "Sentence Number", "Publisher", "City", "District", "Province", "Country", "Latitude",
    "Longitude",
]


def _actor(n: str, code: str, name: str, country: str, type1: str = "") -> dict[str, str]:
    return {f"Actor{n}Code": code, f"Actor{n}Name": name, f"Actor{n}CountryCode": country,
            f"Actor{n}Type1Code": type1}


def _geo(prefix: str, kind: str, name: str, fips: str, adm1: str, lat: str, lon: str,
         feature: str) -> dict[str, str]:
    return {f"{prefix}_Type": kind, f"{prefix}_FullName": name, f"{prefix}_CountryCode": fips,
            f"{prefix}_ADM1Code": adm1, f"{prefix}_Lat": lat, f"{prefix}_Long": lon,
            f"{prefix}_FeatureID": feature}


KYIV = _geo("ActionGeo", "4", "Kyiv, Kyyiv, Misto, Ukraine", "UP", "UP12", "50.4333", "30.5167", "-1044367")
MOSCOW = _geo("ActionGeo", "4", "Moscow, Moskva, Russia", "RS", "RS48", "55.7522", "37.6156", "-2960561")
BEIJING = _geo("ActionGeo", "4", "Beijing, Beijing, China", "CH", "CH22", "39.9289", "116.388", "-1898541")

#: GDELT 2.0 events of 24 February 2022 (ids and URLs made up; the coding is GDELT's style).
GDELT2_EVENTS = [
    {"GLOBALEVENTID": "1029384756", "SQLDATE": "20220224", **_actor("1", "RUSMIL", "RUSSIA", "RUS", "MIL"),
     **_actor("2", "UKR", "UKRAINE", "UKR"), "IsRootEvent": "1", "EventCode": "190", "EventBaseCode": "190",
     "EventRootCode": "19", "QuadClass": "4", "GoldsteinScale": "-10.0", "NumMentions": "20",
     "NumSources": "4", "NumArticles": "20", "AvgTone": "-8.21", **KYIV, "DATEADDED": "20220224061500",
     "SOURCEURL": "https://news.example.org/2022/02/24/russian-forces-strike-kyiv"},
    {"GLOBALEVENTID": "1029384757", "SQLDATE": "20220224", **_actor("1", "USAGOV", "UNITED STATES", "USA", "GOV"),
     **_actor("2", "RUS", "RUSSIA", "RUS"), "IsRootEvent": "1", "EventCode": "163", "EventBaseCode": "163",
     "EventRootCode": "16", "QuadClass": "4", "GoldsteinScale": "-8.0", "NumMentions": "10",
     "NumSources": "2", "NumArticles": "10", "AvgTone": "-5.1", **MOSCOW, "DATEADDED": "20220224181500",
     "SOURCEURL": "https://news.example.org/2022/02/24/us-sanctions-russia"},
    # a statement (CAMEO 01x): PLOVER has no type for it
    {"GLOBALEVENTID": "1029384758", "SQLDATE": "20220224", **_actor("1", "CHN", "CHINA", "CHN"),
     **_actor("2", "RUS", "RUSSIA", "RUS"), "IsRootEvent": "0", "EventCode": "010", "EventBaseCode": "010",
     "EventRootCode": "01", "QuadClass": "1", "GoldsteinScale": "0.0", "NumMentions": "3",
     "NumSources": "1", "NumArticles": "3", "AvgTone": "-1.2", **BEIJING, "DATEADDED": "20220224091500",
     "SOURCEURL": "https://news.example.org/2022/02/24/china-statement"},
    # a malformed row: the date is not a date
    {"GLOBALEVENTID": "1029384759", "SQLDATE": "2022-02-24", **_actor("1", "FRA", "FRANCE", "FRA"),
     **_actor("2", "RUS", "RUSSIA", "RUS"), "IsRootEvent": "1", "EventCode": "111", "EventBaseCode": "111",
     "EventRootCode": "11", "QuadClass": "3", "GoldsteinScale": "-2.0", "NumMentions": "2",
     "NumSources": "1", "NumArticles": "2", "AvgTone": "-3.0", "DATEADDED": "20220224091500",
     "SOURCEURL": "https://news.example.org/2022/02/24/france-condemns"},
    # Saudi forces pull back (a four-digit code), GDELT's Goldstein kept as given
    {"GLOBALEVENTID": "1029384760", "SQLDATE": "20220225", **_actor("1", "SAUMIL", "SAUDI ARABIA", "SAU", "MIL"),
     **_actor("2", "YEM", "YEMEN", "YEM"), "IsRootEvent": "1", "EventCode": "0874", "EventBaseCode": "087",
     "EventRootCode": "08", "QuadClass": "2", "GoldsteinScale": "9.5", "NumMentions": "4",
     "NumSources": "1", "NumArticles": "4", "AvgTone": "1.0",
     **_geo("ActionGeo", "1", "Yemen", "YM", "YM", "15.5", "47.5", "YM"), "DATEADDED": "20220225101500",
     "SOURCEURL": "https://news.example.org/2022/02/25/saudi-pullback"},
]

#: GDELT 1.0 daily-file events (58 columns, with SOURCEURL), March 2014.
GDELT1_EVENTS = [
    {"GLOBALEVENTID": "298765432", "SQLDATE": "20140301", **_actor("1", "RUSLEG", "RUSSIA", "RUS", "LEG"),
     **_actor("2", "UKR", "UKRAINE", "UKR"), "IsRootEvent": "1", "EventCode": "1384", "EventBaseCode": "138",
     "EventRootCode": "13", "QuadClass": "3", "GoldsteinScale": "-7.0", "NumMentions": "30",
     "NumSources": "5", "NumArticles": "30", "AvgTone": "-6.0",
     **_geo("ActionGeo", "4", "Simferopol, Crimea, Ukraine", "UP", "UP11", "44.9521", "34.1024", "-1027812"),
     "DATEADDED": "20140301", "SOURCEURL": "https://news.example.org/2014/03/01/duma-approves-force"},
    {"GLOBALEVENTID": "298765433", "SQLDATE": "20140303", **_actor("1", "IGOEUREEC", "EUROPEAN UNION", "", "IGO"),
     **_actor("2", "RUSGOV", "RUSSIA", "RUS", "GOV"), "IsRootEvent": "1", "EventCode": "036", "EventBaseCode": "036",
     "EventRootCode": "03", "QuadClass": "1", "GoldsteinScale": "4.0", "NumMentions": "6",
     "NumSources": "2", "NumArticles": "6", "AvgTone": "-1.5",
     **_geo("ActionGeo", "4", "Brussels, Bruxelles-Capitale, Belgium", "BE", "BE11", "50.8333", "4.3333", "-1955538"),
     "DATEADDED": "20140303", "SOURCEURL": "https://news.example.org/2014/03/03/eu-talks-russia"},
]

#: A GDELT 1.0 historical backfile row (57 columns: no SOURCEURL), May 1995.
GDELT1_HISTORICAL_EVENTS = [
    {"GLOBALEVENTID": "1000123", "SQLDATE": "19950525", **_actor("1", "NATO", "NATO", "", "IGO"),
     **_actor("2", "SRB", "SERBIA", "SRB"), "IsRootEvent": "1", "EventCode": "195", "EventBaseCode": "195",
     "EventRootCode": "19", "QuadClass": "4", "GoldsteinScale": "-10.0", "NumMentions": "8",
     "NumSources": "1", "NumArticles": "8", "AvgTone": "-4.0",
     **_geo("ActionGeo", "4", "Pale, Republika Srpska, Bosnia and Herzegovina", "BK", "BK02", "43.8169", "18.5694", "-84219"),
     "DATEADDED": "20130203"},
]


def gdelt_line(event: dict[str, str], columns: list[str]) -> str:
    unknown = set(event) - set(columns)
    assert not unknown, unknown
    return "\t".join(event.get(c, "") for c in columns)


def write_gdelt2(path: Path, zipped: bool = False) -> Path:
    """GDELT 2.0 rows, line 4 malformed (date), in a plain file or zipped as GDELT publishes."""
    text = "".join(gdelt_line(e, GDELT2_COLUMNS) + "\n" for e in GDELT2_EVENTS)
    return _write(path, text, zipped)


def write_gdelt1(path: Path, zipped: bool = False) -> Path:
    """GDELT 1.0 daily rows (58 columns), a historical row (57), and a truncated line 3."""
    lines = [gdelt_line(e, GDELT1_COLUMNS) for e in GDELT1_EVENTS]
    lines.append("298765434\t20140304\tRUS\tRUSSIA")  # cut short
    lines += [gdelt_line(e, GDELT1_COLUMNS[:-1]) for e in GDELT1_HISTORICAL_EVENTS]
    return _write(path, "".join(line + "\n" for line in lines), zipped)


ICEWS_EVENTS = [
    ["21283001", "2014-03-01", "Vladimir Putin", "Government,Executive,Elite", "Russian Federation",
     "Threaten with military force", "138", "-7.0", "Ukraine", "", "Ukraine", "28096754", "1",
     "Reuters News", "Moscow", "", "Moskva", "Russian Federation", "55.7522", "37.6156"],
    ["21283002", "2014-03-02", "Citizen (Ukraine)", "General Population / Civilian / Social,Social", "Ukraine",
     "Demonstrate or rally", "141", "-6.5", "Police (Ukraine)", "Police", "Ukraine", "28096811", "2",
     "Associated Press", "Kiev", "", "Kyiv", "Ukraine", "50.4501", "30.5234"],
    ["21283003", "2014-03-06", "Barack Obama", "Government,Executive", "United States",
     "Impose embargo, boycott, or sanctions", "163", "-8.0", "Russia", "", "Russian Federation",
     "28097001", "1", "Agence France-Presse", "Washington", "", "District of Columbia",
     "United States", "38.8951", "-77.0364"],
    ["21283004", "2014-03-07", "Hamas", "Parties,Rebel", "Occupied Palestinian Territory",
     "Use conventional military force", "190", "-10.0", "Israel Defense Forces", "Military,Army",
     "Israel", "28097102", "3", "BBC Monitoring", "", "", "Gaza Strip",
     "Occupied Palestinian Territory", "31.5", "34.4667"],
    # a statement: no PLOVER type
    ["21283005", "2014-03-08", "Xi Jinping", "Government,Executive", "China", "Make statement",
     "010", "0.0", "Russia", "", "Russian Federation", "28097200", "1", "Xinhua", "Beijing", "",
     "Beijing", "China", "39.9075", "116.3972"],
    # malformed: the date
    ["21283006", "2014-13-45", "Angela Merkel", "Government,Executive", "Germany", "Make a visit",
     "042", "1.9", "Russia", "", "Russian Federation", "28097301", "1", "Reuters News", "Moscow", "",
     "Moskva", "Russian Federation", "55.7522", "37.6156"],
    # the same Event ID on another day (as happens in ICEWS): a different event
    ["21283001", "2014-03-09", "Sergey Lavrov", "Government,Foreign Ministry,Executive", "Russian Federation",
     "Make a visit", "042", "1.9", "China", "", "China", "28097400", "1", "TASS", "Beijing", "",
     "Beijing", "China", "39.9075", "116.3972"],
]


def write_icews(path: Path, zipped: bool = False) -> Path:
    """An ICEWS file: the header, then ICEWS_EVENTS (line 7 has a bad date), then a short line 9."""
    lines = ["\t".join(ICEWS_COLUMNS)] + ["\t".join(r) for r in ICEWS_EVENTS]
    lines.append("21283007\t2014-03-10\tOnly four columns")
    return _write(path, "".join(line + "\n" for line in lines), zipped)


def _write(path: Path, text: str, zipped: bool) -> Path:
    if not zipped:
        path.write_text(text, encoding="utf-8")
        return path
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(path.name.removesuffix(".zip"), text)
    return path


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    """Query results as plain dicts (None for NULL, dates as dates), without pandas' NaNs."""
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
