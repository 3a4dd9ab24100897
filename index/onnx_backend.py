"""ONNX Runtime encoder for a sentence-transformers model folder: exported once from the local
weights (never downloaded), cached on disk, and run without importing torch."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from corpus.errors import IndexMismatch

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Encoding, Tokenizer

log = logging.getLogger(__name__)
# Bump when the export changes, so cached exports are made again.
EXPORT_VERSION = 1
OPSET = 17
# Padded tokens per bulk batch: many short sentences share a batch, long chunks go two at a time.
# Texts/s on x1 units (2 cores, fp32 / int8): 512 -> 168 / 330, 2048 -> 141 / 262, 8192 -> 81 / 113;
# small batches stay in cache.
TOKENS_PER_BATCH = 512
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


class UnsupportedModel(IndexMismatch):
    """The model folder is not one this backend can export (another pooling, no tokenizer.json)."""


@dataclass(frozen=True)
class ModelSpec:
    """What the sentence-transformers modules of a model folder do after the transformer."""

    max_length: int
    pooling: str  # "mean" or "cls"
    normalize: bool
    dimension: int


def read_spec(model_path: Path) -> ModelSpec:
    """The pooling, normalisation and length of a sentence-transformers folder, or UnsupportedModel."""
    try:
        modules = json.loads((model_path / "modules.json").read_text(encoding="utf-8"))
        config = json.loads((model_path / "config.json").read_text(encoding="utf-8"))
        st_config = json.loads((model_path / "sentence_bert_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UnsupportedModel(f"{model_path} is not a sentence-transformers folder: {exc}") from exc
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    if kinds[:2] != ["Transformer", "Pooling"] or set(kinds[2:]) - {"Normalize"}:
        raise UnsupportedModel(f"{model_path}: modules {kinds} are not Transformer, Pooling[, Normalize]")
    pooling = json.loads((model_path / modules[1].get("path", "") / "config.json").read_text(encoding="utf-8"))
    modes = [k for k, v in pooling.items() if k.startswith("pooling_mode") and v]
    mode = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls"}.get(modes[0] if len(modes) == 1 else "")
    if mode is None or not (model_path / "tokenizer.json").is_file():
        raise UnsupportedModel(f"{model_path}: pooling {modes} or a missing tokenizer.json is not supported")
    return ModelSpec(int(st_config.get("max_seq_length") or 512), mode, "Normalize" in kinds,
                     int(config["hidden_size"]))


def cache_key(model_path: Path) -> str:
    """Changes when the weights, the config or the export do."""
    digest = hashlib.sha1(f"v{EXPORT_VERSION}\x00{model_path.resolve()}".encode())
    for name in ("config.json", *WEIGHT_FILES):
        path = model_path / name
        if path.is_file():
            stat = path.stat()
            digest.update(f"{name}\x00{stat.st_size}\x00{stat.st_mtime_ns}".encode())
    return f"{model_path.name}-{digest.hexdigest()[:16]}"


def exported(model_path: Path, cache_root: Path, quantized: bool) -> Path:
    """The cached ONNX file of the model, exported (and quantised) first if missing."""
    folder = cache_root / "onnx" / cache_key(model_path)
    plain, int8 = folder / "model.onnx", folder / "model-int8.onnx"
    try:
        if not plain.is_file():
            _publish(folder, "model.onnx", lambda out: export(model_path, out))
        if quantized and not int8.is_file():
            _publish(folder, "model-int8.onnx", lambda out: quantize(plain, out))
    except Exception as exc:  # an architecture the tracer or quantiser cannot handle, a read-only cache
        raise UnsupportedModel(f"cannot export {model_path} to ONNX in {folder}: {exc}") from exc
    return int8 if quantized else plain


def _publish(folder: Path, name: str, make: Any) -> None:
    """Write `name` through a temporary file and rename it, so a reader never sees half a model."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(".export-*"):  # left by an export that was killed an hour or more ago
        if time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)
    scratch = Path(tempfile.mkdtemp(prefix=".export-", dir=folder))
    try:
        make(scratch / name)
        os.replace(scratch / name, folder / name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def export(model_path: Path, out: Path) -> None:
    """Trace the transformer of the local model folder to ONNX (imports torch; runs once per model)."""
    import torch
    from transformers import AutoModel

    log.info("exporting %s to ONNX (once)", model_path)
    model = AutoModel.from_pretrained(str(model_path), local_files_only=True).eval()
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if model.config.type_vocab_size else [])

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.model(**dict(zip(names, inputs))).last_hidden_state

    sample = torch.ones((2, 8), dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "hidden"]}
    # The tracer warns about shape-dependent Python branches; tests/index/test_embedder.py checks
    # the exported vectors against sentence-transformers' at other batch sizes and lengths.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Hidden(), tuple(sample for _ in names), str(out), input_names=names,
                          output_names=["hidden"], dynamic_axes=axes, opset_version=OPSET, dynamo=False)


