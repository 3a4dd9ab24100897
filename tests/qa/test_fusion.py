"""Fusion: min-max scaling, weighted sums and reciprocal rank fusion, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from qa.fusion import minmax, rrf, weighted


def test_minmax_scales_to_zero_one() -> None:
    assert minmax(np.array([2.0, 4.0, 3.0])).tolist() == [0.0, 1.0, 0.5]


def test_minmax_of_equal_scores_is_all_zeros() -> None:
    assert minmax(np.array([7.0, 7.0])).tolist() == [0.0, 0.0]
    assert minmax(np.array([5.0])).tolist() == [0.0]


def test_minmax_of_nothing_is_nothing() -> None:
    assert minmax(np.array([])).tolist() == []


def test_weighted_sums_normalised_scores_times_weights() -> None:
    lexical = {1: 10.0, 2: 5.0, 3: 0.0}  # -> 1.0, 0.5, 0.0
    dense = {2: 0.9, 4: 0.5, 1: 0.7}  # -> 1.0, 0.0, 0.5
    fused = weighted([(lexical, 0.7), (dense, 0.3)])
    assert fused == pytest.approx({1: 0.7 + 0.15, 2: 0.35 + 0.3, 3: 0.0, 4: 0.0})


def test_weighted_counts_a_row_missing_from_a_run_as_zero() -> None:
    fused = weighted([({1: 3.0, 2: 1.0}, 0.5), ({3: 2.0, 4: 1.0}, 0.5)])
    assert fused == pytest.approx({1: 0.5, 2: 0.0, 3: 0.5, 4: 0.0})


def test_weighted_skips_empty_runs() -> None:
    assert weighted([({}, 0.7), ({5: 1.0, 6: 3.0}, 0.3)]) == pytest.approx({5: 0.0, 6: 0.3})
    assert weighted([]) == {}


def test_rrf_adds_reciprocal_ranks() -> None:
    fused = rrf([{1: 9.0, 2: 5.0}, {2: 0.8, 3: 0.1}], k=60)
    assert fused == pytest.approx({1: 1 / 61, 2: 1 / 62 + 1 / 61, 3: 1 / 62})
    assert max(fused, key=fused.__getitem__) == 2


def test_rrf_ignores_score_scale() -> None:
    assert rrf([{1: 1000.0, 2: 0.001}], k=1) == pytest.approx({1: 1 / 2, 2: 1 / 3})
