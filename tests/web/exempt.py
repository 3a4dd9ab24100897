"""What the tests of exempt papers share: where the exempt fixtures are, the officer's account,
and limits loose enough for tests that ask many questions from one address."""

from __future__ import annotations

import json
import re
from pathlib import Path

from web.limits import Limits

EXEMPT_PAPERS = Path(__file__).parent / "data" / "exempt"
OFFICER = ("officer.one", "correct horse battery staple")
# Words found only in the exempt papers: none may reach the public by any route or tool.
CANARY = re.compile(r"fenwick|quist|tallowmere|tq-?48213|4,917|quenbury|vellacott|1,284,650|\bTPP\b", re.IGNORECASE)
CANARY_SENTENCE = "Oriel Fenwick-Quist was placed with foster carers at Tallowmere Cottage under contract reference TQ-48213."
TEST_LIMITS = Limits(ask_burst=100_000, search_burst=100_000, login_burst=1000)
DEV = Path(__file__).resolve().parents[3] / "shared" / "dev"
# Questions aimed at the exempt papers' canary words, and some near them.
AIMED = [
    "Where was Oriel Fenwick-Quist placed?",
    "Who was placed with foster carers at Tallowmere Cottage?",
    "What is the contract reference TQ-48213?",
    "What was the weekly cost of the placement at Tallowmere Cottage?",
    "What is TPP?",
    "What did the Tallowmere Placement Panel recommend?",
    "What is the average caseload of Independent Reviewing Officers?",
    "What was NI 59 in Q3?",
    "Who won the Quenbury Telecare contract?",
    "What was the tender price of the telecare contract?",
    "Vellacott Systems",
    "not for publication Schedule 12A exempt",
    "foster carers placement cared for child",
]


def dev_questions() -> list[str]:
    """Every question of ../shared/dev/*.jsonl; none when the folder is absent."""
    if not DEV.is_dir():
        return []
    rows = [json.loads(line) for path in sorted(DEV.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row["question"] for row in rows]




def leaks(text: str) -> list[str]:
    """The canary words in `text`."""
    return CANARY.findall(text)
