"""PDF reader: page text with printed page numbers, running headers and footers removed,
broken words re-joined, bullets as "- " and ruled tables as tab-separated rows.

pypdfium2 gives the text layer (fast, in content order); pdfplumber is asked for tables only on
pages that draw enough lines to hold one. Pages without a text layer are OCR'd when the
`tesseract` binary is installed. The page clean-up is pure: lists of lines in, lines out.
"""

from __future__ import annotations

import io
import logging
import math
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from corpus.document import PageMark, SourceText
from corpus.errors import ReadError

log = logging.getLogger(__name__)

Table = tuple[tuple[float, float, float, float], list[str]]  # (left, bottom, right, top), rows

MIN_TABLE_SEGMENTS = 6  # fewer path segments than a 2x2 grid: no pdfplumber run
EDGE = 3  # lines at each end of a page that may be running headers / footers
OCR_DPI = 300
SCANNED_MAX_CHARS = 30  # a page with less text than this and an image is treated as a scan
HYPHEN_MARKS = "\ufffe\x02\u00ad"  # pdfium's "hyphen at line end", STX, soft hyphen
BULLET_GLYPHS = "•▪◦●○■□►▶➢➤✓✔‣⁃∙·\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf06e\uf0a8"  # incl. Symbol/Wingdings
BULLET = re.compile(rf"^[{BULLET_GLYPHS}]\s*|^o\s+(?=[A-Z])")  # Word's second-level bullet is a Courier "o"
CONTROL = re.compile(r"[\x00-\x01\x03-\x08\x0b-\x1f\x7f\ue000-\uf8ff]")
LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
PAGE_LINE = re.compile(
    r"^(?:page\s*[|:.]?\s*)?[-–—(\[]?\s*(\d{1,4})\s*[-–—)\]]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE
)
PAGE_IN_LINE = re.compile(
    r"\bpage\s*[|:.]?\s*(\d{1,4})(?:\s*of\s*\d{1,4})?$|^page\s*[|:.]?\s*(\d{1,4})\b", re.IGNORECASE
)
WORD = re.compile(r"[^\W\d_]+")
BREAK_SITE = re.compile(rf"[^\W\d_]*(?:[{HYPHEN_MARKS}]|-\n)[^\W\d_]*")
URL = re.compile(r"\S*(?:://|www\.)\S*")
MARKED_BREAK = re.compile(rf"([^\W\d_]+)[{HYPHEN_MARKS}]([^\W\d_]+)")


def read_pdf(data: bytes) -> SourceText:
    """Read a PDF's bytes into clean text with a PageMark per page."""
    with open_pdf(data) as document:
        raw_pages, scanned = extract_pages(document, data)
        meta = {"format": "pdf"} | title_meta(document)
    pages = [normalise_lines(raw) for raw in raw_pages]
    numbers = page_numbers_and_strip(pages)
    strip_running_lines(pages)
    rejoin_hyphenation(pages)
    source = assemble(pages, numbers, meta)
    check_text(source, scanned)
    return source


# --- opening and extraction --------------------------------------------------------------


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
    tesseract = shutil.which("tesseract")
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


def check_text(source: SourceText, scanned: list[int]) -> None:
    """Refuse a document left with no text; warn about scanned pages that were skipped."""
    if not source.text.strip():
        raise ReadError("scanned, no text layer: install tesseract-ocr" if scanned else "PDF has no text")
    if scanned:
        log.warning("pages %s have no text layer and tesseract is not installed; skipped", scanned)


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


def draws_grid(page: pdfium.PdfPage) -> bool:
    """Whether the page draws enough line segments to hold a ruled table."""
    segments = 0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]):
        segments += max(pdfium_c.FPDFPath_CountSegments(obj.raw), 0)
        if segments >= MIN_TABLE_SEGMENTS:
            return True
    return False


def has_images(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))


