"""Fakes for the approach conformance tests: a tiny dataset, the fake LLM's keywords, a
hashing stand-in for the sentence encoder, and the test plugins (``tests/plugins``)."""

from __future__ import annotations

import sys
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from taskfit import approaches
from taskfit.learners.embed import Embedder
from taskfit.types import Dataset, Example

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"


def use_test_plugins() -> None:
    """Put ``tests/plugins`` on ``sys.path`` and load its entry points (once)."""
    if str(PLUGINS) not in sys.path:
        sys.path.insert(0, str(PLUGINS))
        approaches.reload_plugins()


WORDS = {
    "delivery": ("parcel", "delivery", "late", "track", "arrive"),
    "password": ("password", "login", "reset", "forgot", "locked"),
    "refund": ("refund", "money", "back", "charge", "return"),
}
# keywords of the fake LLM: an option scores higher when its words are in the prompt body
KEYWORDS = {f" {label}": list(words) for label, words in WORDS.items()}


def tiny_dataset(n_train: int = 8, n_test: int = 3) -> Dataset:
    """Three intents, ``n_train`` training and ``n_test`` test examples each."""
    train, test = [], []
    for label, w in sorted(WORDS.items()):
        for i in range(n_train):
            train.append(Example(f"{w[i % 5]} please, {w[(i + 1) % 5]} {i}", label))
        for i in range(n_test):
            test.append(Example(f"my {w[(i + 2) % 5]} issue {i}", label))
    return Dataset(
        tuple(train), tuple(test), tuple(sorted(WORDS)), "tiny-data", "tiny", "text", "label"
    )


class _HashingModel:
    """Stands in for a sentence-transformers model: hashed bag of words, L2-normalised."""

    def encode(self, texts: Sequence[str], **_: Any) -> np.ndarray:
        out = np.zeros((len(texts), 384), np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().replace(",", " ").split():
                out[i, zlib.crc32(word.encode()) % 384] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


class FakeEmbedder(Embedder):
    """An :class:`Embedder` (cache, memo, ``uncached()``) over a hashing model: no torch."""

    def model(self) -> Any:
        if self._model is None:
            self._model = _HashingModel()
        return self._model
