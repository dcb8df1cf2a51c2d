"""A load test of `nexus serve`: many concurrent readers of the API and the pages while
documents are uploaded, with latency percentiles per kind of route, requests/s and errors.

The readers (50 by default, each its own HTTP client and connection) request a mix of API
routes, pages and a static file, for a given duration or until a bound on the number of
requests; meanwhile one more client uploads real articles through POST /api/documents (the
bundled samples under new ids, and gold sentences each as a document). The upload goes through
the server because an embedded DuckDB store can be written by one process only. After the
readers stop, the upload is given time to finish; the report says whether it did.

Only loopback targets are accepted: this is a tool for your own machine, not for loading
someone else's server.

    python -m nexus.bench.load http://127.0.0.1:8765 --seconds 60     # a server already running
                                                                       # (its token: NEXUS_TOKEN)
    nexus bench --only load --load-seconds 60                          # starts its own server

`running_server` starts `nexus serve` in a subprocess (the load test in the test suite and
`nexus bench --only load` use it); `run_load` drives it; `format_report` prints the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from nexus.server.security import is_loopback

KINDS = ("api", "page", "static", "upload")
SEARCH_WORDS = ("Iran", "drones", "ceasefire", "sanctions", "talks", "Russia", "troops", "deal")
MAX_ERROR_SAMPLES = 20


# ------------------------------------------------------------------------------ configuration

@dataclass(slots=True)
class LoadConfig:
    url: str                       # http://127.0.0.1:PORT
    seconds: float = 60.0          # how long the readers run
    clients: int = 50              # concurrent readers
    max_requests: int = 200_000    # the readers stop after this many requests, whatever the time
    token: str | None = None       # the server's access token, if it has one
    timeout: float = 60.0          # per request; a slower answer counts as an error
    ingest_grace: float = 300.0    # how long to wait for the upload after the readers stop
    seed: int = 1


@dataclass(slots=True)
class UploadDoc:
    doc_id: str
    text: str
    format: str = "text"
    date: str | None = None

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"doc_id": self.doc_id, "text": self.text, "format": self.format}
        if self.date:
            out["date"] = self.date
        return out


def check_target(url: str) -> str:
    """The base URL without a trailing slash; ValueError unless it is http(s) on loopback."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if not is_loopback(parts.hostname):
        raise ValueError(f"refusing to load {parts.hostname}: the load test only targets this machine "
                         "(localhost, 127.0.0.1 or ::1)")
    return url.rstrip("/")


def sample_documents(prefix: str) -> list[UploadDoc]:
    """The bundled sample articles under new ids (`prefix` + name); the wire stories of
    wire.jsonl one document each."""
    from nexus import api  # the coder's imports are not needed to drive load

    docs: list[UploadDoc] = []
    for path in api.sample_paths():
        if path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rec = json.loads(line)
                    docs.append(UploadDoc(prefix + str(rec["id"]), rec["text"], "text", rec.get("date")))
        else:
            fmt = "html" if path.suffix in (".html", ".htm") else "text"
            docs.append(UploadDoc(prefix + path.name, path.read_text(encoding="utf-8"), fmt))
    return docs


def sentence_documents(paths: Iterable[Path], prefix: str) -> list[UploadDoc]:
    """Each line of gold JSONL files ({"id", "text", "date"}) as a document of its own."""
    docs = []
    for path in paths:
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                rec = json.loads(line)
                docs.append(UploadDoc(f"{prefix}{Path(path).stem}-{rec.get('id', n)}", rec["text"], "text",
                                      rec.get("date")))
    return docs


# ------------------------------------------------------------------------------ what readers ask

@dataclass(slots=True)
class Target:
    kind: str     # api, page or static
    route: str    # the route's name, for the figures
    path: str     # path and query


def _q(value: str) -> str:
    return quote(value, safe="")


