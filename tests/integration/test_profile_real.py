"""`taskfit profile` on the bundled demo data with the real encoder and embedded LLM."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from taskfit.workflows.profile import ProfileOptions, load_for_profile, profile_dataset

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def demo_profile(tmp_path_factory):
    pytest.importorskip("llama_cpp", reason="llama-cpp-python runs the embedded GGUF")
    pytest.importorskip("sentence_transformers", reason="it runs the embedded encoder")
    home = tmp_path_factory.mktemp("home")
    dataset, ood, _ = load_for_profile(None, text=None, label=None)
    return dataset, profile_dataset(dataset, ProfileOptions(home=str(home)), ood_test=ood)


def test_demo_shift_iid_test_vs_shifted_ood(demo_profile):
    _, p = demo_profile
    assert p.shift is not None and p.ood_shift is not None
    assert not p.shift.shifted, p.shift  # the demo test set is drawn like train
    assert p.ood_shift.shifted, p.ood_shift  # the OOD set is another register
    assert p.ood_shift.auc > p.shift.auc + 0.1


def test_demo_profile_counts_and_sections(demo_profile):
    dataset, p = demo_profile
    assert p.n_train == len(dataset.train) and p.n_test == len(dataset.test)
    assert sum(p.label_counts.values()) == p.n_train
    assert p.label_type == "categorical"
    units = [s.unit for s in p.lengths]
    assert units[0] == "chars"
    assert "smollm2 tokens" in units and "all-MiniLM-L6-v2 tokens" in units
    assert p.languages is not None and p.languages.primary == "en"
    assert p.languages.low_resource == ()
    assert set(p.seconds) >= {"labels", "duplicates", "shift", "domain_fit"}


def test_domain_fit_is_higher_for_off_domain_text(demo_profile, smollm2):
    """Text the model cannot predict scores far above the support messages.

    Two controls: consonant strings (no language at all), and word salad made of the
    demo's own words in random order (same vocabulary, no sentence structure). Hex and
    base64 strings are no good control: their tokens are predictable digits (measured
    ratio 3.5 against the demo's 2.9)."""
    import random

    from taskfit.profile.domain_fit import domain_fit

    dataset, p = demo_profile
    (fit,) = p.domain_fit
    assert fit.model == "smollm2" and fit.n_texts == 32
    assert fit.ppl_data > 1 and fit.ppl_reference > 1
    rng = random.Random(0)
    consonants = ["".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(60)) for _ in "x" * 16]
    words = " ".join(e.text for e in dataset.train).split()
    salad = [" ".join(rng.choice(words) for _ in range(12)) for _ in range(16)]
    for control in (consonants, salad):
        off = domain_fit(smollm2, "smollm2", control, n_texts=16)
        assert off.ratio > 2 * fit.ratio, (off.ratio, fit.ratio)


def test_profile_cli_writes_json(tmp_path):
    pytest.importorskip("sentence_transformers", reason="it runs the embedded encoder")
    out = tmp_path / "prof"
    env_home = tmp_path / "home"
    proc = subprocess.run(
        [sys.executable, "-m", "taskfit.cli", "profile", "--demo", "--out", str(out)],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "TASKFIT_HOME": str(env_home)},
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((out / "profile.json").read_text())
    assert doc["n_train"] == 342 and doc["ood_shift"]["shifted"] is True
    assert "Duplicates" in proc.stdout and "Shift vs train" in proc.stdout
