"""Resolves time expressions ("in 2019", "on Wednesday", "last month", "March 3, 2023")
against the publication date. Background history keeps its own date."""

from __future__ import annotations

import re
from datetime import date, timedelta

from nexus.events.model import EventDate

MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"])}
MONTHS |= {m[:3]: i for m, i in list(MONTHS.items())} | {"sept": 9}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
UNITS = {"day": 1, "week": 7, "month": 30, "year": 365, "decade": 3650}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
                "twenty": 20, "a": 1, "an": 1, "several": 3, "a few": 3}

_YEAR = r"(1[89]\d\d|20\d\d)"
_ISO = re.compile(rf"\b{_YEAR}-(\d\d)-(\d\d)\b")
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+{_YEAR}\b")
_MONTH_DAY_YEAR = re.compile(rf"\b([a-z]+)\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}\b")
_MONTH_YEAR = re.compile(rf"\b([a-z]+)\.?,?\s+(?:of\s+)?{_YEAR}\b")
_MONTH_DAY = re.compile(r"\b([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\b")
_YEAR_ONLY = re.compile(rf"\b{_YEAR}s?\b")
_AGO = re.compile(r"\b(\d+|[a-z]+(?: few)?)\s+(day|week|month|year|decade)s?\s+ago\b")


def _month(word: str) -> int | None:
    return MONTHS.get(word.lower().rstrip("."))


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def resolve_date(text: str, published: date | None, forward: bool = False) -> EventDate | None:
    """An EventDate for one time expression, or None when it gives no calendar date.
    `forward`: the event lies ahead ("will meet on Monday" is the coming Monday)."""
    t = " ".join(text.lower().replace("’", "'").split())
    if m := _ISO.search(t):
        d = _safe(int(m[1]), int(m[2]), int(m[3]))
        return EventDate(d.isoformat(), "day", "text") if d else None
    if (m := _DAY_MONTH_YEAR.search(t)) and _month(m[2]):
        d = _safe(int(m[3]), _month(m[2]), int(m[1]))
        if d:
            return EventDate(d.isoformat(), "day", "text")
    if (m := _MONTH_DAY_YEAR.search(t)) and _month(m[1]):
        d = _safe(int(m[3]), _month(m[1]), int(m[2]))
        if d:
            return EventDate(d.isoformat(), "day", "text")
    if (m := _MONTH_YEAR.search(t)) and _month(m[1]):
        return EventDate(f"{m[2]}-{_month(m[1]):02d}", "month", "text")
    if m := _YEAR_ONLY.search(t):
        return EventDate(m[1], "year", "text")
    if published is None:
        return None
    try:
        return _relative(t, published, forward)
    except OverflowError:  # "a million years ago", "tomorrow" on 9999-12-31: off the calendar
        return None


def _relative(t: str, pub: date, forward: bool) -> EventDate | None:
    """Raises OverflowError for a date outside years 1 to 9999 (as date arithmetic does)."""

    def day(d: date) -> EventDate:
        return EventDate(d.isoformat(), "day", "text")

    def month(y: int, m: int) -> EventDate:
        return EventDate(f"{_year(y)}-{m:02d}", "month", "text")

    def year(y: int) -> EventDate:
        return EventDate(_year(y), "year", "text")

    if "today" in t or "tonight" in t or "this morning" in t or "this afternoon" in t:
        return day(pub)
    if "yesterday" in t or "last night" in t:
        return day(pub - timedelta(days=1))
    if "tomorrow" in t:
        return day(pub + timedelta(days=1))
    for i, name in enumerate(WEEKDAYS):
        if re.search(rf"\b{name}\b", t):
            delta = (pub.weekday() - i) % 7
            if forward or "next" in t:
                delta = -((i - pub.weekday()) % 7 or 7)
            elif "last" in t and delta == 0:
                delta = 7
            return day(pub - timedelta(days=delta))
    if m := _AGO.search(t):
        n = int(m[1]) if m[1].isdigit() else NUMBER_WORDS.get(m[1], 0)
        if n:
            d = pub - timedelta(days=n * UNITS[m[2]])
            if m[2] in {"year", "decade"}:
                return year(d.year)
            if m[2] == "month":
                return month(d.year, d.month)
            return day(d)
    if re.search(r"\b(last|past|previous) month\b", t):
        y, m = (pub.year, pub.month - 1) if pub.month > 1 else (pub.year - 1, 12)
        return month(y, m)
    if re.search(r"\bnext month\b", t):
        y, m = (pub.year, pub.month + 1) if pub.month < 12 else (pub.year + 1, 1)
        return month(y, m)
    if re.search(r"\bthis month\b", t):
        return month(pub.year, pub.month)
    if re.search(r"\b(last|past|previous) year\b", t):
        return year(pub.year - 1)
    if re.search(r"\bnext year\b", t):
        return year(pub.year + 1)
    if re.search(r"\bthis year\b", t):
        return year(pub.year)
    if re.search(r"\b(last|past|previous|this) week\b", t):
        return day(pub - timedelta(days=7 if "this" not in t else 0))
    if re.search(r"\bnext week\b", t):
        return day(pub + timedelta(days=7))
    # A month without a year: the latest such month up to publication (or the next, ahead).
    if (m := _MONTH_DAY.search(t)) and _month(m[1]) and int(m[2]) <= 31:
        mm, dd = _month(m[1]), int(m[2])
        y = pub.year if (mm, dd) <= (pub.month, pub.day) or forward else pub.year - 1
        if forward and (mm, dd) < (pub.month, pub.day):
            y = pub.year + 1
        d = _safe(y, mm, dd)
        return day(d) if d else None
    if (m := _DAY_MONTH.search(t)) and _month(m[2]) and int(m[1]) <= 31:
        mm, dd = _month(m[2]), int(m[1])
        y = pub.year if (mm, dd) <= (pub.month, pub.day) or forward else pub.year - 1
        d = _safe(y, mm, dd)
        return day(d) if d else None
    for word in t.split():
        mm = _month(word)
        if mm:
            y = pub.year if mm <= pub.month or forward else pub.year - 1
            if forward and mm < pub.month:
                y = pub.year + 1
            return month(y, mm)
    return None


def _year(y: int) -> str:
    """A year as ISO 8601 writes it (four digits), within the years `date` knows."""
    if not 1 <= y <= 9999:
        raise OverflowError(f"year {y} is out of range")
    return f"{y:04d}"


def publication_date(published: date | None) -> EventDate:
    if published is None:
        return EventDate(None, "unknown", "unknown")
    return EventDate(published.isoformat(), "day", "publication")
