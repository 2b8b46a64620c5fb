"""What the front ends (the CLI and the web UI) use besides the workflows' entry points.

The front ends import only :mod:`taskfit.config`, :mod:`taskfit.workflows` and
:mod:`taskfit.report`; this module gathers, from the layers below, the few pieces they
need to talk to a user: parsers of what was typed (approach lists, budgets, perturbation
kinds, ``--set`` answers, LLM specs), redaction for showing it back, data reading for
previews and checks, the approach registry (names, defaults, help), the store and its
home folder (runs, jobs), the progress-hook protocol, and the advice's parts that
``taskfit advise`` drives interactively.
"""

from __future__ import annotations

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
]
