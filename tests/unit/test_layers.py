"""Stages import only earlier stages: the one-way flow of the package, enforced.

The order is written once here and once in the README's layout paragraph. A module may
import its own layer and any earlier one, never a later one; lazy imports inside
functions count too. The front ends (cli, web) may use only config, workflows and report
(plus the bottom layer), and no module imports the package root ``taskfit`` itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import taskfit

SRC = Path(taskfit.__file__).parent

LAYERS: tuple[frozenset[str], ...] = tuple(
    frozenset(names.split())
    for names in (
        "types errors config version jsonable",
        "data",
        "backends learners retrieval",
        "tasks",
        "approaches",
        "profile",
        "advise",
        "prompting",
        "run",
        "metrics",
        "recommend",
        "report",
        "workflows",
        "cli web",
    )
)
FRONT_ENDS = frozenset({"cli", "web"})
FRONT_END_MAY_USE = LAYERS[0] | {"config", "workflows", "report"}


def layer_of(top: str) -> int:
    for i, names in enumerate(LAYERS):
        if top in names:
            return i
    raise AssertionError(f"taskfit.{top} is in no layer: add it to LAYERS (and the README)")


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported taskfit module) for every import in ``path``, lazy ones included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "taskfit":
                found += [(node.lineno, f"taskfit.{a.name}") for a in node.names]
            elif node.module.startswith("taskfit."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("taskfit")]
    return found


def violations(path: Path) -> list[str]:
    rel = path.relative_to(SRC)
    top = rel.parts[0].removesuffix(".py")
    if top == "__init__":  # the package root: the public API, loaded lazily
        return []
    here = layer_of(top)
    out = []
    for line, module in imports(path):
        parts = module.split(".")
        if len(parts) == 1:
            out.append(f"{rel}:{line} imports the package root")
            continue
        target = parts[1]
        if target in ("__version__", "compare", "CompareResult"):
            out.append(f"{rel}:{line} imports the package root ({target})")
            continue
        there = layer_of(target)
        if there > here:
            out.append(f"{rel}:{line} ({top}) imports a later layer: {module}")
        if top in FRONT_ENDS and target not in FRONT_ENDS and target not in FRONT_END_MAY_USE:
            out.append(f"{rel}:{line} ({top}) may use only config, workflows, report: {module}")
    return out


def test_every_module_imports_only_its_own_or_earlier_layers() -> None:
    found = [v for path in sorted(SRC.rglob("*.py")) for v in violations(path)]
    assert found == []


def test_the_check_fails_on_a_backward_import(tmp_path: Path) -> None:
    bad = SRC / "metrics" / "_layer_probe.py"
    assert not bad.exists()
    bad.write_text("from taskfit.report import render_summary\n", encoding="utf-8")
    try:
        assert violations(bad) == [
            "metrics/_layer_probe.py:1 (metrics) imports a later layer: taskfit.report"
        ]
    finally:
        bad.unlink()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from taskfit import __version__\n", "imports the package root (__version__)"),
        ("import taskfit\n", "imports the package root"),
        ("def f():\n    from taskfit.run.store import Store\n", "may use only config"),
    ],
)
def test_the_check_sees_root_and_front_end_imports(source: str, expected: str) -> None:
    probe = SRC / "cli" / "_layer_probe.py"
    assert not probe.exists()
    probe.write_text(source, encoding="utf-8")
    try:
        assert any(expected in v for v in violations(probe))
    finally:
        probe.unlink()


def test_every_top_level_module_has_a_layer() -> None:
    tops = {p.name.removesuffix(".py") for p in SRC.iterdir() if p.suffix == ".py" or p.is_dir()}
    tops -= {"__init__", "__pycache__", "py.typed"}
    for top in sorted(t for t in tops if not t.startswith(".")):
        if (SRC / top).is_dir() and not (SRC / top / "__init__.py").exists():
            continue  # data folders (templates, demo files)
        layer_of(top)
