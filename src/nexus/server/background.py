"""The workbench served from a background thread of this process, on a free loopback port:
for a notebook that wants the pages beside its work, for tools (screenshots) and tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


@contextmanager
def serving(app: Any, start_timeout: float = 20.0) -> Iterator[tuple[str, int]]:
    """Serves `app` (e.g. `create_app(store)`) on 127.0.0.1 until the block ends; yields
    (host, port). Raises RuntimeError if it does not start within `start_timeout` seconds."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the workbench server did not start")
            time.sleep(0.02)
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
