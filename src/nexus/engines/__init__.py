"""Where coding runs. An engine turns a stream of documents into coded documents, in input
order, whatever runs the work: this process or a pool of worker processes (`local`), or a Dask
cluster (`dask`). The coder is a pure function of (document, configuration), so every engine
gives the same events, ids included.

    from nexus.engines import open_engine

    with open_engine("dask", scheduler="tcp://host:8786") as engine:
        for coded in engine.code(documents):
            ...

Engines read their input lazily and keep a bounded window of work in flight, so memory stays
flat however long the input is.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Literal, Self

from nexus.coded import CodedDocument
from nexus.documents.model import Document
from nexus.pipeline import Coder, CoderConfig

EngineName = Literal["local", "dask"]
ENGINES: tuple[EngineName, ...] = ("local", "dask")


class EngineError(RuntimeError):
    """The engine cannot run: no cluster at the address, a cluster without workers..."""


class Engine(ABC):
    """Codes documents somewhere; use as a context manager so clusters and pools are let go."""

    @abstractmethod
    def code(self, documents: Iterable[Document]) -> Iterator[CodedDocument]:
        """Coded documents in input order, pulling `documents` lazily."""

    def close(self) -> None:
        """Let go of what the engine holds (a cluster it started, a client)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def resolve_workers(workers: int | None, default: int = 1) -> int:
    """How many workers: `default` when not given, all cores for 0."""
    if workers is None:
        return default
    if workers < 0:
        raise ValueError(f"workers must be 0 (all cores) or more, got {workers}")
    return workers or (os.cpu_count() or 1)


_coders: dict[CoderConfig, Coder] = {}
_coders_lock = threading.Lock()
#: Every coder of a process shares its one spaCy model, which is not documented as thread-safe:
#: threads of one process (a Dask worker with several threads) take turns through this lock.
#: Coding is bound by the GIL anyway; processes are how it scales.
coding_lock = threading.Lock()


def shared_coder(config: CoderConfig = CoderConfig()) -> Coder:
    """This process's coder for `config`, built on first use: building loads the model and the
    knowledge files, which must happen once per process, not once per batch of documents."""
    with _coders_lock:
        coder = _coders.get(config)
        if coder is None:
            coder = _coders[config] = Coder(config)
        return coder


def coders_built() -> int:
    """How many coders this process has built (one per configuration in use)."""
    with _coders_lock:
        return len(_coders)


def open_engine(name: EngineName = "local", *, workers: int | None = None,
                scheduler: str | None = None, config: CoderConfig = CoderConfig(),
                coder: Coder | None = None) -> Engine:
    """An engine by name.

    - `local`: `workers` processes on this machine (default 1: this process; 0: all cores).
      `coder`, if given, is used when coding in this process.
    - `dask`: the Dask cluster whose scheduler is at `scheduler` ("tcp://host:8786"); without
      one, a LocalCluster of `workers` processes (default: all cores) that closes with the engine.
    """
    if name == "local":
        if scheduler is not None:
            raise ValueError("a scheduler address needs the dask engine")
        from nexus.engines.local import LocalEngine

        return LocalEngine(resolve_workers(workers), config=coder.config if coder else config, coder=coder)
    if name == "dask":
        if scheduler is not None and workers is not None:
            raise ValueError("workers sizes a local cluster; a cluster at a scheduler address has its own")
        from nexus.engines.dask import DaskEngine

        return DaskEngine(scheduler, workers=workers, config=coder.config if coder else config)
    raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")


__all__ = ["ENGINES", "Engine", "EngineError", "EngineName", "coders_built", "coding_lock",
           "open_engine", "resolve_workers", "shared_coder"]
