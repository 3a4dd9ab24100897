"""Clerk's collections in a Milvus: schemas, writing a generation, upserts and deletes, the alias.

A generation is what one full write makes, named `<prefix>_g<time>`:
    <gen>_vectors          a row per vector unit (index.milvus_rows.VectorRow), every access level
    <gen>_text_<level>     a row per chunk of that access level, with Milvus's BM25 function over
                           Clerk's tokens: BM25 statistics are per collection (per shard on a
                           cluster), so exempt chunks live apart and never move a public score
The alias `<prefix>` names the live generation's vectors collection; its other collections
follow by name. A rebuild writes a whole new generation, then moves the alias (one atomic
alter_alias, as CURRENT is one os.replace), so a killed ingest leaves the previous generation
answering; generations other than the live one and the one before it are then dropped.
pymilvus is imported here only, and this module only when CLERK_BACKEND=milvus.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from corpus.access import LEVELS
from corpus.errors import BackendError
from index.milvus_rows import TextRow, VectorRow

log = logging.getLogger(__name__)
BATCH = 1000
ID_LENGTH = 1024
SCALAR_LENGTHS = {"access": 32, "committee": 1024, "kind": 64, "date": 32}
TEXT_LENGTH = 65535  # Milvus's longest VARCHAR
K1, B = 1.2, 0.75  # as index.lexical's bm25s
HNSW_ABOVE = 100_000  # vectors; below it search is exact, as index.dense does
HNSW = {"M": 32, "efConstruction": 40}
EF_SEARCH = 128
LITE_KEEPALIVE = {"grpc.keepalive_time_ms": 330_000, "grpc.keepalive_permit_without_calls": False}


def _pymilvus() -> Any:
    try:
        import pymilvus
    except ImportError:
        raise BackendError("CLERK_BACKEND=milvus needs pymilvus: pip install -e '.[milvus]'") from None
    # pymilvus logs every failed call with its traceback before raising; Clerk reports the error.
    logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
    return pymilvus


def _quiet_lite() -> None:
    """milvus-lite serves a file from a gRPC server inside this process, whose log reports, with
    a traceback, each optional call it lacks (a query iterator asks for a timestamp first, then
    does without), and a file another process holds; the failures still reach the caller as
    exceptions, which Clerk reports in words."""
    logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
    logging.getLogger("milvus_lite.server_manager").setLevel(logging.CRITICAL)


def is_local(uri: str) -> bool:
    """A file path (milvus-lite) rather than a server's address."""
    return "://" not in uri


