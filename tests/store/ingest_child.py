"""Child process for the crash test: ingest synthetic documents into a store (a DuckDB file or
a PostgreSQL URL).

usage: ingest_child.py STORE N [PAUSE_BATCH]
With PAUSE_BATCH, the child stops inside that batch's transaction (after some tables are
written, before commit), prints MIDWAY and waits to be killed.
"""

from __future__ import annotations

import sys
import time

from store_factory import synthetic

from nexus.store import EventStore, open_store

db, n = sys.argv[1], int(sys.argv[2])
pause_batch = int(sys.argv[3]) if len(sys.argv) > 3 else None
batches = 0


def insert(self: EventStore, table: str, data) -> None:  # type: ignore[no-untyped-def]
    global batches
    original(self, table, data)
    if table == "documents":
        batches += 1
        print(f"batch {batches}", flush=True)
    if table == "sentences" and batches == pause_batch:
        print("MIDWAY", flush=True)
        time.sleep(60)


with open_store(db) as store:
    original = type(store)._insert
    type(store)._insert = insert  # type: ignore[method-assign]
    stats = store.write_many((synthetic(i) for i in range(n)), batch_size=10)
print(f"DONE {stats.added} {stats.unchanged} {stats.replaced}", flush=True)
