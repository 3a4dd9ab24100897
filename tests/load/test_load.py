"""A bounded load test on loopback: 32 concurrent clients send 2,000 requests to a real uvicorn
server (a process of its own, over the tiny test index) and stop. Every request must get a whole,
valid answer and none a 5xx; p95 latency and the server's RSS before and after are printed and
written to test-artefacts/metrics.json (reported, not asserted: the machine is shared), and RSS
may not grow past a generous bound."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qa.assistant import Assistant
from qa.settings import Settings
from tests.processes import free_port, stop

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
ARTEFACTS = REPO / "test-artefacts"
CLIENTS = 32
REQUESTS = 2000
WARM_UP = 100
RSS_GROWTH_MB = 150
SERVE = """
import sys, uvicorn
from pathlib import Path
from qa.settings import Settings
from web.app import create_app
from web.limits import Limits
settings = Settings.from_env(index_dir=Path(sys.argv[1]))
# One address sends everything here: the per-client limits are lifted, the bound on
# requests in flight is not.
app = create_app(settings, limits=Limits(ask_burst=10**6, search_burst=10**6))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
"""
QUERIES = ["caseload", "NI 59 Q3", "Corporate Parenting Strategy", "assistive technology", "cancer pathway",
           "Regulation 33 visits", "apologies for absence", "Children in Care Council", "lung cancer champions",
           "initial assessments within 7 working days", "MST pilots", "year end performance"]



def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def server(settings: Settings, assistant: Assistant) -> Iterator[tuple[str, int]]:
    """`python` serving the session's test index on a free port of 127.0.0.1; ended after the test."""
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    process = subprocess.Popen([sys.executable, "-c", SERVE, str(settings.index_dir), str(port)], cwd=REPO,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, process.stderr.read().decode()  # type: ignore[union-attr]
        try:
            if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.2)
    yield url, process.pid
    stop(process)


def plan(count: int, seed: int) -> list[tuple[str, str, dict[str, object]]]:
    """(method, path, JSON body or query) for each request: mostly searches, some questions,
    documents and health checks."""
    rng = random.Random(seed)
    requests: list[tuple[str, str, dict[str, object]]] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.65:
            requests.append(("GET", "/api/search", {"q": rng.choice(QUERIES), "k": rng.randint(1, 10)}))
        elif roll < 0.80:
            requests.append(("POST", "/api/ask", {"question": f"What about {rng.choice(QUERIES)}?"}))
        elif roll < 0.90:
            requests.append(("GET", "/api/documents/scrutiny_pack.txt", {}))
        else:
            requests.append(("GET", "/healthz", {}))
    return requests


def complete(path: str, response: httpx.Response) -> bool:
    """The response is a whole, valid answer for its route."""
    data = response.json()
    if path == "/api/search":
        return isinstance(data["results"], list) and all(r["text"] for r in data["results"])
    if path == "/api/ask":
        return {"answer", "answerable", "citations", "confidence"} <= set(data)
    if path == "/healthz":
        return data["status"] == "ok" and data["documents"] > 0
    return bool(data["text"])


def run(url: str, requests: list[tuple[str, str, dict[str, object]]]) -> tuple[list[float], list[int], int]:
    """Send the requests from CLIENTS threads; (latencies in ms, statuses, incomplete answers)."""
    latencies: list[float] = []
    statuses: list[int] = []
    incomplete = [0]
    lock = threading.Lock()
    queue = iter(requests)

    def client() -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            while True:
                with lock:
                    job = next(queue, None)
                if job is None:
                    return
                method, path, payload = job
                started = time.perf_counter()
                if method == "GET":
                    response = http.get(path, params=payload)  # type: ignore[arg-type]
                else:
                    response = http.post(path, json=payload)
                took = (time.perf_counter() - started) * 1000
                ok = response.status_code == 200 and complete(path, response)
                with lock:
                    latencies.append(took)
                    statuses.append(response.status_code)
                    incomplete[0] += 0 if ok else 1

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return latencies, statuses, incomplete[0]


def test_32_clients_2000_requests_no_5xx_no_lost_answers_rss_stable(server: tuple[str, int]) -> None:
    url, pid = server
    run(url, plan(WARM_UP, seed=1))
    before = rss_mb(pid)
    started = time.perf_counter()
    latencies, statuses, incomplete = run(url, plan(REQUESTS, seed=2))
    seconds = time.perf_counter() - started
    after = rss_mb(pid)
    latencies.sort()
    figures = {
        "requests": len(statuses), "clients": CLIENTS, "seconds": round(seconds, 1),
        "p50_ms": round(latencies[len(latencies) // 2], 1), "p95_ms": round(latencies[int(len(latencies) * 0.95)], 1),
        "max_ms": round(latencies[-1], 1), "status_5xx": sum(1 for s in statuses if s >= 500),
        "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))}, "incomplete": incomplete,
        "rss_before_mb": round(before, 1), "rss_after_mb": round(after, 1),
    }
    print("\nload test:", json.dumps(figures))
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / "load.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    assert len(statuses) == REQUESTS  # no request was lost without a response
    assert figures["status_5xx"] == 0, figures
    assert incomplete == 0, figures
    assert after - before < RSS_GROWTH_MB, figures
