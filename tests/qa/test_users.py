"""Accounts: argon2 hashes, tokens kept only as digests, a 0600 file, and the `users` CLI."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qa.cli import app
from qa.users import AccountError, UserStore, token_digest

PASSWORD = "a long enough password"


@pytest.fixture()
def store(tmp_path: Path) -> UserStore:
    return UserStore.in_index(tmp_path)


def test_a_user_is_stored_with_an_argon2_hash_in_a_0600_file(store: UserStore) -> None:
    store.add("clerk.officer", PASSWORD, role="officer")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    text = store.path.read_text(encoding="utf-8")
    assert PASSWORD not in text
    assert json.loads(text)["users"]["clerk.officer"]["password_hash"].startswith("$argon2id$")
    assert store.verify("clerk.officer", PASSWORD) is not None
    assert store.verify("clerk.officer", PASSWORD + "x") is None
    assert store.verify("nobody", PASSWORD) is None


def test_a_token_is_shown_once_and_kept_as_a_digest(store: UserStore) -> None:
    store.add("member1", PASSWORD, role="member")
    token = store.new_token("member1", "nightly export")
    assert token.startswith("clerk_") and len(token) > 40
    assert token not in store.path.read_text(encoding="utf-8")
    assert token_digest(token) in store.path.read_text(encoding="utf-8")
    accounts = store.load()
    assert accounts is not None
    user = accounts.by_token(token)
    assert user is not None and user.name == "member1" and user.clearance == "exempt"
    assert accounts.by_token(token + "x") is None and accounts.by_token("") is None
    assert store.revoke_tokens("member1") == 1
    assert store.load().by_token(token) is None  # type: ignore[union-attr]


def test_a_new_password_changes_the_stamp_that_sessions_carry(store: UserStore) -> None:
    first = store.add("officer2", PASSWORD, role="officer")
    with pytest.raises(AccountError, match="exists already"):
        store.add("officer2", PASSWORD, role="officer")
    second = store.add("officer2", "another long password", role="officer", replace_existing=True)
    assert second.stamp != first.stamp and second.created == first.created
    assert store.verify("officer2", PASSWORD) is None


@pytest.mark.parametrize("name", ["", "../etc", "a b", "-dash-first", "x" * 65, "name\n", "ünï"])
def test_odd_user_names_are_refused(store: UserStore, name: str) -> None:
    with pytest.raises(AccountError, match="user name"):
        store.add(name, PASSWORD, role="officer")


def test_short_passwords_and_unknown_roles_are_refused(store: UserStore) -> None:
    with pytest.raises(AccountError, match="password"):
        store.add("officer3", "short", role="officer")
    with pytest.raises(AccountError, match="role"):
        store.add("officer3", PASSWORD, role="admin")
    assert store.load() is None  # nothing was written


def test_a_damaged_accounts_file_is_a_clear_error(store: UserStore) -> None:
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text("{not json", encoding="utf-8")
    with pytest.raises(AccountError, match="not a readable accounts file"):
        store.load()


def test_users_cli_adds_lists_makes_tokens_and_removes(tmp_path: Path) -> None:
    runner = CliRunner()
    index = ["--index", str(tmp_path)]
    added = runner.invoke(app, ["users", "add", "jo.bloggs", "--role", "member", "--password-stdin", *index],
                          input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert "added jo.bloggs (member)" in added.output
    made = runner.invoke(app, ["users", "token", "jo.bloggs", "--label", "scripts", *index])
    assert made.exit_code == 0 and made.output.strip().startswith("clerk_")
    listed = runner.invoke(app, ["users", "list", *index])
    assert "jo.bloggs\tmember" in listed.output and "scripts" in listed.output
    assert made.output.strip() not in listed.output  # never the token itself
    assert runner.invoke(app, ["users", "remove", "jo.bloggs", *index]).exit_code == 0
    assert "no users yet" in runner.invoke(app, ["users", "list", *index]).output
    missing = runner.invoke(app, ["users", "remove", "jo.bloggs", *index])
    assert missing.exit_code == 2 and "no user is named" in missing.output


def test_users_cli_prompts_for_the_password_twice(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["users", "add", "officer9", "--index", str(tmp_path)],
                                input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert UserStore.in_index(tmp_path).verify("officer9", PASSWORD) is not None
