"""Tests for ``taskfit.advise.catalog``: the packaged catalog, the filters, the CPU rule and
the one-line errors for malformed catalog files.

Filters are checked twice: on a small hand-built list, where the expected answer is known
exactly, and on the real catalog, where they must agree with the data's meaning.
"""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from taskfit.advise.catalog import (
    ARCHITECTURES,
    BACKENDS,
    USES,
    ModelEntry,
    filter_models,
    fits_cpu,
    load_catalog,
)
from taskfit.backends import parse_spec
from taskfit.errors import UsageError


def make(name: str, **kw: Any) -> ModelEntry:
    base: dict[str, Any] = {
        "name": name,
        "family": name.split()[0],
        "org": "Org",
        "architecture": "decoder-only",
        "params_b": 1.0,
        "context": 4096,
        "licence": "Apache-2.0",
        "open_weights": True,
        "backends": ("llamacpp", "openai"),
        "spec": None,
        "use": "prompt",
        "year": 2024,
        "notes": "",
    }
    base.update(kw)
    return ModelEntry(**base)


TINY = make("Tiny LM", params_b=0.1, context=2048, notes="a smoke-test model")
EDGE = make("Edge LM", params_b=4.0, context=32768)
MID = make("Mid LM", params_b=4.1, context=131072)
SERVED = make("Served LM", params_b=2.0, backends=("openai",))
API = make(
    "Api LM", params_b=0, context=200000, open_weights=False, backends=("openai",),
    licence="proprietary", spec="openai:api-lm", notes="parameters undisclosed",
)  # fmt: skip
ENC = make(
    "Enc Base", architecture="encoder-only", params_b=0.6, context=512, backends=("encoder",),
    use="finetune", org="Lab",
)  # fmt: skip
S2S_SMALL = make(
    "Seq Small", architecture="encoder-decoder", params_b=1.0, backends=(), use="finetune"
)
S2S_BIG = make("Seq Big", architecture="encoder-decoder", params_b=3.0, backends=(), use="finetune")
HAND = (TINY, EDGE, MID, SERVED, API, ENC, S2S_SMALL, S2S_BIG)


def names(entries: tuple[ModelEntry, ...]) -> list[str]:
    return [e.name for e in entries]


@pytest.fixture(scope="module")
def catalog() -> tuple[ModelEntry, ...]:
    return load_catalog()


# ------------------------------------------------------------------------ packaged catalog
def test_packaged_catalog_loads_with_unique_names(catalog: tuple[ModelEntry, ...]) -> None:
    assert len(catalog) >= 60
    assert all(isinstance(e, ModelEntry) for e in catalog)
    assert len({e.name for e in catalog}) == len(catalog)
    counts = {a: sum(e.architecture == a for e in catalog) for a in ARCHITECTURES}
    assert counts["encoder-only"] >= 10
    assert counts["encoder-decoder"] >= 8
    assert counts["decoder-only"] >= 30


def test_every_entry_is_well_formed(catalog: tuple[ModelEntry, ...]) -> None:
    for e in catalog:
        assert e.architecture in ARCHITECTURES, e.name
        assert e.use in USES, e.name
        assert set(e.backends) <= set(BACKENDS), e.name
        assert e.params_b >= 0 and e.context > 0 and 2017 <= e.year <= 2026, e.name
        if e.params_b == 0:  # only API models may hide their size, and they must say so
            assert not e.open_weights and "undisclosed" in e.notes, e.name
        if "undisclosed" in e.notes:
            assert e.params_b == 0, e.name
        if e.open_weights:
            assert e.params_b > 0, e.name


def test_typical_use_follows_the_papers_split(catalog: tuple[ModelEntry, ...]) -> None:
    for e in catalog:
        if e.architecture != "decoder-only":
            assert e.use == "finetune", e.name
    prompt_names = {e.name for e in catalog if e.use == "prompt"}
    tune_variants = [e for e in catalog if e.name.endswith(" (fine-tune)")]
    assert tune_variants
    for e in tune_variants:  # a fine-tune variant repeats a prompted entry of the same size
        assert e.use == "finetune" and e.params_b < 4, e.name
        assert e.name.removesuffix(" (fine-tune)") in prompt_names, e.name


