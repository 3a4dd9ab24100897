"""Cutting each paper of a pack into citable chunks: minute items, resolutions, table rows, prose.

Every chunk's span is exact (`chunk.text == text[start:end]`) and stays inside its paper. What
a chunk needs to be found and understood – its paper, item, section, table header – goes into
`context`, which the retrievers read but citations never show as part of the span.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from corpus.dates import spoken
from corpus.document import Chunk, PageMark, page_at
from corpus.lines import Line, marked_heading, plain, shouting, split_lines
from corpus.sentences import sentences, strip_span
from corpus.structure import MINUTES_END, Part, split_pack
from corpus.tables import Row, is_table_line, parse_rows

MAX_WORDS = 110
RESOLUTION_MAX_WORDS = 260
OVERLAP_MAX_WORDS = 35
# A heading, or text of more words than this (not a page number), between two tables means the
# second is a table of its own, not the first running on over a page.
HEADER_GAP_WORDS = 3
_ITEM = re.compile(r"^(?:minute\s+)?(\d{1,4}(?:/\d{2,4})?)[.:)]?\s+(\S.{2,200})$", re.I)
_RESOLVED = re.compile(r"^(?:it was\s+)?(?:resolved|agreed|decision)\b", re.I)
_NUMBERED_HEADING = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z]")
# PDF conversion can glue the RESOLVED marker onto the item heading: "43 MINUTES ...MEETING**RESOLVED:**".
_GLUED_RESOLVED = re.compile(r"(?<=\S)(?:\*\*\s*(?:RESOLVED|AGREED)\s*:?|\s*(?:RESOLVED|AGREED)\s*:)\s*(?:\*\*)?\s*$")


@dataclass(frozen=True)
class Block:
    """Consecutive lines of one sort: a paragraph or a run of table lines."""

    lines: tuple[Line, ...]
    table: bool

    @property
    def start(self) -> int:
        return self.lines[0].start

    @property
    def end(self) -> int:
        return self.lines[-1].end

    @property
    def words(self) -> int:
        return sum(line.words for line in self.lines)


@dataclass
class Unit:
    """Where the parser is: item, heading, section and whether inside a RESOLVED block."""

    item: str | None = None
    item_heading: str | None = None
    section: str | None = None
    resolution: bool = False


def blocks_of(lines: list[Line]) -> Iterator[Block]:
    """Paragraphs and table runs; a single blank line inside a table does not end it."""
    current: list[Line] = []
    table = False
    for i, line in enumerate(lines):
        if line.blank:
            next_is_row = i + 1 < len(lines) and is_table_line(lines[i + 1])
            if table and next_is_row:
                continue
            if current:
                yield Block(tuple(current), table)
            current, table = [], False
            continue
        row = is_table_line(line)
        if current and row != table:
            yield Block(tuple(current), table)
            current = []
        current.append(line)
        table = row
    if current:
        yield Block(tuple(current), table)


def is_heading(block: Block) -> bool:
    if block.table or len(block.lines) > 2:
        return False
    line = block.lines[0]
    text = line.plain
    if not text or len(text.split()) > 14 or text.endswith((".", ",", ";", ":")) and not _RESOLVED.match(text):
        return False
    if marked_heading(line.raw) or shouting(text):
        return True
    return bool(_NUMBERED_HEADING.match(text)) and len(text.split()) <= 8


def _headings_apart(blocks: Iterator[Block]) -> Iterator[Block]:
    """A heading with a line of prose straight under it ("3. Any other business" over "RESOLVED
    that ...", common in PDF text) is two blocks: the heading names the section, the line is
    content and must not be lost with it."""
    for block in blocks:
        rest = Block(block.lines[1:], False)
        if len(block.lines) == 2 and is_heading(block) and not is_heading(rest):
            yield Block(block.lines[:1], False)
            yield rest
        else:
            yield block


# Minutes printed without blank lines between items still open each item on a line of its own:
# "2532. Planning Permissions: Update on ..." (number, a short title, a colon), or a motion's
# number with its mover and seconder, "R2024-229 S. Kirkey, J. Scott:".
_INLINE_ITEM = re.compile(r"^(\d{1,4})\.\s+([A-Z][\w'’&/-]*(?:\s+[\w'’&/-]+){0,5}):\s")
_MOTION_LINE = re.compile(
    r"^([A-Z]{0,3}\d{2,4}[-/.]\d+)\s+((?:[A-Z]\.\s*)*[A-Z][A-Za-z'’-]+,\s*(?:[A-Z]\.\s*)*[A-Z][A-Za-z'’-]+)\s*[:;]\s*$")


def _items_apart(blocks: list[Block], part_kind: str) -> Iterator[Block]:
    """In minutes, a paragraph holding several items or motions is one block per item."""
    for block in blocks:
        if part_kind != "minutes" or block.table:
            yield block
            continue
        opens = [i for i, line in enumerate(block.lines)
                 if i and (_INLINE_ITEM.match(line.plain) or _MOTION_LINE.match(line.plain))]
        for a, b in zip([0, *opens], [*opens, len(block.lines)]):
            yield Block(block.lines[a:b], False)


def is_title_line(block: Block, following: list[Block]) -> bool:
    """A short plain line standing alone over a paragraph of prose reads as a section title
    ("Wilmslow, Knutsford & Poynton locality"), though it is neither bold nor capitals."""
    if block.table or len(block.lines) != 1 or not following or following[0].table:
        return False
    text = block.lines[0].plain
    if not 1 <= len(text.split()) <= 7 or not text[:1].isupper() or text.endswith((".", ",", ";", ":", "?", "!")):
        return False
    if re.search(r"\d", text) or _LIST_MARK.match(block.lines[0].raw) or _SALUTATION.match(text):
        return False
    body = " ".join(line.plain for line in following[0].lines)
    return following[0].words >= 12 and body.rstrip().endswith((".", ":"))


_SALUTATION = re.compile(r"^(?:dear|yours|kind regards|best wishes|regards)\b", re.I)
_LIST_MARK = re.compile(r"^\s*(?:[-•*]\s|\(?[a-z]\)\s|\(?[ivx]{1,4}\)\s)")


def item_of(block: Block, part_kind: str) -> tuple[str, str] | None:
    """(number, heading) when the block opens a numbered minute or agenda item."""
    if part_kind not in ("minutes", "agenda") or block.table:
        return None
    raw = block.lines[0].raw.strip()
    inline = _INLINE_ITEM.match(plain(raw)) or _MOTION_LINE.match(plain(raw))
    if inline and part_kind == "minutes":
        return inline[1], inline[2]
    m = _ITEM.match(plain(_GLUED_RESOLVED.sub("", raw)))
    if not m or m[2].endswith("."):
        return None
    heading = re.sub(r"\s*\(pages?\s[\d\s–-]+\)\s*$", "", m[2], flags=re.I)
    marked = "**" in raw or raw.startswith("#")
    return (m[1], heading) if shouting(heading, min_letters=1) or marked else None


class Chunker:
    """Turns one pack (text + page marks) into chunks, paper by paper."""

    def __init__(self, source: str, text: str, pages: tuple[PageMark, ...] = (),
                 meta: dict[str, str] | None = None) -> None:
        self.source = source
        self.text = text
        self.pages = pages
        self.meta = meta or {}

    def chunks(self) -> list[Chunk]:
        out: list[Chunk] = []
        for part in split_pack(self.text):
            out.extend(self._part_chunks(self._corrected(part)))
        return out

    def _corrected(self, part: Part) -> Part:
        """Apply what a sidecar says over what the parser found."""
        fixed: dict[str, Any] = {k: self.meta[k] for k in ("committee", "meeting_date", "kind") if self.meta.get(k)}
        if not part.title and self.meta.get("title"):
            fixed["title"] = self.meta["title"]
        return replace(part, **fixed) if fixed else part

    def _part_chunks(self, part: Part) -> Iterator[Chunk]:
        unit = Unit()
        pending: list[Block] = []
        header: tuple[str, ...] = ()
        caption: str | None = None
        blocks = list(_items_apart(list(_headings_apart(blocks_of(split_lines(self.text, part.start, part.end)))),
                                   part.kind))
        for n, block in enumerate(blocks):
            if part.kind not in ("minutes", "agenda") and is_title_line(block, blocks[n + 1:n + 2]):
                yield from self._prose(part, unit, pending)
                pending = []
                unit = Unit(unit.item, unit.item_heading, block.lines[0].plain, unit.resolution)
                caption = block.lines[0].plain
                pending = [block]  # the title opens its section's first chunk
                header = ()
                continue
            item = item_of(block, part.kind)
            first = block.lines[0].plain
            starts_resolution = part.kind == "minutes" and (
                _RESOLVED.match(first) or _MOTION_LINE.match(first)
                or item is not None and _GLUED_RESOLVED.search(block.lines[0].raw))
            closing = part.kind == "minutes" and MINUTES_END.search(first)
            # A bare item heading is kept to open its RESOLVED chunk rather than stand alone.
            heading_only = bool(pending) and sum(b.words for b in pending) <= 15 and unit.item is not None
            keep_heading = bool(starts_resolution) and heading_only and not unit.resolution and not item
            if not keep_heading and (item or is_heading(block) or block.table or starts_resolution or closing):
                yield from self._prose(part, unit, pending)
                pending = []
            if closing:
                unit = Unit(section="Close of meeting")
                pending.append(block)
            elif item:
                unit = Unit(item=item[0], item_heading=item[1], resolution=bool(starts_resolution))
                pending.append(block)
            elif starts_resolution:
                unit = Unit(unit.item, unit.item_heading, unit.section, resolution=True)
                pending.append(block)
            elif block.table:
                rows, header = parse_rows(list(block.lines), header)
                yield from self._rows(part, unit, rows, caption)
            elif is_heading(block):
                unit = Unit(unit.item, unit.item_heading, block.lines[0].plain, unit.resolution)
                caption = block.lines[0].plain
            else:
                pending.append(block)
                caption = block.lines[-1].plain if block.words <= 25 else caption
            if not block.table and (block.words > HEADER_GAP_WORDS or is_heading(block)):
                header = ()  # a table over a page goes on under its header; one after a heading or prose has its own
        yield from self._prose(part, unit, pending)

    def _prose(self, part: Part, unit: Unit, blocks: list[Block]) -> Iterator[Chunk]:
        if not blocks:
            return
        kind = "resolution" if unit.resolution else _prose_kind(part.kind)
        limit = RESOLUTION_MAX_WORDS if unit.resolution else MAX_WORDS
        for start, end in _windows(self.text, blocks, limit):
            alone = (end - start) * 2 > part.end - part.start  # the paper is little more than this
            if alone or not _only_title(self.text[start:end], part.title):
                yield self._chunk(part, unit, start, end, kind)

    def _rows(self, part: Part, unit: Unit, rows: list[Row], caption: str | None) -> Iterator[Chunk]:
        for row in rows:
            label = " | ".join(h for h in row.header if h)
            extra = "; ".join(x for x in (caption, row.group, f"Columns: {label}" if label else None) if x)
            yield self._chunk(part, unit, row.start, row.end, "table", extra, row.header)

    def _chunk(self, part: Part, unit: Unit, start: int, end: int, kind: str,
               extra: str = "", header: tuple[str, ...] = ()) -> Chunk:
        start, end = strip_span(self.text, start, end)
        item = f"Minute {unit.item} {unit.item_heading}" if unit.item and part.kind == "minutes" else (
            f"Item {unit.item} {unit.item_heading}" if unit.item else "")
        context = " · ".join(x for x in (
            part.title, part.committee, spoken(part.meeting_date), item,
            unit.section if unit.section != unit.item_heading else None, extra) if x)
        return Chunk(
            source=self.source, start=start, end=end, text=self.text[start:end], kind=kind,
            title=part.title, committee=part.committee, meeting_date=part.meeting_date,
            pack_date=part.pack_date, item=unit.item, item_heading=unit.item_heading,
            section=unit.section, page=page_at(self.pages, start), context=context, header=header,
        )


def _only_title(text: str, title: str | None) -> bool:
    """A window that only repeats its paper's title: every chunk of the paper carries the
    title in its context already, and alone it would outrank the paper's content."""
    words = plain(" ".join(text.split())).casefold()
    if not title or len(words.split()) > 16 or words.rstrip().endswith((".", "!", "?", ";", ":")):
        return False
    return words in plain(title).casefold()


def _prose_kind(part_kind: str) -> str:
    return part_kind if part_kind in ("agenda", "minutes", "report", "appendix") else "report"


def _pieces(text: str, blocks: list[Block], limit: int) -> Iterator[tuple[int, int, int]]:
    """(start, end, words) of paragraphs, with paragraphs over `limit` cut at sentence ends."""
    for block in blocks:
        if block.words <= limit:
            yield block.start, block.end, block.words
            continue
        body = text[block.start:block.end]
        for a, b in sentences(body):
            yield block.start + a, block.start + b, len(body[a:b].split())


def _windows(text: str, blocks: list[Block], limit: int) -> Iterator[tuple[int, int]]:
    """Greedy windows of whole paragraphs/sentences up to `limit` words, with a short overlap."""
    window: list[tuple[int, int, int]] = []
    for piece in _pieces(text, blocks, limit):
        if window and sum(w for _, _, w in window) + piece[2] > limit:
            yield window[0][0], window[-1][1]
            tail = window[-1]
            window = [tail] if tail[2] <= OVERLAP_MAX_WORDS and tail[2] + piece[2] <= limit else []
        window.append(piece)
    if window:
        yield window[0][0], window[-1][1]
