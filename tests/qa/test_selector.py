"""The fitted answer selector over the real test index: every candidate is a span of its chunk,
the selector's answers are spans of citations[0], the weights file round-trips and a file for
other features is refused with a clear message."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from qa.answer import Turn
from qa.assistant import Assistant
from qa.candidates import FEATURES
from qa.selector import WEIGHTS, Selector, SelectorError

QUESTIONS = ["what was NI 59 in Q3?", "What did the committee resolve about Regulation 33 visits?",
             "Who sent apologies to the Health and Wellbeing Board?", "What is the CICC?"]


@pytest.fixture(scope="module")
def chooser(assistant: Assistant) -> Assistant:
    return Assistant(assistant.index, assistant.embedder, replace(assistant.settings, answerer="selector"))


@pytest.mark.slow
@pytest.mark.parametrize("question", QUESTIONS)
def test_candidates_are_spans_with_every_feature(assistant: Assistant, question: str) -> None:
    hits, found = assistant.candidates(question)
    assert hits and found
    for c in found:
        chunk = assistant.index.chunks[hits[c.hit].row]
        assert 0 <= c.start <= c.end <= len(chunk.text)
        assert len(c.features) == len(FEATURES) and all(np.isfinite(c.features))


@pytest.mark.slow
@pytest.mark.parametrize("question", QUESTIONS)
def test_selector_answers_are_spans_of_the_first_citation(chooser: Assistant, question: str) -> None:
    answer = chooser.ask(question)
    assert 0.0 <= answer.confidence <= 1.0
    if answer.answerable:
        first = answer.citations[0]
        assert answer.answer and first.highlight is not None
        assert first.text[first.highlight[0]:first.highlight[1]] == answer.answer


@pytest.mark.slow
def test_the_shipped_weights_answer_ni_59(chooser: Assistant) -> None:
    answer = chooser.ask("what was NI 59 in Q3?")
    assert answer.answerable and "41%" in (answer.answer or "")


def test_shipped_weights_load_and_name_their_commit() -> None:
    selector = Selector.load(WEIGHTS)
    assert len(selector.mean) == len(FEATURES) + (selector.words is not None)
    assert selector.meta.get("commit") and selector.meta.get("question_files")
    assert 0.0 <= selector.threshold <= 1.0


def test_weights_round_trip(tmp_path: Path) -> None:
    selector = Selector.load(WEIGHTS)
    selector.save(tmp_path / "w.json")
    again = Selector.load(tmp_path / "w.json")
    assert np.allclose(again.coef, selector.coef) and again.calibration == selector.calibration
    assert again.calibrated(0.5) == pytest.approx(selector.calibrated(0.5))


def test_calibration_is_increasing() -> None:
    selector = Selector.load(WEIGHTS)
    values = [selector.calibrated(p) for p in np.linspace(0.01, 0.99, 50)]
    assert values == sorted(values)


def test_weights_for_other_features_are_refused(tmp_path: Path) -> None:
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SelectorError, match="refit"):
        Selector.load(path)


def test_missing_weights_say_how_to_fit_them(tmp_path: Path) -> None:
    with pytest.raises(SelectorError, match="eval fit"):
        Selector.load(tmp_path / "none.json")


@pytest.mark.slow
def test_an_unknown_answerer_is_refused_by_name(assistant: Assistant) -> None:
    from corpus.errors import QueryError

    with pytest.raises(QueryError, match="CLERK_ANSWERER"):
        Assistant(assistant.index, assistant.embedder, replace(assistant.settings, answerer="oracle"))


@pytest.mark.slow
def test_a_time_question_marks_the_candidates_that_hold_a_time(assistant: Assistant) -> None:
    hits, found = assistant.candidates("What time did the meeting conclude?")
    at = FEATURES.index("time_held")
    texts = {assistant.index.chunks[hits[c.hit].row].text[c.start:c.end]: c.features[at] for c in found}
    assert any("3.45 pm" in t and v == 1.0 for t, v in texts.items())
    assert all(v == 0.0 for t, v in texts.items() if not any(ch.isdigit() for ch in t))


@pytest.mark.slow
def test_a_follow_up_is_weighed_by_its_own_words(assistant: Assistant) -> None:
    history = [Turn("When did the scrutiny committee meet?", "26 July 2011")]
    hits, found = assistant.candidates("And what time did it finish?", history)
    own = FEATURES.index("followup_own")
    assert any(c.features[own] > 0 for c in found)
    _, alone = assistant.candidates("When did the scrutiny committee meet?")
    assert all(c.features[own] == 0.0 for c in alone)


@pytest.mark.slow
def test_trees_round_trip_with_the_same_probabilities(assistant: Assistant, tmp_path: Path) -> None:
    selector = Selector.load(WEIGHTS)
    selector.save(tmp_path / "w.json")
    again = Selector.load(tmp_path / "w.json")
    _, found = assistant.candidates("what was NI 59 in Q3?")
    assert found and selector.kind == again.kind == "trees"
    assert np.allclose(again.probabilities(found), selector.probabilities(found))
    assert all(0.0 <= p <= 1.0 for p in again.probabilities(found))


def test_unreadable_trees_are_refused_with_a_reason(tmp_path: Path) -> None:
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    data["trees"] = "not a model"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SelectorError, match="trees cannot be read"):
        Selector.load(path)


def test_weights_for_other_columns_are_refused_on_load(tmp_path: Path) -> None:
    """Trees fitted with the word model's score cannot read candidates without it: refused when
    loaded, with what to do, not a crash at the first question."""
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    data.pop("words")
    path = tmp_path / "nowords.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SelectorError, match="columns.*refit"):
        Selector.load(path)


def test_figures_printed_under_their_indicator_are_cells_named_by_their_own_labels() -> None:
    """A performance report's indicator and, on the line under it, "Latest: 84%\tTarget: 92%":
    each figure is a candidate cell of the indicator's row, named by the label it carries."""
    from corpus.document import Chunk
    from qa.candidates import Asked, chunk_candidates
    from qa.extraction import Vocabulary

    text = "Requests completed within 20 working days\t\t\tRED\nLatest: 84%\tTarget: 92%, Floor 90%\tPrevious: 77%"
    chunk = Chunk(source="report.pdf", start=0, end=len(text), text=text, kind="table")
    asked = Asked.of("What was the latest figure for requests completed within 20 working days?",
                     Vocabulary(), np.zeros(384, dtype=np.float32))
    found = chunk_candidates(asked, 0, chunk, 1.0, np.zeros((0, 384), dtype=np.float32))
    cells = {c.label: text[c.start:c.end] for c in found if not c.empty_cell}
    assert cells["Requests completed within 20 working days — Latest"] == "Latest: 84%"
    assert cells["Requests completed within 20 working days — Previous"] == "Previous: 77%"
    assert cells["Requests completed within 20 working days — column 4"] == "RED"


@pytest.mark.slow
def test_a_chunk_is_weighed_by_its_neighbours_in_its_document(assistant: Assistant) -> None:
    """The chunk before a candidate's (of the same document) and those on either side: a
    document's first chunk has nothing before it, and its neighbours add to its own words."""
    hits, found = assistant.pool("What did the committee resolve about Regulation 33 visits?")
    chunks = assistant.index.chunks
    before, around, own = (FEATURES.index(f) for f in ("coverage_before", "coverage_around", "coverage_chunk"))
    assert any(c.features[before] > 0 for c in found)
    for c in found:
        row = hits[c.hit].row
        if row == 0 or chunks[row - 1].source != chunks[row].source:
            assert c.features[before] == 0.0
        assert c.features[around] >= max(c.features[own], c.features[before]) - 1e-9
