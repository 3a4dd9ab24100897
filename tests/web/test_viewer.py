"""The viewer's layout: every run and cell is exactly its document span, tables become rows of
cells, pages are marked, and nothing but tabs and line breaks between rows goes unshown."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from corpus.document import PageMark
from web.viewer import Block, Run, layout

PACK = (Path(__file__).parents[1] / "data" / "papers" / "scrutiny_pack.txt").read_text(encoding="utf-8")


def leaves(blocks: list[Block]) -> list[Run]:
    return [r for b in blocks for r in b.runs] + [c for b in blocks for row in b.rows for c in row]


def unshown(text: str, blocks: list[Block]) -> str:
    covered = [False] * len(text)
    for run in leaves(blocks):
        covered[run.start:run.end] = [True] * (run.end - run.start)
    return "".join(ch for ch, seen in zip(text, covered) if not seen)


def test_every_leaf_is_its_exact_span_and_only_table_separators_are_unshown() -> None:
    blocks = layout(PACK)
    for run in leaves(blocks):
        assert PACK[run.start:run.end] == run.text
    assert set(unshown(PACK, blocks)) <= {"\t", "\n"}
    starts = [r.start for r in sorted(leaves(blocks), key=lambda r: r.start)]
    assert starts == sorted(starts)


def test_tab_lines_become_a_table_with_a_header_row() -> None:
    tables = [b for b in layout(PACK) if b.kind == "table"]
    assert len(tables) == 1
    table = tables[0]
    assert table.header_rows == 1 and table.columns == 9
    assert table.rows[0][0].text == "Key Performance or Outcome Description"
    assert [row[0].text[:6] for row in table.rows[1:]] == ["NI59 -", "NI 60 ", "NI 111"]


def test_a_single_blank_line_does_not_split_a_table() -> None:
    text = "Intro\n\nA\tB\n1\t2\n\n3\t4\nAfter\n"
    blocks = layout(text)
    assert [b.kind for b in blocks] == ["prose", "table", "prose"]
    assert [[c.text for c in row] for row in blocks[1].rows] == [["A", "B"], ["1", "2"], ["3", "4"]]


def test_pages_are_marked_where_they_begin() -> None:
    text = "first page text\nsecond page text\n"
    blocks = layout(text, (PageMark(0, 3), PageMark(16, 4)))
    assert [(b.kind, b.page) for b in blocks] == [("page", 3), ("prose", None), ("page", 4), ("prose", None)]
    assert blocks[3].runs[0].text == "second page text\n"


@given(st.text(alphabet=st.sampled_from("ab \t\n\r<>&"), max_size=80))
def test_any_text_lays_out_exactly(text: str) -> None:
    blocks = layout(text)
    for run in leaves(blocks):
        assert text[run.start:run.end] == run.text
    assert set(unshown(text, blocks)) <= set(" \t\n\r")  # words are never dropped
