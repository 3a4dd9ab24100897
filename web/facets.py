"""What the index holds, for the page: committees, kinds, the period covered, starter questions.

Starter questions are built from the papers themselves – a performance figure, a committee's
latest resolution, an acronym the papers define – so each one has an answer to find. Only the
papers the viewer may see count: an exempt item heading must not become a public starter.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass

from corpus.access import may_see
from corpus.dates import spoken
from corpus.document import Chunk
from index.store import Index
from qa.assistant import Assistant
from qa.series import row_series

MAX_STARTERS = 4
_CODE = re.compile(r"^([A-Z]{1,4}\s?\d{1,3}[a-z]?)\b")
_PERIOD = re.compile(r"\b(quarter\s*\d|q\d)\b", re.IGNORECASE)
# Procedural items make poor examples: every meeting approves its minutes.
_ROUTINE = re.compile(r"\b(minutes|apologies|declarations?|public speaking|work programme|forward plan)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
KIND_LABELS = {
    "resolution": "Resolutions (RESOLVED blocks)",
    "minutes": "Minutes",
    "agenda": "Agendas",
    "report": "Officer reports",
    "appendix": "Appendices",
    "table": "Table rows",
}


@dataclass(frozen=True)
class Facets:
    committees: tuple[str, ...]
    kinds: tuple[tuple[str, str], ...]  # (kind, label)
    first_date: str | None
    last_date: str | None
    starters: tuple[str, ...]

    @property
    def period(self) -> str:
        if not self.first_date or not self.last_date:
            return ""
        return f"{spoken(self.first_date)} to {spoken(self.last_date)}"


def facets_of(index: Index, clearance: str) -> Facets:
    """Facets of what `clearance` sees; `index` is its view (its acronyms are of visible papers)."""
    chunks = [c for c in index.chunks if may_see(clearance, c.access)]
    committees = Counter(c.committee for c in chunks if c.committee)
    kinds = sorted({c.kind for c in chunks})
    dates = sorted(c.meeting_date for c in chunks if c.meeting_date)
    starters = [_figure_question(chunks), *_resolution_questions(chunks), _acronym_question(chunks, index.acronyms)]
    return Facets(
        committees=tuple(sorted(committees)),
        kinds=tuple((k, KIND_LABELS.get(k, k.capitalize())) for k in kinds),
        first_date=dates[0] if dates else None,
        last_date=dates[-1] if dates else None,
        starters=tuple(dict.fromkeys(q for q in starters if q))[:MAX_STARTERS],
    )


def _short_label(label: str) -> str:
    code = _CODE.match(label)
    if code:
        return code[1]
    words = label.split(" - ")[0].split()
    return " ".join(words[:8]).rstrip(".,;:")


def _figure_question(chunks: list[Chunk]) -> str | None:
    """"What was NI 59 in Quarter 3?" from a performance row with a quarterly figure, rows whose
    measure has a code (NI 59) first."""
    rows = [(c, s) for c in chunks if c.kind == "table" and (s := row_series(c)) and s.label]
    rows.sort(key=lambda cs: not _CODE.match(cs[1].label))
    for _, series in rows:
        quarter = next((p for p in series.points if _PERIOD.search(p.label) and p.role == "actual"), None)
        if quarter:
            column = re.sub(r"\s*\(.*?\)", "", quarter.label)
            return f"What was {_short_label(series.label)} in {column}?"
    return None


def _resolution_questions(chunks: list[Chunk], n: int = 2) -> list[str]:
    """The latest resolution with an item heading of each committee, latest meetings first."""
    latest: dict[str, Chunk] = {}
    for c in chunks:
        if c.kind == "resolution" and c.item_heading and c.committee and not _ROUTINE.search(c.item_heading):
            held = latest.get(c.committee)
            if held is None or (c.meeting_date or "", -c.start) > (held.meeting_date or "", -held.start):
                latest[c.committee] = c
    newest = sorted(latest.values(), key=lambda c: c.meeting_date or "", reverse=True)[:n]
    return [f"What did the {c.committee} resolve on {_subject(c.item_heading or '')}?" for c in newest]


def _subject(heading: str) -> str:
    return heading.lower() if heading.isupper() else heading


def _acronym_question(chunks: list[Chunk], acronyms: dict[str, str]) -> str | None:
    """An acronym the papers spell out, the one most chunks use."""
    if not acronyms:
        return None
    counts: Counter[str] = Counter()
    for chunk in chunks:
        words = set(_WORD.findall(chunk.text))
        counts.update(a for a in acronyms if a in words)
    best = max(sorted(acronyms), key=lambda a: counts[a])
    return f"What is {best}?"


class FacetCache:
    """Facets of the last assistant seen, one per clearance: they change only with the index."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._assistant: Assistant | None = None
        self._facets: dict[str, Facets] = {}

    def get(self, assistant: Assistant, clearance: str) -> Facets:
        with self._lock:
            if self._assistant is not assistant:
                self._assistant, self._facets = assistant, {}
            if clearance not in self._facets:
                self._facets[clearance] = facets_of(assistant.views.of(clearance), clearance)
            return self._facets[clearance]
