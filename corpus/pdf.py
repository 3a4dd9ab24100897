"""PDF reader: page text with printed page numbers, running headers and footers removed,
broken words re-joined, bullets as "- " and ruled tables as tab-separated rows.

pypdfium2 gives the text layer (fast, in content order); `pdf_tables` asks pdfplumber for
tables only on pages that draw a grid; pages without a text layer go to `ocr` when tesseract
is installed. The clean-up after extraction is pure (`pdf_words`, `pdf_furniture`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from corpus.document import PageMark, SourceText
from corpus.errors import ReadError
from corpus.ocr import ocr_page, tesseract_path
from corpus.pdf_furniture import page_numbers_and_strip, strip_running_lines
from corpus.pdf_tables import PlumberTables, draws_grid, splice_tables
from corpus.pdf_words import WORD, normalise_lines, rejoin_hyphenation

log = logging.getLogger(__name__)

SCANNED_MAX_CHARS = 30  # a page with less text than this and an image is treated as a scan
NO_TEXT_LAYER = "scanned, no text layer: install tesseract-ocr"


def read_pdf(data: bytes) -> SourceText:
    """Read a PDF's bytes into clean text with a PageMark per page."""
    with open_pdf(data) as document:
        raw_pages, scanned = extract_pages(document, data)
        meta = {"format": "pdf"} | title_meta(document)
    pages = [normalise_lines(raw) for raw in raw_pages]
    numbers = page_numbers_and_strip(pages)
    strip_running_lines(pages)
    rejoin_hyphenation(pages)
    source = assemble(pages, numbers, meta | scan_warning(scanned))
    if not source.text.strip():
        raise ReadError(NO_TEXT_LAYER if scanned else "PDF has no text")
    return source


@contextmanager
def open_pdf(data: bytes) -> Iterator[pdfium.PdfDocument]:
    """The pdfium document, or a ReadError that says what is wrong with the file."""
    if b"%PDF-" not in data[:1024]:
        raise ReadError("not a PDF / damaged: the file has no PDF header")
    if b"%%EOF" not in data.rstrip(b"\x00\r\n\t ")[-8192:]:
        raise ReadError("not a PDF / damaged: the file is truncated (no end-of-file marker)")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ReadError(open_error(exc)) from exc
    try:
        if len(document) == 0:
            raise ReadError("not a PDF / damaged: it has no pages")
        yield document
    finally:
        document.close()


def open_error(exc: pdfium.PdfiumError) -> str:
    """Plain words for pdfium's load error codes."""
    if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
        return "encrypted PDF: it needs a password to open"
    if exc.err_code == pdfium_c.FPDF_ERR_SECURITY:
        return "encrypted PDF: its security handler is not supported"
    return f"not a PDF / damaged: {exc}"


def title_meta(document: pdfium.PdfDocument) -> dict[str, str]:
    """{"title": ...} from the document information, when it holds a usable title."""
    title = (document.get_metadata_dict().get("Title") or "").strip()
    title = re.sub(r"^Microsoft (?:Word|PowerPoint|Excel) - ", "", title)
    title = re.sub(r"\.(?:docx?|pages|pdf|odt|rtf|pptx?|xlsx?)$", "", title, flags=re.IGNORECASE).strip()
    generic = re.fullmatch(r"untitled.*|document\d*", title, re.IGNORECASE)
    return {"title": title} if WORD.search(title) and not generic and len(title) <= 300 else {}


def extract_pages(document: pdfium.PdfDocument, data: bytes) -> tuple[list[str], list[int]]:
    """Raw text per page, and the scanned pages (images, no text layer) that could not be OCR'd."""
    tables = PlumberTables(data)
    tesseract = tesseract_path()
    texts: list[str] = []
    scanned: list[int] = []
    try:
        for index, page in enumerate(document):
            text = page_text(page, index, tables)
            if len("".join(text.split())) < SCANNED_MAX_CHARS and has_images(page):
                # a scan, perhaps with a stamped page number as its only text
                text = ocr_page(page, tesseract) if tesseract else text
                scanned += [] if tesseract else [index + 1]
            texts.append(text)
    finally:
        tables.close()
    return texts, scanned


def scan_warning(scanned: list[int]) -> dict[str, str]:
    """{"warning": ...} naming the scanned pages that were skipped, for the ingest report."""
    if not scanned:
        return {}
    log.warning("pages %s have no text layer and tesseract is not installed; skipped", scanned)
    pages = ", ".join(map(str, scanned))
    return {"warning": f"page{'s' if len(scanned) > 1 else ''} {pages} skipped: {NO_TEXT_LAYER}"}


def page_text(page: pdfium.PdfPage, index: int, tables: PlumberTables) -> str:
    """The page's text layer in content order, with ruled tables as tab-separated rows."""
    textpage = page.get_textpage()
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count > 0 else ""
    found = tables.on_page(index, page) if text.strip() and draws_grid(page) else []
    if not found:
        return text.replace("\t", " ")
    boxes = [textpage.get_charbox(i) for i in range(count)]
    return splice_tables(text, boxes, found)


def has_images(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))


def assemble(pages: list[list[str]], numbers: list[int], meta: dict[str, str]) -> SourceText:
    """Pages joined by blank lines, each non-empty page starting with a PageMark."""
    parts: list[str] = []
    marks: list[PageMark] = []
    offset = 0
    for lines, number in zip(pages, numbers):
        body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
        if not body.strip():
            continue
        if parts:
            offset += 2
        marks.append(PageMark(offset, number))
        parts.append(body)
        offset += len(body)
    return SourceText(text="\n\n".join(parts), pages=tuple(marks), meta=meta)
