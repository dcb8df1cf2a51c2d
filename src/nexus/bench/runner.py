"""The measurements behind `nexus bench`. Each returns plain figures (dicts) that the CLI prints
and writes as JSON; nothing here asserts a target, tests never time anything.

- coding: end-to-end sentences/s and documents/s with 1 and N worker processes on real
  sentences (the gold sets, repeated), beside the bare spaCy parse of the same sentences, and the
  peak memory of each run (measured in a fresh process, so runs don't share a high-water mark);
- store: events/s appended to DuckDB;
- queries: dyad series, network and event search latencies (median of warm runs) on synthetic
  stores of 1M and 10M events;
- pages: each workbench page's latency on a store of 1M events.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _median_ms(fn: Callable[[], Any], runs: int = 5, warm: int = 1) -> float:
    for _ in range(warm):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 1)


# ------------------------------------------------------------------ coding

def sentences_for_bench(gold_dir: Path | None, n_docs: int) -> list[str]:
    """Real news sentences: the gold sets when present, else the bundled samples' paragraphs."""
    texts: list[str] = []
    if gold_dir is not None and gold_dir.is_dir():
        for f in sorted(gold_dir.glob("*.jsonl")):
            texts += [json.loads(line)["text"] for line in f.open(encoding="utf-8") if line.strip()]
    if not texts:
        from nexus import api

        for doc in api.read(api.sample_paths()):
            texts += [doc.text[b.start:b.end] for b in doc.blocks if b.kind == "paragraph"]
    reps = -(-n_docs // len(texts))
    return (texts * reps)[:n_docs]


def _coding_run(args: dict) -> dict:
    """One measured run, in this (fresh) process."""
    from nexus.documents import Document, segment

    texts = sentences_for_bench(Path(args["gold_dir"]) if args.get("gold_dir") else None, args["n_docs"])
    if args["mode"] == "parse":
        from nexus.nlp.load import load_model

        nlp = load_model()
        stream = (len(list(d.sents)) for d in nlp.pipe(texts, batch_size=64, n_process=args["workers"]))
    else:
        from nexus.parallel import code_parallel

        documents = (Document(f"b{i}", x, blocks=segment(x)) for i, x in enumerate(texts))
        stream = (len(c.sentences) for c in code_parallel(documents, args["workers"]))
    # The clock starts at the first result: model loading in the workers is start-up, not throughput.
    n = next(stream)
    t = time.perf_counter()
    n = docs = 0
    for count in stream:
        n += count
        docs += 1
    seconds = time.perf_counter() - t
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss +
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024  # KiB -> MiB (Linux)
    return {"sentences": n, "documents": docs, "seconds": round(seconds, 2),
            "sentences_per_s": round(n / seconds, 1), "documents_per_s": round(docs / seconds, 1),
            "peak_mb": round(peak, 1)}


def run_isolated(args: dict) -> dict:
    """Runs `_coding_run` in a fresh interpreter so memory and warm caches are its own."""
    out = subprocess.run([sys.executable, "-m", "nexus.bench.runner", json.dumps(args)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_coding(workers: int, n_docs: int, gold_dir: Path | None) -> dict:
    gold = str(gold_dir) if gold_dir else None
    out: dict[str, Any] = {"documents_in": n_docs}
    for w in sorted({1, workers}):
        out[f"parse_{w}"] = run_isolated({"mode": "parse", "workers": w, "n_docs": n_docs, "gold_dir": gold})
        out[f"code_{w}"] = run_isolated({"mode": "code", "workers": w, "n_docs": n_docs, "gold_dir": gold})
    w = workers
    out["coder_over_parse"] = round(out[f"parse_{w}"]["sentences_per_s"] / out[f"code_{w}"]["sentences_per_s"], 2)
    # Memory when the input grows tenfold: the same run on ten times the documents.
    out["code_tenfold"] = run_isolated({"mode": "code", "workers": w, "n_docs": n_docs * 10, "gold_dir": gold})
    return out


# ------------------------------------------------------------------ store and queries

def bench_store(location: Path, n_events: int) -> dict:
    from nexus.bench.synthetic import fill_store

    location.unlink(missing_ok=True)
    stats = fill_store(location, n_events)
    # Appending prebuilt rows measures the store itself, apart from generating them.
    from nexus.bench.synthetic import _chunk  # noqa: PLC0415 - the generator's own chunks
    import numpy as np

    from nexus.store import Store

    tables = _chunk(np.random.default_rng(1), n_events + 10, 200_000)
    with Store.open(location) as st:
        t = time.perf_counter()
        st.append_tables(tables)
        seconds = time.perf_counter() - t
    return {"events": n_events, "fill_seconds": round(stats.seconds, 1),
            "ingest_events_per_s": round(200_000 / seconds)}


def ensure_store(location: Path, n_events: int) -> Path:
    """A synthetic store of `n_events`, reused between runs when it is already there."""
    from nexus.bench.synthetic import fill_store
    from nexus.store import Store

    if location.exists():
        with Store.open(location, read_only=True) as st:
            if int(st.query("SELECT count(*) AS n FROM events")["n"][0]) >= n_events:
                return location
        location.unlink()
    fill_store(location, n_events)
    return location


def bench_queries(location: Path) -> dict:
    from nexus.analysis import dyad_report, dyad_series, network
    from nexus.store import Store, queries

    with Store.open(location, read_only=True) as st:
        n = int(st.query("SELECT count(*) AS n FROM events")["n"][0])
        out: dict[str, Any] = {"events": n}
        # The busiest synthetic dyad: its monthly series, then the whole report with evidence.
        out["dyad_series_ms"] = _median_ms(lambda: dyad_series(st, "USA", "RUS", freq="month"))
        out["dyad_report_ms"] = _median_ms(lambda: dyad_report(st, "USA", "RUS", freq="month", evidence=5))
        out["network_ms"] = _median_ms(lambda: network(st))
        out["relationships_ms"] = _median_ms(lambda: queries.relationships(st, limit=50))
        out["event_search_ms"] = _median_ms(lambda: queries.events(st, text="sanctions", limit=100))
        out["actor_events_ms"] = _median_ms(lambda: queries.events(st, actor="IRN", plover_type="AID", limit=100))
    return out


def bench_pages(location: Path) -> dict:
    import warnings

    with warnings.catch_warnings():  # Starlette's note about its httpx test transport, not ours
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient

    from nexus.server import create_app

    app = create_app(location)
    client = TestClient(app)
    with app.state.holder.store.cursor() as st:
        doc = st.query("SELECT doc_id FROM documents ORDER BY doc_id LIMIT 1")["doc_id"][0]
    pages = {"overview": "/", "map": "/map?actor=RUS", "dyad": "/dyad/USA/RUS", "document": f"/document/{doc}",
             "search": "/search?q=sanctions", "actor": "/actor/IRN", "api_events": "/api/events?actor=RUS&limit=100"}
    out: dict[str, Any] = {}
    for name, url in pages.items():
        status = client.get(url).status_code
        out[name] = {"url": url, "status": status, "median_ms": _median_ms(lambda u=url: client.get(u), runs=5)}
    app.state.holder.close()
    return out


if __name__ == "__main__":  # a measured run in a fresh process (see run_isolated)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    print(json.dumps(_coding_run(json.loads(sys.argv[1]))))