def quantize(src: Path, out: Path) -> None:
    """Dynamic int8 quantisation of the weights of the linear layers."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(out), weight_type=QuantType.QInt8, per_channel=True)


class OnnxEncoder:
    """Tokenises with the model's tokenizer.json, runs the exported transformer, pools in numpy."""

    def __init__(self, model_path: Path, cache_root: Path, quantized: bool = False) -> None:
        self.spec = read_spec(model_path)
        self.file = exported(model_path, cache_root, quantized)
        self.tokenizer = _tokenizer(model_path, self.spec.max_length)
        self._sessions: dict[int, onnxruntime.InferenceSession] = {}

    def session(self, threads: int) -> onnxruntime.InferenceSession:
        """One session per thread count: a single query runs on one core, bulk work on all."""
        if threads not in self._sessions:
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            # Busy-waiting threads steal the core other processes (or requests) need.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            self._sessions[threads] = onnxruntime.InferenceSession(
                str(self.file), options, providers=["CPUExecutionProvider"])
        return self._sessions[threads]

    def encode(self, texts: list[str], threads: int, progress: bool = False) -> np.ndarray:
        """Unit vectors (if the model normalises) for `texts`, in order; longest first in
        batches of similar length, so little compute is spent on padding."""
        encodings = self.tokenizer.encode_batch(texts)
        out = np.zeros((len(texts), self.spec.dimension), dtype=np.float32)
        session = self.session(threads)
        wanted = {i.name for i in session.get_inputs()}
        batches = length_batches([len(e.ids) for e in encodings], TOKENS_PER_BATCH)
        if progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc="embedding", unit="batch", leave=False)
        for rows in batches:
            out[rows] = self._run(session, wanted, [encodings[r] for r in rows])
        return out

    def _run(self, session: onnxruntime.InferenceSession, wanted: set[str], batch: list[Encoding]) -> np.ndarray:
        width = max(len(e.ids) for e in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, enc in enumerate(batch):
            ids[row, :len(enc.ids)] = enc.ids
            mask[row, :len(enc.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = session.run(None, {k: v for k, v in feeds.items() if k in wanted})[0]
        return pool(hidden, mask, self.spec)


def length_batches(lengths: list[int], tokens_per_batch: int) -> list[np.ndarray]:
    """Row numbers grouped longest first so each batch's padded size stays near tokens_per_batch."""
    order = np.argsort(-np.asarray(lengths), kind="stable")
    batches: list[np.ndarray] = []
    start = 0
    while start < len(order):
        rows = max(1, tokens_per_batch // max(1, lengths[order[start]]))
        batches.append(order[start:start + rows])
        start += rows
    return batches


def batch_groups(model_path: Path, texts: list[str], size: int) -> list[np.ndarray]:
    """Rows of `texts` in groups of whole encode batches (about `size` texts a group), longest
    first. A group encoded on its own is batched exactly as it is in one call over all the
    texts, so its vectors are the same: int8 activations are scaled per batch, and another
    batching moves a vector by up to cosine 0.013."""
    spec = read_spec(model_path)
    lengths = [len(e.ids) for e in _tokenizer(model_path, spec.max_length).encode_batch(texts)]
    groups: list[np.ndarray] = []
    current: list[np.ndarray] = []
    for rows in length_batches(lengths, TOKENS_PER_BATCH):
        current.append(rows)
        if sum(len(r) for r in current) >= size:
            groups.append(np.concatenate(current))
            current = []
    return groups + ([np.concatenate(current)] if current else [])


def pool(hidden: np.ndarray, mask: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """Sentence vectors from token states, the way the model's Pooling and Normalize modules do."""
    if spec.pooling == "cls":
        vectors = hidden[:, 0]
    else:
        weights = mask[..., None].astype(np.float32)
        vectors = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    if spec.normalize:
        vectors = vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
    return vectors.astype(np.float32)


def _tokenizer(model_path: Path, max_length: int) -> Tokenizer:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
    # tokenizer.json may pad to a fixed width; sentence-transformers pads per batch instead.
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    return tokenizer
