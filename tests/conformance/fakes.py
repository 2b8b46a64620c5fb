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
from taskfit.types import Dataset, Example, Passage

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


def tiny_dataset(n_train: int = 8, n_test: int = 3, task: str = "classification") -> Dataset:
    """Three intents, ``n_train`` training and ``n_test`` test examples each; for the
    free-text task types as many sums to answer (reasoning) or attribute lists to describe
    (generation)."""
    if task != "classification":
        return _tiny_text(3 * n_train, 3 * n_test, task)
    train, test = [], []
    for label, w in sorted(WORDS.items()):
        for i in range(n_train):
            train.append(Example(f"{w[i % 5]} please, {w[(i + 1) % 5]} {i}", label))
        for i in range(n_test):
            test.append(Example(f"my {w[(i + 2) % 5]} issue {i}", label))
    return Dataset(
        tuple(train), tuple(test), tuple(sorted(WORDS)), "tiny-data", "tiny", "text", "label"
    )


def _tiny_text(n_train: int, n_test: int, task: str) -> Dataset:
    colours = ("red", "blue", "green", "black")
    rows = []
    corpus: list[Passage] = []
    for i in range(n_train + n_test):
        c = colours[i % 4]
        if task == "reasoning":
            rows.append(Example(f"What is {i} plus {i % 5 + 2}?", str(i + i % 5 + 2)))
        elif task == "qa":  # the answer is in passage lamp-i of the corpus
            corpus.append(Passage(f"lamp-{i}", f"Lamp {i} comes in {c} only.", f"Lamp {i}"))
            rows.append(Example(f"What colour is lamp {i}?", c, evidence=f"lamp-{i}"))
        elif task == "extraction":  # an order id and a colour in each message
            text = f"Order NW-{1000 + i} is the {c} lamp"
            start = text.index(c)
            spans = f'[[6,13,"ORDER_ID"],[{start},{start + len(c)},"COLOUR"]]'
            rows.append(Example(text, spans))
        else:
            rows.append(Example(f"name: Lamp {i} | colour: {c}", f"Lamp {i} is {c}."))
    return Dataset(
        tuple(rows[:n_train]),
        tuple(rows[n_train:]),
        (),
        f"tiny-{task}",
        "tiny",
        "text",
        "target",
        task=task,
        corpus=tuple(corpus),
    )


def tiny_for(approach: str) -> Dataset:
    """The tiny dataset of the first task type ``approach`` supports (classification
    first)."""
    from taskfit import approaches

    tasks = approaches.get(approach).tasks
    order = ("classification", "reasoning", "generation", "qa", "extraction")
    task = next(t for t in order if t in tasks)
    return tiny_dataset(task=task)


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
