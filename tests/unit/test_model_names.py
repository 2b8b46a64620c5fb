"""Approach names show a model's short name; the full spec stays the unit's model and key."""

from __future__ import annotations

from dataclasses import replace

import pytest

from taskfit.backends import parse_spec
from taskfit.data.demo import load_demo
from taskfit.learners.embed import Embedder
from taskfit.run.execute import Executor
from taskfit.run.plan import PlanOptions, model_names, plan_units
from taskfit.run.store import Store
from taskfit.types import Unit


def _names(*specs: str) -> list[str]:
    parsed = [parse_spec(s) for s in specs]
    names = model_names(parsed)
    return [names[s.canonical] for s in parsed]


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        ("smollm2", "smollm2"),
        ("fake", "fake"),
        ("fake:echo", "fake-echo"),
        (
            "gguf:/a/very/long/directory/SmolLM2-135M-Instruct-Q4_1.gguf",
            "SmolLM2-135M-Instruct-Q4_1",
        ),
        ("gguf:C:\\models\\qwen2.5-7b.GGUF", "qwen2.5-7b"),
        ("openai:gpt-4o-mini", "gpt-4o-mini"),
        ("openai:m@http://127.0.0.1:8000/v1", "m"),
    ],
)
def test_a_lone_spec_shows_its_short_name(spec, name):
    assert _names(spec) == [name]


def test_specs_sharing_a_short_name_are_told_apart():
    # two endpoints serving one model id: by host, then by path
    assert _names("openai:m@http://h1:8000/v1", "openai:m@http://h2/v1") == ["m@h1:8000", "m@h2"]
    assert _names("openai:m@http://h:1/v1", "openai:m@http://h:1/v2") == ["m@h:1/v1", "m@h:1/v2"]
    # the default endpoint keeps the plain id; others say where they are
    assert _names("openai:m", "openai:m@http://h:1/v1", "smollm2") == ["m", "m@h:1", "smollm2"]
    # GGUF files with one stem in two folders: numbered in the order given
    assert _names("gguf:/q4/model.gguf", "gguf:/q8/model.gguf") == ["model", "model-2"]
    # a number never lands on another spec's own name
    three = _names("gguf:/a/model.gguf", "gguf:/b/model.gguf", "gguf:/c/model-2.gguf")
    assert three == ["model", "model-3", "model-2"]
    # a GGUF file and an endpoint with one name: only the endpoint is qualified
    assert _names("gguf:/x/m.gguf", "openai:m@http://h:1/v1") == ["m", "m@h:1"]
    # the same spec twice is one model with one name
    assert _names("openai:m", "openai:m") == ["m", "m"]


def test_names_never_show_credentials():
    specs = ("openai:m@http://user:secret@h:1/v1?key=s3cret", "openai:m@http://h:2/v1")
    names = _names(*specs)
    assert names == ["m@h:1", "m@h:2"]
    assert not any("secret" in n or "s3cret" in n for n in names)
    # a URL that cannot be parsed falls back to a number
    assert _names("openai:m@http://[::1/v1", "openai:m@http://h:2/v1") == ["m", "m@h:2"]


def test_alias_is_only_how_the_unit_is_shown():
    u = Unit("zero-shot", "prompt", "gguf:/long/path/model.gguf", "h", (0, 1), alias="model")
    plain = replace(u, alias="")
    assert u.name == "zero-shot@model" and plain.name == "zero-shot@gguf:/long/path/model.gguf"
    assert u.key == plain.key and u == plain and hash(u) == hash(plain)
    assert "alias" not in u.to_json() and u.to_json()["model"] == "gguf:/long/path/model.gguf"
    assert Unit("majority", "baseline", "", "h", (0,)).name == "majority"
    assert Unit("encoder-lr", "finetune", "minilm", "h", (0,)).name == "encoder-lr@minilm"


def test_plan_names_use_short_names_and_keys_tell_endpoints_apart():
    ds = load_demo()
    a, b = parse_spec("openai:m@http://h1:8000/v1"), parse_spec("openai:m@http://h2:8000/v1")
    gguf = parse_spec("gguf:/a/very/long/path/SmolLM2-135M-Instruct-Q4_1.gguf")
    units = plan_units(
        ds,
        PlanOptions(approaches=("zero-shot", "majority"), llms=(gguf, a, b, parse_spec("smollm2"))),
    )
    assert [u.name for u in units] == [
        "zero-shot@SmolLM2-135M-Instruct-Q4_1",
        "zero-shot@m@h1:8000",
        "zero-shot@m@h2:8000",
        "zero-shot@smollm2",
        "majority",
    ]
    assert [u.model for u in units[:4]] == [gguf.canonical, a.canonical, b.canonical, "smollm2"]
    assert len({u.key for u in units}) == 5
    # alone, an endpoint shows its model id, and the unit (key) is the same work
    alone = plan_units(ds, PlanOptions(approaches=("zero-shot",), llms=(a,)))
    assert alone[0].name == "zero-shot@m" and alone[0].key == units[1].key


def test_a_stored_result_takes_the_name_of_the_unit_asking_for_it(tmp_path):
    ds = load_demo()
    store = Store(tmp_path / "store.db")
    try:
        unit = plan_units(
            ds,
            PlanOptions(
                approaches=("zero-shot",), llms=(parse_spec("fake"),), max_test=8, dev_size=0
            ),
        )[0]
        first = Executor(ds, store, Embedder()).run([replace(unit, alias="x")])[0]
        assert first.name == "zero-shot@x"
        ex = Executor(ds, store, Embedder())
        again = ex.run([unit])[0]
        assert ex.stats.units_cached == 1 and again.name == "zero-shot@fake"
        assert replace(again, name=first.name) == first
    finally:
        store.close()


def test_a_corrected_variant_keeps_the_short_model_name_last():
    from taskfit.metrics.prompting import correction_name
    from taskfit.types import UnitResult

    r = UnitResult(
        unit_key="k",
        name="zero-shot@model",
        family="prompt",
        model="gguf:/long/path/model.gguf",
        labels=("a", "b"),
        test_indices=(0,),
        predictions=("a",),
        probabilities=((0.6, 0.4),),
        latency_ms=(1.0,),
        n_train_labels=0,
        train_seconds=0.0,
    )
    assert correction_name(r, "batch-cal") == "zero-shot+batch-cal@model"
