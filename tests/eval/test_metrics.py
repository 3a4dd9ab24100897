"""Scoring rules (eval/metrics.py) on hand-made data."""

from __future__ import annotations

import pytest

from eval.metrics import (
    answer_correct, citation_violations, evidence_spans, find_all, first_hit_rank, hit_flags, normalise,
    overlaps, ranx_run, retrieval_scores, score_question, summarise,
)
from eval.questions import QUESTION_TYPES, Question
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


def test_retrieval_scores_of_nothing() -> None:
    assert retrieval_scores([]) == {}
    assert retrieval_scores([(False, True)], ks=()) == {"mrr": pytest.approx(0.5)}


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


def test_summarise_by_type_with_abstention() -> None:
    spans = evidence_spans(TEXT, ["beta"])
    texts = {"a.txt": TEXT}
    cases = [
        (question("t1", type_="table"), answer("beta", True, cite(6, 10), took_ms=5.0)),
        (question("t2", type_="table"), answer(None, False, cite(0, 5), cite(17, 21), took_ms=7.0)),
        (question("n1"), answer("alpha", True, cite(0, 5), took_ms=9.0)),
        (question("u1", (), "unanswerable"), answer(None, False, took_ms=1.0)),
        (question("u2", (), "unanswerable"), answer("gamma", True, cite(11, 16), took_ms=3.0)),
    ]
    results = [score_question(q, a, spans, texts, "hybrid") for q, a in cases]
    summary = summarise("hybrid", results)
    rows = {g.label: g for g in summary.groups}
    assert [g.label for g in summary.groups] == [*QUESTION_TYPES, "ALL"]
    assert rows["table"].n == 2 and rows["table"].accuracy == pytest.approx(0.5)
    assert rows["table"].retrieval["recall@1"] == pytest.approx(0.5)
    assert rows["table"].retrieval["mrr"] == pytest.approx((1 + 1 / 2) / 2)
    assert rows["people"].n == 0 and rows["people"].accuracy is None and rows["people"].retrieval == {}
    assert rows["unanswerable"].retrieval == {} and rows["unanswerable"].accuracy == pytest.approx(0.5)
    assert rows["ALL"].n == 5 and rows["ALL"].n_answerable == 3
    assert rows["ALL"].retrieval["recall@10"] == pytest.approx(2 / 3)
    assert rows["ALL"].accuracy == pytest.approx(2 / 5)
    assert summary.abstention == pytest.approx(1 / 2)
    assert summary.false_abstention == pytest.approx(1 / 3)
    assert summary.p50_ms == pytest.approx(5.0)
    assert summary.violations == 0


def test_unknown_types_get_their_own_row() -> None:
    result = score_question(question("x", type_="budget"), answer("beta", True), (), {}, "dense")
    groups = summarise("dense", [result]).groups
    assert [g.label for g in groups][-2:] == ["budget", "ALL"]
    # no citations at all: every retrieval number is 0, not an error
    assert groups[-1].retrieval == {"recall@1": 0.0, "recall@5": 0.0, "recall@10": 0.0, "mrr": 0.0}
