"""Access levels of documents: `public`, or `exempt` (Local Government Act 1972, Schedule 12A).

A document's level comes from its sidecar (`"access": "exempt"` in NAME.meta.json, or in the
folder's clerk.meta.json). With no sidecar setting, a paper that says of itself that it is exempt
– "NOT FOR PUBLICATION", a "Part 2" / "Exempt" / "Confidential" banner, or "by virtue of
paragraph 3 of Part 1 of Schedule 12A" in its opening lines – is held as exempt: a suggestion
that fails closed, which an officer overrides with `"access": "public"`. The agenda boilerplate
"Part 2 items will be considered in the absence of the public and press" says nothing of the
paper it is in, and is not read as exempt. Pure: takes text and metadata, returns levels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PUBLIC = "public"
EXEMPT = "exempt"
LEVELS = (PUBLIC, EXEMPT)  # each level sees itself and the levels before it
ACCESS_KEY = "access"
SUGGESTED_KEY = "access_suggested"  # meta: why the paper was held as exempt
OPENING_LINES = 15
OPENING_CHARS = 3000

_BANNER = re.compile(
    r"^(?:part\s*(?:2|ii|two)\b(?!\s*items)|exempt\b|confidential\b|restricted\b|not for publication\b)"
    r"(?!.*\b(?:presence of|with) the (?:public|press)\b)",
    re.IGNORECASE,
)
_NOT_FOR_PUBLICATION = re.compile(r"\bnot\s+for\s+publication\b", re.IGNORECASE)
_SCHEDULE_12A = re.compile(r"\bschedule\s*12\s*a\b", re.IGNORECASE)
# Sentences that name Schedule 12A about excluding the public from some other item.
_EXCLUSION = re.compile(r"\b(?:exclu(?:de|ded|sion)|absence of the (?:public|press))\b", re.IGNORECASE)
_MARKUP = re.compile(r"^[\s#*_>|-]+|[\s*_|]+$")
# Cover-sheet fields that answer the question in the negative: "Exempt/Confidential: No".
_ANSWERED_NO = re.compile(r"(?:[:?–—-]|\t)\s*(?:no|none|nil|n/?a|not applicable|open|public)\b[.\s]*$", re.IGNORECASE)
_CALL_IN = re.compile(r"\bcall[- ]?in\b", re.IGNORECASE)


def level_of(value: object) -> str:
    """The level a sidecar value names; an unknown value is read as exempt (fail closed)."""
    text = str(value or "").strip().casefold()
    if text in ("", PUBLIC):
        return PUBLIC
    return EXEMPT


def may_see(clearance: str, level: str) -> bool:
    """Whether a viewer with `clearance` may see material of `level`."""
    rank = {name: i for i, name in enumerate(LEVELS)}
    return rank.get(level, len(LEVELS)) <= rank.get(clearance, 0)


def _opening(text: str) -> list[str]:
    lines: list[str] = []
    for raw in text[:OPENING_CHARS].splitlines():
        line = _MARKUP.sub("", raw).strip()
        if line:
            lines.append(line)
        if len(lines) >= OPENING_LINES:
            break
    return lines


def exemption_in(text: str, starts: Iterable[int] = (0,)) -> str | None:
    """The words by which a paper says it is exempt, looking at the opening lines of the text
    from each offset in `starts` (the papers of a pack); None when none says so."""
    for start in starts:
        for line in _opening(text[start:]):
            if _ANSWERED_NO.search(line) or _CALL_IN.search(line):
                continue
            if _BANNER.match(line) or _NOT_FOR_PUBLICATION.search(line):
                return line[:120]
            if _SCHEDULE_12A.search(line) and not _EXCLUSION.search(line):
                return line[:120]
    return None


def access_of(meta: dict[str, str], text: str, starts: Iterable[int] = (0,)) -> tuple[str, str | None]:
    """(level, reason): the sidecar's level if it sets one, else exempt when the paper says so."""
    if ACCESS_KEY in meta:
        return level_of(meta[ACCESS_KEY]), None
    said = exemption_in(text, starts)
    return (EXEMPT, said) if said else (PUBLIC, None)
