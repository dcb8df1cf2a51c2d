"""`nexus bench`: speed and memory on this machine, printed beside the project's targets and
written as JSON. The measurements live in nexus.bench.runner; this module only runs and shows them."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer
from rich.table import Table

from nexus.cli.common import app, err, escape, out


class Part(str, Enum):
    coding = "coding"
    store = "store"
    queries = "queries"
    pages = "pages"
    load = "load"  # only when asked for: it serves a store and loads it for --load-seconds


#: (figure path in the results, target, True when bigger is better): the goals of issues 4 and 5.
TARGETS: list[tuple[str, float, bool]] = [
    ("coding.code_{w}.sentences_per_s", 400, True),
    ("coding.coder_over_parse", 1.25, False),
    ("coding.code_{w}.peak_mb", 1536, False),
    ("coding.code_tenfold.peak_mb", 1536, False),
    ("store.ingest_events_per_s", 100_000, True),
    ("queries.{big}.dyad_series_ms", 200, False),
    ("queries.{big}.network_ms", 1000, False),
]
PAGE_TARGET_MS = 1000


def machine() -> dict[str, Any]:
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 0
    return {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "memory_gb": round(total / 2**30, 1), "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}"}


def _lookup(results: dict, path: str) -> Any:
    value: Any = results
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(float(s)) for s in text.replace("_", "").split(",") if s.strip()]
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a comma-separated list of event counts", param_hint="--events")
    if not sizes or min(sizes) <= 0:
        raise typer.BadParameter("give at least one positive event count", param_hint="--events")
    return sizes


@app.command()
def bench(only: Optional[list[Part]] = typer.Option(None, "--only", help="Run only these parts; repeat for several."),
          workers: int = typer.Option(os.cpu_count() or 1, min=1, help="Worker processes for the parallel run."),
          docs: int = typer.Option(3000, min=50, help="Sentences coded per run (the tenfold run codes ten times more)."),
          gold: Optional[Path] = typer.Option(None, exists=True, file_okay=False,
                                              help="Folder of gold JSONL files to take real sentences from "
                                                   "(e.g. ../shared/data/gold); default: the sample articles."),
          events: str = typer.Option("1000000,10000000", help="Store sizes for the query benchmarks."),
          page_events: int = typer.Option(1_000_000, "--page-events", min=1, help="Store size for the page benchmark."),
          work_dir: Path = typer.Option(Path("bench-stores"), "--dir",
                                        help="Where the synthetic stores go; kept and reused between runs."),
          json_out: Path = typer.Option(Path("bench.json"), "--json", help="Write the figures here."),
          load_seconds: float = typer.Option(60.0, "--load-seconds", min=1,
                                             help="How long the load test (--only load) runs its readers."),
          load_clients: int = typer.Option(50, "--load-clients", min=1,
                                           help="Concurrent readers in the load test.")) -> None:
    """Measure coding throughput, peak memory, store ingest and query and page latencies;
    `--only load` runs the server's load test instead (nexus.bench.load)."""
    from nexus.bench import runner

    parts = set(only or [p for p in Part if p is not Part.load])
    sizes = _sizes(events)
    work_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"machine": machine(), "when": datetime.now(UTC).isoformat(timespec="seconds"),
                               "workers": workers}
    if Part.coding in parts:
        err.print(f"nexus bench: coding {docs} sentences with 1 and {workers} workers, and {docs * 10} for memory")
        results["coding"] = runner.bench_coding(workers, docs, gold)
    if Part.store in parts:
        err.print("nexus bench: store ingest")
        results["store"] = runner.bench_store(work_dir / "ingest.duckdb", 1_000_000)
    if Part.queries in parts:
        results["queries"] = {}
        for n in sizes:
            err.print(f"nexus bench: queries on {n:,} events (the store is generated once, then reused)")
            results["queries"][_label(n)] = runner.bench_queries(runner.ensure_store(work_dir / f"events-{_label(n)}.duckdb", n))
    if Part.pages in parts:
        err.print(f"nexus bench: pages on {page_events:,} events")
        store = runner.ensure_store(work_dir / f"events-{_label(page_events)}.duckdb", page_events)
        results["pages"] = runner.bench_pages(store)
    if Part.load in parts:
        from nexus.bench import load

        err.print(f"nexus bench: load test, {load_clients} clients for {load_seconds:g} s while documents are uploaded")
        report = load.bench_load(work_dir, seconds=load_seconds, clients=load_clients, gold_dir=gold)
        results["load"] = report.summary()
        out.print(load.format_report(report), markup=False, highlight=False)
    json_out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    _show(results, workers, max(sizes))
    err.print(f"nexus bench: figures written to {escape(str(json_out))}")


def _label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def _show(results: dict, workers: int, biggest: int) -> None:
    m = results["machine"]
    t = Table(title=f"nexus bench on {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}")
    for col, justify in (("figure", "left"), ("value", "right"), ("target", "right"), ("", "left")):
        t.add_column(col, justify=justify)  # type: ignore[arg-type]
    shown: set[str] = set()
    for template, target, bigger in TARGETS:
        path = template.format(w=workers, big=_label(biggest))
        value = _lookup(results, path)
        if value is None:
            continue
        shown.add(path)
        met = value >= target if bigger else value <= target
        t.add_row(path, f"{value:,}", f"{'>=' if bigger else '<='} {target:,}", "[green]met[/green]" if met else "[red]missed[/red]")
    for name, page in (results.get("pages") or {}).items():
        met = page["status"] == 200 and page["median_ms"] < PAGE_TARGET_MS
        t.add_row(f"pages.{name}.median_ms", f"{page['median_ms']:,}", f"< {PAGE_TARGET_MS:,}",
                  "[green]met[/green]" if met else f"[red]missed (HTTP {page['status']})[/red]")
    # Everything else measured, without a target, so one table holds the whole run.
    for path, value in _flatten(results):
        if path not in shown and not path.startswith(("machine", "pages", "when", "load")):
            t.add_row(path, f"{value:,}" if isinstance(value, int | float) else str(value), "", "")
    out.print(t)


def _flatten(tree: dict, prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            items += _flatten(value, path + ".")
        else:
            items.append((path, value))
    return items
