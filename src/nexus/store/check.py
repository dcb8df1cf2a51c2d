"""Integrity check of a store (`nexus check`): what a crash, a bad import or a hand edit could
have broken. Uses nothing but `store.query(sql, params)` and SQL that DuckDB and PostgreSQL
share, so it checks any backend.

    report = check_store(store)
    report.ok, report.problems          # each Problem names its check and, where known, doc_id
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from nexus.events.model import FACTUALITIES
from nexus.ontology import PLOVER_TYPES, cameo_code
from nexus.store import migrations
from nexus.store.rows import TABLES

#: Problems listed per check; past this many they are only counted.
DEFAULT_LIMIT = 100


class Queryable(Protocol):
    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame: ...


@dataclass(frozen=True, slots=True)
class Problem:
    check: str  # the name of the check that found it (CHECKS)
    message: str
    doc_id: str | None = None

    def __str__(self) -> str:
        return f"{self.check}: {self.doc_id}: {self.message}" if self.doc_id else \
            f"{self.check}: {self.message}"


@dataclass(slots=True)
class CheckReport:
    version: int | None = None  # the schema version recorded in the store
    rows: dict[str, int] = field(default_factory=dict)  # rows per table
    checks: list[str] = field(default_factory=list)  # the checks that ran, in order
    problems: list[Problem] = field(default_factory=list)  # those listed
    found: dict[str, int] = field(default_factory=dict)  # problems found per check, listed or not

    @property
    def ok(self) -> bool:
        return not any(self.found.values())

    @property
    def n_problems(self) -> int:
        return sum(self.found.values())


class _Finder:
    """Runs one check's queries, keeping at most `limit` problems and counting the rest."""

    def __init__(self, store: Queryable, report: CheckReport, check: str, limit: int) -> None:
        self.store, self.report, self.check, self.limit = store, report, check, limit
        self.listed = 0
        report.found.setdefault(check, 0)

    def add(self, message: str, doc_id: str | None = None) -> None:
        self.report.found[self.check] += 1
        if self.listed < self.limit:
            self.listed += 1
            self.report.problems.append(Problem(self.check, message, doc_id))

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The problem rows of `sql` (one SELECT), up to the limit; the rest are counted here,
        not fetched."""
        records = _records(self.store.query(f"{sql} LIMIT ?", [*params, self.limit + 1]))
        if len(records) > self.limit:
            total = self.store.query(f"SELECT count(*) AS n FROM ({sql}) AS found", list(params))
            self.report.found[self.check] += int(total["n"].iloc[0]) - self.limit
            records = records[:self.limit]
        return records


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with None for NULL (pandas gives NaN or NaT)."""
    return [{k: (None if _missing(v) else v) for k, v in row.items()}
            for row in df.to_dict(orient="records")]


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays
        return False


# --- the checks ------------------------------------------------------------------------------


def _schema(f: _Finder) -> bool:
    """Every table with its columns, and the schema version this Nexus writes. False when a
    table is missing: the other checks could not run."""
    whole = True
    for table, schema in TABLES.items():
        try:
            have = set(f.store.query(f"SELECT * FROM {table} LIMIT 0").columns)
        except Exception as exc:  # noqa: BLE001 - any backend's "no such table"
            f.add(f"table {table} cannot be read: {_first_line(exc)}")
            whole = False
            continue
        missing = [c for c in schema.names if c not in have]
        if missing:
            f.add(f"table {table} lacks columns {', '.join(missing)}")
            whole = False
    try:
        found = f.store.query("SELECT value FROM meta WHERE key = 'schema_version'")
    except Exception as exc:  # noqa: BLE001
        f.add(f"no meta table: {_first_line(exc)}")
        return False
    if found.empty:
        f.add("no schema version recorded in meta")
        return whole
    value = str(found["value"].iloc[0])
    try:
        f.report.version = int(value)
    except ValueError:
        f.add(f"schema version {value!r} is not a number")
        return whole
    current = migrations.SCHEMA_VERSION
    if f.report.version < current:
        f.add(f"schema version {value}, this Nexus writes version {current}: open the "
              "store for writing once, or run `nexus migrate`")
    elif f.report.version > current:
        f.add(f"schema version {value} is newer than this Nexus (version {current})")
    return whole


