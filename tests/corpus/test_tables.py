"""Tables: header, group labels, continuation lines, ruled lines and contents pages."""

from __future__ import annotations

from corpus.lines import split_lines
from corpus.tables import Row, column_of, looks_like_header, parse_rows
from tests.corpus.fixtures import KPI


def rows_of(text: str, inherited: tuple[str, ...] = ()) -> tuple[list[Row], tuple[str, ...]]:
    return parse_rows(split_lines(text), inherited)


def test_first_row_is_the_header_of_the_rows_under_it() -> None:
    text = "Indicator\tQuarter 1\tQuarter 2\nNI 59\t67%\t45%\nNI 60\t67%\t66%\n"
    rows, header = rows_of(text)
    assert header == ("Indicator", "Quarter 1", "Quarter 2")
    assert [r.cells for r in rows] == [("NI 59", "67%", "45%"), ("NI 60", "67%", "66%")]
    assert all(r.header == header for r in rows)
    assert [text[r.start : r.end] for r in rows] == ["NI 59\t67%\t45%", "NI 60\t67%\t66%"]


def test_header_cells_lose_their_markup() -> None:
    _, header = rows_of("**Indicator**\t**Target**\nNI 59\t80%\n")
    assert header == ("Indicator", "Target")


def test_a_single_filled_cell_labels_the_rows_below_it() -> None:
    text = "Indicator\tQ1\tQ2\nGeneral\nNI 59\t67%\t45%\nInvolve Me\nNI 60\t67%\t66%\n"
    rows, _ = rows_of(text)
    assert [(r.cells[0], r.group) for r in rows] == [("NI 59", "General"), ("NI 60", "Involve Me")]


def test_a_line_with_empty_first_cell_continues_the_row_above() -> None:
    text = "Indicator\tQ1\tQ2\nNI 59\t67%\t45%\n\t(cum)\t(sept)\nNI 60\t67%\t66%\n"
    rows, _ = rows_of(text)
    assert len(rows) == 2
    assert text[rows[0].start : rows[0].end] == "NI 59\t67%\t45%\n\t(cum)\t(sept)"


def test_a_row_of_labelled_figures_continues_the_indicator_above_it() -> None:
    text = (f"{KPI}\t\t\tRED\n"
            "Latest: 84%\tTarget: 92%, Floor 90%\tPrevious: 77% (Red)\t\n"
            "Cabinet Member\tDylan Jeffrey\n")
    rows, _ = rows_of(text)
    assert [text[r.start : r.end] for r in rows] == [
        f"{KPI}\t\t\tRED\nLatest: 84%\tTarget: 92%, Floor 90%\tPrevious: 77% (Red)\t",
        "Cabinet Member\tDylan Jeffrey",
    ]


def test_rows_of_labelled_figures_alone_stay_rows() -> None:
    rows, _ = rows_of("Officer\tDetails\nName: Kath O'Dwyer\tRole: Director\nName: Tony Crane\tRole: Director\n")
    assert len(rows) == 2


def test_a_table_over_a_page_break_keeps_the_header_above() -> None:
    rows, header = rows_of("NI 61\t1%\t2%\n", ("Indicator", "Q1", "Q2"))
    assert rows[0].header == header == ("Indicator", "Q1", "Q2")


def test_a_reprinted_header_is_not_a_row() -> None:
    text = "Indicator\tQ1\tQ2\nNI 59\t67%\t45%\nIndicator\tQ1\tQ2\nNI 60\t67%\t66%\n"
    rows, _ = rows_of(text)
    assert [r.cells[0] for r in rows] == ["NI 59", "NI 60"]


def test_ruled_lines_are_not_rows() -> None:
    rows, _ = rows_of("Indicator\tQ1\nNI 59\t67%\n-----\t----\nNI 60\t45%\n")
    assert [r.cells[0] for r in rows] == ["NI 59", "NI 60"]


def test_a_ruled_line_alone_gives_no_rows() -> None:
    assert rows_of("-----\t----\n")[0] == []


def test_a_contents_page_gives_no_rows() -> None:
    text = "Introduction\t3\nBackground\t4\nFinance\t7\nLegal implications\t9\nAppendix\t12\n"
    assert rows_of(text)[0] == []


def test_a_short_two_column_table_is_not_a_contents_page() -> None:
    rows, _ = rows_of("Indicator\tValue\nNI 59\t41\nNI 60\t53\n")
    assert [r.cells for r in rows] == [("NI 59", "41"), ("NI 60", "53")]


def test_looks_like_header() -> None:
    assert looks_like_header(("Indicator", "2010-11 Target", "Quarter 1", "Year End"))
    assert not looks_like_header(("NI 59", "63.30%", "80%", "67%"))
    assert not looks_like_header(("Only one cell",))


def test_column_of_names_the_header_of_a_cell() -> None:
    (row,), _ = rows_of("Indicator\tTarget\t\nNI 59\t80%\tx\n")
    assert column_of(row, 1) == "Target"
    assert column_of(row, 2) is None
    assert column_of(row, 9) is None


def test_a_ruled_line_under_the_header_keeps_the_header() -> None:
    rows, header = rows_of("Name\tValue\n-----\t-----\nApples\t3\nPears\t4\n")
    assert header == ("Name", "Value")
    assert [r.header for r in rows] == [("Name", "Value"), ("Name", "Value")]


def test_a_table_of_words_keeps_its_rows() -> None:
    text = (
        "Risk\tOwner\tRating\tDirection of travel\n"
        "Failure of key IT systems\tHead of ICT\t12\tImproving\n"
        "Loss of key staff\tHead of HR\t9\tStable\n"
    )
    rows, header = rows_of(text)
    assert header == ("Risk", "Owner", "Rating", "Direction of travel")
    assert [r.cells[0] for r in rows] == ["Failure of key IT systems", "Loss of key staff"]
