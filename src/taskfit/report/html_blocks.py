"""The building blocks of the HTML report's view model, and number formatting.

A section is ``{"id", "title", "blocks"}``; a block is a plain dict with a ``kind`` the
template knows: ``p``, ``h3``, ``h4``, ``list``, ``table``, ``figure``, ``code`` and
``choice``. Every text is plain text: the template escapes all of it, so no block ever
carries markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "code",
    "figure",
    "h3",
    "h4",
    "iv",
    "list_block",
    "num",
    "p",
    "pvalue",
    "section",
    "table",
    "usd",
]

Block = dict[str, Any]


def section(sid: str, title: str, blocks: Iterable[Block | None]) -> dict[str, Any] | None:
    """A section, or None when it has no blocks (so no empty heading is shown)."""
    kept = [b for b in blocks if b is not None]
    return {"id": sid, "title": title, "blocks": kept} if kept else None


def p(text: str, cls: str = "") -> Block:
    return {"kind": "p", "text": text, "cls": cls}


def h3(text: str) -> Block:
    return {"kind": "h3", "text": text}


def h4(text: str) -> Block:
    return {"kind": "h4", "text": text}


def code(text: str) -> Block:
    return {"kind": "code", "text": text}


def list_block(items: Iterable[Any], cls: str = "") -> Block | None:
    shown = [str(i) for i in items]
    return {"kind": "list", "items": shown, "cls": cls} if shown else None


def table(
    head: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    numeric: Iterable[int] = (),
    caption: str = "",
    highlight: Iterable[int] = (),
    tid: str = "",
) -> Block | None:
    """Columns whose index is in ``numeric`` are right-aligned; rows whose index is in
    ``highlight`` are emphasised. None when there are no rows."""
    body = [["" if c is None else str(c) for c in r] for r in rows]
    if not body:
        return None
    return {
        "kind": "table",
        "head": list(head),
        "rows": body,
        "numeric": set(numeric),
        "caption": caption,
        "highlight": set(highlight),
        "id": tid,
    }


def figure(src: str, alt: str, caption: str) -> Block:
    return {"kind": "figure", "src": src, "alt": alt, "caption": caption}


# --------------------------------------------------------------------------- numbers


def num(v: Any, fmt: str = ".3f") -> str:
    """A number with ``fmt``, ``-`` for None; anything else as text."""
    if v is None:
        return "-"
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    return f"{v:{fmt}}"


def iv(d: Mapping[str, Any] | None, scale: float = 1.0, fmt: str = ".3f") -> str:
    """``value [ci_low, ci_high]``; bounds that are null are left out."""
    if not d:
        return "-"
    value = num(scale * d["value"], fmt)
    low, high = d.get("ci_low"), d.get("ci_high")
    if low is None or high is None:
        return value
    return f"{value} [{scale * low:{fmt}}, {scale * high:{fmt}}]"


def pvalue(p: float) -> str:
    """Three significant digits: 0.0412, 0.000275, 5.3e-25."""
    return f"{p:.3g}"


def usd(v: Any) -> str:
    return "-" if v is None else f"${v:.3g}"
