"""The approach registry: built-ins, plugins through the entry-point group, registry calls,
broken plugins, layering, and a plugin approach planned and run by the workflows."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
import warnings
from dataclasses import replace
from pathlib import Path

import pytest

from taskfit import approaches
from taskfit.approaches import Approach, PluginWarning
from taskfit.backends import parse_spec
from taskfit.errors import UsageError
from taskfit.run.curve_plan import CurvePlan, plan_curve
from taskfit.run.plan import PlanOptions, parse_approaches, plan_units
from taskfit.types import Dataset, Example

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "tests" / "plugins"
SRC = ROOT / "src" / "taskfit"
BUILTIN = ("zero-shot", "few-shot", "few-shot-knn", "majority", "tfidf-lr", "encoder-lr", "setfit")


@pytest.fixture()
def toy_plugin(monkeypatch):
    """``tests/plugins`` on ``sys.path`` with its entry points loaded; restored after."""
    monkeypatch.syspath_prepend(str(PLUGINS))
    approaches.reload_plugins()
    yield approaches.get("toy-centroid")
    monkeypatch.undo()
    approaches.reload_plugins()


def _dataset(n_train: int = 12, n_test: int = 6) -> Dataset:
    words = {"refund": "money back refund", "parcel": "parcel delivery late"}
    train, test = [], []
    for label, w in words.items():
        ws = w.split()
        train += [
            Example(f"{ws[i % 3]} please {ws[(i + 1) % 3]} {i}", label) for i in range(n_train)
        ]
        test += [Example(f"my {ws[(i + 2) % 3]} {i}", label) for i in range(n_test)]
    return Dataset(tuple(train), tuple(test), tuple(sorted(words)), "h", "f", "text", "label")


# --- built-ins ---------------------------------------------------------------------------


def test_builtins_in_order_with_their_families_and_needs():
    assert approaches.names()[:7] == BUILTIN
    assert approaches.names("prompt")[:3] == ("zero-shot", "few-shot", "few-shot-knn")
    assert approaches.learner_names()[:4] == ("majority", "tfidf-lr", "encoder-lr", "setfit")
    assert approaches.names("baseline")[:2] == ("majority", "tfidf-lr")
    assert approaches.defaults("compare", task="classification") == BUILTIN
    assert approaches.defaults("curve", ("finetune", "baseline"), task="classification") == (
        "encoder-lr",
        "tfidf-lr",
    )
    assert approaches.defaults("curve", ("finetune", "baseline"), task="generation") == (
        "lora",
        "nearest-output",
    )
    assert approaches.defaults("curve", "prompt", task="classification") == (
        "zero-shot",
        "few-shot",
    )
    # QA draws the retrieval-augmented prompts next to the closed-book ones
    assert approaches.defaults("curve", "prompt", task="qa") == (
        "zero-shot",
        "few-shot",
        "rag-bm25",
        "rag-dense",
        "rag-hybrid",
    )
    assert approaches.get("few-shot-knn").needs == {"llm", "encoder"}
    assert approaches.get("tfidf-lr").needs == frozenset()
    assert approaches.needs_of(["zero-shot", "tfidf-lr"]) == {"llm"}
    assert approaches.needs_of(["majority", "setfit"]) == {"encoder"}
    assert approaches.names(task="regression") == ()
    assert approaches.names(task="classification")[:7] == BUILTIN
    zs, fs, knn = (approaches.get(n) for n in ("zero-shot", "few-shot", "few-shot-knn"))
    assert (zs.uses_shots, fs.uses_shots, knn.uses_shots) == (False, True, True)
    assert (zs.seeded, fs.seeded, knn.seeded) == (False, True, True)
    assert [a.reorders_demos for a in (zs, fs, knn)] == [False, True, False]
    assert knn.variants == ("list",) and fs.variants is None


def test_compat_constants_are_computed_from_the_registry():
    from taskfit.advise import picks
    from taskfit.run import curve_plan, plan

    assert plan.PROMPT_APPROACHES == ("zero-shot", "few-shot", "few-shot-knn")
    assert plan.FINETUNE_APPROACHES[:4] == ("majority", "tfidf-lr", "encoder-lr", "setfit")
    assert plan.DEFAULT_APPROACHES == BUILTIN
    assert approaches.for_task(PlanOptions().approaches, "classification", named=False) == BUILTIN
    assert curve_plan.DEFAULT_CURVE_LEARNERS == ("encoder-lr", "tfidf-lr") == CurvePlan().learners
    assert curve_plan.DEFAULT_CURVE_PROMPTED == ("zero-shot", "few-shot") == CurvePlan().prompted
    assert picks.PROMPT_SIDE == plan.PROMPT_APPROACHES
    assert picks.FINETUNE_SIDE == plan.FINETUNE_APPROACHES
    with pytest.raises(AttributeError):
        _ = plan.NO_SUCH_NAME


def test_help_text_has_one_line_per_approach():
    lines = approaches.help_text().splitlines()
    assert [line.split()[0] for line in lines] == list(approaches.names())
    knn = next(line for line in lines if line.startswith("few-shot-knn"))
    assert "prompt" in knn and "needs: encoder, llm" in knn
    assert approaches.help_text("baseline").splitlines()[0].startswith("majority")


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(UsageError, match=r"unknown approach 'bert'; valid approaches: zero-shot"):
        approaches.get("bert")
    with pytest.raises(UsageError, match="unknown approach 'bert'; valid approaches: zero-shot"):
        parse_approaches("zero-shot,bert")
    with pytest.raises(UsageError, match="no approach given; valid approaches: zero-shot"):
        parse_approaches(" , ")


def test_approaches_are_validated():
    with pytest.raises(ValueError, match="without '@'"):
        Approach("a@b", "finetune", "x", learner="m:C")
    with pytest.raises(ValueError, match="family"):
        Approach("a", "distill", "x", learner="m:C")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="learner class"):
        Approach("a", "finetune", "x")
    with pytest.raises(ValueError, match="cannot have a learner"):
        Approach("a", "prompt", "x", learner="m:C")
    with pytest.raises(ValueError, match="unknown need"):
        Approach("a", "finetune", "x", learner="m:C", needs=frozenset({"tpu"}))
    with pytest.raises(ValueError, match="one-line summary"):
        Approach("a", "finetune", "two\nlines", learner="m:C")
    knn_like = Approach("a", "prompt", "x", demos="knn")
    assert knn_like.needs == {"llm", "encoder"}


# --- registry calls ------------------------------------------------------------------------


def test_register_get_run_and_unregister():
    from tests.plugins.toy_approach import ToyCentroid

    direct = Approach(
        "toy-direct", "finetune", "nearest centroid, registered by a call", learner=ToyCentroid
    )
    assert approaches.register(direct) is direct
    try:
        assert approaches.register(direct) is direct  # the same again: nothing happens
        with pytest.raises(ValueError, match="already registered"):
            approaches.register(replace(direct, summary="another"))
        assert "toy-direct" in approaches.names() and "toy-direct" in parse_approaches("toy-direct")
        assert "toy-direct" not in approaches.defaults()
        ds = _dataset()
        (unit,) = plan_units(ds, PlanOptions(approaches=("toy-direct",)))
        assert (unit.approach, unit.family, unit.model) == ("toy-direct", "finetune", "")
        learner = direct.make_learner().fit([e.text for e in ds.train], [e.label for e in ds.train])
        assert list(learner.classes_) == ["parcel", "refund"]
        replaced = approaches.register(replace(direct, summary="replaced"), replace=True)
        assert approaches.get("toy-direct") is replaced
    finally:
        approaches.unregister("toy-direct")
    assert "toy-direct" not in approaches.names()
    with pytest.raises(UsageError):
        approaches.get("toy-direct")


# --- plugins through the entry-point group -----------------------------------------------


def test_the_toy_plugin_is_registered_through_its_entry_point(toy_plugin):
    assert toy_plugin.family == "finetune" and toy_plugin.learner == "toy_approach:ToyCentroid"
    assert "toy-centroid" in approaches.names()
    assert "toy-centroid" in approaches.learner_names()
    assert "toy-centroid" not in approaches.defaults()  # run when named
    assert parse_approaches("zero-shot,toy-centroid") == ("zero-shot", "toy-centroid")
    assert any(line.startswith("toy-centroid") for line in approaches.help_text().splitlines())
    from taskfit.run import plan

    assert "toy-centroid" in plan.FINETUNE_APPROACHES


def test_the_toy_plugin_passes_the_conformance_checks(toy_plugin, tmp_path):
    from tests.conformance.checks import check_approach

    check_approach("toy-centroid", tmp_path)


def test_compare_plans_and_runs_the_toy_approach(toy_plugin, tmp_path):
    from taskfit.data import load_demo
    from taskfit.workflows.compare import CompareOptions, compare_dataset

    opts = CompareOptions(
        llms=("fake",),
        approaches=("zero-shot", "toy-centroid", "majority"),
        max_test=40,
        plots=False,
        home=str(tmp_path / "home"),
        out=str(tmp_path / "out"),
    )
    res = compare_dataset(load_demo(), opts)
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    rows = {a["name"]: a for a in doc["approaches"]}
    assert {"zero-shot@fake", "toy-centroid", "majority"} <= set(rows)
    toy = rows["toy-centroid"]
    assert toy["family"] == "finetune" and toy["n_test"] == 161
    # the toy separates the demo's intents far better than the majority class
    assert toy["metrics"]["accuracy"]["value"] > rows["majority"]["metrics"]["accuracy"]["value"]
    assert "toy-centroid" in [m.name for m in res.metrics]


def test_curves_sweep_the_toy_approach(toy_plugin, tmp_path):
    ds = _dataset()
    spec = plan_curve(ds, CurvePlan(learners=("toy-centroid", "tfidf-lr"), prompted=(), seeds=2))
    toy = [u for u in spec.units if u.approach == "toy-centroid"]
    assert toy and {u.param("budget") for u in toy} == set(spec.budgets)
    assert len(toy) == 2 * len(spec.budgets)

    from taskfit.workflows.curve import CurveOptions, curve_dataset

    opts = CurveOptions(
        approaches=("toy-centroid",),
        prompted=(),
        budgets=(8, 32),
        seeds=2,
        plots=False,
        home=str(tmp_path / "home"),
        out=str(tmp_path / "out"),
    )
    from taskfit.data import load_demo

    res = curve_dataset(load_demo(), opts)
    (swept,) = res.section["approaches"]
    assert swept["name"] == "toy-centroid"
    assert [s["budget"] for s in swept["summary"]] == [8, 32]


def _write_plugin(root: Path, entries: str, module: str = "") -> None:
    info = root / "broken_plugins-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugins\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[taskfit.approaches]\n" + entries)
    if module:
        (root / "plugin_cases.py").write_text(textwrap.dedent(module))


def test_a_broken_plugin_is_skipped_with_a_warning(tmp_path, monkeypatch):
    _write_plugin(
        tmp_path,
        "missing = no_such_module_xyz:APPROACH\n"
        "raises = plugin_cases:boom\n"
        "wrong = plugin_cases:NOT_AN_APPROACH\n"
        "clash = plugin_cases:CLASH\n"
        "half = plugin_cases:half\n"
        "several = plugin_cases:several\n",
        """
        from taskfit.approaches import Approach

        def boom():
            raise RuntimeError("kaput")

        NOT_AN_APPROACH = 42
        CLASH = Approach("majority", "finetune", "not the built-in", learner="m:C")
        GOOD = Approach("plugin-good", "baseline", "fine", learner="plugin_cases:Model")

        def half():
            return [Approach("plugin-half", "baseline", "x", learner="m:C"), 7]

        def several():
            return [GOOD, Approach("plugin-prompt", "prompt", "zero-shot again")]
        """,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            approaches.reload_plugins()
        shown = [str(w.message) for w in caught if issubclass(w.category, PluginWarning)]
        for name in ("missing", "raises", "wrong", "clash", "half"):
            assert any(f"plugin {name!r}" in m for m in shown), (name, shown)
        assert any("kaput" in m and "broken-plugins" in m for m in shown)
        assert len(shown) == 5
        assert approaches.get("majority").summary.startswith("predict the most frequent")
        assert "plugin-half" not in approaches.names()  # nothing of a failed plugin is kept
        assert {"plugin-good", "plugin-prompt"} <= set(approaches.names())
        assert approaches.get("plugin-prompt").needs == {"llm"}
    finally:
        monkeypatch.undo()
        approaches.reload_plugins()
    assert "plugin-good" not in approaches.names()


def test_plugins_load_lazily_on_the_first_query():
    code = (
        "import sys, taskfit.approaches as a\n"
        "before = 'toy_approach' in sys.modules\n"
        "names = a.names()\n"
        "print(before, 'toy_approach' in sys.modules, 'toy-centroid' in names)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PLUGINS), str(ROOT / "src")])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split() == ["False", "True", "True"]


# --- layering --------------------------------------------------------------------------


LOWER = ("taskfit.types", "taskfit.errors", "taskfit.data", "taskfit.backends", "taskfit.learners")


def test_the_approaches_package_imports_only_lower_layers():
    for path in sorted((SRC / "approaches").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                mods = [node.module + "." + a.name for a in node.names]
            elif isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            else:
                continue
            for mod in mods:
                if mod.startswith("taskfit") and not mod.startswith("taskfit.approaches"):
                    assert mod.startswith(LOWER), f"{path.name} imports {mod}"
    code = (
        "import sys, taskfit.approaches as a\n"
        "a.names(); a.get('setfit').needs\n"
        "bad = {'run', 'prompting', 'advise', 'workflows', 'metrics', 'report', 'cli', 'web'}\n"
        "print([m for m in sys.modules if m.startswith('taskfit.') and m.split('.')[1] in bad])\n"
        "print('torch' in sys.modules, 'setfit' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split("\n")[:2] == ["[]", "False False"]


# --- the CLI -------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["compare", "curve", "approaches"])
def test_help_lists_registered_approaches(command):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(PLUGINS), str(ROOT / "src")]),
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "taskfit.cli",
            command,
            *([] if command == "approaches" else ["--help"]),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    flat = "".join(c for c in out.stdout if not c.isspace() and c not in "│|")
    assert "toy-centroid" in flat


def test_plan_of_a_registered_prompt_approach_uses_its_properties():
    custom = Approach("zs-again", "prompt", "zero-shot under another name", seeded=False)
    approaches.register(custom)
    try:
        ds = _dataset()
        opts = PlanOptions(approaches=("zs-again", "zero-shot"), llms=(parse_spec("fake"),))
        mine, zs = plan_units(ds, opts)
        assert mine.params == zs.params and mine.family == "prompt"
        seeds = plan_curve(
            ds, CurvePlan(learners=("majority",), prompted=("zs-again",), seeds=3, base=opts)
        )
        assert len([u for u in seeds.units if u.approach == "zs-again"]) == 1
    finally:
        approaches.unregister("zs-again")
