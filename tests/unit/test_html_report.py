"""The HTML report end to end with the fake backend: its figures match results.json,
user text is escaped, nothing in it points outside the file, absent sections stay out."""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import taskfit
from taskfit.errors import UsageError
from taskfit.report.html import render_report, write_report
from taskfit.report.plots_report import figures_for
from taskfit.run.trust_plan import TRUST_MEASURES, TrustOptions
from taskfit.workflows.curve import curve_demo
from taskfit.workflows.distill import distill_demo

SCRIPT_LABEL = "<script>alert(1)</script>"
AMP_LABEL = "ship & <b>co</b>"
TEXT_COL = "<b>txt&</b>"
WORDS = {
    "refund": "money back please",
    SCRIPT_LABEL: "cannot sign in",
    AMP_LABEL: "where is parcel",
}
TRUST_IDS = ["calibration", "robustness", "ood", "shortcuts", "selective", "groups"]


class Page(HTMLParser):
    """What the tests read from a report: sections, headings, tables, attributes, text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[str] = []
        self.section_content: dict[str, int] = {}  # elements other than h2 per section
        self.headings: dict[str, list[str]] = {"h2": [], "h3": [], "h4": []}
        self.tables: dict[str, list[list[str]]] = {}
        self.choice = ""
        self.attrs: list[tuple[str, str]] = []
        self.text: list[str] = []
        self._stack: list[tuple[str, dict[str, str]]] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.attrs += [(k, v) for k, v in a.items() if k in ("src", "href")]
        if tag == "section":
            self.sections.append(a["id"])
            self.section_content[a["id"]] = 0
        elif self.sections and tag in ("p", "ul", "table", "figure", "h3", "h4", "pre"):
            self.section_content[self.sections[-1]] += 1
        if tag == "table":
            self._table = a.get("id") or f"table-{len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        self._stack.append((tag, a))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        if self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if not self._stack:
            return
        tag, a = self._stack[-1]
        if tag in self.headings:
            self.headings[tag].append(data)
        if "choice" in a.get("class", ""):
            self.choice += data


def _grouped_csv(path: Path, n: int = 120) -> None:
    rows = [[TEXT_COL, "label", "source"]]
    for i in range(n):
        lab = list(WORDS)[i % 3]
        src = ["email", "chat", "phone"][(i // 3) % 3]
        rows.append([f"{WORDS[lab]} {src} note {i}", lab, src])
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A trust run with every measure, on data whose label, column and file names carry
    markup; returns the run folder, results.json and the report written into it."""
    tmp = tmp_path_factory.mktemp("html")
    data = tmp / "d<b>&.csv"
    _grouped_csv(data)
    taskfit.compare(
        data,
        text=TEXT_COL,
        label="label",
        llms=("fake",),
        approaches=("zero-shot", "majority", "tfidf-lr"),
        home=str(tmp / "h"),
        out=str(tmp / "run"),
        trust=TrustOptions(
            measures=TRUST_MEASURES, group_col="source", llm_max_test=20, target_accuracy=0.9
        ),
    )
    run_dir = tmp / "run"
    html = write_report(run_dir).read_text(encoding="utf-8")
    return run_dir, json.loads((run_dir / "results.json").read_text()), html


def _iv(d: dict[str, float]) -> str:
    return f"{d['value']:.3f} [{d['ci_low']:.3f}, {d['ci_high']:.3f}]"


def _column(table: list[list[str]], name: str) -> dict[str, str]:
    """First-column value -> the cell under ``name``."""
    head = table[0]
    j = head.index(name)
    return {row[0]: row[j] for row in table[1:]}


