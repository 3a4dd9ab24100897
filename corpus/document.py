"""The data that flows from readers to the index: source text, page marks and chunks."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PageMark:
    """A page starts at `offset` in the document text and carries printed number `number`."""

    offset: int
    number: int


@dataclass(frozen=True)
class SourceText:
    """What a reader returns: the text that spans index into, and what the format knows of pages."""

    text: str
    pages: tuple[PageMark, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)
    # Text before this offset is not the paper's words (a Markdown file's front matter): it
    # stays in the text, so offsets are the file's, but is neither parsed nor chunked.
    body_start: int = 0

    @property
    def body(self) -> str:
        """The text with everything before body_start blanked (newlines kept), offsets unchanged."""
        if not self.body_start:
            return self.text
        head = self.text[:self.body_start]
        return "".join("\n" if ch == "\n" else " " for ch in head) + self.text[self.body_start:]


def page_at(pages: tuple[PageMark, ...], offset: int) -> int | None:
    """The printed page number at `offset`, or None when the reader found no pages."""
    if not pages:
        return None
    starts = [p.offset for p in pages]
    i = bisect.bisect_right(starts, offset) - 1
    return pages[max(i, 0)].number


@dataclass(frozen=True)
class Chunk:
    """A citable span of one document, with everything the structure parser knows about it.

    `text` is always exactly `document_text[start:end]`. `context` is what the indexer adds in
    front of the text so that a table row knows its header and a resolution knows its item; it
    is never part of the span.
    """

    source: str
    start: int
    end: int
    text: str
    kind: str
    title: str | None = None
    committee: str | None = None
    meeting_date: str | None = None
    pack_date: str | None = None
    item: str | None = None
    item_heading: str | None = None
    section: str | None = None
    page: int | None = None
    context: str = ""
    header: tuple[str, ...] = ()
    access: str = "public"

    @property
    def id(self) -> str:
        return f"{self.source}:{self.start}-{self.end}"

    @property
    def index_text(self) -> str:
        """The text the retrievers see: context first, then the span itself."""
        return f"{self.context}\n{self.text}" if self.context else self.text
