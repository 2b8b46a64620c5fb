"""Extraction: text in, typed character spans out (named entities, slots).

Data: JSON Lines whose target column holds each text's spans as records
(``[{"start": 10, "end": 18, "label": "ORDER_ID"}, ...]``, or ``[start, end, type]``
lists), or CoNLL BIO files (``.conll``, ``.bio``, ``.iob``: a token and its tag per line,
the tag last; see :mod:`taskfit.tasks.extraction.conll`), read as columns ``text`` and
``spans``. A span outside its text, an empty one and overlapping ones are errors naming
the file, row and column. Targets are stored in the canonical form of
:func:`~taskfit.tasks.extraction.spans.encode_spans`.

Scored by exact span match (start, end and type all equal): entity-level micro F1 (the
headline), precision and recall with intervals that resample texts
(:mod:`taskfit.metrics.spans`); the paired tests between approaches run on each text's
F1 (a text with neither reference nor predicted spans scores 1).

A prompted model is asked for ``{"entities": [{"text": ..., "type": ...}]}``, the types
listed and the mention texts copied from the input; the reply is constrained to that JSON
schema where the backend can constrain decoding (a llama.cpp grammar, an endpoint's
``response_format``), else parsed, and a reply that does not parse is a parse failure
(no spans). Mentions are placed in the text by
:func:`~taskfit.tasks.extraction.spans.locate`; mentions the text does not hold are
counted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from taskfit.tasks.base import Metric, TaskType
from taskfit.tasks.extraction.spans import (
    check_spans,
    decode_spans,
    encode_spans,
    locate,
    spans_from_records,
)
from taskfit.tasks.text_prompts import TextTemplate
from taskfit.types import Example

__all__ = [
    "EXTRACTION",
    "ExtractionPrompts",
    "ExtractionTemplate",
    "entity_schema",
    "parse_entities",
    "read_target",
    "text_f1_scores",
]

_INSTRUCTIONS = {
    "list": (
        "Extract every entity of these types from the {input}: {types}. Reply with JSON "
        '{{"entities": [{{"text": ..., "type": ...}}]}}, copying each entity\'s text exactly '
        "as it is written; an empty list when there is none."
    ),
    "typed": (
        "Find the spans of the {input} that are {types_or}. For each, give its exact text "
        'and its type as JSON: {{"entities": [{{"text": ..., "type": ...}}]}}.'
    ),
}
VARIANTS = tuple(_INSTRUCTIONS)
# The longest mention text a reply may hold.
MAX_MENTION_CHARS = 60


def entity_schema(types: Sequence[str], max_items: int | None = None) -> str:
    """The JSON schema of a reply (as JSON text): a list of at most ``max_items``
    entities, each a text of at most :data:`MAX_MENTION_CHARS` characters and one of
    ``types``. The caps keep a small model from repeating entities, or running on inside
    one, until its token budget runs out (a reply cut short is not JSON). No other keys
    are allowed, as strict structured outputs of OpenAI-compatible endpoints require."""
    entity = {
        "type": "object",
        "properties": {
            "text": {"type": "string", "maxLength": MAX_MENTION_CHARS},
            "type": {"type": "string", "enum": list(types)},
        },
        "required": ["text", "type"],
        "additionalProperties": False,
    }
    array: dict[str, Any] = {"type": "array", "items": entity}
    if max_items is not None:
        array["maxItems"] = max_items
    schema = {
        "type": "object",
        "properties": {"entities": array},
        "required": ["entities"],
        "additionalProperties": False,
    }
    return json.dumps(schema, separators=(",", ":"))


@dataclass(frozen=True)
class ExtractionTemplate(TextTemplate):
    """An extraction wording: demonstrations show their spans as the JSON reply."""

    def reply(self, text: str, target: str) -> str:
        entities = [{"text": text[s.start : s.end], "type": s.type} for s in decode_spans(target)]
        return json.dumps({"entities": entities}, ensure_ascii=False)


class ExtractionPrompts:
    """Makes the :class:`ExtractionTemplate` of a wording for the entity ``types``."""

    @staticmethod
    def for_task(
        *,
        variant: str = "list",
        input_name: str = "Text",
        output_name: str = "Entities",
        types: Sequence[str] = (),
        max_items: int | None = None,
    ) -> ExtractionTemplate:
        if variant not in _INSTRUCTIONS:
            raise ValueError(f"unknown prompt variant {variant!r}; variants: {VARIANTS}")
        names = list(types) or ["ENTITY"]
        text = _INSTRUCTIONS[variant].format(
            input=input_name.lower(),
            types=", ".join(names),
            types_or=" or ".join(", ".join(names).rsplit(", ", 1)),
        )
        return ExtractionTemplate(
            text, input_name, output_name, variant, json_schema=entity_schema(names, max_items)
        )


def prompt_fields(train: Sequence[Example]) -> dict[str, Any]:
    """What the prompt needs from the training data: the entity types, sorted, and the
    most entities a reply may list: twice the most a training text has, plus 2."""
    spans = [decode_spans(e.target) for e in train]
    return {
        "types": sorted({s.type for found in spans for s in found}),
        "max_items": 2 * max((len(found) for found in spans), default=0) + 2,
    }


def parse_entities(reply: str, fields: Mapping[str, str] | None = None) -> str | None:
    """The spans a reply names, encoded: the reply's JSON (its first ``{...}`` when there
    is text around it) read as ``{"entities": [{"text", "type"}]}`` (a bare list of such
    objects is accepted), each mention placed in ``fields["text"]``. None when the reply
    is not such JSON (a parse failure). A reply cut short at the token cap keeps the
    entities it completed (with constrained decoding it is a prefix of valid JSON).

    >>> parse_entities('{"entities": [{"text": "NW-4821", "type": "ORDER_ID"}]}',
    ...                {"text": "Where is NW-4821?"})
    '[[9,16,"ORDER_ID"]]'
    >>> parse_entities("no JSON here", {"text": "x"}) is None
    True
    """
    text = (fields or {}).get("text", "")
    obj: Any
    try:
        obj = json.loads(reply)
    except json.JSONDecodeError:
        start, end = reply.find("{"), reply.rfind("}")
        try:
            obj = json.loads(reply[start : end + 1]) if 0 <= start < end else None
        except json.JSONDecodeError:
            obj = None
        if obj is None:
            obj = _completed(reply)
            if obj is None:
                return None
    items = obj.get("entities") if isinstance(obj, dict) else obj
    if not isinstance(items, list):
        return None
    mentions = [
        (str(x.get("text", "")), str(x.get("type", "")))
        for x in items
        if isinstance(x, dict) and x.get("text") and x.get("type")
    ]
    spans, _ = locate(text, mentions)
    return encode_spans(spans)


_OPENING = re.compile(r'^\s*\{\s*"entities"\s*:\s*\[')
_ENTITY = re.compile(
    r'\{\s*"text"\s*:\s*("(?:[^"\\]|\\.)*")\s*,\s*"type"\s*:\s*("(?:[^"\\]|\\.)*")\s*\}'
)


def _completed(reply: str) -> dict[str, Any] | None:
    """The entities a reply cut short (at the token cap) completed before the cut, when
    it starts as the schema's object does; None otherwise.

    >>> _completed('{"entities": [{"text": "NW-1", "type": "ID"}, {"text": "NW')
    {'entities': [{'text': 'NW-1', 'type': 'ID'}]}
    """
    if not _OPENING.match(reply):
        return None
    found = [{"text": json.loads(t), "type": json.loads(k)} for t, k in _ENTITY.findall(reply)]
    return {"entities": found}


def unplaced(reply: str, text: str) -> int:
    """How many mentions of a reply are not in ``text`` (0 for a reply that does not
    parse)."""
    try:
        obj = json.loads(reply)
    except json.JSONDecodeError:
        return 0
    items = obj.get("entities") if isinstance(obj, dict) else obj
    if not isinstance(items, list):
        return 0
    mentions = [
        (str(x.get("text", "")), str(x.get("type", ""))) for x in items if isinstance(x, dict)
    ]
    return locate(text, mentions)[1]


def read_target(text: str, cell: str) -> str:
    """A target cell (span records as JSON, or already encoded) as checked, encoded spans;
    ValueError says what is wrong."""
    cell = cell.strip()
    if cell in ("", "[]"):
        return "[]"
    try:
        obj = json.loads(cell)
    except json.JSONDecodeError as e:
        raise ValueError(f"the spans are not JSON ({e.msg})") from None
    spans = spans_from_records(_numbers(obj))
    problem = check_spans(text, spans)
    if problem:
        raise ValueError(problem)
    return encode_spans(spans)


def _numbers(obj: Any) -> Any:
    """Offsets written as digit strings (the loader keeps JSON numbers' spelling) as ints."""
    if isinstance(obj, list):
        return [_numbers(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _numbers(v) if k in ("start", "end") else v for k, v in obj.items()}
    if isinstance(obj, str) and obj.lstrip("-").isdigit():
        return int(obj)
    return obj


def text_f1_scores(y_true: Sequence[str], y_pred: Sequence[str]) -> list[float]:
    """Each text's F1 of exact span matches (1 when neither side has a span): the
    per-example scores paired tests and prompt selection use.

    >>> text_f1_scores(['[[0,2,"A"]]', "[]"], ['[[0,2,"A"],[3,4,"B"]]', "[]"])
    [0.6666666666666666, 1.0]
    """
    out = []
    for t, p in zip(y_true, y_pred, strict=True):
        gold, pred = set(decode_spans(t)), set(decode_spans(p))
        if not gold and not pred:
            out.append(1.0)
            continue
        tp = len(gold & pred)
        out.append(2 * tp / (len(gold) + len(pred)))
    return out


def _read_conll(path: Path) -> Any:
    import pandas as pd

    from taskfit.tasks.extraction.conll import read_conll

    rows = read_conll(path)
    index = pd.Index(range(1, len(rows) + 1), name="row", dtype="int64")
    return pd.DataFrame(
        {"text": [t for t, _ in rows], "spans": [encode_spans(s) for _, s in rows]}, index=index
    )


EXTRACTION = TaskType(
    name="extraction",
    summary="a text in, typed character spans out (entities, slots), scored by entity F1",
    inputs=("text",),
    target="spans",
    metrics=(
        Metric("entity_f1", "entity F1"),
        Metric("entity_precision", "entity precision"),
        Metric("entity_recall", "entity recall"),
    ),
    sections=("comparisons", "cost_model", "outputs", "entities", "curves"),
    profile_measures=("lengths", "duplicates", "pii", "language", "shift", "entities"),
    prompt=ExtractionPrompts,
    variants=VARIANTS,
    parse=parse_entities,
    label_set=False,
    prompt_runner="taskfit.run.text_unit:TEXT_PROMPTED",
    target_from=read_target,
    readers={".conll": _read_conll, ".bio": _read_conll, ".iob": _read_conll},
    prompt_fields=prompt_fields,
    samples=(
        ("Order NW-48213 was charged $49.99 twice", '[[6,14,"ORDER_ID"],[27,33,"AMOUNT"]]'),
        ("The Hub Mini stopped on March 3", '[[4,12,"PRODUCT"],[24,31,"DATE"]]'),
        ("Thanks, all sorted now", "[]"),
        ("Refund NW-10422 please", '[[7,15,"ORDER_ID"]]'),
    ),
)
