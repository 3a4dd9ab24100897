"""Builders for reader test files: small PDFs, HTML pages and Word documents made in code."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib import colors, pdfencrypt
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Table, TableStyle

# An indicator as performance reports print it: a label too long for a header, its figures under it.
KPI = "Freedom of Information (FOI) / Environmental Information Regulation (EIR) requests completed within 20 working days"
HEADER = "Borough Council - Cabinet - 12 March 2024"
FIRST_PRINTED_PAGE = 5
WIDTH, HEIGHT = A4

PAGE_LINES = [
    [
        "Minutes of the Cabinet",
        "Present: Councillors Adams (Chair), Baker and Clarke.",
        "1. Parks",
        "Members discussed the manage-",
        "ment of the parks and the budget for the year.",
        "\u2022 Approve the parks budget for 2024/25",
        "The report on the parks was noted.",
    ],
    ["2. Budget", "The following allocations were agreed:"],
    ["3. Any other business", "RESOLVED that the next meeting be held on 9 April 2024."],
]
TABLE_ROWS = [["Item", "Owner", "Cost"], ["Play area", "Parks team", "£1,200"], ["Benches", "Estates", "£450"]]


def pdf_with_furniture(path: Path) -> Path:
    """Three pages: running header, "Page N" footers from 5, a broken word, a bullet, a ruled table."""
    canvas = Canvas(str(path), pagesize=A4)
    canvas.setTitle("Cabinet minutes 12 March 2024")
    for index, lines in enumerate(PAGE_LINES):
        canvas.setFont("Helvetica", 9)
        canvas.drawString(72, HEIGHT - 40, HEADER)
        canvas.drawCentredString(WIDTH / 2, 30, f"Page {FIRST_PRINTED_PAGE + index}")
        canvas.setFont("Helvetica", 11)
        y = HEIGHT - 90
        for line in lines:
            canvas.drawString(72, y, line)
            y -= 16
        if index == 1:
            draw_table(canvas, y - 10)
        canvas.showPage()
    canvas.save()
    return path


def draw_table(canvas: Canvas, top: float) -> None:
    table = Table(TABLE_ROWS, colWidths=[150, 150, 100])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    _, height = table.wrapOn(canvas, WIDTH, HEIGHT)
    table.drawOn(canvas, 72, top - height)


def simple_pdf(path: Path, pages: list[str], user_password: str | None = None) -> Path:
    """One line of text per page; encrypted with `user_password` when given."""
    encrypt = pdfencrypt.StandardEncryption(user_password, "owner") if user_password else None
    canvas = Canvas(str(path), pagesize=A4, encrypt=encrypt)
    for text in pages:
        canvas.drawString(72, HEIGHT - 72, text)
        canvas.showPage()
    canvas.save()
    return path


def text_image(text: str) -> Image.Image:
    """A white image with `text` in large black letters, as a scanner would see a page."""
    image = Image.new("RGB", (1700, 400), "white")
    ImageDraw.Draw(image).text((60, 150), text, fill="black", font=ImageFont.load_default(size=72))
    return image


def scanned_pdf(path: Path, texts: list[str | None]) -> Path:
    """Pages that are images of text (str), or ordinary text pages (None -> a text-layer page)."""
    canvas = Canvas(str(path), pagesize=A4)
    for text in texts:
        if text is None:
            canvas.drawString(72, HEIGHT - 72, "This page has a text layer.")
        else:
            png = io.BytesIO()
            text_image(text).save(png, format="PNG")
            canvas.drawImage(ImageReader(png), 40, HEIGHT - 200, width=WIDTH - 80, height=(WIDTH - 80) * 4 / 17)
        canvas.showPage()
    canvas.save()
    return path


MODERNGOV_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Minutes of Licensing Committee, Tuesday 5 March 2024 | Anytown Borough Council</title>
<script>var tracking = "do not index me";</script><style>.mgHeader { color: red; }</style>
</head><body>
<a class="skip-link" href="#content">Skip to main content</a>
<header><div class="logo">Anytown Borough Council</div></header>
<nav id="mainNav"><ul><li><a href="/">Home</a></li><li><a href="/bins">Bins and recycling</a></li></ul></nav>
<div id="breadcrumb"><a href="/">Home</a> &gt; <a href="/council">Council</a> &gt; Meetings</div>
<div id="content"><div class="mgContent">
<h1 class="mgMainTitleTxt">Minutes</h1>
<p>Venue: Council Chamber, Town Hall</p>
<ul class="mgActionList"><li><a href="m.pdf">Printed minutes 05th-Mar-2024 <img alt="pdf icon"
 src="pdf.png"> PDF 129 KB</a></li></ul>
<h2>Attendance</h2>
<table class="mgStatsTable"><thead><tr><th>Attendee</th><th>Role</th><th>Attendance</th></tr></thead>
<tbody><tr><td>Councillor Jane Adams</td><td>Chair</td><td>Present</td></tr>
<tr><td>Councillor Bob Baker</td><td>Committee Member</td><td>Apologies</td></tr></tbody></table>
<h2>1. Declarations of interest</h2>
<p>There were no declarations of interest.</p>
<h2>2. Taxi licensing policy</h2>
<p>The Committee considered the report of the Licensing Manager on the revised
   taxi licensing policy.</p>
<p><strong>RESOLVED:</strong> That the revised policy be approved for consultation.</p>
<p>pdf icon PDF 129 KB</p>
<div class="share"><a href="#">Share this page</a></div>
</div></div>
<form action="/search"><input name="q"><button>Search</button></form>
<footer><p>&copy; Anytown Borough Council</p><a href="/cookies">Cookies</a></footer>
</body></html>
"""

