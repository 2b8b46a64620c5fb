"""The Ray executor on a real Ray cluster on 127.0.0.1 (a head node and a worker node, one
CPU each): the same results as the local executor, a worker killed mid-unit, a driver
killed mid-run, and one in-flight limit per served endpoint across workers."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from tests.support.fake_openai_server import FakeOpenAIServer
from tests.support.models import LLAMA, MINILM, SMOLLM2, skip_without
from tests.support.ray_cluster import local_cluster

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# A learner, the encoder and the embedded LLM; a small dev split keeps it short.
ARGS = [
    "demo",
    "--approaches",
    "tfidf-lr,encoder-lr,zero-shot",
    "--max-test",
    "20",
    "--dev-size",
    "8",
    "--no-plots",
]
UNITS = 3
TIMEOUT_S = 900


@pytest.fixture(scope="module")
def cluster():
    skip_without(LLAMA, SMOLLM2, MINILM)
    with local_cluster(workers=1, cpus=1) as c:
        yield c


def _cli(home: Path, out: Path, *extra: str, wait: bool = True):
    env = {**os.environ, "TASKFIT_HOME": str(home), "COLUMNS": "200"}
    cmd = [sys.executable, "-m", "taskfit.cli", *ARGS, "--out", str(out), *extra]
    if wait:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads((out / "results.json").read_text())
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _units(home: Path) -> dict[str, tuple[float, dict]]:
    """The store's units: key -> (when written, result)."""
    db = home / "store.db"
    if not db.exists():
        return {}
    try:
        with sqlite3.connect(db, timeout=5) as c:
            rows = c.execute("SELECT key, created, result FROM units").fetchall()
    except sqlite3.OperationalError:  # not created yet
        return {}
    return {k: (t, json.loads(r)) for k, t, r in rows}


def _same(a: dict, b: dict) -> None:
    """Same predictions per unit, and probabilities up to float32 rounding (a unit on a
    worker of one CPU encodes with one torch thread, the local run with two: sums in
    another order)."""
    assert set(a) == set(b)
    for key, (_, ra) in a.items():
        rb = b[key][1]
        assert ra["predictions"] == rb["predictions"], ra["name"]
        np.testing.assert_allclose(ra["probabilities"], rb["probabilities"], atol=1e-5)


def _metrics(doc: dict) -> dict[str, float]:
    """Every metric figure of every approach, flat (name/metric/field -> value)."""
    flat: dict[str, float] = {}

    def walk(prefix: str, value: object) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}/{k}", v)
        elif isinstance(value, (int, float)):
            flat[prefix] = float(value)

    for x in doc["approaches"]:
        walk(x["name"], x["metrics"])
    return flat


def _same_metrics(a: dict, b: dict) -> None:
    ma, mb = _metrics(a), _metrics(b)
    assert ma.keys() == mb.keys()
    assert ma == pytest.approx(mb, abs=1e-5)


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    skip_without(LLAMA, SMOLLM2, MINILM)
    home = tmp_path_factory.mktemp("local")
    doc = _cli(home, home / "out")
    return doc, _units(home)


def _ray_args(cluster) -> tuple[str, ...]:
    return ("--executor", "ray", "--ray-address", cluster.address)


def test_ray_gives_the_local_results(cluster, local_run, tmp_path):
    doc = _cli(tmp_path, tmp_path / "out", *_ray_args(cluster))
    units = _units(tmp_path)
    assert len(units) == UNITS
    _same(units, local_run[1])
    _same_metrics(doc, local_run[0])
    assert doc["run_stats"]["units_run"] == UNITS
    assert doc["settings"]["executor"] == "ray"
    # the LLM calls and embeddings the workers made were written by the driver
    with sqlite3.connect(tmp_path / "store.db") as c:
        assert c.execute("SELECT COUNT(*) FROM llm_calls").fetchone()[0] > 30
        assert c.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0] > 30
    again = _cli(tmp_path, tmp_path / "out2", *_ray_args(cluster))
    assert again["run_stats"]["units_cached"] == UNITS
    assert again["run_stats"]["units_run"] == 0


