"""What the page shows beside a citation: a table row's header, and the series of the row an
answer was read from (drawn as a chart)."""

from __future__ import annotations

from index.store import Index
from qa.answer import Answer, Citation
from qa.series import Series, row_series
from web.extracts import chunk_of


def header_of(index: Index, citation: Citation) -> tuple[str, ...] | None:
    """The column labels of a cited table row, None for any other extract."""
    if citation.kind != "table":
        return None
    chunk = chunk_of(index, citation)
    return chunk.header if chunk and chunk.header else None


def answer_series(index: Index, answer: Answer) -> Series | None:
    """The series of the performance-table row an answer was read from, if it was."""
    if not answer.answerable or not answer.citations or answer.citations[0].kind != "table":
        return None
    first = answer.citations[0]
    chunk = chunk_of(index, first)
    if chunk is None:
        return None
    return row_series(chunk, first.highlight[0] if first.highlight else None)
