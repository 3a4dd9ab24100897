"""Hand-made scored results and runs for the evaluator's pure tests."""

from __future__ import annotations

from collections.abc import Sequence

from eval.configs import EvalConfig
from eval.metrics import QuestionResult, with_rankings
from eval.run import ConfigRun
from eval.summary import summarise


def result(qid: str, type_: str, *, rank: int | None = 1, correct: bool = True, declined: bool = False,
           gold: bool = True, followup: bool = False, took_ms: float = 10.0, cpu_ms: float | None = None,
           probe_ms: float | None = None, config: str = "hybrid") -> QuestionResult:
    """A scored question: ten citations with the evidence first cited at `rank` (None: never)."""
    hits = tuple(i + 1 == rank for i in range(10)) if gold else ()
    return QuestionResult(
        id=qid, type=type_, mode="hybrid", gold_answerable=gold, hits=hits,
        first_hit_rank=rank if gold else None, answer=None if declined else "x", answerable=not declined,
        correct=correct, took_ms=took_ms, violations=0, config=config, followup=followup,
        cpu_ms=cpu_ms, probe_ms=probe_ms,
    )


def config_run(name: str, results: Sequence[QuestionResult]) -> ConfigRun:
    """A ConfigRun as evaluate() makes it, without answers."""
    ranked = with_rankings(results)
    return ConfigRun(EvalConfig(name, "hybrid"), tuple(ranked), {}, summarise(name, ranked), 0.0)
