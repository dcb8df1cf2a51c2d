"""Uploads never touch the file system outside the store: a doc_id or file name like
../../etc/passwd is only a name, and nothing is written anywhere (not the working directory,
not the temporary folder, not even a spooled temporary file for a big multipart part) but the
store's own database files. Python-level file writes are watched with an audit hook; what
DuckDB writes (in C++) is checked by listing the folders."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from api_support import copy_store
from fastapi.testclient import TestClient

from nexus.server import create_app

NEWS = "Russia supplied Iran with attack drones in 2022, Ukrainian officials said. "
HOSTILE_IDS = ["../../etc/passwd", "/etc/passwd", "..\\..\\windows\\system32\\config", "~/.bashrc",
               "file:///etc/passwd", "C:\\evil.txt", "/tmp/nexus-evil", "./x/../../y", "%2e%2e%2fetc%2fpasswd",
               "\u2025/\u2025/etc/shadow", "api.duckdb", "../api.duckdb.wal", "..", ".", "/", "x" * 195]
HOSTILE_NAMES = ["../../etc/cron.d/evil.txt", "/tmp/evil.html", "..\\..\\evil.html", "../../../../../../../root/x.txt",
                 "sub/dir/../../../up.txt"]

#: Python audit events that write to the file system.
WRITE_EVENTS = {"os.mkdir", "os.rename", "os.remove", "os.rmdir", "os.link", "os.symlink", "os.truncate",
                "os.chmod", "os.chown", "os.utime", "shutil.copyfile", "shutil.move", "shutil.rmtree",
                "tempfile.mkstemp", "tempfile.mkdtemp"}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_watch: dict[str, Any] = {"on": False, "seen": []}


def _audit(event: str, args: tuple) -> None:
    if not _watch["on"]:
        return
    if event == "open":
        path, mode, flags = args
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            mode is None and isinstance(flags, int) and flags & WRITE_FLAGS)
        if writing:
            _watch["seen"].append((event, path))
    elif event in WRITE_EVENTS:
        _watch["seen"].append((event, args[0] if args else None))


sys.addaudithook(_audit)  # hooks cannot be removed: it records only while a test switches it on


def _listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.fixture
def watched(sample_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """An app over a store in its own folder, run from an empty working directory with an empty
    temporary folder; yields the folders and a client."""
    store_dir, work, tmp = tmp_path / "store", tmp_path / "work", tmp_path / "tmp"
    for d in (store_dir, work, tmp):
        d.mkdir()
    location = copy_store(sample_store, store_dir)
    monkeypatch.chdir(work)
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # a first import must not count as a write
    web = create_app(location, max_upload_bytes=5 * 1024 * 1024)
    with TestClient(web, raise_server_exceptions=False) as client:
        # Warm up every kind of upload (the coder loads, modules import) before watching.
        for kwargs in ({"json": {"text": NEWS, "doc_id": "warm-json"}},
                       {"json": {"text": f"<html><body><p>{NEWS}</p></body></html>", "format": "html", "doc_id": "warm-html"}},
                       {"files": {"file": ("warm.txt", NEWS.encode())}}):
            assert client.post("/api/documents", **kwargs).status_code == 201
        yield {"client": client, "store": store_dir, "work": work, "tmp": tmp, "location": location}
    web.state.holder.close()


def test_hostile_names_write_nothing_outside_the_store(watched: dict[str, Any]) -> None:
    client: TestClient = watched["client"]
    outside = {d: _listing(watched[d]) for d in ("work", "tmp")}
    assert outside == {"work": set(), "tmp": set()}
    stat_before = {p: os.stat(p).st_mtime_ns for p in ("/etc/passwd",) if os.path.exists(p)}
    _watch.update(on=True, seen=[])
    try:
        for i, doc_id in enumerate(HOSTILE_IDS):
            r = client.post("/api/documents", json={"text": f"{NEWS} Story {i}.", "doc_id": doc_id})
            assert r.status_code == 201, (doc_id, r.text)
            assert r.json()["doc_id"] == doc_id  # just a name, kept exactly
            r = client.post("/api/documents", files={"file": ("note.txt", f"{NEWS} Note {i}.".encode())},
                            data={"doc_id": doc_id + "-form"})
            assert r.status_code == 201 and r.json()["doc_id"] == doc_id + "-form"
        for name in HOSTILE_NAMES:
            html = f"<html><body><article><p>{NEWS}</p><p>{name}</p></article></body></html>".encode()
            r = client.post("/api/documents", files={"file": (name, html, "text/html")})
            assert r.status_code == 201, (name, r.text)
            assert r.json()["doc_id"] == name.replace("\\", "/").rsplit("/", 1)[-1]  # the last part, as a name
        # A part over 1 MB (Starlette's own parser would spool it to a temporary file), most of
        # it a script the reader drops, so coding it is quick.
        big = (f"<html><head><script>{'var x = 1; ' * 120_000}</script></head>"
               f"<body><article><p>{NEWS}</p></article></body></html>").encode()
        assert len(big) > 1024 * 1024
        r = client.post("/api/documents", files={"file": ("../big.html", big, "text/html")},
                        data={"doc_id": "../../big"})
        assert r.status_code == 201 and r.json()["n_events"] > 0, r.text
    finally:
        _watch["on"] = False
    assert _watch["seen"] == [], _watch["seen"][:10]
    assert {d: _listing(watched[d]) for d in ("work", "tmp")} == outside
    # In the store's folder: only the database's own files.
    store_name = watched["location"].name
    assert all(p.startswith(store_name) for p in _listing(watched["store"])), _listing(watched["store"])
    assert stat_before == {p: os.stat(p).st_mtime_ns for p in stat_before}
    cursor = client.app.state.holder.store.cursor()  # type: ignore[attr-defined]
    try:
        stored = {row[0] for row in cursor.execute("SELECT doc_id FROM documents").fetchall()}
    finally:
        cursor.close()
    assert set(HOSTILE_IDS) <= stored
    for doc_id in HOSTILE_IDS:
        if "%" in doc_id or doc_id in (".", ".."):
            continue  # the test client decodes paths twice; a path cannot hold "." or ".." alone
        r = client.get("/api/documents/" + quote(doc_id, safe=""))  # (an HTTP client would resolve ../)
        assert r.status_code == 200 and r.json()["doc_id"] == doc_id, doc_id
        assert not Path(doc_id).is_absolute() or doc_id in ("/etc/passwd", "/") or not Path(doc_id).exists()
    assert not Path("/tmp/nexus-evil").exists()
    for name in ("etc", "y", "up.txt", "x.txt", "big.html", "evil.html"):
        assert not (watched["work"] / name).exists() and not (watched["store"] / name).exists()
        assert not (watched["store"].parent / name).exists()


def test_the_watch_sees_writes(watched: dict[str, Any]) -> None:
    """The audit hook does catch a Python-level write: the test above would fail on one."""
    _watch.update(on=True, seen=[])
    try:
        with tempfile.SpooledTemporaryFile(max_size=10) as f:
            f.write(b"x" * 100)  # rolls over to a real temporary file
    finally:
        _watch["on"] = False
    assert _watch["seen"]
