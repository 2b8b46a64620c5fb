"""The task seam: later layers read the data's task type instead of assuming labels.

A narrower task type (registered here, in this file only) without calibration, label
errors or the prompting section changes what taskfit does with the same data: the trust
measure is refused, the profile skips the label-error scan, scoring leaves the prompting
diagnostics out, and results.json names the task type.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from taskfit import approaches
from taskfit.config import CompareOptions, TrustOptions
from taskfit.data import load_demo
from taskfit.errors import UsageError
from taskfit.profile import build_profile
from taskfit.tasks import TaskType, get_task, register_task, task_names
from taskfit.workflows.compare import compare_dataset

CLASSIFICATION = get_task("classification")
NARROW = replace(
    CLASSIFICATION,
    name="narrow-labels",
    summary="classification without the prompting diagnostics and calibration",
    sections=tuple(s for s in CLASSIFICATION.sections if s not in ("prompting", "calibration")),
    profile_measures=tuple(m for m in CLASSIFICATION.profile_measures if m != "label_errors"),
)


@pytest.fixture(scope="module", autouse=True)
def _narrow():
    if "narrow-labels" not in task_names():
        register_task(NARROW)
    # the approaches these tests run support the narrower task type too
    originals = [approaches.get(n) for n in ("zero-shot", "majority")]
    for a in originals:
        approaches.register(replace(a, tasks=a.tasks | {"narrow-labels"}), replace=True)
    yield
    for a in originals:
        approaches.register(a, replace=True)


def _demo(task: str):
    return replace(load_demo(seed=0), task=task)


def test_unknown_task_types_and_sections_are_errors():
    with pytest.raises(UsageError, match="unknown task type 'poems'"):
        get_task("poems")
    with pytest.raises(ValueError, match="unknown section/measure 'vibes'"):
        replace(CLASSIFICATION, name="x", sections=("vibes",))
    with pytest.raises(ValueError, match="registered already"):
        register_task(replace(CLASSIFICATION, summary="another classification"))
    assert isinstance(get_task("narrow-labels"), TaskType)


def test_a_trust_measure_outside_the_task_type_is_refused(tmp_path):
    opts = CompareOptions(
        llms=("fake",),
        approaches=("majority",),
        home=str(tmp_path),
        plots=False,
        trust=TrustOptions(measures=("calibration",)),
    )
    with pytest.raises(UsageError, match="'calibration' does not apply to narrow-labels"):
        compare_dataset(_demo("narrow-labels"), opts)
    assert not (tmp_path / "runs").exists()  # refused before any run was written


def test_profile_measures_follow_the_task_type():
    class Encoder:  # a tiny stand-in: the profile only encodes and reads the tokenizer
        model_id = "fake"

        def encode(self, texts):
            import numpy as np

            return np.array([[len(t) % 7, len(t) % 5, 1.0] for t in texts], dtype=float)

        def model(self):
            class M:
                max_seq_length = 64

                @staticmethod
                def tokenizer(t, **_):
                    return {"input_ids": t.split()}

            return M()

    full = build_profile(_demo("classification"), embedder=Encoder(), sample=200)
    narrow = build_profile(_demo("narrow-labels"), embedder=Encoder(), sample=200)
    assert "label_errors" in full.seconds and "label_errors" not in narrow.seconds
    assert narrow.label_error_count == 0 and narrow.label_errors == ()
    assert "shift" in full.seconds and "shift" in narrow.seconds


def test_scoring_and_results_follow_the_task_type(tmp_path):
    kw = dict(llms=("fake",), approaches=("zero-shot", "majority"), max_test=24, plots=False)
    full = compare_dataset(
        _demo("classification"), CompareOptions(**kw, home=str(tmp_path), out=str(tmp_path / "a"))
    )
    narrow = compare_dataset(
        _demo("narrow-labels"), CompareOptions(**kw, home=str(tmp_path), out=str(tmp_path / "b"))
    )
    a = json.loads((tmp_path / "a" / "results.json").read_text())
    b = json.loads((tmp_path / "b" / "results.json").read_text())
    assert a["task"]["type"] == "classification" and b["task"]["type"] == "narrow-labels"
    assert "prompting" in a and "prompting" not in b
    assert any("+batch-cal" in m.name for m in full.metrics)
    assert not any("+" in m.name for m in narrow.metrics)
