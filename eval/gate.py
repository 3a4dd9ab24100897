"""The regression gate: a committed baseline (eval/baseline.json) and the checks against it.

A run fails the gate when any question group's Recall@5 or answer accuracy is more than 2 points
below the baseline's, or its median latency is more than 50 % above it. Latency is gated as the
median CPU time per question in units of a probe timed beside it (eval/latency.py says why).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.questions import Question
from eval.run import ConfigRun
from eval.tables import header, label, row

BASELINE = Path("eval/baseline.json")
MAX_DROP = 0.02          # 2 points
MAX_LATENCY_RISE = 0.5   # 50 %
GATED = {"recall@5": "R@5", "accuracy": "answer acc"}
LATENCY = "p50 CPU per question (× probe)"
EPSILON = 1e-9           # rounding noise of stored figures


class BaselineError(ValueError):
    """The baseline file is missing or cannot be read."""


@dataclass(frozen=True)
class Check:
    """One gated figure: its baseline and current value and whether it stays within bounds."""

    group: str
    metric: str
    baseline: float
    current: float | None
    passed: bool

    def describe(self) -> str:
        now = "missing" if self.current is None else f"{self.current:.3f}"
        return f"{self.group} {self.metric}: baseline {self.baseline:.3f}, now {now}"


def fingerprint(questions: Sequence[Question]) -> str:
    """A hash of what is asked and what counts as right, to notice a changed question set."""
    parts = [[q.id, q.question, list(q.answers), q.source, list(q.evidence), q.followup_of] for q in questions]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:16]


def baseline_of(run: ConfigRun, questions: Sequence[Question], files: Sequence[Path], k: int) -> dict[str, Any]:
    """The baseline a run sets: its gated figures per group, its latency and what was run."""
    groups = {
        g.label: {"n": g.n, "n_answerable": g.n_answerable,
                  "recall@5": g.retrieval.get("recall@5"), "accuracy": _round(g.accuracy)}
        for g in run.summary.groups
    }
    s = run.summary
    return {
        "about": "Written by `python -m eval gate --update-baseline`; the gate fails when a group's "
                 f"recall@5 or accuracy drops more than {MAX_DROP * 100:.0f} points below these, or "
                 f"latency.cpu_ratio_p50 rises more than {MAX_LATENCY_RISE:.0%}.",
        "config": {"name": run.config.name, "mode": run.config.mode,
                   "settings": {k_: str(v) for k_, v in run.config.settings.items()}},
        "questions": {"files": [f.name for f in files], "count": len(questions),
                      "fingerprint": fingerprint(questions)},
        "k": k,
        "groups": groups,
        "latency": {"p50_ms": _round(s.p50_ms, 1), "p95_ms": _round(s.p95_ms, 1),
                    "cpu_ratio_p50": _round(s.cpu_ratio_p50, 3)},
    }


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def load_baseline(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(
            f"no baseline at {path}: write one with `python -m eval gate ... --update-baseline`") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("groups"), dict):
        raise BaselineError(f"{path}: not a baseline (no 'groups')")
    return data


def save_baseline(data: Mapping[str, Any], path: Path) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def check(baseline: Mapping[str, Any], run: ConfigRun, max_drop: float = MAX_DROP,
          max_rise: float = MAX_LATENCY_RISE, latency: bool = True) -> list[Check]:
    """Every gated figure of the baseline against the run: quality per group, then latency
    (unless `latency` is false: a remote server's CPU is not probed)."""
    checks = []
    for group, figures in baseline["groups"].items():
        current = run.summary.group(group)
        for metric, name in GATED.items():
            base = figures.get(metric)
            if base is None:
                continue  # a group without answerable questions has no recall@5
            now = None if current is None else (current.accuracy if metric == "accuracy"
                                                 else current.retrieval.get(metric))
            checks.append(Check(group, name, base, now, now is not None and now >= base - max_drop - EPSILON))
    return checks + (_latency_check(baseline, run, max_rise) if latency else [])


def _latency_check(baseline: Mapping[str, Any], run: ConfigRun, max_rise: float) -> list[Check]:
    base = (baseline.get("latency") or {}).get("cpu_ratio_p50")
    if base is None:
        return []
    now = run.summary.cpu_ratio_p50
    return [Check("ALL", LATENCY, base, now, now is not None and now <= base * (1 + max_rise) + EPSILON)]


def notes(baseline: Mapping[str, Any], run: ConfigRun, questions: Sequence[Question]) -> list[str]:
    """Things that make the comparison less like-for-like, said but not failed on."""
    out = []
    recorded = baseline.get("questions", {}).get("fingerprint")
    if recorded and recorded != fingerprint(questions):
        out.append("the question set differs from the baseline's; if that is intended, update the baseline")
    config = baseline.get("config", {}).get("name")
    if config and config != run.config.name:
        out.append(f"gating configuration {run.config.name!r} against a baseline of {config!r}")
    new = [g.label for g in run.summary.groups if g.label not in baseline["groups"]]
    if new:
        out.append(f"no baseline yet for {', '.join(new)}")
    return out


def format_checks(checks: Sequence[Check], max_drop: float = MAX_DROP, max_rise: float = MAX_LATENCY_RISE) -> str:
    lines = [*header(["group", "figure", "baseline", "now", "change", "result"])]
    for c in checks:
        lines.append(row([label(c.group), c.metric, f"{c.baseline:.3f}",
                          "–" if c.current is None else f"{c.current:.3f}", _change(c),
                          "ok" if c.passed else "**FAIL**"]))
    failed = [c for c in checks if not c.passed]
    timed = any(c.metric == LATENCY for c in checks)
    verdict = (f"gate passed: no group fell more than {max_drop * 100:.0f} points"
               + (f", latency rose at most {max_rise:.0%}" if timed else "")
               if not failed else f"gate FAILED on {len(failed)} figure(s):")
    return "\n".join([*lines, "", verdict, *(f"- {c.describe()}" for c in failed)])


def _change(c: Check) -> str:
    if c.current is None:
        return "–"
    if c.metric == LATENCY:
        return f"{(c.current / c.baseline - 1) * 100:+.0f} %" if c.baseline else "–"
    points = round((c.current - c.baseline) * 100, 1) + 0.0  # + 0.0: no "-0.0" from rounding noise
    return f"{points:+.1f} pts"
