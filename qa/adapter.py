"""The question adapter: a fitted low-rank map that moves a question's MiniLM vector towards the
sentences that answer questions like it, and away from those that only restate them.

MiniLM places a question such as "How is the new library paid for?" nearest the sentence that
names the new library, not the next one, "The work is met from a £2 million grant". The
adapter is a residual map on the question's side alone, v + up·(down·v), normalised; the
papers' stored sentence vectors stay as they are, so nothing is re-encoded. `python -m eval
fit` fits it on the tune questions (softmax over the sentences of each question's retrieved
chunks, the ones holding a gold answer positive) and saves it in qa/selector.json; the cosine
of the adapted question to a candidate's sentences is the selector's `dense_qa` feature."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from corpus.errors import ClerkError

RANK = 64  # rank of the map (16, 32, 64 and 384 compared in eval/README.md)
EPOCHS = 20
TEMPERATURE = 0.05
WEIGHT_DECAY = 0.1
LEARNING_RATE = 1e-3
BATCH = 32
SEED = 0


class AdapterError(ClerkError):
    """The adapter's weights cannot be read or do not fit this model's vectors."""


@dataclass(frozen=True)
class Sentences:
    """One tune question's training example: its vector, the stored vectors of the sentences of
    its retrieved chunks, and which of them hold a gold answer."""

    question: np.ndarray
    vectors: np.ndarray
    relevant: np.ndarray


@dataclass(frozen=True)
class QuestionAdapter:
    """v -> normalise(v + up @ (down @ v)); `down` is rank x dimension, `up` dimension x rank."""

    down: np.ndarray
    up: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.down.ndim != 2 or self.up.shape != self.down.shape[::-1]:
            raise AdapterError(f"the adapter's maps do not fit each other: {self.down.shape} and {self.up.shape}")

    @property
    def dimension(self) -> int:
        return int(self.down.shape[1])

    def apply(self, vector: np.ndarray) -> np.ndarray:
        """The adapted, unit-length vector of a question's vector."""
        if vector.shape[-1] != self.dimension:
            raise AdapterError(f"the adapter was fitted on {self.dimension}-dimensional vectors, the model "
                               f"makes {vector.shape[-1]}: refit it with `python -m eval fit`")
        v = vector.astype(np.float32)
        moved = v + self.up @ (self.down @ v)
        norm = float(np.linalg.norm(moved))
        return moved / norm if norm else v

    def to_json(self) -> dict[str, Any]:
        """The maps as base64 of little-endian float32 (a quarter of the size of decimal lists)."""
        rank, dimension = self.down.shape
        return {"rank": rank, "dimension": dimension, "down": _encode(self.down), "up": _encode(self.up),
                "meta": self.meta}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QuestionAdapter:
        try:
            rank, dimension = int(data["rank"]), int(data["dimension"])
            down = _decode(data["down"]).reshape(rank, dimension)
            up = _decode(data["up"]).reshape(dimension, rank)
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise AdapterError(f"the adapter's weights cannot be read ({exc})") from exc
        return cls(down, up, dict(data.get("meta") or {}))


def _encode(matrix: np.ndarray) -> str:
    return base64.b64encode(matrix.astype("<f4").tobytes()).decode("ascii")


def _decode(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text, validate=True), dtype="<f4").astype(np.float32)


def fit_adapter(examples: Sequence[Sentences], rank: int = RANK, epochs: int = EPOCHS) -> QuestionAdapter:
    """The adapter fitted by AdamW on the softmax loss of each question's relevant sentences
    among all of its retrieved sentences (examples without both kinds are skipped)."""
    import torch

    used = [e for e in examples if len(e.vectors) and e.relevant.any() and not e.relevant.all()]
    if not used:
        raise ValueError("no tune question has a retrieved sentence holding its answer: nothing to fit the adapter on")
    dimension = used[0].question.shape[-1]
    generator = torch.Generator().manual_seed(SEED)
    down = torch.nn.Parameter(torch.randn(rank, dimension, generator=generator) * 0.01)
    up = torch.nn.Parameter(torch.zeros(dimension, rank))
    optimiser = torch.optim.AdamW([down, up], lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    questions = [torch.from_numpy(e.question.astype(np.float32)) for e in used]
    sentences = [torch.from_numpy(e.vectors.astype(np.float32)) for e in used]
    relevant = [torch.from_numpy(e.relevant.astype(bool)) for e in used]
    order = np.random.RandomState(SEED)
    for _ in range(epochs):
        batch_order = order.permutation(len(used))
        for start in range(0, len(batch_order), BATCH):
            loss = torch.zeros(())
            batch = batch_order[start:start + BATCH]
            for i in batch:
                q = questions[i] + up @ (down @ questions[i])
                s = sentences[i] @ (q / q.norm()) / TEMPERATURE
                loss = loss - (torch.logsumexp(s[relevant[i]], 0) - torch.logsumexp(s, 0))
            optimiser.zero_grad()
            (loss / len(batch)).backward()
            optimiser.step()
    settings = {"rank": rank, "epochs": epochs, "temperature": TEMPERATURE, "weight_decay": WEIGHT_DECAY,
                "learning_rate": LEARNING_RATE, "batch": BATCH, "questions": len(used)}
    return QuestionAdapter(down.detach().numpy().copy(), up.detach().numpy().copy(), {"settings": settings})
