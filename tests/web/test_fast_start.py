"""Serving a prebuilt index with the ONNX backend never imports torch: checked in a fresh process
that starts the web app (its start-up warms the encoder) and answers a question over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.embedder import Embedder, default_cache
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
    env = {**os.environ, "CLERK_INDEX": str(settings.index_dir), "CLERK_EMBED_BACKEND": backend,
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", SERVE_AND_ASK], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == 200 and result["citations"] >= 1
    assert result["heavy"] == [], f"serving imported {result['heavy']}"


@pytest.mark.slow
def test_torch_backend_is_what_imports_torch(settings: Settings, assistant: Assistant) -> None:
    """The check above can fail: with the torch backend the same process does load torch."""
    env = {**os.environ, "CLERK_INDEX": str(settings.index_dir), "CLERK_EMBED_BACKEND": "torch",
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", SERVE_AND_ASK], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "torch" in json.loads(done.stdout.strip().splitlines()[-1])["heavy"]
