"""PNG charts of an evaluation, drawn with matplotlib's Agg canvas (no display, no global state)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from eval.metrics import CURVE_KS, mean_scores
from eval.reliability import calibration_error, reliability
from eval.run import ConfigRun
from eval.summary import ALL, ANSWERABLE, MUST_BE_EMPTY

if TYPE_CHECKING:
    from matplotlib.figure import Figure

RECALL_CHART = "recall_at_k.png"
ACCURACY_CHART = "accuracy_by_type.png"
RELIABILITY_CHART = "reliability.png"


def _figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def recall_curve(run: ConfigRun) -> list[float]:
    """Recall@k for k = 1..10 over the run's answerable questions."""
    names = [f"recall@{k}" for k in CURVE_KS]
    means = mean_scores((r.ranking for r in run.results if r.gold_answerable), names)
    return [means.get(name, 0.0) for name in names]


def draw_recall_at_k(runs: Sequence[ConfigRun], path: Path) -> Path:
    """One line per configuration: the share of answerable questions cited within the top k."""
    figure = _figure(7, 4.5)
    axes = figure.add_subplot()
    for run in runs:
        axes.plot(CURVE_KS, recall_curve(run), marker="o", label=run.config.name)
    n = sum(1 for r in runs[0].results if r.gold_answerable) if runs else 0
    axes.set(xlabel="k (citations looked at)", ylabel="Recall@k", ylim=(0, 1.02), xticks=list(CURVE_KS),
             title=f"Recall@k per configuration ({n} answerable questions)")
    axes.grid(alpha=0.3)
    axes.legend(loc="lower right")
    figure.savefig(path)
    return path


def draw_accuracy_by_type(runs: Sequence[ConfigRun], path: Path) -> Path:
    """Grouped bars: answer accuracy of each question type (and ALL) under each configuration."""
    groups = [g for g in runs[0].summary.groups if g.n] if runs else []
    figure = _figure(min(14.0, max(7.0, len(groups) * (0.4 + 0.2 * len(runs)))), 4.5)
    axes = figure.add_subplot()
    width = 0.8 / max(1, len(runs))
    for i, run in enumerate(runs):
        values = [(run.summary.group(g.label) or g).accuracy or 0.0 for g in groups]
        positions = [x + (i - (len(runs) - 1) / 2) * width for x in range(len(groups))]
        axes.bar(positions, values, width, label=run.config.name)
    axes.set_xticks(range(len(groups)), [f"{g.label}\n(n={g.n})" for g in groups], fontsize=8)
    axes.set(ylabel="answer accuracy", ylim=(0, 1.15), yticks=[0, 0.2, 0.4, 0.6, 0.8, 1.0],
             title="Answer accuracy per question type")  # the headroom keeps the legend off the bars
    types = sum(1 for g in groups if g.label not in (ANSWERABLE, MUST_BE_EMPTY, ALL))
    axes.axvline(types - 0.5, color="grey", linewidth=0.8)  # question types | subtotals and ALL
    axes.grid(axis="y", alpha=0.3)
    axes.legend(loc="upper left", fontsize=8, ncols=min(4, len(runs)))
    figure.savefig(path)
    return path


def draw_reliability(runs: Sequence[ConfigRun], path: Path) -> Path:
    """Per configuration, the share of answered questions that were right against the confidence
    they were given (a calibrated answerer lies on the diagonal), with how many fell in each bin."""
    figure = _figure(7, 6)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    top.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=0.8, label="calibrated")
    width = 0.1 / max(1, len(runs))
    for i, run in enumerate(runs):
        table = reliability(run.results)
        error = calibration_error(table)
        label = f"{run.config.name} (ECE {error:.2f})" if error is not None else run.config.name
        top.plot([b.confidence for b in table], [b.accuracy for b in table], marker="o", label=label)
        bottom.bar([b.low + (i + 0.5) * width for b in table], [b.n for b in table], width, label=run.config.name)
    top.set(ylabel="share answered right", xlim=(0, 1), ylim=(0, 1.02),
            title="Reliability: answered questions by the confidence given")
    top.grid(alpha=0.3)
    top.legend(loc="upper left", fontsize=8)
    bottom.set(xlabel="confidence", ylabel="questions")
    bottom.grid(axis="y", alpha=0.3)
    figure.savefig(path)
    return path


def draw_all(runs: Sequence[ConfigRun], folder: Path) -> list[Path]:
    """Every chart into `folder`; returns the files written."""
    return [draw_recall_at_k(runs, folder / RECALL_CHART), draw_accuracy_by_type(runs, folder / ACCURACY_CHART),
            draw_reliability(runs, folder / RELIABILITY_CHART)]

