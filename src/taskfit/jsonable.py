"""The JSON form of frozen dataclasses that are a plain record of their fields.

:class:`JsonFields` gives a dataclass a ``to_json()`` that lists every field in
declaration order; :func:`jsonable` converts one value the same way. A value with a
``to_json()`` method is replaced by its result, lists and tuples become lists and
mappings become new dicts, converted item by item; anything else is kept as is.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Span(JsonFields):
...     low: float
...     high: float
>>> @dataclass(frozen=True)
... class Spans(JsonFields):
...     name: str
...     spans: tuple[Span, ...]
...     sizes: dict[str, tuple[int, int]]
>>> Spans("x", (Span(0.0, 1.0),), {"a": (1, 2)}).to_json()
{'name': 'x', 'spans': [{'low': 0.0, 'high': 1.0}], 'sizes': {'a': [1, 2]}}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

__all__ = ["JsonFields", "fields_json", "jsonable"]


def jsonable(value: Any) -> Any:
    """``value.to_json()`` when ``value`` has it; a list for a list or tuple and a new dict
    for a mapping, each item converted the same way; otherwise ``value`` itself."""
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return to_json()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def fields_json(obj: Any) -> dict[str, Any]:
    """Every field of the dataclass instance ``obj``, in declaration order, converted
    with :func:`jsonable`."""
    return {f.name: jsonable(getattr(obj, f.name)) for f in fields(obj)}


class JsonFields:
    """Mixin for a dataclass whose JSON form is its fields (see :func:`fields_json`)."""

    def to_json(self) -> dict[str, Any]:
        return fields_json(self)
