"""Results sections of the free-text task types: outputs beside their references, and the
self-consistency curve.

- ``outputs``: for the first test examples every approach scored, the input, the
  reference and each approach's output (the raw generation of a prompted approach, with
  the answer read from it), plus each approach's mean output/reference length ratio
  with its interval.
- ``self_consistency``: for a self-consistency result with ``k`` sampled chains, the
  exact match of the majority vote over the first 1, 3, 5, ... chains (each with its
  interval) and the cost per correct answer: the cost of one example at that many
  chains over the exact match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from taskfit.metrics.quality import mean_interval
from taskfit.prompting.text import vote
from taskfit.tasks.scores import PER_EXAMPLE, length_ratios
from taskfit.types import ApproachMetrics, Dataset, UnitResult

__all__ = ["outputs_section", "self_consistency_section"]

# Test examples shown side by side.
SHOWN = 8


def outputs_section(
    dataset: Dataset, results: Sequence[UnitResult], metric: str, *, seed: int = 0
) -> dict[str, Any]:
    """The ``outputs`` section; ``metric`` (the headline) scores each shown output."""
    shared = set.intersection(*(set(r.test_indices) for r in results)) if results else set()
    shown = sorted(shared)[:SHOWN]
    examples = []
    for i in shown:
        ex = dataset.test[i]
        outputs = {}
        for r in results:
            k = r.test_indices.index(i)
            raw = r.prompting.get("outputs")
            answer = r.predictions[k]
            outputs[r.name] = {
                "output": raw[k] if raw else answer,
                "answer": answer,
                "score": float(PER_EXAMPLE[metric]([ex.target], [answer])[0]),
            }
        examples.append({"index": i, "input": ex.text, "reference": ex.target, "outputs": outputs})
    lengths = {}
    for r in results:
        truth = [dataset.test[i].target for i in r.test_indices]
        if truth:
            ratios = length_ratios(truth, list(r.predictions))
            lengths[r.name] = mean_interval(ratios, seed=seed).to_json()
    return {"metric": metric, "examples": examples, "length_ratio": lengths}


def self_consistency_section(
    dataset: Dataset,
    results: Sequence[UnitResult],
    metrics: Mapping[str, ApproachMetrics],
    *,
    seed: int = 0,
) -> dict[str, Any]:
    """The ``self_consistency`` section of every result that sampled several chains."""
    out: dict[str, Any] = {}
    for r in results:
        samples: list[list[str | None]] = r.prompting.get("samples") or []
        if not samples:
            continue
        k_max = min(len(s) for s in samples)
        truth = [dataset.test[i].target for i in r.test_indices]
        per_example_usd = metrics[r.name].cost_per_1k_usd / 1000 if r.name in metrics else 0.0
        points = []
        for k in [k for k in range(1, k_max + 1) if k % 2 == 1 or k == k_max]:
            answers = [vote(s[:k]) or "" for s in samples]
            em = mean_interval(PER_EXAMPLE["exact_match"](truth, answers), seed=seed)
            cost = per_example_usd * k / k_max
            points.append(
                {
                    "k": k,
                    "exact_match": em.to_json(),
                    "usd_per_example": cost,
                    "usd_per_correct": cost / em.value if em.value > 0 else None,
                }
            )
        out[r.name] = {
            "samples": k_max,
            "temperature": r.prompting.get("temperature"),
            "n": len(truth),
            "points": points,
        }
    return out
