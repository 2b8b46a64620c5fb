"""The report reads its metric columns from ``task.metrics`` of the results document: a
task type with other metrics (here ROUGE-L and chrF) gets those columns in summary.md,
report.html, the Pareto figure and the CLI table; a document without ``task.metrics``
keeps accuracy and macro-F1."""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from tests.support.report_docs import approach_row, interval, results_doc, task_entry

import taskfit.cli.compare as cli_compare
from taskfit.report.columns import headline, higher_is_better, metric_columns
from taskfit.report.html import render_report
from taskfit.report.markdown import render_summary
from taskfit.report.plots_report import figures_for

GEN_METRICS = [
    {"name": "rouge_l", "title": "ROUGE-L", "higher_is_better": True},
    {"name": "chrf", "title": "chrF", "higher_is_better": True},
]


def _doc(
    task_metrics: list[dict[str, Any]] | None, approaches: list[dict[str, Any]]
) -> dict[str, Any]:
    task = task_entry("fake-generation", "file:gen.csv", ("text", "reference"), task_metrics)
    return results_doc(approaches, task, "seq2seq", "best ROUGE-L")


@pytest.fixture
def gen_doc() -> dict[str, Any]:
    return _doc(
        GEN_METRICS,
        [
            approach_row(
                "zero-shot@fake",
                "prompt",
                {"rouge_l": interval(0.412, 0.356, 0.468), "chrf": interval(0.538, 0.497, 0.579)},
                0.02,
            ),
            approach_row(
                "seq2seq",
                "finetune",
                {"rouge_l": interval(0.623, 0.571, 0.675), "chrf": interval(0.701, 0.662, 0.744)},
                0.001,
            ),
        ],
    )


@pytest.fixture
def classification_doc() -> dict[str, Any]:
    scores = {
        "accuracy": interval(0.9, 0.8, 0.95),
        "macro_f1": interval(0.85, 0.75, 0.92),
        "per_class_f1": {"a": 0.9, "b": 0.8},
    }
    doc = _doc(None, [approach_row("seq2seq", "finetune", scores, 0.001)])
    doc["task"]["labels"] = ["a", "b"]
    return doc


def _cli_table(doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch, width: int) -> str:
    buf = io.StringIO()
    monkeypatch.setattr(cli_compare, "out", Console(file=buf, width=width, color_system=None))
    cli_compare.show_results_table(doc)
    return buf.getvalue()


def test_columns_come_from_task_metrics(gen_doc):
    assert metric_columns(gen_doc) == [("rouge_l", "ROUGE-L"), ("chrf", "chrF")]
    assert headline(gen_doc) == ("rouge_l", "ROUGE-L")
    assert higher_is_better(gen_doc, "rouge_l")


def test_older_documents_fall_back_to_accuracy_and_macro_f1(classification_doc):
    assert metric_columns(classification_doc) == [
        ("accuracy", "accuracy"),
        ("macro_f1", "macro-F1"),
    ]
    assert headline(classification_doc) == ("accuracy", "accuracy")
    doc = copy.deepcopy(classification_doc)
    doc["task"]["metrics"] = []
    assert headline(doc) == ("accuracy", "accuracy")


def test_lower_is_better_is_read_from_the_document():
    doc = {"task": {"metrics": [{"name": "wer", "title": "WER", "higher_is_better": False}]}}
    assert not higher_is_better(doc, "wer")
    assert higher_is_better(doc, "unknown")


def test_summary_shows_the_task_metrics(gen_doc):
    md = render_summary(gen_doc)
    lines = md.splitlines()
    head = next(line for line in lines if line.startswith("| approach |"))
    assert "| ROUGE-L [95% CI] | chrF [95% CI] |" in head
    assert "ROUGE-L and chrF with 95% bootstrap intervals" in md
    row = next(line for line in lines if line.startswith("| seq2seq |"))
    assert "| 0.623 [0.571, 0.675] | 0.701 [0.662, 0.744] |" in row
    assert "| 0.412 [0.356, 0.468] | 0.538 [0.497, 0.579] |" in md
    # the separator has one alignment per column
    sep = lines[lines.index(head) + 1]
    assert sep.count("|") == head.count("|")
    assert "macro-F1" not in md and "accuracy" not in md.lower()
    assert "labels (data hash" not in md


