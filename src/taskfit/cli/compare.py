"""`taskfit compare` and `taskfit demo`: run the head-to-head and show the result."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.measure import Measurement
from rich.table import Table

from taskfit.advise.card import parse_answers
from taskfit.backends.redact import redact_text
from taskfit.cli.common import (
    ApproachOpt,
    BudgetOpt,
    CardOpt,
    DevSizeOpt,
    EncoderOpt,
    HorizonOpt,
    LabelDescOpt,
    LatencyOpt,
    LlmOpt,
    LlmTimeoutOpt,
    MaxLossOpt,
    MaxTestOpt,
    NoPlotsOpt,
    OnPremOpt,
    OutOpt,
    PriceFileOpt,
    PromptFormatOpt,
    RichHook,
    SeedOpt,
    SetOpt,
    ShotsOpt,
    UsdHourOpt,
    UsdLabelOpt,
    VolumeOpt,
    app,
    err,
    llm_backend_options,
    out,
)
from taskfit.cli.prompting_view import show_prompting
from taskfit.cli.report import ReportOpt, write_html_report
from taskfit.cli.trust_opts import (
    CalibrationOpt,
    ExportOpt,
    GroupColOpt,
    GroupsOpt,
    OodFlagOpt,
    OodTestOpt,
    PerturbOpt,
    RobustnessOpt,
    SelectiveOpt,
    ShortcutsOpt,
    TargetOpt,
    TrustMaxOpt,
    TrustOpt,
    show_trust,
    trust_options,
)
from taskfit.report.rule import rule_text


def _run(fn: Any, **kwargs: Any) -> Any:
    from taskfit.workflows.compare import CompareResult

    hook = RichHook()
    try:
        result: CompareResult = fn(hook=hook, **kwargs)
    except KeyboardInterrupt:
        hook.stop()
        err.print("interrupted: finished work is kept; run the same command again to resume.")
        raise SystemExit(130) from None
    finally:
        hook.stop()
    _show(result)
    return result


def _show(result: Any) -> None:
    advice = result.advice
    if advice is not None:
        out.print(
            f"[bold]Decision flows' prior: {advice.prior}[/bold] - {advice.prior_reason}",
            highlight=False,
        )
        if result.results_json["settings"]["approaches_from_advice"]:
            out.print(
                f"Approaches chosen by the advice ({advice.approaches_reason}); "
                "--approaches overrides. Details: taskfit advise.",
                highlight=False,
            )
        out.print()
    show_results_table(result.metrics)
    show_prompting(result.results_json)
    show_trust(result.results_json)
    rec = result.recommendation
    out.print(f"\n[bold]Recommendation: {rec.choice}[/bold]")
    for r in rec.reasons:
        out.print(f"  - {r}", markup=False, highlight=False)
    if rule_text(rec.rule):
        out.print(f"  {rule_text(rec.rule)}", style="dim", markup=False, highlight=False)
    for w in rec.warnings:
        out.print(f"[yellow]  ! {w}[/yellow]", highlight=False)
    doc = result.results_json
    show_cost_model(doc.get("cost_model"))
    notes = [f"data: {n}" for n in doc["task"]["notes"]]
    notes += [f"{a['name']}: {n}" for a in doc["approaches"] for n in a.get("notes", [])]
    for n in notes:
        err.print(f"  note: {n}", markup=False, highlight=False)
    stats = doc["run_stats"]
    out.print(
        f"\nLLM calls made {stats['llm_calls_made']}, cached {stats['llm_calls_cached']}; "
        f"units run {stats['units_run']}, cached {stats['units_cached']}; "
        f"{stats['wall_seconds']:.1f} s.",
        highlight=False,
    )
    files = ["results.json", "summary.md", *doc.get("plots", [])]
    out.print(f"Wrote {result.out_dir}/: {', '.join(files)}", highlight=False)


_RESULT_COLUMNS = ("n", "accuracy [95% CI]", "macro-F1", "p95 ms", "$ / 1k", "train s")


def _result_cells(m: Any) -> list[str]:
    a = m.accuracy
    return [
        str(m.n_test),
        f"{a.value:.3f} [{a.ci_low:.3f}, {a.ci_high:.3f}]",
        f"{m.macro_f1.value:.3f}",
        f"{m.latency_p95_ms:.1f}",
        f"{m.cost_per_1k_usd:.3g}",
        f"{m.train_seconds:.1f}",
    ]


def show_results_table(metrics: Any) -> None:
    """One row per approach; when the rows do not fit the terminal (long approach names
    at 80 columns), each approach's name goes on a line of its own above its figures,
    so neither the name nor a figure is cut."""
    table = Table(title="taskfit comparison", title_justify="left")
    table.add_column("approach", no_wrap=True)
    for col in _RESULT_COLUMNS:
        table.add_column(col, justify="right", no_wrap=True)
    rows = [(m.name, _result_cells(m)) for m in metrics]
    for name, cells in rows:
        table.add_row(name, *cells)
    if Measurement.get(out, out.options.update_width(10_000), table).maximum <= out.width:
        out.print(table)
        return
    widths = [
        max(len(h), *(len(cells[i]) for _, cells in rows)) for i, h in enumerate(_RESULT_COLUMNS)
    ]

    def line(cells: list[str]) -> str:
        return "  " + "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))

    header = line(list(_RESULT_COLUMNS))
    out.print("taskfit comparison", style="italic", highlight=False)
    out.print("approach", style="bold", highlight=False)
    out.print(header, style="bold", markup=False, highlight=False)
    out.print("─" * len(header), style="dim")
    for name, cells in rows:
        out.print(name, markup=False, highlight=False)
        out.print(line(cells), markup=False, highlight=False)


def show_cost_model(model: dict[str, Any] | None) -> None:
    """One-off and running cost per approach, then the break-evens worth reading."""
    if not model:
        return
    a = model["assumptions"]
    table = Table(
        title=f"Cost model ({a['horizon_months']['value']:g}-month horizon; "
        f"${a['usd_per_label']['value']:g}/label, ${a['usd_per_hour']['value']:g}/hour)",
        title_justify="left",
    )
    for col in ("approach", "labels", "one-off $", "$ / 1k"):
        table.add_column(
            col, no_wrap=col == "approach", justify="left" if col == "approach" else "right"
        )
    for c in model["approaches"]:
        table.add_row(
            c["name"],
            str(c["human_labels"]),
            f"{c['one_off_usd']:.3g}",
            f"{c['running_per_1k_usd']:.3g}",
        )
    out.print(table)
    crossings = [b for b in model["break_even"] if b["monthly_volume"] is not None]
    for b in crossings[:6]:
        out.print(f"  break-even: {b['message']}", markup=False, highlight=False)
    if len(crossings) > 6:
        out.print(f"  ... {len(crossings) - 6} more in results.json (cost_model.break_even)")


_TRUST_FLAGS = (
    "trust",
    "calibration",
    "robustness",
    "ood",
    "shortcuts",
    "selective",
    "groups",
    "ood_test",
    "group_col",
    "perturbations",
    "export_perturbed",
    "target_accuracy",
    "trust_max_test",
)


def _options(flags: dict[str, Any]) -> dict[str, Any]:
    """CompareOptions keyword arguments from the flags `compare` and `demo` share."""
    from taskfit.run.plan import parse_approaches

    def text(name: str) -> str | None:
        return str(flags[name]) if flags.get(name) else None

    return {
        "llms": tuple(flags["llm"] or ()),
        "approaches": parse_approaches(flags["approaches"]) if flags["approaches"] else None,
        "shots": flags["shots"],
        "prompt_format": flags["prompt_format"],
        "dev_size": flags["dev_size"],
        "backend_options": llm_backend_options(flags["llm"], flags["llm_timeout"]),
        "max_test": flags["max_test"],
        "seed": flags["seed"],
        "out": text("out_dir"),
        "latency_p95_ms": flags["latency_p95_ms"],
        "budget_per_1k": flags["budget_per_1k"],
        "usd_per_hour": flags["usd_per_hour"],
        "usd_per_label": flags["usd_per_label"],
        "horizon_months": flags["horizon_months"],
        "max_accuracy_loss": flags["max_accuracy_loss"],
        "volume_per_month": flags["volume_per_month"],
        "plots": not flags["no_plots"],
        "price_file": text("price_file"),
        "encoder": flags["encoder"],
        "label_descriptions": text("label_descriptions"),
        "card": text("card"),
        "answers": parse_answers(flags["set_"] or []),
        "on_prem": flags["on_prem"],
        "trust": trust_options(**{k: flags[k] for k in _TRUST_FLAGS}, seed=flags["seed"]),
    }


@app.command()
def compare(
    data: Annotated[Path, typer.Argument(help="Training data (CSV, TSV, JSONL, Parquet).")],
    text: Annotated[str, typer.Option("--text", help="Text column.")],
    label: Annotated[str, typer.Option("--label", help="Label column.")],
    text_pair: Annotated[
        str | None,
        typer.Option("--text-pair", help="Second text column (sentence-pair tasks such as NLI)."),
    ] = None,
    test: Annotated[Path | None, typer.Option("--test", help="Separate test file.")] = None,
    test_size: Annotated[
        float,
        typer.Option(
            "--test-size", help="Test share when no --test is given (seeded, stratified)."
        ),
    ] = 0.3,
    drop_empty: Annotated[
        bool,
        typer.Option(
            "--drop-empty", help="Skip rows with empty text or label (counted) instead of failing."
        ),
    ] = False,
    llm: LlmOpt = None,
    approaches: ApproachOpt = None,
    shots: ShotsOpt = 8,
    prompt_format: PromptFormatOpt = "auto",
    dev_size: DevSizeOpt = 64,
    llm_timeout: LlmTimeoutOpt = None,
    max_test: MaxTestOpt = None,
    seed: SeedOpt = 0,
    out_dir: OutOpt = None,
    latency_p95_ms: LatencyOpt = None,
    budget_per_1k: BudgetOpt = None,
    usd_per_hour: UsdHourOpt = 0.10,
    usd_per_label: UsdLabelOpt = 0.10,
    horizon_months: HorizonOpt = 12.0,
    volume_per_month: VolumeOpt = None,
    max_accuracy_loss: MaxLossOpt = 1.0,
    price_file: PriceFileOpt = None,
    no_plots: NoPlotsOpt = False,
    encoder: EncoderOpt = "minilm",
    label_descriptions: LabelDescOpt = None,
    card: CardOpt = None,
    set_: SetOpt = None,
    on_prem: OnPremOpt = False,
    trust: TrustOpt = False,
    calibration: CalibrationOpt = False,
    robustness: RobustnessOpt = False,
    ood: OodFlagOpt = False,
    shortcuts: ShortcutsOpt = False,
    selective: SelectiveOpt = False,
    groups: GroupsOpt = False,
    ood_test: OodTestOpt = None,
    group_col: GroupColOpt = None,
    perturbations: PerturbOpt = None,
    export_perturbed: ExportOpt = None,
    target_accuracy: TargetOpt = None,
    trust_max_test: TrustMaxOpt = 100,
    report: ReportOpt = False,
) -> None:
    """Compare prompted LLMs and fine-tuned models on DATA; recommend one, with reasons.

    Example: taskfit compare tickets.csv --text body --label intent --max-test 300

    With trust measures: taskfit compare tickets.csv --text body --label intent --trust
    --ood-test shifted.csv --target-accuracy 0.9
    """
    from taskfit.run.plan import PROMPT_APPROACHES
    from taskfit.workflows.compare import compare as run_compare

    opts = _options(locals())
    if not llm and any(a in PROMPT_APPROACHES for a in opts["approaches"] or PROMPT_APPROACHES):
        err.print(
            "note: no --llm given, so prompted approaches use the embedded SmolLM2-135M, a "
            "smoke-test model; add --llm openai:MODEL[@URL] or --llm gguf:PATH for a real LLM.",
            highlight=False,
        )
    result = _run(
        run_compare,
        data=data,
        text=text,
        label=label,
        text_pair=text_pair,
        test=test,
        test_size=test_size,
        drop_empty=drop_empty,
        **opts,
    )
    if report:
        write_html_report(result.out_dir, prefix="Report: ")


@app.command()
def demo(
    llm: LlmOpt = None,
    approaches: ApproachOpt = None,
    shots: ShotsOpt = 8,
    prompt_format: PromptFormatOpt = "auto",
    dev_size: DevSizeOpt = 64,
    llm_timeout: LlmTimeoutOpt = None,
    max_test: MaxTestOpt = None,
    seed: SeedOpt = 0,
    out_dir: OutOpt = None,
    latency_p95_ms: LatencyOpt = None,
    budget_per_1k: BudgetOpt = None,
    usd_per_hour: UsdHourOpt = 0.10,
    usd_per_label: UsdLabelOpt = 0.10,
    horizon_months: HorizonOpt = 12.0,
    volume_per_month: VolumeOpt = None,
    max_accuracy_loss: MaxLossOpt = 1.0,
    price_file: PriceFileOpt = None,
    no_plots: NoPlotsOpt = False,
    encoder: EncoderOpt = "minilm",
    label_descriptions: LabelDescOpt = None,
    card: CardOpt = None,
    set_: SetOpt = None,
    on_prem: OnPremOpt = False,
    trust: TrustOpt = False,
    calibration: CalibrationOpt = False,
    robustness: RobustnessOpt = False,
    ood: OodFlagOpt = False,
    shortcuts: ShortcutsOpt = False,
    selective: SelectiveOpt = False,
    groups: GroupsOpt = False,
    ood_test: OodTestOpt = None,
    group_col: GroupColOpt = None,
    perturbations: PerturbOpt = None,
    export_perturbed: ExportOpt = None,
    target_accuracy: TargetOpt = None,
    trust_max_test: TrustMaxOpt = 100,
    report: ReportOpt = False,
) -> None:
    """Compare on the bundled demo data (8 support intents) with the embedded models.

    No network needed. Takes compare's options, e.g. taskfit demo --approaches zero-shot,tfidf-lr;
    taskfit demo --trust adds the trust measures (OOD on the demo's shifted test set).
    """
    from taskfit.workflows.compare import compare_demo

    opts = _options(locals())
    llms = redact_text(", ".join(llm)) if llm else "the embedded SmolLM2-135M"
    err.print(
        f"taskfit demo: 8 customer-support intents (bundled data); LLM: {llms}; encoder: "
        f"{encoder}. A first run takes a few minutes on 2 CPU cores; repeats come from the cache.",
        highlight=False,
    )
    result = _run(compare_demo, **opts)
    if report:
        write_html_report(result.out_dir, prefix="Report: ")
