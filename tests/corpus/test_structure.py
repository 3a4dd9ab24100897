"""Structure: a pack splits into agenda, minutes, report and appendix with committee and ISO dates."""

from __future__ import annotations

from itertools import pairwise

import pytest

from corpus.dates import find_date, spoken
from corpus.structure import Part, canonical_committee, split_pack

PACK = """Audit and Governance Committee Agenda

Date: Tuesday, 26th July, 2011
Time: 2.00 pm
Venue: Council Chamber, Municipal Buildings, Crewe

1. **Apologies for Absence**

2. **Minutes of Previous Meeting** (Pages 1 - 4)

To approve the minutes of the meeting held on 28 June 2011.

CHESHIRE EAST COUNCIL

Minutes of a meeting of the **Audit and Governance Committee**
held on Tuesday, 28th June, 2011 at Council Chamber, Municipal Buildings, Crewe

PRESENT

Councillor B Smith (Chairman)

12 INTERNAL AUDIT ANNUAL REPORT

The Committee considered the annual report of the Internal Audit Manager on the control environment.

RESOLVED –

That the annual report be received and the audit opinion be noted.

The meeting commenced at 2.00 pm and concluded at 3.10 pm

Councillor B Smith (Chairman)

This page is intentionally left blank

CHESHIRE EAST COUNCIL

REPORT TO: Audit and Governance Committee

Date of Meeting: 26 July 2011
Report of: Head of Internal Audit
Subject/Title: **Risk Management Update**

1.0 Report Summary

1.1 This report updates Members on the corporate risk register and the progress of mitigating actions.

APPENDIX A

Corporate Risk Register

Risk	Owner	Likelihood	Impact	Score
Failure of key IT systems	Head of ICT	3	4	12
Loss of key staff	Head of HR	3	3	9
"""


@pytest.fixture(scope="module")
def parts() -> list[Part]:
    return split_pack(PACK)


def part_text(part: Part) -> str:
    return PACK[part.start : part.end]


def test_pack_splits_into_its_papers_in_order(parts: list[Part]) -> None:
    assert [p.kind for p in parts] == ["agenda", "minutes", "report", "appendix"]


def test_parts_cover_the_text_contiguously(parts: list[Part]) -> None:
    assert parts[0].start == 0
    assert all(a.end == b.start for a, b in pairwise(parts))
    assert parts[-1].end == len(PACK)
    assert "".join(part_text(p) for p in parts) == PACK


def test_each_part_starts_at_its_own_furniture(parts: list[Part]) -> None:
    agenda, minutes, report, appendix = parts
    assert part_text(agenda).startswith("Audit and Governance Committee Agenda")
    assert "Minutes of a meeting of the" in part_text(minutes).split("\n\n")[1]
    assert "INTERNAL AUDIT ANNUAL REPORT" in part_text(minutes)
    assert "This page is intentionally left blank" in part_text(minutes)
    assert "REPORT TO:" in part_text(report) and "APPENDIX A" not in part_text(report)
    assert part_text(appendix).startswith("APPENDIX A")


def test_every_part_knows_the_committee(parts: list[Part]) -> None:
    assert {p.committee for p in parts} == {"Audit and Governance Committee"}


def test_minutes_carry_their_own_meeting_date_not_the_packs(parts: list[Part]) -> None:
    agenda, minutes, report, appendix = parts
    assert agenda.meeting_date == "2011-07-26"
    assert minutes.meeting_date == "2011-06-28"
    assert report.meeting_date == "2011-07-26"
    assert appendix.meeting_date == "2011-07-26"
    assert {p.pack_date for p in parts} == {"2011-07-26"}


def test_titles_come_from_the_papers(parts: list[Part]) -> None:
    agenda, minutes, report, appendix = parts
    assert agenda.title == "Audit and Governance Committee Agenda"
    assert minutes.title == "Minutes of the Audit and Governance Committee"
    assert report.title == "Risk Management Update"
    assert appendix.title is not None and appendix.title.startswith("APPENDIX A – Corporate Risk Register")


def test_appendix_title_does_not_swallow_the_table_header(parts: list[Part]) -> None:
    assert parts[-1].title == "APPENDIX A – Corporate Risk Register"


