"""Small data files the tests write."""

from __future__ import annotations

from pathlib import Path


def two_intent_csv(path: Path) -> Path:
    """30 rows, two intents of 15 each, columns ``text`` and ``label``."""
    rows = ["text,label"]
    rows += [f"refund my order {i},refund" for i in range(15)]
    rows += [f"reset my password {i},password" for i in range(15)]
    path.write_text("\n".join(rows) + "\n")
    return path
