"""The Assistant over the real test index: table cells, resolutions, follow-ups, filters, acronyms,
and citations that are always exact spans of their document."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corpus.errors import DocumentNotFound, QueryError
from qa.answer import Answer, Filters, Turn
from qa.assistant import Assistant
from qa.backends import BACKENDS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=BACKENDS)
def assistant(request: pytest.FixtureRequest, assistant: Assistant) -> Assistant:
    """Every test here runs on both backends: the index folder's own BM25 and FAISS, and Milvus."""
    return assistant if request.param == "builtin" else request.getfixturevalue("milvus_assistant")

Q3 = "what was NI 59 in Q3?"
QUESTIONS = [
    Q3,
    "What did the committee resolve about Regulation 33 visits?",
    "What is the CICC?",
    "How many community champions has the lung cancer project trained?",
    "What is the average caseload of Independent Reviewing Officers?",
    "Who sent apologies to the Health and Wellbeing Board?",
    "When did the committee meet?",
    "What was the NI 60 target?",
]


@pytest.fixture(scope="module")
def answers(assistant: Assistant) -> dict[str, Answer]:
    return {q: assistant.ask(q) for q in QUESTIONS}


@pytest.fixture(scope="module")
def rule_answers(assistant: Assistant) -> dict[str, Answer]:
    """The rule answerer's (CLERK_ANSWERER=rules), whose readers give the RESOLVED text and an
    acronym's expansion exactly; the default selector may answer with the sentence around them."""
    rules = Assistant(assistant.index, assistant.embedder, replace(assistant.settings, answerer="rules"),
                      reuse=assistant.backend)
    return {q: rules.ask(q) for q in QUESTIONS}


def assert_supported(answer: Answer) -> None:
    """The answer is a span of the first citation, and the highlight marks that span."""
    assert answer.answer is not None and answer.citations
    first = answer.citations[0]
    assert answer.answer in first.text
    assert first.highlight is not None
    start, end = first.highlight
    assert first.text[start:end] == answer.answer


# --- tables and follow-ups -----------------------------------------------------------------


def test_a_quarter_question_answers_with_the_quarter_3_cell(answers: dict[str, Answer]) -> None:
    answer = answers[Q3]
    assert answer.answerable
    assert answer.answer is not None and answer.answer.startswith("41%")
    first = answer.citations[0]
    assert first.kind == "table"
    assert first.text.startswith("NI59 - Initial assessments")
    assert first.meeting_date == "2011-07-26"
    assert first.committee == "Children and Families Scrutiny Committee"
    assert answer.extras["answer_label"].endswith("— Quarter 3")
    assert_supported(answer)


def test_a_follow_up_borrows_the_subject_and_takes_its_own_quarter(assistant: Assistant) -> None:
    first = assistant.ask(Q3)
    follow = assistant.ask("And in Q4?", history=[Turn(Q3, first.answer)])
    assert follow.answerable
    assert follow.answer == "41%"
    top = follow.citations[0]
    assert top.text.startswith("NI59 - Initial assessments")
    assert follow.extras["answer_label"].endswith("— Quarter 4")
    cells = top.text.split("\t")
    assert top.highlight is not None
    start, _ = top.highlight
    assert top.text[:start].count("\t") == 6, "the highlight sits in the Quarter 4 column"
    assert cells[6] == "41%"
    assert_supported(follow)


def test_without_history_a_bare_follow_up_is_not_read_as_ni_59(assistant: Assistant) -> None:
    answer = assistant.ask("And in Q4?")
    assert answer.extras.get("answer_label") is None or "NI59" not in answer.extras["answer_label"]


# --- minutes and resolutions -----------------------------------------------------------------


def test_a_decision_question_cites_the_resolution_of_item_70(answers: dict[str, Answer]) -> None:
    answer = answers["What did the committee resolve about Regulation 33 visits?"]
    resolutions = [c for c in answer.citations if c.kind == "resolution"]
    assert resolutions and resolutions[0].item == "70"
    assert resolutions[0].item_heading == "REGULATION 33 BI-ANNUAL REPORT"
    assert resolutions[0].meeting_date == "2011-06-28"
    assert_supported(answer)


def test_a_decision_question_answers_with_the_resolved_text(answers: dict[str, Answer],
                                                            rule_answers: dict[str, Answer]) -> None:
    question = "What did the committee resolve about Regulation 33 visits?"
    answer = answers[question]  # the selector's: from item 70, a span of its first citation
    assert answer.citations[0].item == "70"
    assert_supported(answer)
    first = rule_answers[question].citations[0]
    assert (first.kind, first.item) == ("resolution", "70")
    assert "training session" in (rule_answers[question].answer or "")


# --- acronyms and prose ------------------------------------------------------------------------


def test_an_acronym_question_answers_with_the_papers_own_expansion(answers: dict[str, Answer],
                                                                  rule_answers: dict[str, Answer]) -> None:
    for answer in (answers["What is the CICC?"], rule_answers["What is the CICC?"]):
        assert answer.answerable
        assert answer.answer is not None and "Children in Care Council" in answer.answer
        assert answer.citations[0].item == "69"
        assert_supported(answer)
    assert rule_answers["What is the CICC?"].answer == "Children in Care Council"


