"""Splitting a pack into its documents (agenda, minutes, reports, appendices) with their metadata.

A council "pack" is one file holding several papers one after another. We find where each paper
starts from the furniture councils print (a "Minutes of a meeting of ..." line, "REPORT TO:",
"... Agenda", "Appendix A", a blank separator page) and read committee, date and title from the
lines around it. Nothing here is specific to one council: every rule is a pattern of the genre.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from corpus.dates import find_date
from corpus.lines import Line, plain, split_lines

_BLANK_PAGE = re.compile(r"^this page (?:is )?intentionally (?:been )?left blank", re.I)
_MINUTES = re.compile(r"^minutes\b.{0,40}\bmeeting\b", re.I)
_REPORT = re.compile(r"^(?:report to|date of meeting)\b", re.I)
# The words before "Agenda" are a body's name in capitals ("Cabinet Agenda"), not a sentence
# ("Interests in items on the agenda").
_AGENDA = re.compile(
    r"^(?:[A-Z][\w&',’-]*(?:\s+(?:[A-Z&][\w&',’-]*|and|of|for|the))*\s+)?(?i:supplementary\s+)?(?i:agenda)(?i:\s+pack)?$"
)
MINUTES_END = re.compile(r"\bmeeting (?:commenced|concluded|closed|ended|finished|terminated)\b.{0,60}(?:\d|noon)", re.I)
_CHAIR = re.compile(r"\bchair(?:man|woman|person)?\b|^councillor\s", re.I)
_APPENDIX = re.compile(r"^(?:appendix|annex|schedule)\s+[a-z0-9]{1,3}\b", re.I)
_BODY_WORDS = re.compile(
    r"\b(committee|board|council|cabinet|panel|group|forum|partnership|executive|assembly)\b", re.I
)
_COMMITTEE_IN_MINUTES = re.compile(
    r"minutes of (?:an? |the )?(?:\w+ )?(?:\w+ )?meeting of (?:the )?(.+?)(?:\s+held\b|\s+on\b|$)", re.I
)
_LABEL = r"^{}\s*[:\t]\s*(.+)$"


_RANK = {"document": 0, "attachment": 0, "appendix": 1, "report": 2, "agenda": 3, "minutes": 4}


@dataclass(frozen=True)
class Part:
    """One paper inside a pack: its span and what it is."""

    start: int
    end: int
    kind: str
    title: str | None = None
    committee: str | None = None
    meeting_date: str | None = None
    pack_date: str | None = None


def _start_kind(line: Line) -> str | None:
    text = line.plain
    if not text or line.is_row or len(text) > 160:
        return None
    if _MINUTES.match(text):
        return "minutes"
    if _REPORT.match(text):
        return "report"
    if _AGENDA.match(text) and len(text.split()) <= 12:
        return "agenda"
    if _APPENDIX.match(text) and len(text.split()) <= 10 and not text.endswith((".", ",", ";")):
        return "appendix"
    if re.match(r"^#\s", line.raw):
        return "report"  # a top-level markdown title opens a paper of its own
    return None


def _heading_like(line: Line) -> bool:
    """Short lines a paper starts with: council name, committee name, a heading."""
    text = line.plain
    return bool(text) and not line.is_row and len(text.split()) <= 8 and not text.endswith(".")


def _back_extend(lines: list[Line], i: int, floor: int) -> int:
    """Move a paper's first line up over the title lines printed just above its marker."""
    j, steps = i, 0
    while j - 1 > floor and steps < 6 and (lines[j - 1].blank or _heading_like(lines[j - 1])):
        j -= 1
        steps += 0 if lines[j].blank else 1
    while j < i and lines[j].blank:
        j += 1
    return j


