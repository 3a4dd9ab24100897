"""Tune and held-out parts of question sets, split by paper (never by question), fixed by a seed.

A question belongs to the group of the paper its evidence is in (its `paper` field inside its
`source` file; a follow-up to the group of the question it follows). Within each question file
the groups are shuffled with SEED and taken, in that order, into held-out until it holds
HELD_OUT_SHARE of the file's questions; the rest is tune. A file whose questions name no paper
(`../shared/dev`, the older own sets) was written and tuned on before the split existed, so it is
all tune. Weights are fitted (`eval fit`) and rules judged on tune only; held-out says whether
they generalise."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence

from eval.questions import Question, ancestors

SEED = 20261204
HELD_OUT_SHARE = 0.4
TUNE, HELD_OUT, ALL = "tune", "heldout", "all"
PARTS = (TUNE, HELD_OUT, ALL)


def group_of(question: Question, by_id: Mapping[str, Question]) -> str | None:
    """The paper a question is about, as 'source | paper'; None when it names none."""
    root = next(iter(ancestors(question, by_id)), question)
    if root.paper is None:
        return None
    return f"{root.source or ''} | {root.paper.strip().casefold()}"


def parts(questions: Sequence[Question], seed: int = SEED, share: float = HELD_OUT_SHARE) -> dict[str, str]:
    """Each question id's part, TUNE or HELD_OUT (the shuffle is per question file, so adding a
    file does not move another file's questions)."""
    by_id = {q.id: q for q in questions}
    per_file: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        per_file[q.file or ""].append(q)
    out: dict[str, str] = {}
    for name, members in sorted(per_file.items()):
        out.update(_split_file(name, members, by_id, seed, share))
    return out


def _split_file(name: str, members: list[Question], by_id: Mapping[str, Question], seed: int,
                share: float) -> dict[str, str]:
    groups: dict[str, list[str]] = defaultdict(list)
    for q in members:
        group = group_of(q, by_id)
        if group is None:
            return {q.id: TUNE for q in members}
        groups[group].append(q.id)
    order = sorted(groups)
    random.Random(f"{seed}:{name}").shuffle(order)
    out: dict[str, str] = {}
    held = 0
    for group in order:
        part = HELD_OUT if held < share * len(members) else TUNE
        held += len(groups[group]) if part == HELD_OUT else 0
        out.update({qid: part for qid in groups[group]})
    return out


def select(questions: Sequence[Question], part: str) -> list[Question]:
    """The questions of one part (ALL: every question), in order."""
    if part == ALL:
        return list(questions)
    chosen = parts(questions)
    return [q for q in questions if chosen[q.id] == part]