def _counts(f: _Finder) -> None:
    """Each document's n_sentences and n_events against the rows stored for it."""
    for r in f.rows("""
            SELECT d.doc_id, d.n_sentences, coalesce(s.n, 0) AS sentences,
                   d.n_events, coalesce(e.n, 0) AS events
            FROM documents d
            LEFT JOIN (SELECT doc_id, count(*) AS n FROM sentences GROUP BY doc_id) s
                   ON s.doc_id = d.doc_id
            LEFT JOIN (SELECT doc_id, count(*) AS n FROM events GROUP BY doc_id) e
                   ON e.doc_id = d.doc_id
            WHERE d.n_sentences <> coalesce(s.n, 0) OR d.n_events <> coalesce(e.n, 0)
            ORDER BY d.doc_id"""):
        parts = [f"n_{what} is {r['n_' + what]}, {r[what]} stored"
                 for what in ("sentences", "events") if r["n_" + what] != r[what]]
        f.add("; ".join(parts), r["doc_id"])


def _orphans(f: _Finder) -> None:
    """Rows whose document is not stored, and mentions or coded events whose sentence is not."""
    for table in ("blocks", "sentences", "mentions", "events"):
        for r in f.rows(f"""
                SELECT t.doc_id, count(*) AS n FROM {table} t
                WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.doc_id = t.doc_id)
                GROUP BY t.doc_id ORDER BY t.doc_id"""):
            f.add(f"{r['n']} {table} rows without their document", r["doc_id"])
    # Imported events have no sentences (their evidence is the dataset's text): coded ones only.
    for table, only in (("mentions", "TRUE"), ("events", "t.origin = 'nexus'")):
        for r in f.rows(f"""
                SELECT t.doc_id, t.sentence_idx, count(*) AS n FROM {table} t
                WHERE {only} AND EXISTS (SELECT 1 FROM documents d WHERE d.doc_id = t.doc_id)
                  AND NOT EXISTS (SELECT 1 FROM sentences s
                                  WHERE s.doc_id = t.doc_id AND s.idx = t.sentence_idx)
                GROUP BY t.doc_id, t.sentence_idx ORDER BY t.doc_id, t.sentence_idx"""):
            f.add(f"{r['n']} {table} in sentence {r['sentence_idx']}, which is not stored",
                  r["doc_id"])


def _outside(alias: str) -> str:
    """SQL: the row's [start, end) is not a span of its document's text `d.text`."""
    return (f'({alias}.start < 0 OR {alias}."end" < {alias}.start '
            f'OR {alias}."end" > length(d.text))')


def _slice_differs(alias: str, column: str) -> str:
    """SQL: the row's `column` is not the document text at its offsets. CASE keeps substr
    away from bad offsets (PostgreSQL refuses a negative length)."""
    return (f"CASE WHEN {_outside(alias)} THEN FALSE "
            f'ELSE {alias}.{column} <> substr(d.text, {alias}.start + 1, {alias}."end" - {alias}.start) END')


def _offsets(f: _Finder) -> None:
    """Offsets inside the document text; sentences, mentions and coded events' evidence equal
    to the text at their offsets; triggers inside their event's evidence."""
    spans = (  # table, what a row is called, its text column, which rows
        ("blocks", "'block ' || t.idx", None, "TRUE"),
        ("sentences", "'sentence ' || t.idx", "text", "TRUE"),
        ("mentions", "'mention ' || t.text || ' in sentence ' || t.sentence_idx", "text", "TRUE"),
        ("events", "'event ' || t.event_id", "sentence", "t.origin = 'nexus'"),
    )
    for table, label, column, only in spans:
        differs = _slice_differs("t", column) if column else "FALSE"
        for r in f.rows(f"""
                SELECT t.doc_id, {label} AS what, t.start, t."end", length(d.text) AS n,
                       {_outside("t")} AS outside
                FROM {table} t JOIN documents d ON d.doc_id = t.doc_id
                WHERE {only} AND ({_outside("t")} OR {differs})
                ORDER BY t.doc_id, t.start"""):
            where = f"[{r['start']}, {r['end']})"
            if r["outside"]:
                f.add(f"{r['what']}: offsets {where} outside the text ({r['n']} characters)",
                      r["doc_id"])
            else:
                f.add(f"{r['what']}: stored {column} differs from the text at {where}", r["doc_id"])
    for r in f.rows("""
            SELECT doc_id, event_id, start, "end", trigger_start, trigger_end FROM events
            WHERE origin = 'nexus' AND ((trigger_start IS NULL) <> (trigger_end IS NULL)
                  OR trigger_start < start OR trigger_end > "end" OR trigger_end < trigger_start)
            ORDER BY doc_id, start"""):
        f.add(f"event {r['event_id']}: trigger offsets [{r['trigger_start']}, {r['trigger_end']}) "
              f"outside its evidence [{r['start']}, {r['end']})", r["doc_id"])


