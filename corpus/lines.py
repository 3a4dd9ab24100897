"""Lines of a document with their offsets, and the light clean-up used to read them."""

from __future__ import annotations

import re
from dataclasses import dataclass

_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+)?(?:[*_]{2})?\s*|\s*(?:[*_]{2})?\s*$")
_INLINE = re.compile(r"\*\*|__|</?(?:sup|sub|b|i|u|em|strong|br)\s*/?>", re.I)


@dataclass(frozen=True)
class Line:
    """One line of the text; `start`/`end` exclude the newline."""

    start: int
    end: int
    raw: str

    @property
    def plain(self) -> str:
        """The line without markdown emphasis, heading marks or inline HTML tags."""
        return plain(self.raw)

    @property
    def blank(self) -> bool:
        return not self.raw.strip()

    @property
    def is_row(self) -> bool:
        """A tab-separated table row (at least two non-empty cells)."""
        if "\t" not in self.raw:
            return False
        return sum(1 for cell in self.raw.split("\t") if cell.strip()) >= 2

    @property
    def words(self) -> int:
        return len(self.raw.split())


def plain(text: str) -> str:
    """Strip markdown heading/emphasis marks and inline tags, collapse spaces."""
    text = _INLINE.sub("", _MARKUP.sub("", text))
    return " ".join(text.split())


def shouting(text: str, min_letters: int = 4) -> bool:
    """Mostly capitals ("REGULATION 33 BI-ANNUAL REPORT"): how papers print headings."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= min_letters and sum(c.isupper() for c in letters) / len(letters) > 0.8


def marked_heading(raw: str) -> bool:
    """A markdown heading or a line wholly in bold."""
    raw = raw.strip()
    return raw.startswith("#") or raw.startswith("**") and raw.endswith("**")


def split_lines(text: str, offset: int = 0, end: int | None = None) -> list[Line]:
    """Split `text[offset:end]` into lines that know their absolute offsets."""
    end = len(text) if end is None else end
    lines: list[Line] = []
    pos = offset
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        raw = text[pos:stop]
        # Keep a trailing '\r' out of the span so citations never end in it.
        trimmed = stop - 1 if raw.endswith("\r") else stop
        lines.append(Line(pos, trimmed, text[pos:trimmed]))
        pos = stop + 1
    return lines
