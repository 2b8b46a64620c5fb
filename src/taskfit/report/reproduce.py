"""The command line that repeats a run, rebuilt from its results document.

What: :func:`command_line` turns ``settings`` (and ``task`` for the data files and
columns) back into ``taskfit compare`` / ``demo`` / ``curve`` / ``distill`` flags,
leaving out flags at their command-line default, and lists what the document does not
record or no flag can express, so that a reader knows where the line may differ.

Why: a report is only reproducible when it says exactly how to get it again; a line
that silently drops a setting would be worse than none.

>>> doc = {"task": {"source": "demo:train.csv", "test_source": "demo:test.csv",
...        "columns": {"text": "text", "label": "intent"}, "notes": []},
...        "settings": {"llms": ["smollm2"], "approaches": ["zero-shot"], "seed": 3,
...        "approaches_from_advice": False}}
>>> command_line(doc)[0]
'taskfit demo --approaches zero-shot --llm smollm2 --seed 3'
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from taskfit.backends.redact import MASK, redact_text

__all__ = ["CLI_DEFAULTS", "TRUST_DEFAULTS", "command_line"]

# Defaults of the command-line flags (the same as CompareOptions, CurveOptions and
# DistillOptions; a unit test holds them together). A setting equal to its default is
# left out of the line.
CLI_DEFAULTS: dict[str, Any] = {
    "shots": 8,
    "prompt_format": "auto",
    "dev_size": 64,
    "samples": 5,
    "temperature": 0.7,
    "seed": 0,
    "encoder": "minilm",
    "usd_per_hour": 0.10,
    "usd_per_label": 0.10,
    "horizon_months": 12.0,
    "max_accuracy_loss": 1.0,
    "setfit_per_class": 16,
    "curve_seeds": 5,
    "distill_seeds": 3,
    "teacher": "zero-shot",
    "gold": 0,
}
# TrustOptions fields without a flag of their own, at their defaults.
TRUST_DEFAULTS: dict[str, Any] = {
    "n_bins": 15,
    "dev_share": 0.2,
    "ood_share": 0.2,
    "n_orders": 3,
    "bias_max_test": 100,
    "shortcut_tokens": 3,
}
_TRUST_MAX_TEST = 100
_ALL_TRUST = ("calibration", "robustness", "ood", "shortcuts", "selective")
_DEMO_OOD = "demo:ood_test.csv"
# Settings of every command and their flags, in the order of the flags on the line;
# each is left out at its default.
_COMMON_FLAGS = (
    ("shots", "--shots"),
    ("prompt_format", "--prompt-format"),
    ("dev_size", "--dev-size"),
    ("samples", "--samples"),
    ("temperature", "--temperature"),
    ("max_test", "--max-test"),
    ("seed", "--seed"),
    ("encoder", "--encoder"),
    ("label_descriptions", "--label-descriptions"),
    ("usd_per_hour", "--usd-per-hour"),
    ("usd_per_label", "--usd-per-label"),
    ("horizon_months", "--horizon-months"),
    ("max_accuracy_loss", "--max-accuracy-loss"),
    ("volume_per_month", "--volume-per-month"),
    ("price_file", "--price-file"),
)


class _Line:
    def __init__(self, *words: str) -> None:
        self.words = list(words)

    def add(self, flag: str, value: Any = None) -> None:
        self.words.append(flag)
        if value is not None:
            self.words.append(_fmt(value))

    def differs(self, s: Mapping[str, Any], key: str, flag: str, default_key: str = "") -> None:
        value = s.get(key)
        if value is not None and value != CLI_DEFAULTS.get(default_key or key):
            self.add(flag, value)

    def __str__(self) -> str:
        return shlex.join(self.words)


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def _is_demo(task: Mapping[str, Any]) -> bool:
    return str(task.get("source", "")).startswith("demo:")


def _data(line: _Line, task: Mapping[str, Any], caveats: list[str]) -> None:
    """DATA, --test, the columns and --drop-empty of a run on the user's files."""
    cols = task.get("columns") or {}
    line.words.append(str(task.get("source", "")))
    if task.get("type") not in (None, "classification"):
        line.add("--task", task["type"])
    line.add("--text", cols.get("text"))
    line.add("--label", cols.get("label"))
    if cols.get("text_pair"):
        line.add("--text-pair", cols["text_pair"])
    if task.get("test_source"):
        line.add("--test", task["test_source"])
    else:
        caveats.append("the test share of the split (--test-size) is not recorded; default 0.3")
    notes = [str(n) for n in task.get("notes") or []]
    if any(n.startswith("dropped ") and "with empty" in n for n in notes):
        line.add("--drop-empty")
    caveats.append("file paths are as given when the run started, relative to its folder")


def _common(line: _Line, s: Mapping[str, Any], llms: bool = True) -> None:
    if llms:
        for spec in s.get("llms") or []:
            line.add("--llm", redact_text(str(spec)))  # older curve runs recorded specs as given
    for key, flag in _COMMON_FLAGS:
        line.differs(s, key, flag)


