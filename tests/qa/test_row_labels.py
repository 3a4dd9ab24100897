"""A question that names a table row's whole label finds that row, even when a long commentary
cell buries it in BM25 under rows that repeat some of its words."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.builder import Builder
from index.embedder import Embedder
from index.store import IndexStore
from qa.assistant import Assistant
from qa.retrieval import row_labels
from qa.settings import Settings

HEADER = "Ref\tLead officer\tMeasure\tTarget\tQ1 17-18\tQ2 17-18\tQ3 17-18\tQ4 17-18\tCommentary"
COMMENTARY = " ".join(
    ["The overall population of children in care has risen across the year, in line with the national trend,"
     " and the service has reviewed every placement to make sure that each child is cared for close to home"
     " wherever that is right for them."] * 12
)
ROWS = [
    f"G1\tJo Hall\tNumber of cared for children\t380-430\t422\t438\t470\t466\t{COMMENTARY}",
    "G2\tPete Sloan\tRate per 10,000 cared for children\t56\t58\t61.8\t62.3\t63\tIn line with neighbours.",
    "P4.3\tNia Axford\t% attendance at primary school of children in care (all cared for children)\t95%\t96%\t94%\t95%\t97%\tGood.",
    "P4.12\tNia Axford\t% 16-18 year olds in care that are NEET\t20%\t18%\t6%\t9%\t12%\tAmended measure.",
    "P5.6\tLee Blanchard\tNumber of cared for children offending\t5\t4\t4\t1\t2\tLow.",
]


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Assistant:
    papers = tmp_path_factory.mktemp("scorecard")
    text = "Corporate Parenting Committee\n\nScorecard 2017-18\n\n" + "\n".join([HEADER, *ROWS]) + "\n"
    (papers / "scorecard.txt").write_text(text, encoding="utf-8")
    settings = Settings.from_env(index_dir=tmp_path_factory.mktemp("scorecard-index"))
    report = Builder(IndexStore(settings.index_dir), embedder, 2**20).ingest([papers])
    assert not report.failed, report.failed
    return Assistant(IndexStore(settings.index_dir).load(settings.model), embedder, settings)


def test_the_label_is_the_wordiest_of_the_first_three_cells() -> None:
    assert row_labels(ROWS[0]) == [["number", "care", "children"]]
    assert row_labels("NI 59 - Initial assessments within 7 days\t81%\t68%") == [["ni", "initi", "assess", "within", "day"]]


def test_a_header_row_has_no_label_even_repeated_on_a_later_page() -> None:
    header = tuple(HEADER.split("\t"))
    assert row_labels(HEADER, header) == []
    assert row_labels("ref\tlead officer\t\tmeasure", header) == []


@pytest.mark.parametrize("mode", ["hybrid", "bm25"])
def test_a_question_naming_the_whole_label_finds_the_row(assistant: Assistant, mode: str) -> None:
    answer = assistant.ask("How many cared for children were there in Q3 17-18?", mode=mode)
    assert answer.citations[0].text.startswith("G1\t")
    assert answer.answer == "470"
