"""Report plots: files written (PNG + SVG with searchable text), empty and malformed
sections, and the Pareto front."""

from __future__ import annotations

import copy
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from taskfit.report.plots import pareto_front, plot_curves, plot_distill, plot_pareto

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG_NS = "{http://www.w3.org/2000/svg}"


# --------------------------------------------------------------------------- sections


def _curve_approach(name: str, a: float, b: float, c: float, crossover: Any) -> dict[str, Any]:
    budgets = [8, 22, 61]
    points, summary = [], []
    for n in budgets:
        mean = a - b * n ** (-c)
        accs = [mean + d for d in (-0.02, -0.01, 0.0, 0.01, 0.02)]
        points += [
            {
                "budget": n,
                "n_train_labels": n,
                "seed": s,
                "accuracy": acc,
                "macro_f1": acc - 0.05,
                "train_seconds": 0.2,
            }
            for s, acc in enumerate(accs)
        ]
        summary.append(
            {
                "budget": n,
                "n_train_labels": float(n),
                "accuracy_mean": mean,
                "ci_low": mean - 0.03,
                "ci_high": mean + 0.03,
                "n_seeds": 5,
            }
        )
    return {
        "name": name,
        "family": "finetune",
        "points": points,
        "summary": summary,
        "fit": {
            "a": a,
            "b": b,
            "c": c,
            "a_ci": [a - 0.03, a + 0.03],
            "b_ci": [b - 0.2, b + 0.2],
            "c_ci": [c - 0.05, c + 0.05],
            "n_boot": 200,
            "formula": "accuracy ≈ a − b·n^(−c)",
        },
        "crossover": crossover,
    }


def _curves() -> dict[str, Any]:
    return {
        "budget_unit": "total",
        "budgets": [8, 22, 61],
        "seeds": [0, 1, 2, 3, 4],
        "approaches": [
            _curve_approach(
                "encoder-lr@minilm",
                0.93,
                1.1,
                0.45,
                {
                    "status": "within_data",
                    "estimate": 40.0,
                    "ci_low": 25.0,
                    "ci_high": 58.0,
                    "reference": "few-shot@smollm2",
                    "reference_accuracy": 0.71,
                    "message": "encoder-lr@minilm passes few-shot@smollm2 at about 40 labels",
                },
            ),
            _curve_approach(
                "setfit@minilm",
                0.85,
                1.0,
                0.3,
                {
                    "status": "beyond_data",
                    "estimate": 900.0,
                    "ci_low": 300.0,
                    "ci_high": None,  # unbounded: the span runs to the axis edge
                    "reference": "few-shot@smollm2",
                    "reference_accuracy": 0.71,
                    "message": "extrapolated",
                },
            ),
            # A third approach with no fit and no crossover.
            {
                **_curve_approach("knn@minilm", 0.7, 0.8, 0.4, None),
                "fit": None,
            },
        ],
        "references": [
            {
                "name": "zero-shot@smollm2",
                "family": "prompt",
                "n_labels": 0,
                "accuracy": 0.32,
                "ci_low": 0.27,
                "ci_high": 0.37,
                "n_test": 300,
                "per_seed": [0.32],
            },
            {
                "name": "few-shot@smollm2",
                "family": "prompt",
                "n_labels": 8,
                "accuracy": 0.71,
                "ci_low": 0.66,
                "ci_high": 0.76,
                "n_test": 300,
                "per_seed": [0.70, 0.72],
            },
        ],
        "notes": ["budgets are total labels"],
    }


def _approaches() -> list[dict[str, Any]]:
    def a(name: str, family: str, acc: float, cost: float) -> dict[str, Any]:
        return {
            "name": name,
            "family": family,
            "model": "m",
            "metrics": {"accuracy": {"value": acc, "ci_low": acc - 0.04, "ci_high": acc + 0.04}},
            "cost_per_1k_usd": cost,
        }

    return [
        a("zero-shot@smollm2", "prompt", 0.32, 0.0),
        a("few-shot@gpt-4o-mini", "prompt", 0.86, 0.21),
        a("encoder-lr@minilm", "finetune", 0.83, 0.0009),
        a("tfidf-lr", "baseline", 0.62, 0.00004),
        a("distill:encoder-lr@minilm", "distill", 0.68, 0.0009),
    ]


