"""Access levels: what a sidecar sets, what a paper's own words suggest, what each clearance sees;
and, for any text read through the ingest boundary, exact chunk spans inside one document that
all carry the document's level."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.access import EXEMPT, PUBLIC, access_of, exemption_in, level_of, may_see
from corpus.errors import ReadError
from corpus.ingest import parse_document
from corpus.structure import split_pack


@pytest.mark.parametrize("opening", [
    "NOT FOR PUBLICATION\n\nAward of contract",
    "## PART 2 – EXEMPT REPORT\nStaffing matters",
    "**CONFIDENTIAL**\n\nReport of the Director",
    "REPORT TO: Cabinet\nThis report is not for publication by virtue of paragraph 3 of Part 1 of Schedule 12A",
    "Exempt information: paragraph 1, Schedule 12A (information relating to an individual)",
    "Part II\nMatters to be considered without the public and press present",
])
def test_a_paper_that_says_it_is_exempt_is_held_as_exempt(opening: str) -> None:
    assert exemption_in(opening)
    assert access_of({}, opening)[0] == EXEMPT


@pytest.mark.parametrize("opening", [
    ("The agenda is divided into 2 parts. Part 1 is taken in the presence of the public and press. Part 2 "
     "items will be considered in the absence of the public and press for the reasons indicated on the agenda."),
    "PART 1 – MATTERS TO BE CONSIDERED WITH THE PUBLIC AND PRESS PRESENT",
    "Exempt/Confidential: No",
    "Confidential\tNo",
    "Reason for exemption (Schedule 12A): N/A",
    "Exempt from call-in",
    "RESOLVED – That the press and public be excluded under Schedule 12A for item 12.",
    "Minutes of a meeting of the Cabinet\n" + "Business as usual.\n" * 20 + "NOT FOR PUBLICATION",
])
def test_public_papers_and_agenda_boilerplate_are_not_exempt(opening: str) -> None:
    assert exemption_in(opening) is None
    assert access_of({}, opening) == (PUBLIC, None)


def test_a_paper_inside_a_pack_is_read_from_its_own_opening() -> None:
    text = "Cabinet Agenda\n\n1. Apologies\n" + "Item text.\n" * 30 + "\nNOT FOR PUBLICATION\nContract award\n"
    assert exemption_in(text) is None
    assert exemption_in(text, [0, text.index("NOT FOR")]) == "NOT FOR PUBLICATION"


def test_the_sidecar_decides_over_the_papers_words() -> None:
    assert access_of({"access": "public"}, "NOT FOR PUBLICATION") == (PUBLIC, None)
    assert access_of({"access": "exempt"}, "An open report") == (EXEMPT, None)


@pytest.mark.parametrize("value, level", [("public", PUBLIC), ("Public ", PUBLIC), ("", PUBLIC),
                                          ("exempt", EXEMPT), ("EXEMPT", EXEMPT), ("private", EXEMPT),
                                          ("part 2", EXEMPT), (None, PUBLIC)])
def test_an_unknown_sidecar_level_fails_closed(value: object, level: str) -> None:
    assert level_of(value) == level


def test_clearances() -> None:
    assert may_see(EXEMPT, EXEMPT) and may_see(EXEMPT, PUBLIC) and may_see(PUBLIC, PUBLIC)
    assert not may_see(PUBLIC, EXEMPT)
    assert not may_see("anything else", EXEMPT)
    assert not may_see(EXEMPT, "an unknown level")


# --- properties through the ingest boundary ------------------------------------------------------

LINES = [
    "Minutes of a meeting of the **Cabinet**",
    "held on Tuesday, 28th June, 2011 at Sandbach",
    "REPORT TO: Children & Families Scrutiny Committee",
    "NOT FOR PUBLICATION",
    "## PART 2 – EXEMPT REPORT",
    "Part 2 items will be considered in the absence of the public and press.",
    "By virtue of paragraph 3 of Part 1 of Schedule 12A of the Local Government Act 1972.",
    "Exempt/Confidential: No",
    "69 CORPORATE PARENTING STRATEGY UPDATE",
    "RESOLVED –",
    "- a) That the report be received.",
    "Indicator\tTarget\tQuarter 3",
    "NI59\t80%\t41% (50% as of Dec)",
    "1.1 This report sets out performance. It has two sentences!",
    "",
]
TEXT = st.lists(st.one_of(st.sampled_from(LINES), st.text(max_size=30)), min_size=1, max_size=30).map("\n".join)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, suffix=st.sampled_from([".txt", ".md"]), sidecar=st.sampled_from([None, "public", "exempt"]))
def test_ingested_chunks_are_exact_spans_of_their_one_document_at_its_level(
        text: str, suffix: str, sidecar: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"paper{suffix}"
        path.write_text(text, encoding="utf-8")
        if sidecar:
            path.with_name(path.name + ".meta.json").write_text(f'{{"access": "{sidecar}"}}', encoding="utf-8")
        try:
            doc = parse_document(path, None, "0" * 64, 2**20)
        except ReadError:  # an empty text is refused with its reason; anything else would fail here
            return
    parts = split_pack(doc.text)
    for chunk in doc.chunks:
        assert chunk.source == doc.source
        assert chunk.text == doc.text[chunk.start:chunk.end] and 0 <= chunk.start < chunk.end <= len(doc.text)
        assert any(p.start <= chunk.start and chunk.end <= p.end for p in parts), chunk
    expected = level_of(sidecar) if sidecar else access_of({}, doc.text, [p.start for p in parts])[0]
    assert doc.access == expected
