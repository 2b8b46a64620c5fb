"""The self-contained HTML report of a run: one file, no network, printable.

What: :func:`render_report` turns a results document into an HTML string: the
recommendation with the decision flows and the evidence, the approaches table, how the
prompted approaches were prompted and corrected, the figures (embedded as ``data:``
URIs), the trust tables, the data profile and how to reproduce the run.
:func:`write_report` does the same from a run folder, redrawing the figures next to the
HTML file first.

Why: a run folder holds JSON for tools and Markdown for a repository; a reviewer who
decides between prompting and fine-tuning wants one file to open, mail or print.

Safety: Jinja2 escapes every value (autoescape on), so labels, texts, column and file
names show as text whatever they contain. Figures are embedded base64 in ``<img>``
(scripts in an SVG stay inert there, and its namespace URIs do not reach the page), and
``://`` in any text is written as ``&#58;//``: it reads the same, but the HTML source
holds no URL at all, not even an LLM endpoint named in the settings.

>>> from taskfit.report.html import write_report
>>> write_report(Path(".taskfit/runs/20250101-120000-abcd1234"))  # doctest: +SKIP
PosixPath('.taskfit/runs/20250101-120000-abcd1234/report.html')
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from taskfit.errors import UsageError
from taskfit.report.columns import headline, sentence_start
from taskfit.report.html_blocks import figure, h3, section
from taskfit.report.html_profile import profile_section, reproduce_section
from taskfit.report.html_prompting import prompting_section
from taskfit.report.html_sections import (
    approaches_section,
    cost_model_section,
    curves_section,
    distill_section,
    notes_section,
    recommendation_section,
)
from taskfit.report.html_tasks import task_sections
from taskfit.report.html_text import text_sections
from taskfit.report.html_trust import confusion_blocks, trust_sections

__all__ = ["load_results", "render_report", "write_report"]

_TEMPLATES = Path(__file__).parent / "templates"
_REQUIRED = ("run_id", "task", "approaches", "recommendation", "run_stats")
_KIND = {"curve": "learning curves", "distill": "distillation"}

# (section key, figure stems, heading, caption), in the order the report shows them;
# "{headline}" in a caption stands for the title of the document's headline metric.
_FIGURES: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    (
        "curves",
        ("learning_curves",),
        "Learning curves",
        "Accuracy against training labels: seed means with their interval band, the fitted "
        "power law, prompted references and the crossover.",
    ),
    (
        "approaches",
        ("pareto",),
        "Quality against cost",
        "{headline} (95% CI) against running cost per 1k predictions; the dashed line is the "
        "front of approaches no other is both cheaper and better than.",
    ),
    (
        "self_consistency",
        ("self_consistency",),
        "Self-consistency",
        "Exact match of the majority answer against the number of sampled chains k (95% "
        "CI), and the cost per correct answer at each k.",
    ),
    (
        "calibration",
        ("reliability",),
        "Reliability",
        "Accuracy against confidence per bin; the diagonal is perfect calibration.",
    ),
    (
        "confusion",
        ("confusion_1", "confusion_2"),
        "Confusion matrices of the two best approaches",
        "Rows: true label; columns: predicted label; colour: share of the row.",
    ),
    (
        "robustness",
        ("robustness",),
        "Robustness",
        "Accuracy under each perturbation (95% CI); the black tick is the clean accuracy on "
        "the same examples.",
    ),
    (
        "ood",
        ("ood",),
        "In- and out-of-distribution accuracy",
        "Accuracy on the in-distribution and the out-of-distribution test sets (95% CI).",
    ),
    (
        "distill",
        ("distillation",),
        "Distillation",
        "Student accuracy against LLM-labelled training examples; the teacher's accuracy.",
    ),
    (
        "selective",
        ("selective",),
        "Selective prediction",
        "Accuracy on the answered inputs against the share answered, most confident first.",
    ),
)


def _data_uri(figure_dir: Path, stem: str) -> str | None:
    """The figure as a data URI, SVG preferred; None when neither file exists."""
    for suffix, mime in ((".svg", "image/svg+xml"), (".png", "image/png")):
        path = figure_dir / f"{stem}{suffix}"
        if path.is_file():
            return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
    return None


def _figures_section(doc: Mapping[str, Any], figure_dir: Path) -> dict[str, Any] | None:
    blocks: list[Any] = []
    metric = sentence_start(headline(doc)[1])
    for key, stems, heading, template in _FIGURES:
        if not doc.get(key):
            continue
        caption = template.replace("{headline}", metric)
        images = [(stem, _data_uri(figure_dir, stem)) for stem in stems]
        shown = [
            figure(uri, f"{heading} ({stem})", caption) if uri else None for stem, uri in images
        ]
        if key == "confusion":
            blocks += [h3(heading), *confusion_blocks(doc[key], shown)]
        elif any(shown):
            blocks += [h3(heading), *[b for b in shown if b is not None]]
    return section("figures", "Figures", blocks)


def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from markupsafe import Markup, escape

    def finalize(value: Any) -> Any:
        # Escape here, then break every "://" so the source holds no URL (see above).
        return Markup(str(escape(value)).replace("://", "&#58;//"))

    return Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_report(doc: Mapping[str, Any], figure_dir: Path) -> str:
    """The self-contained HTML string; figures are read from figure_dir (SVG preferred)
    and embedded as data: URIs.

    Sections the document has no data for are left out, headings included; a figure
    whose file is missing from ``figure_dir`` is left out too.
    """
    d = dict(doc)
    task = d["task"]
    kind = _KIND.get((d.get("settings") or {}).get("command", ""), "comparison")
    sections = [
        recommendation_section(d),
        approaches_section(d),
        prompting_section(d),
        *text_sections(d),
        *task_sections(d),
        _figures_section(d, Path(figure_dir)),
        curves_section(d),
        distill_section(d),
        cost_model_section(d),
        *trust_sections(d),
        profile_section(d),
        notes_section(d),
        reproduce_section(d),
    ]
    shown = [s for s in sections if s is not None]
    labels = f", {len(task['labels'])} labels" if task.get("labels") else ""
    data_line = (
        f"{task.get('source', '?')}: {task['n_train']:,} train / {task['n_test']:,} test "
        f"examples{labels} (data hash {str(task.get('data_hash'))[:12]})"
    )
    return str(
        _environment()
        .get_template("report.html.j2")
        .render(
            title=f"taskfit {kind} {d['run_id']}",
            subtitle=data_line,
            created=d.get("created_at", ""),
            sections=shown,
        )
    )


def load_results(run_dir: Path) -> dict[str, Any]:
    """``run_dir/results.json`` as a dict; :class:`UsageError` (one line, naming the
    path) when it is missing, unreadable, not JSON or not a results document."""
    run_dir = Path(run_dir)
    path = run_dir / "results.json"
    if not run_dir.is_dir():
        raise UsageError(f"{run_dir}: no such run folder")
    if not path.is_file():
        raise UsageError(f"{path}: not found; is {run_dir} a taskfit run folder?")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise UsageError(f"{path}: not valid JSON (line {e.lineno}, column {e.colno})") from None
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"{path}: cannot read it ({type(e).__name__})") from None
    if not isinstance(doc, dict):
        raise UsageError(f"{path}: not a taskfit results document (not a JSON object)")
    missing = [k for k in _REQUIRED if k not in doc]
    if missing:
        raise UsageError(f"{path}: not a taskfit results document (no '{missing[0]}')")
    return doc


def _write_atomic(path: Path, text: str) -> None:
    """Write a uniquely named file in the same folder, then rename it over ``path``:
    a reader never sees half a report, and two writers never share a temporary file."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_report(run_dir: Path, out: Path | None = None) -> Path:
    """Read run_dir/results.json, (re)draw every figure the document has data for into
    the folder of `out` (default run_dir/report.html), write the HTML atomically, return
    its path. Raise taskfit.errors.UsageError with a one-line message if run_dir has no
    readable results.json.

    A section too malformed to draw is left out of the figures and named in the
    report's notes.
    """
    from taskfit.report.plots_report import figures_for

    run_dir = Path(run_dir)
    doc = load_results(run_dir)
    out = Path(out) if out is not None else run_dir / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    figures_for(
        doc, out.parent, on_error=lambda name, e: notes.append(f"figure {name} not drawn: {e}")
    )
    try:
        html = render_report({**doc, "_report_notes": notes}, out.parent)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise UsageError(
            f"{run_dir / 'results.json'}: malformed results document ({type(e).__name__}: {e})"
        ) from None
    _write_atomic(out, html)
    return out
