"""The sections of QA over a corpus and of extraction in the reports: ``retrieval``
(recall@k per retriever, the gain over closed-book answers with its verdict in words,
the passages each retriever found with the gold ones marked) and ``entities`` (per-type
scores, errors by type, unplaced mentions, example texts) in summary.md and
report.html; the profile's ``corpus`` and ``entities`` facts in the report and the
``taskfit profile`` tables; and nothing of them in a document without these sections."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from tests.support.report_docs import approach_row, interval, results_doc, task_entry

from taskfit.report.html import render_report
from taskfit.report.markdown import render_summary
from taskfit.report.markdown_tasks import gain_verdict, is_gold
from taskfit.report.profile_view import profile_renderables
from taskfit.types import LengthStats, Profile

QA_METRICS = [
    {"name": "exact_match", "title": "exact match", "higher_is_better": True},
    {"name": "token_f1", "title": "token F1", "higher_is_better": True},
]
SPAN_METRICS = [{"name": "span_f1", "title": "span F1", "higher_is_better": True}]
MARKUP_QUESTION = "Is <b>bold</b> free & fast?"
HEADINGS = ("Retrieval", "Entity spans")


def _qa_doc() -> dict[str, Any]:
    approaches = [
        approach_row(name, "prompt", {"exact_match": em}, 0.2)
        for name, em in (
            ("zero-shot@m", interval(0.25, 0.1, 0.4)),
            ("rag-bm25@m", interval(0.5, 0.3, 0.7)),
            ("rag-dense@m", interval(0.1, 0.0, 0.2)),
        )
    ]
    task = task_entry("qa", "file:qa.csv", ("question", "answer"), QA_METRICS)
    doc = results_doc(approaches, task, "rag-bm25@m", "best exact match")
    doc["retrieval"] = {
        "metric": "exact_match",
        "retrievers": [
            {
                "approach": "rag-bm25@m",
                "retriever": "bm25",
                "k": 3,
                "recall": interval(0.9090909, 0.7272727, 1.0),
                "n_gold": 11,
                "query_ms": 0.128,
                "build_seconds": 0.0152,
                "passages": 1204,
            },
            {
                "approach": "rag-dense@m",
                "retriever": "dense",
                "k": 5,
                "recall": None,
                "n_gold": 0,
                "query_ms": 12.5,
                "build_seconds": 6.17,
                "passages": 1204,
            },
        ],
        "gain": [
            {
                "approach": "rag-bm25@m",
                "closed_book": "zero-shot@m",
                "n": 12,
                "difference": interval(0.25, 0.0833, 0.4167),
                "test": "mcnemar",
                "p_value": 0.0312,
            },
            {
                "approach": "rag-dense@m",
                "closed_book": "zero-shot@m",
                "n": 12,
                "difference": interval(-0.15, -0.25, -0.05),
                "test": "paired-permutation",
                "p_value": 0.0415,
            },
        ],
        "hits": [
            {
                "index": 4,
                "question": MARKUP_QUESTION,
                "answer": "24 hours",
                "gold": ["app-11", "hub-15"],
                "retrieved": {
                    "rag-bm25@m": {
                        "passages": ["app-10", "app-11", "hub-15#2"],
                        "answer": "24 hours",
                        "score": 1.0,
                    },
                    "rag-dense@m": {
                        "passages": ["sub-08", "hub-150"],
                        "answer": "a day",
                        "score": 0.0,
                    },
                },
            }
        ],
    }
    return doc


def _entities_doc() -> dict[str, Any]:
    approaches = [
        approach_row("few-shot@m", "prompt", {"span_f1": interval(0.4, 0.2, 0.6)}, 0.2),
        approach_row("gazetteer", "classical", {"span_f1": interval(0.9, 0.8, 0.95)}, 0.0),
    ]
    task = task_entry("extraction", "file:spans.csv", ("text", "spans"), SPAN_METRICS)
    doc = results_doc(approaches, task, "gazetteer", "best span F1")

    def scores(p: float, r: float, f1: float, support: int) -> dict[str, Any]:
        return {"precision": p, "recall": r, "f1": f1, "support": support}

    doc["entities"] = {
        "per_type": {
            "few-shot@m": {
                "AMOUNT": scores(0.0, 0.0, 0.0, 5),
                "PRODUCT": scores(1.0, 0.5714, 0.7272727, 7),
            },
            "gazetteer": {
                "AMOUNT": scores(1.0, 0.75, 0.8571, 24),
                "PRODUCT": scores(0.9747, 0.939, 0.9565217, 82),
            },
        },
        "errors": {
            "few-shot@m": {
                "by_type": {
                    "AMOUNT": {"missed": 5, "boundary": 0, "wrong_type": 0, "overlap_other": 0},
                    "PRODUCT": {"missed": 1, "boundary": 1, "wrong_type": 1, "overlap_other": 0},
                },
                "spurious": {"DATE": 3},
            },
            "gazetteer": {
                "by_type": {
                    "AMOUNT": {"missed": 6, "boundary": 0, "wrong_type": 0, "overlap_other": 2},
                },
                "spurious": {},
            },
        },
        "unplaced": {"few-shot@m": 8, "gazetteer": 0},
        "examples": [
            {
                "index": 5,
                "text": "I was charged €29 twice for my Basic plan.",
                "reference": [["€29", "AMOUNT"], ["Basic plan", "PRODUCT"]],
                "predicted": {
                    "few-shot@m": [],
                    "gazetteer": [["€29", "AMOUNT"], ["Basic", "PRODUCT"]],
                },
            }
        ],
    }
    return doc


def _profile_doc(facts: dict[str, Any]) -> dict[str, Any]:
    return {
        "data_hash": "0123456789abcdef",
        "n_train": 40,
        "n_test": 20,
        "labels": [],
        "label_counts": {},
        "test_label_counts": {},
        "min_per_class": 0,
        "median_per_class": 0.0,
        "imbalance_ratio": 1.0,
        "label_type": "text",
        "is_pair": False,
        "lengths": [
            {"unit": "words", "p50": 9.0, "p95": 20.0, "max": 31, "context": None},
        ],
        "notes": [],
        "facts": facts,
    }


CORPUS_FACTS = {
    "unanswerable_share": 0.2,
    "gold_share": 0.8,
    "passages": 1204,
    "documents": 95,
    "passage_words": {"p50": 53.0, "p95": 120.0, "max": 311.0},
    "context": {
        "smollm2": {"prompt_tokens": 4321, "context_size": 2048, "fits": False},
        "qwen": {"prompt_tokens": 4100, "context_size": 32768, "fits": True},
    },
}
ENTITY_FACTS = {
    "train_type_counts": {"AMOUNT": 81, "PRODUCT": 209},
    "train_spans_per_text": {"mean": 1.9291667, "max": 4},
    "train_without_spans": 0.0667,
    "test_type_counts": {"AMOUNT": 24, "PRODUCT": 82},
    "test_spans_per_text": {"mean": 2.125, "max": 5},
    "test_without_spans": 0.05,
    "span_words": {"p50": 2.0, "max": 7.0},
    "types": ["AMOUNT", "PRODUCT"],
}


def _section(md: str, title: str) -> str:
    """The markdown of the section headed ``## title...``, up to the next ``## ``."""
    start = md.index(f"\n## {title}")
    end = md.find("\n## ", start + 1)
    return md[start : end if end >= 0 else len(md)]


