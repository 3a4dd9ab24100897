"""Tune and held-out parts: fixed by the seed, by paper (never splitting one), follow-ups with
the question they follow, and sets that name no paper wholly tune."""

from __future__ import annotations

import json
from pathlib import Path

from eval.questions import load_questions
from eval.split import HELD_OUT, TUNE, group_of, parts, select


def _write(path: Path, papers: list[str], followup_paper: str | None = None) -> Path:
    rows = [{"id": f"{path.stem}-{i}", "question": f"q{i}", "answers": ["a"], "source": "s.txt",
             "evidence": ["e"], "type": "narrative", "paper": p} for i, p in enumerate(papers)]
    rows.append({"id": f"{path.stem}-f", "question": "and then?", "answers": ["b"], "source": "s.txt",
                 "evidence": ["e"], "type": "followup", "followup_of": f"{path.stem}-0", "paper": followup_paper})
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_split_is_fixed_and_by_paper(tmp_path: Path) -> None:
    papers = [f"Minutes {i % 7}" for i in range(40)]
    qs = load_questions([_write(tmp_path / "a.jsonl", papers, followup_paper="Other paper")])
    first, second = parts(qs), parts(qs)
    assert first == second
    by_id = {q.id: q for q in qs}
    by_group: dict[str | None, set[str]] = {}
    for q in qs:
        by_group.setdefault(group_of(q, by_id), set()).add(first[q.id])
    assert all(len(v) == 1 for v in by_group.values())
    held = sum(1 for v in first.values() if v == HELD_OUT)
    assert 0.3 * len(qs) <= held <= 0.7 * len(qs)
    assert first["a-f"] == first["a-0"]  # a follow-up goes with what it follows


def test_other_seeds_split_otherwise(tmp_path: Path) -> None:
    qs = load_questions([_write(tmp_path / "a.jsonl", [f"Paper {i}" for i in range(30)])])
    assert any(parts(qs, seed=s) != parts(qs) for s in range(1, 5))


def test_sets_without_papers_are_all_tune(tmp_path: Path) -> None:
    path = tmp_path / "dev.jsonl"
    path.write_text(json.dumps({"id": "d1", "question": "q", "answers": ["a"], "source": "s.txt",
                                "evidence": ["e"], "type": "table"}) + "\n", encoding="utf-8")
    qs = load_questions([path])
    assert parts(qs) == {"d1": TUNE}
    assert select(qs, HELD_OUT) == []


def test_one_file_does_not_move_another(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.jsonl", [f"Paper {i}" for i in range(20)])
    b = _write(tmp_path / "b.jsonl", [f"Paper {i}" for i in range(10)])
    alone = parts(load_questions([a]))
    together = parts(load_questions([a, b]))
    assert all(together[k] == v for k, v in alone.items())
