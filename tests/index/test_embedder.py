"""The embedding backends: ONNX vectors equal sentence-transformers', batching and pooling rules."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.embedder import Embedder
from index.onnx_backend import ModelSpec, OnnxEncoder, UnsupportedModel, length_batches, pool, read_spec
from qa.settings import Settings

TEXTS = [
    "NI 59 initial assessments within 7 working days",
    "RESOLVED – That the report be noted.",
    "Q3",
    # Longer than the model's 256-token window: both backends must truncate the same way.
    " ".join(["The Children and Families Scrutiny Committee considered the performance scorecard."] * 40),
    "The Health and Wellbeing Board agreed the joint strategic needs assessment for 2014-15.",
    "NI 59 initial assessments within 7 working days",
]


@pytest.fixture(scope="module")
def model_path() -> Path:
    return Path(Settings.from_env().model)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("embed-cache")


@pytest.fixture(scope="module")
def torch_vectors(model_path: Path) -> np.ndarray:
    return Embedder(str(model_path), backend="torch").encode(TEXTS)


@pytest.mark.slow
def test_onnx_vectors_match_sentence_transformers(model_path: Path, cache: Path, torch_vectors: np.ndarray) -> None:
    onnx = Embedder(str(model_path), backend="onnx", cache_dir=cache)
    together = onnx.encode(TEXTS)
    alone = np.vstack([onnx.encode([t]) for t in TEXTS])  # a query: batch of one, one thread
    for vectors in (together, alone):
        assert vectors.shape == torch_vectors.shape and vectors.dtype == np.float32
        assert (vectors * torch_vectors).sum(axis=1).min() > 0.999
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert onnx.backend == "onnx" and onnx.dimension == 384
    model = onnx.model
    assert isinstance(model, OnnxEncoder)
    # A question runs on one thread (two stall behind other processes); bulk work on every core.
    assert set(model._sessions) == {1, onnx.threads}


@pytest.mark.slow
def test_export_is_cached_and_reused(model_path: Path, cache: Path) -> None:
    first = Embedder(str(model_path), backend="onnx", cache_dir=cache).model
    again = Embedder(str(model_path), backend="onnx", cache_dir=cache).model
    assert isinstance(first, OnnxEncoder) and isinstance(again, OnnxEncoder)
    stamp = first.file.stat().st_mtime_ns
    assert again.file == first.file and again.file.stat().st_mtime_ns == stamp
    assert not [p for p in first.file.parent.iterdir() if p.name.startswith(".export-")]


@pytest.mark.slow
def test_int8_vectors_stay_close(model_path: Path, cache: Path, torch_vectors: np.ndarray) -> None:
    int8 = Embedder(str(model_path), backend="onnx-int8", cache_dir=cache)
    vectors = int8.encode(TEXTS)
    model = int8.model
    assert isinstance(model, OnnxEncoder) and model.file.name == "model-int8.onnx"
    cosines = (vectors * torch_vectors).sum(axis=1)
    assert cosines.min() > 0.95 and cosines.max() < 0.99999  # close, but really quantised


@pytest.mark.slow
def test_repeated_texts_are_encoded_once_and_keep_their_rows(model_path: Path, cache: Path) -> None:
    onnx = Embedder(str(model_path), backend="onnx", cache_dir=cache)
    vectors = onnx.encode(["b", "a", "b", "c", "a"])
    assert np.array_equal(vectors[0], vectors[2]) and np.array_equal(vectors[1], vectors[4])
    assert not np.allclose(vectors[0], vectors[1])
    assert onnx.encode([]).shape == (0, 384)


@pytest.mark.slow
def test_groups_encode_to_the_vectors_of_one_call(model_path: Path, cache: Path) -> None:
    """int8 activations are scaled per batch, so a text's vector depends on its batch-mates:
    the groups a cluster's workers encode apart must be batched as one call would batch them."""
    int8 = Embedder(str(model_path), backend="onnx-int8", cache_dir=cache)
    texts = [f"{text} (item {n})" for n, text in enumerate(TEXTS[:5] * 8)]
    whole = int8.encode(texts)
    groups = int8.groups(texts, 8)
    assert sorted(np.concatenate(groups).tolist()) == list(range(len(texts)))
    apart = np.empty_like(whole)
    for rows in groups:
        apart[rows] = int8.encode([texts[r] for r in rows])
    assert np.array_equal(apart, whole)
    halves = np.concatenate([int8.encode(texts[:20]), int8.encode(texts[20:])])
    assert not np.allclose(halves, whole, atol=1e-3)  # why: any other split moves the vectors


@pytest.mark.slow
def test_unsupported_pooling_falls_back_to_sentence_transformers(model_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "max-pooled"
    shutil.copytree(model_path, folder, ignore=shutil.ignore_patterns("model.safetensors"))
    (folder / "model.safetensors").symlink_to(model_path / "model.safetensors")
    config = json.loads((folder / "1_Pooling/config.json").read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_max_tokens=True)
    (folder / "1_Pooling/config.json").write_text(json.dumps(config))
    with pytest.raises(UnsupportedModel, match="pooling"):
        read_spec(folder)
    embedder = Embedder(str(folder), backend="onnx", cache_dir=tmp_path / "cache")
    assert embedder.encode(["RESOLVED"]).shape == (1, 384)
    assert embedder.backend == "torch"


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="onnx-int8"):
        Embedder("unused", backend="tensorflow")


def test_length_batches_cover_every_row_once_longest_first() -> None:
    lengths = [5, 300, 12, 12, 64, 1, 300, 8]
    batches = length_batches(lengths, tokens_per_batch=600)
    rows = np.concatenate(batches)
    assert sorted(rows.tolist()) == list(range(len(lengths)))
    assert [lengths[r] for r in rows] == sorted(lengths, reverse=True)
    for batch in batches:
        assert len(batch) == 1 or len(batch) * max(lengths[r] for r in batch) <= 600
    assert len(batches[0]) == 2 and len(batches[-1]) > 2  # long texts few at a time, short ones many


def test_mean_pooling_ignores_padding_and_normalises() -> None:
    hidden = np.array([[[1.0, 0.0], [3.0, 0.0], [100.0, 100.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0]])
    vector = pool(hidden, mask, ModelSpec(8, "mean", normalize=False, dimension=2))
    assert np.allclose(vector, [[2.0, 0.0]])
    unit = pool(hidden, mask, ModelSpec(8, "mean", normalize=True, dimension=2))
    assert np.allclose(unit, [[1.0, 0.0]])
    cls = pool(hidden, mask, ModelSpec(8, "cls", normalize=False, dimension=2))
    assert np.allclose(cls, [[1.0, 0.0]])


@pytest.mark.slow
def test_unwritable_cache_falls_back_to_sentence_transformers(model_path: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    embedder = Embedder(str(model_path), backend="onnx", cache_dir=blocked)
    assert embedder.encode(["RESOLVED"]).shape == (1, 384)
    assert embedder.backend == "torch"
