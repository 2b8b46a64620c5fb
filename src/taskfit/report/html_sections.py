"""HTML report sections for the headline: recommendation (with the decision flows and
the measured evidence), the approaches table, learning curves, distillation, cost model
and notes. Each function takes the results document and returns a section (see
:mod:`taskfit.report.html_blocks`) or None when the document has nothing for it."""

from __future__ import annotations

from typing import Any

from taskfit.report.columns import (
    best_words,
    curve_metric,
    higher_is_better,
    metric_columns,
    metrics_sentence,
    paired_test_name,
    sentence_start,
)
from taskfit.report.html_blocks import h3, iv, list_block, num, p, pvalue, section, table, usd
from taskfit.report.rule import rule_text

__all__ = [
    "approaches_section",
    "cost_model_section",
    "curves_section",
    "distill_section",
    "notes_section",
    "recommendation_section",
]

Doc = dict[str, Any]
_PRIOR_WORDS = {
    "prompt": "a prompted LLM",
    "finetune": "a fine-tuned model",
    "distill": "distillation (the LLM labels data, a small model serves)",
    "split": "split: the flows disagree, measure both sides",
    "none": "no model fits well yet",
}


def _value(a: Doc, name: str) -> float | None:
    """Approach ``a``'s value of metric ``name``; None when it has none."""
    d = a["metrics"].get(name)
    return None if not d else d.get("value")


def _is_better(a: Doc, cur: Doc, name: str, larger: bool) -> bool:
    """Whether ``a`` scores better than ``cur`` on metric ``name``; a missing value loses."""
    va, vc = _value(a, name), _value(cur, name)
    if va is None:
        return False
    if vc is None:
        return True
    return va > vc if larger else va < vc


def _evidence(doc: Doc) -> list[Any]:
    """The best approach of each family on the headline metric, next to the choice."""
    columns = metric_columns(doc)
    name = columns[0][0]
    larger = higher_is_better(doc, name)
    best: dict[str, dict[str, Any]] = {}
    for a in doc["approaches"]:
        cur = best.get(a["family"])
        if cur is None or _is_better(a, cur, name, larger):
            best[a["family"]] = a
    choice = doc["recommendation"]["choice"]
    rows = [
        (
            fam,
            a["name"],
            iv(a["metrics"].get(name)),
            a["n_test"],
            *[iv(a["metrics"].get(other)) for other, _ in columns[1:]],
            num(a["latency_ms"]["p95"], ".1f"),
            usd(a["cost_per_1k_usd"]),
        )
        for fam, a in best.items()
    ]
    titles = [f"{title} [95% CI]" for _, title in columns]
    head = ["family", "best approach", titles[0], "n", *titles[1:], "p95 ms"]
    k = len(columns)
    return [
        h3("Measured evidence"),
        table(
            [*head, "$ per 1k"],
            rows,
            numeric=(3, 3 + k, 4 + k),
            highlight=[i for i, r in enumerate(rows) if r[1] == choice],
            caption="The most accurate approach of each family on the test set.",
        ),
    ]


def _advice(advice: Doc | None) -> list[Any]:
    if not advice:
        return []
    blocks: list[Any] = [
        h3(f"Decision flows: prior {_PRIOR_WORDS.get(advice['prior'], advice['prior'])}"),
        p(advice.get("prior_reason", "")),
    ]
    for flow in advice.get("flows", {}).values():
        rows = [
            (s["node"], s["question"], "yes" if s["answer"] else "no", s["source"], s["detail"])
            for s in flow["path"]
        ]
        blocks.append(
            table(
                ["node", "question", "answer", "source", "why"],
                rows,
                caption=f"Flow {flow['flow']} ({flow['title']}): nodes visited, ending in "
                f"{flow['outcome']} at {flow['decided_by']}.",
            )
        )
    blocks += [p(f"Where the flows differ: {d['why']}") for d in advice.get("disagreements", [])]
    if advice.get("constraints"):
        blocks.append(
            table(
                ["constraint", "rules out serving a prompted LLM", "detail"],
                [
                    (c["name"], "yes" if c["pushes_local"] else "no", c["detail"])
                    for c in advice["constraints"]
                ],
                caption="Deployment constraints.",
            )
        )
    named = ", ".join(advice.get("approaches", [])) or "none"
    blocks.append(p(f"Approaches the advice names: {named} ({advice['approaches_reason']})."))
    return blocks


