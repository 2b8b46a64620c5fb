"""`taskfit curve`: label-budget learning curves, prompted reference lines, the crossover."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from taskfit.cli.common import (
    DataArg,
    DemoOpt,
    DevSizeOpt,
    DropEmptyOpt,
    EncoderOpt,
    HorizonOpt,
    LabelDescOpt,
    LabelOpt,
    LlmOpt,
    LlmTimeoutOpt,
    MaxLossOpt,
    MaxTestOpt,
    NoPlotsOpt,
    OutOpt,
    PriceFileOpt,
    PromptFormatOpt,
    SeedOpt,
    ShotsOpt,
    SweepHook,
    TestOpt,
    TestSizeOpt,
    TextOpt,
    TextPairOpt,
    UsdHourOpt,
    UsdLabelOpt,
    VolumeOpt,
    app,
    err,
    llm_backend_options,
    load_data_or_demo,
    out,
    split_names,
)
from taskfit.cli.report import ReportOpt, write_html_report


def _fmt_n(x: float | None) -> str:
    return "unbounded" if x is None else f"{x:,.0f}"


def show_curves(result: Any) -> None:
    sec = result.section
    table = Table(
        title=f"Learning curves (accuracy, mean over {len(sec['seeds'])} seeds [95% CI])",
        title_justify="left",
    )
    table.add_column("labels" + (" / class" if sec["budget_unit"] == "per_class" else ""))
    for a in sec["approaches"]:
        table.add_column(a["name"], justify="right")
    rows: dict[int, list[str]] = {}
    for a in sec["approaches"]:
        for s in a["summary"]:
            rows.setdefault(s["budget"], []).append(
                f"{s['accuracy_mean']:.3f} [{s['ci_low']:.3f}, {s['ci_high']:.3f}]"
            )
    for budget in sorted(rows):
        table.add_row(f"{budget:,}", *rows[budget])
    out.print(table)
    for r in sec["references"]:
        out.print(
            f"  reference {r['name']}: {r['accuracy']:.3f} [{r['ci_low']:.3f}, "
            f"{r['ci_high']:.3f}] with {r['n_labels']} labels, over {len(r['per_seed'])} seed(s)",
            highlight=False,
        )
    out.print()
    for a in sec["approaches"]:
        fit = a["fit"]
        if fit:
            out.print(
                f"  {a['name']}: accuracy ≈ {fit['a']:.3f} − {fit['b']:.3g}·n^(−{fit['c']:.3f}) "
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


BudgetsOpt = Annotated[
    str | None,
    typer.Option(
        "--budgets",
        help="Comma-separated label budgets, e.g. 8,16,32,64. Default: 8 geometric budgets "
        "from 8 labels (1 per class with --per-class) to all the training data.",
    ),
]


@app.command()
def curve(
    data: DataArg = None,
    demo: DemoOpt = False,
    text: TextOpt = None,
    label: LabelOpt = None,
    text_pair: TextPairOpt = None,
    test: TestOpt = None,
    test_size: TestSizeOpt = 0.3,
    drop_empty: DropEmptyOpt = False,
    approaches: Annotated[
        str,
        typer.Option(
            "--approaches",
            help="Fine-tuned approaches to sweep: encoder-lr, tfidf-lr, setfit, majority.",
        ),
    ] = "encoder-lr,tfidf-lr",
    prompted: Annotated[
        str,
        typer.Option(
            "--prompted",
            help="Prompted reference lines: zero-shot (once), few-shot and few-shot-knn (per "
            "seed). Empty for none.",
        ),
    ] = "zero-shot,few-shot",
    budgets: BudgetsOpt = None,
    per_class: Annotated[
        bool, typer.Option("--per-class", help="Budgets count labels per class, not in total.")
    ] = False,
    seeds: Annotated[int, typer.Option("--seeds", help="Seeds per budget.")] = 5,
    llm: LlmOpt = None,
    shots: ShotsOpt = 8,
    prompt_format: PromptFormatOpt = "auto",
    dev_size: DevSizeOpt = 64,
    llm_timeout: LlmTimeoutOpt = None,
    max_test: MaxTestOpt = None,
    seed: SeedOpt = 0,
    encoder: EncoderOpt = "minilm",
    label_descriptions: LabelDescOpt = None,
    usd_per_hour: UsdHourOpt = 0.10,
    usd_per_label: UsdLabelOpt = 0.10,
    horizon_months: HorizonOpt = 12.0,
    volume_per_month: VolumeOpt = None,
    max_accuracy_loss: MaxLossOpt = 1.0,
    price_file: PriceFileOpt = None,
    no_plots: NoPlotsOpt = False,
    out_dir: OutOpt = None,
    report: ReportOpt = False,
) -> None:
    """Sweep label budgets x seeds for fine-tuned approaches against prompted references;
    fit accuracy ≈ a − b·n^(−c) and estimate the crossover label count.

    Example: taskfit curve tickets.csv --text body --label intent --llm openai:gpt-4o-mini
    """
    from taskfit.run.budgets import parse_budgets
    from taskfit.run.plan import parse_approaches
    from taskfit.workflows.curve import CurveOptions, curve_dataset, plan_for

    opts = CurveOptions(
        approaches=parse_approaches(approaches),
        prompted=split_names(prompted),
        llms=tuple(llm or ()),
        budgets=tuple(parse_budgets(budgets)) if budgets else (),
        per_class=per_class,
        seeds=seeds,
        shots=shots,
        prompt_format=prompt_format,
        dev_size=dev_size,
        backend_options=llm_backend_options(llm, llm_timeout),
        max_test=max_test,
        seed=seed,
        encoder=encoder,
        label_descriptions=str(label_descriptions) if label_descriptions else None,
        usd_per_hour=usd_per_hour,
        usd_per_label=usd_per_label,
        horizon_months=horizon_months,
        max_accuracy_loss=max_accuracy_loss,
        volume_per_month=volume_per_month,
        price_file=str(price_file) if price_file else None,
        plots=not no_plots,
        out=str(out_dir) if out_dir else None,
    )
    dataset = load_data_or_demo(
        data,
        demo,
        text=text,
        label=label,
        text_pair=text_pair,
        test=test,
        test_size=test_size,
        drop_empty=drop_empty,
        seed=seed,
    )
    spec = plan_for(dataset, opts)
    n_points = sum(1 for u in spec.units if u.family != "prompt")
    hook = SweepHook(n_points, "sweep points")
    try:
        result = curve_dataset(dataset, opts, hook=hook)
    except KeyboardInterrupt:
        hook.stop()
        err.print("interrupted: finished points are kept; run the same command again to resume.")
        raise SystemExit(130) from None
    finally:
        hook.stop()
    show_curves(result)
    if report:
        write_html_report(result.out_dir, prefix="Report: ")
