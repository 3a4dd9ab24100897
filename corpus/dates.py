"""Finding meeting dates written the way council papers write them."""

from __future__ import annotations

import datetime as dt
import re

MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")]
    )
    for name in names
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# "26th July, 2011", "20<sup>th</sup> October 2015", "Tuesday 2nd September 2013"
_DAY_FIRST = re.compile(
    rf"\b(\d{{1,2}})(?:\s*<sup>)?(?:st|nd|rd|th)?(?:</sup>)?\.?,?\s+({_MONTH})\.?,?\s+(\d{{4}})\b", re.I
)
# "July 26, 2011"
_MONTH_FIRST = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
# "26/07/2011", "26.07.11"
_NUMERIC = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})\b")


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def find_date(text: str) -> str | None:
    """The first date in `text` as ISO YYYY-MM-DD, or None."""
    found: list[tuple[int, str]] = []
    for m in _DAY_FIRST.finditer(text):
        iso = _iso(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
        if iso:
            found.append((m.start(), iso))
            break
    for m in _MONTH_FIRST.finditer(text):
        iso = _iso(int(m[3]), MONTHS[m[1].lower()], int(m[2]))
        if iso:
            found.append((m.start(), iso))
            break
    for m in _NUMERIC.finditer(text):
        year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        iso = _iso(year, int(m[2]), int(m[1]))
        if iso:
            found.append((m.start(), iso))
            break
    return min(found)[1] if found else None


def spoken(iso: str | None) -> str:
    """'2011-06-28' -> '28 June 2011', for text the retrievers can match."""
    if not iso:
        return ""
    date = dt.date.fromisoformat(iso)
    return f"{date.day} {date.strftime('%B')} {date.year}"


_MONTH_YEAR = re.compile(rf"\b({_MONTH})\.?,?\s+(\d{{4}})\b", re.I)


def mentioned_periods(text: str) -> list[str]:
    """ISO prefixes of the dates a text names: '2011-06-28' for '28 June 2011', '2018-03'
    for 'March 2018' (a meeting is often named by its month)."""
    periods: list[str] = []
    for m in _DAY_FIRST.finditer(text):
        iso = _iso(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
        if iso:
            periods.append(iso)
    for m in _MONTH_YEAR.finditer(text):
        prefix = f"{int(m[2]):04d}-{MONTHS[m[1].lower()]:02d}"
        if not any(p.startswith(prefix) for p in periods):
            periods.append(prefix)
    return periods
