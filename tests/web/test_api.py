"""The HTTP API over a real Assistant on the tiny test index: contract fields, exact citations,
one JSON error shape for every bad request, the body limit and the security headers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qa.assistant import Assistant
from qa.settings import Settings
from web.app import MAX_BODY, create_app

CONTRACT_FIELDS = {"id", "question", "answer", "answerable", "confidence", "citations", "took_ms"}
CITATION_FIELDS = {
    "source", "start", "end", "text", "page", "title", "committee", "meeting_date", "kind", "score",
}
SECURITY_HEADERS = (
    "content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy",
)


@pytest.fixture(scope="module")
def client(settings: Settings, assistant: Assistant) -> Iterator[TestClient]:
    with TestClient(create_app(settings, assistant)) as test_client:
        yield test_client


def error_detail(response: Any, status: int) -> str:
    """The response is `status` with a JSON body whose `detail` is a non-empty string."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail
    assert "Traceback" not in detail
    return detail


def ask(client: TestClient, **body: Any) -> Any:
    return client.post("/api/ask", json=body)


# --- answers and citations ---------------------------------------------------------------------


@pytest.mark.slow
def test_ask_returns_the_answer_object_of_the_contract(client: TestClient) -> None:
    response = ask(client, question="  When did the committee meet?  ", id={"n": 7}, k=3)
    assert response.status_code == 200, response.text
    data = response.json()
    assert CONTRACT_FIELDS <= data.keys()
    assert data["id"] == {"n": 7}
    assert data["question"] == "When did the committee meet?"
    assert isinstance(data["answerable"], bool)
    assert 0.0 <= data["confidence"] <= 1.0
    assert 1 <= len(data["citations"]) <= 3
    for citation in data["citations"]:
        assert CITATION_FIELDS <= citation.keys()


@pytest.mark.slow
def test_citation_text_is_exactly_the_document_span(client: TestClient) -> None:
    data = ask(client, question="What did the committee resolve?", k=5).json()
    assert data["citations"]
    for citation in data["citations"]:
        document = client.get(f"/api/documents/{citation['source']}")
        assert document.status_code == 200, document.text
        text = document.json()["text"]
        assert text[citation["start"]:citation["end"]] == citation["text"]


@pytest.mark.slow
def test_ask_accepts_history_and_filters(client: TestClient) -> None:
    history = [{"question": "What was discussed?", "answer": None}]
    filters = {"date_from": "2000-01-01", "date_to": "2100-12-31", "committee": ""}
    response = ask(client, question="And what was decided?", history=history, filters=filters)
    assert response.status_code == 200, response.text


@pytest.mark.slow
def test_document_has_the_contract_fields(client: TestClient) -> None:
    source = client.get("/api/search", params={"q": "committee"}).json()["results"][0]["source"]
    data = client.get(f"/api/documents/{source}").json()
    assert data.keys() >= {"source", "title", "text", "meta"}
    assert data["source"] == source and isinstance(data["meta"], dict)


# --- search ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_search_returns_ranked_citations(client: TestClient) -> None:
    results = client.get("/api/search", params={"q": "committee meeting", "k": 4}).json()["results"]
    assert 1 <= len(results) <= 4
    assert all(CITATION_FIELDS <= r.keys() for r in results)
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.slow
def test_committee_filter_narrows_search(client: TestClient) -> None:
    everything = client.get("/api/search", params={"q": "committee", "k": 50}).json()["results"]
    committee = next(r["committee"] for r in everything if r["committee"])
    params = {"q": "committee", "k": 50, "committee": committee.upper()}
    narrowed = client.get("/api/search", params=params).json()["results"]
    assert narrowed and len(narrowed) < len(everything)  # the test papers hold two committees
    assert {r["committee"] for r in narrowed} == {committee}
    nowhere = client.get("/api/search", params={"q": "committee", "committee": "No Such Committee"})
    assert nowhere.json()["results"] == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 2001}, "q"),
        ({"q": "budget", "k": 0}, "k"),
        ({"q": "budget", "k": 51}, "k"),
        ({"q": "budget", "k": "many"}, "k"),
        ({"q": "budget", "date_from": "26/07/2011"}, "date_from"),
        ({"q": "budget", "date_to": "2011-02-30"}, "date_to"),
        ({"q": "budget", "date_from": "2012-01-01", "date_to": "2011-01-01"}, "date_from"),
    ],
)
def test_bad_search_is_422_naming_the_field(
    client: TestClient, params: dict[str, Any], field: str
) -> None:
    assert field in error_detail(client.get("/api/search", params=params), 422)