def _html_section(html: str, sid: str) -> str:
    return html.split(f'<section id="{sid}">', 1)[1].split("</section>", 1)[0]


def _table(html: str, tid: str) -> str:
    return html.split(f'<table id="{tid}">', 1)[1].split("</table>", 1)[0]


# --------------------------------------------------------------------------- retrieval


def test_gold_passages_and_chunks_of_gold_documents():
    assert is_gold("app-11", ["app-11"])
    assert is_gold("hub-15#2", ["hub-15"])
    assert not is_gold("hub-150", ["hub-15"])
    assert not is_gold("hub-15#x", ["hub-15"])


@pytest.mark.parametrize(
    ("low", "high", "words"),
    [
        (0.02, 0.2, "retrieval helps"),
        (-0.2, -0.02, "retrieval hurts"),
        (0.0, 0.25, "not settled"),
        (-0.1, 0.1, "not settled"),
    ],
)
def test_gain_verdict_says_whether_the_interval_excludes_zero(low, high, words):
    entry = {"difference": interval((low + high) / 2, low, high)}
    assert gain_verdict(entry) == words


def test_gain_verdict_of_a_metric_where_lower_is_better():
    entry = {"difference": interval(0.1, 0.02, 0.2)}
    assert gain_verdict(entry, higher_better=False) == "retrieval hurts"


def test_summary_shows_retrievers_gain_and_hits():
    md = render_summary(_qa_doc())
    out = _section(md, "Retrieval: recall and gain over closed-book")
    assert (
        "| approach | retriever | k | recall@k [95% CI] | n with gold | ms per question "
        "| index build s | passages |" in out
    )
    assert "| rag-bm25@m | bm25 | 3 | 0.909 [0.727, 1.000] | 11 | 0.13 | 0.02 | 1,204 |" in out
    # no question with gold passages: no recall
    assert "| rag-dense@m | dense | 5 | n/a | 0 | 12.50 | 6.17 | 1,204 |" in out
    assert "| approach | closed-book | n | exact match gain, points [95% CI] | test | p |" in out
    assert (
        "| rag-bm25@m | zero-shot@m | 12 | 25.0 [8.3, 41.7] | McNemar | 0.0312 "
        "| retrieval helps |" in out
    )
    assert (
        "| rag-dense@m | zero-shot@m | 12 | -15.0 [-25.0, -5.0] | paired permutation "
        "| 0.0415 | retrieval hurts |" in out
    )
    # the hits: question, reference, gold ids, retrieved ids with the gold ones in bold
    assert "### Test question 4" in out
    assert f"- question: {MARKUP_QUESTION}" in out
    assert "- reference answer: 24 hours" in out
    assert "- gold passages: app-11, hub-15" in out
    assert "| rag-bm25@m | app-10, **app-11**, **hub-15#2** | 24 hours | 1.000 |" in out
    assert "| rag-dense@m | sub-08, hub-150 | a day | 0.000 |" in out
    # after the approaches, before the run footer
    assert md.index("## Approaches") < md.index("## Retrieval") < md.index("## Run")


