"""The FastAPI app: pages rendered on the server, JSON under ``/api``, the OpenAPI schema
at ``/openapi.json`` and a health check at ``/healthz``.

Every handler is thin: uploads go through :mod:`taskfit.web.uploads`, the form through
:mod:`taskfit.web.params` (the CLI's checks), jobs through :class:`JobBoard` and a worker
process, run pages through :func:`taskfit.report.html.write_report`. Ids in URLs are
matched against strict patterns and looked up in the store; no path in a request is ever
used as a file path.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from taskfit.errors import TaskfitError, UsageError
from taskfit.report.html import load_results, write_report
from taskfit.version import __version__
from taskfit.web.jobs import Job, JobBoard, Upload, worker_alive
from taskfit.web.params import UI_TRUST, JobParams, check_message, parse_form
from taskfit.web.uploads import (
    CORPUS_SUFFIXES,
    UPLOAD_ID,
    UnsupportedType,
    UploadTooLarge,
    data_suffixes,
    head_lines,
    is_corpus,
    preview,
    reading_task,
    remove_upload,
    store_upload,
)
from taskfit.workflows import inputs
from taskfit.workflows.inputs import Store

__all__ = ["create_app"]

JOB_ID = re.compile(r"^[0-9a-f]{16}$")
RUN_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
# The new-comparison form's files: field -> uploaded as a corpus
_FILES = {"file": False, "test_file": False, "corpus_file": True}


@dataclass(frozen=True)
class _Files:
    """A comparison's uploads: the data, and the test set and the corpus if given."""

    data: Upload
    test: Upload | None = None
    corpus: Upload | None = None

    def query(self) -> str:
        """The mapping page's query string naming the test set and the corpus."""
        parts = [
            f"{k}={u.upload_id}" for k, u in (("test", self.test), ("corpus", self.corpus)) if u
        ]
        return "?" + "&".join(parts) if parts else ""


@dataclass
class _Context:
    home: Path
    max_bytes: int
    board: JobBoard
    store: Store
    templates: Environment
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    report_lock: threading.Lock = field(default_factory=threading.Lock)

    def page(self, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        return HTMLResponse(self.templates.get_template(name).render(**ctx), status_code=status)

    def message(self, title: str, message: str, status: int) -> HTMLResponse:
        return self.page("message.html", status, title=title, message=message)

    def reap(self) -> None:
        for job_id, proc in list(self.procs.items()):
            if proc.poll() is not None:
                del self.procs[job_id]

    def spawn(self, job: Job) -> None:
        logs = self.home / "jobs"
        logs.mkdir(parents=True, exist_ok=True)
        with (logs / f"{job.job_id}.log").open("ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "taskfit.web.worker", str(self.home), job.job_id],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # survives a server restart; cancel signals the group
                env={**os.environ, "TASKFIT_HOME": str(self.home)},
            )
        self.procs[job.job_id] = proc
        self.board.set_pid(job.job_id, proc.pid)

    def job(self, job_id: str) -> Job | None:
        """The job, with a lost worker noticed (a job without a pid is still starting)."""
        if not JOB_ID.match(job_id):
            return None
        self.reap()
        job = self.board.get(job_id)
        if job and not job.final and job.pid:
            self.board.reconcile(worker_alive, only=job_id)
            job = self.board.get(job_id)
        return job


def _status_for(e: TaskfitError) -> int:
    if isinstance(e, UploadTooLarge):
        return 413
    if isinstance(e, UnsupportedType):
        return 415
    return 400


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t))


def _chunks(f: UploadFile) -> Iterator[bytes]:
    while chunk := f.file.read(1 << 20):
        yield chunk


