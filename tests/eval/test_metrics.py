"""Scoring rules (eval/metrics.py) on hand-made data."""

from __future__ import annotations

import math

import pytest

from eval.metrics import (
    answer_correct,
    citation_violations,
    evidence_spans,
    find_all,
    first_hit_rank,
    hit_flags,
    normalise,
    overlaps,
    ranking_metrics,
    ranking_scores,
    ranx_run,
    retrieval_scores,
    score_question,
    with_rankings,
)
from eval.questions import Question
from qa.answer import Answer, Citation

TEXT = "alpha beta gamma beta delta"
#       0     6    11    17   22


def cite(start: int, end: int, source: str = "a.txt", text: str | None = None) -> Citation:
    return Citation(
        source=source, start=start, end=end, text=TEXT[start:end] if text is None else text,
        page=None, title=None, committee=None, meeting_date=None, kind="report", score=0.0,
    )


def question(qid: str, answers: tuple[str, ...] = ("beta",), type_: str = "narrative") -> Question:
    evidence = ("beta",) if answers else ()
    return Question(id=qid, question="?", answers=answers, source="a.txt", evidence=evidence, type=type_)


# -- spans -----------------------------------------------------------------------------------


def test_find_all_every_occurrence_including_overlapping() -> None:
    assert find_all(TEXT, "beta") == ((6, 10), (17, 21))
    assert find_all("aaaa", "aa") == ((0, 2), (1, 3), (2, 4))
    assert find_all(TEXT, "omega") == ()
    assert find_all(TEXT, "") == ()


def test_evidence_spans_sorted_and_unique() -> None:
    assert evidence_spans(TEXT, ["delta", "beta", "beta"]) == ((6, 10), (17, 21), (22, 27))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((0, 5), (5, 9), False),   # touching spans share no character
        ((5, 9), (0, 5), False),
        ((0, 6), (5, 9), True),    # one shared character
        ((0, 10), (3, 4), True),   # containment
        ((3, 4), (0, 10), True),
        ((0, 3), (7, 9), False),
        ((4, 4), (0, 9), False),   # an empty span holds no character
    ],
)
def test_overlaps(a: tuple[int, int], b: tuple[int, int], expected: bool) -> None:
    assert overlaps(a, b) is expected


def test_hits_need_same_source_and_overlap() -> None:
    spans = evidence_spans(TEXT, ["beta"])
    citations = [cite(0, 6), cite(6, 10, source="b.txt"), cite(11, 18), cite(0, 27)]
    flags = hit_flags(citations, "a.txt", spans)
    assert flags == (False, False, True, True)
    assert first_hit_rank(flags) == 3
    assert first_hit_rank((False, False)) is None
    assert first_hit_rank(()) is None


# -- recall and MRR through ranx -------------------------------------------------------------


def test_ranx_run_marks_only_the_first_hit_relevant() -> None:
    assert ranx_run((False, True, True)) == {"c1": 3.0, "evidence": 2.0, "c3": 1.0}
    assert ranx_run((False,)) == {"c1": 1.0}
    assert ranx_run(()) == {}


def test_ranx_agrees_with_hand_computation() -> None:
    flag_lists = [
        (True, False, False),                      # first hit at 1
        (False, False, True, True),                # at 3
        (False,) * 6 + (True,),                    # at 7
        (False,) * 12,                             # missed
        (),                                        # no citations at all
    ]
    scores = retrieval_scores(flag_lists)
    # by hand: first hits at 1, 3, 7, none, none over five questions
    assert scores["recall@1"] == pytest.approx(1 / 5)
    assert scores["recall@5"] == pytest.approx(2 / 5)
    assert scores["recall@10"] == pytest.approx(3 / 5)
    assert scores["mrr"] == pytest.approx((1 + 1 / 3 + 1 / 7) / 5)
    assert scores["ndcg@10"] == pytest.approx((1 + 1 / math.log2(4) + 1 / math.log2(8)) / 5, abs=1e-6)


def test_ranking_scores_per_question() -> None:
    flags = {"a": (False, True), "b": (False,) * 11 + (True,), "c": ()}
    scores = ranking_scores(flags, ranking_metrics((1, 2, 10)))
    assert scores["a"] == pytest.approx(
        {"recall@1": 0.0, "recall@2": 1.0, "recall@10": 1.0, "mrr": 0.5, "ndcg@10": 1 / math.log2(3)}, abs=1e-6)
    # a hit at rank 12 counts for MRR but not within the top 10
    assert scores["b"]["recall@10"] == 0.0 and scores["b"]["ndcg@10"] == 0.0
    assert scores["b"]["mrr"] == pytest.approx(1 / 12, abs=1e-6)
    assert scores["c"] == dict.fromkeys(ranking_metrics((1, 2, 10)), 0.0)


