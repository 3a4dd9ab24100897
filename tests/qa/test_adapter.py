"""The question adapter (qa/adapter.py): it learns to move questions towards the sentences that
answer them, round-trips through its weights file, refuses weights it cannot use, and the
assistant's candidates carry its cosine as `dense_qa`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qa.adapter import AdapterError, QuestionAdapter, Sentences, fit_adapter
from qa.assistant import Assistant
from qa.candidates import FEATURES
from qa.selector import Selector, SelectorError

DIMENSION = 24


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _examples(n: int, seed: int, turn: np.ndarray) -> list[Sentences]:
    """Questions whose answering sentence is the question turned by `turn` (plus noise), among
    decoys that are the question itself slightly moved: the restating sentences plain cosine
    prefers."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        q = _unit(rng.normal(size=DIMENSION))
        answer = _unit(turn @ q + 0.1 * rng.normal(size=DIMENSION))
        decoys = _unit(q + 0.35 * rng.normal(size=(6, DIMENSION)))
        vectors = np.vstack([decoys, answer]).astype(np.float32)
        out.append(Sentences(q.astype(np.float32), vectors, np.asarray([False] * 6 + [True])))
    return out


def _first_right(examples: list[Sentences], adapter: QuestionAdapter | None) -> float:
    right = 0
    for e in examples:
        q = adapter.apply(e.question) if adapter is not None else e.question
        right += bool(e.relevant[int(np.argmax(e.vectors @ q))])
    return right / len(examples)


def test_the_fitted_adapter_finds_the_answering_sentence_on_new_questions() -> None:
    rng = np.random.default_rng(7)
    # answers lie off their questions along a few directions, as a low-rank map can learn
    turn = np.eye(DIMENSION) + 1.5 * rng.normal(size=(DIMENSION, 4)) @ rng.normal(size=(4, DIMENSION)) / DIMENSION**0.5
    adapter = fit_adapter(_examples(200, 1, turn), rank=8, epochs=15)
    unseen = _examples(100, 2, turn)
    assert _first_right(unseen, adapter) >= _first_right(unseen, None) + 0.2
    assert adapter.down.shape == (8, DIMENSION) and adapter.meta["settings"]["rank"] == 8


def test_an_adapter_that_moves_nothing_only_normalises() -> None:
    adapter = QuestionAdapter(np.ones((4, DIMENSION), np.float32), np.zeros((DIMENSION, 4), np.float32))
    v = np.arange(1, DIMENSION + 1, dtype=np.float32)
    assert np.allclose(adapter.apply(v), v / np.linalg.norm(v))
    assert np.isclose(np.linalg.norm(adapter.apply(3 * v)), 1.0)


def test_weights_round_trip_exactly_and_bad_ones_are_refused_in_words() -> None:
    rng = np.random.default_rng(0)
    adapter = QuestionAdapter(rng.normal(size=(4, DIMENSION)).astype(np.float32),
                              rng.normal(size=(DIMENSION, 4)).astype(np.float32), {"settings": {"rank": 4}})
    again = QuestionAdapter.from_json(json.loads(json.dumps(adapter.to_json())))
    assert np.array_equal(again.down, adapter.down) and np.array_equal(again.up, adapter.up)
    assert again.meta == adapter.meta
    with pytest.raises(AdapterError, match="cannot be read"):
        QuestionAdapter.from_json({**adapter.to_json(), "up": "not base64!"})
    with pytest.raises(AdapterError, match="cannot be read"):
        QuestionAdapter.from_json({**adapter.to_json(), "rank": 5})
    with pytest.raises(AdapterError, match="do not fit"):
        QuestionAdapter(adapter.down, adapter.down)
    with pytest.raises(AdapterError, match="refit it"):
        adapter.apply(np.ones(DIMENSION + 1, np.float32))


def test_nothing_to_fit_is_an_error_in_words() -> None:
    none_relevant = Sentences(np.ones(DIMENSION, np.float32), np.ones((3, DIMENSION), np.float32),
                              np.zeros(3, dtype=bool))
    with pytest.raises(ValueError, match="nothing to fit the adapter on"):
        fit_adapter([none_relevant])


def test_a_selector_file_with_a_broken_adapter_is_refused(tmp_path: Path) -> None:
    data = Selector.load().to_json()
    data["adapter"] = {"rank": 2, "dimension": 3, "down": "AAAA", "up": "AAAA"}
    path = tmp_path / "selector.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SelectorError, match="cannot be read"):
        Selector.load(path)


def test_the_shipped_selector_holds_an_adapter_for_the_models_vectors() -> None:
    adapter = Selector.load().adapter
    assert adapter is not None and adapter.dimension == 384


@pytest.mark.slow
def test_candidates_carry_the_adapted_cosine(assistant: Assistant) -> None:
    """Without an adapter `dense_qa` is the plain cosine; an adapter moves it and nothing else;
    the sentences `eval fit` fits it on are those of the retrieved chunks, with their vectors."""
    question = "What did the committee resolve about Regulation 33 visits?"
    dense, qa = FEATURES.index("dense"), FEATURES.index("dense_qa")
    untrained = Assistant(assistant.index, assistant.embedder, assistant.settings, Selector.untrained())
    _, plain = untrained.pool(question)
    assert plain and all(c.features[qa] == c.features[dense] for c in plain)
    rng = np.random.default_rng(3)
    moving = QuestionAdapter(rng.normal(size=(4, 384)).astype(np.float32),
                             rng.normal(size=(384, 4)).astype(np.float32))
    _, moved = untrained.pool(question, adapter=moving)
    assert [c.features[:qa] for c in moved] == [c.features[:qa] for c in plain]
    assert any(abs(a.features[qa] - b.features[qa]) > 1e-3 for a, b in zip(moved, plain))
    vector, sentences = untrained.retrieved_sentences(question)
    assert vector.shape == (384,) and sentences
    for text, v in sentences:
        assert text.strip() and v.shape == (384,)
