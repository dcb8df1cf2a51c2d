"""`nexus relations`, `nexus dyad`, `nexus eval` (against the reference scorer) and `nexus demo`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import check_contract, events_from, mentions, no_traceback
from typer.testing import CliRunner

from nexus import api
from nexus.cli import app

SCORER = Path(__file__).resolve().parents[3] / "shared" / "tools" / "score.py"
ROW = re.compile(r"^│\s*([A-Z]{3})\s*│\s*([A-Z]{3})\s*│\s*(\d+)\s*│")


@pytest.fixture
def wide() -> CliRunner:
    return CliRunner(env={"COLUMNS": "2000"})


def _asserted(store: Path, source: str, target: str) -> int:
    with api.open(store) as nx:
        return len(nx.events(source=source, target=target, factuality="asserted", limit=None))


# --- relations ----------------------------------------------------------------------------------


def test_relations_table(wide: CliRunner, sample_store: Path):
    result = wide.invoke(app, ["relations", "--store", str(sample_store)])
    no_traceback(result)
    assert result.exit_code == 0
    assert "Strongest relationships (asserted events)" in result.stdout
    rows = [m.groups() for line in result.stdout.splitlines() if (m := ROW.match(line))]
    assert 1 <= len(rows) <= 15
    counts = [int(n) for _, _, n in rows]
    assert counts == sorted(counts, reverse=True)
    for source, target, n in rows:
        assert source != target
        # the row's count is the number of asserted events between the two countries
        with api.open(sample_store) as nx:
            df = nx.events(factuality="asserted", limit=None)
        pair = df[(df["source_country"].fillna(df["source_code"]) == source)
                  & (df["target_country"].fillna(df["target_code"]) == target)]
        assert len(pair) == int(n), (source, target)


def test_relations_jsonl_and_csv(runner, sample_store: Path):
    result = runner.invoke(app, ["relations", "--store", str(sample_store), "--format", "jsonl", "--limit", "5"])
    no_traceback(result)
    rows = events_from(result.stdout)
    assert len(rows) == 5
    for r in rows:
        assert {"source", "target", "n_events", "mean_goldstein", "top_types"} <= set(r)
        assert r["source"] != r["target"] and r["n_events"] > 0
        assert r["n_events"] == r["verbal_coop"] + r["material_coop"] + r["verbal_conflict"] + r["material_conflict"]
    assert [r["n_events"] for r in rows] == sorted((r["n_events"] for r in rows), reverse=True)

    csv_out = runner.invoke(app, ["relations", "--store", str(sample_store), "--format", "csv", "--limit", "5"])
    lines = csv_out.stdout.splitlines()
    assert lines[0].startswith("source,target,n_events")
    assert len(lines) == 6


def test_relations_missing_store(runner, tmp_path: Path):
    result = runner.invoke(app, ["relations", "--store", str(tmp_path / "none.duckdb")])
    no_traceback(result)
    assert result.exit_code != 0
    assert mentions(result.stderr, "no store at")


# --- dyad ---------------------------------------------------------------------------------------


def test_dyad_json(runner, sample_store: Path, sample_texts: dict[str, str]):
    result = runner.invoke(app, ["dyad", "RUS", "IRN", "--store", str(sample_store), "--format", "json"])
    no_traceback(result)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["a"], report["b"], report["freq"]) == ("RUS", "IRN", "year")
    for key, (src, tgt) in (("a_to_b", ("RUS", "IRN")), ("b_to_a", ("IRN", "RUS"))):
        d = report[key]
        assert (d["source"], d["target"]) == (src, tgt)
        assert d["n_events"] == _asserted(sample_store, src, tgt) > 0
        by_type = d["by_type"]  # period -> {PLOVER type: count}
        assert by_type
        assert sum(sum(c.values()) for c in by_type.values()) == d["n_events"]
        assert d["by_quad"]
        assert 1 <= len(d["evidence"]) <= 5
        for ev in d["evidence"]:
            assert ev["factuality"] == "asserted"
            assert ev["sentence"] in sample_texts[ev["doc_id"]]
    total = report["a_to_b"]["n_events"] + report["b_to_a"]["n_events"]
    assert total > 0 and report["mean_goldstein"] is not None


def test_dyad_text(wide: CliRunner, sample_store: Path, sample_texts: dict[str, str]):
    result = wide.invoke(app, ["dyad", "RUS", "IRN", "--store", str(sample_store), "--evidence", "2"])
    no_traceback(result)
    assert result.exit_code == 0
    out = result.stdout
    assert "RUS and IRN" in out and "RUS -> IRN" in out and "IRN -> RUS" in out
    assert "by PLOVER type" in out
    evidence = re.findall(r"^\s+\[([A-Z]+) asserted\] (.+) \(([^,()]+), [^()]+\)$", out, re.M)
    assert 1 <= len(evidence) <= 4
    for _, sentence, doc_id in evidence:
        assert " ".join(sentence.split()) in " ".join(sample_texts[doc_id].split())


def test_dyad_unknown_pair_is_empty(runner, sample_store: Path):
    result = runner.invoke(app, ["dyad", "XXX", "YYY", "--store", str(sample_store), "--format", "json"])
    no_traceback(result)
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    for key in ("a_to_b", "b_to_a"):
        assert report[key]["n_events"] == 0
        assert report[key]["evidence"] == []
    text = runner.invoke(app, ["dyad", "XXX", "YYY", "--store", str(sample_store)])
    assert text.exit_code == 0
    assert "0 asserted events" in text.stdout


def test_dyad_bad_freq_is_a_usage_error(runner, sample_store: Path):
    result = runner.invoke(app, ["dyad", "RUS", "IRN", "--store", str(sample_store), "--freq", "week"])
    no_traceback(result)
    assert result.exit_code != 0
    assert mentions(result.stderr, "freq")


# --- eval ---------------------------------------------------------------------------------------

GOLD = [
    {"id": "gold-aid", "text": "Russia supplied Iran with drones in 2022.", "date": "2024-03-14",
     "expected_events": [{"source": "RUS", "target": "IRN", "code": "AID"}], "mode": "military", "context": "military"},
    {"id": "gold-sanction", "text": "The United States imposed sanctions on Iran on Wednesday.", "date": "2024-03-14",
     "expected_events": [{"source": "USA", "target": "IRN", "code": "SANCTION"}], "mode": None, "context": "economic"},
    {"id": "gold-negated", "text": "Germany did not send tanks to Ukraine.", "date": "2024-03-14",
     "expected_events": [], "mode": None, "context": "military"},
    {"id": "gold-talks", "text": "Turkey hosted talks between Russian and Ukrainian officials in Istanbul on Tuesday.",
     "date": "2024-03-14", "expected_events": [{"source": "RUS", "target": "UKR", "code": "CONSULT"}],
     "mode": None, "context": "diplomatic"},
    {"id": "gold-agree", "text": "Japan and South Korea agreed to resume talks, officials said Thursday.",
     "date": "2024-03-14", "expected_events": [{"source": "JPN", "target": "KOR", "code": "AGREE"}],
     "mode": None, "context": "diplomatic"},
]


def _figures(stdout: str) -> tuple[dict, str]:
    lines = stdout.strip().splitlines()
    last = lines[-1]
    return json.loads("\n".join(lines[:-1])), last


def test_eval_matches_the_reference_scorer(runner, tmp_path: Path):
    if not SCORER.exists():
        pytest.skip(f"reference scorer not found at {SCORER}")
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(g) + "\n" for g in GOLD), encoding="utf-8")
    written = tmp_path / "events.jsonl"
    result = runner.invoke(app, ["eval", str(gold), "--events", str(written)])
    no_traceback(result)
    assert result.exit_code == 0, result.output
    mine, summary = _figures(result.stdout)
    assert summary == f"P={mine['precision']} R={mine['recall']} F1={mine['f1']}"
    assert mine["sentences"] == len(GOLD)
    assert mine["tp"] + mine["fn"] == sum(len(g["expected_events"]) for g in GOLD)
    assert mine["tp"] >= 2  # the aid and the sanction are plain cases

    events = events_from(written.read_text(encoding="utf-8"))
    for e in events:
        check_contract(e)
        assert e["doc_id"] in {g["id"] for g in GOLD}

    python = shutil.which("python3") or sys.executable
    proc = subprocess.run([python, str(SCORER), "lines", str(gold), str(written)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    reference, ref_summary = _figures(proc.stdout)
    assert mine == reference
    assert summary == ref_summary


def test_eval_missing_gold_is_a_clean_error(runner, tmp_path: Path):
    result = runner.invoke(app, ["eval", str(tmp_path / "no-gold.jsonl")])
    assert result.exit_code != 0
    no_traceback(result)
    assert mentions(result.stderr, "no-gold.jsonl", "does not exist")


# --- demo ---------------------------------------------------------------------------------------


def test_demo(wide: CliRunner, tmp_path: Path):
    store = tmp_path / "demo.duckdb"
    result = wide.invoke(app, ["demo", "--store", str(store)])
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert store.exists()
    assert mentions(result.stderr, "added")
    out = result.stdout
    assert "Strongest relationships" in out
    rows = [m.groups() for line in out.splitlines() if (m := ROW.match(line))]
    assert rows, out
    top_source, top_target, _ = rows[0]
    assert top_source != top_target
    assert f"nexus dyad {top_source} {top_target}" in out
    assert f"{top_source} -> {top_target}" in out
    # the dyad as `nexus dyad` shows it: tables by type and quad class, then evidence sentences
    dyad_part = out[out.index(f"nexus dyad {top_source} {top_target}"):]
    assert "by PLOVER type" in dyad_part and "by quad class" in dyad_part
    assert re.search(r"\[[A-Z]+ asserted\] \S.+\(", dyad_part), dyad_part


def test_eval_malformed_gold_is_a_clean_error(runner, tmp_path: Path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(GOLD[0]) + '\n{"id": "broken", "text": \n', encoding="utf-8")
    result = runner.invoke(app, ["eval", str(gold)])
    no_traceback(result)
    assert mentions(result.stderr, f"{gold}:2")
