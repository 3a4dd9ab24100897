"""qa/ holds general mechanisms, never a question set's ids or questions: no id and no quoted
question of ../shared/dev, eval/questions, eval/external or eval/blind appears in its code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETS = [*(ROOT.parent / "shared" / "dev").glob("*.jsonl"), *(ROOT / "eval").glob("*/*.jsonl")]


def _questions() -> list[dict]:
    return [json.loads(line) for path in SETS for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _code() -> str:
    return "\n".join(p.read_text(encoding="utf-8").casefold() for p in (ROOT / "qa").glob("*.py"))


@pytest.mark.skipif(not SETS, reason="no question sets")
def test_no_question_id_or_text_in_qa() -> None:
    code = _code()
    found = []
    for q in _questions():
        if re.search(rf"(?<![\w-]){re.escape(q['id'].casefold())}(?![\w-])", code):
            found.append(q["id"])
        text = " ".join(q["question"].casefold().split()).rstrip("?")
        if len(text) >= 10 and text in " ".join(code.split()):
            found.append(q["question"])
    assert not found, f"question ids or texts in qa/: {found[:5]}"
