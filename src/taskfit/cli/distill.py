"""`taskfit distill`: an LLM labels a pool; small students learn from its labels."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from taskfit.cli.common import SweepHook, app, out, split_names, titled_table
from taskfit.cli.flags import data_flags, load_data, run_flags, run_settings, with_flags
from taskfit.cli.report import write_html_report
from taskfit.config import build
from taskfit.workflows.inputs import defaults, names, parse_budgets

LEARNERS = ("finetune", "baseline")


def _iv(d: dict[str, float]) -> str:
    return f"{d['value']:.3f} [{d['ci_low']:.3f}, {d['ci_high']:.3f}]"


def show_distill(result: Any) -> None:
    sec = result.section
    t, pool, cost = sec["teacher"], sec["pool"], sec["labelling_cost"]
    out.print(
        f"[bold]Teacher {t['name']}[/bold]: accuracy on the gold test set {_iv(t['test_accuracy'])}"
        f" (n={t['n_test']}); p95 {t['latency_ms']['p95']:.0f} ms, "
        f"${t['cost_per_1k_usd']:.3g} per 1k predictions",
        highlight=False,
    )
    line = f"Pool: {pool['n']} texts labelled, {pool['n_labelled']} kept"
    if pool["min_confidence"] is not None:
        line += f" (confidence >= {pool['min_confidence']:g})"
    line += f"; mean confidence {pool['confidence_mean']:.2f}"
    if pool["label_accuracy"]:
        line += (
            f"; label accuracy where gold exists {_iv(pool['label_accuracy'])} "
            f"(n={pool['n_with_gold']})"
        )
    out.print(line, highlight=False)
    out.print(
        f"Labelling cost: LLM ${cost['llm_usd']:.4g} ({cost['llm_basis']}) vs human "
        f"${cost['human_usd']:,.2f} at ${cost['usd_per_label']:g}/label",
        highlight=False,
    )
    table = titled_table(
        "Students (trained on LLM labels)",
        ("student", "n train", "accuracy [95% CI]", "agrees w/ teacher", "p95 ms", "$ / 1k"),
    )
    for s in sec["students"]:
        table.add_row(
            s["name"],
            str(s["n_train"]),
            _iv(s["accuracy"]),
            f"{s['agreement_with_teacher']:.3f}",
            f"{s['latency_ms']['p95']:.1f}",
            f"{s['cost_per_1k_usd']:.3g}",
        )
    out.print(table)
    by: dict[str, dict[int, list[float]]] = {}
    for g in sec["growth"]:
        by.setdefault(g["student"], {}).setdefault(g["n_llm_labels"], []).append(g["accuracy"])
    for name, pts in by.items():
        steps = ", ".join(f"{n:,}: {sum(v) / len(v):.3f}" for n, v in sorted(pts.items()))
        out.print(f"  growth {name} (LLM labels: accuracy) {steps}", highlight=False)
    rec = result.results_json["recommendation"]
    out.print(f"\n[bold]Recommendation: {rec['choice']}[/bold]")
    for r in rec["reasons"]:
        out.print(f"  - {r}", markup=False, highlight=False)
    for w in rec.get("warnings", []):
        out.print(f"[yellow]  ! {w}[/yellow]", highlight=False)
    stats = result.results_json["run_stats"]
    out.print(
        f"\nLLM calls made {stats['llm_calls_made']}, cached {stats['llm_calls_cached']}; "
        f"units run {stats['units_run']}, cached {stats['units_cached']}.",
        highlight=False,
    )
    files = ["results.json", "summary.md", *result.results_json.get("plots", [])]
    out.print(f"Wrote {result.out_dir}/: {', '.join(files)}", highlight=False)


@app.command()
@with_flags(data_flags, run_flags)
def distill(
    unlabeled: Annotated[
        Path | None,
        typer.Option(
            "--unlabeled",
            help="Pool of texts for the LLM to label (same text column; a label column, if "
            "present, is used only to measure label accuracy).",
        ),
    ] = None,
    from_train: Annotated[
        bool,
        typer.Option("--from-train", help="Use the training texts, labels hidden, as the pool."),
    ] = False,
    teacher: Annotated[
        str, typer.Option("--teacher", help=f"Teacher prompt: {', '.join(names('prompt'))}.")
    ] = "zero-shot",
    students: Annotated[
        str | None,
        typer.Option(
            "--students",
            help=f"Students: {', '.join(names(LEARNERS))} "
            f"(default: {','.join(defaults('curve', LEARNERS))}).",
        ),
    ] = None,
    min_confidence: Annotated[
        float | None,
        typer.Option(
            "--min-confidence", help="Keep only LLM labels with at least this probability."
        ),
    ] = None,
    gold: Annotated[
        int, typer.Option("--gold", help="Gold training labels mixed with the LLM labels.")
    ] = 0,
    sizes: Annotated[
        str | None,
        typer.Option(
            "--sizes",
            help="LLM-labelled pool sizes for the growth curve, e.g. 50,100,200 "
            "[default: 5 geometric sizes up to the whole pool].",
        ),
    ] = None,
    seeds: Annotated[int, typer.Option("--seeds", help="Seeds per pool size.")] = 3,
    **flags: Any,
) -> None:
    """Let an LLM label a pool, train small students on its labels, and compare them with
    the LLM: accuracy, agreement, labelling cost vs human labels, serving latency and cost.

    Example: taskfit distill tickets.csv --text body --label intent --unlabeled pool.csv
    """
    from taskfit.workflows.distill import DistillOptions, check_options, distill_dataset

    opts = build(
        DistillOptions,
        run_settings(flags),
        teacher=teacher,
        students=split_names(students) if students is not None else None,
        unlabeled=str(unlabeled) if unlabeled else None,
        from_train=from_train,
        min_confidence=min_confidence,
        gold=gold,
        sizes=tuple(parse_budgets(sizes)) if sizes else (),
        seeds=seeds,
    )
    check_options(opts)  # before loading: a typo in a flag should not wait for a big file
    dataset = load_data(flags)
    hook = SweepHook(None, "student fits")
    result = hook.run(distill_dataset, dataset, opts, kept="finished work is kept")
    show_distill(result)
    if flags["report"]:
        write_html_report(result.out_dir, prefix="Report: ")
