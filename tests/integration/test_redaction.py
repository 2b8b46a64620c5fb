"""A credential planted in an endpoint URL reaches the server and nothing else.

The key goes in both forms a user may write: userinfo (``http://u:KEY@host/v1``, sent as
HTTP basic authentication) and a key-like query parameter (``?api_key=KEY``, sent on
every request). Each server refuses requests without it, so a run that finishes proves
the key was sent. Then every byte taskfit wrote (the SQLite store and its WAL, results,
summary, report, figures, web job logs) and everything it printed is searched for the
key: it must not be there. Runs go through the real command line (a subprocess) and the
web UI's worker against the fake OpenAI-compatible server on 127.0.0.1; error paths
(a refusal, a closed port) are covered as well. No real model is loaded.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.fake_openai_server import FakeOpenAIServer

from taskfit.data.demo import demo_paths

KEY = "sk-PLANTED-7f3a9c"
USER = "u"
# What would betray the key: itself, percent-encoded, and the basic-auth token built from it.
FORMS = (
    KEY.encode(),
    KEY.replace("-", "%2D").encode(),
    base64.b64encode(f"{USER}:{KEY}".encode()),
)
COMMON = ["--text", "text", "--label", "intent", "--max-test", "16", "--dev-size", "0"]


def _host(server: FakeOpenAIServer) -> str:
    return server.base_url.removeprefix("http://").removesuffix("/v1")


def userinfo_spec(server: FakeOpenAIServer, key: str = KEY, model: str = "m") -> str:
    return f"openai:{model}@http://{USER}:{key}@{_host(server)}/v1"


def query_spec(server: FakeOpenAIServer) -> str:
    return f"openai:m@http://{_host(server)}/v1?api_key={KEY}&region=eu"


@pytest.fixture
def servers() -> Iterator[tuple[FakeOpenAIServer, FakeOpenAIServer]]:
    """(a server that wants basic auth, a server that wants ?api_key=), both with KEY."""
    with (
        FakeOpenAIServer(basic_auth=(USER, KEY)) as basic,
        FakeOpenAIServer(required_query={"api_key": KEY}) as query,
    ):
        yield basic, query


@pytest.fixture(autouse=True)
def _no_openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "TASKFIT_HOME": str(home), "COLUMNS": "1000"}
    env.pop("OPENAI_API_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "taskfit.cli", *args],
        cwd=home.parent,
        env=env,
        capture_output=True,
        timeout=600,
    )


def leaks_in_files(*roots: Path) -> list[str]:
    """Files under ``roots`` whose bytes hold the key in any form."""
    found = []
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                found += [f"{path}: {form!r}" for form in FORMS if form in data]
    return found


def leaks_in_text(*texts: bytes | str) -> list[str]:
    """Forms of the key in printed output, also across a line wrap."""
    found = []
    for text in texts:
        data = text.encode() if isinstance(text, str) else text
        squeezed = re.sub(rb"\s+", b"", data)
        found += [repr(form) for form in FORMS if form in data or form in squeezed]
    return found


def received_key(basic: FakeOpenAIServer, query: FakeOpenAIServer) -> None:
    """Both servers got the key the way it was given, on every request."""
    token = base64.b64encode(f"{USER}:{KEY}".encode()).decode()
    assert basic.requests > 0 and query.requests > 0
    assert set(basic.auth_headers) == {f"Basic {token}"}
    assert all(f"api_key={KEY}" in t for t in query.targets)
    assert not any("@" in t for t in basic.targets + query.targets)  # no userinfo in a URL


def test_compare_report_and_curve_never_write_or_print_the_key(
    tmp_path: Path, servers: tuple[FakeOpenAIServer, FakeOpenAIServer]
) -> None:
    basic, query = servers
    home, out, curve_out = tmp_path / "home", tmp_path / "out", tmp_path / "curve"
    data = demo_paths()
    llms = ["--llm", userinfo_spec(basic), "--llm", query_spec(query)]
    outputs: list[bytes] = []

    run = cli(
        home,
        "compare",
        str(data["train"]),
        "--test",
        str(data["test"]),
        *COMMON,
        *llms,
        "--approaches",
        "zero-shot,majority",
        "--out",
        str(out),
        "--report",
    )
    outputs += [run.stdout, run.stderr]
    assert run.returncode == 0, run.stderr.decode()
    received_key(basic, query)

    doc = json.loads((out / "results.json").read_text())
    port_b, port_q = _host(basic).rsplit(":", 1)[1], _host(query).rsplit(":", 1)[1]
    models = {a["model"] for a in doc["approaches"] if a["family"] == "prompt"}
    assert models == {
        f"openai:m@http://***@127.0.0.1:{port_b}/v1",
        f"openai:m@http://127.0.0.1:{port_q}/v1?api_key=***&region=eu",
    }
    assert doc["settings"]["llms"] == [
        f"openai:m@http://***@127.0.0.1:{port_b}/v1",
        f"openai:m@http://127.0.0.1:{port_q}/v1?api_key=***&region=eu",
    ]
    written = {p.name for p in out.iterdir()}
    assert {"results.json", "summary.md", "report.html"} <= written
    assert any(p.suffix == ".svg" for p in out.rglob("*")), written
    html = (out / "report.html").read_text()
    assert "openai:m@http&#58;//***@127.0.0.1" in html  # the reproduce line keeps the spec

    # the report again, from the run folder, elsewhere
    run = cli(home, "report", str(out), "--out", str(tmp_path / "again" / "review.html"))
    outputs += [run.stdout, run.stderr]
    assert run.returncode == 0, run.stderr.decode()

    # a curve records its settings on its own
    run = cli(
        home,
        "curve",
        str(data["train"]),
        "--test",
        str(data["test"]),
        *COMMON,
        *llms,
        "--approaches",
        "majority,tfidf-lr",
        "--prompted",
        "zero-shot",
        "--seeds",
        "1",
        "--budgets",
        "8,16",
        "--out",
        str(curve_out),
        "--report",
    )
    outputs += [run.stdout, run.stderr]
    assert run.returncode == 0, run.stderr.decode()
    curve_doc = json.loads((curve_out / "results.json").read_text())
    assert all("***" in s for s in curve_doc["settings"]["llms"])

    # a refusal (wrong key in the URL) fails with a one-line error naming the URL redacted
    wrong = userinfo_spec(basic, key=KEY[::-1])
    run = cli(
        home,
        "compare",
        str(data["train"]),
        "--test",
        str(data["test"]),
        *COMMON,
        "--llm",
        f"{wrong}?api_key={KEY}",
        "--approaches",
        "zero-shot",
        "--out",
        str(tmp_path / "refused"),
    )
    outputs += [run.stdout, run.stderr]
    assert run.returncode == 2, run.stderr.decode()
    error = run.stderr.decode().strip().splitlines()[-1]
    assert error.startswith("error: openai backend: http://***@127.0.0.1") and "401" in error
    assert KEY[::-1] not in run.stderr.decode()

    leaks = leaks_in_files(home, out, curve_out, tmp_path / "again", tmp_path / "refused")
    assert leaks == []
    assert leaks_in_text(*outputs) == []
    assert (home / "store.db").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_closed_port_fails_with_the_url_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # In-process, so that the backend's retries can be made fast (no flag shortens them).
    from taskfit.backends.openai_compat import OpenAICompatBackend
    from taskfit.cli import main

    defaults = OpenAICompatBackend.__init__.__kwdefaults__
    assert defaults is not None
    monkeypatch.setitem(defaults, "max_retries", 2)
    monkeypatch.setitem(defaults, "backoff_base_s", 0.001)
    monkeypatch.setitem(defaults, "backoff_max_s", 0.002)
    home = tmp_path / "home"
    monkeypatch.setenv("TASKFIT_HOME", str(home))
    port = _free_port()
    spec = f"openai:m@http://{USER}:{KEY}@127.0.0.1:{port}/v1?api_key={KEY}"
    data = demo_paths()
    with pytest.raises(SystemExit) as info:
        main(
            [
                "compare",
                str(data["train"]),
                "--test",
                str(data["test"]),
                *COMMON,
                "--llm",
                spec,
                "--approaches",
                "zero-shot,majority",
                "--out",
                str(tmp_path / "out"),
            ]
        )
    assert info.value.code == 2
    captured = capsys.readouterr()
    error = captured.err.strip().splitlines()[-1]
    assert error.startswith(f"error: openai backend: http://***@127.0.0.1:{port}/v1/")
    assert "connection refused after 2 retries" in error
    assert leaks_in_text(captured.out, captured.err) == []
    assert leaks_in_files(tmp_path) == []


def test_web_jobs_never_store_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, servers: tuple[FakeOpenAIServer, Any]
) -> None:
    from fastapi.testclient import TestClient
    from tests.support.web import wait_final

    from taskfit.web.app import create_app

    basic, _ = servers
    home = tmp_path / "web"
    monkeypatch.setenv("TASKFIT_HOME", str(home))
    with TestClient(create_app(home)) as client:
        files = {"file": ("train.csv", demo_paths()["train"].read_bytes(), "text/csv")}
        r = client.post("/uploads", files=files, follow_redirects=False)
        assert r.status_code == 303, r.text
        found = re.match(r"^/uploads/([0-9a-f]{32})", r.headers["location"])
        assert found, r.headers["location"]
        upload = found.group(1)
        jobs = {}
        # another model for the refusal: a wrong key for the same endpoint and model
        # would be answered from the cache (the key is not part of the cache key)
        refused_spec = userinfo_spec(basic, "x", model="other")
        for name, spec in (("ok", userinfo_spec(basic)), ("refused", refused_spec)):
            form = {
                "upload_id": upload,
                "text": "text",
                "label": "intent",
                "llms": spec,
                "max_test": "16",
                "approaches": ["zero-shot", "majority"],
            }
            r = client.post("/jobs", data=form, follow_redirects=False)
            assert r.status_code == 303, r.text
            jobs[name] = wait_final(client, r.headers["location"].rsplit("/", 1)[1])
            assert not any(k.startswith("TASKFIT_JOB_LLMS_") for k in os.environ)
        ok, refused = jobs["ok"], jobs["refused"]
        assert ok["status"] == "finished", ok
        assert refused["status"] == "failed" and "401" in refused["error"], refused
        assert ok["params"]["llms"] == [userinfo_spec(basic).replace(f"{USER}:{KEY}", "***")]
        pages = [
            client.get(f"/jobs/{ok['job_id']}").text,
            client.get(f"/jobs/{refused['job_id']}").text,
            client.get(f"/runs/{ok['run_id']}").text,
            client.get("/api/runs").text,
            client.get(f"/api/jobs/{ok['job_id']}").text,
            client.get("/").text,
        ]
    token = base64.b64encode(f"{USER}:{KEY}".encode()).decode()
    assert f"Basic {token}" in basic.auth_headers  # the worker sent the key
    assert leaks_in_files(home) == []
    assert leaks_in_text(*pages) == []
