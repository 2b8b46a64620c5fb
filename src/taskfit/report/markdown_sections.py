"""Markdown for the later sections of results.json: curves, distillation, cost model."""

from __future__ import annotations

from typing import Any

from taskfit.report.columns import curve_metric, sentence_start
from taskfit.report.markdown_blocks import cell, heading, iv

__all__ = ["cost_model_lines", "curves_lines", "distill_lines", "plots_lines"]


def curves_lines(curves: dict[str, Any] | None) -> list[str]:
    if not curves:
        return []
    per = " per class" if curves["budget_unit"] == "per_class" else ""
    names = [a["name"] for a in curves["approaches"]]
    key, title = curve_metric(curves)
    lines = [
        *heading("Learning curves"),
        f"{sentence_start(title)} by label budget{per}: mean over {len(curves['seeds'])} seed(s) "
        "[95% interval of the mean].",
        "",
        "| budget | " + " | ".join(cell(n) for n in names) + " |",
        "|---:|" + "---|" * len(names),
    ]
    rows: dict[int, list[str]] = {}
    for a in curves["approaches"]:
        for s in a["summary"]:
            rows.setdefault(s["budget"], []).append(
                f"{s[key + '_mean']:.3f} [{s['ci_low']:.3f}, {s['ci_high']:.3f}]"
            )
    lines += [f"| {b} | " + " | ".join(r) + " |" for b, r in sorted(rows.items())]
    if curves["references"]:
        lines += ["", "Prompted references:", ""]
        lines += [
            f"- {cell(r['name'])}: {r[key]:.3f} [{r['ci_low']:.3f}, {r['ci_high']:.3f}] "
            f"with {r['n_labels']} labels, {len(r['per_seed'])} seed(s), n={r['n_test']}"
            for r in curves["references"]
        ]
    lines += ["", "Fits and crossovers:", ""]
    for a in curves["approaches"]:
        fit = a["fit"]
        if fit:
            law = f"{fit['a']:.3f} − {fit['b']:.3g}·n^(−{fit['c']:.3f})"
            lines.append(
                f"- {cell(a['name'])}: {title} ≈ {law}"
                f" (a in [{fit['a_ci'][0]:.3f}, {fit['a_ci'][1]:.3f}])"
            )
        if a["crossover"]:
            lines.append(f"- {cell(a['crossover']['message'])}")
    lines += [f"- note: {cell(n)}" for n in curves.get("notes", [])]
    return lines


def distill_lines(d: dict[str, Any] | None) -> list[str]:
    if not d:
        return []
    t, pool, cost = d["teacher"], d["pool"], d["labelling_cost"]
    lines = [
        *heading("Distillation"),
        f"Teacher {cell(t['name'])}: test accuracy {iv(t['test_accuracy'])} (n={t['n_test']}), "
        f"p95 {t['latency_ms']['p95']:.0f} ms, ${t['cost_per_1k_usd']:.3g} per 1k.",
        "",
        f"Pool: {pool['n']} texts, {pool['n_labelled']} LLM labels kept"
        + (f" (confidence >= {pool['min_confidence']:g})" if pool["min_confidence"] else "")
        + f"; mean confidence {pool['confidence_mean']:.2f}"
        + (
            f"; label accuracy where gold exists {iv(pool['label_accuracy'])}"
            if pool["label_accuracy"]
            else ""
        )
        + ".",
        "",
        f"Labelling cost: LLM ${cost['llm_usd']:.4g} ({cell(cost['llm_basis'])}) vs human "
        f"${cost['human_usd']:,.2f} at ${cost['usd_per_label']:g}/label. Gold labels mixed in: "
        f"{d['gold_labels']}.",
        "",
        "| student | n train | accuracy [95% CI] | agreement with teacher | p95 ms | $ per 1k |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for s in d["students"]:
        lines.append(
            f"| {cell(s['name'])} | {s['n_train']} | {iv(s['accuracy'])} "
            f"| {s['agreement_with_teacher']:.3f} | {s['latency_ms']['p95']:.1f} "
            f"| {s['cost_per_1k_usd']:.3g} |"
        )
    return lines


def cost_model_lines(model: dict[str, Any] | None) -> list[str]:
    if not model:
        return []
    a = model["assumptions"]
    lines = [
        *heading("Cost model"),
        "Assumptions: "
        + "; ".join(
            f"{k} = {v['value']:g} ({cell(v['about'])})"
            for k, v in a.items()
            if isinstance(v, dict) and "value" in v
        )
        + ".",
    ]
    if a.get("prices"):
        lines.append(
            "API prices (USD per 1M tokens in/out): "
            + ", ".join(
                f"{m} {p['input_per_1m']:g}/{p['output_per_1m']:g}" for m, p in a["prices"].items()
            )
            + "."
        )
    lines += [
        "",
        "| approach | human labels | labels $ | LLM labelling $ | training $ | one-off $ "
        "| $ per 1k predictions |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for c in model["approaches"]:
        lines.append(
            f"| {cell(c['name'])} | {c['human_labels']} | {c['human_labels_usd']:.4g} "
            f"| {c['llm_labelling_usd']:.4g} | {c['train_usd']:.4g} | {c['one_off_usd']:.4g} "
            f"| {c['running_per_1k_usd']:.3g} |"
        )
    crossing = [b for b in model["break_even"] if b["monthly_volume"] is not None]
    if crossing:
        lines += ["", "Break-even volumes:", ""]
        lines += [f"- {cell(b['message'])}" for b in crossing]
    return lines


def plots_lines(plots: list[str] | None) -> list[str]:
    pngs = [p for p in plots or [] if p.endswith(".png")]
    if not pngs:
        return []
    return [*heading("Plots"), *[f"![{p[:-4]}]({p})" for p in pngs]]
