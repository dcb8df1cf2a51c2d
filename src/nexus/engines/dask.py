"""The Dask engine: coding on a dask.distributed cluster.

The client (the machine running `nexus`) reads the input and sends it to the cluster in
partitions of documents, a bounded window of partitions at a time, so memory stays flat however
long the input is. Each worker process builds its coder once (`shared_coder`) and codes the
partitions it is given; coded documents come back to the client in input order, where they are
printed, written to Parquet or stored. Only the client touches the input and the output, so the
workers need Nexus installed but no shared filesystem.

    dask scheduler                                  # on one machine
    dask worker tcp://host:8786 --nthreads 1        # on each machine, Nexus installed
    nexus code --engine dask --scheduler tcp://host:8786 --output out/ corpus/
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Iterable, Iterator

from distributed import Client, Future, LocalCluster
from distributed.comm.addressing import parse_address, parse_host_port

from nexus.coded import CodedDocument
from nexus.documents.model import Document
from nexus.engines import Engine, EngineError, coding_lock, resolve_workers, shared_coder
from nexus.pipeline import CoderConfig

#: Documents per task: a few seconds of coding for news articles, long enough that scheduling
#: overhead does not matter, short enough to spread a modest input over a cluster.
PARTITION_SIZE = 16
#: A partition also closes at this many characters, so one task never carries a huge payload.
PARTITION_CHARS = 4_000_000


def code_partition(documents: list[Document], config: CoderConfig) -> list[CodedDocument]:
    """The task each worker runs: code one partition with this process's coder."""
    coder = shared_coder(config)
    with coding_lock:
        return list(coder.code_documents(documents))


def partitions(documents: Iterable[Document], size: int = PARTITION_SIZE,
               max_chars: int = PARTITION_CHARS) -> Iterator[list[Document]]:
    """Consecutive runs of at most `size` documents (and about `max_chars` characters)."""
    part: list[Document] = []
    chars = 0
    for doc in documents:
        part.append(doc)
        chars += len(doc.text)
        if len(part) >= size or chars >= max_chars:
            yield part
            part, chars = [], 0
    if part:
        yield part


def _connect(address: str, timeout: float) -> Client:
    """A client of the scheduler at `address`, or an EngineError saying why not."""
    try:
        scheme, location = parse_address(address)
        if scheme in ("tcp", "tls"):
            parse_host_port(location)
    except ValueError as exc:
        raise EngineError(f"{address!r} is not a Dask scheduler address (like tcp://host:8786): {exc}") from None
    problem = ""
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        problem = str(exc)
    # Raised outside the handler, so the traceback does not keep the half-made client alive
    # until exit, when its finaliser would wait forever on a stopped event loop.
    raise EngineError(f"cannot reach the Dask scheduler at {address}: {problem}")


class DaskEngine(Engine):
    """Codes on the cluster at `scheduler` (an address or a connected Client); without one, on
    a LocalCluster of `workers` single-threaded processes (default: all cores) that it closes.

    The engine connects (or starts its cluster) when the first partition is ready, so a
    resumed ingest with nothing left to code never touches a cluster."""

    def __init__(self, scheduler: str | Client | None = None, *, workers: int | None = None,
                 config: CoderConfig = CoderConfig(), partition_size: int = PARTITION_SIZE,
                 window: int | None = None, connect_timeout: float = 30, worker_timeout: float = 60) -> None:
        self.scheduler = scheduler
        self.workers = workers
        self.config = config
        self.partition_size = partition_size
        self.window = window  # partitions in flight; None: twice the cluster's worker threads
        self.connect_timeout = connect_timeout
        self.worker_timeout = worker_timeout
        self._client: Client | None = scheduler if isinstance(scheduler, Client) else None
        self._own_client = not isinstance(scheduler, Client)
        self._cluster: LocalCluster | None = None

    @property
    def client(self) -> Client:
        """The client, connecting (or starting the local cluster) on first use."""
        if self._client is None:
            if isinstance(self.scheduler, str) and self.scheduler:
                self._client = _connect(self.scheduler, self.connect_timeout)
            else:
                # One thread per worker process: coding is bound by the GIL, processes scale it.
                self._cluster = LocalCluster(n_workers=resolve_workers(self.workers, os.cpu_count() or 1),
                                             threads_per_worker=1, processes=True, dashboard_address=None)
                self._client = Client(self._cluster, set_as_default=False)
        return self._client

    def threads(self) -> int:
        """Worker threads in the cluster now (workers may come and go)."""
        return sum(self.client.nthreads().values())

    def code(self, documents: Iterable[Document]) -> Iterator[CodedDocument]:
        parts = partitions(documents, self.partition_size)
        first = next(parts, None)
        if first is None:
            return
        client = self.client
        try:
            client.wait_for_workers(1, timeout=self.worker_timeout)
        except TimeoutError as exc:
            raise EngineError(f"the Dask cluster at {client.scheduler.address} has no workers "
                              f"(waited {self.worker_timeout:g} s)") from exc
        queue = itertools.chain([first], parts)
        pending: deque[Future] = deque()
        try:
            while True:
                # Sized on each refill, so workers that join a running cluster are put to work.
                window = self.window or max(2, 2 * self.threads())
                while len(pending) < window and (part := next(queue, None)) is not None:
                    pending.append(client.submit(code_partition, part, self.config, pure=False))
                if not pending:
                    return
                # In input order: the oldest partition first, the others keep the cluster busy.
                yield from pending.popleft().result()
        finally:
            if pending:  # stopped early (an error, Ctrl-C, a consumer that had enough)
                client.cancel(list(pending))

    def close(self) -> None:
        if self._client is not None and self._own_client:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def __repr__(self) -> str:
        where = self.scheduler if isinstance(self.scheduler, str) else "a local cluster"
        return f"DaskEngine({where})"
