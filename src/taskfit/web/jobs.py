"""Uploads and background jobs of the web UI, kept in the store's SQLite file.

The server and the worker processes share these tables (WAL mode, each with its own
connection): the server creates a job and starts a worker; the worker reports progress
and the outcome; any page reads the job back, so progress survives a page reload and a
server restart. A job whose worker is gone while the job is not final is marked
``interrupted`` when the server starts (:meth:`JobBoard.reconcile`), and so is its run.

Credentials in an LLM endpoint URL (``openai:MODEL@http://user:KEY@host/v1``) are never
written to the store: a job row holds its specs redacted, and its progress and error are
redacted too. The specs as given reach the worker through its environment only:
:meth:`JobBoard.create` puts them in the server's environment under the job's own
variable, the worker process started next inherits them, :meth:`JobBoard.set_pid`
(called once the worker is started) removes them from the server's, and the worker
takes them with :func:`params_to_run`.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from taskfit.errors import TaskfitError
from taskfit.workflows.inputs import Store, parse_spec, redact_text, redact_url

__all__ = ["FINAL", "Job", "JobBoard", "Upload", "params_to_run", "worker_alive"]

_SPECS_ENV = "TASKFIT_JOB_LLMS_"  # + job id: the job's --llm specs as given (JSON list)

# queued -> running -> finished | failed; cancelling -> cancelled; interrupted (worker lost)
FINAL = frozenset({"finished", "failed", "cancelled", "interrupted"})


@dataclass(frozen=True)
class Upload:
    upload_id: str
    name: str  # sanitised file name, for display only
    fmt: str
    size: int
    path: Path  # chosen by the server, never by the request


@dataclass(frozen=True)
class Job:
    job_id: str
    created: float
    updated: float
    status: str
    params: dict[str, Any]
    progress: dict[str, Any]
    error: str | None
    run_id: str | None
    pid: int | None

    @property
    def final(self) -> bool:
        return self.status in FINAL

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "created": self.created,
            "updated": self.updated,
            "status": self.status,
            "final": self.final,
            "params": self.params,
            "progress": self.progress,
            "error": self.error,
            "run_id": self.run_id,
        }


def worker_alive(pid: int | None) -> bool:
    """Whether ``pid`` is a live (not zombie) taskfit worker process."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    proc = Path(f"/proc/{pid}")
    if not proc.exists():  # not Linux: the signal check is all we have
        return True
    try:
        cmdline = (proc / "cmdline").read_bytes()
        state = next(
            (ln for ln in (proc / "status").read_text().splitlines() if ln.startswith("State:")),
            "",
        )
    except OSError:
        return False
    return b"taskfit.web.worker" in cmdline and "zombie" not in state


