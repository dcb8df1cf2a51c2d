"""`nexus demo`: the sample articles, coded and summarised."""

from __future__ import annotations

from nexus import api
from nexus.cli.coding import ingest
from nexus.cli.common import StoreOpt, app, invoke, out
from nexus.cli.query import dyad, relations
from nexus.store import DEFAULT_LOCATION


@app.command()
def demo(store: StoreOpt = DEFAULT_LOCATION) -> None:
    """Code the bundled sample articles into the store and print the strongest relationships."""
    invoke(ingest, store=store, sample=True)
    invoke(relations, store=store, limit=12)
    with api.open(store) as nx:
        top = nx.relationships(limit=1)
    if len(top):
        a, b = top.iloc[0]["source"], top.iloc[0]["target"]
        out.print(f"\nThe busiest pair, in both directions (nexus dyad {a} {b}):")
        invoke(dyad, a=a, b=b, store=store, evidence=3)


