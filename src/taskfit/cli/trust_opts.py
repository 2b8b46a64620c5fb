"""Trust-measure options of `compare` and `demo`, and how their results are shown."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from taskfit.cli.common import out, titled_table

__all__ = ["show_trust", "trust_options"]

TrustOpt = Annotated[
    bool,
    typer.Option(
        "--trust",
        help="All trust measures: calibration, robustness, ood, shortcuts, selective "
        "(and groups with --group-col).",
        rich_help_panel="Trust measures",
    ),
]


def _flag(name: str, text: str) -> Any:
    return Annotated[bool, typer.Option(f"--{name}", help=text, rich_help_panel="Trust measures")]


CalibrationOpt = _flag(
    "calibration",
    "ECE, Brier, NLL, reliability; temperature scaling on a dev split; contextual "
    "calibration for LLMs.",
)
RobustnessOpt = _flag("robustness", "Accuracy under seeded perturbations of the test set.")
OodFlagOpt = _flag(
    "ood",
    "In- vs out-of-distribution accuracy: --ood-test FILE, else groups of --group-col, "
    "else held-out k-means clusters.",
)
ShortcutsOpt = _flag(
    "shortcuts", "Label-predictive tokens and the accuracy lost when they are masked; LLM biases."
)
SelectiveOpt = _flag("selective", "Accuracy-coverage curves and AURC from each confidence.")
GroupsOpt = _flag("groups", "Per-group accuracy and the worst-group gap (needs --group-col).")
OodTestOpt = Annotated[
    Path | None,
    typer.Option(
        "--ood-test",
        help="Labelled out-of-distribution test file (same columns); implies --ood.",
        rich_help_panel="Trust measures",
    ),
]
GroupColOpt = Annotated[
    str | None,
    typer.Option(
        "--group-col",
        help="Metadata column (e.g. source, date): group slices and group OOD split; "
        "implies --groups.",
        rich_help_panel="Trust measures",
    ),
]
PerturbOpt = Annotated[
    str | None,
    typer.Option(
        "--perturbations",
        help="Comma-separated kinds, or all: typos, casing, no-punct, word-dropout, "
        "distractor, entity-swap. Implies --robustness.",
        rich_help_panel="Trust measures",
    ),
]
ExportOpt = Annotated[
    Path | None,
    typer.Option(
        "--export-perturbed",
        help="Write the perturbed test texts to this .csv or .jsonl; implies --robustness.",
        rich_help_panel="Trust measures",
    ),
]
TargetOpt = Annotated[
    float | None,
    typer.Option(
        "--target-accuracy",
        help="Selective prediction: coverage at which each approach reaches this accuracy "
        "(e.g. 0.9); implies --selective.",
        rich_help_panel="Trust measures",
    ),
]
TrustMaxOpt = Annotated[
    int,
    typer.Option(
        "--trust-max-test",
        help="Cap on LLM examples per trust test set (perturbed, OOD, dev).",
        rich_help_panel="Trust measures",
    ),
]


def trust_options(
    *,
    trust: bool,
    calibration: bool,
    robustness: bool,
    ood: bool,
    shortcuts: bool,
    selective: bool,
    groups: bool,
    ood_test: Path | None,
    group_col: str | None,
    perturbations: str | None,
    export_perturbed: Path | None,
    target_accuracy: float | None,
    trust_max_test: int,
    seed: int,
) -> Any:
    """The TrustOptions the flags ask for (flags that need a measure switch it on)."""
    from taskfit.config import TRUST_MEASURES, TrustOptions
    from taskfit.workflows.inputs import parse_perturbations

    on = {
        "calibration": trust or calibration,
        "robustness": trust or robustness or bool(perturbations) or export_perturbed is not None,
        "ood": trust or ood or ood_test is not None,
        "shortcuts": trust or shortcuts,
        "selective": trust or selective or target_accuracy is not None,
        "groups": groups or group_col is not None,
    }
    return TrustOptions(
        measures=tuple(m for m in TRUST_MEASURES if on[m]),
        perturbations=parse_perturbations(perturbations) if perturbations else (),
        perturb_seed=seed,
        export_perturbed=str(export_perturbed) if export_perturbed else None,
        ood_test=str(ood_test) if ood_test else None,
        group_col=group_col,
        target_accuracy=target_accuracy,
        llm_max_test=trust_max_test,
    )


def _iv(d: dict[str, float], scale: float = 1.0) -> str:
    return f"{scale * d['value']:.3g} [{scale * d['ci_low']:.3g}, {scale * d['ci_high']:.3g}]"


def show_trust(doc: dict[str, Any]) -> None:
    """Compact tables of the trust sections present in ``doc``; details in results.json."""
    cal = doc.get("calibration")
    if cal:
        t = titled_table(
            "Calibration (ECE, lower is better)",
            ["approach", "ECE", "ECE mass", "Brier", "NLL", "T", "ECE after T", "contextual acc"],
        )
        for r in cal["approaches"]:
            u, temp, ctx = r["uncalibrated"], r["temperature"], r["contextual"]
            t.add_row(
                r["name"],
                f"{u['ece_width']:.3f}",
                f"{u['ece_mass']:.3f}",
                f"{u['brier']:.3f}",
                f"{u['nll']:.3f}",
                f"{temp['t']:.2f}" if temp else "-",
                f"{temp['after']['ece_width']:.3f}" if temp else "-",
                f"{ctx['accuracy_before']:.3f}->{ctx['accuracy_after']:.3f}" if ctx else "-",
            )
        out.print(t)
    rob = doc.get("robustness")
    if rob:
        kinds = [k["kind"] for k in rob["kinds"]]
        t = titled_table(
            "Robustness: accuracy drop in points vs clean (flip rate)", ["approach", *kinds]
        )
        for r in rob["approaches"]:
            by = {p["kind"]: p for p in r["perturbations"]}
            t.add_row(
                r["name"],
                *[
                    f"{100 * by[k]['drop']['value']:.1f} ({100 * by[k]['flip_rate']:.0f}%)"
                    if k in by
                    else "-"
                    for k in kinds
                ],
            )
        out.print(t)
        if rob.get("exported"):
            out.print(f"  perturbed texts written to {rob['exported']}", highlight=False)
    ood = doc.get("ood")
    if ood:
        t = titled_table(
            f"Out of distribution ({ood['source']})",
            ["approach", "ID accuracy", "OOD accuracy", "gap (points)", "n OOD"],
        )
        for r in ood["approaches"]:
            t.add_row(
                r["name"],
                _iv(r["id_accuracy"]),
                _iv(r["ood_accuracy"]),
                _iv(r["gap"], 100),
                str(r["n_ood"]),
            )
        out.print(t)
    sel = doc.get("selective")
    if sel:
        target = sel["target_accuracy"]
        cols = ["approach", "AURC", "excess AURC"]
        if target is not None:
            cols.append(f"coverage @ {target:g}")
        t = titled_table("Selective prediction (risk-coverage; lower AURC is better)", cols)
        for r in sel["approaches"]:
            row = [r["name"], f"{r['aurc']:.3f}", f"{r['excess_aurc']:.3f}"]
            if target is not None:
                row.append(f"{100 * (r['coverage_at_target'] or 0.0):.0f}%")
            t.add_row(*row)
        out.print(t)
    sc = doc.get("shortcuts")
    if sc:
        if sc.get("masked"):
            toks = ", ".join(sc["masked_tokens"][:12])
            more = "" if len(sc["masked_tokens"]) <= 12 else ", ..."
            t = titled_table(
                f"Shortcut probe: masking {toks}{more}", ["approach", "accuracy", "drop (points)"]
            )
            for r in sc["masked"]:
                t.add_row(r["name"], _iv(r["accuracy"]), _iv(r["drop"], 100))
            out.print(t)
        for r in sc.get("prompt_bias", []):
            lb, rc = r["label_bias"], r["recency"]
            top = lb["top_label"]
            line = (
                f"  {r['name']}: predicts {top!r} {100 * lb['pred_share'][top]:.0f}% "
                f"of the time (truth {100 * lb['true_share'].get(top, 0.0):.0f}%)"
            )
            if rc:
                line += (
                    f"; follows the last demonstration's label {100 * rc['last_label_share']:.0f}% "
                    f"(truth {100 * rc['last_label_true_share']:.0f}%) over {rc['n_orders']} orders"
                )
            out.print(line, markup=False, highlight=False)
    grp = doc.get("groups")
    if grp:
        t = titled_table(
            f"Groups ({grp['column']})", ["approach", "worst group", "best group", "gap (points)"]
        )
        for r in grp["approaches"]:
            t.add_row(r["name"], r["worst_group"], r["best_group"], f"{100 * r['worst_gap']:.1f}")
        out.print(t)
    for n in doc.get("trust_notes", []):
        out.print(f"  trust note: {n}", markup=False, highlight=False)
