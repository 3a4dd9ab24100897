"""Per-type summaries (eval/summary.py) on hand-made results."""

from __future__ import annotations

import pytest

from eval.metrics import with_rankings
from eval.summary import ALL, ANSWERABLE, MUST_BE_EMPTY, percentile, summarise, type_order
from tests.eval.helpers import result

CASES = [
    result("t1", "table", rank=1, took_ms=5.0),
    result("t2", "table", rank=2, correct=False, declined=True, took_ms=7.0),
    result("n1", "narrative", rank=None, correct=False, took_ms=9.0),
    result("f1", "followup", rank=4, followup=True, took_ms=11.0),
    result("u1", "unanswerable", gold=False, declined=True, took_ms=1.0),
    result("u2", "unanswerable", gold=False, correct=False, took_ms=3.0),
    result("b1", "budget", rank=1, took_ms=2.0),
]


@pytest.fixture(scope="module")
def rows() -> dict[str, object]:
    summary = summarise("hybrid", with_rankings(CASES))
    return {g.label: g for g in summary.groups} | {"summary": summary}


def test_rows_are_the_types_present_then_subtotals_then_all(rows: dict) -> None:
    labels = [g.label for g in rows["summary"].groups]
    assert labels == ["table", "narrative", "unanswerable", "followup", "budget", ANSWERABLE, MUST_BE_EMPTY, ALL]


def test_ranking_numbers_cover_answerable_questions(rows: dict) -> None:
    table = rows["table"]
    assert (table.n, table.n_answerable) == (2, 2)
    assert table.retrieval["recall@1"] == pytest.approx(0.5)
    assert table.retrieval["mrr"] == pytest.approx(0.75)
    assert rows["unanswerable"].retrieval == {}
    everything = rows[ALL]
    assert (everything.n, everything.n_answerable) == (7, 5)
    assert everything.retrieval["recall@5"] == pytest.approx(4 / 5)
    assert everything.retrieval == rows[ANSWERABLE].retrieval


def test_accuracy_abstention_and_followups(rows: dict) -> None:
    assert rows["table"].accuracy == pytest.approx(0.5)
    assert rows[ALL].accuracy == pytest.approx(4 / 7)
    # declined: t2 (answerable) and u1 (must be empty)
    assert rows[ALL].abstention_precision == pytest.approx(1 / 2)
    assert rows[ALL].abstention_recall == pytest.approx(1 / 2)
    assert rows[MUST_BE_EMPTY].n == 2 and rows[MUST_BE_EMPTY].accuracy == pytest.approx(1 / 2)
    assert rows["narrative"].abstention_precision is None and rows["narrative"].abstention_recall is None
    assert rows[ALL].followup_accuracy == 1.0 and rows["table"].followup_accuracy is None
    summary = rows["summary"]
    assert summary.abstention == pytest.approx(1 / 2)
    assert summary.false_abstention == pytest.approx(1 / 5)


def test_latency_percentiles(rows: dict) -> None:
    summary = rows["summary"]
    assert summary.p50_ms == pytest.approx(5.0)
    assert rows["table"].p50_ms == pytest.approx(6.0)
    assert summary.cpu_ratio_p50 is None  # no probe was timed
    assert percentile([1.0, 2.0, 3.0, 4.0, 100.0], 95) == pytest.approx(80.8)
    assert percentile([], 50) is None and percentile([7.0], 95) == 7.0


def test_cpu_ratio_is_the_median_of_paired_ratios() -> None:
    probed = [result("a", "table", cpu_ms=10.0, probe_ms=5.0), result("b", "table", cpu_ms=30.0, probe_ms=10.0),
              result("c", "table", cpu_ms=100.0, probe_ms=20.0)]
    summary = summarise("x", with_rankings(probed))
    assert summary.cpu_ratio_p50 == pytest.approx(3.0)
    assert probed[0].cpu_ratio == pytest.approx(2.0) and result("d", "table").cpu_ratio is None


def test_type_order_known_types_first() -> None:
    assert type_order(["zeta", "people", "table", "alpha"]) == ["table", "people", "alpha", "zeta"]
