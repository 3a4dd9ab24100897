"""Rate limits and load shedding: 429 with Retry-After past a client's burst, per client; 503 with
Retry-After past the bound on requests in flight; the token bucket's arithmetic and memory."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from typer.testing import CliRunner

from corpus.errors import SettingError
from qa.assistant import Assistant
from qa.cli import app as cli
from qa.settings import Settings
from web.app import create_app
from web.limits import Admission, Limits, TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_one_request_per_refill() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=0.5, burst=3, clock=clock)
    assert [bucket.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take("a") == pytest.approx(2.0)
    assert bucket.take("b") == 0.0  # another client has its own bucket
    clock.now = 2.0
    assert bucket.take("a") == 0.0
    assert bucket.take("a") > 0


def test_a_bucket_table_never_grows_past_its_bound() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=1.0, burst=2, max_keys=100, clock=clock)
    for n in range(1000):
        clock.now += 0.001
        bucket.take(f"client-{n}")
    assert len(bucket._buckets) <= 100


@pytest.mark.slow
def test_asking_past_the_burst_is_429_with_retry_after(settings: Settings, assistant: Assistant) -> None:
    limits = Limits(ask_per_second=0.01, ask_burst=3)
    with TestClient(create_app(settings, assistant, limits)) as client:
        statuses = [client.post("/api/ask", json={"question": "caseload"}).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = client.post("/api/ask", json={"question": "caseload"})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert "try again in" in refused.json()["detail"]
        assert client.get("/api/search", params={"q": "caseload"}).status_code == 200  # searches have their own limit


@pytest.mark.slow
def test_sign_in_attempts_are_rate_limited(settings: Settings, assistant: Assistant) -> None:
    app = create_app(settings, assistant, Limits(login_per_second=0.01, login_burst=2))
    with TestClient(app, base_url="https://testserver") as client:
        statuses = [client.post("/login", data={"name": "x", "password": "y" * 12}).status_code for _ in range(3)]
        assert statuses == [401, 401, 429]


@pytest.mark.slow
def test_past_the_bound_on_requests_in_flight_the_app_answers_503(settings: Settings, assistant: Assistant) -> None:
    with TestClient(create_app(settings, assistant, Limits(max_in_flight=0))) as client:
        shed = client.get("/api/search", params={"q": "caseload"})
        assert shed.status_code == 503 and shed.headers["retry-after"] == "2"
        assert "busy" in shed.json()["detail"]
        assert "content-security-policy" in shed.headers
        assert client.get("/healthz").status_code == 200  # liveness is never shed
        assert client.get("/static/app.css").status_code == 200


def test_admission_sheds_exactly_what_is_past_its_bound() -> None:
    """Requests held in flight on purpose: with room for 3, the 4th and 5th are shed at once and
    a request after the others finished goes through."""
    release = asyncio.Event()

    async def slow(request: Request) -> PlainTextResponse:
        await release.wait()
        return PlainTextResponse("done")

    app = Admission(Starlette(routes=[Route("/work", slow)]), limit=3, retry_after=7)

    async def scenario() -> tuple[list[int], list[str], int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            held = [asyncio.create_task(client.get("/work")) for _ in range(3)]
            while app.active < 3:
                await asyncio.sleep(0)
            extra = [await client.get("/work") for _ in range(2)]
            release.set()
            done = [(await task).status_code for task in held]
            after = await client.get("/work")
            return done + [r.status_code for r in extra], [r.headers.get("retry-after", "") for r in extra], after.status_code

    # A loop of its own in a thread of its own: Playwright's sync API may hold this thread's loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        statuses, retry, after = pool.submit(lambda: asyncio.run(scenario())).result(timeout=60)
    assert statuses == [200, 200, 200, 503, 503]
    assert retry == ["7", "7"] and after == 200 and app.active == 0


def test_the_limits_are_settings_read_from_the_environment() -> None:
    env = {"CLERK_RATE_ASK": "2.5", "CLERK_RATE_ASK_BURST": "7", "CLERK_RATE_SEARCH": "4",
           "CLERK_RATE_SEARCH_BURST": "9", "CLERK_RATE_LOGIN": "0.5", "CLERK_RATE_LOGIN_BURST": "3",
           "CLERK_MAX_INFLIGHT": "12"}
    limits = Limits.of(Settings.from_env(env))
    assert limits == Limits(ask_per_second=2.5, ask_burst=7, search_per_second=4.0, search_burst=9,
                            login_per_second=0.5, login_burst=3, max_in_flight=12)
    assert Limits.of(Settings.from_env({})) == Limits()  # unset: the defaults


@pytest.mark.parametrize("name, value", [("CLERK_RATE_ASK", "fast"), ("CLERK_RATE_ASK", "0"),
                                         ("CLERK_RATE_SEARCH_BURST", "2.5"), ("CLERK_MAX_INFLIGHT", "-3"),
                                         ("CLERK_RATE_LOGIN", "inf")])
def test_a_limit_setting_that_cannot_be_used_is_refused_by_name(name: str, value: str) -> None:
    with pytest.raises(SettingError, match=name):
        Settings.from_env({name: value})


def test_the_cli_reports_a_bad_limit_setting_instead_of_a_traceback() -> None:
    result = CliRunner().invoke(cli, ["ask", "caseload"], env={"CLERK_RATE_ASK_BURST": "lots"})
    assert result.exit_code == 2
    assert "CLERK_RATE_ASK_BURST must be a whole number above 0" in result.output


@pytest.mark.slow
def test_the_app_takes_its_limits_from_the_settings(settings: Settings, assistant: Assistant) -> None:
    tight = settings.with_(rate_ask=0.01, rate_ask_burst=2, rate_search=0.01, rate_search_burst=3)
    with TestClient(create_app(tight, assistant)) as client:
        asked = [client.post("/api/ask", json={"question": "caseload"}).status_code for _ in range(3)]
        searched = [client.get("/api/search", params={"q": "caseload"}).status_code for _ in range(4)]
    assert asked == [200, 200, 429] and searched == [200, 200, 200, 429]
    with TestClient(create_app(settings.with_(max_inflight=1), assistant, Limits(max_in_flight=0))) as client:
        assert client.get("/api/search", params={"q": "caseload"}).status_code == 503  # the argument overrides