def create_app(home: Path, max_upload_mb: float = 100) -> FastAPI:
    """The app over the store in ``home`` (created if missing)."""
    home = Path(home).resolve()
    home.mkdir(parents=True, exist_ok=True)
    db = home / "store.db"
    board = JobBoard(db)
    env = Environment(loader=PackageLoader("taskfit.web", "templates"), autoescape=True)
    ctx = _Context(home, int(max_upload_mb * 2**20), board, Store(db), env)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        board.reconcile()  # jobs whose worker died while the server was down
        yield

    app = FastAPI(
        title="taskfit",
        version=__version__,
        description="Run and browse taskfit comparisons over the local store.",
        lifespan=lifespan,
    )

    async def receive_uploads(request: Request) -> _Files:
        """The uploaded files, checked and stored; if one is refused, none is kept."""
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > len(_FILES) * ctx.max_bytes + 2**20:
            raise UploadTooLarge(
                f"upload is larger than the server's limit of {max_upload_mb:g} MB per file"
                " (start the UI with a larger --max-upload-mb)"
            )
        form = await request.form(max_files=len(_FILES), max_fields=8)
        if not isinstance(f := form.get("file"), UploadFile) or not f.filename:
            raise UsageError("choose a data file to upload")
        stored: dict[str, Upload] = {}
        try:
            for key, corpus in _FILES.items():
                f = form.get(key)
                if isinstance(f, UploadFile) and f.filename:
                    stored[key] = await run_in_threadpool(
                        partial(store_upload, corpus=corpus),
                        board,
                        home / "uploads",
                        f.filename,
                        _chunks(f),
                        ctx.max_bytes,
                    )
        except BaseException:
            for up in stored.values():
                remove_upload(board, up)
            raise
        return _Files(stored["file"], stored.get("test_file"), stored.get("corpus_file"))

    # -- pages -------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, summary="Runs and jobs")
    def index() -> HTMLResponse:
        ctx.reap()
        names = board.upload_names()
        jobs = []
        for j in board.jobs():
            up = board.upload(str(j.params.get("upload_id", "")))
            jobs.append(
                {
                    **j.to_json(),
                    "data_name": up.name if up else "",
                    "created_text": _when(j.created),
                }
            )
        return ctx.page("index.html", jobs=jobs, runs=_runs(ctx.store, names))

    @app.get("/new", response_class=HTMLResponse, summary="Upload form")
    def new() -> HTMLResponse:
        return new_page()

    def new_page(status: int = 200, error: str | None = None) -> HTMLResponse:
        return ctx.page(
            "new.html",
            status,
            error=error,
            max_mb=f"{max_upload_mb:g}",
            data_accept=",".join(data_suffixes()),
            corpus_accept=",".join(CORPUS_SUFFIXES),
        )

    @app.post("/uploads", summary="Upload data (form); redirects to the column mapping")
    async def upload_form(request: Request) -> Response:
        try:
            files = await receive_uploads(request)
        except TaskfitError as e:
            return new_page(_status_for(e), f"error: {e}")
        url = f"/uploads/{files.data.upload_id}{files.query()}"
        return RedirectResponse(url, status_code=303)

    @app.get("/uploads/{upload_id}", response_class=HTMLResponse, summary="Preview and mapping")
    def mapping(upload_id: str, test: str | None = None, corpus: str | None = None) -> HTMLResponse:
        files = _uploads(board, upload_id, test, corpus)
        if files is None:
            return ctx.message(
                "Unknown upload", "error: unknown upload; upload the file again", 404
            )
        return _mapping_page(ctx, files, {}, None)

    @app.post("/jobs", summary="Start a comparison (form); redirects to its page")
    async def start_form(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=64)
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        lists = {
            k: [v for v in form.getlist(k) if isinstance(v, str)] for k in ("approaches", "trust")
        }
        files = _uploads(
            board,
            fields.get("upload_id", ""),
            fields.get("test_upload_id") or None,
            fields.get("corpus_upload_id") or None,
        )
        if files is None:
            return ctx.message(
                "Unknown upload", "error: unknown upload; upload the file again", 404
            )
        try:
            params = parse_form(fields, lists)
        except TaskfitError as e:
            return _mapping_page(ctx, files, {**fields, **lists}, f"error: {e}", 400)
        error = await run_in_threadpool(check_message, params, board, str(home))
        if error:
            return _mapping_page(ctx, files, {**fields, **lists}, error, 400)
        job = board.create(params.to_json())
        ctx.spawn(job)
        return RedirectResponse(f"/jobs/{job.job_id}", status_code=303)

    @app.get("/jobs/{job_id}", response_class=HTMLResponse, summary="Job progress page")
    def job_page(job_id: str) -> HTMLResponse:
        job = ctx.job(job_id)
        if job is None:
            return ctx.message("Unknown job", f"error: unknown job {job_id!r}", 404)
        up = board.upload(str(job.params.get("upload_id", "")))
        return ctx.page(
            "job.html", job=job, data_name=up.name if up else "", started=_when(job.created)
        )

    @app.post("/jobs/{job_id}/cancel", summary="Cancel a job (form)")
    def cancel_form(job_id: str) -> Response:
        job = _cancel(ctx, job_id)
        if job is None:
            return ctx.message("Unknown job", f"error: unknown job {job_id!r}", 404)
        return RedirectResponse(f"/jobs/{job_id}", status_code=303)

    @app.get("/runs/{run_id}", response_class=HTMLResponse, summary="A run's report")
    def run_page(run_id: str) -> HTMLResponse:
        run = ctx.store.run(run_id) if RUN_ID.match(run_id) else None
        if run is None:
            return ctx.message("Unknown run", f"error: unknown run {run_id!r}", 404)
        out_dir = Path(run["out_dir"])
        if not (out_dir / "results.json").is_file():
            return ctx.message(
                "No results", f"error: run {run_id!r} is {run['status']} and has no results", 404
            )
        try:
            return HTMLResponse(_report(ctx, out_dir).read_text(encoding="utf-8"))
        except TaskfitError as e:  # a results.json edited or damaged by hand
            return ctx.message("Unreadable results", f"error: {e}", 500)

    # -- JSON --------------------------------------------------------------------
    @app.get("/healthz", summary="Health check")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "jobs_running": len(ctx.procs)}

    @app.post("/api/uploads", summary="Upload data; returns its id and a preview")
    async def upload_api(request: Request) -> JSONResponse:
        try:
            files = await receive_uploads(request)
            shown = await run_in_threadpool(preview, files.data, 5)
        except TaskfitError as e:
            return JSONResponse({"error": f"error: {e}"}, status_code=_status_for(e))
        return JSONResponse(
            {
                "upload_id": files.data.upload_id,
                "test_upload_id": files.test.upload_id if files.test else None,
                "corpus_upload_id": files.corpus.upload_id if files.corpus else None,
                "name": files.data.name,
                "columns": shown["columns"],
                "n_rows": shown["n_rows"],
            },
            status_code=201,
        )

    @app.post("/api/jobs", summary="Start a comparison; the body is the job's parameters")
    async def start_api(body: dict[str, Any]) -> JSONResponse:
        try:
            params = JobParams.from_json(body)
        except TypeError as e:
            return JSONResponse({"error": f"error: bad job parameters: {e}"}, status_code=422)
        error = await run_in_threadpool(check_message, params, board, str(home))
        if error:
            return JSONResponse({"error": error}, status_code=400)
        job = board.create(params.to_json())
        ctx.spawn(job)
        return JSONResponse(job.to_json(), status_code=201)

    @app.get("/api/jobs", summary="Jobs started from the UI, newest first")
    def jobs_api() -> list[dict[str, Any]]:
        ctx.reap()
        return [j.to_json() for j in board.jobs()]

    @app.get("/api/jobs/{job_id}", summary="A job: status, progress, error, run id")
    def job_api(job_id: str) -> JSONResponse:
        job = ctx.job(job_id)
        if job is None:
            return JSONResponse({"error": f"error: unknown job {job_id!r}"}, status_code=404)
        return JSONResponse(job.to_json())

    @app.post("/api/jobs/{job_id}/cancel", summary="Cancel a job")
    def cancel_api(job_id: str) -> JSONResponse:
        job = _cancel(ctx, job_id)
        if job is None:
            return JSONResponse({"error": f"error: unknown job {job_id!r}"}, status_code=404)
        return JSONResponse(job.to_json())

    @app.get("/api/runs", summary="Runs in the store, newest first")
    def runs_api() -> list[dict[str, Any]]:
        return [
            {k: v for k, v in r.items() if k not in ("out_dir", "has_results")}
            for r in _runs(ctx.store, board.upload_names())
        ]

    @app.get("/api/runs/{run_id}", summary="A run's results.json")
    def run_api(run_id: str) -> JSONResponse:
        run = ctx.store.run(run_id) if RUN_ID.match(run_id) else None
        if run is None or not (Path(run["out_dir"]) / "results.json").is_file():
            return JSONResponse({"error": f"error: unknown run {run_id!r}"}, status_code=404)
        try:
            return JSONResponse(load_results(Path(run["out_dir"])))
        except TaskfitError as e:
            return JSONResponse({"error": f"error: {e}"}, status_code=500)

    return app


