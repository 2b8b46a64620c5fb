"""Markdown for the sections of QA over a corpus and of extraction: ``retrieval`` (each
retriever's recall@k and cost, the gain of retrieval over closed-book answers, and what
each retriever found for the first test questions) and ``entities`` (per-type scores,
errors by type, mentions a prompted approach placed nowhere, and example texts); and the
tables of the profile's ``corpus`` and ``entities`` facts.

The rows, captions and wording here are shared with :mod:`taskfit.report.html_tasks` and
the ``taskfit profile`` tables (:mod:`taskfit.report.profile_view`); figures are formatted
with the report's number helpers (:mod:`taskfit.report.html_blocks`), so every view shows
the same text.

>>> gain_verdict({"difference": {"value": 0.1, "ci_low": 0.02, "ci_high": 0.2}})
'retrieval helps'
>>> gain_verdict({"difference": {"value": 0.0, "ci_low": -0.1, "ci_high": 0.1}})
'not settled'
>>> is_gold("doc-3#2", ["doc-3"]), is_gold("doc-30", ["doc-3"])
(True, False)
>>> spans_text([["€29", "AMOUNT"], ["Basic plan", "PRODUCT"]])
'"€29" [AMOUNT], "Basic plan" [PRODUCT]'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from taskfit.profile.task_facts import RETRIEVED
from taskfit.report.columns import higher_is_better
from taskfit.report.html_blocks import iv, num, pvalue
from taskfit.report.markdown_blocks import cell, heading
from taskfit.report.markdown_text import SHORT_CHARS, metric_title, shorten

__all__ = [
    "ERROR_COLUMNS",
    "ERROR_HEAD",
    "PER_TYPE_HEAD",
    "RETRIEVER_HEAD",
    "FactTable",
    "entities_lines",
    "entities_words",
    "error_rows",
    "examples_words",
    "fact_tables",
    "gain_head",
    "gain_rows",
    "gain_verdict",
    "gain_words",
    "hits_words",
    "is_gold",
    "paired_test_words",
    "passage_ids",
    "per_type_rows",
    "retrieval_lines",
    "retriever_rows",
    "retrievers_words",
    "spans_text",
    "task_lines",
    "unplaced_words",
]

RETRIEVER_HEAD = (
    "approach",
    "retriever",
    "k",
    "recall@k [95% CI]",
    "n with gold",
    "ms per question",
    "index build s",
    "passages",
)
PER_TYPE_HEAD = ("type", "precision", "recall", "F1", "support")
# (key in ``errors.by_type``, column title), then the spurious predicted spans.
ERROR_COLUMNS: tuple[tuple[str, str], ...] = (
    ("missed", "missed"),
    ("boundary", "boundary"),
    ("wrong_type", "wrong type"),
    ("overlap_other", "overlap with another type"),
)
ERROR_HEAD = ("type", *(title for _, title in ERROR_COLUMNS), "spurious")
_TESTS = {"mcnemar": "McNemar", "paired-permutation": "paired permutation"}
_NO_SPANS = "(none)"


# --------------------------------------------------------------------------- retrieval


def is_gold(passage: str, gold: Iterable[str]) -> bool:
    """Whether a retrieved passage id is a gold one: named itself, or a chunk
    (``{id}#{n}``) of a gold document, as recall@k counts it."""
    wanted = set(gold)
    if passage in wanted:
        return True
    doc, sep, n = passage.rpartition("#")
    return bool(sep) and n.isdigit() and doc in wanted


def passage_ids(found: Mapping[str, Any]) -> list[str]:
    """The passage ids an approach retrieved for a question, best first."""
    return [str(i) for i in found.get("passages") or []]


def paired_test_words(test: Any) -> str:
    """The paired test's name in words: ``McNemar`` or ``paired permutation``."""
    return _TESTS.get(str(test), str(test or "-"))


def gain_verdict(entry: Mapping[str, Any], higher_better: bool = True) -> str:
    """``retrieval helps`` / ``retrieval hurts`` when the 95% interval of the gain
    excludes 0 (on the better / the worse side of the metric), else ``not settled``."""
    d = entry.get("difference") or {}
    low, high = d.get("ci_low"), d.get("ci_high")
    if low is None or high is None:
        return "not settled"
    if low > 0 or high < 0:
        return "retrieval helps" if (low > 0) == higher_better else "retrieval hurts"
    return "not settled"


def retrievers_words() -> str:
    """The caption of the retrievers table (shared with the HTML report)."""
    return (
        "Recall@k: the share of the test questions with gold passages (n with gold) whose "
        "top k retrieved passages hold one, with 95% bootstrap intervals; n/a when no "
        "question has gold passages. ms per question: mean retrieval time; index build s: "
        "time to index the passages."
    )


def gain_words(doc: Mapping[str, Any]) -> str:
    """The caption of the gain table (shared with the HTML report)."""
    title = metric_title(doc, str((doc.get("retrieval") or {}).get("metric")))
    return (
        f"Gain = {title} of a retrieval-augmented approach minus that of its closed-book "
        "counterpart (the best closed-book prompted approach of the same LLM; for a "
        "fine-tuned reader the closed-book LoRA fine-tune), in points on the same test "
        "questions, with its paired 95% bootstrap interval and the paired test's p-value. "
        "Retrieval helps or hurts when the interval excludes 0; otherwise it is not settled."
    )


def hits_words(doc: Mapping[str, Any], marked: str, limit: int) -> str:
    """The caption of the questions shown with their retrieved passages; ``marked`` says
    how gold passages are marked in the view."""
    title = metric_title(doc, str((doc.get("retrieval") or {}).get("metric")))
    return (
        "The first test questions every retrieval-augmented approach answered: the "
        f"passages each one retrieved, best first (gold passages {marked}), and the answer "
        f"it gave from them; score = {title} of the answer against the reference. Texts "
        f"longer than {limit} characters are shortened (…)."
    )


def retriever_rows(section: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """One row per retrieval-augmented approach, in :data:`RETRIEVER_HEAD` order."""
    rows: list[tuple[str, ...]] = []
    for r in section.get("retrievers") or []:
        recall = r.get("recall")
        rows.append(
            (
                str(r.get("approach")),
                str(r.get("retriever")),
                num(r.get("k"), ","),
                iv(recall) if recall else "n/a",
                num(r.get("n_gold") or 0, ","),
                num(r.get("query_ms"), ".2f"),
                num(r.get("build_seconds"), ".2f"),
                num(r.get("passages"), ","),
            )
        )
    return rows


def gain_head(doc: Mapping[str, Any]) -> tuple[str, ...]:
    """The head of the gain table, naming the headline metric."""
    title = metric_title(doc, str((doc.get("retrieval") or {}).get("metric")))
    return (
        "approach",
        "closed-book",
        "n",
        f"{title} gain, points [95% CI]",
        "test",
        "p",
        "verdict",
    )


def gain_rows(doc: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """One row per retrieval-augmented approach with a closed-book counterpart."""
    section = doc.get("retrieval") or {}
    higher = higher_is_better(doc, str(section.get("metric")))
    return [
        (
            str(g.get("approach")),
            str(g.get("closed_book")),
            num(g.get("n"), ","),
            iv(g.get("difference"), 100, ".1f"),
            paired_test_words(g.get("test")),
            "-" if g.get("p_value") is None else pvalue(g["p_value"]),
            gain_verdict(g, higher),
        )
        for g in section.get("gain") or []
    ]


def _row(cells: Iterable[Any]) -> str:
    return f"| {' | '.join(cell(c) for c in cells)} |"


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]], numeric: Iterable[int]) -> list[str]:
    right = set(numeric)
    align = ["---:" if i in right else "---" for i in range(len(head))]
    return [_row(head), f"|{'|'.join(align)}|", *[_row(r) for r in rows]]