def plan_requests(actors: Sequence[str], dyads: Sequence[tuple[str, str]],
                  doc_ids: Sequence[str]) -> list[Target]:
    """The mix the readers draw from: every kind of API route and page, over real actors, dyads
    and documents of the store (some routes more often than others, as a person would)."""
    actors = list(actors) or ["RUS"]
    dyads = list(dyads) or [("RUS", "IRN")]
    doc_ids = list(doc_ids) or ["none"]
    out: list[Target] = []
    for i, actor in enumerate(actors[:12]):
        a = _q(actor)
        out += [Target("api", "api/events?actor", f"/api/events?actor={a}&limit=50"),
                Target("page", "page/actor", f"/actor/{a}")]
        if i < 4:
            out += [Target("page", "page/map", f"/map?actor={a}"),
                    Target("api", "api/export/events.jsonl", f"/api/export/events.jsonl?actor={a}&limit=200")]
    for a, b in dyads[:12]:
        qa, qb = _q(a), _q(b)
        out += [Target("api", "api/dyads", f"/api/dyads/{qa}/{qb}"),
                Target("api", "api/dyads/series", f"/api/dyads/{qa}/{qb}/series?freq=month"),
                Target("api", "api/events?dyad", f"/api/events?dyad={qa},{qb}&factuality=all"),
                Target("api", "api/export/events.csv", f"/api/export/events.csv?dyad={qa},{qb}"),
                Target("page", "page/dyad", f"/dyad/{qa}/{qb}?factuality=all")]
    for doc_id in doc_ids[:12]:
        d = quote(doc_id, safe="/")
        out += [Target("api", "api/documents/id", f"/api/documents/{d}"),
                Target("page", "page/document", f"/document/{d}")]
    for word in SEARCH_WORDS:
        out += [Target("api", "api/search", f"/api/search?q={_q(word)}&limit=20"),
                Target("api", "api/events?text", f"/api/events?text={_q(word)}&limit=20"),
                Target("page", "page/search", f"/search?q={_q(word)}")]
    out += [Target("api", "api/events", "/api/events?limit=100"),
            Target("api", "api/events?type", "/api/events?type=ASSAULT,AID&factuality=all&sort=-date"),
            Target("api", "api/actors", "/api/actors"),
            Target("api", "api/network", "/api/network"),
            Target("api", "api/export/network.graphml", "/api/export/network.graphml"),
            Target("api", "api/documents", "/api/documents?limit=20&sort=-date"),
            Target("page", "page/overview", "/"),
            Target("page", "page/overview", "/?factuality=all&min_events=2"),
            Target("page", "page/map", "/map"),
            Target("static", "static", "/static/nexus.css"),
            Target("static", "static", "/static/nexus.js")]
    return out


# ------------------------------------------------------------------------------ the figures

def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of already sorted values; 0 for none."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


