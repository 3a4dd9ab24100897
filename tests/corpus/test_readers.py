"""Readers: every format gives clean, stable text and page marks, or a ReadError that says why."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from corpus import pdf_furniture, pdf_words
from corpus.document import SourceText, page_at
from corpus.errors import ReadError
from corpus.ingest import parse_document
from corpus.readers import SUPPORTED, read_file
from tests.corpus import fixtures

EXTERNAL = Path(__file__).parents[2].parent / "shared" / "external-papers"
DATA = Path(__file__).parent / "data"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" + bytes(range(256))


@pytest.fixture(scope="module")
def minutes_pdf(tmp_path_factory: pytest.TempPathFactory) -> SourceText:
    return read_file(fixtures.pdf_with_furniture(tmp_path_factory.mktemp("pdf") / "minutes.pdf"))


def page_texts(source: SourceText) -> list[str]:
    ends = [mark.offset for mark in source.pages[1:]] + [len(source.text)]
    return [source.text[mark.offset : end] for mark, end in zip(source.pages, ends)]


# --- PDF --------------------------------------------------------------------------------


def test_pdf_pages_carry_printed_numbers(minutes_pdf: SourceText) -> None:
    assert [mark.number for mark in minutes_pdf.pages] == [5, 6, 7]
    assert [text.splitlines()[0] for text in page_texts(minutes_pdf)] == [
        "Minutes of the Cabinet",
        "2. Budget",
        "3. Any other business",
    ]
    assert page_at(minutes_pdf.pages, minutes_pdf.text.index("RESOLVED")) == 7


def test_pdf_running_header_and_page_footer_removed(minutes_pdf: SourceText) -> None:
    assert fixtures.HEADER not in minutes_pdf.text
    assert "Page " not in minutes_pdf.text


def test_pdf_broken_word_rejoined_and_bullet_normalised(minutes_pdf: SourceText) -> None:
    assert "discussed the management of the parks" in minutes_pdf.text
    assert "\n- Approve the parks budget for 2024/25\n" in minutes_pdf.text
    assert "\u2022" not in minutes_pdf.text


def test_pdf_table_as_tab_separated_rows_in_place(minutes_pdf: SourceText) -> None:
    rows = ["\t".join(row) for row in fixtures.TABLE_ROWS]
    assert "\n".join(rows) in page_texts(minutes_pdf)[1]
    assert minutes_pdf.text.count("Play area") == 1  # the table's loose words are not kept as well


def test_pdf_title_from_metadata(minutes_pdf: SourceText) -> None:
    assert minutes_pdf.meta["title"] == "Cabinet minutes 12 March 2024"


def test_pdf_same_bytes_same_text(tmp_path: Path, minutes_pdf: SourceText) -> None:
    assert read_file(fixtures.pdf_with_furniture(tmp_path / "again.pdf")) == minutes_pdf


def test_encrypted_pdf_refused(tmp_path: Path) -> None:
    path = fixtures.simple_pdf(tmp_path / "locked.pdf", ["Confidential minutes"], user_password="secret")
    with pytest.raises(ReadError, match="encrypted PDF"):
        read_file(path)


def test_truncated_pdf_refused(tmp_path: Path) -> None:
    whole = fixtures.pdf_with_furniture(tmp_path / "whole.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ReadError, match="not a PDF / damaged"):
        read_file(path)


@pytest.mark.parametrize("name", ["picture.pdf", "picture.txt", "picture.md"])
def test_binary_file_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(PNG_BYTES)
    with pytest.raises(ReadError, match="not a PDF|binary"):
        read_file(path)


def test_text_file_renamed_pdf_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_text("Minutes of the meeting held on 3 May.\n", encoding="utf-8")
    with pytest.raises(ReadError, match="not a PDF"):
        read_file(path)


needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")


@pytest.fixture
def without_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PATH on which no tesseract can be found, as on a machine without tesseract-ocr."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@needs_tesseract
def test_image_only_pdf_is_ocrd(tmp_path: Path) -> None:
    source = read_file(fixtures.scanned_pdf(tmp_path / "scan.pdf", ["Scanned minutes"]))
    assert "scanned minutes" in source.text.casefold()
    assert [mark.number for mark in source.pages] == [1] and "warning" not in source.meta


@needs_tesseract
def test_ocrd_page_keeps_its_place_and_number_among_text_pages(tmp_path: Path) -> None:
    source = read_file(fixtures.scanned_pdf(tmp_path / "mixed.pdf", [None, "Scanned minutes", None]))
    assert [mark.number for mark in source.pages] == [1, 2, 3]
    assert page_at(source.pages, source.text.casefold().index("scanned minutes")) == 2


def test_image_only_pdf_without_tesseract_says_what_to_install(tmp_path: Path, without_tesseract: None) -> None:
    path = fixtures.scanned_pdf(tmp_path / "scan.pdf", ["Scanned minutes"])
    with pytest.raises(ReadError, match="^scanned, no text layer: install tesseract-ocr$"):
        read_file(path)


def test_partly_scanned_pdf_without_tesseract_keeps_its_text_pages_and_names_the_others(
    tmp_path: Path, without_tesseract: None, caplog: pytest.LogCaptureFixture
) -> None:
    path = fixtures.scanned_pdf(tmp_path / "mixed.pdf", [None, "Scanned minutes", None, "More"])
    with caplog.at_level(logging.WARNING, logger="corpus.pdf"):
        source = read_file(path)
    assert source.text.startswith("This page has a text layer.")
    assert [mark.number for mark in source.pages] == [1, 3]
    assert source.meta["warning"] == "pages 2, 4 skipped: scanned, no text layer: install tesseract-ocr"
    assert "no text layer" in caplog.text


def test_page_numbers_follow_printed_offset_past_unnumbered_cover() -> None:
    pages = [["Annual report", "2024"]] + [["Appendix 1", str(n), f"Body text {n}"] for n in range(1, 5)]
    numbers = pdf_furniture.page_numbers_and_strip(pages)
    pdf_furniture.strip_running_lines(pages)
    assert numbers == [1, 1, 2, 3, 4]
    assert pages[1:] == [[f"Body text {n}"] for n in range(1, 5)]


def test_page_numbers_restarting_within_a_pack_and_stray_numbers() -> None:
    printed = [1, 2, 1, 2, 3]
    pages = [[f"Body text {p}", str(n)] for p, n in enumerate(printed)]
    pages[4][0] = "2024"  # a lone year at the top of a page is not a page number
    assert pdf_furniture.page_numbers_and_strip(pages) == printed
    assert pages[4] == ["2024"]


def test_hyphen_at_line_end_keeps_compounds_known_from_the_document() -> None:
    pages = [["the well-", "being of residents and their well-being", "the manage-", "ment of parks"]]
    pdf_words.rejoin_hyphenation(pages)
    assert pages == [["the well-being", "of residents and their well-being", "the management", "of parks"]]


# --- text ---------------------------------------------------------------------------------


def test_empty_file_refused(tmp_path: Path) -> None:
    for name in ("empty.txt", "empty.pdf", "empty.html", "empty.docx"):
        (tmp_path / name).write_bytes(b"  \n")
        with pytest.raises(ReadError, match="empty"):
            read_file(tmp_path / name)


def test_cp1252_text_decoded(tmp_path: Path) -> None:
    text = (
        "The council agreed a budget of \u00a3250,000 for \u201cGreen Spaces\u201d \u2013 the chair\u2019s proposal.\n"
    )
    path = tmp_path / "minutes.txt"
    path.write_bytes((text * 3).encode("cp1252"))
    assert read_file(path).text == text * 3


def test_markdown_read_as_is(tmp_path: Path) -> None:
    path = tmp_path / "agenda.markdown"
    path.write_text("# Agenda\n\n1. Apologies\n", encoding="utf-8")
    assert read_file(path).text == "# Agenda\n\n1. Apologies\n"


def test_missing_file_unsupported_type_and_size_limit(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="disappeared"):
        read_file(tmp_path / "gone.pdf")
    with pytest.raises(ReadError, match="unsupported file type .xlsx"):
        read_file(tmp_path / "budget.xlsx")
    big = tmp_path / "big.txt"
    big.write_text("x" * 2048, encoding="utf-8")
    with pytest.raises(ReadError, match=r"^file is 2\.0 KB, over the 1\.0 KB limit \(raise it with CLERK_MAX_FILE_MB"):
        read_file(big, max_bytes=1024)
    assert {".txt", ".md", ".pdf", ".html", ".htm", ".docx"} <= SUPPORTED


# --- HTML ---------------------------------------------------------------------------------


def test_moderngov_page_keeps_content_drops_chrome(tmp_path: Path) -> None:
    path = tmp_path / "minutes.htm"
    path.write_text(fixtures.MODERNGOV_PAGE, encoding="utf-8")
    source = read_file(path)
    for gone in ("pdf icon", "129 KB", "Skip to", "Bins and recycling", "Council >", "Share this page",
                 "tracking", "Cookies", "Search", "\u00a9"):  # fmt: skip
        assert gone not in source.text
    assert "## 2. Taxi licensing policy" in source.text.splitlines()
    assert "\n\nRESOLVED: That the revised policy be approved for consultation." in source.text
    assert "the revised taxi licensing policy." in source.text
    assert (
        "Attendee\tRole\tAttendance\n"
        "Councillor Jane Adams\tChair\tPresent\n"
        "Councillor Bob Baker\tCommittee Member\tApologies"
    ) in source.text
    assert source.meta["title"] == "Minutes of Licensing Committee, Tuesday 5 March 2024"


def test_html_without_content_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text(fixtures.EMPTY_PAGE, encoding="utf-8")
    with pytest.raises(ReadError, match="HTML page has no readable content"):
        read_file(path)


def test_html_declared_charset_honoured(tmp_path: Path) -> None:
    page = '<html><head><meta charset="windows-1252"></head><body><p>Grant of \u00a3500 \u2013 agreed</p></body></html>'
    path = tmp_path / "grant.html"
    path.write_bytes(page.encode("cp1252"))
    assert read_file(path).text == "Grant of \u00a3500 \u2013 agreed"


def test_html_lists_and_line_breaks(tmp_path: Path) -> None:
    page = "<body><ol><li>Apologies<ul><li>Cllr Smith</li></ul></li><li>Minutes</li></ol><p>a<br>b</p></body>"
    path = tmp_path / "agenda.html"
    path.write_text(page, encoding="utf-8")
    assert read_file(path).text == "1. Apologies\n  - Cllr Smith\n2. Minutes\n\na\nb"


def test_html_wrapper_named_like_chrome_is_kept(tmp_path: Path) -> None:
    page = (
        '<body><div class="page-with-sidebar"><h1>Cabinet</h1><p>RESOLVED that the plan be adopted.</p>'
        '<div class="sidebar">Related links</div></div></body>'
    )
    path = tmp_path / "cabinet.html"
    path.write_text(page, encoding="utf-8")
    assert read_file(path).text == "# Cabinet\n\nRESOLVED that the plan be adopted."


def saved_page(name: str) -> SourceText:
    return read_file(DATA / name)


def test_moderngov_item_table_gives_numbered_item_headings_and_minutes() -> None:
    text = saved_page("moderngov_agenda_and_minutes.html").text
    lines = text.splitlines()
    assert [line for line in lines if line.startswith("## 3")] == [
        "## 31. Apologies for absence",
        "## 32. Minutes of the previous meeting",  # its title links to the old minutes: kept
        "## 33. Kerbside glass collection trial",  # "...trial</a>PDF 310 KB" lost its size
    ]
    assert "RESOLVED: That the minutes of the meeting held on 12 September 2024 be approved as a correct record." in lines
    assert "RESOLVED:\n\n(1) That the trial be extended to Westgate and Hillside wards from April 2025." in text
    assert "No.\tItem" not in text  # the header over the item table is not a data row


def test_moderngov_boilerplate_dropped() -> None:
    text = saved_page("moderngov_agenda_and_minutes.html").text
    for gone in ("pdf icon", "KB", "Skip to content", "Committees", "Council and democracy", "Attendance details",
                 "Agenda frontsheet", "Printed minutes", "webcast", "View the background", "Supporting documents",
                 "Appendix A - trial data", "Media", "\u00a9", "Accessibility"):  # fmt: skip
        assert gone not in text, gone
    assert text.startswith("# Agenda and minutes\n\n## Environment Scrutiny Panel - Thursday, 14th November, 2024")


def test_moderngov_attendance_is_a_table_with_its_header() -> None:
    text = saved_page("moderngov_attendance.html").text
    assert (
        "Attendee\tRole\tAttendance\n"
        "Councillor Maria Delgado\tChair\tPresent\n"
        "Councillor Tom Okafor\tCommittee Member\tApologies\n"
    ) in text
    assert "- Rob Evans, Waste Services Manager" in text.splitlines()


def test_cmis_items_from_classed_spans_and_chrome_dropped() -> None:
    source = saved_page("cmis_meeting.html")
    lines = source.text.splitlines()
    assert "### 1. Election of Chair" in lines
    assert "### 2. Application for a premises licence \u2013 The Anchor, Quay Street" in lines  # cp1252 dash
    assert any(line.startswith("RESOLVED \u2013 That the licence be granted") for line in lines)
    for gone in ("Login", "Register", "VIEWSTATE", "Report of the Licensing Officer", "220 KB", "\u00a9"):
        assert gone not in source.text, gone
    assert source.meta["title"] == "Meeting of Licensing Sub-Committee, Monday 3 February 2025 - Harbourside Borough Council"


def test_html_data_table_with_numbered_rows_stays_a_table(tmp_path: Path) -> None:
    page = ("<body><table><tr><th>No.</th><th>Scheme</th><th>Cost</th></tr><tr><td>1</td><td>Play area</td>"
            "<td>\u00a31,200</td></tr><tr><td>2</td><td>Benches</td><td>\u00a3450</td></tr></table></body>")
    path = tmp_path / "schemes.html"
    path.write_text(page, encoding="utf-8")
    assert read_file(path).text == "No.\tScheme\tCost\n1\tPlay area\t\u00a31,200\n2\tBenches\t\u00a3450"


def test_bold_only_short_paragraph_is_a_heading_but_a_bold_resolution_is_not(tmp_path: Path) -> None:
    page = ("<body><p><b>5. Budget monitoring</b></p><p>The report was noted.</p>"
            "<p><strong>RESOLVED</strong></p><p>That the budget be approved.</p></body>")
    path = tmp_path / "minutes.html"
    path.write_text(page, encoding="utf-8")
    assert read_file(path).text == "### 5. Budget monitoring\n\nThe report was noted.\n\nRESOLVED\n\nThat the budget be approved."


# --- Word ---------------------------------------------------------------------------------


def test_docx_blocks_in_document_order(tmp_path: Path) -> None:
    source = read_file(fixtures.word_document(tmp_path / "minutes.docx"))
    assert source.text == (
        "# Planning Committee\n\n"
        "The committee considered the applications below.\n\n"
        "Application\tDecision\n24/0001\tApproved\n24/0002\tRefused\n\n"
        "- Site visit on 3 May\n\n"
        "The meeting closed at 8.15pm."
    )
    assert source.meta["title"] == "Planning Committee minutes"


def test_corrupt_docx_refused(tmp_path: Path) -> None:
    whole = fixtures.word_document(tmp_path / "whole.docx").read_bytes()
    for name, data in (("cut.docx", whole[: len(whole) // 2]), ("old.docx", b"\xd0\xcf\x11\xe0" + bytes(64))):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ReadError, match="not a Word .docx file / damaged"):
            read_file(tmp_path / name)


# --- real papers --------------------------------------------------------------------------


def test_external_papers_read_cleanly_with_a_page_on_every_pdf_chunk() -> None:
    if not EXTERNAL.is_dir():
        pytest.skip(f"{EXTERNAL} not present")
    paths = sorted(p for p in EXTERNAL.iterdir() if p.suffix.lower() in {".pdf", ".md"})
    assert paths
    docs = {path.name: parse_document(path, None, "-", 100 * 2**20) for path in paths}
    for name, doc in docs.items():
        offsets = [mark.offset for mark in doc.pages]
        assert doc.text.strip() and doc.chunks, name
        assert offsets == sorted(offsets) and all(0 <= o < len(doc.text) for o in offsets), name
        if name.endswith(".pdf"):
            assert offsets[0] == 0 and all(chunk.page is not None for chunk in doc.chunks), name
    kent = docs.get("lusavkaedu_council-assistant_QPR-Q3-Cabinet-appendix-1.pdf")
    if kent is not None:  # an unnumbered cover, then printed numbers one behind the PDF's
        assert [mark.number for mark in kent.pages[:4]] == [1, 1, 2, 3]


def test_external_papers_metadata_from_their_text() -> None:
    nipissing = EXTERNAL / "chriswjohnston_council-meetings_Minutes-December-3-2024.pdf"
    wretton = EXTERNAL / "lovell_stokeferry.com_wretton-parish-council-may-meeting-2019.md"
    if not (nipissing.is_file() and wretton.is_file()):
        pytest.skip(f"{EXTERNAL} not present")
    chunks = parse_document(nipissing, None, "-", 2**24).chunks
    assert {(c.committee, c.meeting_date, c.kind in ("minutes", "resolution")) for c in chunks} == {
        ("Township of Nipissing Council", "2024-12-03", True)}
    chunks = parse_document(wretton, None, "-", 2**24).chunks
    assert {(c.committee, c.meeting_date) for c in chunks} == {("Wretton Parish Council", "2019-05-13")}


def test_markdown_front_matter_is_kept_out_of_the_body_but_gives_the_title(tmp_path: Path) -> None:
    path = tmp_path / "may-meeting.md"
    content = ('---\ntitle: "WRETTON PARISH COUNCIL MAY MEETING"\ndate: "2019-08-26"\ncategories:\n'
               '  - "villages"\n---\n\nMINUTES OF THE MEETING HELD ON MONDAY 13TH MAY 2019\n\n'
               'Apologies were received from Cllr Peake, and the minutes of the last meeting were agreed.\n')
    path.write_text(content, encoding="utf-8")
    source = read_file(path)
    assert source.text == content  # the contract: a .md document's text is the file, offsets and all
    assert "2019-08-26" not in source.body and len(source.body) == len(content)
    assert source.body.strip().startswith("MINUTES OF THE MEETING HELD ON MONDAY 13TH MAY 2019")
    assert source.meta["title"] == "WRETTON PARISH COUNCIL MAY MEETING"
    chunks = parse_document(path, None, "0" * 64, 2**20).chunks
    assert chunks and all("2019-08-26" not in c.text and c.text == content[c.start:c.end] for c in chunks)


def test_a_rule_inside_markdown_is_not_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Minutes\n\n---\n\nItem 1\n---\n", encoding="utf-8")
    source = read_file(path)
    assert source.text == source.body == "# Minutes\n\n---\n\nItem 1\n---\n"
