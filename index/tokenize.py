"""Tokens for BM25, with the normalisation council papers and their readers need.

"NI59" and "NI 59" give the same tokens, "Q3", "Qu 3", "quarter three" and "third quarter" all
become "quarter 3", one-character tokens are kept ("Part 2", "NI 8"), and the Snowball stemmer
lets "placements" match "placement" and "recruited" match "recruitment". Documents and queries go through the same function.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

STOPWORDS = frozenset(
    """a an and are as at be been being by did do does for from had has have he her his how i if in
    into is it its me my of on or our so than that the their them then there these they this those
    to was we were what when where which who whom why will with would you your""".split()
)
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4",
                 "first": "1", "second": "2", "third": "3", "fourth": "4"}
_QUARTER_ABBR = re.compile(r"\b(?:q|qu|qtr|quarter)\s?\.?\s?([1-4])\b")
_QUARTER_WORD = re.compile(r"\bquarter\s+(one|two|three|four)\b")
_ORDINAL_QUARTER = re.compile(r"\b(first|second|third|fourth)\s+quarter\b")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z]{2,})")
# A number keeps its decimals and thousands ("59.6" is not "59"; "298,720" is one figure).
_TOKEN = re.compile(r"[a-z]+|\d+(?:[.,]\d+)*")


_ACCENT = re.compile("[\u0300-\u036f]")


def normalise(text: str) -> str:
    """Lower-cased NFKC text without accents ("fête" meets "fete"), with quarter names and
    letter-digit joins made uniform."""
    if not text.isascii():
        text = _ACCENT.sub("", unicodedata.normalize("NFKD", text))
    text = unicodedata.normalize("NFKC", text).lower().replace("&", " and ")
    text = _LETTER_DIGIT.sub(" ", text)
    text = _QUARTER_WORD.sub(lambda m: f"quarter {_NUMBER_WORDS[m[1]]}", text)
    text = _ORDINAL_QUARTER.sub(lambda m: f"quarter {_NUMBER_WORDS[m[1]]}", text)
    return _QUARTER_ABBR.sub(r"quarter \1", text)


_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball (Porter 2) stem: 'recruited' and 'recruitment' meet, so do 'added' and 'add'."""
    return _KEPT.get(word) or str(_STEMMER.stemWord(word))


# "quarter" with its number names a column ("Q1" -> "quarter 1"); "quarterly reporting" must not
# read as one.
_KEPT = {"quarterly": "quarterly"}


@lru_cache(maxsize=200_000)
def _number(token: str) -> str:
    """'298,720' -> '298720', '12.50' -> '12.5', '3.0' -> '3'."""
    token = token.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", token) else token
    if re.fullmatch(r"\d+\.\d+", token):
        token = token.rstrip("0").rstrip(".")
    return token


def words(text: str) -> list[str]:
    """The normalised words and numbers of a text, before stop words and stemming."""
    return _TOKEN.findall(normalise(text))


def tokenize(text: str | list[str]) -> list[str]:
    """BM25 tokens: normalised words and numbers, stop words dropped, plurals folded. Takes the
    text, or its `words` when the caller has them already."""
    found = words(text) if isinstance(text, str) else text
    return [_number(t) if t[0].isdigit() else stem(t) for t in found if t not in STOPWORDS]


def joined_pairs(text: str | list[str]) -> list[str]:
    """Stems of adjacent words written together ("case loads" -> "caseload"): a paper that
    writes "case loads" and a question that asks about "caseloads" should meet. The caller
    keeps only those its vocabulary knows as one word."""
    found = words(text) if isinstance(text, str) else text
    return [stem(a + b) for a, b in zip(found, found[1:])
            if a.isalpha() and b.isalpha() and len(a) >= 3 and len(b) >= 3
            and a not in STOPWORDS and b not in STOPWORDS]


def codes(text: str | list[str]) -> list[str]:
    """Indicator and paragraph codes as one token each ("NI 68" -> "ni68", "P4.12" -> "p4.12"),
    so a question about NI 68 prefers the NI 68 row over a row that merely holds "68%"."""
    found = words(text) if isinstance(text, str) else text
    return [a + _number(b) for a, b in zip(found, found[1:])
            if a.isalpha() and len(a) <= 4 and a not in STOPWORDS and a not in _MONTHS and b[0].isdigit()]


# "June 2011" and "Sept 30" are dates, not codes.
_MONTHS = frozenset("jan feb mar apr may jun june jul july aug sep sept oct nov dec".split())
