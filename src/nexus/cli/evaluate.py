"""`nexus eval`: accuracy against a gold file, scored as the reference scorer does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from nexus import api
from nexus.cli.common import MinConfOpt, ProblemLog, app, coder_for, err, escape, out


@app.command(name="eval")
def eval_(gold: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
          cameo: bool = typer.Option(False, "--cameo", help="Gold codes are CAMEO; match on the root."),
          events_out: Optional[Path] = typer.Option(None, "--events", help="Also write the coded events (JSONL)."),
          report: Optional[Path] = typer.Option(None, "--report", help="Write an error analysis (Markdown and JSON) to this folder."),
          min_confidence: MinConfOpt = None) -> None:
    """Code a gold file and print precision, recall and F1 as the reference scorer computes them.

    A file whose records list "events" with a "factuality" (a factuality set) is scored for
    factuality instead: accuracy on the events found, and any negated or hypothetical event
    reported as asserted."""
    from nexus.evaluate import load_gold, score_events
    from nexus.evaluate.factuality import score_factuality

    from nexus.evaluate.score import GoldError

    try:
        records = load_gold(gold)
    except GoldError as exc:
        err.print(f"[red]nexus: bad gold file[/red] {escape(str(exc))}")
        raise typer.Exit(1)
    problems = ProblemLog()
    coded = [e.to_dict() for cd in api.code_documents(api.read([gold], "jsonl", on_problem=problems),
                                                      coder_for(min_confidence))
             for e in cd.events]
    if events_out:
        events_out.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in coded), encoding="utf-8")
    if records and "expected_events" not in records[0] and "events" in records[0]:
        fscore = score_factuality(records, coded)
        out.print_json(json.dumps(fscore.figures()))
        for line in fscore.asserted_errors:
            out.print(f"[red]asserted in error[/red] {escape(line)}", highlight=False)
        out.print(f"factuality accuracy={fscore.accuracy} coverage={fscore.coverage}")
        return
    score = score_events(records, coded, cameo=cameo)
    out.print_json(json.dumps(score.figures()))
    out.print(f"P={score.precision} R={score.recall} F1={score.f1}")
    if report is not None:
        from nexus.evaluate.report import build_report, write_report

        md, js = write_report(build_report(score, cameo=cameo), report)
        err.print(f"nexus: report written to {md} and {js}")


