"""Loading and validating question sets (eval/questions.py) and the `check` command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eval.__main__ import app
from eval.questions import (
    Question,
    QuestionFileError,
    check_evidence,
    expand_paths,
    history,
    lint,
    load_questions,
    parse_question,
)
from qa.answer import Turn

SOURCE = "doc.txt"
TEXT = "Apologies\n\nJohn McCann\nNI 43\t32 (8.6%)\t12.50%\nNI 43 again\n"


def q(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "d001", "question": "Who sent apologies?", "answers": ["John McCann"], "source": SOURCE,
        "evidence": ["Apologies\n\nJohn McCann"], "type": "people", "followup_of": None,
    }
    return {**base, **fields}


def write(path: Path, *rows: dict[str, Any] | str) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_loads_fields_and_keeps_tabs(tmp_path: Path) -> None:
    row = q(id="d002", answers=["12.50%", "12.5%"], evidence=["NI 43\t32 (8.6%)\t12.50%"], note="n", extra=1)
    [question] = load_questions([write(tmp_path / "a.jsonl", row)])
    assert question == Question(
        id="d002", question="Who sent apologies?", answers=("12.50%", "12.5%"), source=SOURCE,
        evidence=("NI 43\t32 (8.6%)\t12.50%",), type="people", followup_of=None, note="n", file="a.jsonl",
    )
    assert question.answerable


def test_several_files_in_order_blank_lines_skipped(tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", q(id="a1"), "", q(id="a2"))
    b = write(tmp_path / "b.jsonl", q(id="b1"))
    assert [x.id for x in load_questions([a, b])] == ["a1", "a2", "b1"]


def test_unanswerable_question(tmp_path: Path) -> None:
    row = q(answers=[], evidence=[], type="unanswerable")
    [question] = load_questions([write(tmp_path / "a.jsonl", row)])
    assert not question.answerable and question.must_be_empty
    assert lint([question]) == []


def test_must_be_empty_flag_agrees_with_answers(tmp_path: Path) -> None:
    ok = [q(id="a", answers=[], evidence=[], must_be_empty=True), q(id="b", must_be_empty=False), q(id="c")]
    assert [x.must_be_empty for x in load_questions([write(tmp_path / "ok.jsonl", *ok)])] == [True, False, False]
    for row, message in [
        (q(must_be_empty=True), "'must_be_empty' is true but 'answers' or 'evidence' are given"),
        (q(answers=[], must_be_empty=False), "'must_be_empty' is false but 'answers' is empty"),
        (q(must_be_empty="yes"), "'must_be_empty' must be true, false or null"),
    ]:
        with pytest.raises(QuestionFileError, match=message):
            load_questions([write(tmp_path / "bad.jsonl", row)])


def test_evidence_for_a_question_without_answers_is_flagged() -> None:
    [warning] = lint([parse_question(q(id="e", answers=[]))])
    assert warning.startswith("e: no answers, so it must be empty")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "a.jsonl:1: not JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps(q(id="")), "'id' must be a non-empty string"),
        (json.dumps({k: v for k, v in q().items() if k != "question"}), "'question' must be"),
        (json.dumps(q(answers="John")), "'answers' must be a list of strings"),
        (json.dumps(q(evidence=[""])), "empty string"),
        (json.dumps(q(source=None)), "without a 'source'"),
        (json.dumps(q(followup_of=3)), "'followup_of' must be a string or null"),
    ],
)
def test_bad_lines_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(QuestionFileError, match=message.replace("(", r"\(")):
        load_questions([write(tmp_path / "a.jsonl", line)])


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", q(id="x"))
    b = write(tmp_path / "b.jsonl", q(id="x"))
    with pytest.raises(QuestionFileError, match="duplicate question id 'x'"):
        load_questions([a, b])


def test_followup_must_resolve_and_not_cycle(tmp_path: Path) -> None:
    with pytest.raises(QuestionFileError, match="not a question id"):
        load_questions([write(tmp_path / "a.jsonl", q(id="f", followup_of="nope"))])
    cycle = write(tmp_path / "b.jsonl", q(id="x", followup_of="y"), q(id="y", followup_of="x"))
    with pytest.raises(QuestionFileError, match="cycle"):
        load_questions([cycle])


def test_history_sends_earlier_questions_with_first_gold_answer(tmp_path: Path) -> None:
    rows = [
        q(id="p", question="Who?", answers=["John McCann", "McCann"]),
        q(id="f", question="And then?", type="followup", followup_of="p"),
        q(id="g", question="And after?", type="followup", followup_of="f", answers=[], evidence=[]),
    ]
    qs = load_questions([write(tmp_path / "a.jsonl", *rows)])
    by_id = {x.id: x for x in qs}
    assert history(by_id["p"], by_id) == []
    assert history(by_id["f"], by_id) == [Turn("Who?", "John McCann")]
    assert history(by_id["g"], by_id) == [Turn("Who?", "John McCann"), Turn("And then?", "John McCann")]


def test_check_evidence_reports_missing_strings_and_sources() -> None:
    qs = [
        parse_question(q(id="ok")),
        parse_question(q(id="bad", evidence=["Apologies John McCann"])),
        parse_question(q(id="gone", source="other.txt")),
        parse_question(q(id="none", answers=[], evidence=[], type="unanswerable")),
    ]
    warnings = check_evidence(qs, {SOURCE: TEXT}.get)
    assert len(warnings) == 2
    assert warnings[0].startswith("bad: evidence not in doc.txt")
    assert warnings[1] == "gone: source 'other.txt' not found"


def test_lint() -> None:
    qs = [
        parse_question(q(id="t", type="weird")),
        parse_question(q(id="e", evidence=[], source=None)),
        parse_question(q(id="u", type="unanswerable")),
    ]
    assert [w.split(":")[0] for w in lint(qs)] == ["t", "e", "u"]


def test_expand_paths_globs_and_plain_names(tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", q())
    b = write(tmp_path / "b.jsonl", q())
    assert expand_paths([str(tmp_path / "*.jsonl"), a]) == [a, b]
    with pytest.raises(QuestionFileError, match="no file matches"):
        expand_paths([str(tmp_path / "*.json")])


def test_check_command(tmp_path: Path) -> None:
    (tmp_path / SOURCE).write_text(TEXT, encoding="utf-8")
    good = write(tmp_path / "good.jsonl", q())
    bad = write(tmp_path / "bad.jsonl", q(id="b", evidence=["not there"]))
    runner = CliRunner()
    ok = runner.invoke(app, ["check", "--questions", str(good), "--papers", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    assert "1 questions (1 answerable, 0 must be empty), 0 warning(s)" in ok.output
    # A second file given positionally, as when the shell expands `--questions dev/*.jsonl`.
    failed = runner.invoke(app, ["check", "--questions", str(good), str(bad), "--papers", str(tmp_path)])
    assert failed.exit_code == 1
    assert "b: evidence not in doc.txt" in failed.output


def test_check_command_reports_bad_file_without_traceback(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.jsonl", "{oops")
    result = CliRunner().invoke(app, ["check", "--questions", str(bad)])
    assert result.exit_code == 2
    assert "bad.jsonl:1: not JSON" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
