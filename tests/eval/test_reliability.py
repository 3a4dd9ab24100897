"""The reliability table: answered questions binned by confidence, declined ones left out, and the
calibration error as the size-weighted gap."""

from __future__ import annotations

from dataclasses import replace

import pytest

from eval.metrics import QuestionResult
from eval.reliability import calibration_error, reliability, reliability_table
from tests.eval.helpers import result


def _given(confidence: float, correct: bool, declined: bool = False) -> QuestionResult:
    return replace(result("q", "table", correct=correct, declined=declined), confidence=confidence)


def test_bins_hold_the_answered_questions_by_confidence() -> None:
    results = [_given(0.95, True), _given(0.91, False), _given(0.15, False), _given(0.5, True, declined=True)]
    table = reliability(results)
    assert [(b.low, b.n) for b in table] == [(0.1, 1), (0.9, 2)]
    assert table[1].accuracy == 0.5 and table[1].confidence == pytest.approx(0.93)
    assert table[0].accuracy == 0.0


def test_confidence_one_falls_in_the_top_bin() -> None:
    assert [b.low for b in reliability([_given(1.0, True)])] == [0.9]


def test_calibration_error_weights_each_gap_by_its_bin() -> None:
    table = reliability([_given(0.95, True), _given(0.91, False), _given(0.15, False)])
    # gaps: 0.9-1.0 bin |0.5 - 0.93| = 0.43 (n=2); 0.1-0.2 bin |0 - 0.15| = 0.15 (n=1)
    assert calibration_error(table) == pytest.approx((2 * 0.43 + 0.15) / 3)


def test_nothing_answered_says_so() -> None:
    assert calibration_error(reliability([_given(0.4, False, declined=True)])) is None
    assert "no question was answered" in reliability_table([])
