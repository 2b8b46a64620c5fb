"""Checks every workflow runs on what the user typed before any work starts.

Values were checked when the settings were built (:mod:`taskfit.config`); these check what
the values point at: LLM specs (a parsable URL, a readable GGUF file), the label
descriptions file, the prompt format.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from taskfit.backends import LLMSpec, parse_spec
from taskfit.backends.llamacpp import check_gguf
from taskfit.config import RunOptions
from taskfit.errors import BackendError, UsageError
from taskfit.prompting.select import PROMPT_FORMATS
from taskfit.run.plan import PlanOptions
from taskfit.types import Dataset

__all__ = ["check_llms", "check_prompt_options", "plan_options", "read_label_descriptions"]


def check_llms(specs: Sequence[str]) -> tuple[LLMSpec, ...]:
    """Parse ``--llm`` specs; an unparsable endpoint URL or a bad GGUF file is a usage error."""
    parsed = tuple(parse_spec(s) for s in specs)
    for sp in parsed:
        if sp.kind == "openai" and sp.base_url:
            try:
                urllib.parse.urlsplit(sp.base_url).port  # noqa: B018 - parses host and port
            except ValueError as e:
                # Not echoed: an unparsable URL cannot be redacted reliably.
                raise UsageError(
                    f"--llm openai:{sp.target}@URL: the URL cannot be parsed ({e}); "
                    "write it as http(s)://[user:key@]host[:port]/path"
                ) from None
        if sp.kind == "gguf" and sp.target != "smollm2":
            try:
                check_gguf(Path(sp.target).expanduser())
            except BackendError as e:
                raise UsageError(str(e)) from None
    return parsed


def read_label_descriptions(path: str | None, dataset: Dataset) -> tuple[tuple[str, str], ...]:
    """Read label descriptions (JSON or YAML mapping); unknown labels are an error."""
    if not path:
        return ()
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"{path}: label descriptions file not found")
    try:
        text = p.read_text(encoding="utf-8")
        if p.suffix == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except (ValueError, UnicodeDecodeError) as e:
        raise UsageError(f"{path}: cannot read label descriptions: {e}") from None
    except Exception as e:  # yaml.YAMLError
        raise UsageError(f"{path}: cannot read label descriptions: {e}") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise UsageError(f"{path}: expected a mapping of label -> description text")
    unknown = sorted(set(map(str, data)) - set(dataset.labels))
    if unknown:
        raise UsageError(
            f"{path}: unknown label {unknown[0]!r}; labels are: {', '.join(dataset.labels)}"
        )
    return tuple(sorted((str(k), v) for k, v in data.items()))


def check_prompt_options(prompt_format: str, dev_size: int) -> None:
    if prompt_format not in PROMPT_FORMATS:
        raise UsageError(
            f"unknown --prompt-format {prompt_format!r}; use one of {', '.join(PROMPT_FORMATS)}"
        )
    if dev_size < 0:
        raise UsageError(f"--dev-size must be 0 or more, got {dev_size}")


def plan_options(
    opts: RunOptions,
    dataset: Dataset,
    llms: Sequence[LLMSpec],
    label_descriptions: str | None = None,
    **extra: Any,
) -> PlanOptions:
    """The planner's options from a workflow's settings (``extra``: approaches, setfit's
    cap); the label descriptions file is read and checked against the labels here."""
    return PlanOptions(
        llms=tuple(llms),
        encoder=opts.encoder,
        shots=opts.shots,
        max_test=opts.max_test,
        seed=opts.seed,
        prompt_format=opts.prompt_format,
        dev_size=opts.dev_size,
        samples=opts.samples,
        temperature=opts.temperature,
        top_k=opts.top_k,
        retriever=opts.retriever,
        label_name=dataset.label_col,
        label_descriptions=read_label_descriptions(label_descriptions, dataset),
        **extra,
    )
