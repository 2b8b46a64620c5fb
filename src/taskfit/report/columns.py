"""The quality metrics a results document reports, in order: the columns of every
approaches table and the headline metric of the quality-vs-cost figure.

They come from ``task.metrics`` of the document (the task type's metrics, the first is
the headline); a document without it is a classification one and gets accuracy and
macro-F1.

>>> metric_columns({"task": {"metrics": [{"name": "rouge_l", "title": "ROUGE-L"},
...                                      {"name": "chrf", "title": "chrF"}]}})
[('rouge_l', 'ROUGE-L'), ('chrf', 'chrF')]
>>> headline({"task": {}})
('accuracy', 'accuracy')
>>> metrics_sentence([("accuracy", "accuracy"), ("macro_f1", "macro-F1")])
'Accuracy and macro-F1'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "DEFAULT_METRICS",
    "best_words",
    "curve_metric",
    "headline",
    "higher_is_better",
    "metric_columns",
    "metrics_sentence",
    "paired_test_name",
    "sentence_start",
]

# The columns of a document that does not list its metrics (classification).
DEFAULT_METRICS: tuple[tuple[str, str], ...] = (
    ("accuracy", "accuracy"),
    ("macro_f1", "macro-F1"),
)


def _specs(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The document's metric entries; empty when it lists none."""
    task = doc.get("task") or {}
    specs = task.get("metrics") if isinstance(task, Mapping) else None
    if not specs:
        return []
    return [s for s in specs if isinstance(s, Mapping) and s.get("name")]


def metric_columns(doc: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(name, title)`` of each metric the document reports, the headline first."""
    specs = _specs(doc)
    if not specs:
        return list(DEFAULT_METRICS)
    return [(str(s["name"]), str(s.get("title") or s["name"])) for s in specs]


def headline(doc: Mapping[str, Any]) -> tuple[str, str]:
    """``(name, title)`` of the headline metric (the first column)."""
    return metric_columns(doc)[0]


def higher_is_better(doc: Mapping[str, Any], name: str) -> bool:
    """Whether a larger value of metric ``name`` is better (true unless it says not)."""
    for s in _specs(doc):
        if str(s["name"]) == name:
            return bool(s.get("higher_is_better", True))
    return True


def sentence_start(title: str) -> str:
    """``title`` opening a sentence: capitalised when it is all lower case ("accuracy"),
    kept as it is when its case means something ("chrF", "ROUGE-L")."""
    return title[:1].upper() + title[1:] if title.islower() else title


def metrics_sentence(columns: Sequence[tuple[str, str]]) -> str:
    """The titles as the start of a sentence: "Accuracy and macro-F1",
    "ROUGE-L, chrF and BLEU"."""
    titles = [title for _, title in columns]
    if not titles:
        return ""
    text = titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]
    return sentence_start(titles[0]) + text[len(titles[0]) :]


def best_words(doc: Mapping[str, Any]) -> str:
    """How the best approach is called: "most accurate", or "best by <headline>"."""
    name, title = headline(doc)
    return "most accurate" if name == "accuracy" else f"best by {title}"


def curve_metric(curves: Mapping[str, Any]) -> tuple[str, str]:
    """``(name, title)`` of the metric a ``curves`` section is scored with (accuracy in a
    section written before curves took the task's metric).

    >>> curve_metric({"metric": "rouge_l", "metric_title": "ROUGE-L"}), curve_metric({})
    (('rouge_l', 'ROUGE-L'), ('accuracy', 'accuracy'))
    """
    name = str(curves.get("metric") or "accuracy")
    return name, str(curves.get("metric_title") or name)


def paired_test_name(doc: Mapping[str, Any]) -> str:
    """The paired test of the comparisons: McNemar's (right/wrong scores) unless one of
    them used the permutation test (scores between 0 and 1)."""
    tests = {c.get("test") for c in doc.get("comparisons") or ()}
    return "paired permutation" if "paired-permutation" in tests else "McNemar"