def test_report_shows_the_task_metrics(gen_doc, tmp_path: Path):
    html = render_report(gen_doc, tmp_path)
    assert '<th class="num">ROUGE-L [95% CI]</th>' in html
    assert '<th class="num">chrF [95% CI]</th>' in html
    assert "0.623 [0.571, 0.675]" in html and "0.701 [0.662, 0.744]" in html
    assert "ROUGE-L and chrF with 95% bootstrap intervals" in html
    assert "macro-F1" not in html and "accuracy" not in html.lower()


def test_evidence_picks_each_family_best_by_the_headline(gen_doc, tmp_path: Path):
    doc = copy.deepcopy(gen_doc)
    worse = approach_row(
        "few-shot@fake",
        "prompt",
        {"rouge_l": interval(0.300, 0.25, 0.35), "chrf": interval(0.9, 0.85, 0.95)},
        0.03,
    )
    doc["approaches"].append(worse)
    html = render_report(doc, tmp_path)
    evidence = html.split("Measured evidence", 1)[1].split("</table>", 1)[0]
    assert "zero-shot@fake" in evidence and "few-shot@fake" not in evidence


def test_pareto_figure_uses_the_headline_metric(gen_doc, tmp_path: Path):
    figures_for(gen_doc, tmp_path)
    svg = (tmp_path / "pareto.svg").read_text(encoding="utf-8")
    assert "ROUGE-L on the test set (fraction, CI bars)" in svg
    assert "accuracy" not in svg
    html = render_report(gen_doc, tmp_path)
    assert "ROUGE-L (95% CI) against running cost per 1k predictions" in html


def test_pareto_figure_of_a_score_beyond_one_drops_fraction(gen_doc, tmp_path: Path):
    doc = copy.deepcopy(gen_doc)
    doc["task"]["metrics"] = [{"name": "chrf", "title": "chrF"}]
    for a in doc["approaches"]:
        a["metrics"]["chrf"] = {k: 100 * v for k, v in a["metrics"]["chrf"].items()}
    figures_for(doc, tmp_path)
    svg = (tmp_path / "pareto.svg").read_text(encoding="utf-8")
    assert "chrF on the test set (CI bars)" in svg


@pytest.mark.parametrize("width", [200, 40])
def test_cli_table_shows_the_task_metrics(gen_doc, monkeypatch, width):
    text = _cli_table(gen_doc, monkeypatch, width)
    assert "ROUGE-L [95% CI]" in text and "chrF" in text
    assert "0.623 [0.571, 0.675]" in text and "0.701" in text
    assert "macro-F1" not in text and "accuracy" not in text


def test_documents_without_task_metrics_keep_accuracy_and_macro_f1(
    classification_doc, monkeypatch, tmp_path: Path
):
    md = render_summary(classification_doc)
    assert "Accuracy and macro-F1 with 95% bootstrap intervals" in md
    assert (
        "| approach | family | labels used | n | accuracy [95% CI] | macro-F1 [95% CI] "
        "| p50 / p95 ms | per s | train s | $ per 1k | parse fails |"
    ) in md
    assert "|---|---|---:|---:|---|---|---|---:|---:|---:|---:|" in md
    assert "| 0.900 [0.800, 0.950] | 0.850 [0.750, 0.920] |" in md
    assert "2 labels (data hash" in md

    html = render_report(classification_doc, tmp_path)
    assert '<th class="num">accuracy [95% CI]</th>' in html
    assert '<th class="num">macro-F1 [95% CI]</th>' in html
    assert "Accuracy and macro-F1 with 95% bootstrap intervals" in html

    figures_for(classification_doc, tmp_path)
    svg = (tmp_path / "pareto.svg").read_text(encoding="utf-8")
    assert "accuracy on the test set (fraction, CI bars)" in svg

    text = _cli_table(classification_doc, monkeypatch, 200)
    assert "accuracy [95% CI]" in text and "macro-F1" in text
    assert "0.900 [0.800, 0.950]" in text and "0.850" in text
