"""How an ingest is told to a person: one line per file as it settles, then a summary table."""

from __future__ import annotations

from pathlib import Path

from corpus.ingest import Outcome
from index.builder import IngestReport

STATUSES = ("ingested", "unchanged", "removed", "failed")
DRY_RUN_LABELS = {"ingested": "would ingest", "removed": "would remove"}


def outcome_line(outcome: Outcome, dry_run: bool = False) -> str:
    """`ingested  path (12 chunks)`, `failed    path: reason`, `would ingest  path: new file`."""
    label = DRY_RUN_LABELS.get(outcome.status, outcome.status) if dry_run else outcome.status
    detail = f": {outcome.reason}" if outcome.reason else (f" ({outcome.chunks} chunks)" if outcome.chunks else "")
    return f"{label:<9} {outcome.path}{detail}"


def summary_lines(report: IngestReport) -> list[str]:
    """The table of counts, the failed files with their reasons, warnings, and the totals line."""
    lines = counts_table(report.outcomes, report.dry_run)
    lines += reasons("failures", [o for o in report.outcomes if o.status == "failed"])
    lines += reasons("warnings", [o for o in report.outcomes if o.status == "ingested" and o.reason
                                  and not report.dry_run])
    lines.append(totals(report))
    return lines


def counts_table(outcomes: list[Outcome], dry_run: bool) -> list[str]:
    """A row per status under a "summary" header; rows are indented so that only per-file lines
    start with a status word."""
    rows = [("summary", "files", "chunks", "pages")]
    for status in STATUSES:
        group = [o for o in outcomes if o.status == status]
        label = DRY_RUN_LABELS.get(status, status) if dry_run else status
        rows.append((label, str(len(group)), str(sum(o.chunks for o in group)), str(sum(o.pages for o in group))))
    width = max(len(row[0]) for row in rows)
    return [f"{'' if i == 0 else '  '}{row[0]:<{width + (2 if i == 0 else 0)}}  {row[1]:>6}  {row[2]:>7}  {row[3]:>6}"
            for i, row in enumerate(rows)]


def reasons(title: str, outcomes: list[Outcome]) -> list[str]:
    """`title:` then one `  name  reason` line per outcome, names aligned."""
    if not outcomes:
        return []
    names = [Path(o.path).name for o in sorted(outcomes, key=lambda o: o.path)]
    width = min(max(len(n) for n in names), 50)
    ordered = sorted(outcomes, key=lambda o: o.path)
    return [f"{title}:"] + [f"  {name:<{width}}  {o.reason}" for name, o in zip(names, ordered)]


def totals(report: IngestReport) -> str:
    if report.dry_run:
        labels = {"ingested": "to ingest", "removed": "to remove"}
        counts = ", ".join(f"{sum(o.status == s for o in report.outcomes)} {labels.get(s, s)}" for s in STATUSES)
        return f"dry run: {counts}; nothing was parsed or written"
    counts = ", ".join(f"{sum(o.status == s for o in report.outcomes)} {s}" for s in STATUSES)
    rates = " ".join(f"{stage}={seconds:.1f}" + ("" if stage == "model" else rate(report.pages, seconds))
                     for stage, seconds in report.seconds.items())
    return (f"{counts}; index: {report.documents} documents, {report.chunks} chunks, {report.embedded} embedded"
            f"; {report.pages} pages parsed; seconds {rates}")


def rate(pages: int, seconds: float) -> str:
    """` (40 pages/s)` for a stage that handled pages, else nothing (a stage that took under
    0.05 s, such as embedding when every text was cached, did no work worth a rate)."""
    if not pages or seconds < 0.05:
        return ""
    per_second = pages / seconds
    return f" ({per_second:.1f} pages/s)" if per_second < 10 else f" ({per_second:.0f} pages/s)"
