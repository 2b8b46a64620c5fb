"""User-facing errors.

Every error a user can cause by their input is a :class:`TaskfitError`. The CLI prints
its message on one line and exits with code 2, without a traceback.
"""

from __future__ import annotations

__all__ = ["BackendError", "DataError", "TaskfitError", "UsageError"]


class TaskfitError(Exception):
    """An error caused by the user's input or environment, shown as one line."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        where = []
        if file is not None:
            where.append(str(file))
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        self.message = message
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class DataError(TaskfitError):
    """Bad data: missing file, unknown column, empty text, bad encoding, ..."""


class UsageError(TaskfitError):
    """Bad options: unknown approach or LLM spec, impossible combination of flags."""


class BackendError(TaskfitError):
    """An LLM backend failed for good (after retries), or cannot be loaded."""
