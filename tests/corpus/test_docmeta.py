"""Metadata from the text: committee, date and kind guessed where the parser finds none."""

from __future__ import annotations

import pytest

from corpus.docmeta import date_in_name, guess_meta, missing_meta
from corpus.structure import Part


@pytest.mark.parametrize(
    ("text", "committee"),
    [
        ("MINUTES OF WRETTON PARISH COUNCIL MEETING HELD AT ALL SAINTS CHURCH MONDAY 13TH MAY 2019\n",
         "Wretton Parish Council"),
        ("MINUTES\nTOWNSHIP OF NIPISSING\nA regular meeting of the Township of Nipissing Council was held on\n",
         "Township of Nipissing Council"),
        ("Royal Sutton Coldfield Town Council Meeting 21 February 2017\nAgenda Item 166\n",
         "Royal Sutton Coldfield Town Council"),
        ("# Minutes of an ordinary meeting of the Planning Committee held on 2 May 2024\n", "Planning Committee"),
        ("Cabinet - Monday, 31st March, 2025 6.30 pm\n", "Cabinet"),
        ("The minutes of the previous meeting of the Council were approved.\n", None),
        ("Budget monitoring report\nQuarter 3\n", None),
    ],
)
def test_committee_from_title_lines(text: str, committee: str | None) -> None:
    assert guess_meta(text, "paper.pdf").get("committee") == committee


def test_title_is_read_before_the_text_and_urls_are_not_dates() -> None:
    text = "[Original file](https://example.org/2019-04/11.02.19%20Draft.pdf)\n\n# Agenda and minutes\n"
    guessed = guess_meta(text, "page.html", title="Agenda for Licensing Committee on Tuesday, 5th March, 2024")
    assert guessed == {"committee": "Licensing Committee", "meeting_date": "2024-03-05", "kind": "minutes"}


@pytest.mark.parametrize(
    ("name", "date"),
    [
        ("wyevalleycc_minutes_20180730.pdf", "2018-07-30"),
        ("CommunityGrant-minutes-2018-March-13.pdf", "2018-03-13"),
        ("Minutes-December-3-2024.pdf", "2024-12-03"),
        ("CPP-Minutes-10.12.24.pdf", "2024-12-10"),
        ("Cabinet-minutes-9th-January-2025.pdf", "2025-01-09"),
        ("QPR-Q3-Cabinet-appendix-1.pdf", None),
    ],
)
def test_meeting_date_from_the_file_name(name: str, date: str | None) -> None:
    assert date_in_name(name) == date


@pytest.mark.parametrize(
    ("text", "name", "kind"),
    [
        ("MINUTES\nTOWNSHIP OF NIPISSING\n", "x.pdf", "minutes"),
        ("Supplementary Agenda\nCabinet\n", "x.pdf", "agenda"),
        ("Royal Sutton Coldfield Town Council\nAgenda Item 166\nSummer events\n", "item-166.pdf", None),
        ("Grant report\n", "CommunityGrant-minutes-2018.pdf", "minutes"),
        ("Licence application\n\nRESOLVED – That the licence be granted.\n", "x.html", "minutes"),
        ("Licence application\n\nThe committee resolved to grant the licence.\n", "x.html", None),
    ],
)
def test_kind_from_first_lines_file_name_or_recorded_decisions(text: str, name: str, kind: str | None) -> None:
    assert guess_meta(text, name).get("kind") == kind


def test_guesses_fill_only_what_no_paper_of_the_pack_has() -> None:
    guessed = {"committee": "Kent County Council", "meeting_date": "2025-01-09", "kind": "minutes"}
    found = [Part(0, 10, "minutes", "Minutes of the Cabinet", "Cabinet", None)]
    assert missing_meta(found, guessed) == {"meeting_date": "2025-01-09"}
    one_report = [Part(0, 10, "report")]
    assert missing_meta(one_report, guessed) == guessed
    two_papers = [Part(0, 5, "document"), Part(5, 10, "report")]
    assert missing_meta(two_papers, guessed) == {"committee": "Kent County Council", "meeting_date": "2025-01-09"}
