"""BM25 terms kept with a build: texts seen before are not tokenised again, and a build from
kept terms scores exactly as one made from scratch."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.lexical import Lexical, Terms
from index.tokenize import tokenize

OLD = [
    "Social worker case loads rose in the third quarter.",
    "NI 59 initial assessments within 7 days\t81%\t68%",
    "The committee noted the report on school transport.",
    "",
]
NEW = OLD[:2] + ["Average caseload per social worker was 18.", "NI 68 referrals going on to assessment\t85%"]
QUERIES = ["caseloads per social worker", "NI 68 in Q1", "school transport", "initial assessments"]


def scores(lexical: Lexical, query: str) -> np.ndarray:
    return lexical.scores(tokenize(query) + lexical.joined(query))


def test_kept_terms_score_exactly_as_a_fresh_build() -> None:
    before = Lexical.build(OLD)
    known = {text: row for row, text in enumerate(OLD)}
    reused = Lexical.build(NEW, known, before.terms)
    fresh = Lexical.build(NEW)
    for query in QUERIES:
        assert np.allclose(scores(reused, query), scores(fresh, query)), query
    # "case loads" counts as "caseload" only now that a paper writes the joined word.
    assert scores(reused, "caseloads")[0] > 0 and scores(before, "caseloads")[0] == 0


def test_terms_no_text_uses_are_dropped() -> None:
    before = Lexical.build(OLD)
    after = Lexical.build(OLD[:1], {text: row for row, text in enumerate(OLD)}, before.terms)
    assert after.terms is not None and before.terms is not None
    assert len(after.terms.strings) < len(before.terms.strings)
    assert set(after.terms.strings) == set(Lexical.build(OLD[:1]).terms.strings)  # type: ignore[union-attr]
    assert np.allclose(scores(after, "case loads"), scores(Lexical.build(OLD[:1]), "case loads"))


def test_an_empty_text_keeps_its_row() -> None:
    lexical = Lexical.build(OLD)
    assert lexical.size == len(OLD) and scores(lexical, "school transport")[3] == 0


def test_terms_are_saved_and_read_back(tmp_path: Path) -> None:
    built = Lexical.build(OLD)
    built.save(tmp_path)
    loaded = Lexical.load(tmp_path, len(OLD))
    terms = loaded.terms
    assert isinstance(terms, Terms) and len(terms) == len(OLD)
    assert terms.strings == built.terms.strings  # type: ignore[union-attr]
    assert terms.ids.tolist() == built.terms.ids.tolist()  # type: ignore[union-attr]
    for query in QUERIES:
        assert np.allclose(scores(loaded, query), scores(built, query)), query


def test_a_build_without_kept_terms_has_none(tmp_path: Path) -> None:
    Lexical.build(OLD).model.save(str(tmp_path))  # as builds made before terms were kept
    assert Lexical.load(tmp_path, len(OLD)).terms is None
