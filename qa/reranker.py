"""The chunk reranker: the top POOL retrieved chunks reordered by a fitted ranking model before
the answer selector (qa/selector.py) chooses among the candidates of the first DEPTH.

Retrieval ranks chunks by BM25 and dense scores alone; the reranker also weighs what their
candidate spans say (qa/candidates.py): how much of the question the chunk and its best span
hold, whether a span names the kind of thing asked, the rules' fit, a period the question names
and the chunk lacks, how much of the question the chunk before it and its neighbours hold.
Each chunk's row is those values, the hit's own scores, and each value's gap to the pool's
best. The model is LightGBM lambdarank trees, fitted on the tune split with the
selector by `python -m eval fit` (a chunk is relevant when it holds a gold answer) and saved in
qa/selector.json beside it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from corpus.errors import ClerkError
from qa.candidates import FEATURES, Candidate

if TYPE_CHECKING:
    import lightgbm

POOL = 10  # retrieved chunks reranked (15 placed the answer's chunk first 0.6 points more often, at 1.5x the cost)
DEPTH = 5  # reranked chunks whose candidates the selector chooses among
HIT = ("score", "lexical", "dense", "rank", "words", "candidates")
BEST = ("coverage", "coverage_context", "coverage_window", "dense", "shape_held", "type_new", "column", "names",
        "time_held", "followup_own", "rule_fit", "definition", "decision_words", "new_share", "dense_qa")
LEAST = ("missing_rare", "period_mismatch", "shape_missing", "type_lacking")
SAME = ("coverage_chunk", "dense_chunk", "kind_table", "kind_resolution", "kind_minutes", "decision_resolution",
        "decision_table", "coverage_before", "coverage_around")
VALUES = (*HIT, *(f"best_{f}" for f in BEST), *(f"least_{f}" for f in LEAST), *SAME)
CHUNK_FEATURES = (*VALUES, *(f"gap_{f}" for f in VALUES))
_AT = {name: FEATURES.index(name) for name in (*BEST, *LEAST, *SAME, "rank", "retrieval")}


class RerankerError(ClerkError):
    """The reranker's trees cannot be read or do not fit this code's chunk features."""


@dataclass(frozen=True)
class PoolHit:
    """What the reranker reads of one retrieved chunk: its fused, BM25 and dense scores and its
    length in words."""

    score: float
    lexical: float
    dense: float
    words: int


def chunk_features(hits: Sequence[PoolHit], candidates: Sequence[Candidate]) -> np.ndarray:
    """One row of CHUNK_FEATURES per hit: its scores (as shares of the pool's best), its
    candidates' best and least values, and each value's gap to the best in the pool."""
    if not hits:
        return np.zeros((0, len(CHUNK_FEATURES)))
    top = max(h.score for h in hits) or 1.0
    top_lexical = max(h.lexical for h in hits) or 1.0
    per_hit: list[list[tuple[float, ...]]] = [[] for _ in hits]
    for c in candidates:
        if c.hit < len(hits):
            per_hit[c.hit].append(c.features)
    rows = []
    for n, (hit, features) in enumerate(zip(hits, per_hit)):
        f = np.asarray(features, dtype=np.float64) if features else np.zeros((1, len(FEATURES)))
        rows.append([hit.score / top, hit.lexical / top_lexical, hit.dense, 1.0 / (1 + n),
                     math.log1p(hit.words), float(len(features)),
                     *(f[:, _AT[x]].max() for x in BEST), *(f[:, _AT[x]].min() for x in LEAST),
                     *(f[0, _AT[x]] for x in SAME)])
    values = np.asarray(rows, dtype=np.float64)
    return np.hstack([values, values - values.max(axis=0)])


@dataclass(frozen=True)
class Reordered:
    """The pool's hits best first (`order`: their places in retrieval's order), the candidates
    of the first DEPTH of them with `hit` their new place, and which of the given candidates
    those are (`taken`)."""

    order: list[int]
    candidates: list[Candidate]
    taken: list[int]


def reorder(scores: np.ndarray, candidates: Sequence[Candidate], depth: int = DEPTH) -> Reordered:
    """The hits by the reranker's scores (ties keep retrieval's order) and the candidates of the
    first `depth`, their rank and retrieval features rewritten for their new place (retrieval:
    exp of the score's gap to the best, 1 for the first)."""
    order = [int(i) for i in np.argsort(-scores, kind="stable")]
    place = {old: new for new, old in enumerate(order)}
    best = float(scores.max()) if len(scores) else 0.0
    kept, taken = [], []
    for n, c in enumerate(candidates):
        new = place.get(c.hit)
        if new is None or new >= depth:
            continue
        features = list(c.features)
        features[_AT["rank"]] = 1.0 / (1 + new)
        features[_AT["retrieval"]] = math.exp(float(scores[c.hit]) - best)
        kept.append(replace(c, hit=new, features=tuple(features)))
        taken.append(n)
    return Reordered(order, kept, taken)


@dataclass(frozen=True)
class Reranker:
    """Fitted lambdarank trees over CHUNK_FEATURES, kept as LightGBM's text."""

    trees: str
    meta: dict[str, Any] = field(default_factory=dict)
    _booster: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        import lightgbm

        try:
            booster = lightgbm.Booster(model_str=self.trees)
        except lightgbm.basic.LightGBMError as exc:
            raise RerankerError(f"the reranker's trees cannot be read ({exc})") from exc
        if booster.num_feature() != len(CHUNK_FEATURES):
            raise RerankerError(f"the reranker's trees read {booster.num_feature()} chunk features, this code makes "
                                f"{len(CHUNK_FEATURES)}: refit them with `python -m eval fit`")
        object.__setattr__(self, "_booster", booster)

    def scores(self, features: np.ndarray) -> np.ndarray:
        if len(features) == 0:
            return np.zeros(0)
        booster: lightgbm.Booster = self._booster
        return np.asarray(booster.predict(features, num_threads=1), dtype=np.float64)

    def to_json(self) -> dict[str, Any]:
        return {"features": list(CHUNK_FEATURES), "meta": self.meta, "trees": self.trees}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reranker:
        if data.get("features") != list(CHUNK_FEATURES):
            raise RerankerError("the reranker was fitted for other chunk features: refit it with `python -m eval fit`")
        return cls(str(data["trees"]), dict(data.get("meta") or {}))
