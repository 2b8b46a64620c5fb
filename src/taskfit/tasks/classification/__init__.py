"""Classification: one text (or a text pair) in, one label of a fixed set out.

Prompts list the labels (:mod:`.prompts`, three wordings chosen on a dev split) and are
scored label by label, or answered in text and parsed back to a label (:mod:`.parse`);
accuracy is the headline metric, macro-F1 the second.
"""

from __future__ import annotations

from taskfit.tasks.base import PROFILE_MEASURES, SECTIONS, Metric, TaskType
from taskfit.tasks.classification.parse import parse_label
from taskfit.tasks.classification.prompts import VARIANTS, Template

__all__ = ["CLASSIFICATION"]

CLASSIFICATION = TaskType(
    name="classification",
    summary="one text or a text pair in, one label of a fixed set out",
    inputs=("text", "text_pair"),
    target="label",
    metrics=(Metric("accuracy", "accuracy"), Metric("macro_f1", "macro-F1")),
    sections=tuple(
        s for s in SECTIONS if s not in ("outputs", "self_consistency", "retrieval", "entities")
    ),
    profile_measures=tuple(
        m for m in PROFILE_MEASURES if m not in ("output_lengths", "corpus", "entities")
    ),
    prompt=Template,
    variants=VARIANTS,
    parse=parse_label,
)