def _uploads(
    board: JobBoard, upload_id: str, test_id: str | None, corpus_id: str | None = None
) -> _Files | None:
    """The uploads the ids name, or None when one is malformed, unknown or of the wrong
    kind (a corpus given as data or the other way round)."""
    wanted = ((upload_id, False), (test_id, False), (corpus_id, True))
    found: list[Upload | None] = []
    for uid, corpus in wanted:
        if uid is None:
            found.append(None)
            continue
        up = board.upload(uid) if UPLOAD_ID.match(uid) else None
        if up is None or is_corpus(up) != corpus:
            return None
        found.append(up)
    data, test, corpus_up = found
    assert data is not None
    return _Files(data, test, corpus_up)


_TEXT_COLUMNS = ("text", "sentence", "utterance", "question")
_TARGET_COLUMNS = ("label", "intent", "class", "category", "answer", "spans")


def _default_task(files: _Files) -> str:
    """The task type the form starts on: QA with a corpus, the task type that reads the
    data's format (a CoNLL file: extraction), else classification."""
    if files.corpus:
        return "qa"
    return reading_task(files.data) or "classification"


def _mapping_page(
    ctx: _Context,
    files: _Files,
    form: dict[str, Any],
    error: str | None,
    status: int = 200,
) -> HTMLResponse:
    shown = preview(files.data)
    cols = shown["columns"]
    defaults = {
        "text": next((c for c in cols if c.lower() in _TEXT_COLUMNS), cols[0]),
        "label": next((c for c in cols if c.lower() in _TARGET_COLUMNS), cols[-1]),
        "task": _default_task(files),
        "approaches": [],
        "trust": [],
        "max_test": 100,
        "top_k": 3,
    }
    return ctx.page(
        "mapping.html",
        status,
        upload=files.data,
        test=files.test,
        corpus=files.corpus,
        corpus_head=head_lines(files.corpus) if files.corpus else [],
        preview=shown,
        form={**defaults, **form},
        error=error,
        approaches=inputs.defaults("compare"),
        tasks=inputs.task_names(),
        trust=UI_TRUST,
    )