def test_embedded_specs_are_present(catalog: tuple[ModelEntry, ...]) -> None:
    by_spec = {e.spec: e for e in catalog if e.spec}
    smol = by_spec["smollm2"]
    assert smol.name == "SmolLM2 135M Instruct"
    assert smol.architecture == "decoder-only" and "llamacpp" in smol.backends
    mini = by_spec["minilm"]
    assert mini.name == "all-MiniLM-L6-v2"
    assert mini.architecture == "encoder-only" and mini.backends == ("encoder",)


def test_specs_are_runnable_forms(catalog: tuple[ModelEntry, ...]) -> None:
    for e in catalog:
        if e.spec is None:
            continue
        if e.spec == "minilm":
            assert "encoder" in e.backends, e.name
            continue
        parsed = parse_spec(e.spec)  # raises UsageError on a form taskfit cannot run
        backend = {"gguf": "llamacpp", "openai": "openai"}[parsed.kind]
        assert backend in e.backends, e.name


def test_catalog_covers_the_required_families(catalog: tuple[ModelEntry, ...]) -> None:
    required = {
        "BERT base (uncased)", "BERT large (uncased)", "RoBERTa base", "RoBERTa large",
        "DeBERTa-v3 base", "DeBERTa-v3 large", "ELECTRA base discriminator",
        "DistilBERT base (uncased)", "ModernBERT base", "ModernBERT large", "all-MiniLM-L6-v2",
        "all-mpnet-base-v2", "XLM-RoBERTa base", "XLM-RoBERTa large", "mDeBERTa-v3 base",
        "T5 base", "Flan-T5 base", "Flan-T5 XL", "BART large", "mT5 base",
        "SmolLM2 135M Instruct", "SmolLM2 360M Instruct", "SmolLM2 1.7B Instruct",
        "Qwen2.5 0.5B Instruct", "Qwen2.5 1.5B Instruct", "Qwen2.5 3B Instruct",
        "Qwen2.5 7B Instruct", "Llama 3.1 8B Instruct", "Llama 3.2 1B Instruct",
        "Llama 3.2 3B Instruct", "Llama 3.3 70B Instruct", "Mistral 7B Instruct v0.3",
        "Phi-3.5-mini Instruct", "Phi-4", "Gemma 2 2B IT", "Gemma 2 9B IT", "Gemma 3 4B IT",
        "Mixtral 8x7B Instruct", "GPT-4o", "GPT-4o mini", "Claude 3.5 Sonnet",
        "Claude 3.5 Haiku", "Gemini 1.5 Flash", "Gemini 1.5 Pro",
    }  # fmt: skip
    assert required - {e.name for e in catalog} == set()


# ------------------------------------------------------------------------------- CPU rule
@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (TINY, True),
        (EDGE, True),  # exactly at the 4B limit
        (MID, False),  # just above it
        (SERVED, False),  # no GGUF: taskfit cannot run it through llama.cpp
        (API, False),  # undisclosed size, closed weights
        (replace(TINY, open_weights=False), False),
        (ENC, True),
        (replace(ENC, params_b=2.0), True),  # encoders always fit
        (S2S_SMALL, True),
        (S2S_BIG, False),
    ],
    ids=lambda v: v.name if isinstance(v, ModelEntry) else str(v),
)
def test_fits_cpu_rule(entry: ModelEntry, expected: bool) -> None:
    assert fits_cpu(entry) is expected


