"""Render ``summary.md`` from a results document (the dict of :mod:`taskfit.report.json`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from taskfit.report.columns import (
    best_words,
    headline,
    metric_columns,
    metrics_sentence,
    paired_test_name,
)
from taskfit.report.markdown_blocks import cell, heading, iv
from taskfit.report.markdown_prompting import prompting_lines
from taskfit.report.markdown_sections import (
    cost_model_lines,
    curves_lines,
    distill_lines,
    plots_lines,
)
from taskfit.report.markdown_tasks import task_lines
from taskfit.report.markdown_text import outputs_lines, self_consistency_lines
from taskfit.report.markdown_trust import trust_lines
from taskfit.report.rule import rule_text, verdict_cell

__all__ = ["render_summary"]


def render_summary(results: dict[str, Any]) -> str:
    task = results["task"]
    rec = results["recommendation"]
    kind = {"curve": "learning curves", "distill": "distillation"}.get(
        results.get("settings", {}).get("command", ""), "comparison"
    )
    lines = [
        f"# taskfit {kind} `{results['run_id']}`",
        "",
        f"Data: `{cell(task['source'])}` - {task['n_train']} train / {task['n_test']} test "
        f"examples{_labels_count(task)} (data hash `{task['data_hash'][:12]}`).",
        *heading(f"Recommendation: **{cell(rec['choice'])}**"),
        *[f"- {cell(r)}" for r in rec["reasons"]],
    ]
    if rule_text(rec.get("rule")):
        lines += ["", f"*{cell(rule_text(rec.get('rule')))}*"]
    if rec.get("warnings"):
        lines += ["", "**Warnings**", "", *[f"- {cell(w)}" for w in rec["warnings"]]]
    columns = metric_columns(results)
    head = [
        "approach",
        "family",
        "labels used",
        "n",
        *[f"{cell(title)} [95% CI]" for _, title in columns],
        "p50 / p95 ms",
        "per s",
        "train s",
        "$ per 1k",
        "parse fails",
    ]
    align = ["---", "---", "---:", "---:", *["---"] * len(columns), "---", *["---:"] * 4]
    lines += [
        *heading("Approaches"),
        f"{cell(metrics_sentence(columns))} with 95% bootstrap intervals; "
        "n = test examples scored.",
        "",
        _row(head),
        f"|{'|'.join(align)}|",
    ]
    for a in results["approaches"]:
        lines.append(
            _row(
                [
                    cell(a["name"]),
                    a["family"],
                    a["n_train_labels"],
                    a["n_test"],
                    *[_metric_cell(a["metrics"].get(name)) for name, _ in columns],
                    f"{a['latency_ms']['p50']:.1f} / {a['latency_ms']['p95']:.1f}",
                    f"{a['throughput_per_s']:.1f}",
                    f"{a['train_seconds']:.1f}",
                    f"{a['cost_per_1k_usd']:.3g}",
                    a["parse_failures"],
                ]
            )
        )
    if results["comparisons"]:
        metric = cell(headline(results)[1])
        test = paired_test_name(results)
        lines += [
            *heading(f"Against the {best_words(results)}: {metric} loss and {test}"),
            f"Loss = {metric} points b gives up against a, with its paired 95% bootstrap "
            "interval and the non-inferiority verdict at the run's tolerance; ~n = paired test "
            "examples that would settle an inconclusive one.",
            "",
            f"| a | b | loss, points [95% CI] | {test} p | shared n |",
            "|---|---|---|---:|---:|",
        ]
        for c in results["comparisons"]:
            lines.append(
                f"| {cell(c['a'])} | {cell(c['b'])} | {verdict_cell(c)} "
                f"| {c['p_value']:.4f} | {c['n']} |"
            )
    lines += prompting_lines(results)
    lines += outputs_lines(results)
    lines += self_consistency_lines(results)
    lines += task_lines(results)
    lines += trust_lines(results)
    lines += curves_lines(results.get("curves"))
    lines += distill_lines(results.get("distill"))
    lines += cost_model_lines(results.get("cost_model"))
    lines += plots_lines(results.get("plots"))
    lines += _advice_lines(results.get("advice"))
    notes = [(a["name"], n) for a in results["approaches"] for n in a.get("notes", [])]
    if notes or task.get("notes"):
        lines += heading("Notes")
        lines += [f"- data: {cell(n)}" for n in task.get("notes", [])]
        lines += [f"- {cell(name)}: {cell(n)}" for name, n in notes]
    s = results["run_stats"]
    lines += [
        *heading("Run"),
        f"LLM calls made {s['llm_calls_made']}, served from cache {s['llm_calls_cached']}; "
        f"units run {s['units_run']}, cached {s['units_cached']}; wall {s['wall_seconds']:.1f} s.",
        f"Local compute priced at ${results['settings'].get('usd_per_hour', 0):.2f}/hour.",
        "",
    ]
    return "\n".join(lines)


def _row(cells: Sequence[Any]) -> str:
    """One table line of ``cells``, each already fit for a cell."""
    return f"| {' | '.join(str(c) for c in cells)} |"


def _metric_cell(d: Mapping[str, Any] | None) -> str:
    """``value [ci_low, ci_high]``; the value alone when the interval has no bounds,
    ``-`` when the approach has no value for the metric."""
    if not d or d.get("value") is None:
        return "-"
    if d.get("ci_low") is None or d.get("ci_high") is None:
        return f"{d['value']:.3f}"
    return iv(d)


def _labels_count(task: Mapping[str, Any]) -> str:
    """``, 3 labels`` for a task with a label set; nothing for one without (generation)."""
    labels = task.get("labels") or []
    return f", {len(labels)} labels" if labels else ""


def _advice_lines(advice: dict[str, Any] | None) -> list[str]:
    """The decision flows' prior and each flow's path, with where each answer came from."""
    if not advice:
        return []
    lines = [
        *heading(f"Decision flows: prior **{cell(advice['prior'])}**"),
        cell(advice["prior_reason"]),
        "",
        f"Approaches run by default: {', '.join(advice['approaches']) or 'none'} "
        f"({cell(advice['approaches_reason'])}).",
    ]
    for flow in advice["flows"].values():
        lines += [
            "",
            f"**Flow {flow['flow']}** ({cell(flow['title'])}) -> {flow['outcome']} "
            f"at {flow['decided_by']}",
            "",
            "| node | question | answer | source | why |",
            "|---|---|---|---|---|",
        ]
        for st in flow["path"]:
            lines.append(
                f"| {st['node']} | {cell(st['question'])} | {'yes' if st['answer'] else 'no'} "
                f"| {st['source']} | {cell(st['detail'])} |"
            )
    for d in advice.get("disagreements", []):
        lines += ["", f"Where the flows differ: {cell(d['why'])}"]
    return lines