class JobBoard:
    """The web UI's tables. Thread-safe (one connection, one lock), one per process."""

    def __init__(self, db_path: Path) -> None:
        Store(db_path).close()  # creates the file and runs the migrations
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(db_path), check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, sql: str, args: tuple[Any, ...]) -> None:
        with self._lock, self._db:
            self._db.execute(sql, args)

    # -- uploads -----------------------------------------------------------------
    def add_upload(self, up: Upload) -> None:
        self._write(
            "INSERT INTO uploads VALUES (?,?,?,?,?,?)",
            (up.upload_id, time.time(), up.name, up.fmt, up.size, str(up.path)),
        )

    def remove_upload(self, upload_id: str) -> None:
        self._write("DELETE FROM uploads WHERE upload_id = ?", (upload_id,))

    def upload(self, upload_id: str) -> Upload | None:
        with self._lock:
            row = self._db.execute(
                "SELECT upload_id, name, fmt, size, path FROM uploads WHERE upload_id = ?",
                (upload_id,),
            ).fetchone()
        return Upload(row[0], row[1], row[2], int(row[3]), Path(row[4])) if row else None

    def upload_names(self) -> dict[str, str]:
        """Stored path -> the name shown for it (to show uploads by name in run lists)."""
        with self._lock:
            return dict(self._db.execute("SELECT path, name FROM uploads").fetchall())

    # -- jobs --------------------------------------------------------------------
    def create(self, params: dict[str, Any]) -> Job:
        """A queued job; credentials in its LLM specs are kept out of the store (the
        worker started next gets them through its environment, see the module doc)."""
        job_id = secrets.token_hex(8)
        now = time.time()
        stored, given = _redact_params(params)
        if given is not None:
            os.environ[_SPECS_ENV + job_id] = json.dumps(given)
        self._write(
            "INSERT INTO jobs VALUES (?,?,?,?,?,?,?,?,?)",
            (job_id, now, now, "queued", json.dumps(stored), "{}", None, None, None),
        )
        job = self.get(job_id)
        assert job is not None
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def jobs(self, limit: int = 50) -> list[Job]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM jobs ORDER BY created DESC LIMIT ?", (limit,)
            ).fetchall()
        return [_job(r) for r in rows]

    def set_pid(self, job_id: str, pid: int) -> None:
        """The worker is started: it has its environment, the server drops the specs."""
        os.environ.pop(_SPECS_ENV + job_id, None)
        self._write(
            "UPDATE jobs SET pid = ?, updated = ? WHERE job_id = ?", (pid, time.time(), job_id)
        )

    def set_run(self, job_id: str, run_id: str) -> None:
        self._write(
            "UPDATE jobs SET run_id = ?, updated = ? WHERE job_id = ?",
            (run_id, time.time(), job_id),
        )

    def report(self, job_id: str, progress: dict[str, Any]) -> None:
        """Progress from the worker; a queued job becomes running."""
        self._write(
            "UPDATE jobs SET progress = ?, updated = ?,"
            " status = CASE status WHEN 'queued' THEN 'running' ELSE status END"
            " WHERE job_id = ?",
            (redact_text(json.dumps(progress)), time.time(), job_id),
        )

    def finish(self, job_id: str, status: str, error: str | None = None) -> None:
        """The outcome. A final status is never overwritten, and a job the user asked
        to cancel ends ``cancelled`` whatever the worker was doing."""
        assert status in FINAL, status
        self._write(
            "UPDATE jobs SET updated = ?, error = ?,"
            " status = CASE status WHEN 'cancelling' THEN 'cancelled' ELSE ? END"
            " WHERE job_id = ? AND status NOT IN ('finished','failed','cancelled','interrupted')",
            (time.time(), None if error is None else redact_text(error), status, job_id),
        )

    def request_cancel(self, job_id: str) -> None:
        self._write(
            "UPDATE jobs SET status = 'cancelling', updated = ?"
            " WHERE job_id = ? AND status IN ('queued', 'running')",
            (time.time(), job_id),
        )

    def reconcile(
        self, alive: Callable[[int | None], bool] = worker_alive, only: str | None = None
    ) -> list[str]:
        """Mark jobs whose worker is gone as interrupted (their runs too); return their ids.

        ``only`` limits the check to one job."""
        with self._lock:
            rows = self._db.execute(
                "SELECT job_id, status, pid, run_id FROM jobs"
                " WHERE status IN ('queued', 'running', 'cancelling')"
                " AND (? IS NULL OR job_id = ?)",
                (only, only),
            ).fetchall()
        lost = []
        for job_id, status, pid, run_id in rows:
            if alive(pid):
                continue
            if status == "cancelling":
                self.finish(job_id, "cancelled", "cancelled")
            else:
                self.finish(
                    job_id,
                    "interrupted",
                    "the worker stopped before the run finished (server restart or killed"
                    " process); start the comparison again: finished steps are reused",
                )
            if run_id:
                self.mark_run(run_id, "interrupted")
            lost.append(job_id)
        return lost

    def mark_run(self, run_id: str, status: str) -> None:
        """Give a run that did not finish (its row says running or failed) a clearer status."""
        self._write(
            "UPDATE runs SET status = ? WHERE run_id = ? AND status IN ('running', 'failed')",
            (status, run_id),
        )


def _shown_spec(spec: str) -> str:
    """An ``--llm`` spec as stored: its canonical form when its URL holds credentials."""
    try:
        parsed = parse_spec(spec)
    except TaskfitError:
        return redact_text(spec)
    if parsed.base_url and redact_url(parsed.base_url) != parsed.base_url:
        return parsed.canonical
    return redact_text(spec)


def _redact_params(params: dict[str, Any]) -> tuple[dict[str, Any], list[str] | None]:
    """``params`` as stored (LLM specs redacted), and the specs as given when they differ."""
    given = [str(s) for s in params.get("llms") or ()]
    shown = [_shown_spec(s) for s in given]
    if shown == given:
        return params, None
    return {**params, "llms": shown}, given


def params_to_run(job: Job) -> dict[str, Any]:
    """The job's parameters with its LLM specs as given, in the worker.

    The specs come from the environment the worker inherited (and are removed from it);
    they are used only if they are the stored ones unredacted. Without them the stored
    (redacted) specs are used, and an endpoint that needs the credentials refuses.
    """
    raw = os.environ.pop(_SPECS_ENV + job.job_id, None)
    if raw is None:
        return job.params
    try:
        given = json.loads(raw)
    except ValueError:
        return job.params
    stored = list(job.params.get("llms") or ())
    if not isinstance(given, list) or [_shown_spec(str(s)) for s in given] != stored:
        return job.params
    return {**job.params, "llms": [str(s) for s in given]}


def _job(row: tuple[Any, ...]) -> Job:
    job_id, created, updated, status, params, progress, error, run_id, pid = row
    return Job(
        job_id,
        float(created),
        float(updated),
        status,
        json.loads(params),
        json.loads(progress),
        error,
        run_id,
        int(pid) if pid is not None else None,
    )