def test_summary_says_when_the_gain_is_not_settled():
    doc = _qa_doc()
    doc["retrieval"]["gain"][0]["difference"] = interval(0.0833, 0.0, 0.25)
    md = render_summary(doc)
    assert "| 8.3 [0.0, 25.0] | McNemar | 0.0312 | not settled |" in md


def test_report_shows_retrievers_gain_and_marked_gold(tmp_path: Path):
    html = render_report(_qa_doc(), tmp_path)
    assert '<section id="retrieval">' in html
    assert html.index('id="approaches"') < html.index('id="retrieval"')
    retrievers = _table(html, "retrievers")
    assert '<td class="num">0.909 [0.727, 1.000]</td>' in retrievers
    assert '<td class="num">n/a</td>' in retrievers
    gain = _table(html, "retrieval-gain")
    assert '<td class="num">25.0 [8.3, 41.7]</td>' in gain
    assert "<td>retrieval helps</td>" in gain and "<td>retrieval hurts</td>" in gain
    assert "<td>McNemar</td>" in gain and "<td>paired permutation</td>" in gain
    hits = _table(html, "hits-4")
    assert (
        '<td><span>app-10</span>, <span class="gold">app-11</span>, '
        '<span class="gold">hub-15#2</span></td>' in hits
    )
    assert "<td><span>sub-08</span>, <span>hub-150</span></td>" in hits
    assert "span.gold" in html  # the class is styled


def test_report_gain_not_settled(tmp_path: Path):
    doc = _qa_doc()
    doc["retrieval"]["gain"][1]["difference"] = interval(-0.05, -0.2, 0.1)
    gain = _table(render_report(doc, tmp_path), "retrieval-gain")
    assert "<td>not settled</td>" in gain and "<td>retrieval hurts</td>" not in gain


def test_report_escapes_a_question_with_markup(tmp_path: Path):
    html = render_report(_qa_doc(), tmp_path)
    section = _html_section(html, "retrieval")
    assert "question: Is &lt;b&gt;bold&lt;/b&gt; free &amp; fast?" in section
    assert "<b>" not in html


# --------------------------------------------------------------------------- entities


def test_summary_shows_per_type_scores_errors_and_examples():
    md = render_summary(_entities_doc())
    out = _section(md, "Entity spans: scores and errors by type")
    assert "### few-shot@m" in out and "### gazetteer" in out
    assert "| type | precision | recall | F1 | support |" in out
    assert "| PRODUCT | 1.000 | 0.571 | 0.727 | 7 |" in out
    assert "| PRODUCT | 0.975 | 0.939 | 0.957 | 82 |" in out
    assert "| type | missed | boundary | wrong type | overlap with another type | spurious |" in out
    few_shot = out.split("### few-shot@m", 1)[1].split("### gazetteer", 1)[0]
    assert "| AMOUNT | 5 | 0 | 0 | 0 | 0 |" in few_shot
    assert "| PRODUCT | 1 | 1 | 1 | 0 | 0 |" in few_shot
    assert "| DATE | 0 | 0 | 0 | 0 | 3 |" in few_shot  # spurious spans of a type
    assert "few-shot@m: 8 mentions the text does not hold" in few_shot
    gazetteer = out.split("### gazetteer", 1)[1]
    assert "| AMOUNT | 6 | 0 | 0 | 2 | 0 |" in gazetteer
    assert "| PRODUCT | 0 | 0 | 0 | 0 | 0 |" in gazetteer
    assert "does not hold" not in gazetteer  # no unplaced mentions: no line
    assert "### Test text 5" in out
    assert '- reference: "€29" [AMOUNT], "Basic plan" [PRODUCT]' in out
    assert "- few-shot@m: (none)" in out
    assert '- gazetteer: "€29" [AMOUNT], "Basic" [PRODUCT]' in out