def test_retrieval_scores_of_nothing() -> None:
    assert retrieval_scores([]) == {}
    assert retrieval_scores([(False, True)], ks=()) == pytest.approx({"mrr": 0.5, "ndcg@10": 1 / math.log2(3)})
    assert retrieval_scores([(False,), ()]) == dict.fromkeys(ranking_metrics(), 0.0)


# -- answers ---------------------------------------------------------------------------------


def test_normalise_nfkc_case_and_whitespace() -> None:
    assert normalise("  １２.5%\u00a0of\t\nPLACES ") == "12.5% of places"


@pytest.mark.parametrize(
    ("answers", "answer", "answerable", "expected"),
    [
        (("12.5%",), "It was １２.5% in Q3", True, True),
        (("John McCann, Jill Kelly",), "john  mccann,\njill kelly and others", True, True),
        (("12.5%",), "12.50%", True, False),
        (("12.5%",), "12.5%", False, False),          # a hedged answer does not count
        (("12.5%",), None, True, False),
        (("no", "12.5%"), "12.5 per cent", True, False),
        ((), None, False, True),                      # unanswerable: abstaining is right
        ((), "something", False, True),
        ((), "something", True, False),
        (("9",), "in 2019 it was 19, or 9.5", True, False),  # a gold figure counts whole, not inside another
        (("9",), "nine (9) of them", True, True),
        (("no",), "not yet noted", True, False),
        (("£3,000",), "at £3,000 it is higher", True, True),
        (("41%",), "41% (50% as of Dec)", True, True),
        (("Smith",), "Cllr Smithson", True, False),
    ],
)
def test_answer_correct(
    answers: tuple[str, ...], answer: str | None, answerable: bool, expected: bool,
) -> None:
    assert answer_correct(answers, answer, answerable) is expected


def test_citation_violations() -> None:
    texts = {"a.txt": TEXT}
    good = [cite(0, 5), cite(6, 10)]
    assert citation_violations(good, texts) == 0
    bad = [cite(0, 5, text="alpha "), cite(0, 5, source="zz.txt"), cite(6, 10)]
    assert citation_violations(bad, texts) == 2


# -- per question and summaries --------------------------------------------------------------


def answer(text: str | None, answerable: bool, *citations: Citation, took_ms: float = 10.0) -> Answer:
    return Answer(question="?", answer=text, answerable=answerable, confidence=0.5,
                  citations=tuple(citations), took_ms=took_ms)


def test_score_question() -> None:
    spans = evidence_spans(TEXT, ["beta"])
    result = score_question(question("q1"), answer("Beta", True, cite(0, 5), cite(15, 20)), spans,
                            {"a.txt": TEXT}, "bm25")
    assert (result.first_hit_rank, result.correct, result.violations, result.mode) == (2, True, 0, "bm25")


def test_with_rankings_scores_only_answerable_questions() -> None:
    spans = evidence_spans(TEXT, ["beta"])
    texts = {"a.txt": TEXT}
    results = [
        score_question(question("t1"), answer("beta", True, cite(0, 5), cite(6, 10)), spans, texts, "dense"),
        score_question(question("u1", ()), answer(None, False, cite(6, 10)), spans, texts, "dense"),
    ]
    ranked = with_rankings(results)
    assert ranked[0].ranking["recall@1"] == 0.0 and ranked[0].ranking["recall@2"] == 1.0
    assert ranked[0].ranking["mrr"] == pytest.approx(0.5)
    assert ranked[1].ranking == {}
    row = ranked[0].to_json()
    assert row["first_hit_rank"] == 2 and row["recall@5"] == 1.0 and "recall@2" not in row
    assert row["config"] == "dense" and row["must_be_empty"] is False


def test_no_citations_at_all_scores_zero_not_an_error() -> None:
    result = score_question(question("x", type_="budget"), answer("beta", True), (), {}, "dense")
    [ranked] = with_rankings([result])
    assert ranked.first_hit_rank is None and set(ranked.ranking.values()) == {0.0}
