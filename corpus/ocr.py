"""OCR for scanned pages: the `tesseract` binary (Debian's tesseract-ocr) on a rendered page image."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import pypdfium2 as pdfium

from corpus.errors import ReadError

OCR_DPI = 300
OCR_TIMEOUT = 300  # seconds for one page


def tesseract_path() -> str | None:
    """Where the tesseract binary is, or None when it is not installed."""
    return shutil.which("tesseract")


def ocr_page(page: pdfium.PdfPage, tesseract: str) -> str:
    """OCR one rendered page with the tesseract binary (stdin PNG -> stdout text)."""
    image = page.render(scale=OCR_DPI / 72).to_pil()
    png = io.BytesIO()
    image.save(png, format="PNG")
    # One thread per tesseract: ingest already runs one parser per core.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            [tesseract, "stdin", "stdout"], input=png.getvalue(), capture_output=True,
            timeout=OCR_TIMEOUT, check=False, env=env,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReadError(f"OCR failed: {exc}") from exc
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["unknown error"]
        raise ReadError(f"OCR failed: {reason[0]}")
    return done.stdout.decode("utf-8", "replace")
