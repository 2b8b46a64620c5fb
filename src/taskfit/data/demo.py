"""The bundled demo data behind ``taskfit demo``: small CSVs for each demo task.

They ship inside the package (``taskfit/data/demo/``) so the demo runs with no download
and no user file:

- ``classification`` (columns ``text,intent``): ``train.csv`` and ``test.csv`` for the
  comparison, ``ood_test.csv`` for the out-of-distribution check.
- ``generation`` (``generation/{train,test}.csv``, columns ``attributes,description``):
  product attributes -> a one-sentence description.
- ``reasoning`` (``reasoning/{train,test}.csv``, columns ``question,rationale,answer``):
  arithmetic word problems -> the numeric answer; the worked ``rationale`` stays in the
  file and is not loaded here.
- ``qa`` (``qa/{train,test}.csv``, columns ``question,answer,passage_id``, and
  ``qa/corpus.csv``, columns ``id,title,text``): questions about Northwind's products
  answered from its documentation, a fifth of them "not in the documents".
- ``extraction`` (``extraction/{train,test}.jsonl``, fields ``text`` and ``spans``; the
  test set also as ``extraction/test.conll``): support messages with typed spans.

The generation and reasoning files are written by :mod:`taskfit.data.demo_tasks`, the QA
ones by :mod:`taskfit.data.demo_qa` and the extraction ones by
:mod:`taskfit.data.demo_extraction`.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from taskfit.data.load import load_dataset
from taskfit.errors import DataError, UsageError
from taskfit.types import Dataset

__all__ = ["DEMO_COLUMNS", "DEMO_LABEL", "DEMO_TASKS", "DEMO_TEXT", "demo_paths", "load_demo"]

DEMO_TEXT = "text"
DEMO_LABEL = "intent"

# task -> (text column, target column) of its demo files
DEMO_COLUMNS: dict[str, tuple[str, str]] = {
    "classification": (DEMO_TEXT, DEMO_LABEL),
    "generation": ("attributes", "description"),
    "reasoning": ("question", "answer"),
    "qa": ("question", "answer"),
    "extraction": ("text", "spans"),
}
# task -> the column naming each answer's gold passage(s)
DEMO_EVIDENCE: dict[str, str] = {"qa": "passage_id"}
DEMO_TASKS = tuple(DEMO_COLUMNS)

# task -> (subfolder of taskfit/data/demo, split -> file name)
_FILES: dict[str, tuple[str, dict[str, str]]] = {
    "classification": (
        "",
        {"train": "train.csv", "test": "test.csv", "ood_test": "ood_test.csv"},
    ),
    "generation": ("generation", {"train": "train.csv", "test": "test.csv"}),
    "reasoning": ("reasoning", {"train": "train.csv", "test": "test.csv"}),
    "qa": ("qa", {"train": "train.csv", "test": "test.csv", "corpus": "corpus.csv"}),
    "extraction": (
        "extraction",
        {"train": "train.jsonl", "test": "test.jsonl", "conll": "test.conll"},
    ),
}


def _check_task(task: str) -> None:
    if task not in DEMO_COLUMNS:
        raise UsageError(f"no demo data for task {task!r}; demo tasks: {', '.join(DEMO_TASKS)}")


def demo_paths(task: str = "classification") -> dict[str, Path]:
    """Paths of the bundled demo files of ``task``.

    Classification has ``train``, ``test`` and ``ood_test``; generation and reasoning
    have ``train`` and ``test``.

    >>> sorted(demo_paths())
    ['ood_test', 'test', 'train']
    >>> sorted(demo_paths("reasoning"))
    ['test', 'train']
    """
    _check_task(task)
    folder, names = _FILES[task]
    root = Path(str(files("taskfit") / "data" / "demo"))
    if folder:
        root = root / folder
    return {key: root / name for key, name in names.items()}


def load_demo(seed: int = 0, task: str = "classification", **task_type: Any) -> Dataset:
    """Load the demo train/test files of ``task`` as a :class:`Dataset` (without the QA
    corpus: a later stage reads it). ``task_type``: the task type's loading hooks
    (``target_from``, ``readers``) for :func:`load_dataset`.

    >>> load_demo().label_col
    'intent'
    >>> load_demo(task="generation").labels
    ()
    """
    paths = demo_paths(task)
    for path in (paths["train"], paths["test"]):
        if not path.is_file():
            raise DataError("bundled demo data is missing; reinstall taskfit", file=str(path))
    text, target = DEMO_COLUMNS[task]
    if task == "classification":
        return load_dataset(
            paths["train"], text=text, label=target, test=paths["test"], seed=seed, demo=True
        )
    return load_dataset(
        paths["train"],
        text=text,
        label=target,
        test=paths["test"],
        seed=seed,
        demo=True,
        task=task,
        label_set=False,
        evidence=DEMO_EVIDENCE.get(task),
        **task_type,
    )
