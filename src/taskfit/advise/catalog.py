"""The model catalog: model families from the paper's Table 1 and their successors.

What: :func:`load_catalog` reads ``catalog.yaml`` (shipped with taskfit, or a user's own file
in the same format) into frozen :class:`ModelEntry` records; :func:`filter_models` narrows
them down (typical use, architecture, open weights, size, context, laptop CPU, free text);
:func:`fits_cpu` states the laptop-CPU rule.

Why: a recommendation ("fine-tune a small encoder", "prompt an LLM") is only actionable with
concrete candidates, their licence and a way to run them in taskfit (``spec``/``backends``).
Keeping the catalog as data lets it be updated, or replaced with ``--catalog``, without code.

Every entry is validated when loaded, including user files: an unknown or missing key, a
wrong type or an unknown architecture/use raises :class:`~taskfit.errors.UsageError` with one
line naming the file, the entry (``models[3] ('T5 base')``) and the key.

>>> from taskfit.advise.catalog import filter_models, load_catalog
>>> local = filter_models(load_catalog(), use="prompt", open_weights=True, cpu_only=True)
>>> "smollm2" in {e.spec for e in local}
True
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal, get_args

from taskfit.advise.card import parse_yaml, read_yaml_file
from taskfit.errors import UsageError

__all__ = [
    "ARCHITECTURES",
    "BACKENDS",
    "CPU_MAX_DECODER_PARAMS_B",
    "CPU_MAX_ENCODER_DECODER_PARAMS_B",
    "USES",
    "ModelEntry",
    "filter_models",
    "fits_cpu",
    "load_catalog",
]

Architecture = Literal["encoder-only", "encoder-decoder", "decoder-only"]
Use = Literal["prompt", "finetune"]

ARCHITECTURES: tuple[str, ...] = get_args(Architecture)
USES: tuple[str, ...] = get_args(Use)
BACKENDS: tuple[str, ...] = ("llamacpp", "openai", "encoder")

# The laptop-CPU rule of :func:`fits_cpu` (billions of parameters).
CPU_MAX_DECODER_PARAMS_B = 4.0
CPU_MAX_ENCODER_DECODER_PARAMS_B = 1.0

_PACKAGED = "taskfit/advise/catalog.yaml"


@dataclass(frozen=True)
class ModelEntry:
    """One model at one size, as listed in the catalog.

    ``params_b`` is 0 when the vendor does not disclose it (API-only models); for a
    mixture of experts it is the total and ``notes`` give the active parameters.
    ``spec`` runs the model in taskfit as is (``smollm2``, ``minilm``, ``openai:MODEL``);
    ``None`` means it needs a local file or a server (``notes`` say how).
    """

    name: str
    family: str
    org: str
    architecture: Architecture
    params_b: float
    context: int
    licence: str
    open_weights: bool
    backends: tuple[str, ...]
    spec: str | None
    use: Use
    year: int
    notes: str = ""


# ------------------------------------------------------------------------------ validation
# Each checker returns None when the value is fine, else what it must be.
Checker = Callable[[Any], str | None]


def _text(v: Any) -> str | None:
    return None if isinstance(v, str) and v.strip() else "must be a non-empty string"


def _optional_text(v: Any) -> str | None:
    return None if isinstance(v, str) else "must be a string"


def _one_of(allowed: tuple[str, ...]) -> Checker:
    def check(v: Any) -> str | None:
        return None if v in allowed else f"must be one of: {', '.join(allowed)}"

    return check


def _params(v: Any) -> str | None:
    ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v >= 0
    return None if ok else "must be a number >= 0 (0 = undisclosed)"


def _int_at_least(low: int, high: int | None = None) -> Checker:
    def check(v: Any) -> str | None:
        ok = isinstance(v, int) and not isinstance(v, bool) and v >= low
        if ok and (high is None or v <= high):
            return None
        return f"must be an integer >= {low}" + (f" and <= {high}" if high else "")

    return check


def _bool(v: Any) -> str | None:
    return None if isinstance(v, bool) else "must be true or false"


def _backends(v: Any) -> str | None:
    ok = (
        isinstance(v, list)
        and all(isinstance(b, str) and b in BACKENDS for b in v)
        and len(set(v)) == len(v)
    )
    return None if ok else f"must be a list without repeats drawn from: {', '.join(BACKENDS)}"


def _spec(v: Any) -> str | None:
    return None if v is None or (isinstance(v, str) and v.strip()) else "must be a spec or null"


_CHECKS: dict[str, Checker] = {
    "name": _text,
    "family": _text,
    "org": _text,
    "architecture": _one_of(ARCHITECTURES),
    "params_b": _params,
    "context": _int_at_least(1),
    "licence": _text,
    "open_weights": _bool,
    "backends": _backends,
    "spec": _spec,
    "use": _one_of(USES),
    "year": _int_at_least(1990, 2100),
    "notes": _optional_text,
}
_OPTIONAL = frozenset({"notes"})


def _short(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _entry(raw: Any, index: int, file: str) -> ModelEntry:
    name = raw.get("name") if isinstance(raw, dict) else None
    where = f"models[{index}]" + (f" ({name!r})" if isinstance(name, str) and name else "")
    if not isinstance(raw, dict):
        raise UsageError(f"{where}: must be a mapping of keys, got {_short(raw)}", file=file)
    for key in raw:
        if key not in _CHECKS:
            raise UsageError(
                f"{where}: unknown key {key!r}; valid keys: {', '.join(_CHECKS)}", file=file
            )
    for key, check in _CHECKS.items():
        if key not in raw:
            if key in _OPTIONAL:
                continue
            raise UsageError(f"{where}: missing key {key!r}", file=file)
        problem = check(raw[key])
        if problem is not None:
            raise UsageError(f"{where}, key {key!r}: {problem}, got {_short(raw[key])}", file=file)
    values = dict(raw)
    values["params_b"] = float(values["params_b"])
    values["backends"] = tuple(values["backends"])
    values["notes"] = values.get("notes", "").strip()
    for key in ("name", "family", "org", "licence"):
        values[key] = values[key].strip()
    return ModelEntry(**values)


def _parse(doc: Any, file: str) -> tuple[ModelEntry, ...]:
    if isinstance(doc, dict):
        extra = [k for k in doc if k != "models"]
        if extra:
            raise UsageError(f"unknown top-level key {extra[0]!r}; expected 'models'", file=file)
        if "models" not in doc:
            raise UsageError("missing top-level key 'models'", file=file)
        doc = doc["models"]
    if not isinstance(doc, list):
        raise UsageError("expected 'models:' followed by a list of entries", file=file)
    entries = tuple(_entry(raw, i, file) for i, raw in enumerate(doc))
    seen: dict[str, int] = {}
    for i, e in enumerate(entries):
        if e.name in seen:
            raise UsageError(
                f"models[{i}] ({e.name!r}), key 'name': duplicate of models[{seen[e.name]}]",
                file=file,
            )
        seen[e.name] = i
    return entries


@lru_cache(maxsize=1)
def _packaged() -> tuple[ModelEntry, ...]:
    text = resources.files("taskfit").joinpath("advise", "catalog.yaml").read_text("utf-8")
    return _parse(parse_yaml(text, _PACKAGED), _PACKAGED)


def load_catalog(path: str | os.PathLike[str] | None = None) -> tuple[ModelEntry, ...]:
    """Entries of the catalog at ``path``, or of the packaged ``catalog.yaml`` when ``None``.

    A user file has the packaged file's format (``models:`` and a list of entries, or just
    the list) and is validated the same way: any problem raises :class:`UsageError` naming
    the file, the entry and the key.

    >>> entries = load_catalog()
    >>> next(e for e in entries if e.spec == "minilm").name
    'all-MiniLM-L6-v2'
    """
    if path is None:
        return _packaged()
    file, doc = read_yaml_file(
        path, missing="catalog file not found", unreadable="cannot read the catalog"
    )
    return _parse(doc, file)


# -------------------------------------------------------------------------------- queries
def fits_cpu(entry: ModelEntry) -> bool:
    """Whether ``entry`` runs at usable speed on a 2-core laptop-class CPU with 16-24 GB RAM.

    A rough rule, by total parameters (every expert of a mixture must sit in memory):

    - the weights must be open and the size disclosed, so API-only models never fit;
    - encoder-only models always fit (the largest listed is ~0.55B parameters);
    - encoder-decoder models fit up to ``CPU_MAX_ENCODER_DECODER_PARAMS_B`` (1B: T5 large);
    - decoder-only models fit when a GGUF exists (``"llamacpp"`` backend) and they have at
      most ``CPU_MAX_DECODER_PARAMS_B`` (4B): quantised to 4 bits that is about 2.5 GB and
      a few tokens per second on two cores, enough for classification-sized answers.

    >>> entries = load_catalog()
    >>> fits_cpu(next(e for e in entries if e.spec == "smollm2"))
    True
    >>> fits_cpu(next(e for e in entries if e.spec == "openai:gpt-4o-mini"))
    False
    """
    if not entry.open_weights or entry.params_b <= 0:
        return False
    if entry.architecture == "encoder-only":
        return True
    if entry.architecture == "encoder-decoder":
        return entry.params_b <= CPU_MAX_ENCODER_DECODER_PARAMS_B
    return "llamacpp" in entry.backends and entry.params_b <= CPU_MAX_DECODER_PARAMS_B


def filter_models(
    entries: Iterable[ModelEntry],
    *,
    use: str | None = None,
    architecture: str | None = None,
    open_weights: bool | None = None,
    max_params_b: float | None = None,
    min_context: int | None = None,
    cpu_only: bool = False,
    text: str | None = None,
) -> tuple[ModelEntry, ...]:
    """The entries that pass every given filter, in catalog order.

    ``None`` (and ``cpu_only=False``) means "do not filter". ``max_params_b`` keeps only
    models of known size: an undisclosed size (``params_b == 0``, API models) is excluded,
    since nothing says it is small enough. ``cpu_only`` applies :func:`fits_cpu`. ``text``
    keeps entries whose name, family, org or notes contain every word of it, ignoring case.

    >>> entries = load_catalog()
    >>> [e.name for e in filter_models(entries, text="modernbert")]
    ['ModernBERT base', 'ModernBERT large']
    >>> all(e.params_b > 0 for e in filter_models(entries, max_params_b=1000))
    True
    """
    if use is not None and use not in USES:
        raise UsageError(f"use must be one of: {', '.join(USES)}; got {use!r}")
    if architecture is not None and architecture not in ARCHITECTURES:
        raise UsageError(
            f"architecture must be one of: {', '.join(ARCHITECTURES)}; got {architecture!r}"
        )
    words = text.casefold().split() if text else []

    def keep(e: ModelEntry) -> bool:
        if use is not None and e.use != use:
            return False
        if architecture is not None and e.architecture != architecture:
            return False
        if open_weights is not None and e.open_weights != open_weights:
            return False
        if max_params_b is not None and not 0 < e.params_b <= max_params_b:
            return False
        if min_context is not None and e.context < min_context:
            return False
        if cpu_only and not fits_cpu(e):
            return False
        haystack = " ".join((e.name, e.family, e.org, e.notes)).casefold()
        return all(w in haystack for w in words)

    return tuple(e for e in entries if keep(e))
