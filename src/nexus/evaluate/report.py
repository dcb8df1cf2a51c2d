"""Error analysis for `nexus eval --report DIR`: a confusion table by PLOVER type, the actor
errors (wrong country, wrong direction, missing recipient, missed conjunct, not asserted), and the
worst sentences with what was expected and what came out, as Markdown and JSON."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from nexus.evaluate.score import Score, SentenceResult, actor_matches

NONE = "(none)"


def _type(e: dict, cameo: bool) -> str:
    if cameo:
        return ((e.get("cameo") or {}).get("code") or "")[:2]
    return (e.get("plover") or {}).get("type") or NONE


def _gold_type(x: dict, cameo: bool) -> str:
    return x["code"][:2] if cameo else x["code"]


def _actor(a: dict | None) -> str:
    return "-" if not a else str(a.get("code"))


def _label(e: dict) -> str:
    return f"{_actor(e.get('source'))}>{_actor(e.get('target'))} {(e.get('plover') or {}).get('type')} " \
           f"{(e.get('cameo') or {}).get('code')} [{e.get('factuality')}] '{e.get('trigger')}'"


def _diagnose(x: dict, s: SentenceResult, cameo: bool) -> str:
    """Why an expected event was missed."""
    src, tgt, typ = x["source"], x["target"], _gold_type(x, cameo)
    if cameo:
        src, tgt = src[:3], tgt[:3]
    same_type = [e for e in s.extra if _type(e, cameo) == typ]
    if any(actor_matches(tgt, e.get("source")) and actor_matches(src, e.get("target")) for e in same_type):
        return "wrong direction"
    if any(actor_matches(src, e.get("source")) and not e.get("target") for e in same_type):
        return "missing recipient"
    if any(actor_matches(src, e.get("source")) for e in same_type):
        return "wrong recipient"
    if any(actor_matches(tgt, e.get("target")) for e in same_type):
        return "wrong actor"
    if same_type:
        return "wrong actors"
    if any(_type(e, cameo) == typ and actor_matches(src, e.get("source")) for e in s.unasserted):
        return "not asserted"
    if any(actor_matches(src, e.get("source")) and actor_matches(tgt, e.get("target")) for e in s.extra):
        return "wrong type"
    siblings = [g for g in s.expected if g is not x and _gold_type(g, cameo) == typ
                and (g["source"] == x["source"] or g["target"] == x["target"])]
    if siblings and any(g in [m for m, _ in s.matched] for g in siblings):
        return "missed conjunct"
    return "no event"


def build_report(score: Score, cameo: bool = False, worst: int = 25) -> dict:
    confusion: Counter = Counter()
    errors: Counter = Counter()
    examples: dict[str, list[str]] = {}
    for s in score.details:
        for x, e in s.matched:
            confusion[(_gold_type(x, cameo), _type(e, cameo))] += 1
        used = set()
        for x in s.missed:
            why = _diagnose(x, s, cameo)
            errors[why] += 1
            examples.setdefault(why, [])
            if len(examples[why]) < 8:
                examples[why].append(f"{s.id}: expected {x['source']}>{x['target']} {x['code']}; "
                                     f"got {[_label(e) for e in s.extra + s.unasserted] or 'nothing'} :: {s.text[:160]}")
            partner = next((i for i, e in enumerate(s.extra) if i not in used and
                            actor_matches(x["source"][:3] if cameo else x["source"], e.get("source"))), None)
            if partner is not None:
                used.add(partner)
                confusion[(_gold_type(x, cameo), _type(s.extra[partner], cameo))] += 1
            else:
                confusion[(_gold_type(x, cameo), NONE)] += 1
        for i, e in enumerate(s.extra):
            if i not in used:
                confusion[(NONE, _type(e, cameo))] += 1
    ranked = sorted(score.details, key=lambda s: (-(len(s.missed) + len(s.extra)), s.id))
    worst_rows = [{"id": s.id, "text": s.text, "expected": [f"{x['source']}>{x['target']} {x['code']}" for x in s.expected],
                   "missed": [f"{x['source']}>{x['target']} {x['code']}" for x in s.missed],
                   "false_positives": [_label(e) for e in s.extra],
                   "not_counted": [_label(e) for e in s.unasserted]}
                  for s in ranked[:worst] if s.missed or s.extra]
    return {"figures": score.figures(), "confusion": [{"gold": g, "system": y, "n": n} for (g, y), n in sorted(confusion.items())],
            "errors": dict(errors.most_common()), "error_examples": examples, "worst_sentences": worst_rows}


def write_report(report: dict, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / "report.json"
    json_path.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    md_path = folder / "report.md"
    md_path.write_text(_markdown(report), encoding="utf-8")
    return md_path, json_path


def _markdown(report: dict) -> str:
    f = report["figures"]
    lines = ["# Evaluation report", "",
             f"Precision {f['precision']}, recall {f['recall']}, F1 {f['f1']} "
             f"({f['tp']} found, {f['fp']} false positives, {f['fn']} missed, {f['sentences']} sentences).", "",
             "## Confusion by type", "", "Rows: gold type; columns: what the coder output for those actors "
             f"({NONE}: nothing).", ""]
    cells = {(c["gold"], c["system"]): c["n"] for c in report["confusion"]}
    golds = sorted({g for g, _ in cells})
    systems = sorted({y for _, y in cells})
    lines.append("| gold \\ system | " + " | ".join(systems) + " |")
    lines.append("|---|" + "---|" * len(systems))
    for g in golds:
        lines.append(f"| {g} | " + " | ".join(str(cells.get((g, y), "")) for y in systems) + " |")
    lines += ["", "## Why expected events were missed", "", "| reason | n |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in report["errors"].items()]
    for reason, items in report["error_examples"].items():
        lines += ["", f"### {reason}", ""] + [f"- {_md(i)}" for i in items]
    lines += ["", "## Worst sentences", ""]
    for w in report["worst_sentences"]:
        lines += [f"**{w['id']}**: {_md(w['text'])}", "",
                  f"- expected: {', '.join(w['expected']) or 'nothing'}",
                  f"- missed: {', '.join(w['missed']) or 'nothing'}",
                  f"- false positives: {_md('; '.join(w['false_positives'])) or 'none'}",
                  f"- not counted (not asserted): {_md('; '.join(w['not_counted'])) or 'none'}", ""]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
