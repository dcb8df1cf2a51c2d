"""The actor network: who acts on whom, as nodes and directed edges (for graphs and GraphML).

An actor's key is its country where it has one, else its code (NATO, UNO, REB...), as in
`queries.relationships`. Only dyadic events count: both actors known and different keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from nexus.actors.gazetteer import canonical_names
from nexus.store.base import EventStore
from nexus.store.queries import QUAD_COLUMNS, DateLike, Values, event_where, in_list

NODE_COLUMNS = ["key", "label", "n_events", "n_source", "n_target"]
EDGE_COLUMNS = ["source", "target", "n_events", *QUAD_COLUMNS.values(), "mean_goldstein",
                "top_types"]


@dataclass(slots=True)
class Network:
    """Nodes and directed edges of the actor network.

    nodes: key, label, n_events (= n_source + n_target), n_source, n_target; most active first.
        A node's counts are all its dyadic events under the filters, including those on edges
        pruned by `min_events` or to actors cut by `max_nodes`.
    edges: source, target, n_events, verbal_coop, material_coop, verbal_conflict,
        material_conflict (counts per quad class 1-4), mean_goldstein (None when no event has
        one), top_types ({PLOVER type: count}, most frequent first); heaviest first.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    n_events: int  # dyadic events matching the filters, before any pruning
    n_nodes_total: int  # actors before the max_nodes cut
    n_edges_total: int  # directed pairs before pruning
    truncated: bool = False  # True when max_nodes cut actors (so some edges are not shown)
    filters: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the API's /api/network answer."""
        return {
            "filters": self.filters, "n_events": self.n_events, "n_nodes_total": self.n_nodes_total,
            "n_edges_total": self.n_edges_total, "truncated": self.truncated,
            "nodes": json.loads(self.nodes.to_json(orient="records")),
            "edges": json.loads(self.edges.to_json(orient="records")),
        }


def _key(side: str) -> str:
    return f"coalesce({side}_country, {side}_code)"


def network(store: EventStore, date_from: DateLike = None, date_to: DateLike = None,
            plover_types: Values = None, factuality: Values = "asserted", min_events: int = 1,
            max_nodes: int = 150, top_types: int = 3) -> Network:
    """The directed actor network of the events matching the filters (None: no filter).

    Edges with fewer than `min_events` events are dropped, then the `max_nodes` most active
    actors among those left are kept with the edges between them. One GROUP BY over the
    events table (by source, target and PLOVER type); the rest works on that small result.
    Raises ValueError on a bad date or bound.
    """
    if min_events < 1 or max_nodes < 1 or top_types < 0:
        raise ValueError("min_events and max_nodes must be at least 1, top_types at least 0")
    w = event_where(plover_type=plover_types, factuality=factuality, date_from=date_from,
                    date_to=date_to)
    quads = ", ".join(f"count(*) FILTER (WHERE quad_class = {q}) AS {name}"
                      for q, name in QUAD_COLUMNS.items())
    grouped = store.query(f"""
        WITH e AS (
            SELECT {_key('source')} AS source, {_key('target')} AS target,
                   plover_type, quad_class, goldstein
            FROM events WHERE {w.sql()}
        )
        SELECT source, target, plover_type, count(*) AS n_events, {quads},
               sum(goldstein) AS g_sum, count(goldstein) AS g_n
        FROM e WHERE source IS NOT NULL AND target IS NOT NULL AND source <> target
        GROUP BY source, target, plover_type""", w.params)
    filters = {"date_from": _str(date_from), "date_to": _str(date_to),
               "plover_types": _list(plover_types), "factuality": _list(factuality),
               "min_events": min_events, "max_nodes": max_nodes}

    sums = ["n_events", *QUAD_COLUMNS.values(), "g_sum", "g_n"]
    edges = grouped.groupby(["source", "target"], as_index=False)[sums].sum()
    out_deg = edges.groupby("source")["n_events"].sum()
    in_deg = edges.groupby("target")["n_events"].sum()
    totals = pd.DataFrame({"n_source": out_deg, "n_target": in_deg}).fillna(0).astype("int64")
    totals["n_events"] = totals["n_source"] + totals["n_target"]

    heavy = edges[edges["n_events"] >= min_events]
    candidates = totals.loc[sorted(set(heavy["source"]) | set(heavy["target"]))]
    kept = (candidates.rename_axis("key").reset_index()
            .sort_values(["n_events", "key"], ascending=[False, True]).head(max_nodes))
    keys = set(kept["key"])
    shown = heavy[heavy["source"].isin(keys) & heavy["target"].isin(keys)].copy()

    labels = actor_labels(store, kept["key"])
    kept["label"] = kept["key"].map(lambda k: labels.get(k, k))
    shown["mean_goldstein"] = (shown["g_sum"] / shown["g_n"]).where(shown["g_n"] > 0)
    shown["top_types"] = _top_types(grouped, shown, top_types)
    shown = shown.sort_values(["n_events", "source", "target"], ascending=[False, True, True])
    return Network(
        nodes=kept[NODE_COLUMNS].reset_index(drop=True),
        edges=shown[EDGE_COLUMNS].reset_index(drop=True),
        n_events=int(edges["n_events"].sum()), n_nodes_total=len(totals),
        n_edges_total=len(edges), truncated=len(candidates) > max_nodes, filters=filters)


def _top_types(grouped: pd.DataFrame, edges: pd.DataFrame, n: int) -> list[dict[str, int]]:
    """Per edge (in `edges` order), its `n` most frequent PLOVER types with their counts."""
    ranked = (grouped.merge(edges[["source", "target"]], on=["source", "target"])
              .sort_values(["n_events", "plover_type"], ascending=[False, True])
              .groupby(["source", "target"]).head(n))
    by_edge: dict[tuple[str, str], dict[str, int]] = {}
    for s, t, ptype, count in ranked[["source", "target", "plover_type", "n_events"]].itertuples(
            index=False):
        by_edge.setdefault((s, t), {})[ptype] = int(count)
    return [by_edge.get((s, t), {}) for s, t in zip(edges["source"], edges["target"], strict=True)]


def actor_labels(store: EventStore, keys: Iterable[str]) -> dict[str, str]:
    """Readable names for actor keys ("RUS" -> "Russia"): the gazetteer's name for countries and
    organisations, else the name most often resolved in the stored mentions for the code itself,
    else for any actor of that country. Keys without a name are left out."""
    known = canonical_names()
    keys = [str(k) for k in keys]
    labels = {k: known[k] for k in keys if k in known}
    # Only actors the packaged gazetteer doesn't name (a user's own files) need the mentions scan.
    rest = [k for k in keys if k not in labels]
    if not rest:
        return labels
    code_in, code_params = in_list("code", rest)
    country_in, country_params = in_list("country", rest)
    names = store.query(
        "SELECT code, country, name, count(*) AS n FROM mentions "
        f"WHERE name IS NOT NULL AND name <> '' AND ({code_in} OR {country_in}) "
        "GROUP BY code, country, name", [*code_params, *country_params])
    # Exact codes first, so "RUS" is named for Russia rather than for a Russian ministry.
    for column in ("code", "country"):
        best = (names[names[column].isin(rest)]
                .sort_values(["n", "name"], ascending=[False, True])
                .drop_duplicates(column))
        for key, name in zip(best[column], best["name"], strict=True):
            labels.setdefault(key, name)
    return labels


def _str(value: DateLike) -> str | None:
    return None if value is None else str(value)


def _list(values: Values) -> list[str] | None:
    if values is None:
        return None
    return [values] if isinstance(values, str) else list(values)
