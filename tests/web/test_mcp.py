"""Clerk's MCP server through the `mcp` package's own client, over both transports: streamable HTTP
at /mcp of the real app (uvicorn on loopback) and `python -m qa mcp` over stdio (a subprocess), on
the index that holds the exempt papers. The tools answer with the HTTP API's very objects, a
bearer token gives officer clearance, the exempt canary never reaches the public, and bad input is
an MCP error while the server keeps serving."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from mcp.shared.exceptions import MCPError

from qa.assistant import Assistant
from qa.settings import Settings
from qa.users import UserStore
from tests.web.conftest import LiveServer
from tests.web.exempt import AIMED, OFFICER, dev_questions, leaks
from tests.web.mcp_client import OFFLINE, REPO, McpSession, http_server, stdio_server
from web.app import create_app
from web.limits import Limits

pytestmark = pytest.mark.slow

TOOLS = {"ask", "search", "resolutions", "get_extract", "list_committees"}
NI59 = "what was NI 59 in Q3?"
TRANSPORTS = ["http", "stdio"]


@pytest.fixture(scope="module")
def officer_token(exempt_settings: Settings) -> str:
    return UserStore.in_index(exempt_settings.index_dir).new_token(OFFICER[0], "mcp tests")


def session(transport: str, url: str, settings: Settings, token: str | None = None) -> McpSession:
    server = http_server(f"{url}/mcp", token) if transport == "http" else stdio_server(settings.index_dir, token)
    return McpSession(server)


@pytest.fixture(scope="module", params=TRANSPORTS)
def public(request: pytest.FixtureRequest, exempt_url: str, exempt_settings: Settings) -> Iterator[McpSession]:
    with session(request.param, exempt_url, exempt_settings) as opened:
        yield opened


@pytest.fixture(scope="module", params=TRANSPORTS)
def officer(request: pytest.FixtureRequest, exempt_url: str, exempt_settings: Settings,
            officer_token: str) -> Iterator[McpSession]:
    with session(request.param, exempt_url, exempt_settings, officer_token) as opened:
        yield opened


@pytest.fixture(scope="module")
def http_public(exempt_url: str, exempt_settings: Settings) -> Iterator[McpSession]:
    with session("http", exempt_url, exempt_settings) as opened:
        yield opened


def result(outcome: Any) -> dict[str, Any]:
    """A tool's structured result, which must not be an error."""
    assert not outcome.is_error, outcome.content
    assert json.loads(outcome.content[0].text) == outcome.structured_content  # the text says the same
    return dict(outcome.structured_content)


def error_text(outcome: Any) -> str:
    assert outcome.is_error and outcome.structured_content is None
    text = outcome.content[0].text
    assert "Traceback" not in text
    return text


def without_time(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "took_ms"}


def test_a_client_lists_the_tools_and_gets_the_ni59_answer_with_its_citation(public: McpSession) -> None:
    assert set(public.tools()) == TOOLS
    answer = result(public.call("ask", {"question": NI59}))
    assert answer["answer"] == "41% (50% as of Dec)" and answer["answerable"]
    cited = answer["citations"][0]
    assert cited["source"] == "scrutiny_pack.txt" and answer["answer"] in cited["text"]
    assert cited["committee"] == "Children and Families Scrutiny Committee"
    assert cited["header"] and cited["access"] == "public"


def test_the_tools_return_the_objects_of_the_http_api(http_public: McpSession, exempt_url: str) -> None:
    with httpx.Client(base_url=exempt_url, timeout=30) as web:
        asked = web.post("/api/ask", json={"question": NI59, "k": 7}).json()
        assert without_time(result(http_public.call("ask", {"question": NI59, "k": 7}))) == without_time(asked)
        found = web.get("/api/search", params={"q": "caseload", "k": 4, "kind": "minutes"}).json()
        assert result(http_public.call("search", {"query": "caseload", "k": 4, "filters": {"kind": "minutes"}})) == found
        listed = web.get("/api/resolutions", params={"k": 5, "sort": "date"}).json()
        assert result(http_public.call("resolutions", {"k": 5, "sort": "date"})) == listed
        first = asked["citations"][0]
        span = {"source": first["source"], "start": first["start"], "end": first["end"]}
        assert result(http_public.call("get_extract", span)) == web.get("/api/extract", params=span).json()
        committees = web.get("/api/committees").json()
        assert result(http_public.call("list_committees", {})) == committees
        assert "Children and Families Scrutiny Committee" in committees["committees"]


def test_the_exempt_canary_never_appears_anonymously(public: McpSession) -> None:
    for question in AIMED + dev_questions():
        answer = result(public.call("ask", {"question": question, "k": 50}))
        answer.pop("question")  # the asker's own words
        assert not leaks(json.dumps(answer)), question
        found = public.call("search", {"query": question, "k": 50})
        assert not leaks(json.dumps(result(found))), question
    for question in AIMED:
        listed = json.dumps(result(public.call("resolutions", {"query": question, "k": 50})))
        assert not leaks(listed), question
        followed = result(public.call("ask", {"question": "And the cost?", "history": [{"question": question}]}))
        followed.pop("question")
        assert not leaks(json.dumps(followed)), question
    assert not leaks(json.dumps(result(public.call("resolutions", {"k": 50, "sort": "date"}))))
    assert not leaks(json.dumps(result(public.call("list_committees", {}))))
    hidden = error_text(public.call("get_extract", {"source": "part2_placement.txt", "start": 0, "end": 50}))
    missing = error_text(public.call("get_extract", {"source": "no_such_paper.txt", "start": 0, "end": 50}))
    assert hidden.replace("part2_placement.txt", "X") == missing.replace("no_such_paper.txt", "X")


