"""Chunking: exact spans inside their paper, resolutions with their item, table rows with
their header, and no chunks from rules or contents pages."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.chunking import MAX_WORDS, RESOLUTION_MAX_WORDS, Chunker
from corpus.document import Chunk, PageMark
from corpus.structure import split_pack
from tests.corpus.fixtures import KPI

DATA = Path(__file__).parents[1] / "data" / "papers"

MINUTES = """Minutes of a meeting of the **Children and Families Scrutiny Committee**
held on Tuesday, 28th June, 2011 at Committee Suite 1,2 & 3, Westfields

69 CORPORATE PARENTING STRATEGY UPDATE

Lorraine Butcher provided a general overview of the Corporate Parenting Strategy.

RESOLVED –

- a) That the report be received.
- b) That future reports include the average attainment of all children.

70 REGULATION 33 BI-ANNUAL REPORT

The Committee considered the bi-annual report on Regulation 33 visits to children's homes.

RESOLVED –

- a) That the report be received.
- b) That a training session be arranged for Members on the Regulation 33 rota.
"""

TABLE = """REPORT TO: Children & Families Scrutiny Committee

Date of Meeting: 26 July 2011
Subject/Title: Performance reporting

Performance against the key indicators is set out below.

Indicator\tTarget\tQuarter 3\tQuarter 4
NI59 - Initial assessments within 7 working days\t80%\t41% (50% as of Dec)\t41%
NI 60 - Core assessments within 35 working days\t80%\t53%\t61%
"""


def chunks_of(text: str, source: str = "pack.txt", pages: tuple[PageMark, ...] = ()) -> list[Chunk]:
    return Chunker(source, text, pages).chunks()


def assert_exact(text: str, chunks: list[Chunk]) -> None:
    for chunk in chunks:
        assert 0 <= chunk.start < chunk.end <= len(text), chunk
        assert chunk.text == text[chunk.start : chunk.end]
        assert chunk.text == chunk.text.strip(), "spans are trimmed"


def assert_inside_parts(text: str, chunks: list[Chunk]) -> None:
    parts = split_pack(text)
    for chunk in chunks:
        assert any(p.start <= chunk.start and chunk.end <= p.end for p in parts), (chunk, parts)


# --- the test papers ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["scrutiny_pack.txt", "wellbeing_board.md"])
def test_test_papers_chunk_exactly_inside_their_parts(name: str) -> None:
    text = (DATA / name).read_text(encoding="utf-8")
    chunks = chunks_of(text, name)
    assert chunks
    assert_exact(text, chunks)
    assert_inside_parts(text, chunks)
    assert {c.source for c in chunks} == {name}


def test_chunks_know_their_paper() -> None:
    text = (DATA / "scrutiny_pack.txt").read_text(encoding="utf-8")
    by_kind = {c.kind: c for c in chunks_of(text)}
    assert by_kind["minutes"].meeting_date == "2011-06-28"
    assert by_kind["minutes"].pack_date == "2011-07-26"
    assert by_kind["table"].meeting_date == "2011-07-26"
    assert by_kind["table"].committee == "Children and Families Scrutiny Committee"
    assert "28 June 2011" in by_kind["minutes"].context


# --- minutes and resolutions ---------------------------------------------------------------


def test_resolved_blocks_become_resolutions_of_their_item() -> None:
    chunks = chunks_of(MINUTES)
    resolutions = [c for c in chunks if c.kind == "resolution"]
    assert [(c.item, c.item_heading) for c in resolutions] == [
        ("69", "CORPORATE PARENTING STRATEGY UPDATE"),
        ("70", "REGULATION 33 BI-ANNUAL REPORT"),
    ]
    last = resolutions[-1]
    assert last.text.startswith("RESOLVED")
    assert last.text.endswith("training session be arranged for Members on the Regulation 33 rota.")
    assert "Minute 70 REGULATION 33 BI-ANNUAL REPORT" in last.context
    assert "Lorraine" not in last.text and "considered" not in last.text


def test_minute_items_carry_number_and_heading() -> None:
    items = [c for c in chunks_of(MINUTES) if c.kind == "minutes" and c.item]
    assert [(c.item, c.item_heading) for c in items] == [
        ("69", "CORPORATE PARENTING STRATEGY UPDATE"),
        ("70", "REGULATION 33 BI-ANNUAL REPORT"),
    ]
    assert items[1].text.startswith("70 REGULATION 33 BI-ANNUAL REPORT")


def test_resolved_outside_minutes_is_not_a_resolution() -> None:
    text = "REPORT TO: Cabinet\n\nDate of Meeting: 3 March 2015\n\nRESOLVED that the report be noted.\n"
    assert "resolution" not in {c.kind for c in chunks_of(text)}


@pytest.mark.parametrize("line", ["43 MINUTES OF PREVIOUS MEETING**RESOLVED:**", "43 MINUTES OF PREVIOUS MEETING RESOLVED:"])
def test_a_resolved_marker_glued_to_the_item_heading_opens_the_resolution(line: str) -> None:
    text = (f"Minutes of a meeting of the Cabinet\nheld on 3 March 2015\n\n{line}\n\n"
            "That the minutes of the meeting held on 23 January 2015 be approved.\n")
    (resolution,) = [c for c in chunks_of(text) if c.kind == "resolution"]
    assert (resolution.item, resolution.item_heading) == ("43", "MINUTES OF PREVIOUS MEETING")
    assert resolution.text.endswith("23 January 2015 be approved.")


def test_a_heading_that_merely_ends_in_resolved_is_not_a_resolution() -> None:
    text = "Minutes of a meeting of the Cabinet\nheld on 3 March 2015\n\n12 ISSUES STILL UNRESOLVED\n\nNone were raised.\n"
    assert "resolution" not in {c.kind for c in chunks_of(text)}

def test_long_prose_is_cut_into_overlapping_windows_of_whole_sentences() -> None:
    body = " ".join(f"Sentence number {i} talks about the budget and reserves." for i in range(60))
    text = f"Minutes of a meeting of the Cabinet\nheld on Tuesday, 3rd March, 2015\n\n5 BUDGET\n\n{body}\n"
    windows = [c for c in chunks_of(text) if c.item == "5"]
    assert len(windows) > 3
    assert all(len(c.text.split()) <= MAX_WORDS for c in windows)
    assert all(c.text.endswith(".") for c in windows)
    assert all(a.start < b.start < a.end for a, b in pairwise(windows)), "windows overlap"
    assert windows[-1].end == len(text.rstrip())
    assert_exact(text, windows)


def test_a_long_resolution_is_kept_whole_up_to_its_limit() -> None:
    points = "\n".join(f"- {chr(97 + i)}) That officer {i} report back on the budget." for i in range(12))
    text = f"Minutes of a meeting of the Cabinet\nheld on 3 March 2015\n\n5 BUDGET\n\nRESOLVED –\n\n{points}\n"
    (resolution,) = [c for c in chunks_of(text) if c.kind == "resolution"]
    assert len(resolution.text.split()) <= RESOLUTION_MAX_WORDS
    assert resolution.text.endswith("officer 11 report back on the budget.")


# --- tables ---------------------------------------------------------------------------------


def test_table_rows_are_chunks_with_their_header() -> None:
    rows = [c for c in chunks_of(TABLE) if c.kind == "table"]
    assert [c.text.split("\t")[0] for c in rows] == [
        "NI59 - Initial assessments within 7 working days",
        "NI 60 - Core assessments within 35 working days",
    ]
    assert all(c.header == ("Indicator", "Target", "Quarter 3", "Quarter 4") for c in rows)
    assert "Columns: Indicator | Target | Quarter 3 | Quarter 4" in rows[0].context
    assert "\n" not in rows[0].text
    assert_exact(TABLE, rows)


def test_a_table_under_its_own_heading_does_not_take_the_header_of_one_above() -> None:
    text = ("Quarterly report on performance\n\nIndicator\tTarget\tQuarter 3\nNI 59\t80%\t41%\n\n"
            f"## Key Performance Indicators\n\n{KPI}\t\t\tRED\n"
            "Latest: 84%\tTarget: 92%\tPrevious: 77%\n")
    first, second = [c for c in chunks_of(text) if c.kind == "table"]
    assert first.header == ("Indicator", "Target", "Quarter 3")
    assert second.header == ()
    assert second.text.endswith("Previous: 77%")


def test_a_table_over_a_page_break_keeps_its_header() -> None:
    text = ("Quarterly report on performance\n\nIndicator\tTarget\tQuarter 3\nNI 59\t80%\t41%\n\n"
            "Page 7\n\nNI 60\t70%\t66%\n")
    rows = [c for c in chunks_of(text) if c.kind == "table"]
    assert [c.header for c in rows] == [("Indicator", "Target", "Quarter 3")] * 2


def test_ruled_lines_give_no_chunks() -> None:
    text = "Some prose before the ruled line here.\n\n-----\t----\n\nMore prose after the line.\n"
    chunks = chunks_of(text)
    assert [c.text for c in chunks] == ["Some prose before the ruled line here.", "More prose after the line."]
    assert all("---" not in c.text for c in chunks)


def test_a_contents_page_gives_no_chunks() -> None:
    contents = "Introduction\t3\nBackground\t4\nFinancial implications\t7\nLegal implications\t9\nAppendices\t12\n"
    text = f"Contents\n\n{contents}\nThe report begins here with a sentence about the budget.\n"
    chunks = chunks_of(text)
    assert all("\t" not in c.text for c in chunks)
    assert not any(c.kind == "table" for c in chunks)
    assert chunks[-1].text == "The report begins here with a sentence about the budget."


def test_page_numbers_come_from_page_marks() -> None:
    words = " ".join(["budget"] * 70)
    text = f"First page: {words}.\n\nSecond page: {words}.\n"
    second = text.index("Second")
    chunks = chunks_of(text, pages=(PageMark(0, 11), PageMark(second, 12)))
    assert [c.page for c in chunks] == [11, 12]


def test_sidecar_meta_overrides_what_the_parser_found() -> None:
    meta = {"committee": "Cabinet", "meeting_date": "2020-01-02"}
    chunks = Chunker("x.txt", "A single paragraph with enough words to be a chunk.\n", (), meta).chunks()
    assert {(c.committee, c.meeting_date) for c in chunks} == {("Cabinet", "2020-01-02")}


def test_blank_text_gives_no_chunks() -> None:
    assert chunks_of("") == []
    assert chunks_of("\n\n \t\n\r\n") == []


# --- properties -----------------------------------------------------------------------------

FURNITURE = [
    "Minutes of a meeting of the **Cabinet**",
    "held on Tuesday, 28th June, 2011 at Sandbach",
    "REPORT TO: Children & Families Scrutiny Committee",
    "Date of Meeting: 26 July 2011",
    "Subject/Title: **Budget**",
    "Children and Families Scrutiny Committee Agenda",
    "## Agenda",
    "# Health and Wellbeing Board",
    "### **19 ASSISTIVE TECHNOLOGY**",
    "69 CORPORATE PARENTING STRATEGY UPDATE",
    "RESOLVED –",
    "- a) That the report be received.",
    "APPENDIX A",
    "This page is intentionally left blank",
    "The meeting commenced at 1.30 pm and concluded at 3.45 pm",
    "Councillor A Kolker (Chairman)",
    "Indicator\tTarget\tQuarter 3",
    "NI59\t80%\t41% (50% as of Dec)",
    "\tcontinued\t(cum)",
    "General",
    "-----\t----",
    "Introduction\t3",
    "1.1 This report sets out performance. It has two sentences!",
    "",
    "\t",
    "\r",
    "   ",
]
LINE = st.one_of(
    st.sampled_from(FURNITURE),
    st.text(alphabet=st.sampled_from(list("ab Z9.\t#*_-:()%\r–é")), max_size=40),
    st.text(max_size=20),
)
PACK_TEXT = st.lists(LINE, max_size=40).map("\n".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PACK_TEXT)
def test_every_chunk_is_an_exact_span_inside_one_paper(text: str) -> None:
    chunks = chunks_of(text)
    assert_exact(text, chunks)
    assert_inside_parts(text, chunks)


@settings(max_examples=200, deadline=None)
@given(PACK_TEXT)
def test_parts_always_cover_the_text(text: str) -> None:
    parts = split_pack(text)
    if not text:
        assert parts == []
        return
    assert parts[0].start == 0 and parts[-1].end == len(text)
    assert all(a.end == b.start and a.start < a.end for a, b in pairwise(parts))


def test_a_table_of_words_gives_a_chunk_per_row() -> None:
    text = (
        "Corporate Risk Register\n\n"
        "Risk\tOwner\tRating\tDirection of travel\n"
        "Failure of key IT systems\tHead of ICT\t12\tImproving\n"
        "Loss of key staff\tHead of HR\t9\tStable\n"
    )
    rows = [c for c in chunks_of(text) if c.kind == "table"]
    assert [c.text for c in rows] == [
        "Failure of key IT systems\tHead of ICT\t12\tImproving",
        "Loss of key staff\tHead of HR\t9\tStable",
    ]
    assert all(c.header == ("Risk", "Owner", "Rating", "Direction of travel") for c in rows)


def test_a_glued_resolution_does_not_swallow_the_item_before_it() -> None:
    text = ("Minutes of a meeting of the Cabinet\nheld on 3 March 2015\n\n42 DECLARATIONS OF INTEREST\n\n"
            "None were made.\n\n43 MINUTES OF PREVIOUS MEETING**RESOLVED:**\n\nThat the minutes be approved.\n")
    (resolution,) = [c for c in chunks_of(text) if c.kind == "resolution"]
    assert resolution.text.startswith("43 MINUTES OF PREVIOUS MEETING")


def test_a_short_plain_line_over_prose_titles_its_section() -> None:
    text = ("REPORT TO: Cabinet\n\nDate of Meeting: 3 March 2015\n\nCongleton locality\n\n"
            "There were 1,674 reported incidents of anti social behaviour in April 2010-March 2011.\n\n"
            "Wilmslow locality\n\nThere were 622 reported incidents of anti social behaviour in the same year.\n\n"
            "Dear Lorraine\n\nThank you for taking part in the review of services for children this year.\n")
    chunks = chunks_of(text)
    assert_exact(text, chunks)
    by_figure = {c.section: c for c in chunks if "incidents" in c.text}
    assert by_figure["Wilmslow locality"].text.startswith("Wilmslow locality\n\nThere were 622")
    assert "Wilmslow locality" in by_figure["Wilmslow locality"].context
    assert all(c.section != "Dear Lorraine" for c in chunks), "a salutation is not a title"


@pytest.mark.parametrize("body", ["RESOLVED that the next meeting be held on 9 April 2024.",
                                  "The following allocations were agreed by members present:"])
def test_a_line_straight_under_a_heading_is_kept(body: str) -> None:
    text = f"Minutes of a meeting of the Parish Council\nheld on 3 March 2024\n\n3. Any other business\n{body}\n"
    chunks = chunks_of(text)
    assert any(body in c.text for c in chunks)
    assert_exact(text, chunks)


def test_a_sentence_wrapped_over_printed_lines_is_read_whole_by_answers_only() -> None:
    from corpus.sentences import sentences

    text = ("The Chief Executive advised that a reference to the ban on incineration\n"
            "would conflict with the Regional Waste Management Plan. It was agreed.\n"
            "Item 3: Presentation\nNI59\t41%\t50%\nshort line\nanother line")
    spans = [text[a:b] for a, b in sentences(text, wrapped=True)]
    assert spans[0] == ("The Chief Executive advised that a reference to the ban on incineration\n"
                        "would conflict with the Regional Waste Management Plan.")
    assert spans[1:] == ["It was agreed.", "Item 3: Presentation", "NI59\t41%\t50%", "short line", "another line"]
    # Chunks and sentence vectors keep to printed lines.
    assert [text[a:b] for a, b in sentences(text)][:2] == [
        "The Chief Executive advised that a reference to the ban on incineration",
        "would conflict with the Regional Waste Management Plan."]


PARISH = (
    "Minutes of a meeting of the Village Community Council held on Monday 25th February 2019\n"
    "Present: Chairman Cllr Mrs Shewell, Cllrs Hayward, Evans.\n"
    "2655. Apologies: Cllr Cobb sent apologies for absence.\n"
    "2656. Correspondence: a letter from the county council about the road closure was noted by\n"
    "councillors, who asked the clerk to reply.\n"
    "2657. Donations: Wales Air Ambulance – request for donation. Councillors agreed to give £50.\n"
)
TOWNSHIP = (
    "Minutes of the regular meeting of Council held December 3, 2024\n"
    "R2024-228 S. Foote, J. Scott:\n"
    "THAT we pass By-Law Number 2024-52, being a By-Law to appoint a Mayor. Carried.\n"
    "R2024-229 S. Kirkey, J. Scott:\n"
    "THAT we pass By-Law Number 2024-53, being a By-Law to appoint a Deputy Mayor. Carried.\n"
)


def test_minutes_items_printed_without_blank_lines_are_items_of_their_own() -> None:
    found = [c for c in chunks_of(PARISH) if c.item]
    assert [(c.item, c.item_heading) for c in found] == [
        ("2655", "Apologies"), ("2656", "Correspondence"), ("2657", "Donations")]
    assert found[2].text.startswith("2657. Donations") and "£50" in found[2].text
    assert_exact(PARISH, found)


def test_a_motion_line_with_its_mover_and_seconder_opens_its_resolution() -> None:
    found = [c for c in chunks_of(TOWNSHIP) if c.item]
    assert [(c.item, c.kind) for c in found] == [("R2024-228", "resolution"), ("R2024-229", "resolution")]
    assert found[0].text.startswith("R2024-228 S. Foote, J. Scott:") and "appoint a Mayor" in found[0].text
    assert "Deputy Mayor" not in found[0].text
