"""The background worker: ``python -m taskfit.web.worker HOME JOB_ID``.

One process per job, started by the server in its own session so that a server restart
does not stop it. It runs :func:`taskfit.workflows.compare.compare`, records progress in the job
row (throttled), then the outcome: ``finished`` with the run id, ``failed`` with the
CLI's one-line message, or ``cancelled`` after SIGTERM. Credentials in an LLM endpoint URL
come from the environment the server gave it (:func:`taskfit.web.jobs.params_to_run`) and
are redacted in everything it writes (:class:`~taskfit.web.jobs.JobBoard` redacts the job
row; a traceback in its log is redacted here). The run itself is resumable like
any run: units that finished before a cancel or a crash are reused next time.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback
from pathlib import Path
from types import FrameType
from typing import Any

from taskfit.errors import TaskfitError
from taskfit.types import Unit
from taskfit.web.jobs import JobBoard, params_to_run
from taskfit.web.params import JobParams, compare_kwargs
from taskfit.web.uploads import user_message
from taskfit.workflows.inputs import ProgressHook, redact_text

__all__ = ["BoardHook", "Cancelled", "main"]


# Where the server's jobs run their units (`taskfit ui --executor ray --ray-address A`):
# JSON of the executor settings, set by the server for the worker processes it starts.
EXECUTOR_ENV = "TASKFIT_WEB_EXECUTOR"


class Cancelled(BaseException):
    """SIGTERM from the server's cancel; a BaseException so no library code swallows it."""


class BoardHook(ProgressHook):
    """Writes progress into the job row: at once for stages and units, else every 0.5 s."""

    def __init__(self, board: JobBoard, job_id: str, every: float = 0.5) -> None:
        self.board, self.job_id, self.every = board, job_id, every
        self.state: dict[str, Any] = {"stage": "starting", "unit": None, "done": 0, "total": 0}
        self.finished: list[dict[str, Any]] = []
        self.last = 0.0

    def _push(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.last >= self.every:
            self.last = now
            self.board.report(self.job_id, {**self.state, "finished_units": self.finished})

    def stage(self, name: str) -> None:
        self.state.update(stage=name, unit=None, done=0, total=0)
        self._push(force=True)

    def run_started(self, run_id: str, out_dir: str) -> None:
        self.board.set_run(self.job_id, run_id)

    def unit_started(self, unit: Unit, total: int) -> None:
        self.state.update(stage="running", unit=unit.name, done=0, total=total)
        self._push(force=True)

    def advance(self, n: int) -> None:
        self.state["done"] += n
        self._push()

    def unit_progress(self, unit: Unit, n: int) -> None:
        # units running side by side: the bar follows the one started last
        if unit.name == self.state["unit"]:
            self.advance(n)

    def unit_finished(self, unit: Unit, cached: bool) -> None:
        self.finished.append({"name": unit.name, "cached": cached})
        self.state.update(unit=None, done=0, total=0)
        self._push(force=True)


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Cancelled


def run_job(board: JobBoard, home: Path, job_id: str) -> int:
    """Run one job to its outcome; the exit code is 0 when it finished."""
    job = board.get(job_id)
    if job is None:
        print(f"error: unknown job {job_id!r}", file=sys.stderr)
        return 2
    hook = BoardHook(board, job_id)
    names: dict[str, str] = {}
    try:
        hook.stage("loading data")
        params = JobParams.from_json(params_to_run(job))  # credentials from the env
        kwargs, names = compare_kwargs(params, board, str(home))
        kwargs.update(json.loads(os.environ.get(EXECUTOR_ENV) or "{}"))
        from taskfit.report.html import write_report
        from taskfit.workflows.compare import compare

        result = compare(hook=hook, **kwargs)
        hook.stage("writing the report")
        write_report(result.out_dir)
        board.set_run(job_id, result.run_id)
        board.finish(job_id, "finished")
        return 0
    except Cancelled:
        # The run first: once the job reads final, whoever waits on it reads the run too.
        done = board.get(job_id)
        if done and done.run_id:
            board.mark_run(done.run_id, "cancelled")
        board.finish(job_id, "cancelled", "cancelled")
        return 1
    except TaskfitError as e:
        board.finish(job_id, "failed", user_message(e, names))
        return 2
    except Exception as e:
        # The job's log file is in the store: no credentials of an endpoint URL there.
        sys.stderr.write(redact_text(traceback.format_exc()))
        board.finish(job_id, "failed", f"internal error: {type(e).__name__}: {e}")
        return 1


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m taskfit.web.worker HOME JOB_ID", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _on_sigterm)
    home = Path(args[0])
    board = JobBoard(home / "store.db")
    try:
        return run_job(board, home, args[1])
    finally:
        board.close()


if __name__ == "__main__":
    sys.exit(main())
