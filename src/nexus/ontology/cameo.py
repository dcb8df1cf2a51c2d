"""The CAMEO code table (data/cameo.csv), loaded once."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

PLOVER_TYPES: tuple[str, ...] = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)
QUAD_CLASS_NAMES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}


@dataclass(frozen=True, slots=True)
class CameoCode:
    code: str
    name: str
    goldstein: float
    quad_class: int
    plover_type: str | None  # None for 01x statements, which PLOVER drops
    plover_mode: str | None
    plover_context: tuple[str, ...]


@cache
def cameo_table() -> dict[str, CameoCode]:
    text = resources.files("nexus.ontology").joinpath("data/cameo.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    table = {}
    for r in rows:
        table[r["code"]] = CameoCode(
            code=r["code"], name=r["name"], goldstein=float(r["goldstein"]),
            quad_class=int(r["quad_class"]), plover_type=r["plover_type"] or None,
            plover_mode=r["plover_mode"] or None,
            plover_context=tuple(c for c in r["plover_context"].split(";") if c),
        )
    return table


def cameo_code(code: str) -> CameoCode:
    """The entry for a code; unknown 4-digit codes fall back to their 3-digit parent."""
    table = cameo_table()
    while code not in table and len(code) > 2:
        code = code[:-1]
    return table[code]