def ocr_page(page: pdfium.PdfPage, tesseract: str) -> str:
    """OCR one rendered page with the tesseract binary (stdin PNG -> stdout text)."""
    image = page.render(scale=OCR_DPI / 72).to_pil()
    png = io.BytesIO()
    image.save(png, format="PNG")
    try:
        done = subprocess.run(
            [tesseract, "stdin", "stdout"], input=png.getvalue(), capture_output=True, timeout=300, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReadError(f"OCR failed: {exc}") from exc
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["unknown error"]
        raise ReadError(f"OCR failed: {reason[0]}")
    return done.stdout.decode("utf-8", "replace")


class PlumberTables:
    """pdfplumber opened once, lazily, only if some page may hold a table."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pdf: Any = None

    def on_page(self, index: int, page: pdfium.PdfPage) -> list[Table]:
        left, bottom, _, top = page.get_mediabox()
        if page.get_rotation() or left or bottom:
            return []  # coordinates would need mapping; keep the plain text layer
        try:
            if self.pdf is None:
                import pdfplumber  # slow to import; only PDFs with ruled pages need it

                self.pdf = pdfplumber.open(io.BytesIO(self.data))
            found = self.pdf.pages[index].find_tables()
            return [t for t in (as_table(f.bbox, f.extract(), top) for f in found) if t]
        except Exception as exc:  # noqa: BLE001 - tables are a refinement; the text layer stands
            log.warning("table detection failed on page %d: %s", index + 1, exc)
            return []

    def close(self) -> None:
        if self.pdf is not None:
            self.pdf.close()


def as_table(bbox: tuple[float, float, float, float], cells: list[list[Any]], top: float) -> Table | None:
    """pdfplumber's table as (pdf-space box, tab-separated rows); None for a frame, not a table."""
    rows = [[clean_cell(c) for c in row] for row in cells]
    rows = [row for row in rows if any(row)]
    if len(rows) < 2 or max(len(row) for row in rows) < 2:
        return None
    x0, y_top, x1, y_bottom = bbox
    return (x0, top - y_bottom, x1, top - y_top), ["\t".join(row) for row in rows]


def clean_cell(cell: str | None) -> str:
    text = (cell or "").translate(LIGATURES)
    text = re.sub(r"([a-z])-\n([a-z])", r"\1\2", text)
    return " ".join(CONTROL.sub("", text).split())


def splice_tables(text: str, boxes: list[tuple[float, float, float, float]], tables: list[Table]) -> str:
    """The text with each table's characters replaced, where the table starts, by its rows."""
    out: list[str] = []
    owner: int | None = None
    done: set[int] = set()
    for ch, box in zip(text, boxes):
        if not ch.isspace() and ch not in HYPHEN_MARKS:
            owner = table_at(box, tables)
        if owner is None:
            out.append(" " if ch == "\t" else ch)
        elif owner not in done:
            done.add(owner)
            out.append("\n" + "\n".join(tables[owner][1]) + "\n")
    return "".join(out)


def table_at(box: tuple[float, float, float, float], tables: list[Table]) -> int | None:
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    for i, ((left, bottom, right, top), _) in enumerate(tables):
        if left - 1 <= x <= right + 1 and bottom - 1 <= y <= top + 1:
            return i
    return None


# --- page clean-up (pure) ----------------------------------------------------------------


def normalise_lines(raw: str) -> list[str]:
    """Lines without control characters, repeated spaces or bullet glyphs; table rows as they are."""
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [line if "\t" in line else normalise_line(line) for line in lines]


def normalise_line(line: str) -> str:
    line = BULLET.sub("- ", " ".join(line.translate(LIGATURES).split()))  # before CONTROL: some bullets are PUA
    return " ".join(CONTROL.sub("", line).split())


def edge_lines(lines: list[str]) -> list[tuple[str, int]]:
    """(edge, index) of the first and last EDGE prose lines: where headers and footers live."""
    prose = [i for i, line in enumerate(lines) if line and "\t" not in line]
    head, tail = prose[:EDGE], prose[-EDGE:]
    return [("top", i) for i in head] + [("bottom", i) for i in tail if i not in head]


def page_number_in(line: str) -> int | None:
    match = PAGE_LINE.match(line) or (PAGE_IN_LINE.search(line) if len(line) <= 100 else None)
    return int(next(g for g in match.groups() if g)) if match else None


def page_numbers_and_strip(pages: list[list[str]]) -> list[int]:
    """Printed page numbers where consecutive pages show them consistently, else the PDF page index.

    A number counts when a neighbouring page shows one at the same offset from its index (so a
    stray "2024" or list number does not), which also follows packs whose numbering restarts.
    The lines that carried the accepted numbers are removed.
    """
    found = [number_lines(lines, p + 1) for p, lines in enumerate(pages)]
    numbers: list[int] = []
    drop: dict[int, set[int]] = {}
    for p, here in enumerate(found):
        near = set().union(*(found[q] for q in (p - 1, p + 1) if 0 <= q < len(found)))
        shared = sorted((d for d in here if d in near), key=abs)
        numbers.append(p + 1 + (shared[0] if shared else 0))
        if shared:
            drop[p] = set(here[shared[0]])
    remove_lines(pages, drop)
    return numbers


def number_lines(lines: list[str], index: int) -> dict[int, list[int]]:
    """{printed number minus page index: [edge lines showing that number]} for one page."""
    found: dict[int, list[int]] = {}
    for _, i in edge_lines(lines):
        number = page_number_in(lines[i])
        if number is not None:
            found.setdefault(number - index, []).append(i)
    return found


def remove_lines(pages: list[list[str]], drop: dict[int, set[int]]) -> None:
    for p, indexes in drop.items():
        pages[p][:] = [line for i, line in enumerate(pages[p]) if i not in indexes]


def strip_running_lines(pages: list[list[str]]) -> None:
    """Remove lines repeated at the same edge of most pages (running headers and footers)."""
    if len(pages) < 2:
        return
    seen: Counter[tuple[str, str]] = Counter()
    for lines in pages:
        seen.update({(edge, lines[i].casefold()) for edge, i in edge_lines(lines)})
    drop: dict[int, set[int]] = {}
    for p, lines in enumerate(pages):
        for edge, i in edge_lines(lines):
            if seen[(edge, lines[i].casefold())] >= running_threshold(lines[i], len(pages)):
                drop.setdefault(p, set()).add(i)
    remove_lines(pages, drop)


def running_threshold(line: str, n_pages: int) -> int:
    """Pages a line must repeat on; sentence-like lines ("Carried.") must repeat on nearly all."""
    if line.endswith((".", ",", ";")):
        return max(3, math.ceil(n_pages * 0.8))
    return max(2, math.ceil(n_pages * 0.6))


def rejoin_hyphenation(pages: list[list[str]]) -> None:
    """Join words broken at line ends ("manage-\\nment"), keeping compounds ("father-inclusive")."""
    text = "\n".join("\n".join(lines) for lines in pages)
    plain = BREAK_SITE.sub(" ", text).casefold()
    vocab = set(WORD.findall(plain))
    compounds = set(re.findall(r"[^\W\d_]+-[^\W\d_]+", plain))
    for lines in pages:
        for i, line in enumerate(lines):
            if "\t" not in line:
                line = URL.sub(lambda m: m[0].replace("\ufffe", "-"), line)  # never join inside URLs
                line = MARKED_BREAK.sub(lambda m: join_word(m[1], m[2], vocab, compounds), line)
                lines[i] = line.replace("\ufffe", "-").replace("\x02", "-").replace("\u00ad", "")
        join_line_breaks(lines, vocab, compounds)


def join_line_breaks(lines: list[str], vocab: set[str], compounds: set[str]) -> None:
    """Move the rest of a word broken by a trailing hyphen up to the line that holds its start."""
    emptied: set[int] = set()
    for i in range(len(lines) - 1):
        head, tail = lines[i], lines[i + 1]
        left = re.search(r"(?<![\w-])([^\W\d_]+)-$", head)
        right = re.match(r"([^\W\d_]+)(\S*)\s*", tail)
        if left and right and "\t" not in head + tail:
            lines[i] = head[: left.start()] + join_word(left[1], right[1], vocab, compounds) + right[2]
            lines[i + 1] = tail[right.end() :]
            emptied |= {i + 1} if not lines[i + 1] else set()
    lines[:] = [line for i, line in enumerate(lines) if i not in emptied]


def join_word(left: str, right: str, vocab: set[str], compounds: set[str]) -> str:
    """The two halves of a word broken at a line end, with or without the hyphen."""
    lo, ro = left.casefold(), right.casefold()
    if lo + ro in vocab:
        return left + right
    if not right[0].islower() or f"{lo}-{ro}" in compounds or ro in vocab:
        return f"{left}-{right}"
    return left + right


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
