"""Change over time: the points where a directed dyad's mean Goldstein value or its mix of
PLOVER types changed significantly.

Method (for each kind, "goldstein" and "mix", separately):

1. The dyad's asserted, dated events are put in date order (ties by `merged_id`, so the input
   order never matters) and binned into periods (year, quarter or month).
2. Binary segmentation: a segment may be split only at a period boundary, and only where each
   side keeps at least `min_events` events. Every candidate split gets a statistic that is
   comparable across split positions:
   - goldstein: |mean before - mean after| * sqrt(k (n - k) / n), the two-sample z statistic
     with the segment's pooled variance (which a permutation leaves unchanged);
   - mix: the chi-square statistic of the 2 x types table (before/after by PLOVER type).
3. The best split is tested with a seeded permutation test of the *maximum* statistic over all
   candidate splits (the events' values are shuffled within the segment, the period bins kept):
   trying many splits is paid for in the null distribution, not by luck. The split stands if
   its p-value is below alpha / 2 (alpha is shared by the two kinds, so that a stable dyad
   raises a false alarm of either kind at most about alpha of the time); both sides are then
   segmented in the next round, where the level is divided again among the round's segments.
4. Each change is reported with the events between its neighbouring changes of the same kind
   (`before`, `after`), the p-value of the test that found it, a sentence for an analyst, and
   the events after it that drive it most.

Everything is numpy, vectorised over permutations (in bounded batches), and seeded per segment
(`seed`, kind, segment bounds), so the same input and seed give the same output.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from nexus.relations.model import Change, MergedEvent, PeriodStats

Kind = Literal["goldstein", "mix"]
_KINDS: tuple[Kind, ...] = ("goldstein", "mix")
_MAX_DRIVERS = 5
_BATCH_CELLS = 2_000_000  # permutations x events handled at once: bounds memory for long dyads
_BATCH_ROWS = 250  # permutations per batch: a segment with no change stops after the first batches


# --- periods ---------------------------------------------------------------------------------

def period_start(day: date, freq: str) -> date:
    """First day of the period (year, quarter, month) holding `day`."""
    if freq == "year":
        return date(day.year, 1, 1)
    if freq == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if freq == "month":
        return date(day.year, day.month, 1)
    raise ValueError(f"freq must be year, quarter or month, not {freq!r}")


def _next_period(start: date, freq: str) -> date:
    months = {"year": 12, "quarter": 3, "month": 1}[freq]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_label(start: date, freq: str) -> str:
    """ "2023", "2023-Q4", "2023-08"."""
    if freq == "year":
        return f"{start.year}"
    if freq == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


# --- the test --------------------------------------------------------------------------------

def _split_stats(left: NDArray[np.float64], k: NDArray[np.float64], n: int, kind: Kind,
                 total: NDArray[np.float64]) -> NDArray[np.float64]:
    """Statistic of every candidate split for every row (row = one ordering of the values).

    goldstein: `left` is (rows, splits) sums of the values before each split, `total` the sum.
    mix: `left` is (rows, splits, types) counts before each split, `total` the type counts."""
    right_n = n - k
    if kind == "goldstein":
        diff = left / k - (total - left) / right_n
        return np.abs(diff) * np.sqrt(k * right_n / n)
    expected = k[:, None] * total[None, :] / n  # (splits, types)
    dev = left - expected
    return (dev * dev / total).sum(axis=-1) * (n * n / (k * right_n))


def _block_sums(values: NDArray[np.float64] | NDArray[np.int64], order: NDArray[np.int64],
                block: NDArray[np.int64], n_blocks: int, kind: Kind, n_types: int) -> NDArray[np.float64]:
    """Per-period sums (goldstein) or per-period type counts (mix) for each row of `order`
    (each row a permutation of the segment's positions)."""
    rows = order.shape[0]
    if kind == "goldstein":
        starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])
        return np.add.reduceat(values[order], starts, axis=1)
    index = (np.arange(rows)[:, None] * n_blocks + block[None, :]) * n_types + values[order]
    counts = np.bincount(index.ravel(), minlength=rows * n_blocks * n_types)
    return counts.reshape(rows, n_blocks, n_types).astype(np.float64)


@dataclass(frozen=True, slots=True)
class _Split:
    at: int  # index (into the segment) of the first event after the split
    p_value: float


