"""What kind of thing a question asks for (a person, a date, a time, a place, a sum of money, a
number), and whether a candidate answer names one the question does not already name.

A sentence that restates the question ("the request for a grant to the village show") is near
it in words but answers nothing; the one that says who proposed the grant names a person the
question does not. These are the selector's answer-type features (qa/candidates.py), and the
keys of its word model; they say nothing about any paper, only about how English questions ask
and how papers write the answer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence, Set
from functools import lru_cache

from index.tokenize import tokenize

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")

# The question's own words for what it asks: the earliest in the question decides ("who
# seconded the budget amendment?" asks for a person, "how much was spent when ...?" a sum).
_ASKING: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("time", re.compile(r"\b(?:what|which|at what) time\b|\bhow late\b|\bwhat hour\b", re.I)),
    ("person", re.compile(r"\bwho(?:m|se)?\b|\bby whom\b", re.I)),
    ("date", re.compile(r"\bwhen\b|\b(?:what|which) (?:date|day|year|month)\b|\bhow long ago\b", re.I)),
    ("place", re.compile(r"\bwhere\b", re.I)),
    # "how much time" and "by how much did it improve" ask for a number, not a sum
    ("number", re.compile(r"\bby how much\b|\bhow much (?:time|notice|longer|shorter|worse|better|higher|"
                          r"lower|more|less)\b", re.I)),
    ("money", re.compile(r"\bhow much\b|\b(?:what|which) (?:sum|amount|price)\b", re.I)),
    ("number", re.compile(r"\bhow (?:many|often|long|big)\b|\bwhat (?:percentage|proportion|number|rate|share|"
                          r"level|figure|score|target|total)\b", re.I)),
)
# Without such words, what the question is about: the first that matches.
_ABOUT: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("person", re.compile(r"\bwhich (?:\w+ )?(?:councillors?|members?|officers?|person|people|"
                          r"chair(?:man|person)?|director|mayor|clerk)\b", re.I)),
    ("date", re.compile(r"\bwhich meeting\b|\bdeadline\b", re.I)),
    ("place", re.compile(r"\b(?:which|what) (?:venue|room|building|location|site|address)\b", re.I)),
    ("money", re.compile(r"\bcost\b|\bbudget\b|\bgrant\b|\bfunding\b|\bspend\b|\bsalary\b|\bpaid\b"
                         r"|\boverspend\b|\bsavings?\b|\bprice\b", re.I)),
    ("number", re.compile(r"\bper ?cent\b|%|\baverage\b|\bcount\b", re.I)),
)

_TITLE = (r"(?:Cllrs?|Councillors?|Mr|Mrs|Ms|Miss|Dr|Prof(?:essor)?|Sir|Dame|Lord|Lady|Rev(?:erend)?|"
          r"(?:Deputy )?Mayor)\.?")
# Capitalised words that name bodies and papers, not people: "the Finance Committee" is no name.
_BODIES = (r"(?:Council|Committee|County|Cabinet|Board|Panel|Appendix|Agenda|Item|Report|Minutes|Group|"
           r"Service|Services|Team|Department|Directorate|Authority|Trust|Partnership|Policy|Plan|Strategy)")
_OPENERS = (r"(?:The|This|That|These|Those|A|An|In|On|At|For|Of|To|By|From|With|And|But|All|Any|Each|Our|"
            r"Its|Their)")
_NAMES: dict[str, re.Pattern[str]] = {
    # a title and a name, initials allowed ("Councillor A Kolker"); a name; initials and a
    # surname ("JA Hall", "C. Bell"; a lone "A" or "I" is a word, not an initial)
    "person": re.compile(rf"\b{_TITLE}[ \t]+(?:[A-Z]{{1,3}}\.?[ \t]?){{0,3}}[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+)?"
                         rf"|\b(?!{_BODIES}\b|{_OPENERS}\b)[A-Z][a-z]+(?:[ \t]+[A-Z]\.)?[ \t]+(?:Mc|Mac|O['’]|De|Van)?"
                         rf"(?!{_BODIES}\b)[A-Z][a-z]{{2,}}\b"
                         r"|\b[A-Z]\.[ \t]?[A-Z][a-z]{2,}\b"
                         rf"|\b(?![AI][ \t])[A-Z]{{1,2}}[ \t]+(?!{_BODIES}\b|{_OPENERS}\b)(?:Mc|Mac|O['’])?[A-Z][a-z]{{2,}}\b"),
    "date": re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\b|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
                       rf"|\b{_MONTH}\s+\d{{4}}\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b|\b\d{{1,2}}\.\d{{1,2}}\.\d{{4}}\b"
                       r"|\b(?:in|since|by|until|from|during) (?:19|20)\d{2}\b|\b(?:19|20)\d{2}[/-]\d{2}\b"
                       r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
                       # 20.09.10; a month named alone (capitalised: "may" is mostly a verb); a season of a year
                       r"|\b\d{2}\.\d{2}\.\d{2}(?:\d{2})?\b(?!\.\d)"
                       r"|(?-i:\b(?:January|February|March|April|June|July|August|September|October|November|December)\b)"
                       r"|\b(?:early|late|mid|spring|summer|autumn|winter|end of)[ \t-]+(?:19|20)\d{2}\b", re.I),
    "time": re.compile(r"\b\d{1,2}(?:[.:]\d{2})?\s*(?:[ap]\.?m\b\.?|noon|o'clock)|\bnoon\b|\bmidday\b", re.I),
    "place": re.compile(rf"\b(?:at|in)[ \t]+(?:the[ \t]+)?(?!(?i:{_MONTH})\b|{_BODIES}\b|Q\d)[A-Z][\w'’]+"
                        r"|\b(?:Chamber|Hall|Room|Centre|Center|House|Quay|Street|Road|Library|Offices?|Building|"
                        r"School|Church|Park|Square|Lane|Avenue|Court)\b"),
    "money": re.compile(r"[£$€][ \t]?\d[\d,.]*(?:[ \t]?(?:k|m|bn|million|billion)\b)?"
                        r"|\d[\d,.]*[ \t]?(?:pounds|dollars|euros)\b"
                        # a sum in thousands without its sign, as budget tables write it ("47,265")
                        r"|(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d{2})?(?![\d,])", re.I),
    "number": re.compile(r"\d[\d,.]*%?|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
                         r"thirty|forty|fifty|hundred|half|none|nil|unanimous(?:ly)?)\b", re.I),
}
# Words of a match that say what it is, not which one: a title before a name, "at"/"in" before a place.
_FRAME = frozenset(tokenize("cllr cllrs councillor councillors mr mrs ms miss dr prof professor sir dame lord "
                            "lady rev reverend mayor deputy at in the since by until from during"))


# Questions that ask why, whether or how something was done, or what was decided, want a reason,
# a yes or no, or a decision, whatever they are about ("Why was the grant refused?").
_NOT_ABOUT = re.compile(r"^\W*(?:why|how|is|are|was|were|did|does|do|has|have|had|can|could|will|would|should)\b"
                        r"|\b(?:resolved?|decided?|agreed?|delegated?|recommend(?:ed)?|approved?)\b", re.I)


def asked_type(question: str) -> str | None:
    """The kind of answer the question asks for, or None when it asks for none of these: the
    question's earliest asking words, else the first thing it is about (unless it asks why,
    whether, how or what was decided)."""
    found = [(m.start(), n, kind) for n, (kind, pattern) in enumerate(_ASKING) for m in [pattern.search(question)] if m]
    if found:  # the earliest; at one place, the first listed ("how much time" is no sum)
        return min(found)[2]
    if _NOT_ABOUT.search(question):
        return None
    return next((kind for kind, pattern in _ABOUT if pattern.search(question)), None)


# "When" is answered by a time of day too ("the meeting went into closed session at 7:09 p.m.").
_ALSO = {"date": ("time",)}


def names_new(kind: str, text: str, known: Iterable[str]) -> bool:
    """Whether `text` names a thing of this kind with a word not among `known` (the question's
    tokens): the date, person or figure the question asks for, not the one it gives."""
    known = set(known)
    for pattern in (_NAMES[kind], *(_NAMES[other] for other in _ALSO.get(kind, ()))):
        for match in pattern.finditer(text):
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
_COMMON = re.compile(r"(?<![\w'’-])[a-z][a-z'’-]*[a-z](?![\w'’-])")
_OPENING = re.compile(r"^[^\w\n]*([A-Z][a-z]+)(?=[ ,:]+[a-z])", re.M)
CACHED = 20_000  # texts whose shapes and words are kept: the chunks asked about again and again


@lru_cache(maxsize=CACHED)
def shapes(text: str) -> frozenset[str]:
    """The shapes of a text's words: digits as 9, lower-case letters as a, capitals as A, runs
    folded ("£42,128" -> "£9,9", "Cllr" -> "Aa", "(b)" -> "(a)")."""
    out = set()
    for word in text.split():
        shape = _UPPER.sub("A", _LOWER.sub("a", _DIGIT.sub("9", word)))
        out.add(_RUN.sub(r"\1", shape))
    return frozenset(out)


@lru_cache(maxsize=CACHED)
def common_words(text: str) -> tuple[str, ...]:
    """The tokens of a text's words written in lower case: council English ("resolved",
    "seconded"), not the names, codes and figures of one council's papers, which a word model
    fitted on a few councils must not learn (their shapes it may). A capitalised word that
    opens a line before a lower-case one ("Proposed by") counts too: mostly such a word is an
    opening verb or noun, though a surname that opens a line before a verb slips through."""
    found = _OPENING.findall(text) + _COMMON.findall(text)
    return tuple(dict.fromkeys(tokenize(" ".join(found).lower())))


def word_keys(question_class: str, text: str, known: Set[str]) -> tuple[str, ...]:
    """A candidate's keys for the word model: each of its common words the question does not
    have and each word shape, alone and paired with the question's class ("person|who×s:Aa")."""
    plain = [f"w:{t}" for t in common_words(text) if t not in known]
    plain += [f"s:{s}" for s in sorted(shapes(text))]
    return tuple(plain + [f"{question_class}×{k}" for k in plain])
