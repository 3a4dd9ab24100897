"""A small question set over the test papers (tests/data/papers), written as a JSON-lines file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

SCRUTINY = "scrutiny_pack.txt"
BOARD = "wellbeing_board.md"
NI59_ROW = ("NI59 - Initial assessments for children's social care carried out within 7 working days of "
            "referral\t63.30%\t80%\t67% (67% cum)\t45% (56% as of sept)\t41% (50% as of Dec)\t41%\t48%")

QUESTIONS: list[dict[str, Any]] = [
    {"id": "t01", "question": "what was NI 59 in Q3?", "answers": ["41% (50% as of Dec)", "41%"],
     "source": SCRUTINY, "evidence": [NI59_ROW], "type": "table"},
    {"id": "t02", "question": "And in Q4?", "answers": ["41%"], "source": SCRUTINY, "evidence": [NI59_ROW],
     "type": "followup", "followup_of": "t01"},
    {"id": "t03", "question": "How many first-time entrants to the youth justice system were there at year end?",
     "answers": ["204"], "source": SCRUTINY,
     "evidence": ["NI 111 - The number of first-time entrants to the youth justice system."], "type": "table"},
    {"id": "r01", "question": "What did the committee resolve about the Regulation 33 rota?",
     "answers": ["training session"], "source": SCRUTINY,
     "evidence": ["That a training session be arranged for Members on the Regulation 33 rota."],
     "type": "resolution"},
    {"id": "p01", "question": "Who sent apologies to the Children and Families Scrutiny Committee in June 2011?",
     "answers": ["John McCann"], "source": SCRUTINY,
     "evidence": ["John McCann, Jill Kelly and Councillor Hilda Gaddum"], "type": "people"},
    {"id": "n01", "question": "What is the average caseload of Independent Reviewing Officers?",
     "answers": ["80"], "source": SCRUTINY,
     "evidence": ["Independent Reviewing Officers now hold an average caseload of 80 children."],
     "type": "narrative"},
    {"id": "n02", "question": "How many community champions has the lung cancer project trained?",
     "answers": ["51"], "source": BOARD, "evidence": ["recruited and trained 51 community champions"],
     "type": "narrative"},
    {"id": "u01", "question": "What was the council's parking income in 2030?", "answers": [], "source": None,
     "evidence": [], "type": "unanswerable", "must_be_empty": True},
]


def write_questions(path: Path, rows: list[dict[str, Any]] = QUESTIONS) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def question_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_questions(tmp_path_factory.mktemp("questions") / "small.jsonl")
