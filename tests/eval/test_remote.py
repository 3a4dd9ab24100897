"""`python -m eval run --url URL --token T` scores a running server (uvicorn on loopback over the
test index, a service token) exactly as the in-process run scores the index: the same figures,
question by question, latency apart. A rate-limited server is waited out; a refusal is an error
in the server's words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from corpus.errors import RemoteError
from eval.__main__ import app
from eval.remote import RemoteAssistant
from qa.assistant import Assistant
from qa.settings import Settings
from qa.users import UserStore
from tests.web.conftest import LiveServer
from web.app import create_app
from web.limits import Limits

pytestmark = pytest.mark.slow

TIMING = {"took_ms", "cpu_ms", "probe_ms", "p50_ms", "p95_ms", "cpu_ratio_p50", "seconds"}


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def served(settings: Settings, assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The app over the session's test index, with the settings' limits, and a service token."""
    accounts = tmp_path_factory.mktemp("eval-accounts")
    store = UserStore.in_index(accounts)
    store.add("eval.bot", "a long enough password", role="officer")
    token = store.new_token("eval.bot", "evaluation", service_rate=100.0)
    with LiveServer(create_app(settings.with_(index_dir=accounts), assistant)) as live:
        yield live.url, token


def untimed(value: Any) -> Any:
    """The figures less every latency and duration (which two runs never share)."""
    if isinstance(value, dict):
        return {k: untimed(v) for k, v in value.items() if k not in TIMING}
    if isinstance(value, list):
        return [untimed(v) for v in value]
    return value


def scored(out: Path, *args: str | Path) -> dict[str, Any]:
    result = invoke("run", *args, "--json", out)
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def test_a_running_server_scores_exactly_as_the_index_in_process(
        served: tuple[str, str], question_file: Path, settings: Settings, tmp_path: Path) -> None:
    url, token = served
    local = scored(tmp_path / "local.json", "--questions", question_file, "--index", settings.index_dir,
                   "--configs", "hybrid")
    remote = scored(tmp_path / "remote.json", "--questions", question_file, "--url", url, "--token", token)
    assert remote["configs"] == local["configs"] == {"hybrid": "mode=hybrid"}
    assert untimed(remote["modes"]) == untimed(local["modes"])
    assert untimed(remote["results"]) == untimed(local["results"])
    figures = local["modes"]["hybrid"]["groups"]["ALL"]
    assert figures["n"] == 8 and figures["accuracy"] > 0.5  # a real score, not an empty one
    assert remote["modes"]["hybrid"]["cpu_ratio_p50"] is None  # no probe of a server's CPU


def test_only_the_way_the_server_answers_can_be_scored(served: tuple[str, str], question_file: Path) -> None:
    url, token = served
    result = invoke("run", "--questions", question_file, "--url", url, "--token", token, "--configs", "hybrid,bm25")
    assert result.exit_code == 2 and "drop bm25" in result.output


def test_a_bad_token_or_no_server_is_an_error_in_words(served: tuple[str, str], question_file: Path) -> None:
    url, _ = served
    refused = invoke("run", "--questions", question_file, "--url", url, "--token", "clerk_forged")
    assert refused.exit_code == 1 and "answered 401" in refused.output and "not valid" in refused.output
    with pytest.raises(RemoteError, match="cannot reach"):
        RemoteAssistant("http://127.0.0.1:9", timeout=2).ask("caseload")


def test_a_rate_limited_server_is_waited_out(settings: Settings, assistant: Assistant) -> None:
    app_ = create_app(settings, assistant, Limits(ask_per_second=2.0, ask_burst=1))
    with LiveServer(app_) as live:
        remote = RemoteAssistant(live.url)
        answers = [remote.ask("what was NI 59 in Q3?", k=3) for _ in range(3)]
    assert {a.answer for a in answers} == {"41% (50% as of Dec)"}
    assert answers[0].citations[0].source == "scrutiny_pack.txt"


def test_a_running_server_is_gated_against_an_in_process_baseline(
        served: tuple[str, str], question_file: Path, settings: Settings, tmp_path: Path) -> None:
    url, token = served
    baseline = tmp_path / "baseline.json"
    written = invoke("gate", "--questions", question_file, "--index", settings.index_dir, "--baseline", baseline,
                     "--update-baseline")
    assert written.exit_code == 0, written.output
    passed = invoke("gate", "--questions", question_file, "--url", url, "--token", token, "--baseline", baseline)
    assert passed.exit_code == 0, passed.output
    assert "latency is not gated" in passed.output and "gate passed" in passed.output
    assert "latency rose" not in passed.output
    raised = json.loads(baseline.read_text(encoding="utf-8"))
    for figures in raised["groups"].values():
        figures["accuracy"] += 0.5  # out of any run's reach
    baseline.write_text(json.dumps(raised), encoding="utf-8")
    failed = invoke("gate", "--questions", question_file, "--url", url, "--token", token, "--baseline", baseline)
    assert failed.exit_code == 1 and "--update-baseline" in failed.output
