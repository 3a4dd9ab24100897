"""Acronyms defined by the papers themselves: "Children in Care Council (CICC)"."""

from __future__ import annotations

import re
from collections import Counter

_WORD = r"(?:[A-Z][\w'’-]*|of|and|for|the|in|on|&)"
# An acronym in brackets, then the words before it that may spell it. Looking for the brackets
# first and reading backwards from them is ~20x faster than trying every capital as a start.
_BRACKETED = re.compile(r"\(([A-Z][A-Za-z&]{1,9})\)")
# Words may wrap onto the next printed line, or be joined by slashes ("Red/Amber/Green (RAG)").
_NAMED = re.compile(rf"({_WORD}(?:(?:[ \t]*\n[ \t]*|[ \t]+|/){_WORD}){{1,9}})[ \t]*$")
_BETWEEN = re.compile(r"[\s/]+")
_REACH = 400  # characters before the brackets: ten long words
_SMALL = {"of", "and", "for", "the", "in", "on", "&"}


def _spells(letters: str, words: list[str]) -> bool:
    """Whether the words spell the acronym: every word gives its initial, and may give more
    letters from inside it ("Health & WellBeing Board" -> HWBB, "Multi-Systemic" -> MS)."""
    if not words:
        return not letters
    if not letters:
        return all(w.lower() in _SMALL for w in words)
    word = words[0]
    if word.lower() in _SMALL:
        return _spells(letters, words[1:]) or (letters[0] == word[0].upper() and _spells(letters[1:], words[1:]))
    if letters[0] != word[0].upper():
        return False
    rest = [p for p in re.split(r"[-‐]", word)[1:] if p]
    inner = [p[0].upper() for p in rest]
    for take in range(len(inner), -1, -1):
        if "".join(inner[:take]) == letters[1:1 + take] and _spells(letters[1 + take:], words[1:]):
            return True
    # One more letter from inside the word, as in WellBeing -> W, B.
    for i, ch in enumerate(word[1:], 1):
        if len(letters) > 1 and ch.upper() == letters[1] and word[i - 1].isalpha() and ch.isalpha():
            if _spells(letters[2:], words[1:]):
                return True
    return False


def _expansion(words: list[str], acronym: str) -> str | None:
    """The tail of `words` that spells the acronym: one whose words give just their initials
    ("County Council Network", not "Council Network" with a C from inside "Council") if there
    is one, else the shortest."""
    letters = "".join(c for c in acronym.upper() if c.isalpha())
    letters = letters[:-1] if acronym.endswith("s") and len(letters) > 2 else letters
    tails = [words[-size:] for size in range(1, min(len(words), 10) + 1)]
    spelt = [t for t in tails if t[0].lower() not in _SMALL and _spells(letters, t)]
    initials = [t for t in spelt if "".join(w[0].upper() for w in t if w.lower() not in _SMALL) == letters]
    best = (initials or spelt or [None])[0]
    return " ".join(best) if best else None


def find_acronyms(texts: list[str]) -> dict[str, str]:
    """Acronym -> its most common expansion across the texts."""
    seen: dict[str, Counter[str]] = {}
    for text in texts:
        for m in _BRACKETED.finditer(text):
            named = _NAMED.search(text, max(0, m.start() - _REACH), m.start())
            expansion = _expansion(_BETWEEN.split(named[1]), m[1]) if named else None
            if expansion:
                seen.setdefault(m[1], Counter())[expansion] += 1
    return {acronym: counts.most_common(1)[0][0] for acronym, counts in seen.items()}