class MilvusStore:
    """Clerk's collections under one prefix in the Milvus at `uri`."""

    def __init__(self, uri: str, prefix: str) -> None:
        self.uri = uri
        self.prefix = prefix
        self.pm = _pymilvus()
        self.lite = False  # the Milvus project's pure-Python engine rather than Milvus itself
        if is_local(uri):
            _quiet_lite()
        self.client = self._connect()

    def _connect(self, options: dict[str, Any] | None = None, tries: int = 2) -> Any:
        try:
            client = self.pm.MilvusClient(uri=self.uri, timeout=10, **({"grpc_options": options} if options else {}))
            lite = str(client.get_server_version()).startswith("milvus_lite")
        except Exception as exc:  # pymilvus raises many kinds, all meaning "not reachable"
            if tries > 1:  # a connection the server just hung up on fails its first call once
                time.sleep(0.2)
                return self._connect(options, tries - 1)
            hint = (" (is another process using this milvus-lite file? Serve it with `milvus-lite server"
                    " --data-dir FILE` and point CLERK_MILVUS_URI at http://127.0.0.1:19530)"
                    if is_local(self.uri) else "")
            raise BackendError(f"cannot reach Milvus at {self.uri}: {_reason(exc)}{hint}") from None
        self.lite = lite
        if lite and options is None:
            # pymilvus pings every 10 s, idle or not; milvus-lite's gRPC server allows one ping in
            # 5 minutes without calls and hangs up on a client that pings more (GOAWAY
            # too_many_pings), which an idle server's next search then meets as "cannot connect".
            client.close()
            return self._connect(LITE_KEEPALIVE)
        return client

    def close(self) -> None:
        self.client.close()

    # --- names ---------------------------------------------------------------------------------

    def live(self) -> str | None:
        """The live generation (what the alias names), or None before the first write."""
        return self._aliased(self.prefix)

    def previous(self) -> str | None:
        """The generation that was live before (kept for processes still reading it)."""
        return self._aliased(f"{self.prefix}_previous")

    def _aliased(self, alias: str) -> str | None:
        if alias not in self._call(self.client.list_aliases).get("aliases", []):
            return None
        target = self._call(self.client.describe_alias, alias)["collection_name"]
        return str(target).removesuffix("_vectors")

    def generations(self) -> list[str]:
        names = self._call(self.client.list_collections)
        return sorted({n.removesuffix("_vectors") for n in names if n.startswith(f"{self.prefix}_g")
                       and n.endswith("_vectors")})

    @staticmethod
    def text_name(generation: str, level: str) -> str:
        return f"{generation}_text_{level}"

    # --- writing -------------------------------------------------------------------------------

    def create(self, dimension: int, vectors: int) -> str:
        """Create the empty collections of a new generation (not live until `publish`)."""
        generation = f"{self.prefix}_g{time.strftime('%Y%m%d%H%M%S')}{time.monotonic_ns() % 10**6:06d}"
        self._call(self.client.create_collection, f"{generation}_vectors",
                   schema=self._vector_schema(dimension), index_params=self._vector_index(vectors))
        analyzer = self._analyzer()
        for level in LEVELS:
            self._call(self.client.create_collection, self.text_name(generation, level),
                       schema=self._text_schema(analyzer), index_params=self._text_index())
        return generation

    def _analyzer(self) -> dict[str, str]:
        """Whitespace, so Clerk's tokens arrive as they are; milvus-lite has no whitespace
        tokenizer, and its standard one (\\w+) keeps index.milvus_rows's spelt tokens whole."""
        return {"tokenizer": "standard" if self.lite else "whitespace"}

    def _scalars(self, schema: Any) -> Any:
        schema.add_field("id", self.pm.DataType.VARCHAR, is_primary=True, max_length=ID_LENGTH)
        schema.add_field("sig", self.pm.DataType.VARCHAR, max_length=32)
        for name, length in SCALAR_LENGTHS.items():
            schema.add_field(name, self.pm.DataType.VARCHAR, max_length=length)
        return schema

    def _vector_schema(self, dimension: int) -> Any:
        schema = self._scalars(self.pm.MilvusClient.create_schema(auto_id=False))
        schema.add_field("chunk", self.pm.DataType.VARCHAR, max_length=ID_LENGTH)
        schema.add_field("vector", self.pm.DataType.FLOAT_VECTOR, dim=dimension)
        return schema

    def _vector_index(self, vectors: int) -> Any:
        params = self.client.prepare_index_params()
        if vectors > HNSW_ABOVE:
            params.add_index(field_name="vector", index_type="HNSW", metric_type="IP", params={"params": HNSW})
        else:
            params.add_index(field_name="vector", index_type="FLAT", metric_type="IP")
        return params

    def _text_schema(self, analyzer: dict[str, str]) -> Any:
        schema = self._scalars(self.pm.MilvusClient.create_schema(auto_id=False))
        schema.add_field("text", self.pm.DataType.VARCHAR, max_length=TEXT_LENGTH, enable_analyzer=True,
                         analyzer_params=analyzer)
        schema.add_field("sparse", self.pm.DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(self.pm.Function(name="bm25", function_type=self.pm.FunctionType.BM25,
                                             input_field_names=["text"], output_field_names=["sparse"]))
        return schema

    def _text_index(self) -> Any:
        params = self.client.prepare_index_params()
        # Nested under "params": pymilvus would flatten the keys, which milvus-lite ignores (k1
        # stays 1.5); the nested form is the one both it and a cluster read.
        params.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                         params={"params": {"bm25_k1": K1, "bm25_b": B}})
        return params

    def write(self, collection: str, rows: Iterable[TextRow | VectorRow]) -> int:
        """Upsert rows in batches; the number written."""
        written = 0
        for batch in _batches(rows):
            records = [r.record() for r in batch]
            too_long = [r["id"] for r in records if len(r.get("text", "").encode()) > TEXT_LENGTH]
            if too_long:
                raise BackendError(f"chunk {too_long[0]} has more BM25 tokens than a Milvus VARCHAR holds")
            self._call(self.client.upsert, collection, records)
            written += len(records)
        return written

    def delete(self, collection: str, ids: list[str]) -> None:
        for first in range(0, len(ids), BATCH):
            self._call(self.client.delete, collection, ids=ids[first:first + BATCH])

    def flush(self, generation: str) -> None:
        for name in self.collections(generation):
            self._call(self.client.flush, name)
        self.load(generation)

    def load(self, generation: str) -> None:
        """Load a generation's collections for search and query (a no-op for loaded ones)."""
        for name in self.collections(generation):
            self._call(self.client.load_collection, name)

    def publish(self, generation: str) -> None:
        """Make `generation` the live one (one alias move), the live one till now the previous one,
        then drop every other generation."""
        before = self.live()
        self._point(self.prefix, generation)
        if before is not None:
            self._point(f"{self.prefix}_previous", before)
        self.prune()

    def _point(self, alias: str, generation: str) -> None:
        exists = self._aliased(alias) is not None
        self._call(self.client.alter_alias if exists else self.client.create_alias, f"{generation}_vectors", alias)

    def prune(self) -> None:
        """Drop the generations neither alias names: those killed ingests left half-written,
        and those older than the previous one."""
        keep = {self.live(), self.previous()}
        for generation in self.generations():
            if generation not in keep:
                for name in self.collections(generation):
                    self._call(self.client.drop_collection, name)

    def collections(self, generation: str) -> list[str]:
        return [f"{generation}_vectors", *(self.text_name(generation, level) for level in LEVELS)]

    # --- reading -------------------------------------------------------------------------------

    def held(self, collection: str) -> dict[str, str]:
        """id -> signature of every row of a collection."""
        out: dict[str, str] = {}
        iterator = self._call(self.client.query_iterator, collection, batch_size=BATCH, filter="",
                              output_fields=["id", "sig"])
        try:
            while batch := self._call(iterator.next):
                out.update((r["id"], r["sig"]) for r in batch)
        finally:
            iterator.close()
        return out

    def dimension(self, generation: str) -> int:
        described = self._call(self.client.describe_collection, f"{generation}_vectors")
        fields = {f["name"]: f for f in described.get("fields", [])}
        if not {"id", "chunk", "vector", *SCALAR_LENGTHS} <= set(fields):
            raise BackendError(f"Milvus collection {generation}_vectors at {self.uri} is not one of Clerk's "
                               f"(its fields: {', '.join(sorted(fields))}); choose another CLERK_MILVUS_PREFIX")
        return int(fields["vector"]["params"]["dim"])

    def search_text(self, collection: str, text: str, n: int, expression: str) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the best n rows that pass the filter expression."""
        found = self._call(self.client.search, collection, data=[text], anns_field="sparse", limit=n,
                           filter=expression, output_fields=["id"])
        # milvus-lite reports a BM25 score as its negative (a distance); a cluster as the score.
        return [(hit["id"], abs(float(hit["distance"]))) for hit in found[0]]

    def search_vectors(self, collection: str, vector: np.ndarray, n: int,
                       expression: str) -> list[tuple[str, float]]:
        """(chunk id, best inner product among its vectors) of the best n chunks under the filter:
        Milvus groups the vectors by chunk, so n hits come back (taking n * 4 vectors and grouping
        here, as index/dense.py does, cost the answering thread 50 % more CPU in the gate)."""
        found = self._call(self.client.search, collection, data=[np.asarray(vector, dtype=np.float32).tolist()],
                           anns_field="vector", limit=n, filter=expression, output_fields=["chunk"],
                           group_by_field="chunk", search_params={"params": {"ef": max(EF_SEARCH, n)}})
        return [(hit["entity"]["chunk"], float(hit["distance"])) for hit in found[0]]

    def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except self.pm.MilvusException as exc:
            raise BackendError(f"Milvus at {self.uri}: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return str(message).strip().splitlines()[0][:300]


def _batches(rows: Iterable[Any]) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
