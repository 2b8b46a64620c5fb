"""`taskfit compare` and `taskfit demo`: run the head-to-head and show the result."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.measure import Measurement
from rich.table import Table

from taskfit.cli.common import RichHook, app, err, out, titled_table
from taskfit.cli.flags import (
    TARGET_HELP,
    TaskOpt,
    compare_flags,
    compare_settings,
    run_flags,
    split_flags,
    split_settings,
    with_flags,
)
from taskfit.cli.prompting_view import show_prompting
from taskfit.cli.report import write_html_report
from taskfit.cli.trust_opts import show_trust
from taskfit.config import CompareOptions, build
from taskfit.report.columns import metric_columns
from taskfit.report.rule import rule_text
from taskfit.workflows.inputs import names, redact_text


def _run(fn: Any, *args: Any, **kwargs: Any) -> Any:
    from taskfit.workflows.compare import CompareResult

    result: CompareResult = RichHook().run(fn, *args, kept="finished work is kept", **kwargs)
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
    show_results_table(result.results_json)
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


def _result_columns(columns: list[tuple[str, str]]) -> list[str]:
    """Headers after the approach: the headline metric with its interval, the other
    metrics' values, then latency, cost and training time."""
    (_, first), *rest = columns
    return ["n", f"{first} [95% CI]", *[title for _, title in rest], "p95 ms", "$ / 1k", "train s"]


def _score(d: dict[str, Any] | None, with_ci: bool) -> str:
    if not d or d.get("value") is None:
        return "-"
    if not with_ci or d.get("ci_low") is None or d.get("ci_high") is None:
        return f"{d['value']:.3f}"
    return f"{d['value']:.3f} [{d['ci_low']:.3f}, {d['ci_high']:.3f}]"


def _result_cells(a: dict[str, Any], columns: list[tuple[str, str]]) -> list[str]:
    scores = a["metrics"]
    return [
        str(a["n_test"]),
        *[_score(scores.get(name), i == 0) for i, (name, _) in enumerate(columns)],
        f"{a['latency_ms']['p95']:.1f}",
        f"{a['cost_per_1k_usd']:.3g}",
        f"{a['train_seconds']:.1f}",
    ]


def show_results_table(doc: dict[str, Any]) -> None:
    """One row per approach of the results document ``doc``, with its metric columns;
    when the rows do not fit the terminal (long approach names at 80 columns), each
    approach's name goes on a line of its own above its figures, so neither the name nor
    a figure is cut."""
    columns = metric_columns(doc)
    heads = _result_columns(columns)
    table = Table(title="taskfit comparison", title_justify="left")
    table.add_column("approach", no_wrap=True)
    for col in heads:
        table.add_column(col, justify="right", no_wrap=True)
    rows = [(str(a["name"]), _result_cells(a, columns)) for a in doc["approaches"]]
    for name, cells in rows:
        table.add_row(name, *cells)
    if Measurement.get(out, out.options.update_width(10_000), table).maximum <= out.width:
        out.print(table)
        return
    widths = [max(len(h), *(len(cells[i]) for _, cells in rows)) for i, h in enumerate(heads)]

    def line(cells: list[str]) -> str:
        return "  " + "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))

    header = line(heads)
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
    table = titled_table(
        f"Cost model ({a['horizon_months']['value']:g}-month horizon; "
        f"${a['usd_per_label']['value']:g}/label, ${a['usd_per_hour']['value']:g}/hour)",
        ("approach", "labels", "one-off $", "$ / 1k"),
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


@app.command()
@with_flags(split_flags, run_flags, compare_flags)
def compare(
    data: Annotated[Path, typer.Argument(help="Training data (CSV, TSV, JSONL, Parquet).")],
    text: Annotated[str, typer.Option("--text", help="Text column.")],
    label: Annotated[str, typer.Option("--label", "--target", help=TARGET_HELP)],
    **flags: Any,
) -> None:
    """Compare prompted LLMs and fine-tuned models on DATA; recommend one, with reasons.

    Example: taskfit compare tickets.csv --text body --label intent --max-test 300

    With trust measures: taskfit compare tickets.csv --text body --label intent --trust
    --ood-test shifted.csv --target-accuracy 0.9
    """
    from taskfit.workflows.compare import compare as run_compare

    opts = build(CompareOptions, compare_settings(flags))
    if not opts.llms and set(opts.approaches or names("prompt")) & set(names("prompt")):
        err.print(
            "note: no --llm given, so prompted approaches use the embedded SmolLM2-135M, a "
            "smoke-test model; add --llm openai:MODEL[@URL] or --llm gguf:PATH for a real LLM.",
            highlight=False,
        )
    source = {"text": text, "label": label, **split_settings(flags)}
    result = _run(run_compare, data, settings=opts, **source)
    if flags["report"]:
        write_html_report(result.out_dir, prefix="Report: ")


_DEMO_DATA = {
    "classification": "8 customer-support intents",
    "generation": "product attributes -> one-sentence descriptions",
    "reasoning": "arithmetic word problems",
    "qa": "questions about a product, answered from its documentation (101 passages)",
    "extraction": "support messages with order ids, products, dates and amounts",
}


@app.command()
@with_flags(run_flags, compare_flags)
def demo(task: TaskOpt = "classification", **flags: Any) -> None:
    """Compare on the bundled demo data with the embedded models.

    No network needed. Takes compare's options, e.g. taskfit demo --approaches zero-shot,tfidf-lr;
    taskfit demo --trust adds the trust measures (OOD on the demo's shifted test set).

    Other task types: taskfit demo --task generation (product descriptions);
    taskfit demo --task reasoning (arithmetic word problems); taskfit demo --task qa
    (questions over a documentation corpus, closed-book and retrieval-augmented);
    taskfit demo --task extraction (typed spans in support messages).
    """
    from taskfit.workflows.compare import compare_demo

    opts = build(CompareOptions, compare_settings(flags))
    llms = redact_text(", ".join(opts.llms)) if opts.llms else "the embedded SmolLM2-135M"
    what = _DEMO_DATA.get(task, task)
    err.print(
        f"taskfit demo: {what} (bundled data); LLM: {llms}; encoder: "
        f"{opts.encoder}. A first run takes a few minutes on 2 CPU cores; repeats come from the "
        "cache.",
        highlight=False,
    )
    result = _run(compare_demo, settings=opts, task=task)
    if flags["report"]:
        write_html_report(result.out_dir, prefix="Report: ")
