"""Synthetic but realistic event stores for the benchmarks: millions of events between the
states that news covers most, in skewed dyads (a few relationships carry most events), with
plausible type mixes, factualities, dates, places and evidence sentences inside documents.

Rows are generated in chunks with numpy and appended as Arrow tables, so memory stays flat and a
million events take seconds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from nexus.ontology import cameo_code
from nexus.store import Store
from nexus.store.rows import TABLES

# The states news covers most (roughly by volume), with names for the sentences.
COUNTRIES = [
    ("USA", "the United States"), ("RUS", "Russia"), ("CHN", "China"), ("UKR", "Ukraine"), ("ISR", "Israel"),
    ("IRN", "Iran"), ("GBR", "Britain"), ("FRA", "France"), ("DEU", "Germany"), ("TUR", "Turkey"),
    ("IND", "India"), ("PAK", "Pakistan"), ("PSE", "the Palestinian Authority"), ("SYR", "Syria"),
    ("IRQ", "Iraq"), ("SAU", "Saudi Arabia"), ("EGY", "Egypt"), ("JPN", "Japan"), ("KOR", "South Korea"),
    ("PRK", "North Korea"), ("AFG", "Afghanistan"), ("QAT", "Qatar"), ("ARE", "the United Arab Emirates"),
    ("LBN", "Lebanon"), ("YEM", "Yemen"), ("SDN", "Sudan"), ("ETH", "Ethiopia"), ("NGA", "Nigeria"),
    ("ZAF", "South Africa"), ("BRA", "Brazil"), ("MEX", "Mexico"), ("VEN", "Venezuela"), ("CUB", "Cuba"),
    ("POL", "Poland"), ("ITA", "Italy"), ("ESP", "Spain"), ("CAN", "Canada"), ("AUS", "Australia"),
    ("IDN", "Indonesia"), ("PHL", "the Philippines"), ("VNM", "Vietnam"), ("TWN", "Taiwan"),
    ("ARM", "Armenia"), ("AZE", "Azerbaijan"), ("BLR", "Belarus"), ("SRB", "Serbia"), ("HUN", "Hungary"),
    ("JOR", "Jordan"), ("LBY", "Libya"), ("NER", "Niger"), ("MLI", "Mali"), ("KEN", "Kenya"),
    ("SOM", "Somalia"), ("COD", "the Democratic Republic of Congo"), ("MMR", "Myanmar"),
    ("GEO", "Georgia"), ("KAZ", "Kazakhstan"), ("ARG", "Argentina"), ("COL", "Colombia"), ("CHL", "Chile"),
]
# Per type: a representative CAMEO code, its share of events, and sentence templates.
TYPES = [
    ("CONSULT", "040", 0.17, ["{s} held talks with {t} on {topic}.", "Officials from {s} met {t}'s envoy to discuss {topic}."]),
    ("AGREE", "030", 0.10, ["{s} agreed to expand cooperation with {t} on {topic}."]),
    ("SUPPORT", "051", 0.08, ["{s} praised {t} for its stance on {topic}."]),
    ("COOPERATE", "061", 0.06, ["{s} and {t} launched a joint programme on {topic}."]),
    ("AID", "073", 0.05, ["{s} sent humanitarian aid to {t}.", "{s} supplied {t} with drones."]),
    ("ACCUSE", "112", 0.10, ["{s} accused {t} of undermining {topic}.", "{s} condemned {t} over {topic}."]),
    ("REQUEST", "020", 0.07, ["{s} urged {t} to resume talks on {topic}."]),
    ("REJECT", "120", 0.05, ["{s} rejected {t}'s proposal on {topic}."]),
    ("THREATEN", "130", 0.04, ["{s} threatened {t} with sanctions over {topic}."]),
    ("SANCTION", "163", 0.04, ["{s} imposed sanctions on {t} over {topic}."]),
    ("COERCE", "173", 0.03, ["{s} detained citizens of {t} accused of espionage."]),
    ("ASSAULT", "190", 0.07, ["{s} launched strikes on targets in {t}.", "Forces from {s} shelled positions held by {t}."]),
    ("PROTEST", "141", 0.03, ["Protesters in {s} rallied against {t}'s policy on {topic}."]),
    ("MOBILIZE", "154", 0.03, ["{s} moved troops toward the border with {t}."]),
    ("CONCEDE", "081", 0.02, ["{s} eased restrictions on {t}'s traders."]),
    ("RETREAT", "0841", 0.06, ["{s} released prisoners held from {t}."]),
]
TOPICS = ["energy", "trade", "security", "the border", "nuclear energy", "migration", "grain exports",
          "the ceasefire", "maritime rights", "cyber security", "counter-terrorism", "investment"]
FACTUALITIES = (["asserted", "alleged", "future", "hypothetical", "negated"], [0.80, 0.08, 0.05, 0.04, 0.03])
START, END = date(2000, 1, 1), date(2025, 12, 31)
EVENTS_PER_DOCUMENT = 5


@dataclass(slots=True)
class FillStats:
    events: int
    documents: int
    seconds: float


def fill_store(location: str | Path, n_events: int, seed: int = 7, chunk: int = 200_000,
               progress=None) -> FillStats:
    """Append `n_events` synthetic events (and their documents and sentences) to a store."""
    import time

    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    store = Store.open(location)
    try:
        offset = int(store.query("SELECT count(*) AS n FROM events")["n"][0])
        done = 0
        while done < n_events:
            n = min(chunk, n_events - done)
            store.append_tables(_chunk(rng, offset + done, n))
            done += n
            if progress is not None:
                progress(done)
    finally:
        store.close()
    return FillStats(n_events, -(-n_events // EVENTS_PER_DOCUMENT), time.perf_counter() - t0)


def _zipf_weights(n: int, a: float = 1.1) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** a
    return w / w.sum()


def _chunk(rng: np.random.Generator, first: int, n: int) -> dict[str, pa.Table]:
    k = len(COUNTRIES)
    src = rng.choice(k, size=n, p=_zipf_weights(k))
    # Each source has its own favourite partners: shift a Zipf draw by a per-source offset.
    tgt = (src + 1 + rng.choice(k - 1, size=n, p=_zipf_weights(k - 1, 1.3))) % k
    shares = np.array([t[2] for t in TYPES])
    typ = rng.choice(len(TYPES), size=n, p=shares / shares.sum())
    fact = rng.choice(len(FACTUALITIES[0]), size=n, p=FACTUALITIES[1])
    days = rng.integers(0, (END - START).days + 1, size=n)
    topic = rng.integers(0, len(TOPICS), size=n)
    tmpl = rng.integers(0, 2, size=n)
    has_place = rng.random(n) < 0.3
    conf = np.round(rng.uniform(0.3, 0.99, size=n), 2)
    base = np.datetime64(START.isoformat())
    ev_dates = (base + days.astype("timedelta64[D]")).astype("datetime64[D]").astype(date)

    cols: dict[str, list] = {name: [] for name in TABLES["events"].names}
    doc_rows: dict[str, list] = {name: [] for name in TABLES["documents"].names}
    sent_rows: dict[str, list] = {name: [] for name in TABLES["sentences"].names}
    text_parts: list[str] = []
    doc_first_date = None
    now = datetime(2026, 1, 1)
    for i in range(n):
        gid = first + i
        doc_no, sent_idx = divmod(gid, EVENTS_PER_DOCUMENT)
        doc_id = f"syn-{doc_no:08d}"
        s_code, s_name = COUNTRIES[src[i]]
        t_code, t_name = COUNTRIES[tgt[i]]
        ptype, code, _, templates = TYPES[typ[i]]
        sentence = templates[tmpl[i] % len(templates)].format(s=s_name, t=t_name, topic=TOPICS[topic[i]])
        sentence = sentence[0].upper() + sentence[1:]
        if sent_idx == 0:
            text_parts, doc_first_date = [], ev_dates[i]
        start = sum(len(p) + 1 for p in text_parts)
        text_parts.append(sentence)
        end = start + len(sentence)
        entry = cameo_code(code)
        factuality = FACTUALITIES[0][fact[i]]
        d = ev_dates[i].isoformat()
        row = {
            "event_id": f"syn-{gid:010d}", "doc_id": doc_id, "sentence_idx": sent_idx, "sentence": sentence,
            "start": start, "end": end, "trigger": ptype.lower(), "trigger_start": start, "trigger_end": start + 1,
            "source_text": s_name, "source_code": s_code, "source_country": s_code, "source_sector": None,
            "target_text": t_name, "target_code": t_code, "target_country": t_code, "target_sector": None,
            "plover_type": ptype, "plover_mode": entry.plover_mode, "plover_context": list(entry.plover_context),
            "cameo_code": entry.code, "cameo_name": entry.name, "goldstein": entry.goldstein,
            "quad_class": entry.quad_class, "factuality": factuality, "attribution_text": None,
            "attribution_code": None, "attribution_country": None, "date_value": d, "date_precision": "day",
            "date_basis": "text", "event_date": ev_dates[i], "location_name": t_name if has_place[i] else None,
            "location_country": t_code if has_place[i] else None,
            "lat": float(rng.uniform(-40, 60)) if has_place[i] else None,
            "lon": float(rng.uniform(-100, 140)) if has_place[i] else None,
            "confidence": float(conf[i]), "rule": "synthetic", "origin": "synthetic",
            "origin_id": None,
        }
        row["raw"] = json.dumps({
            "event_id": row["event_id"], "doc_id": doc_id, "sentence": sentence, "offsets": [start, end],
            "trigger": row["trigger"], "source": {"text": s_name, "code": s_code, "country": s_code, "sector": None},
            "target": {"text": t_name, "code": t_code, "country": t_code, "sector": None},
            "plover": {"type": ptype, "mode": entry.plover_mode, "context": list(entry.plover_context)},
            "cameo": {"code": entry.code, "name": entry.name, "goldstein": entry.goldstein, "quad_class": entry.quad_class},
            "factuality": factuality, "attribution": None,
            "date": {"value": d, "precision": "day", "basis": "text"}, "location": None, "confidence": row["confidence"],
        })
        for name, value in row.items():
            cols[name].append(value)
        for name, value in (("doc_id", doc_id), ("idx", sent_idx), ("start", start), ("end", end),
                            ("text", sentence), ("block_kind", "paragraph")):
            sent_rows[name].append(value)
        if sent_idx == EVENTS_PER_DOCUMENT - 1 or i == n - 1:
            text = " ".join(text_parts)
            for name, value in (("doc_id", doc_id), ("content_hash", f"synthetic-{doc_no}"),
                                ("title", f"Synthetic report {doc_no}"), ("url", None), ("date", doc_first_date),
                                ("origin", "synthetic"), ("text", text), ("n_sentences", len(text_parts)),
                                ("n_events", len(text_parts)), ("ingested_at", now)):
                doc_rows[name].append(value)
    return {
        "events": pa.table(cols, schema=TABLES["events"]),
        "documents": pa.table(doc_rows, schema=TABLES["documents"]),
        "sentences": pa.table(sent_rows, schema=TABLES["sentences"]),
    }
