"""The precedent finder: RESOLVED blocks with their minute, sorted, cited and written as CSV.

A resolution is cited the way a committee clerk writes it: "Corporate Parenting Committee,
20 March 2018, minute 43".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import quote

from corpus.dates import spoken
from corpus.document import Chunk
from qa.answer import Citation, Filters
from qa.assistant import Assistant

KIND = "resolution"
SORTS = ("relevance", "date")
CSV_COLUMNS = ("committee", "meeting_date", "minute", "item_heading", "resolution", "citation",
               "source", "start", "end", "link", "access")
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Resolution:
    """One RESOLVED block: where it was decided and its text verbatim."""

    committee: str | None
    meeting_date: str | None
    minute: str | None
    item_heading: str | None
    text: str
    source: str
    start: int
    end: int
    page: int | None
    score: float
    citation: str
    access: str = "public"

    @property
    def link(self) -> str:
        return f"/doc/{quote(self.source)}#c={self.start}-{self.end}"


def cite(committee: str | None, meeting_date: str | None, minute: str | None) -> str:
    """The standard form: committee, spoken meeting date, minute number (what is known of them)."""
    parts = [committee or "", spoken(meeting_date), f"minute {minute}" if minute else ""]
    return ", ".join(p for p in parts if p)


def of_citation(c: Citation) -> Resolution:
    return Resolution(c.committee, c.meeting_date, c.item, c.item_heading, c.text, c.source,
                      c.start, c.end, c.page, c.score, cite(c.committee, c.meeting_date, c.item), c.access)


def of_chunk(chunk: Chunk) -> Resolution:
    return of_citation(Citation.of(chunk, 0.0))


def only_resolutions(filters: Filters | None) -> Filters:
    return replace(filters or Filters(), kind=KIND)


def find(assistant: Assistant, query: str | None, filters: Filters | None, k: int,
         sort: str = "relevance") -> list[Resolution]:
    """Resolutions matching the query (all of them, newest first, when there is none)."""
    scope = only_resolutions(filters)
    if query:
        found = [of_citation(c) for c in assistant.search(query, k=k, filters=scope)]
    else:
        found = [of_chunk(c) for c in assistant.index.chunks if scope.admits(c)]
        sort = "date"
    return sorted_by(found, sort)[:k]


def _minute_number(minute: str | None) -> float:
    try:
        return float((minute or "").split("/")[0])
    except ValueError:
        return 0.0


def sorted_by(rows: list[Resolution], sort: str) -> list[Resolution]:
    """Relevance keeps the retrieval order; date puts the latest meeting first (undated last)."""
    if sort != "date":
        return list(rows)
    dated = sorted((r for r in rows if r.meeting_date), key=lambda r: (r.meeting_date or "",
                   _minute_number(r.minute)), reverse=True)
    return dated + [r for r in rows if not r.meeting_date]


def _safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def to_csv(rows: Iterable[Resolution]) -> str:
    """The list as CSV, one resolution a line, text verbatim (formula-like cells defused)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        values = (r.committee, r.meeting_date, r.minute, r.item_heading, r.text, r.citation,
                  r.source, r.start, r.end, r.link, r.access)
        writer.writerow([_safe_cell(v) for v in values])
    return out.getvalue()