def _starts(lines: list[Line]) -> list[tuple[int, str]]:
    """Line index and kind of each paper's first line, in order."""
    starts: list[tuple[int, str]] = [(0, "document")]
    after_blank_page = False
    for i, line in enumerate(lines):
        if _BLANK_PAGE.match(line.plain) or MINUTES_END.search(line.plain):
            after_blank_page = True
            continue
        if after_blank_page and _CHAIR.search(line.plain) and line.words <= 8:
            continue  # the chair's signature line closes the minutes
        kind = _start_kind(line)
        last_i, last_kind = starts[-1]
        if kind == "report" and last_kind in ("report", "agenda", "minutes") and i - last_i <= 12:
            continue  # "Date of Meeting" under a "REPORT TO" belongs to the same report
        if kind and i - last_i <= 8 and all(n.words <= 8 for n in lines[last_i:i]):
            # Two markers in one title block ("# Board" over "## Agenda"): one paper.
            starts[-1] = (last_i, kind if _RANK[kind] >= _RANK[last_kind] else last_kind)
            after_blank_page = False
        elif kind:
            floor = last_i if not after_blank_page else max(last_i, _last_blank_page(lines, i))
            starts.append((_back_extend(lines, i, floor), kind))
            after_blank_page = False
        elif after_blank_page and not line.blank:
            starts.append((i, "attachment"))
            after_blank_page = False
    return _merge_slivers(starts, lines)


def _last_blank_page(lines: list[Line], i: int) -> int:
    for j in range(i - 1, -1, -1):
        if _BLANK_PAGE.match(lines[j].plain):
            return j
    return 0


def _merge_slivers(starts: list[tuple[int, str]], lines: list[Line]) -> list[tuple[int, str]]:
    """Drop parts with almost no words ("Public Document Pack" before a paper, a signature
    block after the minutes) and duplicate starts."""
    kept: list[tuple[int, str]] = []
    for idx, (i, kind) in enumerate(starts):
        stop = starts[idx + 1][0] if idx + 1 < len(starts) else len(lines)
        words = sum(line.words for line in lines[i:stop])
        if kept and kept[-1][0] >= i:
            kept[-1] = (kept[-1][0], kind)
        elif words < 12 and (idx + 1 < len(starts) or kind == "attachment" and kept):
            continue  # a sliver: a title page before, or "Dated ......" left after the minutes
        else:
            kept.append((i, kind))
    if kept:
        kept[0] = (0, kept[0][1])
    return kept


def _labelled(lines: list[Line], *labels: str) -> str | None:
    """The value printed after 'Label:' on one of `lines`."""
    for label in labels:
        pattern = re.compile(_LABEL.format(label), re.I)
        for line in lines:
            m = pattern.match(plain(line.raw.replace("\t", ": ", 1)))
            if m and m[1].strip(" :"):
                return m[1].strip(" :*")
    return None


def _first_text(lines: list[Line], max_words: int = 16) -> str | None:
    """The first short paragraph (a title printed over up to three lines)."""
    for i, line in enumerate(lines):
        text = line.plain
        if text and not line.is_row and len(text.split()) <= max_words:
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            if nxt is not None and nxt.plain and not nxt.is_row and len(f"{text} {nxt.plain}".split()) <= max_words:
                return f"{text} {nxt.plain}"
            return text
    return None


def _describe(kind: str, lines: list[Line]) -> Part:
    head = [line for line in lines[:40] if not line.blank]
    joined = " ".join(line.plain for line in head[:8])
    committee: str | None = None
    date: str | None = None
    title: str | None = None
    if kind == "minutes":
        m = _COMMITTEE_IN_MINUTES.search(joined)
        committee = m[1].strip(" ,.") if m else None
        if committee and _BACK_REFERENCE.match(committee):
            # "Minutes of a meeting of the above Council": the body is named over the line.
            named = [line.plain for line in head[:3] if _BODY_WORDS.search(line.plain) and not _MINUTES.match(line.plain)]
            committee = (named[0].title() if named[0].isupper() else named[0]) if named else None
        date = find_date(joined)
        title = f"Minutes of the {committee}" if committee else "Minutes"
    elif kind == "agenda":
        marker = next((i for i, line in enumerate(head) if _AGENDA.match(line.plain)), 0)
        own = re.sub(r"(?i)\s*(supplementary\s+)?agenda(\s+pack)?$", "", head[marker].plain).strip()
        earlier = [line.plain for line in head[:marker] if _BODY_WORDS.search(line.plain)]
        committee = own or (earlier[-1] if earlier else None)
        date = find_date(_labelled(head[:15], "date") or "")
        title = head[marker].plain if own else f"{committee or ''} Agenda".strip()
    else:
        committee, dated = _without_date(_labelled(head[:12], "report to", "to"))
        meeting = _labelled(head[:15], "date of meeting", "meeting date") or dated
        if committee is None and meeting:
            committee = next((line.plain for line in head[:6] if _BODY_WORDS.search(line.plain)
                              and len(line.plain.split()) <= 8), None)
        date = find_date(meeting or "")
        title = _labelled(head[:20], "subject/title", "report title", "title", "subject")
        title = title or next((line.plain for line in head[:6] if line.raw.startswith("# ")), None)
        if kind == "appendix":
            title = " – ".join(t for t in (_first_text(head[:1]), _first_text(head[1:4])) if t)
        title = title or _first_text(head)
    return Part(0, 0, kind, title, committee, date)


