"""`nexus code`: the output contract (JSONL, TSV, table), stdin, offsets and stable ids."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

from cli_helpers import NEWS, check_contract, events_from, mentions, no_traceback

from nexus.cli import TSV_COLUMNS, app


def _code(runner, *args: str, input: str | None = None):
    result = runner.invoke(app, ["code", *args], input=input)
    no_traceback(result)
    return result


def _find(events: list[dict], source: str, target: str, ptype: str) -> dict:
    hits = [e for e in events if e["source"] and e["target"] and e["source"]["code"] == source
            and e["target"]["code"] == target and e["plover"]["type"] == ptype]
    assert hits, f"no {source}->{target} {ptype} among {[(e['source'], e['target'], e['plover']) for e in events]}"
    return hits[0]


def test_jsonl_stdout_holds_only_contract_events(runner, news_file: Path):
    result = _code(runner, str(news_file), "--date", "2024-03-14")
    assert result.exit_code == 0, result.stderr
    events = events_from(result.stdout)
    assert len(events) >= 3
    text = news_file.read_text(encoding="utf-8")
    for e in events:
        check_contract(e)
        assert e["doc_id"] == news_file.name
        start, end = e["offsets"]
        assert text[start:end] == e["sentence"]
        assert e["trigger"] and e["trigger"] in e["sentence"]
    # nothing but events on stdout: no progress, no summary there
    assert "nexus:" not in result.stdout

    aid = _find(events, "RUS", "IRN", "AID")
    assert aid["factuality"] == "asserted"
    assert aid["date"]["value"] == "2022" and aid["date"]["basis"] == "text"
    assert aid["source"]["country"] == "RUS" and aid["target"]["country"] == "IRN"
    sanction = _find(events, "USA", "IRN", "SANCTION")
    # --date 2024-03-14 is a Thursday: "on Wednesday" is the day before
    assert sanction["date"]["value"] == "2024-03-13"
    assert sanction["attribution"] and sanction["attribution"]["text"] == "officials"
    _find(events, "CHN", "JPN", "ACCUSE")


def test_the_title_line_is_not_coded_twice(runner, news_file: Path):
    events = events_from(_code(runner, str(news_file)).stdout)
    assert all(not e["sentence"].startswith("Drone deliveries draw") for e in events)


def test_tsv_has_a_header_and_one_row_per_event(runner, news_file: Path):
    jsonl = events_from(_code(runner, str(news_file), "--date", "2024-03-14").stdout)
    result = _code(runner, str(news_file), "--date", "2024-03-14", "--format", "tsv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout), delimiter="\t"))
    assert rows[0] == TSV_COLUMNS
    for name in ("event_id", "doc_id", "start", "end", "source", "target", "plover_type", "cameo_code",
                 "factuality", "date", "sentence"):
        assert name in rows[0]
    body = rows[1:]
    assert len(body) == len(jsonl)
    assert all(len(r) == len(TSV_COLUMNS) for r in body)
    col = {name: i for i, name in enumerate(rows[0])}
    assert [r[col["event_id"]] for r in body] == [e["event_id"] for e in jsonl]
    for r, e in zip(body, jsonl):
        assert r[col["doc_id"]] == news_file.name
        assert (int(r[col["start"]]), int(r[col["end"]])) == tuple(e["offsets"])
        assert r[col["plover_type"]] == e["plover"]["type"]
        assert r[col["factuality"]] == e["factuality"]


def test_table_format(runner, news_file: Path):
    result = _code(runner, str(news_file), "--format", "table")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for header in ("doc", "source", "target", "type", "cameo", "factuality", "sentence"):
        assert header in out
    assert "RUS" in out and "IRN" in out and "AID" in out and "SANCTION" in out
    assert news_file.name in out
    # a table, not JSON
    assert not out.lstrip().startswith("{")


def test_stdin_dash(runner):
    result = _code(runner, "-", "--date", "2024-03-14", input=NEWS)
    assert result.exit_code == 0, result.stderr
    events = events_from(result.stdout)
    assert events
    for e in events:
        check_contract(e)
        assert NEWS[e["offsets"][0]:e["offsets"][1]] == e["sentence"]
    _find(events, "RUS", "IRN", "AID")
    assert {e["doc_id"] for e in events} == {"<stdin>"}


def test_no_paths_reads_stdin(runner):
    result = _code(runner, input=NEWS)
    assert result.exit_code == 0
    _find(events_from(result.stdout), "USA", "IRN", "SANCTION")


def test_stdin_jsonl_uses_record_ids(runner):
    records = [
        {"id": "wire-1", "text": "Russia supplied Iran with drones in 2022.", "date": "2024-03-14"},
        {"id": "wire-2", "text": "China condemned Japan on Tuesday over the water release."},
    ]
    data = "".join(json.dumps(r) + "\n" for r in records)
    result = _code(runner, "--input-format", "jsonl", "-", input=data)
    assert result.exit_code == 0, result.stderr
    events = events_from(result.stdout)
    assert {e["doc_id"] for e in events} == {"wire-1", "wire-2"}
    by_id = {r["id"]: r["text"] for r in records}
    for e in events:
        assert by_id[e["doc_id"]][e["offsets"][0]:e["offsets"][1]] == e["sentence"]


def test_event_ids_are_reproducible_and_unique(runner, news_file: Path):
    first = events_from(_code(runner, str(news_file), "--date", "2024-03-14").stdout)
    second = events_from(_code(runner, str(news_file), "--date", "2024-03-14").stdout)
    assert [e["event_id"] for e in first] == [e["event_id"] for e in second]
    assert first == second
    ids = [e["event_id"] for e in first]
    assert len(set(ids)) == len(ids)


def test_bad_date_option_is_a_usage_error(runner, news_file: Path):
    result = _code(runner, str(news_file), "--date", "2024-02-30")
    assert result.exit_code != 0
    assert mentions(result.stderr, "2024-02-30", "YYYY-MM-DD")
    assert result.stdout == ""


def test_tsv_usage_error_prints_nothing_on_stdout(runner, news_file: Path):
    result = _code(runner, str(news_file), "--format", "tsv", "--date", "2024-02-30")
    assert result.exit_code != 0
    assert result.stdout == ""


def test_html_offsets_slice_the_extracted_text(runner, tmp_path: Path):
    page = tmp_path / "ankara.html"
    page.write_text(
        "<html><head><title>Ankara talks</title></head><body><article>"
        "<h1>Ankara talks</h1>"
        "<p>Turkey hosted talks between Russian and Ukrainian officials in Istanbul on Tuesday, "
        "the Turkish foreign ministry said.</p>"
        "<p>Germany pledged further humanitarian aid to Ukraine on Wednesday, and France "
        "delivered Caesar howitzers to Ukraine in January.</p>"
        "</article></body></html>", encoding="utf-8")
    extracted = runner.invoke(app, ["extract", str(page)])
    assert extracted.exit_code == 0
    text = extracted.stdout
    events = events_from(_code(runner, str(page)).stdout)
    assert events
    for e in events:
        assert e["doc_id"] == "ankara.html"
        assert text[e["offsets"][0]:e["offsets"][1]] == e["sentence"]
    assert any(e["source"] and e["source"]["code"] == "FRA" and e["plover"]["type"] == "AID" for e in events)


def test_crlf_offsets_slice_the_file_as_given(runner, tmp_path: Path):
    """Regression: readers used to normalise \r\n to \n, shifting every offset after a line break."""
    path = tmp_path / "crlf.txt"
    path.write_bytes(NEWS.replace("\n", "\r\n").encode("utf-8"))
    raw = path.read_bytes().decode("utf-8")
    events = events_from(_code(runner, str(path)).stdout)
    assert events
    for e in events:
        assert raw[e["offsets"][0]:e["offsets"][1]] == e["sentence"]
    assert any(e["offsets"][0] > raw.index("\r\n") for e in events)


def test_crlf_in_jsonl_text_offsets_slice_the_record_text(runner, tmp_path: Path):
    text = NEWS.replace("\n", "\r\n")
    path = tmp_path / "wire.jsonl"
    path.write_text(json.dumps({"id": "crlf-1", "text": text}) + "\n", encoding="utf-8")
    events = events_from(_code(runner, str(path)).stdout)
    assert events
    for e in events:
        assert text[e["offsets"][0]:e["offsets"][1]] == e["sentence"]


# --- real processes -------------------------------------------------------------------------


def test_subprocess_stdout_is_pure_jsonl(nexus_bin: Path, news_file: Path, tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    proc = subprocess.run([str(nexus_bin), "code", str(news_file), str(empty), "--date", "2024-03-14"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert proc.returncode == 0, proc.stderr
    events = events_from(proc.stdout)
    assert events
    for e in events:
        check_contract(e)
    assert mentions(proc.stderr, str(empty), "empty")
    assert "{" not in proc.stderr  # no event leaked to stderr
    assert "Traceback" not in proc.stderr


def test_subprocess_stdin(nexus_bin: Path):
    proc = subprocess.run([str(nexus_bin), "code", "-", "--format", "tsv"], input=NEWS,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split("\t") == TSV_COLUMNS
    assert any("\tAID\t" in line and "\tRUS\t" in line for line in lines[1:])


def test_subprocess_problem_messages_are_one_line(nexus_bin: Path, tmp_path: Path):
    """Regression: rich used to hard-wrap stderr at 80 columns, splitting long paths."""
    deep = tmp_path / ("reports-from-the-ministry-of-foreign-affairs-" * 2) / "archive"
    deep.mkdir(parents=True)
    bad = deep / "statement-on-the-black-sea-grain-initiative.txt"
    bad.write_text("")
    proc = subprocess.run([str(nexus_bin), "code", str(bad)], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin"}, timeout=120)
    assert proc.returncode != 0
    assert any(str(bad) in line and "empty" in line for line in proc.stderr.splitlines()), proc.stderr