# -------------------------------------------------------------------- filters, hand-built
def test_no_filter_keeps_everything_in_order() -> None:
    assert filter_models(HAND) == HAND
    assert filter_models(iter(HAND)) == HAND  # any iterable


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"open_weights": True}, ["Tiny LM", "Edge LM", "Mid LM", "Served LM", "Enc Base",
                                  "Seq Small", "Seq Big"]),
        ({"open_weights": False}, ["Api LM"]),
        ({"use": "finetune"}, ["Enc Base", "Seq Small", "Seq Big"]),
        ({"use": "prompt"}, ["Tiny LM", "Edge LM", "Mid LM", "Served LM", "Api LM"]),
        ({"architecture": "encoder-decoder"}, ["Seq Small", "Seq Big"]),
        ({"max_params_b": 1.0}, ["Tiny LM", "Enc Base", "Seq Small"]),  # 0 = undisclosed: out
        ({"max_params_b": 4.0}, ["Tiny LM", "Edge LM", "Served LM", "Enc Base", "Seq Small",
                                 "Seq Big"]),
        ({"min_context": 32768}, ["Edge LM", "Mid LM", "Api LM"]),
        ({"cpu_only": True}, ["Tiny LM", "Edge LM", "Enc Base", "Seq Small"]),
        ({"text": "SMOKE-TEST"}, ["Tiny LM"]),  # notes, any case
        ({"text": "lab"}, ["Enc Base"]),  # org
        ({"text": "seq"}, ["Seq Small", "Seq Big"]),  # name and family
        ({"text": "seq big"}, ["Seq Big"]),  # every word must match
        ({"text": "undisclosed api"}, ["Api LM"]),
        ({"text": "nothing like this"}, []),
        ({"use": "prompt", "open_weights": True, "cpu_only": True}, ["Tiny LM", "Edge LM"]),
    ],
)  # fmt: skip
def test_filters_on_a_hand_built_list(kwargs: dict[str, Any], expected: list[str]) -> None:
    assert names(filter_models(HAND, **kwargs)) == expected


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [({"use": "tune"}, "use"), ({"architecture": "decoder"}, "architecture")],
)
def test_bad_filter_values_are_usage_errors(kwargs: dict[str, Any], word: str) -> None:
    with pytest.raises(UsageError, match=word):
        filter_models(HAND, **kwargs)


# -------------------------------------------------------------------- filters, real catalog
def test_local_cpu_prompt_models_include_smollm2_and_no_api_model(
    catalog: tuple[ModelEntry, ...],
) -> None:
    local = filter_models(catalog, use="prompt", open_weights=True, cpu_only=True)
    assert "smollm2" in {e.spec for e in local}
    assert all(e.open_weights and 0 < e.params_b <= 4 for e in local)
    assert all(e.architecture == "decoder-only" and "llamacpp" in e.backends for e in local)
    api = {e.name for e in catalog if not e.open_weights}
    assert {"GPT-4o mini", "Claude 3.5 Haiku"} <= api
    assert api.isdisjoint(names(local))
    assert {"Llama 3.1 8B Instruct", "Phi-4"}.isdisjoint(names(local))  # too big for the rule


def test_real_catalog_filters(catalog: tuple[ModelEntry, ...]) -> None:
    closed = filter_models(catalog, open_weights=False)
    assert closed and all(not e.open_weights for e in closed)
    assert "GPT-4o" in names(closed) and "Llama 3.1 8B Instruct" not in names(closed)

    small = filter_models(catalog, max_params_b=1.0)
    assert small and all(0 < e.params_b <= 1.0 for e in small)
    assert "all-MiniLM-L6-v2" in names(small) and "GPT-4o mini" not in names(small)

    tune = filter_models(catalog, use="finetune")
    assert {"DeBERTa-v3 base", "Flan-T5 base", "Qwen2.5 1.5B Instruct (fine-tune)"} <= set(
        names(tune)
    )
    assert "GPT-4o" not in names(tune)

    long = filter_models(catalog, min_context=100_000)
    assert long and all(e.context >= 100_000 for e in long)
    assert "BERT base (uncased)" not in names(long)

    qwen = filter_models(catalog, text="QWEN2.5")
    assert qwen and all(e.family == "Qwen2.5" for e in qwen)

    cpu = filter_models(catalog, cpu_only=True)
    assert "all-MiniLM-L6-v2" in names(cpu) and "T5 3B" not in names(cpu)
    assert all(fits_cpu(e) for e in cpu)
    assert len(cpu) < len(catalog)


