"""What an evaluation leaves behind: report.md, results.jsonl, failures.md, charts and `--json`."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.charts import draw_all
from eval.compare import MAX_P, format_comparison
from eval.failures import format_failures, is_failure
from eval.reliability import reliability, reliability_table
from eval.run import ConfigRun, Evaluation
from eval.summary import GroupScores, Summary
from eval.tables import summary_table

REPORT = "report.md"
RESULTS = "results.jsonl"
FAILURES = "failures.md"
LEGEND = (
    "R@k: share of answerable questions whose evidence is among the first k citations; MRR: mean "
    "1/rank of the first such citation; nDCG@10: its 1/log2(rank+1) (all three from ranx). answer "
    "acc: share answered right (a must-be-empty question is right when declined). abst P / abst R: "
    "abstention precision (of the questions declined, the share that must be empty) and recall (of "
    "those that must be empty, the share declined). follow-up acc: answer accuracy of follow-ups. "
    "p50/p95: answer latency percentiles. `answerable` and `must be empty` are subtotals across types."
)


def headline(evaluation: Evaluation) -> str:
    configs = ", ".join(r.config.name for r in evaluation.runs)
    return (f"{len(evaluation.questions)} questions · k={evaluation.k} · configs {configs} · "
            f"{evaluation.seconds:.1f} s")


def config_section(run: ConfigRun, level: str = "###") -> str:
    return f"{level} {run.config.name} ({run.config.describe()})\n\n{summary_table(run.summary)}"


def console_text(evaluation: Evaluation, test: str, max_p: float = MAX_P) -> str:
    """What `run` prints: the headline, a table per configuration and, for several, the comparison."""
    parts = [headline(evaluation), *(config_section(r) for r in evaluation.runs)]
    if len(evaluation.runs) > 1:
        parts.append(format_comparison(evaluation.runs, test, max_p))
    return "\n\n".join(parts)


def report_markdown(
    evaluation: Evaluation, files: Sequence[Path], warnings: Sequence[str], index: Path, test: str,
    max_p: float = MAX_P, charts: Sequence[str] = (),
) -> str:
    qs = evaluation.questions
    empty = sum(1 for q in qs if q.must_be_empty)
    lines = [
        "# Clerk evaluation", "",
        f"- questions: {len(qs)} ({len(qs) - empty} answerable, {empty} must be empty) from "
        + ", ".join(f"`{f}`" for f in files),
        "- configurations: " + "; ".join(f"**{r.config.name}** ({r.config.describe()})" for r in evaluation.runs),
        f"- index: `{index}` · k = {evaluation.k} · {evaluation.seconds:.1f} s · "
        + time.strftime("%Y-%m-%d %H:%M"),
        f"- warnings: {len(warnings) or 'none'}", *(f"  - {w}" for w in warnings), "",
        "## Summary", "", LEGEND, "",
        *(config_section(r) + "\n" for r in evaluation.runs),
    ]
    if len(evaluation.runs) > 1:
        lines += ["## Comparison", "", format_comparison(evaluation.runs, test, max_p), ""]
    lines += ["## Calibration", "", "Of the questions answered with each confidence, the share answered right.", ""]
    for run in evaluation.runs:
        lines += [f"### {run.config.name}", "", reliability_table(reliability(run.results)), ""]
    if charts:
        lines += ["## Charts", "", *(f"![{Path(c).stem.replace('_', ' ')}]({c})" for c in charts), ""]
    failed = ", ".join(f"{sum(map(is_failure, r.results))} for {r.config.name}" for r in evaluation.runs)
    lines += ["## Failures", "", f"Listed in [{FAILURES}]({FAILURES}): {failed}.", ""]
    return "\n".join(lines)


def citation_json(run: ConfigRun, qid: str) -> list[dict[str, Any]]:
    answer = run.answers[qid]
    result = next(r for r in run.results if r.id == qid)
    keep = ("source", "start", "end", "page", "title", "committee", "meeting_date", "kind", "score")
    pairs = zip(answer.citations, result.hits, strict=True)
    return [{**{k: getattr(c, k) for k in keep}, "hit": hit} for c, hit in pairs]


def result_rows(evaluation: Evaluation) -> list[dict[str, Any]]:
    """One row per question and configuration, for results.jsonl."""
    by_id = {q.id: q for q in evaluation.questions}
    return [
        {**r.to_json(), "question": by_id[r.id].question, "gold_answers": list(by_id[r.id].answers),
         "citations": citation_json(run, r.id)}
        for run in evaluation.runs for r in run.results
    ]


def write_report(
    evaluation: Evaluation, folder: Path, files: Sequence[Path], warnings: Sequence[str], index: Path,
    test: str, max_p: float = MAX_P,
) -> list[Path]:
    """report.md, results.jsonl, failures.md and the charts into `folder`; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    charts = draw_all(evaluation.runs, folder)
    rows = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in result_rows(evaluation))
    failures = "\n\n".join(format_failures(evaluation, run) for run in evaluation.runs)
    written = {
        REPORT: report_markdown(evaluation, files, warnings, index, test, max_p, [c.name for c in charts]),
        RESULTS: rows,
        FAILURES: f"# Failures\n\n{failures}\n",
    }
    for name, text in written.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / name for name in written] + charts


# -- --json ----------------------------------------------------------------------------------


def group_json(g: GroupScores) -> dict[str, Any]:
    return {
        "n": g.n, "n_answerable": g.n_answerable, **g.retrieval, "accuracy": g.accuracy,
        "abstention_precision": g.abstention_precision, "abstention_recall": g.abstention_recall,
        "followup_accuracy": g.followup_accuracy, "p50_ms": g.p50_ms, "p95_ms": g.p95_ms,
    }


def summary_json(summary: Summary) -> dict[str, Any]:
    return {
        "mode": summary.mode, "groups": {g.label: group_json(g) for g in summary.groups},
        "abstention": summary.abstention, "false_abstention": summary.false_abstention,
        "p50_ms": summary.p50_ms, "p95_ms": summary.p95_ms, "cpu_ratio_p50": summary.cpu_ratio_p50,
        "citation_violations": summary.violations,
    }


def evaluation_json(evaluation: Evaluation, files: Sequence[Path], warnings: Sequence[str]) -> dict[str, Any]:
    """All numbers and per-question rows, for `--json OUT` ("modes" is keyed by configuration name)."""
    return {
        "questions": [str(f) for f in files], "k": evaluation.k,
        "seconds": round(evaluation.seconds, 2), "warnings": list(warnings),
        "configs": {r.config.name: r.config.describe() for r in evaluation.runs},
        "modes": {r.config.name: summary_json(r.summary) for r in evaluation.runs},
        "results": [r.to_json() for run in evaluation.runs for r in run.results],
    }
