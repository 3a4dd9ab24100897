"""Command line: `python -m eval run --questions FILE.jsonl ...` and `python -m eval check ...`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from corpus.errors import ClerkError, IndexError_, IndexMissing
from eval import run as runner
from eval.questions import Question, QuestionFileError, check_evidence, expand_paths, lint, load_questions
from qa.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Score Clerk against question sets.")

QuestionsOpt = Annotated[
    list[str],
    typer.Option("--questions", "-q", help="Question file(s) (JSON lines) or glob(s); repeatable."),
]
MoreArg = Annotated[
    list[str] | None, typer.Argument(help="More question files, so that `--questions dev/*.jsonl` works.",
                                     show_default=False),
]
IndexOpt = Annotated[
    Path | None, typer.Option("--index", help="Index folder (default: CLERK_INDEX or var/index)."),
]
ModesOpt = Annotated[str, typer.Option("--modes", help="Comma-separated retrieval modes.")]
JsonOpt = Annotated[Path | None, typer.Option("--json", help="Write all numbers and rows here.")]
FailuresOpt = Annotated[bool, typer.Option("--failures", help="List hybrid misses and wrong answers.")]


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def _load(patterns: list[str]) -> tuple[list[Path], list[Question]]:
    try:
        files = expand_paths(patterns)
        return files, load_questions(files)
    except QuestionFileError as exc:
        raise _fail(f"error: {exc}", 2) from None


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)


def _open(settings: Settings) -> runner.AskingAssistant:
    try:
        return runner.open_assistant(settings)
    except IndexMissing:
        raise _fail(f"no index in {settings.index_dir}: run `python -m qa ingest corpus/papers`") from None
    except IndexError_ as exc:
        raise _fail(f"index in {settings.index_dir} cannot be used: {exc}") from None


@app.command()
def run(
    questions: QuestionsOpt,
    more: MoreArg = None,
    k: Annotated[int, typer.Option("--k", min=1, max=runner.MAX_K, help="Citations (at least 10).")] = 10,
    index: IndexOpt = None,
    modes: ModesOpt = ",".join(runner.MODES),
    json_out: JsonOpt = None,
    failures: FailuresOpt = False,
) -> None:
    """Score retrieval and answers for each retrieval mode; prints markdown tables."""
    try:
        mode_list = runner.parse_modes(modes)
    except ValueError as exc:
        raise _fail(f"error: {exc}", 2) from None
    files, qs = _load([*questions, *(more or [])])
    settings = Settings.from_env(index_dir=index)
    assistant = _open(settings)
    texts = runner.DocumentTexts(assistant.document_text, settings.papers_dir)
    warnings = lint(qs) + check_evidence(qs, texts)
    _warn(warnings)
    try:
        evaluation = runner.evaluate(assistant, qs, mode_list, k, texts)
    except ClerkError as exc:
        raise _fail(f"error: {exc}") from None
    typer.echo(runner.format_evaluation(evaluation, len(qs)))
    if failures:
        mode = "hybrid" if "hybrid" in mode_list else mode_list[0]
        typer.echo("\n" + runner.format_failures(evaluation, qs, mode))
    if json_out is not None:
        data = runner.evaluation_json(evaluation, files, warnings)
        json_out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@app.command()
def check(
    questions: QuestionsOpt,
    more: MoreArg = None,
    papers: Annotated[Path | None, typer.Option("--papers", help="Folder of the source files.")] = None,
    index: IndexOpt = None,
) -> None:
    """Validate question files against the papers' .txt/.md files (or, with --index, the index's
    document text); exit 1 on warnings."""
    _, qs = _load([*questions, *(more or [])])
    settings = Settings.from_env(papers_dir=papers, index_dir=index)
    lookup = _open(settings).document_text if index is not None else None
    warnings = lint(qs) + check_evidence(qs, runner.DocumentTexts(lookup, settings.papers_dir))
    _warn(warnings)
    typer.echo(f"{len(qs)} questions, {len(warnings)} warning(s)")
    if warnings:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