@dataclass
class LoadReport:
    url: str
    clients: int
    seconds: float                 # how long the readers ran
    latencies: dict[str, list[float]] = field(default_factory=dict)   # route -> seconds
    kinds: dict[str, str] = field(default_factory=dict)               # route -> kind
    errors: dict[str, int] = field(default_factory=lambda: {"5xx": 0, "4xx": 0, "connection": 0,
                                                            "timeout": 0})
    error_samples: list[str] = field(default_factory=list)
    documents_to_upload: int = 0
    uploaded: int = 0
    upload_events: int = 0
    upload_seconds: float = 0.0
    ingest_complete: bool = False
    documents_before: int = 0
    documents_after: int = 0
    stopped_by: str = "time"

    def record(self, kind: str, route: str, seconds: float) -> None:
        self.latencies.setdefault(route, []).append(seconds)
        self.kinds[route] = kind

    def error(self, kind: str, route: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append(f"{kind} {route}: {detail}")

    @property
    def n_errors(self) -> int:
        return sum(self.errors.values())

    @property
    def n_requests(self) -> int:
        return sum(len(v) for v in self.latencies.values()) + self.n_errors

    def _stats(self, values: list[float]) -> dict[str, Any]:
        ms = sorted(v * 1000 for v in values)
        return {"requests": len(ms), "per_s": round(len(ms) / self.seconds, 1) if self.seconds else 0.0,
                "p50_ms": round(percentile(ms, 50), 1), "p95_ms": round(percentile(ms, 95), 1),
                "p99_ms": round(percentile(ms, 99), 1), "max_ms": round(ms[-1], 1) if ms else 0.0}

    def summary(self) -> dict[str, Any]:
        """The figures as plain data (JSON-ready)."""
        by_kind = {k: self._stats([v for route, vs in self.latencies.items() if self.kinds[route] == k
                                   for v in vs]) for k in KINDS}
        return {
            "url": self.url, "clients": self.clients, "seconds": round(self.seconds, 1),
            "stopped_by": self.stopped_by, "requests": self.n_requests,
            "requests_per_s": round(self.n_requests / self.seconds, 1) if self.seconds else 0.0,
            "errors": self.n_errors, "errors_by_kind": dict(self.errors),
            "error_samples": list(self.error_samples),
            "overall": self._stats([v for vs in self.latencies.values() for v in vs]),
            "by_kind": {k: s for k, s in by_kind.items() if s["requests"]},
            "by_route": {r: self._stats(vs) for r, vs in sorted(self.latencies.items())},
            "ingest": {"documents": self.documents_to_upload, "uploaded": self.uploaded,
                       "events": self.upload_events, "seconds": round(self.upload_seconds, 1),
                       "complete": self.ingest_complete, "store_documents_before": self.documents_before,
                       "store_documents_after": self.documents_after},
        }


def format_report(report: LoadReport | dict[str, Any]) -> str:
    """The figures as a few lines of text."""
    s = report.summary() if isinstance(report, LoadReport) else report
    lines = [(f"nexus load: {s['clients']} clients for {s['seconds']} s on {s['url']} "
              f"(stopped by {s['stopped_by']}), {s['requests']:,} requests, {s['requests_per_s']:,} requests/s"),
             f"{'':<28}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"]

    def row(name: str, st: dict[str, Any]) -> str:
        return (f"{name:<28}{st['requests']:>9,}{st['per_s']:>8,}{st['p50_ms']:>9,}{st['p95_ms']:>9,}"
                f"{st['p99_ms']:>9,}{st['max_ms']:>9,}")

    for kind, st in s["by_kind"].items():
        lines.append(row(kind, st))
    lines.append(row("overall", s["overall"]))
    for route, st in s["by_route"].items():
        lines.append(row("  " + route, st))
    e = s["errors_by_kind"]
    lines.append(f"errors: {s['errors']} (5xx {e['5xx']}, 4xx {e['4xx']}, connection {e['connection']}, "
                 f"timeout {e['timeout']})")
    lines += ["  " + sample for sample in s["error_samples"]]
    i = s["ingest"]
    lines.append(f"ingest: {i['uploaded']}/{i['documents']} documents uploaded in {i['seconds']} s, "
                 f"{i['events']:,} events, {'complete' if i['complete'] else 'NOT complete'}; "
                 f"store: {i['store_documents_before']:,} -> {i['store_documents_after']:,} documents")
    return "\n".join(lines)


# ------------------------------------------------------------------------------ the drive

def _headers(config: LoadConfig) -> dict[str, str]:
    return {"Authorization": f"Bearer {config.token}"} if config.token else {}


async def _get_json(client: httpx.AsyncClient, path: str) -> Any:
    r = await client.get(path)
    r.raise_for_status()
    return r.json()


async def _discover(client: httpx.AsyncClient) -> tuple[list[str], list[tuple[str, str]], list[str], int]:
    """Actors, dyads and documents of the store, and its number of documents."""
    actors = [str(a["actor"]) for a in (await _get_json(client, "/api/actors?limit=40"))["items"]]
    edges = (await _get_json(client, "/api/network?max_nodes=40"))["edges"]
    dyads = [(str(e["source"]), str(e["target"])) for e in edges]
    docs = await _get_json(client, "/api/documents?limit=40")
    return actors, dyads, [str(d["doc_id"]) for d in docs["items"]], int(docs["total"])


async def _timed(client: httpx.AsyncClient, report: LoadReport, kind: str, route: str,
                 method: str, path: str, expected: int, **kwargs: Any) -> httpx.Response | None:
    start = time.perf_counter()
    try:
        r = await client.request(method, path, **kwargs)
    except httpx.TimeoutException as exc:
        report.error("timeout", route, f"{path}: {type(exc).__name__}")
        return None
    except httpx.TransportError as exc:
        report.error("connection", route, f"{path}: {type(exc).__name__}: {exc}")
        return None
    elapsed = time.perf_counter() - start
    if r.status_code != expected:
        report.error("5xx" if r.status_code >= 500 else "4xx", route,
                     f"{path}: HTTP {r.status_code} {r.text[:200]!r}")
        return r
    report.record(kind, route, elapsed)
    return r


async def run_load(config: LoadConfig, documents: Sequence[UploadDoc]) -> LoadReport:
    """Drives the server at config.url: config.clients readers for config.seconds (or
    config.max_requests requests), while `documents` are uploaded one after another."""
    base = check_target(config.url)
    report = LoadReport(url=base, clients=config.clients, seconds=0.0,
                        documents_to_upload=len(documents))
    timeout = httpx.Timeout(config.timeout)
    headers = _headers(config)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=timeout) as setup:
        actors, dyads, doc_ids, report.documents_before = await _discover(setup)
    plan = plan_requests(actors, dyads, doc_ids)
    budget = [config.max_requests]
    stop = asyncio.Event()

    async def reader(n: int) -> None:
        rng = random.Random(config.seed * 1000 + n)
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=timeout, limits=limits) as c:
            while not stop.is_set():
                if budget[0] <= 0:
                    report.stopped_by = "request bound"
                    stop.set()
                    break
                budget[0] -= 1
                t = rng.choice(plan)
                await _timed(c, report, t.kind, t.route, "GET", t.path, 200)

    async def uploader() -> None:
        start = time.perf_counter()
        async with httpx.AsyncClient(base_url=base, headers=headers,
                                     timeout=httpx.Timeout(max(config.timeout, 300.0))) as c:
            for doc in documents:
                r = await _timed(c, report, "upload", "api/upload", "POST", "/api/documents", 201,
                                 json=doc.body())
                if r is not None and r.status_code == 201:
                    report.uploaded += 1
                    report.upload_events += int(r.json()["n_events"])
        report.upload_seconds = time.perf_counter() - start
        report.ingest_complete = report.uploaded == len(documents)

    started = time.perf_counter()
    upload = asyncio.create_task(uploader())
    readers = [asyncio.create_task(reader(n)) for n in range(config.clients)]
    try:
        await asyncio.wait_for(stop.wait(), timeout=config.seconds)
    except TimeoutError:
        stop.set()
    await asyncio.gather(*readers)
    report.seconds = time.perf_counter() - started
    try:
        await asyncio.wait_for(upload, timeout=config.ingest_grace)
    except TimeoutError:
        report.error("timeout", "api/upload", f"the upload did not finish within {config.ingest_grace} s "
                                              "of the readers stopping")
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=timeout) as after:
        report.documents_after = int((await _get_json(after, "/api/documents?limit=1"))["total"])
    return report


