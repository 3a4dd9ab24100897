"""The chunk reranker (qa/reranker.py) on made-up hits and candidates, and on the real test index:
a chunk's row says what its candidates hold, reordering keeps the first DEPTH chunks' candidates
renumbered, the trees survive the weights file, and a file for other chunk features is refused
in words."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from qa.assistant import Assistant
from qa.candidates import FEATURES, Candidate
from qa.reranker import CHUNK_FEATURES, POOL, PoolHit, Reranker, RerankerError, chunk_features, reorder
from qa.selector import Selector, SelectorError


def _candidate(hit: int, **values: float) -> Candidate:
    features = [values.get(name, 0.0) for name in FEATURES]
    return Candidate(hit, 0, 1, None, tuple(features))


HITS = [PoolHit(2.0, 10.0, 0.5, 100), PoolHit(1.0, 4.0, 0.7, 20), PoolHit(0.5, 0.0, 0.2, 5)]


def test_a_chunk_row_holds_its_scores_its_best_candidate_and_the_gap_to_the_pool() -> None:
    found = [_candidate(0, coverage=0.2), _candidate(1, coverage=0.9, type_new=1.0), _candidate(1, coverage=0.1)]
    rows = chunk_features(HITS, found)
    at = {name: i for i, name in enumerate(CHUNK_FEATURES)}
    assert rows.shape == (3, len(CHUNK_FEATURES))
    assert rows[:, at["score"]].tolist() == [1.0, 0.5, 0.25]
    assert rows[:, at["lexical"]].tolist() == [1.0, 0.4, 0.0]
    assert rows[:, at["best_coverage"]].tolist() == [0.2, 0.9, 0.0]  # the third chunk has no candidate
    assert rows[:, at["candidates"]].tolist() == [1.0, 2.0, 0.0]
    assert rows[:, at["gap_best_coverage"]].tolist() == pytest.approx([-0.7, 0.0, -0.9])
    assert rows[1, at["best_type_new"]] == 1.0


def test_no_hits_make_no_rows() -> None:
    assert chunk_features([], []).shape == (0, len(CHUNK_FEATURES))


def test_reordering_keeps_the_first_chunks_candidates_renumbered() -> None:
    found = [_candidate(0, rank=1.0, retrieval=1.0), _candidate(1, rank=0.5), _candidate(2, rank=1 / 3)]
    reordered = reorder(np.asarray([0.1, 2.0, 0.1]), found, depth=2)
    assert reordered.order == [1, 0, 2]  # ties keep retrieval's order
    assert [c.hit for c in reordered.candidates] == [1, 0]
    assert reordered.taken == [0, 1]
    rank, retrieval = FEATURES.index("rank"), FEATURES.index("retrieval")
    first = reordered.candidates[1]  # what was the second hit
    assert first.features[rank] == 1.0 and first.features[retrieval] == 1.0
    second = reordered.candidates[0]
    assert second.features[rank] == 0.5
    assert second.features[retrieval] == pytest.approx(np.exp(0.1 - 2.0))


def _fitted() -> Reranker:
    import lightgbm

    rng = np.random.default_rng(0)
    x = rng.random((200, len(CHUNK_FEATURES)))
    y = (x[:, 0] > 0.7).astype(int)
    model = lightgbm.LGBMRanker(n_estimators=20, num_leaves=3, min_child_samples=5, verbose=-1).fit(
        x, y, group=[10] * 20)
    return Reranker(model.booster_.model_to_string(), {"made": "up"})


def test_fitted_trees_rank_what_they_learned_and_round_trip() -> None:
    reranker = _fitted()
    rows = np.zeros((2, len(CHUNK_FEATURES)))
    rows[0, 0] = 0.9
    assert reranker.scores(rows)[0] > reranker.scores(rows)[1]
    again = Reranker.from_json(json.loads(json.dumps(reranker.to_json())))
    assert np.allclose(again.scores(rows), reranker.scores(rows))
    assert reranker.scores(np.zeros((0, len(CHUNK_FEATURES)))).shape == (0,)


def test_a_reranker_for_other_chunk_features_is_refused_in_words(tmp_path: Path) -> None:
    data = _fitted().to_json()
    with pytest.raises(RerankerError, match="refit"):
        Reranker.from_json({**data, "features": data["features"][:-1]})
    with pytest.raises(RerankerError, match="cannot be read"):
        Reranker("not trees")
    selector = replace(Selector.untrained(), reranker=_fitted()).to_json()
    path = tmp_path / "selector.json"
    path.write_text(json.dumps({**selector, "reranker": {**selector["reranker"], "trees": "not trees"}}))
    with pytest.raises(SelectorError, match="cannot be read"):
        Selector.load(path)


@pytest.mark.slow
@pytest.mark.parametrize("question", ["what was NI 59 in Q3?", "Who sent apologies to the Health and Wellbeing Board?"])
def test_the_assistant_reranks_its_pool_before_choosing(assistant: Assistant, question: str) -> None:
    """The selector's file holds a reranker; the pool comes back in retrieval's order, the
    candidates in the reranked one, every hit's score falling."""
    assert assistant.selector.reranker is not None
    pool, raw = assistant.pool(question)
    hits, found = assistant.candidates(question)
    assert {h.row for h in hits[:POOL]} == {h.row for h in pool[:POOL]}
    assert all(c.hit < POOL for c in raw) and all(c.hit < 5 for c in found)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and scores[0] == 1.0
    for c in found:
        assert 0 <= c.start <= c.end <= len(assistant.index.chunks[hits[c.hit].row].text)
