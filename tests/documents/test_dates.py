"""Publication dates from datelines at the top of plain text, and from JSONL date fields."""

from __future__ import annotations

from datetime import date

import pytest

from nexus.documents.dates import find_publication_date, parse_date_field


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MOSCOW, March 3, 2024 - Russia and Iran signed a deal.", date(2024, 3, 3)),
        ("WASHINGTON, D.C., 3 March 2024 (Reuters) — The US said.", date(2024, 3, 3)),
        ("Iran and Russia\nPublished 17 January 2025\n\nText.", date(2025, 1, 17)),
        ("Title\n2024-03-03\n\nText.", date(2024, 3, 3)),
        ("Title\nBy Jane Doe | Mar. 5, 2023\n\nText.", date(2023, 3, 5)),
        ("Title\nMonday, 4 March 2024 10:05 GMT\n\nText.", date(2024, 3, 4)),
        ("Title\nUpdated 5 March 2024\nPublished 1 March 2024\n\nText.", date(2024, 3, 1)),
        ("Title\nUpdated 5 March 2024\n\nText.", date(2024, 3, 5)),
    ],
)
def test_datelines(text: str, expected: date) -> None:
    assert find_publication_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The plant opened on March 3, 2011 - years late - after Russia finished it.",
        "Russia and Iran\n\nIn a speech, the minister recalled 3 March 2011 as a turning point.",
        "One\nTwo\nThree\nFour\nFive\nPublished 17 January 2025",  # too far down
        "Title\nFebruary 30, 2024\n",  # not a real date
        "",
    ],
)
def test_no_publication_date(text: str) -> None:
    assert find_publication_date(text) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-03", date(2024, 3, 3)),
        ("20240303", date(2024, 3, 3)),
        ("2024-03-03T10:00:00Z", date(2024, 3, 3)),
        ("2024-03-03 10:00:00+01:00", date(2024, 3, 3)),
        (None, None),
        ("", None),
    ],
)
def test_date_field(value: object, expected: date | None) -> None:
    assert parse_date_field(value) == expected


@pytest.mark.parametrize("value", ["March 2024", "2024-13-01", "2024-02-30", 20240303, "yesterday"])
def test_bad_date_field(value: object) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_date_field(value)