def test_report_shows_per_type_scores_errors_and_examples(tmp_path: Path):
    html = render_report(_entities_doc(), tmp_path)
    section = _html_section(html, "entities")
    assert "<h3>few-shot@m</h3>" in section
    types = _table(html, "entity-types-1")
    assert (
        '<tr><td>PRODUCT</td><td class="num">1.000</td><td class="num">0.571</td>'
        '<td class="num">0.727</td><td class="num">7</td></tr>' in types
    )
    errors = _table(html, "entity-errors-1")
    assert '<td>DATE</td><td class="num">0</td>' in errors
    assert errors.count('<td class="num">3</td>') == 1
    assert "few-shot@m: 8 mentions the text does not hold" in section
    assert "gazetteer: 0 mentions" not in section
    spans = _table(html, "spans-5")
    assert "<td>reference</td><td>&#34;€29&#34; [AMOUNT], &#34;Basic plan&#34; [PRODUCT]" in spans
    assert "<td>few-shot@m</td><td>(none)</td>" in spans


# --------------------------------------------------------------------------- absent


def test_nothing_shown_without_the_sections(tmp_path: Path):
    doc = _qa_doc()
    del doc["retrieval"]
    md = render_summary(doc)
    html = render_report(doc, tmp_path)
    for title in HEADINGS:
        assert f"## {title}" not in md
    assert 'id="retrieval"' not in html and 'id="entities"' not in html
    assert "span.gold" in html and 'class="gold"' not in html


def test_parts_absent_within_a_section_are_left_out(tmp_path: Path):
    doc = _qa_doc()
    doc["retrieval"]["gain"] = []
    doc["retrieval"]["hits"] = []
    md = render_summary(doc)
    assert "recall@k [95% CI]" in md
    assert "gain, points" not in md and "### Test question" not in md
    html = render_report(doc, tmp_path)
    assert 'id="retrievers"' in html and 'id="retrieval-gain"' not in html
    assert 'id="hits-4"' not in html


# --------------------------------------------------------------------------- profile


def test_report_profile_shows_corpus_and_entity_facts(tmp_path: Path):
    doc = _qa_doc()
    doc["profile"] = _profile_doc({"corpus": CORPUS_FACTS, "entities": ENTITY_FACTS})
    section = _html_section(render_report(doc, tmp_path), "profile")
    assert '<td>passages</td><td class="num">1,204</td>' in section
    assert '<td>documents</td><td class="num">95</td>' in section
    assert '<td>passage words p50 / p95 / max</td><td class="num">53 / 120 / 311</td>' in section
    assert '<td>questions marked unanswerable</td><td class="num">20.0%</td>' in section
    assert '<td>questions with gold passages</td><td class="num">80.0%</td>' in section
    assert (
        '<td>smollm2</td><td class="num">4,321</td><td class="num">2,048</td>'
        '<td class="num">no</td>' in section
    )
    assert '<td class="num">32,768</td><td class="num">yes</td>' in section
    assert '<td>PRODUCT</td><td class="num">209</td><td class="num">82</td>' in section
    assert '<td>spans per text, mean</td><td class="num">1.93</td>' in section
    assert '<td>texts without spans</td><td class="num">6.7%</td>' in section
    assert "Span length in words: p50 2, max 7." in section


def test_report_profile_without_facts_has_none(tmp_path: Path):
    doc = _qa_doc()
    doc["profile"] = _profile_doc({})
    section = _html_section(render_report(doc, tmp_path), "profile")
    assert "Corpus" not in section and "Entity spans" not in section


def _profile(facts: dict[str, Any]) -> Profile:
    return Profile(
        data_hash="0123456789abcdef",
        n_train=40,
        n_test=20,
        labels=(),
        label_counts={},
        test_label_counts={},
        min_per_class=0,
        median_per_class=0.0,
        imbalance_ratio=1.0,
        label_type="text",
        is_pair=False,
        lengths=(LengthStats(unit="words", p50=9.0, p95=20.0, max=31),),
        facts=copy.deepcopy(facts),
    )


def _console_text(p: Profile) -> str:
    console = Console(record=True, width=200, color_system=None)
    for part in profile_renderables(p):
        console.print(part)
    return console.export_text()


def test_profile_tables_show_corpus_and_entity_facts():
    text = _console_text(_profile({"corpus": CORPUS_FACTS, "entities": ENTITY_FACTS}))
    assert "Corpus" in text and "1,204" in text and "53 / 120 / 311" in text
    assert "Context window: a 3-passage prompt" in text
    smollm2 = next(line for line in text.splitlines() if "smollm2" in line)
    assert "4,321" in smollm2 and "2,048" in smollm2 and "no" in smollm2
    product = next(line for line in text.splitlines() if "PRODUCT" in line)
    assert "209" in product and "82" in product
    assert "Span length in words: p50 2, max 7." in text


def test_profile_tables_without_facts_have_none():
    text = _console_text(_profile({}))
    assert "Corpus" not in text and "Entity spans" not in text