def _passages_cell(found: Mapping[str, Any], gold: Sequence[str]) -> str:
    shown = [f"**{cell(i)}**" if is_gold(i, gold) else cell(i) for i in passage_ids(found)]
    return ", ".join(shown) or "-"


def _hit_lines(hit: Mapping[str, Any]) -> list[str]:
    gold = [str(g) for g in hit.get("gold") or []]
    lines = [
        "",
        f"### Test question {hit.get('index')}",
        "",
        f"- question: {cell(shorten(hit.get('question')))}",
        f"- reference answer: {cell(shorten(hit.get('answer')))}",
        f"- gold passages: {cell(', '.join(gold) or 'none')}",
        "",
        "| approach | retrieved passages | answer | score |",
        "|---|---|---|---:|",
    ]
    for name, found in (hit.get("retrieved") or {}).items():
        lines.append(
            f"| {cell(name)} | {_passages_cell(found, gold)} "
            f"| {cell(shorten(found.get('answer')))} | {num(found.get('score'))} |"
        )
    return lines


def retrieval_lines(doc: Mapping[str, Any]) -> list[str]:
    """The "Retrieval" section; nothing when the document has no ``retrieval``."""
    section = doc.get("retrieval")
    if not section:
        return []
    lines = heading("Retrieval: recall and gain over closed-book")
    retrievers = retriever_rows(section)
    if retrievers:
        lines += [
            cell(retrievers_words()),
            "",
            *_table(RETRIEVER_HEAD, retrievers, (2, 4, 5, 6, 7)),
        ]
    gains = gain_rows(doc)
    if gains:
        lines += ["", cell(gain_words(doc)), "", *_table(gain_head(doc), gains, (2, 5))]
    hits = section.get("hits") or []
    if hits:
        lines += ["", cell(hits_words(doc, "in bold", SHORT_CHARS))]
        for hit in hits:
            lines += _hit_lines(hit)
    return lines


