"""Exempt papers stay private: the canary test over every anonymous route, sign-in by session and
token, and exempt answers for officers only – on a real index holding two exempt papers.

The canary words appear only in tests/web/data/exempt/: one paper exempt by its sidecar, one held
back because it says "NOT FOR PUBLICATION". No anonymous response may contain any of them,
across the whole dev question set (../shared/dev, when present) and questions aimed at them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qa.assistant import Assistant
from qa.backends import BACKENDS
from qa.settings import Settings
from qa.users import UserStore
from tests.web.exempt import AIMED, CANARY_SENTENCE, OFFICER, TEST_LIMITS, dev_questions, leaks
from web.app import create_app
from web.auth import COOKIE

pytestmark = pytest.mark.slow

PLACEMENT = "part2_placement.txt"  # exempt by its sidecar
CONTRACT = "contract_award.md"  # exempt by its own words


@pytest.fixture(scope="module", params=BACKENDS)
def served(request: pytest.FixtureRequest, exempt_settings: Settings, exempt_assistant: Assistant) -> Assistant:
    """The index holding the exempt papers, searched by each backend in turn."""
    if request.param == "builtin":
        return exempt_assistant
    milvus = request.getfixturevalue("on_milvus")(exempt_settings)
    return Assistant(exempt_assistant.index, exempt_assistant.embedder, milvus)


@pytest.fixture(scope="module")
def anonymous(exempt_settings: Settings, served: Assistant) -> Iterator[TestClient]:
    app = create_app(exempt_settings, served, TEST_LIMITS)
    with TestClient(app, base_url="https://testserver") as client:
        yield client


@pytest.fixture(scope="module")
def officer(exempt_settings: Settings, served: Assistant) -> Iterator[TestClient]:
    app = create_app(exempt_settings, served, TEST_LIMITS)
    with TestClient(app, base_url="https://testserver") as client:
        response = client.post("/login", data={"name": OFFICER[0], "password": OFFICER[1]}, follow_redirects=False)
        assert response.status_code == 303, response.text
        yield client


@pytest.fixture(scope="module")
def token(exempt_settings: Settings) -> str:
    return UserStore.in_index(exempt_settings.index_dir).new_token(OFFICER[0], "tests")


def answer_without_echo(response: Any) -> str:
    """An answer object as text, less the question it echoes (the asker's own words)."""
    assert response.status_code == 200, response.text
    data = response.json()
    data.pop("question")
    return json.dumps(data)


# --- the canary ----------------------------------------------------------------------------------


def test_the_fixture_really_holds_the_canary(exempt_assistant: Assistant) -> None:
    """Guards the test below against passing because the canary was never indexed."""
    documents = exempt_assistant.index.documents
    assert CANARY_SENTENCE in documents[PLACEMENT].text
    assert documents[PLACEMENT].access == "exempt"
    assert documents[CONTRACT].access == "exempt"  # suggested at ingest from its own words
    assert "NOT FOR PUBLICATION" in documents[CONTRACT].meta["access_suggested"]
    assert all(c.access == "exempt" for c in documents[PLACEMENT].chunks + documents[CONTRACT].chunks)


def test_no_anonymous_answer_or_search_holds_the_canary(anonymous: TestClient) -> None:
    questions = dev_questions() + AIMED
    for question in questions:
        answer = answer_without_echo(anonymous.post("/api/ask", json={"question": question, "k": 50}))
        assert not leaks(answer), (question, leaks(answer))
        found = anonymous.get("/api/search", params={"q": question, "k": 50})
        assert found.status_code == 200 and not leaks(found.text), (question, leaks(found.text))
    for question in AIMED:
        for filters in ({"committee": "Children and Families Scrutiny Committee"}, {"kind": "resolution"},
                        {"date_from": "2011-06-28", "date_to": "2011-06-28"}, {"clearance": "exempt"}):
            answer = answer_without_echo(anonymous.post("/api/ask", json={"question": question, "filters": filters}))
            assert not leaks(answer), (question, filters)
        answer = answer_without_echo(anonymous.post("/api/ask", json={
            "question": "And the cost?", "history": [{"question": question, "answer": None}]}))
        assert not leaks(answer), question
        for path in ("/api/resolutions", "/api/resolutions.csv"):
            found = anonymous.get(path, params={"q": question, "k": 50})
            assert found.status_code == 200 and not leaks(found.text), (path, question)


def test_no_anonymous_page_count_or_listing_holds_the_canary(anonymous: TestClient, exempt_assistant: Assistant) -> None:
    for path in ("/", "/resolutions", "/login", "/api/resolutions?k=50", "/api/resolutions.csv?k=50&sort=date",
                 "/healthz", "/api/openapi.json", "/api/committees"):
        response = anonymous.get(path)
        assert response.status_code == 200, path
        assert not leaks(response.text), (path, leaks(response.text))
    public = [d for d in exempt_assistant.index.documents.values() if d.access == "public"]
    assert anonymous.get("/healthz").json() == {
        "status": "ok", "documents": len(public), "chunks": sum(len(d.chunks) for d in public)}


@pytest.mark.parametrize("source", [PLACEMENT, CONTRACT])
def test_an_exempt_document_is_not_found_in_the_same_words_as_a_missing_one(anonymous: TestClient, source: str) -> None:
    missing = "no_such_paper.txt"
    for template, status in (("/api/documents/{}", 404), ("/doc/{}", 404), ("/api/extract?source={}&start=0&end=400", 404)):
        hidden, absent = anonymous.get(template.format(source)), anonymous.get(template.format(missing))
        assert (hidden.status_code, absent.status_code) == (status, status)
        assert hidden.text.replace(source, "NAME") == absent.text.replace(missing, "NAME")
        assert not leaks(hidden.text)
        assert "forbidden" not in hidden.text.lower() and "exempt" not in hidden.text.lower()


def test_a_forged_or_tampered_session_cookie_is_anonymous(anonymous: TestClient, officer: TestClient) -> None:
    real = officer.cookies.get(COOKIE)
    assert real
    for value in (real[:-2] + ("AA" if not real.endswith("AA") else "BB"), "e30.forged.sig", "x" * 5000):
        response = anonymous.get(f"/api/documents/{PLACEMENT}", headers={"cookie": f"{COOKIE}={value}"})
        assert response.status_code == 404


# --- officers ------------------------------------------------------------------------------------


def test_a_signed_in_officer_gets_the_canary_marked_exempt(officer: TestClient) -> None:
    data = officer.post("/api/ask", json={"question": "Where was Oriel Fenwick-Quist placed?"}).json()
    first = data["citations"][0]
    assert first["source"] == PLACEMENT and first["access"] == "exempt"
    assert "Tallowmere Cottage" in (data["answer"] or first["text"])
    found = officer.get("/api/search", params={"q": "Vellacott Systems tender price"}).json()["results"]
    assert found[0]["source"] == CONTRACT and found[0]["access"] == "exempt"
    document = officer.get(f"/api/documents/{PLACEMENT}").json()
    assert CANARY_SENTENCE in document["text"] and document["meta"]["access"] == "exempt"
    page = officer.get(f"/doc/{PLACEMENT}")
    assert page.status_code == 200 and 'class="exempt-banner"' in page.text and "Signed in as" in page.text
    resolutions = officer.get("/api/resolutions", params={"k": 50}).json()["results"]
    assert any(r["source"] == PLACEMENT and r["access"] == "exempt" for r in resolutions)


def test_counts_include_exempt_papers_for_officers_only(officer: TestClient, anonymous: TestClient,
                                                       exempt_assistant: Assistant) -> None:
    index = exempt_assistant.index
    assert officer.get("/healthz").json()["documents"] == len(index.documents)
    assert officer.get("/healthz").json()["chunks"] == len(index.chunks)
    assert anonymous.get("/healthz").json()["documents"] == len(index.documents) - 2


def test_a_bearer_token_sees_exempt_papers(anonymous: TestClient, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    response = anonymous.get(f"/api/documents/{CONTRACT}", headers=headers)
    assert response.status_code == 200 and "Vellacott" in response.text
    answer = anonymous.post("/api/ask", json={"question": "Who won the Quenbury Telecare contract?"}, headers=headers)
    assert "Vellacott" in answer.text


@pytest.mark.parametrize("header", ["Bearer clerk_not-a-real-token", "Basic b2ZmaWNlcjpwYXNz", "Bearer", "Bearer  "])
def test_a_bad_token_is_401_not_public_answers(anonymous: TestClient, header: str) -> None:
    response = anonymous.get("/api/search", params={"q": "caseload"}, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "token" in response.json()["detail"]


def test_a_revoked_token_and_a_removed_user_stop_working_at_once(exempt_settings: Settings,
                                                                 exempt_assistant: Assistant) -> None:
    store = UserStore.in_index(exempt_settings.index_dir)
    store.add("member.two", "another long password", role="member")
    value = store.new_token("member.two")
    app = create_app(exempt_settings, exempt_assistant, TEST_LIMITS)
    with TestClient(app, base_url="https://testserver") as client:
        signed = client.post("/login", data={"name": "member.two", "password": "another long password"},
                             follow_redirects=False)
        assert signed.status_code == 303
        assert client.get(f"/api/documents/{PLACEMENT}").status_code == 200
        headers = {"Authorization": f"Bearer {value}"}
        assert client.get("/healthz", headers=headers).status_code == 200
        store.revoke_tokens("member.two")
        assert client.get("/healthz", headers=headers).status_code == 401
        store.remove("member.two")
        assert client.get(f"/api/documents/{PLACEMENT}").status_code == 404  # the session ended too


# --- signing in and out --------------------------------------------------------------------------


def test_the_session_cookie_is_secure_httponly_and_samesite(exempt_settings: Settings,
                                                           exempt_assistant: Assistant) -> None:
    with TestClient(create_app(exempt_settings, exempt_assistant, TEST_LIMITS), base_url="https://testserver") as client:
        response = client.post("/login", data={"name": OFFICER[0], "password": OFFICER[1], "next": "/resolutions"},
                               follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/resolutions"
        cookie = response.headers["set-cookie"].lower()
        assert cookie.startswith(COOKIE + "=")
        for flag in ("httponly", "secure", "samesite=lax", "path=/", "max-age="):
            assert flag in cookie, cookie
        out = client.post("/logout", follow_redirects=False)
        assert out.status_code == 303 and out.headers["clear-site-data"] == '"storage"'
        assert client.get(f"/api/documents/{PLACEMENT}").status_code == 404


@pytest.mark.parametrize("name, password", [(OFFICER[0], "wrong password!"), ("nobody", OFFICER[1]), ("", ""),
                                            (OFFICER[0], OFFICER[1] + " ")])
def test_a_wrong_sign_in_is_401_and_sets_no_cookie(anonymous: TestClient, name: str, password: str) -> None:
    response = anonymous.post("/login", data={"name": name, "password": password}, follow_redirects=False)
    assert response.status_code in (401, 422)
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_sign_in_never_redirects_off_site(anonymous: TestClient, target: str) -> None:
    response = anonymous.post("/login", data={"name": OFFICER[0], "password": OFFICER[1], "next": target},
                              follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    anonymous.cookies.clear()


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                                     {"Sec-Fetch-Site": "same-site", "Origin": "https://testserver"}])
def test_a_sign_in_posted_from_another_site_is_refused(anonymous: TestClient, headers: dict[str, str]) -> None:
    response = anonymous.post("/login", data={"name": OFFICER[0], "password": OFFICER[1]},
                              headers=headers, follow_redirects=False)
    assert response.status_code == 403 and "set-cookie" not in response.headers


def test_signing_in_over_plain_http_to_another_host_says_it_needs_https(exempt_settings: Settings,
                                                                       exempt_assistant: Assistant) -> None:
    with TestClient(create_app(exempt_settings, exempt_assistant, TEST_LIMITS), base_url="http://clerk.example") as client:
        response = client.post("/login", data={"name": OFFICER[0], "password": OFFICER[1]}, follow_redirects=False)
    assert response.status_code == 400 and "Signing in needs HTTPS" in response.text
    assert "set-cookie" not in response.headers
