"""Who moved, seconded or chaired, and how a recorded vote went, in the ways minutes write them."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from corpus.document import Chunk
from qa.extraction import extract
from qa.motions import PERSON, asked_role

LIMERICK = ("Councillor McCreesh proposed a ban on incineration in the city and county.\n\n"
            "The motion was seconded by Cmhlr. O’Ceallaigh. The Chief Executive advised that a ban "
            "would conflict with the Regional Waste Management Plan.\n\n"
            "On the proposal of Cllr. Lynch, seconded by Cllr. Donegan the minutes of the previous "
            "meeting were adopted.")
TINTERN = ("2531. Donations: request towards the Service of Sung Vespers of £100. Request proposed by "
           "Cllr Richards & seconded by Cllr Evans. Cheque issued.\n"
           "2532. Land: Cllr Hillard proposed and Cllr Cobb seconded that the land be sold.")
NIPISSING = ("R2024-228 S. Foote, J. Scott:\nTHAT we pass By-Law Number 2024-52, being a By-Law to appoint "
             "the Mayor. Dave Yemm is appointed the Mayor. Carried.\n"
             "R2024-229 S. Kirkey, J. Scott:\nTHAT we pass By-Law Number 2024-53, being a By-Law to appoint "
             "a Deputy Mayor. Carried.")
PRESENT = ("Members Present:\n\nCouncillors Daly (Chairperson), Butler, Browne, Donegan.\n"
           "Election of Vice-Chairman Mick Peake was nominated and seconded as Vice-Chairman.")
KENT = ("(17) Mr Brady proposed, and Ms Meade seconded the following amendment: to amend the budget "
        "in line with the Labour Group's Alternative Budget.\n(18) The Chairman put the amendment to the "
        "vote and the voting was as follows:\nFor (12)\nMr Brady, Ms Meade, Mr Hood\nAgainst (42)\n"
        "Mr Baker, Mr Bond, Mr Cooke\nAbstain (2)\nMr Lewis, Mr Ross\nAmendment lost.")


def chunk(text: str) -> Chunk:
    return Chunk(source="minutes.txt", start=0, end=len(text), text=text, kind="minutes")


def answer(question: str, text: str) -> str | None:
    found = extract(question, chunk(text))
    return text[found.start:found.end] if found else None


@pytest.mark.parametrize(("question", "text", "expected"), [
    ("Who proposed a ban on incineration?", LIMERICK, "Councillor McCreesh"),
    ("Who seconded the ban on incineration?", LIMERICK, "Cmhlr. O’Ceallaigh"),
    ("Who proposed adopting the minutes of the previous meeting?", LIMERICK, "Cllr. Lynch"),
    ("Who seconded adopting the minutes?", LIMERICK, "Cllr. Donegan"),
    ("who proposed the £100 donation for sung vespers?", TINTERN, "Cllr Richards"),
    ("Who seconded the sale of the land?", TINTERN, "Cllr Cobb"),
    ("Who moved the by-law appointing the Mayor?", NIPISSING, "S. Foote"),
    ("Who seconded the by-law appointing a Deputy Mayor?", NIPISSING, "J. Scott"),
    ("Who chaired the meeting?", PRESENT, "Councillors Daly"),
    ("Who was elected vice chairman?", PRESENT, "Mick Peake"),
    ("Who seconded the Labour amendment to the budget?", KENT, "Ms Meade"),
    ("How many councillors voted against the Labour amendment?", KENT, "Against (42)"),
    ("How many abstained on the Labour amendment?", KENT, "Abstain (2)"),
    ("How did Mr Hood vote on the Labour amendment?", KENT, "For (12)"),
    ("How did Mr Cooke vote on the Labour amendment?", KENT, "Against (42)"),
    # follow-ups arrive with the question before them appended
    ("and who seconded it? Who proposed the Labour amendment?", KENT, "Ms Meade"),
    ("how many voted for it? Who proposed the Labour amendment?", KENT, "For (12)"),
])
def test_the_name_or_tally_answers(question: str, text: str, expected: str) -> None:
    assert answer(question, text) == expected


@pytest.mark.parametrize(("question", "role"), [
    ("Who proposed the motion?", "mover"),
    ("And who seconded it?", "seconder"),
    ("Who moved the resolution?", "mover"),
    ("Who chaired the SPC meeting?", "chair"),
    ("Who was vice-chair?", "vice chair"),
    ("What was proposed for the village green?", None),  # not a who question
    ("Who sent apologies?", None),
])
def test_the_role_a_question_asks_for(question: str, role: str | None) -> None:
    assert asked_role(question) == role


def test_without_a_name_in_that_role_the_sentence_answers_with_less_fit() -> None:
    text = "The committee discussed the proposal to close the library on Mondays."
    found = extract("Who proposed closing the library?", chunk(text))
    plain = extract("What did the committee discuss about closing the library?", chunk(text))
    assert found is not None and plain is not None and found.fit < plain.fit


def test_the_meeting_a_question_names_is_held_by_its_chunk_though_not_printed_by_the_names() -> None:
    question = "Who chaired the Travel and Transportation SPC meeting on 11 February 2019?"
    bare = extract(question, chunk(PRESENT))
    placed = extract(question, replace(chunk(PRESENT), committee="Travel and Transportation SPC",
                                       meeting_date="2019-02-11"))
    assert bare is not None and placed is not None
    assert PRESENT[placed.start:placed.end] == "Councillors Daly" and placed.fit > bare.fit + 0.2


def test_a_name_takes_at_most_three_titles_so_a_run_of_them_cannot_backtrack_for_minutes() -> None:
    # "Mr " * 20000 took 107 s to search when titles could repeat without bound.
    assert re.fullmatch(PERSON, "Cllr Mrs Shewell") and re.fullmatch(PERSON, "Mr R W Gough")
    assert re.fullmatch(PERSON, "Mr Mr Mr Mr Mr Mr Smith") is None
