"""Backend constructor options given per ``--llm`` spec (``backend_options`` of the
workflows), looked up by a parsed spec.

Options are keyed by the canonical spec (what the command line builds); a key written
as the spec was given works as well, credentials in its endpoint URL included (the
canonical spec shows them redacted, so a Python caller could not otherwise write it).

>>> from taskfit.backends import parse_spec
>>> spec = parse_spec("openai:m@http://u:KEY@h/v1")
>>> options_for({"openai:m@http://u:KEY@h/v1": {"timeout_s": 5}}, spec)
{'timeout_s': 5}
>>> options_for({spec.canonical: {"timeout_s": 7}}, spec)
{'timeout_s': 7}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from taskfit.backends import LLMSpec, parse_spec
from taskfit.errors import UsageError

__all__ = ["options_for"]


def options_for(options: Mapping[str, Mapping[str, Any]], spec: LLMSpec) -> dict[str, Any]:
    """The options of ``spec``: by its canonical form, else by any key that parses to it."""
    if spec.canonical in options:
        return dict(options[spec.canonical])
    for key, value in options.items():
        try:
            same = parse_spec(key) == spec
        except UsageError:
            continue
        if same:
            return dict(value)
    return {}
