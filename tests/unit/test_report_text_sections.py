"""The sections of the free-text task types in the reports: ``outputs`` (each approach's
output beside the reference, and the length ratios) and ``self_consistency`` (exact
match and cost per correct answer against k chains) appear in summary.md and
report.html, the self-consistency figure is drawn and listed, and a document without
these sections shows none of them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from tests.support.report_docs import approach_row, interval, results_doc, task_entry

from taskfit.report.html import render_report
from taskfit.report.json import set_plots
from taskfit.report.markdown import render_summary
from taskfit.report.markdown_text import SHORT_CHARS, shorten
from taskfit.report.plots_report import figures_for
from taskfit.report.plots_text import plot_self_consistency

REASONING_METRICS = [
    {"name": "exact_match", "title": "exact match", "higher_is_better": True},
    {"name": "rouge_l", "title": "ROUGE-L", "higher_is_better": True},
]
LONG_INPUT = "Tom has 3 apples and buys 4 more. " * 80
LONG_CHAIN = "First step: count the apples one by one. " * 60 + "The answer is 7."
PIPE_OUTPUT = "a | b: so the answer is 12"
HEADINGS = ("Outputs beside the references", "Self-consistency")


def _base_doc() -> dict[str, Any]:
    scores = {  # approach -> exact match, ROUGE-L, cost per 1k predictions
        "cot@fake": (interval(0.55, 0.35, 0.75), interval(0.6, 0.5, 0.7), 0.4),
        "sc5@fake": (interval(0.7, 0.5, 0.85), interval(0.72, 0.6, 0.8), 2.0),
    }
    approaches = [
        approach_row(name, "prompt", {"exact_match": em, "rouge_l": rouge}, cost)
        for name, (em, rouge, cost) in scores.items()
    ]
    task = task_entry(
        "fake-reasoning", "file:reason.csv", ("question", "answer"), REASONING_METRICS
    )
    return results_doc(approaches, task, "sc5@fake", "best exact match")


def _outputs() -> dict[str, Any]:
    return {
        "metric": "exact_match",
        "examples": [
            {
                "index": 3,
                "input": LONG_INPUT,
                "reference": "7",
                "outputs": {
                    "cot@fake": {"output": LONG_CHAIN, "answer": "7", "score": 1.0},
                    "sc5@fake": {"output": "8", "answer": "8", "score": 0.0},
                },
            },
            {
                "index": 11,
                "input": "What is 3 * 4?",
                "reference": "twelve (12)",
                "outputs": {
                    "cot@fake": {"output": PIPE_OUTPUT, "answer": "12", "score": 1.0},
                    "sc5@fake": {"output": "No idea.", "answer": None, "score": 0.0},
                },
            },
        ],
        "length_ratio": {
            "cot@fake": interval(14.25, 11.5, 17.0),
            "sc5@fake": interval(1.125, 0.95, 1.3),
        },
    }


def _self_consistency() -> dict[str, Any]:
    return {
        "sc5@fake": {
            "samples": 5,
            "temperature": 0.7,
            "n": 20,
            "points": [
                {
                    "k": 1,
                    "exact_match": interval(0.55, 0.35, 0.75),
                    "usd_per_example": 0.0004,
                    "usd_per_correct": 0.000727,
                },
                {
                    "k": 3,
                    "exact_match": interval(0.65, 0.45, 0.85),
                    "usd_per_example": 0.0012,
                    "usd_per_correct": 0.00185,
                },
                {
                    "k": 5,
                    "exact_match": interval(0.7, 0.5, 0.85),
                    "usd_per_example": 0.002,
                    "usd_per_correct": 0.00286,
                },
            ],
        }
    }


@pytest.fixture
def text_doc() -> dict[str, Any]:
    doc = _base_doc()
    doc["outputs"] = _outputs()
    doc["self_consistency"] = _self_consistency()
    return doc


def _section(md: str, title: str) -> str:
    """The markdown of the section headed ``## title...``, up to the next ``## ``."""
    start = md.index(f"\n## {title}")
    end = md.find("\n## ", start + 1)
    return md[start : end if end >= 0 else len(md)]


