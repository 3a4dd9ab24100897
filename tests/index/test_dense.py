"""Dense search: exact while small, HNSW above the threshold with recall checked against exact,
filters on both paths, float16 vectors, and the graph saved and loaded with the build."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import index.dense as dense_module
from index.dense import ANN_FILE, Dense

N, DIM, QUERIES = 6000, 64, 40


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    """Clustered unit vectors (like paraphrases of a few hundred topics) and queries near them."""
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(300, DIM))
    vectors = unit(centres[rng.integers(0, 300, N)] + 0.35 * rng.normal(size=(N, DIM)))
    queries = unit(centres[rng.integers(0, 300, QUERIES)] + 0.35 * rng.normal(size=(QUERIES, DIM)))
    return vectors, queries


@pytest.fixture(scope="module")
def graph(data: tuple[np.ndarray, np.ndarray]) -> Dense:
    return Dense(data[0], ann_above=1000)


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> np.ndarray:
    scores = vectors.astype(np.float32) @ query
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    return np.argsort(-scores, kind="stable")[:k]


def recall(dense: Dense, data: tuple[np.ndarray, np.ndarray], k: int, allowed: np.ndarray | None = None) -> float:
    vectors, queries = data
    found = 0
    for query in queries:
        _, rows = dense.search(query, k, allowed)
        assert allowed is None or allowed[rows].all(), "a row outside the filter came back"
        found += len(set(rows.tolist()) & set(exact_top(vectors, query, k, allowed).tolist()))
    return found / (k * len(queries))


def test_small_index_is_exact_and_best_first(data: tuple[np.ndarray, np.ndarray]) -> None:
    vectors, queries = data
    dense = Dense(vectors)
    assert dense.kind == "exact" and dense.size == N
    scores, rows = dense.search(queries[0], 10)
    assert rows.tolist() == exact_top(vectors, queries[0], 10).tolist()
    assert np.all(np.diff(scores) <= 1e-6)
    assert recall(dense, data, 10) == 1.0


def test_hnsw_above_threshold_keeps_recall_at_10(graph: Dense, data: tuple[np.ndarray, np.ndarray]) -> None:
    assert graph.kind == "hnsw"
    assert recall(graph, data, 10) >= 0.95


def test_filters_on_the_graph_return_only_allowed_rows(graph: Dense, data: tuple[np.ndarray, np.ndarray],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dense_module, "EXACT_SUBSET", 100)  # so these filters walk the graph
    rng = np.random.default_rng(3)
    for share in (0.5, 0.05):
        allowed = rng.random(N) < share
        assert allowed.sum() > 100
        assert recall(graph, data, 10, allowed) >= 0.9


def test_narrow_filter_is_searched_exactly(graph: Dense, data: tuple[np.ndarray, np.ndarray]) -> None:
    vectors, queries = data
    allowed = np.zeros(N, dtype=bool)
    allowed[[5, 17, 900, 4000, 5999]] = True
    scores, rows = graph.search(queries[1], 10, allowed)
    assert rows.tolist() == exact_top(vectors, queries[1], 5, allowed).tolist()
    assert np.allclose(scores, vectors[rows] @ queries[1], atol=1e-5)
    assert graph.search(queries[1], 10, np.zeros(N, dtype=bool))[1].size == 0


def test_exact_filter(data: tuple[np.ndarray, np.ndarray]) -> None:
    allowed = np.arange(N) % 7 == 0
    assert recall(Dense(data[0]), data, 10, allowed) == 1.0


def test_graph_saved_and_loaded_from_float16_vectors(graph: Dense, data: tuple[np.ndarray, np.ndarray],
                                                     tmp_path: Path) -> None:
    np.save(tmp_path / "vectors.npy", data[0].astype(np.float16))
    graph.save(tmp_path)
    vectors = np.load(tmp_path / "vectors.npy", mmap_mode="r")
    loaded = Dense.load(tmp_path, vectors, ann_above=1000)
    assert loaded.kind == "hnsw" and (tmp_path / ANN_FILE).is_file()
    for query in data[1][:10]:
        assert loaded.search(query, 10)[1].tolist() == graph.search(query, 10)[1].tolist()
    narrow = np.arange(N) < 50  # exact over float16 rows
    assert loaded.search(data[1][0], 5, narrow)[1].tolist() == exact_top(data[0], data[1][0], 5, narrow).tolist()


def test_graph_of_another_size_is_not_trusted(graph: Dense, data: tuple[np.ndarray, np.ndarray],
                                              tmp_path: Path) -> None:
    graph.save(tmp_path)
    loaded = Dense.load(tmp_path, data[0][:-1], ann_above=1000)
    assert loaded.kind == "exact"
    assert loaded.search(data[1][0], 10)[1].tolist() == exact_top(data[0][:-1], data[1][0], 10).tolist()


def test_small_build_writes_no_graph(data: tuple[np.ndarray, np.ndarray], tmp_path: Path) -> None:
    Dense(data[0]).save(tmp_path)
    assert not (tmp_path / ANN_FILE).exists()
    assert Dense.load(tmp_path, data[0]).kind == "exact"


def test_a_grown_graph_keeps_its_rows_and_finds_the_new_ones(graph: Dense, data: tuple[np.ndarray, np.ndarray],
                                                            tmp_path: Path) -> None:
    graph.save(tmp_path)
    previous = Dense.load(tmp_path, data[0], ann_above=1000)
    extra = unit(np.random.default_rng(3).normal(size=(25, DIM)))
    vectors = np.concatenate([data[0], extra])
    grown = Dense.grown(previous, vectors, ann_above=1000)
    assert grown.kind == "hnsw" and grown.graph.ntotal == N + 25
    for i, vector in enumerate(extra):
        assert grown.search(vector, 1)[1].tolist() == [N + i]
    assert recall(grown, (vectors, data[1]), 10) >= 0.95
    assert recall(grown, (vectors, data[1]), 10, np.arange(N + 25) % 3 > 0) >= 0.95


def test_an_exact_index_grows_into_an_exact_one(data: tuple[np.ndarray, np.ndarray]) -> None:
    grown = Dense.grown(Dense(data[0][:100]), data[0][:150])
    assert grown.kind == "exact" and grown.search(data[0][120], 1)[1].tolist() == [120]