def _rename(doc: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """The document with every string equal to ``old`` replaced by ``new``."""
    if isinstance(doc, dict):
        return {k: _rename(v, old, new) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_rename(v, old, new) for v in doc]
    return new if doc == old else doc


# --------------------------------------------------------------------------- content


def test_a_full_trust_run_shows_every_section_in_order(run):
    _, _, html = run
    page = Page(html)
    order = [
        "recommendation",
        "approaches",
        "prompting",
        "figures",
        "cost-model",
        *TRUST_IDS,
        "profile",
    ]
    shown = [s for s in page.sections if s in order]
    assert shown == order
    assert page.sections[-1] == "reproduce"
    assert all(n > 0 for n in page.section_content.values()), page.section_content
    for heading in (
        "Quality against cost",
        "Reliability",
        "Confusion matrices of the two best approaches",
        "Robustness",
        "In- and out-of-distribution accuracy",
        "Selective prediction",
        "Measured evidence",
    ):
        assert heading in page.headings["h3"], heading
    assert any(h.startswith("Decision flows: prior") for h in page.headings["h3"])
    images = [v for k, v in page.attrs if k == "src"]
    assert len(images) == 7  # pareto, reliability, 2 confusion, robustness, ood, selective
    assert all(v.startswith("data:image/svg+xml;base64,") for v in images)


def test_headline_figures_match_results_json(run):
    _, doc, html = run
    page = Page(html)
    assert page.choice == doc["recommendation"]["choice"]
    table = page.tables["approaches"]
    acc = _column(table, "accuracy [95% CI]")
    f1 = _column(table, "macro-F1 [95% CI]")
    n = _column(table, "n")
    fails = _column(table, "parse failures")
    for a in doc["approaches"]:
        assert acc[a["name"]] == _iv(a["metrics"]["accuracy"])
        assert f1[a["name"]] == _iv(a["metrics"]["macro_f1"])
        assert n[a["name"]] == str(a["n_test"])
        assert fails[a["name"]] == str(a["parse_failures"])
    sig = _column(table, "p vs best (McNemar)")
    assert doc["comparisons"]
    for c in doc["comparisons"]:
        assert sig[c["b"]] == f"{c['p_value']:.3g} (n={c['n']})"
        assert sig[c["a"]] == "best"
    for reason in doc["recommendation"]["reasons"]:
        assert reason in page.text


def test_confusion_section_matches_results_json(run):
    _, doc, html = run
    page = Page(html)
    conf = doc["confusion"]
    assert conf["labels"] == doc["task"]["labels"]
    # zero-shot is the only approach that is not a baseline (its label-prior corrected
    # variants are the same model and are left out), so the best baseline takes the other
    # place
    names = [a["name"] for a in conf["approaches"]]
    assert names[0] == "zero-shot@fake" and not any("+" in n for n in names)
    baselines = [a for a in doc["approaches"] if a["family"] == "baseline"]
    best_baseline = max(baselines, key=lambda a: a["metrics"]["accuracy"]["value"])
    assert names == ["zero-shot@fake", best_baseline["name"]]
    by_name = {a["name"]: a for a in doc["approaches"]}
    for k, entry in enumerate(conf["approaches"], start=1):
        matrix = entry["matrix"]
        assert len(matrix) == len(conf["labels"])
        assert all(len(row) == len(conf["labels"]) + 1 for row in matrix)
        assert sum(map(sum, matrix)) == entry["n"] == by_name[entry["name"]]["n_test"]
        trace = sum(matrix[i][i] for i in range(len(matrix)))
        assert trace / entry["n"] == pytest.approx(
            by_name[entry["name"]]["metrics"]["accuracy"]["value"]
        )
        shown = page.tables[f"confusion-{k}"]
        assert shown[0][-1] == "(other)"
        assert [[int(c) for c in row[1:]] for row in shown[1:]] == matrix
        assert f"{entry['name']} (n={entry['n']})" in page.headings["h4"]
    test_counts = doc["profile"]["test_label_counts"]
    for entry in conf["approaches"]:  # both scored the whole test set
        assert entry["n"] == doc["task"]["n_test"]
        assert [sum(row) for row in entry["matrix"]] == [test_counts[lab] for lab in conf["labels"]]


def test_trust_tables_carry_the_sections_figures(run):
    _, doc, html = run
    page = Page(html)
    text = "".join(page.text)
    for r in doc["ood"]["approaches"]:
        assert _iv(r["ood_accuracy"]) in text
    for r in doc["calibration"]["approaches"]:
        assert f"{r['uncalibrated']['ece_width']:.3f}" in text
    for r in doc["groups"]["approaches"]:
        assert f"{100 * r['worst_gap']:.1f}" in text
    assert doc["settings"]["versions"]["taskfit"] in text
    assert doc["task"]["data_hash"] in text


# --------------------------------------------------------------------------- safety


def test_user_text_is_escaped(run):
    run_dir, doc, html = run
    assert "<script" not in html.lower()
    assert "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "ship &amp; &lt;b&gt;co&lt;/b&gt;" in html
    assert "&lt;b&gt;txt&amp;&lt;/b&gt;" in html  # the column name
    assert "d&lt;b&gt;&amp;.csv" in html  # the file name
    page = Page(html)
    assert SCRIPT_LABEL in page.text  # shown as text, exactly
    hostile = _rename(doc, "tfidf-lr", "tf<b>idf</b> & <script>x</script>")
    html2 = render_report(hostile, run_dir)
    assert "<script" not in html2.lower() and "<b>" not in html2
    assert Page(html2).choice == "tf<b>idf</b> & <script>x</script>"


def test_no_url_points_outside_the_file(run):
    run_dir, doc, html = run
    assert re.search(r"https?://", html) is None
    assert not re.search(r"<link|@import|url\(", html)
    page = Page(html)
    for key, value in page.attrs:
        assert not value.startswith("//")
        assert value.startswith("data:image/" if key == "src" else "#"), (key, value[:40])
    endpoint = "openai:qwen@http://localhost:8000/v1"
    with_endpoint = {**doc, "settings": {**doc["settings"], "llms": [endpoint]}}
    html2 = render_report(with_endpoint, run_dir)
    assert re.search(r"https?://", html2) is None
    assert endpoint in "".join(Page(html2).text)  # still reads the same


def test_absent_sections_are_not_shown(run, tmp_path):
    _, doc, _ = run
    drop = {
        "profile",
        "advice",
        "cost_model",
        "confusion",
        "trust_notes",
        "prompting",
        "collapsed",
        *TRUST_IDS,
    }
    bare = {k: v for k, v in doc.items() if k not in drop}
    page = Page(render_report(bare, tmp_path))  # an empty folder: no figure files
    assert set(page.sections) <= {"recommendation", "approaches", "notes", "reproduce"}
    assert {"recommendation", "approaches", "reproduce"} <= set(page.sections)
    assert all(n > 0 for n in page.section_content.values())
    assert not any(h.startswith("Decision flows") for h in page.headings["h3"])
    for title in ("Figures", "Calibration", "Data profile", "Cost model", "Learning curves"):
        assert title not in page.headings["h2"]
    assert not [v for k, v in page.attrs if k == "src"]


def test_missing_figure_files_leave_the_figure_out(run, tmp_path):
    _, doc, _ = run
    page = Page(render_report(doc, tmp_path))
    assert not [v for k, v in page.attrs if k == "src"]
    # the confusion tables need no file; the other figure headings go with their images
    assert "Confusion matrices of the two best approaches" in page.headings["h3"]
    assert "Reliability" not in page.headings["h3"]


# --------------------------------------------------------------------------- writing


def test_report_elsewhere_gets_its_figures_beside_it(run, tmp_path):
    run_dir, _, _ = run
    out = tmp_path / "shared" / "review.html"
    assert write_report(run_dir, out) == out
    names = {p.name for p in out.parent.iterdir()}
    for stem in ("pareto", "reliability", "confusion_1", "confusion_2", "robustness", "ood"):
        assert {f"{stem}.png", f"{stem}.svg"} <= names, stem
    assert not [n for n in names if n.endswith(".tmp")]
    svg = (out.parent / "ood.svg").read_bytes()
    import base64

    assert base64.b64encode(svg).decode() in out.read_text()


def test_unreadable_runs_are_one_line_usage_errors(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "results.json").write_text("{not json")
    array = tmp_path / "array"
    array.mkdir()
    (array / "results.json").write_text("[1, 2]")
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "results.json").write_text('{"run_id": "x", "task": {}}')
    cases = [
        (tmp_path / "missing", "no such run folder"),
        (empty, "not found"),
        (bad, "not valid JSON"),
        (array, "not a JSON object"),
        (partial, "no 'approaches'"),
    ]
    for path, words in cases:
        with pytest.raises(UsageError) as info:
            write_report(path)
        message = str(info.value)
        assert words in message and str(path) in message and "\n" not in message


