"""Command line: `python -m eval run|gate|check --questions FILE.jsonl ...` (see eval/README.md)."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import partial
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from corpus.errors import ClerkError, IndexError_, IndexMissing
from eval import gate as gating
from eval import report
from eval import remote
from eval import run as runner
from eval.compare import MAX_P, STAT_TESTS
from eval.configs import DEFAULT_PRESETS, ConfigError, EvalConfig, is_config_name, resolve
from eval.failures import format_failures
from eval.questions import Question, QuestionFileError, check_evidence, expand_paths, lint, load_questions
from eval.split import PARTS, TUNE, select
from qa.selector import WEIGHTS
from qa.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Score Clerk against question sets.")

QuestionsOpt = Annotated[
    list[str],
    typer.Option("--questions", "-q", help="Question file(s) (JSON lines) or glob(s); repeatable."),
]
MoreArg = Annotated[
    list[str] | None, typer.Argument(
        help="More question files (so that `--questions dev/*.jsonl` works) and, after --configs, "
             "more presets or .toml files.", show_default=False),
]
IndexOpt = Annotated[
    Path | None, typer.Option("--index", help="Index folder (default: CLERK_INDEX or var/index)."),
]
KOpt = Annotated[int, typer.Option("--k", min=1, max=runner.MAX_K, help="Citations (at least 10).")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write report.md, results.jsonl, failures.md "
                                                           "and PNG charts into this folder.")]
FailuresOpt = Annotated[bool, typer.Option("--failures", help="List the first configuration's misses.")]
SplitOpt = Annotated[str, typer.Option("--split", help="Score only one part of each set (eval/split.py): "
                                                       "tune, heldout, or all.")]


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def _split_words(questions: Sequence[str], more: Sequence[str] | None) -> tuple[list[str], list[str]]:
    """Question files and configuration words: positional words that name presets or .toml files
    are configurations (`--configs a.toml b.toml` leaves b.toml positional)."""
    extra = list(more or [])
    return [*questions, *(w for w in extra if not is_config_name(w))], [w for w in extra if is_config_name(w)]


def _load(patterns: list[str]) -> tuple[list[Path], list[Question]]:
    try:
        files = expand_paths(patterns)
        return files, load_questions(files)
    except QuestionFileError as exc:
        raise _fail(f"error: {exc}", 2) from None


def _configs(words: Sequence[str]) -> list[EvalConfig]:
    try:
        return resolve(words)
    except ConfigError as exc:
        raise _fail(f"error: {exc}", 2) from None


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)


def _open(settings: Settings, untrained: bool = False) -> runner.Assistants:
    """The assistants of an evaluation; `untrained` gives them a selector that needs no weights
    (for fitting them)."""
    opener = partial(runner.open_assistant, untrained=True) if untrained else runner.open_assistant
    assistants = runner.Assistants(settings, opener)
    try:
        assistants.first  # noqa: B018 - load now, so a missing index is reported before any work
    except IndexMissing:
        raise _fail(f"no index in {settings.index_dir}: run `python -m qa ingest corpus/papers`") from None
    except IndexError_ as exc:
        raise _fail(f"index in {settings.index_dir} cannot be used: {exc}") from None
    return assistants


def _remote(url: str, token: str | None, configs: list[EvalConfig]) -> remote.RemoteAssistants:
    """The running server at `url`, once every configuration is one it can be scored under."""
    refused = [c.name for c in configs if not remote.scorable(c)]
    if refused:
        raise _fail(f"error: --url scores the server as it answers, the {remote.SCORED_MODE} preset; "
                    f"drop {', '.join(refused)} (or give --configs {remote.SCORED_MODE})", 2)
    return remote.RemoteAssistants(remote.RemoteAssistant(url, token))


def _evaluate(
    qs: list[Question], configs: list[EvalConfig], k: int, index: Path | None, probe: bool,
    url: str | None = None, token: str | None = None,
) -> tuple[runner.Evaluation, list[str], Settings]:
    settings = Settings.from_env(index_dir=index)
    assistants = _remote(url, token, configs) if url else _open(settings)
    probe = probe and not url
    texts = runner.DocumentTexts(assistants.first.document_text, settings.papers_dir)
    warnings = lint(qs) + check_evidence(qs, texts)
    _warn(warnings)
    try:
        return runner.evaluate(assistants, qs, configs, k, texts, probe), warnings, settings
    except IndexMissing:
        raise _fail("a configuration's index_dir holds no index") from None
    except ClerkError as exc:
        raise _fail(f"error: {exc}") from None


def _write_out(evaluation: runner.Evaluation, out: Path, files: list[Path], warnings: list[str],
               settings: Settings, test: str, max_p: float) -> None:
    written = report.write_report(evaluation, out, files, warnings, settings.index_dir, test, max_p)
    typer.echo(f"\nwrote {', '.join(str(p) for p in written)}")


@app.command()
def run(
    questions: QuestionsOpt,
    more: MoreArg = None,
    k: KOpt = 10,
    index: IndexOpt = None,
    configs: Annotated[list[str] | None, typer.Option(
        "--configs", "-c", help="Presets (hybrid, bm25, dense, rrf) or .toml files; comma-separated or "
                                "repeated. The first is the one the others are compared against.")] = None,
    modes: Annotated[str | None, typer.Option("--modes", help="Comma-separated presets (older spelling "
                                                               "of --configs).")] = None,
    out: OutOpt = None,
    failures: FailuresOpt = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write all numbers and rows here.")] = None,
    test: Annotated[str, typer.Option("--test", help=f"Paired test: {' or '.join(STAT_TESTS)}.")] = "student",
    max_p: Annotated[float, typer.Option("--max-p", min=0.0, max=1.0, help="Significance level.")] = MAX_P,
    probe: Annotated[bool, typer.Option("--probe/--no-probe", help="Also time each question's CPU use "
                                                                   "in units of a probe (eval/latency.py).")] = True,
    split: SplitOpt = "all",
    url: Annotated[str | None, typer.Option("--url", help="Score the Clerk server running here (e.g. "
                                                          "http://127.0.0.1:8000) over HTTP instead of "
                                                          "an index in this process; hybrid only.")] = None,
    token: Annotated[str | None, typer.Option("--token", envvar="CLERK_TOKEN", help="API token for --url "
                                                                                   "(a service token "
                                                                                   "avoids the rate limit).")] = None,
) -> None:
    """Score retrieval and answers under each configuration; prints markdown tables, compares them."""
    question_words, config_words = _split_words(questions, more)
    if test not in STAT_TESTS:
        raise _fail(f"error: --test must be one of {', '.join(STAT_TESTS)}", 2)
    presets = remote.SCORED_MODE if url else ",".join(DEFAULT_PRESETS)
    words = [*([modes] if modes else []), *(configs or []), *config_words] or [presets]
    chosen = _configs(words)
    files, qs = _load(question_words)
    qs = _part(qs, split)
    evaluation, warnings, settings = _evaluate(qs, chosen, k, index, probe, url, token)
    typer.echo(report.console_text(evaluation, test, max_p))
    if failures:
        typer.echo("\n" + format_failures(evaluation, evaluation.runs[0]))
    if json_out is not None:
        data = report.evaluation_json(evaluation, files, warnings)
        json_out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if out is not None:
        _write_out(evaluation, out, files, warnings, settings, test, max_p)


@app.command()
def gate(
    questions: QuestionsOpt,
    more: MoreArg = None,
    k: KOpt = 10,
    index: IndexOpt = None,
    config: Annotated[str, typer.Option("--config", help="The preset or .toml file to gate.")] = "hybrid",
    baseline: Annotated[Path, typer.Option("--baseline", help="Baseline file.")] = gating.BASELINE,
    update_baseline: Annotated[bool, typer.Option(
        "--update-baseline", help="Rewrite the baseline from this run instead of checking it.")] = False,
    out: OutOpt = None,
    failures: FailuresOpt = False,
    split: SplitOpt = "all",
    url: Annotated[str | None, typer.Option("--url", help="Gate the Clerk server running here instead of "
                                                          "an index in this process (hybrid only; its "
                                                          "latency is not gated).")] = None,
    token: Annotated[str | None, typer.Option("--token", envvar="CLERK_TOKEN", help="API token for --url.")] = None,
) -> None:
    """Fail (exit 1) when a question type's Recall@5 or answer accuracy drops more than 2 points
    below the baseline, or the median latency rises more than 50 %."""
    question_words, config_words = _split_words(questions, more)
    chosen = _configs([config, *config_words])
    if len(chosen) != 1:
        raise _fail("error: the gate checks one configuration", 2)
    recorded = None if update_baseline else _baseline(baseline)
    files, qs = _load(question_words)
    qs = _part(qs, split)
    evaluation, warnings, settings = _evaluate(qs, chosen, k, index, True, url, token)
    result = evaluation.runs[0]
    typer.echo(f"{report.headline(evaluation)}\n\n{report.config_section(result)}\n")
    if failures:
        typer.echo(format_failures(evaluation, result) + "\n")
    if out is not None:
        _write_out(evaluation, out, files, warnings, settings, "student", MAX_P)
    if recorded is None:
        gating.save_baseline(gating.baseline_of(result, qs, files, evaluation.k), baseline)
        typer.echo(f"baseline written to {baseline}")
        return
    _judge(recorded, result, qs, baseline, latency=url is None)


def _baseline(path: Path) -> dict:
    try:
        return gating.load_baseline(path)
    except gating.BaselineError as exc:
        raise _fail(f"error: {exc}", 2) from None


def _judge(recorded: dict, result: runner.ConfigRun, qs: list[Question], path: Path, latency: bool = True) -> None:
    for note in gating.notes(recorded, result, qs):
        typer.echo(f"note: {note}")
    if not latency:
        typer.echo("note: a server's latency is not gated (its CPU cannot be probed from here)")
    checks = gating.check(recorded, result, latency=latency)
    typer.echo(f"### gate against {path}\n\n{gating.format_checks(checks)}")
    if not all(c.passed for c in checks):
        typer.echo(f"(if the change is intended, rerun with --update-baseline and commit {path})")
        raise typer.Exit(1)


@app.command()
def fit(
    questions: QuestionsOpt,
    more: MoreArg = None,
    index: Annotated[list[Path] | None, typer.Option(
        "--index", help="Index folder(s); each question file is asked of the index holding its sources "
                        "(default: CLERK_INDEX or var/index).")] = None,
    split: Annotated[str, typer.Option("--split", help="Which part to fit on: tune, heldout or all.")] = TUNE,
    out: Annotated[Path, typer.Option("--out", help="Where to write the weights.")] = WEIGHTS,
    model: Annotated[str, typer.Option("--model", help="trees (LightGBM) or logistic.")] = "trees",
) -> None:
    """Fit the chunk reranker and the answer selector (qa/reranker.py, qa/selector.py) on the tune
    split and write their weights."""
    from eval import fit as fitting

    if model not in fitting.MODELS:
        raise _fail(f"error: --model must be one of {', '.join(fitting.MODELS)}", 2)
    files, qs = _load([*questions, *(more or [])])
    chosen = _part(qs, split)
    assistants = [_open(Settings.from_env(index_dir=path), untrained=True).first for path in (index or [None])]
    pairs = [(_holder(assistants, q, chosen), q) for q in chosen]
    by_id = {q.id: q for q in qs}
    try:
        adapter, adapters = fitting.fit_adapters(pairs, by_id)
        pools = fitting.collect(pairs, by_id, adapters)
        selector, figures = fitting.fit_all(pools, [str(f) for f in files], model)
    except ValueError as exc:
        raise _fail(f"error: {exc}") from None
    selector = replace(selector, adapter=adapter)
    try:
        selector.save(out)
    except OSError as exc:
        raise _fail(f"error: cannot write the weights to {out} ({exc.strerror})") from None
    typer.echo(" ".join(f"{k}={v}" for k, v in figures.items()) + f" threshold={selector.threshold:.3f}")
    typer.echo(f"weights written to {out}")


def _part(qs: list[Question], split: str) -> list[Question]:
    if split not in PARTS:
        raise _fail(f"error: --split must be one of {', '.join(PARTS)}", 2)
    return select(qs, split)


def _holder(assistants: list, question: Question, questions: list[Question]) -> Any:
    """The assistant whose index holds the question's source, else most of its file's sources."""
    sources = [question.source] if question.source else [q.source for q in questions
                                                         if q.file == question.file and q.source]
    return max(assistants, key=lambda a: sum(s in a.index.documents for s in sources))


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
    lookup = _open(settings).first.document_text if index is not None else None
    warnings = lint(qs) + check_evidence(qs, runner.DocumentTexts(lookup, settings.papers_dir))
    _warn(warnings)
    empty = sum(1 for q in qs if q.must_be_empty)
    typer.echo(f"{len(qs)} questions ({len(qs) - empty} answerable, {empty} must be empty), "
               f"{len(warnings)} warning(s)")
    if warnings:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