# --------------------------------------------------------------------- override catalogs
def raw(name: str = "My Model", **kw: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": name,
        "family": "Mine",
        "org": "Us",
        "architecture": "encoder-only",
        "params_b": 0.1,
        "context": 512,
        "licence": "MIT",
        "open_weights": True,
        "backends": ["encoder"],
        "spec": None,
        "use": "finetune",
        "year": 2025,
    }
    entry.update(kw)
    return entry


def write(tmp_path: Path, doc: Any, name: str = "catalog.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_valid_override_file_loads_in_both_shapes(tmp_path: Path) -> None:
    doc = [raw(), raw("Other", params_b=3, notes="  a note  ", backends=[])]
    for shape in ({"models": doc}, doc):
        entries = load_catalog(str(write(tmp_path, shape)))
        assert names(entries) == ["My Model", "Other"]
        assert entries[0].notes == "" and entries[1].notes == "a note"
        assert entries[1].params_b == 3.0 and isinstance(entries[1].params_b, float)
        assert entries[0].backends == ("encoder",) and entries[1].backends == ()
    assert load_catalog(write(tmp_path, {"models": []})) == ()  # os.PathLike works too


def assert_one_line_error(path: Path, *parts: str) -> None:
    with pytest.raises(UsageError) as info:
        load_catalog(str(path))
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    for part in parts:
        assert part in message, (part, message)


REQUIRED = [f.name for f in fields(ModelEntry) if f.name != "notes"]


@pytest.mark.parametrize("key", REQUIRED)
def test_missing_key_is_named(tmp_path: Path, key: str) -> None:
    bad = raw("Broken")
    del bad[key]
    path = write(tmp_path, {"models": [raw(), bad]})
    label = "models[1] ('Broken')" if key != "name" else "models[1]"
    assert_one_line_error(path, label, "missing key", repr(key))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("name", ""),
        ("family", 3),
        ("org", None),
        ("architecture", "decoder"),
        ("architecture", "Encoder-Only"),
        ("params_b", "0.1"),
        ("params_b", -1),
        ("params_b", True),
        ("context", 512.0),
        ("context", 0),
        ("context", "512"),
        ("licence", ["MIT"]),
        ("open_weights", "yes"),
        ("open_weights", 1),
        ("backends", "encoder"),
        ("backends", ["gpu"]),
        ("backends", ["encoder", "encoder"]),
        ("spec", ""),
        ("spec", 5),
        ("use", "tune"),
        ("year", "2025"),
        ("year", 25),
        ("notes", ["a"]),
    ],
)
def test_wrong_value_is_named(tmp_path: Path, key: str, value: Any) -> None:
    bad = raw("Broken")
    bad[key] = value
    path = write(tmp_path, {"models": [raw(), bad]})
    label = "models[1] ('Broken')" if key != "name" else "models[1]"
    assert_one_line_error(path, label, f"key {key!r}")


def test_unknown_key_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, {"models": [raw(), raw("Broken", parameters=7)]})
    assert_one_line_error(path, "models[1] ('Broken')", "unknown key 'parameters'")


@pytest.mark.parametrize(
    ("doc", "parts"),
    [
        ({"models": [raw(), raw()]}, ("models[1] ('My Model')", "'name'", "duplicate")),
        ({"models": [raw(), "just a name"]}, ("models[1]", "mapping")),
        ({"entries": [raw()]}, ("unknown top-level key 'entries'",)),
        ({}, ("missing top-level key 'models'",)),
        ({"models": {"name": "x"}}, ("list",)),
        ("hello", ("list",)),
    ],
)
def test_malformed_structure_is_named(tmp_path: Path, doc: Any, parts: tuple[str, ...]) -> None:
    assert_one_line_error(write(tmp_path, doc), *parts)


def test_invalid_yaml_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("models:\n  - name: [unclosed\n", encoding="utf-8")
    assert_one_line_error(path, "invalid YAML")
    assert_one_line_error(tmp_path / "absent.yaml", "not found")
