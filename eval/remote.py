"""Scoring a running Clerk server (`python -m eval run --url URL --token T`): an answerer that asks
POST /api/ask and reads GET /api/documents/{source}, and gives back the very Answer objects the
in-process assistant does, so the same scoring yields the same figures.

A server answers with its own settings, so only the `hybrid` preset (the API's way of answering)
can be scored. A 429 or 503 is waited out as its Retry-After says, a few times; any other refusal
is a RemoteError in the server's own words.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import fields
from typing import Any
from urllib.parse import quote

import httpx

from corpus.errors import RemoteError
from eval.configs import EvalConfig
from qa.answer import Answer, Citation, Turn

CONTRACT = ("id", "question", "answer", "answerable", "confidence", "citations", "took_ms")
CITATION_FIELDS = tuple(f.name for f in fields(Citation))
SCORED_MODE = "hybrid"
RETRIES = 5
MAX_WAIT = 30.0


def citation_of(data: dict[str, Any]) -> Citation:
    """A citation of the answer object (its `header` and other extras are the web layer's)."""
    known = {name: data.get(name) for name in CITATION_FIELDS if name in data}
    highlight = known.get("highlight")
    known["highlight"] = tuple(highlight) if highlight else None
    return Citation(**known)


def answer_of(data: dict[str, Any]) -> Answer:
    """The Answer an answer object of POST /api/ask stands for."""
    extras = {key: value for key, value in data.items() if key not in CONTRACT and key != "series"}
    return Answer(data["question"], data["answer"], data["answerable"], data["confidence"],
                  tuple(citation_of(c) for c in data["citations"]), data["took_ms"], data.get("id"), extras)


class RemoteAssistant:
    """A running server, asked as the evaluator asks the in-process Assistant."""

    embedder = None  # no model here: a `--url` run takes no CPU probe (the server's CPU is not ours)

    def __init__(self, url: str, token: str | None = None, timeout: float = 60.0,
                 retries: int = RETRIES) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.url = url.rstrip("/")
        self.retries = retries
        self.client = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def ask(self, question: str, history: Sequence[Turn] = (), k: int | None = None,
            mode: str = SCORED_MODE, **_: Any) -> Answer:
        if mode != SCORED_MODE:
            raise RemoteError(f"a running server answers in mode {SCORED_MODE}, not {mode}")
        body: dict[str, Any] = {"question": question, "history": [vars(t) for t in history]}
        if k is not None:
            body["k"] = k
        return answer_of(self._json("POST", "/api/ask", json=body))

    def document_text(self, source: str) -> str:
        text: str = self._json("GET", f"/api/documents/{quote(source)}")["text"]
        return text

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        for attempt in range(self.retries + 1):
            response = self._send(method, path, **kwargs)
            if response.status_code not in (429, 503) or attempt == self.retries:
                break
            time.sleep(_wait(response))
        if response.status_code != 200:
            raise RemoteError(f"{self.url}{path} answered {response.status_code}: {_detail(response)}")
        return response.json()

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise RemoteError(f"cannot reach the Clerk server at {self.url} ({exc})") from exc

    def close(self) -> None:
        self.client.close()


def _wait(response: httpx.Response) -> float:
    try:
        return min(MAX_WAIT, max(0.0, float(response.headers.get("retry-after", "1"))))
    except ValueError:
        return 1.0


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json()["detail"])
    except (ValueError, KeyError, TypeError):
        return response.text[:200]


class RemoteAssistants:
    """What an evaluation asks for its configurations, when every one is the running server."""

    def __init__(self, remote: RemoteAssistant) -> None:
        self.first = remote

    def for_config(self, config: EvalConfig) -> RemoteAssistant:
        if not scorable(config):
            raise RemoteError(f"--url scores the server as it answers (preset {SCORED_MODE}); "
                              f"configuration {config.name!r} cannot be applied to it")
        return self.first


def scorable(config: EvalConfig) -> bool:
    """Whether `config` is how a running server answers: the hybrid mode, no settings of its own."""
    return config.mode == SCORED_MODE and not config.settings
