"""Markdown tables of summaries: one row per question type, subtotals and ALL."""

from __future__ import annotations

from collections.abc import Sequence

from eval.summary import ALL, GroupScores, Summary

COLUMNS = ("type", "n", "R@1", "R@5", "R@10", "MRR", "nDCG@10", "answer acc", "abst P", "abst R",
           "follow-up acc", "p50 ms", "p95 ms")


def num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def header(columns: Sequence[str]) -> list[str]:
    return ["| " + " | ".join(columns) + " |", "| --- |" + " ---: |" * (len(columns) - 1)]


def row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def label(name: str) -> str:
    return f"**{name}**" if name == ALL else name


def group_row(g: GroupScores) -> str:
    r = g.retrieval
    return row([
        label(g.label), str(g.n), num(r.get("recall@1")), num(r.get("recall@5")), num(r.get("recall@10")),
        num(r.get("mrr")), num(r.get("ndcg@10")), num(g.accuracy), num(g.abstention_precision),
        num(g.abstention_recall), num(g.followup_accuracy), num(g.p50_ms, 1), num(g.p95_ms, 1),
    ])


def summary_table(summary: Summary) -> str:
    """The table of one configuration with a line of its configuration-wide numbers below."""
    return "\n".join([
        *header(COLUMNS),
        *(group_row(g) for g in summary.groups),
        "",
        summary_line(summary),
    ])


def summary_line(summary: Summary) -> str:
    ratio = "" if summary.cpu_ratio_p50 is None else f" · CPU per question p50 {summary.cpu_ratio_p50:.2f}× probe"
    return (
        f"abstention {num(summary.abstention)} · false abstention {num(summary.false_abstention)}"
        f" · latency p50 {num(summary.p50_ms, 1)} ms, p95 {num(summary.p95_ms, 1)} ms{ratio}"
        f" · citation violations {summary.violations}"
    )
