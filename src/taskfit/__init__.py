"""taskfit: prompt an LLM or fine-tune a small model? Measured on your data.

>>> import taskfit
>>> result = taskfit.compare("tickets.csv", text="body", label="intent")  # doctest: +SKIP
>>> result.recommendation.choice  # doctest: +SKIP
'encoder-lr@minilm'
>>> result.to_frame()  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from taskfit.version import __version__

__all__ = ["CompareResult", "__version__", "compare"]

if TYPE_CHECKING:
    from taskfit.workflows.compare import CompareResult, compare


def __getattr__(name: str) -> Any:
    # Lazy: `import taskfit` stays cheap; the pipeline loads on first use.
    if name in ("compare", "CompareResult"):
        from taskfit.workflows import compare as pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
