"""Recognising page furniture and image captions from the patterns in data/furniture.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from nexus.datafiles import load_yaml

FURNITURE_FILE = "furniture.yaml"


@dataclass(frozen=True)
class FurniturePatterns:
    max_line_chars: int
    furniture: tuple[re.Pattern[str], ...]
    caption: tuple[re.Pattern[str], ...]
    link_list_headers: tuple[re.Pattern[str], ...]
    # "MOSCOW, Nov 12 (Reuters) - ": a dateline opening a paragraph is split off as its own
    # block, so the place is never read as the subject of the first sentence.
    datelines: tuple[re.Pattern[str], ...] = ()

    def dateline_end(self, text: str) -> int:
        """Length of a dateline opening `text` (0 if none)."""
        for p in self.datelines:
            m = p.match(text)
            if m:
                return m.end()
        return 0

    def classify(self, line: str) -> Literal["furniture", "caption"] | None:
        """The kind of one stripped line if it is furniture or a caption, else None."""
        if not line or len(line) > self.max_line_chars:
            return None  # furniture is short; a long line is prose whatever it mentions
        if any(p.search(line) for p in self.caption):
            return "caption"
        if any(p.search(line) for p in self.furniture):
            return "furniture"
        return None

    def starts_link_list(self, line: str) -> bool:
        """True for "Read more:", "Related articles" and the like: headlines follow."""
        return len(line) <= 60 and any(p.search(line) for p in self.link_list_headers)


def _compile(items: object, where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(items, list):
        raise ValueError(f"{where}: expected a list of regular expressions")
    out = []
    for item in items:
        try:
            out.append(re.compile(str(item), re.IGNORECASE))
        except re.error as err:  # name the bad pattern: this file is edited by hand
            raise ValueError(f"{where}: bad pattern {item!r}: {err}") from None
    return tuple(out)


def load_patterns(path: str | Path | None = None) -> FurniturePatterns:
    """Load furniture patterns from `path`, or the packaged data/furniture.yaml."""
    if path is None:
        return default_patterns()
    text = Path(path).read_text(encoding="utf-8")
    return _parse(text, str(path))


@lru_cache(maxsize=1)
def default_patterns() -> FurniturePatterns:
    text = resources.files("nexus.documents").joinpath("data", FURNITURE_FILE).read_text("utf-8")
    return _parse(text, FURNITURE_FILE)


def _parse(text: str, where: str) -> FurniturePatterns:
    data = load_yaml(text) or {}
    return FurniturePatterns(
        max_line_chars=int(data.get("max_line_chars", 220)),
        furniture=_compile(data.get("furniture", []), f"{where}: furniture"),
        caption=_compile(data.get("caption", []), f"{where}: caption"),
        link_list_headers=_compile(data.get("link_list_headers", []), f"{where}: link_list_headers"),
        datelines=tuple(re.compile(str(p)) for p in data.get("datelines", [])),
    )
