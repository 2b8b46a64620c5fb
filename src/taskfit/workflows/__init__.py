"""Workflows: each command's run from loaded data to written results.

``compare`` (the headline comparison), ``curve`` (label budgets), ``distill`` (LLM labels
into a small model), ``profile``/``advise`` and the ``trust`` stage share one run
context (:mod:`taskfit.workflows.context`). Workflows are the last layer before the CLI
and the web UI: they may import every earlier layer, and nothing but cli/web imports them.
"""