def test_a_malformed_figure_section_is_noted_not_fatal(run, tmp_path):
    _, doc, _ = run
    broken = json.loads(json.dumps(doc))
    broken["ood"]["approaches"][0]["n_id"] = "thirty"  # the figure needs a number
    with pytest.raises(ValueError, match="n_id"):
        figures_for(broken, tmp_path / "strict")
    errors: list[str] = []
    paths = figures_for(broken, tmp_path / "lenient", on_error=lambda n, e: errors.append(n))
    assert errors == ["ood"]
    assert "pareto.svg" in {p.name for p in paths} and "ood.svg" not in {p.name for p in paths}
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "results.json").write_text(json.dumps(broken))
    page = Page(write_report(run_dir).read_text())
    assert any("figure ood not drawn" in t for t in page.text)


def test_compare_draws_the_report_figures_into_the_run_folder(run):
    _, doc, _ = run
    for stem in ("confusion_1", "confusion_2", "robustness", "ood", "reliability", "pareto"):
        assert f"{stem}.png" in doc["plots"] and f"{stem}.svg" in doc["plots"]


# --------------------------------------------------------------------------- curve, distill


def test_curve_and_distill_runs_show_their_sections(tmp_path):
    fast = {"llms": ("fake",), "plots": False, "max_test": 20, "home": str(tmp_path / "h")}
    curve_demo(
        approaches=("tfidf-lr",),
        prompted=("zero-shot",),
        budgets=(8, 32),
        seeds=2,
        out=str(tmp_path / "curve"),
        **fast,
    )
    distill_demo(
        students=("tfidf-lr",),
        from_train=True,
        sizes=(40,),
        seeds=1,
        out=str(tmp_path / "distill"),
        **fast,
    )
    curve_doc = json.loads((tmp_path / "curve" / "results.json").read_text())
    page = Page(write_report(tmp_path / "curve").read_text())
    assert "curves" in page.sections and "Learning curves" in page.headings["h3"]
    budgets = [row[0] for row in page.tables["curves"][1:]]
    assert budgets == [str(b) for b in curve_doc["curves"]["budgets"]]
    assert "taskfit curve --demo" in "".join(page.text)

    distill_doc = json.loads((tmp_path / "distill" / "results.json").read_text())
    page = Page(write_report(tmp_path / "distill").read_text())
    assert "distill" in page.sections and "Distillation" in page.headings["h3"]
    student = distill_doc["distill"]["students"][0]
    assert page.tables["students"][1][:3] == [
        student["name"],
        str(student["n_train"]),
        _iv(student["accuracy"]),
    ]
    assert "taskfit distill --demo --from-train" in "".join(page.text)