def _keys(f: _Finder) -> None:
    """Primary keys unique: documents.doc_id, events.event_id, (doc_id, idx) of sentences and
    blocks. DuckDB enforces the first two; a backend or a copy without constraints may not."""
    keys = (("documents", "doc_id", "doc_id"), ("events", "event_id", "min(doc_id)"),
            ("sentences", "doc_id, idx", "doc_id"), ("blocks", "doc_id, idx", "doc_id"))
    for table, key, doc in keys:
        for r in f.rows(f"""
                SELECT {key}, {doc} AS doc, count(*) AS n FROM {table}
                GROUP BY {key} HAVING count(*) > 1 ORDER BY {key}"""):
            value = ", ".join(f"{k.strip()} {r[k.strip()]!r}" for k in key.split(","))
            f.add(f"{table}: {r['n']} rows with {value}", r["doc"])


def _valid_cameo(code: str) -> bool:
    """A CAMEO code of the ontology; an unknown 4-digit code whose parent is known counts, as
    the importers store the datasets' own codes."""
    if not (code.isdigit() and 2 <= len(code) <= 4):
        return False
    try:
        cameo_code(code)
    except KeyError:
        return False
    return True


def _codes(f: _Finder) -> None:
    """Events' CAMEO codes in the ontology, PLOVER types known, factuality in the contract's set."""
    valid: dict[str, Callable[[str], bool]] = {
        "cameo_code": _valid_cameo,
        "plover_type": lambda v: v in PLOVER_TYPES,
        "factuality": lambda v: v in FACTUALITIES,
    }
    for column, ok in valid.items():
        values = f.store.query(f"SELECT DISTINCT {column} AS value FROM events")["value"]
        bad = [v for v in values if v is None or _missing(v) or not ok(str(v))]
        if not bad:
            continue
        nulls = any(v is None or _missing(v) for v in bad)
        listed = [str(v) for v in bad if not (v is None or _missing(v))]
        marks = ", ".join("?" * len(listed))
        conditions = ([f"{column} IN ({marks})"] if listed else []) + \
            ([f"{column} IS NULL"] if nulls else [])
        for r in f.rows(f"""
                SELECT doc_id, event_id, {column} AS value FROM events
                WHERE {' OR '.join(conditions)} ORDER BY doc_id, event_id""", listed):
            value = "missing" if r["value"] is None else repr(r["value"])
            f.add(f"event {r['event_id']}: {column} {value} is not valid", r["doc_id"])


#: The checks, in the order they run: name -> (what it checks, the function).
CHECKS: dict[str, tuple[str, Callable[[_Finder], Any]]] = {
    "schema": ("tables, columns and schema version", _schema),
    "counts": ("documents' n_sentences and n_events against the stored rows", _counts),
    "orphans": ("rows without their document or sentence", _orphans),
    "offsets": ("offsets inside the text, stored text equal to the text at them", _offsets),
    "keys": ("primary keys unique", _keys),
    "codes": ("CAMEO codes, PLOVER types and factuality valid", _codes),
}


def check_store(store: Queryable, limit: int = DEFAULT_LIMIT) -> CheckReport:
    """Run every check on `store`. Lists at most `limit` problems per check (`found` counts
    them all). A store whose tables are not all there gets the schema check only."""
    report = CheckReport()
    for name, (_, run) in CHECKS.items():
        finder = _Finder(store, report, name, limit)
        report.checks.append(name)
        whole = run(finder)
        if name == "schema":
            if not whole:
                return report
            for table in TABLES:
                report.rows[table] = int(store.query(f"SELECT count(*) AS n FROM {table}")["n"].iloc[0])
    return report


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