# --------------------------------------------------------------------------- entities


def entities_words() -> str:
    """The caption of the per-type and error tables (shared with the HTML report)."""
    return (
        "Exact span match on the test texts: precision, recall and F1 of each entity type; "
        "support = reference spans of the type. Errors of the reference spans by type: "
        "missed (no predicted span overlaps it), boundary (an overlapping span of the same "
        "type with other offsets), wrong type (the same offsets, another type), overlap with "
        "another type (an overlapping span of another type with other offsets); spurious = "
        "predicted spans of the type that overlap no reference span."
    )


def examples_words(limit: int) -> str:
    """The caption of the example texts (shared with the HTML report)."""
    return (
        "The first test texts some approach got wrong: the reference spans beside each "
        f'approach\'s, as "text" [TYPE]. Texts longer than {limit} characters are '
        "shortened (…)."
    )


def unplaced_words(name: str, n: int) -> str:
    """How many mentions of a prompted approach's replies the text does not hold."""
    return (
        f"{name}: {n:,} mention{'' if n == 1 else 's'} the text does not hold (not copied "
        "exactly from the text, so they score nothing)."
    )


def spans_text(spans: Iterable[Sequence[Any]] | None) -> str:
    """Spans as ``"text" [TYPE]``, comma-separated; ``(none)`` without any."""
    shown = [f'"{s[0]}" [{s[1]}]' for s in spans or [] if len(s) >= 2]
    return ", ".join(shown) or _NO_SPANS


