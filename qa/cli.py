"""Command line: `python -m qa ingest | ask | serve | mcp | users`.

Thin: everything real lives in the Assistant, the Builder and the web layer."""

from __future__ import annotations

import json
import logging
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

import typer

from corpus.errors import ClerkError, SettingError
from qa.answer import Turn
from qa.settings import Settings
from qa.users_cli import app as users_app

if TYPE_CHECKING:
    from index.builder import Builder
    from index.embedder import Embedder
    from index.ray_runner import RayRunner

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Clerk: cited answers from council papers.")
app.add_typer(users_app, name="users")
IndexOpt = Annotated[Optional[Path], typer.Option("--index", help="index folder (default var/index)")]


def _settings(index: Path | None, **overrides: Any) -> Settings:
    try:
        return Settings.from_env(index_dir=index, **overrides)
    except SettingError as exc:
        _fail(str(exc))


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="files and folders (txt, md, pdf, html, docx)")],
    index: IndexOpt = None,
    rebuild: Annotated[bool, typer.Option(help="ignore the existing index and build anew")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="list what would change, write nothing")] = False,
    workers: Annotated[Optional[int], typer.Option(help="parsing processes (default: one per core)", min=1)] = None,
    max_file_mb: Annotated[Optional[float], typer.Option(help="refuse larger files (env CLERK_MAX_FILE_MB)")] = None,
    ray_address: Annotated[Optional[str], typer.Option(
        "--ray", metavar="ADDRESS", help="parse and embed on the Ray cluster at ADDRESS (the head's HOST:PORT, or auto)",
    )] = None,
) -> None:
    """Ingest files and folders; unchanged files are skipped, vanished ones removed."""
    from index.builder import Builder
    from index.store import IndexStore
    from qa.assistant import embedder_for

    if ray_address is not None and workers is not None:
        _fail("--workers sets this machine's parsing processes; with --ray the cluster's CPUs do the work")
    settings = _settings(index, max_file_mb=max_file_mb)
    embedder = embedder_for(settings)
    with ExitStack() as stack:
        runner = stack.enter_context(_ray(ray_address, embedder, settings)) if ray_address else None
        builder = Builder(IndexStore(settings.index_dir), embedder, int(settings.max_file_mb * 2**20),
                          show_progress=sys.stderr.isatty(), workers=workers, runner=runner)
        failed = _ingest(builder, paths, rebuild, dry_run)
    _sync_backend(settings, rebuild, dry_run)
    raise typer.Exit(1 if failed else 0)


def _ray(address: str, embedder: Embedder, settings: Settings) -> RayRunner:
    """The cluster at `address`, joined (imports Ray: only for --ray), or a clean exit 2."""
    from index.runner import ray_runner

    try:
        runner = ray_runner(address, embedder, settings.embed_cache)
    except ClerkError as exc:
        _fail(str(exc))
    typer.echo(f"ray: joined the cluster at {address}: {runner.describe()}", err=True)
    return runner


def _ingest(builder: Builder, paths: list[Path], rebuild: bool, dry_run: bool) -> bool:
    """Run the ingest with a line per file as it settles, then the summary; True if any file failed."""
    from tqdm import tqdm

    from corpus.ingest import Outcome
    from qa.ingest_report import outcome_line, summary_lines

    bar = tqdm(total=0, unit="file", desc="reading", file=sys.stderr, disable=not sys.stderr.isatty(), leave=False)

    def progress(outcome: Outcome, done: int, total: int) -> None:
        bar.write(outcome_line(outcome, dry_run), file=sys.stdout)
        if done <= total:  # files gone from their folder are told after the reading
            bar.total = total
            bar.set_postfix_str(Path(outcome.path).name[-40:], refresh=False)
            bar.update(1)
        if done == total:
            bar.close()  # before the embedding bar starts

    try:
        report = builder.ingest(list(paths), rebuild=rebuild, dry_run=dry_run, progress=progress)
    except ClerkError as exc:
        bar.close()
        _fail(str(exc))
    bar.close()
    for line in summary_lines(report):
        typer.echo(line)
    return bool(report.failed)


def _sync_backend(settings: Settings, rebuild: bool, dry_run: bool) -> None:
    """CLERK_BACKEND=milvus: the saved build goes on into Milvus (qa/backends.py)."""
    from qa.backends import sync_backend

    if dry_run:
        return
    try:
        line = sync_backend(settings, rebuild)
    except ClerkError as exc:
        _fail(str(exc))
    if line:
        typer.echo(line)


def _answers(settings: Settings, rows: list[dict[str, Any]], k: int | None) -> None:
    from qa.assistant import Assistant

    assistant = Assistant.open(settings)
    for row in rows:
        try:
            history = [Turn(str(t.get("question", "")), t.get("answer")) for t in row.get("history") or []]
            answer = assistant.ask(str(row.get("question", "")), history, k=k, id=row.get("id")).to_json()
        except ClerkError as exc:
            answer = {"id": row.get("id"), "question": row.get("question"), "error": str(exc),
                      "answer": None, "answerable": False, "confidence": 0.0, "citations": [], "took_ms": 0.0}
        typer.echo(json.dumps(answer, ensure_ascii=False))


def _read_batch(path: Path) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except ValueError as exc:
                _fail(f"{path}:{n}: not a JSON line ({exc})")
    return rows


@app.command()
def ask(
    question: Annotated[Optional[str], typer.Argument(help="the question")] = None,
    k: Annotated[Optional[int], typer.Option("--k", help="citations to return (default 5)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the answer object as JSON")] = False,
    batch: Annotated[Optional[Path], typer.Option("--batch", help="JSON lines of {id, question, history}")] = None,
    index: IndexOpt = None,
) -> None:
    """Answer one question, or every line of a --batch file."""
    settings = _settings(index)
    try:
        if batch is not None:
            _answers(settings, _read_batch(batch), k)
            return
        if not question:
            _fail("give a QUESTION or --batch FILE")
        from qa.assistant import Assistant

        answer = Assistant.open(settings).ask(question, k=k)
    except ClerkError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return
    typer.echo(answer.answer if answer.answerable else "Not found in the papers.")
    for n, c in enumerate(answer.citations, 1):
        where = " · ".join(str(x) for x in (c.committee, c.meeting_date, c.title, f"p. {c.page}" if c.page else None) if x)
        typer.echo(f"[{n}] {c.source}:{c.start}-{c.end} {where}")


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="address to listen on (env HOST)")] = None,
    port: Annotated[Optional[int], typer.Option(help="port (env PORT)")] = None,
    index: IndexOpt = None,
) -> None:
    """Serve the web app and the HTTP API."""
    import uvicorn

    from web.app import create_app

    settings = _settings(index, host=host, port=port)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


@app.command()
def mcp(
    token: Annotated[Optional[str], typer.Option("--token", envvar="CLERK_TOKEN", show_envvar=True,
                                                 help="an API token: its clearance (default: public papers only)")] = None,
    index: IndexOpt = None,
) -> None:
    """Serve Clerk's MCP tools (ask, search, resolutions, get_extract, list_committees) over stdio."""
    from web.mcp_stdio import serve as serve_mcp

    settings = _settings(index)
    try:
        serve_mcp(settings, token)
    except ClerkError as exc:
        _fail(str(exc))


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("bm25s", "sentence_transformers", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    app()