def recommendation_section(doc: Doc) -> dict[str, Any] | None:
    rec = doc["recommendation"]
    blocks: list[Any] = [
        {"kind": "choice", "text": rec["choice"]},
        list_block(rec.get("reasons", [])),
    ]
    if rule_text(rec.get("rule")):
        blocks.append(p(rule_text(rec.get("rule"))))
    if rec.get("warnings"):
        blocks += [h3("Warnings"), list_block(rec["warnings"], "warn")]
    if rec.get("prior"):
        agree = "agree" if rec.get("agrees_with_prior") else "do not agree"
        words = _PRIOR_WORDS.get(rec["prior"], rec["prior"])
        blocks.append(p(f"The measurements {agree} with the decision flows' prior ({words})."))
    blocks += _evidence(doc)
    blocks += _advice(doc.get("advice"))
    return section("recommendation", "Recommendation", blocks)


def approaches_section(doc: Doc) -> dict[str, Any] | None:
    vs_best = {c["b"]: c for c in doc.get("comparisons", [])}
    best = {c["a"] for c in doc.get("comparisons", [])}
    columns = metric_columns(doc)
    rows, highlight = [], []
    for i, a in enumerate(doc["approaches"]):
        c = vs_best.get(a["name"])
        sig = "best" if a["name"] in best else "-"
        if c is not None:
            sig = f"{pvalue(c['p_value'])} (n={c['n']})"
        if a["name"] == doc["recommendation"]["choice"]:
            highlight.append(i)
        lat = a["latency_ms"]
        rows.append(
            (
                a["name"],
                a["family"],
                a["n_train_labels"],
                a["n_test"],
                *[iv(a["metrics"].get(name)) for name, _ in columns],
                sig,
                f"{num(lat['p50'], '.1f')} / {num(lat['p95'], '.1f')}",
                num(a["throughput_per_s"], ".1f"),
                num(a["train_seconds"], ".1f"),
                usd(a["cost_per_1k_usd"]),
                a["parse_failures"],
            )
        )
    head = ["approach", "family", "labels used", "n"]
    head += [f"{title} [95% CI]" for _, title in columns]
    test = paired_test_name(doc)
    head += [f"p vs best ({test})", "p50 / p95 ms", "per s", "train s", "$ per 1k"]
    head += ["parse failures"]
    caption = (
        f"{metrics_sentence(columns)} with 95% bootstrap intervals; n = test examples scored. "
        f"p: two-sided {test} test against the {best_words(doc)} approach on the examples "
        "both scored (shared n). The recommended approach is highlighted."
    )
    k = len(columns)
    blocks = [
        table(
            head,
            rows,
            numeric=(2, 3, *range(4, 4 + k), *range(5 + k, 10 + k)),
            highlight=highlight,
            caption=caption,
            tid="approaches",
        )
    ]
    bases = [f"{a['name']}: {a['cost_basis']}" for a in doc["approaches"] if a.get("cost_basis")]
    if bases:
        blocks += [h3("How each cost was computed"), list_block(bases)]
    return section("approaches", "Approaches", blocks)


def curves_section(doc: Doc) -> dict[str, Any] | None:
    curves = doc.get("curves")
    if not curves:
        return None
    names = [a["name"] for a in curves["approaches"]]
    key, title = curve_metric(curves)
    cells: dict[int, dict[str, str]] = {}
    for a in curves["approaches"]:
        for s in a["summary"]:
            cells.setdefault(s["budget"], {})[a["name"]] = (
                f"{s[key + '_mean']:.3f} [{s['ci_low']:.3f}, {s['ci_high']:.3f}]"
            )
    per = " per class" if curves.get("budget_unit") == "per_class" else ""
    rows = [(b, *[by.get(n, "-") for n in names]) for b, by in sorted(cells.items())]
    blocks: list[Any] = [
        table(
            [f"label budget{per}", *names],
            rows,
            numeric=(0,),
            caption=(
                f"{sentence_start(title)}, mean over {len(curves['seeds'])} seed(s) [95% interval]."
            ),
            tid="curves",
        )
    ]
    refs = [
        f"{r['name']}: {r[key]:.3f} [{r['ci_low']:.3f}, {r['ci_high']:.3f}] with "
        f"{r['n_labels']} labels, n={r['n_test']}"
        for r in curves.get("references", [])
    ]
    if refs:
        blocks += [h3("Prompted references"), list_block(refs)]
    fits = []
    for a in curves["approaches"]:
        fit = a.get("fit")
        if fit:
            fits.append(
                f"{a['name']}: {title} ≈ {fit['a']:.3f} − {fit['b']:.3g}·n^(−{fit['c']:.3f}) "
                f"(ceiling a in [{fit['a_ci'][0]:.3f}, {fit['a_ci'][1]:.3f}])"
            )
        if a.get("crossover"):
            fits.append(a["crossover"]["message"])
    if fits:
        blocks += [h3("Fits and crossovers"), list_block(fits)]
    blocks.append(list_block(curves.get("notes", []), "muted"))
    return section("curves", "Learning curves", blocks)


