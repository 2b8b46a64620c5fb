"""`taskfit advise`: the decision flows' prior for a task, from measured facts first."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from taskfit.cli.common import (
    BudgetOpt,
    CardOpt,
    LatencyOpt,
    OnPremOpt,
    SetOpt,
    app,
    err,
    out,
)
from taskfit.cli.flags import data_flags, profile_flags, with_flags
from taskfit.cli.profile import load_and_profile


@app.command()
@with_flags(data_flags, profile_flags)
def advise(
    card: CardOpt = None,
    set_: SetOpt = None,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive", help="Ask, in the terminal, only the questions that can change it."
        ),
    ] = False,
    task_type: Annotated[
        str | None,
        typer.Option("--task-type", help="classification, nli, regression, generation, ..."),
    ] = None,
    budget_per_1k: BudgetOpt = None,
    latency_p95_ms: LatencyOpt = None,
    on_prem: OnPremOpt = False,
    replacing_finetuned: Annotated[
        bool,
        typer.Option(
            "--replacing-finetuned", help="A well-performing fine-tuned model exists already."
        ),
    ] = False,
    hardware: Annotated[
        str | None, typer.Option("--hardware", help="What serves the model: cpu or gpu.")
    ] = None,
    **flags: Any,
) -> None:
    """Walk both decision flows for DATA and say what they advise, and how to test it.

    Facts come from the data's profile (measured), from --card / --set / --interactive
    (answered), or from defaults for the task type (assumed); each is labelled. Without
    DATA or --demo, the advice rests on the card and answers alone.

    Example: taskfit advise tickets.csv --text body --label intent --on-prem --latency-p95-ms 200
    """
    from taskfit.report.advice_view import advice_renderables
    from taskfit.workflows.inputs import Advice, ask_missing, default_home, load_card, parse_answers
    from taskfit.workflows.inputs import advise_on as run_advise
    from taskfit.workflows.profile import write_json

    # Everything typed by the user is checked before the (possibly slow) profile runs.
    task_card = load_card(card) if card is not None else None
    answers = parse_answers(set_ or [])
    profile = None
    if flags["data"] is not None or flags["demo"]:
        _, profile = load_and_profile(flags)
    else:
        err.print("note: no data given, so nothing is measured; facts are answered or assumed.")

    def build(extra: dict[str, bool]) -> Advice:
        return run_advise(
            profile,
            task_card,
            {**answers, **extra},
            task_type=task_type,
            budget_per_1k=budget_per_1k,
            latency_p95_ms=latency_p95_ms,
            on_prem=on_prem or None,
            replacing_finetuned=replacing_finetuned or None,
            hardware=hardware,
        )

    advice = build({})
    if interactive:
        # Asked from the facts the advice used: measured and answered ones never are.
        asked = ask_missing(advice.facts)
        if asked:
            advice = build(asked)
    for part in advice_renderables(advice):
        out.print(part)
        out.print()
    doc: dict[str, Any] = {"advice": advice.to_json()}
    if profile is not None:
        doc["profile"] = profile.to_json()
    if task_card is not None:
        doc["card"] = task_card.to_json()
    if flags["out_dir"] is not None:
        target = Path(flags["out_dir"])
    elif profile is not None:
        target = default_home() / "advice" / profile.data_hash[:12]
    else:
        target = default_home() / "advice" / "no-data"
    write_json(target / "advice.json", doc)
    out.print(f"Wrote {target / 'advice.json'}", highlight=False)