def _unit_processes(marker: str) -> list[int]:
    """Ray worker processes running a unit whose name contains ``marker`` (Ray names a
    worker's process after the task it runs: ``ray::taskfit:<unit name>``)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if cmdline.startswith("ray::") and f"taskfit:{marker}" in cmdline:
            pids.append(int(entry.name))
    return pids


def test_a_worker_killed_mid_unit_is_retried(cluster, local_run, tmp_path):
    proc = _cli(tmp_path, tmp_path / "out", *_ray_args(cluster), wait=False)
    deadline = time.monotonic() + 300
    killed = None
    while killed is None and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        pids = _unit_processes("zero-shot")
        if pids:
            time.sleep(2.0)  # into the unit: prompts being scored
            os.kill(pids[0], signal.SIGKILL)
            killed = pids[0]
        time.sleep(0.1)
    assert killed is not None, "no worker ever ran the zero-shot unit"
    assert not any(k.startswith("zero") for k in (r[1]["name"] for r in _units(tmp_path).values()))
    _, err = proc.communicate(timeout=TIMEOUT_S)
    assert proc.returncode == 0, err.decode()[-3000:]
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    _same(_units(tmp_path), local_run[1])
    _same_metrics(doc, local_run[0])
    assert killed not in _unit_processes("")  # the retry ran in another process


def test_a_driver_killed_mid_run_resumes_without_repeating_a_unit(cluster, local_run, tmp_path):
    proc = _cli(tmp_path, tmp_path / "out", *_ray_args(cluster), wait=False)
    deadline = time.monotonic() + 300
    while not _units(tmp_path) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    before = _units(tmp_path)
    assert 1 <= len(before) < UNITS, sorted(r[1]["name"] for r in before.values())

    doc = _cli(tmp_path, tmp_path / "out", *_ray_args(cluster))
    stats = doc["run_stats"]
    assert stats["units_cached"] == len(before)
    assert stats["units_run"] == UNITS - len(before)
    after = _units(tmp_path)
    for key, (written, _) in before.items():
        assert after[key][0] == written  # served from the store, not run and written again
    _same(after, local_run[1])
    _same_metrics(doc, local_run[0])


def _burst(base_url: str, limiter, n: int) -> int:
    """``n`` generations at once through a backend allowed 2 in flight, gated by
    ``limiter`` (None: its own pacing only); how many were answered."""
    from taskfit.backends import make_backend, parse_spec
    from taskfit.backends.base import GenerateRequest
    from taskfit.run.ray_actors import RayGate

    backend = make_backend(
        parse_spec(f"openai:fake-model@{base_url}"),
        max_concurrency=2,
        adaptive_concurrency=False,
        timeout_s=30,
    )
    if limiter is not None:
        backend.gate = RayGate(limiter)
    try:
        replies = backend.generate(
            [GenerateRequest(prompt=f"q{i}", max_tokens=4) for i in range(n)]
        )
    finally:
        backend.close()
    return len(replies)


@pytest.mark.parametrize("shared", [False, True], ids=["per-worker", "shared"])
def test_one_in_flight_limit_per_endpoint_across_workers(cluster, shared):
    import ray

    from taskfit.run.ray_actors import InFlightLimiter

    ray.init(address=cluster.address, logging_level="WARNING", log_to_driver=False)
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers lack tests/
    try:
        with FakeOpenAIServer(answer="ok", latency=0.3) as server:
            limiter = InFlightLimiter.remote(2) if shared else None
            burst = ray.remote(num_cpus=1)(_burst)
            # one task per node, both at once: 2 x 2 requests in flight unless shared
            answered = ray.get([burst.remote(server.base_url, limiter, 6) for _ in range(2)])
            assert answered == [6, 6]
            if shared:
                assert server.max_in_flight == 2
                stats = ray.get(limiter.stats.remote())
                assert stats["peak"] == 2 and stats["granted"] == 12 and stats["in_flight"] == 0
            else:
                assert server.max_in_flight > 2  # what the shared limit prevents
    finally:
        ray.shutdown()