def _best_split(values: NDArray[np.float64] | NDArray[np.int64], periods: NDArray[np.int64], kind: Kind,
                min_events: int, permutations: int, level: float, rng: np.random.Generator) -> _Split | None:
    """The segment's best split at a period boundary and its permutation p-value (of the max
    statistic over all candidate splits), or None when no split is possible or informative.
    Permuting stops once the p-value cannot fall below `level`: the verdict is the same."""
    n = len(values)
    if n < 2 * min_events:
        return None
    boundary = np.r_[False, periods[1:] != periods[:-1]]
    block = np.cumsum(boundary)
    n_blocks = int(block[-1]) + 1
    first_of_block = np.flatnonzero(np.r_[True, boundary[1:]])  # split positions, block 1..J-1
    split_at = first_of_block[1:]
    ok = (split_at >= min_events) & (n - split_at >= min_events)
    if not ok.any():
        return None
    k = split_at.astype(np.float64)
    if kind == "goldstein":
        vals: NDArray[np.float64] | NDArray[np.int64] = values.astype(np.float64)
        total = np.asarray(vals.sum(), dtype=np.float64)
        n_types = 0
        if np.ptp(vals) == 0:  # all equal: nothing can differ
            return None
    else:
        # Types coded 0..T-1 among the types present in this segment.
        _, codes = np.unique(values, return_inverse=True)
        vals = codes.astype(np.int64)
        n_types = int(vals.max()) + 1
        if n_types < 2:
            return None
        total = np.bincount(vals, minlength=n_types).astype(np.float64)

    def stats(order: NDArray[np.int64]) -> NDArray[np.float64]:
        sums = _block_sums(vals, order, block, n_blocks, kind, n_types)
        left = np.cumsum(sums, axis=1)[:, :-1]  # before each boundary
        return _split_stats(left[:, ok], k[ok], n, kind, total)

    observed = stats(np.arange(n)[None, :])[0]
    best = int(np.argmax(observed))  # ties: the earliest split
    top = observed[best]
    if not np.isfinite(top) or top <= 0:
        return None
    exceed = 0
    batch = max(1, min(_BATCH_ROWS, _BATCH_CELLS // n))
    base = np.arange(n)
    tolerance = top * (1 - 1e-9)  # a permutation that equals the observed split counts as exceeding it
    for done in range(0, permutations, batch):
        rows = min(batch, permutations - done)
        order = rng.permuted(np.broadcast_to(base, (rows, n)), axis=1)
        exceed += int((stats(order).max(axis=1) >= tolerance).sum())
        if (exceed + 1) / (permutations + 1) >= level:
            break  # not significant whatever the remaining permutations say
    return _Split(int(split_at[ok][best]), (exceed + 1) / (permutations + 1))


def _segment(values: NDArray[np.float64] | NDArray[np.int64], periods: NDArray[np.int64], kind: Kind,
             alpha: float, min_events: int, permutations: int, seed: int) -> list[tuple[int, float]]:
    """Binary segmentation in rounds: (index of the first event after each change, p-value).

    Every round tests the segments the last round split off, each at alpha / (segments in the
    round): recursing tests more and more segments, and without the correction a relationship
    with two real changes picks up a spurious third one far more often than alpha."""
    found: list[tuple[int, float]] = []
    active = [(0, len(values))]
    while active:
        level = alpha / len(active)
        next_round: list[tuple[int, int]] = []
        for lo, hi in active:
            # Seeded by the segment itself: a segment's result does not depend on the others.
            rng = np.random.default_rng([seed, _KINDS.index(kind), lo, hi])
            split = _best_split(values[lo:hi], periods[lo:hi], kind, min_events, permutations, level, rng)
            if split is None or split.p_value >= level:
                continue
            at = lo + split.at
            found.append((at, split.p_value))
            next_round += [(lo, at), (at, hi)]
        active = next_round
    return sorted(found)


# --- reporting -------------------------------------------------------------------------------

def _mean_goldstein(events: Sequence[MergedEvent]) -> float | None:
    values = [e.goldstein for e in events if e.goldstein is not None]
    return float(np.mean(values)) if values else None


def _stats(events: Sequence[MergedEvent], freq: str, start: date | None = None) -> PeriodStats:
    """A side of a change: from `start` (else its first event's period) to the end of its last
    event's period."""
    dates = [e.event_date for e in events if e.event_date is not None]
    mix = Counter(e.plover_type for e in events)
    return PeriodStats(
        start=start or period_start(min(dates), freq),
        end=_next_period(period_start(max(dates), freq), freq) - timedelta(days=1),
        n_events=len(events), mean_goldstein=_mean_goldstein(events),
        type_mix=dict(sorted(mix.items(), key=lambda kv: (-kv[1], kv[0]))))


def _shares(stats: PeriodStats) -> dict[str, float]:
    return {t: c / stats.n_events for t, c in stats.type_mix.items()}


def _share_shift(before: PeriodStats, after: PeriodStats) -> list[tuple[str, float, float]]:
    """(type, share before, share after) for every type, biggest change first."""
    b, a = _shares(before), _shares(after)
    rows = [(t, b.get(t, 0.0), a.get(t, 0.0)) for t in sorted(set(b) | set(a))]
    return sorted(rows, key=lambda r: (-abs(r[2] - r[1]), r[0]))


def _summary(kind: Kind, before: PeriodStats, after: PeriodStats, last_before: str) -> str:
    if kind == "goldstein":
        mb, ma = before.mean_goldstein or 0.0, after.mean_goldstein or 0.0
        verb = "rose" if ma > mb else "fell" if ma < mb else "changed"
        return (f"mean Goldstein {verb} from {mb:+.1f} to {ma:+.1f} after {last_before} "
                f"({before.n_events} events before, {after.n_events} after)")
    shift = _share_shift(before, after)
    fell = [t for t, b, a in shift if a < b][:2]
    grew = [t for t, b, a in shift if a > b][:2]
    detail = ", ".join(f"{t} {b:.0%} -> {a:.0%}" for t, b, a in shift[:3])
    return (f"the mix shifted from {', '.join(fell) or 'the same types'} to {', '.join(grew) or 'the same types'} "
            f"after {last_before} ({detail})")


def _drivers(kind: Kind, after_events: Sequence[MergedEvent], before: PeriodStats,
             after: PeriodStats) -> tuple[MergedEvent, ...]:
    """The events after the change that drive it most, at most five, in a fixed order."""
    def when(e: MergedEvent) -> tuple[date, str]:
        return (e.event_date or date.min, e.merged_id)

    if kind == "goldstein":
        mb, ma = before.mean_goldstein, after.mean_goldstein
        if mb is None or ma is None or ma == mb:
            return ()
        sign = 1.0 if ma > mb else -1.0
        moved = [(sign * (e.goldstein - mb), e) for e in after_events if e.goldstein is not None]
        moved = [(d, e) for d, e in moved if d > 0]  # only events that pull the way the mean moved
        moved.sort(key=lambda de: (-de[0], when(de[1])))
        return tuple(e for _, e in moved[:_MAX_DRIVERS])
    grew = sorted(((a - b, t) for t, b, a in _share_shift(before, after) if a > b), key=lambda x: (-x[0], x[1]))
    rank = {t: i for i, (_, t) in enumerate(grew)}
    chosen = sorted((e for e in after_events if e.plover_type in rank), key=lambda e: (rank[e.plover_type], when(e)))
    return tuple(chosen[:_MAX_DRIVERS])


# --- entry points ----------------------------------------------------------------------------

def _eligible(merged: Sequence[MergedEvent], source: str, target: str) -> list[MergedEvent]:
    """The dyad's asserted, dated events, in a fixed order whatever the input order."""
    events = [e for e in merged
              if e.asserted and e.event_date is not None and e.first_report.dyad == (source, target)]
    return sorted(events, key=lambda e: (e.event_date or date.min, e.merged_id))


def find_changes(merged: Sequence[MergedEvent], source: str, target: str, freq: str = "quarter",
                 alpha: float = 0.05, min_events: int = 3, seed: int = 0,
                 permutations: int = 999) -> list[Change]:
    """Significant changes in how `source` treats `target` (directed; actors compare by country
    as `Mention.dyad` does): shifts of mean Goldstein and of the PLOVER type mix, by date, then
    kind. Only asserted, dated events count. Reproducible for a given `seed` (>= 0)."""
    if freq not in ("year", "quarter", "month"):
        raise ValueError(f"freq must be year, quarter or month, not {freq!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha}")
    if permutations < 1 or seed < 0:
        raise ValueError("permutations must be at least 1 and seed at least 0")
    min_events = max(1, min_events)
    events = _eligible(merged, source, target)
    changes: list[Change] = []
    for kind in _KINDS:
        pool = [e for e in events if e.goldstein is not None] if kind == "goldstein" else events
        if len(pool) < 2 * min_events:
            continue
        starts = [period_start(e.event_date or date.min, freq) for e in pool]
        period_ids = np.unique(np.array([d.toordinal() for d in starts]), return_inverse=True)[1].astype(np.int64)
        values: NDArray[np.float64] | NDArray[np.int64]
        if kind == "goldstein":
            values = np.array([e.goldstein for e in pool], dtype=np.float64)
        else:
            values = np.unique([e.plover_type for e in pool], return_inverse=True)[1].astype(np.int64)
        # Alpha is shared by the two kinds (Bonferroni), so a stable dyad rarely shows either.
        found = _segment(values, period_ids, kind, alpha / len(_KINDS), min_events, permutations, seed)
        # The sides of a change are the stretches between it and its neighbouring changes. A
        # change falls between the last period before it and the first after it, and is dated
        # at the earliest: the period right after the last one before it.
        cuts = [0, *(at for at, _ in found), len(pool)]
        sides = [_stats(pool[lo:hi], freq, None if lo == 0 else _next_period(starts[lo - 1], freq))
                 for lo, hi in pairwise(cuts)]
        for i, (at, p_value) in enumerate(found):
            before, after = sides[i], sides[i + 1]
            changes.append(Change(
                source=source, target=target, at=after.start, kind=kind, before=before, after=after,
                p_value=p_value, summary=_summary(kind, before, after, period_label(starts[at - 1], freq)),
                drivers=_drivers(kind, pool[at:cuts[i + 2]], before, after)))
    return sorted(changes, key=lambda c: (c.at, c.kind))


def find_dyad_changes(merged: Sequence[MergedEvent], a: str, b: str, freq: str = "quarter",
                      alpha: float = 0.05, min_events: int = 3, seed: int = 0,
                      permutations: int = 999) -> list[Change]:
    """`find_changes` for both directions, a -> b and b -> a, by date, kind, then direction."""
    both = [c for s, t in ((a, b), (b, a))
            for c in find_changes(merged, s, t, freq=freq, alpha=alpha, min_events=min_events, seed=seed,
                                  permutations=permutations)]
    return sorted(both, key=lambda c: (c.at, c.kind, c.source, c.target))
