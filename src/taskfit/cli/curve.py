"""`taskfit curve`: label-budget learning curves, prompted reference lines, the crossover."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from taskfit.cli.common import LabelDescOpt, SweepHook, app, err, out, split_names
from taskfit.cli.flags import data_flags, load_data, run_flags, run_settings, with_flags
from taskfit.cli.report import write_html_report
from taskfit.config import build
from taskfit.report.columns import curve_metric
from taskfit.workflows.inputs import defaults, names, parse_approaches, parse_budgets

LEARNERS = ("finetune", "baseline")


def _fmt_n(x: float | None) -> str:
    return "unbounded" if x is None else f"{x:,.0f}"


def show_curves(result: Any) -> None:
    sec = result.section
    key, metric = curve_metric(sec)
    table = Table(
        title=f"Learning curves ({metric}, mean over {len(sec['seeds'])} seeds [95% CI])",
        title_justify="left",
    )
    table.add_column("labels" + (" / class" if sec["budget_unit"] == "per_class" else ""))
    for a in sec["approaches"]:
        table.add_column(a["name"], justify="right")
    rows: dict[int, list[str]] = {}
    for a in sec["approaches"]:
        for s in a["summary"]:
            rows.setdefault(s["budget"], []).append(
                f"{s[key + '_mean']:.3f} [{s['ci_low']:.3f}, {s['ci_high']:.3f}]"
            )
    for budget in sorted(rows):
        table.add_row(f"{budget:,}", *rows[budget])
    out.print(table)
    for r in sec["references"]:
        out.print(
            f"  reference {r['name']}: {r[key]:.3f} [{r['ci_low']:.3f}, "
            f"{r['ci_high']:.3f}] with {r['n_labels']} labels, over {len(r['per_seed'])} seed(s)",
            highlight=False,
        )
    out.print()
    for a in sec["approaches"]:
        fit = a["fit"]
        if fit:
            out.print(
                f"  {a['name']}: {metric} ≈ {fit['a']:.3f} − {fit['b']:.3g}·n^(−{fit['c']:.3f}) "
                f"(ceiling a in [{fit['a_ci'][0]:.3f}, {fit['a_ci'][1]:.3f}])",
                highlight=False,
            )
        if a["crossover"]:
            out.print(f"  [bold]{a['crossover']['message']}[/bold]", highlight=False)
    for w in result.results_json["recommendation"].get("warnings", []):
        out.print(f"[yellow]  ! {w}[/yellow]", highlight=False)
    for note in sec["notes"]:
        err.print(f"  note: {note}", markup=False, highlight=False)
    stats = result.results_json["run_stats"]
    out.print(
        f"\nUnits run {stats['units_run']}, cached {stats['units_cached']}; LLM calls made "
        f"{stats['llm_calls_made']}, cached {stats['llm_calls_cached']}; "
        f"{stats['wall_seconds']:.1f} s.",
        highlight=False,
    )
    files = ["results.json", "summary.md", *result.results_json.get("plots", [])]
    out.print(f"Wrote {result.out_dir}/: {', '.join(files)}", highlight=False)


def _per_task(families: tuple[str, ...]) -> str:
    """The curve defaults of each task type: "classification: a,b; generation: c"."""
    from taskfit.workflows.inputs import task_names

    parts = []
    for task in task_names():
        picked = defaults("curve", families, task=task)
        if picked:
            parts.append(f"{task}: {','.join(picked)}")
    return "; ".join(parts)


BudgetsOpt = Annotated[
    str | None,
    typer.Option(
        "--budgets",
        help="Comma-separated label budgets, e.g. 8,16,32,64. Default: 8 geometric budgets "
        "from 8 labels (1 per class with --per-class) to all the training data.",
    ),
]


@app.command()
@with_flags(data_flags, run_flags)
def curve(
    approaches: Annotated[
        str | None,
        typer.Option(
            "--approaches",
            help=f"Fine-tuned approaches to sweep: {', '.join(names(LEARNERS))} "
            f"(default for {_per_task(LEARNERS)}).",
        ),
    ] = None,
    prompted: Annotated[
        str | None,
        typer.Option(
            "--prompted",
            help=f"Prompted reference lines: {', '.join(names('prompt'))} (unseeded ones "
            f"once, the others per seed; default: {','.join(defaults('curve', 'prompt'))}). "
            "Empty for none.",
        ),
    ] = None,
    budgets: BudgetsOpt = None,
    per_class: Annotated[
        bool, typer.Option("--per-class", help="Budgets count labels per class, not in total.")
    ] = False,
    seeds: Annotated[int, typer.Option("--seeds", help="Seeds per budget.")] = 5,
    label_descriptions: LabelDescOpt = None,
    **flags: Any,
) -> None:
    """Sweep label budgets x seeds for fine-tuned approaches against prompted references;
    fit the task's headline metric (accuracy; ROUGE-L for generation, exact match for
    reasoning) ≈ a − b·n^(−c) and estimate the crossover label count.

    Example: taskfit curve tickets.csv --text body --label intent --llm openai:gpt-4o-mini

    Example: taskfit curve pairs.csv --task generation --text attributes --target
    description --budgets 25,50,100,200 --seeds 1
    """
    from taskfit.workflows.curve import CurveOptions, curve_dataset, plan_for

    opts = build(
        CurveOptions,
        run_settings(flags),
        approaches=parse_approaches(approaches) if approaches is not None else None,
        prompted=split_names(prompted) if prompted is not None else None,
        budgets=tuple(parse_budgets(budgets)) if budgets else (),
        per_class=per_class,
        seeds=seeds,
        label_descriptions=str(label_descriptions) if label_descriptions else None,
    )
    dataset = load_data(flags)
    spec = plan_for(dataset, opts)
    n_points = sum(1 for u in spec.units if u.family != "prompt")
    hook = SweepHook(n_points, "sweep points")
    result = hook.run(curve_dataset, dataset, opts, kept="finished points are kept")
    show_curves(result)
    if flags["report"]:
        write_html_report(result.out_dir, prefix="Report: ")
