"""What the trust sections add to a recommendation: reasons and warnings that weigh the
chosen approach's calibration, robustness, OOD accuracy, shortcuts, selective prediction
and group gaps against the alternatives (section 5 of the practical guide: an approach
that wins on the i.i.d. test set may lose once inputs shift or when its confidence is
used to route work).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from taskfit.recommend.choice import NO_COMMON_PREFIX
from taskfit.types import Recommendation

__all__ = ["with_trust"]

# Thresholds for raising a warning: a drop or gap this large is worth a reader's time.
_POINTS = 0.05  # accuracy points (5) for OOD gaps and perturbation drops
_ECE = 0.10
_BIAS = 0.20
_GROUP_GAP = 0.10


def _by_name(section: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    if not section:
        return {}
    return {row["name"]: row for row in section.get("approaches", [])}


def _pts(x: float) -> str:
    return f"{100 * x:.1f} points"


def _ood(
    choice: str,
    section: Mapping[str, Any],
    reasons: list[str],
    warns: list[str],
    *,
    said_who_wins: bool = False,
) -> None:
    rows = _by_name(section)
    mine = rows.get(choice)
    if mine is None:
        return
    gap, ood_acc = mine["gap"], mine["ood_accuracy"]["value"]
    reasons.append(
        f"out of distribution ({section['source']}): {choice} goes from "
        f"{mine['id_accuracy']['value']:.3f} to {ood_acc:.3f} (gap {_pts(gap['value'])}, "
        f"[{100 * gap['ci_low']:.1f}, {100 * gap['ci_high']:.1f}], n={mine['n_ood']})"
    )
    best = max(rows.values(), key=lambda r: r["ood_accuracy"]["value"])
    if said_who_wins:
        return  # the choice rule already named the winner of each set
    if best["name"] != choice and best["ood_accuracy"]["ci_low"] > ood_acc:
        warns.append(
            f"{choice} wins in distribution but loses {_pts(gap['value'])} out of distribution, "
            f"where {best['name']} does better ({best['ood_accuracy']['value']:.3f} vs "
            f"{ood_acc:.3f}); the OOD gap matters when production inputs drift from the "
            "training data (new products, new wording): if yours will, weigh "
            f"{best['name']} or add training data like the OOD set"
        )
    elif gap["ci_low"] > _POINTS:
        warns.append(
            f"{choice} loses {_pts(gap['value'])} out of distribution; expect lower accuracy "
            "when inputs drift from the training data"
        )


def _robust(choice: str, section: Mapping[str, Any], reasons: list[str], warns: list[str]) -> None:
    mine = _by_name(section).get(choice)
    if not mine or not mine["perturbations"]:
        return
    worst = max(mine["perturbations"], key=lambda p: p["drop"]["value"])
    reasons.append(
        f"robustness: {choice}'s largest drop is under {worst['kind']}: "
        f"{_pts(worst['drop']['value'])} "
        f"[{100 * worst['drop']['ci_low']:.1f}, {100 * worst['drop']['ci_high']:.1f}], "
        f"{100 * worst['flip_rate']:.0f}% of predictions flip"
    )
    if worst["drop"]["ci_low"] > _POINTS:
        warns.append(
            f"{choice} is fragile under {worst['kind']} ({_pts(worst['drop']['value'])} lost); "
            "if real inputs look like that, add such examples to training or normalise inputs"
        )


def _calibration(
    choice: str, section: Mapping[str, Any], reasons: list[str], warns: list[str]
) -> None:
    mine = _by_name(section).get(choice)
    if not mine:
        return
    ece = mine["uncalibrated"]["ece_width"]
    temp = mine.get("temperature")
    after = (
        f"; after temperature scaling (t={temp['t']:.2f}) {temp['after']['ece_width']:.3f}"
        if temp
        else ""
    )
    reasons.append(f"calibration: {choice}'s expected calibration error is {ece:.3f}{after}")
    if ece > _ECE:
        fix = f"apply the fitted temperature t={temp['t']:.2f}" if temp else "recalibrate it"
        warns.append(
            f"{choice}'s confidence is off by {ece:.2f} on average (ECE); before routing work "
            f"on it, {fix}"
        )


def _selective(choice: str, section: Mapping[str, Any], reasons: list[str]) -> None:
    target = section.get("target_accuracy")
    rows = _by_name(section)
    mine = rows.get(choice)
    if mine is None or target is None:
        return
    cov = mine["coverage_at_target"] or 0.0
    best = max(rows.values(), key=lambda r: r["coverage_at_target"] or 0.0)
    text = (
        f"selective prediction: {choice} answers every input at accuracy >= {target:g}"
        if cov >= 1
        else f"selective prediction: {choice} keeps {100 * cov:.0f}% of inputs at accuracy >= "
        f"{target:g} and defers the rest"
    )
    if best["name"] != choice and (best["coverage_at_target"] or 0.0) > cov:
        text += f"; {best['name']} keeps {100 * (best['coverage_at_target'] or 0.0):.0f}%"
    reasons.append(text)


def _shortcuts(choice: str, section: Mapping[str, Any], warns: list[str]) -> None:
    for row in section.get("masked", []):
        if row["name"] == choice and row["drop"]["ci_low"] > 3 * _POINTS:
            warns.append(
                f"{choice} loses {_pts(row['drop']['value'])} when the "
                f"{len(section['masked_tokens'])} most label-predictive training words are "
                "masked (listed under shortcuts): its accuracy rests on those words; check that "
                "they are real cues and not artefacts of how the data was collected"
            )
    for row in section.get("prompt_bias", []):
        lb = row["label_bias"]
        if row["name"] == choice and lb["top_excess"] > _BIAS:
            warns.append(
                f"{choice} over-predicts {lb['top_label']!r} by {_pts(lb['top_excess'])} "
                "(majority-label bias); contextual calibration or more balanced demonstrations help"
            )


def _groups(choice: str, section: Mapping[str, Any], warns: list[str]) -> None:
    mine = _by_name(section).get(choice)
    if mine and mine["worst_gap"] > _GROUP_GAP:
        warns.append(
            f"{choice}'s accuracy differs by {_pts(mine['worst_gap'])} across "
            f"{section['column']} groups (worst: {mine['worst_group']!r})"
        )


def with_trust(rec: Recommendation, doc: Mapping[str, Any]) -> Recommendation:
    """``rec`` with reasons and warnings from the trust sections present in ``doc``."""
    reasons: list[str] = []
    warns: list[str] = []
    choice = rec.choice
    if doc.get("ood"):
        said = any(w.startswith(NO_COMMON_PREFIX) for w in rec.warnings)
        _ood(choice, doc["ood"], reasons, warns, said_who_wins=said)
    if doc.get("robustness"):
        _robust(choice, doc["robustness"], reasons, warns)
    if doc.get("calibration"):
        _calibration(choice, doc["calibration"], reasons, warns)
    if doc.get("selective"):
        _selective(choice, doc["selective"], reasons)
    if doc.get("shortcuts"):
        _shortcuts(choice, doc["shortcuts"], warns)
    if doc.get("groups"):
        _groups(choice, doc["groups"], warns)
    return replace(rec, reasons=(*rec.reasons, *reasons), warnings=(*rec.warnings, *warns))
