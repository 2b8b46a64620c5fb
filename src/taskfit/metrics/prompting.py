"""Prompted approaches under the microscope: label-prior corrections and collapse.

Two things happen here, both on finished unit results, both without test labels where
predictions are made:

* :func:`derive_corrections` turns every prompted result into corrected variants, named
  ``<approach>+batch-cal@<model>`` (always) and ``<approach>+dev-cal@<model>`` (when the
  result carries its dev-split probabilities): the same answers, with the label
  probabilities divided by the model's label prior (:mod:`taskfit.metrics.prior`) and
  the predictions re-taken from them. They are scored like any other approach, so the
  approaches table shows them and the recommendation may choose them.
* :func:`prompting_section` builds the ``prompting`` section of ``results.json``: per
  prompted approach, the prompt it used and how it was chosen (dev-split candidates),
  each correction against the raw predictions (paired bootstrap interval of the
  accuracy change, McNemar p-value), whether its predictions collapsed onto one label
  (:mod:`taskfit.metrics.collapse`) and what measured alternative did better.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from taskfit.metrics.collapse import (
    MAX_PRED_SHARE,
    MAX_TRUE_SHARE,
    Collapse,
    detect_collapse,
    is_collapsed,
)
from taskfit.metrics.prior import batch_calibrate, batch_prior, dev_calibrate, dev_prior
from taskfit.metrics.quality import accuracy, mcnemar
from taskfit.metrics.robustness import perturbation_score
from taskfit.types import ApproachMetrics, Dataset, UnitResult

__all__ = [
    "CORRECTIONS",
    "Corrected",
    "correction_name",
    "derive_corrections",
    "find_collapses",
    "prompting_section",
    "remedy",
]

# Correction id -> words for a reader, in the order they are derived and shown.
CORRECTIONS: dict[str, str] = {
    "batch-cal": "batch calibration",
    "dev-cal": "dev-split calibration",
}


@dataclass(frozen=True)
class Corrected:
    """A corrected variant (``result``) of the prompted result named ``source``, and the
    label prior it was divided by (label -> probability)."""

    kind: str  # a key of CORRECTIONS
    source: str
    result: UnitResult
    prior: dict[str, float]


def correction_name(r: UnitResult, kind: str) -> str:
    """``zero-shot@qwen`` -> ``zero-shot+batch-cal@qwen`` (no model: ``name+batch-cal``).

    Approach ids never contain "@", so the name splits at its first one; the model part is
    the name's display form (a short name), not necessarily ``r.model``.
    """
    approach, at, model = r.name.partition("@")
    return f"{approach}+{kind}{at}{model}"


def is_derived(name: str) -> bool:
    """Is ``name`` a label-prior corrected variant of a prompted approach?"""
    return any(f"+{kind}" in name for kind in CORRECTIONS)


def _matrix(rows: Sequence[Sequence[float]], k: int) -> np.ndarray | None:
    """Rows as an (n, k) array of usable probabilities, or None."""
    if not rows or any(len(row) != k for row in rows):
        return None
    p = np.asarray(rows, dtype=np.float64)
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        return None
    return p


def _variant(r: UnitResult, kind: str, q: np.ndarray, prior: np.ndarray, how: str) -> Corrected:
    preds = tuple(r.labels[j] for j in q.argmax(axis=1))
    # the prior itself is in the results' prompting section: 77 labels make a long note
    note = (
        f"{CORRECTIONS[kind]} of {r.name}: its label probabilities divided by {how} "
        "and the predictions re-taken; no test labels used, no new LLM calls"
    )
    if r.prompting.get("probabilities") == "parsed":
        note += "; the probabilities are parsed answers (one label each), which it cannot change"
    # ``r`` with the new predictions; the variant made no LLM calls of its own and has
    # no prompting section
    result = replace(
        r,
        unit_key=f"{r.unit_key}+{kind}",
        name=correction_name(r, kind),
        predictions=preds,
        probabilities=tuple(tuple(float(x) for x in row) for row in q),
        llm_calls_made=0,
        llm_calls_cached=0,
        notes=(note,),
        prompting={},
    )
    return Corrected(kind, r.name, result, dict(zip(r.labels, map(float, prior), strict=True)))


def derive_corrections(results: Sequence[UnitResult]) -> list[Corrected]:
    """Batch- and dev-calibrated variants of every prompted result, in input order.

    A result without usable probabilities (none, or rows that do not match its labels)
    gets no variant; the dev-split variant needs ``prompting["dev_probabilities"]``.
    """
    out: list[Corrected] = []
    for r in results:
        if r.family != "prompt" or is_derived(r.name) or len(r.labels) < 2:
            continue
        p = _matrix(r.probabilities, len(r.labels))
        if p is None or len(p) != len(r.predictions):
            continue
        n = len(p)
        out.append(
            _variant(
                r,
                "batch-cal",
                batch_calibrate(p),
                batch_prior(p),
                f"their mean over the {n} unlabelled test inputs",
            )
        )
        dev = _matrix(r.prompting.get("dev_probabilities") or [], len(r.labels))
        if dev is not None:
            out.append(
                _variant(
                    r,
                    "dev-cal",
                    dev_calibrate(p, dev),
                    dev_prior(dev),
                    f"their mean over the {len(dev)} dev-split examples the prompt was chosen on",
                )
            )
    return out


def find_collapses(
    dataset: Dataset,
    results: Sequence[UnitResult],
    *,
    max_pred_share: float = MAX_PRED_SHARE,
    max_true_share: float = MAX_TRUE_SHARE,
) -> dict[str, Collapse]:
    """Approach name -> its collapse, for every result whose predictions collapsed."""
    found: dict[str, Collapse] = {}
    for r in results:
        truth = [dataset.test[i].label for i in r.test_indices]
        c = detect_collapse(
            r.predictions,
            truth,
            r.labels,
            max_pred_share=max_pred_share,
            max_true_share=max_true_share,
        )
        if c is not None:
            found[r.name] = c
    return found


# --------------------------------------------------------------------------- section


def _dev_accuracy(r: UnitResult, candidates: Sequence[Mapping[str, Any]]) -> float | None:
    """Dev accuracy of the chosen prompt: from its dev probabilities when present, else
    the figure of the matching candidate."""
    p = r.prompting
    gold = list(p.get("dev_labels") or [])
    dev = _matrix(p.get("dev_probabilities") or [], len(r.labels))
    if dev is not None and len(dev) == len(gold) and gold:
        return accuracy(gold, [r.labels[j] for j in dev.argmax(axis=1)])
    for c in candidates:
        if c.get("chosen"):
            value = c.get("dev_accuracy")
            return None if value is None else float(value)
    return None


def _candidates(
    r: UnitResult, max_pred_share: float, max_true_share: float
) -> list[dict[str, Any]]:
    """The dev candidates without array fields, each marked ``chosen`` (the prompt used
    on the test set) and ``collapsed`` (on the dev split; without dev labels, a top-label
    share above ``max_pred_share`` alone counts)."""
    p = r.prompting
    gold = list(p.get("dev_labels") or [])
    out = []
    for c in p.get("candidates") or []:
        row = {k: v for k, v in c.items() if not isinstance(v, (list, tuple, dict))}
        row["chosen"] = (c.get("format"), c.get("variant")) == (p.get("format"), p.get("variant"))
        share = c.get("top_label_share")
        true_share = sum(g == c.get("top_label") for g in gold) / len(gold) if gold else 0.0
        if share is None:
            row["collapsed"] = False
        elif not gold:  # no dev labels to compare with: only the plain pile-up counts
            row["collapsed"] = float(share) > max_pred_share
        else:
            row["collapsed"] = is_collapsed(
                float(share),
                true_share,
                max_pred_share=max_pred_share,
                max_true_share=max_true_share,
            )
        out.append(row)
    return out


def _correction(
    dataset: Dataset,
    raw: UnitResult,
    c: Corrected,
    metrics: Mapping[str, ApproachMetrics],
    collapses: Mapping[str, Collapse],
    seed: int,
) -> dict[str, Any]:
    truth = [dataset.test[i].label for i in raw.test_indices]
    fixed = c.result.predictions
    # The paired bootstrap of a perturbation score is exactly the paired interval wanted
    # here: "clean" = the corrected predictions, "perturbed" = the raw ones, so its drop
    # is corrected accuracy minus raw accuracy on the same resampled examples.
    delta = perturbation_score(c.kind, truth, fixed, raw.predictions, n_changed=0, seed=seed).drop
    m = metrics[c.result.name]
    collapse = collapses.get(c.result.name)
    return {
        "name": c.result.name,
        "accuracy": m.accuracy.to_json(),
        "macro_f1": m.macro_f1.to_json(),
        "delta_accuracy": delta.to_json(),
        "p_value": mcnemar(
            [t == p for t, p in zip(truth, raw.predictions, strict=True)],
            [t == p for t, p in zip(truth, fixed, strict=True)],
        ),
        "prior": c.prior,
        "collapse": None if collapse is None else collapse.to_json(),
    }


def _candidate_words(c: Mapping[str, Any], chosen_format: str | None, dev_n: int) -> str:
    fmt, variant = c.get("format"), c.get("variant")
    what = (
        f"the {fmt} format (prompt variant {variant!r})"
        if fmt != chosen_format
        else f"prompt variant {variant!r}"
        + (f" ({c['description']})" if c.get("description") else "")
    )
    return f"{what} scored {float(c['dev_accuracy']):.2f} on the dev split (n={dev_n})"


def _iv(d: Mapping[str, float]) -> str:
    return f"{d['value']:.2f} [{d['ci_low']:.2f}, {d['ci_high']:.2f}]"


def remedy(
    entry: Mapping[str, Any], accuracy_value: float, *, exclude: Collection[str] = ()
) -> str | None:
    """What measured alternative did better than ``accuracy_value``, in words, or None.

    ``entry`` is a prompted approach's entry of the ``prompting`` section. Two kinds of
    alternative count: another dev candidate (format or prompt variant) that did not
    collapse on the dev split and whose dev accuracy beats ``accuracy_value`` (the test
    accuracy the reader sees for the collapsed approach), and a correction that did not
    collapse and is more accurate on the test set (names in ``exclude`` are passed
    over). The best of each kind is named.
    """
    parts: list[str] = []
    better = [
        c
        for c in entry.get("candidates", [])
        if not c.get("chosen")
        and not c.get("collapsed")
        and c.get("dev_accuracy") is not None
        and float(c["dev_accuracy"]) > accuracy_value
    ]
    if better:
        top = max(better, key=lambda c: float(c["dev_accuracy"]))
        parts.append(_candidate_words(top, entry.get("format"), entry.get("dev_n") or 0))
    fixes = [
        (kind, c)
        for kind, c in (entry.get("corrections") or {}).items()
        if c["name"] not in exclude
        and c.get("collapse") is None
        and c["accuracy"]["value"] > accuracy_value
    ]
    if fixes:
        kind, c = max(fixes, key=lambda kc: kc[1]["accuracy"]["value"])
        parts.append(f"{CORRECTIONS.get(kind, kind)}: {_iv(c['accuracy'])} ({c['name']})")
    return "; ".join(parts) or None


def prompting_section(
    dataset: Dataset,
    results: Sequence[UnitResult],
    corrected: Sequence[Corrected],
    metrics: Mapping[str, ApproachMetrics],
    collapses: Mapping[str, Collapse],
    *,
    seed: int = 0,
    max_pred_share: float = MAX_PRED_SHARE,
    max_true_share: float = MAX_TRUE_SHARE,
) -> dict[str, dict[str, Any]]:
    """Prompted approach name -> how its prompt was chosen, its corrections and collapse.

    ``results`` are the raw results (corrected variants are skipped), ``metrics`` holds
    the scored metrics of raw and corrected results alike. A result with an empty
    ``prompting`` record (stored before prompts were chosen on a dev split) gets the
    corrections and the collapse check all the same, with null prompt fields.
    """
    section: dict[str, dict[str, Any]] = {}
    for r in results:
        if r.family != "prompt" or is_derived(r.name) or r.name not in metrics:
            continue
        p = r.prompting
        candidates = _candidates(r, max_pred_share, max_true_share)
        requests = p.get("requests")
        n = len(r.predictions)
        collapse = collapses.get(r.name)
        entry: dict[str, Any] = {
            "format": p.get("format"),
            "variant": p.get("variant"),
            "description": p.get("description"),
            "selected_on_dev": bool(p.get("selected_on_dev", False)),
            "dev_n": int(p.get("dev_n") or 0),
            "dev_accuracy": _dev_accuracy(r, candidates),
            "candidates": candidates,
            "probabilities": p.get("probabilities"),
            "requests_per_example": requests / n if requests is not None and n else None,
            "accuracy": metrics[r.name].accuracy.to_json(),
            "n_test": n,
            "corrections": {
                c.kind: _correction(dataset, r, c, metrics, collapses, seed)
                for c in corrected
                if c.source == r.name and c.result.name in metrics
            },
            "collapse": None if collapse is None else collapse.to_json(),
            "remedy": None,
        }
        if collapse is not None:
            entry["remedy"] = remedy(entry, metrics[r.name].accuracy.value)
        section[r.name] = entry
    return section
