"""HTML report tables for the trust sections (calibration, robustness, ood, shortcuts,
selective, groups) and for the confusion matrices. Same figures and wording as
:mod:`taskfit.report.markdown_trust`, as HTML blocks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from taskfit.metrics.confusion import OTHER, top_confusions
from taskfit.report.html_blocks import h4, iv, list_block, num, p, section, table
from taskfit.report.plots_report import MAX_CONFUSION_LABELS

__all__ = ["confusion_blocks", "trust_sections"]

Doc = dict[str, Any]
_TOP_ERRORS = 10


def _calibration(cal: Doc) -> list[Any]:
    rows = []
    for r in cal["approaches"]:
        u, t, c = r["uncalibrated"], r["temperature"], r["contextual"]
        rows.append(
            (
                r["name"],
                r["n"],
                num(u["ece_width"]),
                num(u["ece_mass"]),
                num(u["brier"]),
                num(u["nll"]),
                num(t["t"], ".2f") if t else "-",
                f"{t['after']['ece_width']:.3f} / {t['after']['nll']:.3f}" if t else "-",
                f"{c['accuracy_before']:.3f} → {c['accuracy_after']:.3f}, "
                f"ECE {c['after']['ece_width']:.3f}"
                if c
                else "-",
            )
        )
    head = ["approach", "n", "ECE (width)", "ECE (mass)", "Brier", "NLL", "T"]
    return [
        p(
            f"Top-label confidence against accuracy on the test set ({cal['n_bins']} bins). "
            f"Temperature T fitted on a dev split of {cal['dev_n']} training rows (the model "
            "refitted without them); contextual calibration divides an LLM's label "
            "probabilities by its prior on content-free inputs."
        ),
        table(
            [*head, "ECE / NLL after T", "contextual: accuracy, ECE"],
            rows,
            numeric=range(1, 8),
        ),
    ]


def _robustness(rob: Doc) -> list[Any]:
    kinds = [k["kind"] for k in rob["kinds"]]
    rows = []
    for r in rob["approaches"]:
        by = {x["kind"]: x for x in r["perturbations"]}
        rows.append(
            (
                r["name"],
                *[
                    f"{iv(by[k]['accuracy'])}; drop {iv(by[k]['drop'], 100, '.1f')} pts, "
                    f"flips {100 * by[k]['flip_rate']:.0f}% (n={by[k]['n']})"
                    if k in by
                    else "-"
                    for k in kinds
                ],
            )
        )
    return [
        p(
            "Accuracy under each perturbation of the test texts [95% interval], the drop in "
            "points against the same examples unperturbed [paired 95% interval], and the "
            f"share of predictions that flip (seed {rob['seed']})."
        ),
        list_block(f"{k['kind']}: {k['description']}" for k in rob["kinds"]),
        table(["approach", *kinds], rows),
        p(f"Perturbed texts written to {rob['exported']}.") if rob.get("exported") else None,
    ]


def _ood(ood: Doc) -> list[Any]:
    rows = [
        (
            r["name"],
            iv(r["id_accuracy"]),
            iv(r["ood_accuracy"]),
            iv(r["gap"], 100, ".1f"),
            f"{r['n_id']} / {r['n_ood']}",
            r.get("n_unseen_label", 0),
        )
        for r in ood["approaches"]
    ]
    head = ["approach", "ID accuracy", "OOD accuracy", "gap (points)", "n ID / OOD"]
    return [
        p(
            f"Source: {ood['source']}; {ood['n_id']} in-distribution and {ood['n_ood']} OOD "
            "test examples (prompted approaches may use a sample)."
        ),
        table([*head, "OOD examples with a label unseen in training"], rows, numeric=(4, 5)),
        list_block(ood.get("notes", []), "muted"),
    ]


def _shortcuts(sc: Doc) -> list[Any]:
    rows = [
        (
            lab,
            ", ".join(f"{t['token']} ({t['precision']:.0%} of {t['count']})" for t in toks) or "-",
        )
        for lab, toks in sc["tokens"].items()
    ]
    blocks: list[Any] = [
        table(
            ["label", "most label-predictive training words (precision of count)"],
            rows,
            caption="Pointwise mutual information between words and labels in training.",
        )
    ]
    masked = [
        (r["name"], iv(r["accuracy"]), iv(r["drop"], 100, ".1f")) for r in sc.get("masked", [])
    ]
    blocks.append(
        table(
            ["approach", "accuracy with the words masked", "drop (points)"],
            masked,
            caption="Accuracy when these words are masked in the test set.",
        )
    )
    bias = []
    for r in sc.get("prompt_bias", []):
        lb, rc = r["label_bias"], r["recency"]
        recency = "-"
        if rc:
            recency = (
                f"follows the last demonstration {rc['last_label_share']:.0%} (true share "
                f"{rc['last_label_true_share']:.0%}), {rc['flip_rate']:.0%} change with the "
                f"order, over {rc['n_orders']} orders"
            )
        bias.append(
            (
                r["name"],
                f"{lb['top_label']} ({lb['top_excess']:+.0%} vs its true share)",
                num(lb["tv_distance"], ".2f"),
                recency,
            )
        )
    blocks.append(
        table(
            ["prompted approach", "most over-predicted label", "total variation", "recency"],
            bias,
            numeric=(2,),
            caption="Label biases of the prompted approaches.",
        )
    )
    return blocks


def _selective(sel: Doc) -> list[Any]:
    target = sel.get("target_accuracy")
    head = ["approach", "n", "AURC", "excess AURC"]
    if target:
        head.append(f"coverage at accuracy {target:g}")
    rows = []
    for r in sel["approaches"]:
        row = [r["name"], r.get("n", "-"), num(r["aurc"]), num(r["excess_aurc"])]
        if target:
            cov = r.get("coverage_at_target")
            row.append("-" if cov is None else f"{100 * cov:.0f}%")
        rows.append(row)
    return [
        p(
            "Answer only the most confident share of inputs: area under the risk-coverage "
            "curve (lower is better) and its excess over a perfect ranking."
        ),
        table(head, rows, numeric=range(1, len(head))),
    ]


def _groups(grp: Doc) -> list[Any]:
    rows = [
        (
            r["name"],
            r["worst_group"] or "-",
            r["best_group"] or "-",
            f"{100 * r['worst_gap']:.1f}",
            "; ".join(
                f"{g['group']}: {iv(g['accuracy'])} (n={g['n']})" for g in r.get("groups", [])
            ),
        )
        for r in grp["approaches"]
    ]
    return [
        p(f"Accuracy per value of the column {grp['column']} on the test set."),
        table(
            ["approach", "worst group", "best group", "worst-group gap (points)", "groups"],
            rows,
            numeric=(3,),
        ),
    ]


def trust_sections(doc: Doc) -> list[dict[str, Any]]:
    """Every trust section present in ``doc``, in the order of ``summary.md``."""
    parts = [
        ("calibration", "Calibration", _calibration),
        ("robustness", "Robustness", _robustness),
        ("ood", "Out of distribution", _ood),
        ("shortcuts", "Shortcuts", _shortcuts),
        ("selective", "Selective prediction", _selective),
        ("groups", "Groups", _groups),
    ]
    out = [section(key, title, build(doc[key])) for key, title, build in parts if doc.get(key)]
    if doc.get("trust_notes"):
        out.append(section("trust-notes", "Trust notes", [list_block(doc["trust_notes"])]))
    return [s for s in out if s is not None]


def confusion_blocks(confusion: Doc | None, figures: Sequence[Any] = ()) -> list[Any]:
    """Per approach: its figure (``figures[k]``, when given), its most frequent errors,
    and the full matrix as a table when the label space is small enough to read one."""
    if not confusion:
        return []
    labels = confusion["labels"]
    blocks: list[Any] = []
    for k, a in enumerate(confusion["approaches"], start=1):
        matrix = a["matrix"]
        totals = [sum(row) for row in matrix]
        errors = [
            (t, pred, n, f"{n / totals[labels.index(t)]:.0%}")
            for t, pred, n in top_confusions(matrix, labels, _TOP_ERRORS)
        ]
        blocks.append(h4(f"{a['name']} (n={a['n']})"))
        if k <= len(figures) and figures[k - 1] is not None:
            blocks.append(figures[k - 1])
        blocks.append(
            table(
                ["true label", "predicted as", "count", "share of the true label"],
                errors,
                numeric=(2, 3),
                caption=f"The most frequent errors. {OTHER}: a prediction outside the labels "
                "(an LLM answer taskfit cannot parse is counted as a parse failure and "
                "predicted as the majority training label, so it shows in that label's column).",
            )
            or p("No errors.")
        )
        if len(labels) <= MAX_CONFUSION_LABELS:
            blocks.append(
                table(
                    ["true label", *[str(i) for i in range(1, len(labels) + 1)], OTHER],
                    [
                        (f"{i}. {lab}", *row)
                        for i, (lab, row) in enumerate(zip(labels, matrix, strict=True), 1)
                    ],
                    numeric=range(1, len(labels) + 2),
                    caption="Counts. Rows: true label; columns: predicted label, numbered "
                    "as the rows.",
                    tid=f"confusion-{k}",
                )
            )
    return blocks
