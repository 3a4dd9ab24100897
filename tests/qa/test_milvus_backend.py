"""The Milvus backend on milvus-lite: its filter expressions admit exactly the chunks
Filters.admits does, its lists are the builtin's, and every way it cannot serve (unreachable,
no collections, another dimension, not Clerk's collections, an unknown backend) is a clear
BackendError, which the CLI and the web app report in words."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from corpus.errors import BackendError
from index.milvus import MilvusStore
from qa.answer import Filters
from qa.assistant import Assistant
from qa.backends import BuiltinBackend, open_backend
from qa.milvus_backend import MilvusBackend, expression, literal
from qa.settings import Settings
from web.app import create_app

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SCOPES = [Filters(), Filters(clearance="exempt"), Filters(committee="children and families SCRUTINY committee"),
          Filters(kind="table"), Filters(kind="resolution", clearance="exempt"),
          Filters(date_from="2011-06-01", date_to="2011-06-30"), Filters(date_from="2011-07-01"),
          Filters(date_to="2011-06-30", committee="Health and Wellbeing Board"), Filters(committee='no "such" one\\')]


@pytest.fixture(scope="module")
def milvus(exempt_settings: Settings, on_milvus: Callable[[Settings], Settings]) -> Settings:
    return on_milvus(exempt_settings)


@pytest.mark.parametrize("scope", SCOPES, ids=str)
def test_an_expression_admits_exactly_what_the_filters_admit(milvus: Settings, exempt_assistant: Assistant,
                                                             scope: Filters) -> None:
    store = MilvusStore(*milvus.milvus_target)
    generation = store.live()
    assert generation is not None
    found = store.client.query(f"{generation}_vectors", filter=expression(scope), output_fields=["chunk"], limit=16384)
    admitted = {c.id for c in exempt_assistant.index.chunks if scope.admits(c)}
    assert {r["chunk"] for r in found} == admitted
    store.close()


def test_a_literal_cannot_leave_its_quotes() -> None:
    assert literal('a" or access == "exempt') == '"a\\" or access == \\"exempt"'
    assert literal("x\\") == '"x\\\\"' and literal("a\x00b") == '"a\ufffdb"'


def test_milvus_lists_are_the_builtin_lists(milvus: Settings, exempt_assistant: Assistant) -> None:
    view = exempt_assistant.retriever.index
    builtin, remote = BuiltinBackend(view), open_backend(view, milvus)
    mask = exempt_assistant.retriever.mask(Filters())
    tokens = ["ni59", "quarter", "3", "initi", "assess"]
    ours, theirs = builtin.lexical(tokens, 500, Filters(), mask), remote.lexical(tokens, 500, Filters(), None)
    assert set(ours) == set(theirs)
    ratio = np.array([theirs[r] / ours[r] for r in ours])
    assert np.allclose(ratio, 2.2, rtol=1e-3)  # Milvus's BM25 carries the (k1 + 1) bm25s leaves out
    vector = exempt_assistant.retriever.query_vector("initial assessments within 7 working days")
    dense_ours, dense_theirs = builtin.dense(vector, 10, Filters(), mask), remote.dense(vector, 10, Filters(), None)
    assert np.allclose(list(dense_ours.values()), list(dense_theirs.values()), atol=1e-4)  # ties may swap rows


def test_a_reloaded_assistant_searches_through_the_connection_it_replaces(
        milvus: Settings, exempt_assistant: Assistant) -> None:
    old = Assistant(exempt_assistant.index, exempt_assistant.embedder, milvus)
    fresh = Assistant(exempt_assistant.index, exempt_assistant.embedder, milvus, reuse=old.backend)
    assert isinstance(fresh.backend, MilvusBackend) and isinstance(old.backend, MilvusBackend)
    assert fresh.backend.store is old.backend.store  # no second connection per reload
    question = "What was NI 59 in Q3?"
    assert fresh.ask(question).answer == old.ask(question).answer == "41% (50% as of Dec)"
    old.backend.store.close()


def test_an_unreachable_milvus_is_named_in_words(assistant: Assistant) -> None:
    settings = assistant.settings.with_(backend="milvus", milvus_uri="http://127.0.0.1:9")
    with pytest.raises(BackendError, match=r"cannot reach Milvus at http://127.0.0.1:9"):
        Assistant(assistant.index, assistant.embedder, settings)


def test_an_empty_milvus_says_which_ingest_fills_it(assistant: Assistant, tmp_path: Path) -> None:
    settings = assistant.settings.with_(backend="milvus", milvus_uri=str(tmp_path / "empty.db"))
    with pytest.raises(BackendError, match=r"holds no collections named .*qa ingest"):
        Assistant(assistant.index, assistant.embedder, settings)


def test_another_dimension_or_a_foreign_collection_is_refused(assistant: Assistant, tmp_path: Path) -> None:
    settings = assistant.settings.with_(backend="milvus", milvus_uri=str(tmp_path / "other.db"))
    store = MilvusStore(*settings.milvus_target)
    store.publish(store.create(dimension=8, vectors=10))
    with pytest.raises(BackendError, match=r"vectors of 8 dimensions, the index 384.*--rebuild"):
        MilvusBackend(store, assistant.index)
    schema = store.pm.MilvusClient.create_schema(auto_id=True)
    schema.add_field("pk", store.pm.DataType.INT64, is_primary=True)
    schema.add_field("embedding", store.pm.DataType.FLOAT_VECTOR, dim=4)
    store.client.create_collection(f"{store.prefix}_gforeign_vectors", schema=schema)
    store.client.alter_alias(f"{store.prefix}_gforeign_vectors", store.prefix)
    with pytest.raises(BackendError, match=r"not one of Clerk's"):
        MilvusBackend(store, assistant.index)
    store.close()


def test_an_unknown_backend_is_refused_by_name(assistant: Assistant) -> None:
    with pytest.raises(BackendError, match="CLERK_BACKEND must be one of builtin, milvus, not 'elastic'"):
        Assistant(assistant.index, assistant.embedder, assistant.settings.with_(backend="elastic"))


def test_the_cli_and_the_web_app_report_an_unreachable_milvus_without_a_traceback(
        assistant: Assistant) -> None:
    env = {**os.environ, "CLERK_BACKEND": "milvus", "CLERK_MILVUS_URI": "http://127.0.0.1:9",
           "CLERK_INDEX": str(assistant.settings.index_dir), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "qa", "ask", "What was NI 59 in Q3?"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "error: cannot reach Milvus at http://127.0.0.1:9" in done.stderr and "Traceback" not in done.stderr
    settings = assistant.settings.with_(backend="milvus", milvus_uri="http://127.0.0.1:9")
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503 and "cannot reach Milvus" in response.json()["detail"]


def test_a_milvus_lite_file_another_process_holds_says_how_to_share_it(tmp_path: Path) -> None:
    path = tmp_path / "held.db"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from pymilvus import MilvusClient; "
                               f"MilvusClient({str(path)!r}); print('open', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(BackendError, match=r"another process using this milvus-lite file.*milvus-lite server"):
            MilvusStore(str(path), "clerk_test")
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_without_clerk_backend_milvus_nothing_of_pymilvus_is_imported(assistant: Assistant) -> None:
    script = ("import sys; from qa.assistant import Assistant; from qa.settings import Settings; import web.app; "
              "import index.builder; answer = Assistant.open(Settings.from_env()).ask('What was NI 59 in Q3?'); "
              "print(answer.answer, sorted(m for m in sys.modules if m.split('.')[0] in ('pymilvus', 'milvus_lite')))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLERK_")}
    env |= {"CLERK_INDEX": str(assistant.settings.index_dir), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "41% (50% as of Dec) []", done.stderr