def test_shorten_flattens_and_cuts():
    assert shorten("a \n\n b") == "a b"
    assert shorten(None) == "-"
    long = shorten("word " * 100)
    assert len(long) <= SHORT_CHARS and long.endswith("…")
    assert shorten("x" * SHORT_CHARS) == "x" * SHORT_CHARS


def test_summary_shows_outputs_beside_references(text_doc):
    md = render_summary(text_doc)
    out = _section(md, "Outputs beside the references")
    assert "score = exact match of the answer against the reference" in out
    assert "### Test example 3" in out and "### Test example 11" in out
    assert "- reference: 7" in out and "- reference: twelve (12)" in out
    assert "| approach | output | answer (if not the output) | exact match |" in out
    # answers read from a chain are shown; an answer equal to its output is not repeated
    assert "| sc5@fake | 8 |  | 0.000 |" in out
    assert "| 12 | 1.000 |" in out
    assert "| sc5@fake | No idea. | (no answer) | 0.000 |" in out
    # long texts are shortened, never copied whole
    assert LONG_INPUT.strip() not in md and LONG_CHAIN not in md
    input_line = next(line for line in out.splitlines() if line.startswith("- input: Tom"))
    assert input_line.endswith("…") and len(input_line) <= len("- input: ") + SHORT_CHARS
    chain_row = next(line for line in out.splitlines() if line.startswith("| cot@fake | First"))
    assert "…" in chain_row and "The answer is 7." not in chain_row
    # a pipe in a text is escaped, so the row keeps its four columns
    pipe_row = next(line for line in out.splitlines() if "so the answer is 12" in line)
    assert "a \\| b: so the answer is 12" in pipe_row
    assert pipe_row.replace("\\|", "").count("|") == 5
    # the length ratios per approach
    assert "| approach | output words / reference words [95% CI] |" in out
    assert "| cot@fake | 14.250 [11.500, 17.000] |" in out
    assert "| sc5@fake | 1.125 [0.950, 1.300] |" in out


def test_summary_shows_self_consistency(text_doc):
    md = render_summary(text_doc)
    sc = _section(md, "Self-consistency: votes over k chains")
    assert "sc5@fake: 5 sampled chains per example at temperature 0.7, n = 20" in sc
    assert "| approach | k | exact match [95% CI] | $ per example | $ per correct answer |" in sc
    assert "| sc5@fake | 1 | 0.550 [0.350, 0.750] | 0.0004 | 0.000727 |" in sc
    assert "| sc5@fake | 3 | 0.650 [0.450, 0.850] | 0.0012 | 0.00185 |" in sc
    assert "| sc5@fake | 5 | 0.700 [0.500, 0.850] | 0.002 | 0.00286 |" in sc
    # after the approaches, before the run footer; outputs first
    assert md.index("## Approaches") < md.index("## Outputs beside") < md.index("## Self-")
    assert md.index("## Self-") < md.index("## Run")


def test_no_correct_answer_has_no_cost_per_correct(text_doc, tmp_path: Path):
    doc = copy.deepcopy(text_doc)
    pt = doc["self_consistency"]["sc5@fake"]["points"][0]
    pt["exact_match"] = interval(0.0, 0.0, 0.0)
    pt["usd_per_correct"] = None
    md = render_summary(doc)
    assert "| sc5@fake | 1 | 0.000 [0.000, 0.000] | 0.0004 | - |" in md
    html = render_report(doc, tmp_path)
    assert '<td class="num">$0.0004</td><td class="num">-</td>' in html
    paths = plot_self_consistency(doc["self_consistency"], tmp_path)
    assert [p.name for p in paths] == ["self_consistency.png", "self_consistency.svg"]


