"""Publication dates: parsing a date field, and finding a dateline at the top of plain text."""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?")
_ORD = r"(?:st|nd|rd|th)?"
# One date, in the three spellings news sites use: 2024-03-03, March 3, 2024, 3 March 2024.
_DATE = (rf"(?:(?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}})(?!\d)"
         rf"|(?P<am>{_MONTH})\s+(?P<ad>\d{{1,2}}){_ORD},?\s+(?P<ay>\d{{4}})"
         rf"|(?P<bd>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<bm>{_MONTH}),?\s+(?P<by>\d{{4}}))(?!\d)")
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)"

# A line that starts with a date, optionally after "Published", "Posted on", a weekday...
_LEADING = re.compile(
    rf"^(?:(?P<kw>published|updated|last updated|first published|posted|date|dated)\b\s*:?\s*"
    rf"(?:on\s+)?)?{_WEEKDAY}?{_DATE}", re.I)
# A wire dateline: "MOSCOW, March 3, 2024 -", "WASHINGTON, D.C., 3 March 2024 (Reuters) —".
# The place must be capitalised words followed by a comma, so prose ("The plant opened on
# March 3, 2011 - ...") never matches.
_DATELINE = re.compile(
    rf"^(?-i:[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){{0,3}})(?:,\s*(?-i:[A-Z][\w.'’ -]{{0,20}}))?,\s+"
    rf"{_WEEKDAY}?{_DATE}\s*(?:\([^)]{{1,40}}\))?\s*[-–—:]", re.I)
# A byline carrying the date: "By Jane Doe | March 3, 2024".
_BYLINE = re.compile(rf"^by\s[^|•·\n]{{1,60}}[|•·,–—-]\s*{_WEEKDAY}?{_DATE}", re.I)

#: How many non-blank lines at the top of a text may hold its dateline.
DATELINE_LINES = 5


def _to_date(m: re.Match[str]) -> date | None:
    g = m.groupdict()
    try:
        if g["iy"]:
            return date(int(g["iy"]), int(g["im"]), int(g["id"]))
        if g["am"]:
            return date(int(g["ay"]), _MONTHS[g["am"][:3].lower()], int(g["ad"]))
        return date(int(g["by"]), _MONTHS[g["bm"][:3].lower()], int(g["bd"]))
    except ValueError:  # "February 30": not a date at all
        return None


def find_publication_date(text: str) -> date | None:
    """The publication date stated at the top of a plain-text article, or None.

    Only the first few lines are searched, and only in dateline positions, because a date in
    the body ("the plant opened on March 3, 2011") is background history, not the publication
    date. A "Published" date is preferred to an "Updated" one.
    """
    updated: date | None = None
    lines = (ln.strip() for ln in text.split("\n", 200)[:200])
    for line in [ln for ln in lines if ln][:DATELINE_LINES]:
        m = (_LEADING.match(line) if len(line) <= 100 else None) or _DATELINE.match(line) or (
            _BYLINE.match(line) if len(line) <= 120 else None)
        if m is None or (found := _to_date(m)) is None:
            continue
        if (m.groupdict().get("kw") or "").lower() in ("updated", "last updated"):
            updated = updated or found
            continue
        return found
    return updated


_FIELD = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")


def parse_date_field(value: object) -> date | None:
    """A date from a JSONL "date" field: YYYY-MM-DD, YYYYMMDD or an ISO date-time; None/"" -> None.

    Raises ValueError with a readable reason for anything else (it names the bad value).
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"date must be a string like 2024-03-03, not {type(value).__name__}")
    m = _FIELD.match(value.strip())
    if m is None:
        raise ValueError(f"date {value[:40]!r} is not YYYY-MM-DD")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ValueError(f"date {value[:40]!r} is not a real calendar date") from None
