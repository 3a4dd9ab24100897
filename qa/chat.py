"""Follow-up questions: reading a short "And for the next quarter?" in the light of the turn before it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.answer import Turn

_FOLLOW_UP = re.compile(
    r"^\s*(and|or|but|also|what about|how about|same|then|so)\b|\b(it|its|that|this|they|them|those|these|he|she|there)\b",
    re.I,
)
_PERIOD = re.compile(r"\b(q[1-4]|qu(arter)?\s*[1-4]|(first|second|third|fourth) quarter|quarter (one|two|three|four)|year[- ]end|target)\b", re.I)


def is_follow_up(question: str, history: Sequence[Turn]) -> bool:
    return bool(history) and (len(question.split()) <= 6 or bool(_FOLLOW_UP.search(question)))


def contextualise(question: str, history: Sequence[Turn]) -> str:
    """The question to retrieve and extract with: a follow-up borrows the previous question's
    subject, while its own period ("Q4") replaces the one asked before."""
    if not is_follow_up(question, history):
        return question
    previous = history[-1].question
    if _PERIOD.search(question):
        previous = _PERIOD.sub(" ", previous)
    return f"{question} {previous}"
