"""Uploaded data files: checked, stored under the store with names the server chooses.

A file is kept as ``<home>/uploads/<random id>/<sanitised name>``: the name the browser
sent is reduced to its last component and safe characters (:func:`safe_name`), and the
folder is a fresh random id, so no request can choose where a file lands. The file is
parsed once on upload (:func:`taskfit.data.load.read_table`), so a broken file is refused
with the same one-line message the command line gives, naming the file as the user did.
"""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from taskfit.errors import DataError, TaskfitError
from taskfit.web.jobs import JobBoard, Upload
from taskfit.workflows.inputs import SUPPORTED_SUFFIXES, redact_text

__all__ = [
    "UPLOAD_ID",
    "UnsupportedType",
    "UploadTooLarge",
    "preview",
    "safe_name",
    "store_upload",
    "user_message",
]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")


class UploadTooLarge(TaskfitError):
    """The upload is over the server's ``--max-upload-mb``."""


class UnsupportedType(DataError):
    """The upload's name does not end in a supported suffix."""


def safe_name(name: str | None) -> str:
    """A display name: the last path component, unsafe characters replaced, no leading dot.

    >>> safe_name("../../etc/passwd")
    'passwd'
    >>> safe_name("C:\\\\data\\\\tickets 2024.csv")
    'tickets_2024.csv'
    """
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).lstrip("._")[:100]
    return cleaned or "upload"


def user_message(e: TaskfitError, names: dict[str, str]) -> str:
    """The CLI's one-line message, with server paths replaced by the user's file names and
    credentials in URLs redacted."""
    text = redact_text(f"error: {e}")
    for path, name in names.items():
        text = text.replace(path, name)
    return text


def store_upload(
    board: JobBoard,
    uploads_dir: Path,
    filename: str | None,
    chunks: Iterable[bytes],
    max_bytes: int,
) -> Upload:
    """Write the upload, check that it parses, record it. Raises :class:`TaskfitError`."""
    name = safe_name(filename)
    suffix = Path(name).suffix.lower()
    fmt = SUPPORTED_SUFFIXES.get(suffix)
    if fmt is None:
        shown = repr(suffix) if suffix else "no extension"
        raise UnsupportedType(
            f"unsupported file type ({shown}); supported: {', '.join(SUPPORTED_SUFFIXES)}",
            file=name,
        )
    upload_id = secrets.token_hex(16)
    folder = uploads_dir / upload_id
    folder.mkdir(parents=True)
    path = folder / name
    size = 0
    try:
        with path.open("wb") as f:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise UploadTooLarge(
                        f"file is larger than the server's limit of {max_bytes / 2**20:g} MB"
                        " (start the UI with a larger --max-upload-mb)",
                        file=name,
                    )
                f.write(chunk)
        from taskfit.workflows.inputs import read_table

        try:
            read_table(path)
        except TaskfitError as e:
            raise DataError(user_message(e, {str(path): name}).removeprefix("error: ")) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    up = Upload(upload_id, name, fmt, size, path)
    board.add_upload(up)
    return up


def preview(up: Upload, n: int = 10) -> dict[str, Any]:
    """Columns, the first ``n`` rows (as strings, with their row numbers) and the row count."""
    from taskfit.workflows.inputs import read_table

    df = read_table(up.path)
    head = df.head(n)
    return {
        "columns": [str(c) for c in df.columns],
        "rows": [
            (int(i), ["" if v is None else str(v) for v in row])
            for i, row in zip(head.index, head.itertuples(index=False), strict=True)
        ],
        "n_rows": len(df),
    }