def test_a_prose_question_answers_with_the_sentence(answers: dict[str, Answer]) -> None:
    answer = answers["What is the average caseload of Independent Reviewing Officers?"]
    assert answer.answer == "Independent Reviewing Officers now hold an average caseload of 80 children."
    assert answer.citations[0].kind == "report"
    assert_supported(answer)


def test_a_quantity_question_answers_with_the_number(answers: dict[str, Answer]) -> None:
    answer = answers["How many community champions has the lung cancer project trained?"]
    assert answer.answer is not None and "51 community champions" in answer.answer
    assert answer.citations[0].committee == "Health and Wellbeing Board"


# --- invariants of every answer ------------------------------------------------------------------


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_answer_is_a_span_of_its_first_citation(answers: dict[str, Answer], question: str) -> None:
    answer = answers[question]
    assert 0.0 <= answer.confidence <= 1.0
    assert answer.answerable == (answer.answer is not None)
    if answer.answer is not None:
        assert_supported(answer)
        assert len(answer.answer) <= 400


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_citation_is_exactly_its_document_text(
    assistant: Assistant, answers: dict[str, Answer], question: str
) -> None:
    citations = answers[question].citations
    assert 1 <= len(citations) <= 5
    for c in citations:
        assert assistant.document_text(c.source)[c.start : c.end] == c.text
    scores = [c.score for c in citations[1:]]
    assert scores == sorted(scores, reverse=True), "after the answering chunk, best first"


def test_k_limits_the_citations(assistant: Assistant) -> None:
    assert len(assistant.ask(Q3, k=2).citations) == 2
    assert len(assistant.ask(Q3, k=1).citations) == 1


# --- filters ----------------------------------------------------------------------------------------


def test_a_committee_filter_restricts_every_citation(assistant: Assistant) -> None:
    board = Filters(committee="Health and Wellbeing Board")
    for question in (Q3, "What was resolved?", "community champions"):
        answer = assistant.ask(question, filters=board)
        assert answer.citations
        assert {c.committee for c in answer.citations} == {"Health and Wellbeing Board"}
    assert all(c.committee == "Health and Wellbeing Board" for c in assistant.search(Q3, filters=board))


def test_kind_and_date_filters_restrict_every_citation(assistant: Assistant) -> None:
    tables = assistant.ask("core assessments", filters=Filters(kind="table"))
    assert tables.citations and {c.kind for c in tables.citations} == {"table"}
    june = assistant.ask("report received", filters=Filters(date_from="2011-06-01", date_to="2011-06-30"))
    assert june.citations and {c.meeting_date for c in june.citations} == {"2011-06-28"}


def test_a_filter_nothing_matches_gives_an_unanswerable_answer(assistant: Assistant) -> None:
    answer = assistant.ask(Q3, filters=Filters(committee="Planning Committee"))
    assert not answer.answerable and answer.answer is None and answer.citations == ()


# --- errors and documents -------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["", "   \n\t", "x" * 10_000])
def test_empty_and_overlong_questions_are_query_errors(assistant: Assistant, question: str) -> None:
    with pytest.raises(QueryError):
        assistant.ask(question)


@pytest.mark.parametrize("k", [0, -1, 51])
def test_k_out_of_range_is_a_query_error(assistant: Assistant, k: int) -> None:
    with pytest.raises(QueryError, match="k must be"):
        assistant.ask(Q3, k=k)


def test_an_unknown_mode_is_a_query_error(assistant: Assistant) -> None:
    with pytest.raises(QueryError, match="mode"):
        assistant.search(Q3, mode="magic")


def test_an_unknown_document_is_not_found(assistant: Assistant) -> None:
    with pytest.raises(DocumentNotFound):
        assistant.document("no_such_paper.txt")


def test_a_document_view_describes_the_file(assistant: Assistant) -> None:
    view = assistant.document("scrutiny_pack.txt")
    assert view.text.startswith("\n\nChildren and Families Scrutiny Committee Agenda")
    assert view.meta["meeting_dates"] == ["2011-06-28", "2011-07-26"]
    assert view.meta["committees"] == ["Children and Families Scrutiny Committee"]
    assert view.meta["chunks"] == sum(c.source == "scrutiny_pack.txt" for c in assistant.index.chunks)
    assert view.title == "Children and Families Scrutiny Committee Agenda"


def test_a_document_view_holds_the_text_the_ingester_read(assistant: Assistant) -> None:
    view = assistant.document("scrutiny_pack.txt")
    assert view.source == "scrutiny_pack.txt"
    assert view.text.startswith("\n\nChildren and Families Scrutiny Committee Agenda")
    assert view.meta["sha256"] and assistant.stats() == (2, len(assistant.index.chunks))


@pytest.mark.parametrize("mode", ["bm25", "dense", "rrf", "hybrid"])
def test_every_search_mode_finds_the_ni59_row(assistant: Assistant, mode: str) -> None:
    results = assistant.search("NI59 initial assessments within 7 working days", k=3, mode=mode)
    assert any(c.text.startswith("NI59") for c in results)
