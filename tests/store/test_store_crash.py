"""A process killed with SIGKILL in the middle of a write leaves only whole documents, and a
re-run completes the store without duplicates (on each backend)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from store_factory import synthetic

from nexus.store import EventStore, open_store

CHILD = Path(__file__).with_name("ingest_child.py")
N = 60


def run_child(db: Path | str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(CHILD), str(db), str(N), *args],
                            stdout=subprocess.PIPE, text=True, cwd=CHILD.parent)


def check_whole_documents(store: EventStore) -> int:
    bad = store.execute("""
        SELECT d.doc_id FROM documents d
        WHERE n_sentences <> (SELECT count(*) FROM sentences s WHERE s.doc_id = d.doc_id)
           OR n_events <> (SELECT count(*) FROM events e WHERE e.doc_id = d.doc_id)
           OR (SELECT count(*) FROM blocks b WHERE b.doc_id = d.doc_id) <> n_sentences""").fetchall()
    assert bad == []
    for table in ("blocks", "sentences", "mentions", "events"):
        orphans = store.execute(
            f"SELECT count(*) FROM {table} WHERE doc_id NOT IN (SELECT doc_id FROM documents)").fetchone()[0]
        assert orphans == 0, table
    return store.execute("SELECT count(*) FROM documents").fetchone()[0]


def test_sigkill_midway_leaves_whole_documents(store_location: str) -> None:
    db = store_location
    child = run_child(db, "3")
    assert child.stdout is not None
    for line in child.stdout:
        if line.strip() == "MIDWAY":
            break
    else:
        raise AssertionError(f"child ended early with {child.wait()}")
    os.kill(child.pid, signal.SIGKILL)
    child.wait()

    with open_store(db) as store:
        assert check_whole_documents(store) == 20  # two committed batches, nothing of the third

    rerun = run_child(db)
    out, _ = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, out
    assert out.strip().splitlines()[-1] == f"DONE {N - 20} 20 0"

    with open_store(db, read_only=True) as store:
        assert check_whole_documents(store) == N
        n_events, distinct = store.execute(
            "SELECT count(*), count(DISTINCT event_id) FROM events").fetchone()
        assert n_events == distinct == sum(len(synthetic(i).events) for i in range(N))
        dup = store.execute("SELECT count(*) FROM (SELECT doc_id, idx FROM sentences "
                            "GROUP BY doc_id, idx HAVING count(*) > 1) AS d").fetchone()[0]
        assert dup == 0
