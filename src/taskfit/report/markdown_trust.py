"""Markdown for the trust sections of results.json: calibration, robustness, ood,
shortcuts, selective, groups."""

from __future__ import annotations

from typing import Any

from taskfit.report.markdown_blocks import cell, heading, iv

__all__ = ["trust_lines"]


def _calibration(cal: dict[str, Any]) -> list[str]:
    lines = [
        *heading("Calibration"),
        f"Top-label confidence vs accuracy on the test set ({cal['n_bins']} bins). Temperature "
        f"T fitted on a dev split of {cal['dev_n']} training rows (the model refitted without "
        "them); contextual calibration divides an LLM's label probabilities by its prior on "
        "content-free inputs.",
        "",
        "| approach | n | ECE (width) | ECE (mass) | Brier | NLL | T | ECE / NLL after T "
        "| contextual: accuracy, ECE |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in cal["approaches"]:
        u, t, c = r["uncalibrated"], r["temperature"], r["contextual"]
        after = f"{t['after']['ece_width']:.3f} / {t['after']['nll']:.3f}" if t else "-"
        ctx = (
            f"{c['accuracy_before']:.3f} → {c['accuracy_after']:.3f}, {c['after']['ece_width']:.3f}"
            if c
            else "-"
        )
        lines.append(
            f"| {cell(r['name'])} | {r['n']} | {u['ece_width']:.3f} | {u['ece_mass']:.3f} "
            f"| {u['brier']:.3f} | {u['nll']:.3f} | {t['t']:.2f} | {after} | {ctx} |"
            if t
            else f"| {cell(r['name'])} | {r['n']} | {u['ece_width']:.3f} | {u['ece_mass']:.3f} "
            f"| {u['brier']:.3f} | {u['nll']:.3f} | - | - | {ctx} |"
        )
    return lines


def _robustness(rob: dict[str, Any]) -> list[str]:
    kinds = [k["kind"] for k in rob["kinds"]]
    lines = [
        *heading("Robustness"),
        f"Accuracy drop in points vs the clean test set [paired 95% interval], and the share "
        f"of predictions that flip (seed {rob['seed']}).",
        "",
    ]
    lines += [f"- `{k['kind']}`: {cell(k['description'])}" for k in rob["kinds"]]
    lines += ["", "| approach | " + " | ".join(kinds) + " |", "|---|" + "---|" * len(kinds)]
    for r in rob["approaches"]:
        by = {p["kind"]: p for p in r["perturbations"]}
        cells = [
            f"{iv(by[k]['drop'], 100, '.1f')}, flips {100 * by[k]['flip_rate']:.0f}%"
            if k in by
            else "-"
            for k in kinds
        ]
        lines.append(f"| {cell(r['name'])} | " + " | ".join(cells) + " |")
    return lines


def _ood(ood: dict[str, Any]) -> list[str]:
    lines = [
        *heading("Out of distribution"),
        f"Source: {cell(ood['source'])}; {ood['n_id']} in-distribution and {ood['n_ood']} OOD "
        "test examples (prompted approaches may use a sample).",
        "",
        "| approach | ID accuracy | OOD accuracy | gap (points) | n ID / OOD |",
        "|---|---|---|---|---:|",
    ]
    for r in ood["approaches"]:
        lines.append(
            f"| {cell(r['name'])} | {iv(r['id_accuracy'])} | {iv(r['ood_accuracy'])} "
            f"| {iv(r['gap'], 100, '.1f')} | {r['n_id']} / {r['n_ood']} |"
        )
    lines += [f"- note: {cell(n)}" for n in ood.get("notes", [])]
    return lines


def _shortcuts(sc: dict[str, Any]) -> list[str]:
    lines = [*heading("Shortcuts"), "Most label-predictive training words (PMI):", ""]
    for lab, toks in sc["tokens"].items():
        shown = ", ".join(f"`{t['token']}` ({t['precision']:.0%} of {t['count']})" for t in toks)
        lines.append(f"- {cell(lab)}: {shown or '-'}")
    if sc.get("masked"):
        lines += [
            "",
            "Accuracy when these words are masked in the test set:",
            "",
            "| approach | accuracy | drop (points) |",
            "|---|---|---|",
        ]
        lines += [
            f"| {cell(r['name'])} | {iv(r['accuracy'])} | {iv(r['drop'], 100, '.1f')} |"
            for r in sc["masked"]
        ]
    for r in sc.get("prompt_bias", []):
        lb, rc = r["label_bias"], r["recency"]
        text = (
            f"- {cell(r['name'])}: most predicted label `{cell(lb['top_label'])}` "
            f"({lb['top_excess']:+.0%} vs its true share); total variation {lb['tv_distance']:.2f}"
        )
        if rc:
            text += (
                f"; follows the last demonstration's label {rc['last_label_share']:.0%} "
                f"(true share {rc['last_label_true_share']:.0%}) over {rc['n_orders']} orders, "
                f"{rc['flip_rate']:.0%} of predictions change with the order"
            )
        lines.append(text)
    return lines


def _selective(sel: dict[str, Any]) -> list[str]:
    target = sel["target_accuracy"]
    head = "| approach | AURC | excess AURC |" + (f" coverage at {target:g} |" if target else "")
    lines = [
        *heading("Selective prediction"),
        "Answer only the most confident share of inputs: area under the risk-coverage curve "
        "(lower is better) and its excess over a perfect ranking.",
        "",
        head,
        "|---|---:|---:|" + ("---:|" if target else ""),
    ]
    for r in sel["approaches"]:
        row = f"| {cell(r['name'])} | {r['aurc']:.3f} | {r['excess_aurc']:.3f} |"
        if target:
            row += f" {100 * (r['coverage_at_target'] or 0.0):.0f}% |"
        lines.append(row)
    return lines


def _groups(grp: dict[str, Any]) -> list[str]:
    lines = [
        *heading(f"Groups (`{cell(grp['column'])}`)"),
        "| approach | worst group | best group | worst-group gap (points) |",
        "|---|---|---|---:|",
    ]
    lines += [
        f"| {cell(r['name'])} | {cell(r['worst_group'])} | {cell(r['best_group'])} "
        f"| {100 * r['worst_gap']:.1f} |"
        for r in grp["approaches"]
    ]
    return lines


def trust_lines(doc: dict[str, Any]) -> list[str]:
    """Every trust section present in ``doc``, in the issue's order."""
    sections = (
        ("calibration", _calibration),
        ("robustness", _robustness),
        ("ood", _ood),
        ("shortcuts", _shortcuts),
        ("selective", _selective),
        ("groups", _groups),
    )
    lines: list[str] = []
    for key, render in sections:
        if doc.get(key):
            lines += render(doc[key])
    if doc.get("trust_notes"):
        lines += ["", *[f"- trust note: {cell(n)}" for n in doc["trust_notes"]]]
    return lines
