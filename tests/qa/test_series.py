"""A performance-table row as a labelled series: figures by column, roles, ranges, the answer cell."""

from __future__ import annotations

from corpus.document import Chunk
from qa.series import figure, role_of, row_series

HEADER = ("Key Performance or Outcome Description", "2009-10 outturn", "2010-11 Target",
          "Quarter 1 (JUNE)", "Quarter 2 (OCT)", "Quarter 3", "Quarter 4", "Year End", "Commentary")
NI59 = ("NI59 - Initial assessments within 7 working days\t63.30%\t80%\t67% (67% cum)\t"
        "45% (56% as of sept)\t41% (50% as of Dec)\t41%\t48%\tIndicative Cin census data")


def row(text: str, header: tuple[str, ...] = HEADER, kind: str = "table") -> Chunk:
    return Chunk(source="p.txt", start=0, end=len(text), text=text, kind=kind, header=header)


def test_a_performance_row_becomes_its_figures_in_column_order() -> None:
    series = row_series(row(NI59))
    assert series is not None
    assert series.label == "NI59 - Initial assessments within 7 working days"
    assert series.unit == "%"
    assert [(p.label, p.value) for p in series.points] == [
        ("2009-10 outturn", 63.3), ("2010-11 Target", 80.0), ("Quarter 1 (JUNE)", 67.0),
        ("Quarter 2 (OCT)", 45.0), ("Quarter 3", 41.0), ("Quarter 4", 41.0), ("Year End", 48.0),
    ]
    assert [p.role for p in series.points].count("target") == 1
    assert series.points[4].text == "41% (50% as of Dec)"
    assert not any(p.answer for p in series.points)


def test_the_cell_holding_the_answer_is_marked() -> None:
    focus = NI59.index("41% (50%")
    series = row_series(row(NI59), focus)
    assert series is not None
    assert [p.label for p in series.points if p.answer] == ["Quarter 3"]


def test_rows_without_enough_figures_have_no_series() -> None:
    assert row_series(row("Fintan Bradley\tHead of Strategy", ("Name", "Role", "Team"))) is None
    assert row_series(row(NI59, kind="report")) is None
    assert row_series(row("NI 1\t\t80%\t\t\t\t\t\tnone yet")) is None  # a target alone is no series
    assert row_series(row(NI59, header=())) is None


def test_codes_leads_and_priorities_are_not_figures() -> None:
    header = ("Ref", "Department Lead", "Measure", "Polarity", "Stat Neigh Av", "National Av",
              "Target", "Yr. end 16-17", "Qu 1 17-18", "C&YP Plan Priority")
    text = "G1\tJacqui Hall\tNumber of cared for children\t\t56\t60\t380-430\t422\t438\t2 Feel & Be Safe"
    series = row_series(row(text, header))
    assert series is not None
    assert series.label == "Number of cared for children"
    assert [(p.label, p.role) for p in series.points] == [
        ("Stat Neigh Av", "benchmark"), ("National Av", "benchmark"), ("Target", "target"),
        ("Yr. end 16-17", "actual"), ("Qu 1 17-18", "actual"),
    ]
    target = series.points[2]
    assert (target.value, target.high) == (380.0, 430.0)


def test_figure_reads_only_a_leading_figure() -> None:
    assert figure("£1,250.50") == (1250.5, None, "£")
    assert figure("487 (6% reduction)") == (487.0, None, "")
    assert figure("25% cum 3 months") == (25.0, None, "%")
    assert figure("2010-11") is None  # a year, not a range
    assert figure("2 Feel & Be Safe") is None
    assert figure("n/a") is None
    assert figure("9 " + "words " * 10) is None  # commentary that starts with a number
    assert role_of("2010-11 Target") == "target" and role_of("Quarter 3") == "actual"
