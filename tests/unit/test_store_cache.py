"""Store migrations and the content-addressed LLM-call cache."""

from __future__ import annotations

import sqlite3

import numpy as np

from taskfit.backends import GenerateRequest, ScoreRequest
from taskfit.backends.fake import FakeBackend
from taskfit.run.llm_cache import CachingBackend
from taskfit.run.store import MIGRATIONS, Store
from taskfit.types import UnitResult


def test_migrations_run_once_in_order_and_wal(tmp_path):
    path = tmp_path / "s.db"
    s = Store(path)
    assert s.applied_migrations() == [name for name, _ in MIGRATIONS]
    s.close()
    s = Store(path)  # reopening applies nothing twice
    assert s.applied_migrations() == [name for name, _ in MIGRATIONS]
    s.close()
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_unit_and_embedding_roundtrip(tmp_path):
    s = Store(tmp_path / "s.db")
    r = UnitResult(
        "k1",
        "tfidf-lr",
        "baseline",
        "",
        ("a", "b"),
        (0, 2),
        ("a", "b"),
        ((0.9, 0.1), (0.2, 0.8)),
        (1.5,),
        10,
        0.3,
        notes=("n",),
    )
    s.put_unit({"approach": "tfidf-lr"}, r)
    assert s.get_unit("k1") == r
    assert s.get_unit("missing") is None
    v = np.arange(4, dtype=np.float32)
    s.put_embeddings("enc", {"h": v})
    assert np.array_equal(s.get_embeddings("enc", ["h", "x"])["h"], v)
    assert s.get_embeddings("other", ["h"]) == {}


def test_cache_serves_repeats_and_keys_by_content(tmp_path):
    store = Store(tmp_path / "s.db")
    fake = FakeBackend()
    be = CachingBackend(fake, store, chunk=2)
    reqs = [ScoreRequest("p", f"body {i}", (" a", " b")) for i in range(5)]
    first = be.score_options(reqs)
    assert (be.calls_made, be.calls_cached, fake.score_calls) == (5, 0, 5)
    again = CachingBackend(FakeBackend(), store).score_options(reqs)
    assert [r.logprobs for r in again] == [r.logprobs for r in first]
    assert fake.score_calls == 5
    # A different option set is a different call.
    CachingBackend(fake, store).score_options([ScoreRequest("p", "body 0", (" a", " c"))])
    assert fake.score_calls == 6


def test_sampled_generations_are_keyed_by_seed_greedy_are_not(tmp_path):
    store = Store(tmp_path / "s.db")
    fake = FakeBackend()
    be = CachingBackend(fake, store)
    be.generate([GenerateRequest("hi", temperature=0.0, seed=1)])
    be.generate([GenerateRequest("hi", temperature=0.0, seed=2)])
    assert fake.generate_calls == 1  # greedy: the seed does not matter
    be.generate([GenerateRequest("hi", temperature=0.7, seed=1)])
    be.generate([GenerateRequest("hi", temperature=0.7, seed=2)])
    be.generate([GenerateRequest("hi", temperature=0.7, seed=1)])
    assert fake.generate_calls == 3
