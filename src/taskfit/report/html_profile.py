"""HTML report sections for the data profile and for reproducing the run (settings,
versions, run statistics and the equivalent command line)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from taskfit.backends.redact import redact_text
from taskfit.report.html_blocks import code, h3, list_block, num, p, section, table
from taskfit.report.html_tasks import profile_fact_blocks
from taskfit.report.reproduce import command_line

__all__ = ["profile_section", "reproduce_section"]

Doc = dict[str, Any]
_LABEL_ROWS = 30  # more labels than this: the largest and smallest classes only


def _labels(pr: Doc) -> list[Any]:
    ranked = sorted(pr["label_counts"].items(), key=lambda kv: (-kv[1], kv[0]))
    test = pr.get("test_label_counts", {})
    rows = [(lab, n, test.get(lab, 0)) for lab, n in ranked]
    caption = (
        f"{len(ranked)} labels; examples per class: min {pr['min_per_class']:,}, median "
        f"{pr['median_per_class']:,.0f}; imbalance (largest / smallest) "
        f"{pr['imbalance_ratio']:.1f}x."
    )
    if len(rows) > _LABEL_ROWS:
        half = _LABEL_ROWS // 2
        caption += f" The {half} largest and {half} smallest classes are shown."
        rows = [*rows[:half], (f"… {len(rows) - 2 * half} more", "", ""), *rows[-half:]]
    return [table(["label", "train", "test"], rows, numeric=(1, 2), caption=caption)]


def _lengths(pr: Doc) -> Any:
    rows = [
        (
            s["unit"],
            num(s["p50"], ",.0f"),
            num(s["p95"], ",.0f"),
            num(s["max"], ","),
            num(s.get("context"), ","),
            "-" if s.get("share_truncated") is None else f"{s['share_truncated']:.1%}",
        )
        for s in pr.get("lengths", [])
    ]
    return table(
        ["text length in", "p50", "p95", "max", "context", "truncated"],
        rows,
        numeric=range(1, 6),
    )


def _duplicates(pr: Doc) -> list[Any]:
    d = pr.get("duplicates")
    if not d:
        return []
    examples = [
        (
            f"{e['split_a']}#{e['a']} ~ {e['split_b']}#{e['b']}",
            "exact" if e["exact"] else f"{e['similarity']:.2f}",
            e["text_a"],
            e["text_b"],
        )
        for e in d.get("examples", [])[:8]
    ]
    return [
        h3("Duplicates and leakage"),
        p(
            f"MinHash LSH at Jaccard ≥ {d['threshold']:.2f}: {d['exact_pairs_train']:,} exact and "
            f"{d['near_pairs_train']:,} near-duplicate pairs within train; "
            f"{d['exact_pairs_cross']:,} exact and {d['near_pairs_cross']:,} near pairs across "
            f"train and test; {d['leaked_test_rows']:,} test rows ({d['leaked_share']:.1%}) have "
            "a duplicate in train."
        ),
        table(["pair", "similarity", "text a", "text b"], examples, caption="Example pairs."),
    ]


def _shift(pr: Doc) -> Any:
    rows = [
        (
            s["reference"],
            num(s["auc"]),
            num(s["null_mean"]),
            num(s["null_p95"]),
            num(s["p_value"]),
            "shifted" if s["shifted"] else "no shift",
        )
        for s in (pr.get("shift"), pr.get("ood_shift"))
        if s
    ]
    return table(
        ["reference", "AUC", "null mean", "null p95", "p", "verdict"],
        rows,
        numeric=range(1, 5),
        caption="Shift against train: a domain classifier on sentence embeddings.",
    )


def _other_facts(pr: Doc) -> list[Any]:
    facts = []
    lang = pr.get("languages")
    if lang:
        mix = ", ".join(f"{c} {s:.1%}" for c, s in list(lang["mix"].items())[:6])
        low = ", ".join(lang.get("low_resource", [])) or "none"
        facts.append(
            f"Languages: {mix}; undetected {lang['undetected_share']:.1%}; low-resource: {low}."
        )
    pii = pr.get("pii")
    if pii:
        counts = ", ".join(f"{k} {n:,}" for k, n in pii["counts"].items())
        facts.append(f"PII indicators (rows with a match): {counts}; values are masked.")
    if pr.get("label_error_count"):
        facts.append(f"Likely label errors (confident learning): {pr['label_error_count']:,}.")
    for d in pr.get("domain_fit", []):
        facts.append(
            f"Domain fit of {d['model']}: perplexity {d['ppl_data']:.1f} on the data vs "
            f"{d['ppl_reference']:.1f} on a reference text (ratio {d['ratio']:.2f})."
        )
    errors = [
        (
            f"{e['split']}#{e['row']}",
            e["given"],
            num(e["p_given"], ".2f"),
            e["suggested"],
            num(e["p_suggested"], ".2f"),
            e["text"],
        )
        for e in pr.get("label_errors", [])[:10]
    ]
    return [
        list_block(facts),
        table(
            ["row", "given", "p", "suggested", "p", "text"],
            errors,
            numeric=(2, 4),
            caption="Rows whose given label the out-of-fold model doubts most.",
        ),
    ]


def profile_section(doc: Doc) -> dict[str, Any] | None:
    pr = doc.get("profile")
    if not pr:
        return None
    return section(
        "profile",
        "Data profile",
        [
            p(f"{pr['n_train']:,} train and {pr['n_test']:,} test rows ({pr['label_type']})."),
            *_labels(pr),
            _lengths(pr),
            *profile_fact_blocks(pr),
            *_duplicates(pr),
            _shift(pr),
            *_other_facts(pr),
            list_block(pr.get("notes", []), "muted"),
        ],
    )


def _flat(d: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for k, v in d.items():
        if isinstance(v, Mapping) and v:
            rows += _flat(v, f"{prefix}{k}.")
        elif isinstance(v, (list, tuple)):
            rows.append((prefix + str(k), ", ".join(map(str, v)) or "-"))
        else:
            rows.append((prefix + str(k), "-" if v is None or v == {} else str(v)))
    return rows


def reproduce_section(doc: Doc) -> dict[str, Any] | None:
    settings = dict(doc.get("settings") or {})
    versions = settings.pop("versions", {})
    task = doc["task"]
    line, caveats = command_line(doc)
    facts = [
        ("run id", doc["run_id"]),
        ("created at", doc.get("created_at", "-")),
        ("taskfit version", doc.get("taskfit_version", "-")),
        ("data", task.get("source", "-")),
        ("test data", task.get("test_source") or "split of the data"),
        ("data hash", task.get("data_hash", "-")),
    ]
    stats = [(k, num(v, ".1f") if isinstance(v, float) else v) for k, v in doc["run_stats"].items()]
    return section(
        "reproduce",
        "Reproduce this run",
        [
            table(["", ""], facts),
            h3("Command line"),
            p("Rebuilt from the recorded settings; flags at their defaults are left out."),
            code(line),
            list_block((f"Not restored: {c}" for c in caveats), "muted"),
            h3("Settings"),
            # older curve runs recorded --llm as given: credentials are redacted here too
            table(["setting", "value"], [(k, redact_text(v)) for k, v in _flat(settings)]),
            h3("Versions") if versions else None,
            table(["package", "version"], versions.items()),
            h3("Run statistics"),
            table(["statistic", "value"], stats, numeric=(1,)),
        ],
    )
