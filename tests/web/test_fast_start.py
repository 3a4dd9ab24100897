"""Serving a prebuilt index with the ONNX backend never imports torch: checked in a fresh process
that starts the web app (its start-up warms the encoder) and answers a question over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.builder import Builder
from index.embedder import Embedder, default_cache
from index.store import IndexStore
from qa.assistant import Assistant
from qa.settings import Settings

REPO = Path(__file__).resolve().parents[2]
SERVE_AND_ASK = """
import json, sys
from starlette.testclient import TestClient
from qa.settings import Settings
from web.app import create_app

with TestClient(create_app(Settings.from_env())) as client:
    answer = client.post("/api/ask", json={"question": "What is the NI 59 target?"})
    print(json.dumps({"status": answer.status_code, "citations": len(answer.json().get("citations", [])),
                      "heavy": sorted(m for m in ("torch", "sentence_transformers", "transformers")
                                      if m in sys.modules)}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
def test_serving_with_onnx_never_imports_torch(settings: Settings, assistant: Assistant,
                                               backend: str) -> None:
    # The export is made once per model (by ingest, or here); serving then only reads it.
    Embedder(settings.model, backend=backend, cache_dir=default_cache()).encode(["export once"])
    heavy = serve_and_ask(settings.index_dir, backend)
    assert heavy == [], f"serving imported {heavy}"


def serve_and_ask(index_dir: Path, backend: str) -> list[str]:
    """The heavy modules a fresh server process imported to answer one question."""
    env = {**os.environ, "CLERK_INDEX": str(index_dir), "CLERK_EMBED_BACKEND": backend,
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", SERVE_AND_ASK], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == 200 and result["citations"] >= 1
    return list(result["heavy"])


@pytest.mark.slow
def test_torch_backend_is_what_imports_torch(settings: Settings, papers: Path,
                                             tmp_path_factory: pytest.TempPathFactory) -> None:
    """The check above can fail: over an index of torch's own (fp32) vectors, the torch backend
    does load torch in the same process."""
    index_dir = tmp_path_factory.mktemp("fp32-index")
    torch = Embedder(settings.model, backend="torch")
    assert not Builder(IndexStore(index_dir), torch, 2**20).ingest([papers]).failed
    assert "torch" in serve_and_ask(index_dir, "torch")


@pytest.mark.slow
def test_questions_are_encoded_as_the_index_was_whatever_the_setting(settings: Settings, assistant: Assistant) -> None:
    """The shared index holds int8 vectors: a server set to torch encodes questions with
    onnx-int8 like its index, so torch is never loaded."""
    assert assistant.index.vector_kind == "int8"
    assert serve_and_ask(settings.index_dir, "torch") == []
