"""Helpers for the web UI tests."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any


def demo_train() -> Path:
    from taskfit.data.demo import demo_paths

    return demo_paths()["train"]


def wait_final(client: Any, job_id: str, timeout: float = 300) -> dict[str, Any]:
    """Poll the job API until the job is final; fail with its last state on timeout."""
    deadline = time.monotonic() + timeout
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job.get("final"):
            return job
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} not final after {timeout} s: {job}")