def test_an_officer_token_sees_the_exempt_papers(officer: McpSession) -> None:
    answer = result(officer.call("ask", {"question": "Who won the Quenbury Telecare contract?"}))
    assert answer["citations"][0]["source"] == "contract_award.md"
    assert answer["citations"][0]["access"] == "exempt"
    extract = result(officer.call("get_extract", {"source": "part2_placement.txt", "start": 0, "end": 50}))
    assert extract["citation"]["access"] == "exempt"


def test_an_invalid_token_is_refused_on_both_transports(exempt_url: str, exempt_settings: Settings) -> None:
    refused = httpx.post(f"{exempt_url}/mcp", headers={"Authorization": "Bearer clerk_forged"},
                         json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert refused.status_code == 401 and "not valid" in refused.json()["detail"]
    with pytest.raises(ExceptionGroup) as raised, session("http", exempt_url, exempt_settings, "clerk_forged"):
        pass  # the client's own handshake is refused
    assert raised.group_contains(MCPError)
    started = subprocess.run([sys.executable, "-m", "qa", "mcp", "--index", str(exempt_settings.index_dir),
                              "--token", "clerk_forged"], cwd=REPO, env={**OFFLINE, "PATH": "/usr/bin:/bin"},
                             capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert started.returncode == 2 and "token is not valid" in started.stderr


BAD_CALLS = [
    ("no_such_tool", {}, "Unknown tool: no_such_tool"),
    ("ask", {}, "question"),
    ("ask", {"question": 59}, "valid string"),
    ("ask", {"question": NI59, "k": "lots"}, "valid integer"),
    ("ask", {"question": NI59, "k": 0}, "greater than or equal to 1"),
    ("ask", {"question": NI59, "k": 5.5}, "valid integer"),
    ("ask", {"question": NI59, "history": "earlier"}, "valid list"),
    ("ask", {"question": NI59, "filters": {"date_from": "last week"}}, "YYYY-MM-DD"),
    ("ask", {"question": "   "}, "must be 1 to 2000 characters"),
    ("ask", {"question": "x" * 40_000}, "must be 1 to 2000 characters"),
    ("ask", {"question": NI59, "history": [{"question": "q"}] * 500}, "at most 20 items"),
    ("search", {"query": "caseload", "filters": {"date_from": "2012-01-01", "date_to": "2011-01-01"}},
     "is after date_to"),
    ("resolutions", {"sort": "sideways"}, "pattern"),
    ("get_extract", {"source": "../../etc/passwd", "start": 0, "end": 10}, "not a plain file name"),
    ("get_extract", {"source": "scrutiny_pack.txt", "start": -1, "end": 10}, "greater than or equal to 0"),
    ("get_extract", {"source": "scrutiny_pack.txt", "start": "0", "end": 10}, "valid integer"),
]


@pytest.mark.parametrize("name, arguments, words", BAD_CALLS, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(BAD_CALLS)])
def test_bad_input_is_an_mcp_error_in_words(public: McpSession, name: str, arguments: dict[str, Any],
                                           words: str) -> None:
    assert words in error_text(public.call(name, arguments))


def test_after_bad_input_the_server_keeps_answering(public: McpSession) -> None:
    for name, arguments, _ in BAD_CALLS:
        public.call(name, arguments)
    assert result(public.call("ask", {"question": NI59}))["answer"] == "41% (50% as of Dec)"


def test_a_body_past_the_limit_is_refused_and_the_endpoint_stays_up(http_public: McpSession, exempt_url: str) -> None:
    with pytest.raises(MCPError):
        http_public.call("search", {"query": "x" * 200_000})
    garbage = httpx.post(f"{exempt_url}/mcp", content=b"{not json",
                         headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream"})
    assert 400 <= garbage.status_code < 500
    assert result(http_public.call("ask", {"question": NI59}))["answer"] == "41% (50% as of Dec)"


def test_questions_through_mcp_count_against_the_http_quota(settings: Settings, assistant: Assistant) -> None:
    app = create_app(settings, assistant, Limits(ask_per_second=0.01, ask_burst=2))
    with LiveServer(app) as live, session("http", live.url, settings) as opened:
        outcomes = [opened.call("ask", {"question": "caseload"}) for _ in range(3)]
        assert [o.is_error for o in outcomes] == [False, False, True]
        assert "Too many questions from this client" in outcomes[2].content[0].text
        assert httpx.post(f"{live.url}/api/ask", json={"question": "caseload"}).status_code == 429