def _trust(line: _Line, t: Mapping[str, Any], demo: bool, seed: Any, caveats: list[str]) -> None:
    measures = set(t.get("measures") or ())
    if set(_ALL_TRUST) <= measures:
        line.add("--trust")
    else:
        for m in _ALL_TRUST:
            if m in measures:
                line.add(f"--{m}")
    if "groups" in measures and not t.get("group_col"):
        line.add("--groups")
    if t.get("perturbations"):
        line.add("--perturbations", t["perturbations"])
    for key in ("export_perturbed", "group_col", "target_accuracy"):
        if t.get(key) is not None:
            line.add("--" + key.replace("_", "-"), t[key])
    if t.get("ood_test") and not (demo and t["ood_test"] == _DEMO_OOD):
        line.add("--ood-test", t["ood_test"])
    if measures and t.get("llm_max_test") != _TRUST_MAX_TEST:
        if t.get("llm_max_test") is None:
            caveats.append("trust test sets were not capped for LLMs (no flag does that)")
        else:
            line.add("--trust-max-test", t["llm_max_test"])
    if measures and t.get("perturb_seed", seed) != seed:
        caveats.append(f"perturbation seed {t['perturb_seed']} differs from --seed")
    odd = [f"{k}={t[k]}" for k, v in TRUST_DEFAULTS.items() if k in t and t[k] != v]
    if odd:
        caveats.append(f"trust settings without a flag: {', '.join(odd)}")


def _compare(doc: Mapping[str, Any], s: Mapping[str, Any], caveats: list[str]) -> str:
    demo = _is_demo(doc["task"])
    line = _Line("taskfit", "demo" if demo else "compare")
    if not demo:
        _data(line, doc["task"], caveats)
    if not s.get("approaches_from_advice"):
        line.add("--approaches", s.get("approaches") or [])
    _common(line, s)
    line.differs(s, "latency_p95_ms", "--latency-p95-ms")
    line.differs(s, "budget_per_1k", "--budget-per-1k")
    line.differs(s, "card", "--card")
    for name, value in (s.get("answers") or {}).items():
        line.add("--set", f"{name}={_fmt(bool(value))}")
    if s.get("on_prem"):
        line.add("--on-prem")
    if s.get("setfit_per_class", 16) != CLI_DEFAULTS["setfit_per_class"]:
        caveats.append(f"setfit_per_class={s['setfit_per_class']} has no flag")
    _trust(line, s.get("trust") or {}, demo, s.get("seed", 0), caveats)
    return str(line)


def _sweep(doc: Mapping[str, Any], s: Mapping[str, Any], caveats: list[str]) -> str:
    command = s["command"]
    line = _Line("taskfit", command)
    if _is_demo(doc["task"]):
        line.add("--demo")
    else:
        _data(line, doc["task"], caveats)
    if command == "curve":
        line.add("--approaches", s.get("approaches") or [])
        line.add("--prompted", s.get("prompted") or [])
        if s.get("budgets"):
            line.add("--budgets", s["budgets"])
        if s.get("budget_unit") == "per_class":
            line.add("--per-class")
        seeds: Sequence[Any] = s.get("seeds") or []
        if len(seeds) != CLI_DEFAULTS["curve_seeds"]:
            line.add("--seeds", len(seeds))
        _common(line, s, llms=bool(s.get("prompted")))
    else:
        if s.get("unlabeled"):
            line.add("--unlabeled", s["unlabeled"])
        if s.get("from_train"):
            line.add("--from-train")
        line.differs(s, "teacher", "--teacher")
        line.add("--students", s.get("students") or [])
        line.differs(s, "min_confidence", "--min-confidence")
        line.differs(s, "gold", "--gold")
        if s.get("sizes"):
            line.add("--sizes", s["sizes"])
        line.differs(s, "seeds", "--seeds", "distill_seeds")
        _common(line, s)
    return str(line)


def command_line(doc: Mapping[str, Any]) -> tuple[str, list[str]]:
    """``(command, caveats)``: the ``taskfit`` command that repeats the run with the
    recorded settings, and what it cannot restore. Options only the Python API takes
    (backend options) are never recorded; that caveat is always listed. Credentials in an
    endpoint URL are never recorded either: the line shows them as ``***``."""
    s = doc.get("settings") or {}
    caveats: list[str] = []
    if s.get("command") in ("curve", "distill"):
        line = _sweep(doc, s, caveats)
    else:
        line = _compare(doc, s, caveats)
    if any(MASK in redact_text(str(spec)) for spec in s.get("llms") or []):
        caveats.append(
            f"credentials in an endpoint URL are never recorded: put them back where {MASK} "
            "stands in --llm (or give the key in OPENAI_API_KEY)"
        )
    caveats.append("backend options passed from Python are not recorded")
    return line, caveats
