"""Turning what a person typed into what the retrievers should look for."""

from __future__ import annotations

import re

from index.tokenize import tokenize

_WORD = re.compile(r"\b[A-Za-z][A-Za-z&]{1,9}\b")


def expand(question: str, acronyms: dict[str, str]) -> str:
    """The question plus the papers' own expansions of acronyms it uses, and the reverse."""
    additions: list[str] = []
    for token in dict.fromkeys(_WORD.findall(question)):
        key = token if token in acronyms else token.upper()
        if key in acronyms and (token == key or len(token) >= 3):
            additions.append(acronyms[key])
    lowered = question.lower()
    for acronym, expansion in acronyms.items():
        if len(expansion.split()) >= 2 and expansion.lower() in lowered:
            additions.append(acronym)
    return " ".join([question, *dict.fromkeys(additions)])


def query_tokens(question: str, acronyms: dict[str, str]) -> list[str]:
    return tokenize(expand(question, acronyms))