def _cancel(ctx: _Context, job_id: str) -> Job | None:
    job = ctx.job(job_id)
    if job is None or job.final:
        return job
    ctx.board.request_cancel(job_id)
    if job.pid and worker_alive(job.pid):
        with suppress(ProcessLookupError):
            os.killpg(job.pid, signal.SIGTERM)
    else:
        ctx.board.reconcile(lambda pid: False, only=job_id)
    return ctx.board.get(job_id)


def _report(ctx: _Context, out_dir: Path) -> Path:
    """The run's report.html, drawn once (again when results.json is newer)."""
    results, report = out_dir / "results.json", out_dir / "report.html"
    with ctx.report_lock:  # matplotlib's pyplot is not thread-safe
        if not report.is_file() or report.stat().st_mtime < results.stat().st_mtime:
            write_report(out_dir)
    return report


def _accuracies(doc: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Approach name -> (accuracy, macro-F1) of a results document; unreadable ones left out."""
    out = {}
    for a in doc.get("approaches") or []:
        with suppress(KeyError, TypeError, ValueError):
            m = a["metrics"]
            out[str(a["name"])] = (float(m["accuracy"]["value"]), float(m["macro_f1"]["value"]))
    return out


def _most_accurate(scores: dict[str, tuple[float, float]]) -> str:
    """The approach with the highest accuracy; ties go to macro-F1, then to the name that
    sorts first (as the significance tests pick their reference)."""
    if not scores:
        return ""
    return min(scores, key=lambda n: (-scores[n][0], -scores[n][1], n))


def _runs(store: Store, upload_names: dict[str, str]) -> list[dict[str, Any]]:
    """The runs list: the recommendation's choice and the most accurate approach are
    shown side by side (they differ when cost, latency or a tie within the noise
    decide)."""
    rows = []
    for r in store.runs():
        doc: dict[str, Any] = {}
        if r["out_dir"] and (Path(r["out_dir"]) / "results.json").is_file():
            with suppress(TaskfitError):
                doc = load_results(Path(r["out_dir"]))
        source = str((doc.get("task") or {}).get("source") or "")
        scores = _accuracies(doc)
        recommended = str((doc.get("recommendation") or {}).get("choice") or "")
        best = _most_accurate(scores)
        rows.append(
            {
                **r,
                "has_results": bool(doc),
                "dataset": upload_names.get(source, Path(source).name if source else ""),
                "recommended": recommended,
                "recommended_accuracy": scores[recommended][0] if recommended in scores else None,
                "most_accurate": best,
                "most_accurate_accuracy": scores[best][0] if best else None,
                "created_text": _when(r["created"]),
            }
        )
    return rows
