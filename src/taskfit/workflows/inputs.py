"""What the front ends (the CLI and the web UI) use besides the workflows' entry points.

The front ends import only :mod:`taskfit.config`, :mod:`taskfit.workflows` and
:mod:`taskfit.report`; this module gathers, from the layers below, the few pieces they
need to talk to a user: parsers of what was typed (approach lists, budgets, perturbation
kinds, ``--set`` answers, LLM specs), redaction for showing it back, data reading for
previews and checks, the approach registry (names, defaults, help), the task types'
names, the store and its home folder (runs, jobs), the progress-hook protocol, and the
advice's parts that ``taskfit advise`` drives interactively.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from taskfit.advise import Advice, ask_missing, load_card, parse_answers
    from taskfit.advise import advise as advise_on
    from taskfit.advise.catalog import filter_models, load_catalog
    from taskfit.approaches import all_approaches, defaults, help_text, names
    from taskfit.backends import parse_spec
    from taskfit.backends.redact import redact_text, redact_url
    from taskfit.data import load_dataset, load_demo, read_table
    from taskfit.data.perturb import parse_perturbations
    from taskfit.data.validate import SUPPORTED_SUFFIXES
    from taskfit.run.budgets import parse_budgets
    from taskfit.run.execute import ProgressHook
    from taskfit.run.plan import parse_approaches
    from taskfit.run.store import Store, default_home
    from taskfit.tasks import task_names

# Imported on first use (PEP 562), so `taskfit --help` does not load pandas, scikit-learn
# and the advice for a command that needs none of them.
_WHERE = {
    "Advice": "taskfit.advise",
    "ask_missing": "taskfit.advise",
    "load_card": "taskfit.advise",
    "parse_answers": "taskfit.advise",
    "advise_on": "taskfit.advise:advise",
    "filter_models": "taskfit.advise.catalog",
    "load_catalog": "taskfit.advise.catalog",
    "all_approaches": "taskfit.approaches",
    "defaults": "taskfit.approaches",
    "help_text": "taskfit.approaches",
    "names": "taskfit.approaches",
    "parse_spec": "taskfit.backends",
    "redact_text": "taskfit.backends.redact",
    "redact_url": "taskfit.backends.redact",
    "load_dataset": "taskfit.data",
    "load_demo": "taskfit.data",
    "read_table": "taskfit.data",
    "parse_perturbations": "taskfit.data.perturb",
    "SUPPORTED_SUFFIXES": "taskfit.data.validate",
    "parse_budgets": "taskfit.run.budgets",
    "ProgressHook": "taskfit.run.execute",
    "parse_approaches": "taskfit.run.plan",
    "Store": "taskfit.run.store",
    "default_home": "taskfit.run.store",
    "task_names": "taskfit.tasks",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attr = _WHERE[name].partition(":")
    value = getattr(importlib.import_module(module), attr or name)
    globals()[name] = value
    return value


__all__ = [
    "SUPPORTED_SUFFIXES",
    "Advice",
    "ProgressHook",
    "Store",
    "advise_on",
    "all_approaches",
    "ask_missing",
    "default_home",
    "defaults",
    "filter_models",
    "help_text",
    "load_card",
    "load_catalog",
    "load_dataset",
    "load_demo",
    "names",
    "parse_answers",
    "parse_approaches",
    "parse_budgets",
    "parse_perturbations",
    "parse_spec",
    "read_table",
    "redact_text",
    "redact_url",
    "task_names",
]