def test_report_shows_both_sections(text_doc, tmp_path: Path):
    html = render_report(text_doc, tmp_path)
    assert '<section id="outputs">' in html and '<section id="self-consistency">' in html
    assert html.index('id="approaches"') < html.index('id="outputs"')
    assert html.index('id="outputs"') < html.index('id="self-consistency"')
    table = html.split('<table id="output-11">', 1)[1].split("</table>", 1)[0]
    assert "<td>input</td><td>What is 3 * 4?</td>" in table
    assert "<td>reference</td><td>twelve (12)</td>" in table
    assert "<td>cot@fake</td><td>a | b: so the answer is 12</td><td>12</td>" in table
    assert "<td>(no answer)</td>" in table
    assert LONG_INPUT.strip() not in html and LONG_CHAIN not in html
    assert "…" in html.split('<table id="output-3">', 1)[1].split("</table>", 1)[0]
    assert "output words / reference words [95% CI]" in html
    assert "14.250 [11.500, 17.000]" in html
    sc = html.split('<table id="self-consistency">', 1)[1].split("</table>", 1)[0]
    for k, em, cost, per_correct in (
        (1, "0.550 [0.350, 0.750]", "$0.0004", "$0.000727"),
        (3, "0.650 [0.450, 0.850]", "$0.0012", "$0.00185"),
        (5, "0.700 [0.500, 0.850]", "$0.002", "$0.00286"),
    ):
        assert (
            f'<td>sc5@fake</td><td class="num">{k}</td><td class="num">{em}</td>'
            f'<td class="num">{cost}</td><td class="num">{per_correct}</td>'
        ) in sc
    assert "5 sampled chains per example at temperature 0.7" in html


def test_figure_is_drawn_listed_and_embedded(text_doc, tmp_path: Path):
    paths = figures_for(text_doc, tmp_path)
    names = [p.name for p in paths]
    assert "self_consistency.svg" in names and "self_consistency.png" in names
    svg = (tmp_path / "self_consistency.svg").read_text(encoding="utf-8")
    assert "sc5@fake" in svg and "$ per correct answer" in svg
    assert "k: sampled chains voted over" in svg
    doc = copy.deepcopy(text_doc)
    set_plots(doc, names)
    md = render_summary(doc)
    assert "![self_consistency](self_consistency.png)" in md
    html = render_report(doc, tmp_path)
    figures = html.split('<section id="figures">', 1)[1].split("</section>", 1)[0]
    assert "<h3>Self-consistency</h3>" in figures
    assert 'alt="Self-consistency (self_consistency)"' in figures


def test_malformed_self_consistency_names_the_key(text_doc, tmp_path: Path):
    doc = copy.deepcopy(text_doc)
    del doc["self_consistency"]["sc5@fake"]["points"][1]["exact_match"]
    with pytest.raises(ValueError, match=r"self_consistency\.sc5@fake\.points\[1\]"):
        plot_self_consistency(doc["self_consistency"], tmp_path)
    errors: list[str] = []
    figures_for(doc, tmp_path, on_error=lambda name, e: errors.append(name))
    assert errors == ["self-consistency"]


def test_documents_without_the_sections_show_none_of_them(tmp_path: Path):
    doc = _base_doc()
    paths = figures_for(doc, tmp_path)
    md = render_summary(doc)
    html = render_report(doc, tmp_path)
    for title in HEADINGS:
        assert title not in md and title not in html
    assert 'id="outputs"' not in html and 'id="self-consistency"' not in html
    assert not any(p.stem == "self_consistency" for p in paths)
    assert not (tmp_path / "self_consistency.svg").exists()
    # empty sections render nothing either
    doc["outputs"] = {"metric": "rouge_l", "examples": [], "length_ratio": {}}
    doc["self_consistency"] = {}
    assert figures_for(doc, tmp_path) == paths
    assert render_summary(doc) == md
    assert render_report(doc, tmp_path) == html
