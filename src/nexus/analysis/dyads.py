"""How one pair of actors treats each other over time, in both directions, with the evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from nexus.store.base import EventStore
from nexus.store.queries import QUAD_COLUMNS, Values, Where, actor_match, in_list, period_start, summary_sql

Freq = Literal["year", "quarter", "month"]
FREQS: tuple[str, ...] = ("year", "quarter", "month")
UNDATED = "undated"  # period label of events without a date


@dataclass(slots=True)
class DirectionReport:
    """Events from `source` to `target` that count (the report's factualities)."""

    source: str
    target: str
    n_events: int
    mean_goldstein: float | None
    by_type: pd.DataFrame  # index period; one column per PLOVER type; event counts
    by_quad: pd.DataFrame  # index period; counts per quad class, n_events, mean_goldstein
    evidence: pd.DataFrame  # strongest events first, by |goldstein| * confidence
    claimed: pd.DataFrame  # events not counted (alleged, negated...): factuality, plover_type, n_events

    @property
    def claimed_counts(self) -> dict[str, int]:
        """Events only claimed, denied or planned, by factuality."""
        return {str(k): int(v) for k, v in self.claimed.groupby("factuality")["n_events"].sum().items()}


@dataclass(slots=True)
class DyadReport:
    a: str
    b: str
    freq: str
    factuality: tuple[str, ...] | None  # the factualities counted; None: all of them
    a_to_b: DirectionReport
    b_to_a: DirectionReport
    mean_goldstein: float | None  # both directions together

    @property
    def n_events(self) -> int:
        return self.a_to_b.n_events + self.b_to_a.n_events


def dyad_report(store: EventStore, a: str, b: str, freq: Freq = "year", evidence: int = 5,
                factuality: Values = "asserted") -> DyadReport:
    """Counts by period and PLOVER type, quad classes and Goldstein by period, the strongest
    evidence sentences, and what is only claimed, for a -> b and b -> a. Actors match as in
    `queries.events` (code prefix, country or sector)."""
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {', '.join(FREQS)}, got {freq!r}")
    facts = None if factuality is None else tuple(
        f.lower() for f in ([factuality] if isinstance(factuality, str) else factuality))
    # One scan for every count of both directions and one for the evidence: on a big store each
    # scan costs the same however little it returns, so the report asks as few as it can.
    ab, ba = _pair(a, b), _pair(b, a)
    # coalesce: a missing code or country makes a match NULL, and NULL is not a direction
    flags = (Where().add(f"coalesce({ab.sql()}, FALSE) AS ab", *ab.params)
             .add(f"coalesce({ba.sql()}, FALSE) AS ba", *ba.params))
    either = Where().add(f"(({ab.sql()}) OR ({ba.sql()}))", *ab.params, *ba.params)
    counted = _counted(facts)
    groups = store.query(
        f"SELECT {', '.join(flags.clauses)}, {period_start(freq)} AS period, plover_type, quad_class, "
        f"factuality, coalesce({counted.sql()}, FALSE) AS counted, count(*) AS n, sum(goldstein) AS g "
        f"FROM events WHERE {either.sql()} GROUP BY 1, 2, 3, 4, 5, 6, 7",
        [*flags.params, *counted.params, *either.params])
    groups["period"] = _labels(groups["period"], freq)
    evidence = _evidence(store, ab, ba, counted, evidence)
    reports = [_direction(source, target, groups[groups[flag]], evidence.get(flag))
               for source, target, flag in ((a, b, "ab"), (b, a, "ba"))]
    n = sum(d.n_events for d in reports)
    total = sum((d.mean_goldstein or 0.0) * d.n_events for d in reports)
    return DyadReport(a=a, b=b, freq=freq, factuality=facts, a_to_b=reports[0], b_to_a=reports[1],
                      mean_goldstein=total / n if n else None)


EVIDENCE_COLUMNS = ["event_id", "doc_id", "sentence", "trigger", "plover_type", "cameo_code", "goldstein",
                    "confidence", "factuality", "attribution_text", "date_value", "event_date", "score"]


def _pair(source: str, target: str) -> Where:
    return Where().add_clause(actor_match("source", source)).add_clause(actor_match("target", target))


def _counted(facts: Sequence[str] | None) -> Where:
    """The condition for an event to count (its factuality is one asked for)."""
    return Where() if facts is None else Where().add_clause(in_list("factuality", facts))


def _evidence(store: EventStore, ab: Where, ba: Where, counted: Where, n: int) -> dict[str, pd.DataFrame]:
    """The `n` strongest counted events of each direction, by |goldstein| * confidence."""
    if n <= 0:
        return {}
    # Two top-n scans in one statement: sorting a shared materialised subset costs more on
    # a busy dyad (its sentences are copied) than scanning the table twice.
    score = "abs(coalesce(goldstein, 0)) * coalesce(confidence, 0) AS score"
    parts, params = [], []
    for flag, pair in (("ab", ab), ("ba", ba)):
        parts.append(f"(SELECT '{flag}' AS flag, {', '.join(EVIDENCE_COLUMNS[:-1])}, {score} FROM events "
                     f"WHERE {pair.sql()} AND {counted.sql()} "
                     f"ORDER BY score DESC, event_date, event_id LIMIT {int(n)})")
        params += [*pair.params, *counted.params]
    rows = store.query(" UNION ALL ".join(parts), params)
    return {flag: (rows[rows["flag"] == flag][EVIDENCE_COLUMNS]
                   .sort_values(["score", "event_date", "event_id"], ascending=[False, True, True])
                   .reset_index(drop=True))
            for flag in ("ab", "ba")}


def _direction(source: str, target: str, groups: pd.DataFrame, evidence: pd.DataFrame | None) -> DirectionReport:
    """One direction's tables from its share of the grouped counts."""
    counted = groups[groups["counted"]]
    by_type = counted.groupby(["period", "plover_type"], as_index=False)["n"].sum()
    type_table = (by_type.pivot_table(index="period", columns="plover_type", values="n",
                                      aggfunc="sum", fill_value=0)
                  .rename_axis(columns=None).astype("int64"))
    quads = counted.groupby(["period", "quad_class"], as_index=False)[["n", "g"]].sum(min_count=1)
    quad_table = _quad_table(quads)
    claimed = (groups[~groups["counted"]].groupby(["factuality", "plover_type"], as_index=False)["n"].sum()
               .rename(columns={"n": "n_events"})
               .sort_values(["n_events", "factuality", "plover_type"], ascending=[False, True, True])
               .reset_index(drop=True))
    n = int(counted["n"].sum())
    return DirectionReport(
        source=source, target=target, n_events=n,
        mean_goldstein=float(counted["g"].sum()) / n if n else None,
        by_type=type_table, by_quad=quad_table,
        evidence=evidence if evidence is not None else pd.DataFrame(columns=EVIDENCE_COLUMNS),
        claimed=claimed)


def _quad_table(quads: pd.DataFrame) -> pd.DataFrame:
    counts = (quads.pivot_table(index="period", columns="quad_class", values="n", aggfunc="sum",
                                fill_value=0)
              .reindex(columns=list(QUAD_COLUMNS), fill_value=0)
              .rename(columns=QUAD_COLUMNS).rename_axis(columns=None).astype("int64"))
    totals = quads.groupby("period")[["n", "g"]].sum()
    counts["n_events"] = totals["n"].astype("int64")
    counts["mean_goldstein"] = totals["g"] / totals["n"]
    return counts


def _labels(periods: pd.Series, freq: str) -> pd.Series:
    """Period starts as labels that sort in time order: 2022, 2022Q3, 2022-07, then undated."""
    def label(ts: pd.Timestamp) -> str:
        if pd.isna(ts):
            return UNDATED
        if freq == "year":
            return f"{ts.year}"
        if freq == "quarter":
            return f"{ts.year}Q{(ts.month - 1) // 3 + 1}"
        return f"{ts.year}-{ts.month:02d}"
    # Label each distinct period once: a busy dyad has thousands of rows but a few hundred periods.
    codes, uniques = pd.factorize(pd.to_datetime(periods))  # NaT gets code -1: the last label
    labels = np.array([label(ts) for ts in uniques] + [UNDATED], dtype=object)
    return pd.Series(labels[codes], index=periods.index, dtype=object)



ORIGIN_COLUMNS = ["origin", "direction", "source", "target", "n_events", *QUAD_COLUMNS.values(),
                  "mean_goldstein", "first_date", "last_date", "top_types"]


def dyad_by_origin(store: EventStore, a: str, b: str, factuality: Values = "asserted",
                   top_types: int = 3) -> pd.DataFrame:
    """Both directions of a dyad counted separately for each dataset the events come from
    (`events.origin`: nexus, gdelt1, gdelt2, icews...), to compare coded with imported events.

    One row per origin and direction that has events (ORIGIN_COLUMNS): direction is "a_to_b"
    or "b_to_a", the quad-class counts, mean Goldstein, first and last date, and the most
    frequent PLOVER types ("AID (12), COOPERATE (5)"). Origins first alphabetically, then a
    to b before b to a. Actors match as in `queries.events`."""
    facts = Where()
    if factuality is not None:
        facts.add_clause(in_list("factuality", [f.lower() for f in (
            [factuality] if isinstance(factuality, str) else factuality)]))
    parts, params = [], []
    for direction, (src, tgt) in (("a_to_b", (a, b)), ("b_to_a", (b, a))):
        w = facts.copy().add_clause(actor_match("source", src)).add_clause(actor_match("target", tgt))
        # Typed: PostgreSQL cannot tell a bare parameter's type in a SELECT list.
        parts.append(f"SELECT CAST(? AS VARCHAR) AS direction, CAST(? AS VARCHAR) AS source, "
                     f"CAST(? AS VARCHAR) AS target, origin, plover_type, "
                     f"quad_class, goldstein, event_date FROM events WHERE {w.sql()}")
        params += [direction, src, tgt, *w.params]
    # direction fixes source and target: grouping by them too changes no group
    sql = (summary_sql(" UNION ALL ".join(parts), ["origin", "direction", "source", "target"], nullable=["origin"])
           + " ORDER BY counts.origin NULLS LAST, counts.direction")
    return store.query(sql, [*params, int(top_types)])[ORIGIN_COLUMNS]


SERIES_COLUMNS = ["period", "direction", "source", "target", "n_events", *QUAD_COLUMNS.values(),
                  "mean_goldstein"]
_PERIOD_FREQ = {"year": "Y", "quarter": "Q", "month": "M"}


def dyad_series(store: EventStore, a: str, b: str, freq: Freq = "month",
                factuality: Values = "asserted") -> pd.DataFrame:
    """Both directions of a dyad as one long time series, for charts.

    Columns: period (labels as in `dyad_report`: "2022", "2022Q3", "2022-07", "undated"),
    direction ("a_to_b" or "b_to_a"), source, target, n_events, the four quad-class counts and
    mean_goldstein (None where a period has no events). Every period between the first and
    the last dated event is present in both directions (zero-filled), so gaps show as gaps;
    "undated" comes last when any event is undated. Raises ValueError on a bad `freq`.
    """
    report = dyad_report(store, a, b, freq=freq, evidence=0, factuality=factuality)
    periods = _period_range([report.a_to_b.by_quad.index, report.b_to_a.by_quad.index], freq)
    frames = []
    for direction, d in (("a_to_b", report.a_to_b), ("b_to_a", report.b_to_a)):
        counts = d.by_quad.reindex(periods)
        quad_and_n = [*QUAD_COLUMNS.values(), "n_events"]
        counts[quad_and_n] = counts[quad_and_n].fillna(0).astype("int64")
        counts = counts.rename_axis("period").reset_index()
        counts.insert(1, "direction", direction)
        counts.insert(2, "source", d.source)
        counts.insert(3, "target", d.target)
        frames.append(counts)
    out = pd.concat(frames, ignore_index=True)[SERIES_COLUMNS]
    out["mean_goldstein"] = out["mean_goldstein"].astype("float64")
    return out


def _period_range(indexes: list[pd.Index], freq: str) -> list[str]:
    """All period labels from the earliest to the latest seen, then "undated" if seen."""
    seen = {str(p) for index in indexes for p in index}
    dated = sorted(seen - {UNDATED})
    labels: list[str] = []
    if dated:
        span = pd.period_range(pd.Period(dated[0], freq=_PERIOD_FREQ[freq]),
                               pd.Period(dated[-1], freq=_PERIOD_FREQ[freq]))
        labels = [_period_label(p, freq) for p in span]
    return labels + ([UNDATED] if UNDATED in seen else [])


def _period_label(p: pd.Period, freq: str) -> str:
    if freq == "year":
        return f"{p.year}"
    if freq == "quarter":
        return f"{p.year}Q{p.quarter}"
    return f"{p.year}-{p.month:02d}"
