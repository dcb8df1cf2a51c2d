"""A bounded run of tools/fuzz.py: a few hundred random, malformed and hostile inputs (text,
HTML, JSON lines, feeds, random bytes) read and coded without a crash or a hang, every problem
naming its file (see the tool for the rules each input must keep)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

TOOL = Path(__file__).resolve().parents[2] / "tools" / "fuzz.py"


def _fuzz_module():
    spec = importlib.util.spec_from_file_location("nexus_fuzz", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_fuzzing_finds_no_crash_and_no_hang():
    fuzz = _fuzz_module()
    report = fuzz.fuzz(250, seed="suite", big=False, doc_timeout=5.0, hang_s=30.0)
    print(report.counts())
    assert report.crashes == 0 and report.hangs == 0, "\n".join(report.failures)
    assert report.inputs == 250
    # the inputs really were of every kind, and bad enough to be reported, good enough to code
    assert set(report.by_kind) == {"text", "html", "jsonl", "feed", "bytes"}
    assert report.documents > 100 and report.events > 300
    assert report.problems > 200 and report.warnings > 50


def test_an_input_is_made_again_from_its_seed_and_index():
    fuzz = _fuzz_module()
    assert fuzz.make_input("x", 17) == fuzz.make_input("x", 17)
    assert fuzz.make_input("x", 17) != fuzz.make_input("x", 18)
