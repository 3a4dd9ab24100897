"""The answer selector: a model over the candidates' features (qa/candidates.py) says how likely
each candidate holds the answer; the likeliest answers, and its probability, calibrated, is the
answer's confidence. One more feature comes from a word model: which words and word shapes
answer which class of question ("who" and a capitalised word after "Cllr", "how much" and
"£9,9"), a weight per key. The model is boosted trees (LightGBM, saved as its own text format)
or a logistic regression; all is fitted on the tune split of the question sets by `python -m
eval fit` and saved in qa/selector.json with the commit that fitted it, beside the chunk
reranker (qa/reranker.py) and the question adapter (qa/adapter.py) fitted with it."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from corpus.errors import ClerkError
from qa.candidates import FEATURES, Candidate
from qa.adapter import AdapterError, QuestionAdapter
from qa.reranker import Reranker, RerankerError

if TYPE_CHECKING:
    import lightgbm

WEIGHTS = Path(__file__).with_name("selector.json")


class SelectorError(ClerkError):
    """The selector's weights file is missing or does not fit this code's features."""


@dataclass(frozen=True)
class WordModel:
    """Logistic weights over candidates' keys (qa/answer_types.word_keys); a key it has no
    weight for adds nothing."""

    bias: float
    weights: dict[str, float]

    def scores(self, keys: Sequence[Sequence[str]]) -> np.ndarray:
        w = self.weights
        z = np.asarray([self.bias + sum(w.get(k, 0.0) for k in ks) for ks in keys], dtype=np.float64)
        return 1.0 / (1.0 + np.exp(-z))

    def to_json(self) -> dict[str, Any]:
        return {"bias": self.bias, "weights": dict(sorted(self.weights.items(), key=lambda kv: -abs(kv[1])))}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WordModel:
        return cls(float(data["bias"]), {str(k): float(v) for k, v in data["weights"].items()})


@dataclass(frozen=True)
class Selector:
    """A fitted model and a Platt calibration (slope and bias on the log-odds of the chosen
    candidate's probability -> the share of such answers that were right). Platt, not isotonic:
    it is strictly increasing, so the threshold declines exactly the answers below one
    confidence. With a `reranker`, the retrieved chunks are reordered before their candidates are
    taken. The model is `trees` (a LightGBM booster's text) when given, else the logistic
    weights over standardised features; with `words`, its score is one more feature, last."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    calibration: tuple[float, float]
    threshold: float
    meta: dict[str, Any] = field(default_factory=dict)
    trees: str | None = None
    words: WordModel | None = None
    reranker: Reranker | None = None  # reorders the retrieved chunks first (qa/reranker.py)
    adapter: QuestionAdapter | None = None  # moves the question's vector for `dense_qa` (qa/adapter.py)
    _booster: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        columns = len(FEATURES) + (self.words is not None)
        if not len(self.mean) == len(self.scale) == len(self.coef) == columns:
            raise SelectorError(f"the selector's weights are for {len(self.coef)} columns, this code makes "
                                f"{columns}: refit them with `python -m eval fit`")
        if self.trees is not None:
            booster = _read_trees(self.trees)
            if booster.num_feature() != columns:
                raise SelectorError(f"the selector's trees read {booster.num_feature()} columns, this code makes "
                                    f"{columns}: refit them with `python -m eval fit`")
            object.__setattr__(self, "_booster", booster)

    @property
    def kind(self) -> str:
        return "trees" if self.trees is not None else "logistic"

    def probabilities(self, candidates: Sequence[Candidate]) -> np.ndarray:
        if not candidates:
            return np.zeros(0)
        x = np.asarray([c.features for c in candidates], dtype=np.float64)
        if self.words is not None:
            x = np.hstack([x, self.words.scores([c.keys for c in candidates])[:, None]])
        if self._booster is not None:
            return np.asarray(self._booster.predict(x, num_threads=1), dtype=np.float64)
        z = (x - self.mean) / self.scale
        return 1.0 / (1.0 + np.exp(-(z @ self.coef + self.intercept)))

    def calibrated(self, probability: float) -> float:
        """The share of tune answers given with this probability that were right."""
        slope, bias = self.calibration
        p = min(max(probability, 1e-6), 1 - 1e-6)
        return 1.0 / (1.0 + math.exp(-(slope * math.log(p / (1 - p)) + bias)))

    def choose(self, candidates: Sequence[Candidate]) -> tuple[int, float] | None:
        """The index of the likeliest candidate and its calibrated confidence."""
        p = self.probabilities(candidates)
        if len(p) == 0:
            return None
        best = int(np.argmax(p))
        return best, self.calibrated(float(p[best]))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
            "coef": self.coef.tolist(), "intercept": self.intercept,
            "calibration": {"slope": self.calibration[0], "bias": self.calibration[1]},
            "threshold": self.threshold, "meta": self.meta,
            **({"words": self.words.to_json()} if self.words is not None else {}),
            **({"trees": self.trees} if self.trees is not None else {}),
            **({"reranker": self.reranker.to_json()} if self.reranker is not None else {}),
            **({"adapter": self.adapter.to_json()} if self.adapter is not None else {}),
        }

    def save(self, path: Path = WEIGHTS) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Selector:
        if data.get("features") != list(FEATURES):
            raise SelectorError("the selector's weights were fitted for other features: "
                                "refit them with `python -m eval fit`")
        calibration = data.get("calibration") or {}
        return cls(
            mean=np.asarray(data["mean"], dtype=np.float64), scale=np.asarray(data["scale"], dtype=np.float64),
            coef=np.asarray(data["coef"], dtype=np.float64), intercept=float(data["intercept"]),
            calibration=(float(calibration.get("slope", 1.0)), float(calibration.get("bias", 0.0))),
            threshold=float(data["threshold"]), meta=dict(data.get("meta") or {}),
            trees=data.get("trees"),
            words=WordModel.from_json(data["words"]) if "words" in data else None,
            reranker=Reranker.from_json(data["reranker"]) if "reranker" in data else None,
            adapter=QuestionAdapter.from_json(data["adapter"]) if "adapter" in data else None,
        )

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Selector:
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise SelectorError(f"no selector weights at {path}: fit them with `python -m eval fit`") from None
        except (ValueError, KeyError, TypeError, RerankerError, AdapterError) as exc:
            raise SelectorError(f"selector weights at {path} cannot be read ({exc})") from exc

    @classmethod
    def untrained(cls) -> Selector:
        """Coverage and dense similarity only, equally weighted: what `eval fit` starts from when
        no weights exist yet."""
        n = len(FEATURES)
        coef = np.zeros(n)
        for name in ("coverage", "dense", "retrieval"):
            coef[FEATURES.index(name)] = 1.0
        return cls(np.zeros(n), np.ones(n), coef, -1.0, (1.0, 0.0), 0.3)


def _read_trees(trees: str) -> lightgbm.Booster:
    """The LightGBM booster saved as text (imported only when a fitted selector holds one)."""
    import lightgbm

    try:
        return lightgbm.Booster(model_str=trees)
    except lightgbm.basic.LightGBMError as exc:
        raise SelectorError(f"the selector's trees cannot be read ({exc})") from exc