def per_type_rows(scores: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """One row per entity type of an approach's ``per_type`` scores."""
    return [
        (
            str(kind),
            num(s.get("precision")),
            num(s.get("recall")),
            num(s.get("f1")),
            num(s.get("support"), ","),
        )
        for kind, s in scores.items()
    ]


def error_rows(errors: Mapping[str, Any], types: Iterable[str] = ()) -> list[tuple[str, ...]]:
    """One row per entity type with the counts of :data:`ERROR_HEAD`; ``types`` are
    shown even without errors (0 in every column)."""
    by_type = errors.get("by_type") or {}
    spurious = errors.get("spurious") or {}
    kinds = sorted({*types, *by_type, *spurious})
    return [
        (
            str(kind),
            *(num((by_type.get(kind) or {}).get(key, 0), ",") for key, _ in ERROR_COLUMNS),
            num(spurious.get(kind, 0), ","),
        )
        for kind in kinds
    ]


def _example_lines(ex: Mapping[str, Any]) -> list[str]:
    return [
        "",
        f"### Test text {ex.get('index')}",
        "",
        f"- text: {cell(shorten(ex.get('text')))}",
        f"- reference: {cell(spans_text(ex.get('reference')))}",
        *[
            f"- {cell(name)}: {cell(spans_text(spans))}"
            for name, spans in (ex.get("predicted") or {}).items()
        ],
    ]


def entities_lines(doc: Mapping[str, Any]) -> list[str]:
    """The "Entity spans" section; nothing when the document has no ``entities``."""
    section = doc.get("entities")
    if not section:
        return []
    per_type = section.get("per_type") or {}
    errors = section.get("errors") or {}
    unplaced = section.get("unplaced") or {}
    lines = [*heading("Entity spans: scores and errors by type"), cell(entities_words())]
    for name in [*per_type, *(n for n in errors if n not in per_type)]:
        lines += ["", f"### {cell(name)}"]
        scores = per_type.get(name) or {}
        if scores:
            lines += ["", *_table(PER_TYPE_HEAD, per_type_rows(scores), range(1, 5))]
        rows = error_rows(errors.get(name) or {}, scores)
        if rows:
            lines += ["", "Errors by type:", "", *_table(ERROR_HEAD, rows, range(1, 6))]
        if unplaced.get(name):
            lines += ["", cell(unplaced_words(name, int(unplaced[name])))]
    examples = section.get("examples") or []
    if examples:
        lines += ["", cell(examples_words(SHORT_CHARS))]
        for ex in examples:
            lines += _example_lines(ex)
    return lines


def task_lines(doc: Mapping[str, Any]) -> list[str]:
    """The retrieval and entity-span sections present in ``doc``, in that order."""
    return [*retrieval_lines(doc), *entities_lines(doc)]


# --------------------------------------------------------------------------- profile


class FactTable(NamedTuple):
    """A table of profile facts: every view draws it its own way."""

    title: str
    head: tuple[str, ...]
    rows: list[tuple[str, ...]]
    caption: str = ""


def _share(v: Any) -> str:
    return "-" if v is None else f"{v:.1%}"


def _words(d: Mapping[str, Any] | None, keys: Sequence[str]) -> str:
    d = d or {}
    return " / ".join(num(d.get(k), ",.0f") for k in keys)


def _corpus_tables(c: Mapping[str, Any]) -> list[FactTable]:
    rows: list[tuple[str, ...]] = [
        ("passages", num(c.get("passages"), ",")),
        ("documents", num(c.get("documents"), ",")),
    ]
    if c.get("passage_words"):
        rows.append(
            ("passage words p50 / p95 / max", _words(c["passage_words"], ("p50", "p95", "max")))
        )
    rows += [
        ("questions marked unanswerable", _share(c.get("unanswerable_share"))),
        ("questions with gold passages", _share(c.get("gold_share"))),
    ]
    out = [FactTable("Corpus", ("fact", "value"), rows)]
    context = c.get("context") or {}
    if context:
        out.append(
            FactTable(
                f"Context window: a {RETRIEVED}-passage prompt",
                ("LLM", "prompt tokens", "context size", "fits"),
                [
                    (
                        str(name),
                        num(w.get("prompt_tokens"), ","),
                        num(w.get("context_size"), ","),
                        "yes" if w.get("fits") else "no",
                    )
                    for name, w in context.items()
                ],
                f"The prompt holds {RETRIEVED} passages of the passages' p95 length and the "
                "longest training question.",
            )
        )
    return out


def _entity_tables(e: Mapping[str, Any]) -> list[FactTable]:
    train, test = e.get("train_type_counts") or {}, e.get("test_type_counts") or {}
    types = e.get("types") or sorted({*train, *test})
    per_text = (e.get("train_spans_per_text") or {}, e.get("test_spans_per_text") or {})
    span_words = e.get("span_words") or {}
    return [
        FactTable(
            "Entity spans per type",
            ("type", "train", "test"),
            [(str(t), num(train.get(t, 0), ","), num(test.get(t, 0), ",")) for t in types],
        ),
        FactTable(
            "Entity spans per text",
            ("", "train", "test"),
            [
                ("spans per text, mean", *(num(d.get("mean"), ".2f") for d in per_text)),
                ("spans per text, max", *(num(d.get("max"), ",") for d in per_text)),
                (
                    "texts without spans",
                    _share(e.get("train_without_spans")),
                    _share(e.get("test_without_spans")),
                ),
            ],
            f"Span length in words: p50 {num(span_words.get('p50'), ',.0f')}, max "
            f"{num(span_words.get('max'), ',.0f')}.",
        ),
    ]


def fact_tables(facts: Mapping[str, Any] | None) -> list[FactTable]:
    """The tables of the profile's ``corpus`` and ``entities`` facts, those present."""
    facts = facts or {}
    out: list[FactTable] = []
    if facts.get("corpus"):
        out += _corpus_tables(facts["corpus"])
    if facts.get("entities"):
        out += _entity_tables(facts["entities"])
    return out