def _cost_model() -> dict[str, Any]:
    one_off = {"encoder-lr@minilm": 3.2, "tfidf-lr": 0.01, "distill:encoder-lr@minilm": 4.1}
    return {
        "assumptions": {"usd_per_hour": 1.0},
        "approaches": [
            {
                "name": a["name"],
                "one_off_usd": one_off.get(a["name"], 0.0),
                "running_per_1k_usd": a["cost_per_1k_usd"],
            }
            for a in _approaches()
        ],
        "break_even": [],
    }


def _distill() -> dict[str, Any]:
    growth = [
        {"student": student, "n_llm_labels": n, "seed": seed, "accuracy": base + 0.05 * i + d}
        for student, base in (("encoder-lr@minilm", 0.35), ("setfit@minilm", 0.30))
        for i, n in enumerate((8, 32, 128))
        for seed, d in enumerate((-0.01, 0.0, 0.01))
    ]
    return {
        "teacher": {
            "name": "zero-shot@smollm2",
            "test_accuracy": {"value": 0.6, "ci_low": 0.55, "ci_high": 0.65},
        },
        "students": [
            {
                "name": "encoder-lr@minilm",
                "accuracy": {"value": 0.58, "ci_low": 0.53, "ci_high": 0.63},
            }
        ],
        "growth": growth,
        "gold_labels": 0,
    }


# --------------------------------------------------------------------------- helpers


def _svg_text(path: Path) -> str:
    """All text in the SVG's <text> elements (and their <tspan>s), joined."""
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG_NS}svg"
    return "\n".join("".join(t.itertext()) for t in root.iter(f"{SVG_NS}text"))


def _check_files(paths: list[Path], out_dir: Path, stem: str) -> str:
    assert paths == [out_dir / f"{stem}.png", out_dir / f"{stem}.svg"]
    png, svg = paths
    assert png.is_file() and svg.is_file()
    data = png.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 1000
    return _svg_text(svg)


# --------------------------------------------------------------------------- curves


def test_curves_writes_png_and_svg_with_names(tmp_path: Path) -> None:
    out = tmp_path / "figs"  # created on demand
    text = _check_files(plot_curves(_curves(), out), out, "learning_curves")
    for name in ("encoder-lr@minilm", "setfit@minilm", "knn@minilm"):
        assert name in text
    for ref in ("zero-shot@smollm2", "few-shot@smollm2"):
        assert ref in text
    assert "training labels" in text and "accuracy" in text
    assert "≈40 labels" in text  # the within-data crossover is annotated
    assert "extrapolated" in text  # and so is the one beyond the data


def test_curves_text_is_not_converted_to_paths(tmp_path: Path) -> None:
    paths = plot_curves(_curves(), tmp_path, stem="lc")
    root = ET.parse(paths[1]).getroot()
    assert list(root.iter(f"{SVG_NS}text")), "svg.fonttype should be 'none' (text as <text>)"


def test_curves_custom_stem_and_status_variants(tmp_path: Path) -> None:
    curves = _curves()
    first, second, third = curves["approaches"]
    first["crossover"] = {**first["crossover"], "status": "already_better", "estimate": 8.0}
    # Far beyond the data: the axis is capped, the text says so.
    second["crossover"] = {**second["crossover"], "estimate": 1e7, "ci_low": None}
    third["crossover"] = {"status": "never", "estimate": None, "ci_low": None, "ci_high": None}
    text = _check_files(plot_curves(curves, tmp_path, stem="lc2"), tmp_path, "lc2")
    assert "already" in text
    assert "off the axis" in text


def test_curves_without_references_or_crossover(tmp_path: Path) -> None:
    curves = _curves()
    curves["references"] = []
    for a in curves["approaches"]:
        a["crossover"] = None
    text = _check_files(plot_curves(curves, tmp_path), tmp_path, "learning_curves")
    assert "encoder-lr@minilm" in text
    assert "zero-shot@smollm2" not in text


