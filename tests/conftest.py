"""Shared fixtures: one real index (real MiniLM, FAISS, bm25s) over tests/data/papers, built once."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from index.builder import Builder  # noqa: E402
from index.embedder import Embedder  # noqa: E402
from index.store import IndexStore  # noqa: E402
from qa.assistant import Assistant  # noqa: E402
from qa.settings import Settings  # noqa: E402

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent
EXTERNAL = REPO.parent / "shared" / "external-papers"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The packaged all-MiniLM-L6-v2, loaded once for the whole run."""
    return Embedder(Settings.from_env().model)


@pytest.fixture(scope="session")
def papers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("papers")
    for path in (DATA / "papers").iterdir():
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings.from_env(index_dir=tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="session")
def assistant(settings: Settings, papers: Path, embedder: Embedder) -> Iterator[Assistant]:
    """A real Assistant over a real index of the test papers."""
    report = Builder(IndexStore(settings.index_dir), embedder, 2**20).ingest([papers])
    assert not report.failed, report.failed
    index = IndexStore(settings.index_dir).load(settings.model)
    yield Assistant(index, embedder, settings)
