"""What a Ray task does with a file it cannot trust, and the address check, without a cluster:
a node that does not see the driver's file, or sees another copy, fails that file by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corpus.errors import ClusterError
from corpus.ingest import sha256_of
from index.ray_runner import _probe, read_on_node
from index.reading import Job
from tests.processes import free_port

PAPERS = Path(__file__).parents[1] / "data" / "papers"


def job_for(path: Path, sha256: str) -> Job:
    return Job(path, path.parent, sha256, "new file")


def test_a_file_the_node_sees_as_hashed_is_parsed(tmp_path: Path) -> None:
    path = Path(shutil.copy(PAPERS / "wellbeing_board.md", tmp_path))
    outcome, doc = read_on_node(job_for(path, sha256_of(path)), 2**20)
    assert outcome.status == "ingested" and doc is not None and doc.sha256 == sha256_of(path)


def test_a_file_the_node_cannot_see_fails_by_name(tmp_path: Path) -> None:
    outcome, doc = read_on_node(job_for(tmp_path / "elsewhere.txt", "0" * 64), 2**20)
    assert doc is None and outcome.status == "failed" and outcome.path == str(tmp_path / "elsewhere.txt")
    assert outcome.reason.startswith("not found on Ray node ") and "the driver's path" in outcome.reason


def test_another_copy_on_the_node_is_not_indexed_as_the_driver_s(tmp_path: Path) -> None:
    path = Path(shutil.copy(PAPERS / "wellbeing_board.md", tmp_path))
    planned = sha256_of(path)
    path.write_text(path.read_text(encoding="utf-8") + "\nA later edit.\n", encoding="utf-8")
    outcome, doc = read_on_node(job_for(path, planned), 2**20)
    assert doc is None and outcome.status == "failed"
    assert outcome.reason.startswith("differs on Ray node ") and "from the file the driver hashed" in outcome.reason


@pytest.mark.parametrize("address", ["head-node", "head-node:", ":6379", "10.0.0.1:port"])
def test_an_address_that_is_not_host_port_is_refused(address: str) -> None:
    with pytest.raises(ClusterError, match="--ray takes the head node's HOST:PORT"):
        _probe(address)


def test_a_closed_port_is_refused_at_once() -> None:
    with pytest.raises(ClusterError, match=r"no Ray cluster answers at 127\.0\.0\.1:\d+ \(Connection refused\)"):
        _probe(f"127.0.0.1:{free_port()}")
