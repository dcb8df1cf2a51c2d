"""`nexus ingest` into a DuckDB file and `nexus events` with its filters and formats."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import check_contract, events_from, mentions, no_traceback
from typer.testing import CliRunner

from nexus import api
from nexus.cli import app

ARTICLE_V1 = ("MOSCOW, Jan 17 (Nexus Wire) - Russia supplied Iran with drones in 2022, officials said.\n\n"
              "The United States imposed sanctions on Iran on Wednesday over the deliveries.\n")
ARTICLE_V2 = ("MOSCOW, Jan 17 (Nexus Wire) - Russia supplied Iran with drones in 2022, officials said.\n\n"
              "China condemned Japan on Tuesday over the release of treated water from Fukushima.\n")
WIRE = [
    {"id": "wire-karabakh", "date": "2023-09-20",
     "text": "Azerbaijan and Armenia agreed on Wednesday to resume peace talks in Brussels, officials said."},
    {"id": "wire-grain", "date": "2023-07-17",
     "text": "Russia suspended its participation in the Black Sea grain deal on Monday."},
]


def _counts(store: Path) -> tuple[int, int]:
    with api.open(store) as nx:
        docs = int(nx.store.query("SELECT count(*) AS n FROM documents")["n"][0])
        events = int(nx.store.query("SELECT count(*) AS n FROM events")["n"][0])
    return docs, events


def _ingest(runner, *args: str):
    result = runner.invoke(app, ["ingest", *args])
    no_traceback(result)
    return result


def _summary(stderr: str) -> dict[str, int]:
    m = re.search(r"(\d+) documents read: (\d+) added, (\d+) replaced, (\d+) unchanged; (\d+) events",
                  " ".join(stderr.split()))
    assert m, stderr
    return dict(zip(("read", "added", "replaced", "unchanged", "events"), map(int, m.groups())))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    (d / "drones.txt").write_text(ARTICLE_V1, encoding="utf-8")
    (d / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in WIRE), encoding="utf-8")
    return d


# --- ingest -------------------------------------------------------------------------------------


def test_ingest_then_rerun_adds_nothing(runner, corpus: Path, tmp_path: Path):
    store = tmp_path / "nexus.duckdb"
    first = _ingest(runner, str(corpus), "--store", str(store))
    assert first.exit_code == 0, first.stderr
    assert first.stdout == ""
    s1 = _summary(first.stderr)
    assert s1 == {"read": 3, "added": 3, "replaced": 0, "unchanged": 0, "events": s1["events"]}
    assert s1["events"] > 0
    assert mentions(first.stderr, str(store))
    docs, events = _counts(store)
    assert (docs, events) == (3, s1["events"])

    second = _ingest(runner, str(corpus), "--store", str(store))
    assert second.exit_code == 0
    s2 = _summary(second.stderr)
    assert s2 == {"read": 3, "added": 0, "replaced": 0, "unchanged": 3, "events": 0}
    assert _counts(store) == (docs, events)


def test_changed_document_replaces_the_old_version(runner, corpus: Path, tmp_path: Path):
    store = tmp_path / "nexus.duckdb"
    assert _ingest(runner, str(corpus), "--store", str(store)).exit_code == 0
    with api.open(store) as nx:
        before = nx.events(doc_id="drones.txt", limit=None)
    assert "SANCTION" in set(before["plover_type"])

    (corpus / "drones.txt").write_text(ARTICLE_V2, encoding="utf-8")
    result = _ingest(runner, str(corpus), "--store", str(store))
    assert result.exit_code == 0
    s = _summary(result.stderr)
    assert (s["added"], s["replaced"], s["unchanged"]) == (0, 1, 2)
    with api.open(store) as nx:
        after = nx.events(doc_id="drones.txt", limit=None)
        text = nx.store.query("SELECT text FROM documents WHERE doc_id = ?", ["drones.txt"])["text"][0]
        n_docs = len(nx.documents())
    assert n_docs == 3
    assert text == ARTICLE_V2
    assert "SANCTION" not in set(after["plover_type"])  # the old version's events are gone
    assert "ACCUSE" in set(after["plover_type"])
    assert all(s in ARTICLE_V2 for s in after["sentence"])


def test_ingest_sample(runner, tmp_path: Path):
    store = tmp_path / "sample.duckdb"
    result = _ingest(runner, "--sample", "--store", str(store))
    assert result.exit_code == 0, result.stderr
    s = _summary(result.stderr)
    n_files = len(api.sample_paths())
    assert s["read"] > n_files  # the wire JSONL holds several documents
    assert s["added"] == s["read"] and s["events"] > 50
    docs, events = _counts(store)
    assert (docs, events) == (s["read"], s["events"])


def test_ingest_reports_bad_input_and_goes_on(runner, corpus: Path, tmp_path: Path):
    (corpus / "empty.txt").write_text("")
    (corpus / "wire.jsonl").write_text(json.dumps(WIRE[0]) + "\n{oops\n", encoding="utf-8")
    store = tmp_path / "nexus.duckdb"
    result = _ingest(runner, str(corpus), "--store", str(store))
    assert result.exit_code == 0
    assert mentions(result.stderr, str(corpus / "empty.txt"), "empty")
    assert mentions(result.stderr, f"{corpus / 'wire.jsonl'}:2", "not valid JSON")
    assert _summary(result.stderr)["added"] == 2


def test_ingest_nothing_readable_fails(runner, tmp_path: Path):
    result = _ingest(runner, str(tmp_path / "missing.txt"), "--store", str(tmp_path / "s.duckdb"))
    assert result.exit_code != 0
    assert mentions(result.stderr, str(tmp_path / "missing.txt"), "no such file")


def test_ingest_into_a_missing_directory_is_a_clean_error(runner, corpus: Path, tmp_path: Path):
    target = tmp_path / "no-dir" / "x.duckdb"
    result = runner.invoke(app, ["ingest", str(corpus), "--store", str(target)])
    assert result.exit_code != 0
    no_traceback(result)
    assert mentions(result.stderr, "cannot write the store", str(target))


# --- events -------------------------------------------------------------------------------------


def _matches(actor: dict | None, code: str) -> bool:
    return bool(actor) and ((actor.get("code") or "").startswith(code) or actor.get("country") == code
                            or actor.get("sector") == code)


def _first_day(value: str | None) -> date | None:
    if not value:
        return None
    parts = [int(p) for p in value.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


FILTERS = {
    "actor": (["--actor", "RUS"], lambda e: _matches(e["source"], "RUS") or _matches(e["target"], "RUS")),
    "dyad": (["--dyad", "RUS", "IRN"], lambda e: (_matches(e["source"], "RUS") and _matches(e["target"], "IRN"))
             or (_matches(e["source"], "IRN") and _matches(e["target"], "RUS"))),
    "type": (["--type", "AID"], lambda e: e["plover"]["type"] == "AID"),
    "types": (["--type", "ACCUSE", "--type", "sanction"], lambda e: e["plover"]["type"] in ("ACCUSE", "SANCTION")),
    "factuality": (["--factuality", "alleged"], lambda e: e["factuality"] == "alleged"),
    "dates": (["--from", "2023-01-01", "--to", "2023-06"],
              lambda e: (d := _first_day(e["date"]["value"])) is not None and date(2023, 1, 1) <= d <= date(2023, 6, 30)),
    "text": (["--text", "Drone"], lambda e: "drone" in e["sentence"].lower() or "drone" in e["trigger"].lower()),
    "doc": (["--doc", "russia-iran-analysis.html"], lambda e: e["doc_id"] == "russia-iran-analysis.html"),
    "combined": (["--actor", "IRN", "--type", "AID", "--factuality", "asserted"],
                 lambda e: (_matches(e["source"], "IRN") or _matches(e["target"], "IRN"))
                 and e["plover"]["type"] == "AID" and e["factuality"] == "asserted"),
}


@pytest.fixture(scope="module")
def all_events(sample_store: Path) -> list[dict]:
    result = CliRunner().invoke(app, ["events", "--store", str(sample_store), "--limit", "100000",
                                      "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    events = events_from(result.stdout)
    with api.open(sample_store) as nx:
        total = int(nx.store.query("SELECT count(*) AS n FROM events")["n"][0])
    assert len(events) == total > 100
    return events


def _events(runner, store: Path, *args: str, fmt: str) -> list[dict]:
    result = runner.invoke(app, ["events", "--store", str(store), *args, "--format", fmt])
    no_traceback(result)
    assert result.exit_code == 0, result.output
    if fmt == "jsonl":
        return events_from(result.stdout)
    df = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    records = [json.loads(r) for r in df["raw"]]
    for row, e in zip(df.to_dict("records"), records):  # the flat columns agree with the record
        assert row["event_id"] == e["event_id"] and row["doc_id"] == e["doc_id"]
        assert row["plover_type"] == e["plover"]["type"] and row["factuality"] == e["factuality"]
        assert row["source_code"] == ((e["source"] or {}).get("code") or "")
        assert row["sentence"] == e["sentence"]
    return records


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("name", list(FILTERS))
def test_events_filters(runner, sample_store: Path, all_events: list[dict], name: str, fmt: str):
    args, keep = FILTERS[name]
    got = _events(runner, sample_store, *args, "--limit", "100000", fmt=fmt)
    expected = [e for e in all_events if keep(e)]
    assert 0 < len(expected) < len(all_events), name  # the filter narrows and the sample has some
    assert sorted(e["event_id"] for e in got) == sorted(e["event_id"] for e in expected)
    for e in got:
        check_contract(e)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_events_limit_and_order(runner, sample_store: Path, all_events: list[dict], fmt: str):
    got = _events(runner, sample_store, "--limit", "3", fmt=fmt)
    assert [e["event_id"] for e in got] == [e["event_id"] for e in all_events[:3]]
    dated = [_first_day(e["date"]["value"]) for e in all_events if e["date"]["value"]]
    assert dated == sorted(dated)  # oldest first, undated last


def test_events_default_limit(runner, sample_store: Path):
    assert len(_events(runner, sample_store, fmt="jsonl")) == 100


def test_events_no_match_is_empty_not_an_error(runner, sample_store: Path):
    assert _events(runner, sample_store, "--actor", "ZZZ", fmt="jsonl") == []
    result = runner.invoke(app, ["events", "--store", str(sample_store), "--actor", "ZZZ", "--format", "csv"])
    assert result.exit_code == 0


@pytest.mark.parametrize("name", ["type", "factuality", "doc", "dyad"])
def test_events_table(sample_store: Path, all_events: list[dict], name: str):
    runner = CliRunner(env={"COLUMNS": "2000"})  # wide enough that no row wraps
    args, keep = FILTERS[name]
    result = runner.invoke(app, ["events", "--store", str(sample_store), *args, "--limit", "100000"])
    no_traceback(result)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    header = next(line for line in lines if "plover_type" in line)
    for col in ("event_date", "doc_id", "source_code", "target_code", "plover_type", "factuality", "sentence"):
        assert col in header
    names = [c.strip() for c in header.strip("┃").split("┃")]
    rows = [[c.strip() for c in line.strip("│").split("│")] for line in lines if line.startswith("│")]
    expected = [e for e in all_events if keep(e)]
    assert len(rows) == len(expected)
    col = {n: i for i, n in enumerate(names)}
    assert sorted(r[col["doc_id"]] for r in rows) == sorted(e["doc_id"] for e in expected)
    assert sorted(r[col["plover_type"]] for r in rows) == sorted(e["plover"]["type"] for e in expected)
    assert sorted(r[col["factuality"]] for r in rows) == sorted(e["factuality"] for e in expected)


@pytest.mark.parametrize("bad", [["--from", "2023-13-01"], ["--to", "last week"], ["--from", "20x3"]])
def test_events_bad_date_is_a_clear_error(runner, sample_store: Path, bad: list[str]):
    result = runner.invoke(app, ["events", "--store", str(sample_store), *bad])
    no_traceback(result)
    assert result.exit_code != 0
    assert mentions(result.stderr, "not a date", bad[1])
    assert result.stdout == ""


def test_events_missing_store(runner, tmp_path: Path):
    missing = tmp_path / "nowhere.duckdb"
    result = runner.invoke(app, ["events", "--store", str(missing)])
    no_traceback(result)
    assert result.exit_code != 0
    assert mentions(result.stderr, "no store at", str(missing))
    assert not missing.exists()  # a query never creates a store


def test_events_negative_limit_is_a_clean_error(runner, sample_store: Path):
    result = runner.invoke(app, ["events", "--store", str(sample_store), "--limit", "-1"])
    no_traceback(result)
    assert result.exit_code != 0
    assert mentions(result.stderr, "--limit")
    assert result.stdout == ""


def test_events_store_that_is_not_a_database(runner, tmp_path: Path):
    notes = tmp_path / "notes.txt"
    notes.write_text(ARTICLE_V1)
    result = runner.invoke(app, ["events", "--store", str(notes)])
    assert result.exit_code != 0
    no_traceback(result)
    assert mentions(result.stderr, str(notes), "not a Nexus store")
    assert notes.read_text() == ARTICLE_V1  # left alone


@pytest.mark.parametrize("command", [["events"], ["relations"], ["dyad", "RUS", "IRN"], ["ingest", "-"]])
def test_store_commands_refuse_a_file_that_is_not_a_store(runner, tmp_path: Path, command: list[str]):
    notes = tmp_path / "notes.txt"
    notes.write_text(ARTICLE_V1)
    result = runner.invoke(app, [*command, "--store", str(notes)], input=ARTICLE_V1)
    no_traceback(result)
    assert result.exit_code != 0
    assert mentions(result.stderr, str(notes))
    assert "not a valid DuckDB database file" in " ".join(result.stderr.split())
    assert notes.read_text() == ARTICLE_V1