# ------------------------------------------------------------------------------ a server to load

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(store: Path, log: Path, token: str | None = None,
                   start_timeout: float = 60.0) -> Iterator[str]:
    """`nexus serve` over `store` in a subprocess on a free loopback port, its output in `log`
    (the token goes through the environment, never the command line); yields its base URL."""
    port = free_port()
    env = dict(os.environ)
    env.pop("NEXUS_TOKEN", None)
    if token:
        env["NEXUS_TOKEN"] = token
    command = [sys.executable, "-m", "nexus.cli", "serve", "--store", str(store), "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + start_timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"nexus serve exited with {proc.returncode}: "
                                       f"{log.read_text(errors='replace')[-2000:]}")
                try:
                    if httpx.get(url + "/login" if token else url + "/static/nexus.css", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"nexus serve did not answer within {start_timeout} s: "
                                       f"{log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.1)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def bench_load(work_dir: Path, seconds: float = 60.0, clients: int = 50,
               gold_dir: Path | None = None) -> LoadReport:
    """`nexus bench --only load`: the sample articles coded into a fresh store under
    `work_dir`, `nexus serve` over it (with an access token, as on a shared machine), and the
    load: `clients` readers for `seconds` while the samples (under new ids) and the sentences
    of the gold JSONL files in `gold_dir`, if given, are uploaded."""
    from nexus import api

    folder = work_dir / "load"
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "load.duckdb"
    for old in folder.glob("load.duckdb*"):
        old.unlink()
    api.ingest(api.sample_paths(), store)
    prefix = f"load-{int(time.time())}-"
    gold = sorted(gold_dir.glob("*.jsonl")) if gold_dir is not None else []
    docs = sample_documents(prefix) + sentence_documents(gold, prefix)
    token = new_token()
    with running_server(store, folder / "server.log", token=token) as url:
        return asyncio.run(run_load(LoadConfig(url, seconds=seconds, clients=clients, token=token), docs))


# ------------------------------------------------------------------------------ command line

def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nexus.bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the server, on this machine: http://127.0.0.1:8765")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the readers run (default 60)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent readers (default 50)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests")
    parser.add_argument("--gold", type=Path, action="append", default=[],
                        help="a JSONL file of sentences to upload, one document each (repeatable)")
    parser.add_argument("--no-samples", action="store_true", help="do not upload the sample articles")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    try:
        url = check_target(args.url)
    except ValueError as exc:
        parser.error(str(exc))
    prefix = f"load-{int(time.time())}-"
    docs = ([] if args.no_samples else sample_documents(prefix)) + sentence_documents(args.gold, prefix)
    config = LoadConfig(url, seconds=args.seconds, clients=args.clients, max_requests=args.max_requests,
                        token=os.environ.get("NEXUS_TOKEN") or None)
    report = asyncio.run(run_load(config, docs))
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report.summary(), indent=1) + "\n", encoding="utf-8")
    return 0 if report.n_errors == 0 and report.ingest_complete else 1


if __name__ == "__main__":
    sys.exit(main())
