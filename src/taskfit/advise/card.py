"""The YAML task card and ``--set fact=yes`` answers: user input, checked at the edge.

What: :func:`load_card` reads a task card into a frozen :class:`TaskCard`;
:func:`parse_answers` turns ``["ood=yes", "many_tasks=no"]`` into answers. A card is a flat
mapping; every key is optional:

.. code-block:: yaml

    task_type: classification       # one of TASK_TYPES
    description: route support tickets to a team
    ood: yes                        # any fact name, true/false (yes/no)
    spurious_correlations: no
    budget_per_1k: 0.5              # USD per 1,000 predictions
    latency_p95_ms: 200             # p95 latency the deployment must meet
    on_prem: true                   # the data must stay on the premises
    replacing_finetuned: false      # replacing a well-performing fine-tuned model
    hardware: cpu                   # cpu | gpu: what is there to serve a model
    unlabeled: 50000                # size of an unlabeled pool (for distillation)

Why: every mistake in a card must fail at once with one line naming the file, the key and
what was expected (:class:`~taskfit.errors.UsageError`, exit code 2), never deep inside
the advice. ``null`` means "not given" for every key.

>>> from taskfit.advise.card import parse_answers
>>> parse_answers(["ood=yes", "few_labels=n"])
{'ood': True, 'few_labels': False}
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from taskfit.advise.facts import TASK_TYPES
from taskfit.advise.flows import FACTS
from taskfit.errors import UsageError
from taskfit.jsonable import JsonFields

__all__ = [
    "CARD_KEYS",
    "DEPLOYMENT_KEYS",
    "HARDWARE",
    "Deployment",
    "TaskCard",
    "card_from_mapping",
    "load_card",
    "parse_answers",
    "parse_bool",
    "parse_yaml",
    "read_yaml_file",
]

Hardware = Literal["cpu", "gpu"]
HARDWARE: tuple[str, ...] = ("cpu", "gpu")
DEPLOYMENT_KEYS: tuple[str, ...] = (
    "budget_per_1k",
    "latency_p95_ms",
    "on_prem",
    "replacing_finetuned",
    "hardware",
    "unlabeled",
)
CARD_KEYS: tuple[str, ...] = ("task_type", "description", *FACTS, *DEPLOYMENT_KEYS)

_TRUE = ("yes", "y", "true", "1")
_FALSE = ("no", "n", "false", "0")


@dataclass(frozen=True)
class Deployment:
    """Deployment constraints (the blog's reasons not to serve a big prompted model).

    ``None`` / ``False`` mean "not given"."""

    budget_per_1k: float | None = None
    latency_p95_ms: float | None = None
    on_prem: bool = False
    replacing_finetuned: bool = False
    hardware: Hardware | None = None
    unlabeled: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in DEPLOYMENT_KEYS}


@dataclass(frozen=True)
class TaskCard(JsonFields):
    """A validated task card. ``facts`` holds only the facts the card answers."""

    task_type: str | None = None
    description: str = ""
    facts: Mapping[str, bool] = field(default_factory=dict)
    deployment: Deployment = field(default_factory=Deployment)
    path: str | None = None


def parse_bool(value: object) -> bool | None:
    """``True``/``False`` for a boolean or one of yes/no/true/false/1/0/y/n (any case);
    ``None`` for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    return None


def parse_answers(items: Iterable[str]) -> dict[str, bool]:
    """Answers from ``fact=value`` strings (also comma-separated within one string).

    Values: yes/no/true/false/1/0/y/n. An unknown fact, a bad value, a missing ``=`` or
    two different answers to one fact raise :class:`UsageError`.
    """
    out: dict[str, bool] = {}
    for item in items:
        for part in item.split(","):
            if not part.strip():
                continue
            name, sep, raw = (s.strip() for s in part.partition("="))
            if not sep or not name:
                raise UsageError(f"expected fact=yes or fact=no, got {part.strip()!r}")
            if name not in FACTS:
                raise UsageError(
                    f"unknown fact {name!r}{_hint(name, FACTS)}; facts: {', '.join(FACTS)}"
                )
            value = parse_bool(raw)
            if value is None:
                raise UsageError(f"fact {name!r}: expected yes/no/true/false/1/0/y/n, got {raw!r}")
            if name in out and out[name] != value:
                raise UsageError(f"fact {name!r} answered twice with different values")
            out[name] = value
    return out


def load_card(path: str | os.PathLike[str]) -> TaskCard:
    """Read and validate the YAML task card at ``path``.

    Raises :class:`UsageError` (one line, naming the file) when the file is missing or
    unreadable, is not valid YAML, is not a mapping, has an unknown key or a value of the
    wrong type.
    """
    file, doc = read_yaml_file(
        path, missing="task card not found", unreadable="cannot read the task card"
    )
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise UsageError(
            f"a task card must be a mapping of keys to values, got {_kind(doc)}", file=file
        )
    return card_from_mapping(doc, file=file)


def read_yaml_file(
    path: str | os.PathLike[str], *, missing: str, unreadable: str
) -> tuple[str, Any]:
    """``path`` as a string and its parsed YAML document.

    A missing file raises :class:`UsageError` with ``missing``, an unreadable one with
    ``unreadable`` and the reason, invalid YAML with the parser's message; each names
    the file.
    """
    file = os.fspath(path)
    try:
        with open(file, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError as exc:
        raise UsageError(missing, file=file) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{unreadable}: {exc}", file=file) from exc
    return file, parse_yaml(text, file)


def parse_yaml(text: str, file: str) -> Any:
    """The YAML document in ``text``; invalid YAML raises :class:`UsageError` naming
    ``file``."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UsageError(f"invalid YAML: {' '.join(str(exc).split())}", file=file) from exc


def card_from_mapping(doc: Mapping[Any, Any], *, file: str | None = None) -> TaskCard:
    """Validate an already-parsed card; ``file`` names it in error messages."""
    for key in doc:
        if not isinstance(key, str) or key not in CARD_KEYS:
            raise UsageError(
                f"unknown key {key!r}{_hint(key, CARD_KEYS)}; allowed keys: {', '.join(CARD_KEYS)}",
                file=file,
            )
    values = {k: v for k, v in doc.items() if v is not None}

    def get(key: str, check: Callable[[Any], Any], expected: str) -> Any:
        if key not in values:
            return None
        result = check(values[key])
        if result is None:
            raise UsageError(
                f"key {key!r}: expected {expected}, got {_kind(values[key])} {_short(values[key])}",
                file=file,
            )
        return result

    task_type = get("task_type", _choice(TASK_TYPES), f"one of: {', '.join(TASK_TYPES)}")
    description = get("description", _string, "a string") or ""
    facts = {
        name: get(name, parse_bool, "true or false (yes/no)") for name in FACTS if name in values
    }
    deployment = Deployment(
        budget_per_1k=get("budget_per_1k", _number(0.0), "a number >= 0 (USD per 1k)"),
        latency_p95_ms=get("latency_p95_ms", _number(0.0, strict=True), "a number > 0 (ms)"),
        on_prem=bool(get("on_prem", parse_bool, "true or false (yes/no)")),
        replacing_finetuned=bool(get("replacing_finetuned", parse_bool, "true or false (yes/no)")),
        hardware=cast(Hardware | None, get("hardware", _choice(HARDWARE), "cpu or gpu")),
        unlabeled=get("unlabeled", _count, "an integer >= 0"),
    )
    return TaskCard(task_type, description, facts, deployment, file)


# ----------------------------------------------------------------------------- checkers
# Each returns the accepted value, or None when the value is wrong.


def _string(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _choice(allowed: tuple[str, ...]) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        return v.strip().lower() if isinstance(v, str) and v.strip().lower() in allowed else None

    return check


def _number(low: float, *, strict: bool = False) -> Callable[[Any], float | None]:
    def check(v: Any) -> float | None:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            return None
        ok = v > low if strict else v >= low
        return float(v) if ok else None

    return check


def _count(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else None


def _kind(v: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}
    return names.get(type(v), type(v).__name__)


def _short(v: Any) -> str:
    shown = repr(v)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _hint(name: object, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(name), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