def test_markdown_pack_splits_at_its_headings() -> None:
    text = (
        "# Health and Wellbeing Board\n\n## Agenda\n\n**Date:** Tuesday, 20th October, 2015\n\n"
        "7. **Cancer Pathway Review Project** (Pages 145 - 150)\n\n"
        "To consider a report on the review of the gynaecological cancer pathway.\n\n"
        "**CHESHIRE EAST COUNCIL**\n\nMinutes of a meeting of the **Health and Wellbeing Board**\n"
        "held on Tuesday, 15th September, 2015 at Committee Suite 1,2 & 3, Westfields\n\n"
        "**9 APOLOGIES FOR ABSENCE**\n\nApologies for absence were received from Cllr Rachel Bailey.\n"
    )
    parts = split_pack(text)
    assert [p.kind for p in parts] == ["agenda", "minutes"]
    assert [p.meeting_date for p in parts] == ["2015-10-20", "2015-09-15"]
    assert {p.committee for p in parts} == {"Health and Wellbeing Board"}


def test_empty_text_has_no_parts() -> None:
    assert split_pack("") == []


def test_plain_text_without_furniture_is_one_part() -> None:
    text = "A short note about the library opening hours.\nIt has no council furniture at all.\n"
    (part,) = split_pack(text)
    assert (part.start, part.end) == (0, len(text))


def test_canonical_committee_maps_shouting_and_short_names() -> None:
    known = ["Children and Families Scrutiny Committee"]
    assert canonical_committee("CHILDREN AND FAMILIES SCRUTINY COMMITTEE", known) == known[0]
    assert canonical_committee("Children & Families Scrutiny Committee", known) == known[0]
    assert canonical_committee("Scrutiny Committee", known) == known[0]
    assert canonical_committee("CABINET", known) == "Cabinet"
    assert canonical_committee(None, known) is None


# --- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("26th July, 2011", "2011-07-26"),
        ("20<sup>th</sup> October 2015", "2015-10-20"),
        ("Monday 2nd September 2013", "2013-09-02"),
        ("16.05.14", "2014-05-16"),
        ("26/07/2011", "2011-07-26"),
        ("July 26, 2011", "2011-07-26"),
        ("held on Tuesday, 28th June, 2011 at Sandbach", "2011-06-28"),
    ],
)
def test_find_date_reads_council_dates(text: str, iso: str) -> None:
    assert find_date(text) == iso


def test_find_date_takes_the_first_date_in_the_text() -> None:
    assert find_date("Published 1 June 2012; meeting on 16.05.14") == "2012-06-01"
    assert find_date("Meeting on 16.05.14, published 1 June 2012") == "2014-05-16"


@pytest.mark.parametrize("text", ["no date here", "31/02/2011", "Quarter 3 2010-11", ""])
def test_find_date_refuses_what_is_not_a_date(text: str) -> None:
    assert find_date(text) is None


def test_spoken_dates_for_retrieval() -> None:
    assert spoken("2011-06-28") == "28 June 2011"
    assert spoken(None) == ""


def test_minutes_of_the_above_council_take_the_name_printed_over_them() -> None:
    text = ("TINTERN COMMUNITY COUNCIL\nMinutes of a meeting of the above Council held on Monday 30th July 2018.\n"
            "Present: Cllrs Hayward and Evans.\n2525. Police Report: no police presence.\n"
            "There being no further business the meeting closed at 8.25pm.\nSigned ........ Chairman\nDated ........\n")
    (minutes,) = split_pack(text)
    assert (minutes.kind, minutes.committee, minutes.meeting_date) == ("minutes", "Tintern Community Council", "2018-07-30")
    assert minutes.end == len(text), "the signature block stays with the minutes"


def test_a_sentence_ending_in_agenda_does_not_open_an_agenda() -> None:
    text = ("Minutes of a meeting of the County Council held on 13 February 2025\n\nPresent: Mr Smith.\n\n"
            "Interests in items on the agenda\n\nNone were declared by any member present at the meeting.\n")
    assert [p.kind for p in split_pack(text)] == ["minutes"]


@pytest.mark.parametrize("to_line", ["To: County Council Date: 13 March 2025", "To: County Council – 13 March 2025"])
def test_a_date_on_the_to_line_is_the_meeting_date(to_line: str) -> None:
    text = f"By: Peter Oakford\n{to_line}\nSubject: Pay Policy Statement\n\nSummary: the policy.\n"
    (report,) = split_pack(text)
    assert (report.committee, report.meeting_date) == ("County Council", "2025-03-13")
