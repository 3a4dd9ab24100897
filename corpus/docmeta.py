"""Document metadata read from the text when the structure parser and the sidecar say nothing.

The structure parser finds committee and date where a pack prints them the usual ways; papers
from other councils often say them once, in a title line ("MINUTES OF WRETTON PARISH COUNCIL
MEETING HELD ...", "A regular meeting of the Township of Nipissing Council was held on ...") or
only in the file name ("minutes_20180730.pdf"). These guesses only fill what is missing.
"""

from __future__ import annotations

import re

from corpus.dates import MONTHS, find_date
from corpus.lines import plain
from corpus.structure import Part

OPENING_LINES = 12
BODY = re.compile(
    r"\b(?:committee|council|board|cabinet|panel|sub-committee|forum|partnership|executive|assembly|"
    r"scrutiny|commission|trust|authority)\b", re.I)
_END = r"(?=\s+(?:meeting|was held|held|on|at|to be held)\b|\s*[,(;:]|\s+[-–—]\s|\s+\d|$)"
COMMITTEE_PATTERNS = [
    re.compile(rf"^minutes of (?:(?:an? |the )?(?:\w+ ){{0,3}}meeting of )?(?:the )?(.+?){_END}", re.I),
    re.compile(rf"\bmeeting of (?:the )?(.+?){_END}", re.I),
    re.compile(rf"^(?:agenda|decisions|minutes) (?:for|of) (?:the )?(.+?){_END}", re.I),
    re.compile(r"^(.+?)\s+[-–—]\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.I),
    re.compile(rf"^(.+?){_END}", re.I),
]
TRAILING_DATE = re.compile(rf"(?:\s+(?:{'|'.join(MONTHS)})\b\.?)?(?:\s+\d{{4}})?$", re.I)
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)|\S*(?:://|www\.)\S*")
CONNECTORS = {"of", "and", "&", "the", "for", "on", "in", "-", "–"}
NOT_A_NAME = re.compile(r"^(?:the )?(?:previous|last|above|said|this|that|full|same)\b", re.I)
MINUTES_LINE = re.compile(r"^(?:(?:agenda and|draft|printed|confirmed|signed|unconfirmed)\s+)?minutes\b", re.I)
AGENDA_LINE = re.compile(r"^(?:(?:supplementary|draft)\s+)?agenda\b(?!\s+item)", re.I)
RESOLVED_LINE = re.compile(r"^(?:#+\s*)?(?:\*\*)?(?:IT WAS )?RESOLVED\b", re.M)
KIND_NAME = re.compile(r"(?:^|[\W_])(minutes|agenda)(?:$|[\W_])", re.I)
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
NAME_DATES = [
    re.compile(r"(?<!\d)(20\d\d|19\d\d)[-_.]?(\d\d)[-_.]?(\d\d)(?!\d)"),  # 20180730, 2018-07-30
    re.compile(rf"(?<!\d)(20\d\d|19\d\d)[-_ ]({_MONTH})[-_ ](\d{{1,2}})(?!\d)", re.I),  # 2018-March-13
]


def guess_meta(text: str, name: str, title: str = "") -> dict[str, str]:
    """committee, meeting_date and kind as the title, the opening lines or the file name give them."""
    lines = [title] + opening_lines(text) if title else opening_lines(text)
    guessed = {"committee": committee_in(lines), "meeting_date": date_in(lines, name), "kind": kind_in(lines, name, text)}
    return {k: v for k, v in guessed.items() if v}


def missing_meta(parts: list[Part], guessed: dict[str, str]) -> dict[str, str]:
    """The guesses the parser has nothing for: committee and date when no paper of the pack has
    one; kind when the file is one paper the parser could only call a document or report."""
    out: dict[str, str] = {}
    for key in ("committee", "meeting_date"):
        if key in guessed and not any(getattr(p, key) for p in parts):
            out[key] = guessed[key]
    if "kind" in guessed and len(parts) == 1 and parts[0].kind in ("document", "report"):
        out["kind"] = guessed["kind"]
    return out


def opening_lines(text: str) -> list[str]:
    """The first non-blank lines, without markdown marks; table rows left out."""
    found: list[str] = []
    for raw in text.split("\n", 200)[:200]:
        line = plain(LINK.sub(lambda m: m[1] or "", raw.replace("\\", "")))
        if line and "\t" not in raw and not re.fullmatch(r"-{3,}", line):
            found.append(line)
        if len(found) >= OPENING_LINES:
            break
    return found


def committee_in(lines: list[str]) -> str | None:
    """The first name of a council body that a title-like line gives."""
    for line in lines:
        if len(line) > 300:
            continue
        for pattern in COMMITTEE_PATTERNS:
            match = pattern.search(line)
            name = TRAILING_DATE.sub("", match[1]).strip(" ,.:;-–—\"'") if match else ""
            if is_name(name):
                return name.title() if name.isupper() else name
    return None


def is_name(name: str) -> bool:
    """A council body's name: capitalised words ("Township of Nipissing Council"), one of them a
    body word, not "Council were approved" nor "the above Council"."""
    words = name.split()
    if not name[:1].isalnum() or len(words) > 10 or not BODY.search(name) or NOT_A_NAME.match(name):
        return False
    return all(w[:1].isupper() or w[:1].isdigit() or w.lower() in CONNECTORS for w in words)


def date_in(lines: list[str], name: str) -> str | None:
    """The first date of the title and opening lines, else one the file name carries."""
    for line in lines:
        found = find_date(line)
        if found:
            return found
    return date_in_name(name)


def date_in_name(name: str) -> str | None:
    stem = re.sub(r"\.[A-Za-z0-9]{2,5}$", "", name)
    for pattern in NAME_DATES:
        match = pattern.search(stem)
        if match:
            month = int(match[2]) if match[2].isdigit() else MONTHS[match[2].lower()]
            found = find_date(f"{int(match[3])}/{month}/{match[1]}")
            if found:
                return found
    return find_date(re.sub(r"[-_]+", " ", stem))


def kind_in(lines: list[str], name: str, text: str) -> str | None:
    """"minutes" or "agenda" when the first lines or the file name say so; "minutes" too for a
    paper that records decisions in capitals ("RESOLVED – That the licence be granted")."""
    for kind, pattern in (("minutes", MINUTES_LINE), ("agenda", AGENDA_LINE)):
        if any(pattern.match(line) for line in lines[:3]):
            return kind
    match = KIND_NAME.search(name)
    if match:
        return match[1].lower()
    return "minutes" if RESOLVED_LINE.search(text) else None
