"""What kind of thing a question asks for (a person, a date, a time, a place, a sum of money, a
number), and whether a candidate answer names one the question does not already name.

A sentence that restates the question ("the request for a donation of £100 to the service") is
near it in words but answers nothing; the one that says who proposed it names a person the
question does not. These are the selector's answer-type features (qa/candidates.py); they say
nothing about any paper, only about how English questions ask and how papers write the answer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence, Set
from functools import lru_cache

from index.tokenize import tokenize

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")

# The first that matches names the type; "what time" before "when", money before plain numbers.
_ASKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("time", re.compile(r"\b(?:what|which|at what) time\b|\bhow late\b|\bwhat hour\b", re.I)),
    ("date", re.compile(r"\bwhen\b|\bwhat (?:date|day|year|month)\b|\bwhich (?:date|day|year|month|meeting)\b"
                        r"|\bhow long ago\b|\bdeadline\b", re.I)),
    ("place", re.compile(r"\bwhere\b|\bwhich (?:venue|room|building|location|site|town|village|area|ward|school)\b"
                         r"|\bwhat (?:venue|location|address)\b", re.I)),
    ("money", re.compile(r"\bhow much\b|\bcost\b|\bbudget\b|\bgrant\b|\bfunding\b|\bspend\b|\bsalary\b|\bpaid\b"
                         r"|\boverspend\b|\bsavings?\b|\b(?:what|which) (?:sum|amount)\b|\bprice\b", re.I)),
    ("number", re.compile(r"\bhow (?:many|often|long|big)\b|\bwhat (?:percentage|proportion|number|rate|share|"
                          r"level|figure|score|target|total)\b|\bper ?cent\b|%|\baverage\b|\bcount\b", re.I)),
    ("person", re.compile(r"\bwho(?:m|se)?\b|\bwhich (?:\w+ )?(?:councillors?|members?|officers?|person|people|"
                          r"chair(?:man|person)?|director|mayor|clerk)\b|\bname of\b|\bby whom\b", re.I)),
)

_TITLE = (r"(?:Cllrs?|Councillors?|Mr|Mrs|Ms|Miss|Dr|Prof(?:essor)?|Sir|Dame|Lord|Lady|Rev(?:erend)?|"
          r"(?:Deputy )?Mayor)\.?")
_NAMES: dict[str, re.Pattern[str]] = {
    "person": re.compile(rf"\b{_TITLE}\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?"
                         r"|\b[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+(?:Mc|Mac|O['’]|De|Van)?[A-Z][a-z]{2,}\b"
                         r"|\b[A-Z]\.\s?[A-Z][a-z]{2,}\b"),
    "date": re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\b|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
                       rf"|\b{_MONTH}\s+\d{{4}}\b|\b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}\b|\b(?:19|20)\d{{2}}\b"
                       r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.I),
    "time": re.compile(r"\b\d{1,2}(?:[.:]\d{2})?\s*(?:[ap]\.?m\b\.?|noon|o'clock)|\b\d{1,2}:\d{2}\b"
                       r"|\bnoon\b|\bmidday\b", re.I),
    "place": re.compile(r"\b(?:at|in)\s+(?:the\s+)?[A-Z][\w'’]+|\b(?:Chamber|Hall|Room|Centre|Center|House|Quay|"
                        r"Street|Road|Library|Offices?|Building|School|Church|Park|Square|Lane|Avenue|Court)\b"),
    "money": re.compile(r"[£$€]\s?\d[\d,.]*(?:\s?(?:k|m|bn|million|billion)\b)?"
                        r"|\d[\d,.]*\s?(?:pounds|dollars|euros|k\b|m\b|bn\b|million|billion)", re.I),
    "number": re.compile(r"\d[\d,.]*%?|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
                         r"forty|fifty|hundred|half|none|nil|unanimous(?:ly)?)\b", re.I),
}
# Words of a match that say what it is, not which one: a title before a name, "at"/"in" before a place.
_FRAME = frozenset(tokenize("cllr cllrs councillor councillors mr mrs ms miss dr at in the"))


def asked_type(question: str) -> str | None:
    """The kind of answer the question asks for, or None when it asks for none of these."""
    return next((kind for kind, pattern in _ASKS if pattern.search(question)), None)


def names_new(kind: str, text: str, known: Iterable[str]) -> bool:
    """Whether `text` names a thing of this kind with a word not among `known` (the question's
    tokens): the date, person or figure the question asks for, not the one it gives."""
    known = set(known)
    for match in _NAMES[kind].finditer(text):
        words = [t for t in tokenize(match.group(0)) if t not in _FRAME]
        if any(t not in known for t in words):
            return True
    return False


def new_share(tokens: Sequence[str], known: Set[str]) -> float:
    """The share of a candidate's tokens the question does not have (0 for one that only echoes it)."""
    return sum(1 for t in tokens if t not in known) / len(tokens) if tokens else 0.0


_WH = re.compile(r"\b(who|whom|whose|when|where|why|how many|how much|how often|how|which|what)\b", re.I)


def question_class(question: str, own: str | None = None) -> str:
    """The asked type and the question word ("person|who", "none|what"): what the selector's
    word model (qa/selector.py) pairs with a candidate's words and word shapes."""
    text = own or question
    kind = asked_type(text) or (asked_type(question) if own else None)
    wh = _WH.search(text) or (_WH.search(question) if own else None)
    return f"{kind or 'none'}|{wh.group(1).lower() if wh else '-'}"


_DIGIT, _LOWER, _UPPER, _RUN = re.compile(r"\d"), re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"(.)\1+")


@lru_cache(maxsize=100_000)
def shapes(text: str) -> frozenset[str]:
    """The shapes of a text's words: digits as 9, lower-case letters as a, capitals as A, runs
    folded ("£42,128" -> "£9,9", "Cllr" -> "Aa", "(b)" -> "(a)")."""
    out = set()
    for word in text.split():
        shape = _UPPER.sub("A", _LOWER.sub("a", _DIGIT.sub("9", word)))
        out.add(_RUN.sub(r"\1", shape))
    return frozenset(out)



@lru_cache(maxsize=100_000)
def common_words(text: str) -> tuple[str, ...]:
    """The tokens of a text's words written in lower case: council English ("resolved",
    "seconded"), not the names, codes and figures of one council's papers, which a word model
    fitted on a few councils must not learn (their shapes it may). A capitalised word that
    opens a line before a lower-case one ("Proposed by") is a common word too; a name opening
    a line is followed by another ("Kent County Council", "Cllr Evans")."""
    found = _OPENING.findall(text) + _COMMON.findall(text)
    return tuple(dict.fromkeys(tokenize(" ".join(found).lower())))


_COMMON = re.compile(r"(?<![\w'’-])[a-z][a-z'’-]*[a-z](?![\w'’-])")
_OPENING = re.compile(r"^[^\w\n]*([A-Z][a-z]+)(?=[ ,:]+[a-z])", re.M)


def word_keys(question_class: str, text: str, known: Set[str]) -> tuple[str, ...]:
    """A candidate's keys for the word model: each of its common words the question does not
    have and each word shape, alone and paired with the question's class ("person|who×s:Aa")."""
    plain = [f"w:{t}" for t in common_words(text) if t not in known]
    plain += [f"s:{s}" for s in sorted(shapes(text))]
    return tuple(plain + [f"{question_class}×{k}" for k in plain])