_BACK_REFERENCE = re.compile(r"^(?:above|said|aforementioned|aforesaid|above-named)\b", re.I)
_DATE_LABEL = re.compile(r"\s+date\s*:\s*", re.I)
_TRAILING_DATE = re.compile(r"\s*[–—,-]?\s*(?:\w+day,?\s+)?\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]+,?\s+\d{4}\s*$")


def _without_date(value: str | None) -> tuple[str | None, str | None]:
    """'County Council Date: 13 March 2025' or 'Cabinet – 4 March 2025' -> the body and the date."""
    if not value:
        return value, None
    parts = _DATE_LABEL.split(value, maxsplit=1)
    if len(parts) == 2:
        return parts[0].strip(" ,–-") or None, parts[1]
    m = _TRAILING_DATE.search(value)
    if m and m.start() > 0 and find_date(m[0]):
        return value[:m.start()].strip(" ,–-"), m[0]
    return value, None


def canonical_committee(name: str | None, known: list[str]) -> str | None:
    """Map 'CHILDREN AND FAMILIES SCRUTINY COMMITTEE' or 'Scrutiny Committee' onto a known name."""
    if not name:
        return None
    key = _committee_key(name)
    for candidate in known:
        ckey = _committee_key(candidate)
        if key == ckey or (key and ckey.endswith(key)):
            return candidate
    return name.title() if name.isupper() else name


def _committee_key(name: str) -> str:
    words = re.sub(r"[^a-z0-9 ]", " ", name.lower().replace("&", " and ")).split()
    return " ".join(w for w in words if w != "the")


def split_pack(text: str) -> list[Part]:
    """The papers a pack holds, in order, covering the whole text."""
    lines = split_lines(text)
    if not lines:
        return []
    starts = _starts(lines)
    parts: list[Part] = []
    for idx, (i, kind) in enumerate(starts):
        stop = starts[idx + 1][0] if idx + 1 < len(starts) else len(lines)
        if kind == "attachment":
            kind = "appendix" if parts and parts[-1].kind in ("report", "appendix") else "report"
        described = _describe(kind, lines[i:stop])
        end = lines[stop].start if stop < len(lines) else len(text)
        parts.append(replace(described, start=lines[i].start, end=end))
    return _inherit(parts)


def _inherit(parts: list[Part]) -> list[Part]:
    """Fill committee and dates from the pack: agenda first, then the previous paper."""
    known = [p.committee for p in parts if p.kind in ("agenda", "minutes") and p.committee]
    agenda = next((p for p in parts if p.kind == "agenda"), None)
    dated = [p.meeting_date for p in parts if p.meeting_date]
    pack_date = agenda.meeting_date if agenda else (dated[0] if dated else None)
    pack_committee = (agenda.committee if agenda else None) or (known[0] if known else None)
    out: list[Part] = []
    for part in parts:
        previous = out[-1] if out else None
        committee = canonical_committee(part.committee, known)
        if committee is None:
            committee = (previous.committee if previous and part.kind == "appendix" else None) or pack_committee
        date = part.meeting_date
        if date is None:
            date = (previous.meeting_date if previous and part.kind == "appendix" else None) or pack_date
        out.append(replace(part, committee=committee, meeting_date=date, pack_date=pack_date))
    return out
