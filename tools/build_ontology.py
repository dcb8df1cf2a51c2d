#!/usr/bin/env python3
"""Builds src/nexus/ontology/data/cameo.csv from the reference files in ../shared/data/reference.

Inputs (facts only; see the data file's header for sources and licences):
  cameo-codes.csv        CAMEO 1.1b3 codes, names and Goldstein values (andybega/icews, MIT)
  CAMEO2PLOVER-2021.txt  CAMEO -> PLOVER type, mode, context (openeventdata/PLOVER, CC BY-SA 4.0)

Decisions (documented here and in the data file):
  * 01x (statements) have no PLOVER type: PLOVER drops them; Nexus does not emit them as events.
  * 02x (appeals) are dropped by PLOVER too, but news coders treat "urged", "called on" as
    requests, so Nexus maps 02x to REQUEST with the mode of the matching 10x demand code.
  * 163 (impose embargo, boycott or sanctions) becomes SANCTION `discontinue`: the 2021 table
    says COERCE `restrict`, but the PLOVER manual's SANCTION section codes international
    sanctions as SANCTION `discontinue`, which is what analysts expect.
  * 0813 (ease curfew) and 0814 (ease state of emergency) are children of 081 (ease
    administrative sanctions), which the PLOVER manual's CAMEO table files under CONCEDE
    ("08 YIELD (081 to 083): CONCEDE"); the 2021 conversion table's RETREAT for them is
    overridden to follow the manual.
  * Quad class follows the GDELT convention: 01-05 verbal cooperation (1), 06-08 material
    cooperation (2), 09-13 verbal conflict (3), 14-20 material conflict (4).

Usage: python tools/build_ontology.py [REFERENCE_DIR]
"""
import csv
import re
import sys
from pathlib import Path

REF = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/data/reference")
OUT = Path(__file__).resolve().parents[1] / "src/nexus/ontology/data/cameo.csv"

HEADER = """\
# CAMEO event codes with Goldstein values, quad class and their PLOVER type, mode and context.
# Built by tools/build_ontology.py. Sources:
#   CAMEO 1.1b3 names and Goldstein values: andybega/icews data-raw/cameo-codes.csv (MIT licence)
#   CAMEO -> PLOVER: CAMEO2PLOVER-2021.txt, PLOVER manual draft 0.8, openeventdata/PLOVER
#     (CC BY-SA 4.0; the plover_* columns of this file are shared under the same licence)
# 02x appeals are mapped to REQUEST (PLOVER drops them; see the build script); 01x have no type;
# 163 sanctions are SANCTION/discontinue as in the PLOVER manual's SANCTION section.
# context: PLOVER contexts separated by ';'.
"""


def quad_class(code: str) -> int:
    root = int(code[:2])
    return 1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4


def read_plover() -> dict[str, tuple[str, str, str]]:
    table = {}
    for line in (REF / "CAMEO2PLOVER-2021.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        m = re.match(r"^(\d{2,4}):\s*(.*)$", line)
        if not m:
            continue
        parts = [p.strip() for p in m.group(2).split(",")] + ["", ""]
        ptype, mode, context = parts[0], parts[1], parts[2]
        context = ";".join(c.strip().replace(" ", "_") for c in context.split(";") if c.strip())
        table[m.group(1)] = (ptype, mode.replace(" ", ""), context)
    return table


def main() -> None:
    plover = read_plover()
    rows = []
    for r in csv.DictReader(open(REF / "cameo-codes.csv", encoding="utf-8")):
        code = r["code"].strip()
        rows.append([code, r["name"].strip(), float(r["goldstein"])])
    known = {c for c, *_ in rows}
    # Codes in the PLOVER table that the CSV lacks (193-196, 200-204...) take their parent's value.
    names = {"193": "Fight with small arms and light weapons", "194": "Fight with artillery and tanks",
             "195": "Employ aerial weapons", "196": "Violate ceasefire",
             "20": "Use unconventional mass violence", "200": "Use unconventional mass violence",
             "201": "Engage in mass expulsion", "202": "Engage in mass killings",
             "203": "Engage in ethnic cleansing", "204": "Use weapons of mass destruction",
             "2041": "Use chemical, biological, or radiological weapons", "2042": "Detonate nuclear weapons"}
    gold = {"19": -10.0, "20": -10.0}
    for code, name in names.items():
        if code not in known:
            rows.append([code, name, gold[code[:2]]])
    out = []
    for code, name, goldstein in sorted(rows, key=lambda r: (r[0][:2], r[0])):
        if code.startswith("01"):
            ptype, mode, ctx = "", "", ""
        elif code.startswith("02"):
            ptype, mode, ctx = plover.get("10" + code[2:], plover.get("10" + code[2:3], ("REQUEST", "", "")))
            ptype = "REQUEST"
        else:
            ptype, mode, ctx = plover.get(code) or plover.get(code[:3]) or plover.get(code[:2]) or ("", "", "")
            if code in {"0813", "0814"}:
                ptype = "CONCEDE"
            if code == "163":
                ptype, mode, ctx = "SANCTION", "discontinue", "economic"
            if not ptype:
                ptype = {"08": "RETREAT", "20": "ASSAULT"}.get(code[:2], "")
        out.append([code, name, goldstein, quad_class(code), ptype, mode, ctx])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        w = csv.writer(f)
        w.writerow(["code", "name", "goldstein", "quad_class", "plover_type", "plover_mode", "plover_context"])
        w.writerows(out)
    print(f"wrote {len(out)} codes to {OUT}")


if __name__ == "__main__":
    main()
