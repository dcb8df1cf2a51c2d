"""The store backends the tests run against: DuckDB always, PostgreSQL where one is reachable.

PostgreSQL comes from NEXUS_TEST_POSTGRES (a libpq URL of a database the tests may create
schemas, and if allowed databases, in); else, where the server binaries are installed
(/usr/lib/postgresql/*/bin), from a private throwaway cluster started in a temporary folder
on a free port (as the `postgres` user when the tests run as root: initdb refuses root).
Otherwise the PostgreSQL cases skip, saying why. Each test gets a fresh schema.

Plain module (not a conftest): fixtures in conftest.py build on it, child processes import it.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from glob import glob
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import duckdb
import pandas as pd

from nexus.store import open_store
from nexus.store.rows import TABLES

BACKENDS = ("duckdb", "postgresql")
ENV = "NEXUS_TEST_POSTGRES"


def with_schema(url: str, schema: str) -> str:
    """`url` with `schema` first on the search path (libpq's options parameter)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    query.append(("options", f"-csearch_path={schema}"))
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def with_database(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + database))


class Cluster:
    """A private PostgreSQL cluster in a temporary folder, stopped and removed on close."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="nexus-pg-"))
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root and there is no postgres user to run initdb as") from None
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        data = self.dir / "data"
        for locale in ("C.UTF-8", "C"):  # C.UTF-8: code-point order, as DuckDB sorts text
            done = self._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres",
                             "-E", "UTF8", f"--locale={locale}", "--no-sync", check=False)
            if done.returncode == 0:
                break
            shutil.rmtree(data, ignore_errors=True)
        else:
            raise RuntimeError(f"initdb failed: {done.stderr.strip()[-500:]}")
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(self.dir / "log"), "-w",
                  "-t", "60", "start")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*self.as_user, str(self.bin / tool), *args], capture_output=True,
                              text=True, cwd=self.dir, timeout=120)
        if check and done.returncode != 0:
            log = self.dir / "log"
            tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed: {done.stderr.strip()[-500:]} {tail}")
        return done

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_binaries() -> Path | None:
    """The newest installed PostgreSQL server binaries, if any."""
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(found[-1]).parent if found else None


class Server:
    """Where the PostgreSQL tests run: a database of their own (made with code-point text
    order where the role may create databases, else the given one), a schema per test."""

    def __init__(self, admin_url: str, cluster: Cluster | None = None) -> None:
        import psycopg  # noqa: PLC0415 - only when PostgreSQL is there

        self.cluster = cluster
        self.admin_url = admin_url
        self.created: str | None = None
        name = f"nexus_test_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(admin_url, autocommit=True) as con:
            for locale in ("C.UTF-8", "C"):
                try:
                    con.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
                                f"LOCALE '{locale}'")
                    self.created = name
                    break
                except psycopg.Error:
                    continue
        self.url = with_database(admin_url, self.created) if self.created else admin_url

    def new_schema(self) -> str:
        """A fresh, empty schema; returns a store URL whose tables go there."""
        import psycopg  # noqa: PLC0415

        schema = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url, autocommit=True) as con:
            con.execute(f"CREATE SCHEMA {schema}")
        return with_schema(self.url, schema)

    def drop_schema(self, url: str) -> None:
        import psycopg  # noqa: PLC0415

        schema = dict(parse_qsl(urlsplit(url).query))["options"].split("=", 1)[1]
        # A store a test left open could hold a lock: give up after a while (the whole test
        # database is dropped at the end anyway).
        with contextlib.suppress(psycopg.Error), \
                psycopg.connect(self.url, autocommit=True) as con:
            con.execute("SET lock_timeout = '10s'")
            con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")

    def close(self) -> None:
        import psycopg  # noqa: PLC0415

        if self.created:
            with contextlib.suppress(psycopg.Error), \
                    psycopg.connect(self.admin_url, autocommit=True) as con:
                con.execute(f"DROP DATABASE IF EXISTS {self.created} WITH (FORCE)")
        if self.cluster is not None:
            self.cluster.close()


def start_server() -> tuple[Server | None, str]:
    """A PostgreSQL server for the tests, or None and why there is none."""
    try:
        import psycopg  # noqa: F401, PLC0415
    except ImportError:
        return None, "psycopg is not installed"
    url = os.environ.get(ENV, "").strip()
    if url:
        try:
            return Server(url), ""
        except Exception as exc:  # noqa: BLE001 - any failure is a reason to skip
            return None, f"{ENV} is set but unusable: {str(exc).strip().splitlines()[0]}"
    bin_dir = server_binaries()
    if bin_dir is None:
        return None, (f"no PostgreSQL: set {ENV} to a libpq URL, or install the server "
                      "(apt-get install postgresql)")
    try:
        cluster = Cluster(bin_dir)
    except Exception as exc:  # noqa: BLE001
        return None, f"cannot start a private PostgreSQL cluster: {str(exc).strip()[:300]}"
    try:
        return Server(cluster.url, cluster), ""
    except Exception as exc:  # noqa: BLE001
        cluster.close()
        return None, f"private PostgreSQL cluster unusable: {exc}"


def copy_tables(source: str | Path, target: str) -> str:
    """Copy every table of the store at `source` into the (new) store at `target`."""
    con = duckdb.connect(str(source), read_only=True)
    try:
        with open_store(target) as dst:
            for table, schema in TABLES.items():
                cols = ", ".join(f'"{c}"' for c in schema.names)
                data = con.sql(f"SELECT {cols} FROM {table}").to_arrow_table().cast(schema)
                dst.append_tables({table: data})
    finally:
        con.close()
    return target


def comparable(df: pd.DataFrame) -> list[dict]:
    """A frame's rows with arrays as lists and missing values as None, to compare frames from
    two backends."""
    def value(v: object) -> object:
        if hasattr(v, "tolist") and not isinstance(v, str):
            return v.tolist()
        try:
            return None if pd.isna(v) else v  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return v
    return [{k: value(v) for k, v in row.items()} for row in df.to_dict("records")]