EMPTY_PAGE = """<html><head><title>Nothing here</title><script>var x = 1;</script></head>
<body><nav><a href="/">Home</a></nav><div class="breadcrumb">Home &gt; Council &gt; Meetings</div>
<p>Share this page</p><footer>Contact us</footer></body></html>
"""


def word_document(path: Path) -> Path:
    """A heading, a paragraph, a table, a bullet and a closing paragraph, in that order."""
    document = docx.Document()
    document.core_properties.title = "Planning Committee minutes"
    document.add_heading("Planning Committee", level=1)
    document.add_paragraph("The committee considered the applications below.")
    table = document.add_table(rows=3, cols=2)
    for row, values in zip(table.rows, [("Application", "Decision"), ("24/0001", "Approved"), ("24/0002", "Refused")]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph("Site visit on 3 May", style="List Bullet")
    document.add_paragraph("The meeting closed at 8.15pm.")
    document.save(str(path))
    return path


# Each kind of bad input the issue names, and how its reason starts with a 10 KB size limit.
BAD_INPUT = {
    "zero-byte": "file is empty",
    "truncated": "not a PDF / damaged: the file is truncated",
    "encrypted": "encrypted PDF: it needs a password to open",
    "binary-pdf": "not a PDF / damaged: the file has no PDF header",
    "binary-txt": "file looks binary",
    "empty-html": "HTML page has no readable content",
    "oversized": "file is 24.2 KB, over the 10.0 KB limit (raise it with CLERK_MAX_FILE_MB",
    "vanished": "file disappeared before it could be read",
}
BAD_LIMIT = 10 * 2**10
MINUTES = "Minutes of a meeting of the Licensing Committee held on 5 March 2024\n\n1. Taxi policy\n\nRESOLVED that the policy be approved.\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


def bad_file(folder: Path, kind: str) -> Path:
    """A file of one kind of bad input (a key of BAD_INPUT); "vanished" names a file that is not there."""
    if kind == "zero-byte":
        path = folder / "empty.pdf"
        path.write_bytes(b"")
    elif kind == "truncated":
        whole = pdf_with_furniture(folder / "whole.pdf")
        path = folder / "cut.pdf"
        path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
        whole.unlink()
    elif kind == "encrypted":
        path = simple_pdf(folder / "locked.pdf", ["Exempt minutes"], user_password="secret")
    elif kind in ("binary-pdf", "binary-txt"):
        path = folder / f"picture.{kind[-3:]}"
        path.write_bytes(PNG)
    elif kind == "empty-html":
        path = folder / "empty.html"
        path.write_text(EMPTY_PAGE, encoding="utf-8")
    elif kind == "oversized":
        path = folder / "big.txt"
        path.write_text(MINUTES * 200, encoding="utf-8")
    else:
        path = folder / "gone.txt"
    return path