@pytest.mark.parametrize(
    "section",
    [
        {},
        {"budget_unit": "total", "budgets": [], "seeds": [], "approaches": [], "references": []},
        {
            "approaches": [{"name": "x", "family": "finetune", "points": [], "summary": []}],
            "references": [],
        },
    ],
)
def test_curves_empty_returns_nothing(tmp_path: Path, section: dict[str, Any]) -> None:
    assert plot_curves(section, tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def _drop(d: dict[str, Any], *path: Any) -> dict[str, Any]:
    d = copy.deepcopy(d)
    target: Any = d
    for p in path[:-1]:
        target = target[p]
    del target[path[-1]]
    return d


@pytest.mark.parametrize(
    ("path", "key"),
    [
        (("approaches",), "approaches"),
        (("references",), "references"),
        (("approaches", 0, "name"), "name"),
        (("approaches", 1, "summary"), "summary"),
        (("approaches", 0, "summary", 1, "accuracy_mean"), "accuracy_mean"),
        (("approaches", 0, "points", 3, "accuracy"), "accuracy"),
        (("approaches", 0, "fit", "c"), "c"),
        (("approaches", 0, "crossover", "status"), "status"),
        (("references", 1, "ci_high"), "ci_high"),
    ],
)
def test_curves_missing_key_raises(tmp_path: Path, path: tuple[Any, ...], key: str) -> None:
    with pytest.raises(ValueError, match=f"missing key '{key}'"):
        plot_curves(_drop(_curves(), *path), tmp_path)
    assert not (tmp_path / "learning_curves.png").exists()


def test_curves_wrong_type_raises(tmp_path: Path) -> None:
    curves = _curves()
    curves["approaches"][0]["summary"][0]["accuracy_mean"] = "high"
    with pytest.raises(ValueError, match="accuracy_mean"):
        plot_curves(curves, tmp_path)


@pytest.mark.filterwarnings("error")
def test_single_point_sections_plot_without_warnings(tmp_path: Path) -> None:
    """One budget, one seed, no intervals: limits must still be sane (no singular axes)."""
    curves = {
        "budget_unit": "per_class",
        "approaches": [
            {
                "name": "solo@minilm",
                "points": [{"n_train_labels": 10, "accuracy": 0.5}],
                "summary": [
                    {"n_train_labels": 10.0, "accuracy_mean": 0.5, "ci_low": None, "ci_high": None}
                ],
                "fit": None,
                "crossover": None,
            }
        ],
        "references": [],
    }
    text = _check_files(plot_curves(curves, tmp_path), tmp_path, "learning_curves")
    assert "solo@minilm" in text
    assert "budgets were set per class" in text
    one = [
        {
            **_approaches()[0],
            "metrics": {"accuracy": {"value": 0.5, "ci_low": None, "ci_high": None}},
        }
    ]
    assert len(plot_pareto(one, None, tmp_path)) == 2
    distill = {
        "teacher": None,
        "growth": [{"student": "s", "n_llm_labels": 16, "seed": 0, "accuracy": 0.4}],
    }
    assert len(plot_distill(distill, tmp_path)) == 2


# --------------------------------------------------------------------------- Pareto


def test_pareto_writes_files_with_names_and_one_off(tmp_path: Path) -> None:
    text = _check_files(plot_pareto(_approaches(), _cost_model(), tmp_path), tmp_path, "pareto")
    for a in _approaches():
        assert a["name"] in text
    assert "one-off $3.20" in text
    assert "one-off $0.01" in text
    assert "Pareto front" in text
    assert "$0 costs drawn at" in text  # zero cost clipped to a floor, and said so
    for family in ("prompt", "finetune", "baseline", "distill"):
        assert family in text


def test_pareto_without_cost_model_or_zero_costs(tmp_path: Path) -> None:
    approaches = [a for a in _approaches() if a["cost_per_1k_usd"] > 0]
    text = _check_files(plot_pareto(approaches, None, tmp_path, stem="p"), tmp_path, "p")
    assert "one-off" not in text
    assert "drawn at" not in text
    assert "encoder-lr@minilm" in text


def test_pareto_all_zero_costs_and_single_point(tmp_path: Path) -> None:
    approaches = [{**a, "cost_per_1k_usd": 0.0} for a in _approaches()]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one x position: no singular-limits warning
        assert len(plot_pareto(approaches, None, tmp_path, stem="zero")) == 2
    text = _check_files(plot_pareto(approaches[:1], None, tmp_path, stem="one"), tmp_path, "one")
    assert "zero-shot@smollm2" in text


def test_pareto_empty_returns_nothing(tmp_path: Path) -> None:
    assert plot_pareto([], None, tmp_path) == []
    assert plot_pareto([], _cost_model(), tmp_path) == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ((2, "name"), "name"),
        ((2, "family"), "family"),
        ((0, "metrics"), "metrics"),
        ((1, "metrics", "accuracy"), "accuracy"),
        ((1, "metrics", "accuracy", "value"), "value"),
        ((3, "cost_per_1k_usd"), "cost_per_1k_usd"),
    ],
)
def test_pareto_missing_key_raises(tmp_path: Path, path: tuple[Any, ...], key: str) -> None:
    approaches = _approaches()
    approaches[path[0]] = _drop(approaches[path[0]], *path[1:])
    with pytest.raises(ValueError, match=f"missing key '{key}'"):
        plot_pareto(approaches, None, tmp_path)


