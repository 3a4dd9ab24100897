"""Result types handed from the assistant to the CLI, the web layer and the evaluator."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from corpus.access import PUBLIC, may_see
from corpus.document import Chunk


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation, oldest first in a history."""

    question: str
    answer: str | None = None


@dataclass(frozen=True)
class Filters:
    """Restrictions applied inside retrieval; every field is optional.

    `clearance` is the access level of whoever asks, not a restriction they choose: the default
    sees public material only, and only the web layer's sign-in raises it.
    """

    committee: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    kind: str | None = None
    clearance: str = PUBLIC

    def admits(self, chunk: Chunk) -> bool:
        if not may_see(self.clearance, chunk.access):
            return False
        if self.committee and (chunk.committee or "").casefold() != self.committee.casefold():
            return False
        if self.kind and chunk.kind != self.kind:
            return False
        date = chunk.meeting_date or chunk.pack_date
        if self.date_from and (date is None or date < self.date_from):
            return False
        if self.date_to and (date is None or date > self.date_to):
            return False
        return True

    @property
    def empty(self) -> bool:
        """No restriction chosen (the clearance is not one)."""
        return not (self.committee or self.date_from or self.date_to or self.kind)


@dataclass(frozen=True)
class Citation:
    """A ranked extract: a span of one ingested document with its provenance."""

    source: str
    start: int
    end: int
    text: str
    page: int | None
    title: str | None
    committee: str | None
    meeting_date: str | None
    kind: str
    score: float
    item: str | None = None
    item_heading: str | None = None
    section: str | None = None
    pack_date: str | None = None
    highlight: tuple[int, int] | None = None
    access: str = PUBLIC

    @classmethod
    def of(cls, chunk: Chunk, score: float) -> Citation:
        return cls(
            source=chunk.source, start=chunk.start, end=chunk.end, text=chunk.text,
            page=chunk.page, title=chunk.title, committee=chunk.committee,
            meeting_date=chunk.meeting_date, kind=chunk.kind, score=round(float(score), 4),
            item=chunk.item, item_heading=chunk.item_heading, section=chunk.section,
            pack_date=chunk.pack_date, access=chunk.access,
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["highlight"] = list(self.highlight) if self.highlight else None
        return data


@dataclass(frozen=True)
class Answer:
    """The answer object of the contract; `answer` is a substring of `citations[0].text`."""

    question: str
    answer: str | None
    answerable: bool
    confidence: float
    citations: tuple[Citation, ...] = ()
    took_ms: float = 0.0
    id: Any = None
    extras: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "answer": self.answer,
            "answerable": self.answerable,
            "confidence": round(self.confidence, 3),
            "citations": [c.to_json() for c in self.citations],
            "took_ms": round(self.took_ms, 1),
            **self.extras,
        }
