"""Task types: what an example is, how it is prompted and parsed, how it is scored.

Classification (single label, one text or a text pair), generation (a free text scored
against a reference), reasoning (a short final answer, exact match), knowledge-intensive
QA (a short answer, closed-book or over a corpus) and extraction (typed spans) are built
in. Another
package adds one with an entry point of the group ``taskfit.tasks`` that loads a
:class:`TaskType`::

    [project.entry-points."taskfit.tasks"]
    summarisation = "my_package.tasks:SUMMARISATION"

>>> from taskfit.tasks import get_task
>>> get_task("classification").headline.name
'accuracy'
"""

from __future__ import annotations

import warnings
from importlib.metadata import entry_points

from taskfit.errors import UsageError
from taskfit.tasks.base import PROFILE_MEASURES, SECTIONS, Metric, TaskType

__all__ = [
    "ENTRY_POINT_GROUP",
    "PROFILE_MEASURES",
    "SECTIONS",
    "Metric",
    "TaskType",
    "get_task",
    "metric_title",
    "register_task",
    "task_names",
]

ENTRY_POINT_GROUP = "taskfit.tasks"
_TASKS: dict[str, TaskType] = {}
_loaded = False


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from taskfit.tasks.classification import CLASSIFICATION
    from taskfit.tasks.extraction import EXTRACTION
    from taskfit.tasks.generation import GENERATION
    from taskfit.tasks.qa import QA
    from taskfit.tasks.reasoning import REASONING

    for builtin in (CLASSIFICATION, GENERATION, REASONING, QA, EXTRACTION):
        _TASKS.setdefault(builtin.name, builtin)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            task = ep.load()
            if not isinstance(task, TaskType):
                raise TypeError(f"{ep.value} is not a TaskType")
        except Exception as e:  # a broken plugin must not break taskfit
            warnings.warn(f"task type plugin {ep.name!r} skipped: {e}", stacklevel=2)
            continue
        _TASKS.setdefault(task.name, task)


def register_task(task: TaskType) -> TaskType:
    """Add ``task`` (a name already taken is an error)."""
    _load()
    if task.name in _TASKS and _TASKS[task.name] is not task:
        raise ValueError(f"task type {task.name!r} is registered already")
    _TASKS[task.name] = task
    return task


def get_task(name: str) -> TaskType:
    """The task type called ``name`` (a usage error listing the known ones otherwise)."""
    _load()
    if name not in _TASKS:
        raise UsageError(f"unknown task type {name!r}; task types: {', '.join(_TASKS)}")
    return _TASKS[name]


def task_names() -> tuple[str, ...]:
    _load()
    return tuple(_TASKS)


def metric_title(name: str) -> str:
    """How metric ``name`` is shown ("macro_f1" -> "macro-F1"): its title in the first
    registered task type that has it, else the name."""
    _load()
    for task in _TASKS.values():
        for m in task.metrics:
            if m.name == name:
                return m.title
    return name
