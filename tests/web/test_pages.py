"""The HTML pages and the API routes behind them, over the real test index: starter questions
that the papers answer, the viewer's escaped layout, resolutions, extracts, series and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qa.assistant import Assistant
from qa.settings import Settings
from web.app import create_app
from web.facets import facets_of

pytestmark = pytest.mark.slow
PACK = "scrutiny_pack.txt"


@pytest.fixture(scope="module")
def client(settings: Settings, assistant: Assistant) -> Iterator[TestClient]:
    with TestClient(create_app(settings, assistant)) as test_client:
        yield test_client


def test_starter_questions_come_from_the_papers_and_are_answered(assistant: Assistant) -> None:
    facets = facets_of(assistant.index, "public")
    assert facets.committees == ("Children and Families Scrutiny Committee", "Health and Wellbeing Board")
    assert (facets.first_date, facets.last_date) == ("2011-06-28", "2015-10-20")
    assert 3 <= len(facets.starters) <= 4
    for question in facets.starters:
        answer = assistant.ask(question)
        assert answer.answerable and answer.answer, question


def test_home_page_lists_committees_kinds_and_starters(client: TestClient, assistant: Assistant) -> None:
    page = client.get("/").text
    assert '<option value="Health and Wellbeing Board">' in page
    assert '<option value="resolution">' in page
    for question in facets_of(assistant.index, "public").starters:
        assert question.replace("'", "&#39;") in page


def test_viewer_page_lays_out_the_document_with_offsets(client: TestClient) -> None:
    response = client.get(f"/doc/{PACK}")
    assert response.status_code == 200
    assert "content-security-policy" in response.headers
    page = response.text
    assert '<th scope="col" data-s=' in page and "Key Performance or Outcome Description</th>" in page
    assert 'data-source="scrutiny_pack.txt"' in page
    assert "<script>" not in page


def test_viewer_of_an_unknown_document_is_a_404_page(client: TestClient) -> None:
    response = client.get("/doc/no_such_paper.txt")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "No such document" in response.text


def test_pages_say_what_is_wrong_without_an_index(tmp_path: Path) -> None:
    client = TestClient(create_app(Settings.from_env(index_dir=tmp_path / "none")))
    for url in ("/", "/resolutions", "/doc/x.txt"):
        response = client.get(url)
        assert response.headers["content-type"].startswith("text/html")
        assert "python -m qa ingest" in response.text


def test_table_answer_carries_the_row_header_and_series(client: TestClient) -> None:
    data = client.post("/api/ask", json={"question": "What was NI 59 in Q3?"}).json()
    first = data["citations"][0]
    assert first["kind"] == "table" and first["header"][0] == "Key Performance or Outcome Description"
    series = data["series"]
    assert series["unit"] == "%" and len(series["points"]) == 7
    assert [p["label"] for p in series["points"] if p["answer"]] == ["Quarter 3"]
    prose = client.post("/api/ask", json={"question": "What is the average caseload of Independent Reviewing Officers?"})
    assert "series" not in prose.json()
    assert all("header" not in c for c in prose.json()["citations"] if c["kind"] != "table")


def test_resolutions_are_only_resolved_blocks_with_minutes(client: TestClient) -> None:
    everything = client.get("/api/resolutions").json()["results"]
    assert {r["minute"] for r in everything} == {"69", "70", "19"}
    assert everything[0]["meeting_date"] == "2015-09-15"  # no words: latest meeting first
    found = client.get("/api/resolutions", params={"q": "training session", "k": 2}).json()["results"]
    assert found[0]["minute"] == "70"
    assert found[0]["citation"] == "Children and Families Scrutiny Committee, 28 June 2011, minute 70"
    document = client.get(f"/api/documents/{found[0]['source']}").json()["text"]
    assert document[found[0]["start"]:found[0]["end"]] == found[0]["text"]
    board = client.get("/api/resolutions", params={"committee": "Health and Wellbeing Board"}).json()
    assert [r["minute"] for r in board["results"]] == ["19"]
    assert client.get("/api/resolutions", params={"sort": "sideways"}).status_code == 422


def test_resolutions_csv_download(client: TestClient) -> None:
    response = client.get("/api/resolutions.csv", params={"sort": "date"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="clerk-resolutions.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["minute"] for r in rows] == ["19", "70", "69"]
    assert rows[0]["citation"] == "Health and Wellbeing Board, 15 September 2015, minute 19"


def test_extract_names_the_chunk_under_a_span_and_its_neighbours(client: TestClient) -> None:
    hit = client.get("/api/search", params={"q": "Regulation 33 training", "k": 1}).json()["results"][0]
    params = {"source": hit["source"], "start": hit["start"] + 1, "end": hit["end"] - 1}
    data = client.get("/api/extract", params=params).json()
    assert (data["citation"]["start"], data["citation"]["end"]) == (hit["start"], hit["end"])
    assert data["previous"][0] < hit["start"] < data["next"][0]
    outside = client.get("/api/extract", params={"source": hit["source"], "start": 10**8, "end": 10**8 + 5})
    assert outside.json() == {"citation": None, "previous": None, "next": None}
    assert client.get("/api/extract", params={"source": "nope.txt", "start": 0, "end": 5}).status_code == 404
    assert client.get("/api/extract", params={"source": "../x", "start": 0, "end": 5}).status_code == 400
