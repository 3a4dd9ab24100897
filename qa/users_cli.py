"""`python -m qa users add | list | remove | token | revoke`: the accounts that may see exempt papers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from qa.settings import Settings
from qa.users import ROLES, SERVICE_BURST_SECONDS, AccountError, Token, UserStore

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Officers and members who sign in and see exempt papers (stored in INDEX/users.json).")
IndexOpt = Annotated[Path | None, typer.Option("--index", help="index folder (default var/index)")]
NameArg = Annotated[str, typer.Argument(help="user name")]


def _store(index: Path | None) -> UserStore:
    return UserStore.in_index(Settings.from_env(index_dir=index).index_dir)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@app.command()
def add(
    name: NameArg,
    role: Annotated[str, typer.Option(help=f"one of {', '.join(ROLES)}")] = "officer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from the first line of stdin")] = False,
    replace: Annotated[bool, typer.Option("--replace", help="set a new password for an existing user")] = False,
    index: IndexOpt = None,
) -> None:
    """Add a user (asks for the password twice), or set a new one with --replace."""
    store = _store(index)
    try:
        user = store.add(name, _password(password_stdin), role, replace_existing=replace)
    except AccountError as exc:
        _fail(str(exc))
    typer.echo(f"{'updated' if replace else 'added'} {user.name} ({user.role}) in {store.path}")


@app.command("list")
def list_users(index: IndexOpt = None) -> None:
    """List users with their role and API tokens (never the tokens themselves)."""
    try:
        accounts = _store(index).load()
    except AccountError as exc:
        _fail(str(exc))
    if accounts is None or not accounts.users:
        typer.echo("no users yet: add one with `python -m qa users add NAME`")
        return
    for user in accounts.users.values():
        tokens = ", ".join(_described(t) for t in user.tokens) or "no tokens"
        typer.echo(f"{user.name}\t{user.role}\tsince {user.created}\t{tokens}")


def _described(token: Token) -> str:
    quota = f"(service, {token.rate:g}/s)" if token.service else ""
    return " ".join(part for part in (token.shown, token.label, quota) if part)


@app.command()
def remove(name: NameArg, index: IndexOpt = None) -> None:
    """Remove a user: their sessions and tokens stop working at once."""
    try:
        _store(index).remove(name)
    except AccountError as exc:
        _fail(str(exc))
    typer.echo(f"removed {name}")


DEFAULT_SERVICE_RATE = 10.0


@app.command()
def token(
    name: NameArg,
    label: Annotated[str, typer.Option(help="what the token is for")] = "",
    service: Annotated[bool, typer.Option("--service", help="a token for a script, with its own quota "
                                                             "instead of the per-client limits")] = False,
    rate: Annotated[float | None, typer.Option("--rate", help="a service token's questions (and searches) a "
                                                               f"second, bursts of {SERVICE_BURST_SECONDS}x that "
                                                               f"(default {DEFAULT_SERVICE_RATE:g})")] = None,
    index: IndexOpt = None,
) -> None:
    """Make an API token for scripts (`Authorization: Bearer TOKEN`); it is shown only now."""
    if rate is not None and not service:
        _fail("--rate is the quota of a service token: add --service")
    service_rate = (DEFAULT_SERVICE_RATE if rate is None else rate) if service else None
    try:
        value = _store(index).new_token(name, label, service_rate)
    except AccountError as exc:
        _fail(str(exc))
    typer.echo(value)


@app.command()
def revoke(name: NameArg, index: IndexOpt = None) -> None:
    """Revoke every API token of a user."""
    try:
        count = _store(index).revoke_tokens(name)
    except AccountError as exc:
        _fail(str(exc))
    typer.echo(f"revoked {count} token{'s' if count != 1 else ''} of {name}")