def distill_section(doc: Doc) -> dict[str, Any] | None:
    d = doc.get("distill")
    if not d:
        return None
    t, pool, cost = d["teacher"], d["pool"], d["labelling_cost"]
    facts = [
        f"Teacher {t['name']}: test accuracy {iv(t['test_accuracy'])} (n={t['n_test']}), "
        f"p95 {num(t['latency_ms']['p95'], '.0f')} ms, {usd(t['cost_per_1k_usd'])} per 1k.",
        f"Pool: {pool['n']} texts, {pool['n_labelled']} LLM labels kept; mean confidence "
        f"{pool['confidence_mean']:.2f}"
        + (
            f"; label accuracy where gold exists {iv(pool['label_accuracy'])}"
            if pool.get("label_accuracy")
            else ""
        )
        + ".",
        f"Labelling cost: LLM {usd(cost['llm_usd'])} ({cost['llm_basis']}) vs human "
        f"${cost['human_usd']:,.2f} at ${cost['usd_per_label']:g}/label; gold labels mixed "
        f"in: {d['gold_labels']}.",
    ]
    rows = [
        (
            s["name"],
            s["n_train"],
            iv(s["accuracy"]),
            num(s["agreement_with_teacher"]),
            num(s["latency_ms"]["p95"], ".1f"),
            usd(s["cost_per_1k_usd"]),
        )
        for s in d["students"]
    ]
    head = ["student", "n train", "accuracy [95% CI]", "agreement with teacher", "p95 ms"]
    return section(
        "distill",
        "Distillation",
        [list_block(facts), table([*head, "$ per 1k"], rows, numeric=(1, 3, 4, 5), tid="students")],
    )


def cost_model_section(doc: Doc) -> dict[str, Any] | None:
    model = doc.get("cost_model")
    if not model:
        return None
    a = model["assumptions"]
    assumptions = [
        f"{k} = {v['value']:g} ({v['about']})"
        for k, v in a.items()
        if isinstance(v, dict) and "value" in v
    ]
    assumptions += [
        f"{m}: ${pr['input_per_1m']:g} / ${pr['output_per_1m']:g} per 1M tokens in / out"
        for m, pr in (a.get("prices") or {}).items()
    ]
    rows = [
        (
            c["name"],
            c["human_labels"],
            f"{c['human_labels_usd']:.4g}",
            f"{c['llm_labelling_usd']:.4g}",
            f"{c['train_usd']:.4g}",
            f"{c['one_off_usd']:.4g}",
            f"{c['running_per_1k_usd']:.3g}",
        )
        for c in model["approaches"]
    ]
    head = ["approach", "human labels", "labels $", "LLM labelling $", "training $", "one-off $"]
    crossing = [b["message"] for b in model.get("break_even", []) if b["monthly_volume"]]
    return section(
        "cost-model",
        "Cost model",
        [
            list_block(assumptions),
            table([*head, "$ per 1k predictions"], rows, numeric=range(1, 7)),
            h3("Break-even volumes") if crossing else None,
            list_block(crossing),
        ],
    )


def notes_section(doc: Doc) -> dict[str, Any] | None:
    notes = [f"data: {n}" for n in doc["task"].get("notes", [])]
    notes += [f"{a['name']}: {n}" for a in doc["approaches"] for n in a.get("notes", [])]
    notes += list(doc.get("_report_notes", []))
    return section("notes", "Notes", [list_block(notes)])
