"""Fitting the answer selector (qa/selector.py) on the tune split: every candidate of every tune
question, labelled by whether it holds a gold answer; boosted trees (LightGBM) or logistic
regression over their features; Platt calibration of the chosen candidate's probability on out-of-fold predictions; and the
abstention threshold that answers best with at most MAX_FALSE_DECLINES of answerable questions
declined."""

from __future__ import annotations

import datetime
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler
from tqdm import tqdm

from eval.metrics import answer_correct
from eval.questions import Question, history
from eval.split import group_of
from qa.assistant import Assistant
from qa.selector import Selector

MAX_FALSE_DECLINES = 0.05
C = 1.0  # inverse regularisation strength of the logistic model
FOLDS = 5
MODELS = ("trees", "logistic")
# Small, slow-learning trees: chosen by repeated grouped cross-validation on the tune split
# (eval/README.md has the figures); they learn which features matter together (a candidate
# that names a person matters for "who" questions), which one weight per feature cannot.
TREES = {"objective": "binary", "n_estimators": 400, "learning_rate": 0.03, "num_leaves": 7,
         "min_child_samples": 40, "reg_lambda": 1.0, "subsample": 0.8, "subsample_freq": 1,
         "colsample_bytree": 0.8, "random_state": 0, "n_jobs": 1, "verbose": -1}


@dataclass(frozen=True)
class Examples:
    """The candidates of a question set: features, labels, and which question each belongs to."""

    x: np.ndarray
    y: np.ndarray
    question: np.ndarray  # index into `questions`
    questions: tuple[Question, ...]
    groups: tuple[str, ...]  # each question's paper (folds never split one)


def collect(pairs: Sequence[tuple[Assistant, Question]], questions_by_id: dict[str, Question]) -> Examples:
    """Each question asked of its assistant, and its candidates labelled."""
    rows, labels, owners, asked, groups = [], [], [], [], []
    for assistant, q in tqdm(pairs, desc="candidates", unit="q", disable=None, leave=False):
        hits, found = assistant.candidates(q.question, history(q, questions_by_id), k=10)
        n = len(asked)
        asked.append(q)
        groups.append(group_of(q, questions_by_id) or f"{q.file} | {q.id}")
        for c in found:
            text = assistant.index.chunks[hits[c.hit].row].text[c.start:c.end]
            rows.append(c.features)
            labels.append(int(not c.empty_cell and answer_correct(q.answers, text, True)))
            owners.append(n)
    return Examples(np.asarray(rows, dtype=np.float64), np.asarray(labels), np.asarray(owners),
                    tuple(asked), tuple(groups))


@dataclass(frozen=True)
class _Fitted:
    """One fitted model of either kind, and what the selector saves of it."""

    scaler: StandardScaler
    logistic: LogisticRegression | None = None
    trees: Any = None  # a fitted lightgbm.LGBMClassifier

    def predict(self, x: np.ndarray) -> np.ndarray:
        if self.trees is not None:
            return self.trees.predict_proba(x)[:, 1]
        return self.logistic.predict_proba(self.scaler.transform(x))[:, 1]


def _model(x: np.ndarray, y: np.ndarray, kind: str = "trees") -> _Fitted:
    scaler = StandardScaler().fit(x)
    scaler.scale_[scaler.scale_ == 0] = 1.0
    if kind == "trees":
        import lightgbm

        return _Fitted(scaler, trees=lightgbm.LGBMClassifier(**TREES).fit(x, y))
    return _Fitted(scaler, logistic=LogisticRegression(C=C, max_iter=5000).fit(scaler.transform(x), y))


def out_of_fold(examples: Examples, kind: str = "trees") -> np.ndarray:
    """Each candidate's probability from a model fitted without its question's paper."""
    groups = np.asarray([examples.groups[i] for i in examples.question])
    p = np.zeros(len(examples.y))
    folds = min(FOLDS, len(set(groups)))
    for train, test in GroupKFold(n_splits=folds).split(examples.x, examples.y, groups):
        p[test] = _model(examples.x[train], examples.y[train], kind).predict(examples.x[test])
    return p


def chosen(examples: Examples, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per question: the probability of its likeliest candidate and whether that one is right
    (a question with no candidate counts probability 0)."""
    best_p = np.zeros(len(examples.questions))
    right = np.zeros(len(examples.questions), dtype=bool)
    for i in range(len(examples.questions)):
        mine = np.flatnonzero(examples.question == i)
        if len(mine):
            j = mine[np.argmax(p[mine])]
            best_p[i], right[i] = p[j], bool(examples.y[j])
    return best_p, right


def threshold_for(confidence: np.ndarray, right: np.ndarray, answerable: np.ndarray) -> float:
    """The confidence below which to decline: the most questions scored right (answered right,
    or declined when they must be empty) with at most MAX_FALSE_DECLINES of answerable
    questions declined."""
    best = (-1, 0.0)
    for t in sorted({0.0, *confidence.tolist()}):
        declined = confidence < t
        if answerable.any() and (declined & answerable).sum() / answerable.sum() > MAX_FALSE_DECLINES:
            break
        score = int(((~declined) & right & answerable).sum() + (declined & ~answerable).sum())
        if score > best[0]:
            best = (score, t)
    return best[1]


def fit(examples: Examples, sources: Sequence[str], kind: str = "trees") -> tuple[Selector, dict[str, float]]:
    """The selector fitted on all examples, calibrated and thresholded out of fold."""
    if kind not in MODELS:
        raise ValueError(f"unknown model {kind!r}: one of {', '.join(MODELS)}")
    model = _model(examples.x, examples.y, kind)
    best_p, right = chosen(examples, out_of_fold(examples, kind))
    answerable = np.asarray([q.answerable for q in examples.questions])
    platt = LogisticRegression(C=1e6).fit(logit(best_p)[:, None], right.astype(int))
    slope, bias = float(platt.coef_[0][0]), float(platt.intercept_[0])
    confidence = 1.0 / (1.0 + np.exp(-(slope * logit(best_p) + bias)))
    threshold = threshold_for(confidence, right, answerable)
    declined = confidence < threshold
    figures = {
        "questions": len(examples.questions), "candidates": int(len(examples.y)),
        "oof_chosen_right": round(float(right[answerable].mean()), 3) if answerable.any() else 0.0,
        "oof_accuracy": round(float(((~declined & right & answerable) | (declined & ~answerable)).mean()), 3),
        "oof_false_declines": round(float((declined & answerable).sum() / max(1, answerable.sum())), 3),
        "oof_abstention": round(float((declined & ~answerable).sum() / max(1, (~answerable).sum())), 3),
    }
    settings = TREES if kind == "trees" else {"C": C}
    meta = {"commit": _commit(), "fitted": datetime.date.today().isoformat(), "question_files": list(sources),
            "model": kind, "settings": settings, **figures}
    linear = model.logistic
    selector = Selector(
        mean=model.scaler.mean_, scale=model.scaler.scale_,
        coef=linear.coef_[0] if linear is not None else np.zeros(examples.x.shape[1]),
        intercept=float(linear.intercept_[0]) if linear is not None else 0.0,
        calibration=(slope, bias), threshold=float(threshold), meta=meta,
        trees=model.trees.booster_.model_to_string() if model.trees is not None else None)
    return selector, figures


def logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def _commit() -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
        return done.stdout.strip() or "unknown"
    except OSError:
        return "unknown"
