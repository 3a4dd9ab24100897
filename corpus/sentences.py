"""Sentence spans inside a text: what answers are cut from and what gets its own vector."""

from __future__ import annotations

import re
from collections.abc import Iterator

# A sentence ends at . ! ? followed by space and a capital, digit, quote or bullet; "6.1",
# "e.g. the" and "'...it was" do not end one. Lines always end one.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[A-Z0-9\"'“‘(•*-])")


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """Spans of sentences; a line break always ends one (list items, headings, names)."""
    pos = 0
    for line in text.split("\n"):
        cuts = [0] + [m.end() for m in _SENTENCE_END.finditer(line)] + [len(line)]
        for a, b in zip(cuts, cuts[1:]):
            start, end = strip_span(text, pos + a, pos + b)
            if end - start > 1:
                yield start, end
        pos += len(line) + 1
