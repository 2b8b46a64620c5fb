"""What the profile measures about free-text targets (generation references, reasoning
answers): their lengths, and for reasoning how many inputs combine several quantities.

>>> multi_quantity_share(["Ann has 3 bags of 4 apples. How many?", "What is the capital?"])
0.5
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from taskfit.types import LengthStats

__all__ = ["multi_quantity_share", "target_words"]

_QUANTITY = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?")


def target_words(targets: Sequence[str]) -> LengthStats:
    """Word counts of the targets (unit "target words")."""
    n = np.array([len(t.split()) for t in targets] or [0], dtype=float)
    return LengthStats(
        unit="target words",
        p50=float(np.percentile(n, 50)),
        p95=float(np.percentile(n, 95)),
        max=int(n.max()),
    )


def multi_quantity_share(inputs: Sequence[str]) -> float:
    """Share of inputs with two or more numbers in them: questions whose answer has to be
    worked out in more than one step (a proxy for multi-step reasoning)."""
    if not inputs:
        return 0.0
    return sum(len(_QUANTITY.findall(t)) >= 2 for t in inputs) / len(inputs)
