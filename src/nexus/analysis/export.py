"""Exports: events as CSV, JSONL or Parquet (streamed in chunks, so any size fits in memory)
and the actor network as GraphML."""

from __future__ import annotations

import csv
import io
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from nexus.analysis.network import Network
from nexus.store.base import EventStore
from nexus.store.queries import ORDERS, Where, _limit
from nexus.store.rows import TABLES

#: CSV columns: the events table without `raw` (JSONL carries the lossless record).
CSV_COLUMNS: list[str] = [c for c in TABLES["events"].names if c != "raw"]
CHUNK_ROWS = 5000
#: Rows per Parquet row group: big enough for good compression and fast scans, small enough
#: that one batch in memory stays far below a gigabyte.
PARQUET_BATCH_ROWS = 50_000

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
# Characters XML 1.0 forbids even escaped; ElementTree would write them and break the file.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _check(order: str, limit: int | None) -> None:
    # Called before a generator starts, so a bad argument fails the call, not a stream half sent.
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, got {order!r}")
    if limit is not None and limit < 0:
        raise ValueError("limit must not be negative")


def _rows(store: EventStore, columns: str, where: Where, order: str, limit: int | None,
          chunk_rows: int) -> Iterator[list[tuple[Any, ...]]]:
    yield from store.iter_rows(
        f"SELECT {columns} FROM events WHERE {where.sql()} ORDER BY {ORDERS[order]}{_limit(limit)}",
        where.params, chunk_rows)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)  # plover_context
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def events_csv(store: EventStore, where: Where | None = None, order: str = "date",
               limit: int | None = None, chunk_rows: int = CHUNK_ROWS) -> Iterator[str]:
    """CSV text in pieces: a header of CSV_COLUMNS, then one row per matching event (conditions
    from `queries.event_where`, sorted by a `queries.ORDERS` key). Lists are joined with ";",
    missing values are empty. Raises ValueError on an unknown order."""
    _check(order, limit)
    return _csv_pieces(_rows(store, ", ".join(f'"{c}"' for c in CSV_COLUMNS), where or Where(),
                             order, limit, chunk_rows))


def _csv_pieces(chunks: Iterator[list[tuple[Any, ...]]]) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    yield buf.getvalue()
    for chunk in chunks:
        buf.seek(0)
        buf.truncate()
        writer.writerows([_csv_value(v) for v in row] for row in chunk)
        yield buf.getvalue()


def events_jsonl(store: EventStore, where: Where | None = None, order: str = "date",
                 limit: int | None = None, chunk_rows: int = CHUNK_ROWS) -> Iterator[str]:
    """The stored contract records (CONTRACT.md) of the matching events, one JSON object per
    line, in pieces. Raises ValueError on an unknown order."""
    _check(order, limit)
    chunks = _rows(store, "raw", where or Where(), order, limit, chunk_rows)
    return ("".join(raw + "\n" for (raw,) in chunk) for chunk in chunks)


def events_parquet(store: EventStore, path: str | Path, where: Where | None = None,
                   order: str = "date", limit: int | None = None,
                   batch_rows: int = PARQUET_BATCH_ROWS) -> int:
    """Write the matching events to a Parquet file with every column of the events table (the
    Arrow schema `rows.TABLES["events"]`, `raw` as text), one Arrow record batch at a time, so
    memory stays flat however many rows there are. Returns the number of events written.
    Raises ValueError on an unknown order."""
    _check(order, limit)
    where = where or Where()
    schema = TABLES["events"]
    cols = ", ".join(f'"{c}"' for c in schema.names)
    batches = store.record_batches(f"SELECT {cols} FROM events WHERE {where.sql()} "
                                   f"ORDER BY {ORDERS[order]}{_limit(limit)}", where.params,
                                   batch_rows)
    written = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        for batch in batches:
            # Backends name list items their own way ("l", "item"), DuckDB types raw as JSON
            # text: cast to the store's schema
            writer.write_table(pa.Table.from_batches([batch]).cast(schema))
            written += batch.num_rows
    return written


def _xml_text(value: Any) -> str:
    return _NOT_XML.sub("", str(value))


def network_graphml(net: Network) -> bytes:
    """The network as a GraphML document (UTF-8): a directed graph, node ids are actor keys,
    every figure of `Network.nodes` and `Network.edges` as a declared attribute."""
    ET.register_namespace("", GRAPHML_NS)
    root = ET.Element(f"{{{GRAPHML_NS}}}graphml")
    node_keys = [("label", "string"), ("n_events", "int"), ("n_source", "int"),
                 ("n_target", "int")]
    edge_keys = [(c, "int") for c in ("n_events", "verbal_coop", "material_coop",
                                      "verbal_conflict", "material_conflict")]
    edge_keys += [("mean_goldstein", "double"), ("top_types", "string")]
    for domain, keys in (("node", node_keys), ("edge", edge_keys)):
        for name, kind in keys:
            ET.SubElement(root, f"{{{GRAPHML_NS}}}key", {
                "id": f"{domain[0]}_{name}", "for": domain, "attr.name": name, "attr.type": kind})
    graph = ET.SubElement(root, f"{{{GRAPHML_NS}}}graph",
                          {"id": "nexus", "edgedefault": "directed"})

    def data(parent: ET.Element, key: str, value: Any) -> None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return  # GraphML: a missing value is an absent <data>
        ET.SubElement(parent, f"{{{GRAPHML_NS}}}data", {"key": key}).text = _xml_text(value)

    for row in net.nodes.to_dict("records"):
        node = ET.SubElement(graph, f"{{{GRAPHML_NS}}}node", {"id": _xml_text(row["key"])})
        for name, _ in node_keys:
            data(node, f"n_{name}", row[name])
    for i, row in enumerate(net.edges.to_dict("records")):
        edge = ET.SubElement(graph, f"{{{GRAPHML_NS}}}edge", {
            "id": f"e{i}", "source": _xml_text(row["source"]), "target": _xml_text(row["target"])})
        for name, _ in edge_keys:
            value = row[name]
            if name == "top_types":
                value = ", ".join(f"{t} ({n})" for t, n in value.items())
            data(edge, f"e_{name}", value)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
