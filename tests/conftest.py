"""Shared fixtures: one real index (real MiniLM, FAISS, bm25s) over tests/data/papers, built once."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from index.builder import Builder  # noqa: E402
from index.embedder import Embedder  # noqa: E402
from index.store import IndexStore  # noqa: E402
from qa.assistant import Assistant  # noqa: E402
from qa.backends import sync_backend  # noqa: E402
from qa.settings import Settings  # noqa: E402
from qa.users import UserStore  # noqa: E402
from tests.web.exempt import EXEMPT_PAPERS, OFFICER  # noqa: E402

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


@pytest.fixture(scope="session")
def exempt_settings(tmp_path_factory: pytest.TempPathFactory, papers: Path, embedder: Embedder) -> Settings:
    """An index of the test papers plus two exempt ones (one by sidecar, one by its own words),
    with one officer account."""
    folder = tmp_path_factory.mktemp("exempt-papers")
    for source in (*papers.iterdir(), *EXEMPT_PAPERS.iterdir()):
        shutil.copy(source, folder / source.name)
    settings = Settings.from_env(index_dir=tmp_path_factory.mktemp("exempt-index"))
    report = Builder(IndexStore(settings.index_dir), embedder, 2**20).ingest([folder])
    assert not report.failed, report.failed
    UserStore.in_index(settings.index_dir).add(*OFFICER, role="officer")
    return settings


@pytest.fixture(scope="session")
def exempt_assistant(exempt_settings: Settings, embedder: Embedder) -> Assistant:
    return Assistant(IndexStore(exempt_settings.index_dir).load(exempt_settings.model), embedder, exempt_settings)


@pytest.fixture(scope="session")
def on_milvus(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Settings], Settings]:
    """The settings of an index folder whose build has been synced into a milvus-lite file of its
    own (once per folder): what `qa ingest` does with CLERK_BACKEND=milvus."""
    synced: dict[Path, Settings] = {}

    def make(settings: Settings) -> Settings:
        if settings.index_dir not in synced:
            uri = tmp_path_factory.mktemp("milvus") / "milvus.db"
            milvus = settings.with_(backend="milvus", milvus_uri=str(uri))
            assert sync_backend(milvus)
            synced[settings.index_dir] = milvus
        return synced[settings.index_dir]

    return make


@pytest.fixture(scope="session")
def milvus_assistant(assistant: Assistant, on_milvus: Callable[[Settings], Settings]) -> Assistant:
    """The session's assistant over the same build, searching through Milvus."""
    return Assistant(assistant.index, assistant.embedder, on_milvus(assistant.settings))
