"""Service tokens for scripts: `qa users token NAME --service --rate N` makes a token with a quota of
its own (N questions a second, bursts of ten seconds' worth), which replaces the per-client limit.
Over real HTTP (uvicorn on loopback, the real index and model, the limits the settings give), a
service token sends 500 questions without one 429 while an anonymous client is still limited."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from qa.assistant import Assistant
from qa.cli import app as cli
from qa.settings import Settings
from qa.users import UserStore
from tests.web.conftest import LiveServer
from web.app import create_app

pytestmark = pytest.mark.slow

QUESTIONS = ["what was NI 59 in Q3?", "What is the average caseload of Independent Reviewing Officers?",
             "How many community champions has the lung cancer project trained?", "caseload"]
SERVICE_QUESTIONS = 500


def users(index: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["users", *args, "--index", str(index)])


@pytest.fixture(scope="module")
def accounts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding only users.json: one officer with a fast and a slow service token."""
    folder = tmp_path_factory.mktemp("service-accounts")
    UserStore.in_index(folder).add("eval.bot", "a long enough password", role="officer")
    return folder


def token(accounts: Path, *args: str) -> str:
    result = users(accounts, "token", "eval.bot", *args)
    assert result.exit_code == 0, result.output
    return result.output.strip()


@pytest.fixture(scope="module")
def server(settings: Settings, assistant: Assistant, accounts: Path) -> Iterator[str]:
    """The app with the limits of the default settings (no test override), accounts in `accounts`."""
    served = settings.with_(index_dir=accounts)
    assert served.rate_ask == 1.0 and served.rate_ask_burst == 30
    with LiveServer(create_app(served, assistant)) as live:
        yield live.url


def ask_many(url: str, n: int, headers: dict[str, str] | None = None) -> Counter[int]:
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        return Counter(client.post("/api/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]}).status_code
                       for i in range(n))


def test_the_cli_makes_service_tokens_and_lists_their_quota(accounts: Path) -> None:
    token(accounts, "--service", "--rate", "2.5", "--label", "nightly")
    listed = users(accounts, "list")
    assert "(service, 2.5/s)" in listed.output and "nightly" in listed.output
    refused = users(accounts, "token", "eval.bot", "--rate", "5")
    assert refused.exit_code == 2 and "--service" in refused.output
    for bad in ("0", "-1", "1e9"):
        result = users(accounts, "token", "eval.bot", "--service", "--rate", bad)
        assert result.exit_code == 2 and "rate" in result.output, bad


def test_a_service_token_sends_500_questions_without_429_while_anonymous_is_limited(
        server: str, accounts: Path, record_metric: Callable[[str, Any], None]) -> None:
    fast = token(accounts, "--service", "--rate", "200")
    started = time.perf_counter()
    service = ask_many(server, SERVICE_QUESTIONS, {"Authorization": f"Bearer {fast}"})
    seconds = time.perf_counter() - started
    record_metric("service_token_500_questions", {"statuses": dict(service), "seconds": round(seconds, 1)})
    assert service == Counter({200: SERVICE_QUESTIONS})
    anonymous = ask_many(server, 40)
    assert anonymous[429] >= 5 and anonymous[200] >= 30, anonymous


def test_a_service_token_is_held_to_its_own_quota(server: str, accounts: Path) -> None:
    slow = token(accounts, "--service", "--rate", "0.5")  # bursts of 5
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {slow}"}, timeout=30) as client:
        statuses = [client.get("/api/search", params={"q": "caseload"}).status_code for _ in range(7)]
        refused = client.get("/api/search", params={"q": "caseload"})
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]
    assert "quota of 0.5 searches a second" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) >= 1


def test_a_plain_token_is_limited_like_its_user(server: str, accounts: Path) -> None:
    plain = token(accounts)
    assert ask_many(server, 35, {"Authorization": f"Bearer {plain}"})[429] >= 3
