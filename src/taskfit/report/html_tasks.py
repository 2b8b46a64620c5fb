"""HTML report sections for QA over a corpus and for extraction: ``retrieval`` (recall@k
of each retriever, the gain over closed-book answers, what each retriever found) and
``entities`` (per-type scores, errors by type, example texts), and the blocks of the
profile's ``corpus`` and ``entities`` facts. Same figures and wording as
:mod:`taskfit.report.markdown_tasks`, as HTML blocks.

Gold passages among the retrieved ones carry the CSS class ``gold``: such a cell holds
``(text, class)`` parts instead of a string, and the template escapes each text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from taskfit.report.html_blocks import h3, h4, list_block, num, p, section, table
from taskfit.report.html_text import HTML_SHORT_CHARS
from taskfit.report.markdown_tasks import (
    ERROR_HEAD,
    PER_TYPE_HEAD,
    RETRIEVER_HEAD,
    entities_words,
    error_rows,
    examples_words,
    fact_tables,
    gain_head,
    gain_rows,
    gain_words,
    hits_words,
    is_gold,
    passage_ids,
    per_type_rows,
    retriever_rows,
    retrievers_words,
    spans_text,
    unplaced_words,
)
from taskfit.report.markdown_text import metric_title, shorten

__all__ = [
    "GOLD_CLASS",
    "entities_section",
    "profile_fact_blocks",
    "retrieval_section",
    "task_sections",
]

Doc = dict[str, Any]
Parts = list[tuple[str, str]]

# The CSS class of a retrieved passage that is a gold one.
GOLD_CLASS = "gold"


def _passage_parts(found: Mapping[str, Any], gold: Sequence[str]) -> Parts:
    """The retrieved ids as ``(id, class)`` parts, gold ones with :data:`GOLD_CLASS`."""
    return [(i, GOLD_CLASS if is_gold(i, gold) else "") for i in passage_ids(found)]


def _hit(doc: Doc, hit: Doc) -> list[Any]:
    """A question's heading, its facts and a table of what each approach retrieved."""
    gold = [str(g) for g in hit.get("gold") or []]
    title = metric_title(doc, str(doc["retrieval"].get("metric")))
    retrieved = hit.get("retrieved") or {}
    block = table(
        ["approach", "retrieved passages", "answer", title],
        [
            (
                name,
                "",  # the passages: filled with their parts below
                shorten(found.get("answer"), HTML_SHORT_CHARS),
                num(found.get("score")),
            )
            for name, found in retrieved.items()
        ],
        numeric=(3,),
        tid=f"hits-{hit.get('index')}",
    )
    if block is not None:
        for row, found in zip(block["rows"], retrieved.values(), strict=True):
            parts = _passage_parts(found, gold)
            row[1] = parts if parts else "-"
    return [
        h4(f"Test question {hit.get('index')}"),
        list_block(
            [
                f"question: {shorten(hit.get('question'), HTML_SHORT_CHARS)}",
                f"reference answer: {shorten(hit.get('answer'), HTML_SHORT_CHARS)}",
                f"gold passages: {', '.join(gold) or 'none'}",
            ]
        ),
        block,
    ]


def retrieval_section(doc: Doc) -> dict[str, Any] | None:
    """The "Retrieval" section; None when the document has no ``retrieval``."""
    sec = doc.get("retrieval")
    if not sec:
        return None
    hits = sec.get("hits") or []
    blocks: list[Any] = [
        table(
            RETRIEVER_HEAD,
            retriever_rows(sec),
            numeric=(2, 3, 4, 5, 6, 7),
            caption=retrievers_words(),
            tid="retrievers",
        ),
        table(
            gain_head(doc),
            gain_rows(doc),
            numeric=(2, 3, 5),
            caption=gain_words(doc),
            tid="retrieval-gain",
        ),
    ]
    if hits:
        blocks += [
            h3("What the retrievers found"),
            p(hits_words(doc, "highlighted", HTML_SHORT_CHARS)),
        ]
    for hit in hits:
        blocks += _hit(doc, hit)
    return section("retrieval", "Retrieval: recall and gain over closed-book", blocks)


def _example(ex: Doc) -> Any:
    rows = [
        ("text", shorten(ex.get("text"), HTML_SHORT_CHARS)),
        ("reference", spans_text(ex.get("reference"))),
        *[(name, spans_text(spans)) for name, spans in (ex.get("predicted") or {}).items()],
    ]
    return table(
        ["", "spans"],
        rows,
        highlight=(1,),
        caption=f"Test text {ex.get('index')}.",
        tid=f"spans-{ex.get('index')}",
    )


def entities_section(doc: Doc) -> dict[str, Any] | None:
    """The "Entity spans" section; None when the document has no ``entities``."""
    sec = doc.get("entities")
    if not sec:
        return None
    per_type = sec.get("per_type") or {}
    errors = sec.get("errors") or {}
    unplaced = sec.get("unplaced") or {}
    blocks: list[Any] = [p(entities_words())]
    for i, name in enumerate([*per_type, *(n for n in errors if n not in per_type)]):
        scores = per_type.get(name) or {}
        blocks += [
            h3(name),
            table(
                PER_TYPE_HEAD,
                per_type_rows(scores),
                numeric=range(1, 5),
                caption="Scores by type.",
                tid=f"entity-types-{i + 1}",
            ),
            table(
                ERROR_HEAD,
                error_rows(errors.get(name) or {}, scores),
                numeric=range(1, 6),
                caption="Errors by type.",
                tid=f"entity-errors-{i + 1}",
            ),
            p(unplaced_words(name, int(unplaced[name]))) if unplaced.get(name) else None,
        ]
    examples = sec.get("examples") or []
    if examples:
        blocks += [h3("Example texts"), p(examples_words(HTML_SHORT_CHARS))]
        blocks += [_example(ex) for ex in examples]
    return section("entities", "Entity spans: scores and errors by type", blocks)


def task_sections(doc: Doc) -> list[dict[str, Any]]:
    """The retrieval and entity-span sections present in ``doc``, in that order."""
    out = [retrieval_section(doc), entities_section(doc)]
    return [s for s in out if s is not None]


def profile_fact_blocks(pr: Mapping[str, Any]) -> list[Any]:
    """The blocks of the profile's ``corpus`` and ``entities`` facts (none without)."""
    blocks: list[Any] = []
    for t in fact_tables(pr.get("facts")):
        caption = f"{t.title}. {t.caption}" if t.caption else f"{t.title}."
        blocks.append(table(t.head, t.rows, numeric=range(1, len(t.head)), caption=caption))
    return blocks
