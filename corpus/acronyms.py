"""Acronyms defined by the papers themselves: "Children in Care Council (CICC)"."""

from __future__ import annotations

import re
from collections import Counter

_DEFINED = re.compile(
    r"((?:[A-Z][\w'’-]*|of|and|for|the|in|on|&)(?:[ \t]+(?:[A-Z][\w'’-]*|of|and|for|the|in|on|&)){1,9})"
    r"[ \t]*\(([A-Z][A-Za-z&]{1,9})\)"
)
_SMALL = {"of", "and", "for", "the", "in", "on", "&"}


def _expansion(words: list[str], acronym: str) -> str | None:
    """The shortest tail of `words` whose initials spell the acronym (small words optional)."""
    letters = [c for c in acronym.upper() if c.isalpha()]
    letters = letters[:-1] if acronym.endswith("s") and len(letters) > 2 else letters
    for size in range(1, min(len(words), 10) + 1):
        tail = words[-size:]
        if tail[0].lower() in _SMALL:
            continue
        initials = [w[0].upper() for w in tail if w.lower() not in _SMALL]
        full = [w[0].upper() for w in tail]
        if initials == letters or full == letters:
            return " ".join(tail)
    return None


def find_acronyms(texts: list[str]) -> dict[str, str]:
    """Acronym -> its most common expansion across the texts."""
    seen: dict[str, Counter[str]] = {}
    for text in texts:
        for m in _DEFINED.finditer(text):
            expansion = _expansion(m[1].split(), m[2])
            if expansion:
                seen.setdefault(m[2], Counter())[expansion] += 1
    return {acronym: counts.most_common(1)[0][0] for acronym, counts in seen.items()}
