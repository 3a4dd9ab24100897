"""Fitting the answer selector (eval/fit.py) on made-up candidates, no index needed: the word
model keeps council English and drops one paper's words, the fitted selector picks the right
candidates out of fold, and its words survive the weights file."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from eval import fit as fitting
from eval.questions import Question, load_questions
from qa.assistant import Assistant
from qa.candidates import FEATURES, Candidate
from qa.reranker import CHUNK_FEATURES
from qa.selector import Selector


def _examples(n_questions: int = 60, seed: int = 0) -> fitting.Examples:
    """Questions over 12 sources; per question one right candidate among six. The right one
    says so by a word shape ("£9") with its question class, and weakly by feature 0."""
    rng = random.Random(seed)
    rows, labels, owners, keys, questions, groups = [], [], [], [], [], []
    for i in range(n_questions):
        source = f"paper{i % 12}.pdf"
        questions.append(Question(f"q{i}", "how much was it?", ("£5",), source, ("£5",), "table", paper=source))
        groups.append(source)
        right = rng.randrange(6)
        for j in range(6):
            x = [rng.random() for _ in FEATURES]
            x[0] = x[0] * 0.5 + (0.4 if j == right else 0.0)
            rows.append(x)
            labels.append(int(j == right))
            owners.append(i)
            shape = "s:£9" if j == right else rng.choice(["s:Aa", "s:a", "s:9"])
            own = f"w:name{i}"  # a word of one paper only
            keys.append((shape, f"money|how much×{shape}", "w:report", own))
    return fitting.Examples(np.asarray(rows), np.asarray(labels), np.asarray(owners), tuple(questions),
                            tuple(groups), tuple(keys))


def test_general_words_are_those_of_many_sources() -> None:
    words = fitting.general_words(_examples(), least=10)
    assert "w:report" in words
    assert not any(w.startswith("w:name") for w in words)


def test_the_word_model_keeps_shapes_and_general_words_only() -> None:
    examples = _examples()
    model = fitting.fit_words(examples.keys, examples.y, fitting.general_words(examples, least=10))
    assert model.weights["money|how much×s:£9"] > 0
    assert not any("name" in k for k in model.weights)
    assert len(model.weights) <= fitting.WORDS_KEPT
    scores = model.scores([("s:£9", "money|how much×s:£9"), ("s:Aa",)])
    assert scores[0] > scores[1]


def test_a_fitted_selector_picks_the_right_candidates_and_round_trips(tmp_path: Path) -> None:
    examples = _examples()
    selector, figures = fitting.fit(examples, ["made-up.jsonl"])
    assert figures["oof_chosen_right"] > 0.8  # out of fold: fitted without each question's paper
    assert selector.words is not None and selector.kind == "trees"
    assert 0.0 <= selector.threshold <= 1.0
    candidates = [Candidate(0, 0, 1, None, tuple(examples.x[i]), keys=examples.keys[i]) for i in range(6)]
    best, confidence = selector.choose(candidates)
    assert examples.y[best] == 1 and 0.0 <= confidence <= 1.0
    selector.save(tmp_path / "w.json")
    again = Selector.load(tmp_path / "w.json")
    assert again.words == selector.words
    assert np.allclose(again.probabilities(candidates), selector.probabilities(candidates))


def test_the_logistic_kind_fits_too() -> None:
    selector, figures = fitting.fit(_examples(), ["made-up.jsonl"], kind="logistic")
    assert selector.kind == "logistic" and figures["oof_chosen_right"] > 0.8


def test_the_saved_selector_scores_as_the_fitted_model() -> None:
    examples = _examples()
    selector, _ = fitting.fit(examples, ["made-up.jsonl"])
    words = fitting.general_words(examples)
    model = fitting._model(examples.x, examples.keys, examples.y, examples.paper, words)  # same seed
    candidates = [Candidate(0, 0, 1, None, tuple(examples.x[i]), keys=examples.keys[i]) for i in range(30)]
    assert np.allclose(selector.probabilities(candidates), model.predict(examples.x[:30], examples.keys[:30]))


def test_nothing_to_fit_is_an_error_in_words() -> None:
    examples = _examples()
    none_right = fitting.Examples(examples.x, np.zeros_like(examples.y), examples.question, examples.questions,
                                  examples.groups, examples.keys)
    with pytest.raises(ValueError, match="both right and wrong"):
        fitting.fit(none_right, ["made-up.jsonl"])


def test_questions_about_one_paper_cannot_be_fitted_out_of_fold() -> None:
    examples = _examples()
    one = fitting.Examples(examples.x, examples.y, examples.question, examples.questions,
                           tuple("paper0.pdf" for _ in examples.groups), examples.keys)
    with pytest.raises(ValueError, match="one paper"):
        fitting.fit(one, ["made-up.jsonl"])


def _pools(n_questions: int = 60, seed: int = 1) -> list[fitting.Pool]:
    """Questions over 12 sources, each with a pool of 8 chunks; the chunk holding the answer is
    seldom retrieved first but says so by its best candidate's coverage (its right candidate
    says so again by feature 0, as in _examples)."""
    rng = random.Random(seed)
    at = CHUNK_FEATURES.index("best_coverage")
    pools = []
    for i in range(n_questions):
        source = f"paper{i % 12}.pdf"
        q = Question(f"q{i}", "how much was it?", ("£5",), source, ("£5",), "table", paper=source)
        relevant = rng.randrange(8)
        chunks = np.asarray([[rng.random() for _ in CHUNK_FEATURES] for _ in range(8)])
        chunks[:, at] *= 0.5
        chunks[relevant, at] += 0.5
        found, labels = [], []
        for hit in range(8):
            for j in range(3):
                x = [rng.random() for _ in FEATURES]
                right = hit == relevant and j == 0
                x[0] = x[0] * 0.5 + (0.4 if right else 0.0)
                found.append(Candidate(hit, 0, 1, None, tuple(x), keys=("s:£9" if right else "s:Aa",)))
                labels.append(int(right))
        pools.append(fitting.Pool(q, source, chunks, np.asarray([int(h == relevant) for h in range(8)]),
                                  tuple(found), np.asarray(labels)))
    return pools


def test_the_reranker_puts_the_answering_chunk_first_out_of_fold() -> None:
    pools = _pools()
    reranker, scores, figures = fitting.fit_reranker(pools)
    assert figures["first_relevant_retrieved"] < 0.3
    assert figures["first_relevant_oof"] > 0.8
    assert len(scores) == len(pools) and all(len(s) == 8 for s in scores)
    assert reranker.meta["first_relevant_oof"] == figures["first_relevant_oof"]


def test_the_selector_is_fitted_on_the_reranked_chunks_and_keeps_the_reranker(tmp_path: Path) -> None:
    pools = _pools()
    plain = fitting.examples_of(pools)
    assert set(plain.y.tolist()) == {0, 1} and len(plain.y) == len(pools) * fitting.DEPTH * 3
    selector, figures = fitting.fit_all(pools, ["made-up.jsonl"])
    assert selector.reranker is not None and figures["first_relevant_oof"] > 0.8
    # most right candidates were outside the first DEPTH chunks; reranked, most are inside
    assert plain.y.sum() < 0.8 * len(pools)
    _, scores, _ = fitting.fit_reranker(pools)
    assert fitting.examples_of(pools, scores).y.sum() > 0.8 * len(pools)
    selector.save(tmp_path / "w.json")
    assert Selector.load(tmp_path / "w.json").reranker is not None


def test_one_paper_cannot_be_reranked_out_of_fold() -> None:
    pools = [replace(p, group="one.pdf") for p in _pools(12)]
    with pytest.raises(ValueError, match="one paper"):
        fitting.fit_reranker(pools)


@pytest.mark.slow
def test_each_question_gets_an_adapter_fitted_without_its_paper(assistant: Assistant, question_file: Path) -> None:
    """Over the test papers: one adapter per fold, never fitted on the question's own source,
    and one on all of them; the candidates are then made with each question's own."""
    questions = load_questions([question_file])
    by_id = {q.id: q for q in questions}
    pairs = [(assistant, q) for q in questions]
    final, adapters = fitting.fit_adapters(pairs, by_id)
    assert set(adapters) == set(by_id) and final.dimension == 384
    groups = {q.id: fitting.group(q, by_id) for q in questions}
    for a in questions:
        for b in questions:
            if groups[a.id] != groups[b.id]:
                assert adapters[a.id] is not adapters[b.id]
    qa = FEATURES.index("dense_qa")
    pools = fitting.collect(pairs, by_id, adapters)
    _, plain = assistant.pool(questions[0].question, adapter=final)
    assert [c.features[qa] for c in plain] != [c.features[qa] for c in pools[0].candidates]
    with pytest.raises(ValueError, match="one paper"):
        fitting.fit_adapters(pairs[:1], by_id)
