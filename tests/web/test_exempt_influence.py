"""Exempt text never influences a public answer: not by being ranked, cited or counted, and not
through corpus statistics either (BM25's idf and lengths, the acronyms that expand a question).
A public answer from an index holding exempt papers is the very answer, scores and all, of an
index built without them."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from index.builder import Builder
from index.embedder import Embedder
from index.store import IndexStore
from qa.answer import Filters
from qa.assistant import Assistant
from qa.backends import BACKENDS
from qa.settings import Settings
from tests.web.exempt import AIMED, dev_questions

pytestmark = pytest.mark.slow

MORE = ["What is CICC?", "What is MST?", "average caseload", "Regulation 33 visits to children's homes",
        "What did the Children and Families Scrutiny Committee resolve on 28 June 2011?",
        "assistive technology commissioning", "How many community champions were trained?"]


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def exempt_assistant(backend: str, exempt_assistant: Assistant, exempt_settings: Settings,
                     on_milvus: Callable[[Settings], Settings]) -> Assistant:
    """The index holding the exempt papers, searched by `backend`."""
    if backend == "builtin":
        return exempt_assistant
    return Assistant(exempt_assistant.index, exempt_assistant.embedder, on_milvus(exempt_settings))


@pytest.fixture(scope="module")
def public_only(backend: str, exempt_settings: Settings, papers: Path, embedder: Embedder,
                tmp_path_factory: pytest.TempPathFactory, on_milvus: Callable[[Settings], Settings]) -> Assistant:
    """The same public papers without the exempt ones, their vectors taken from the same cache."""
    folder = tmp_path_factory.mktemp("public-only") / "index"
    shutil.copytree(exempt_settings.index_dir, folder)
    report = Builder(IndexStore(folder), embedder, 2**20).ingest([papers], rebuild=True)
    assert report.embedded == 0  # bit-identical vectors: only the exempt papers differ
    settings = exempt_settings.with_(index_dir=folder)
    if backend == "milvus":
        settings = on_milvus(settings)
    return Assistant(IndexStore(folder).load(settings.model), embedder, settings)


def comparable(answer: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in answer.items() if k != "took_ms"}


def test_public_answers_are_those_of_an_index_without_the_exempt_papers(
        exempt_assistant: Assistant, public_only: Assistant) -> None:
    assert len(public_only.index.documents) == len(exempt_assistant.index.documents) - 2
    assert exempt_assistant.stats() == public_only.stats()
    for question in AIMED + MORE + dev_questions():
        mixed, clean = exempt_assistant.ask(question, k=10), public_only.ask(question, k=10)
        assert comparable(mixed.to_json()) == comparable(clean.to_json()), question
        assert exempt_assistant.search(question, k=20) == public_only.search(question, k=20), question


def test_public_filters_and_modes_give_the_same_results_as_without_the_exempt_papers(
        exempt_assistant: Assistant, public_only: Assistant) -> None:
    scopes = [Filters(committee="Children and Families Scrutiny Committee"), Filters(kind="resolution"),
              Filters(date_from="2011-01-01", date_to="2011-12-31")]
    for question in AIMED:
        for mode in ("bm25", "dense", "rrf"):
            assert exempt_assistant.search(question, k=20, mode=mode) == public_only.search(question, k=20, mode=mode)
        for scope in scopes:
            assert exempt_assistant.search(question, 20, scope) == public_only.search(question, 20, scope)


def test_the_exempt_clearance_sees_the_exempt_papers(exempt_assistant: Assistant) -> None:
    officer = Filters(clearance="exempt")
    answer = exempt_assistant.ask("Who won the Quenbury Telecare contract?", filters=officer)
    assert answer.citations[0].source == "contract_award.md" and answer.citations[0].access == "exempt"
    assert "TPP" in exempt_assistant.retrievers["exempt"].index.acronyms
    assert "TPP" not in exempt_assistant.retrievers["public"].index.acronyms
    assert exempt_assistant.stats("exempt") == (len(exempt_assistant.index.documents), len(exempt_assistant.index.chunks))