# --- bad requests to /api/ask --------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"question": ""}, "question"),
        ({"question": " \n\t "}, "question"),
        ({"question": "x" * 10_000}, "question"),
        ({}, "question"),
        ({"question": 42}, "question"),
        ({"question": "budget?", "k": 0}, "k"),
        ({"question": "budget?", "k": 1000}, "k"),
        ({"question": "budget?", "k": "5"}, "k"),
        ({"question": "budget?", "filters": {"date_from": "2011-13-01"}}, "date_from"),
        ({"question": "budget?", "filters": {"date_to": "July 2011"}}, "date_to"),
        (
            {"question": "budget?", "filters": {"date_from": "2012-01-01", "date_to": "2011-01-01"}},
            "date_from",
        ),
        ({"question": "budget?", "history": [{"question": "q", "answer": None}] * 21}, "history"),
        ({"question": "budget?", "history": [{"answer": "no question"}]}, "history"),
    ],
)
def test_bad_question_is_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    assert field in error_detail(client.post("/api/ask", json=body), 422)


@pytest.mark.slow
@pytest.mark.parametrize("content", [b"{not json", b"", b"[1, 2, 3]", b'"just a string"'])
def test_malformed_body_is_422_not_500(client: TestClient, content: bytes) -> None:
    response = client.post("/api/ask", content=content, headers={"content-type": "application/json"})
    error_detail(response, 422)


@pytest.mark.slow
def test_body_that_is_not_utf8_is_a_4xx(client: TestClient) -> None:
    headers = {"content-type": "application/json"}
    response = client.post("/api/ask", content=b"\xff\xfe\x00", headers=headers)
    assert response.status_code in (400, 422)  # FastAPI itself answers 400 for undecodable bytes
    error_detail(response, response.status_code)


@pytest.mark.slow
def test_body_over_64_kb_is_413(client: TestClient) -> None:
    body = b'{"question": "' + b"x" * MAX_BODY + b'"}'
    response = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert "KB" in error_detail(response, 413)


@pytest.mark.slow
def test_streamed_body_over_64_kb_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:  # no content-length: the limit counts bytes as they arrive
        yield b'{"question": "'
        for _ in range(20):
            yield b"x" * 4096
        yield b'"}'

    headers = {"content-type": "application/json"}
    response = client.post("/api/ask", content=chunks(), headers=headers)
    error_detail(response, 413)


# --- documents -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_unknown_document_is_404(client: TestClient) -> None:
    error_detail(client.get("/api/documents/no_such_paper.txt"), 404)


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    ["..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "..%5C..%5Cwin.ini", ".env", "a%00b.txt", "C:boot.ini"],
)
def test_path_like_document_names_are_refused(client: TestClient, name: str) -> None:
    response = client.get(f"/api/documents/{name}")
    assert response.status_code in (400, 404)
    error_detail(response, response.status_code)
    assert "root:" not in response.text


# --- health, page, headers -----------------------------------------------------------------------


@pytest.mark.slow
def test_healthz_reports_the_index_size(client: TestClient, assistant: Assistant) -> None:
    data = client.get("/healthz").json()
    documents, chunks = assistant.stats()
    assert data == {"status": "ok", "documents": documents, "chunks": chunks}
    assert 0 < documents <= chunks


@pytest.mark.slow
def test_page_and_its_assets_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<label for="question">' in page.text and 'aria-live="polite"' in page.text
    assert "<script>" not in page.text  # the CSP allows no inline script
    script = client.get("/static/app.js")
    assert script.status_code == 200 and "innerHTML" not in script.text
    assert client.get("/static/app.css").status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "url"),
    [("GET", "/"), ("GET", "/healthz"), ("GET", "/static/app.js"), ("GET", "/api/search"),
     ("GET", "/api/documents/nope.txt"), ("GET", "/no/such/route"), ("DELETE", "/api/ask")],
)
def test_security_headers_on_every_response(client: TestClient, method: str, url: str) -> None:
    response = client.request(method, url)
    assert all(name in response.headers for name in SECURITY_HEADERS)
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    if response.status_code >= 400:
        error_detail(response, response.status_code)


# --- without the model: a missing index and an unexpected error ---------------------------------


def test_missing_index_is_503_with_the_fix(tmp_path: Path) -> None:
    client = TestClient(create_app(Settings.from_env(index_dir=tmp_path / "no-index")))
    for url in ("/healthz", "/api/search?q=budget"):
        detail = error_detail(client.get(url), 503)
        assert "python -m qa ingest" in detail


def test_unexpected_error_is_a_500_without_traceback(tmp_path: Path) -> None:
    app: FastAPI = create_app(Settings.from_env(index_dir=tmp_path / "no-index"))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    response = TestClient(app).get("/boom")
    assert "secret" not in error_detail(response, 500)
    assert "content-security-policy" in response.headers
