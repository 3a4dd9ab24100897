"""Extraction: the cell of the column the question names, resolutions verbatim, acronym definitions."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corpus.document import Chunk
from qa.extraction import (
    MAX_ANSWER,
    Extract,
    Vocabulary,
    asked_acronym,
    period_mismatch,
    column_score,
    definition_answer,
    extract,
    item_answer,
    lacks_what_is_asked,
    resolution_answer,
    sentence_answer,
    table_answer,
)

HEADER = (
    "Key Performance or Outcome Description", "2009-10 outturn", "2010-11 Target", "Quarter 1 (JUNE)",
    "Quarter 2 (OCT)", "Quarter 3", "Quarter 4", "Year End", "Commentary",
)
ROW = (
    "NI59 - Initial assessments for children's social care carried out within 7 working days of referral"
    "\t63.30%\t80%\t67% (67% cum)\t45% (56% as of sept)\t41% (50% as of Dec)\t41%\t48%\tIndicative Cin census data"
)
ACRONYMS = {"CICC": "Children in Care Council", "MST": "Multi-Systemic Therapy"}


def chunk(text: str, kind: str = "table", header: tuple[str, ...] = HEADER,
          item: str | None = None, item_heading: str | None = None) -> Chunk:
    return Chunk(source="pack.txt", start=1000, end=1000 + len(text), text=text, kind=kind, header=header,
                 item=item, item_heading=item_heading)


def answer_of(found: Extract | None, c: Chunk) -> str:
    assert found is not None
    return c.text[found.start : found.end]


NI59 = chunk(ROW)


# --- tables --------------------------------------------------------------------------------


@pytest.mark.parametrize(("question", "cell", "column"), [
    ("what was NI 59 in Q3?", "41% (50% as of Dec)", "Quarter 3"),
    ("NI59 in the third quarter", "41% (50% as of Dec)", "Quarter 3"),
    ("what was NI 59 in Q4?", "41%", "Quarter 4"),
    ("NI 59 quarter one", "67% (67% cum)", "Quarter 1 (JUNE)"),
    ("What was NI59 at the end of 2010-11?", "48%", "Year End"),
    ("NI 59 year-end figure", "48%", "Year End"),
    ("what was the NI 59 target?", "80%", "2010-11 Target"),
    ("What was the 2009-10 outturn for NI59?", "63.30%", "2009-10 outturn"),
    ("what is the commentary on NI59?", "Indicative Cin census data", "Commentary"),
])
def test_table_answer_picks_the_column_the_question_names(question: str, cell: str, column: str) -> None:
    found = table_answer(question, NI59)
    assert answer_of(found, NI59) == cell
    assert found is not None and found.label is not None
    assert found.label.endswith(f" — {column}")
    assert found.label.startswith("NI59 - Initial assessments")


def test_without_a_named_column_the_year_end_answers() -> None:
    assert answer_of(table_answer("What was NI 59?", NI59), NI59) == "48%"


def test_quarter_columns_score_by_the_quarter_asked() -> None:
    q = "what was NI 59 in Q3?"
    assert column_score(q, "Quarter 3") > 0
    assert column_score(q, "Quarter 3") > column_score(q, "Quarter 4")
    assert column_score(q, "Quarter 3") > column_score(q, "Year End")


def test_target_column_wins_only_when_asked() -> None:
    assert column_score("what was NI 59 in Q3?", "2010-11 Target") < 0
    assert column_score("what was the NI 59 target?", "2010-11 Target") > 0
    assert column_score("what was the NI 59 target?", "2010-11 Target") > column_score(
        "what was the NI 59 target?", "Year End")


def test_year_end_is_preferred_when_the_end_of_the_year_is_asked() -> None:
    q = "at the end of 2010-11"
    assert column_score(q, "Year End") > max(column_score(q, h) for h in HEADER if h != "Year End")


def test_an_empty_cell_in_the_asked_column_is_reported_as_empty() -> None:
    row = "NI59 - Initial assessments\t63.30%\t80%\t67%\t45%\t\t41%\t48%\tdata"
    c = chunk(row)
    found = table_answer("what was NI 59 in Q3?", c)
    assert found is not None and found.empty_cell
    assert found.label == "NI59 - Initial assessments — Quarter 3"
    assert extract("what was NI 59 in Q3?", c) == found


def test_table_answer_needs_a_header_and_cells() -> None:
    assert table_answer("what was NI 59 in Q3?", chunk(ROW, header=())) is None
    assert table_answer("what was NI 59 in Q3?", chunk("no tabs here")) is None


def test_extract_answers_a_table_chunk_with_its_cell() -> None:
    assert answer_of(extract("what was NI 59 in Q3?", NI59), NI59) == "41% (50% as of Dec)"


# --- prose, resolutions, items -------------------------------------------------------------

MINUTE = chunk(
    "70 REGULATION 33 BI-ANNUAL REPORT\n\nThe Committee considered the bi-annual report on Regulation 33 "
    "visits to children's homes. Members asked about staffing.",
    kind="minutes", header=(), item="70", item_heading="REGULATION 33 BI-ANNUAL REPORT",
)
RESOLUTION = chunk(
    "RESOLVED –\n\n- a) That the report be received.\n- b) That a training session be arranged for Members "
    "on the Regulation 33 rota.",
    kind="resolution", header=(), item="70", item_heading="REGULATION 33 BI-ANNUAL REPORT",
)


def test_resolution_answer_is_the_resolved_text_without_its_label() -> None:
    text = answer_of(resolution_answer("What was resolved?", RESOLUTION), RESOLUTION)
    assert text.startswith("a) That the report be received.")
    assert text.endswith("Regulation 33 rota.")


def test_decision_questions_on_a_resolution_answer_with_the_resolution() -> None:
    found = extract("What did the committee resolve about Regulation 33 visits?", RESOLUTION)
    assert answer_of(found, RESOLUTION).startswith("a) That the report be received.")


def test_item_number_questions_answer_with_the_number() -> None:
    found = extract("Which minute number covered the Regulation 33 report?", MINUTE)
    assert answer_of(found, MINUTE) == "70"
    assert found is not None and found.label == "REGULATION 33 BI-ANNUAL REPORT"
    assert item_answer(chunk("no item", kind="minutes", header=())) is None


def test_a_chunk_that_does_not_print_the_item_number_cannot_answer_for_it() -> None:
    resolution = chunk("RESOLVED – That the report be received.", kind="resolution", header=(),
                       item="70", item_heading="REGULATION 33 BI-ANNUAL REPORT")
    assert extract("Which minute number was that?", resolution) is None


def test_sentence_answer_picks_the_sentence_sharing_most_terms() -> None:
    found = sentence_answer("What did members ask about staffing?", MINUTE)
    assert answer_of(found, MINUTE) == "Members asked about staffing."
    assert sentence_answer("the of and", MINUTE) is None


def test_quantity_questions_prefer_a_sentence_with_a_number() -> None:
    c = chunk("The project recruited community champions widely. It trained 51 community champions.",
              kind="report", header=())
    assert answer_of(sentence_answer("How many community champions?", c), c) == "It trained 51 community champions."


def test_a_date_the_question_names_is_not_the_date_it_asks_for() -> None:
    c = chunk("The minutes of the meeting held on 20 March 2018 were approved. The minutes of the "
              "meeting held on 23 January 2018 were approved.", kind="minutes", header=())
    found = sentence_answer("The March 2018 meeting approved the minutes of which earlier meeting?", c)
    assert "23 January 2018" in answer_of(found, c)


def test_long_answers_are_clipped_at_a_word_boundary() -> None:
    c = chunk("The budget " + "grows steadily " * 60 + "overall.", kind="report", header=())
    found = sentence_answer("budget grows", c)
    assert found is not None
    assert found.end - found.start <= MAX_ANSWER
    assert c.text[found.end - 1] != " " and c.text[found.end] == " "


# --- acronyms ------------------------------------------------------------------------------


@pytest.mark.parametrize(("question", "acronym"), [
    ("What is the CICC?", "CICC"),
    ("what is the cicc?", "CICC"),
    ("CICC?", "CICC"),
    ("What does MST stand for?", "MST"),
    ("MST stands for?", "MST"),
    ("What is the budget?", None),
    ("What did the CICC say about placements?", None),
])
def test_asked_acronym(question: str, acronym: str | None) -> None:
    assert asked_acronym(question, ACRONYMS) == acronym


def test_definition_answer_is_the_expansion_where_the_chunk_defines_it() -> None:
    c = chunk("explained the role of the Children in Care Council (CICC) in shaping services", kind="minutes",
              header=())
    found = definition_answer("CICC", "Children in Care Council", c)
    assert answer_of(found, c) == "Children in Care Council"
    assert found is not None and found.label == "CICC"


def test_definition_answer_spans_line_breaks_and_needs_the_definition() -> None:
    c = chunk("the Children in\nCare Council (CICC) met", kind="minutes", header=())
    assert answer_of(definition_answer("CICC", "Children in Care Council", c), c) == "Children in\nCare Council"
    assert definition_answer("CICC", "Children in Care Council", chunk("the CICC met", kind="minutes")) is None


def test_a_heading_read_with_the_names_under_it_is_not_part_of_the_answer() -> None:
    c = chunk("**9 APOLOGIES FOR ABSENCE**\n\nApologies were received from Cllr Rachel Bailey.\n\n"
              "10 MINUTES\n\nThe minutes were approved.", kind="minutes", header=())
    assert answer_of(sentence_answer("Who sent apologies?", c), c) == "Apologies were received from Cllr Rachel Bailey."


def test_an_acronym_of_the_chunks_committee_names_the_chunk_not_the_sentence() -> None:
    c = replace(chunk("The HWB meeting dates clash with deadlines. Apologies were received from Cllr Rachel Bailey.",
                      kind="minutes", header=()), committee="Health and Wellbeing Board")
    vocab = Vocabulary(acronyms={"HWB": "Health and Wellbeing Board"})
    assert "hwb" in vocab.place_of(c)
    found = sentence_answer("Who sent apologies to the HWB meeting?", c, vocab)
    assert answer_of(found, c) == "Apologies were received from Cllr Rachel Bailey."


def test_a_table_without_years_in_its_columns_speaks_of_its_captions_period() -> None:
    row = replace(NI59, context="APPENDIX A – YEAR END - April 2010-March 2011")
    found = extract("What was NI 59 in Q3?", row)
    assert found is not None and not period_mismatch("What was NI 59 in Q3 of 2010-11?", row, found)
    assert period_mismatch("What was NI 59 in the first quarter of 2019-20?", row, found)


@pytest.mark.parametrize(("question", "answer", "lacks"), [
    ("How much did the parish council pay for the defibrillator?", "The defibrillator has now been fitted.", True),
    ("How much did the parish council pay for the defibrillator?", "The defibrillator cost £1,250.", False),
    ("How many KPIs were rated red?", "Eight KPIs were rated red.", False),
    ("When is the next meeting?", "Date of next meeting: 25th March.", False),
    ("When is the next meeting?", "This will be discussed with next council meeting.", True),
    ("Who chaired the meeting?", "The Chairman welcomed everyone.", False),  # not a figure or date
    ("How much will councillors be paid?", "THAT we pass By-Law Number 2024-54 on remuneration.", True),
    ("How much will councillors be paid?", "Each councillor is paid $9,500 a year.", False),
    ("How much did CAFCASS contribute?", "CAFCASS\t£550", False),
])
def test_a_figure_or_date_question_needs_one_in_its_answer(question: str, answer: str, lacks: bool) -> None:
    assert lacks_what_is_asked(question, answer) is lacks


def test_a_subject_sentence_without_the_figure_takes_the_next_sentence_that_has_it() -> None:
    text = ("2657. Donations: Wales Air Ambulance – request for donation. Councillors agreed to give £50.\n"
            "2658. Date of next meeting: 25th March.")
    chunk = Chunk(source="m.txt", start=0, end=len(text), text=text, kind="minutes")
    found = sentence_answer("How much did the council agree to give the Wales Air Ambulance?", chunk)
    assert found is not None and text[found.start:found.end].endswith("Councillors agreed to give £50.")
    again = sentence_answer("What was requested by the Wales Air Ambulance?", chunk)
    assert again is not None and text[again.start:again.end].endswith("request for donation.")


def test_a_quarter_the_answer_does_not_speak_of_is_a_period_mismatch() -> None:
    text = "Nine KPIs did not meet the floor standard (Red) in Quarter 3."
    chunk = Chunk(source="r.txt", start=0, end=len(text), text=text, kind="report")
    found = Extract(0, len(text), 0.8)
    assert period_mismatch("How many KPIs were rated red in Q2?", chunk, found)
    assert not period_mismatch("How many KPIs were rated red in the third quarter?", chunk, found)
    assert not period_mismatch("How many KPIs were rated red?", chunk, found)


def test_a_why_or_turned_down_question_reads_the_recommendation_column() -> None:
    header = ("Organisation", "Project Summary", "Amount Requested", "Recommendation")
    text = ("Boldmere St Michaels FC\tThe club is requesting funding to update the existing floodlights.\t"
            "£4,000\tRejected. Does not meet the criteria as it is a privately owned club.")
    chunk = Chunk(source="g.pdf", start=0, end=len(text), text=text, kind="table", header=header)
    found = table_answer("Why was Boldmere St Michaels FC's floodlight grant application turned down?", chunk)
    assert answer_of(found, chunk).startswith("Rejected.")
    assert answer_of(table_answer("How much did Boldmere St Michaels FC request?", chunk), chunk) == "£4,000"
    assert column_score("what was the NI 59 target?", "Recommendation") < 0
