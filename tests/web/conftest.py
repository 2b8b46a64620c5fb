"""Fixtures for the web UI: an app over a fresh store, and helpers to drive jobs."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture()
def web_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("TASKFIT_HOME", str(home))
    return home


@pytest.fixture()
def client(web_home: Path):
    from fastapi.testclient import TestClient

    from taskfit.web.app import create_app

    with TestClient(create_app(web_home, max_upload_mb=1)) as c:
        yield c
