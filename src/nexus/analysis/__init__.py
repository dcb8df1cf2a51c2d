"""Analyses over the store: dyads and their time series, the actor network, search, exports."""

from nexus.analysis.dyads import (
    DirectionReport,
    DyadReport,
    dyad_by_origin,
    dyad_report,
    dyad_series,
)
from nexus.analysis.export import (
    events_csv,
    events_jsonl,
    events_parquet,
    network_graphml,
)
from nexus.analysis.network import Network, actor_labels, network
from nexus.analysis.search import search

__all__ = ["DirectionReport", "DyadReport", "Network", "actor_labels", "dyad_by_origin",
           "dyad_report", "dyad_series", "events_csv", "events_jsonl", "events_parquet", "network",
           "network_graphml", "search"]
