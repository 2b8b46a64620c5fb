"""Rich renderables for a :class:`~taskfit.types.Profile` (the ``taskfit profile`` output)."""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from taskfit.report.markdown_tasks import fact_tables
from taskfit.types import Profile

__all__ = ["profile_renderables"]


def _table(title: str, *cols: str) -> Table:
    t = Table(title=title, title_justify="left", title_style="bold")
    for i, c in enumerate(cols):
        t.add_column(c, justify="left" if i == 0 else "right")
    return t


def _labels(p: Profile, limit: int = 12) -> Table:
    t = _table(
        f"Labels: {len(p.labels)} classes, {p.n_train:,} train / {p.n_test:,} test rows "
        f"({p.label_type})",
        "label",
        "train",
        "test",
    )
    ranked = sorted(p.label_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ranked if len(ranked) <= limit else ranked[: limit // 2] + ranked[-limit // 2 :]
    for i, (lab, n) in enumerate(shown):
        if len(ranked) > limit and i == limit // 2:
            t.add_row(f"... {len(ranked) - limit} more ...", "", "")
        t.add_row(lab, f"{n:,}", f"{p.test_label_counts.get(lab, 0):,}")
    t.caption = (
        f"examples per class: min {p.min_per_class:,}, median {p.median_per_class:,.0f}; "
        f"imbalance (largest/smallest) {p.imbalance_ratio:.1f}x"
    )
    return t


def _lengths(p: Profile) -> Table:
    t = _table("Text length", "unit", "p50", "p95", "max", "context", "truncated")
    for s in p.lengths:
        t.add_row(
            s.unit,
            f"{s.p50:,.0f}",
            f"{s.p95:,.0f}",
            f"{s.max:,}",
            "" if s.context is None else f"{s.context:,}",
            "" if s.share_truncated is None else f"{s.share_truncated:.1%}",
        )
    return t


def _duplicates(p: Profile) -> Iterator[RenderableType]:
    d = p.duplicates
    if d is None:
        return
    t = _table(f"Duplicates (MinHash LSH, Jaccard >= {d.threshold:.2f})", "where", "exact", "near")
    t.add_row("within train (pairs)", f"{d.exact_pairs_train:,}", f"{d.near_pairs_train:,}")
    t.add_row("train/test leakage (pairs)", f"{d.exact_pairs_cross:,}", f"{d.near_pairs_cross:,}")
    t.caption = (
        f"{d.duplicate_rows_train:,} train rows have a duplicate; {d.leaked_test_rows:,} test "
        f"rows ({d.leaked_share:.1%}) have one in train"
    )
    yield t
    if d.examples:
        ex = _table("Duplicate examples", "pair", "sim", "text a", "text b")
        for e in d.examples[:8]:
            ex.add_row(
                f"{e.split_a}#{e.a} ~ {e.split_b}#{e.b}",
                "exact" if e.exact else f"{e.similarity:.2f}",
                e.text_a,
                e.text_b,
            )
        yield ex


def _shift(p: Profile) -> Table | None:
    rows = [s for s in (p.shift, p.ood_shift) if s is not None]
    if not rows:
        return None
    t = _table(
        "Shift vs train (domain classifier on embeddings)",
        "reference",
        "AUC",
        "null mean",
        "null p95",
        "p",
        "verdict",
    )
    for s in rows:
        t.add_row(
            s.reference,
            f"{s.auc:.3f}",
            f"{s.null_mean:.3f}",
            f"{s.null_p95:.3f}",
            f"{s.p_value:.3f}",
            Text("shifted", style="yellow") if s.shifted else Text("no shift", style="green"),
        )
    return t


def _language(p: Profile) -> Table | None:
    lang = p.languages
    if lang is None:
        return None
    t = _table("Languages", "language", "share")
    for code, share in list(lang.mix.items())[:8]:
        flag = " (low-resource)" if code in lang.low_resource else ""
        t.add_row(code + flag, f"{share:.1%}")
    t.add_row("undetected (too short/ambiguous)", f"{lang.undetected_share:.1%}")
    return t


def _pii(p: Profile) -> Table | None:
    if p.pii is None:
        return None
    t = _table("PII indicators (rows with a match; values masked)", "kind", "rows", "example")
    first: dict[str, str] = {}
    for f in p.pii.examples:
        first.setdefault(f.kind, f"{f.split}#{f.row}: {f.masked}")
    for kind, n in p.pii.counts.items():
        t.add_row(kind, f"{n:,}", first.get(kind, ""))
    if p.pii.name_detector is None:
        t.caption = "person names: not checked (no name detector installed)"
    return t


def _label_errors(p: Profile) -> Table | None:
    if not p.label_errors and p.label_error_count == 0:
        return None
    t = _table(
        f"Likely label errors (confident learning): {p.label_error_count:,} rows flagged",
        "row",
        "given",
        "p",
        "suggested",
        "p",
        "text",
    )
    for li in p.label_errors[:10]:
        t.add_row(
            f"{li.split}#{li.row}",
            li.given,
            f"{li.p_given:.2f}",
            li.suggested,
            f"{li.p_suggested:.2f}",
            li.text,
        )
    return t


def _domain(p: Profile) -> Table | None:
    if not p.domain_fit:
        return None
    t = _table("Domain fit (per-token perplexity)", "model", "your data", "reference", "ratio")
    for d in p.domain_fit:
        t.add_row(d.model, f"{d.ppl_data:.1f}", f"{d.ppl_reference:.1f}", f"{d.ratio:.2f}")
    t.caption = "ratio well above 1: the data is far from what the model was trained on"
    return t


def _task_facts(p: Profile) -> Iterator[Table]:
    """The tables of the ``corpus`` and ``entities`` facts (QA over a corpus, extraction)."""
    for spec in fact_tables(p.facts):
        t = _table(spec.title, *spec.head)
        for row in spec.rows:
            t.add_row(*row)
        t.caption = spec.caption or None
        yield t


def profile_renderables(p: Profile) -> list[RenderableType]:
    parts: list[RenderableType | None] = [_labels(p), _lengths(p), *_task_facts(p)]
    parts.extend(_duplicates(p))
    parts += [_shift(p), _language(p), _pii(p), _label_errors(p), _domain(p)]
    return [x for x in parts if x is not None]
