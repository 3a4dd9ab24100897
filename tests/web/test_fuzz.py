"""Fuzzed requests never give a 500: random JSON bodies, raw bytes, query strings, document names
and headers against the real app over the real test index. Every refusal is a 4xx with a JSON
`detail` (pages answer in HTML)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.assistant import Assistant
from qa.settings import Settings
from tests.web.exempt import TEST_LIMITS
from web.app import create_app

pytestmark = pytest.mark.slow
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=False, allow_infinity=False),
                    st.text(max_size=40))
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                    max_leaves=12)
WORDS = st.one_of(st.text(max_size=80), st.sampled_from(["caseload", "NI 59 Q3", " ", "\x00", "../..", "%00",
                                                          "2011-06-28", "9999-99-99", "A" * 3000]))
FILTER_KEYS = st.sampled_from(["committee", "date_from", "date_to", "kind", "clearance", "access", "extra"])
FILTERS = st.one_of(JSON, st.dictionaries(FILTER_KEYS, st.one_of(WORDS, JSON), max_size=5))
ASK = st.fixed_dictionaries({}, optional={
    "question": st.one_of(WORDS, JSON),
    "k": st.one_of(st.integers(-3, 60), JSON),
    "history": st.one_of(JSON, st.lists(st.fixed_dictionaries({}, optional={"question": WORDS, "answer": JSON}),
                                        max_size=25)),
    "filters": FILTERS,
    "id": JSON,
})
PARAMS = st.dictionaries(st.sampled_from(["q", "k", "committee", "date_from", "date_to", "kind", "sort", "source",
                                          "start", "end", "clearance"]), WORDS, max_size=6)
NAMES = st.one_of(st.text(min_size=1, max_size=60), st.sampled_from([
    "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "scrutiny_pack.txt/../../x", ".hidden", "a\\b", "C:evil",
    "scrutiny_pack.txt%00.pdf", "x" * 300, "%", "%%", "scrutiny_pack.txt"]))


@pytest.fixture(scope="module")
def client(settings: Settings, assistant: Assistant) -> Iterator[TestClient]:
    with TestClient(create_app(settings, assistant, TEST_LIMITS), raise_server_exceptions=False) as test_client:
        yield test_client


def assert_handled(response: Any) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    if response.status_code >= 400 and response.headers.get("content-type", "").startswith("application/json"):
        assert isinstance(response.json()["detail"], str)


@FUZZ
@given(body=ASK)
def test_fuzzed_questions_never_500(client: TestClient, body: dict[str, Any]) -> None:
    assert_handled(client.post("/api/ask", json=body))


@FUZZ
@given(body=st.binary(max_size=300), kind=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", ""]))
def test_fuzzed_raw_bodies_never_500(client: TestClient, body: bytes, kind: str) -> None:
    for path in ("/api/ask", "/login"):
        assert_handled(client.post(path, content=body, headers={"content-type": kind} if kind else {}))


@FUZZ
@given(params=PARAMS, path=st.sampled_from(["/api/search", "/api/resolutions", "/api/resolutions.csv", "/api/extract"]))
def test_fuzzed_query_strings_never_500(client: TestClient, params: dict[str, str], path: str) -> None:
    assert_handled(client.get(path, params=params))


@FUZZ
@given(name=NAMES, prefix=st.sampled_from(["/api/documents/", "/doc/"]), encode=st.booleans())
def test_fuzzed_document_names_never_500_nor_escape(client: TestClient, name: str, prefix: str, encode: bool) -> None:
    response = client.get(prefix + (quote(name, safe="") if encode else quote(name, safe="/.%")))
    assert_handled(response)
    if response.status_code == 200:
        assert "root:" not in response.text  # nothing outside the index is ever served


@FUZZ
@given(cookie=st.text(max_size=200), auth=st.text(max_size=200))
def test_fuzzed_credentials_never_500(client: TestClient, cookie: str, auth: str) -> None:
    headers = {"cookie": b"clerk_session=" + cookie.encode("utf-8", "surrogatepass")}
    if auth:
        headers["authorization"] = auth.encode("utf-8", "surrogatepass")
    response = client.get("/healthz", headers=headers)  # type: ignore[arg-type]
    assert_handled(response)
    assert response.status_code in (200, 401)