def test_pareto_malformed_cost_model_raises(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"cost_model.*missing key 'approaches'"):
        plot_pareto(_approaches(), {"assumptions": {}}, tmp_path)
    cm = _cost_model()
    del cm["approaches"][0]["one_off_usd"]
    with pytest.raises(ValueError, match="missing key 'one_off_usd'"):
        plot_pareto(_approaches(), cm, tmp_path)


def test_pareto_negative_cost_raises(tmp_path: Path) -> None:
    approaches = _approaches()
    approaches[0]["cost_per_1k_usd"] = -1.0
    with pytest.raises(ValueError, match="cost_per_1k_usd"):
        plot_pareto(approaches, None, tmp_path)


# --------------------------------------------------------------------------- distillation


def test_distill_writes_files_with_names(tmp_path: Path) -> None:
    text = _check_files(plot_distill(_distill(), tmp_path), tmp_path, "distillation")
    assert "encoder-lr@minilm" in text
    assert "setfit@minilm" in text
    assert "zero-shot@smollm2" in text  # the teacher line
    assert "LLM-labelled" in text
    assert "0 gold labels" in text


def test_distill_without_teacher(tmp_path: Path) -> None:
    distill = {**_distill(), "teacher": None}
    text = _check_files(plot_distill(distill, tmp_path, stem="d"), tmp_path, "d")
    assert "encoder-lr@minilm" in text
    assert "zero-shot@smollm2" not in text


@pytest.mark.parametrize("section", [{}, {**_distill(), "growth": []}])
def test_distill_empty_returns_nothing(tmp_path: Path, section: dict[str, Any]) -> None:
    assert plot_distill(section, tmp_path) == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("path", "key"),
    [
        (("teacher",), "teacher"),
        (("growth",), "growth"),
        (("teacher", "test_accuracy"), "test_accuracy"),
        (("teacher", "name"), "name"),
        (("growth", 4, "n_llm_labels"), "n_llm_labels"),
        (("growth", 0, "student"), "student"),
        (("growth", 2, "accuracy"), "accuracy"),
        (("students", 0, "accuracy"), "accuracy"),
    ],
)
def test_distill_missing_key_raises(tmp_path: Path, path: tuple[Any, ...], key: str) -> None:
    with pytest.raises(ValueError, match=f"missing key '{key}'"):
        plot_distill(_drop(_distill(), *path), tmp_path)


# --------------------------------------------------------------------------- pareto_front


def test_pareto_front_excludes_dominated_points() -> None:
    points = [
        ("llm", 1.0, 0.90),
        ("cheap-bad", 0.01, 0.50),
        ("dominated", 0.5, 0.60),  # "mid" is cheaper and better
        ("mid", 0.1, 0.80),
        ("pricey-worse", 2.0, 0.85),  # "llm" is cheaper and better
    ]
    assert pareto_front(points) == ["cheap-bad", "mid", "llm"]


def test_pareto_front_ties() -> None:
    # Identical points do not dominate each other: both stay, in input order.
    assert pareto_front([("b", 1.0, 0.8), ("a", 1.0, 0.8)]) == ["b", "a"]
    # Same cost, lower quality: dominated (one strict inequality is enough).
    assert pareto_front([("good", 1.0, 0.8), ("worse", 1.0, 0.7)]) == ["good"]
    # Same quality, higher cost: dominated.
    assert pareto_front([("dear", 2.0, 0.8), ("cheap", 1.0, 0.8)]) == ["cheap"]


def test_pareto_front_single_and_empty() -> None:
    assert pareto_front([("only", 0.0, 0.5)]) == ["only"]
    assert pareto_front([]) == []


def test_pareto_front_sorted_by_cost_and_rejects_nan() -> None:
    pts = [("c", 3.0, 0.9), ("a", 1.0, 0.5), ("b", 2.0, 0.7)]
    assert pareto_front(pts) == ["a", "b", "c"]
    with pytest.raises(ValueError, match="NaN"):
        pareto_front([("x", float("nan"), 0.5)])
