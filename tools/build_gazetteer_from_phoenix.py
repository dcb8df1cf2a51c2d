#!/usr/bin/env python3
"""Convert the dated office-holders of the PETRARCH-2 Phoenix actor dictionaries into
src/nexus/actors/data/leaders_phoenix.csv.

Run from the repository root:

    python tools/build_gazetteer_from_phoenix.py [--reference DIR] [--out FILE]

The reference dictionaries (Phoenix.Countries.actors.txt, Phoenix.International.actors.txt)
are MIT-licensed, copyright Open Event Data Alliance; see
/work/shared/data/reference/LICENSE.petrarch2-dictionaries.txt. Nexus never reads them at
run time: this script is run once by a developer and its output is shipped in the package.

What the dictionaries look like (TABARI format) and how this script reads them:

* An entry starts with a phrase in capitals, words joined by "_" (a trailing "_" marks a
  whole word); lines starting with "+" add synonyms; "#" starts a comment.
* Codes follow in square brackets, on the same line or on indented lines below:
  ``[RUSGOV 000507-120507]`` (from-to), ``[AFGGOV >011222]`` (from that date on),
  ``[XXXGOV <991231]`` (up to that date), ``[AFGELI]`` (undated).
* Dates are YYMMDD, or YYYYMMDD where the century would be ambiguous. The files use
  6-digit years 00-14 for 2000-2014 and 31-99 for 1931-1999, and write every year from
  1917 to 1930 with 8 digits, so a 6-digit year YY <= 30 is 20YY and YY > 30 is 19YY.
* A code is a 3-letter country (or IGO/NGO/IMG...) prefix followed by 3-letter sector and
  sub-sector groups: USAGOVMIL is USA, sector GOV, sub-sector MIL. International codes look
  like IGOUNO, IGOWSTNAT (NATO), IGOEUREEC (EU), IGOUNODEVWBK (World Bank).

Rows written: one per person and dated code whose sector is GOV or MIL (country codes) or
whose organisation maps to a code of organisations.yaml (IGO codes). ELI (elite, out of
office) and undated codes are skipped, as are entries that name institutions, not persons,
codes of places that are not in countries.yaml (dependent territories, the dictionary's
fictional test country) and malformed dates (reported on standard error).
Identical codes of one person that overlap or touch are merged into one row.

The dictionaries end in early 2014, so "from that date on" means "still in office in 2014".
Where the hand-compiled leaders.csv knows the same person (same name and country) and every
one of their rows there has ended, the open-ended Phoenix row is closed at the last of those
end dates. Run this script after editing leaders.csv.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = Path("/work/shared/data/reference")
DATA = REPO / "src" / "nexus" / "actors" / "data"
DEFAULT_OUT = DATA / "leaders_phoenix.csv"
FILES = ("Phoenix.Countries.actors.txt", "Phoenix.International.actors.txt")
COLUMNS = ["name", "aliases", "country", "sector", "role", "start", "end", "source"]

# Phoenix country prefixes that are not the ISO 3166-1 alpha-3 codes countries.yaml uses.
COUNTRY_FIXES: dict[str, str | None] = {
    "IMY": "IMN",  # Isle of Man
    "ROM": "ROU",  # Romania, old ISO code
    "ZAR": "COD",  # Zaire
    "TMP": "TLS",  # East Timor, old ISO code
    "SCG": "YUG",  # Serbia and Montenegro (2003-2006): countries.yaml keeps it under YUG
    "KSV": "XKX",  # Kosovo
}

# IGO sub-codes (any 3-letter group after "IGO") -> organisation codes of organisations.yaml.
# The most specific group wins: IGOUNODEVWBK is the World Bank, not the UN.
IGO_CODES = {
    "NAT": "NATO", "EEC": "EUR", "WBK": "WBK", "IMF": "IMF", "IAE": "IAEA", "WHO": "WHO",
    "KID": "UNICEF", "OPC": "OPEC", "HCR": "UNHCR", "WFP": "WFP", "ILO": "ILO", "AFU": "AFU",
    "OAU": "AFU", "ARL": "ARL", "ASN": "ASEAN", "OAS": "OAS", "OIC": "OIC", "ICC": "ICC",
    "ICJ": "ICJ", "WTO": "WTO", "GCC": "GCC", "WAS": "ECOWAS", "COE": "COE", "CWN": "CWN",
    "ITP": "INTERPOL", "SAD": "SADC", "IAD": "IGAD", "CIS": "CIS", "SCE": "OSCE",
    "UNO": "UNO",
}

SECTORS_KEPT = {"GOV", "MIL"}

# Words that mark an entry as an institution or group rather than a person.
NON_PERSON_WORDS = {
    "GOVERNMENT", "MINISTRY", "ADMINISTRATION", "COUNCIL", "PARTY", "ARMY", "FORCES", "FORCE",
    "REGIME", "CABINET", "PARLIAMENT", "ASSEMBLY", "COMMITTEE", "FRONT", "MOVEMENT", "UNION",
    "REPUBLIC", "KINGDOM", "STATE", "STATES", "JUNTA", "COMMISSION", "OFFICE", "DEPARTMENT",
    "AUTHORITY", "AGENCY", "BANK", "COURT", "POLICE", "SERVICE", "SERVICES", "MISSION",
    "ORGANIZATION", "ORGANISATION", "FEDERATION", "CONGRESS", "SENATE", "DIRECTORATE",
    "BUREAU", "INSTITUTE", "COMMAND", "GUARD", "GUARDS", "TROOPS", "NAVY", "COALITION",
    "ALLIANCE", "LEAGUE", "ASSOCIATION", "COMMUNITY", "PROGRAM", "PROGRAMME", "FUND",
    "CORPS", "MILITIA", "BRIGADE", "BRIGADES", "TRIBUNAL", "SECRETARIAT", "GROUP",
    "DELEGATION", "EMBASSY", "CONSULATE", "OFFICIALS", "LEADERSHIP", "PRESIDENCY",
    "MINISTRIES", "AUTHORITIES", "UNIVERSITY", "COMPANY", "CORPORATION", "PROVINCE",
    "REGION", "DISTRICT", "CITY", "TERRITORY", "PEOPLE", "NATION", "NATIONS", "UN", "U.N.",
}

# Titles stripped from the front of names (the resolver handles titles itself).
TITLE_WORDS = [
    "UN_SECRETARY-GENERAL", "UN_SECRETARY_GENERAL", "U.N._SECRETARY-GENERAL",
    "U.N._SECRETARY_GENERAL", "UNITED_NATIONS_SECRETARY-GENERAL",
    "UNITED_NATIONS_SECRETARY_GENERAL", "SECRETARY-GENERAL", "SECRETARY_GENERAL",
    "SECRETARY_OF_STATE", "SECRETARY", "VICE_PRESIDENT", "VICE-PRESIDENT", "PRESIDENT",
    "PRIME_MINISTER", "DEPUTY_PRIME_MINISTER", "FOREIGN_MINISTER", "DEFENSE_MINISTER",
    "DEFENCE_MINISTER", "INTERIOR_MINISTER", "FINANCE_MINISTER", "ACTING_MINISTER",
    "MINISTER", "ACTING", "CHANCELLOR", "CHAIRMAN", "SPEAKER", "SENATOR", "GOVERNOR",
    "AMBASSADOR", "GENERAL", "GEN.", "GEN", "LT._GEN.", "LT.", "LT", "MAJOR", "COLONEL",
    "COL.", "ADMIRAL", "MARSHAL", "FIELD_MARSHAL", "KING", "QUEEN", "PRINCE", "PRINCESS",
    "CROWN_PRINCE", "EMIR", "AMIR", "SHEIKH", "SHAIKH", "SHEIK", "SIR", "LORD", "LADY",
    "BARON", "BARONESS", "DR.", "DR", "MR.", "MR", "MRS.", "MRS", "MS.", "MS", "AYATOLLAH",
    "MULLAH", "HAJI", "MAWLAWI",
]
TITLE_WORDS.sort(key=len, reverse=True)

# Given names too common to stand alone as an alias.
COMMON_SINGLE_NAMES = {
    "ALI", "KHAN", "KIM", "LEE", "PARK", "SINGH", "ABDULLAH", "MOHAMMED", "MOHAMMAD",
    "MUHAMMAD", "MOHAMED", "AHMED", "AHMAD", "HASSAN", "HUSSEIN", "HUSSAIN", "WANG", "LI",
    "ZHANG", "LIU", "CHEN", "YANG", "NGUYEN", "TRAN", "SMITH", "JONES", "BROWN", "JOHNSON",
    "CHAN", "WONG", "ABDUL", "IBRAHIM", "OMAR", "SALEH", "KHALID", "RAHMAN",
}

LOWER_PARTICLES = {
    "al", "el", "bin", "bint", "ibn", "de", "da", "das", "do", "dos", "del", "della", "di",
    "du", "van", "von", "der", "den", "la", "le", "y", "ul", "ud", "and", "of", "the",
}

CODE_RE = re.compile(r"\[([^\]]*)\]")
DATE_PART_RE = re.compile(r"^\s*([<>]?)\s*(\d+)?(?:\s*-\s*(\d+))?\s*$")


@dataclass
class Entry:
    names: list[str]
    codes: list[str] = field(default_factory=list)
    file: str = ""
    line: int = 0


def parse_date(text: str) -> dt.date | None:
    """YYMMDD (YY <= 30 -> 20YY) or YYYYMMDD; None for malformed dates."""
    if len(text) == 6:
        yy = int(text[:2])
        year = 2000 + yy if yy <= 30 else 1900 + yy
        month, day = int(text[2:4]), int(text[4:6])
    elif len(text) == 8:
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:8])
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def read_entries(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    current: Entry | None = None
    for lineno, raw in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        codes = CODE_RE.findall(line)
        phrase = CODE_RE.sub(" ", line).strip()
        indented = raw[:1] in (" ", "\t")
        if phrase.startswith("+"):
            if current is not None:
                current.names.append(phrase[1:].strip())
        elif phrase and not indented:
            current = Entry(names=[phrase], file=path.name, line=lineno)
            entries.append(current)
        elif phrase and current is not None:  # an indented synonym (rare)
            current.names.append(phrase)
        if current is not None:
            current.codes.extend(codes)
    return [e for e in entries if e.names[0]]


def strip_titles(phrase: str) -> str:
    phrase = phrase.strip().strip("_").strip()
    phrase = re.sub(r"[\s_]+", "_", phrase)
    changed = True
    while changed:
        changed = False
        for title in TITLE_WORDS:
            if phrase.upper().startswith(title + "_") and len(phrase) > len(title) + 1:
                phrase = phrase[len(title) + 1:]
                changed = True
                break
    return phrase


def pretty(phrase: str) -> str:
    """CAPITALS_WITH_UNDERSCORES -> 'Capitals With Underscores', with name particles."""
    words = [w for w in phrase.replace("_", " ").split() if w]
    out = []
    for i, word in enumerate(words):
        pieces = []
        for piece in word.split("-"):
            low = piece.lower()
            if i > 0 and low in LOWER_PARTICLES and len(words) > 2:
                pieces.append(low)
            elif low.startswith("mc") and len(low) > 3:
                pieces.append("Mc" + low[2:].capitalize())
            elif "'" in low:
                pieces.append("'".join(p.capitalize() for p in low.split("'")))
            elif re.fullmatch(r"(?:[a-z]\.)+", low):
                pieces.append(low.upper())
            else:
                pieces.append(low.capitalize())
        out.append("-".join(pieces))
    name = " ".join(out).replace(", Jr.", " Jr.").replace(",", "").strip("`\"")
    # particles joined by hyphen: Al-Baradei -> al-Baradei when not first
    name = re.sub(r"(?<=\s)(Al|El)-", lambda m: m.group(1).lower() + "-", name)
    return name


# Single-word names too common to identify one office-holder.
AMBIGUOUS_SINGLE_NAMES = COMMON_SINGLE_NAMES | {
    "ALBERT", "AMOS", "CARRINGTON", "FAYSAL", "HUSSEIN", "IRVINE", "JOHNSON", "LANDO",
    "ROBERTSON", "STEPHENSON", "TSANG", "WILLIAMS", "ADONIS", "ALOIS", "HASSAN", "KHALID",
}


def is_person(names: list[str]) -> bool:
    first = names[0].upper().strip("_ ")
    words = set(re.split(r"[\s_]+", first))
    if words & NON_PERSON_WORDS:
        return False
    if any(ch.isdigit() for ch in first) or re.search(r"[()\[\]{}\"]", first):
        return False
    if "OF_STATE" in first or "IN_CHARGE" in first or ("_OF_" in first and len(words) > 6):
        return False
    if re.search(r"[,_ ]THEN[_ ]", first):  # "ANTHONY_CROSLAND,_THEN_DAVID_OWEN_"
        return False
    return True


def known_codes() -> set[str]:
    """ISO codes of countries.yaml and codes of organisations.yaml (rows outside them are
    dropped: dependent territories, regional codes, test data)."""
    import yaml

    codes = {e["iso3"] for e in yaml.safe_load((DATA / "countries.yaml").read_text(encoding="utf-8"))}
    codes |= {e["code"] for e in yaml.safe_load((DATA / "organisations.yaml").read_text(encoding="utf-8"))}
    return codes


def org_of(code: str) -> str | None:
    groups = [code[i:i + 3] for i in range(3, len(code), 3)]
    for group in reversed(groups):
        if group in IGO_CODES:
            return IGO_CODES[group]
    return None


def split_code(token: str) -> tuple[str, str, str] | None:
    """'RUSGOV 000507-120507' -> ('RUSGOV', '000507-120507', token); the caller reads the
    date part ('>011222', '<991231', 'YYMMDD-YYMMDD' or empty)."""
    token = token.strip()
    m = re.match(r"^([A-Z]{3,})(?:\s+|(?=[<>])|$)(.*)$", token)
    if not m:
        return None  # e.g. NGOCHRPRO214: digits glued to the code, no dates
    return m.group(1), m.group(2), token


def _key(name: str) -> str:
    import unicodedata

    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z ]+", " ", name).split())


def hand_compiled_ends(path: Path) -> dict[tuple[str, str], dt.date]:
    """(name key, country) -> last end date, for people of leaders.csv who are out of office
    in every row there. Open-ended Phoenix rows for them are closed at that date: the
    dictionary dates from 2014 and cannot know that Karzai left office in 2014-09."""
    if not path.is_file():
        return {}
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    ends: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in csv.DictReader(lines):
        for form in [row["name"], *[a for a in row["aliases"].split("|") if " " in a]]:
            ends[(_key(form), row["country"])].append(row["end"])
    return {k: max(dt.date.fromisoformat(e) for e in v) for k, v in ends.items() if all(v)}


def build(reference: Path) -> tuple[list[dict[str, str]], Counter]:
    stats: Counter = Counter()
    known = known_codes()
    merged: dict[tuple, list[list]] = defaultdict(list)
    meta: dict[tuple, dict] = {}
    for fname in FILES:
        for entry in read_entries(reference / fname):
            dated = []
            for token in entry.codes:
                parts = split_code(token)
                if parts is None:
                    continue
                code, dates, _ = parts
                if not dates.strip():
                    continue
                dm = DATE_PART_RE.match(dates)
                if not dm:
                    stats["unparsed date"] += 1
                    print(f"warning: {fname}:{entry.line}: cannot read dates [{token}]", file=sys.stderr)
                    continue
                sign, first, second = dm.groups()
                if sign == ">":
                    start, end = parse_date(first or ""), None
                    ok = start is not None
                elif sign == "<":
                    start, end = None, parse_date(first or "")
                    ok = end is not None
                else:
                    start, end = parse_date(first or ""), parse_date(second or "")
                    ok = start is not None and end is not None
                if not ok:
                    stats["malformed date"] += 1
                    print(f"warning: {fname}:{entry.line}: malformed date [{token}]", file=sys.stderr)
                    continue
                if start and end and start > end:
                    stats["start after end"] += 1
                    print(f"warning: {fname}:{entry.line}: start after end [{token}]", file=sys.stderr)
                    continue
                dated.append((code, start, end))
            if not dated:
                continue
            keep = []
            for code, start, end in dated:
                if code.startswith("IGO"):
                    org = org_of(code)
                    if org is None or org not in known:
                        stats["IGO code without a Nexus organisation"] += 1
                        continue
                    country, sector = org, "IGO"
                else:
                    sector = code[3:6]
                    if sector not in SECTORS_KEPT:
                        stats[f"sector {sector or '(none)'} skipped"] += 1
                        continue
                    country = code[:3]
                    if country in COUNTRY_FIXES:
                        country = COUNTRY_FIXES[country]
                    if country is None or country not in known:
                        stats[f"country code {code[:3]} not in countries.yaml"] += 1
                        continue
                keep.append((code, country, sector, start, end))
            if not keep:
                continue
            if not is_person(entry.names):
                stats["non-person entries skipped"] += 1
                continue
            name_phrases = []
            for n in entry.names:
                p = strip_titles(n)
                if p and p not in name_phrases:
                    name_phrases.append(p)
            if not name_phrases:
                continue
            canonical = pretty(name_phrases[0])
            if " " not in canonical and name_phrases[0].upper() in AMBIGUOUS_SINGLE_NAMES:
                stats["ambiguous single-word names skipped"] += 1
                continue
            aliases = []
            for p in name_phrases[1:]:
                if "_" not in p and (p.upper() in COMMON_SINGLE_NAMES or len(p) <= 3):
                    continue
                a = pretty(p)
                if a != canonical and a not in aliases:
                    aliases.append(a)
            for code, country, sector, start, end in keep:
                key = (canonical, code, country, sector)
                meta[key] = {"aliases": aliases, "file": entry.file}
                merged[key].append([start, end])
    closed = hand_compiled_ends(DATA / "leaders.csv")
    out = []
    for key, spans in merged.items():
        canonical, code, country, sector = key
        spans.sort(key=lambda s: (s[0] or dt.date.min))
        joined: list[list] = []
        for start, end in spans:
            if joined:
                last = joined[-1]
                last_end = last[1]
                if last_end is None or (start is not None and start <= last_end + dt.timedelta(days=1)):
                    if last_end is not None and (end is None or end > last_end):
                        last[1] = end
                    stats["merged spans"] += 1
                    continue
            joined.append([start, end])
        for start, end in joined:
            note = f"{meta[key]['file']} (MIT) {code}"
            last = closed.get((_key(canonical), country))
            if end is None and last is not None and (start is None or start <= last):
                end = last
                note += "; open-ended in the 2014 dictionary, closed at the last end in leaders.csv"
                stats["open-ended rows closed from leaders.csv"] += 1
            elif end is None:
                note += "; open-ended in the 2014 dictionary"
            out.append({
                "name": canonical,
                "aliases": "|".join(meta[key]["aliases"]),
                "country": country,
                "sector": sector,
                "role": "other",
                "start": start.isoformat() if start else "",
                "end": end.isoformat() if end else "",
                "source": note,
            })
    out.sort(key=lambda r: (r["country"], r["name"], r["start"]))
    stats["rows"] = len(out)
    return out, stats


HEADER = """\
# Dated office-holders (GOV, MIL and IGO codes) converted from the PETRARCH-2 Phoenix actor
# dictionaries Phoenix.Countries.actors.txt and Phoenix.International.actors.txt
# (MIT licence, copyright (c) 2014 Open Event Data Alliance; CountryInfo.140130.txt by the
# Computational Event Data System Project). Built by tools/build_gazetteer_from_phoenix.py;
# edit the script or leaders.csv rather than this file.
# The dictionaries date from early 2014: an empty `end` means open-ended in 2014, not
# necessarily in office today (open-ended rows of people whom leaders.csv shows out of office
# are closed at their last end date there). An empty `start` would mean "up to `end`".
# leaders.csv (hand-compiled, current) takes precedence where both name a person.
# role is "other" throughout; source names the original Phoenix code (USAGOVMIL = USA GOV,
# sub-sector MIL).
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    rows, stats = build(args.reference)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    for key, value in sorted(stats.items()):
        print(f"{key}: {value}", file=sys.stderr)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
