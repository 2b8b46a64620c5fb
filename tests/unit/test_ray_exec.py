"""The Ray executor's pieces that need no cluster: what a unit asks of a node, the
flags and their errors, one in-flight limit shared by several backends, and progress
bars of units running side by side. (Runs on a real Ray cluster: the conformance test
of executors and tests/integration/test_ray.py.)"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from tests.support.data import fails_with_one_line, two_intent_csv
from tests.support.fake_openai_server import FakeOpenAIServer, fast_backend

from taskfit.backends.base import GenerateRequest
from taskfit.backends.gate import LocalGate
from taskfit.config import RunOptions
from taskfit.errors import UsageError
from taskfit.run.ray_exec import DEFAULT_RESOURCES, RaySession, unit_resources
from taskfit.types import Unit


def _unit(approach: str) -> Unit:
    return Unit(approach=approach, family="baseline", model="", data_hash="d", test_indices=())


def test_fine_tuning_units_ask_for_more_memory_than_the_default():
    assert unit_resources(_unit("tfidf-lr")) == DEFAULT_RESOURCES
    lora = unit_resources(_unit("lora"))
    assert lora["num_cpus"] == 1 and lora["memory"] >= 4 * 1024**3
    assert DEFAULT_RESOURCES["memory"] < unit_resources(_unit("setfit"))["memory"] < lora["memory"]


def test_executor_settings_are_checked():
    assert RunOptions(executor="ray", ray_address="127.0.0.1:6379").executor == "ray"
    with pytest.raises(UsageError, match="--executor must be one of local, ray"):
        RunOptions(executor="spark")
    with pytest.raises(UsageError, match="--ray-address is for --executor ray"):
        RunOptions(ray_address="127.0.0.1:6379")


def test_cli_refuses_an_unknown_executor_in_one_line(tmp_path: Path, capsys):
    data = str(two_intent_csv(tmp_path / "d.csv"))
    base = ["compare", data, "--text", "text", "--label", "label", "--no-plots"]
    line = fails_with_one_line([*base, "--executor", "dask"], capsys)
    assert "--executor must be one of local, ray" in line
    line = fails_with_one_line([*base, "--ray-address", "auto"], capsys)
    assert "--ray-address is for --executor ray" in line


def test_ray_missing_is_a_usage_error(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    with pytest.raises(UsageError, match=r"pip install 'taskfit\[ray\]'"):
        RaySession(None, tmp_path / "store.db")


def test_backends_sharing_a_gate_keep_the_endpoint_at_its_limit():
    """Two backends (two workers) of 2 in flight each; one gate of 2 between them."""
    with FakeOpenAIServer(answer="ok", latency=0.2) as server:
        gate = LocalGate(2)
        backends = [
            fast_backend(server, max_concurrency=2, adaptive_concurrency=False) for _ in "ab"
        ]
        for b in backends:
            b.gate = gate
        requests = [GenerateRequest(prompt=f"q{i}", max_tokens=4) for i in range(6)]
        threads = [threading.Thread(target=b.generate, args=(requests,)) for b in backends]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert server.requests == 12 and server.max_in_flight == 2 == gate.peak
        assert gate.in_flight == 0
        for b in backends:
            b.close()


def test_a_failed_request_gives_its_lease_back():
    with FakeOpenAIServer(answer="ok") as server:
        backend = fast_backend(server, max_concurrency=1)
        backend.gate = gate = LocalGate(1)
        server.add_faults("500", "429", "garbage")
        assert backend.generate([GenerateRequest(prompt="q", max_tokens=4)])[0].text == "ok"
        assert server.requests == 4 and gate.in_flight == 0
        backend.close()


def test_bars_of_units_running_side_by_side_advance_separately():
    from taskfit.cli.common import RichHook

    hook = RichHook()
    hook.plain = None  # draw bars even though stderr is not a terminal here
    a, b = _unit("tfidf-lr"), _unit("majority")
    hook.unit_started(a, 10)
    hook.unit_started(b, 5)
    hook.unit_progress(a, 3)
    hook.unit_progress(b, 5)
    hook.unit_progress(a, 4)
    done = {t.description: t.completed for t in hook.progress.tasks}
    hook.stop()
    assert done == {a.name: 7, b.name: 5}


def test_ui_refuses_an_unknown_executor_before_it_listens(capsys):
    line = fails_with_one_line(["ui", "--executor", "dask", "--port", "1"], capsys)
    assert "--executor must be one of local, ray" in line
