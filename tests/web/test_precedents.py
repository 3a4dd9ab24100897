"""The precedent finder's pure parts: the standard citation, date order and safe CSV."""

from __future__ import annotations

import csv
import io

from web.precedents import CSV_COLUMNS, Resolution, cite, sorted_by, to_csv


def resolution(minute: str | None, date: str | None, text: str = "RESOLVED – That it be noted.") -> Resolution:
    return Resolution("Corporate Parenting Committee", date, minute, "HEADING", text, "p.txt", 10, 40,
                      None, 0.5, cite("Corporate Parenting Committee", date, minute))


def test_citation_in_the_standard_form() -> None:
    assert cite("Corporate Parenting Committee", "2018-03-20", "43") == (
        "Corporate Parenting Committee, 20 March 2018, minute 43")
    assert cite("Health and Wellbeing Board", None, "19") == "Health and Wellbeing Board, minute 19"
    assert cite(None, "2011-06-28", None) == "28 June 2011"


def test_date_order_puts_the_latest_meeting_and_highest_minute_first() -> None:
    rows = [resolution("9", "2015-01-01"), resolution("43", None), resolution("10", "2018-03-20"),
            resolution("12", "2018-03-20")]
    assert [r.minute for r in sorted_by(rows, "date")] == ["12", "10", "9", "43"]
    assert sorted_by(rows, "relevance") == rows


def test_csv_keeps_text_verbatim_and_defuses_formulas() -> None:
    rows = [resolution("43", "2018-03-20", 'RESOLVED:\n\n- a) That "the" report, be noted.'),
            resolution("44", "2018-03-20", "=HYPERLINK(\"http://x\")")]
    parsed = list(csv.reader(io.StringIO(to_csv(rows))))
    assert tuple(parsed[0]) == CSV_COLUMNS
    first = dict(zip(CSV_COLUMNS, parsed[1]))
    assert first["resolution"] == 'RESOLVED:\n\n- a) That "the" report, be noted.'
    assert first["citation"] == "Corporate Parenting Committee, 20 March 2018, minute 43"
    assert first["link"] == "/doc/p.txt#c=10-40"
    assert dict(zip(CSV_COLUMNS, parsed[2]))["resolution"] == "'=HYPERLINK(\"http://x\")"
