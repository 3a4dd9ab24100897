"""A real Ray cluster on this machine, for the tests and the bench: a head node and worker nodes
started with `ray start` in a temporary folder of their own, each CPU-limited.

It is stopped by the process groups it started (and their children), never by `ray stop`, which
stops every Ray process on the machine, other people's clusters included.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

from tests.processes import free_port

RAY = str(Path(sys.executable).with_name("ray"))
# The object store is a shared-memory budget; the ingest's objects (parsed files, vectors) are small.
OBJECT_STORE_BYTES = 200 * 2**20
START_TIMEOUT_S = 120



class LocalCluster:
    """`with LocalCluster(workers=1) as cluster:` a head plus workers; `cluster.address` to join."""

    def __init__(self, workers: int = 1, head_cpus: int = 1, worker_cpus: int = 1) -> None:
        self.workers = workers
        self.head_cpus = head_cpus
        self.worker_cpus = worker_cpus
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        # Short: Ray's socket paths under it must fit in 107 bytes.
        self.temp_dir = Path(tempfile.mkdtemp(prefix="clerk-ray-", dir="/tmp"))
        self.groups: list[int] = []

    def start(self) -> LocalCluster:
        self._node("--head", "--port", str(self.port), "--num-cpus", str(self.head_cpus),
                   "--include-dashboard=false")
        for _ in range(self.workers):
            self.add_worker()
        return self

    def add_worker(self) -> None:
        self._node("--address", self.address, "--num-cpus", str(self.worker_cpus))

    def _node(self, *args: str) -> None:
        command = [RAY, "start", *args, "--temp-dir", str(self.temp_dir), "--disable-usage-stats",
                   "--object-store-memory", str(OBJECT_STORE_BYTES)]
        # A session of its own: the node's daemons share this process group, and `stop` ends it.
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   start_new_session=True, env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"})
        self.groups.append(process.pid)
        output, _ = process.communicate(timeout=START_TIMEOUT_S)
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{output[-3000:]}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL, to every process of the nodes' groups and their children
        (Ray's workers start sessions of their own), then the temporary folder goes."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in self._processes():
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + 2
            while self._processes() and time.monotonic() < deadline:
                time.sleep(0.2)
        shutil.rmtree(self.temp_dir, ignore_errors=True)

    def _processes(self) -> set[int]:
        """Live (not zombie) processes in the nodes' groups, with all their descendants."""
        table = _process_table()
        found = {pid for pid, (_, pgid) in table.items() if pgid in self.groups}
        while True:
            more = {pid for pid, (ppid, _) in table.items() if ppid in found} - found
            if not more:
                return found
            found |= more

    def __enter__(self) -> LocalCluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def _process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, process group) of every live process, from /proc."""
    table: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        if fields[0] != "Z":
            table[int(entry.name)] = (int(fields[1]), int(fields[2]))
    return table
